#!/usr/bin/env node
'use strict';
// End-to-end test against a REAL n8n (installed by .ci/install-n8n.sh): 2.8.4 on Node 20 by
// default, N8N_VERSION=2.41.1 for the newest n8n that installs here, on Node 24 (npm test runs both):
// the packed package is installed as a community package, credentials point at
// the local stand-in (fake DingTalk, OSS, Green-API, Green media), and workflows
// run through the n8n CLI (`import:*`, `execute`) and through `n8n start` webhooks.
//
//   node test/e2e/run.js [--only=a,b,c,d,e,g,i,s,t] [--version-dependent] [--keep] [--verbose] [--build]
//
// --version-dependent (npm test's n8n 2.41.1 leg): only the scenarios whose outcome depends on
// the n8n version; the others print SKIP with where they are proven (VERSION_INDEPENDENT below).
//
//   a  DingTalk downloads (fields, message, richText, third-party app), binary modes default + filesystem
//   b  Green-API WhatsApp + MAX (fields and webhook messages), binary modes default + filesystem
//   c  the DingTalk token is stored in n8n's credential store: 3 `execute` runs, 1 token call;
//      then rejected as expired: n8n 2.41+ renews it once and saves it, older n8n leaves it to the node
//   d  `n8n start`: webhooks answered with the downloaded file (last node / Respond to Webhook)
//   e  the examples in examples/, run through their webhooks under `n8n start`
//   g  Green-API Trigger (test/e2e/greenApiTrigger.js): webhook tokens, polling exactly once under faults, every file type
//   i  Download Message File as an AI Agent tool (test/e2e/agent.js), with a stand-in OpenAI chat model
//   t  DingTalk Trigger (test/e2e/dingTalkTrigger.js): Stream mode (every type, socket killed mid-stream), signed callbacks
//   s  Send Message (test/e2e/sendMessage.js): Trigger → Download Message File → Send Message round trips for both
//      services, text replies (one-to-one, group), mislabelled binaries from another node, refusals before upload
//   f  Feishu (test/e2e/feishu.js): Trigger (webhook, long connection) → Download → Send Message round trips, replays run once, signatures, text replies
//
// Environment: N8N_VERSION (n8n to install and test, default 2.8.4), N8N_BIN (use this n8n
// instead of .ci/install-n8n.sh), N8N_E2E_CACHE (install cache root), E2E_VERBOSE=1.
// Where n8n versions differ, the scenario states which behaviour it expects of which:
// token renewal (c), workflow activation by 2.41's publication service (d, e, g, t:
// lib.js N8n.start), the WebSocket flag Node 20 needs (t).
// Prints one line per scenario and ends with "N passed, M failed"; exit code 1 if any failed.

const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');
const setup = require('./setup');

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const only = (args.find((a) => a.startsWith('--only=')) || '').slice('--only='.length).split(',').filter(Boolean);
const wants = (s) => only.length === 0 || only.includes(s);
if (flag('verbose')) lib.setVerbose(true);
if (flag('help') || flag('h')) {
	const header = fs.readFileSync(__filename, 'utf8').split('\n').slice(2);
	console.log(header.slice(0, header.findIndex((l) => !l.startsWith('//'))).join('\n').replace(/^\/\/ ?/gm, ''));
	process.exit(0);
}

const timings = {};

// The scenario files run after a-e, in this order; each exports run(context) and takes from
// the context what it needs. A new messenger's scenarios: one line here.
const SCENARIO_FILES = [
	['g', './greenApiTrigger'],
	['s', './sendMessage'],
	['f', './feishu'],
	['i', './agent'],
	['t', './dingTalkTrigger'],
];

