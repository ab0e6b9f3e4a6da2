'use strict';
// Shared machinery of the real-n8n end-to-end runner (run.js) and the demo (demo.js):
// child processes with timeouts, the n8n install, the stand-in, the packed package,
// the n8n CLI, `n8n start`, and reading binary data and executions back.
//
// Plain CommonJS, Node >= 20, no dependencies beyond what the repo and the n8n host
// folder already have.

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'n8n-nodes-message-files';
const NODE_TYPE = `${PACKAGE_NAME}.downloadMessageFile`;
const NODE_DIST = path.join(ROOT, 'dist', 'nodes', 'DownloadMessageFile', 'DownloadMessageFile.node.js');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'files');
const EXAMPLES = path.join(ROOT, 'examples');
/** Fixed key: the credential store is encrypted with it by import and read with it by execute/start. */
const ENCRYPTION_KEY = 'n8n-nodes-message-files-e2e-fixed-key';

// ------------------------------------------------------------------ logging

let verbose = !!process.env.E2E_VERBOSE;
function setVerbose(v) {
	verbose = v;
}
function debug(...args) {
	if (verbose) process.stderr.write(`[e2e] ${args.join(' ')}\n`);
}

// ------------------------------------------------------------------ child processes

/** Every child started here; all are killed (whole process group) on exit. */
const children = new Set();

function killGroup(child, signal) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal); // detached: the child leads its own group (n8n's task runners included)
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

function killAllChildren() {
	for (const child of children) killGroup(child, 'SIGKILL');
	children.clear();
}

let exitHooksInstalled = false;
function installExitHooks() {
	if (exitHooksInstalled) return;
	exitHooksInstalled = true;
	process.on('exit', killAllChildren);
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(sig, () => {
			process.stderr.write(`\n[e2e] ${sig}: stopping children\n`);
			killAllChildren();
			process.exit(130);
		});
	}
}

/** A global watchdog: the whole run can never hang. */
function watchdog(ms, what) {
	const t = setTimeout(() => {
		process.stderr.write(`[e2e] ${what} exceeded ${Math.round(ms / 1000)} s: aborting\n`);
		killAllChildren();
		process.exit(124);
	}, ms);
	t.unref();
	return t;
}

/**
 * Start a long-lived child in its own process group. Output is collected into
 * `child.output` (and a log file when given). Returns the ChildProcess.
 */
function startProcess(cmd, args, { env, cwd, logFile } = {}) {
	installExitHooks();
	const child = spawn(cmd, args, {
		cwd,
		env: env ?? process.env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	children.add(child);
	child.output = '';
	const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : undefined;
	const onData = (chunk) => {
		const s = chunk.toString('utf8');
		child.output += s;
		if (child.output.length > 4_000_000) child.output = child.output.slice(-2_000_000);
		if (log) log.write(s);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	child.exited = new Promise((resolve) => {
		child.once('exit', (code, signal) => {
			children.delete(child);
			if (log) log.end();
			resolve({ code, signal });
		});
	});
	child.once('error', (err) => {
		child.output += `\n[spawn error] ${err.message}\n`;
	});
	return child;
}

/** Stop a child: SIGTERM to its group, SIGKILL after `graceMs`. */
async function stopProcess(child, graceMs = 10_000) {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	killGroup(child, 'SIGTERM');
	const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
	await child.exited;
	clearTimeout(timer);
}

/**
 * Run a command to completion with a hard timeout.
 * Resolves { code, signal, stdout, stderr, ms, timedOut } (never rejects on a non-zero exit).
 */
function run(cmd, args, { env, cwd, timeoutMs = 120_000, input, onStderr } = {}) {
	installExitHooks();
	return new Promise((resolve) => {
		const started = Date.now();
		const child = spawn(cmd, args, {
			cwd,
			env: env ?? process.env,
			detached: true,
			stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
		});
		children.add(child);
		const out = [];
		const err = [];
		child.stdout.on('data', (c) => out.push(c));
		child.stderr.on('data', (c) => {
			err.push(c);
			if (onStderr) onStderr(c);
		});
		if (input !== undefined) child.stdin.end(input);
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child, 'SIGKILL');
		}, timeoutMs);
		const finish = (code, signal, spawnError) => {
			clearTimeout(timer);
			children.delete(child);
			resolve({
				code: spawnError ? -1 : code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8') + (spawnError ? `\n${spawnError.message}` : ''),
				ms: Date.now() - started,
				timedOut,
			});
		};
		child.once('error', (e) => finish(-1, null, e));
		child.once('close', (code, signal) => finish(code, signal));
	});
}

