'use strict';
// Feishu / Lark against a REAL n8n (`n8n start`, workflows published), with its own stand-in
// (Open API, long-connection gateway, callbacks built by test/standin/feishuEvents.ts) and its
// own n8n user folder; one n8n start for every workflow:
//   f  webhook: the url_verification challenge answered (encrypted); an encrypted, signed image and
//      file message → Feishu Trigger → Send Message replies with the file, byte-identical at the
//      stand-in, as an image / a file message; the same request re-posted and a redelivery (new
//      event_id, same message_id) start nothing; a wrong signature is refused and starts nothing
//   f  webhook: text replies — a one-to-one message answered by reply, a group message sent to its
//      oc_ chat (receive_id_type chat_id)
//   f  long connection: the gateway pushes a voice message → Feishu Trigger (no download) →
//      Download Message File (message mode) → Send Message: the Ogg Opus back as an audio message;
//      a redelivered event runs once
//   f  examples/feishu-trigger-file-reply.json: a spreadsheet named without extension comes back as
//      `….xlsx` with a caption saying its type and size; a text message gets the hint
// Called from run.js: `await require('./feishu').run({ lib, scenario, assert, bin, work })`.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { nodeMaker, workflowOf } = require('./lib');

const PACKAGE = 'n8n-nodes-message-files';
/** App ids are `cli_` + 16 hex digits (the long connection refuses others). */
const HOOK_APP = { appId: 'cli_e2e0f00d00000001', appSecret: 'e2e-feishu-hook-secret-01' };
const LC_APP = { appId: 'cli_e2e0f00d00000002', appSecret: 'e2e-feishu-lc-secret-002' };
const EX_APP = { appId: 'cli_e2e0f00d00000003', appSecret: 'e2e-feishu-example-secret' };
const ENCRYPT_KEY = 'e2e-feishu-encrypt-key-0001';
const VERIFICATION_TOKEN = 'e2e-feishu-verification-tok';
const CRED = {
	hook: { id: 'e2eFeishuHook001', name: 'Feishu (webhook e2e)' },
	lc: { id: 'e2eFeishuLong001', name: 'Feishu (long connection e2e)' },
	example: { id: 'e2eFeishuExampl1', name: 'Feishu (example e2e)' },
};
const WF = {
	hook: { id: 'e2eFeishuWebhook', name: 'E2E Feishu: webhook round trip' },
	lc: { id: 'e2eFeishuLongCon', name: 'E2E Feishu: long connection round trip' },
};
const EXAMPLE = { file: 'feishu-trigger-file-reply.json', id: 'exFeishuFileBack' };
const HOOK_WEBHOOK_ID = '0d7a5c1e-e2e0-4f00-8000-0000000000f1';
const P2P_CHAT = 'oc_e2e0000000000000000000000000p2p';
const GROUP_CHAT = 'oc_e2e00000000000000000000000group';
const SENDER = { openId: 'ou_e2e000000000000000000000000send' };

const id = (prefix) => `${prefix}${crypto.randomBytes(12).toString('hex')}`;
/** The messages and their files, registered at the stand-in before n8n starts. */
const MSG = {
	image: { messageId: id('om_'), key: id('img_v3_'), fixture: 'image.png', type: 'image' },
	file: { messageId: id('om_'), key: id('file_v3_'), fixture: 'document.pdf', type: 'file', fileName: 'Quarterly report.pdf' },
	forged: { messageId: id('om_'), key: id('file_v3_'), fixture: 'document.pdf', type: 'file', fileName: 'forged.pdf' },
	p2pText: { messageId: id('om_') },
	groupText: { messageId: id('om_') },
	voice: { messageId: id('om_'), key: id('file_v3_'), fixture: 'voice.ogg', type: 'file' },
	exSheet: { messageId: id('om_'), key: id('file_v3_'), fixture: 'spreadsheet.xlsx', type: 'file', fileName: 'figures' },
	exText: { messageId: id('om_') },
};

const node = nodeMaker();
const workflow = workflowOf;

function condition(leftValue, operation, rightValue, type = 'string') {
	return node(`If ${node.count()}`, 'n8n-nodes-base.if', 2, {
		conditions: {
			options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 2 },
			conditions: [{ id: crypto.randomUUID(), leftValue, rightValue, operator: { type, operation, ...(rightValue === undefined ? { singleValue: true } : {}) } }],
			combinator: 'and',
		},
		options: {},
	});
}

