'use strict';
// The two triggers in queue mode: they run on the main (only there: one Stream connection,
// one long poll), their executions on the workers, and a worker killed in the middle of one
// loses no message and runs none twice.
//
// Each trigger's workflow: Trigger (files attached on the main) → Crypto hashing that file →
// Download Message File (the same message's file again, on the worker) → Crypto hashing it.
// Both acknowledge a message only once its execution finished (Green-API "Delete From
// Queue: When the Execution Finished", DingTalk "Acknowledge Message: When the Execution
// Finished"): a lost execution leaves the message with the messenger, which delivers it
// again (n8n 2.8 never re-runs a stalled job, maxStalledCount 0).

const crypto = require('node:crypto');
const lib = require('../e2e/lib');
const e2e = require('../e2e/setup');
const queueSetup = require('./setup');

/** The Green-API instance and DingTalk app only the triggers use: their queue and their Stream connection are the triggers' own. */
const GREEN = { idInstance: '1101000088', apiTokenInstance: 'queueTriggerToken0088', messenger: 'whatsapp' };
const GREEN_CHAT = '79008888888@c.us';
/** The instance of the Green-API Trigger in webhook mode (its webhook URL set, so its queue stays empty). */
const GREEN_HOOK = { idInstance: '1101000089', apiTokenInstance: 'queueTriggerHookToken0089', messenger: 'whatsapp' };
const GREEN_HOOK_TOKEN = 'queue-trigger-webhook-token-0089';
const DT = { appKey: 'dingqueuetrigger', appSecret: 'queue-trigger-secret-0001' };
const CRED = {
	GREEN: { id: 'msgFilesGreenTrig', name: 'Green-API trigger instance' },
	GREEN_HOOK: { id: 'msgFilesGreenHook', name: 'Green-API trigger instance (webhook)' },
	DT: { id: 'msgFilesDtTrigger', name: 'DingTalk trigger app' },
};
const WORKFLOWS = {
	green: { id: 'queueTriggerGreen', name: 'Queue Green-API Trigger', trigger: 'Green-API Trigger' },
	dingTalk: { id: 'queueTriggerDtalk', name: 'Queue DingTalk Trigger', trigger: 'DingTalk Trigger' },
	greenHook: { id: 'queueTriggerGrHook', name: 'Queue Green-API Trigger (webhook)', trigger: 'Green-API Trigger', webhookId: '0d7a5c1e-e2e0-4d00-8000-00000000q001' },
	dingTalkHook: { id: 'queueTriggerDtHook', name: 'Queue DingTalk Trigger (HTTP callback)', trigger: 'DingTalk Trigger', webhookId: '0d7a5c1e-e2e0-4d00-8000-00000000q002' },
};
/** The file a worker is killed over: 2 MB at 300 KB/s, ~7 s per download (on the main, then again on the worker). */
const SLOW = { size: 2 * 1024 * 1024, seed: 31, bytesPerSecond: 300 * 1024 };
/** DingTalk redelivers an unanswered message after ~60 s; the stand-in after this, so a lost execution comes back within the test. */
const ACK_DEADLINE_MS = 20_000;

/** The queue suite's file types (setup.js), stickers left to the webhook scenarios. */
const GREEN_FILES = queueSetup.GREEN_TYPES.filter((t) => t.typeMessage !== 'stickerMessage');
const DT_FILES = queueSetup.DT_TYPES;
/** The file message each webhook-mode trigger gets per round. */
const HOOK_FILE = GREEN_FILES.find((t) => t.typeMessage === 'documentMessage');
const greenId = (fixture, round) => `QT-${fixture}-${round}`;
const dtCode = (fixture) => `QT-DT-${fixture}`;

// ---------------------------------------------------------------- what the stand-in and n8n get

