#!/usr/bin/env node
'use strict';
// Queue-mode benchmark (not a test): the stack of test/queue (Redis, PostgreSQL, n8n 2.8.4
// main + workers, the package as a community package, the stand-ins).
//
//   node bench/queue.js [--modes=database,filesystem] [--small=200] [--big=10] [--big-mb=200]
//
// Per binary-data mode:
//   small  N DingTalk picture messages (40 webhook calls in flight, each answered at once; the
//          download and a SHA-256 of the file by n8n's Crypto node) with 1 worker, then with 2:
//          files per second from the first call to the last execution's end
//   big    M files of X MB through Webhook (answered at once) → Download Message File, one
//          after the other; per file: time and each worker's peak RSS growth over its idle
//          RSS (VmHWM after /proc/<pid>/clear_refs), n8n's own Node process only (the
//          download runs there, not in the task runner)
// Prints a table and writes bench/.build/queue-results.json.

const fs = require('node:fs');
const path = require('node:path');
const lib = require('../test/e2e/lib');
const e2e = require('../test/e2e/setup');
const services = require('../test/queue/services');
const setup = require('../test/queue/setup');
const { QueueStack } = require('../test/queue/stack');

const arg = (name, fallback) => {
	const found = process.argv.find((a) => a.startsWith(`--${name}=`));
	return found ? found.slice(name.length + 3) : fallback;
};
const modes = arg('modes', 'database,filesystem').split(',');
const smallCount = Number(arg('small', 200));
const bigCount = Number(arg('big', 10));
const bigMb = Number(arg('big-mb', 200));

