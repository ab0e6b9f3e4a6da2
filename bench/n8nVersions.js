#!/usr/bin/env node
'use strict';
// Memory of one large file on each n8n version: whose is the growth a newer n8n shows,
// n8n's or the node's? The same file goes, on the same n8n, through n8n's own HTTP Request
// node (Response Format: File) and through the Download Message File node, in filesystem
// binary mode, one `n8n execute` per run, alternating.
//
//   node bench/n8nVersions.js [--versions=2.8.4,2.41.1] [--size=400] [--reps=5] [--keep] [--verbose]
//   node bench/n8nVersions.js --report      re-render the markdown from the last results
//
// Cases: each version as installed by .ci/install-n8n.sh (2.41.1 on Node 24); n8n on Node 22+
// once more with V8's young generation capped (--scavenger-max-new-space-capacity-mb=8, given
// to the Node that runs n8n); and, under each Node, n8n's own way of storing a download
// (fs.promises.writeFile of the response stream) without n8n, in a process that holds a
// 350 MB JavaScript heap like a loaded n8n, with V8's garbage collections counted.
//
// Per run: the n8n process's growth while the node ran (VmHWM, and RSS sampled every 20 ms,
// each minus the RSS when the node started), and the peak (VmHWM) of n8n's task runner on its
// own. Writes bench/N8N_VERSIONS.md (bench/report.js carries it into BENCHMARKS.md) and
// bench/.build/n8nVersions.json.
//
// Internal: `node bench/n8nVersions.js --copy=<url> <file>` is the no-n8n copy, run by each Node.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MB = 1024 * 1024;
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const flag = (name) => args.includes(`--${name}`);

// ------------------------------------------------------------------ the copy without n8n (child mode)

/** A held heap (~350 MB of small objects), a GC, then the download stored as n8n stores it; prints one JSON line. */
async function copyWithoutN8n(url, file) {
	const http = require('node:http');
	const { watchSelf } = require('./memory');
	const held = [];
	for (let i = 0; i < 2_500_000; i++) held.push({ i, s: `x${i}`, a: [i, i + 1] });
	global.gc?.();
	process.stdout.write('copy starts\n');
	const watch = watchSelf();
	const started = Date.now();
	const response = await new Promise((resolve, reject) => http.get(url, resolve).on('error', reject));
	await fs.promises.writeFile(file, response);
	const memory = watch.stop();
	const bytes = fs.statSync(file).size;
	fs.rmSync(file, { force: true });
	process.stdout.write(`copy ends\n${JSON.stringify({ ms: Date.now() - started, growth: memory.growth, bytes, heldMB: process.memoryUsage().heapUsed / MB, held: held.length })}\n`);
}

// ------------------------------------------------------------------ the benchmark

const lib = require('../test/e2e/lib');
const n8nLib = require('./n8n');
const { spread, fmt } = require('./stats');

const VERSIONS = (option('versions') ?? '2.8.4,2.41.1').split(',').filter(Boolean);
const SIZE_MB = Number(option('size') ?? 400);
const REPS = Number(option('reps') ?? 5);
const COPY_REPS = 3;
/** V8 flag that caps the young generation (Node 24 default: 32 MB), given to the Node running n8n. */
const SMALL_YOUNG_GENERATION = '--scavenger-max-new-space-capacity-mb=8';
const verbose = flag('verbose');
const log = (...a) => process.stdout.write(`${a.join(' ')}\n`);
const debug = (...a) => verbose && process.stderr.write(`[bench] ${a.join(' ')}\n`);

const WA = { idInstance: '1101000001', apiTokenInstance: 'benchWhatsAppToken01', messenger: 'whatsapp' };
const CHAT = '79001234567@c.us';
const FILE_ID = `L${SIZE_MB}`;
const CREDENTIAL = { greenApi: { id: 'benchGreenApi001', name: 'Green-API (bench)' } };
const NODES = { http: 'HTTP Request', ours: 'Download Message File' };

function standInConfig() {
	return { greenApi: { instances: [WA], files: [{ idInstance: WA.idInstance, chatId: CHAT, idMessage: FILE_ID, body: { size: SIZE_MB * MB, seed: SIZE_MB } }] } };
}

const fileUrl = (urls) => urls.greenFiles.find((f) => f.idMessage === FILE_ID).directUrl;

