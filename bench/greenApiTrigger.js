#!/usr/bin/env node
'use strict';
// Benchmark of the Green-API Trigger (not a timed test): the BUILT trigger (dist/) with
// n8n-core's real contexts (test/trigger/greenApiHarness.ts) against the stand-in
// (test/standin), in one fresh Node process. Prints a Markdown table.
//
//   node bench/greenApiTrigger.js [--count=2000] [--memory=10000] [--limit=40]
//
//   1. polling throughput: N text notifications queued, time until all were emitted and
//      deleted; without a limit, and with the stand-in limiting receiveNotification +
//      deleteNotification to `limit` calls a second (2 calls per notification, so the
//      ceiling is limit/2 notifications a second): the ratio says how close the trigger gets.
//   2. webhook → execution data latency: a notification POSTed by the stand-in the way
//      Green-API does, until the node returned its workflowData (text, and an image
//      that is downloaded first), median and p95 over 200 deliveries each.
//   3. memory over 10,000 notifications through polling: heap and RSS after GC, every 1,000.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('../test/e2e/lib');

const ROOT = lib.ROOT;
const BUILD = path.join(__dirname, '.build');
const args = process.argv.slice(2);
const option = (name, fallback) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const COUNT = option('count', 2000);
const MEMORY_COUNT = option('memory', 10_000);
const LIMIT = option('limit', 40);

async function bundle() {
	fs.mkdirSync(BUILD, { recursive: true });
	const entry = path.join(BUILD, 'greenApiTriggerEntry.ts');
	fs.writeFileSync(
		entry,
		"export * from '../../test/trigger/greenApiHarness';\nexport { startStandIn } from '../../test/standin/server';\nexport * from '../../test/trigger/greenApiNotifications';\n",
	);
	const out = path.join(BUILD, 'greenApiTrigger.js');
	lib.runOrThrow(
		'esbuild (trigger bench bundle)',
		await lib.run(
			path.join(ROOT, 'node_modules', '.bin', 'esbuild'),
			[entry, '--bundle', '--platform=node', '--packages=external', '--external:../../dist/*', `--outfile=${out}`, '--log-level=warning'],
			{ cwd: ROOT, timeoutMs: 60_000 },
		),
	);
	return out;
}

const percentile = (values, p) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const MB = 1024 * 1024;

