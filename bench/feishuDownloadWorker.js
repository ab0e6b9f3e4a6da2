'use strict';
// One in-process Feishu download figure, in a fresh Node process (bench/feishu.js, part
// `inprocess`): the Download Message File node (Feishu, Fields) through n8n-core's real engine
// (test/helpers/engine.ts, bundled by send.js's buildEngine), or n8n's own store path alone —
// a GET of the same resource URL with the tenant token, its response stream handed to n8n-core's
// BinaryDataService (what `prepareBinaryData` does) — in filesystem mode. Both warm up first
// (one transfer each), then the job's `what` is timed once.
//
//   node bench/feishuDownloadWorker.js <job.json>     → prints one JSON line: the result
//
// Job: { what: 'node'|'alone', engine, storageDir, url, token, credential, messageId, fileKey, size }

const diagnostics = require('node:diagnostics_channel');
const fs = require('node:fs');
const http = require('node:http');
const { prepareN8nEnv } = require('./workerEnv');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

// Before n8n-core loads.
const userFolder = prepareN8nEnv('bench-feishu-dl-', job.storageDir);

const { CredentialStore, runNode, storedBinary } = require(job.engine);

// When the resource response's headers arrive and when its body ends (Node's http client
// channels; an 'end' listener does not change how the body flows): before, during and after the transfer.
let marks = {};
const now = () => performance.now();
diagnostics.subscribe('http.client.response.finish', ({ request, response }) => {
	if (!request.path.includes('/resources/')) return;
	marks.headers = now();
	response.once('end', () => (marks.end = now()));
});

const credentials = new CredentialStore({ feishuApi: job.credential });
const parameters = { service: 'feishu', source: 'fields', messageId: job.messageId, fileKey: job.fileKey, options: {} };

async function viaNode() {
	const run = await runNode({ node: 'downloadMessageFile', parameters, input: [{ json: {} }], credentials, binaryMode: 'filesystem' });
	if (run.error) throw new Error(`node failed: ${run.error.message}`);
	return Number(run.items[0]?.binary?.data?.bytes ?? NaN);
}

function alone() {
	return new Promise((resolve, reject) => {
		http
			.get(job.url, { headers: { Authorization: `Bearer ${job.token}` } }, (res) => {
				if (res.statusCode !== 200) return reject(new Error(`GET: HTTP ${res.statusCode}`));
				storedBinary(res, { fileName: 'big.bin', mimeType: 'application/octet-stream' }, 'filesystem').then((binary) => resolve(Number(binary.bytes ?? NaN)), reject);
			})
			.on('error', reject);
	});
}

(async () => {
	try {
		await viaNode();
		await alone();
		const fn = job.what === 'node' ? viaNode : alone;
		marks = {};
		const started = now();
		const bytes = await fn();
		const ms = now() - started;
		const phases = { toHeadersMs: marks.headers - started, transferMs: marks.end - marks.headers, afterEndMs: started + ms - marks.end };
		process.stdout.write(`${JSON.stringify({ ok: true, result: { ms, bytes, ...phases } })}\n`);
	} catch (error) {
		process.stdout.write(`${JSON.stringify({ ok: false, error: String(error?.stack ?? error) })}\n`);
	} finally {
		fs.rmSync(userFolder, { recursive: true, force: true });
		process.exit(0);
	}
})();