function runOrThrow(what, result) {
	if (result.code !== 0 || result.timedOut) {
		const tail = (s) => s.split('\n').slice(-25).join('\n');
		throw new Error(
			`${what} failed (${result.timedOut ? 'timed out' : `exit ${result.code}`}, ${result.ms} ms)\n` +
				`--- stdout (tail)\n${tail(result.stdout)}\n--- stderr (tail)\n${tail(result.stderr)}`,
		);
	}
	return result;
}

// ------------------------------------------------------------------ small helpers

function sha256(buf) {
	return crypto.createHash('sha256').update(buf).digest('hex');
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

function mkTemp(prefix) {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

/** fetch with a timeout; resolves { status, headers, body: Buffer }. */
async function httpRequest(url, { method = 'GET', headers, body, timeoutMs = 60_000 } = {}) {
	const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
	const buf = Buffer.from(await res.arrayBuffer());
	return { status: res.status, headers: res.headers, body: buf };
}

async function postJson(url, value, { headers = {}, timeoutMs } = {}) {
	return httpRequest(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(value),
		timeoutMs,
	});
}

function fmtMs(ms) {
	return `${(ms / 1000).toFixed(1)} s`;
}

// ------------------------------------------------------------------ n8n install

/**
 * Path of the n8n binary: $N8N_BIN, else .ci/install-n8n.sh (cached; installs on first use)
 * for `version` (default: $N8N_VERSION, else the script's default, 2.8.4).
 */
async function ensureN8n({ version } = {}) {
	if (process.env.N8N_BIN && !version) {
		if (!fs.existsSync(process.env.N8N_BIN)) throw new Error(`N8N_BIN=${process.env.N8N_BIN} does not exist`);
		return { bin: process.env.N8N_BIN, ms: 0 };
	}
	const script = path.join(ROOT, '.ci', 'install-n8n.sh');
	// Stream the installer's progress to our stderr: a first install takes minutes.
	let said = '';
	const r = await run('bash', [script], {
		env: version ? { ...process.env, N8N_VERSION: version } : process.env,
		timeoutMs: 20 * 60_000,
		onStderr: (c) => {
			said += c.toString('utf8');
			process.stderr.write(c);
		},
	});
	if (r.code !== 0 || r.timedOut) throw new Error(`.ci/install-n8n.sh failed (${r.timedOut ? 'timed out' : `exit ${r.code}`})`);
	const lines = r.stdout.trim().split('\n');
	const bin = lines[lines.length - 1].trim();
	if (!fs.existsSync(bin)) throw new Error(`.ci/install-n8n.sh printed ${bin}, which does not exist`);
	// ms: the install's time when it installed something, else 0 (the cached install's check only).
	return { bin, ms: /\] installed /.test(said) ? r.ms : 0 };
}

/**
 * The environment to run an n8n binary in. An install for a newer Node (.ci/install-n8n.sh:
 * n8n after 2.9 on Node 24) has that Node linked as `node` next to its `n8n`: its folder goes
 * first on PATH, as `npm exec` would put it, so n8n (`#!/usr/bin/env node`) and the task
 * runner it spawns as plain `node` both run on it.
 */
function n8nProcessEnv(bin, env = process.env) {
	const binDir = path.dirname(bin);
	if (!fs.existsSync(path.join(binDir, 'node'))) return { ...env };
	return { ...env, PATH: `${binDir}${path.delimiter}${env.PATH ?? ''}` };
}

/** `{ n8n, node }`: the versions of an n8n binary and of the Node it runs on. */
async function n8nVersions(bin) {
	const env = n8nProcessEnv(bin);
	const n8n = (await run(bin, ['--version'], { env, timeoutMs: 60_000 })).stdout.trim();
	const node = (await run('node', ['--version'], { env, timeoutMs: 60_000 })).stdout.trim().replace(/^v/, '');
	return { n8n, node };
}

