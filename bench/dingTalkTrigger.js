#!/usr/bin/env node
'use strict';
// Benchmark of the DingTalk Trigger in Stream mode (not a test: it measures, it does not judge,
// except that it fails when a burst loses or repeats a message). On loopback:
//   - latency message → emit (n8n takes it and starts the execution), median and p99,
//     for text messages and for pictures (file downloaded and attached first);
//   - a burst of 1,000 messages delivered at once: all emitted, none twice, throughput;
//   - memory growth (heap and RSS after GC) over 10,000 messages;
//   - reconnect time after an abrupt drop and after a `disconnect` frame.
// The trigger runs built (dist/) in a real n8n-core TriggerContext, in its own process
// (bench/dingTalkTriggerWorker.ts); the stand-in DingTalk API, OSS and Stream gateway run
// in another (test/standin/cli.ts), so only the trigger's memory is measured.
//
// Then the same in a real n8n 2.8.4 (`n8n start`): a burst of 1,000 messages → 1,000 executions,
// message → execution latency (skip with --no-n8n).
//
//   npm run build && node bench/dingTalkTrigger.js [--quick] [--no-n8n] [--keep]
//
// Prints a summary and writes bench/.build/dingTalkTrigger.json.

const fs = require('node:fs');
const path = require('node:path');
const lib = require('../test/e2e/lib');

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const BUILD = path.join(__dirname, '.build');
const APP = { appKey: 'dingbenchapp', appSecret: 'bench-app-secret-0001' };

async function buildWorker() {
	fs.mkdirSync(BUILD, { recursive: true });
	const out = path.join(BUILD, 'dingTalkTriggerWorker.js');
	lib.runOrThrow(
		'esbuild (trigger bench worker)',
		await lib.run(
			path.join(lib.ROOT, 'node_modules', '.bin', 'esbuild'),
			[path.join(__dirname, 'dingTalkTriggerWorker.ts'), '--bundle', '--platform=node', '--packages=external', `--outfile=${out}`, '--log-level=warning'],
			{ cwd: lib.ROOT, timeoutMs: 60_000 },
		),
	);
	// The bundle requires dist/ and node_modules relative to the repository: run it from bench/.build.
	return out;
}

/**
 * The same trigger in a real n8n 2.8.4 (`n8n start`, workflow published): a burst of messages,
 * each must become exactly one finished execution; latency = execution stopped − message sent.
 */
