'use strict';
// n8n in queue mode on one machine: Redis and PostgreSQL (test/queue/services.js), one
// `n8n start` main (webhooks, triggers, the editor's REST API) and N `n8n worker`
// processes, each with its own user folder holding the package as a community package
// (exactly as the e2e suite installs it), all sharing the database, the queue and —
// in filesystem mode — one binary-data folder.
//
// Used by test/queue/run.js and bench/queue.js; `node test/queue/start-stack.js` starts
// one for you to look at. What each process gets is in QueueStack#commonEnv.

const fs = require('node:fs');
const path = require('node:path');
const lib = require('../e2e/lib');
const services = require('./services');

const OWNER = { email: 'owner@queue.test', firstName: 'Queue', lastName: 'Owner', password: 'Queue-test-0wner' };

class QueueStack {
	/**
	 * @param {object} o
	 * @param {string} o.bin          n8n binary
	 * @param {string} o.workDir      temp folder of the run
	 * @param {'database'|'filesystem'} o.binaryMode
	 * @param {number} [o.workers=2]
	 * @param {number} [o.concurrency=10]  per worker
	 * @param {object} [o.env]        extra environment for every process
	 * @param {(s: string) => void} [o.log]
	 */
	constructor({ bin, workDir, binaryMode, workers = 2, concurrency = 10, env = {}, log = () => {} }) {
		Object.assign(this, { bin, workDir, binaryMode, workerCount: workers, concurrency, extraEnv: env, log });
		this.storageDir = path.join(workDir, 'binary-data');
		this.workers = [];
		this.main = undefined;
	}

	/** Redis, PostgreSQL, the package in every user folder, credentials and workflows imported. */
	async prepare({ credentials, workflows }) {
		const t = Date.now();
		this.redis = await services.startRedis(this.workDir);
		this.postgres = await services.startPostgres(this.workDir);
		this.log(`redis :${this.redis.port}, postgres :${this.postgres.port} (${lib.fmtMs(Date.now() - t)})`);
		fs.mkdirSync(this.storageDir, { recursive: true });
		const mainFolder = path.join(this.workDir, 'main');
		this.mainN8n = await new lib.N8n(this.bin, mainFolder, {}).init();
		const pkg = await lib.installPackageInto(mainFolder, this.workDir);
		this.pkg = pkg;
		for (let i = 1; i <= this.workerCount; i++) {
			const worker = { name: `worker${i}`, n8n: await this.folderWithPackage(`worker${i}`), earlierOutput: '' };
			// Its log across restarts.
			worker.allOutput = () => worker.earlierOutput + (worker.child ? worker.child.output : '');
			this.workers.push(worker);
		}
		await this.cli('import:credentials', credentials);
		await this.cli('import:workflow', workflows);
		return pkg;
	}

	/** `n8n import:*` into the shared PostgreSQL database. */
	async cli(command, value) {
		const file = path.join(this.workDir, `${command.replace(':', '-')}.json`);
		fs.writeFileSync(file, JSON.stringify(value, null, 2));
		lib.runOrThrow(`n8n ${command}`, await this.mainN8n.cli([command, `--input=${file}`], { env: this.commonEnv() }));
	}

	/** `n8n publish:workflow` (activates it; the main registers its webhook when it starts). */
	async publish(id) {
		lib.runOrThrow(`n8n publish:workflow ${id}`, await this.mainN8n.cli(['publish:workflow', `--id=${id}`], { env: this.commonEnv() }));
	}

	async folderWithPackage(name) {
		const folder = path.join(this.workDir, name);
		const nodesDir = path.join(folder, '.n8n', 'nodes');
		fs.mkdirSync(nodesDir, { recursive: true });
		fs.cpSync(path.join(this.mainN8n.dataDir, 'nodes'), nodesDir, { recursive: true });
		return await new lib.N8n(this.bin, folder, {}).init();
	}

