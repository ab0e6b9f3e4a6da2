#!/usr/bin/env node
'use strict';
// DingTalk Trigger against a REAL n8n 2.8.4 (`n8n start`, workflows published), the
// stand-in DingTalk API/OSS and the stand-in Stream gateway (a real WebSocket server):
//
//   t  Stream mode: robot messages of every type arrive as executions with the right files
//   t  Stream mode: the socket killed mid-stream → reconnect, nothing lost, nothing twice
//   t  HTTP callback: good, wrong, missing and stale signatures
//   t  HTTP callback: a replayed request runs nothing; a captured signature with another message → 403
//   t  Stream mode: n8n restarted while a slow file downloads → closed at once, the message runs once
//   t  examples/dingtalk-trigger-voice-to-reply.json: PDF → text and voice note → Send Message replies (robot batchSend)
//
// From run.js (one line): await require('./dingTalkTrigger').run({ n8n, urls, work, scenario, assert });
// Alone: node test/e2e/dingTalkTrigger.js [--keep] [--verbose]
//
// n8n 2.8 runs on Node 20, whose WebSocket client is behind --experimental-websocket:
// there `n8n start` gets NODE_OPTIONS=--experimental-websocket, as the README tells users.
// n8n 2.10+ runs on Node 22+ (2.41 on Node 24), where WebSocket is always there: n8n starts
// with no flag, so Stream mode passing there proves the package needs none.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');
const setup = require('./setup');

const TRIGGER_TYPE = `${lib.PACKAGE_NAME}.dingTalkTrigger`;
const STREAM_WF = { id: 'e2eDtTriggerStrm', name: 'E2E DingTalk Trigger (Stream)' };
const CALLBACK_WF = { id: 'e2eDtTriggerHttp', name: 'E2E DingTalk Trigger (HTTP callback)' };
const CALLBACK_WEBHOOK_ID = '0d7a5c1e-e2e0-4d00-8000-0000000000d1';
const EXAMPLE = { file: 'dingtalk-trigger-voice-to-reply.json', id: 'exDtTriggerReply' };
const WRONG_WF = { id: 'e2eDtTriggerBad0', name: 'E2E DingTalk Trigger (wrong secret)' };
const WRONG_CRED = { id: 'msgFilesDtWrong0', name: 'DingTalk wrong secret' };
const WRONG_SECRET = 'e2e-wrong-secret-must-not-leak';

/** The example as a user imports it, on its own DingTalk app so its connection does not share the test workflow's messages. */
function exampleWorkflow() {
	const wf = lib.loadExample(EXAMPLE.file);
	for (const node of wf.nodes) if (node.credentials && node.credentials.dingTalkApi) node.credentials.dingTalkApi = setup.CRED.DT_TOKEN;
	return { ...wf, id: EXAMPLE.id, active: false };
}

