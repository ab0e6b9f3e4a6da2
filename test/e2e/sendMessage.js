'use strict';
// Send Message against a REAL n8n (`n8n start`, workflows published), with its own stand-in and
// n8n user folder:
//   s  Green-API Trigger (polling) → Download Message File → Send Message: a photo received, the
//      same photo sent back (sendFileByUpload), byte-identical at the stand-in, quoting the message
//   s  DingTalk Trigger (Stream) → Download Message File → Send Message: the photo back (media
//      upload + sampleImageMsg to the sender), text replies to a one-to-one and a group message
//   s  binaries another node labelled wrongly (n8n's HTTP Request node, application/octet-stream,
//      no extension): a JPEG goes out as `….jpg` (Green-API), a PDF as DingTalk's sampleFile `pdf`
//   s  refusals before any upload: an Ogg voice note to DingTalk, a 101 MB file to Green-API
//   s  examples/green-api-trigger-spreadsheet-to-csv.json: an .xlsx in, its table back as a CSV file
// Called from run.js: `await require('./sendMessage').run({ lib, scenario, assert, bin, work })`.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { nodeMaker, workflowOf } = require('./lib');

const PACKAGE = 'n8n-nodes-message-files';
const GREEN = { idInstance: '1101000931', apiTokenInstance: 'e2e-send-token-0123456', messenger: 'whatsapp' };
const DT_APP = { appKey: 'dinge2esendapp', appSecret: 'e2e-send-secret-0001' };
const EXAMPLE_INSTANCE = { idInstance: '1101000932', apiTokenInstance: 'e2e-send-example-token-01', messenger: 'whatsapp' };
const CRED_EXAMPLE = { id: 'e2eSendGreenEx01', name: 'Green-API (send example)' };
const EXAMPLE = { file: 'green-api-trigger-spreadsheet-to-csv.json', id: 'exGreenXlsxToCsv' };
const CHAT = '79001234567@c.us';
const STAFF = 'e2eSendStaff01';
const GROUP = 'cidE2eSendGroup==';
const BIG_SIZE = 101 * 1024 * 1024;
const CRED_GREEN = { id: 'e2eSendGreen0001', name: 'Green-API (send e2e)' };
const CRED_DT = { id: 'e2eSendDingTalk1', name: 'DingTalk (send e2e)' };
const WF = {
	green: { id: 'e2eSendGreenLoop', name: 'E2E Send: Green-API round trip' },
	dingTalk: { id: 'e2eSendDtLoop001', name: 'E2E Send: DingTalk round trip' },
	mislabelled: { id: 'e2eSendMislabel1', name: 'E2E Send: binaries from another node' },
};
const HOOK_PATH = 'e2e-send-mislabelled';

const node = nodeMaker();
const workflow = workflowOf;

const send = (name, parameters, credentials, extra = {}) =>
	node(name, `${PACKAGE}.sendMessage`, 1, { options: {}, ...parameters }, { credentials, ...extra });
const download = (name, service, credentials, options = {}) =>
	node(name, `${PACKAGE}.downloadMessageFile`, 1, { service, source: 'message', options }, { credentials });

function greenLoop() {
	return workflow(
		WF.green,
		[
			node('Green-API Trigger', `${PACKAGE}.greenApiTrigger`, 1, { mode: 'polling', receiveTimeout: 5, downloadFiles: false, options: {} }, { credentials: { greenApi: CRED_GREEN } }),
			download('Download Message File', 'greenApi', { greenApi: CRED_GREEN }),
			send(
				'Send Message',
				{ service: 'greenApi', recipient: 'message', message: "={{ $('Green-API Trigger').item.json }}", content: 'file', binaryPropertyName: 'data', text: 'Your photo, back', options: { quoteMessage: true } },
				{ greenApi: CRED_GREEN },
			),
		],
		[
			['Green-API Trigger', 'Download Message File'],
			['Download Message File', 'Send Message'],
		],
	);
}

