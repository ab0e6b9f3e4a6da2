'use strict';
// One upload measurement, in a fresh Node process (every figure starts from the same clean
// heap): the Send Message node sending a file n8n stored (filesystem mode) through n8n-core's
// real engine (test/helpers/engine.ts, bundled by send.js), or — the floors — the same file
// posted as a multipart form by `curl -F` (streams it from disk) or by Node's own fetch (which
// buffers the whole file on the way: ~108 MB growth for 100 MB, and slower).
//
//   node --expose-gc bench/sendWorker.js <job.json>     → prints one JSON line: the result
//
// Job: { what: 'node'|'fetch'|'curl', engine, storageDir, file, size, url (sendFileByUpload, fetch only),
//        credential (greenApi), chatId, warmupFile,
//        parameters, credentials (optional: another service's Send Message parameters and its
//        credentials by type, e.g. bench/feishu.js; then there is no fetch warm-up without url) }

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { PerformanceObserver } = require('node:perf_hooks');
const { watchSelf } = require('./memory');
const { prepareN8nEnv } = require('./workerEnv');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

// Before n8n-core loads.
const userFolder = prepareN8nEnv('bench-send-', job.storageDir);

const { CredentialStore, runNode, storedBinary } = require(job.engine);

function gc() {
	if (global.gc) {
		global.gc();
		global.gc();
	}
}

let gcMs = 0;
new PerformanceObserver((list) => {
	for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

async function measure(fn) {
	gc();
	gcMs = 0;
	const memory = watchSelf();
	const started = process.hrtime.bigint();
	const value = await fn();
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	return { value, ms, gcMs, mem: memory.stop() };
}

/** The floor: Node's fetch posting a multipart form whose file part is read from disk as it is sent. */
async function viaFetch(file, name) {
	const form = new FormData();
	form.append('chatId', job.chatId);
	form.append('fileName', name);
	form.append('file', await fs.openAsBlob(file, { type: 'application/octet-stream' }), name);
	const response = await fetch(job.url, { method: 'POST', body: form });
	const body = await response.json();
	if (response.status !== 200 || !body.idMessage) throw new Error(`fetch upload: HTTP ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
	return body;
}

/**
 * The other floor: curl posting the same form (`-F file=@…`, read from disk as it is sent),
 * its own process; `growth` is curl's peak RSS (VmHWM), since none of it is this process's.
 */
async function viaCurl(file, name) {
	const started = process.hrtime.bigint();
	const child = spawn('curl', ['-sS', '--fail-with-body', '-F', `chatId=${job.chatId}`, '-F', `fileName=${name}`, '-F', `file=@${file};type=application/octet-stream;filename=${name}`, job.url]);
	let hwm = 0;
	const poll = () => {
		try {
			const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
			if (kb) hwm = Math.max(hwm, Number(kb[1]) * 1024);
		} catch {
			// gone already
		}
	};
	const timer = setInterval(poll, 5);
	let out = '';
	child.stdout.on('data', (chunk) => (out += chunk));
	child.stderr.on('data', (chunk) => (out += chunk));
	const code = await new Promise((resolve) => child.on('exit', (c) => { poll(); resolve(c); }));
	clearInterval(timer);
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	if (code !== 0 || !/"idMessage"/.test(out)) throw new Error(`curl upload: exit ${code} ${out.slice(0, 200)}`);
	return { ms, growth: hwm, method: 'curl VmHWM' };
}

/** The file as a previous node would have left it: stored by n8n in filesystem mode (not measured). */
async function storedInput(file) {
	const binary = await storedBinary(fs.createReadStream(file), { fileName: path.basename(file), mimeType: 'application/octet-stream' }, 'filesystem');
	return [{ json: {}, binary: { data: binary } }];
}

async function viaNode(file, credentials) {
	const input = await storedInput(file);
	const parameters = job.parameters ?? { service: 'greenApi', recipient: 'chat', chatId: job.chatId, content: 'file', binaryPropertyName: 'data', options: {} };
	return await measure(async () => {
		const run = await runNode({ node: 'sendMessage', parameters, input, credentials, binaryMode: 'filesystem' });
		if (run.error) throw new Error(`node failed: ${run.error.message}${run.error.description ? ` (${run.error.description})` : ''}`);
		const sent = run.items[0]?.json?.sentMessage;
		// Green-API's output names the size sent; others' sizes are checked at the stand-in by the caller.
		if (!sent?.id || (sent.fileSize !== undefined && sent.fileSize !== fs.statSync(file).size)) throw new Error(`node output: ${JSON.stringify(run.items[0]?.json).slice(0, 300)}`);
		return sent;
	});
}

(async () => {
	try {
		const credentials = new CredentialStore(job.credentials ?? { greenApi: job.credential });
		// Warm-up in both kinds of worker: module loading, the JIT, the first connection.
		if (job.url) await viaFetch(job.warmupFile, 'warmup.bin');
		if (job.what === 'node') {
			const warm = await viaNode(job.warmupFile, credentials);
			void warm;
			const r = await viaNode(job.file, credentials);
			process.stdout.write(`${JSON.stringify({ ok: true, result: { ms: r.ms, gcMs: r.gcMs, growth: r.mem.growth, method: r.mem.method } })}\n`);
		} else if (job.what === 'curl') {
			await viaCurl(job.warmupFile, 'warmup.bin');
			const r = await viaCurl(job.file, path.basename(job.file));
			process.stdout.write(`${JSON.stringify({ ok: true, result: r })}\n`);
		} else {
			const r = await measure(() => viaFetch(job.file, path.basename(job.file)));
			process.stdout.write(`${JSON.stringify({ ok: true, result: { ms: r.ms, gcMs: r.gcMs, growth: r.mem.growth, method: r.mem.method } })}\n`);
		}
	} catch (error) {
		process.stdout.write(`${JSON.stringify({ ok: false, error: String(error?.stack ?? error) })}\n`);
	} finally {
		fs.rmSync(userFolder, { recursive: true, force: true });
		process.exit(0);
	}
})();
