#!/usr/bin/env node
'use strict';
// The package in n8n's queue mode, for real: Redis and PostgreSQL from Debian's packages
// (installed when missing, started privately), n8n 2.8.4 as main (`EXECUTIONS_MODE=queue`)
// and two `n8n worker` processes, the packed package installed as a community package in
// each, the stand-ins for DingTalk and Green-API in a child process.
//
//   node test/queue/run.js [--only=types,token,burst,crash,limit,triggers,triggercrash] [--modes=database,filesystem] [--keep] [--verbose]
//
//   types  every message type of both services through Webhook → Download Message File →
//          Crypto (hashes the binary): run on the workers, right bytes for the next node and
//          through the main's REST API (what the editor shows)
//   token  DingTalk token calls across main + 2 workers (first mode only)
//   burst  2 × 60 Green-API messages that need downloadFile against 5/s per instance:
//          no 429 reaches a user, throughput within 10 % of 5/s (first mode only)
//   limit  (database mode) 4 × 30 MB files over N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE=20: each refused
//          naming the setting; after n8n's first refusal in a worker, that worker refuses before downloading
//   crash  a worker SIGKILLed in the middle of a webhook execution and restarted: the
//          message is neither lost (the sender's redelivery succeeds) nor run twice
//   triggers      the Green-API (polling) and DingTalk (Stream) triggers: on the main only (one long
//                 poll, one Stream connection), every file type executed on the workers, the file right
//                 on both sides (attached by the trigger on the main, downloaded again on the worker)
//   triggercrash  (first mode only) a worker killed in the middle of each trigger's execution and
//                 restarted: the message comes back (left unacknowledged), runs once more, succeeds once
// Prints one line per scenario and ends with "queue: N passed, M failed"; exit code 1 if any failed.

const fs = require('node:fs');
const path = require('node:path');
const lib = require('../e2e/lib');
const services = require('./services');
const setup = require('./setup');
const { QueueStack } = require('./stack');
const triggers = require('./triggers');

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const listArg = (name, all) => {
	const raw = (args.find((a) => a.startsWith(`--${name}=`)) || '').slice(name.length + 3);
	return raw ? raw.split(',').filter(Boolean) : all;
};
const only = listArg('only', ['types', 'token', 'burst', 'crash', 'limit', 'triggers', 'triggercrash']);
const modes = listArg('modes', ['database', 'filesystem']);
if (flag('verbose')) lib.setVerbose(true);

const line = (s) => process.stdout.write(`${s}\n`);
const note = (s) => process.stdout.write(`      ${s}\n`);

const { scenario, fail, counts } = lib.scenarioRunner({ verbose: () => flag('verbose') });
const { assert } = lib;

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool(items, limit, fn) {
	const out = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) {
				const i = next++;
				out[i] = await fn(items[i], i);
			}
		}),
	);
	return out;
}

async function postWebhook(stack, webhookPath, body, timeoutMs = 120_000) {
	const res = await lib.postJson(`${stack.baseUrl}/webhook/${webhookPath}`, body, { timeoutMs });
	let json;
	try {
		json = JSON.parse(res.body.toString('utf8'));
	} catch {
		json = undefined;
	}
	return { status: res.status, json, text: res.body.toString('utf8').slice(0, 300) };
}

/** The problems of one webhook answer (the Crypto node's items) against the fixtures expected. */
function checkAnswer(answer, fixtures) {
	if (answer.status !== 200) return [`HTTP ${answer.status}: ${answer.text}`];
	const items = Array.isArray(answer.json) ? answer.json : [answer.json];
	const problems = [];
	if (items.length !== fixtures.length) problems.push(`${items.length} items, want ${fixtures.length}`);
	fixtures.forEach((fixture, i) => {
		const item = items[i] || {};
		if (item.error) return problems.push(`[${i}] error ${JSON.stringify(item.error).slice(0, 200)}`);
		const type = lib.FIXTURE_TYPES[fixture];
		const mime = item.messageFile && item.messageFile.mimeType;
		const mimeOk = type.mimeType instanceof RegExp ? type.mimeType.test(mime) : mime === type.mimeType;
		if (!mimeOk) problems.push(`[${i}] ${fixture}: mimeType ${mime}`);
		if (item.sha256 !== lib.fixtureSha(fixture)) problems.push(`[${i}] ${fixture}: the next node read other bytes (sha256 ${String(item.sha256).slice(0, 12)}…)`);
	});
	return problems;
}

