#!/usr/bin/env node
'use strict';
// A queue-mode n8n to look at, the same one the suite tests: Redis + PostgreSQL (private,
// from Debian's packages), n8n 2.8.4 main + 2 workers, this package installed as a
// community package, the stand-ins, the suite's webhook workflows published.
//
//   node test/queue/start-stack.js [--mode=database|filesystem] [--workers=2]
//
// Prints the editor URL, the owner login and each webhook URL, then runs until Ctrl-C
// (everything it started stops with it). The environment each process gets is in
// QueueStack#commonEnv (test/queue/stack.js) — the settings docs/scaling-out.md explains.

const fs = require('node:fs');
const path = require('node:path');
const lib = require('../e2e/lib');
const services = require('./services');
const setup = require('./setup');
const { QueueStack, OWNER } = require('./stack');

const arg = (name, fallback) => (process.argv.find((a) => a.startsWith(`--${name}=`)) || `=${fallback}`).split('=')[1];

async function main() {
	await services.ensurePackages({ log: console.log });
	const { bin } = await lib.ensureN8n();
	await lib.ensureBuilt();
	const work = lib.mkTemp('n8n-msgfiles-stack-');
	fs.chmodSync(work, 0o755);
	const standIn = await lib.startStandIn(await lib.buildStandIn(work), setup.standInConfig({ burst: 120 }), work);
	const stack = new QueueStack({ bin, workDir: work, binaryMode: arg('mode', 'database'), workers: Number(arg('workers', 2)), log: console.log });
	const stop = async () => {
		await stack.stop();
		await lib.stopProcess(standIn.child, 3000).catch(() => {});
		fs.rmSync(work, { recursive: true, force: true });
		process.exit(0);
	};
	process.removeAllListeners('SIGINT');
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	const workflows = Object.keys(setup.WEBHOOKS).map((k) => setup.webhookWorkflow(k));
	await stack.prepare({ credentials: setup.credentials(standIn.urls), workflows });
	for (const wf of workflows) await stack.publish(wf.id);
	await stack.startAll();
	await stack.login();
	console.log(`\neditor   ${stack.baseUrl}  (${OWNER.email} / ${OWNER.password})`);
	for (const [key, w] of Object.entries(setup.WEBHOOKS)) console.log(`webhook  ${key.padEnd(9)} POST ${stack.baseUrl}/webhook/${w.path}`);
	console.log(`stand-in ${standIn.urls.controlUrl}/__standin/stats`);
	console.log(`folder   ${work} (logs: main.log, worker*.log, postgres.log, redis.log)\nCtrl-C stops everything.`);
	fs.writeFileSync(path.join(work, 'stack.json'), JSON.stringify({ baseUrl: stack.baseUrl, urls: standIn.urls, pg: stack.postgres.port, redis: stack.redis.port }, null, 2));
	await new Promise(() => {});
}

main().catch(async (err) => {
	console.error(err && err.stack ? err.stack : err);
	lib.killAllChildren();
	process.exit(1);
});
