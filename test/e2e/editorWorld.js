'use strict';
// What the editor test (editor.js) and the screenshots (screenshot.js) put into the stand-in
// and into n8n: credentials (good ones, and ones with a wrong secret), and one workflow per
// panel to look at. Messages and files are the e2e's (setup.js).

const crypto = require('node:crypto');
const lib = require('./lib');
const setup = require('./setup');

const TYPES = {
	download: lib.NODE_TYPE,
	dingTalkTrigger: `${lib.PACKAGE_NAME}.dingTalkTrigger`,
	greenApiTrigger: `${lib.PACKAGE_NAME}.greenApiTrigger`,
	feishuTrigger: `${lib.PACKAGE_NAME}.feishuTrigger`,
	sendMessage: `${lib.PACKAGE_NAME}.sendMessage`,
};

/** The package's nodes by the display name the node search must find, and a field their panel shows. */
const NODES = [
	{ displayName: 'Download Message File', type: TYPES.download, firstField: 'Source' },
	{ displayName: 'DingTalk Trigger', type: TYPES.dingTalkTrigger, firstField: 'Mode' },
	{ displayName: 'Green-API Trigger', type: TYPES.greenApiTrigger, firstField: 'Mode' },
	{ displayName: 'Feishu Trigger', type: TYPES.feishuTrigger, firstField: 'Mode' },
	{ displayName: 'Send Message', type: TYPES.sendMessage, firstField: 'Send To' },
];

/** A Green-API instance whose notification queue the polling trigger reads while it listens. */
const POLL = { idInstance: '1101000777', apiTokenInstance: 'editorPollToken0001', messenger: 'whatsapp' };
/** An instance whose phone is not linked (getStateInstance: notAuthorized). */
const UNLINKED = { idInstance: '1101000778', apiTokenInstance: 'editorUnlinkedToken01', messenger: 'whatsapp', state: 'notAuthorized' };
const WEBHOOK_TOKEN = 'editor-webhook-token-5e2a';
const WRONG_SECRET = 'editor-wrong-secret-must-not-show';
/** A Feishu custom app at the stand-in (App IDs are `cli_` + 16 hex digits), with what its webhook mode checks. */
const FEISHU_APP = { appId: 'cli_ed170f00d0000001', appSecret: 'editor-feishu-app-secret-01', scopes: ['im:message', 'im:resource'] };
const FEISHU_ENCRYPT_KEY = 'editor-feishu-encrypt-key-01';
const FEISHU_VERIFICATION_TOKEN = 'editor-feishu-verification-01';

const CRED = {
	DT: { id: 'edDingTalkGood01', name: 'DingTalk robot app' },
	DT_WRONG: { id: 'edDingTalkWrong1', name: 'DingTalk (wrong secret)' },
	GREEN: { id: 'edGreenApiGood01', name: 'Green-API WhatsApp' },
	GREEN_WRONG: { id: 'edGreenApiWrong1', name: 'Green-API (wrong token)' },
	GREEN_POLL: { id: 'edGreenApiPoll01', name: 'Green-API polling' },
	GREEN_UNLINKED: { id: 'edGreenApiUnlink', name: 'Green-API (phone not linked)' },
	FEISHU: { id: 'edFeishuAppGood1', name: 'Feishu bot app' },
};

function standInConfig() {
	const config = setup.standInConfig();
	config.greenApi.instances.push(POLL, UNLINKED);
	config.greenApi.files.push({ idInstance: POLL.idInstance, chatId: setup.WA_CHAT, idMessage: 'POLL-PDF', body: { path: lib.fixturePath('document.pdf') }, linkExtension: 'pdf' });
	config.feishu = { apps: [FEISHU_APP] };
	return config;
}

function credentials(urls) {
	const dt = (ref, appSecret) => ({
		...ref,
		type: 'dingTalkApi',
		data: { appType: 'internal', baseUrl: urls.dingTalkUrl, appKey: setup.DT_APP.appKey, appSecret, robotCode: setup.DT_APP.appKey },
	});
	const green = (ref, inst, extra = {}) => ({
		...ref,
		type: 'greenApi',
		data: { apiUrl: urls.greenApiUrl, mediaUrl: urls.greenMediaUrl, idInstance: inst.idInstance, apiTokenInstance: inst.apiTokenInstance, messenger: inst.messenger, ...extra },
	});
	return [
		dt(CRED.DT, setup.DT_APP.appSecret),
		dt(CRED.DT_WRONG, WRONG_SECRET),
		green(CRED.GREEN, setup.WA, { webhookUrlToken: WEBHOOK_TOKEN }),
		green(CRED.GREEN_WRONG, { ...setup.WA, apiTokenInstance: WRONG_SECRET }),
		green(CRED.GREEN_POLL, POLL),
		green(CRED.GREEN_UNLINKED, UNLINKED),
		{
			...CRED.FEISHU,
			type: 'feishuApi',
			data: { appId: FEISHU_APP.appId, appSecret: FEISHU_APP.appSecret, baseUrl: urls.feishuUrl, encryptKey: FEISHU_ENCRYPT_KEY, verificationToken: FEISHU_VERIFICATION_TOKEN },
		},
	];
}

