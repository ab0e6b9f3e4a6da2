'use strict';
// Green-API Trigger against a REAL n8n (`n8n start`, workflows published with
// `n8n publish:workflow`), with its own stand-in and n8n user folder:
//   g  webhook mode: the stand-in delivers as Green-API does (Bearer webhookUrlToken):
//      good token → execution; missing / wrong token → 401, no execution
//   g  polling mode: every notification exactly once while the stand-in drops polls
//      and fails deletes (the failed ones come back and are de-duplicated)
//   g  polling mode: a file message of every type arrives with the right file
//   g  webhook mode without a Webhook Token: n8n's log warns at activation; another instance's body → 403
//   g  polling mode: n8n restarted while a slow file downloads → the notification runs once, then is deleted
// Called from run.js: `await require('./greenApiTrigger').run({ lib, scenario, assert, bin, work })`.

const fs = require('node:fs');
const path = require('node:path');

const TRIGGER_TYPE = 'n8n-nodes-message-files.greenApiTrigger';
const HOOK = { idInstance: '1101000901', apiTokenInstance: 'e2e-hook-token-0123', messenger: 'whatsapp' };
const POLL = { idInstance: '1101000902', apiTokenInstance: 'e2e-poll-token-0123', messenger: 'whatsapp' };
const WEBHOOK_TOKEN = 'e2e-webhook-secret-7c1d';
const WEBHOOK_ID = '0d7a5c1e-e2e0-4d00-8000-0000000000a1';
const CRED_HOOK = { id: 'e2eGreenTrigHook', name: 'Green-API trigger (webhook)' };
const CRED_POLL = { id: 'e2eGreenTrigPoll', name: 'Green-API trigger (polling)' };
const WF_HOOK = 'e2eGreenTrigHookWf';
const WF_POLL = 'e2eGreenTrigPollWf';
const WF_OPEN = 'e2eGreenTrigOpenWf';
const OPEN_WEBHOOK_ID = '0d7a5c1e-e2e0-4d00-8000-0000000000a2';
const CHAT = '79001234567@c.us';

/** One file message per Green-API message type that carries a file. */
const FILE_TYPES = [
	{ typeMessage: 'imageMessage', fixture: 'image.jpg', linkExtension: 'jpg', mimeType: 'image/jpeg' },
	{ typeMessage: 'videoMessage', fixture: 'video.mp4', linkExtension: 'mp4', mimeType: 'video/mp4' },
	{ typeMessage: 'documentMessage', fixture: 'document.pdf', linkExtension: 'pdf', mimeType: 'application/pdf', fileName: 'Quarterly report.pdf' },
	{ typeMessage: 'audioMessage', fixture: 'voice.ogg', linkExtension: 'oga', mimeType: 'audio/ogg; codecs=opus' },
	{ typeMessage: 'stickerMessage', fixture: 'image.webp', linkExtension: 'webp', mimeType: 'image/webp' },
];

function notification(instance, idMessage, messageData) {
	return {
		typeWebhook: 'incomingMessageReceived',
		instanceData: { idInstance: Number(instance.idInstance), wid: `${instance.idInstance}@c.us`, typeInstance: 'whatsapp' },
		timestamp: Math.floor(Date.now() / 1000),
		idMessage,
		senderData: { chatId: CHAT, sender: CHAT, chatName: 'E2E', senderName: 'E2E' },
		messageData,
	};
}

const textMessage = (instance, idMessage) => notification(instance, idMessage, { typeMessage: 'textMessage', textMessageData: { textMessage: `hello ${idMessage}` } });