/** Adds the triggers' instance, app and files to the queue suite's stand-in config; `rounds` = binary-data modes run. */
function addToStandIn(config, rounds) {
	const body = (fixture) => ({ path: lib.fixturePath(fixture) });
	config.greenApi.instances.push(GREEN, GREEN_HOOK);
	for (let round = 0; round < rounds; round++) {
		for (const f of GREEN_FILES) config.greenApi.files.push({ idInstance: GREEN.idInstance, chatId: GREEN_CHAT, idMessage: greenId(f.fixture, round), body: body(f.fixture), linkExtension: f.ext });
		config.greenApi.files.push({ idInstance: GREEN_HOOK.idInstance, chatId: GREEN_CHAT, idMessage: greenId('hook', round), body: body(HOOK_FILE.fixture), linkExtension: HOOK_FILE.ext });
	}
	config.greenApi.files.push({ idInstance: GREEN.idInstance, chatId: GREEN_CHAT, idMessage: 'QT-SLOW', body: { size: SLOW.size, seed: SLOW.seed }, fault: { slowBytesPerSecond: SLOW.bytesPerSecond } });
	config.dingTalk.apps.push(DT);
	for (const f of DT_FILES) config.dingTalk.files.push({ downloadCode: dtCode(f.fixture), robotCode: DT.appKey, body: body(f.fixture) });
	config.dingTalk.files.push({ downloadCode: 'QT-DT-SLOW', robotCode: DT.appKey, body: { size: SLOW.size, seed: SLOW.seed }, fault: { slowBytesPerSecond: SLOW.bytesPerSecond } });
	return config;
}

function credentials(urls) {
	return [
		{
			...CRED.GREEN,
			type: 'greenApi',
			data: { apiUrl: urls.greenApiUrl, mediaUrl: urls.greenMediaUrl, idInstance: GREEN.idInstance, apiTokenInstance: GREEN.apiTokenInstance, messenger: GREEN.messenger },
		},
		{
			...CRED.GREEN_HOOK,
			type: 'greenApi',
			data: {
				apiUrl: urls.greenApiUrl,
				mediaUrl: urls.greenMediaUrl,
				idInstance: GREEN_HOOK.idInstance,
				apiTokenInstance: GREEN_HOOK.apiTokenInstance,
				messenger: GREEN_HOOK.messenger,
				webhookUrlToken: GREEN_HOOK_TOKEN,
			},
		},
		{ ...CRED.DT, type: 'dingTalkApi', data: { appType: 'internal', baseUrl: urls.dingTalkUrl, appKey: DT.appKey, appSecret: DT.appSecret, robotCode: DT.appKey } },
	];
}

function node(name, type, typeVersion, parameters, position, extra = {}) {
	return { id: crypto.randomUUID(), name, type, typeVersion, position, parameters, ...extra };
}

const hashNode = (name, property, field, x) =>
	node(name, 'n8n-nodes-base.crypto', 2, { action: 'hash', type: 'SHA256', binaryData: true, binaryPropertyName: property, dataPropertyName: field, encoding: 'hex' }, [x, 0]);

const TRIGGER_NODES = {
	green: { type: 'greenApiTrigger', parameters: { mode: 'polling', receiveTimeout: 5, downloadFiles: true, options: { deleteAfter: 'executionFinished' } }, credentials: { greenApi: CRED.GREEN } },
	dingTalk: { type: 'dingTalkTrigger', parameters: { mode: 'stream', downloadFiles: true, options: { acknowledge: 'executionFinished' } }, credentials: { dingTalkApi: CRED.DT } },
	greenHook: { type: 'greenApiTrigger', parameters: { mode: 'webhook', downloadFiles: true, options: {} }, credentials: { greenApi: CRED.GREEN_HOOK } },
	dingTalkHook: { type: 'dingTalkTrigger', parameters: { mode: 'httpCallback', downloadFiles: true, options: {} }, credentials: { dingTalkApi: CRED.DT } },
};