// ------------------------------------------------------------------ workflows

const uuid = (n) => `5d0e2b1c-7a4f-4e0b-9a57-${String(n).padStart(12, '0')}`;

function node(n, name, type, position, parameters, extra = {}) {
	return { id: uuid(n), name, type, typeVersion: 1, position, parameters, ...extra };
}

function workflow(id, name, nodes, chain = [], pinData = {}) {
	const connections = {};
	for (let i = 0; i + 1 < chain.length; i++) connections[chain[i]] = { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] };
	return { id, name, active: false, nodes, connections, pinData, settings: { executionOrder: 'v1' } };
}

const dtCred = { dingTalkApi: CRED.DT };
const greenCred = { greenApi: CRED.GREEN };
const feishuCred = { feishuApi: CRED.FEISHU };

/** A Green-API document message as the trigger emits it (downloadFiles off: the next node downloads). */
function greenDocumentNotification(urls) {
	return setup.greenWebhook(setup.WA, setup.WA_CHAT, 'WA-PDF', 'documentMessage', {
		downloadUrl: setup.directUrl(urls, 'WA-PDF'),
		fileName: 'Invoice 42.pdf',
		mimeType: 'application/pdf',
	});
}

const WF = {
	// An empty workflow: the node search starts from its canvas.
	blank: { id: 'edBlankWorkflow1', node: undefined },
	dtStream: { id: 'edDtStream000001', node: uuid(11) },
	dtCallback: { id: 'edDtCallback0001', node: uuid(21) },
	greenWebhook: { id: 'edGreenWebhook01', node: uuid(31) },
	greenPolling: { id: 'edGreenPolling01', node: uuid(41) },
	// Green-API Trigger → Download Message File → Send Message (reply with the file); the trigger's
	// output pinned, so the editor can run it against the stand-in.
	loop: { id: 'edGreenLoop00001', trigger: uuid(51), download: uuid(52), send: uuid(53) },
	// DingTalk Trigger → Download Message File → Send Message (DingTalk reply).
	dtLoop: { id: 'edDtLoop00000001', send: uuid(63) },
	download: { id: 'edDownload000001', node: uuid(72) },
	// The loop above again, nothing pinned: the screenshot runs it with "Execute workflow" on a
	// notification the stand-in delivers to the trigger's test URL, as Green-API does (the
	// trigger points the instance there itself: setWebhookUrl).
	loopRun: { id: 'edGreenLoopRun01', trigger: uuid(81) },
	// Feishu Trigger → Send Message (a text reply), one workflow per mode.
	feishuLongConnection: { id: 'edFeishuLongConn', node: uuid(91) },
	feishuWebhook: { id: 'edFeishuWebhook1', node: uuid(101) },
};

/** Green-API Trigger → Download Message File → Send Message (reply with the file), the trigger node numbered `first`. */
function greenLoopNodes(first, webhookId, triggerParameters = {}) {
	return [
		node(first, 'Green-API Trigger', TYPES.greenApiTrigger, [0, 0], { mode: 'webhook', downloadFiles: false, ...triggerParameters, options: {} }, { credentials: greenCred, webhookId }),
		node(first + 1, 'Download Message File', TYPES.download, [280, 0], { service: 'greenApi', source: 'message', message: '={{ $json }}', options: {} }, { credentials: greenCred }),
		node(first + 2, 'Send Message', TYPES.sendMessage, [560, 0], { service: 'greenApi', recipient: 'message', message: "={{ $('Green-API Trigger').item.json }}", content: 'file', binaryPropertyName: 'data', text: 'Here is your file back', options: {} }, { credentials: greenCred }),
	];
}

/** Feishu Trigger in `mode` → Send Message answering by reply, the trigger node numbered `first`. */
function feishuReplyWorkflow(wf, name, first, mode, extra = {}) {
	return workflow(
		wf.id,
		name,
		[
			node(first, 'Feishu Trigger', TYPES.feishuTrigger, [0, 0], { mode, downloadFiles: true, options: {} }, { credentials: feishuCred, ...extra }),
			node(first + 1, 'Send Message', TYPES.sendMessage, [280, 0], { service: 'feishu', recipient: 'message', message: '={{ $json }}', content: 'text', text: '=Got your {{ $json.event.message.message_type }} message', options: {} }, { credentials: feishuCred }),
		],
		['Feishu Trigger', 'Send Message'],
	);
}