function dingTalkLoop() {
	const hasFile = node('Has a file?', 'n8n-nodes-base.if', 2, {
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
			conditions: [{ id: crypto.randomUUID(), leftValue: '={{ $json.msgtype }}', rightValue: 'text', operator: { type: 'string', operation: 'notEquals' } }],
			combinator: 'and',
		},
		options: {},
	});
	return workflow(
		WF.dingTalk,
		[
			node('DingTalk Trigger', `${PACKAGE}.dingTalkTrigger`, 1, { mode: 'stream', downloadFiles: false, options: {} }, { credentials: { dingTalkApi: CRED_DT } }),
			hasFile,
			download('Download Message File', 'dingTalk', { dingTalkApi: CRED_DT }),
			send('Send the file back', { service: 'dingTalk', recipient: 'message', message: "={{ $('DingTalk Trigger').item.json }}", content: 'file', binaryPropertyName: 'data' }, { dingTalkApi: CRED_DT }),
			send('Answer the text', { service: 'dingTalk', recipient: 'message', content: 'text', text: "={{ 'You said: ' + $json.text.content }}" }, { dingTalkApi: CRED_DT }),
		],
		[
			['DingTalk Trigger', 'Has a file?'],
			['Has a file?', 'Download Message File', 0],
			['Has a file?', 'Answer the text', 1],
			['Download Message File', 'Send the file back'],
		],
	);
}

/** Webhook {url, to: 'green'|'dingTalk'} → HTTP Request downloads the URL as a file → Send Message (Continue On Fail). */
function mislabelled() {
	const toGreen = node('To Green-API?', 'n8n-nodes-base.if', 2, {
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
			conditions: [{ id: crypto.randomUUID(), leftValue: "={{ $('Webhook').item.json.body.to }}", rightValue: 'green', operator: { type: 'string', operation: 'equals' } }],
			combinator: 'and',
		},
		options: {},
	});
	return workflow(
		WF.mislabelled,
		[
			node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: HOOK_PATH, responseMode: 'lastNode', options: {} }, { webhookId: crypto.randomUUID() }),
			node('Get the file', 'n8n-nodes-base.httpRequest', 4.2, { url: '={{ $json.body.url }}', options: { response: { response: { responseFormat: 'file' } } } }),
			toGreen,
			send('Send to Green-API', { service: 'greenApi', recipient: 'chat', chatId: CHAT, content: 'file', binaryPropertyName: 'data' }, { greenApi: CRED_GREEN }, { onError: 'continueRegularOutput' }),
			send('Send to DingTalk', { service: 'dingTalk', recipient: 'chat', dingTalkChatType: 'user', userIds: STAFF, content: 'file', binaryPropertyName: 'data' }, { dingTalkApi: CRED_DT }, { onError: 'continueRegularOutput' }),
		],
		[
			['Webhook', 'Get the file'],
			['Get the file', 'To Green-API?'],
			['To Green-API?', 'Send to Green-API', 0],
			['To Green-API?', 'Send to DingTalk', 1],
		],
	);
}

/** The example as a user imports it, its credential the example instance's. */
function exampleWorkflow(lib) {
	const wf = lib.loadExample(EXAMPLE.file);
	for (const n of wf.nodes) if (n.credentials && n.credentials.greenApi) n.credentials.greenApi = CRED_EXAMPLE;
	const trigger = wf.nodes.find((n) => n.type === `${PACKAGE}.greenApiTrigger`);
	trigger.parameters.receiveTimeout = 5;
	return { ...wf, id: EXAMPLE.id, active: false };
}

function greenNotification(idMessage, typeMessage, fileMessageData, instance = GREEN) {
	return {
		typeWebhook: 'incomingMessageReceived',
		instanceData: { idInstance: Number(instance.idInstance), wid: `${instance.idInstance}@c.us`, typeInstance: 'whatsapp' },
		timestamp: Math.floor(Date.now() / 1000),
		idMessage,
		senderData: { chatId: CHAT, sender: CHAT, chatName: 'E2E', senderName: 'E2E' },
		messageData: { typeMessage, fileMessageData },
	};
}