// Scenarios whose outcome is the package's own logic, not n8n's: npm test runs them on n8n 2.8.4
// (and their logic in-process on n8n-core 2.8.1); the n8n 2.41.1 leg (--version-dependent) skips
// them. Everything else runs on both: engine calls and both binary modes (a, b), token renewal
// (c), webhooks and activation (d, e, g, t), n8n's shutdown of a trigger mid-download (g, t),
// Stream on Node 24's WebSocket (t), uploads through n8n's HTTP layer (s), the agent/tool path (i).
// [the scenario's name, where it is proven]
const VERSION_INDEPENDENT = [
	[/^g {2}Green-API Trigger polling: 30 notifications exactly once/, 'n8n 2.8.4 leg; test/trigger/greenApiTrigger.polling.test.ts'],
	[/^g {2}Green-API Trigger polling: a file message of every type/, 'n8n 2.8.4 leg; test/node/fixtures.test.ts (compat too); a polled file on 2.41: the restart scenario'],
	[/^t {2}DingTalk Trigger \(Stream\): every message type/, 'n8n 2.8.4 leg; test/trigger/dingTalkTrigger.stream.test.ts (compat too); Stream files on 2.41: s and the restart scenario'],
	[/^t {2}DingTalk Trigger \(HTTP callback\): a replayed request/, 'n8n 2.8.4 leg; test/trigger/dingTalkTrigger.edges.test.ts'],
	[/^s {2}binaries another node labelled wrongly/, 'n8n 2.8.4 leg; test/node/sendGreenApi.test.ts, sendDingTalk.test.ts (compat too)'],
	[/^s {2}refused before any upload/, 'n8n 2.8.4 leg; test/node/sendDingTalk.test.ts, sendGreenApi.test.ts (compat too)'],
	[/^i {2}AI Agent tool: a DingTalk voice note/, 'n8n 2.8.4 leg; test/node/agentTool.test.ts (compat too); the tool path on 2.41: the CSV and Send Message scenarios'],
	[/^i {2}AI Agent tool: a \d+-character text file/, 'n8n 2.8.4 leg; test/node/agentTool.test.ts (compat too)'],
];
const versionDependentOnly = flag('version-dependent') && !flag('all');
function skipHere(name) {
	if (!versionDependentOnly) return undefined;
	const hit = VERSION_INDEPENDENT.find(([pattern]) => pattern.test(name));
	return hit ? `version-independent; proven by the ${hit[1]}` : undefined;
}

function line(s) {
	process.stdout.write(`${s}\n`);
}

/** Run one scenario: fn returns a short detail string, or throws (message = why it failed). */
const { scenario, fail, counts } = lib.scenarioRunner({ verbose: () => Boolean(process.env.E2E_VERBOSE), skip: skipHere });
const { assert } = lib;

/** Whether an n8n version string is major.minor or later. */
function n8nAtLeast(version, major, minor) {
	const [a, b] = version.split('.').map(Number);
	return a > major || (a === major && b >= minor);
}

/** Check every case of a case workflow against one execution's run data. */
function checkCases(n8n, built, runData, mode) {
	const problems = [];
	let files = 0;
	for (const c of built.cases) {
		const items = lib.nodeOutput(runData, c.name);
		if (!items) {
			problems.push(`${c.name}: did not run`);
			continue;
		}
		const err = lib.nodeError(runData, c.name) || items.find((i) => i.json && i.json.error)?.json.error;
		if (err) {
			problems.push(`${c.name}: error ${typeof err === 'string' ? err : JSON.stringify(err).slice(0, 300)}`);
			continue;
		}
		if (items.length !== c.expect.length) problems.push(`${c.name}: ${items.length} items, want ${c.expect.length}`);
		c.expect.forEach((e, i) => {
			const item = items[i];
			if (!item) return;
			const entry = item.binary && item.binary[e.property || 'data'];
			const p = lib.checkBinary(n8n, entry, { ...e, mode });
			if (p.length) problems.push(`${c.name} [${i}] ${e.fixture}: ${p.join('; ')}`);
			else files++;
			lib.debug(`${c.name} [${i}]`, JSON.stringify({ ...entry, data: entry && entry.id ? entry.data : '…' }));
		});
	}
	return { problems, files };
}

async function executeCases(n8n, built, mode) {
	const r = await n8n.execute(built.workflow.id, { binaryMode: mode });
	(timings.executes ??= []).push(r.ms);
	if (!r.run) {
		throw new Error(
			`n8n execute gave no result (exit ${r.code}${r.timedOut ? ', timed out' : ''}, ${r.ms} ms)\n` +
				`${r.stdout.split('\n').slice(-20).join('\n')}\n${r.stderr.split('\n').slice(-20).join('\n')}`,
		);
	}
	const resultData = r.run.data.resultData;
	const { problems, files } = checkCases(n8n, built, resultData.runData, mode);
	if (resultData.error) problems.unshift(`workflow error: ${resultData.error.message}`);
	if (problems.length) throw new Error(`${problems.length} problem(s) (execute ${lib.fmtMs(r.ms)})\n${problems.join('\n')}`);
	return { files, ms: r.ms };
}

