/**
 * The node's Feishu long connection (nodes/FeishuTrigger/longConnectionClient.ts on the shared
 * socket client) against the gateway stand-in, with short ClientConfig timings: a real
 * WebSocket (Node's own when run with --experimental-websocket, else `ws`), real protobuf frames.
 */
import { randomBytes } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { WebSocket as WsWebSocket } from 'ws';

import { FeishuLongConnection, type FeishuLongConnectionOptions } from '../../nodes/FeishuTrigger/longConnectionClient';
import { DEFAULT_CLIENT_CONFIG, reconnectDelayMs } from '../../nodes/shared/messengers/feishu/longConnection';
import { decodeFrame, encodeFrame } from '../../nodes/shared/messengers/feishu/frames';
import { MessageFileError } from '../../nodes/shared/transport/errors';
import { decodeWireFrame, encodeWireFrame, startFeishuGateway, type FeishuGateway, type GatewayClientConfig } from '../standin/feishuGateway';
import { startStandIn, type StandIn } from '../standin/server';

const FAST: GatewayClientConfig = { PingInterval: 0.2, ReconnectCount: -1, ReconnectInterval: 0.1, ReconnectNonce: 0.05 };

let s: StandIn;
let gateway: FeishuGateway;
let connection: FeishuLongConnection | undefined;
let app: { appId: string; appSecret: string };
const log: string[] = [];

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** n8n's httpRequest as the node gets it (returnFullResponse, ignoreHttpStatusErrors), over fetch. */
let unreachableRequests = 0;

async function httpRequest(options: { method?: string; url?: string; headers?: Record<string, string>; body?: unknown; timeout?: number }): Promise<unknown> {
	if (unreachableRequests > 0) {
		unreachableRequests--;
		throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1'), { code: 'ECONNREFUSED' });
	}
	const response = await fetch(options.url as string, {
		method: options.method,
		headers: { 'content-type': 'application/json', ...options.headers },
		body: JSON.stringify(options.body),
		signal: AbortSignal.timeout(options.timeout ?? 15_000),
	});
	return { statusCode: response.status, body: await response.text(), headers: Object.fromEntries(response.headers) };
}