/** The host folder's node_modules (for sqlite3 and flatted). */
function n8nModulesDir(bin) {
	// bin = <host>/node_modules/.bin/n8n
	return path.resolve(path.dirname(bin), '..');
}

// ------------------------------------------------------------------ the package

function ensureBuilt({ forceBuild = false } = {}) {
	if (!forceBuild && fs.existsSync(NODE_DIST)) return Promise.resolve(false);
	if (!fs.existsSync(path.join(ROOT, 'gulpfile.js')) && !fs.existsSync(path.join(ROOT, 'gulpfile.mjs'))) {
		return Promise.reject(new Error(`${path.relative(ROOT, NODE_DIST)} is missing and there is no gulpfile to build it`));
	}
	process.stderr.write('[e2e] building the package (npm run build)\n');
	return run('npm', ['run', 'build'], { cwd: ROOT, timeoutMs: 300_000 }).then((r) => {
		runOrThrow('npm run build', r);
		if (!fs.existsSync(NODE_DIST)) throw new Error(`npm run build did not produce ${NODE_DIST}`);
		return true;
	});
}

/**
 * A folder for what one run builds once and every suite in it reuses (the packed tarball, the
 * stand-in bundle); removed when the process exits.
 */
let runCacheDir;
function runCache() {
	if (!runCacheDir) {
		runCacheDir = mkTemp('n8n-msgfiles-run-');
		process.on('exit', () => fs.rmSync(runCacheDir, { recursive: true, force: true }));
	}
	return runCacheDir;
}

/** `npm pack` of the repo, once per process: the e2e scenario files each install the same tarball. */
let packing;
function packOnce() {
	packing ??= (async () => {
		const packDir = path.join(runCache(), 'pack');
		fs.mkdirSync(packDir, { recursive: true });
		const r = runOrThrow(
			'npm pack',
			await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
				cwd: ROOT,
				timeoutMs: 120_000,
			}),
		);
		const info = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0];
		return { info, tarball: path.join(packDir, info.filename) };
	})();
	return packing;
}

/**
 * `npm pack` the repo (once per process) and unpack it where n8n keeps community packages:
 * $N8N_USER_FOLDER/.n8n/nodes/node_modules/<name>, with the nodes folder's package.json.
 */
async function installPackageInto(userFolder) {
	const { info, tarball } = await packOnce();
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const dest = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.rmSync(dest, { recursive: true, force: true });
	fs.mkdirSync(dest, { recursive: true });
	runOrThrow('tar -x', await run('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1'], { timeoutMs: 60_000 }));
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: info.version } }, null, 2) +
			'\n',
	);
	return { tarball, version: info.version, files: info.files.map((f) => f.path), size: info.size, dest };
}

// ------------------------------------------------------------------ the stand-in

/** The stand-in bundled by esbuild (once per process; every suite of the run starts its own copy). */
let bundling;
async function buildStandIn() {
	bundling ??= (async () => {
		const out = path.join(runCache(), 'standin.js');
		const esbuild = path.join(ROOT, 'node_modules', '.bin', 'esbuild');
		runOrThrow(
			'esbuild (stand-in bundle)',
			await run(
				esbuild,
				[path.join(ROOT, 'test', 'standin', 'cli.ts'), '--bundle', '--platform=node', `--outfile=${out}`, '--log-level=warning'],
				{ cwd: ROOT, timeoutMs: 60_000 },
			),
		);
		return out;
	})();
	return bundling;
}

/** Start the stand-in with a config; resolves { child, urls } once it printed its URL line. */
async function startStandIn(bundle, config, workDir) {
	const configPath = path.join(workDir, 'standin-config.json');
	fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
	const child = startProcess(process.execPath, [bundle, configPath], { logFile: path.join(workDir, 'standin.log') });
	const deadline = Date.now() + 15_000;
	while (Date.now() < deadline) {
		const line = child.output.split('\n').find((l) => l.startsWith('{"dingTalkUrl"'));
		if (line) return { child, urls: JSON.parse(line) };
		if (child.exitCode !== null) break;
		await sleep(50);
	}
	await stopProcess(child, 1000);
	throw new Error(`stand-in did not start:\n${child.output}`);
}

