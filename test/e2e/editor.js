#!/usr/bin/env node
'use strict';
// The package in n8n's real editor (n8n 2.8.4, headless Chromium), as a user meets it:
//
//   node test/e2e/editor.js [--keep] [--verbose]
//
//   search  each node (Download Message File, DingTalk Trigger, Green-API Trigger, Feishu Trigger,
//           Send Message) is found by the nodes panel's search under its display name, added, and its panel
//           opens with its parameters and no error
//   cred    each credential's Test button (n8n's "Retry") succeeds against the stand-in, and a
//           wrong secret / an unlinked instance shows the plain-words reason, secret not shown
//   listen  DingTalk Trigger's "Execute step" (listen for a test event) receives a robot message
//           pushed by the stand-in's Stream gateway and shows its file in the output panel;
//           Green-API Trigger (polling) the same with a notification from the stand-in's queue
//   panel   the triggers show n8n's "Webhook URLs" panel only in the modes with a webhook
//           (DingTalk HTTP Callback, Green-API webhook), not in Stream or polling mode
//
// One line per check, then "N passed, M failed"; exit 1 on a failure. Needs what
// browser.js says (Debian's chromium, installed when missing; n8n from .ci/install-n8n.sh).

const lib = require('./lib');
const browser = require('./browser');
const world = require('./editorWorld');
const setup = require('./setup');

const args = process.argv.slice(2);
const keep = args.includes('--keep');
if (args.includes('--verbose')) lib.setVerbose(true);
const say = (s) => process.stdout.write(`${s}\n`);

