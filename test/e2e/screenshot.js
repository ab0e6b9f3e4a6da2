#!/usr/bin/env node
'use strict';
// Pictures of the package in the real n8n editor (the n8n of the e2e tests, 2.8.4), taken
// in headless Chromium through the DevTools protocol:
//
//   node test/e2e/screenshot.js [--keep] [--out=docs/images]
//
//   docs/images/node-panel.png          the Download Message File node's panel (a DingTalk
//                                       robot message pinned on the Webhook before it)
//   docs/images/credential-dingtalk.png the DingTalk credential's dialog
//
// What it does: installs the packed package into a fresh n8n user folder as n8n installs
// community packages (like the e2e runner), imports a credential and a workflow, starts
// `n8n start`, creates the owner account through n8n's REST API (POST /rest/owner/setup),
// hands the session cookie to Chromium and opens the node's and the credential's URLs.
//
// Needs: n8n from .ci/install-n8n.sh (installed on first use, a few minutes), dist/ (built
// if missing) and Debian's `chromium` (or $CHROMIUM). Without a Chromium it installs
// Debian's package when it runs as root with apt-get; otherwise it says what to install.
// Nothing leaves the machine: the credential points at the local stand-in (test/standin/),
// where n8n's automatic credential test succeeds; the workflow itself never runs.

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// Node 20 has WebSocket only behind a flag (Node ≥ 22: built in).
if (typeof WebSocket === 'undefined' && !process.execArgv.includes('--experimental-websocket')) {
	const r = spawnSync(process.execPath, ['--experimental-websocket', '--no-warnings', ...process.execArgv, __filename, ...process.argv.slice(2)], {
		stdio: 'inherit',
	});
	process.exit(r.status ?? 1);
}

const lib = require('./lib');
const setup = require('./setup');

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const outDir = path.resolve(lib.ROOT, (args.find((a) => a.startsWith('--out=')) || '--out=docs/images').slice(6));
const VIEWPORT = { width: 1440, height: 900 };
const out = (s = '') => process.stdout.write(`${s}\n`);

// ------------------------------------------------------------------ Chromium

/** A browser counts only if it runs: a half-installed package leaves a binary that cannot start. */
function browserRuns(bin) {
	const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
	if (r.status === 0) return true;
	process.stderr.write(`[screenshot] ${bin} is there but does not run (${(r.stderr || r.error?.message || '').trim().split('\n')[0]}); reinstalling\n`);
	return false;
}

function findChromium() {
	const candidates = [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'].filter(Boolean);
	for (const c of candidates) {
		let bin;
		if (path.isAbsolute(c) && fs.existsSync(c)) bin = c;
		else {
			const r = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' });
			if (r.status === 0 && r.stdout.trim()) bin = r.stdout.trim();
		}
		if (bin && browserRuns(bin)) return bin;
	}
	return undefined;
}

function ensureChromium() {
	let bin = findChromium();
	if (bin) return bin;
	const root = typeof process.getuid === 'function' && process.getuid() === 0;
	const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
	if (!root || !apt) {
		throw new Error(
			'No Chromium found. Install Debian\'s package (sudo apt-get update && sudo apt-get install -y chromium) ' +
				'or point CHROMIUM at a Chromium/Chrome binary.',
		);
	}
	process.stderr.write('[screenshot] installing Debian\'s chromium (apt-get install -y chromium)\n');
	execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
	// --reinstall mends a package whose files were damaged; a missing one is simply installed.
	execFileSync('apt-get', ['install', '-y', '-qq', '--reinstall', 'chromium'], {
		stdio: ['ignore', 'ignore', 'inherit'],
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
	});
	bin = findChromium();
	if (!bin) throw new Error('apt-get installed chromium, but no working chromium binary is on PATH');
	return bin;
}

async function startChromium(bin, workDir) {
	const port = await lib.freePort();
	const profile = path.join(workDir, 'chromium-profile');
	fs.mkdirSync(profile, { recursive: true });
	const child = lib.startProcess(
		bin,
		[
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--no-default-browser-check',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-extensions',
			'--hide-scrollbars',
			'--lang=en-US',
			`--window-size=${VIEWPORT.width},${VIEWPORT.height}`,
			`--user-data-dir=${profile}`,
			'--remote-debugging-address=127.0.0.1',
			`--remote-debugging-port=${port}`,
			'about:blank',
		],
		{ logFile: path.join(workDir, 'chromium.log') },
	);
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		try {
			const r = await lib.httpRequest(`http://127.0.0.1:${port}/json/list`, { timeoutMs: 2000 });
			const page = JSON.parse(r.body.toString('utf8')).find((t) => t.type === 'page');
			if (page) return { child, page };
		} catch {
			/* not up yet */
		}
		if (child.exitCode !== null) break;
		await lib.sleep(200);
	}
	await lib.stopProcess(child, 2000);
	throw new Error(`Chromium did not start:\n${child.output.split('\n').slice(-20).join('\n')}`);
}