async function standInStats(urls) {
	const r = await httpRequest(`${urls.controlUrl}/__standin/stats`, { timeoutMs: 5000 });
	return JSON.parse(r.body.toString('utf8'));
}

async function standInRequests(urls) {
	const r = await httpRequest(`${urls.controlUrl}/__standin/requests`, { timeoutMs: 5000 });
	return JSON.parse(r.body.toString('utf8'));
}

/** A control route of the stand-in (`/__standin/<route>`): GET without a value, else POST it as JSON. */
async function standInControl(urls, route, value) {
	const url = `${urls.controlUrl}/__standin/${route}`;
	const res = value === undefined ? await httpRequest(url, { timeoutMs: 60_000 }) : await postJson(url, value, { timeoutMs: 60_000 });
	if (res.status !== 200) throw new Error(`stand-in ${route}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
	return JSON.parse(res.body.toString('utf8'));
}

/** The URL of a control route of the stand-in Stream gateway (`/__stream/<route>`, on its own listener). */
function streamControlUrl(urls, route) {
	return `${urls.streamGatewayUrl.replace(/^ws:/, 'http:')}/__stream/${route}`;
}

/** Calls a control route of the stand-in Stream gateway: GET without a body, else POST it as JSON. */
async function streamGateway(urls, route, body) {
	const url = streamControlUrl(urls, route);
	const res = body === undefined ? await httpRequest(url, { timeoutMs: 10_000 }) : await postJson(url, body, { timeoutMs: 10_000 });
	if (res.status !== 200) throw new Error(`gateway ${route}: HTTP ${res.status}`);
	return JSON.parse(res.body.toString('utf8'));
}

/** Polls `condition` (sync or async) every 200 ms until it returns something truthy, which it returns; throws after `timeoutMs`. */
async function waitFor(condition, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await condition();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${fmtMs(timeoutMs)} waiting for ${what}`);
		await sleep(200);
	}
}

// ------------------------------------------------------------------ n8n

class N8n {
	/**
	 * @param {string} bin    n8n binary
	 * @param {string} userFolder  N8N_USER_FOLDER (n8n keeps its data in <userFolder>/.n8n)
	 * @param {object} extraEnv
	 */
	constructor(bin, userFolder, extraEnv = {}) {
		this.bin = bin;
		this.userFolder = userFolder;
		this.extraEnv = extraEnv;
		this.dataDir = path.join(userFolder, '.n8n');
		this.server = undefined;
		this.port = undefined;
	}

	async init() {
		this.brokerPort = await freePort();
		fs.mkdirSync(this.dataDir, { recursive: true });
		return this;
	}

	env(overrides = {}) {
		const env = n8nProcessEnv(this.bin);
		// Nothing from the caller's own n8n setup may leak in.
		for (const k of Object.keys(env)) if (k.startsWith('N8N_') || k.startsWith('DB_')) delete env[k];
		return {
			...env,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_LOG_OUTPUT: 'console',
			DB_TYPE: 'sqlite',
			...this.extraEnv,
			...overrides,
		};
	}

	async cli(args, { env, timeoutMs = 120_000 } = {}) {
		debug('n8n', args.join(' '));
		return run(this.bin, args, { env: this.env(env), timeoutMs, cwd: this.userFolder });
	}

	async importCredentials(creds, file) {
		fs.writeFileSync(file, JSON.stringify(creds, null, 2));
		return runOrThrow('n8n import:credentials', await this.cli(['import:credentials', `--input=${file}`]));
	}

	async importWorkflows(workflows, file) {
		fs.writeFileSync(file, JSON.stringify(workflows, null, 2));
		return runOrThrow('n8n import:workflow', await this.cli(['import:workflow', `--input=${file}`]));
	}

	async publish(id) {
		return runOrThrow(`n8n publish:workflow --id=${id}`, await this.cli(['publish:workflow', `--id=${id}`]));
	}

