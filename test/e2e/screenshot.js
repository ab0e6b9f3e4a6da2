#!/usr/bin/env node
'use strict';
// Pictures of the package in the real n8n editor (the n8n of the e2e tests, 2.8.4), taken in
// headless Chromium (browser.js: Debian's chromium driven by playwright-core):
//
//   node test/e2e/screenshot.js [--keep] [--out=docs/images] [--only=name,name]
//
// Each picture is listed in SHOTS below. The world (credentials, workflows, stand-in) is
// editorWorld.js's, the one the editor test (editor.js) checks. Nothing leaves the machine:
// credentials point at the local stand-in (test/standin/), where n8n's credential test
// succeeds, and the executed workflow downloads its file from there and replies to it there.

const fs = require('node:fs');
const path = require('node:path');
const lib = require('./lib');
const browser = require('./browser');
const world = require('./editorWorld');
const setup = require('./setup');

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const outDir = path.resolve(lib.ROOT, (args.find((a) => a.startsWith('--out=')) || '--out=docs/images').slice(6));
const only = (args.find((a) => a.startsWith('--only=')) || '').slice(7).split(',').filter(Boolean);
const say = (s = '') => process.stdout.write(`${s}\n`);

const NDV = '[data-test-id="ndv"]';
const CREDENTIAL_DIALOG = '[data-test-id="editCredential-modal"].el-dialog, [data-test-id="editCredential-modal"] .el-dialog';

/** Closes n8n's toasts (e.g. "Node executed successfully") so they do not cover the picture; fails on an error toast. */
async function settle(page) {
	const errors = await browser.errorToasts(page);
	if (errors.length) throw new Error(`error toast: ${errors.join(' | ')}`);
	for (const close of await page.locator('.el-notification__closeBtn').all()) await close.click().catch(() => {});
	await page.mouse.move(2, 890); // no hover tooltip
	await lib.sleep(800);
}

/** A node's panel (its URL opens it), optionally after `prepare`, photographed whole. */
function nodePanel(wf, nodeId, prepare) {
	return async ({ page, baseUrl }) => {
		await browser.openWorkflow(page, baseUrl, wf.id, nodeId);
		await page.locator(`${NDV} [data-test-id="node-parameters"] [data-test-id="parameter-item"]`).first().waitFor();
		if (prepare) await prepare(page);
		await lib.sleep(1500); // fonts and icons
		await settle(page);
		return page.locator(NDV); // the panel is itself the dialog
	};
}

