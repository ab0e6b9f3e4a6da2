/**
 * The Stream client's timing behaviour with short timings (the node uses 90 s of silence
 * and 1 s → 60 s backoff): real gateway stand-in, real WebSocket, the client's own code.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { StreamClient, type StreamTiming } from '../../nodes/DingTalkTrigger/streamClient';
import type { StreamFrame } from '../../nodes/DingTalkTrigger/streamFrames';
import { RecentDeliveries } from '../../nodes/shared/delivery/recentDeliveries';
import { openStreamConnection } from '../../nodes/shared/messengers/dingTalk/stream';
import { backoffDelayMs } from '../../nodes/shared/delivery/backoff';
import { ensureWebSocket, until } from '../helpers/trigger';
import { startStreamGateway, type DingTalkStreamGateway } from '../standin/dingtalkStream';
import { startStandIn, type StandIn } from '../standin/server';

ensureWebSocket();

const APP_KEY = 'dingclientapp';
const APP_SECRET = 'client-app-secret-value';

let standIn: StandIn;
let gateway: DingTalkStreamGateway;
let client: StreamClient | undefined;

const credentials = (): ICredentialDataDecryptedObject => ({ appType: 'internal', appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: standIn.dingTalkUrl });

async function httpRequest(options: { method?: string; url?: string; headers?: Record<string, string>; body?: unknown }): Promise<unknown> {
	const response = await fetch(options.url as string, {
		method: options.method,
		headers: { 'content-type': 'application/json', ...options.headers },
		body: JSON.stringify(options.body),
	});
	const text = await response.text();
	return { statusCode: response.status, body: text, headers: Object.fromEntries(response.headers) };
}

function makeClient(onCallback: (frame: StreamFrame) => Promise<'ack' | 'skip'>, timing: Partial<StreamTiming>, log: string[] = []): StreamClient {
	return new StreamClient({
		openTicket: async () => await openStreamConnection(httpRequest as never, credentials(), 5_000),
		createSocket: (url) => new WebSocket(url) as never,
		onCallback,
		onDisconnect: (reason) => log.push(reason),
		logger: { debug: () => {}, warn: (text) => log.push(text) },
		timing,
	});
}

beforeAll(async () => {
	standIn = await startStandIn();
	standIn.dingTalk.addApp({ appKey: APP_KEY, appSecret: APP_SECRET });
	gateway = await startStreamGateway(standIn.dingTalk, { ackDeadlineMs: 500 });
});

afterEach(async () => {
	await client?.stop();
	client = undefined;
	await until(() => gateway.liveConnections === 0, 5_000, 'no connection left');
	gateway.setSilent(false);
	gateway.resetStats();
});

afterAll(async () => {
	await gateway.close();
	await standIn.close();
});

test('a silent gateway is noticed and replaced by a new connection', async () => {
	const log: string[] = [];
	client = makeClient(async () => 'ack', { silenceMs: 400, checkEveryMs: 50, backoffBaseMs: 50 }, log);
	await client.start();
	gateway.setSilent(true);
	await until(() => log.includes('silent'), 3_000, 'silence detected');
	gateway.setSilent(false);
	await until(() => gateway.stats.connections >= 2 && gateway.liveConnections === 1, 5_000, 'reconnect');
	expect(gateway.stats.maxConcurrentConnections).toBe(1);
	// A gateway that keeps pinging is never taken for dead.
	gateway.setOptions({ pingEveryMs: 100 });
	const connections = gateway.stats.connections;
	await new Promise((resolve) => setTimeout(resolve, 1_000));
	expect(gateway.stats.connections).toBe(connections);
	gateway.setOptions({ pingEveryMs: 0 });
});

test('reconnect backoff grows exponentially with jitter, from the base up to the cap', () => {
	const policy = { baseMs: 1_000, maxMs: 60_000 };
	const low = Array.from({ length: 8 }, (_, attempt) => backoffDelayMs(attempt + 1, policy, () => 0));
	const high = Array.from({ length: 8 }, (_, attempt) => backoffDelayMs(attempt + 1, policy, () => 1));
	expect(high).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
	expect(low).toEqual(high.map((value) => value / 2));
});

test('repeated gateway failures back off; the first success resets the delay', async () => {
	const log: string[] = [];
	client = makeClient(async () => 'ack', { backoffBaseMs: 200, backoffMaxMs: 2_000, silenceMs: 60_000 }, log);
	await client.start();
	gateway.failOpens({ status: 500, body: { code: 'InternalError', message: 'x' }, times: 3 });
	const droppedAt = Date.now();
	gateway.killConnections();
	await until(() => gateway.liveConnections === 1 && gateway.stats.connections === 2, 10_000, 'reconnect');
	const elapsed = Date.now() - droppedAt;
	// Waits of at least 100 + 200 + 400 + 800 ms (half of 200·2^n with full jitter) before the 4th open succeeds.
	expect(elapsed).toBeGreaterThanOrEqual(1_400);
	expect(elapsed).toBeLessThan(6_000);
	expect(log.filter((line) => /reconnect failed/.test(line))).toHaveLength(3);
});

test('many disconnects in a row never leave two sockets open', async () => {
	client = makeClient(async () => 'ack', { backoffBaseMs: 20, silenceMs: 60_000 });
	await client.start();
	for (let i = 0; i < 10; i++) {
		if (i % 2) gateway.sendDisconnect();
		else gateway.killConnections();
		await until(() => gateway.liveConnections === 1 && gateway.stats.connections === i + 2, 5_000, `reconnect ${i}`);
	}
	expect(gateway.stats.maxConcurrentConnections).toBe(1);
	expect(gateway.stats.refusedUpgrades).toBe(0);
});

test('a full queue leaves messages unanswered for redelivery instead of growing without bound', async () => {
	let release!: () => void;
	const gate = new Promise<void>((resolve) => (release = resolve));
	const seen: string[] = [];
	client = makeClient(
		async (frame) => {
			seen.push(frame.headers.messageId);
			await gate;
			return 'ack';
		},
		{ maxConcurrent: 2, maxQueued: 3, silenceMs: 60_000 },
	);
	await client.start();
	gateway.setOptions({ ackDeadlineMs: 60_000 });
	const ids = Array.from({ length: 10 }, (_, i) => gateway.deliver({ msgId: `q${i}`, msgtype: 'text' }));
	await until(() => seen.length === 2, 5_000, 'two running');
	await new Promise((resolve) => setTimeout(resolve, 200));
	expect(seen).toHaveLength(2);
	release();
	await until(() => seen.length === 5, 5_000, 'queue drained');
	await new Promise((resolve) => setTimeout(resolve, 200));
	// 2 running + 3 queued were taken; the other 5 stay unanswered until the gateway redelivers them.
	expect(seen).toHaveLength(5);
	expect(ids.filter((id) => gateway.stats.acks[id] === 1)).toHaveLength(5);
	gateway.setOptions({ ackDeadlineMs: 500 });
});

test('dedup window: bounded by count and age, a failed run is forgotten', async () => {
	const recent = new RecentDeliveries<string>({ windowMs: 1_000, maxEntries: 3 });
	let runs = 0;
	const run = async () => {
		runs++;
		return 'done';
	};
	await recent.once('a', run, 0);
	expect((await recent.once('a', run, 10)).repeat).toBe(true);
	await recent.once('b', run, 20);
	await recent.once('c', run, 30);
	await recent.once('d', run, 40);
	expect(recent.size).toBeLessThanOrEqual(4);
	expect((await recent.once('a', run, 50)).repeat).toBe(false); // evicted by count
	expect((await recent.once('d', run, 5_000)).repeat).toBe(false); // evicted by age
	await expect(recent.once('e', async () => Promise.reject(new Error('boom')), 5_001)).rejects.toThrow('boom');
	expect((await recent.once('e', run, 5_002)).repeat).toBe(false);
	expect(runs).toBe(7);
	// In flight: a repeat waits for the first run's outcome.
	let finish!: (value: string) => void;
	const slow = recent.once('f', async () => await new Promise<string>((resolve) => (finish = resolve)), 6_000);
	const repeat = recent.once('f', run, 6_001);
	finish('first');
	expect(await slow).toEqual({ outcome: 'first', repeat: false });
	expect(await repeat).toEqual({ outcome: 'first', repeat: true });
});

test('memory stays bounded: 20,000 distinct ids keep at most the configured count', async () => {
	const recent = new RecentDeliveries<string>({ windowMs: 60_000, maxEntries: 10_000 });
	for (let i = 0; i < 20_000; i++) await recent.once(`m${i}`, async () => 'x', i);
	expect(recent.size).toBeLessThanOrEqual(10_001);
});