	/**
	 * `n8n execute --id=… --rawOutput`. Resolves { code, ms, run (parsed IRun or undefined), stdout, stderr }.
	 * binaryMode: 'default' | 'filesystem'.
	 */
	async execute(id, { binaryMode = 'filesystem', timeoutMs = 180_000, env = {} } = {}) {
		const r = await this.cli(['execute', `--id=${id}`, '--rawOutput'], {
			env: { N8N_DEFAULT_BINARY_DATA_MODE: binaryMode, ...env },
			timeoutMs,
		});
		return { ...r, run: parseRawOutput(r.stdout) };
	}

	/**
	 * `n8n start` in the background; resolves once the webhook server is live and the published
	 * workflows are active (see `#publication`), with `{ ms, baseUrl, publication }`.
	 */
	async start({ binaryMode = 'filesystem', env = {}, timeoutMs = 120_000, logFile } = {}) {
		const pending = await this.#pendingActivations();
		this.port = await freePort();
		const child = startProcess(this.bin, ['start'], {
			env: this.env({ N8N_PORT: String(this.port), N8N_DEFAULT_BINARY_DATA_MODE: binaryMode, ...env }),
			cwd: this.userFolder,
			logFile,
		});
		this.server = child;
		const started = Date.now();
		while (Date.now() - started < timeoutMs) {
			if (/Editor is now accessible via/.test(child.output)) {
				this.baseUrl = `http://127.0.0.1:${this.port}`;
				const publication = await this.#publication(pending, started + timeoutMs);
				return { ms: Date.now() - started, baseUrl: this.baseUrl, publication };
			}
			if (child.exitCode !== null || child.signalCode !== null) break;
			await sleep(100);
		}
		const output = child.output;
		await this.stop();
		throw new Error(`n8n start did not become ready within ${fmtMs(timeoutMs)}:\n${output.split('\n').slice(-40).join('\n')}`);
	}