async function main() {
	await lib.ensureBuilt();
	const built = await bundle();
	// Before n8n-core loads: a private user folder (like test/helpers/setupEnv.ts).
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-trigger-'));
	process.env.N8N_ENCRYPTION_KEY = 'bench-encryption-key-not-secret';
	process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
	// The built harness requires ../../dist/… relative to bench/.build: the same depth as test/trigger.
	const h = require(built);
	const instance = { idInstance: 1101000777, apiTokenInstance: 'bench-token-0123', messenger: 'whatsapp' };
	const chat = '79001234567@c.us';
	const lines = [];
	const say = (text) => {
		lines.push(text);
		process.stdout.write(`${text}\n`);
	};
	const credentialsOf = (standIn) => ({ apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, idInstance: String(instance.idInstance), apiTokenInstance: instance.apiTokenInstance, messenger: 'whatsapp' });
	const polling = (standIn) => ({ parameters: { mode: 'polling', receiveTimeout: 5, downloadFiles: true, options: {} }, credentials: credentialsOf(standIn) });
	const waitUntil = async (condition, timeoutMs) => {
		const deadline = Date.now() + timeoutMs;
		while (!condition()) {
			if (Date.now() > deadline) throw new Error('timed out');
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
	};

	say(`# Green-API Trigger benchmark (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores)`);
	say('');

	// ---- 1. polling throughput
	say('| Polling | notifications | time | notifications/s | stand-in ceiling | ratio | 429s |');
	say('|---|---:|---:|---:|---:|---:|---:|');
	for (const limit of [undefined, LIMIT]) {
		const standIn = await h.startStandIn({ greenQueueRateLimitPerSecond: limit });
		standIn.greenApi.addInstance(instance);
		const count = limit ? Math.min(COUNT, limit * 10) : COUNT;
		for (let i = 0; i < count; i++) standIn.greenApi.queues.enqueue(instance.idInstance, h.textMessage(instance, `T${i}`, chat));
		const started = process.hrtime.bigint();
		const active = await h.activateTrigger(polling(standIn));
		await waitUntil(() => active.items().length >= count && standIn.greenApi.queues.pending(instance.idInstance).length === 0, 600_000);
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		await active.close();
		const rate = count / seconds;
		const ceiling = limit ? limit / 2 : undefined;
		say(`| ${limit ? `stand-in limited to ${limit} calls/s` : 'no limit'} | ${count} | ${seconds.toFixed(2)} s | ${rate.toFixed(0)} | ${ceiling ? ceiling.toFixed(0) : '—'} | ${ceiling ? `${((rate / ceiling) * 100).toFixed(0)} %` : '—'} | ${standIn.stats.rateLimited429} |`);
		await standIn.close();
	}
	say('');

	// ---- 2. webhook latency
	{
		const standIn = await h.startStandIn();
		standIn.greenApi.addInstance(instance);
		const server = await h.serveWebhook({ parameters: { mode: 'webhook', downloadFiles: true, options: {} }, credentials: { ...credentialsOf(standIn), webhookUrlToken: 'bench-hook-token' } });
		standIn.greenApi.queues.updateSettings(instance.idInstance, { webhookUrl: server.url, webhookUrlToken: 'bench-hook-token' });
		const png = fs.readFileSync(lib.fixturePath('image.png'));
		const rows = [];
		for (const kind of ['text', 'image']) {
			const answered = [];
			const ready = [];
			for (let i = 0; i < 200; i++) {
				const id = `${kind}-${i}`;
				let body;
				if (kind === 'text') body = h.textMessage(instance, id, chat);
				else {
					const { directUrl } = standIn.greenApi.addFile({ idInstance: instance.idInstance, chatId: chat, idMessage: id, body: png, linkExtension: 'png' });
					body = h.fileMessage(instance, id, chat, { typeMessage: 'imageMessage', downloadUrl: directUrl, mimeType: 'image/png' });
				}
				const before = server.timings.length;
				await standIn.greenApi.queues.notify(instance.idInstance, body);
				await waitUntil(() => server.timings.length > before, 30_000);
				const timing = server.timings[server.timings.length - 1];
				answered.push(timing.answeredMs);
				ready.push(timing.dataMs);
			}
			rows.push(`| ${kind === 'text' ? 'text message' : `image message (${png.length} B, downloaded)`} | ${percentile(answered, 50)} ms | ${percentile(answered, 95)} ms | ${percentile(ready, 50)} ms | ${percentile(ready, 95)} ms |`);
		}
		say('| Webhook (200 deliveries each) | 200 answered, median | p95 | execution data ready, median | p95 |');
		say('|---|---:|---:|---:|---:|');
		for (const row of rows) say(row);
		say('');
		await server.close();
		await standIn.close();
	}

	// ---- 3. memory over many notifications
	{
		const standIn = await h.startStandIn();
		standIn.greenApi.addInstance(instance);
		const active = await h.activateTrigger(polling(standIn));
		const sample = () => {
			global.gc?.();
			const m = process.memoryUsage();
			return { heap: m.heapUsed / MB, rss: m.rss / MB };
		};
		const samples = [{ n: 0, ...sample() }];
		let emittedTotal = 0;
		const batch = 1000;
		for (let done = 0; done < MEMORY_COUNT; done += batch) {
			for (let i = 0; i < batch; i++) standIn.greenApi.queues.enqueue(instance.idInstance, h.textMessage(instance, `M${done + i}`, chat));
			await waitUntil(() => emittedTotal + active.items().length >= done + batch, 600_000);
			// Executions would take the items away; the harness keeps them, so drop them here.
			emittedTotal += active.items().length;
			active.emitted.length = 0;
			await waitUntil(() => standIn.greenApi.queues.pending(instance.idInstance).length === 0, 60_000);
			// The stand-in keeps every receipt it deleted: free that too, it is not the trigger's memory.
			standIn.requests.length = 0;
			samples.push({ n: done + batch, ...sample() });
		}
		await active.close();
		await standIn.close();
		say(`| Memory, polling ${MEMORY_COUNT} notifications | ${samples.map((s) => s.n).join(' | ')} |`);
		say(`|---|${samples.map(() => '---:').join('|')}|`);
		say(`| heap after GC (MB) | ${samples.map((s) => s.heap.toFixed(1)).join(' | ')} |`);
		say(`| RSS (MB) | ${samples.map((s) => s.rss.toFixed(0)).join(' | ')} |`);
		say('');
		say(`Heap growth from 1,000 to ${MEMORY_COUNT} notifications: ${(samples.at(-1).heap - samples[1].heap).toFixed(1)} MB (the de-duplication window holds the last 10,000 keys).`);
	}
	fs.writeFileSync(path.join(BUILD, 'greenApiTrigger.md'), `${lines.join('\n')}\n`);
	process.exit(0);
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