const send = (name, parameters, credential) =>
	node(name, `${PACKAGE}.sendMessage`, 1, { service: 'feishu', options: {}, ...parameters }, { credentials: { feishuApi: credential } });
const trigger = (mode, downloadFiles, credential, extra = {}) =>
	node('Feishu Trigger', `${PACKAGE}.feishuTrigger`, 1, { mode, downloadFiles, options: {} }, { credentials: { feishuApi: credential }, ...extra });

/** Webhook: a file goes back as a reply; a text is answered by reply (one-to-one) or to its group's oc_ chat. */
function webhookLoop() {
	const hasFile = { ...condition('={{ $json.messageFile?.mimeType }}', 'exists'), name: 'Has a file?' };
	const isGroup = { ...condition('={{ $json.event.message.chat_type }}', 'equals', 'group'), name: 'In a group?' };
	const said = "={{ 'You said: ' + JSON.parse($('Feishu Trigger').item.json.event.message.content).text }}";
	return workflow(
		WF.hook,
		[
			trigger('webhook', true, CRED.hook, { webhookId: HOOK_WEBHOOK_ID }),
			hasFile,
			send('Send the file back', { recipient: 'message', message: '={{ $json }}', content: 'file', binaryPropertyName: 'data' }, CRED.hook),
			isGroup,
			send('Reply to the text', { recipient: 'message', message: "={{ $('Feishu Trigger').item.json }}", content: 'text', text: said }, CRED.hook),
			send('Post in the group', { recipient: 'chat', chatId: '={{ $json.event.message.chat_id }}', content: 'text', text: said }, CRED.hook),
		],
		[
			['Feishu Trigger', 'Has a file?'],
			['Has a file?', 'Send the file back', 0],
			['Has a file?', 'In a group?', 1],
			['In a group?', 'Post in the group', 0],
			['In a group?', 'Reply to the text', 1],
		],
	);
}

/** Long connection: the trigger attaches nothing; Download Message File fetches the message's file; Send Message replies with it. */
function longConnectionLoop() {
	return workflow(
		WF.lc,
		[
			trigger('longConnection', false, CRED.lc),
			node('Download Message File', `${PACKAGE}.downloadMessageFile`, 1, { service: 'feishu', source: 'message', message: '={{ $json }}', options: {} }, { credentials: { feishuApi: CRED.lc } }),
			send('Send the file back', { recipient: 'message', message: "={{ $('Feishu Trigger').item.json }}", content: 'file', binaryPropertyName: 'data' }, CRED.lc),
		],
		[
			['Feishu Trigger', 'Download Message File'],
			['Download Message File', 'Send the file back'],
		],
	);
}

/** The example as a user imports it, its credential the example app's. */
function exampleWorkflow(lib) {
	const wf = lib.loadExample(EXAMPLE.file);
	for (const n of wf.nodes) if (n.credentials && n.credentials.feishuApi) n.credentials.feishuApi = CRED.example;
	return { ...wf, id: EXAMPLE.id, active: false };
}

function standInConfig(lib) {
	const file = (m, chatId) => ({
		messageId: m.messageId,
		fileKey: m.key,
		type: m.type,
		chatId,
		...(m.fileName ? { fileName: m.fileName } : {}),
		body: { path: lib.fixturePath(m.fixture) },
	});
	return {
		feishu: {
			apps: [HOOK_APP, LC_APP, EX_APP],
			users: [{ openId: SENDER.openId }],
			chats: [{ chatId: P2P_CHAT }, { chatId: GROUP_CHAT }],
			messages: [
				{ messageId: MSG.p2pText.messageId, chatId: P2P_CHAT },
				{ messageId: MSG.groupText.messageId, chatId: GROUP_CHAT },
				{ messageId: MSG.exText.messageId, chatId: P2P_CHAT },
			],
			files: [file(MSG.image, P2P_CHAT), file(MSG.file, GROUP_CHAT), file(MSG.forged, P2P_CHAT), file(MSG.voice, P2P_CHAT), file(MSG.exSheet, P2P_CHAT)],
		},
		// Fast enough for a test: a missed acknowledgement is redelivered after 2 s (Feishu: 15 s).
		feishuGateway: { redeliverAfterMs: 2000 },
	};
}

/** The event input (feishuEvents.ts MessageEventInput) for one of MSG. */
function eventInput(appId, m, messageType, content, chatType = 'p2p', chatId = P2P_CHAT) {
	return { appId, token: VERIFICATION_TOKEN, messageId: m.messageId, chatId, chatType, sender: SENDER, messageType, content };
}