/** Both workflows get the same webhook message; HTTP Request takes the link from it by an expression, as a user maps it. */
function workflows(urls) {
	const input = {
		typeWebhook: 'incomingMessageReceived',
		instanceData: { idInstance: Number(WA.idInstance), wid: '79990000001@c.us', typeInstance: 'whatsapp' },
		timestamp: 1767225600,
		idMessage: FILE_ID,
		senderData: { chatId: CHAT, chatName: 'Bench', sender: CHAT, senderName: 'Bench' },
		messageData: {
			typeMessage: 'documentMessage',
			fileMessageData: { downloadUrl: fileUrl(urls), caption: '', fileName: `${FILE_ID}.bin`, mimeType: 'application/octet-stream', jpegThumbnail: '', isForwarded: false, forwardingScore: 0 },
		},
	};
	return {
		http: n8nLib.workflow(`versions http ${FILE_ID}`, { input, steps: [n8nLib.httpGetFile(NODES.http, '={{ $json.messageData.fileMessageData.downloadUrl }}')] }),
		ours: n8nLib.workflow(`versions ours ${FILE_ID}`, { input, steps: [n8nLib.ours(NODES.ours, { service: 'greenApi', source: 'message' }, CREDENTIAL)] }),
	};
}

/** One process around the node: growth by VmHWM and by sampling, each over its RSS when the node started. */
function growthOf(proc, t) {
	const mem = n8nLib.memoryAround(proc, t);
	return { before: mem.before, sampled: mem.growth, hwm: mem.hwm, hwmGrowth: Math.max(0, mem.hwm - mem.before) };
}

const isTaskRunner = (command) => /task-runner/.test(command);

async function prepareN8n(version, ctx) {
	const install = await lib.ensureN8n({ version });
	const versions = await lib.n8nVersions(install.bin);
	const dir = path.join(ctx.work, `n8n-${version}`);
	const userFolder = path.join(dir, 'user');
	fs.mkdirSync(userFolder, { recursive: true });
	await lib.installPackageInto(userFolder, dir);
	const n8n = await new lib.N8n(install.bin, userFolder).init();
	const greenData = { apiUrl: ctx.urls.greenApiUrl, mediaUrl: ctx.urls.greenMediaUrl, ...WA };
	await n8n.importCredentials([{ ...CREDENTIAL.greenApi, type: 'greenApi', data: greenData }], path.join(dir, 'credentials.json'));
	const wf = workflows(ctx.urls);
	await n8n.importWorkflows([wf.http, wf.ours], path.join(dir, 'workflows.json'));
	return { n8n, dir, wf, versions, nodeBin: path.join(path.dirname(install.bin), 'node') };
}

async function measureCase(real, nodeFlags) {
	const runs = { http: [], ours: [] };
	for (let rep = 0; rep < REPS; rep++) {
		for (const which of rep % 2 ? ['ours', 'http'] : ['http', 'ours']) {
			const res = await n8nLib.execute(real.n8n, real.dir, real.wf[which].id, { binaryMode: 'filesystem', timeoutMs: 600_000, nodeFlags });
			const t = n8nLib.task(res, NODES[which]);
			const stored = Number(t?.items?.[0]?.binary?.data?.bytes ?? 0);
			const error = res.error ?? t?.error?.message ?? (stored !== SIZE_MB * MB ? `stored ${stored} bytes` : undefined);
			const runner = (res.descendants ?? []).find((d) => isTaskRunner(d.command));
			const run = { ms: t?.ms, main: growthOf(res, t), runnerHwm: runner?.hwm, error };
			runs[which].push(run);
			debug(`${real.versions.n8n} ${nodeFlags.join(' ')} ${which}`, JSON.stringify(run));
		}
	}
	return runs;
}

/** The copy without n8n under one Node, with --trace-gc: growth, time, and the collections V8 ran during the copy. */
async function copyRuns(nodeBin, url, work, nodeFlags = []) {
	const runs = [];
	for (let i = 0; i < COPY_REPS; i++) {
		const r = await lib.run(nodeBin, ['--expose-gc', '--trace-gc', ...nodeFlags, __filename, `--copy=${url}`, path.join(work, 'copy.bin')], { timeoutMs: 300_000 });
		const out = r.stdout;
		const during = out.slice(out.indexOf('copy starts'), out.indexOf('copy ends'));
		const result = JSON.parse(out.slice(out.indexOf('copy ends') + 'copy ends'.length).trim().split('\n')[0] || 'null');
		if (r.code !== 0 || !result) throw new Error(`the copy without n8n failed under ${nodeBin}: ${r.stderr.slice(-400)}`);
		runs.push({ ...result, scavenges: (during.match(/: Scavenge /g) ?? []).length, markCompacts: (during.match(/: Mark-Compact /g) ?? []).length });
		debug(`copy ${nodeBin}`, JSON.stringify(runs.at(-1)));
	}
	return runs;
}

// ------------------------------------------------------------------ report

