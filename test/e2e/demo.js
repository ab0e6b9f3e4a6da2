#!/usr/bin/env node
'use strict';
// Demo: one of the examples in examples/ running on a real n8n (2.8.4), fed by the
// local stand-in instead of the real DingTalk / Green-API, and what came out of it.
//
//   node test/e2e/demo.js [pdf | voice | dingtalk] [--keep]
//
//   pdf       examples/green-api-pdf-to-text.json   (default) a WhatsApp PDF, its text extracted
//   voice     examples/voice-note-download.json      a WhatsApp voice note, ready for transcription
//   dingtalk  examples/dingtalk-bot-save-file.json   a file sent to a DingTalk bot, saved to disk
//
// The first run installs n8n into ~/.cache/n8n-nodes-message-files (a few minutes);
// later runs take ~30 s. Needs `npm run build` first (done automatically if dist/ is missing).

const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');
const setup = require('./setup');

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const which = args.find((a) => !a.startsWith('--')) || 'pdf';

const DEMOS = {
	pdf: {
		example: 'pdfToText',
		what: 'Green-API webhook: a PDF document received on WhatsApp',
		payload: (urls) =>
			setup.greenWebhook(setup.WA, setup.WA_CHAT, 'WA-PDF', 'documentMessage', {
				downloadUrl: setup.directUrl(urls, 'WA-PDF'),
				fileName: 'invoice.pdf',
				mimeType: 'application/pdf',
			}),
		fixture: 'document.pdf',
	},
	voice: {
		example: 'voiceNote',
		what: 'Green-API webhook: a WhatsApp voice note whose link is empty (the node calls downloadFile)',
		payload: () =>
			setup.greenWebhook(setup.WA, setup.WA_CHAT, 'WA-VOICE', 'audioMessage', {
				downloadUrl: '',
				fileName: 'WA-VOICE.oga',
				mimeType: 'audio/ogg; codecs=opus',
			}),
		fixture: 'voice.ogg',
	},
	dingtalk: {
		example: 'dingTalkSave',
		what: 'DingTalk robot callback: a file message (the OSS link ends in .file)',
		payload: () => setup.dingTalkMessage('file', { downloadCode: 'DT-document.pdf', fileName: 'Quarterly report.pdf' }),
		headers: () => setup.dingTalkSignHeaders(),
		fixture: 'document.pdf',
	},
};

const out = (s = '') => process.stdout.write(`${s}\n`);