async function run({ lib, scenario, assert, bin, work }) {
	const dir = path.join(work, 'feishu');
	const userFolder = path.join(dir, 'user');
	fs.mkdirSync(userFolder, { recursive: true });
	const n8n = new lib.N8n(bin, userFolder);
	let standIn;
	try {
		const bundle = await lib.buildStandIn(dir);
		standIn = await lib.startStandIn(bundle, standInConfig(lib), dir);
		const urls = standIn.urls;
		/** A route on the Feishu listener (`/__standin/feishu-*`): GET without a body, else POST it. */
		const feishu = async (route, body) => {
			const url = `${urls.feishuUrl}/__standin/${route}`;
			const res = body === undefined ? await lib.httpRequest(url, { timeoutMs: 30_000 }) : await lib.postJson(url, body, { timeoutMs: 30_000 });
			const text = res.body.toString('utf8');
			if (res.status !== 200) throw new Error(`stand-in ${route}: HTTP ${res.status} ${text.slice(0, 300)}`);
			return JSON.parse(text);
		};
		const sent = async () => await lib.standInControl(urls, 'feishu-sent');
		await lib.installPackageInto(userFolder, dir);
		await n8n.init();
		const credential = (c, app, extra = {}) => ({ ...c, type: 'feishuApi', data: { appId: app.appId, appSecret: app.appSecret, baseUrl: urls.feishuUrl, encryptKey: '', verificationToken: '', ...extra } });
		await n8n.importCredentials(
			[
				credential(CRED.hook, HOOK_APP, { encryptKey: ENCRYPT_KEY, verificationToken: VERIFICATION_TOKEN }),
				credential(CRED.lc, LC_APP),
				credential(CRED.example, EX_APP),
			],
			path.join(dir, 'credentials.json'),
		);
		await n8n.importWorkflows([webhookLoop(), longConnectionLoop(), exampleWorkflow(lib)], path.join(dir, 'workflows.json'));
		for (const wf of [WF.hook, WF.lc, EXAMPLE]) await n8n.publish(wf.id);
		const { node: nodeVersion } = await lib.n8nVersions(n8n.bin);
		const started = await n8n.start({
			binaryMode: 'filesystem',
			// Node 20 (n8n 2.8) has its WebSocket client behind a flag; Node 22+ needs none.
			env: Number(nodeVersion.split('.')[0]) < 22 ? { NODE_OPTIONS: '--experimental-websocket' } : {},
			logFile: path.join(dir, 'n8n-start.log'),
		});
		/** n8n 2.8 logs a failed activation and carries on: its problem lines make a 404 or a missing connection readable. */
		const logHint = () => {
			const file = path.join(dir, 'n8n-start.log');
			const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => /error|problem|could not|failed/i.test(l)) : [];
			return lines.length ? `\nn8n log:\n${lines.slice(-6).join('\n')}` : '';
		};
		const notActive = (started.publication ?? []).filter((r) => r.status !== 'completed');
		if (notActive.length) throw new Error(`n8n start could not activate: ${JSON.stringify(notActive)}`);
		const hookUrl = `${started.baseUrl}/webhook/${HOOK_WEBHOOK_ID}/feishu`;
		const signed = { encryptKey: ENCRYPT_KEY, timeoutMs: 15_000 };
		const callback = async (body) => await feishu('feishu-callback', { url: hookUrl, ...body });
		/** Finished executions of a workflow after `afterId`, oldest first. */
		const finishedAfter = async (workflowId, afterId) =>
			(await n8n.executions(workflowId)).filter((r) => r.id > afterId && !['new', 'running', 'waiting'].includes(r.status)).sort((a, b) => a.id - b.id);
		const allAfter = async (workflowId, afterId) => (await n8n.executions(workflowId)).filter((r) => r.id > afterId);
		/** The reply (api reply) to a message, with its upload (bytes' sha256) when it carries a file. */
		const replyTo = (state, messageId) => state.sent.filter((m) => m.replyTo === messageId);
		const uploadOf = (state, m) => state.uploads.find((u) => u.key === (m.content.image_key ?? m.content.file_key));
		const checkFileReply = (state, m, msgType) => {
			const replies = replyTo(state, m.messageId);
			assert(replies.length === 1, `${replies.length} replies to the ${m.fixture} message, want 1: ${JSON.stringify(replies.map((r) => r.msgType))}`);
			const [reply] = replies;
			assert(reply.api === 'reply' && reply.msgType === msgType, `${m.fixture} came back as ${reply.api} ${reply.msgType}, want reply ${msgType}`);
			const upload = uploadOf(state, reply);
			assert(upload, `no upload for ${JSON.stringify(reply.content)}`);
			assert(upload.sha256 === lib.fixtureSha(m.fixture), `the uploaded ${m.fixture} differs (${upload.size} bytes)`);
			return { reply, upload };
		};
		const SECRETS = [HOOK_APP.appSecret, LC_APP.appSecret, EX_APP.appSecret, ENCRYPT_KEY, VERIFICATION_TOKEN];
		/** Neither the executions' data nor n8n's log holds a secret. */
		const noSecretIn = async (workflowId, afterId) => {
			for (const row of await allAfter(workflowId, afterId)) {
				const text = JSON.stringify((await n8n.executionData(row.id)) ?? {});
				for (const secret of SECRETS) assert(!text.includes(secret), `execution ${row.id} holds a secret (${secret.slice(0, 8)}…)`);
			}
			const log = fs.readFileSync(path.join(dir, 'n8n-start.log'), 'utf8');
			for (const secret of SECRETS) assert(!log.includes(secret), `the n8n log holds a secret (${secret.slice(0, 8)}…)`);
		};
		const hookStart = await n8n.lastExecutionId(WF.hook.id);

		await scenario('f  Feishu webhook: the url_verification challenge answered (encrypted), starting nothing', async () => {
			const before = await n8n.lastExecutionId(WF.hook.id);
			const r = await callback({ challenge: 'e2e-challenge-7f3a', verificationToken: VERIFICATION_TOKEN, ...signed });
			assert(r.status === 200, `HTTP ${r.status}: ${r.body.slice(0, 200)}${logHint()}`);
			assert(JSON.parse(r.body).challenge === 'e2e-challenge-7f3a', `answer ${r.body}`);
			// Feishu gives up on the Request URL after 1 s.
			assert(r.elapsedMs < 1000, `answered after ${Math.round(r.elapsedMs)} ms, Feishu waits 1 s`);
			await lib.sleep(500);
			assert((await allAfter(WF.hook.id, before)).length === 0, 'the challenge started an execution');
			return `{"challenge":…} in ${Math.round(r.elapsedMs)} ms`;
		});

		await scenario('f  Feishu webhook → Send Message: an image and a file message back byte-identical, as image / file; replays and redeliveries run once; a wrong signature refused', async () => {
			const before = await n8n.lastExecutionId(WF.hook.id);
			const image = await callback({ event: eventInput(HOOK_APP.appId, MSG.image, 'image', { image_key: MSG.image.key }), ...signed });
			assert(image.status === 200, `image message: HTTP ${image.status} ${image.body}`);
			const file = await callback({ event: eventInput(HOOK_APP.appId, MSG.file, 'file', { file_key: MSG.file.key, file_name: MSG.file.fileName }, 'group', GROUP_CHAT), ...signed });
			assert(file.status === 200, `file message: HTTP ${file.status} ${file.body}`);
			// Feishu re-sends: the very same request, and a new delivery (new event_id) of the same message.
			const replay = await callback({ request: image.request, timeoutMs: 15_000 });
			const redelivery = await callback({ event: eventInput(HOOK_APP.appId, MSG.file, 'file', { file_key: MSG.file.key, file_name: MSG.file.fileName }, 'group', GROUP_CHAT), ...signed });
			assert([200, 401, 403].includes(replay.status), `replayed request: HTTP ${replay.status} ${replay.body}`);
			assert(redelivery.status === 200, `redelivery: HTTP ${redelivery.status} ${redelivery.body}`);
			// Feishu re-sends what is not answered within 3 s: the answer comes before the download.
			for (const [what, r] of Object.entries({ image, file, redelivery })) assert(r.elapsedMs < 3000, `${what} answered after ${Math.round(r.elapsedMs)} ms, Feishu waits 3 s`);
			// A request whose signature does not match its body.
			const forged = await feishu('feishu-event', eventInput(HOOK_APP.appId, MSG.forged, 'file', { file_key: MSG.forged.key, file_name: MSG.forged.fileName }));
			const { request: template } = await feishu('feishu-callback', { envelope: forged, ...signed });
			assert(template, 'no request built for the forged message');
			const wrong = await callback({
				request: { headers: { ...template.headers, 'x-lark-signature': crypto.createHash('sha256').update('not the signature').digest('hex') }, body: template.body },
				timeoutMs: 15_000,
			});
			assert([401, 403].includes(wrong.status), `wrong signature: HTTP ${wrong.status} ${wrong.body}, want 401 or 403`);

			const rows = await lib.waitFor(async () => {
				const found = await finishedAfter(WF.hook.id, before);
				return found.length >= 2 ? found : undefined;
			}, 90_000, 'two executions');
			await lib.sleep(3000); // time for a duplicate to show up, were one started
			const all = await allAfter(WF.hook.id, before);
			assert(all.length === 2, `${all.length} executions for 2 messages (1 replay, 1 redelivery, 1 forged), want 2`);
			assert(rows.every((r) => r.status === 'success'), `executions ${JSON.stringify(rows.map((r) => r.status))}`);
			const state = await sent();
			const back = [checkFileReply(state, MSG.image, 'image'), checkFileReply(state, MSG.file, 'file')];
			assert(back[1].upload.fields.file_type === 'pdf' && back[1].upload.fields.file_name === MSG.file.fileName, `file upload fields ${JSON.stringify(back[1].upload.fields)}`);
			assert(replyTo(state, MSG.forged.messageId).length === 0, 'the forged message got a reply');
			return `${back.map(({ reply, upload }) => `${reply.msgType} ${upload.partFileName || upload.fields.file_name || ''} ${upload.size} B`).join(', ')} (sha256 equal); replay HTTP ${replay.status}, wrong signature HTTP ${wrong.status}; answered in ${Math.round(image.elapsedMs)} / ${Math.round(file.elapsedMs)} ms`;
		});

		await scenario('f  Feishu webhook: text replies — a one-to-one message by reply, a group message to its oc_ chat (chat_id)', async () => {
			const before = await n8n.lastExecutionId(WF.hook.id);
			const p2p = await callback({ event: eventInput(HOOK_APP.appId, MSG.p2pText, 'text', { text: 'hello bot' }), ...signed });
			const group = await callback({ event: eventInput(HOOK_APP.appId, MSG.groupText, 'text', { text: '@_user_1 hello group' }, 'group', GROUP_CHAT), ...signed });
			assert(p2p.status === 200 && group.status === 200, `HTTP ${p2p.status} / ${group.status}`);
			const rows = await lib.waitFor(async () => {
				const found = await finishedAfter(WF.hook.id, before);
				return found.length >= 2 ? found : undefined;
			}, 60_000, 'two executions');
			assert(rows.every((r) => r.status === 'success'), `executions ${JSON.stringify(rows.map((r) => r.status))}`);
			const state = await sent();
			const [reply] = replyTo(state, MSG.p2pText.messageId);
			assert(reply && reply.api === 'reply' && reply.msgType === 'text' && reply.content.text === 'You said: hello bot' && reply.chatId === P2P_CHAT, `one-to-one: ${JSON.stringify(reply)}`);
			const posted = state.sent.filter((m) => m.api === 'create' && m.chatId === GROUP_CHAT);
			assert(posted.length === 1, `${posted.length} messages created in the group`);
			const [inGroup] = posted;
			assert(inGroup.receiveIdType === 'chat_id' && inGroup.receiveId === GROUP_CHAT && inGroup.msgType === 'text' && inGroup.content.text === 'You said: @_user_1 hello group', `group: ${JSON.stringify(inGroup)}`);
			await noSecretIn(WF.hook.id, hookStart);
			return `reply to ${MSG.p2pText.messageId.slice(0, 10)}…; create receive_id_type=chat_id ${GROUP_CHAT}; no secret in any execution or the log`;
		});

		const connected = async (appId) => (await feishu('feishu-ws/stats')).connections.filter((c) => c.open && c.appId === appId).length;
		const waitConnected = async (appId, what) => {
			try {
				await lib.waitFor(async () => (await connected(appId)) === 1, 60_000, what);
			} catch (error) {
				throw new Error(`${error.message}${logHint()}`);
			}
		};

		await scenario('f  Feishu long connection → Download Message File → Send Message: a voice note back as audio, byte-identical; a redelivered event runs once', async () => {
			await waitConnected(LC_APP.appId, 'the Feishu Trigger to connect');
			const before = await n8n.lastExecutionId(WF.lc.id);
			const voice = eventInput(LC_APP.appId, MSG.voice, 'audio', { file_key: MSG.voice.key, duration: 2000 });
			const t0 = Date.now();
			await feishu('feishu-ws/push', { appId: LC_APP.appId, envelope: await feishu('feishu-event', voice) });
			const [row] = await lib.waitFor(async () => {
				const found = await finishedAfter(WF.lc.id, before);
				return found.length ? found : undefined;
			}, 60_000, 'the execution');
			const ms = Date.now() - t0;
			// Feishu delivers the same message again under a new event (and frame).
			await feishu('feishu-ws/push', { appId: LC_APP.appId, envelope: await feishu('feishu-event', voice) });
			await lib.sleep(4000);
			const stats = await feishu('feishu-ws/stats');
			assert(stats.unacked.length === 0, `${stats.unacked.length} events not acknowledged`);
			const all = await allAfter(WF.lc.id, before);
			assert(all.length === 1, `${all.length} executions for one message delivered twice, want 1`);
			assert(row.status === 'success', `execution ${row.status}`);
			const data = await n8n.executionData(row.id);
			const downloaded = lib.nodeOutput(data.resultData.runData, 'Download Message File');
			assert(downloaded && downloaded.length === 1, `Download Message File gave ${downloaded ? downloaded.length : 'no'} items`);
			const p = lib.checkBinary(n8n, downloaded[0].binary && downloaded[0].binary.data, { fixture: 'voice.ogg', mode: 'filesystem' });
			assert(!p.length, p.join('; '));
			const state = await sent();
			const { upload } = checkFileReply(state, MSG.voice, 'audio');
			assert(upload.fields.file_type === 'opus' && Number(upload.fields.duration) > 0, `audio upload fields ${JSON.stringify(upload.fields)}`);
			await noSecretIn(WF.lc.id, before);
			return `audio, file_type opus, duration ${upload.fields.duration} ms, ${upload.size} B (sha256 equal); push → finished execution ${lib.fmtMs(ms)}; ${stats.acks.length} acks`;
		});

		await scenario('f  example feishu-trigger-file-reply.json: a spreadsheet named "figures" back as figures.xlsx with its type and size; a text gets the hint', async () => {
			await waitConnected(EX_APP.appId, 'the example to connect');
			const before = await n8n.lastExecutionId(EXAMPLE.id);
			const sheet = eventInput(EX_APP.appId, MSG.exSheet, 'file', { file_key: MSG.exSheet.key, file_name: MSG.exSheet.fileName });
			const text = eventInput(EX_APP.appId, MSG.exText, 'text', { text: 'what can you do?' });
			for (const e of [sheet, text]) await feishu('feishu-ws/push', { appId: EX_APP.appId, envelope: await feishu('feishu-event', e) });
			const rows = await lib.waitFor(async () => {
				const found = await finishedAfter(EXAMPLE.id, before);
				return found.length >= 2 ? found : undefined;
			}, 60_000, 'two executions of the example');
			assert(rows.every((r) => r.status === 'success'), `executions ${JSON.stringify(rows.map((r) => r.status))}`);
			const state = await sent();
			const replies = replyTo(state, MSG.exSheet.messageId);
			const fileReply = replies.find((m) => m.msgType === 'file');
			assert(fileReply, `no file reply: ${JSON.stringify(replies)}`);
			const upload = uploadOf(state, fileReply);
			assert(upload && upload.sha256 === lib.fixtureSha('spreadsheet.xlsx'), 'the spreadsheet came back changed');
			assert(upload.fields.file_name === 'figures.xlsx' && upload.fields.file_type === 'xls', `upload fields ${JSON.stringify(upload.fields)}`);
			const caption = replies.find((m) => m.msgType === 'text');
			assert(caption && /spreadsheet|Excel|xlsx/i.test(caption.content.text) && /KB|kB|bytes/.test(caption.content.text), `caption ${JSON.stringify(caption && caption.content)}`);
			const [hint] = replyTo(state, MSG.exText.messageId);
			assert(hint && hint.msgType === 'text' && /Send me a file/i.test(hint.content.text), `hint ${JSON.stringify(hint)}`);
			return `${upload.fields.file_name} (${upload.size} B, sha256 equal), caption “${caption.content.text}”`;
		});
	} finally {
		await n8n.stop().catch(() => {});
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
	}
}

module.exports = { run };