/** A minimal Chrome DevTools protocol client over the page's WebSocket. */
class Cdp {
	static async connect(url) {
		const ws = new WebSocket(url);
		await new Promise((resolve, reject) => {
			ws.addEventListener('open', resolve, { once: true });
			ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
		});
		return new Cdp(ws);
	}

	constructor(ws) {
		this.ws = ws;
		this.nextId = 1;
		this.pending = new Map();
		ws.addEventListener('message', (event) => {
			const msg = JSON.parse(typeof event.data === 'string' ? event.data : Buffer.from(event.data).toString('utf8'));
			const waiter = msg.id && this.pending.get(msg.id);
			if (!waiter) return;
			this.pending.delete(msg.id);
			if (msg.error) waiter.reject(new Error(`${waiter.method}: ${msg.error.message}`));
			else waiter.resolve(msg.result);
		});
	}

	send(method, params = {}, timeoutMs = 30_000) {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new Error(`${method} timed out`));
			}, timeoutMs);
			this.pending.set(id, {
				method,
				resolve: (v) => (clearTimeout(timer), resolve(v)),
				reject: (e) => (clearTimeout(timer), reject(e)),
			});
			this.ws.send(JSON.stringify({ id, method, params }));
		});
	}

	async evaluate(expression) {
		const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
		if (r.exceptionDetails) throw new Error(`evaluate failed: ${r.exceptionDetails.text}`);
		return r.result.value;
	}

	/** Polls `expression` until it is truthy; returns its value. */
	async waitFor(expression, what, timeoutMs = 30_000) {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			const v = await this.evaluate(expression).catch(() => undefined);
			if (v) return v;
			await lib.sleep(250);
		}
		throw new Error(`timed out waiting for ${what}`);
	}

	close() {
		this.ws.close();
	}
}

/** Bounding box (page pixels) of the first element matching one of the selectors. */
const rectOf = (selectors) => `(() => {
	for (const s of ${JSON.stringify(selectors)}) {
		const el = document.querySelector(s);
		if (!el) continue;
		const r = el.getBoundingClientRect();
		if (r.width > 50 && r.height > 50) return { x: r.x, y: r.y, width: r.width, height: r.height, selector: s };
	}
	return null;
})()`;

async function screenshot(cdp, file, clipSelectors) {
	const rect = clipSelectors ? await cdp.evaluate(rectOf(clipSelectors)) : null;
	const params = { format: 'png', captureBeyondViewport: false };
	if (rect) {
		const pad = 12;
		const x = Math.max(0, Math.floor(rect.x - pad));
		const y = Math.max(0, Math.floor(rect.y - pad));
		params.clip = {
			x,
			y,
			width: Math.min(VIEWPORT.width - x, Math.ceil(rect.width + 2 * pad)),
			height: Math.min(VIEWPORT.height - y, Math.ceil(rect.height + 2 * pad)),
			scale: 1,
		};
	}
	const { data } = await cdp.send('Page.captureScreenshot', params);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, Buffer.from(data, 'base64'));
	return { bytes: fs.statSync(file).size, clip: rect ? rect.selector : 'full page' };
}