function triggerWorkflow(id, name, parameters, cred, webhookId) {
	return {
		id,
		name,
		active: false,
		nodes: [
			{
				id: `${id}-node`,
				name: 'Green-API Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters,
				credentials: { greenApi: cred },
				...(webhookId ? { webhookId } : {}),
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

async function run({ lib, scenario, assert, bin, work }) {
	const dir = path.join(work, 'green-api-trigger');
	const userFolder = path.join(dir, 'user');
	fs.mkdirSync(userFolder, { recursive: true });
	const n8n = new lib.N8n(bin, userFolder);
	let standIn;
	try {
		const bundle = await lib.buildStandIn(dir);
		standIn = await lib.startStandIn(bundle, { greenApi: { instances: [HOOK, POLL] } }, dir);
		const urls = standIn.urls;
		const control = async (route, value) => await lib.standInControl(urls, route, value);
		await lib.installPackageInto(userFolder, dir);
		await n8n.init();
		const cred = (ref, instance, extra = {}) => ({
			...ref,
			type: 'greenApi',
			data: { apiUrl: urls.greenApiUrl, mediaUrl: urls.greenMediaUrl, idInstance: instance.idInstance, apiTokenInstance: instance.apiTokenInstance, messenger: instance.messenger, ...extra },
		});
		await n8n.importCredentials([cred(CRED_HOOK, HOOK, { webhookUrlToken: WEBHOOK_TOKEN }), cred(CRED_POLL, POLL)], path.join(dir, 'credentials.json'));
		await n8n.importWorkflows(
			[
				triggerWorkflow(WF_HOOK, 'E2E Green-API Trigger (webhook)', { mode: 'webhook', downloadFiles: true, options: {} }, CRED_HOOK, WEBHOOK_ID),
				triggerWorkflow(WF_POLL, 'E2E Green-API Trigger (polling)', { mode: 'polling', receiveTimeout: 5, downloadFiles: true, options: {} }, CRED_POLL),
				// The polling instance's credential has no Webhook Token: this webhook is open.
				triggerWorkflow(WF_OPEN, 'E2E Green-API Trigger (open webhook)', { mode: 'webhook', downloadFiles: false, options: {} }, CRED_POLL, OPEN_WEBHOOK_ID),
			],
			path.join(dir, 'workflows.json'),
		);
		await n8n.publish(WF_HOOK);
		await n8n.publish(WF_POLL);
		await n8n.publish(WF_OPEN);
		const started = await n8n.start({ binaryMode: 'filesystem', logFile: path.join(dir, 'n8n-start.log') });
		const webhookUrl = `${started.baseUrl}/webhook/${WEBHOOK_ID}/webhook`;
		await control('green-settings', { idInstance: HOOK.idInstance, settings: { webhookUrl, webhookUrlToken: WEBHOOK_TOKEN } });

		/** Executions of a workflow (oldest first) with their trigger items. */
		const triggerItems = async (workflowId, afterId = 0) => {
			const rows = (await n8n.executions(workflowId)).filter((r) => r.id > afterId).reverse();
			const out = [];
			for (const row of rows) {
				const data = await n8n.executionData(row.id);
				const items = data ? lib.nodeOutput(data.resultData.runData, 'Green-API Trigger') : undefined;
				out.push({ id: row.id, status: row.status, items: items || [] });
			}
			return out;
		};
		const waitForExecutions = async (workflowId, count, afterId = 0, timeoutMs = 90_000) => {
			const deadline = Date.now() + timeoutMs;
			let seen = [];
			while (Date.now() < deadline) {
				const rows = (await n8n.executions(workflowId)).filter((r) => r.id > afterId && !['new', 'running', 'waiting'].includes(r.status));
				if (rows.length >= count) break;
				await lib.sleep(250);
			}
			seen = await triggerItems(workflowId, afterId);
			return seen;
		};

		await scenario('g  Green-API Trigger webhook: good token → execution; missing / wrong token → 401, nothing started', async () => {
			const before = await n8n.lastExecutionId(WF_HOOK);
			const good = await control('green-notify', { idInstance: HOOK.idInstance, body: textMessage(HOOK, 'HOOK-GOOD') });
			assert(good.delivered && good.statuses[0] === 200, `good token: ${JSON.stringify(good)}`);
			const missing = await control('green-notify', { idInstance: HOOK.idInstance, body: textMessage(HOOK, 'HOOK-MISSING'), options: { authorization: null, maxAttempts: 1 } });
			const wrong = await control('green-notify', { idInstance: HOOK.idInstance, body: textMessage(HOOK, 'HOOK-WRONG'), options: { authorization: 'Bearer not-the-token', maxAttempts: 1 } });
			assert(missing.statuses[0] === 401, `missing token: ${JSON.stringify(missing)}`);
			assert(wrong.statuses[0] === 401, `wrong token: ${JSON.stringify(wrong)}`);
			// A duplicate of the good one (Green-API retries): answered, not started again.
			const dup = await control('green-notify', { idInstance: HOOK.idInstance, body: textMessage(HOOK, 'HOOK-GOOD') });
			assert(dup.statuses[0] === 200, `duplicate: ${JSON.stringify(dup)}`);
			const executions = await waitForExecutions(WF_HOOK, 1, before);
			await lib.sleep(1500);
			const all = await triggerItems(WF_HOOK, before);
			const ids = all.flatMap((e) => e.items.map((i) => i.json.idMessage));
			assert(JSON.stringify(ids) === JSON.stringify(['HOOK-GOOD']), `executions carried ${JSON.stringify(ids)}, want ["HOOK-GOOD"]`);
			assert(executions[0].status === 'success', `execution ${executions[0].status}`);
			// Latency: the stand-in's POST → the trigger node's task start in the stored execution.
			const latencies = [];
			for (let i = 1; i <= 5; i++) {
				const last = await n8n.lastExecutionId(WF_HOOK);
				const sentAt = Date.now();
				await control('green-notify', { idInstance: HOOK.idInstance, body: textMessage(HOOK, `HOOK-LAT-${i}`) });
				const execution = await n8n.waitForExecution(WF_HOOK, last);
				const task = execution.data && execution.data.resultData.runData['Green-API Trigger'];
				if (task && task[0]) latencies.push(task[0].startTime - sentAt);
			}
			latencies.sort((a, b) => a - b);
			return `200 / 401 / 401, duplicate ignored, 1 execution; POST → execution start ${latencies.join(', ')} ms`;
		});

		await scenario('g  Green-API Trigger polling: 30 notifications exactly once while polls drop and deletes fail', async () => {
			const before = await n8n.lastExecutionId(WF_POLL);
			await control('green-queue-faults', {
				idInstance: POLL.idInstance,
				receive: { every: 4, fault: 'drop' },
				// 3 failures in a row exhaust the trigger's delete attempts: that notification comes back.
				delete: { every: 10, times: 3, fault: 'status500' },
			});
			const count = 30;
			for (let i = 1; i <= count; i++) await control('green-notify', { idInstance: POLL.idInstance, body: textMessage(POLL, `POLL-${i}`) });
			const deadline = Date.now() + 120_000;
			let queue;
			while (Date.now() < deadline) {
				queue = await control(`green-queue?idInstance=${POLL.idInstance}`);
				if (queue.pending.length === 0) break;
				await lib.sleep(500);
			}
			assert(queue.pending.length === 0, `${queue.pending.length} notifications still queued`);
			const executions = await waitForExecutions(WF_POLL, count, before);
			await lib.sleep(2000);
			const all = await triggerItems(WF_POLL, before);
			const ids = all.flatMap((e) => e.items.map((i) => i.json.idMessage));
			const want = Array.from({ length: count }, (_, i) => `POLL-${i + 1}`);
			assert(JSON.stringify(ids) === JSON.stringify(want), `got ${ids.length} (${JSON.stringify(ids).slice(0, 300)})`);
			const stats = await lib.standInStats(urls);
			assert(stats.greenNotificationsServed > count, `no redelivery happened (${stats.greenNotificationsServed} served)`);
			assert(executions.every((e) => e.status === 'success'), 'an execution failed');
			return `${count} executions, each once; ${stats.greenNotificationsServed} notifications served, ${stats.faultsInjected} faults injected`;
		});

		await scenario('g  Green-API Trigger polling: a file message of every type arrives with the right file', async () => {
			await control('green-queue-faults', { idInstance: POLL.idInstance });
			const before = await n8n.lastExecutionId(WF_POLL);
			for (const [index, type] of FILE_TYPES.entries()) {
				const idMessage = `FILE-${index + 1}`;
				const { directUrl } = await control('green-add-file', {
					idInstance: POLL.idInstance,
					chatId: CHAT,
					idMessage,
					base64: fs.readFileSync(lib.fixturePath(type.fixture)).toString('base64'),
					linkExtension: type.linkExtension,
				});
				// The audio message comes with an empty link: the file comes through downloadFile.
				const downloadUrl = type.typeMessage === 'audioMessage' ? '' : directUrl;
				const fileMessageData = { downloadUrl, caption: '', fileName: type.fileName ?? `${idMessage}.${type.linkExtension}`, jpegThumbnail: '', mimeType: type.mimeType, isForwarded: false, forwardingScore: 0 };
				await control('green-notify', { idInstance: POLL.idInstance, body: notification(POLL, idMessage, { typeMessage: type.typeMessage, fileMessageData }) });
			}
			const executions = await waitForExecutions(WF_POLL, FILE_TYPES.length, before);
			const problems = [];
			const seen = [];
			for (const [index, type] of FILE_TYPES.entries()) {
				const execution = executions.find((e) => e.items[0] && e.items[0].json.idMessage === `FILE-${index + 1}`);
				if (!execution) {
					problems.push(`${type.typeMessage}: no execution`);
					continue;
				}
				const [item] = execution.items;
				const p = lib.checkBinary(n8n, item.binary && item.binary.data, { fixture: type.fixture, mode: 'filesystem', ...(type.fileName ? { fileName: type.fileName } : {}) });
				if (p.length) problems.push(`${type.typeMessage}: ${p.join('; ')}`);
				if (!item.json.messageFile || item.json.messageFile.messageType !== type.typeMessage) problems.push(`${type.typeMessage}: messageFile ${JSON.stringify(item.json.messageFile)}`);
				if (item.binary && item.binary.data) seen.push(`${type.typeMessage}→${item.binary.data.fileName}`);
			}
			assert(!problems.length, problems.join('\n'));
			return seen.join(', ');
		});

		await scenario('g  Green-API Trigger webhook without a Webhook Token: n8n\'s log warns at activation; another instance\'s body → 403', async () => {
			const logFile = path.join(dir, 'n8n-start.log');
			const readLog = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
			const line = await lib.waitFor(() => readLog().split('\n').find((l) => /webhook is open/.test(l) && l.includes('E2E Green-API Trigger (open webhook)')), 30_000, 'the open-webhook warning in the n8n log');
			const others = readLog().split('\n').filter((l) => /webhook is open/.test(l) && !l.includes('(open webhook)'));
			assert(others.length === 0, `a workflow with a Webhook Token was warned about: ${others[0]}`);
			assert(!readLog().includes(POLL.apiTokenInstance), 'the n8n log holds the API token');
			const url = `${started.baseUrl}/webhook/${OPEN_WEBHOOK_ID}/webhook`;
			const before = await n8n.lastExecutionId(WF_OPEN);
			const foreign = await lib.postJson(url, textMessage(HOOK, 'OPEN-FOREIGN'));
			const own = await lib.postJson(url, textMessage(POLL, 'OPEN-OWN'));
			assert(foreign.status === 403, `another instance's notification: HTTP ${foreign.status}, want 403`);
			assert(own.status === 200, `own instance: HTTP ${own.status}`);
			await n8n.waitForExecution(WF_OPEN, before);
			await lib.sleep(1000);
			const ids = (await triggerItems(WF_OPEN, before)).flatMap((e) => e.items.map((i) => i.json.idMessage));
			assert(JSON.stringify(ids) === '["OPEN-OWN"]', `executions carried ${JSON.stringify(ids)}`);
			return `log: "${line.trim().slice(0, 140)}…"; foreign instance 403, own 200 → 1 execution`;
		});

		// Last: it restarts n8n (a new port), as saving an active workflow re-activates it.
		await scenario('g  Green-API Trigger polling: n8n restarted while a slow file downloads → the notification runs once, then is deleted', async () => {
			await control('green-queue-faults', { idInstance: POLL.idInstance });
			const before = await n8n.lastExecutionId(WF_POLL);
			const idMessage = 'SLOW-RESTART';
			const { directUrl } = await control('green-add-file', {
				idInstance: POLL.idInstance,
				chatId: CHAT,
				idMessage,
				base64: Buffer.concat([fs.readFileSync(lib.fixturePath('image.png')), Buffer.alloc(400_000)]).toString('base64'),
				linkExtension: 'png',
				fault: { slowBytesPerSecond: 50_000 },
			});
			const mediaBefore = (await lib.standInStats(urls)).greenMediaGets;
			await control('green-notify', { idInstance: POLL.idInstance, body: notification(POLL, idMessage, { typeMessage: 'imageMessage', fileMessageData: { downloadUrl: directUrl, caption: '', fileName: 'slow.png', jpegThumbnail: '', mimeType: 'image/png', isForwarded: false, forwardingScore: 0 } }) });
			await lib.waitFor(async () => (await lib.standInStats(urls)).greenMediaGets > mediaBefore, 30_000, 'the slow download to start');
			await lib.sleep(1000);
			const stoppingAt = Date.now();
			await n8n.stop();
			const stopMs = Date.now() - stoppingAt;
			const afterStop = (await n8n.executions(WF_POLL)).filter((r) => r.id > before).length;
			const queued = (await control(`green-queue?idInstance=${POLL.idInstance}`)).pending.map((p) => p.body.idMessage);
			await n8n.start({ binaryMode: 'filesystem', logFile: path.join(dir, 'n8n-restart.log') });
			await waitForExecutions(WF_POLL, 1, before, 90_000);
			const deadline = Date.now() + 60_000;
			while (Date.now() < deadline && (await control(`green-queue?idInstance=${POLL.idInstance}`)).pending.length) await lib.sleep(500);
			await lib.sleep(3000);
			const all = await triggerItems(WF_POLL, before);
			const ids = all.flatMap((e) => e.items.map((i) => i.json.idMessage));
			assert(afterStop === 0, `${afterStop} execution(s) started by the closing activation`);
			assert(JSON.stringify(queued) === JSON.stringify([idMessage]), `queue after the stop: ${JSON.stringify(queued)}, want the notification still there`);
			assert(JSON.stringify(ids) === JSON.stringify([idMessage]), `executions carried ${JSON.stringify(ids)}, want it once`);
			const item = all[0].items[0];
			assert(item.binary && item.binary.data && item.binary.data.mimeType === 'image/png', `the file: ${JSON.stringify(item.binary && item.binary.data)}`);
			assert((await control(`green-queue?idInstance=${POLL.idInstance}`)).pending.length === 0, 'not deleted after the execution');
			return `n8n stopped in ${lib.fmtMs(stopMs)} mid-download, notification still queued; after the restart it ran once with its file, then was deleted`;
		});
	} finally {
		await n8n.stop().catch(() => {});
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
	}
}

module.exports = { run };