	/**
	 * n8n ≤ 2.40 activates the published workflows before it logs "Editor is now accessible".
	 * n8n 2.41 (its workflow publication service, on by default) does it after that line: at
	 * start its reconciler queues a `startup` row in `workflow_publication_outbox` for each
	 * published workflow whose published version is not yet in effect (e.g. one `n8n
	 * publish:workflow` set) or whose triggers live in memory (a Stream connection, a poller),
	 * and activates them in the background (~0.5 s later here); a webhook called before then
	 * answers 404 "not registered". Webhooks activated by an earlier start stay registered in
	 * the database (trigger kind `persisted`) and get no row; a version whose activation failed
	 * is not retried. `#pendingActivations` lists, before the start, the workflows n8n will
	 * activate; `#publication` waits, after it, until each has a finished row from this start
	 * and returns those rows ({ workflowId, status, errorMessage }). Older n8n (no such table):
	 * undefined at once.
	 */
	async #publication(pending, deadline) {
		if (!pending) return undefined;
		for (;;) {
			const rows = await this.#query(
				'SELECT id, workflowId, publishedVersionId, status, errorMessage FROM workflow_publication_outbox WHERE id > ? ORDER BY id',
				[pending.after],
			);
			const done = rows.filter((r) => !['pending', 'in_progress'].includes(r.status));
			const missing = pending.workflows.filter((w) => !done.some((r) => r.workflowId === w.id && r.publishedVersionId === w.activeVersionId));
			if (!missing.length) return done;
			if (Date.now() > deadline || (this.server && this.server.exitCode !== null)) {
				throw new Error(`n8n start did not activate the published workflows ${missing.map((w) => w.id).join(', ')} (workflow_publication_outbox: ${JSON.stringify(rows)})`);
			}
			await sleep(100);
		}
	}

	/** Before `n8n start` on n8n 2.41+: { after: newest outbox row, workflows n8n will activate }; else undefined. */
	async #pendingActivations() {
		if (!fs.existsSync(path.join(this.dataDir, 'database.sqlite'))) return undefined;
		const table = await this.#query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'workflow_publication_outbox'", []);
		if (!table.length) return undefined;
		const [last] = await this.#query('SELECT MAX(id) AS id FROM workflow_publication_outbox', []);
		const workflows = await this.#query(
			`SELECT w.id, w.activeVersionId FROM workflow_entity w
			 LEFT JOIN workflow_published_version pv ON pv.workflowId = w.id
			 WHERE w.activeVersionId IS NOT NULL
			 AND (pv.publishedVersionId IS NULL OR pv.publishedVersionId <> w.activeVersionId
			      OR EXISTS (SELECT 1 FROM workflow_publication_trigger_status ts WHERE ts.workflowId = w.id AND ts.triggerKind <> 'persisted' AND ts.status = 'activated'))
			 AND NOT EXISTS (SELECT 1 FROM workflow_publication_outbox o WHERE o.workflowId = w.id AND o.status = 'failed'
			      AND o.publishedVersionId = w.activeVersionId AND o.id = (SELECT MAX(l.id) FROM workflow_publication_outbox l WHERE l.workflowId = w.id))`,
			[],
		);
		return { after: last.id ?? 0, workflows };
	}

	async stop() {
		if (this.server) await stopProcess(this.server, 15_000);
		this.server = undefined;
	}

	/** Absolute path of a binary stored in filesystem mode. */
	binaryPath(id) {
		const m = /^filesystem(?:-v2)?:(.+)$/.exec(id);
		if (!m) throw new Error(`not a filesystem binary id: ${id}`);
		return path.join(this.dataDir, 'storage', m[1]);
	}

	/** Bytes of a binary entry of an output item, in either binary data mode. */
	binaryBytes(entry) {
		if (entry.id) return fs.readFileSync(this.binaryPath(entry.id));
		return Buffer.from(entry.data, 'base64');
	}

	/** Executions of a workflow, newest first, from the sqlite database (readable while n8n runs: WAL). */
	async executions(workflowId) {
		return this.#query(
			'SELECT id, workflowId, status, finished, mode, storedAt FROM execution_entity WHERE workflowId = ? ORDER BY id DESC',
			[workflowId],
		);
	}

	/** The full run data (IRunExecutionData) of one execution. */
	async executionData(executionId) {
		const rows = await this.#query('SELECT data FROM execution_data WHERE executionId = ?', [executionId]);
		if (!rows.length) return undefined;
		const flatted = require(path.join(n8nModulesDir(this.bin), 'flatted'));
		return flatted.parse(rows[0].data);
	}

	/** Wait for a finished (not running/new/waiting) execution with id > afterId. */
	async waitForExecution(workflowId, afterId = 0, timeoutMs = 60_000) {
		const started = Date.now();
		while (Date.now() - started < timeoutMs) {
			const rows = await this.executions(workflowId);
			const done = rows.find((r) => r.id > afterId && !['new', 'running', 'waiting'].includes(r.status));
			if (done) {
				const data = done.storedAt === 'db' ? await this.executionData(done.id) : undefined;
				return { ...done, data };
			}
			await sleep(200);
		}
		throw new Error(`no finished execution of workflow ${workflowId} within ${fmtMs(timeoutMs)}`);
	}

	async lastExecutionId(workflowId) {
		const rows = await this.executions(workflowId);
		return rows.length ? rows[0].id : 0;
	}

	#query(sql, params) {
		const sqlite3 = require(path.join(n8nModulesDir(this.bin), 'sqlite3'));
		const file = path.join(this.dataDir, 'database.sqlite');
		return new Promise((resolve, reject) => {
			const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => {
				if (err) return reject(err);
				db.configure('busyTimeout', 5000);
				db.all(sql, params, (e, rows) => {
					db.close();
					if (e) reject(e);
					else resolve(rows);
				});
			});
		});
	}
}

/**
 * The JSON of `n8n execute --rawOutput`: stdout has log lines before it and, on a
 * node error, "Error executing workflow…" after it. Returns the parsed IRun or undefined.
 */