function checkResponseFile(res, fixture, what) {
	const want = lib.fixtureSha(fixture);
	const type = lib.FIXTURE_TYPES[fixture];
	const ct = (res.headers.get('content-type') || '').split(';')[0].trim();
	const problems = [];
	if (res.status !== 200) problems.push(`HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
	else {
		const okType = type.mimeType instanceof RegExp ? type.mimeType.test(ct) : ct === type.mimeType;
		if (!okType) problems.push(`Content-Type ${ct}, want ${type.mimeType}`);
		if (lib.sha256(res.body) !== want) problems.push(`body sha256 differs from ${fixture} (${res.body.length} bytes)`);
	}
	if (problems.length) throw new Error(`${what}: ${problems.join('; ')}`);
	return `${fixture} ${ct} ${res.body.length} B`;
}

async function main() {
	const t0 = Date.now();
	line(`n8n-nodes-message-files e2e against real n8n`);

	// ---- n8n, package, stand-in
	const install = await lib.ensureN8n();
	timings.install = install.ms;
	lib.watchdog(20 * 60_000, 'e2e run');
	const versions = await lib.n8nVersions(install.bin);
	line(`n8n ${versions.n8n} on Node ${versions.node} at ${install.bin}${install.ms > 1000 ? ` (installed in ${lib.fmtMs(install.ms)})` : ''}`);
	await lib.ensureBuilt({ forceBuild: flag('build') });

	const work = lib.mkTemp('n8n-msgfiles-e2e-');
	const userFolder = path.join(work, 'user');
	const filesDir = path.join(work, 'files');
	fs.mkdirSync(userFolder, { recursive: true });
	fs.mkdirSync(filesDir, { recursive: true });
	line(`work folder ${work}${flag('keep') ? ' (kept)' : ''}`);

	let standIn;
	const n8n = new lib.N8n(install.bin, userFolder, { N8N_RESTRICT_FILE_ACCESS_TO: filesDir });
	const cleanup = async () => {
		await n8n.stop().catch(() => {});
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
		if (!flag('keep')) fs.rmSync(work, { recursive: true, force: true });
	};

	try {
		const tPrep = Date.now();
		const bundle = await lib.buildStandIn(work);
		standIn = await lib.startStandIn(bundle, setup.standInConfig(), work);
		const urls = standIn.urls;
		lib.debug('stand-in', JSON.stringify(urls));
		const pkg = await lib.installPackageInto(userFolder, work);
		line(`package ${lib.PACKAGE_NAME}@${pkg.version} packed (${pkg.files.length} files, ${pkg.size} B) → ${path.relative(work, pkg.dest)}`);
		await n8n.init();

		await n8n.importCredentials(setup.credentials(urls), path.join(work, 'credentials.json'));
		const dtBuilt = setup.dingTalkCases();
		const greenBuilt = setup.greenCases(urls);
		const tokenBuilt = setup.tokenCases();
		const hooks = setup.webhookWorkflows();
		const examples = Object.keys(setup.EXAMPLES).map((k) => setup.exampleForImport(k, filesDir));
		await n8n.importWorkflows(
			[dtBuilt.workflow, greenBuilt.workflow, tokenBuilt.workflow, hooks.dt, hooks.green, ...examples],
			path.join(work, 'workflows.json'),
		);
		timings.prepare = Date.now() - tPrep;
		line(`prepared in ${lib.fmtMs(timings.prepare)} (stand-in, npm pack, import:credentials, import:workflow)`);

		// ---- (a) DingTalk, both binary modes
		for (const mode of ['default', 'filesystem']) {
			if (!wants('a')) break;
			await scenario(`a  DingTalk downloads, ${mode} binary mode`, async () => {
				const { files, ms } = await executeCases(n8n, dtBuilt, mode);
				return `${files} files checked (${dtBuilt.cases.length} nodes), execute ${lib.fmtMs(ms)}`;
			});
		}

		// ---- (b) Green-API, both binary modes
		for (const mode of ['default', 'filesystem']) {
			if (!wants('b')) break;
			await scenario(`b  Green-API WhatsApp + MAX, ${mode} binary mode`, async () => {
				const { files, ms } = await executeCases(n8n, greenBuilt, mode);
				return `${files} files checked (${greenBuilt.cases.length} nodes), execute ${lib.fmtMs(ms)}`;
			});
		}

		// ---- (c) token persisted in the credential store
		if (wants('c')) {
			await scenario('c  DingTalk token kept in the credential store across 3 executions', async () => {
				const before = await lib.standInStats(urls);
				const reqBefore = (await lib.standInRequests(urls)).length;
				for (let i = 1; i <= 3; i++) {
					try {
						await executeCases(n8n, tokenBuilt, 'filesystem');
					} catch (e) {
						throw new Error(`run ${i}: ${e.message}`);
					}
				}
				const after = await lib.standInStats(urls);
				const requests = (await lib.standInRequests(urls)).slice(reqBefore);
				const tokenCalls = after.dingTalkTokenCalls - before.dingTalkTokenCalls;
				const downloads = requests.filter(
					(r) => r.path.startsWith('/v1.0/robot/messageFiles/download') && r.body.includes('DT-TOKEN-image.png'),
				);
				const tokens = new Set(downloads.map((r) => r.headers['x-acs-dingtalk-access-token']));
				assert(downloads.length === 3, `${downloads.length} download calls, want 3`);
				assert(tokenCalls === 1, `${tokenCalls} DingTalk token calls for 3 executions, want exactly 1`);
				assert(tokens.size === 1, `download calls used ${tokens.size} different tokens`);
				// The token is in n8n's (encrypted) credential store: export it decrypted.
				const exportFile = path.join(work, 'token-credential.json');
				lib.runOrThrow(
					'n8n export:credentials',
					await n8n.cli(['export:credentials', `--id=${setup.CRED.DT_TOKEN.id}`, '--decrypted', `--output=${exportFile}`]),
				);
				const stored = [].concat(JSON.parse(fs.readFileSync(exportFile, 'utf8')))[0];
				const [used] = tokens;
				assert(stored && stored.data && stored.data.accessToken === used, `stored accessToken ${JSON.stringify(stored && stored.data && stored.data.accessToken)} is not the token used (${used})`);
				return `1 token call, 3 downloads with the same token, which is the credential's stored accessToken`;
			});

			// DingTalk rejects an expired token with 400 InvalidAuthentication. n8n 2.41+ is told (by
			// preAuthenticationRetryStatusCode) that this 400 means "expired": it renews the token and
			// saves it with the credential, so the next execution uses it. n8n ≤ 2.40 ignores that: the
			// node fetches a token itself per execution (each `n8n execute` is a new process, so its
			// in-process memory of the new token is gone) and the credential keeps the old one.
			const savesRenewed = n8nAtLeast(versions.n8n, 2, 41);
			await scenario(`c  DingTalk token rejected as expired: ${savesRenewed ? 'n8n renews it once and saves it with the credential' : 'renewed by the node in each execution, credential keeps the old one'}`, async () => {
				const exportStored = async () => {
					const file = path.join(work, `token-credential-${Date.now()}.json`);
					lib.runOrThrow('n8n export:credentials', await n8n.cli(['export:credentials', `--id=${setup.CRED.DT_TOKEN.id}`, '--decrypted', `--output=${file}`]));
					return [].concat(JSON.parse(fs.readFileSync(file, 'utf8')))[0].data.accessToken;
				};
				const oldToken = await exportStored();
				const expired = await lib.httpRequest(`${urls.controlUrl}/__standin/expire-tokens`, { method: 'POST', timeoutMs: 5000 });
				assert(expired.status === 200, `expire-tokens: HTTP ${expired.status}`);
				const before = await lib.standInStats(urls);
				const reqBefore = (await lib.standInRequests(urls)).length;
				for (let i = 1; i <= 2; i++) {
					try {
						await executeCases(n8n, tokenBuilt, 'filesystem');
					} catch (e) {
						throw new Error(`run ${i} after expiry: ${e.message}`);
					}
				}
				const tokenCalls = (await lib.standInStats(urls)).dingTalkTokenCalls - before.dingTalkTokenCalls;
				const downloads = (await lib.standInRequests(urls))
					.slice(reqBefore)
					.filter((r) => r.path.startsWith('/v1.0/robot/messageFiles/download') && r.body.includes('DT-TOKEN-image.png'));
				const used = downloads.map((r) => r.headers['x-acs-dingtalk-access-token']);
				const stored = await exportStored();
				// Each execution: the download with the stored token (rejected), the same request again
				// marked for n8n ("400 means expired"), then the repeat with the renewed token (n8n's own
				// on 2.41+, the node's on older n8n).
				const label = (t) => (t === oldToken ? 'expired' : t === stored ? 'saved' : 'other');
				const sequence = used.map(label).join(', ');
				if (savesRenewed) {
					assert(tokenCalls === 1, `${tokenCalls} token calls for 2 executions after expiry, want 1 (n8n saves the renewed token)`);
					assert(stored !== oldToken, 'the credential still holds the expired token');
					// n8n renews on the marked request, saves, and repeats it (that answer is the item's); the second execution starts with the saved token.
					assert(sequence === 'expired, expired, saved, saved', `downloads: ${sequence}; want expired, expired (n8n renews and repeats:) saved, (second execution:) saved`);
					return `1 token call; the renewed token saved with the credential, the second execution used it at once (downloads: ${sequence})`;
				}
				assert(tokenCalls === 2, `${tokenCalls} token calls for 2 executions after expiry, want 2 (one per execution)`);
				assert(stored === oldToken, 'the credential changed: n8n ≤ 2.40 was not expected to save a token the node renewed');
				assert(sequence === 'expired, expired, other, expired, expired, other', `downloads: ${sequence}; want per execution: expired, expired (marked, ignored), renewed by the node`);
				return `2 token calls (one per execution), the credential keeps the expired token (downloads: ${sequence})`;
			});
		}

		// ---- (d) + (e) n8n start: webhooks
		if (wants('d') || wants('e')) {
			const ids = [];
			if (wants('d')) ids.push(hooks.dt.id, hooks.green.id);
			if (wants('e')) ids.push(...examples.map((e) => e.id));
			for (const id of ids) await n8n.publish(id);
			const started = await n8n.start({ binaryMode: 'filesystem', logFile: path.join(work, 'n8n-start.log') });
			timings.startReady = started.ms;
			// n8n 2.41 activates published workflows after it is ready (lib.js: N8n.start); each must have made it.
			const notActive = (started.publication ?? []).filter((r) => r.status !== 'completed');
			if (notActive.length) throw new Error(`n8n start could not activate: ${JSON.stringify(notActive)}`);
			line(`n8n start: webhooks live after ${lib.fmtMs(started.ms)} on ${started.baseUrl}${started.publication ? ` (${started.publication.length} workflows activated by n8n's publication service)` : ''}`);
			const hook = (p) => `${started.baseUrl}/webhook/${p}`;

			if (wants('d')) {
				await scenario('d  webhook: DingTalk robot callback → file as the response (last node)', async () => {
					const out = [];
					const picture = setup.dingTalkMessage('picture', { downloadCode: 'DT-image.png', pictureDownloadCode: 'DT-image.png' });
					let res = await lib.postJson(hook(setup.WEBHOOK_DT.path), picture, { headers: setup.dingTalkSignHeaders() });
					out.push(checkResponseFile(res, 'image.png', 'picture'));
					if (lib.fixtureExists('voice.amr')) {
						const audio = setup.dingTalkMessage('audio', { downloadCode: 'DT-voice.amr', duration: 3000, recognition: '你好' });
						res = await lib.postJson(hook(setup.WEBHOOK_DT.path), audio, { headers: setup.dingTalkSignHeaders() });
						out.push(checkResponseFile(res, 'voice.amr', 'audio'));
					}
					return out.join(', ');
				});
				await scenario('d  webhook: Green-API incomingMessageReceived → Respond to Webhook (binary)', async () => {
					const body = setup.greenWebhook(setup.WA, setup.WA_CHAT, 'WA-PDF', 'documentMessage', {
						downloadUrl: setup.directUrl(urls, 'WA-PDF'),
						fileName: 'invoice.pdf',
						mimeType: 'application/pdf',
					});
					const res = await lib.postJson(hook(setup.WEBHOOK_GREEN.path), body);
					const detail = checkResponseFile(res, 'document.pdf', 'document');
					const cd = res.headers.get('content-disposition');
					return `${detail}${cd ? `, Content-Disposition: ${cd}` : ''}`;
				});
			}

			if (wants('e')) {
				await scenario('e  example dingtalk-bot-save-file.json: file saved to disk, Send Message replies', async () => {
					const ex = setup.EXAMPLES.dingTalkSave;
					const before = new Set(fs.readdirSync(filesDir));
					const sentBefore = (await lib.standInControl(urls, 'dingtalk-sent')).sent.length;
					const last0 = await n8n.lastExecutionId(ex.id);
					const msg = setup.dingTalkMessage('file', { downloadCode: 'DT-document.pdf', fileName: 'Quarterly report.pdf' });
					const res = await lib.postJson(hook(ex.path), msg, { headers: setup.dingTalkSignHeaders() });
					assert(res.status === 200, `HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
					const exec0 = await n8n.waitForExecution(ex.id, last0);
					assert(exec0.status === 'success', `execution ${exec0.status}`);
					const sent = (await lib.standInControl(urls, 'dingtalk-sent')).sent.slice(sentBefore);
					assert(sent.length === 1, `${sent.length} replies, want 1`);
					const [reply] = sent;
					assert(reply.api === 'oToMessages/batchSend' && JSON.stringify(reply.userIds) === JSON.stringify([msg.senderStaffId]), `reply went to ${reply.api} ${JSON.stringify(reply.userIds)}`);
					assert(/Quarterly report\.pdf \(application\/pdf\)/.test(String(reply.msgParam.content)), `reply: ${JSON.stringify(reply.msgParam)}`);
					const added = fs.readdirSync(filesDir).filter((f) => !before.has(f));
					assert(added.length === 1, `${added.length} new files in the folder: ${added.join(', ')}`);
					assert(added[0].endsWith('-Quarterly report.pdf'), `saved as ${added[0]}`);
					const sha = lib.sha256(fs.readFileSync(path.join(filesDir, added[0])));
					assert(sha === lib.fixtureSha('document.pdf'), `saved file differs from document.pdf`);
					// A plain text message has no file: filtered out, no error, no new file, no reply.
					const last = await n8n.lastExecutionId(ex.id);
					const res2 = await lib.postJson(hook(ex.path), setup.dingTalkMessage('text', { content: 'hello' }), {
						headers: setup.dingTalkSignHeaders(),
					});
					assert(res2.status === 200, `text message: HTTP ${res2.status}`);
					const exec = await n8n.waitForExecution(ex.id, last);
					assert(exec.status === 'success', `text message: execution ${exec.status}`);
					assert(fs.readdirSync(filesDir).length === before.size + 1, 'text message wrote a file');
					assert((await lib.standInControl(urls, 'dingtalk-sent')).sent.length === sentBefore + 1, 'text message got a reply');
					return `reply "${reply.msgParam.content}" to ${reply.userIds}, saved ${added[0]}`;
				});

				await scenario('e  example green-api-pdf-to-text.json: PDF downloaded and its text extracted', async () => {
					const ex = setup.EXAMPLES.pdfToText;
					const last = await n8n.lastExecutionId(ex.id);
					const body = setup.greenWebhook(setup.WA, setup.WA_CHAT, 'WA-PDF', 'documentMessage', {
						downloadUrl: setup.directUrl(urls, 'WA-PDF'),
						fileName: 'invoice.pdf',
						mimeType: 'application/pdf',
					});
					const res = await lib.postJson(hook(ex.path), body);
					assert(res.status === 200, `HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
					const exec = await n8n.waitForExecution(ex.id, last);
					assert(exec.data, `execution ${exec.id} stored at ${exec.storedAt}, not readable`);
					const runData = exec.data.resultData.runData;
					const err = exec.data.resultData.error;
					assert(exec.status === 'success', `execution ${exec.status}${err ? `: ${err.message}` : ''}`);
					const dl = lib.nodeOutput(runData, 'Download Message File');
					assert(dl && dl.length === 1, `Download Message File gave ${dl ? dl.length : 'no'} items`);
					const p = lib.checkBinary(n8n, dl[0].binary && dl[0].binary.data, {
						fixture: 'document.pdf',
						fileName: 'invoice.pdf',
						mode: 'filesystem',
					});
					assert(!p.length, p.join('; '));
					const extracted = lib.nodeOutput(runData, 'Extract PDF text');
					const text = extracted && extracted[0] && extracted[0].json.text;
					assert(typeof text === 'string' && text.includes('Invoice 42'), `extracted text: ${JSON.stringify(text)}`);
					// A delivery-status notification is ignored by the filter.
					const last2 = exec.id;
					await lib.postJson(hook(ex.path), {
						typeWebhook: 'outgoingMessageStatus',
						instanceData: { idInstance: Number(setup.WA.idInstance), typeInstance: 'whatsapp' },
						timestamp: Math.floor(Date.now() / 1000),
						idMessage: 'BAE5OUT',
						status: 'delivered',
						chatId: setup.WA_CHAT,
					});
					const exec2 = await n8n.waitForExecution(ex.id, last2);
					assert(exec2.status === 'success', `status notification: execution ${exec2.status}`);
					assert(!lib.nodeOutput(exec2.data.resultData.runData, 'Download Message File'), 'status notification reached the download');
					return `text "${text.split('\n')[0]}" (${text.length} chars)`;
				});

				await scenario('e  example voice-note-download.json: voice note ready for transcription', async () => {
					const ex = setup.EXAMPLES.voiceNote;
					const last = await n8n.lastExecutionId(ex.id);
					const body = setup.greenWebhook(setup.WA, setup.WA_CHAT, 'WA-VOICE', 'audioMessage', {
						downloadUrl: '',
						fileName: 'WA-VOICE.oga',
						mimeType: 'audio/ogg; codecs=opus',
					});
					const res = await lib.postJson(hook(ex.path), body);
					assert(res.status === 200, `HTTP ${res.status}`);
					const exec = await n8n.waitForExecution(ex.id, last);
					const err = exec.data && exec.data.resultData.error;
					assert(exec.status === 'success', `execution ${exec.status}${err ? `: ${err.message}` : ''}`);
					const out = lib.nodeOutput(exec.data.resultData.runData, 'Transcribe here');
					assert(out && out.length === 1, `Transcribe here got ${out ? out.length : 'no'} items`);
					const entry = out[0].binary && out[0].binary.data;
					const p = lib.checkBinary(n8n, entry, { fixture: 'voice.ogg', mode: 'filesystem' });
					assert(!p.length, p.join('; '));
					return `${entry.fileName} ${entry.mimeType} ${entry.bytes ?? ''} B`;
				});
			}
			await n8n.stop();
		}
		for (const [letter, file] of SCENARIO_FILES) {
			if (wants(letter)) await require(file).run({ lib, setup, scenario, assert, bin: install.bin, work, n8n, urls });
		}

		const stats = await lib.standInStats(urls);
		lib.debug('stand-in stats', JSON.stringify(stats));
	} catch (err) {
		fail('setup');
		line(`FAIL  setup — ${String(err && err.message ? err.message : err).split('\n').join('\n        ')}`);
	} finally {
		await cleanup();
	}

	timings.total = Date.now() - t0;
	const ex = timings.executes || [];
	if (ex.length) {
		const avg = ex.reduce((a, b) => a + b, 0) / ex.length;
		line(`timings: ${ex.length} executes, ${lib.fmtMs(avg)} average (${lib.fmtMs(Math.min(...ex))}–${lib.fmtMs(Math.max(...ex))})` +
			`${timings.startReady ? `, n8n start ready in ${lib.fmtMs(timings.startReady)}` : ''}, total ${lib.fmtMs(timings.total)}`);
	}
	const { passed, failed, skipped } = counts();
	line(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped (version-independent, proven on n8n 2.8.4)` : ''}`);
	lib.killAllChildren();
	process.exit(failed ? 1 : 0);
}

main().catch((err) => {
	line(`FAIL  runner — ${err && err.stack ? err.stack : err}`);
	line(`0 passed, 1 failed`);
	lib.killAllChildren();
	process.exit(1);
});