function cell(values, digits = 0) {
	const s = spread(values.filter((v) => typeof v === 'number').map((v) => v / MB));
	if (!s.n) return '–';
	return s.n === 1 ? `${fmt(s.median, digits)} MB` : `${fmt(s.median, digits)} MB (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

const ok = (runs) => runs.filter((r) => !r.error);
const seconds = (runs) => fmt(spread(runs.map((r) => r.ms)).median / 1000, 1);

function caseRows(c) {
	return ['http', 'ours'].map((which) => {
		const good = ok(c.runs[which]);
		const failed = c.runs[which].length - good.length;
		const note = failed ? ` (${failed} failed: ${c.runs[which].find((r) => r.error).error.replace(/\|/g, '/').slice(0, 80)})` : '';
		return `| ${c.label} | ${NODES[which]}${note} | ${cell(good.map((r) => r.main.hwmGrowth))} | ${cell(good.map((r) => r.main.sampled))} | ${cell(good.map((r) => r.main.before))} | ${good.some((r) => r.runnerHwm) ? cell(good.map((r) => r.runnerHwm)) : 'none seen'} | ${seconds(good)} s |`;
	});
}

function copyRows(results) {
	return results.copies.map((c) => {
		const med = (key) => spread(c.runs.map((r) => r[key])).median;
		return `| Node ${c.node}${c.nodeFlags?.length ? `, \`${c.nodeFlags.join(' ')}\`` : ''} | ${cell(c.runs.map((r) => r.growth))} | ${fmt(med('ms') / 1000, 1)} s | ${fmt(med('scavenges'))} | ${fmt(med('markCompacts'))} |`;
	});
}

/** What the figures say, computed from them (medians of the n8n process's VmHWM growth). */
function findings(results) {
	const lines = [];
	for (const c of results.cases) {
		const growth = (which) => ok(c.runs[which]).map((r) => r.main.hwmGrowth / MB);
		const http = spread(growth('http'));
		const ours = spread(growth('ours'));
		const relation =
			ours.median <= http.median
				? "at or below n8n's own node"
				: ours.min <= http.max
					? `${fmt(ours.median - http.median)} MB above n8n's own node's median, within its spread`
					: `${fmt(ours.median - http.median)} MB above n8n's own node, outside its spread`;
		lines.push(`- ${c.label}: Download Message File +${fmt(ours.median)} MB, HTTP Request +${fmt(http.median)} MB: ${relation}.`);
	}
	return lines.join('\n');
}

/** The young-generation case against the plain one, from the figures. */
function flagSentence(results) {
	const capped = results.cases.find((c) => c.nodeFlags.length);
	const plain = capped && results.cases.find((c) => c.version === capped.version && !c.nodeFlags.length);
	if (!capped || !plain) return '';
	const both = (c, f, digits = 0) => ['ours', 'http'].map((w) => fmt(spread(ok(c.runs[w]).map(f)).median, digits)).join(' / ');
	const mb = (r) => r.main.hwmGrowth / MB;
	const s = (r) => r.ms / 1000;
	return (
		`Capping the young generation (\`node ${capped.nodeFlags.join(' ')} …/n8n start\`: a V8 flag, which NODE_OPTIONS refuses) ` +
		`lets scavenges free the chunks again: this node / HTTP Request grow ${both(capped, mb)} MB instead of ${both(plain, mb)} MB ` +
		`and take ${both(capped, s, 1)} s instead of ${both(plain, s, 1)} s.`
	);
}

function markdown(results) {
	const m = results.machine;
	const node24 = results.copies.find((c) => Number(c.node.split('.')[0]) >= 22)?.node ?? '24';
	const cappedCopy = results.copies.find((c) => c.nodeFlags?.length);
	return `# n8n versions: memory of one large file

\`node bench/n8nVersions.js --versions=${results.config.versions.join(',')} --size=${results.config.sizeMB} --reps=${results.config.reps}\`, ${m.date.slice(0, 16).replace('T', ' ')} UTC,
${m.cores} cores (shared with other jobs), ${m.memoryGB.toFixed(0)} GB. One ${results.config.sizeMB} MB file (incompressible bytes from the stand-in, its own
process) through n8n's HTTP Request node (GET, Response Format: File) and through Download Message File (Green-API webhook
message with the direct link), \`N8N_DEFAULT_BINARY_DATA_MODE=filesystem\`, one \`n8n execute\` per run, alternating, ${results.config.reps} runs
each. Growth = the n8n process's peak minus its RSS when the node started, by VmHWM (exact; the download is the run's
largest allocation) and by sampling RSS every 20 ms. n8n's task runner (a separate process that runs Code nodes) is
measured on its own: its peak is the same whichever node runs, so neither download touches it. Medians (min–max).

| n8n | node | n8n process growth (VmHWM) | (sampled) | RSS when the node started | task runner peak (VmHWM) | node time |
|---|---|---|---|---|---|---|
${results.cases.flatMap(caseRows).join('\n')}

${findings(results)}

**Whose is it: Node 24's garbage collector.** The same download stored the way n8n stores it
(\`fs.promises.writeFile\` of the response stream), with no n8n at all, in a process holding a 350 MB JavaScript heap as a
loaded n8n does (\`--copy\` mode of this script, ${COPY_REPS} runs each, V8's collections during the copy counted with \`--trace-gc\`):

| Node | growth | time | scavenges | full (mark-compact) collections |
|---|---|---|---|---|
${copyRows(results).join('\n')}

Each socket chunk (64 KB) is a Buffer whose bytes live outside V8's heap. During the copy Node 20's V8 ran
scavenges of the young generation, each freeing the chunks already written at almost no cost; Node ${node24}'s V8 ran
no scavenge at all but full incremental mark-compact collections, each marking the whole ~350 MB heap though that heap
did not grow: the written chunks wait for the next one, so the process grows by the amount above and the copy takes
longer. That is the runtime n8n 2.41 requires, not n8n's code and not the node's: n8n's own HTTP Request node pays it
alike. ${flagSentence(results)}${cappedCopy ? ` (In the copy without n8n the same flag gives the scavenges back: the last row.)` : ''} Nothing in the node holds the file: it hands n8n the response stream (on n8n 2.41 axios
wraps it in a \`Readable.from\` that enforces maxContentLength, passing one chunk at a time).
`;
}