/** Binary entries of the download node in an execution's stored data. */
function downloadBinaries(data) {
	const runs = data && data.resultData && data.resultData.runData && data.resultData.runData['Download Message File'];
	const items = (runs && runs[0] && runs[0].data && runs[0].data.main && runs[0].data.main[0]) || [];
	return items.map((item) => item.binary && item.binary.data).filter(Boolean);
}

/** Output items (json) of a node in an execution's stored data. */
function nodeItems(data, name) {
	const runs = data && data.resultData && data.resultData.runData && data.resultData.runData[name];
	return ((runs && runs[0] && runs[0].data && runs[0].data.main && runs[0].data.main[0]) || []).map((item) => item.json);
}

/**
 * The executions a batch of webhook calls started (the webhooks answer at once): waits for
 * `count` more after `before`, and gives each with its message (the Webhook node's body)
 * and what the Crypto node read (its items: messageFile + sha256).
 */
async function batchResults(stack, workflowId, before, count, timeoutMs = 120_000) {
	const rows = (await stack.waitForExecutions(workflowId, before + count, timeoutMs)).slice(before);
	const out = [];
	for (const row of rows) {
		const data = await stack.executionData(row.id);
		const body = (nodeItems(data, 'Webhook')[0] || {}).body || {};
		out.push({ row, data, messageId: body.msgId ?? body.idMessage, items: nodeItems(data, 'Hash the file'), error: row.status === 'success' ? undefined : executionError(data) });
	}
	return out;
}

/** The problems of what the node after the download read, against the fixtures expected. */
function checkRead(result, fixtures) {
	if (result.error) return [`execution ${result.row.id} ${result.row.status}: ${result.error}`];
	return checkAnswer({ status: 200, json: result.items }, fixtures);
}

/** Posts webhooks that answer at once; throws unless every one got 200. */
async function postAll(stack, calls, inFlight) {
	const answers = await pool(calls, inFlight, (c) => postWebhook(stack, c.path, c.body, 60_000));
	const refused = answers.map((a, i) => (a.status === 200 ? undefined : `${calls[i].name ?? i}: HTTP ${a.status} ${a.text}`)).filter(Boolean);
	assert(refused.length === 0, `webhook calls refused\n${refused.join('\n')}`);
}

/** The error an execution stopped with, for failure messages. */
function executionError(data) {
	const result = data && data.resultData;
	if (!result) return 'no execution data';
	if (result.error) return `${result.error.message}${result.error.description ? ` (${result.error.description})` : ''}`;
	for (const [name, runs] of Object.entries(result.runData || {})) {
		const e = runs && runs[0] && runs[0].error;
		if (e) return `${name}: ${e.message}`;
	}
	return 'no error recorded';
}

// ---------------------------------------------------------------- scenarios

