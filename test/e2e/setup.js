'use strict';
// What the e2e runner and the demo put into the stand-in and into n8n: registered
// fixture files, credentials pointing at the stand-in, test workflows (with what
// each node's output must be), webhook payloads, and the examples made runnable.

const crypto = require('node:crypto');
const lib = require('./lib');

// ------------------------------------------------------------------ identities in the stand-in

const DT_APP = { appKey: 'dinge2eapp', appSecret: 'e2e-app-secret-0001' };
const DT_TOKEN_APP = { appKey: 'dinge2etokenapp', appSecret: 'e2e-app-secret-0002' };
const DT_SUITE = {
	suiteKey: 'suitee2e0001',
	suiteSecret: 'e2e-suite-secret',
	authCorpId: 'dinge2ecorp3p',
	suiteTicket: 'e2e-suite-ticket',
};
const DT_SUITE_ROBOT = 'dinge2e3probot';
const WA = { idInstance: '1101000001', apiTokenInstance: 'e2eWhatsAppToken0001', messenger: 'whatsapp' };
const MAX = { idInstance: '3100000001', apiTokenInstance: 'e2eMaxToken0001', messenger: 'max' };
const WA_CHAT = '79001234567@c.us';
const MAX_CHAT = '10000000';

/** Fixtures served to DingTalk under downloadCode `DT-<file>` (robot = the internal app). */
const DT_FILES = ['image.png', 'image.jpg', 'document.pdf', 'voice.amr', 'video.mp4', 'voice.ogg', 'audio.mp3'];
/** Green-API messages: idMessage → fixture (and the WhatsApp link's extension). */
const GREEN_FILES = [
	{ inst: WA, chatId: WA_CHAT, idMessage: 'WA-PDF', fixture: 'document.pdf', linkExtension: 'pdf' },
	{ inst: WA, chatId: WA_CHAT, idMessage: 'WA-VOICE', fixture: 'voice.ogg', linkExtension: 'oga' },
	{ inst: WA, chatId: WA_CHAT, idMessage: 'WA-IMG', fixture: 'image.jpg', linkExtension: 'jpg' },
	{ inst: WA, chatId: WA_CHAT, idMessage: 'WA-DOCX', fixture: 'document.docx', linkExtension: 'docx' },
	{ inst: MAX, chatId: MAX_CHAT, idMessage: 'MAX-IMG', fixture: 'image.png' },
	{ inst: MAX, chatId: MAX_CHAT, idMessage: 'MAX-PDF', fixture: 'document.pdf' },
	{ inst: MAX, chatId: MAX_CHAT, idMessage: 'MAX-VIDEO', fixture: 'video.mp4' },
];

function availableDtFiles() {
	return DT_FILES.filter(lib.fixtureExists);
}
function availableGreenFiles() {
	return GREEN_FILES.filter((f) => lib.fixtureExists(f.fixture));
}

function standInConfig() {
	const body = (fixture) => ({ path: lib.fixturePath(fixture) });
	return {
		dingTalk: {
			apps: [DT_APP, DT_TOKEN_APP],
			suites: [DT_SUITE],
			files: [
				...availableDtFiles().map((f) => ({ downloadCode: `DT-${f}`, robotCode: DT_APP.appKey, body: body(f) })),
				{ downloadCode: 'DT-TOKEN-image.png', robotCode: DT_TOKEN_APP.appKey, body: body('image.png') },
				// About 8 s to download: n8n is restarted while it is still coming (issue 19).
				{ downloadCode: 'DT-SLOW', robotCode: DT_APP.appKey, body: { size: 400_000, seed: 19 }, fault: { slowBytesPerSecond: 50_000 } },
				// The reply example's messages reach the token app's robot, which downloads and replies as itself.
				{ downloadCode: 'DT-TOKEN-document.pdf', robotCode: DT_TOKEN_APP.appKey, body: body('document.pdf') },
				{ downloadCode: 'DT-TOKEN-voice.amr', robotCode: DT_TOKEN_APP.appKey, body: body('voice.amr') },
				{
					downloadCode: 'DT-3P-image.jpg',
					robotCode: DT_SUITE_ROBOT,
					corpId: DT_SUITE.authCorpId,
					body: body('image.jpg'),
				},
			],
		},
		greenApi: {
			instances: [WA, MAX],
			files: availableGreenFiles().map((f) => ({
				idInstance: f.inst.idInstance,
				chatId: f.chatId,
				idMessage: f.idMessage,
				body: body(f.fixture),
				...(f.linkExtension ? { linkExtension: f.linkExtension } : {}),
			})),
		},
	};
}