async function realN8n(standIn, work, count) {
	const setup = require('../test/e2e/setup');
	const install = await lib.ensureN8n();
	const userFolder = path.join(work, 'n8n-real');
	fs.mkdirSync(userFolder, { recursive: true });
	const n8n = new lib.N8n(install.bin, userFolder);
	await lib.installPackageInto(userFolder, work);
	await n8n.init();
	const cred = { id: 'benchDingTalk0001', name: 'bench' };
	await n8n.importCredentials([{ ...cred, type: 'dingTalkApi', data: { appType: 'internal', baseUrl: standIn.urls.dingTalkUrl, ...APP } }], path.join(work, 'c.json'));
	const wf = {
		id: 'benchDtTrigger01',
		name: 'bench trigger',
		active: false,
		nodes: [{ id: 'b1', name: 'DingTalk Trigger', type: `${lib.PACKAGE_NAME}.dingTalkTrigger`, typeVersion: 1, position: [0, 0], parameters: { mode: 'stream', downloadFiles: true, options: {} }, credentials: { dingTalkApi: cred } }],
		connections: {},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
	await n8n.importWorkflows([wf], path.join(work, 'w.json'));
	await n8n.publish(wf.id);
	const control = (route) => `${standIn.urls.streamGatewayUrl.replace(/^ws:/, 'http:')}/__stream/${route}`;
	try {
		await n8n.start({ binaryMode: 'filesystem', env: { NODE_OPTIONS: '--experimental-websocket' }, logFile: path.join(work, 'n8n.log') });
		const deadline = Date.now() + 60_000;
		while (JSON.parse((await lib.httpRequest(control('stats'))).body).liveConnections < 1) {
			if (Date.now() > deadline) throw new Error('the trigger did not connect');
			await lib.sleep(200);
		}
		await lib.postJson(control('reset'), {});
		const sqlite3 = require(path.join(path.dirname(install.bin), '..', 'sqlite3'));
		const query = (sql) =>
			new Promise((resolve, reject) => {
				const db = new sqlite3.Database(path.join(userFolder, '.n8n', 'database.sqlite'), sqlite3.OPEN_READONLY, (err) => {
					if (err) return reject(err);
					db.configure('busyTimeout', 5000);
					db.all(sql, [], (e, rows) => {
						db.close();
						if (e) reject(e);
						else resolve(rows);
					});
				});
			});
		// One message at a time: message sent → execution finished (stoppedAt), as stored by n8n.
		const single = [];
		for (let i = 0; i < 20; i++) {
			const [{ last }] = await query(`SELECT COALESCE(MAX(id), 0) AS last FROM execution_entity WHERE workflowId = '${wf.id}'`);
			const m = setup.dingTalkMessage('text', undefined, { text: { content: 'one' }, robotCode: APP.appKey });
			const at = Date.now();
			await lib.postJson(control('deliver'), { messages: [m] });
			let row;
			const stop = Date.now() + 30_000;
			while (!row && Date.now() < stop) {
				[row] = await query(`SELECT stoppedAt FROM execution_entity WHERE workflowId = '${wf.id}' AND id > ${last} AND status NOT IN ('new', 'running', 'waiting')`);
				if (!row) await lib.sleep(20);
			}
			if (row) single.push(new Date(row.stoppedAt).getTime() - at);
		}
		single.sort((a, b) => a - b);
		const [{ before }] = await query(`SELECT COALESCE(MAX(id), 0) AS before FROM execution_entity WHERE workflowId = '${wf.id}'`);
		const messages = Array.from({ length: count }, () => setup.dingTalkMessage('text', undefined, { text: { content: 'bench' }, robotCode: APP.appKey }));
		const sentAt = Date.now();
		for (const m of messages) m.createAt = sentAt;
		await lib.postJson(control('deliver'), { messages }, { timeoutMs: 60_000 });
		let rows = [];
		const until = Date.now() + 10 * 60_000;
		for (;;) {
			rows = await query(`SELECT id, status, startedAt, stoppedAt FROM execution_entity WHERE workflowId = '${wf.id}' AND id > ${before} AND status NOT IN ('new', 'running', 'waiting')`);
			if (rows.length >= count || Date.now() > until) break;
			await lib.sleep(500);
		}
		const allDoneMs = Date.now() - sentAt;
		await lib.sleep(3000);
		rows = await query(`SELECT e.id, e.status, e.stoppedAt, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = '${wf.id}' AND e.id > ${before}`);
		const flatted = require(path.join(path.dirname(install.bin), '..', 'flatted'));
		const ids = rows.map((r) => {
			const data = flatted.parse(r.data);
			return data.resultData.runData['DingTalk Trigger'][0].data.main[0][0].json.msgId;
		});
		const latencies = rows.map((r) => new Date(r.stoppedAt).getTime() - sentAt).sort((a, b) => a - b);
		const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
		const stats = JSON.parse((await lib.httpRequest(control('stats'))).body);
		return {
			messages: count,
			executions: rows.length,
			distinct: new Set(ids).size,
			failed: rows.filter((r) => r.status !== 'success').length,
			allDoneMs,
			perSecond: count / (allDoneMs / 1000),
			p50: pct(50),
			p99: pct(99),
			unacked: stats.unacked,
			single: { messages: single.length, p50: single[Math.floor(single.length / 2)], max: single[single.length - 1] },
		};
	} finally {
		await n8n.stop();
	}
}

const f = (ms) => (ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);

async function main() {
	await lib.ensureBuilt();
	const work = lib.mkTemp('n8n-msgfiles-trigger-bench-');
	let standIn;
	try {
		const [worker, standInBundle] = await Promise.all([buildWorker(), lib.buildStandIn(work)]);
		standIn = await lib.startStandIn(
			standInBundle,
			{ dingTalk: { apps: [APP], files: [{ downloadCode: 'BENCH-PNG', robotCode: APP.appKey, body: { path: lib.fixturePath('image.png') } }] } },
			work,
		);
		const config = {
			dingTalkUrl: standIn.urls.dingTalkUrl,
			streamGatewayUrl: standIn.urls.streamGatewayUrl,
			appKey: APP.appKey,
			appSecret: APP.appSecret,
			robotCode: APP.appKey,
			latencyMessages: QUICK ? 50 : 300,
			fileMessages: QUICK ? 10 : 50,
			burst: 1000,
			memoryMessages: QUICK ? 2000 : 10_000,
			reconnects: QUICK ? 2 : 5,
		};
		const userFolder = path.join(work, 'n8n');
		fs.mkdirSync(userFolder, { recursive: true });
		const env = {
			...process.env,
			N8N_USER_FOLDER: userFolder,
			N8N_ENCRYPTION_KEY: 'bench-not-secret',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			N8N_BINARY_DATA_STORAGE_PATH: path.join(userFolder, 'binaryData'),
			N8N_LOG_LEVEL: 'error',
		};
		const r = await lib.run(process.execPath, ['--expose-gc', '--experimental-websocket', worker, JSON.stringify(config)], {
			env,
			cwd: BUILD,
			timeoutMs: 15 * 60_000,
		});
		const line = r.stdout.split('\n').find((l) => l.startsWith('{"activationMs"'));
		if (r.code !== 0 || !line) throw new Error(`worker failed (exit ${r.code}${r.timedOut ? ', timed out' : ''})\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
		const results = { date: new Date().toISOString(), node: process.version, quick: QUICK, config: { ...config, appSecret: undefined }, ...JSON.parse(line) };
		fs.writeFileSync(path.join(BUILD, 'dingTalkTrigger.json'), `${JSON.stringify(results, null, 2)}\n`);

		if (!args.includes('--no-n8n')) results.n8n = await realN8n(standIn, work, 1000);
		fs.writeFileSync(path.join(BUILD, 'dingTalkTrigger.json'), `${JSON.stringify(results, null, 2)}\n`);
		const { latency, fileLatency, burst, memory, reconnect, gateway } = results;
		const out = [
			`DingTalk Trigger (Stream mode) on loopback, Node ${process.version}${QUICK ? ' (quick)' : ''}`,
			`activation (gateway open + WebSocket): ${f(results.activationMs)}`,
			`latency message → emit, text (${latency.messages}): median ${f(latency.p50)}, p99 ${f(latency.p99)}, max ${f(latency.max)}`,
			`latency message → emit, picture downloaded (${fileLatency.messages}): median ${f(fileLatency.p50)}, p99 ${f(fileLatency.p99)}`,
			`burst of ${burst.messages}: ${burst.executions} emitted, ${burst.unique} distinct, in ${f(burst.ms)} (${Math.round(burst.perSecond)}/s), latency median ${f(burst.p50)}, p99 ${f(burst.p99)}`,
			`memory over ${memory.messages} messages: heap ${memory.before.heapMB.toFixed(1)} → ${memory.after.heapMB.toFixed(1)} MB (${memory.growthHeapMB >= 0 ? '+' : ''}${memory.growthHeapMB.toFixed(1)} MB), RSS ${memory.before.rssMB.toFixed(0)} → ${memory.after.rssMB.toFixed(0)} MB (${memory.growthRssMB >= 0 ? '+' : ''}${memory.growthRssMB.toFixed(1)} MB)`,
			`reconnect after an abrupt drop: median ${f(reconnect.afterKill.p50)}, max ${f(reconnect.afterKill.max)} (${reconnect.afterKill.runs} runs; first retry waits 0.5–1 s by design)`,
			`reconnect after a disconnect frame: median ${f(reconnect.afterDisconnect.p50)}, max ${f(reconnect.afterDisconnect.max)} (${reconnect.afterDisconnect.runs} runs)`,
			`gateway: at most ${gateway.maxConcurrentConnections} connection(s) at once, ${gateway.redeliveries} redeliveries, ${gateway.malformedAcks} malformed acks`,
		];
		const real = results.n8n;
		if (real) {
			out.push(`real n8n 2.8.4, one message at a time (${real.single.messages}): message → execution finished median ${f(real.single.p50)}, max ${f(real.single.max)} (includes the 20 ms polling of n8n's database)`);
			out.push(
				`real n8n 2.8.4 (n8n start, sqlite): burst of ${real.messages} → ${real.executions} executions (${real.distinct} distinct msgIds, ${real.failed} failed) in ${f(real.allDoneMs)} (${Math.round(real.perSecond)}/s); message → execution finished: median ${f(real.p50)}, p99 ${f(real.p99)} (a burst: queueing included); ${real.unacked} unacknowledged`,
			);
		}
		process.stdout.write(`${out.join('\n')}\n`);
		const ok =
			burst.executions === burst.messages &&
			burst.unique === burst.messages &&
			gateway.maxConcurrentConnections === 1 &&
			(!real || (real.executions === real.messages && real.distinct === real.messages));
		if (!ok) {
			process.stdout.write('FAIL: the burst lost or repeated messages, or two sockets were open at once\n');
			process.exitCode = 1;
		}
	} finally {
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
		if (!args.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
		lib.killAllChildren();
	}
}

main().catch((error) => {
	process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
	lib.killAllChildren();
	process.exit(1);
});