async function typesScenario(stack, urls, mode) {
	const cases = setup.messageCases(urls);
	const keys = ['dingTalk', 'whatsapp', 'max'];
	const before = {};
	for (const key of keys) before[key] = (await stack.executions(setup.WEBHOOKS[key].id)).length;
	await postAll(stack, cases, 6);
	const problems = [];
	// Every execution finished on a worker, the next node read the right bytes, and the main serves them too.
	const ran = {};
	let fromMain = 0;
	for (const key of keys) {
		const wf = setup.WEBHOOKS[key];
		const want = cases.filter((c) => c.path === wf.path);
		for (const result of await batchResults(stack, wf.id, before[key], want.length, 60_000)) {
			const { row } = result;
			const c = want.find((w) => (w.body.msgId ?? w.body.idMessage) === result.messageId);
			if (!c) {
				problems.push(`${key} execution ${row.id}: no case for message ${result.messageId}`);
				continue;
			}
			problems.push(...checkRead(result, c.files).map((p) => `${c.name}: ${p}`));
			const workers = stack.workerOf(row.id);
			if (workers.length !== 1) problems.push(`${c.name}: execution ${row.id} started by ${workers.length ? workers.join(' and ') : 'no worker'}`);
			for (const w of workers) ran[w] = (ran[w] ?? 0) + 1;
			if (row.mode !== 'webhook') problems.push(`${c.name}: execution mode ${row.mode}`);
			const binaries = downloadBinaries(result.data);
			if (binaries.length !== c.files.length) problems.push(`${c.name}: ${binaries.length} binaries stored, want ${c.files.length}`);
			for (const [i, entry] of binaries.entries()) {
				const prefix = mode === 'database' ? 'database:' : 'filesystem-v2:';
				if (!String(entry.id).startsWith(prefix)) problems.push(`${c.name}: binary id ${entry.id}, want ${prefix}…`);
				const bytes = await stack.binaryFromMain(entry.id);
				if (lib.sha256(bytes) !== lib.fixtureSha(c.files[i])) problems.push(`${c.name}: the main serves ${bytes.length} bytes that are not ${c.files[i]}`);
				else fromMain++;
			}
		}
	}
	assert(problems.length === 0, `${problems.length} problem(s)\n${problems.join('\n')}`);
	assert(Object.keys(ran).length === stack.workers.length, `only ${Object.keys(ran).join(', ')} ran executions`);
	return `${cases.length} messages, ${fromMain} files right in the next node and from the main; executions per worker ${JSON.stringify(ran)}`;
}

async function tokenScenario(stack, urls) {
	const wf = setup.WEBHOOKS.dtToken;
	const before = (await lib.standInStats(urls)).dingTalkTokenCalls;
	const message = () => e2e().dingTalkMessage('picture', { downloadCode: setup.dtCode('image.png', '-token') }, { robotCode: e2e().DT_TOKEN_APP.appKey });
	const send = async (n, round) => {
		const already = (await stack.executions(wf.id)).length;
		await postAll(stack, Array.from({ length: n }, () => ({ path: wf.path, body: message() })), n);
		const bad = (await batchResults(stack, wf.id, already, n)).flatMap((r) => checkRead(r, ['image.png']));
		assert(bad.length === 0, `${round}: ${bad.join('; ')}`);
	};
	await send(8, 'first round');
	const afterFirst = (await lib.standInStats(urls)).dingTalkTokenCalls;
	// New worker processes: does the token stored by the first round reach them?
	for (let i = 0; i < stack.workers.length; i++) {
		await lib.stopProcess(stack.workers[i].child, 15_000);
		await stack.startWorker(i);
	}
	await send(8, 'second round');
	const afterSecond = (await lib.standInStats(urls)).dingTalkTokenCalls;
	const round1 = afterFirst - before;
	const round2 = afterSecond - afterFirst;
	const processes = stack.workers.length + 1;
	// n8n saves the token its preAuthentication got: every process may reuse it. At most one call per process.
	assert(round1 >= 1 && round1 <= processes, `${round1} token calls for 8 messages on ${processes} processes`);
	assert(round2 <= processes, `${round2} token calls after the workers restarted`);
	return `8 messages: ${round1} token call(s); after restarting both workers, 8 more: ${round2} (main + ${stack.workers.length} workers)`;
}