function memory(pid) {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
	return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

function resetPeak(pid) {
	fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);

async function smallFiles(stack, count) {
	// The webhook answers at once; the figure is from the first call to the last execution's end.
	const wf = setup.WEBHOOKS.dingTalk;
	const message = () => e2e.dingTalkMessage('picture', { downloadCode: setup.dtCode('image.png') });
	const before = (await stack.executions(wf.id)).length;
	let next = 0;
	const started = Date.now();
	await Promise.all(
		Array.from({ length: 40 }, async () => {
			while (next < count) {
				next++;
				const res = await lib.postJson(`${stack.baseUrl}/webhook/${wf.path}`, message(), { timeoutMs: 60_000 });
				if (res.status !== 200) throw new Error(`webhook: HTTP ${res.status}`);
			}
		}),
	);
	const rows = (await stack.waitForExecutions(wf.id, before + count, 600_000)).slice(before);
	const ended = Math.max(...rows.map((r) => new Date(r.stoppedAt).getTime()));
	const seconds = (ended - started) / 1000;
	const failed = rows.filter((r) => r.status !== 'success').length;
	return { count, failed, seconds, perSecond: count / seconds };
}

async function bigFiles(stack, count, sizeMb) {
	const rows = [];
	const wf = setup.WEBHOOKS.big;
	// V8 keeps what it grew to: after the first big file a worker's "idle" RSS is higher, so
	// growth is also given over the RSS the worker had before the first file.
	await lib.sleep(1500);
	const firstIdle = stack.workers.map((w) => memory(w.child.pid).rss);
	for (let i = 0; i < count; i++) {
		// Let the workers settle, then take their idle RSS and reset their peaks.
		await lib.sleep(1500);
		const idle = stack.workers.map((w) => memory(w.child.pid).rss);
		for (const w of stack.workers) resetPeak(w.child.pid);
		const before = (await stack.executions(wf.id)).length;
		const started = Date.now();
		const res = await lib.postJson(`${stack.baseUrl}/webhook/${wf.path}`, setup.bigMessage(`BIG-${i}`), { timeoutMs: 60_000 });
		if (res.status !== 200) throw new Error(`webhook: HTTP ${res.status}`);
		const [row] = (await stack.waitForExecutions(wf.id, before + 1, 600_000)).slice(before);
		const seconds = (Date.now() - started) / 1000;
		const hwm = stack.workers.map((w) => memory(w.child.pid).hwm);
		const ranOn = stack.workerOf(row.id)[0];
		const k = stack.workers.findIndex((w) => w.name === ranOn);
		const row2 = { file: i + 1, status: row.status, seconds, worker: ranOn, growth: hwm[k] - idle[k], growthOverFirstIdle: hwm[k] - firstIdle[k], idle: idle[k] };
		rows.push(row2);
		process.stdout.write(
			`  ${sizeMb} MB #${i + 1}: ${row.status} in ${seconds.toFixed(1)} s on ${ranOn}, peak RSS +${mb(row2.growth)} MB over idle ${mb(idle[k])} MB, +${mb(row2.growthOverFirstIdle)} MB over the first idle ${mb(firstIdle[k])} MB\n`,
		);
	}
	return rows;
}

async function main() {
	await services.ensurePackages({ log: console.log });
	const { bin } = await lib.ensureN8n();
	await lib.ensureBuilt();
	lib.watchdog(60 * 60_000, 'queue benchmark');
	const work = lib.mkTemp('n8n-msgfiles-queue-bench-');
	fs.chmodSync(work, 0o755);
	const bigFilesConfig = Array.from({ length: bigCount }, (_, i) => ({ idMessage: `BIG-${i}`, size: bigMb * 1024 * 1024, seed: 100 + i }));
	const standIn = await lib.startStandIn(await lib.buildStandIn(work), setup.standInConfig({ bigFiles: bigFilesConfig }), work);
	const stack = new QueueStack({ bin, workDir: work, binaryMode: modes[0], log: (s) => console.log(`  ${s}`) });
	const results = { n8n: '2.8.4', when: new Date().toISOString(), machine: `${require('node:os').cpus().length} cores`, modes: {} };
	try {
		const workflows = Object.keys(setup.WEBHOOKS).map((k) => setup.webhookWorkflow(k));
		await stack.prepare({ credentials: setup.credentials(standIn.urls), workflows });
		for (const wf of workflows) await stack.publish(wf.id);
		for (const mode of modes) {
			console.log(`-- ${mode}`);
			stack.binaryMode = mode;
			const out = (results.modes[mode] = {});
			await stack.startMain();
			await stack.startWorker(0);
			await smallFiles(stack, 20); // warm-up: token, module loading
			out.smallOneWorker = await smallFiles(stack, smallCount);
			console.log(`  ${smallCount} small files, 1 worker: ${out.smallOneWorker.perSecond.toFixed(1)}/s`);
			await stack.startWorker(1);
			await smallFiles(stack, 20);
			out.smallTwoWorkers = await smallFiles(stack, smallCount);
			console.log(`  ${smallCount} small files, 2 workers: ${out.smallTwoWorkers.perSecond.toFixed(1)}/s`);
			out.big = await bigFiles(stack, bigCount, bigMb);
			await stack.stopN8n();
		}
	} finally {
		await stack.stop();
		await lib.stopProcess(standIn.child, 3000).catch(() => {});
		fs.rmSync(work, { recursive: true, force: true });
	}
	const dir = path.join(__dirname, '.build');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, 'queue-results.json'), JSON.stringify(results, null, 2));
	console.log('\n| mode | small files/s, 1 worker | 2 workers | ' + `${bigMb} MB: time (median) | worker peak RSS over its RSS before the first file (max) |`);
	console.log('|---|---|---|---|---|');
	for (const [mode, r] of Object.entries(results.modes)) {
		const times = r.big.map((b) => b.seconds).sort((a, b) => a - b);
		const growth = Math.max(...r.big.map((b) => b.growthOverFirstIdle));
		console.log(`| ${mode} | ${r.smallOneWorker.perSecond.toFixed(1)} | ${r.smallTwoWorkers.perSecond.toFixed(1)} | ${times[Math.floor(times.length / 2)].toFixed(1)} s | ${mb(growth)} MB |`);
	}
}

main().then(
	() => process.exit(0),
	(err) => {
		console.error(err && err.stack ? err.stack : err);
		lib.killAllChildren();
		process.exit(1);
	},
);