/** The WhatsApp/MAX direct link the stand-in made for a message (the webhook's downloadUrl). */
function directUrl(urls, idMessage) {
	const f = urls.greenFiles.find((g) => g.idMessage === idMessage);
	if (!f) throw new Error(`stand-in has no Green file ${idMessage}`);
	return f.directUrl;
}

// ------------------------------------------------------------------ credentials

/** Credential ids and names; the examples reference DT and GREEN by these. */
const CRED = {
	DT: { id: 'msgFilesDingTalk', name: 'DingTalk account' },
	DT_TOKEN: { id: 'msgFilesDtTokens', name: 'DingTalk token-cache test' },
	DT_3P: { id: 'msgFilesDt3Party', name: 'DingTalk third-party app' },
	GREEN: { id: 'msgFilesGreenApi', name: 'Green-API account' },
	GREEN_MAX: { id: 'msgFilesGreenMax', name: 'Green-API MAX account' },
};

function credentials(urls) {
	const dt = (ref, data) => ({
		...ref,
		type: 'dingTalkApi',
		data: { appType: 'internal', baseUrl: urls.dingTalkUrl, ...data },
	});
	const green = (ref, inst) => ({
		...ref,
		type: 'greenApi',
		data: {
			apiUrl: urls.greenApiUrl,
			mediaUrl: urls.greenMediaUrl,
			idInstance: inst.idInstance,
			apiTokenInstance: inst.apiTokenInstance,
			messenger: inst.messenger,
		},
	});
	return [
		dt(CRED.DT, { appKey: DT_APP.appKey, appSecret: DT_APP.appSecret, robotCode: DT_APP.appKey }),
		dt(CRED.DT_TOKEN, { appKey: DT_TOKEN_APP.appKey, appSecret: DT_TOKEN_APP.appSecret, robotCode: DT_TOKEN_APP.appKey }),
		dt(CRED.DT_3P, {
			appType: 'thirdParty',
			suiteKey: DT_SUITE.suiteKey,
			suiteSecret: DT_SUITE.suiteSecret,
			authCorpId: DT_SUITE.authCorpId,
			suiteTicket: DT_SUITE.suiteTicket,
			robotCode: DT_SUITE_ROBOT,
		}),
		green(CRED.GREEN, WA),
		green(CRED.GREEN_MAX, MAX),
	];
}

// ------------------------------------------------------------------ messages (webhook bodies)

function dingTalkMessage(msgtype, content, extra = {}) {
	return {
		conversationId: 'cidE2eConversation==',
		atUsers: [],
		chatbotCorpId: 'dingstandin0000000000000000000000',
		chatbotUserId: '$:LWCP_v1:$e2eBot',
		msgId: `msg${crypto.randomBytes(8).toString('hex')}`,
		senderNick: 'E2E Tester',
		isAdmin: false,
		senderStaffId: 'e2estaff01',
		sessionWebhookExpiredTime: Date.now() + 3_600_000,
		createAt: Date.now(),
		senderCorpId: 'dingstandin0000000000000000000000',
		conversationType: '1',
		senderId: '$:LWCP_v1:$e2eSender',
		sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=e2e',
		robotCode: DT_APP.appKey,
		msgtype,
		content,
		...extra,
	};
}

