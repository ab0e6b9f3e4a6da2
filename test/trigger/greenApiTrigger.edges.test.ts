// Issue 19, Green-API Trigger under attack and at the edges, through n8n-core's real trigger
// and webhook contexts against the stand-in: an open webhook (4), notifications without
// idMessage (5), deletes answered {"result": false} (6), a poisoned queue head (7), and a
// close while a file is still downloading (3).
import type { INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { startStandIn, type StandIn } from '../standin/server';
import { activateTrigger, serveWebhook, type ActiveTrigger, type WebhookServer } from './greenApiHarness';
import { fileMessage, textMessage, type InstanceRef } from './greenApiNotifications';

const WHATSAPP: InstanceRef = { idInstance: 1101000191, apiTokenInstance: 'wa-edges-token-9911', messenger: 'whatsapp' };
const OTHER: InstanceRef = { idInstance: 1101000192, apiTokenInstance: 'wa-other-token-9922', messenger: 'whatsapp' };
const CHAT = '79001234567@c.us';

let standIn: StandIn;
let active: ActiveTrigger | undefined;
let server: WebhookServer | undefined;

beforeEach(async () => {
	standIn = await startStandIn();
	standIn.greenApi.addInstance(WHATSAPP);
	standIn.greenApi.addInstance(OTHER);
});
afterEach(async () => {
	await active?.close();
	active = undefined;
	await server?.close();
	server = undefined;
	await standIn.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('timed out');
		await sleep(20);
	}
}

function credentials(instance: InstanceRef, webhookUrlToken?: string) {
	return {
		apiUrl: standIn.greenApiUrl,
		mediaUrl: standIn.greenMediaUrl,
		idInstance: String(instance.idInstance),
		apiTokenInstance: instance.apiTokenInstance,
		messenger: instance.messenger,
		...(webhookUrlToken !== undefined ? { webhookUrlToken } : {}),
	};
}

function polling(options: Record<string, unknown> = {}) {
	return { parameters: { mode: 'polling', receiveTimeout: 5, downloadFiles: true, options } as INodeParameters, credentials: credentials(WHATSAPP) };
}

function webhook(token?: string) {
	return { parameters: { mode: 'webhook', downloadFiles: false, options: {} } as INodeParameters, credentials: credentials(WHATSAPP, token) };
}

const stateChanged = () => ({
	typeWebhook: 'stateInstanceChanged',
	instanceData: { idInstance: WHATSAPP.idInstance, wid: `${WHATSAPP.idInstance}@c.us`, typeInstance: 'whatsapp' },
	timestamp: 1_700_000_000,
	stateInstance: 'authorized',
});

async function post(url: string, body: unknown): Promise<number> {
	return (await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status;
}

describe('4. an open webhook', () => {
	test('activation without a Webhook Token warns in the log; with one it does not', async () => {
		active = await activateTrigger(webhook());
		const warnings = active.logs.filter((line) => line.level === 'warn');
		expect(warnings).toHaveLength(1);
		expect(warnings[0].message).toMatch(/webhook is open/);
		expect(warnings[0].message).not.toContain(WHATSAPP.apiTokenInstance);
		await active.close();
		active = await activateTrigger(webhook('a-webhook-token-123'));
		expect(active.logs.filter((line) => line.level === 'warn')).toEqual([]);
	});

	test('the node panel says so too: a notice in webhook mode', async () => {
		const { triggerNodeType } = await import('./greenApiHarness');
		const notice = triggerNodeType.description.properties.find((property) => property.name === 'openWebhookNotice');
		expect(notice).toMatchObject({ type: 'notice', displayOptions: { show: { mode: ['webhook'] } } });
		expect(notice!.displayName).toMatch(/open/);
	});

	test("a body naming another instance (or none) is refused: 403, no execution", async () => {
		server = await serveWebhook(webhook());
		expect(await post(server.url, textMessage(OTHER, 'FOREIGN1', CHAT))).toBe(403);
		const { instanceData: _gone, ...noInstance } = textMessage(WHATSAPP, 'NOINST1', CHAT);
		expect(await post(server.url, noInstance)).toBe(403);
		expect(await post(server.url, textMessage(WHATSAPP, 'OWN1', CHAT))).toBe(200);
		await waitFor(() => server!.executions.length === 1);
		await sleep(200);
		expect(server.executions.map((items) => items[0].json.idMessage)).toEqual(['OWN1']);
	});

	test('de-duplication keys are hashes: a sender-chosen 1 MB idMessage is remembered in 43 characters, and still de-duplicated', async () => {
		server = await serveWebhook(webhook());
		const huge = 'X'.repeat(1024 * 1024);
		expect(await post(server.url, textMessage(WHATSAPP, huge, CHAT))).toBe(200);
		expect(await post(server.url, textMessage(WHATSAPP, huge, CHAT))).toBe(200);
		await waitFor(() => server!.executions.length === 1);
		await sleep(200);
		expect(server.executions).toHaveLength(1);
		// The cache the webhook uses (nodes/shared/delivery), given the same key: what it holds.
		const { RecentDeliveries } = await import('../../nodes/shared/delivery/recentDeliveries');
		const { notificationKey } = await import('../../nodes/GreenApiTrigger/notificationKey');
		const cache = new RecentDeliveries({ maxEntries: 10 });
		cache.remember(notificationKey(textMessage(WHATSAPP, huge, CHAT)));
		const stored = [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
		expect(stored.map((key) => key.length)).toEqual([43]);
	});

	test('every notification has a key: a state change posted twice runs once', async () => {
		server = await serveWebhook({ ...webhook(), parameters: { mode: 'webhook', downloadFiles: false, options: { webhookTypes: ['stateInstanceChanged'] } } as INodeParameters });
		expect(await post(server.url, stateChanged())).toBe(200);
		expect(await post(server.url, stateChanged())).toBe(200);
		await waitFor(() => server!.executions.length === 1);
		await sleep(200);
		expect(server.executions).toHaveLength(1);
	});
});

describe('the shared de-duplication cache is bounded overall', () => {
	test('many trigger nodes with many keys stay under the overall budget', async () => {
		const { RecentDeliveriesRegistry } = await import('../../nodes/shared/delivery/recentDeliveries');
		const registry = new RecentDeliveriesRegistry({ maxEntries: 1_000 }, 50, 5_000);
		for (let scope = 0; scope < 200; scope++) {
			for (let key = 0; key < 100; key++) registry.for(`wf-${scope}`).remember(`${scope}:${key}`);
		}
		expect(registry.scopeCount).toBeLessThanOrEqual(50);
		expect(registry.totalSize).toBeLessThanOrEqual(5_000);
		// The most recent scope keeps its keys.
		expect(registry.for('wf-199').has('199:99')).toBe(true);
	});
});

describe('polling at the edges', () => {
	test('5. a notification without idMessage is run once while its delete keeps failing', async () => {
		const queues = standIn.greenApi.queues;
		queues.setFaults(WHATSAPP.idInstance, { delete: (call) => (call <= 4 ? 'status500' : undefined) });
		queues.enqueue(WHATSAPP.idInstance, stateChanged());
		active = await activateTrigger(polling({ webhookTypes: ['stateInstanceChanged'] }));
		await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0, 30_000);
		await sleep(500);
		expect(active.items()).toHaveLength(1);
		expect(active.items()[0].json.typeWebhook).toBe('stateInstanceChanged');
	}, 40_000);

	test('6. deleteNotification answering {"result": false} is a failed delete, retried with pauses: the poller does not spin', async () => {
		const queues = standIn.greenApi.queues;
		queues.setFaults(WHATSAPP.idInstance, { delete: (call) => (call <= 6 ? 'resultFalse' : undefined) });
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'RF1', CHAT));
		standIn.resetStats();
		active = await activateTrigger(polling());
		await sleep(2_000);
		// Before: 529 receive calls in 2 s. Now a handful, each after a pause.
		expect(standIn.stats.greenReceiveCalls).toBeLessThan(10);
		expect(active.items()).toHaveLength(1);
		const warnings = active.logs.filter((line) => line.level === 'warn' && /result: false/.test(line.message));
		expect(warnings.length).toBeGreaterThan(0);
		expect(warnings[0].message).toMatch(/trying again in/);
		await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0, 30_000);
		expect(active.items()).toHaveLength(1);
	}, 40_000);

	test('7. a queue entry whose body is not an object is logged without secrets and deleted; the queue moves on', async () => {
		const queues = standIn.greenApi.queues;
		const poison = queues.enqueue(WHATSAPP.idInstance, `poison ${WHATSAPP.apiTokenInstance}` as unknown as Record<string, unknown>);
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'AFTER1', CHAT));
		active = await activateTrigger(polling());
		await active.waitForItems(1, 15_000);
		expect(active.items().map((item) => item.json.idMessage)).toEqual(['AFTER1']);
		expect(queues.deletedReceipts(WHATSAPP.idInstance)).toContain(poison);
		const line = active.logs.find((entry) => entry.message.includes(`queue entry ${poison}`));
		expect(line?.message).toMatch(/not a notification.*a string of \d+ characters.*deleted/);
		expect(JSON.stringify(active.logs)).not.toContain(WHATSAPP.apiTokenInstance);
	}, 30_000);

	test('3. closing while a file downloads slowly: close returns within a second, nothing is emitted, the notification stays queued', async () => {
		const slow = standIn.greenApi.addFile({
			idInstance: WHATSAPP.idInstance,
			chatId: CHAT,
			idMessage: 'SLOW1',
			body: Buffer.concat([readFixture('image.png'), Buffer.alloc(120_000)]),
			linkExtension: 'png',
			fault: { slowBytesPerSecond: 20_000 },
		});
		const queues = standIn.greenApi.queues;
		queues.enqueue(WHATSAPP.idInstance, fileMessage(WHATSAPP, 'SLOW1', CHAT, { typeMessage: 'imageMessage', downloadUrl: slow.directUrl, mimeType: 'image/png' }));
		active = await activateTrigger(polling());
		await waitFor(() => standIn.stats.greenMediaGets > 0);
		await sleep(500);
		const closing = Date.now();
		await active.close();
		const closeMs = Date.now() - closing;
		const old = active;
		active = undefined;
		expect(closeMs).toBeLessThan(1_000);
		await sleep(1_500);
		expect(old.emitted).toHaveLength(0);
		expect(queues.pending(WHATSAPP.idInstance).map((entry) => entry.body.idMessage)).toEqual(['SLOW1']);
		expect(old.logs.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
	}, 30_000);
});