async function burstScenario(stack, urls, count) {
	await lib.httpRequest(`${urls.controlUrl}/__standin/reset-stats`, { method: 'POST', timeoutMs: 5000 });
	const before = (await stack.executions(setup.WEBHOOKS.burst.id)).length;
	const perWorkerBefore = stack.executionsPerWorker();
	const indexes = Array.from({ length: count }, (_, i) => i);
	const started = Date.now();
	await postAll(stack, indexes.map((i) => ({ name: `BURST-${i}`, path: setup.WEBHOOKS.burst.path, body: setup.burstMessage(i) })), count);
	const results = await batchResults(stack, setup.WEBHOOKS.burst.id, before, count, 180_000);
	const wallSeconds = (Date.now() - started) / 1000;
	const problems = results.flatMap((r) => checkRead(r, ['image.png']).map((p) => `${r.messageId}: ${p}`));
	const surfaced = results.filter((r) => /rate-limiting/i.test(r.error ?? '')).length;
	const rows = results.map((r) => r.row);
	const failed = rows.filter((r) => r.status !== 'success');
	const stats = await lib.standInStats(urls);
	const requests = await lib.standInRequests(urls);
	const gets = requests.filter((r) => r.role === 'greenMedia' && r.path.startsWith(`/${setup.BURST.idInstance}/`)).map((r) => r.at);
	const seconds = gets.length ? (Math.max(...gets) - Math.min(...gets)) / 1000 + 1 : Infinity;
	const throughput = gets.length / seconds;
	const perWorkerAfter = stack.executionsPerWorker();
	const perWorker = Object.fromEntries(Object.keys(perWorkerAfter).map((k) => [k, perWorkerAfter[k] - (perWorkerBefore[k] ?? 0)]));
	note(`burst: ${count} messages, ${stats.rateLimited429} 429s absorbed, ${gets.length} files served at ${throughput.toFixed(2)}/s (instance limit 5/s), all done in ${wallSeconds.toFixed(1)} s, per worker ${JSON.stringify(perWorker)}`);
	assert(surfaced === 0, `${surfaced} item(s) got "rate-limiting" errors`);
	assert(problems.length === 0 && failed.length === 0, `${problems.length} problems, ${failed.length} failed executions\n${problems.slice(0, 10).join('\n')}`);
	assert(Object.values(perWorker).every((n) => n > 0), `not every worker ran part of the burst: ${JSON.stringify(perWorker)}`);
	assert(gets.length === count, `${gets.length} files served, want ${count}`);
	assert(throughput >= 4.5, `throughput ${throughput.toFixed(2)} files/s, below 4.5 (5/s − 10 %)`);
	return `${count} files at ${throughput.toFixed(2)}/s, ${stats.rateLimited429} 429s absorbed, none surfaced; per worker ${JSON.stringify(perWorker)}`;
}

async function crashScenario(stack, urls) {
	const wf = setup.WEBHOOKS.whatsappWait;
	const before = (await stack.executions(wf.id)).map((r) => r.id);
	const mediaBefore = (await lib.standInStats(urls)).greenMediaGets;
	// The first delivery: its execution is killed with the worker running it.
	const firstDelivery = postWebhook(stack, wf.path, setup.slowMessage(), 90_000).catch((e) => ({ status: 0, text: e.message }));
	let victim;
	let executionId;
	const deadline = Date.now() + 30_000;
	while (victim === undefined && Date.now() < deadline) {
		const rows = (await stack.executions(wf.id)).filter((r) => !before.includes(r.id));
		if (rows.length) {
			executionId = rows[0].id;
			const names = stack.workerOf(executionId);
			if (names.length) victim = stack.workers.findIndex((w) => w.name === names[0]);
		}
		if (victim === undefined) await lib.sleep(100);
	}
	assert(victim !== undefined, 'no worker started the slow execution within 30 s');
	await lib.sleep(2000); // in the middle of the ~10 s download
	await stack.killWorker(victim);
	const killedAt = Date.now();
	const first = await firstDelivery;
	const firstAnsweredIn = (Date.now() - killedAt) / 1000;
	await stack.startWorker(victim);
	// The sender did not get the file, so it delivers again (Green-API retries a failed webhook every minute).
	const second = await postWebhook(stack, wf.path, setup.slowMessage(), 90_000);
	const bad = second.status !== 200 ? [`redelivery: HTTP ${second.status} ${second.text}`] : [];
	const items = Array.isArray(second.json) ? second.json : [second.json];
	const wantSha = lib.sha256(generatedBytes(setup.SLOW.size, setup.SLOW.seed));
	if (!items[0] || items[0].sha256 !== wantSha) bad.push(`redelivery: sha256 ${items[0] && items[0].sha256}`);
	await lib.sleep(4000); // time for any stalled-job pickup to show up
	const rows = (await stack.executions(wf.id)).filter((r) => !before.includes(r.id));
	const killedRow = rows.find((r) => r.id === executionId);
	const starts = rows.map((r) => ({ id: r.id, status: r.status, startedBy: stack.workerOf(r.id) }));
	const runTwice = starts.filter((s) => s.startedBy.length > 1);
	const succeeded = rows.filter((r) => r.status === 'success');
	const media = (await lib.standInStats(urls)).greenMediaGets - mediaBefore;
	note(
		`crash: killed ${stack.workers[victim].name} 2 s into execution ${executionId}; the first delivery got HTTP ${first.status} after ${firstAnsweredIn.toFixed(1)} s; ` +
			`execution ${executionId} is now "${killedRow && killedRow.status}"; executions ${JSON.stringify(starts)}; file GETs ${media}`,
	);
	assert(bad.length === 0, bad.join('; '));
	assert(first.status !== 200, `the killed execution answered 200: ${first.text}`);
	assert(runTwice.length === 0, `execution(s) started twice: ${JSON.stringify(runTwice)}`);
	assert(succeeded.length === 1, `${succeeded.length} successful executions for one message`);
	assert(rows.length === 2, `${rows.length} executions for 2 deliveries`);
	return `first delivery HTTP ${first.status}, killed execution "${killedRow && killedRow.status}", redelivery ran once and succeeded`;
}

