'use strict';
// What the queue-mode suite puts into the stand-in and into n8n: every message type of
// both services, webhook workflows Webhook → Download Message File → Crypto (n8n's own
// node hashing the binary it receives, wherever the binary-data mode keeps it), the
// burst instance and the slow file for the crash scenario.

const crypto = require('node:crypto');
const lib = require('../e2e/lib');
const e2e = require('../e2e/setup');

/** A Green-API instance only the burst uses, so its rate limit window is its own. */
const BURST = { idInstance: '1101000077', apiTokenInstance: 'queueBurstToken0077', messenger: 'whatsapp' };
const BURST_CRED = { id: 'msgFilesGreenBurst', name: 'Green-API burst instance' };
const BURST_CHAT = '79007777777@c.us';
/** The slow file of the crash scenario: 3 MB at 300 KB/s, ~10 s per download. */
const SLOW = { idMessage: 'WA-SLOW', size: 3 * 1024 * 1024, seed: 14, bytesPerSecond: 300 * 1024 };

const DT_TYPES = [
	{ msgtype: 'picture', fixture: 'image.png', content: (c) => ({ downloadCode: c, pictureDownloadCode: `${c}-p` }) },
	{ msgtype: 'file', fixture: 'document.pdf', content: (c) => ({ downloadCode: c, fileName: 'Quarterly report.pdf' }) },
	{ msgtype: 'audio', fixture: 'voice.amr', content: (c) => ({ downloadCode: c, duration: 3000, recognition: '你好' }) },
	{ msgtype: 'video', fixture: 'video.mp4', content: (c) => ({ downloadCode: c, videoType: 'mp4', duration: 5 }) },
];
/** richText: two pictures in one message → two files. */
const DT_RICH = ['image.jpg', 'image.png'];

const GREEN_TYPES = [
	{ typeMessage: 'imageMessage', fixture: 'image.jpg', ext: 'jpg', mimeType: 'image/jpeg' },
	{ typeMessage: 'videoMessage', fixture: 'video.mp4', ext: 'mp4', mimeType: 'video/mp4' },
	{ typeMessage: 'documentMessage', fixture: 'document.pdf', ext: 'pdf', mimeType: 'application/pdf', fileName: 'invoice.pdf' },
	{ typeMessage: 'audioMessage', fixture: 'voice.ogg', ext: 'oga', mimeType: 'audio/ogg; codecs=opus' },
	{ typeMessage: 'stickerMessage', fixture: 'image.webp', ext: 'webp', mimeType: 'image/webp' },
];

/*
 * The webhooks answer at once ("Respond: Immediately") and the suite reads the results from
 * the stored executions: n8n 2.8.4's main, in queue mode, now and then never answers a
 * webhook that waits for the last node although the worker finished the execution (seen
 * 2 times in about 1,000 calls). Only the crash scenario needs the sender to see the
 * failure, so only `whatsappWait` waits.
 */
const WEBHOOKS = {
	dingTalk: { id: 'queueWebhookDt001', path: 'queue-dingtalk', cred: () => ({ dingTalkApi: e2e.CRED.DT }), service: 'dingTalk', respond: 'onReceived' },
	dtToken: { id: 'queueWebhookTok01', path: 'queue-dingtalk-token', cred: () => ({ dingTalkApi: e2e.CRED.DT_TOKEN }), service: 'dingTalk', respond: 'onReceived' },
	whatsapp: { id: 'queueWebhookWa001', path: 'queue-whatsapp', cred: () => ({ greenApi: e2e.CRED.GREEN }), service: 'greenApi', respond: 'onReceived' },
	max: { id: 'queueWebhookMax01', path: 'queue-max', cred: () => ({ greenApi: e2e.CRED.GREEN_MAX }), service: 'greenApi', respond: 'onReceived' },
	burst: { id: 'queueWebhookBur01', path: 'queue-burst', cred: () => ({ greenApi: BURST_CRED }), service: 'greenApi', respond: 'onReceived' },
	whatsappWait: { id: 'queueWebhookWaW01', path: 'queue-whatsapp-wait', cred: () => ({ greenApi: e2e.CRED.GREEN }), service: 'greenApi' },
	/** Large files (bench/queue.js): answered at once, the download alone measured. */
	big: { id: 'queueWebhookBig01', path: 'queue-big', cred: () => ({ greenApi: BURST_CRED }), service: 'greenApi', respond: 'onReceived', hash: false },
};