async function main() {
	lib.watchdog(45 * 60_000, 'n8n versions benchmark');
	await lib.ensureBuilt();
	const work = lib.mkTemp('n8n-msgfiles-versions-');
	let standIn;
	try {
		const bundle = await lib.buildStandIn(work);
		standIn = await lib.startStandIn(bundle, standInConfig(), work);
		const ctx = { work, urls: standIn.urls };
		const results = {
			config: { versions: VERSIONS, sizeMB: SIZE_MB, reps: REPS },
			machine: { date: new Date().toISOString(), cores: os.cpus().length, memoryGB: os.totalmem() / 1024 ** 3, loadAverage: os.loadavg() },
			cases: [],
			copies: [],
		};
		const nodesSeen = new Map();
		for (const version of VERSIONS) {
			const real = await prepareN8n(version, ctx);
			const { n8n: n8nVersion, node } = real.versions;
			const nodeBin = fs.existsSync(real.nodeBin) ? real.nodeBin : process.execPath;
			nodesSeen.set(node, nodeBin);
			const variants = [[]];
			if (Number(node.split('.')[0]) >= 22) variants.push([SMALL_YOUNG_GENERATION]);
			for (const nodeFlags of variants) {
				const label = `${n8nVersion} (Node ${node}${nodeFlags.length ? `, \`${nodeFlags.join(' ')}\`` : ''})`;
				log(`${label}: ${REPS} runs of each node`);
				const runs = await measureCase(real, nodeFlags);
				const c = { label, version: n8nVersion, node, nodeFlags, runs };
				results.cases.push(c);
				for (const row of caseRows(c)) log(`  ${row}`);
			}
		}
		for (const [node, nodeBin] of nodesSeen) {
			const variants = Number(node.split('.')[0]) >= 22 ? [[], [SMALL_YOUNG_GENERATION]] : [[]];
			for (const nodeFlags of variants) {
				log(`Node ${node}${nodeFlags.length ? ` ${nodeFlags.join(' ')}` : ''}: the copy without n8n, ${COPY_REPS} runs`);
				results.copies.push({ node, nodeFlags, runs: await copyRuns(nodeBin, fileUrl(ctx.urls), work, nodeFlags) });
				log(`  ${copyRows({ copies: [results.copies.at(-1)] })[0]}`);
			}
		}
		const build = path.join(__dirname, '.build');
		fs.mkdirSync(build, { recursive: true });
		fs.writeFileSync(path.join(build, 'n8nVersions.json'), `${JSON.stringify(results, null, 2)}\n`);
		fs.writeFileSync(path.join(__dirname, 'N8N_VERSIONS.md'), markdown(results));
		log(`Wrote bench/N8N_VERSIONS.md and bench/.build/n8nVersions.json`);
	} finally {
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
		if (!flag('keep')) fs.rmSync(work, { recursive: true, force: true });
		else log(`work folder kept: ${work}`);
	}
}

/** `--report`: re-render bench/N8N_VERSIONS.md from bench/.build/n8nVersions.json without measuring. */
async function reportOnly() {
	const results = JSON.parse(fs.readFileSync(path.join(__dirname, '.build', 'n8nVersions.json'), 'utf8'));
	fs.writeFileSync(path.join(__dirname, 'N8N_VERSIONS.md'), markdown(results));
	log('Wrote bench/N8N_VERSIONS.md');
}

const copyUrl = option('copy');
(copyUrl ? copyWithoutN8n(copyUrl, args.find((a) => !a.startsWith('--'))) : flag('report') ? reportOnly() : main()).then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`n8n versions benchmark failed: ${error.stack ?? error}\n`);
		process.exit(1);
	},
);
