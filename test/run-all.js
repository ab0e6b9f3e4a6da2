#!/usr/bin/env node
'use strict';
// `npm test`: every leg of the suite. After the build, two lanes run side by side (two cores:
// most legs keep one busy or less): lane A lint → jest → e2e 2.8.4 → compat → editor, printed
// as it runs; lane B queue mode → e2e 2.41.1 → scanner, each leg's output printed whole when
// it ends. Meanwhile the tools the legs need (n8n 2.8.4, Redis/PostgreSQL, Node 24 + n8n
// 2.41.1, the compatibility libraries, Chromium, the scanner) install in the background, one
// at a time, in the order the lanes need them. Ends with a table (each leg: its lane, wall time,
// test count, whether its caches were warm, how long it waited for an install) and one plain
// line "N passed, N failed"; exit 1 if any leg failed.
//
//   node test/run-all.js [--only=build,lint,jest,e2e,compat,editor,queue,e2e-latest,scan] [--serial]
//
// --serial (or RUN_ALL_SERIAL=1): one leg at a time, every leg printed live (slower; for a
// loaded machine or to read one leg's timing undisturbed).
// Environment: RUN_ALL_BACKGROUND=0 installs nothing ahead (each leg installs what it needs
// when it starts); N8N_E2E_CACHE as for the install scripts.
// A leg's count is its own closing "N passed, N failed" line(s) (jest's summary reporter,
// the e2e/editor/queue runners, the scanner and release check, the compat run). A leg that
// exits non-zero without reporting a failure counts as 1 failed; build and lint count only
// when they fail. The legs after a failed build do not run (they test dist/).

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const N8N_LATEST = '2.41.1';
const NODE_LATEST = '24.21.0';
const SCANNER_VERSION = '0.32.0';

const args = process.argv.slice(2);
const only = (args.find((a) => a.startsWith('--only=')) || '').slice('--only='.length).split(',').filter(Boolean);
const background = process.env.RUN_ALL_BACKGROUND !== '0';
const serial = args.includes('--serial') || process.env.RUN_ALL_SERIAL === '1';

// ------------------------------------------------------------------ caches

/** The install scripts' cache root (.ci/lib/cached-install.sh: cache_root). */
function cacheRoot() {
	const root = process.env.N8N_E2E_CACHE || path.join(process.env.HOME || '/tmp', '.cache', 'n8n-nodes-message-files');
	try {
		fs.mkdirSync(root, { recursive: true });
		fs.accessSync(root, fs.constants.W_OK);
		return root;
	} catch {
		return path.join(process.env.TMPDIR || '/tmp', 'n8n-nodes-message-files');
	}
}
const CACHE = cacheRoot();
const complete = (name) => fs.existsSync(path.join(CACHE, name, '.install-complete'));
const compatHost = () => {
	const dir = path.join(ROOT, '.ci', 'compat');
	const hash = crypto.createHash('sha256');
	for (const f of ['package.json', 'package-lock.json']) hash.update(fs.readFileSync(path.join(dir, f)));
	return `compat-${hash.digest('hex').slice(0, 12)}`;
};
const onPath = (names) => names.some((n) => spawnSync('sh', ['-c', `command -v ${n}`], { stdio: 'ignore' }).status === 0);

/**
 * What the legs need that is installed outside the package, in the order the legs need it.
 * `warm`: already installed when the run started (read before anything is installed).
 */