/** Opens the "Webhook URLs" section of a trigger's panel (the Production URL shown). */
async function showWebhookUrls(page) {
	await page.locator(NDV).getByText('Webhook URLs').first().click();
	await page.locator(NDV).getByText(/\/webhook-test\//).first().waitFor();
	await page.locator(NDV).getByText('Production URL', { exact: true }).first().click();
	await page.locator(NDV).getByText(/\/webhook\//).first().waitFor();
}

/** Long-connection mode needs no URL: the panel must not offer the "Webhook URLs" section. */
async function noWebhookUrls(page) {
	await page.locator(NDV).getByText('one connection of the app', { exact: false }).first().waitFor();
	if (await page.locator(NDV).getByText('Webhook URLs').count()) throw new Error('the long-connection panel shows "Webhook URLs"');
}

/** A credential's dialog once n8n's own test of it has passed against the stand-in. */
function credentialDialog(id) {
	return async ({ page, baseUrl }) => {
		await page.goto(`${baseUrl}/home/credentials/${id}`);
		const modal = page.locator('[data-test-id="editCredential-modal"]');
		await modal.locator('[data-test-id="credential-edit-dialog"] input').first().waitFor({ timeout: 60_000 });
		await modal.locator('text=/Connection tested successfully|Couldn.t connect with these settings/').first().waitFor();
		if (!(await modal.getByText('Connection tested successfully').isVisible())) throw new Error("n8n's credential test failed against the stand-in");
		await settle(page);
		return page.locator(CREDENTIAL_DIALOG).first();
	};
}

/**
 * Runs the unpinned WhatsApp loop as a user tests it: "Execute workflow" makes the Green-API
 * Trigger register its test URL at the stand-in (setSettings, as at Green-API), the stand-in
 * delivers a document message there (Bearer webhook token), and the editor shows the run:
 * trigger → download → reply, each node green with its item count. Leaves the run on the canvas.
 */
async function runWholeLoop({ page, baseUrl, urls }) {
	const wf = world.WF.loopRun;
	await browser.openWorkflow(page, baseUrl, wf.id);
	await page.locator('[data-test-id="execute-workflow-button"]').click();
	const idInstance = setup.WA.idInstance;
	const testUrl = await lib.waitFor(
		async () => {
			const { settings } = await lib.standInControl(urls, `green-queue?idInstance=${idInstance}`);
			return settings && typeof settings.webhookUrl === 'string' && settings.webhookUrl.includes('/webhook-test/') ? settings.webhookUrl : undefined;
		},
		60_000,
		"the Green-API Trigger's test URL at the stand-in",
	);
	const delivery = await lib.standInControl(urls, 'green-notify', { idInstance, body: world.loopNotification(urls) });
	if (!delivery.delivered || delivery.statuses[0] !== 200) throw new Error(`the stand-in could not deliver to ${testUrl}: ${JSON.stringify(delivery)}`);
	await lib.waitFor(async () => ((await page.locator('[data-test-id="canvas-node-status-success"]').count()) === 3 ? true : undefined), 90_000, 'all three nodes to succeed');
	const replies = (await lib.standInControl(urls, 'requests')).filter((r) => /sendFileByUpload/.test(r.path || r.url || ''));
	if (!replies.length) throw new Error('Send Message ran, but the stand-in received no sendFileByUpload');
}

/** The loop's run on the canvas, run now unless the page already shows it. */
async function wholeLoopRun(editor) {
	const { page } = editor;
	const shown = page.url().includes(`/workflow/${world.WF.loopRun.id}`) && (await page.locator('[data-test-id="canvas-node-status-success"]').count()) === 3;
	if (!shown) await runWholeLoop(editor);
}

const SHOTS = [
	{ file: 'node-panel.png', what: 'Download Message File panel (a DingTalk robot message pinned on the Webhook before it)', take: nodePanel(world.WF.download, world.WF.download.node) },
	{ file: 'credential-dingtalk.png', what: 'DingTalk credential, tested', take: credentialDialog(world.CRED.DT.id) },
	{ file: 'credential-green-api.png', what: 'Green-API credential, tested', take: credentialDialog(world.CRED.GREEN.id) },
	{ file: 'dingtalk-trigger-stream.png', what: 'DingTalk Trigger, Stream mode', take: nodePanel(world.WF.dtStream, world.WF.dtStream.node) },
	{ file: 'dingtalk-trigger-http-callback.png', what: 'DingTalk Trigger, HTTP Callback with its webhook URL', take: nodePanel(world.WF.dtCallback, world.WF.dtCallback.node, showWebhookUrls) },
	{ file: 'green-api-trigger-webhook.png', what: 'Green-API Trigger, webhook mode with the token hint and its webhook URL', take: nodePanel(world.WF.greenWebhook, world.WF.greenWebhook.node, showWebhookUrls) },
	{ file: 'green-api-trigger-polling.png', what: 'Green-API Trigger, polling mode', take: nodePanel(world.WF.greenPolling, world.WF.greenPolling.node) },
	{ file: 'send-message-green-api.png', what: 'Send Message: Green-API reply with the downloaded file', take: nodePanel(world.WF.loop, world.WF.loop.send) },
	{ file: 'send-message-dingtalk.png', what: 'Send Message: DingTalk text reply', take: nodePanel(world.WF.dtLoop, world.WF.dtLoop.send) },
	{ file: 'credential-feishu.png', what: 'Feishu / Lark API credential, tested', take: credentialDialog(world.CRED.FEISHU.id) },
	{ file: 'feishu-trigger-long-connection.png', what: 'Feishu Trigger, long connection: one connection per event, no Webhook URLs', take: nodePanel(world.WF.feishuLongConnection, world.WF.feishuLongConnection.node, noWebhookUrls) },
	{ file: 'feishu-trigger-webhook.png', what: 'Feishu Trigger, webhook mode with its Production URL', take: nodePanel(world.WF.feishuWebhook, world.WF.feishuWebhook.node, showWebhookUrls) },
	{
		file: 'workflow.png',
		what: 'the whole loop on the canvas, Green-API Trigger → Download Message File → Send Message, run by "Execute workflow" on a message the stand-in delivered',
		take: async (editor) => {
			const { page } = editor;
			await wholeLoopRun(editor);
			await page.locator('[data-test-id="zoom-to-fit"]').click();
			await lib.sleep(800);
			await page.locator('[data-test-id="zoom-in-button"]').click();
			await lib.sleep(1200);
			await settle(page);
			return undefined; // the whole window: the workflow's name above the canvas
		},
	},
	{
		file: 'workflow-run.png',
		what: 'Download Message File in that run: the message in, the file out',
		take: async (editor) => {
			const { page } = editor;
			await wholeLoopRun(editor);
			await page.locator('[data-test-id="canvas-node"]').filter({ hasText: 'Download Message File' }).first().dblclick();
			const ndv = page.locator(NDV);
			await ndv.locator('[data-test-id="output-panel"]').getByText('Binary', { exact: true }).first().click({ timeout: 60_000 });
			await ndv.locator('[data-test-id="output-panel"]').getByText('Invoice 42.pdf').first().waitFor();
			await lib.sleep(1500);
			await settle(page);
			return ndv;
		},
	},
];

async function main() {
	const t0 = Date.now();
	lib.watchdog(8 * 60_000, 'screenshot');
	const work = lib.mkTemp('n8n-msgfiles-shot-');
	let editor;
	let passed = 0;
	let failed = 0;
	try {
		editor = await browser.startEditor({ work, standInConfig: world.standInConfig(), credentials: world.credentials, workflows: world.workflows, log: say });
		for (const shot of SHOTS.filter((s) => !only.length || only.some((o) => s.file.startsWith(o)))) {
			const file = path.join(outDir, shot.file);
			try {
				const target = await shot.take(editor);
				const bytes = await browser.screenshot(editor.page, file, target);
				say(`saved ${path.relative(lib.ROOT, file)} (${bytes} bytes): ${shot.what}`);
				passed++;
			} catch (err) {
				say(`FAIL  ${shot.file}: ${String(err && err.message ? err.message : err).split('\n')[0]}`);
				failed++;
			}
		}
	} finally {
		if (editor) await editor.close();
		if (!keep) fs.rmSync(work, { recursive: true, force: true });
	}
	say(`done in ${lib.fmtMs(Date.now() - t0)}${keep ? `; kept ${work}` : ''}`);
	say(`screenshot: ${passed} passed, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

main()
	.catch((err) => {
		say(`screenshot failed: ${err && err.stack ? err.stack : err}`);
		say('screenshot: 0 passed, 1 failed');
		process.exitCode = 1;
	})
	.finally(() => {
		lib.killAllChildren();
		process.exit(process.exitCode ?? 0);
	});