/** Files of the limit scenario: bigger than the database limit set for the run. */
const LIMIT_MB = 20;
const LIMIT_FILES = Array.from({ length: 4 }, (_, i) => ({ idMessage: `LIMIT-${i}`, size: 30 * 1024 * 1024, seed: 200 + i }));

async function limitScenario(stack, urls) {
	const wf = setup.WEBHOOKS.big;
	const outcomes = [];
	for (const file of LIMIT_FILES) {
		const before = (await stack.executions(wf.id)).length;
		const served = (await lib.standInStats(urls)).greenMediaBytesServed;
		const res = await postWebhook(stack, wf.path, setup.bigMessage(file.idMessage));
		assert(res.status === 200, `webhook: HTTP ${res.status}`);
		const [row] = (await stack.waitForExecutions(wf.id, before + 1, 120_000)).slice(before);
		const error = executionError(await stack.executionData(row.id));
		const bytes = (await lib.standInStats(urls)).greenMediaBytesServed - served;
		outcomes.push({ id: row.id, worker: stack.workerOf(row.id)[0], status: row.status, error, mb: +(bytes / 1024 / 1024).toFixed(1) });
	}
	note(`limit: ${JSON.stringify(outcomes)}`);
	const problems = outcomes.filter((o) => o.status === 'success' || !/N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE/.test(o.error));
	assert(problems.length === 0, `not refused with the setting named: ${JSON.stringify(problems)}`);
	// Per worker, n8n's first refusal comes after a full download; the node refuses the next ones before it.
	const seen = new Set();
	for (const o of outcomes) {
		if (seen.has(o.worker)) assert(o.mb < 5, `execution ${o.id} on ${o.worker} downloaded ${o.mb} MB after the worker had learnt the limit`);
		seen.add(o.worker);
	}
	const early = outcomes.filter((o) => o.mb < 5).length;
	return `${outcomes.length} × 30 MB over a ${LIMIT_MB} MB limit: all refused naming the setting; ${outcomes.length - early} downloaded in full (n8n's first refusal per worker), ${early} refused before the download`;
}

let e2eSetup;
function e2e() {
	e2eSetup ??= require('../e2e/setup');
	return e2eSetup;
}

function generatedBytes(size, seed) {
	// The stand-in's generator (test/standin/bytes.ts), compiled into the stand-in bundle.
	return require(path.join(bundleDir, 'bytes.js')).generatedBytes(size, seed);
}
let bundleDir;

// ---------------------------------------------------------------- main