function workflows(urls) {
	const dtMessage = setup.dingTalkMessage('file', { downloadCode: 'DT-document.pdf', fileName: 'Quarterly report.pdf' });
	return [
		workflow(WF.blank.id, 'Editor test: node search', []),
		workflow(WF.dtStream.id, 'DingTalk robot (Stream)', [
			node(11, 'DingTalk Trigger', TYPES.dingTalkTrigger, [0, 0], { mode: 'stream', downloadFiles: true, options: {} }, { credentials: dtCred }),
		]),
		workflow(WF.dtCallback.id, 'DingTalk robot (HTTP callback)', [
			node(21, 'DingTalk Trigger', TYPES.dingTalkTrigger, [0, 0], { mode: 'httpCallback', downloadFiles: true, options: {} }, { credentials: dtCred, webhookId: '3b8f0c1e-1a2b-4c3d-8e9f-000000000021' }),
		]),
		workflow(WF.greenWebhook.id, 'WhatsApp via Green-API (webhook)', [
			node(31, 'Green-API Trigger', TYPES.greenApiTrigger, [0, 0], { mode: 'webhook', downloadFiles: true, options: {} }, { credentials: greenCred, webhookId: '3b8f0c1e-1a2b-4c3d-8e9f-000000000031' }),
		]),
		workflow(WF.greenPolling.id, 'WhatsApp via Green-API (polling)', [
			node(41, 'Green-API Trigger', TYPES.greenApiTrigger, [0, 0], { mode: 'polling', receiveTimeout: 5, downloadFiles: true, options: {} }, { credentials: { greenApi: CRED.GREEN_POLL } }),
		]),
		workflow(
			WF.loop.id,
			'WhatsApp: reply with the file people send',
			greenLoopNodes(51, '3b8f0c1e-1a2b-4c3d-8e9f-000000000051'),
			['Green-API Trigger', 'Download Message File', 'Send Message'],
			{ 'Green-API Trigger': [{ json: greenDocumentNotification(urls) }] },
		),
		workflow(WF.loopRun.id, 'WhatsApp: reply with the file people send', greenLoopNodes(81, '3b8f0c1e-1a2b-4c3d-8e9f-000000000081', { setWebhookUrl: true }), [
			'Green-API Trigger',
			'Download Message File',
			'Send Message',
		]),
		feishuReplyWorkflow(WF.feishuLongConnection, 'Feishu bot (long connection)', 91, 'longConnection'),
		feishuReplyWorkflow(WF.feishuWebhook, 'Feishu bot (webhook)', 101, 'webhook', { webhookId: '3b8f0c1e-1a2b-4c3d-8e9f-000000000101' }),
		workflow(
			WF.dtLoop.id,
			'DingTalk robot: reply to what people send',
			[
				node(61, 'DingTalk Trigger', TYPES.dingTalkTrigger, [0, 0], { mode: 'stream', downloadFiles: false, options: {} }, { credentials: dtCred }),
				node(62, 'Download Message File', TYPES.download, [280, 0], { service: 'dingTalk', source: 'message', message: '={{ $json }}', options: {} }, { credentials: dtCred }),
				node(63, 'Send Message', TYPES.sendMessage, [560, 0], { service: 'dingTalk', recipient: 'message', message: "={{ $('DingTalk Trigger').item.json }}", content: 'text', text: '=Got {{ $binary.data.fileName }}', options: {} }, { credentials: dtCred }),
			],
			['DingTalk Trigger', 'Download Message File', 'Send Message'],
			{ 'DingTalk Trigger': [{ json: dtMessage }] },
		),
		workflow(
			WF.download.id,
			'DingTalk robot: save the files people send',
			[
				node(71, 'DingTalk robot callback', 'n8n-nodes-base.webhook', [0, 0], { httpMethod: 'POST', path: 'dingtalk-robot', options: {} }, { typeVersion: 2, webhookId: '8f5b3c2a-1d4e-4f6a-9b7c-0e1d2c3b4a59' }),
				node(72, 'Download Message File', TYPES.download, [280, 0], { service: 'dingTalk', source: 'message', message: '={{ $json.body }}', options: { maxFileSize: 50, whenNoFile: 'drop' } }, { credentials: dtCred }),
			],
			['DingTalk robot callback', 'Download Message File'],
			{
				'DingTalk robot callback': [
					{
						json: {
							headers: { 'content-type': 'application/json; charset=utf-8', timestamp: String(dtMessage.createAt), sign: '…' },
							params: {},
							query: {},
							body: dtMessage,
							webhookUrl: 'https://n8n.example.com/webhook/dingtalk-robot',
							executionMode: 'production',
						},
					},
				],
			},
		),
	];
}

/** A robot message for the Stream gateway to push to the listening DingTalk Trigger. */
function streamMessage() {
	return setup.dingTalkMessage('file', { downloadCode: 'DT-document.pdf', fileName: 'Quarterly report.pdf' }, { msgId: `msg${crypto.randomBytes(8).toString('hex')}` });
}

/** A Green-API notification for the polling trigger's queue. */
/** The WhatsApp document message of the loop, as Green-API delivers it to the trigger's webhook. */
function loopNotification(urls) {
	return greenDocumentNotification(urls);
}

function pollNotification(urls) {
	const f = urls.greenFiles.find((g) => g.idMessage === 'POLL-PDF');
	return {
		...setup.greenWebhook(POLL, setup.WA_CHAT, 'POLL-PDF', 'documentMessage', { downloadUrl: f.directUrl, fileName: 'Invoice 42.pdf', mimeType: 'application/pdf' }),
	};
}

module.exports = { TYPES, NODES, POLL, CRED, WF, WRONG_SECRET, WEBHOOK_TOKEN, FEISHU_APP, standInConfig, credentials, workflows, streamMessage, pollNotification, loopNotification };