function dtCode(fixture, tag = '') {
	return `Q-DT-${fixture}${tag}`;
}

/** Stand-in config: the e2e identities plus every message type's file and the burst instance. */
function standInConfig({ burst = 0, bigFiles = [] } = {}) {
	const base = e2e.standInConfig();
	const body = (fixture) => ({ path: lib.fixturePath(fixture) });
	const dtFixtures = [...new Set([...DT_TYPES.map((t) => t.fixture), ...DT_RICH])];
	for (const fixture of dtFixtures) {
		base.dingTalk.files.push({ downloadCode: dtCode(fixture), robotCode: e2e.DT_APP.appKey, body: body(fixture) });
	}
	base.dingTalk.files.push({ downloadCode: dtCode('image.png', '-token'), robotCode: e2e.DT_TOKEN_APP.appKey, body: body('image.png') });
	for (const inst of [e2e.WA, e2e.MAX]) {
		for (const t of GREEN_TYPES) {
			base.greenApi.files.push({
				idInstance: inst.idInstance,
				chatId: chatOf(inst),
				idMessage: greenId(inst, t),
				body: body(t.fixture),
				...(inst.messenger === 'whatsapp' ? { linkExtension: t.ext } : {}),
			});
		}
	}
	base.greenApi.files.push({
		idInstance: e2e.WA.idInstance,
		chatId: e2e.WA_CHAT,
		idMessage: SLOW.idMessage,
		body: { size: SLOW.size, seed: SLOW.seed },
		fault: { slowBytesPerSecond: SLOW.bytesPerSecond },
	});
	base.greenApi.instances.push(BURST);
	for (let i = 0; i < burst; i++) {
		base.greenApi.files.push({ idInstance: BURST.idInstance, chatId: BURST_CHAT, idMessage: `BURST-${i}`, body: body('image.png'), linkExtension: 'png' });
	}
	for (const big of bigFiles) {
		base.greenApi.files.push({ idInstance: BURST.idInstance, chatId: BURST_CHAT, idMessage: big.idMessage, body: { size: big.size, seed: big.seed } });
	}
	base.options = { rateLimitPerSecond: 5 };
	return base;
}

function chatOf(inst) {
	return inst.messenger === 'max' ? e2e.MAX_CHAT : e2e.WA_CHAT;
}

function greenId(inst, t) {
	return `Q-${inst.messenger === 'max' ? 'MAX' : 'WA'}-${t.typeMessage}`;
}

function credentials(urls) {
	const creds = e2e.credentials(urls);
	creds.push({
		...BURST_CRED,
		type: 'greenApi',
		data: { apiUrl: urls.greenApiUrl, mediaUrl: urls.greenMediaUrl, ...BURST },
	});
	return creds;
}

// ---------------------------------------------------------------- workflows

function node(name, type, typeVersion, parameters, position, extra = {}) {
	return { id: crypto.randomUUID(), name, type, typeVersion, position, parameters, ...extra };
}

/**
 * Webhook → Download Message File → Crypto (SHA-256 of the binary, read back through
 * n8n's binary-data service). The webhook answers with every item of the last node.
 */
