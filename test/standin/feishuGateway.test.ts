// The long-connection gateway stand-in speaks Feishu's protocol as the official SDK knows it:
// the SDK's own WSClient + EventDispatcher connect to it, ping it, take its pong config,
// receive events (whole and in fragments sent out of order) and acknowledge them.
import { randomBytes } from 'node:crypto';
import * as lark from '@larksuiteoapi/node-sdk';

import { startFeishuGateway, type FeishuGateway } from './feishuGateway';
import { startStandIn, type StandIn } from './server';

/** Polls until `condition` holds (test/helpers/trigger.ts has one too, but loads the whole engine). */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

let s: StandIn;
let gateway: FeishuGateway;
const clients: lark.WSClient[] = [];

beforeEach(async () => {
	s = await startStandIn();
	gateway = startFeishuGateway(s.feishu, {
		clientConfig: { PingInterval: 0.3, ReconnectCount: -1, ReconnectInterval: 0.2, ReconnectNonce: 0.1 },
		// Long enough that a loaded machine acknowledges before it (the 500 test waits for one redelivery).
		redeliverAfterMs: 1_500,
	});
});

afterEach(async () => {
	for (const client of clients.splice(0)) client.close({ force: true });
	await gateway.close();
	await s.close();
});

const quiet = process.env.SDK_DEBUG ? console : { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };

/** App ids must look like Feishu's or WSClient.start silently never connects (facts §4.1). */
function newApp(): { appId: string; appSecret: string } {
	const app = { appId: `cli_${randomBytes(8).toString('hex')}`, appSecret: randomBytes(16).toString('hex') };
	s.feishu.addApp(app);
	return app;
}

function envelope(appId: string, messageId: string, text = 'hello'): Record<string, unknown> {
	return {
		schema: '2.0',
		header: { event_id: `ev_${messageId}`, event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: '', app_id: appId, tenant_key: 'tenant' },
		event: {
			sender: { sender_id: { open_id: 'ou_sender' }, sender_type: 'user', tenant_key: 'tenant' },
			message: { message_id: messageId, chat_id: 'oc_chat', chat_type: 'p2p', message_type: 'text', content: JSON.stringify({ text }), create_time: String(Date.now()) },
		},
	};
}

function sdkClient(app: { appId: string; appSecret: string }, onMessage: (data: { message: { message_id: string; content: string } }) => unknown): lark.WSClient {
	const client = new lark.WSClient({ ...app, domain: s.feishuUrl, logger: quiet, loggerLevel: lark.LoggerLevel.error });
	clients.push(client);
	const dispatcher = new lark.EventDispatcher({ logger: quiet, loggerLevel: lark.LoggerLevel.error }).register({
		'im.message.receive_v1': async (data) => onMessage(data as never),
	});
	void client.start({ eventDispatcher: dispatcher });
	return client;
}

test("the SDK's WSClient connects through the endpoint, pings at the configured interval and gets pongs", async () => {
	const app = newApp();
	sdkClient(app, () => undefined);
	await until(() => gateway.live(app.appId).length === 1, 5_000, 'connected');
	const [request] = gateway.endpointRequests;
	expect(request).toMatchObject({ appId: app.appId, code: 0 });
	expect(request.headers.locale).toBe('zh');
	const connection = gateway.live(app.appId)[0];
	await until(() => connection.pings.length >= 4, 5_000, 'pings');
	// First ping on open, then every PingInterval (0.3 s); the median, as arrival times jitter on a loaded machine.
	const gaps = connection.pings.slice(1).map((at, i) => at - connection.pings[i]);
	const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
	expect(median).toBeGreaterThanOrEqual(270);
	// Far below the SDK's default 120 s.
	expect(median).toBeLessThan(1_000);
	// The SDK reads the pong's ClientConfig: a pong saying 0.08 s makes it ping faster.
	gateway.setOptions({ pongConfig: { PingInterval: 0.08, ReconnectCount: -1, ReconnectInterval: 0.2, ReconnectNonce: 0.1 } });
	const from = connection.pings.length + 1;
	await until(() => connection.pings.length >= from + 6, 5_000, 'faster pings');
	const fast = connection.pings.slice(from).map((at, i, all) => (i ? at - all[i - 1] : 0)).slice(1);
	expect([...fast].sort((a, b) => a - b)[Math.floor(fast.length / 2)]).toBeLessThan(200);
});

