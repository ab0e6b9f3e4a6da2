'use strict';
// Redis and PostgreSQL for the queue-mode suite: installed from Debian's packages when
// missing, then started as private servers (127.0.0.1, ephemeral ports, data folders
// under the run's temp folder). Nothing system-wide is started or left running: the
// package install is kept from starting Debian's own services, and every server started
// here is a child of this process (killed with it, even on a crash).

const fs = require('node:fs');
const path = require('node:path');
const lib = require('../e2e/lib');

const APT_PACKAGES = ['redis-server', 'postgresql'];
/** Debian's convention: a policy-rc.d that exits 101 forbids package scripts to start services. */
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function which(name) {
	for (const dir of (process.env.PATH || '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			/* next */
		}
	}
	return undefined;
}

/** The newest PostgreSQL server binaries folder Debian installed (/usr/lib/postgresql/<v>/bin). */
function postgresBinDir() {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return undefined;
	const versions = fs
		.readdirSync(root)
		.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')) && fs.existsSync(path.join(root, v, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

function missingPackages() {
	const missing = [];
	if (!which('redis-server')) missing.push('redis-server');
	if (!postgresBinDir()) missing.push('postgresql');
	return missing;
}

/**
 * apt-get update once, then apt-get install of what is missing, non-interactive, with
 * service starts forbidden. Resolves { installed: [...], ms } (ms = 0 when nothing was missing).
 */
async function ensurePackages({ log = () => {} } = {}) {
	const missing = missingPackages();
	if (missing.length === 0) return { installed: [], ms: 0 };
	if (typeof process.getuid === 'function' && process.getuid() !== 0) {
		throw new Error(`${missing.join(' and ')} missing; install them (apt-get install -y ${APT_PACKAGES.join(' ')}) or run as root`);
	}
	const started = Date.now();
	log(`installing ${missing.join(', ')} from Debian's packages (apt-get update + install)`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'a' };
	const ownPolicy = !fs.existsSync(POLICY_RC_D);
	if (ownPolicy) fs.writeFileSync(POLICY_RC_D, '#!/bin/sh\n# written by test/queue/services.js during apt-get install\nexit 101\n', { mode: 0o755 });
	try {
		lib.runOrThrow('apt-get update', await lib.run('apt-get', ['update', '-q'], { env, timeoutMs: 10 * 60_000 }));
		lib.runOrThrow(
			'apt-get install',
			await lib.run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...APT_PACKAGES], { env, timeoutMs: 15 * 60_000 }),
		);
	} finally {
		if (ownPolicy) fs.rmSync(POLICY_RC_D, { force: true });
	}
	const still = missingPackages();
	if (still.length) throw new Error(`apt-get install finished but ${still.join(', ')} is still missing`);
	return { installed: missing, ms: Date.now() - started };
}

/** Runs a command as the `postgres` system user when we are root (PostgreSQL refuses root). */
function asPostgres(cmd, args) {
	const root = typeof process.getuid === 'function' && process.getuid() === 0;
	return root ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args };
}

async function waitFor(what, check, timeoutMs = 30_000) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		try {
			if (await check()) return;
		} catch (error) {
			last = error;
		}
		await lib.sleep(100);
	}
	throw new Error(`${what} not ready within ${lib.fmtMs(timeoutMs)}${last ? `: ${last.message}` : ''}`);
}

/** A private Redis: no persistence, 127.0.0.1 only. Resolves { port, child, stop }. */
async function startRedis(workDir) {
	const dir = path.join(workDir, 'redis');
	fs.mkdirSync(dir, { recursive: true });
	const port = await lib.freePort();
	const bin = which('redis-server');
	const child = lib.startProcess(
		bin,
		['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'],
		{ logFile: path.join(workDir, 'redis.log') },
	);
	const cli = which('redis-cli');
	await waitFor('redis', async () => {
		if (child.exitCode !== null) throw new Error(child.output.slice(-500));
		const r = await lib.run(cli, ['-h', '127.0.0.1', '-p', String(port), 'ping'], { timeoutMs: 3000 });
		return r.stdout.trim() === 'PONG';
	});
	return { port, child, stop: () => lib.stopProcess(child, 5000) };
}

/**
 * A private PostgreSQL cluster (initdb into workDir/postgres, trust auth for the
 * database user `n8n`, fsync off: test data only), with an `n8n` database.
 * Resolves { port, user, database, child, stop }.
 */
async function startPostgres(workDir) {
	const bin = postgresBinDir();
	const dataDir = path.join(workDir, 'postgres');
	fs.mkdirSync(dataDir, { recursive: true });
	// The postgres user must reach its folder: the temp folder is root's, 0700.
	fs.chmodSync(workDir, 0o755);
	const root = typeof process.getuid === 'function' && process.getuid() === 0;
	if (root) {
		lib.runOrThrow('chown postgres', await lib.run('chown', ['postgres:postgres', dataDir], { timeoutMs: 10_000 }));
		fs.chmodSync(dataDir, 0o700);
	}
	const init = asPostgres(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'n8n', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
	lib.runOrThrow('initdb', await lib.run(init.cmd, init.args, { timeoutMs: 120_000 }));
	const port = await lib.freePort();
	const server = asPostgres(path.join(bin, 'postgres'), [
		'-D', dataDir,
		'-p', String(port),
		'-k', dataDir,
		'-c', 'listen_addresses=127.0.0.1',
		'-c', 'fsync=off',
		'-c', 'synchronous_commit=off',
		'-c', 'full_page_writes=off',
		'-c', 'max_connections=200',
	]);
	const child = lib.startProcess(server.cmd, server.args, { logFile: path.join(workDir, 'postgres.log') });
	const psql = which('psql');
	const query = (database, sql) =>
		lib.run(psql, ['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', '-d', database, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], {
			timeoutMs: 30_000,
			env: { ...process.env, PGCONNECT_TIMEOUT: '3' },
		});
	await waitFor('postgres', async () => {
		if (child.exitCode !== null) throw new Error(child.output.slice(-800));
		return (await query('postgres', 'select 1')).stdout.trim() === '1';
	});
	lib.runOrThrow('create database n8n', await query('postgres', 'create database n8n'));
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		// A fast shutdown (SIGINT to the postmaster) does not wait for clients to leave.
		const ctl = asPostgres(path.join(bin, 'pg_ctl'), ['-D', dataDir, 'stop', '-m', 'fast', '-t', '20']);
		await lib.run(ctl.cmd, ctl.args, { timeoutMs: 30_000 });
		await lib.stopProcess(child, 5000);
	};
	return { port, user: 'n8n', database: 'n8n', child, stop, query: (sql) => query('n8n', sql) };
}

module.exports = { ensurePackages, missingPackages, startRedis, startPostgres, postgresBinDir, which };