const SocketClass = (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function' ? globalThis.WebSocket : WsWebSocket) as unknown as new (url: string) => never;

function credentials(secret = app.appSecret): ICredentialDataDecryptedObject {
	return { appId: app.appId, appSecret: secret, baseUrl: `${s.feishuUrl}/` };
}

function connect(overrides: Partial<FeishuLongConnectionOptions> = {}): FeishuLongConnection {
	connection = new FeishuLongConnection({
		httpRequest: httpRequest as never,
		credentials: credentials(),
		onEvent: () => undefined,
		logger: { debug: (text) => log.push(`debug: ${text}`), warn: (text) => log.push(`warn: ${text}`) },
		createSocket: (url) => new SocketClass(url),
		timing: { checkEveryMs: 20 },
		...overrides,
	});
	return connection;
}

function envelope(messageId: string, text = 'hello'): IDataObject {
	return {
		schema: '2.0',
		header: { event_id: `ev_${messageId}`, event_type: 'im.message.receive_v1', create_time: String(Date.now()), app_id: app.appId, tenant_key: 't' },
		event: { message: { message_id: messageId, chat_id: 'oc_chat', chat_type: 'group', message_type: 'text', content: JSON.stringify({ text }) } },
	};
}

beforeEach(async () => {
	s = await startStandIn();
	gateway = startFeishuGateway(s.feishu, { clientConfig: FAST, redeliverAfterMs: 1_000 });
	app = { appId: `cli_${randomBytes(8).toString('hex')}`, appSecret: `secret-${randomBytes(12).toString('hex')}` };
	s.feishu.addApp(app);
	log.length = 0;
	unreachableRequests = 0;
});

afterEach(async () => {
	await connection?.stop();
	connection = undefined;
	await gateway.close();
	await s.close();
});

test('connects through the endpoint, receives an event and acknowledges it before a slow handler finishes', async () => {
	let release!: () => void;
	const handled = new Promise<void>((resolve) => (release = resolve));
	const events: Array<{ envelope: IDataObject; messageId: string }> = [];
	connect({
		onEvent: async (env, messageId) => {
			events.push({ envelope: env, messageId });
			await handled; // a download that takes long
		},
	});
	await connection!.start();
	const [request] = gateway.endpointRequests;
	expect(request).toMatchObject({ appId: app.appId, code: 0 });
	expect(request.headers.locale).toBe('zh');
	const id = gateway.push(app.appId, envelope('om_1'));
	await until(() => gateway.acks.length === 1, 3_000, 'ack');
	expect(events).toEqual([{ envelope: expect.objectContaining({ schema: '2.0' }), messageId: id }]);
	expect((events[0].envelope.event as IDataObject).message).toMatchObject({ message_id: 'om_1' });
	const [ack] = gateway.acks;
	// The frame came back whole with biz_rt and {"code":200}, while the handler still runs.
	expect(ack).toMatchObject({ messageId: id, code: 200, echoed: true });
	expect(Number(ack.bizRt)).toBeGreaterThanOrEqual(0);
	expect(ack.latencyMs).toBeLessThan(500);
	await pause(1_300);
	// Acknowledged: never redelivered, though the handler has not finished.
	expect(gateway.deliveries(id)).toBe(1);
	expect(events).toHaveLength(1);
	release();
});

test('every event is acknowledged at once, while at most maxConcurrent handlers run and none is dropped', async () => {
	let release!: () => void;
	const gate = new Promise<void>((resolve) => (release = resolve));
	const started: string[] = [];
	const finished: string[] = [];
	connect({
		onEvent: async (_env, id) => {
			started.push(id);
			await gate;
			finished.push(id);
		},
		timing: { checkEveryMs: 20, maxConcurrent: 2, maxQueued: 1 },
	});
	await connection!.start();
	const ids = Array.from({ length: 6 }, (_, i) => gateway.push(app.appId, envelope(`om_q${i}`)));
	await until(() => gateway.acks.length === 6, 3_000, 'six acks');
	await pause(200);
	expect(started).toHaveLength(2);
	release();
	await until(() => finished.length === 6, 3_000, 'all handled');
	expect([...finished].sort()).toEqual([...ids].sort());
});

test('fragments sent out of order are reassembled in seq order', async () => {
	const events: IDataObject[] = [];
	connect({ onEvent: (env) => void events.push(env) });
	await connection!.start();
	const text = `${'数据'.repeat(3_000)}-end`; // multi-byte characters split across fragments
	const id = gateway.push(app.appId, envelope('om_big', text), { fragments: 4, order: 'reverse' });
	await until(() => events.length === 1 && gateway.acks.length === 1, 3_000, 'event and ack');
	expect(JSON.parse(((events[0].event as IDataObject).message as IDataObject).content as string)).toEqual({ text });
	expect(gateway.acks).toEqual([expect.objectContaining({ messageId: id, code: 200, echoed: true })]);
});

test('pings at the configured interval, and a pong config changes the interval', async () => {
	connect();
	await connection!.start();
	await until(() => gateway.live(app.appId).length === 1, 2_000, 'connected');
	const socket = gateway.live(app.appId)[0];
	await until(() => socket.pings.length >= 4, 3_000, 'pings at 200 ms');
	const gaps = (pings: number[]) => pings.slice(1).map((at, i) => at - pings[i]);
	const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
	// Medians: arrival times jitter on a loaded machine.
	expect(median(gaps(socket.pings))).toBeGreaterThanOrEqual(180);
	expect(median(gaps(socket.pings))).toBeLessThan(300);
	expect(connection!.config.pingIntervalMs).toBe(200);
	// The next pong says 60 ms: the client follows.
	gateway.setOptions({ pongConfig: { ...FAST, PingInterval: 0.06 } });
	await until(() => connection!.config.pingIntervalMs === 60, 2_000, 'config from the pong');
	const from = socket.pings.length + 1;
	await until(() => socket.pings.length >= from + 5, 2_000, 'faster pings');
	expect(median(gaps(socket.pings.slice(from)))).toBeLessThan(120);
});

test('reconnects after a dropped connection (after ReconnectNonce), never two sockets at once, and events flow again', async () => {
	const events: string[] = [];
	const disconnects: string[] = [];
	connect({ onEvent: (_env, id) => void events.push(id), onDisconnect: (reason) => disconnects.push(reason) });
	await connection!.start();
	for (let i = 0; i < 3; i++) {
		gateway.drop();
		await until(() => gateway.accepted === i + 2 && gateway.live(app.appId).length === 1, 3_000, `reconnect ${i}`);
	}
	expect(disconnects).toHaveLength(3);
	expect(gateway.maxConcurrentPerApp).toBe(1);
	expect(gateway.endpointRequests.map((r) => r.code)).toEqual([0, 0, 0, 0]);
	const id = gateway.push(app.appId, envelope('om_after'));
	await until(() => events.includes(id), 3_000, 'event after reconnect');
});

test('retryable endpoint codes (1000040343, 1) are retried at ReconnectInterval', async () => {
	connect();
	await connection!.start();
	gateway.refuseEndpoint(1000040343, 'internal error');
	gateway.refuseEndpoint(1, 'system busy');
	gateway.drop();
	await until(() => gateway.accepted === 2, 3_000, 'reconnected');
	expect(gateway.endpointRequests.map((r) => r.code)).toEqual([0, 1000040343, 1, 0]);
	expect(log.filter((line) => /reconnect failed/.test(line))).toEqual([
		expect.stringMatching(/internal error \(code 1000040343\)/),
		expect.stringMatching(/busy \(code 1, "system busy"\)/),
	]);
	// Waits of ReconnectInterval (100 ms) between the failed attempts.
	const [, first, second, third] = gateway.endpointRequests.map((r) => r.at);
	expect(second - first).toBeGreaterThanOrEqual(90);
	expect(third - second).toBeGreaterThanOrEqual(90);
});

test('a network failure while reconnecting is retried, not fatal', async () => {
	const fatal: Error[] = [];
	connect({ onFatal: (error) => fatal.push(error) });
	await connection!.start();
	unreachableRequests = 2;
	gateway.drop();
	await until(() => gateway.accepted === 2, 3_000, 'reconnected');
	expect(unreachableRequests).toBe(0);
	expect(fatal).toEqual([]);
	expect(log.filter((line) => /reconnect failed: Could not reach Feishu's long-connection gateway: the connection was refused/.test(line))).toHaveLength(2);
});

test('a connection that falls silent is replaced after ~2.5 ping intervals', async () => {
	const disconnects: string[] = [];
	connect({ onDisconnect: (reason) => disconnects.push(reason) });
	await connection!.start();
	const silencedAt = Date.now();
	gateway.silence(true);
	await until(() => disconnects.includes('silent'), 3_000, 'silence noticed');
	const noticedAfter = Date.now() - silencedAt;
	expect(noticedAfter).toBeGreaterThanOrEqual(300);
	expect(noticedAfter).toBeLessThan(1_200);
	await until(() => gateway.accepted === 2 && gateway.live(app.appId).filter((c) => !c.silent).length === 1, 3_000, 'replacement');
	// The replacement pings and is answered: no second silence.
	await pause(800);
	expect(disconnects.filter((reason) => reason === 'silent')).toHaveLength(1);
});

test('514 at start: a clear error naming the App ID / App Secret, no secret in it, and no retry loop', async () => {
	connect({ credentials: credentials('wrong-secret-value') });
	const error = (await connection!.start().catch((e: unknown) => e)) as MessageFileError;
	expect(error).toBeInstanceOf(MessageFileError);
	expect(error.message).toBe('Feishu rejected the App ID or App Secret (code 514, "auth failed")');
	expect(error.details).toMatchObject({ apiCode: '514', retryable: false });
	expect(error.details.description).toMatch(/Credentials & Basic Info/);
	expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('wrong-secret-value');
	await connection!.stop();
	await pause(400);
	expect(gateway.endpointRequests).toHaveLength(1);
});

test('514 while reconnecting: onFatal once, the client stops', async () => {
	const fatal: Error[] = [];
	connect({ onFatal: (error) => fatal.push(error) });
	await connection!.start();
	gateway.refuseEndpoint(514, 'auth failed', 100);
	gateway.drop();
	await until(() => fatal.length === 1, 3_000, 'onFatal');
	expect(fatal[0].message).toMatch(/App ID or App Secret/);
	await pause(400);
	expect(connection!.stopped).toBe(true);
	expect(gateway.endpointRequests.map((r) => r.code)).toEqual([0, 514]);
});

test('1000040350: explained as the 50-connection limit', async () => {
	gateway.setOptions({ maxConnectionsPerApp: 1 });
	const first = connect();
	await first.start();
	const second = connect();
	const error = (await second.start().catch((e: unknown) => e)) as MessageFileError;
	await second.stop();
	connection = first;
	expect(error.message).toMatch(/most long connections Feishu allows \(code 1000040350: 50 per app\)/);
	expect(error.details.description).toMatch(/only one connection of the app/);
	expect(error.details.retryable).toBe(false);
});

test('ReconnectCount attempts, then onFatal', async () => {
	gateway.setOptions({ clientConfig: { ...FAST, ReconnectCount: 2 } });
	const fatal: Error[] = [];
	connect({ onFatal: (error) => fatal.push(error) });
	await connection!.start();
	gateway.refuseEndpoint(1000040343, 'internal', 100);
	gateway.drop();
	await until(() => fatal.length === 1, 3_000, 'gave up');
	expect(fatal[0].message).toMatch(/gave up after the 2 attempt/);
	expect(gateway.endpointRequests.map((r) => r.code)).toEqual([0, 1000040343, 1000040343]);
});

test('unreadable frames and card callbacks are dropped (logged), the connection stays and events still flow', async () => {
	const events: string[] = [];
	connect({ onEvent: (_env, id) => void events.push(id) });
	await connection!.start();
	gateway.sendRaw(Buffer.from([0xff, 0xff, 0xff]));
	// A frame without its required `method`.
	const noMethod = encodeWireFrame({ SeqID: 1, LogID: 2, service: 3, method: 1, headers: [] });
	gateway.sendRaw(noMethod.subarray(0, noMethod.length - 2));
	gateway.push(app.appId, { schema: '2.0', header: { event_type: 'card.action.trigger' } }, { type: 'card' });
	const id = gateway.push(app.appId, envelope('om_ok'));
	await until(() => events.length === 1, 3_000, 'event');
	expect(events).toEqual([id]);
	expect(log.filter((line) => /dropped a frame it could not read/.test(line))).toHaveLength(2);
	expect(log.some((line) => /missing/.test(line))).toBe(true);
	expect(log.some((line) => /card callback .* ignored/.test(line))).toBe(true);
	expect(gateway.acks.map((a) => a.messageId)).toEqual([id]);
	expect(gateway.accepted).toBe(1);
});

test('no secret or connection ticket in any log line', async () => {
	connect();
	await connection!.start();
	gateway.push(app.appId, envelope('om_x'), { fragments: 2 });
	gateway.drop();
	await until(() => gateway.accepted === 2, 3_000, 'reconnect');
	await connection!.stop();
	const text = log.join('\n');
	expect(log.length).toBeGreaterThan(0);
	expect(text).not.toContain(app.appSecret);
	expect(text).not.toMatch(/access_key|ticket=|ws:\/\//);
});

test('frames: the codec reads what protobufjs reflection writes and the other way round (uint64 as numbers)', () => {
	const wire = { SeqID: 2 ** 40 + 7, LogID: 123456789012, service: 42, method: 1, headers: [{ key: 'type', value: 'event' }, { key: 'sum', value: '1' }], payload: Buffer.from('{"a":1}') };
	const decoded = decodeFrame(encodeWireFrame(wire));
	expect(decoded).toEqual({ ok: true, frame: expect.objectContaining({ seqId: 2 ** 40 + 7, logId: 123456789012, service: 42, method: 1, headers: wire.headers }) });
	if (!decoded.ok) return;
	expect(Buffer.from(decoded.frame.payload!).toString()).toBe('{"a":1}');
	const back = decodeWireFrame(encodeFrame({ ...decoded.frame, logIdNew: 'x' }));
	expect(back).toMatchObject({ SeqID: wire.SeqID, LogID: wire.LogID, service: 42, method: 1, headers: wire.headers, LogIDNew: 'x' });
	expect(decodeFrame(encodeWireFrame({ ...wire, headers: [] }).subarray(0, 3))).toEqual({ ok: false, reason: expect.any(String) });
});

test('reconnect waits follow ClientConfig: random part of the nonce, then the interval, then give up', () => {
	const config = { ...DEFAULT_CLIENT_CONFIG, reconnectNonceMs: 30_000, reconnectIntervalMs: 120_000, reconnectCount: 3 };
	expect(reconnectDelayMs(config, 0, () => 0.5)).toBe(15_000);
	expect(reconnectDelayMs(config, 1)).toBe(120_000);
	expect(reconnectDelayMs(config, 2)).toBe(120_000);
	expect(reconnectDelayMs(config, 3)).toBeUndefined();
	expect(reconnectDelayMs({ ...config, reconnectCount: -1 }, 1_000)).toBe(120_000);
});