function parseRawOutput(stdout) {
	const start = stdout.search(/^\{\s*$/m);
	if (start < 0) return undefined;
	// Scan to the brace that closes the first one (strings and escapes respected).
	let depth = 0;
	let inString = false;
	for (let i = start; i < stdout.length; i++) {
		const ch = stdout[i];
		if (inString) {
			if (ch === '\\') i++;
			else if (ch === '"') inString = false;
		} else if (ch === '"') inString = true;
		else if (ch === '{') depth++;
		else if (ch === '}' && --depth === 0) {
			try {
				return JSON.parse(stdout.slice(start, i + 1));
			} catch {
				return undefined;
			}
		}
	}
	return undefined;
}

/** Output items of a node's first run (output 0), or undefined. */
function nodeOutput(runData, nodeName) {
	const runs = runData?.[nodeName];
	if (!runs || !runs.length) return undefined;
	return runs[0].data?.main?.[0] ?? [];
}

function nodeError(runData, nodeName) {
	const e = runData?.[nodeName]?.[0]?.error;
	return e ? e.message + (e.description ? ` (${e.description})` : '') : undefined;
}

// ------------------------------------------------------------------ fixtures

/** What a correct download of each fixture looks like. */
const FIXTURE_TYPES = {
	'image.png': { mimeType: 'image/png', ext: 'png' },
	'image.jpg': { mimeType: 'image/jpeg', ext: ['jpg', 'jpeg'] },
	'image.gif': { mimeType: 'image/gif', ext: 'gif' },
	'image.webp': { mimeType: 'image/webp', ext: 'webp' },
	'document.pdf': { mimeType: 'application/pdf', ext: 'pdf' },
	'document.docx': {
		mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
		ext: 'docx',
	},
	// Whisper-style services take .ogg / .oga, not .opus (see the facts on file-type).
	'voice.ogg': { mimeType: /^audio\/ogg(;.*)?$/, ext: ['ogg', 'oga'] },
	'voice.amr': { mimeType: 'audio/amr', ext: 'amr' },
	'video.mp4': { mimeType: 'video/mp4', ext: 'mp4' },
	'audio.mp3': { mimeType: 'audio/mpeg', ext: 'mp3' },
};

function fixturePath(name) {
	return path.join(FIXTURES, name);
}

function fixtureExists(name) {
	return fs.existsSync(fixturePath(name));
}

function fixtureSha(name) {
	return sha256(fs.readFileSync(fixturePath(name)));
}

/**
 * Check one binary entry against a fixture. Returns a list of problems (empty = ok).
 * expect: { fixture, fileName?: string | RegExp, mode?: 'default' | 'filesystem' }
 */
function checkBinary(n8n, entry, expect) {
	const problems = [];
	if (!entry) return [`no binary property`];
	const type = FIXTURE_TYPES[expect.fixture];
	const mimeOk = type.mimeType instanceof RegExp ? type.mimeType.test(entry.mimeType) : entry.mimeType === type.mimeType;
	if (!mimeOk) problems.push(`mimeType ${entry.mimeType}, want ${type.mimeType}`);
	const exts = [].concat(type.ext);
	if (!exts.includes(entry.fileExtension)) problems.push(`fileExtension ${entry.fileExtension}, want ${exts.join(' or ')}`);
	const name = entry.fileName ?? '';
	if (expect.fileName instanceof RegExp) {
		if (!expect.fileName.test(name)) problems.push(`fileName ${name}, want ${expect.fileName}`);
	} else if (typeof expect.fileName === 'string') {
		if (name !== expect.fileName) problems.push(`fileName ${name}, want ${expect.fileName}`);
	} else if (!exts.some((e) => name.toLowerCase().endsWith(`.${e}`))) {
		problems.push(`fileName ${JSON.stringify(name)} does not end in .${exts.join(' / .')}`);
	}
	if (name && entry.fileExtension && !name.toLowerCase().endsWith(`.${entry.fileExtension}`)) {
		problems.push(`fileName ${name} disagrees with fileExtension ${entry.fileExtension}`);
	}
	if (expect.mode === 'filesystem' && !entry.id) problems.push('filesystem mode but no binary id');
	if (expect.mode === 'default' && entry.id) problems.push(`default mode but binary id ${entry.id}`);
	let bytes;
	try {
		bytes = n8n.binaryBytes(entry);
	} catch (e) {
		problems.push(`cannot read bytes: ${e.message}`);
	}
	if (bytes) {
		const want = fixtureSha(expect.fixture);
		if (sha256(bytes) !== want) problems.push(`sha256 ${sha256(bytes).slice(0, 12)}…, want ${want.slice(0, 12)}… (${bytes.length} bytes)`);
	}
	return problems;
}

// ------------------------------------------------------------------ examples

function loadExample(file) {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
}

/**
 * The scenario runner both real-n8n suites (test/e2e, test/queue) use: `scenario(name, fn)`
 * runs fn, which returns a short detail or throws; one PASS/FAIL line each; `counts()` for
 * the closing "N passed, N failed" line. `skip(name)` may return why a scenario does not run
 * here (where it is proven instead): one SKIP line, counted apart.
 */
function scenarioRunner({ verbose = () => false, skip = () => undefined } = {}) {
	const results = [];
	const line = (s) => process.stdout.write(`${s}\n`);
	async function scenario(name, fn) {
		const why = skip(name);
		if (why) {
			results.push({ name, skipped: true });
			line(`SKIP  ${name} — ${why}`);
			return;
		}
		const started = Date.now();
		try {
			const detail = await fn();
			results.push({ name, ok: true });
			line(`PASS  ${name} (${fmtMs(Date.now() - started)})${detail ? ` — ${detail}` : ''}`);
		} catch (err) {
			results.push({ name, ok: false });
			const [first, ...rest] = String(err && err.message ? err.message : err).split('\n');
			line(`FAIL  ${name} (${fmtMs(Date.now() - started)}) — ${first}`);
			for (const l of rest.slice(0, 40)) line(`        ${l}`);
			if (verbose() && err.stack) process.stderr.write(`${err.stack}\n`);
		}
	}
	const fail = (name) => results.push({ name, ok: false });
	const counts = () => {
		const passed = results.filter((r) => r.ok).length;
		const skipped = results.filter((r) => r.skipped).length;
		return { passed, failed: results.length - passed - skipped, skipped };
	};
	return { scenario, fail, counts };
}

/**
 * A node builder for a scenario file's workflows: each node gets a fresh id and sits 240 px
 * right of the one made before it. `make.count()` is how many it made so far.
 */
function nodeMaker() {
	let made = 0;
	const make = (name, type, typeVersion, parameters, extra = {}) => {
		made++;
		return { id: crypto.randomUUID(), name, type, typeVersion, position: [240 * made, 0], parameters, ...extra };
	};
	make.count = () => made;
	return make;
}

/** A workflow (`wf`: id and name) of `nodes`, joined by `edges`: [from, to, output = 0] by node name. */
function workflowOf(wf, nodes, edges) {
	const connections = {};
	for (const [from, to, output = 0] of edges) {
		connections[from] ??= { main: [] };
		while (connections[from].main.length <= output) connections[from].main.push([]);
		connections[from].main[output].push({ node: to, type: 'main', index: 0 });
	}
	return { id: wf.id, name: wf.name, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

function assert(cond, message) {
	if (!cond) throw new Error(message);
}

module.exports = {
	scenarioRunner,
	nodeMaker,
	workflowOf,
	assert,
	ROOT,
	PACKAGE_NAME,
	NODE_TYPE,
	NODE_DIST,
	FIXTURES,
	EXAMPLES,
	ENCRYPTION_KEY,
	FIXTURE_TYPES,
	setVerbose,
	debug,
	startProcess,
	stopProcess,
	killAllChildren,
	watchdog,
	run,
	runOrThrow,
	sha256,
	freePort,
	mkTemp,
	sleep,
	httpRequest,
	postJson,
	fmtMs,
	ensureN8n,
	n8nProcessEnv,
	n8nVersions,
	ensureBuilt,
	installPackageInto,
	buildStandIn,
	startStandIn,
	standInStats,
	standInRequests,
	standInControl,
	streamControlUrl,
	streamGateway,
	waitFor,
	N8n,
	parseRawOutput,
	nodeOutput,
	nodeError,
	fixturePath,
	fixtureExists,
	fixtureSha,
	checkBinary,
	loadExample,
};