// ------------------------------------------------------------------ what n8n shows

/** An internal DingTalk app, registered in the stand-in so n8n's credential test passes. */
const APP = { appKey: 'dingq2xkzexampleapp', appSecret: 'example-app-secret-not-real-00000000000000000000' };

function credential(urls) {
	return {
		id: 'shotDingTalk01',
		name: 'DingTalk robot app',
		type: 'dingTalkApi',
		data: { appType: 'internal', ...APP, robotCode: APP.appKey, baseUrl: urls.dingTalkUrl },
	};
}

const WORKFLOW_ID = 'shotWorkflow0001';
const NODE_ID = '5d0e2b1c-7a4f-4e0b-9a57-2f6c1d3e8a90';

function workflow() {
	const message = setup.dingTalkMessage('file', { downloadCode: 'mIofN681YE3f/+m+NntqpT3Lo...', fileName: 'Quarterly report.pdf' });
	return {
		id: WORKFLOW_ID,
		name: 'DingTalk robot: save the files people send',
		active: false,
		nodes: [
			{
				id: 'b1f4c1de-3c1e-4a53-9d2b-6a0a1f2e4c11',
				name: 'DingTalk robot callback',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '8f5b3c2a-1d4e-4f6a-9b7c-0e1d2c3b4a59',
				parameters: { httpMethod: 'POST', path: 'dingtalk-robot', options: {} },
			},
			{
				id: NODE_ID,
				name: 'Download Message File',
				type: lib.NODE_TYPE,
				typeVersion: 1,
				position: [260, 0],
				credentials: { dingTalkApi: { id: 'shotDingTalk01', name: 'DingTalk robot app' } },
				parameters: {
					service: 'dingTalk',
					source: 'message',
					message: '={{ $json.body }}',
					options: { maxFileSize: 50, whenNoFile: 'drop' },
				},
			},
		],
		connections: {
			'DingTalk robot callback': { main: [[{ node: 'Download Message File', type: 'main', index: 0 }]] },
		},
		pinData: {
			'DingTalk robot callback': [
				{
					json: {
						headers: { 'content-type': 'application/json; charset=utf-8', timestamp: String(message.createAt), sign: '…' },
						params: {},
						query: {},
						body: message,
						webhookUrl: 'https://n8n.example.com/webhook/dingtalk-robot',
						executionMode: 'production',
					},
				},
			],
		},
		settings: { executionOrder: 'v1' },
	};
}

// ------------------------------------------------------------------ main

