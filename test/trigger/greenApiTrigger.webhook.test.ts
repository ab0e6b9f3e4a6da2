// Webhook mode of the built Green-API Trigger: the stand-in delivers notifications the
// way Green-API does (POST with "Authorization: Bearer <webhookUrlToken>", retries,
// duplicates) to a real HTTP endpoint in front of the node's webhook().
import { createHash } from 'crypto';

import type { INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { binaryBuffer } from '../helpers/engine';
import { startStandIn, type StandIn } from '../standin/server';
import { activateTrigger, runWebhookHook, serveWebhook, type WebhookServer } from './greenApiHarness';
import { fileMessage, statusNotification, textMessage, type InstanceRef } from './greenApiNotifications';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const WHATSAPP: InstanceRef = { idInstance: 1101000201, apiTokenInstance: 'wa-hook-token-123', messenger: 'whatsapp' };
const TELEGRAM: InstanceRef = { idInstance: 4100000202, apiTokenInstance: 'tg-hook-token-123', messenger: 'telegram' };
const CHAT = '79001234567@c.us';
const WEBHOOK_TOKEN = 'hook-secret-5f2c9a';

let standIn: StandIn;
let server: WebhookServer | undefined;

beforeEach(async () => {
	standIn = await startStandIn();
	standIn.greenApi.addInstance(WHATSAPP);
	standIn.greenApi.addInstance(TELEGRAM);
});
afterEach(async () => {
	await server?.close();
	server = undefined;
	await standIn.close();
});

function setup(instance: InstanceRef, webhookUrlToken: string | undefined, parameters: Record<string, unknown> = {}) {
	return {
		parameters: { mode: 'webhook', downloadFiles: true, options: {}, ...parameters } as INodeParameters,
		credentials: {
			apiUrl: standIn.greenApiUrl,
			mediaUrl: standIn.greenMediaUrl,
			idInstance: String(instance.idInstance),
			apiTokenInstance: instance.apiTokenInstance,
			messenger: instance.messenger,
			...(webhookUrlToken !== undefined ? { webhookUrlToken } : {}),
		},
	};
}

async function pointInstanceAt(instance: InstanceRef, url: string, token: string) {
	standIn.greenApi.queues.updateSettings(instance.idInstance, { webhookUrl: url, webhookUrlToken: token });
}

describe('Green-API Trigger, webhook mode', () => {
	test('the right Bearer token: 200, one execution with the file attached', async () => {
		server = await serveWebhook(setup(WHATSAPP, WEBHOOK_TOKEN));
		await pointInstanceAt(WHATSAPP, server.url, WEBHOOK_TOKEN);
		const png = standIn.greenApi.addFile({ idInstance: WHATSAPP.idInstance, chatId: CHAT, idMessage: 'IMG1', body: readFixture('image.png'), linkExtension: 'png' });
		const body = fileMessage(WHATSAPP, 'IMG1', CHAT, { typeMessage: 'imageMessage', downloadUrl: png.directUrl, mimeType: 'image/jpeg' });
		const outcome = await standIn.greenApi.queues.notify(WHATSAPP.idInstance, body);
		expect(outcome).toEqual({ statuses: [200], delivered: true });
		await waitFor(() => server!.executions.length === 1);
		const [item] = server.executions[0];
		expect(item.json).toMatchObject(body);
		// The bytes decide the type, not the declared image/jpeg.
		expect(item.binary!.data.mimeType).toBe('image/png');
		expect(sha256(await binaryBuffer(item.binary!.data))).toBe(sha256(readFixture('image.png')));
		expect(standIn.greenApi.queues.pending(WHATSAPP.idInstance)).toHaveLength(0);
	});

	test.each([
		{ case: 'missing', authorization: null },
		{ case: 'wrong', authorization: 'Bearer not-the-token' },
		{ case: 'wrong scheme', authorization: `Basic ${WEBHOOK_TOKEN}` },
		{ case: 'a prefix of the token', authorization: `Bearer ${WEBHOOK_TOKEN.slice(0, -1)}` },
		{ case: 'empty', authorization: 'Bearer ' },
	])('a $case token: 401, nothing started, no download', async ({ authorization }) => {
		server = await serveWebhook(setup(WHATSAPP, WEBHOOK_TOKEN));
		await pointInstanceAt(WHATSAPP, server.url, WEBHOOK_TOKEN);
		const png = standIn.greenApi.addFile({ idInstance: WHATSAPP.idInstance, chatId: CHAT, idMessage: 'IMG2', body: readFixture('image.png'), linkExtension: 'png' });
		const outcome = await standIn.greenApi.queues.notify(
			WHATSAPP.idInstance,
			fileMessage(WHATSAPP, 'IMG2', CHAT, { typeMessage: 'imageMessage', downloadUrl: png.directUrl }),
			{ authorization, maxAttempts: 2, retryDelayMs: 50 },
		);
		expect(outcome).toEqual({ statuses: [401, 401], delivered: false });
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(server.executions).toHaveLength(0);
		expect(standIn.stats.greenMediaGets).toBe(0);
		expect(standIn.stats.greenDownloadFileCalls).toBe(0);
	});

	test('without a token in the credential every call is accepted', async () => {
		server = await serveWebhook(setup(WHATSAPP, ''));
		await pointInstanceAt(WHATSAPP, server.url, '');
		await standIn.greenApi.queues.notify(WHATSAPP.idInstance, textMessage(WHATSAPP, 'T1', CHAT));
		await waitFor(() => server!.executions.length === 1);
		expect(server.executions[0][0].json.idMessage).toBe('T1');
	});

	test('duplicates and retried deliveries start one execution each; non-notifications get 400', async () => {
		server = await serveWebhook(setup(WHATSAPP, WEBHOOK_TOKEN));
		await pointInstanceAt(WHATSAPP, server.url, WEBHOOK_TOKEN);
		const outcome = await standIn.greenApi.queues.notify(WHATSAPP.idInstance, textMessage(WHATSAPP, 'DUP1', CHAT), { duplicates: 3 });
		expect(outcome).toEqual({ statuses: [200, 200, 200, 200], delivered: true });
		await standIn.greenApi.queues.notify(WHATSAPP.idInstance, textMessage(WHATSAPP, 'DUP2', CHAT), { duplicates: 1 });
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(server.executions.map((items) => items[0].json.idMessage)).toEqual(['DUP1', 'DUP2']);

		const notNotification = await fetch(server.url, { method: 'POST', headers: { Authorization: `Bearer ${WEBHOOK_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ hello: 'world' }) });
		expect(notNotification.status).toBe(400);
	});

	test('a delivery that failed (n8n down) is retried by Green-API and then starts the workflow once', async () => {
		server = await serveWebhook(setup(WHATSAPP, WEBHOOK_TOKEN));
		const url = server.url;
		await server.close();
		server = undefined;
		await pointInstanceAt(WHATSAPP, url, WEBHOOK_TOKEN);
		const delivery = standIn.greenApi.queues.notify(WHATSAPP.idInstance, textMessage(WHATSAPP, 'RETRY1', CHAT), { maxAttempts: 20, retryDelayMs: 100 });
		await new Promise((resolve) => setTimeout(resolve, 250));
		// n8n comes back on the same port.
		const port = Number(new URL(url).port);
		server = await serveWebhookOnPort(port);
		const outcome = (await delivery) as { statuses: number[]; delivered: boolean };
		expect(outcome.delivered).toBe(true);
		expect(outcome.statuses[0]).toBe(0);
		expect(outcome.statuses.at(-1)).toBe(200);
		await waitFor(() => server!.executions.length === 1);
	});

	test('200 is answered before the file is downloaded', async () => {
		server = await serveWebhook(setup(WHATSAPP, WEBHOOK_TOKEN));
		await pointInstanceAt(WHATSAPP, server.url, WEBHOOK_TOKEN);
		// A 2 MB file served at 1 MB/s: the download takes about 2 s.
		const slow = standIn.greenApi.addFile({ idInstance: WHATSAPP.idInstance, chatId: CHAT, idMessage: 'BIG1', body: { size: 2_000_000, seed: 7 }, linkExtension: 'bin', fault: { slowBytesPerSecond: 1_000_000 } });
		const started = Date.now();
		const outcome = await standIn.greenApi.queues.notify(WHATSAPP.idInstance, fileMessage(WHATSAPP, 'BIG1', CHAT, { typeMessage: 'documentMessage', downloadUrl: slow.directUrl, fileName: 'big.bin' }));
		const answeredAfter = Date.now() - started;
		expect(outcome).toEqual({ statuses: [200], delivered: true });
		expect(answeredAfter).toBeLessThan(1_000);
		await waitFor(() => server!.executions.length === 1, 20_000);
		expect(server.timings[0].dataMs).toBeGreaterThan(1_500);
		expect(server.timings[0].answeredMs).toBeLessThan(1_000);
	});

	test('the type filter acknowledges other notifications without starting anything', async () => {
		server = await serveWebhook(setup(WHATSAPP, WEBHOOK_TOKEN, { options: { messageTypes: ['imageMessage'] } }));
		await pointInstanceAt(WHATSAPP, server.url, WEBHOOK_TOKEN);
		expect(await standIn.greenApi.queues.notify(WHATSAPP.idInstance, textMessage(WHATSAPP, 'TX', CHAT))).toEqual({ statuses: [200], delivered: true });
		expect(await standIn.greenApi.queues.notify(WHATSAPP.idInstance, statusNotification(WHATSAPP, 'S1', CHAT, 'read'))).toEqual({ statuses: [200], delivered: true });
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(server.executions).toHaveLength(0);
	});

	test('Telegram instance webhooks (typeInstance telegram, numeric chat IDs): file by downloadFile when the link is empty', async () => {
		server = await serveWebhook(setup(TELEGRAM, WEBHOOK_TOKEN));
		await pointInstanceAt(TELEGRAM, server.url, WEBHOOK_TOKEN);
		standIn.greenApi.addFile({ idInstance: TELEGRAM.idInstance, chatId: '5551234567', idMessage: '777', body: readFixture('document.pdf'), linkExtension: 'pdf' });
		await standIn.greenApi.queues.notify(TELEGRAM.idInstance, fileMessage(TELEGRAM, '777', '5551234567', { typeMessage: 'documentMessage', downloadUrl: '', fileName: '', mimeType: 'application/pdf' }));
		await waitFor(() => server!.executions.length === 1);
		const [item] = server.executions[0];
		expect(item.binary!.data.fileName).toBe('telegram-777.pdf');
		expect(sha256(await binaryBuffer(item.binary!.data))).toBe(sha256(readFixture('document.pdf')));
	});
});

test('the editor\'s test URL: the manual run n8n starts after the test webhook gets the webhook\'s items', async () => {
	const ids = { workflow: 'wf-manual', node: 'node-manual' };
	server = await serveWebhook({ ...setup(WHATSAPP, WEBHOOK_TOKEN), ids, executionMode: 'manual' });
	await pointInstanceAt(WHATSAPP, server.url, WEBHOOK_TOKEN);
	await standIn.greenApi.queues.notify(WHATSAPP.idInstance, textMessage(WHATSAPP, 'TEST1', CHAT));
	await waitFor(() => server!.executions.length === 1);
	// n8n runs the trigger node of the test execution manually (WorkflowExecute → runTrigger, activation 'manual').
	const manual = await activateTrigger({ ...setup(WHATSAPP, WEBHOOK_TOKEN), ids }, 'manual');
	await manual.runManual();
	expect(manual.items().map((item) => item.json.idMessage)).toEqual(['TEST1']);
	expect(standIn.stats.greenReceiveCalls + standIn.stats.greenSettingsCalls).toBe(0);
	await manual.close();
});

describe('Set the instance\'s webhook URL on activation', () => {
	test('off (default): activation and deactivation never touch the instance settings', async () => {
		const base = setup(WHATSAPP, WEBHOOK_TOKEN);
		expect(await runWebhookHook(base, 'checkExists')).toBe(true);
		expect(await runWebhookHook(base, 'create')).toBe(true);
		expect(await runWebhookHook(base, 'delete')).toBe(true);
		expect(standIn.stats.greenSettingsCalls).toBe(0);
	});

	test('on: sets this workflow\'s URL and the token on activation, restores the previous URL on deactivation', async () => {
		standIn.greenApi.queues.updateSettings(WHATSAPP.idInstance, { webhookUrl: 'https://old.example/hook' });
		const staticData = {};
		const on = { ...setup(WHATSAPP, WEBHOOK_TOKEN, { setWebhookUrl: true }), staticData };
		expect(await runWebhookHook(on, 'checkExists')).toBe(false);
		expect(await runWebhookHook(on, 'create')).toBe(true);
		const settings = standIn.greenApi.queues.settingsOf(WHATSAPP.idInstance);
		expect(settings.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:5678\/webhook\/hook-\d+\/webhook$/);
		expect(settings.webhookUrlToken).toBe(WEBHOOK_TOKEN);
		expect(standIn.stats.greenSettingsChanges).toBe(1);
		expect(await runWebhookHook(on, 'delete')).toBe(true);
		expect(standIn.greenApi.queues.settingsOf(WHATSAPP.idInstance).webhookUrl).toBe('https://old.example/hook');
		expect(standIn.stats.greenSettingsChanges).toBe(2);
	});

	test('on: a URL someone else set in the meantime is left alone on deactivation', async () => {
		const staticData = {};
		const on = { ...setup(WHATSAPP, WEBHOOK_TOKEN, { setWebhookUrl: true }), staticData };
		await runWebhookHook(on, 'create');
		standIn.greenApi.queues.updateSettings(WHATSAPP.idInstance, { webhookUrl: 'https://someone-else.example/' });
		await runWebhookHook(on, 'delete');
		expect(standIn.greenApi.queues.settingsOf(WHATSAPP.idInstance).webhookUrl).toBe('https://someone-else.example/');
		expect(standIn.stats.greenSettingsChanges).toBe(1);
	});
});

let lastSetup: ReturnType<typeof setup> | undefined;
async function serveWebhookOnPort(port: number): Promise<WebhookServer> {
	lastSetup ??= setup(WHATSAPP, WEBHOOK_TOKEN);
	return await serveWebhook({ ...lastSetup, port } as never);
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