function triggerWorkflow(key) {
	const wf = WORKFLOWS[key];
	const t = TRIGGER_NODES[key];
	const triggerNode = node(wf.trigger, `${lib.PACKAGE_NAME}.${t.type}`, 1, t.parameters, [0, 0], { credentials: t.credentials, ...(wf.webhookId ? { webhookId: wf.webhookId } : {}) });
	const download = node(
		'Download Message File',
		lib.NODE_TYPE,
		1,
		{ service: t.type === 'greenApiTrigger' ? 'greenApi' : 'dingTalk', source: 'message', message: '={{ $json }}', options: { binaryPropertyName: 'workerFile' } },
		[440, 0],
		{ credentials: t.credentials },
	);
	const nodes = [triggerNode, hashNode("Hash the trigger's file", 'data', 'triggerSha', 220), download, hashNode("Hash the worker's file", 'workerFile', 'workerSha', 660)];
	// The triggers that acknowledge when the execution finished learn of it from n8n's main, which
	// waits on Bull's job.finished(). n8n removes finished jobs (removeOnComplete), and Bull then
	// never settles finished() for a job that ended before the main asked (OptimalBits/bull#1906,
	// #2504, "wontfix"): n8n's main never learns that execution ended, and the message stays
	// unacknowledged for the trigger's wait limit. A second's wait on the worker keeps these
	// executions out of that window, which a busy main (downloading the other messages' files)
	// otherwise hits about once in 3 runs; docs/scaling-out.md says what users see.
	if (t.parameters.options.acknowledge === 'executionFinished' || t.parameters.options.deleteAfter === 'executionFinished') {
		nodes.splice(2, 0, node('Wait a second', 'n8n-nodes-base.wait', 1.1, { amount: 1, unit: 'seconds' }, [330, 0], { webhookId: crypto.randomUUID() }));
	}
	const chain = nodes.map((n) => n.name);
	const connections = Object.fromEntries(chain.slice(0, -1).map((name, i) => [name, { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] }]));
	return { id: wf.id, name: wf.name, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

function workflows() {
	return Object.keys(WORKFLOWS).map((key) => triggerWorkflow(key));
}

// ---------------------------------------------------------------- talking to the stand-in

const control = lib.standInControl;
const gateway = lib.streamGateway;
const waitFor = lib.waitFor;

const greenQueue = async (urls) => await control(urls, `green-queue?idInstance=${GREEN.idInstance}`);

function greenNotification(idMessage, t) {
	// An empty downloadUrl: the trigger (main) and the node (worker) both resolve the file with downloadFile.
	return e2e.greenWebhook(GREEN, GREEN_CHAT, idMessage, t.typeMessage, { downloadUrl: '', fileName: `${idMessage}.${t.ext}`, mimeType: t.mimeType });
}

function dingTalkMessage(f, code) {
	return e2e.dingTalkMessage(f.msgtype, f.content(code), { robotCode: DT.appKey });
}

// ---------------------------------------------------------------- checks

/** What each node of a finished trigger execution saw: the message id and both hashes per item. */
async function executionSummary(stack, row, key) {
	const data = await stack.executionData(row.id);
	const runData = (data && data.resultData && data.resultData.runData) || {};
	const triggerItems = lib.nodeOutput(runData, WORKFLOWS[key].trigger) || [];
	const first = triggerItems[0] ? triggerItems[0].json : {};
	return {
		id: row.id,
		status: row.status,
		mode: row.mode,
		message: key.startsWith('green') ? first.idMessage : first.msgId,
		binaryIds: triggerItems.map((item) => item.binary && item.binary.data && item.binary.data.id).filter(Boolean),
		triggerShas: (lib.nodeOutput(runData, "Hash the trigger's file") || []).map((item) => item.json.triggerSha),
		workerShas: (lib.nodeOutput(runData, "Hash the worker's file") || []).map((item) => item.json.workerSha),
		workers: stack.workerOf(row.id),
		error: data && data.resultData && data.resultData.error ? data.resultData.error.message : undefined,
	};
}

function checkRun(summary, wantSha, binaryPrefix, problems, label, wantMode = 'trigger') {
	if (summary.status !== 'success') problems.push(`${label}: execution ${summary.id} is "${summary.status}" ${summary.error || ''}`);
	if (summary.mode !== wantMode) problems.push(`${label}: execution ${summary.id} has mode "${summary.mode}", want "${wantMode}"`);
	if (summary.workers.length !== 1) problems.push(`${label}: execution ${summary.id} started by ${JSON.stringify(summary.workers)}, want one worker`);
	if (summary.triggerShas[0] !== wantSha) problems.push(`${label}: the file the trigger attached hashes to ${summary.triggerShas[0]}`);
	if (summary.workerShas[0] !== wantSha) problems.push(`${label}: the file the worker downloaded hashes to ${summary.workerShas[0]}`);
	if (!summary.binaryIds.every((id) => id.startsWith(binaryPrefix))) problems.push(`${label}: binary ids ${JSON.stringify(summary.binaryIds)}, want ${binaryPrefix}…`);
}

const prefixOf = (mode) => (mode === 'database' ? 'database:' : 'filesystem-v2:');
const newRows = (rows, before) => rows.filter((r) => !before.includes(r.id));

/**
 * Workers never activate a trigger: no "Activated workflow" line for one and none of the
 * triggers' own log lines (they do list every active workflow at start-up).
 */
const TRIGGER_LINE = /Activated workflow "Queue (Green-API|DingTalk) Trigger"|Green-API Trigger \((WhatsApp|MAX|Telegram)\)|DingTalk Stream message|DingTalk Trigger:/;
function workerTriggerLines(stack) {
	return stack.workers.flatMap((w) => w.allOutput().split('\n').filter((l) => TRIGGER_LINE.test(l)));
}

function mainActivatedTriggers(stack) {
	const log = stack.main ? stack.main.output : '';
	return Object.values(WORKFLOWS).every((wf) => log.includes(`Activated workflow "${wf.name}"`));
}

// ---------------------------------------------------------------- scenarios

/** Every file type through each trigger: executions on the workers, files right on the main's side and on the worker's. */
async function filesScenario(stack, urls, mode, round) {
	const problems = [];
	// Green-API: the poll runs on the main only; one notification at a time.
	const greenBefore = (await stack.executions(WORKFLOWS.green.id)).map((r) => r.id);
	for (const t of GREEN_FILES) await control(urls, 'green-notify', { idInstance: GREEN.idInstance, body: greenNotification(greenId(t.fixture, round), t) });
	const polls = [];
	const greenRows = await waitFor(
		async () => {
			polls.push((await greenQueue(urls)).waitingPolls);
			const rows = newRows(await stack.executions(WORKFLOWS.green.id), greenBefore);
			return rows.length >= GREEN_FILES.length && rows.every((r) => !['new', 'running', 'waiting'].includes(r.status)) ? rows : undefined;
		},
		120_000,
		`${GREEN_FILES.length} Green-API trigger executions`,
	);
	for (const row of greenRows) {
		const s = await executionSummary(stack, row, 'green');
		const t = GREEN_FILES.find((f) => s.message === greenId(f.fixture, round));
		if (!t) problems.push(`Green-API: execution ${row.id} for an unexpected message ${s.message}`);
		else checkRun(s, lib.fixtureSha(t.fixture), prefixOf(mode), problems, `Green-API ${t.typeMessage}`);
	}
	if (greenRows.length !== GREEN_FILES.length) problems.push(`Green-API: ${greenRows.length} executions for ${GREEN_FILES.length} notifications`);
	// The delete follows the execution's end as the main learns it, a moment after PostgreSQL has it.
	const left = await waitFor(async () => {
		const queue = await greenQueue(urls);
		return queue.pending.length === 0 ? { pending: 0 } : undefined;
	}, 10_000, 'the Green-API queue to empty').catch(async () => await greenQueue(urls));
	if (left.pending.length) problems.push(`Green-API: ${left.pending.length} notifications left in the queue`);
	if (Math.max(...polls) > 1) problems.push(`Green-API: ${Math.max(...polls)} long polls open at once, want 1 (the main's)`);

	// DingTalk: one Stream connection (the main's); all four at once.
	const redeliveriesBefore = (await gateway(urls, 'stats')).redeliveries;
	const dtBefore = (await stack.executions(WORKFLOWS.dingTalk.id)).map((r) => r.id);
	const live = (await gateway(urls, 'stats')).liveByClient[DT.appKey] || 0;
	if (live !== 1) problems.push(`DingTalk: ${live} Stream connections for the app, want 1 (the main's)`);
	const messages = DT_FILES.map((f) => ({ f, message: dingTalkMessage(f, dtCode(f.fixture)) }));
	await gateway(urls, 'deliver', { messages: messages.map((m) => m.message), clientId: DT.appKey });
	const dtRows = await waitFor(
		async () => {
			const rows = newRows(await stack.executions(WORKFLOWS.dingTalk.id), dtBefore);
			return rows.length >= messages.length && rows.every((r) => !['new', 'running', 'waiting'].includes(r.status)) ? rows : undefined;
		},
		120_000,
		`${messages.length} DingTalk trigger executions`,
	);
	for (const row of dtRows) {
		const s = await executionSummary(stack, row, 'dingTalk');
		const m = messages.find((x) => x.message.msgId === s.message);
		if (!m) problems.push(`DingTalk: execution ${row.id} for an unexpected message ${s.message}`);
		else checkRun(s, lib.fixtureSha(m.f.fixture), prefixOf(mode), problems, `DingTalk ${m.f.msgtype}`);
	}
	if (dtRows.length !== messages.length) problems.push(`DingTalk: ${dtRows.length} executions for ${messages.length} messages`);
	// The main acknowledges once it learns each execution finished (through Redis), which can trail
	// the database row on a loaded machine; what is still unacknowledged after that is named.
	const stats = await waitFor(async () => {
		const s = await gateway(urls, 'stats');
		return s.unacked === 0 ? s : undefined;
	}, 30_000, 'every DingTalk message acknowledged').catch(async (error) => {
		const s = await gateway(urls, 'stats');
		const sent = new Set(messages.map((m) => m.message.msgId));
		const left = (s.unackedMessages || []).map((m) => `${m.msgId}${sent.has(m.msgId) ? '' : ' (not sent in this round)'}: ${m.deliveries} deliveries`);
		throw new Error(`${error.message}; unacknowledged: ${left.join(', ') || 'none listed'}`);
	});
	// Webhook modes: the main receives the call and runs the trigger's webhook (the file attached there).
	const hookRows = await webhookModes(stack, urls, mode, round, problems);
	const lines = workerTriggerLines(stack);
	if (lines.length) problems.push(`the workers logged trigger lines: ${lines.slice(0, 3).join(' | ')}`);
	if (!mainActivatedTriggers(stack)) problems.push('the main did not log the triggers\' activation');
	if (problems.length) throw new Error(problems.join('\n'));
	const perWorker = [...greenRows, ...dtRows, ...hookRows].reduce((acc, r) => {
		const w = stack.workerOf(r.id)[0];
		return { ...acc, [w]: (acc[w] || 0) + 1 };
	}, {});
	return `${greenRows.length} Green-API (polling) + ${dtRows.length} DingTalk (Stream) + 2 webhook-mode executions, each file right on the main (trigger) and on the worker; 1 long poll, 1 Stream connection, ${stats.redeliveries - redeliveriesBefore} redeliveries; per worker ${JSON.stringify(perWorker)}`;
}

/** One file message to each webhook-mode trigger: Green-API's call with its Bearer token, DingTalk's signed callback. */
async function webhookModes(stack, urls, mode, round, problems) {
	const before = {
		greenHook: (await stack.executions(WORKFLOWS.greenHook.id)).map((r) => r.id),
		dingTalkHook: (await stack.executions(WORKFLOWS.dingTalkHook.id)).map((r) => r.id),
	};
	// The main's URL changes with each start: point the instance at it (as the console's Webhook URL field does).
	const webhookUrl = `${stack.baseUrl}/webhook/${WORKFLOWS.greenHook.webhookId}/webhook`;
	await control(urls, 'green-settings', { idInstance: GREEN_HOOK.idInstance, settings: { webhookUrl, webhookUrlToken: GREEN_HOOK_TOKEN } });
	const idMessage = greenId('hook', round);
	const green = await control(urls, 'green-notify', { idInstance: GREEN_HOOK.idInstance, body: e2e.greenWebhook(GREEN_HOOK, GREEN_CHAT, idMessage, HOOK_FILE.typeMessage, { downloadUrl: '', fileName: `${idMessage}.${HOOK_FILE.ext}`, mimeType: HOOK_FILE.mimeType }) });
	if (!green.delivered || green.statuses[0] !== 200) problems.push(`Green-API webhook: ${JSON.stringify(green)}`);
	const dtFile = DT_FILES.find((t) => t.msgtype === 'file');
	const message = dingTalkMessage(dtFile, dtCode(dtFile.fixture));
	const res = await lib.postJson(`${stack.baseUrl}/webhook/${WORKFLOWS.dingTalkHook.webhookId}/dingtalk`, message, { headers: e2e.dingTalkSignHeaders(DT.appSecret), timeoutMs: 60_000 });
	if (res.status !== 200) problems.push(`DingTalk callback: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
	const rows = [];
	for (const [key, want] of [
		['greenHook', { message: idMessage, fixture: HOOK_FILE.fixture }],
		['dingTalkHook', { message: message.msgId, fixture: dtFile.fixture }],
	]) {
		const found = await waitFor(async () => {
			const r = newRows(await stack.executions(WORKFLOWS[key].id), before[key]);
			return r.length && r.every((x) => !['new', 'running', 'waiting'].includes(x.status)) ? r : undefined;
		}, 60_000, `the ${WORKFLOWS[key].name} execution`);
		if (found.length !== 1) problems.push(`${key}: ${found.length} executions for one call`);
		const summary = await executionSummary(stack, found[0], key);
		if (summary.message !== want.message) problems.push(`${key}: execution for ${summary.message}, want ${want.message}`);
		checkRun(summary, lib.fixtureSha(want.fixture), prefixOf(mode), problems, key, 'webhook');
		rows.push(...found);
	}
	return rows;
}

/**
 * Kills the worker running the execution of `sendMessage`'s message 2 s into its download and
 * restarts it: the message must come back (left unacknowledged), run once more and succeed.
 */
async function crashOne(stack, key, sendMessage, wantSha) {
	const wf = WORKFLOWS[key];
	const before = (await stack.executions(wf.id)).map((r) => r.id);
	await sendMessage();
	// The trigger downloads the slow file on the main first (~7 s), then the worker starts.
	const { executionId, victim } = await waitFor(
		async () => {
			for (const row of newRows(await stack.executions(wf.id), before)) {
				const names = stack.workerOf(row.id);
				if (names.length) return { executionId: row.id, victim: stack.workers.findIndex((w) => w.name === names[0]) };
			}
			return undefined;
		},
		60_000,
		'a worker to start the slow execution',
	);
	await lib.sleep(2000); // in the middle of the worker's ~7 s download
	await stack.killWorker(victim);
	const killedAt = Date.now();
	await stack.startWorker(victim);
	await waitFor(
		async () => {
			const found = newRows(await stack.executions(wf.id), before);
			return found.some((r) => r.id !== executionId && r.status === 'success') && found.every((r) => !['new', 'running', 'waiting'].includes(r.status)) ? found : undefined;
		},
		150_000,
		'the message to run again after the kill',
	);
	const rerunIn = (Date.now() - killedAt) / 1000;
	await lib.sleep(3000); // room for a wrong third execution
	const all = newRows(await stack.executions(wf.id), before);
	const summaries = [];
	for (const row of all) summaries.push(await executionSummary(stack, row, key));
	const killed = summaries.find((s) => s.id === executionId);
	const succeeded = summaries.filter((s) => s.status === 'success');
	const problems = [];
	if (all.length !== 2) problems.push(`${all.length} executions for one message (want the killed one and its rerun): ${JSON.stringify(summaries.map((s) => [s.id, s.status]))}`);
	if (succeeded.length !== 1) problems.push(`${succeeded.length} successful executions for one message`);
	if (killed && killed.status === 'success') problems.push(`the killed execution ${executionId} reports success`);
	const twice = summaries.filter((s) => s.workers.length > 1);
	if (twice.length) problems.push(`execution(s) started twice: ${JSON.stringify(twice.map((s) => [s.id, s.workers]))}`);
	for (const s of succeeded) checkRun(s, wantSha, '', problems, `${key} rerun`);
	return { problems, executionId, killedStatus: killed && killed.status, rerunIn, victim: stack.workers[victim].name };
}

async function crashScenario(stack, urls, slowSha) {
	const problems = [];
	// Green-API: the notification is deleted only after a finished execution.
	const green = await crashOne(stack, 'green', async () => await control(urls, 'green-notify', { idInstance: GREEN.idInstance, body: greenNotification('QT-SLOW', HOOK_FILE) }), slowSha);
	problems.push(...green.problems.map((p) => `Green-API: ${p}`));
	const queue = await greenQueue(urls);
	if (queue.deleted.length === 0) problems.push('Green-API: nothing was deleted from the queue');
	if (queue.pending.length) problems.push(`Green-API: ${queue.pending.length} notifications left in the queue`);
	const mainLog = stack.main ? stack.main.output : '';
	if (!/notification QT-SLOW: its execution was lost before it finished/.test(mainLog)) problems.push('Green-API: the main did not log why the notification is delivered again');

	// DingTalk: left unanswered, the gateway delivers it again after its ack deadline.
	await gateway(urls, 'options', { ackDeadlineMs: ACK_DEADLINE_MS });
	const before = await gateway(urls, 'stats');
	const message = dingTalkMessage({ msgtype: 'file', content: (c) => ({ downloadCode: c, fileName: 'slow.bin' }) }, 'QT-DT-SLOW');
	const dt = await crashOne(stack, 'dingTalk', async () => await gateway(urls, 'deliver', { messages: [message], clientId: DT.appKey }), slowSha);
	problems.push(...dt.problems.map((p) => `DingTalk: ${p}`));
	const after = await waitFor(async () => {
		const s = await gateway(urls, 'stats');
		return s.unacked === 0 ? s : undefined;
	}, 30_000, 'the DingTalk message acknowledged');
	if (!/message [^ ]+: its execution was lost before it finished/.test(stack.main ? stack.main.output : '')) problems.push('DingTalk: the main did not log why the message is left unanswered');
	const lines = workerTriggerLines(stack);
	if (lines.length) problems.push(`the workers logged trigger lines: ${lines.slice(0, 3).join(' | ')}`);
	if (problems.length) throw new Error(problems.join('\n'));
	return (
		`Green-API: ${green.victim} killed in execution ${green.executionId} ("${green.killedStatus}"), the notification ran again ${green.rerunIn.toFixed(0)} s later, then was deleted; ` +
		`DingTalk: ${dt.victim} killed in execution ${dt.executionId} ("${dt.killedStatus}"), redelivered and run again ${dt.rerunIn.toFixed(0)} s later, acknowledged (${after.redeliveries - before.redeliveries} redeliveries); one success each`
	);
}

module.exports = { SLOW, addToStandIn, credentials, workflows, filesScenario, crashScenario, gateway };