async function main() {
	const demo = DEMOS[which];
	if (!demo) {
		out(`unknown demo "${which}": use one of ${Object.keys(DEMOS).join(', ')}`);
		process.exit(2);
	}
	const t0 = Date.now();
	const ex = setup.EXAMPLES[demo.example];
	const install = await lib.ensureN8n();
	lib.watchdog(5 * 60_000, 'demo');
	await lib.ensureBuilt();

	const work = lib.mkTemp('n8n-msgfiles-demo-');
	const userFolder = path.join(work, 'user');
	const filesDir = path.join(work, 'files');
	fs.mkdirSync(userFolder, { recursive: true });
	fs.mkdirSync(filesDir, { recursive: true });
	const n8n = new lib.N8n(install.bin, userFolder, { N8N_RESTRICT_FILE_ACCESS_TO: filesDir });
	let standIn;
	try {
		standIn = await lib.startStandIn(await lib.buildStandIn(work), setup.standInConfig(), work);
		const urls = standIn.urls;
		await lib.installPackageInto(userFolder, work);
		await n8n.init();
		await n8n.importCredentials(setup.credentials(urls), path.join(work, 'credentials.json'));
		await n8n.importWorkflows([setup.exampleForImport(demo.example, filesDir)], path.join(work, 'workflow.json'));
		await n8n.publish(ex.id);
		const started = await n8n.start({ logFile: path.join(work, 'n8n.log') });
		const version = (await lib.run(install.bin, ['--version'], { timeoutMs: 60_000 })).stdout.trim();

		out(`Demo: examples/${ex.file} on n8n ${version} (package installed as a community node)`);
		out(`  stand-in   DingTalk ${urls.dingTalkUrl}, OSS ${urls.ossUrl}`);
		out(`             Green-API ${urls.greenApiUrl}, media ${urls.greenMediaUrl}`);
		out(`  n8n        ${started.baseUrl} (ready in ${lib.fmtMs(started.ms)})${keep ? `, user folder ${userFolder}` : ''}`);
		out();

		const hookUrl = `${started.baseUrl}/webhook/${ex.path}`;
		const payload = demo.payload(urls);
		out(`→ POST ${hookUrl}`);
		out(`  ${demo.what}`);
		const before = await n8n.lastExecutionId(ex.id);
		const t = Date.now();
		const res = await lib.postJson(hookUrl, payload, { headers: demo.headers ? demo.headers() : {} });
		const body = res.body.toString('utf8');
		out(`← HTTP ${res.status} in ${lib.fmtMs(Date.now() - t)}${body ? `: ${body.slice(0, 200)}` : ''}`);
		const exec = await n8n.waitForExecution(ex.id, before);
		const runData = exec.data.resultData.runData;
		out(`  execution ${exec.id}: ${exec.status}${exec.data.resultData.error ? ` — ${exec.data.resultData.error.message}` : ''}`);
		out();

		const items = lib.nodeOutput(runData, 'Download Message File') || [];
		out(`Download Message File → ${items.length} item(s)`);
		const wantSha = lib.fixtureSha(demo.fixture);
		for (const item of items) {
			const b = item.binary && item.binary.data;
			if (!b) {
				out(`  (no file: ${JSON.stringify(item.json).slice(0, 200)})`);
				continue;
			}
			const bytes = n8n.binaryBytes(b);
			const sha = lib.sha256(bytes);
			out(`  file name   ${b.fileName}`);
			out(`  MIME type   ${b.mimeType}  (extension ${b.fileExtension})`);
			out(`  size        ${bytes.length} bytes`);
			out(`  sha256      ${sha}  ${sha === wantSha ? `= test/fixtures/files/${demo.fixture}` : `≠ ${demo.fixture}!`}`);
			if (b.id) out(`  stored at   ${path.relative(userFolder, n8n.binaryPath(b.id))}`);
		}
		const extracted = lib.nodeOutput(runData, 'Extract PDF text');
		if (extracted && extracted[0]) {
			const j = extracted[0].json;
			out();
			out(`Extract PDF text → ${j.numpages} page(s)`);
			for (const l of String(j.text).split('\n')) out(`  | ${l}`);
		}
		const saved = lib.nodeOutput(runData, 'Save to disk');
		if (saved) {
			out();
			for (const s of saved) {
				const file = s.json.fileName;
				const ok = fs.existsSync(file) && lib.sha256(fs.readFileSync(file)) === wantSha;
				out(`Save to disk → ${file} ${ok ? '(bytes match the fixture)' : '(MISSING or different!)'}`);
			}
		}
		const stats = await lib.standInStats(urls);
		out();
		out(
			`Stand-in calls: DingTalk token ${stats.dingTalkTokenCalls + stats.dingTalkCorpTokenCalls}, ` +
				`messageFiles/download ${stats.dingTalkDownloadCalls}, OSS GETs ${stats.ossGets}; ` +
				`Green-API downloadFile ${stats.greenDownloadFileCalls}, media GETs ${stats.greenMediaGets}`,
		);
		out(`Done in ${lib.fmtMs(Date.now() - t0)}${keep ? `; kept ${work}` : ''}`);
		const ok = exec.status === 'success' && items.length > 0;
		await n8n.stop();
		process.exitCode = ok ? 0 : 1;
	} finally {
		await n8n.stop().catch(() => {});
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
		if (!keep) fs.rmSync(work, { recursive: true, force: true });
	}
}

main()
	.catch((err) => {
		out(`demo failed: ${err && err.stack ? err.stack : err}`);
		process.exitCode = 1;
	})
	.finally(() => {
		lib.killAllChildren();
		process.exit(process.exitCode ?? 0);
	});