	/** Environment every process shares: database, queue, binary data, fast stall detection. */
	commonEnv() {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.postgres.port),
			DB_POSTGRESDB_DATABASE: this.postgres.database,
			DB_POSTGRESDB_USER: this.postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.redis.port),
			N8N_DEFAULT_BINARY_DATA_MODE: this.binaryMode,
			N8N_BINARY_DATA_STORAGE_PATH: this.storageDir,
			// A killed worker's job is noticed within seconds instead of a minute.
			QUEUE_WORKER_LOCK_DURATION: '5000',
			QUEUE_WORKER_LOCK_RENEW_TIME: '1000',
			QUEUE_WORKER_STALLED_INTERVAL: '2000',
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			N8N_LOG_LEVEL: 'info',
			// The DingTalk Trigger's Stream client is Node's WebSocket, behind this flag on Node 20 (n8n 2.8).
			NODE_OPTIONS: [process.env.NODE_OPTIONS, '--experimental-websocket'].filter(Boolean).join(' '),
			...this.extraEnv,
		};
	}

	/** `n8n start` (main) in queue mode; resolves when the editor is reachable. */
	async startMain() {
		const t = Date.now();
		// The free port picked can be taken by another program before n8n binds it: try again.
		for (let attempt = 1; ; attempt++) {
			try {
				await this.mainN8n.start({
					binaryMode: this.binaryMode,
					env: this.commonEnv(),
					logFile: path.join(this.workDir, 'main.log'),
					timeoutMs: 180_000,
				});
				break;
			} catch (error) {
				if (attempt >= 3 || !/is already in use/.test(String(error && error.message))) throw error;
			}
		}
		this.main = this.mainN8n.server;
		this.baseUrl = this.mainN8n.baseUrl;
		this.log(`main ${this.baseUrl} pid ${this.main.pid} (${lib.fmtMs(Date.now() - t)})`);
	}

	/** Starts worker `index` (again, after a kill); resolves once it says it is ready. */
	async startWorker(index) {
		const w = this.workers[index];
		if (w.child) w.earlierOutput += w.child.output;
		const t = Date.now();
		const child = lib.startProcess(this.bin, ['worker', `--concurrency=${this.concurrency}`], {
			env: w.n8n.env({ ...this.commonEnv(), N8N_RUNNERS_BROKER_PORT: String(await lib.freePort()) }),
			cwd: w.n8n.userFolder,
			logFile: path.join(this.workDir, `${w.name}.log`),
		});
		w.child = child;
		const deadline = Date.now() + 180_000;
		while (Date.now() < deadline) {
			if (/n8n worker is now ready/.test(child.output)) {
				this.log(`${w.name} pid ${child.pid} ready (${lib.fmtMs(Date.now() - t)})`);
				return child;
			}
			if (child.exitCode !== null || child.signalCode !== null) break;
			await lib.sleep(100);
		}
		throw new Error(`${w.name} did not become ready:\n${child.output.split('\n').slice(-30).join('\n')}`);
	}

	async startAll() {
		await this.startMain();
		// Workers one after the other: each runs the database migrations check at boot.
		for (let i = 0; i < this.workers.length; i++) await this.startWorker(i);
	}

	/** SIGKILL a worker's whole process group (its task runner included): a crash, not a shutdown. */
	async killWorker(index) {
		const w = this.workers[index];
		if (!w.child) return;
		process.kill(-w.child.pid, 'SIGKILL');
		await w.child.exited;
	}

	/** Which worker ran an execution, from the workers' own log lines. */
	workerOf(executionId) {
		const pattern = new RegExp(`Worker started execution ${executionId} \\(`);
		return this.workers.filter((w) => w.allOutput().match(pattern)).map((w) => w.name);
	}

	/** Executions each worker started (count), from their logs. */
	executionsPerWorker() {
		return Object.fromEntries(this.workers.map((w) => [w.name, (w.allOutput().match(/Worker started execution \d+ /g) || []).length]));
	}

	// ---------------------------------------------------------------- database

	pg() {
		if (!this.pgClient) {
			const { Pool } = require(path.join(path.dirname(this.bin), '..', 'pg'));
			this.pgClient = new Pool({ host: '127.0.0.1', port: this.postgres.port, user: 'n8n', database: 'n8n', max: 2 });
		}
		return this.pgClient;
	}

	async sql(text, params = []) {
		return (await this.pg().query(text, params)).rows;
	}

	async executions(workflowId) {
		return await this.sql(
			'SELECT id::int AS id, status, finished, mode, "startedAt", "stoppedAt" FROM execution_entity WHERE "workflowId" = $1 ORDER BY id',
			[workflowId],
		);
	}

	async executionData(executionId) {
		const rows = await this.sql('SELECT data FROM execution_data WHERE "executionId" = $1', [executionId]);
		if (!rows.length) return undefined;
		const flatted = require(path.join(path.dirname(this.bin), '..', 'flatted'));
		return flatted.parse(rows[0].data);
	}

	/** Waits until `count` executions of a workflow exist and none is still new/running. */
	async waitForExecutions(workflowId, count, timeoutMs = 120_000) {
		const deadline = Date.now() + timeoutMs;
		let rows = [];
		while (Date.now() < deadline) {
			rows = await this.executions(workflowId);
			if (rows.length >= count && rows.every((r) => !['new', 'running', 'waiting'].includes(r.status))) return rows;
			await lib.sleep(250);
		}
		const by = rows.reduce((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
		throw new Error(`${rows.length}/${count} executions of ${workflowId} within ${lib.fmtMs(timeoutMs)}: ${JSON.stringify(by)}`);
	}

	// ---------------------------------------------------------------- the main's REST API (as the editor uses it)

	async login() {
		if (this.cookie) return this.cookie;
		const setup = await lib.postJson(`${this.baseUrl}/rest/owner/setup`, OWNER);
		if (setup.status !== 200 && setup.status !== 400) throw new Error(`owner setup: HTTP ${setup.status} ${setup.body.toString().slice(0, 200)}`);
		const res = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
			signal: AbortSignal.timeout(30_000),
		});
		if (res.status !== 200) throw new Error(`login: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
		this.cookie = (res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie')]).map((c) => String(c).split(';')[0]).join('; ');
		return this.cookie;
	}

	/** The bytes of a stored binary, as the editor downloads them from the main. */
	async binaryFromMain(binaryId) {
		const cookie = await this.login();
		const url = `${this.baseUrl}/rest/binary-data?id=${encodeURIComponent(binaryId)}&action=download`;
		const res = await lib.httpRequest(url, { headers: { cookie }, timeoutMs: 120_000 });
		if (res.status !== 200) throw new Error(`GET /rest/binary-data (${binaryId}): HTTP ${res.status} ${res.body.toString().slice(0, 200)}`);
		return res.body;
	}

	/** Stops the n8n processes only (the database and the queue stay), e.g. to restart them in another binary-data mode. */
	async stopN8n() {
		const quiet = (p) => Promise.resolve(p).catch(() => {});
		await Promise.all(this.workers.map((w) => quiet(w.child && lib.stopProcess(w.child, 10_000))));
		await quiet(this.mainN8n && this.mainN8n.stop());
		this.cookie = undefined;
	}

	/** Stops everything started here: n8n processes, then PostgreSQL and Redis. Never throws. */
	async stop() {
		const quiet = (p) => Promise.resolve(p).catch(() => {});
		await this.stopN8n();
		if (this.pgClient) await quiet(this.pgClient.end());
		if (this.postgres) await quiet(this.postgres.stop());
		if (this.redis) await quiet(this.redis.stop());
	}
}

module.exports = { QueueStack, OWNER };