/** The checks; `editor` from browser.startEditor with editorWorld's credentials and workflows. */
async function run({ editor, scenario, assert }) {
	const { page, baseUrl, urls } = editor;

	/** No error toast, and the panel of `displayName` open with its parameters. */
	async function assertPanelOpen(displayName) {
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.locator('[data-test-id="node-parameters"] [data-test-id="parameter-item"]').first().waitFor();
		const title = (await ndv.locator('[data-test-id="node-title-container"]').innerText()).trim();
		assert(title === displayName, `the panel's title is "${title}", want "${displayName}"`);
		const text = await ndv.innerText();
		assert(!/not currently installed|could not be loaded|problem loading/i.test(text), `the panel says: ${text.slice(0, 200)}`);
		const toasts = await browser.errorToasts(page);
		assert(!toasts.length, `error toast: ${toasts.join(' | ')}`);
		return text;
	}

	for (const { displayName, firstField } of world.NODES) {
		await scenario(`search  "${displayName}" is found by the node search and opens without an error`, async () => {
			await page.goto(`${baseUrl}/workflow/new`);
			await page.locator('[data-test-id="canvas-add-button"]').waitFor({ timeout: 60_000 });
			await page.locator('[data-test-id="canvas-add-button"]').click();
			await page.locator('[data-test-id="node-creator-search-bar"]').fill(displayName);
			const item = page.locator('[data-test-id="node-creator-item-name"]').getByText(displayName, { exact: true });
			await item.first().waitFor();
			const found = await page.locator('[data-test-id="node-creator-item-name"]').allInnerTexts();
			await item.first().click();
			// A community node first shows its details ("Installed", "Add to workflow").
			const add = page.getByRole('button', { name: 'Add to workflow' });
			await add.waitFor();
			await add.click();
			const text = await assertPanelOpen(displayName);
			assert(text.split('\n').includes(firstField), `the panel does not show its field ${firstField}`);
			return `search "${displayName}" listed ${found.join(', ')}; panel open with ${firstField}`;
		});
	}

	// n8n's URL panel (NodeWebhooks.vue): its headline's tooltip names it whether folded or open.
	const urlPanelHeadline = '[title="Click to display webhook URLs"], [title="Click to hide webhook URLs"]';
	for (const [wf, label, shown] of [
		[world.WF.dtStream, 'DingTalk Trigger in Stream mode', false],
		[world.WF.dtCallback, 'DingTalk Trigger in HTTP Callback mode', true],
		[world.WF.greenPolling, 'Green-API Trigger in polling mode', false],
		[world.WF.greenWebhook, 'Green-API Trigger in webhook mode', true],
	]) {
		await scenario(`panel   ${label}: "Webhook URLs" ${shown ? 'shown' : 'not shown'}`, async () => {
			await browser.openWorkflow(page, baseUrl, wf.id, wf.node);
			const ndv = page.locator('[data-test-id="ndv"]');
			await ndv.locator('[data-test-id="node-parameters"] [data-test-id="parameter-item"]').first().waitFor();
			const headline = ndv.locator(urlPanelHeadline);
			if (shown) await headline.first().waitFor({ timeout: 15_000 });
			else await lib.sleep(2000); // the editor resolves ndvHideUrl asynchronously; give it time to (wrongly) appear
			const count = await headline.count();
			assert(shown ? count > 0 : count === 0, `the URL panel is ${count ? 'shown' : 'absent'}`);
			return shown ? 'URL panel shown' : 'no URL panel';
		});
	}

	/** Opens a credential, presses its Test button (n8n labels it "Retry"), returns the verdict and its message. */
	async function testCredential(id, fieldName) {
		await page.goto(`${baseUrl}/home/credentials/${id}`);
		const modal = page.locator('[data-test-id="editCredential-modal"]');
		await modal.locator(`[data-test-id="parameter-input-${fieldName}"]`).waitFor({ timeout: 60_000 });
		// n8n tests the credential as the dialog opens; wait for that verdict, then press Test again.
		const verdict = () => modal.locator('text=/Connection tested successfully|Couldn.t connect with these settings/').first();
		await verdict().waitFor();
		const before = await lib.standInStats(urls);
		await modal.getByRole('button', { name: 'Retry' }).click();
		await lib.sleep(300);
		await verdict().waitFor();
		await lib.waitFor(async () => !(await modal.locator('button[aria-busy="true"], .is-loading').count()), 15_000, 'the test to finish');
		const after = await lib.standInStats(urls);
		const ok = await modal.getByText('Connection tested successfully').isVisible();
		let message = '';
		if (!ok) {
			const more = modal.getByText('More details');
			if (await more.isVisible()) await more.click();
			message = (await modal.innerText()).split('\n').find((l) => /\S/.test(l) && l.length > 40 && !/Need help|Enterprise plan|Use https|Used only|Each instance/.test(l)) || '';
		}
		return { ok, message, text: await modal.innerText(), calls: { before, after } };
	}

	const tokenCalls = (c) => c.after.dingTalkTokenCalls - c.before.dingTalkTokenCalls;

	await scenario('cred    DingTalk API: Test succeeds against the stand-in', async () => {
		const r = await testCredential(world.CRED.DT.id, 'appKey');
		assert(r.ok, `the test failed: ${r.message}`);
		assert(tokenCalls(r.calls) >= 1, 'the Test button made no token call at the stand-in');
		return `"Connection tested successfully", ${tokenCalls(r.calls)} token call(s) at the stand-in`;
	});
	await scenario('cred    DingTalk API: a wrong App Secret shows DingTalk\'s reason in plain words', async () => {
		const r = await testCredential(world.CRED.DT_WRONG.id, 'appKey');
		assert(!r.ok, 'the test passed with a wrong secret');
		assert(/DingTalk rejected the App Key or App Secret/.test(r.message), `message: ${r.message}`);
		assert(!r.text.includes(world.WRONG_SECRET), 'the dialog shows the secret');
		return `"${r.message.slice(0, 110)}…"`;
	});
	await scenario('cred    Green-API Instance API: Test succeeds against the stand-in', async () => {
		const r = await testCredential(world.CRED.GREEN.id, 'idInstance');
		assert(r.ok, `the test failed: ${r.message}`);
		return '"Connection tested successfully" (getStateInstance: authorized)';
	});
	await scenario('cred    Green-API Instance API: an instance not linked to a phone says to scan the QR code', async () => {
		const r = await testCredential(world.CRED.GREEN_UNLINKED.id, 'idInstance');
		assert(!r.ok, 'the test passed for an unlinked instance');
		assert(/not linked to a phone.*scan the QR code/.test(r.message), `message: ${r.message}`);
		return `"${r.message}"`;
	});
	await scenario('cred    Green-API Instance API: a wrong API token fails in plain words, token not shown', async () => {
		const r = await testCredential(world.CRED.GREEN_WRONG.id, 'idInstance');
		assert(!r.ok, 'the test passed with a wrong token');
		// The stand-in answers 401 as Green-API does; n8n words a 401 itself.
		assert(/Authorization failed|rejected the API token/i.test(r.message), `message: ${r.message}`);
		assert(!r.text.includes(world.WRONG_SECRET), 'the dialog shows the token');
		return `"${r.message}"`;
	});

	/** Opens a trigger's panel, presses "Execute step" (listen), lets `push` send a message, waits for the file in the output panel. */
	async function listen(wf, push) {
		await browser.openWorkflow(page, baseUrl, wf.id, wf.node);
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.locator('[data-test-id="trigger-execute-button"]').waitFor();
		await ndv.locator('[data-test-id="trigger-execute-button"]').click();
		await ndv.getByText('Stop Listening').first().waitFor();
		const pushed = await push();
		const output = ndv.locator('[data-test-id="output-panel"]');
		await output.getByText('Binary', { exact: true }).first().click({ timeout: 60_000 });
		await output.getByText('File Name:').first().waitFor({ timeout: 30_000 });
		const text = await output.innerText();
		const toasts = await browser.errorToasts(page);
		assert(!toasts.length, `error toast: ${toasts.join(' | ')}`);
		return { text, pushed };
	}

	await scenario('listen  DingTalk Trigger (Stream): a message from the Stream gateway shows its file in the output panel', async () => {
		const { text } = await listen(world.WF.dtStream, async () => {
			await lib.waitFor(async () => ((await lib.streamGateway(urls, 'stats')).liveByClient || {})[setup.DT_APP.appKey] === 1, 30_000, 'the listening trigger to connect to the Stream gateway');
			await lib.streamGateway(urls, 'deliver', { messages: [world.streamMessage()], clientId: setup.DT_APP.appKey });
		});
		assert(/Quarterly report\.pdf/.test(text) && /application\/pdf/.test(text), `output panel: ${text.slice(0, 300)}`);
		return 'output panel: Quarterly report.pdf, application/pdf';
	});

	await scenario('listen  Green-API Trigger (polling): a notification from the queue shows its file in the output panel', async () => {
		const { text } = await listen(world.WF.greenPolling, async () => {
			await lib.standInControl(urls, 'green-notify', { idInstance: world.POLL.idInstance, body: world.pollNotification(urls) });
		});
		assert(/Invoice 42\.pdf/.test(text) && /application\/pdf/.test(text), `output panel: ${text.slice(0, 300)}`);
		const queue = await lib.standInControl(urls, `green-queue?idInstance=${world.POLL.idInstance}`);
		return `output panel: Invoice 42.pdf, application/pdf; queue left ${queue.pending.length}, deleted ${queue.deleted.length}`;
	});
}

async function main() {
	const t0 = Date.now();
	lib.watchdog(6 * 60_000, 'editor test');
	const { scenario, fail, counts } = lib.scenarioRunner({ verbose: () => args.includes('--verbose') });
	const work = lib.mkTemp('n8n-msgfiles-editor-');
	let editor;
	try {
		editor = await browser.startEditor({ work, standInConfig: world.standInConfig(), credentials: world.credentials, workflows: world.workflows, log: say });
		await run({ editor, scenario, assert: lib.assert });
	} catch (err) {
		say(`FAIL  editor setup — ${err && err.message ? err.message.split('\n').slice(0, 20).join('\n        ') : err}`);
		fail('setup');
	} finally {
		if (editor) await editor.close();
		if (!keep) require('node:fs').rmSync(work, { recursive: true, force: true });
	}
	const { passed, failed } = counts();
	say(`editor test done in ${lib.fmtMs(Date.now() - t0)}${keep ? `; kept ${work}` : ''}`);
	say(`${passed} passed, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
	main().finally(() => {
		lib.killAllChildren();
		process.exit(process.exitCode ?? 0);
	});
}

module.exports = { run };