async function main() {
	const t0 = Date.now();
	line('n8n-nodes-message-files in n8n queue mode (main + 2 workers, Redis, PostgreSQL)');
	lib.watchdog(25 * 60_000, 'queue run');
	const apt = await services.ensurePackages({ log: (s) => line(s) });
	line(apt.installed.length ? `installed ${apt.installed.join(', ')} in ${lib.fmtMs(apt.ms)}` : 'redis-server and postgresql already installed');
	const install = await lib.ensureN8n();
	const version = (await lib.run(install.bin, ['--version'], { timeoutMs: 60_000 })).stdout.trim();
	line(`n8n ${version}`);
	await lib.ensureBuilt({ forceBuild: flag('build') });

	const work = lib.mkTemp('n8n-msgfiles-queue-');
	fs.chmodSync(work, 0o755); // PostgreSQL runs as the postgres user and must reach its data folder
	bundleDir = path.join(work, 'bundle');
	fs.mkdirSync(bundleDir, { recursive: true });
	let standIn;
	let stack;
	const cleanup = async () => {
		if (stack) await stack.stop();
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
		if (!flag('keep')) fs.rmSync(work, { recursive: true, force: true });
	};
	const burstCount = 120;
	try {
		lib.runOrThrow(
			'esbuild (bytes)',
			await lib.run(path.join(lib.ROOT, 'node_modules', '.bin', 'esbuild'), [path.join(lib.ROOT, 'test', 'standin', 'bytes.ts'), '--bundle', '--platform=node', `--outfile=${path.join(bundleDir, 'bytes.js')}`, '--log-level=warning'], { timeoutMs: 60_000 }),
		);
		const bundle = await lib.buildStandIn(work);
		standIn = await lib.startStandIn(bundle, triggers.addToStandIn(setup.standInConfig({ burst: burstCount, bigFiles: LIMIT_FILES }), modes.length), work);
		const urls = standIn.urls;
		const workflows = [...Object.keys(setup.WEBHOOKS).map((k) => setup.webhookWorkflow(k)), ...triggers.workflows()];

		// One database and queue for the run; the n8n processes restart per binary-data mode.
		stack = new QueueStack({ bin: install.bin, workDir: work, binaryMode: modes[0], log: (s) => lib.debug(s) });
		const tPrep = Date.now();
		await stack.prepare({ credentials: [...setup.credentials(urls), ...triggers.credentials(urls)], workflows });
		for (const wf of workflows) await stack.publish(wf.id);
		line(`prepared in ${lib.fmtMs(Date.now() - tPrep)} (redis, postgres, package in 3 user folders, credentials, ${workflows.length} workflows published)`);
		for (const [index, mode] of modes.entries()) {
			stack.binaryMode = mode;
			// A low database limit for the whole database round (the other scenarios' files are small).
			stack.extraEnv = mode === 'database' ? { N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: String(LIMIT_MB) } : {};
			const tStack = Date.now();
			await stack.startAll();
			line(`-- binary data mode ${mode}: main + 2 workers up in ${lib.fmtMs(Date.now() - tStack)}`);
			if (index === 0 && only.includes('token')) await scenario(`token  DingTalk token calls across main + 2 workers (${mode})`, () => tokenScenario(stack, urls));
			if (only.includes('types')) await scenario(`types  every message type of both services, run on the workers (${mode})`, () => typesScenario(stack, urls, mode));
			if (index === 0 && only.includes('burst')) await scenario(`burst  2 workers × ${burstCount / 2} Green-API downloadFile messages at 5/s (${mode})`, () => burstScenario(stack, urls, burstCount));
			if (only.includes('crash')) await scenario(`crash  worker killed mid-execution and restarted (${mode})`, () => crashScenario(stack, urls));
			if (only.includes('triggers')) await scenario(`triggers  Green-API and DingTalk triggers on the main, executions on the workers (${mode})`, () => triggers.filesScenario(stack, urls, mode, index));
			if (index === 0 && only.includes('triggercrash')) {
				const slowSha = lib.sha256(generatedBytes(triggers.SLOW.size, triggers.SLOW.seed));
				await scenario(`triggercrash  worker killed mid-execution of each trigger's message and restarted (${mode})`, () => triggers.crashScenario(stack, urls, slowSha));
			}
			if (mode === 'database' && only.includes('limit')) {
				await scenario(`limit  files over N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE=${LIMIT_MB} (${mode})`, () => limitScenario(stack, urls));
			}
			await stack.stopN8n();
		}
	} catch (err) {
		fail('setup');
		line(`FAIL  setup — ${err && err.message ? err.message : err}`);
	} finally {
		await cleanup();
	}
	const { passed, failed } = counts();
	line(`total ${lib.fmtMs(Date.now() - t0)}${apt.ms ? ` (apt install ${lib.fmtMs(apt.ms)})` : ''}`);
	line(`queue: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main().catch((err) => {
	process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
	lib.killAllChildren();
	line('queue: 0 passed, 1 failed');
	process.exit(1);
});