function webhookWorkflow(key) {
	const w = WEBHOOKS[key];
	const respond = w.respond ?? 'lastNode';
	const webhookParams =
		respond === 'lastNode'
			? { httpMethod: 'POST', path: w.path, responseMode: 'lastNode', responseData: 'allEntries', options: {} }
			: { httpMethod: 'POST', path: w.path, responseMode: 'onReceived', options: {} };
	const nodes = [
		node('Webhook', 'n8n-nodes-base.webhook', 2.1, webhookParams, [0, 0], { webhookId: crypto.randomUUID() }),
		node('Download Message File', lib.NODE_TYPE, 1, { service: w.service, source: 'message', message: '={{ $json.body }}', options: {} }, [220, 0], {
			credentials: w.cred(),
		}),
		node(
			'Hash the file',
			'n8n-nodes-base.crypto',
			2,
			{ action: 'hash', type: 'SHA256', binaryData: true, binaryPropertyName: 'data', dataPropertyName: 'sha256', encoding: 'hex' },
			[440, 0],
		),
	];
	const connections = {
		Webhook: { main: [[{ node: 'Download Message File', type: 'main', index: 0 }]] },
		'Download Message File': { main: [[{ node: 'Hash the file', type: 'main', index: 0 }]] },
	};
	if (w.hash === false) {
		nodes.pop();
		delete connections['Download Message File'];
	}
	return { id: w.id, name: `Queue ${key}`, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

// ---------------------------------------------------------------- messages and what they must give

/** [{ name, path, body, files: [fixture…] }] — one webhook call per message type. */
function messageCases(urls) {
	const cases = [];
	for (const t of DT_TYPES) {
		cases.push({
			name: `DingTalk ${t.msgtype}`,
			path: WEBHOOKS.dingTalk.path,
			body: e2e.dingTalkMessage(t.msgtype, t.content(dtCode(t.fixture))),
			files: [t.fixture],
		});
	}
	cases.push({
		name: 'DingTalk richText (2 pictures)',
		path: WEBHOOKS.dingTalk.path,
		body: e2e.dingTalkMessage('richText', {
			richText: [
				{ text: 'two pictures' },
				...DT_RICH.map((f) => ({ type: 'picture', downloadCode: dtCode(f), pictureDownloadCode: `${dtCode(f)}-p` })),
			],
		}),
		files: DT_RICH,
	});
	for (const inst of [e2e.WA, e2e.MAX]) {
		GREEN_TYPES.forEach((t, index) => {
			const idMessage = greenId(inst, t);
			const direct = urls.greenFiles.find((g) => g.idMessage === idMessage && g.idInstance === inst.idInstance);
			// Half of them carry the link (fetched directly), half an empty one (resolved by downloadFile).
			const downloadUrl = index % 2 === 0 && direct ? direct.directUrl : '';
			cases.push({
				name: `${inst.messenger === 'max' ? 'MAX' : 'WhatsApp'} ${t.typeMessage}${downloadUrl ? '' : ' (downloadFile)'}`,
				path: inst.messenger === 'max' ? WEBHOOKS.max.path : WEBHOOKS.whatsapp.path,
				body: e2e.greenWebhook(inst, chatOf(inst), idMessage, t.typeMessage, {
					downloadUrl,
					fileName: t.fileName ?? `${idMessage}.${t.ext}`,
					mimeType: t.mimeType,
				}),
				files: [t.fixture],
			});
		});
	}
	return cases;
}

function burstMessage(i) {
	return e2e.greenWebhook(BURST, BURST_CHAT, `BURST-${i}`, 'imageMessage', { downloadUrl: '', fileName: `BURST-${i}.png`, mimeType: 'image/png' });
}

function slowMessage() {
	return e2e.greenWebhook(e2e.WA, e2e.WA_CHAT, SLOW.idMessage, 'documentMessage', { downloadUrl: '', fileName: 'slow.bin', mimeType: 'application/octet-stream' });
}

function bigMessage(idMessage) {
	return e2e.greenWebhook(BURST, BURST_CHAT, idMessage, 'documentMessage', { downloadUrl: '', fileName: `${idMessage}.bin`, mimeType: 'application/octet-stream' });
}

module.exports = {
	DT_TYPES,
	GREEN_TYPES,
	BURST,
	SLOW,
	WEBHOOKS,
	standInConfig,
	credentials,
	webhookWorkflow,
	messageCases,
	burstMessage,
	slowMessage,
	bigMessage,
	dtCode,
};