test('events reach the SDK handler whole and in fragments sent out of order, and are acknowledged by echoing the frame', async () => {
	const app = newApp();
	const seen: string[] = [];
	sdkClient(app, (data) => {
		seen.push(data.message.message_id);
		return { ok: 1 };
	});
	await until(() => gateway.live(app.appId).length === 1, 5_000, 'connected');
	const whole = gateway.push(app.appId, envelope(app.appId, 'om_whole'));
	const long = 'x'.repeat(5_000);
	const split = gateway.push(app.appId, envelope(app.appId, 'om_split', long), { fragments: 3, order: 'reverse' });
	await until(() => gateway.acks.length === 2, 5_000, 'two acks');
	expect(seen.sort()).toEqual(['om_split', 'om_whole']);
	for (const id of [whole, split]) {
		const ack = gateway.acks.find((a) => a.messageId === id);
		expect(ack).toMatchObject({ code: 200, echoed: true });
		expect(ack?.bizRt).toBeDefined();
	}
	expect(gateway.unacked).toEqual([]);
	expect(gateway.malformedFrames).toBe(0);
});

test('an event the handler fails on is answered 500 and redelivered until it is acknowledged', async () => {
	const app = newApp();
	let calls = 0;
	sdkClient(app, () => {
		calls++;
		if (calls === 1) throw new Error('first try fails');
	});
	await until(() => gateway.live(app.appId).length === 1, 5_000, 'connected');
	const id = gateway.push(app.appId, envelope(app.appId, 'om_retry'));
	await until(() => gateway.acks.some((a) => a.messageId === id && a.code === 200), 5_000, 'acknowledged on redelivery');
	const codes = gateway.acks.filter((a) => a.messageId === id).map((a) => a.code);
	expect(codes[0]).toBe(500);
	expect(codes[codes.length - 1]).toBe(200);
	expect(gateway.deliveries(id)).toBeGreaterThanOrEqual(2);
	expect(gateway.unacked).toEqual([]);
});

test('cluster mode: each event goes to ONE of the app\'s connections', async () => {
	const app = newApp();
	const byClient: string[][] = [[], []];
	sdkClient(app, (data) => byClient[0].push(data.message.message_id));
	sdkClient(app, (data) => byClient[1].push(data.message.message_id));
	await until(() => gateway.live(app.appId).length === 2, 5_000, 'two connections');
	Array.from({ length: 20 }, (_, i) => gateway.push(app.appId, envelope(app.appId, `om_c${i}`)));
	await until(() => gateway.acks.length === 20, 5_000, 'all acknowledged');
	expect(byClient[0].length + byClient[1].length).toBe(20);
	expect(new Set([...byClient[0], ...byClient[1]]).size).toBe(20);
	// Random: with 20 events both get some (probability of all on one: 2 / 2^20).
	expect(byClient[0].length).toBeGreaterThan(0);
	expect(byClient[1].length).toBeGreaterThan(0);
});

test('the SDK reconnects after a dropped connection and card frames get no answer', async () => {
	const app = newApp();
	const seen: string[] = [];
	sdkClient(app, (data) => seen.push(data.message.message_id));
	await until(() => gateway.live(app.appId).length === 1, 5_000, 'connected');
	gateway.push(app.appId, { schema: '2.0', header: { event_type: 'card.action.trigger' }, event: {} }, { type: 'card' });
	gateway.drop();
	await until(() => gateway.live(app.appId).length === 1 && gateway.accepted === 2, 5_000, 'reconnected');
	gateway.push(app.appId, envelope(app.appId, 'om_after'));
	await until(() => seen.includes('om_after'), 5_000, 'event after reconnect');
	expect(gateway.strayAcks).toBe(0);
});

test('endpoint refusals: 514 for a wrong secret is fatal for the SDK (onError, no retry)', async () => {
	const app = newApp();
	const errors: string[] = [];
	const client = new lark.WSClient({ appId: app.appId, appSecret: 'wrong', domain: s.feishuUrl, logger: quiet, loggerLevel: lark.LoggerLevel.error, onError: (error: Error) => errors.push(error.message) } as never);
	clients.push(client);
	void client.start({ eventDispatcher: new lark.EventDispatcher({ logger: quiet, loggerLevel: lark.LoggerLevel.error }).register({}) });
	await until(() => errors.length === 1, 5_000, 'onError');
	expect(errors[0]).toMatch(/code=514/);
	await new Promise((resolve) => setTimeout(resolve, 500));
	expect(gateway.endpointRequests.map((r) => r.code)).toEqual([514]);
});