function dingTalkMessage(msgtype, content, extra = {}) {
	return {
		conversationId: 'cidE2eSendOneToOne==',
		chatbotCorpId: 'dingstandin0000000000000000000000',
		chatbotUserId: '$:LWCP_v1:$e2eSendBot',
		msgId: `msg${crypto.randomBytes(8).toString('hex')}`,
		senderNick: 'E2E Sender',
		senderStaffId: STAFF,
		createAt: Date.now(),
		conversationType: '1',
		senderId: '$:LWCP_v1:$e2eSendSender',
		sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=e2e-send',
		sessionWebhookExpiredTime: Date.now() + 3_600_000,
		robotCode: DT_APP.appKey,
		msgtype,
		content,
		...extra,
	};
}

async function run({ lib, scenario, assert, bin, work }) {
	const dir = path.join(work, 'send-message');
	const userFolder = path.join(dir, 'user');
	fs.mkdirSync(userFolder, { recursive: true });
	const n8n = new lib.N8n(bin, userFolder);
	const fixture = (name) => lib.fixturePath(name);
	let standIn;
	try {
		const bundle = await lib.buildStandIn(dir);
		standIn = await lib.startStandIn(
			bundle,
			{
				dingTalk: {
					apps: [DT_APP],
					files: [{ downloadCode: 'SEND-PIC', robotCode: DT_APP.appKey, body: { path: fixture('image.jpg') } }],
				},
				greenApi: {
					instances: [GREEN, EXAMPLE_INSTANCE],
					files: [
						{ idInstance: EXAMPLE_INSTANCE.idInstance, chatId: CHAT, idMessage: 'EX-XLSX', body: { path: fixture('spreadsheet.xlsx') }, linkExtension: 'xlsx' },
						{ idInstance: EXAMPLE_INSTANCE.idInstance, chatId: CHAT, idMessage: 'EX-PDF', body: { path: fixture('document.pdf') }, linkExtension: 'pdf' },
						{ idInstance: GREEN.idInstance, chatId: CHAT, idMessage: 'SEND-JPEG', body: { path: fixture('image.jpg') } },
						{ idInstance: GREEN.idInstance, chatId: CHAT, idMessage: 'SEND-PDF', body: { path: fixture('document.pdf') } },
						{ idInstance: GREEN.idInstance, chatId: CHAT, idMessage: 'SEND-OGG', body: { path: fixture('voice.ogg') } },
						{ idInstance: GREEN.idInstance, chatId: CHAT, idMessage: 'SEND-BIG', body: { size: BIG_SIZE, seed: 11 } },
					],
				},
			},
			dir,
		);
		const urls = standIn.urls;
		const control = async (route, value) => await lib.standInControl(urls, route, value);
		const link = (idMessage) => urls.greenFiles.find((f) => f.idMessage === idMessage).directUrl;
		await control('dingtalk-send-config', { groups: [{ openConversationId: GROUP, robotCodes: [DT_APP.appKey] }] });
		await lib.installPackageInto(userFolder, dir);
		await n8n.init();
		await n8n.importCredentials(
			[
				{ ...CRED_GREEN, type: 'greenApi', data: { apiUrl: urls.greenApiUrl, mediaUrl: urls.greenMediaUrl, idInstance: GREEN.idInstance, apiTokenInstance: GREEN.apiTokenInstance, messenger: 'whatsapp' } },
				{ ...CRED_EXAMPLE, type: 'greenApi', data: { apiUrl: urls.greenApiUrl, mediaUrl: urls.greenMediaUrl, idInstance: EXAMPLE_INSTANCE.idInstance, apiTokenInstance: EXAMPLE_INSTANCE.apiTokenInstance, messenger: 'whatsapp' } },
				{ ...CRED_DT, type: 'dingTalkApi', data: { appType: 'internal', appKey: DT_APP.appKey, appSecret: DT_APP.appSecret, baseUrl: urls.dingTalkUrl } },
			],
			path.join(dir, 'credentials.json'),
		);
		await n8n.importWorkflows([greenLoop(), dingTalkLoop(), mislabelled(), exampleWorkflow(lib)], path.join(dir, 'workflows.json'));
		for (const wf of [...Object.values(WF), EXAMPLE]) await n8n.publish(wf.id);
		const { node: nodeVersion } = await lib.n8nVersions(n8n.bin);
		const started = await n8n.start({
			binaryMode: 'filesystem',
			env: Number(nodeVersion.split('.')[0]) < 22 ? { NODE_OPTIONS: '--experimental-websocket' } : {},
			logFile: path.join(dir, 'n8n-start.log'),
		});
		const hook = `${started.baseUrl}/webhook/${HOOK_PATH}`;
		const greenSent = async () => (await control('green-sent')).sent;
		const dingTalkSent = async () => await control('dingtalk-sent');
		const outputOf = async (execution, nodeName) => lib.nodeOutput(execution.data.resultData.runData, nodeName) || [];

		await scenario('s  Green-API Trigger → Download Message File → Send Message: the photo back, byte-identical, quoting the message', async () => {
			const before = await n8n.lastExecutionId(WF.green.id);
			const sentBefore = (await greenSent()).length;
			await control('green-notify', {
				idInstance: GREEN.idInstance,
				body: greenNotification('SEND-JPEG', 'imageMessage', { downloadUrl: link('SEND-JPEG'), caption: '', fileName: 'SEND-JPEG.jpg', jpegThumbnail: '', mimeType: 'image/jpeg' }),
			});
			const execution = await n8n.waitForExecution(WF.green.id, before, 90_000);
			assert(execution.status === 'success', `execution ${execution.status}`);
			const sent = (await greenSent()).slice(sentBefore);
			assert(sent.length === 1 && sent[0].method === 'sendFileByUpload', `sent ${JSON.stringify(sent.map((s) => s.method))}`);
			const [upload] = sent;
			assert(upload.fileSha256 === lib.fixtureSha('image.jpg'), `uploaded bytes differ from image.jpg (${upload.fileSize} bytes)`);
			assert(upload.chatId === CHAT && upload.quotedMessageId === 'SEND-JPEG' && upload.caption === 'Your photo, back', `upload ${JSON.stringify({ ...upload, fileBytes: undefined })}`);
			assert(/\.jpg$/.test(upload.fileName), `fileName ${upload.fileName}`);
			const [item] = await outputOf(execution, 'Send Message');
			const sentMessage = item && item.json.sentMessage;
			assert(sentMessage && sentMessage.kind === 'image' && sentMessage.id === upload.idMessage && sentMessage.messenger === 'whatsapp', `sentMessage ${JSON.stringify(sentMessage)}`);
			assert(!JSON.stringify(item.json).includes(GREEN.apiTokenInstance), 'the output holds the API token');
			return `${upload.fileName}, ${upload.fileSize} bytes, sha256 equal, idMessage ${upload.idMessage}`;
		});

		const live = async () => ((await lib.streamGateway(urls, 'stats')).liveByClient || {})[DT_APP.appKey] || 0;
		const deliver = async (messages) => await lib.streamGateway(urls, 'deliver', { messages, clientId: DT_APP.appKey });

		await scenario('s  DingTalk Trigger → Download Message File → Send Message: the photo back; text replies to a one-to-one and a group message', async () => {
			await lib.waitFor(async () => (await live()) === 1, 60_000, 'the DingTalk Trigger to connect');
			const before = await n8n.lastExecutionId(WF.dingTalk.id);
			const sentBefore = (await dingTalkSent()).sent.length;
			const picture = dingTalkMessage('picture', { downloadCode: 'SEND-PIC', pictureDownloadCode: 'SEND-PIC' });
			const direct = dingTalkMessage('text', undefined, { text: { content: 'hello robot' } });
			const group = dingTalkMessage('text', undefined, { text: { content: 'hello group' }, conversationType: '2', conversationId: GROUP, conversationTitle: 'E2E group' });
			await deliver([picture, direct, group]);
			await lib.waitFor(async () => (await dingTalkSent()).sent.length >= sentBefore + 3, 90_000, 'three DingTalk sends');
			await lib.sleep(1000);
			const state = await dingTalkSent();
			const sent = state.sent.slice(sentBefore);
			assert(sent.length === 3, `${sent.length} sends, want 3`);
			const image = sent.find((m) => m.msgKey === 'sampleImageMsg');
			assert(image && image.api === 'oToMessages/batchSend' && JSON.stringify(image.userIds) === JSON.stringify([STAFF]), `image ${JSON.stringify(image)}`);
			const upload = state.uploads.find((u) => u.mediaId === image.msgParam.photoURL);
			assert(upload && upload.sha256 === lib.fixtureSha('image.jpg') && upload.type === 'image', `upload ${JSON.stringify(upload)}`);
			const one = sent.find((m) => m.msgKey === 'sampleText' && m.msgParam.content === 'You said: hello robot');
			assert(one && one.api === 'oToMessages/batchSend' && JSON.stringify(one.userIds) === JSON.stringify([STAFF]), `one-to-one ${JSON.stringify(sent)}`);
			const inGroup = sent.find((m) => m.msgKey === 'sampleText' && m.msgParam.content === 'You said: hello group');
			assert(inGroup && inGroup.api === 'groupMessages/send' && inGroup.openConversationId === GROUP, `group ${JSON.stringify(sent)}`);
			const rows = (await n8n.executions(WF.dingTalk.id)).filter((r) => r.id > before);
			assert(rows.length === 3 && rows.every((r) => r.status === 'success'), `executions ${JSON.stringify(rows.map((r) => r.status))}`);
			return `sampleImageMsg ${upload.fileName} (sha256 equal), batchSend to ${STAFF}, groupMessages/send to ${GROUP}`;
		});

		const post = async (to, idMessage) => {
			const res = await lib.postJson(hook, { to, url: link(idMessage) }, { timeoutMs: 180_000 });
			const text = res.body.toString('utf8');
			assert(res.status === 200, `webhook HTTP ${res.status}: ${text.slice(0, 300)}`);
			return JSON.parse(text);
		};

		await scenario('s  binaries another node labelled wrongly: a JPEG goes out as .jpg (Green-API), a PDF as DingTalk sampleFile pdf', async () => {
			const greenBefore = (await greenSent()).length;
			const green = await post('green', 'SEND-JPEG');
			assert(green.sentMessage && green.sentMessage.kind === 'image' && /\.jpg$/.test(green.sentMessage.fileName), `Green-API output ${JSON.stringify(green)}`);
			const [upload] = (await greenSent()).slice(greenBefore);
			assert(upload && upload.fileSha256 === lib.fixtureSha('image.jpg') && upload.fileName === green.sentMessage.fileName, `upload ${JSON.stringify({ ...upload, fileBytes: undefined })}`);
			const dtBefore = (await dingTalkSent()).sent.length;
			const dt = await post('dingTalk', 'SEND-PDF');
			assert(dt.sentMessage && dt.sentMessage.kind === 'file' && dt.sentMessage.mimeType === 'application/pdf', `DingTalk output ${JSON.stringify(dt)}`);
			const state = await dingTalkSent();
			const [file] = state.sent.slice(dtBefore);
			assert(file && file.msgKey === 'sampleFile' && file.msgParam.fileType === 'pdf' && /\.pdf$/.test(file.msgParam.fileName), `DingTalk message ${JSON.stringify(file)}`);
			const dtUpload = state.uploads.find((u) => u.mediaId === file.msgParam.mediaId);
			assert(dtUpload && dtUpload.sha256 === lib.fixtureSha('document.pdf'), `DingTalk upload ${JSON.stringify(dtUpload)}`);
			return `HTTP Request labelled them application/octet-stream: sent ${upload.fileName} and ${file.msgParam.fileName}`;
		});

		await scenario('s  refused before any upload: an Ogg voice note to DingTalk, a 101 MB file to Green-API', async () => {
			const dtBefore = await dingTalkSent();
			const ogg = await post('dingTalk', 'SEND-OGG');
			assert(ogg.error && /OGG|Ogg|ogg/.test(`${ogg.error} ${ogg.errorDescription || ''}`), `DingTalk answer ${JSON.stringify(ogg)}`);
			const dtAfter = await dingTalkSent();
			assert(dtAfter.uploadCalls === dtBefore.uploadCalls && dtAfter.sendCalls === dtBefore.sendCalls, 'DingTalk was called');
			const greenBefore = await control('green-sent');
			const big = await post('green', 'SEND-BIG');
			assert(big.error && /100 MB/.test(`${big.error} ${big.errorDescription || ''}`), `Green-API answer ${JSON.stringify(big)}`);
			const greenAfter = await control('green-sent');
			assert(greenAfter.sent.length === greenBefore.sent.length, 'Green-API got an upload');
			assert(![ogg, big].some((o) => JSON.stringify(o).includes(GREEN.apiTokenInstance) || JSON.stringify(o).includes(DT_APP.appSecret)), 'an error holds a secret');
			return `“${ogg.error}” / “${big.error}”`;
		});

		await scenario('s  example green-api-trigger-spreadsheet-to-csv.json: an .xlsx in, its table back as CSV; a PDF gets the explanation', async () => {
			const before = await n8n.lastExecutionId(EXAMPLE.id);
			const sentBefore = (await greenSent()).length;
			const document = (idMessage, fileName, mimeType) =>
				greenNotification(idMessage, 'documentMessage', { downloadUrl: link(idMessage), caption: '', fileName, jpegThumbnail: '', mimeType }, EXAMPLE_INSTANCE);
			// The sender's name has no extension: the example's check for Excel relies on the bytes.
			await control('green-notify', { idInstance: EXAMPLE_INSTANCE.idInstance, body: document('EX-XLSX', 'figures', 'application/octet-stream') });
			await control('green-notify', { idInstance: EXAMPLE_INSTANCE.idInstance, body: document('EX-PDF', 'report.pdf', 'application/pdf') });
			await lib.waitFor(async () => (await n8n.executions(EXAMPLE.id)).filter((r) => r.id > before && !['new', 'running', 'waiting'].includes(r.status)).length >= 2, 90_000, 'two executions of the example');
			const rows = (await n8n.executions(EXAMPLE.id)).filter((r) => r.id > before);
			assert(rows.every((r) => r.status === 'success'), `executions ${JSON.stringify(rows.map((r) => r.status))}`);
			const sent = (await greenSent()).slice(sentBefore).filter((m) => m.idInstance === EXAMPLE_INSTANCE.idInstance);
			const csv = sent.find((m) => m.method === 'sendFileByUpload');
			assert(csv && csv.fileName === 'figures.csv' && csv.quotedMessageId === 'EX-XLSX' && csv.fileSize > 0, `CSV ${JSON.stringify(csv)}`);
			const caption = sent.find((m) => m.method === 'sendMessage' && m.message === 'Here is figures.xlsx as CSV');
			assert(caption, `the caption of the CSV (a document: sent as its own message) in ${JSON.stringify(sent.map((m) => m.message))}`);
			const explanation = sent.find((m) => m.method === 'sendMessage' && /Send me an Excel file/.test(m.message || ''));
			assert(explanation && explanation.chatId === CHAT, `explanation in ${JSON.stringify(sent.map((m) => m.message))}`);
			return `${csv.fileName} (${csv.fileSize} bytes, ${csv.partMimeType}) quoting EX-XLSX; the PDF got “${explanation.message.slice(0, 40)}…”`;
		});
	} finally {
		await n8n.stop().catch(() => {});
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
	}
}

module.exports = { run };
