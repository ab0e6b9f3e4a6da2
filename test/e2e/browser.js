'use strict';
// The real n8n editor in headless Chromium, for the editor test (editor.js) and the
// screenshots (screenshot.js): Debian's Chromium driven by playwright-core (which downloads
// no browser of its own), a real n8n with the packed package installed, the stand-in, and a
// logged-in owner.
//
//   const editor = await startEditor({ work, standInConfig, credentials, workflows });
//   await editor.page.goto(`${editor.baseUrl}/workflow/<id>`);
//   …
//   await editor.close();

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');

const VIEWPORT = { width: 1440, height: 900 };
/** What Chromium needs on this machine (no sandbox as root, no GPU, no network of its own). */
const CHROMIUM_ARGS = [
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
];

// ------------------------------------------------------------------ Chromium

/** A browser counts only if it runs: a half-installed package leaves a binary that cannot start. */
function browserRuns(bin) {
	const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
	if (r.status === 0) return true;
	process.stderr.write(`[browser] ${bin} is there but does not run (${(r.stderr || r.error?.message || '').trim().split('\n')[0]}); reinstalling\n`);
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

/** Path of a working Chromium: $CHROMIUM, one on PATH, or Debian's package installed now (as root with apt-get). */
function ensureChromium() {
	let bin = findChromium();
	if (bin) return bin;
	const root = typeof process.getuid === 'function' && process.getuid() === 0;
	const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
	if (!root || !apt) {
		throw new Error(
			"No Chromium found. Install Debian's package (sudo apt-get update && sudo apt-get install -y chromium) " +
				'or point CHROMIUM at a Chromium/Chrome binary.',
		);
	}
	process.stderr.write("[browser] installing Debian's chromium (apt-get install -y chromium)\n");
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

/** Chromium through playwright-core, with a fresh profile in `workDir`. */
async function launchChromium(bin, workDir) {
	const { chromium } = require('playwright-core');
	const profile = path.join(workDir, 'chromium-profile');
	fs.mkdirSync(profile, { recursive: true });
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: bin,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: VIEWPORT,
		deviceScaleFactor: 1,
		locale: 'en-US',
		timeout: 60_000,
	});
	context.setDefaultTimeout(30_000);
	return context;
}

// ------------------------------------------------------------------ n8n

/** Creates n8n's owner account (POST /rest/owner/setup); returns the session cookie's value. */
async function ownerSession(baseUrl) {
	const res = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Screenshot-Passw0rd' }),
		signal: AbortSignal.timeout(30_000),
	});
	if (res.status !== 200) throw new Error(`POST /rest/owner/setup: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
	const cookie = res.headers.getSetCookie().map((c) => /^n8n-auth=([^;]+)/.exec(c)).find(Boolean);
	if (!cookie) throw new Error('POST /rest/owner/setup set no n8n-auth cookie');
	return cookie[1];
}

/**
 * The stand-in, a real n8n (2.8.4 unless N8N_BIN) with the packed package, the credentials
 * and workflows imported, and Chromium logged in as the owner.
 *   standInConfig: the stand-in's JSON config
 *   credentials(urls), workflows(urls): what to import (urls: the stand-in's)
 *   env: extra environment for `n8n start`
 * Resolves { n8n, urls, baseUrl, context, page, work, close }.
 */
async function startEditor({ work, standInConfig, credentials, workflows, env = {}, log = () => {} }) {
	const chromium = ensureChromium();
	const install = await lib.ensureN8n();
	await lib.ensureBuilt();
	const userFolder = path.join(work, 'user');
	fs.mkdirSync(userFolder, { recursive: true });
	const n8n = new lib.N8n(install.bin, userFolder);
	let standIn;
	let context;
	const close = async () => {
		if (context) await context.close().catch(() => {});
		await n8n.stop().catch(() => {});
		if (standIn) await lib.stopProcess(standIn.child, 3000).catch(() => {});
	};
	try {
		const [bundle] = await Promise.all([lib.buildStandIn(work), lib.installPackageInto(userFolder, work)]);
		standIn = await lib.startStandIn(bundle, standInConfig, work);
		const urls = standIn.urls;
		await n8n.init();
		await n8n.importCredentials(credentials(urls), path.join(work, 'credentials.json'));
		await n8n.importWorkflows(workflows(urls), path.join(work, 'workflows.json'));
		const { node } = await lib.n8nVersions(install.bin);
		// n8n on Node 20 needs the WebSocket flag for DingTalk's Stream mode (as the README tells users).
		const wsFlag = Number(node.split('.')[0]) < 22 ? { NODE_OPTIONS: '--experimental-websocket' } : {};
		const started = await n8n.start({ env: { ...wsFlag, ...env }, logFile: path.join(work, 'n8n.log') });
		log(`n8n ${started.baseUrl} ready in ${lib.fmtMs(started.ms)}`);
		const cookie = await ownerSession(started.baseUrl);
		context = await launchChromium(chromium, work);
		await context.addCookies([{ name: 'n8n-auth', value: cookie, url: started.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
		const page = context.pages()[0] ?? (await context.newPage());
		return { n8n, urls, baseUrl: started.baseUrl, context, page, work, close };
	} catch (err) {
		await close();
		throw err;
	}
}

// ------------------------------------------------------------------ what the editor shows

/** Opens a workflow in the editor and waits for its canvas. */
async function openWorkflow(page, baseUrl, workflowId, nodeId) {
	await page.goto(`${baseUrl}/workflow/${workflowId}${nodeId ? `/${nodeId}` : ''}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
}

/** Error toasts n8n shows (their text), if any. */
async function errorToasts(page) {
	return await page.locator('.el-notification--error, .el-notification.error').allInnerTexts();
}

/** Saves a PNG of the page, or of `locator` with a margin; returns its size in bytes. */
async function screenshot(page, file, locator) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	if (!locator) {
		await page.screenshot({ path: file });
	} else {
		const box = await locator.boundingBox();
		if (!box) throw new Error(`nothing to photograph for ${file}`);
		const pad = 12;
		const x = Math.max(0, Math.floor(box.x - pad));
		const y = Math.max(0, Math.floor(box.y - pad));
		const clip = { x, y, width: Math.min(VIEWPORT.width - x, Math.ceil(box.width + 2 * pad)), height: Math.min(VIEWPORT.height - y, Math.ceil(box.height + 2 * pad)) };
		await page.screenshot({ path: file, clip });
	}
	return fs.statSync(file).size;
}

module.exports = { VIEWPORT, CHROMIUM_ARGS, ensureChromium, launchChromium, ownerSession, startEditor, openWorkflow, errorToasts, screenshot };