function triggerWorkflow(wf, mode, webhookId, credential = setup.CRED.DT) {
	return {
		id: wf.id,
		name: wf.name,
		active: false,
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'DingTalk Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: { mode, downloadFiles: true, options: {} },
				credentials: { dingTalkApi: credential },
				...(webhookId ? { webhookId } : {}),
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

const gateway = lib.streamGateway;
const waitFor = lib.waitFor;
const controlUrl = lib.streamControlUrl;

/** Finished executions of a workflow after `afterId`, with their data, oldest first. */
async function executionsAfter(n8n, workflowId, afterId) {
	const rows = (await n8n.executions(workflowId)).filter((r) => r.id > afterId && !['new', 'running', 'waiting'].includes(r.status));
	rows.sort((a, b) => a.id - b.id);
	return rows;
}

async function triggerItems(n8n, row) {
	const data = await n8n.executionData(row.id);
	return lib.nodeOutput(data.resultData.runData, 'DingTalk Trigger') || [];
}

/** The scenarios; n8n must be stopped, the credentials imported, the stand-in running. */
async function run({ n8n, urls, work, scenario, assert }) {
	const { DT_APP } = setup;
	assert(setup.DT_TOKEN_APP, 'setup.DT_TOKEN_APP is missing');
	await n8n.importCredentials(
		[{ ...WRONG_CRED, type: 'dingTalkApi', data: { appType: 'internal', baseUrl: urls.dingTalkUrl, appKey: DT_APP.appKey, appSecret: WRONG_SECRET } }],
		path.join(work, 'trigger-credentials.json'),
	);
	await n8n.importWorkflows(
		[
			triggerWorkflow(STREAM_WF, 'stream'),
			triggerWorkflow(CALLBACK_WF, 'httpCallback', CALLBACK_WEBHOOK_ID),
			exampleWorkflow(),
			triggerWorkflow(WRONG_WF, 'stream', undefined, WRONG_CRED),
		],
		path.join(work, 'trigger-workflows.json'),
	);
	await n8n.publish(WRONG_WF.id);
	await n8n.publish(STREAM_WF.id);
	await n8n.publish(CALLBACK_WF.id);
	await n8n.publish(EXAMPLE.id);
	const live = async (clientId) => ((await gateway(urls, 'stats')).liveByClient || {})[clientId] || 0;
	const deliver = async (messages, clientId = DT_APP.appKey) => await gateway(urls, 'deliver', { messages, clientId });
	await gateway(urls, 'reset', {});
	await gateway(urls, 'options', { ackDeadlineMs: 3000 });
	const { node } = await lib.n8nVersions(n8n.bin);
	const needsFlag = Number(node.split('.')[0]) < 22;
	const started = await n8n.start({
		binaryMode: 'filesystem',
		env: needsFlag ? { NODE_OPTIONS: '--experimental-websocket' } : {},
		logFile: path.join(work, 'n8n-trigger.log'),
	});
	lib.debug(`n8n start for the trigger on Node ${node}${needsFlag ? ' with --experimental-websocket' : ', no flag'}: ${lib.fmtMs(started.ms)}`);
	try {
		await scenario('t  DingTalk Trigger (Stream): a wrong secret fails activation with DingTalk\'s reason, secret not logged', async () => {
			const logFile = path.join(work, 'n8n-trigger.log');
			const readLog = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
			let where;
			if (started.publication) {
				// n8n 2.41: its publication service records each workflow's activation, failures with
				// their reason (what the editor shows); the log gives the reason without naming the workflow.
				const row = started.publication.find((r) => r.workflowId === WRONG_WF.id);
				assert(row && row.status === 'failed', `publication of the wrong-secret workflow: ${JSON.stringify(row)}, want status failed`);
				assert(/App Key or App Secret/.test(row.errorMessage || ''), `the activation error does not give DingTalk's reason: ${row.errorMessage}`);
				assert(!String(row.errorMessage).includes(WRONG_SECRET), 'the activation error holds the wrong secret');
				assert(started.publication.filter((r) => r.workflowId !== WRONG_WF.id).every((r) => r.status === 'completed'), `other workflows: ${JSON.stringify(started.publication)}`);
				await waitFor(() => /App Key or App Secret/.test(readLog()), 30_000, "DingTalk's reason in the n8n log");
				where = `workflow_publication_outbox: failed, "${row.errorMessage.slice(0, 120)}"`;
			} else {
				// n8n ≤ 2.40 activates before it is ready and logs the failure naming the workflow.
				const line = await waitFor(() => readLog().split('\n').find((l) => l.includes(WRONG_WF.id) || (l.includes(WRONG_WF.name) && /activat/i.test(l) && /error|problem|fail/i.test(l))), 30_000, 'the activation error in the n8n log');
				assert(/App Key or App Secret/.test(readLog()), `the log does not give DingTalk's reason: ${line}`);
				where = readLog().split('\n').find((l) => /App Key or App Secret/.test(l)).trim().slice(0, 160);
			}
			assert(!readLog().includes(WRONG_SECRET), 'the n8n log holds the wrong secret');
			return where;
		});

		await scenario('t  DingTalk Trigger (Stream): every message type → one execution each, files attached', async () => {
			await waitFor(async () => (await live(DT_APP.appKey)) === 1, 30_000, 'the trigger to connect');
			const last = await n8n.lastExecutionId(STREAM_WF.id);
			const cases = [
				{ message: setup.dingTalkMessage('text', undefined, { text: { content: 'hello' } }), files: [] },
				{ message: setup.dingTalkMessage('picture', { downloadCode: 'DT-image.png', pictureDownloadCode: 'DT-image.png' }), files: ['image.png'] },
				{ message: setup.dingTalkMessage('file', { downloadCode: 'DT-document.pdf', fileName: 'Quarterly report.pdf' }), files: [{ fixture: 'document.pdf', fileName: 'Quarterly report.pdf' }] },
				{ message: setup.dingTalkMessage('audio', { downloadCode: 'DT-voice.amr', duration: 3000, recognition: '你好' }), files: ['voice.amr'] },
				{ message: setup.dingTalkMessage('video', { downloadCode: 'DT-video.mp4', duration: '5', videoType: 'mp4' }), files: ['video.mp4'] },
				{
					message: setup.dingTalkMessage('richText', { richText: [{ text: 'two pictures' }, { type: 'picture', downloadCode: 'DT-image.jpg' }, { type: 'picture', downloadCode: 'DT-image.png' }] }),
					files: ['image.jpg', 'image.png'],
				},
			].filter((c) => c.files.every((f) => lib.fixtureExists(typeof f === 'string' ? f : f.fixture)));
			await deliver(cases.map((c) => c.message));
			const rows = await waitFor(async () => {
				const found = await executionsAfter(n8n, STREAM_WF.id, last);
				return found.length >= cases.length ? found : undefined;
			}, 60_000, `${cases.length} executions`);
			assert(rows.length === cases.length, `${rows.length} executions, want ${cases.length}`);
			const problems = [];
			let files = 0;
			const seen = new Map();
			for (const row of rows) {
				if (row.status !== 'success') problems.push(`execution ${row.id}: ${row.status}`);
				const items = await triggerItems(n8n, row);
				seen.set(items[0] && items[0].json.msgId, items);
			}
			for (const c of cases) {
				const items = seen.get(c.message.msgId);
				if (!items) {
					problems.push(`${c.message.msgtype}: no execution`);
					continue;
				}
				if (items.length !== Math.max(1, c.files.length)) problems.push(`${c.message.msgtype}: ${items.length} items`);
				const { messageFile, ...json } = items[0].json;
				if (JSON.stringify(json) !== JSON.stringify(c.message)) problems.push(`${c.message.msgtype}: output JSON is not the message as sent`);
				c.files.forEach((f, i) => {
					const expect = typeof f === 'string' ? { fixture: f } : f;
					const p = lib.checkBinary(n8n, items[i] && items[i].binary && items[i].binary.data, { ...expect, mode: 'filesystem' });
					if (p.length) problems.push(`${c.message.msgtype} [${i}] ${expect.fixture}: ${p.join('; ')}`);
					else files++;
				});
				if (!c.files.length && items[0].binary) problems.push(`${c.message.msgtype}: unexpected binary`);
			}
			const stats = await gateway(urls, 'stats');
			if (stats.unacked !== 0) problems.push(`${stats.unacked} messages not acknowledged`);
			if (problems.length) throw new Error(problems.join('\n'));
			return `${rows.length} executions, ${files} files checked, ${Object.keys(stats.acks).length} acks`;
		});

		await scenario('t  DingTalk Trigger (Stream): socket killed mid-stream → reconnect, nothing lost, nothing twice', async () => {
			const last = await n8n.lastExecutionId(STREAM_WF.id);
			const before = await gateway(urls, 'stats');
			const messages = Array.from({ length: 60 }, (_, i) =>
				i % 10 === 0 ? setup.dingTalkMessage('picture', { downloadCode: 'DT-image.png' }) : setup.dingTalkMessage('text', undefined, { text: { content: `n${i}` } }),
			);
			await deliver(messages.slice(0, 30));
			const killedAt = Date.now();
			await gateway(urls, 'kill', {});
			await deliver(messages.slice(30));
			const reconnected = await waitFor(async () => {
				const s = await gateway(urls, 'stats');
				return (s.liveByClient || {})[DT_APP.appKey] === 1 && s.connections > before.connections ? Date.now() : undefined;
			}, 90_000, 'reconnect');
			const rows = await waitFor(async () => {
				const found = await executionsAfter(n8n, STREAM_WF.id, last);
				return found.length >= messages.length ? found : undefined;
			}, 120_000, `${messages.length} executions`);
			await waitFor(async () => (await gateway(urls, 'stats')).unacked === 0, 60_000, 'all messages acknowledged');
			await lib.sleep(4000); // a late duplicate would show up now
			const all = await executionsAfter(n8n, STREAM_WF.id, last);
			const ids = [];
			for (const row of all) ids.push(((await triggerItems(n8n, row))[0] || { json: {} }).json.msgId);
			const unique = new Set(ids);
			const missing = messages.filter((m) => !unique.has(m.msgId)).length;
			const stats = await gateway(urls, 'stats');
			assert(missing === 0, `${missing} messages never executed`);
			assert(ids.length === messages.length, `${ids.length} executions for ${messages.length} messages (${ids.length - unique.size} twice)`);
			assert(stats.maxConcurrentConnections === 1, `${stats.maxConcurrentConnections} sockets open at once`);
			assert(all.every((r) => r.status === 'success'), 'an execution failed');
			void rows;
			return `${messages.length} messages → ${ids.length} executions, reconnected in ${lib.fmtMs(reconnected - killedAt)}, ${stats.redeliveries} redeliveries`;
		});

		await scenario('t  DingTalk Trigger (HTTP callback): good, wrong, missing and stale signatures', async () => {
			const url = `${started.baseUrl}/webhook/${CALLBACK_WEBHOOK_ID}/dingtalk`;
			const last = await n8n.lastExecutionId(CALLBACK_WF.id);
			const bad = [
				['wrong sign', setup.dingTalkSignHeaders('not-the-app-secret'), 403],
				['missing sign', {}, 401],
				['stale timestamp', (() => {
					const timestamp = String(Date.now() - 2 * 3600 * 1000);
					const sign = crypto.createHmac('sha256', DT_APP.appSecret).update(`${timestamp}\n${DT_APP.appSecret}`).digest('base64');
					return { timestamp, sign };
				})(), 403],
			];
			const out = [];
			for (const [name, headers, status] of bad) {
				const res = await lib.postJson(url, setup.dingTalkMessage('text', undefined, { text: { content: name } }), { headers });
				const text = res.body.toString('utf8');
				assert(res.status === status, `${name}: HTTP ${res.status}, want ${status}: ${text.slice(0, 200)}`);
				assert(!text.includes(DT_APP.appSecret), `${name}: the answer holds the secret`);
				out.push(`${name} ${res.status}`);
			}
			const message = setup.dingTalkMessage('file', { downloadCode: 'DT-document.pdf', fileName: 'signed.pdf' });
			const res = await lib.postJson(url, message, { headers: setup.dingTalkSignHeaders() });
			assert(res.status === 200, `good signature: HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 200)}`);
			assert(res.body.toString('utf8').trim() === '{}', `good signature: answer ${res.body.toString('utf8').slice(0, 200)}`);
			const row = await n8n.waitForExecution(CALLBACK_WF.id, last);
			const items = await triggerItems(n8n, row);
			assert(items[0] && items[0].json.msgId === message.msgId, 'the execution is not the signed message');
			const p = lib.checkBinary(n8n, items[0].binary && items[0].binary.data, { fixture: 'document.pdf', fileName: 'signed.pdf', mode: 'filesystem' });
			assert(!p.length, p.join('; '));
			await lib.sleep(1000);
			const rows = await executionsAfter(n8n, CALLBACK_WF.id, last);
			assert(rows.length === 1, `${rows.length} executions, want 1 (only the signed request)`);
			// The log never holds the secret.
			const log = fs.existsSync(path.join(work, 'n8n-trigger.log')) ? fs.readFileSync(path.join(work, 'n8n-trigger.log'), 'utf8') : '';
			assert(!log.includes(DT_APP.appSecret), 'the n8n log holds the app secret');
			return `${out.join(', ')}, good 200 {} → 1 execution with signed.pdf`;
		});

		await scenario('t  DingTalk Trigger (HTTP callback): a replayed request runs nothing; a captured signature with another message → 403', async () => {
			const url = `${started.baseUrl}/webhook/${CALLBACK_WEBHOOK_ID}/dingtalk`;
			const last = await n8n.lastExecutionId(CALLBACK_WF.id);
			const headers = setup.dingTalkSignHeaders();
			const message = setup.dingTalkMessage('text', undefined, { text: { content: 'pay the invoice' } });
			const first = await lib.postJson(url, message, { headers });
			assert(first.status === 200, `first: HTTP ${first.status}`);
			const replay = await lib.postJson(url, message, { headers });
			assert(replay.status === 200, `replay: HTTP ${replay.status}, want 200 (answered, not run)`);
			const forged = await lib.postJson(url, setup.dingTalkMessage('text', undefined, { text: { content: 'pay the attacker' } }), { headers });
			assert(forged.status === 403, `another message under the same signature: HTTP ${forged.status}, want 403: ${forged.body.toString('utf8').slice(0, 200)}`);
			await n8n.waitForExecution(CALLBACK_WF.id, last);
			await lib.sleep(1500);
			const rows = await executionsAfter(n8n, CALLBACK_WF.id, last);
			const texts = [];
			for (const row of rows) texts.push(((await triggerItems(n8n, row))[0] || { json: {} }).json.text);
			assert(rows.length === 1 && JSON.stringify(texts[0]) === JSON.stringify(message.text), `${rows.length} executions (${JSON.stringify(texts)}), want 1 with the first message`);
			return 'first 200 → 1 execution; replay 200, not run; same signature with another msgId 403';
		});

		await scenario('t  example dingtalk-trigger-voice-to-reply.json: PDF → text and voice note → Send Message replies in the chat', async () => {
			const app = setup.DT_TOKEN_APP.appKey;
			await waitFor(async () => (await live(app)) === 1, 60_000, 'the example to connect');
			const sentBefore = (await lib.standInControl(urls, 'dingtalk-sent')).sent.length;
			const staff = 'e2estaffReply1';
			const pdf = setup.dingTalkMessage('file', { downloadCode: 'DT-TOKEN-document.pdf', fileName: 'invoice.pdf' }, { robotCode: app, senderStaffId: staff });
			const voice = setup.dingTalkMessage('audio', { downloadCode: 'DT-TOKEN-voice.amr', duration: 3000, recognition: '明天开会' }, { robotCode: app, senderStaffId: staff });
			const text = setup.dingTalkMessage('text', undefined, { text: { content: 'ignored' }, robotCode: app, senderStaffId: staff });
			await deliver([pdf, voice, text], app);
			await waitFor(async () => (await lib.standInControl(urls, 'dingtalk-sent')).sent.length >= sentBefore + 2, 60_000, 'two replies');
			await lib.sleep(1500);
			const sent = (await lib.standInControl(urls, 'dingtalk-sent')).sent.slice(sentBefore);
			assert(sent.length === 2, `${sent.length} replies, want 2 (the text message is filtered out by the trigger)`);
			for (const message of sent) {
				assert(message.api === 'oToMessages/batchSend' && JSON.stringify(message.userIds) === JSON.stringify([staff]), `reply went to ${message.api} ${JSON.stringify(message.userIds)}`);
				assert(message.robotCode === app && message.msgKey === 'sampleText', `reply ${message.robotCode} ${message.msgKey}`);
			}
			const contents = sent.map((m) => String(m.msgParam.content || ''));
			const pdfReply = contents.find((c) => c.startsWith('Read invoice.pdf'));
			const voiceReply = contents.find((c) => c.startsWith('Got your voice note'));
			assert(pdfReply && pdfReply.includes('Invoice 42'), `PDF reply: ${JSON.stringify(contents)}`);
			assert(voiceReply && voiceReply.includes('audio/amr') && voiceReply.includes('明天开会'), `voice reply: ${JSON.stringify(contents)}`);
			return `batchSend to ${staff}: ${pdfReply.slice(0, 50)}… / ${voiceReply.slice(0, 60)}`;
		});

		// Last: it restarts n8n (a new port), as saving an active workflow re-activates it.
		await scenario('t  DingTalk Trigger (Stream): n8n restarted while a slow file downloads → closed at once, the message runs once', async () => {
			await waitFor(async () => (await live(DT_APP.appKey)) === 1, 30_000, 'the trigger to connect');
			const last = await n8n.lastExecutionId(STREAM_WF.id);
			const ossBefore = (await lib.standInStats(urls)).ossGets;
			const message = setup.dingTalkMessage('picture', { downloadCode: 'DT-SLOW' });
			await deliver([message]);
			await waitFor(async () => (await lib.standInStats(urls)).ossGets > ossBefore, 30_000, 'the slow download to start');
			await lib.sleep(1000);
			const stoppingAt = Date.now();
			await n8n.stop();
			const stopMs = Date.now() - stoppingAt;
			const afterStop = await executionsAfter(n8n, STREAM_WF.id, last);
			await n8n.start({
				binaryMode: 'filesystem',
				env: needsFlag ? { NODE_OPTIONS: '--experimental-websocket' } : {},
				logFile: path.join(work, 'n8n-trigger-restart.log'),
			});
			const rows = await waitFor(async () => {
				const found = await executionsAfter(n8n, STREAM_WF.id, last);
				return found.length >= 1 ? found : undefined;
			}, 90_000, 'the redelivered message to run');
			await lib.sleep(5000); // a second execution would show up now
			const all = await executionsAfter(n8n, STREAM_WF.id, last);
			const ids = [];
			for (const row of all) ids.push(((await triggerItems(n8n, row))[0] || { json: {} }).json.msgId);
			assert(afterStop.length === 0, `${afterStop.length} execution(s) started by the closing activation`);
			assert(ids.filter((id) => id === message.msgId).length === 1, `the message ran ${ids.filter((id) => id === message.msgId).length} times, want 1 (${JSON.stringify(ids)})`);
			const items = await triggerItems(n8n, all[0]);
			assert(items[0] && items[0].binary && items[0].binary.data, 'the execution has no file');
			void rows;
			return `n8n stopped in ${lib.fmtMs(stopMs)} mid-download; after the restart the message ran once, with its file (${items[0].binary.data.fileSize || '?'})`;
		});
	} finally {
		await n8n.stop();
	}
}

/** Standalone: the same preparation as run.js, then only these scenarios. */
async function main() {
	const args = process.argv.slice(2);
	if (args.includes('--verbose')) lib.setVerbose(true);
	const results = [];
	const scenario = async (name, fn) => {
		const t = Date.now();
		try {
			const detail = await fn();
			results.push(true);
			process.stdout.write(`PASS  ${name} (${lib.fmtMs(Date.now() - t)})${detail ? ` — ${detail}` : ''}\n`);
		} catch (err) {
			results.push(false);
			process.stdout.write(`FAIL  ${name} (${lib.fmtMs(Date.now() - t)}) — ${String(err && err.message).split('\n').join('\n        ')}\n`);
		}
	};
	const assert = (cond, message) => {
		if (!cond) throw new Error(message);
	};
	const install = await lib.ensureN8n();
	lib.watchdog(15 * 60_000, 'trigger e2e');
	await lib.ensureBuilt({ forceBuild: args.includes('--build') });
	const work = lib.mkTemp('n8n-msgfiles-trigger-e2e-');
	const userFolder = path.join(work, 'user');
	fs.mkdirSync(userFolder, { recursive: true });
	const n8n = new lib.N8n(install.bin, userFolder);
	let standIn;
	try {
		const bundle = await lib.buildStandIn(work);
		standIn = await lib.startStandIn(bundle, setup.standInConfig(), work);
		await lib.installPackageInto(userFolder, work);
		await n8n.init();
		await n8n.importCredentials(setup.credentials(standIn.urls), path.join(work, 'credentials.json'));
		await run({ n8n, urls: standIn.urls, work, scenario, assert });
	} catch (err) {
		results.push(false);
		process.stdout.write(`FAIL  setup — ${err && err.stack ? err.stack : err}\n`);
	} finally {
		await n8n.stop().catch(() => {});
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
		if (!args.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
		else process.stdout.write(`work folder kept: ${work}\n`);
	}
	const passed = results.filter(Boolean).length;
	process.stdout.write(`${passed} passed, ${results.length - passed} failed\n`);
	lib.killAllChildren();
	process.exit(results.length - passed ? 1 : 0);
}

module.exports = { run, TRIGGER_TYPE, STREAM_WF, CALLBACK_WF };

if (require.main === module) main();