async function main() {
	const t0 = Date.now();
	const chromium = ensureChromium();
	const install = await lib.ensureN8n();
	lib.watchdog(6 * 60_000, 'screenshot');
	await lib.ensureBuilt();

	const work = lib.mkTemp('n8n-msgfiles-shot-');
	const userFolder = path.join(work, 'user');
	fs.mkdirSync(userFolder, { recursive: true });
	const n8n = new lib.N8n(install.bin, userFolder);
	let browser;
	let cdp;
	let standIn;
	try {
		const config = setup.standInConfig();
		config.dingTalk.apps.push(APP);
		standIn = await lib.startStandIn(await lib.buildStandIn(work), config, work);
		await lib.installPackageInto(userFolder, work);
		await n8n.init();
		const cred = credential(standIn.urls);
		await n8n.importCredentials([cred], path.join(work, 'credentials.json'));
		await n8n.importWorkflows([workflow()], path.join(work, 'workflow.json'));
		const started = await n8n.start({ logFile: path.join(work, 'n8n.log') });
		const base = started.baseUrl;
		out(`n8n ${base} ready in ${lib.fmtMs(started.ms)}`);

		// The owner account; its session cookie goes to the browser.
		const res = await fetch(`${base}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Screenshot-Passw0rd' }),
			signal: AbortSignal.timeout(30_000),
		});
		if (res.status !== 200) throw new Error(`POST /rest/owner/setup: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
		const cookie = res.headers.getSetCookie().map((c) => /^n8n-auth=([^;]+)/.exec(c)).find(Boolean);
		if (!cookie) throw new Error('POST /rest/owner/setup set no n8n-auth cookie');

		browser = await startChromium(chromium, work);
		cdp = await Cdp.connect(browser.page.webSocketDebuggerUrl);
		await cdp.send('Page.enable');
		await cdp.send('Runtime.enable');
		await cdp.send('Network.enable');
		await cdp.send('Emulation.setDeviceMetricsOverride', { ...VIEWPORT, deviceScaleFactor: 1, mobile: false });
		await cdp.send('Network.setCookie', { name: 'n8n-auth', value: cookie[1], url: base, httpOnly: true, sameSite: 'Lax' });

		// 1. The node's panel: n8n opens it from /workflow/<id>/<node id>.
		await cdp.send('Page.navigate', { url: `${base}/workflow/${WORKFLOW_ID}/${NODE_ID}` });
		await cdp.waitFor(`!!document.querySelector('[data-test-id="parameter-input-service"], [data-test-id="parameter-input-source"]')`, 'the node panel', 60_000);
		await lib.sleep(2500); // fonts, icons and the input panel settle
		const panel = await screenshot(cdp, path.join(outDir, 'node-panel.png'), ['[data-test-id="ndv"] .el-dialog', '[data-test-id="ndv"]', '.ndv-wrapper']);
		out(`saved ${path.relative(lib.ROOT, path.join(outDir, 'node-panel.png'))} (${panel.bytes} bytes, ${panel.clip})`);

		// 2. The credential's dialog: /home/credentials/<id>.
		// n8n tests the credential as the dialog opens (against the stand-in): wait for the verdict.
		await cdp.send('Page.navigate', { url: `${base}/home/credentials/${cred.id}` });
		await cdp.waitFor(`!!document.querySelector('[data-test-id="editCredential-modal"] input')`, 'the credential dialog', 60_000);
		const verdict = await cdp.waitFor(
			`(() => { const t = document.querySelector('[data-test-id="editCredential-modal"]')?.innerText ?? ''; return /tested successfully/i.test(t) ? 'ok' : /couldn.t connect/i.test(t) ? 'failed' : ''; })()`,
			'the credential test',
			30_000,
		);
		if (verdict !== 'ok') throw new Error('n8n\'s credential test failed against the stand-in');
		await lib.sleep(1500);
		const credShot = await screenshot(cdp, path.join(outDir, 'credential-dingtalk.png'), ['[data-test-id="editCredential-modal"] .el-dialog', '[data-test-id="editCredential-modal"]']);
		out(`saved ${path.relative(lib.ROOT, path.join(outDir, 'credential-dingtalk.png'))} (${credShot.bytes} bytes, ${credShot.clip}, credential test passed)`);
		out(`done in ${lib.fmtMs(Date.now() - t0)}${keep ? `; kept ${work}` : ''}`);
		out('screenshot: 2 passed, 0 failed');
	} finally {
		if (cdp) cdp.close();
		if (browser) await lib.stopProcess(browser.child, 3000).catch(() => {});
		await n8n.stop().catch(() => {});
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
		if (!keep) fs.rmSync(work, { recursive: true, force: true });
	}
}

main()
	.catch((err) => {
		out(`screenshot failed: ${err && err.stack ? err.stack : err}`);
		out('screenshot: 0 passed, 1 failed');
		process.exitCode = 1;
	})
	.finally(() => {
		lib.killAllChildren();
		process.exit(process.exitCode ?? 0);
	});