const INSTALLS = [
	// Lane B's first leg (queue mode) needs n8n 2.8.4 and Redis/PostgreSQL; its second, n8n 2.41.1 (~6 min from empty).
	{ name: 'n8n-2.8.4', cmd: ['bash', ['.ci/install-n8n.sh']], warm: () => complete('n8n-2.8.4') },
	{
		name: 'redis+postgresql',
		cmd: ['node', ['-e', "require('./test/queue/services').ensurePackages({ log: (s) => console.error(s) }).catch((e) => { console.error(e.message); process.exit(1); })"]],
		warm: () => require('./queue/services').missingPackages().length === 0,
	},
	{
		name: `n8n-${N8N_LATEST}`,
		cmd: ['bash', ['.ci/install-n8n.sh'], { N8N_VERSION: N8N_LATEST }],
		warm: () => complete(`n8n-${N8N_LATEST}`) && complete(`node-${NODE_LATEST}`),
	},
	// ~1 min, Node 24 already there; lane A's compat leg comes after its e2e leg.
	{ name: 'compat', cmd: ['bash', ['.ci/compat/run.sh', '--install-only']], warm: () => complete(compatHost()) && complete(`node-${NODE_LATEST}`) },
	{
		name: 'chromium',
		cmd: ['node', ['-e', "require('./test/e2e/browser').ensureChromium()"]],
		warm: () => onPath([process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'].filter(Boolean)),
	},
	{ name: `scanner-${SCANNER_VERSION}`, cmd: ['bash', ['.ci/scan-package.sh', '--install-only']], warm: () => complete(`scanner-${SCANNER_VERSION}`) },
];

// ------------------------------------------------------------------ legs

// Two jest workers: the in-process tests mostly wait (timers, sockets, stand-ins), a worker
// keeps a quarter of a core busy, so two of them beside the other lane still fit two cores.
const JEST = ['node', ['node_modules/jest/bin/jest.js', '--maxWorkers=2'], { NODE_OPTIONS: '--experimental-websocket' }];
// lane: after the build, A and B run side by side; each lane runs its legs in this order. The
// two lanes take about as long (~13 min warm); each e2e leg has the other lane's lighter legs beside it.
const LEGS = [
	{ id: 'build', name: 'build', cmd: ['npm', ['run', 'build']], counts: false },
	{ id: 'lint', lane: 'A', name: 'lint', cmd: ['npm', ['run', 'lint']], counts: false },
	{ id: 'jest', lane: 'A', name: 'jest (in-process)', cmd: JEST },
	{ id: 'e2e', lane: 'A', name: 'e2e n8n 2.8.4', cmd: ['node', ['test/e2e/run.js']], needs: ['n8n-2.8.4'] },
	// Its jest prints "jest: …" too; "compat: …" is the same count, said once.
	{ id: 'compat', lane: 'A', name: `compat n8n-core ${N8N_LATEST}`, cmd: ['bash', ['.ci/compat/run.sh', '--maxWorkers=2']], needs: ['compat'], kinds: ['compat'] },
	{ id: 'editor', lane: 'A', name: 'editor (Chromium)', cmd: ['node', ['test/e2e/editor.js']], needs: ['n8n-2.8.4', 'chromium'] },
	{ id: 'queue', lane: 'B', name: 'queue mode', cmd: ['node', ['test/queue/run.js']], needs: ['n8n-2.8.4', 'redis+postgresql'] },
	{
		id: 'e2e-latest',
		lane: 'B',
		name: `e2e n8n ${N8N_LATEST}`,
		cmd: ['node', ['test/e2e/run.js', '--version-dependent'], { N8N_VERSION: N8N_LATEST }],
		needs: [`n8n-${N8N_LATEST}`],
	},
	{ id: 'scan', lane: 'B', name: 'scanner + release', cmd: ['bash', ['.ci/scan-package.sh']], needs: [`scanner-${SCANNER_VERSION}`], kinds: ['scan', 'release'] },
];

// ------------------------------------------------------------------ running

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-msgfiles-test-'));

/** Run a command; resolves { code, ms, lines } (the closing count lines it printed). */
function runCommand([cmd, cmdArgs, env = {}], { echo, logFile }) {
	return new Promise((resolve) => {
		const started = Date.now();
		const child = spawn(cmd, cmdArgs, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
		const log = logFile ? fs.createWriteStream(logFile) : undefined;
		const closing = [];
		let partial = '';
		const onData = (out) => (chunk) => {
			if (echo) out.write(chunk);
			if (log) log.write(chunk);
			const text = partial + chunk.toString('utf8');
			const lines = text.split('\n');
			partial = lines.pop();
			for (const l of lines) if (COUNT_LINE.test(l)) closing.push(l);
		};
		child.stdout.on('data', onData(process.stdout));
		child.stderr.on('data', onData(process.stderr));
		child.on('close', (code, signal) => {
			if (COUNT_LINE.test(partial)) closing.push(partial);
			if (log) log.end();
			resolve({ code: code ?? (signal ? 1 : 0), ms: Date.now() - started, closing });
		});
		child.on('error', (err) => {
			if (echo) process.stderr.write(`${cmd}: ${err.message}\n`);
			resolve({ code: 1, ms: Date.now() - started, closing });
		});
	});
}

// "jest: 7 passed, 0 failed", "queue: 10 passed, 0 failed", "19 passed, 0 failed", …
const COUNT_LINE = /^(?:([a-z][\w-]*): )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/;

/** Sum of the last closing line of each kind (scan + release; one line for the others), or of `kinds` only. */
function tally(closing, kinds) {
	const last = new Map();
	for (const l of closing) {
		const [, kind = '', passed, failed, skipped = 0] = COUNT_LINE.exec(l);
		if (!kinds || kinds.includes(kind)) last.set(kind, { passed: Number(passed), failed: Number(failed), skipped: Number(skipped) });
	}
	if (!last.size) return undefined;
	let passed = 0;
	let failed = 0;
	let skipped = 0;
	for (const c of last.values()) {
		passed += c.passed;
		failed += c.failed;
		skipped += c.skipped;
	}
	return { passed, failed, skipped };
}

function fmt(ms) {
	const s = Math.round(ms / 1000);
	return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

async function main() {
	const t0 = Date.now();
	const wanted = LEGS.filter((l) => only.length === 0 || only.includes(l.id));
	const needed = new Set(wanted.flatMap((l) => l.needs || []));
	const installs = INSTALLS.filter((i) => needed.has(i.name));
	for (const i of installs) i.wasWarm = i.warm();
	say(`[test] cache ${CACHE}; logs ${logDir}`);
	say(`[test] caches: ${installs.map((i) => `${i.name} ${i.wasWarm ? 'warm' : 'cold'}`).join(', ') || 'none needed'}`);

	// One install at a time, in the order the legs need them (2 cores: the legs run meanwhile).
	const done = new Map();
	if (background) {
		let chain = Promise.resolve();
		for (const i of installs) {
			const p = chain.then(async () => {
				if (i.wasWarm) {
					// Still run it: the script proves the cache (a few seconds), as the leg would.
				}
				const r = await runCommand(i.cmd, { echo: false, logFile: path.join(logDir, `install-${i.name}.log`) });
				i.ms = r.ms;
				i.ok = r.code === 0;
				say(`[test] ${i.name}: ${i.ok ? (i.wasWarm ? 'cache checked' : 'installed') : 'FAILED'} in ${fmt(r.ms)} (background)${i.ok ? '' : `; log ${path.join(logDir, `install-${i.name}.log`)}, the leg will try again`}`);
				if (!i.ok) process.stdout.write(tail(path.join(logDir, `install-${i.name}.log`), 20));
			});
			done.set(i.name, p);
			chain = p;
		}
		say(`[test] installing in the background: ${installs.map((i) => i.name).join(' → ')}`);
	}

	const results = new Map();
	/** Runs one leg once the installs it needs are done; lane B's output is printed whole when it ends. */
	const runLeg = async (leg, live) => {
		const waitStart = Date.now();
		await Promise.all((leg.needs || []).map((n) => done.get(n)));
		const waited = Date.now() - waitStart;
		const lane = leg.lane && !serial ? ` (lane ${leg.lane})` : '';
		say(`\n[test] ==== ${leg.name}${lane}${waited > 1000 ? ` (waited ${fmt(waited)} for ${leg.needs.join(', ')})` : ''}${live ? '' : ': started, its output follows when it ends'}`);
		const logFile = path.join(logDir, `leg-${leg.id}.log`);
		const r = await runCommand(leg.cmd, { echo: live, logFile });
		if (!live) {
			say(`\n[test] ==== ${leg.name}${lane}: output`);
			process.stdout.write(fs.readFileSync(logFile, 'utf8'));
		}
		results.set(leg.id, { leg, code: r.code, ms: r.ms, waited, count: tally(r.closing, leg.kinds) });
		say(`[test] ==== ${leg.name}${lane}: exit ${r.code} in ${fmt(r.ms)}`);
		return r.code;
	};
	const build = wanted.find((l) => l.id === 'build');
	const buildFailed = build ? (await runLeg(build, true)) !== 0 : false;
	const rest = wanted.filter((l) => l !== build);
	if (buildFailed) for (const leg of rest) results.set(leg.id, { leg, skipped: true });
	else if (serial) for (const leg of rest) await runLeg(leg, true);
	else {
		const lane = async (name, live) => {
			for (const leg of rest.filter((l) => l.lane === name)) await runLeg(leg, live);
		};
		await Promise.all([lane('A', true), lane('B', false)]);
	}
	await Promise.allSettled(done.values());

	// ---- the table
	let passed = 0;
	let failed = 0;
	const rows = [['leg', 'lane', 'wall time', 'tests', 'caches', 'waited for installs']];
	for (const r of wanted.map((l) => results.get(l.id)).filter(Boolean)) {
		const lane = r.leg.lane && !serial ? r.leg.lane : '—';
		const needs = r.leg.needs || [];
		const caches = needs.length ? needs.map((n) => `${n} ${installs.find((i) => i.name === n)?.wasWarm ? 'warm' : 'cold'}`).join(', ') : '—';
		if (r.skipped) {
			failed++;
			rows.push([r.leg.name, lane, '—', 'not run (build failed)', caches, '']);
			continue;
		}
		let tests;
		if (r.count) {
			passed += r.count.passed;
			failed += r.count.failed;
			tests = `${r.count.passed} passed, ${r.count.failed} failed${r.count.skipped ? `, ${r.count.skipped} skipped` : ''}`;
			if (r.code !== 0 && r.count.failed === 0) {
				failed++;
				tests += ` (exit ${r.code})`;
			}
		} else if (r.code !== 0) {
			failed++;
			tests = `FAILED (exit ${r.code})`;
		} else tests = r.leg.counts === false ? 'ok' : 'ok, no count printed';
		rows.push([r.leg.name, lane, fmt(r.ms), tests, caches, r.waited > 1000 ? fmt(r.waited) : '']);
	}
	if (background && installs.length) {
		rows.push(['', '', '', '', '', '']);
		for (const i of installs) rows.push([`install ${i.name}`, '', i.ms === undefined ? '—' : fmt(i.ms), i.ok ? 'ok' : 'FAILED', i.wasWarm ? 'warm' : 'cold', '(background)']);
	}
	const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
	say('\n[test] summary');
	for (const [n, row] of rows.entries()) {
		say(row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
		if (n === 0) say(widths.map((w) => '-'.repeat(w)).join('  '));
	}
	say(`total ${fmt(Date.now() - t0)}${serial ? ', one leg at a time' : ', lanes A and B side by side'}${background ? '' : ' (no background installs)'}; commit ${gitHead()}`);
	say(`${passed} passed, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

function say(s) {
	process.stdout.write(`${s}\n`);
}

function tail(file, n) {
	try {
		return `${fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n')}\n`;
	} catch {
		return '';
	}
}

function gitHead() {
	const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : 'unknown';
}

main().catch((err) => {
	say(`[test] runner failed: ${err && err.stack ? err.stack : err}`);
	say('0 passed, 1 failed');
	process.exit(1);
});
