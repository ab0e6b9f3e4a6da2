'use strict';
// One in-process measurement, in a fresh Node process (so every figure starts from the
// same clean heap): the node runs through n8n-core's real execution engine
// (test/helpers/engine.ts, bundled by run.js), next to a plain stream copy of the same URL.
//
//   node --expose-gc bench/worker.js <job.json>     → prints one JSON line: the result
//
// Jobs:
//   { kind: 'large', what: 'floor'|'node', engine, storageDir, url, size, mode: 'filesystem'|'memory', message, credential, warmup }
//       the floor (http.get → fs.createWriteStream) or the node on that URL: time, GC time and peak memory growth.
//       One transfer per process: a second 1 GB transfer in the same process is ~1.7× slower whichever
//       code does it (V8 spends ~0.7 s more in GC), so the floor and the node each get a fresh process.
//   { kind: 'many', engine, storageDir, messages, credential, mode, concurrency }
//       the node on many Green-API webhook messages in one execution; time and items per second

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { PerformanceObserver } = require('node:perf_hooks');
const { watchSelf } = require('./memory');
const { prepareN8nEnv } = require('./workerEnv');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

// Before n8n-core loads.
const userFolder = prepareN8nEnv('bench-n8n-', job.storageDir);

const { CredentialStore, runNode } = require(job.engine);

const gc = () => {
	if (global.gc) {
		global.gc();
		global.gc();
	}
};

function rmStorage() {
	fs.rmSync(path.join(job.storageDir, 'workflows'), { recursive: true, force: true });
}

/** The floor: a plain GET of the URL streamed to a file. */
function streamCopy(url, file) {
	return new Promise((resolve, reject) => {
		http
			.get(url, (res) => {
				if (res.statusCode !== 200) {
					res.resume();
					reject(new Error(`floor GET ${url}: HTTP ${res.statusCode}`));
					return;
				}
				const out = fs.createWriteStream(file);
				res.pipe(out);
				out.on('finish', () => resolve(fs.statSync(file).size));
				out.on('error', reject);
				res.on('error', reject);
			})
			.on('error', reject);
	});
}

/** Time spent in garbage collection (ms) while `fn` runs. */
let gcMs = 0;
new PerformanceObserver((list) => {
	for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

async function measure(fn) {
	gc();
	await new Promise((r) => setImmediate(r));
	const gcBefore = gcMs;
	const memory = watchSelf();
	const started = process.hrtime.bigint();
	const value = await fn();
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	const mem = memory.stop();
	await new Promise((r) => setImmediate(r));
	return { ms, mem, value, gcMs: gcMs - gcBefore };
}

async function floor(url) {
	const file = path.join(job.storageDir, `floor-${process.pid}.bin`);
	try {
		const r = await measure(() => streamCopy(url, file));
		return { ms: r.ms, growth: r.mem.growth, gcMs: r.gcMs, bytes: r.value };
	} finally {
		fs.rmSync(file, { force: true });
	}
}

/**
 * What n8n itself costs, with none of the node's code: n8n-core's httpRequest helper (axios,
 * the one the node uses) streaming into BinaryDataService.store (what prepareBinaryData calls).
 */
async function n8nPath(url, mode) {
	const { Container } = require('@n8n/di');
	const { BinaryDataService } = require('n8n-core');
	const { httpRequest } = require('n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions');
	// The helper a node's `this.helpers.prepareBinaryData` calls (name and type given, as the node gives them).
	const { prepareBinaryData } = require('n8n-core/dist/execution-engine/node-execution-context/utils/binary-helper-functions');
	const service = Container.get(BinaryDataService);
	service.mode = mode === 'memory' ? 'default' : 'filesystem-v2';
	try {
		const r = await measure(async () => {
			const response = await httpRequest({ method: 'GET', url, encoding: 'stream', returnFullResponse: true, headers: { 'Accept-Encoding': 'identity' } });
			return await prepareBinaryData(response.body, String(process.pid), 'bench', 'file.bin', 'application/octet-stream');
		});
		return { ms: r.ms, gcMs: r.gcMs, growth: r.mem.growth, bytes: Number(r.value.bytes) };
	} catch (error) {
		return { error: String(error.message ?? error).slice(0, 300) };
	} finally {
		rmStorage();
	}
}

async function nodeRun(parameters, input, mode, credentials) {
	const r = await measure(() => runNode({ parameters, input, credentials, binaryMode: mode }));
	const { items, error } = r.value;
	if (error) throw new Error(`node failed: ${error.message}${error.description ? ` (${error.description})` : ''}`);
	return { ms: r.ms, mem: r.mem, gcMs: r.gcMs, items };
}

async function large() {
	const credentials = new CredentialStore({ greenApi: job.credential });
	const parameters = { service: 'greenApi', source: 'message', message: '={{ $json }}', options: {} };
	// Warm-up, the same in both kinds of worker: module loading, the JIT and n8n-core's
	// first binary write are not what is measured.
	await nodeRun(parameters, [job.warmup.message], job.mode, credentials);
	await floor(job.warmup.url);
	rmStorage();

	if (job.what === 'n8n') {
		const result = await n8nPath(job.url, job.mode);
		if (result.error) return result;
		if (result.bytes !== job.size) throw new Error(`n8n path stored ${result.bytes} bytes, want ${job.size}`);
		return result;
	}
	if (job.what === 'floor') {
		const result = await floor(job.url);
		if (result.bytes !== job.size) throw new Error(`floor wrote ${result.bytes} bytes, want ${job.size}`);
		return result;
	}
	let nodeResult;
	try {
		nodeResult = await nodeRun(parameters, [job.message], job.mode, credentials);
	} catch (error) {
		return { error: String(error.message ?? error).slice(0, 300) };
	} finally {
		rmStorage();
	}
	const binary = nodeResult.items[0]?.binary?.data;
	const bytes = Number(binary?.bytes ?? 0);
	if (bytes !== job.size) throw new Error(`node stored ${bytes} bytes, want ${job.size}`);
	return { ms: nodeResult.ms, gcMs: nodeResult.gcMs, growth: nodeResult.mem.growth, method: nodeResult.mem.method, stored: binary.id ? 'file' : 'inline' };
}

async function many() {
	const credentials = new CredentialStore({ greenApi: job.credential });
	const parameters = { service: 'greenApi', source: 'message', message: '={{ $json }}', options: { concurrency: job.concurrency } };
	await nodeRun(parameters, job.messages.slice(0, 2), job.mode, credentials);
	rmStorage();
	const r = await nodeRun(parameters, job.messages, job.mode, credentials);
	const ok = r.items.filter((i) => i.binary?.data && Number(i.binary.data.bytes) > 0).length;
	rmStorage();
	return { ms: r.ms, items: r.items.length, ok, perSecond: (job.messages.length / r.ms) * 1000 };
}

(async () => {
	try {
		const result = job.kind === 'large' ? await large() : await many();
		process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
	} catch (error) {
		process.stdout.write(`${JSON.stringify({ ok: false, error: String(error?.stack ?? error) })}\n`);
	} finally {
		fs.rmSync(userFolder, { recursive: true, force: true });
		process.exit(0);
	}
})();