/** Headers DingTalk puts on an HTTP-mode callback. */
function dingTalkSignHeaders(appSecret = DT_APP.appSecret) {
	const timestamp = String(Date.now());
	const sign = crypto.createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`).digest('base64');
	return { timestamp, sign };
}

function greenWebhook(inst, chatId, idMessage, typeMessage, fileMessageData) {
	return {
		typeWebhook: 'incomingMessageReceived',
		instanceData: {
			idInstance: Number(inst.idInstance),
			wid: inst.messenger === 'max' ? '10000001' : '79990000001@c.us',
			typeInstance: inst.messenger === 'max' ? 'v3' : 'whatsapp',
		},
		timestamp: Math.floor(Date.now() / 1000),
		idMessage,
		senderData: { chatId, chatName: 'E2E Tester', sender: chatId, senderName: 'E2E Tester' },
		messageData: {
			typeMessage,
			fileMessageData: { caption: '', jpegThumbnail: '', isForwarded: false, forwardingScore: 0, ...fileMessageData },
		},
	};
}

// ------------------------------------------------------------------ workflow building

let nodeSeq = 0;
function node(name, type, typeVersion, parameters, extra = {}) {
	nodeSeq++;
	return {
		id: crypto.randomUUID(),
		name,
		type,
		typeVersion,
		position: [200 * (extra.col ?? 1), 160 * (extra.row ?? nodeSeq % 12)],
		parameters,
		...(extra.credentials ? { credentials: extra.credentials } : {}),
		...(extra.webhookId ? { webhookId: extra.webhookId } : {}),
		...(extra.onError ? { onError: extra.onError } : {}),
	};
}

const trigger = () => node('Start', 'n8n-nodes-base.manualTrigger', 1, {}, { col: 0, row: 0 });

/** A Set node whose output is `value` (raw JSON mode). */
const setJson = (name, value, row) =>
	node(name, 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify(value, null, 2), options: {} }, { col: 1, row });

/** The package's node. Errors go to the regular output so one failing branch does not hide the others. */
function download(name, parameters, credRef, row, col = 2) {
	const credType = parameters.service === 'dingTalk' ? 'dingTalkApi' : 'greenApi';
	return node(name, lib.NODE_TYPE, 1, { options: {}, ...parameters }, {
		credentials: { [credType]: credRef },
		onError: 'continueRegularOutput',
		row,
		col,
	});
}

function workflow(id, name, nodes, edges) {
	const connections = {};
	for (const [from, to] of edges) {
		connections[from] ??= { main: [[]] };
		connections[from].main[0].push({ node: to, type: 'main', index: 0 });
	}
	return { id, name, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

/**
 * Build a "Start → [Set message →] Download" workflow from cases:
 * { name, params, cred, message?, expect: [{ fixture, fileName?, property? }] }.
 */
function caseWorkflow(id, name, cases) {
	const nodes = [trigger()];
	const edges = [];
	cases.forEach((c, i) => {
		if (c.message) {
			const setName = `${c.name} (message)`;
			nodes.push(setJson(setName, c.message, i));
			nodes.push(download(c.name, c.params, c.cred, i));
			edges.push(['Start', setName], [setName, c.name]);
		} else {
			nodes.push(download(c.name, c.params, c.cred, i));
			edges.push(['Start', c.name]);
		}
	});
	return { workflow: workflow(id, name, nodes, edges), cases };
}

// ---- (a) DingTalk

function dingTalkCases() {
	const cases = availableDtFiles().map((f) => ({
		name: `DingTalk fields ${f}`,
		params: { service: 'dingTalk', source: 'fields', downloadCode: `DT-${f}`, robotCode: DT_APP.appKey },
		cred: CRED.DT,
		expect: [{ fixture: f }],
	}));
	cases.push({
		name: 'DingTalk fields with name and property',
		params: {
			service: 'dingTalk',
			source: 'fields',
			downloadCode: 'DT-image.png',
			robotCode: DT_APP.appKey,
			options: { binaryPropertyName: 'picture', fileName: 'e2e-custom-name.png', maxFileSize: 5, timeout: 30 },
		},
		cred: CRED.DT,
		expect: [{ fixture: 'image.png', fileName: 'e2e-custom-name.png', property: 'picture' }],
	});
	if (lib.fixtureExists('document.pdf')) {
		cases.push({
			name: 'DingTalk message file',
			params: { service: 'dingTalk', source: 'message' },
			cred: CRED.DT,
			message: dingTalkMessage('file', {
				downloadCode: 'DT-document.pdf',
				fileName: 'Quarterly report.pdf',
				spaceId: '12345',
				fileId: 'e2eFileId',
			}),
			expect: [{ fixture: 'document.pdf', fileName: 'Quarterly report.pdf' }],
		});
	}
	cases.push({
		name: 'DingTalk message richText',
		params: { service: 'dingTalk', source: 'message' },
		cred: CRED.DT,
		message: dingTalkMessage('richText', {
			richText: [
				{ text: 'two pictures' },
				{ type: 'picture', downloadCode: 'DT-image.png', pictureDownloadCode: 'DT-image.png' },
				{ type: 'picture', downloadCode: 'DT-image.jpg', pictureDownloadCode: 'DT-image.jpg' },
			],
		}),
		expect: [{ fixture: 'image.png' }, { fixture: 'image.jpg' }],
	});
	if (lib.fixtureExists('voice.amr')) {
		cases.push({
			name: 'DingTalk message audio',
			params: { service: 'dingTalk', source: 'message' },
			cred: CRED.DT,
			message: dingTalkMessage('audio', { downloadCode: 'DT-voice.amr', duration: 4000, recognition: '你好' }),
			expect: [{ fixture: 'voice.amr' }],
		});
	}
	cases.push({
		name: 'DingTalk third-party app',
		params: { service: 'dingTalk', source: 'fields', downloadCode: 'DT-3P-image.jpg', robotCode: DT_SUITE_ROBOT },
		cred: CRED.DT_3P,
		expect: [{ fixture: 'image.jpg' }],
	});
	return caseWorkflow('e2eDingTalkCases', 'E2E DingTalk downloads', cases);
}

// ---- (b) Green-API

function greenCases(urls) {
	const have = new Set(availableGreenFiles().map((f) => f.idMessage));
	const cases = [];
	for (const f of availableGreenFiles()) {
		const wa = f.inst === WA;
		cases.push({
			name: `${wa ? 'WhatsApp' : 'MAX'} fields ${f.idMessage}`,
			params: { service: 'greenApi', source: 'fields', chatId: f.chatId, idMessage: f.idMessage },
			cred: wa ? CRED.GREEN : CRED.GREEN_MAX,
			expect: [{ fixture: f.fixture }],
		});
	}
	if (have.has('WA-PDF')) {
		cases.push({
			name: 'WhatsApp webhook document',
			params: { service: 'greenApi', source: 'message' },
			cred: CRED.GREEN,
			message: greenWebhook(WA, WA_CHAT, 'WA-PDF', 'documentMessage', {
				downloadUrl: directUrl(urls, 'WA-PDF'),
				fileName: 'invoice.pdf',
				mimeType: 'application/pdf',
			}),
			expect: [{ fixture: 'document.pdf', fileName: 'invoice.pdf' }],
		});
	}
	if (have.has('WA-VOICE')) {
		cases.push({
			name: 'WhatsApp webhook voice, empty link',
			params: { service: 'greenApi', source: 'message' },
			cred: CRED.GREEN,
			message: greenWebhook(WA, WA_CHAT, 'WA-VOICE', 'audioMessage', {
				downloadUrl: '',
				fileName: 'WA-VOICE.oga',
				mimeType: 'audio/ogg; codecs=opus',
			}),
			expect: [{ fixture: 'voice.ogg' }],
		});
	}
	if (have.has('MAX-IMG')) {
		cases.push({
			name: 'MAX webhook image',
			params: { service: 'greenApi', source: 'message' },
			cred: CRED.GREEN_MAX,
			message: greenWebhook(MAX, MAX_CHAT, 'MAX-IMG', 'imageMessage', {
				downloadUrl: directUrl(urls, 'MAX-IMG'),
				fileName: 'photo.png',
				mimeType: 'image/png',
			}),
			expect: [{ fixture: 'image.png', fileName: 'photo.png' }],
		});
	}
	return caseWorkflow('e2eGreenApiCases', 'E2E Green-API downloads', cases);
}

// ---- (c) token persistence

function tokenCases() {
	return caseWorkflow('e2eDingTalkToken', 'E2E DingTalk token cache', [
		{
			name: 'DingTalk token-cache download',
			params: { service: 'dingTalk', source: 'fields', downloadCode: 'DT-TOKEN-image.png', robotCode: DT_TOKEN_APP.appKey },
			cred: CRED.DT_TOKEN,
			expect: [{ fixture: 'image.png' }],
		},
	]);
}

// ---- (d) webhooks answered with the binary

const WEBHOOK_DT = { id: 'e2eWebhookDtBin0', path: 'e2e-dingtalk-binary' };
const WEBHOOK_GREEN = { id: 'e2eWebhookGaBin0', path: 'e2e-green-binary' };

function webhookWorkflows() {
	const dt = workflow(
		WEBHOOK_DT.id,
		'E2E webhook DingTalk → binary (last node)',
		[
			node(
				'Webhook',
				'n8n-nodes-base.webhook',
				2.1,
				{ httpMethod: 'POST', path: WEBHOOK_DT.path, responseMode: 'lastNode', responseData: 'firstEntryBinary', options: {} },
				{ webhookId: '0d7a5c1e-e2e0-4d00-8000-000000000001', col: 0, row: 0 },
			),
			node(
				'Download Message File',
				lib.NODE_TYPE,
				1,
				{ service: 'dingTalk', source: 'message', message: '={{ $json.body }}', options: {} },
				{ credentials: { dingTalkApi: CRED.DT }, col: 1, row: 0 },
			),
		],
		[['Webhook', 'Download Message File']],
	);
	const green = workflow(
		WEBHOOK_GREEN.id,
		'E2E webhook Green-API → Respond to Webhook (binary)',
		[
			node(
				'Webhook',
				'n8n-nodes-base.webhook',
				2.1,
				{ httpMethod: 'POST', path: WEBHOOK_GREEN.path, responseMode: 'responseNode', options: {} },
				{ webhookId: '0d7a5c1e-e2e0-4d00-8000-000000000002', col: 0, row: 0 },
			),
			node(
				'Download Message File',
				lib.NODE_TYPE,
				1,
				{ service: 'greenApi', source: 'message', message: '={{ $json.body }}', options: {} },
				{ credentials: { greenApi: CRED.GREEN }, col: 1, row: 0 },
			),
			node(
				'Respond with file',
				'n8n-nodes-base.respondToWebhook',
				1.5,
				{ respondWith: 'binary', inputDataFieldName: 'data', options: {} },
				{ col: 2, row: 0 },
			),
		],
		[
			['Webhook', 'Download Message File'],
			['Download Message File', 'Respond with file'],
		],
	);
	return { dt, green };
}

// ------------------------------------------------------------------ the examples, made runnable

const EXAMPLES = {
	dingTalkSave: { file: 'dingtalk-bot-save-file.json', id: 'exDingTalkSave01', path: 'dingtalk-bot' },
	pdfToText: { file: 'green-api-pdf-to-text.json', id: 'exGreenPdfText01', path: 'green-api-pdf' },
	voiceNote: { file: 'voice-note-download.json', id: 'exVoiceNote00001', path: 'voice-note' },
};
const EXAMPLE_FILES_DIR = '/home/node/.n8n-files/';

/**
 * An example as n8n will import it: a fixed id, and the Docker path of "Save to disk"
 * moved to `filesDir` (the e2e run allows file access there only).
 */
function exampleForImport(key, filesDir) {
	const ex = EXAMPLES[key];
	let text = JSON.stringify(lib.loadExample(ex.file));
	if (filesDir) text = text.split(EXAMPLE_FILES_DIR).join(filesDir.endsWith('/') ? filesDir : `${filesDir}/`);
	return { ...JSON.parse(text), id: ex.id, active: false };
}

module.exports = {
	DT_APP,
	DT_TOKEN_APP,
	WA,
	MAX,
	WA_CHAT,
	MAX_CHAT,
	CRED,
	standInConfig,
	directUrl,
	credentials,
	dingTalkMessage,
	dingTalkSignHeaders,
	greenWebhook,
	dingTalkCases,
	greenCases,
	tokenCases,
	WEBHOOK_DT,
	WEBHOOK_GREEN,
	webhookWorkflows,
	EXAMPLES,
	exampleForImport,
	availableGreenFiles,
};
