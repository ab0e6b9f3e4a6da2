/**
 * Issue 25, Feishu Trigger in Long Connection mode: the BUILT node activated through n8n-core's
 * real TriggerContext (and "Listen for test event" through TriggersAndPollers), connected to the
 * long-connection gateway stand-in (test/standin/feishuGateway.ts: real WebSocket, protobuf
 * frames, acks recorded, redelivery, drops, refusals), its files fetched from the Feishu stand-in.
 * Feishu wants each event acknowledged within 3 s: the ack goes out on receipt, the files after.
 */
// Debug lines too (endpoint, reconnects), so "no secret in logs" sees everything the trigger says; before n8n loads.
process.env.N8N_LOG_LEVEL = 'debug';

import { createHash, randomBytes } from 'node:crypto';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { binaryBuffer } from '../helpers/engine';
import { CredentialStore, FEISHU_TRIGGER, ensureWebSocket, triggerHarness, until, type ActiveTrigger } from '../helpers/trigger';
import { generatedBytesSha256, generatedChunks } from '../standin/bytes';
import { contents, messageReceiveEvent, type FeishuMessageType } from '../standin/feishuEvents';
import { startFeishuGateway, type FeishuGateway, type GatewayClientConfig } from '../standin/feishuGateway';
import { startStandIn, type StandIn } from '../standin/server';

ensureWebSocket();

const feishuTrigger = triggerHarness(FEISHU_TRIGGER);
const PARAMETERS: INodeParameters = { mode: 'longConnection', downloadFiles: true, options: {} };
/** Short ClientConfig timings (seconds) so reconnects happen within a test. */
const FAST: GatewayClientConfig = { PingInterval: 0.5, ReconnectCount: -1, ReconnectInterval: 0.2, ReconnectNonce: 0.1 };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

let standIn: StandIn;
let gateway: FeishuGateway;
const active: ActiveTrigger[] = [];

interface App {
	appId: string;
	appSecret: string;
	credentials: CredentialStore;
}

function app(): App {
	const appId = `cli_${hex(8)}`;
	const appSecret = `feishu-app-secret-${hex(12)}`;
	standIn.feishu.addApp({ appId, appSecret });
	return { appId, appSecret, credentials: new CredentialStore({ feishuApi: { appId, appSecret, baseUrl: standIn.feishuUrl, encryptKey: `encrypt-${hex(8)}`, verificationToken: `vt-${hex(8)}` } }) };
}

const messageId = () => `om_${hex(16)}`;
const imageKey = () => `img_v3_${hex(10)}`;
const fileKey = () => `file_v3_${hex(10)}`;

function event(target: App, input: { messageType: FeishuMessageType; content: Record<string, unknown>; id?: string }) {
	return messageReceiveEvent({ appId: target.appId, token: String(target.credentials.get('feishuApi').verificationToken), messageId: input.id ?? messageId(), ...input });
}

/** An image message of `target` with its file registered; returns the event, its message_id and the bytes. */
function imageMessage(target: App, fixture = 'image.png') {
	const id = messageId();
	const key = imageKey();
	const bytes = readFixture(fixture);
	standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body: bytes });
	return { envelope: event(target, { id, messageType: 'image', content: contents.image(key) }), id, bytes };
}

async function activate(target: App, parameters: INodeParameters = PARAMETERS): Promise<ActiveTrigger> {
	const trigger = await feishuTrigger.activateTrigger(parameters, target.credentials);
	active.push(trigger);
	return trigger;
}

const messageIdOf = (item: INodeExecutionData) => ((item.json.event as IDataObject).message as IDataObject).message_id;

/** A big generated file served slowly on the resource's own path; `finishedAt` is set when its last byte went out. */
function slowFile(id: string, key: string, size: number, bytesPerSecond: number) {
	const state = { finishedAt: 0, started: 0 };
	const unplug = standIn.feishu.route('GET', `/open-apis/im/v1/messages/${id}/resources/${key}`, async ({ res }) => {
		state.started = Date.now();
		res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size), 'Content-Disposition': 'attachment; filename="slow.bin"' });
		let sent = 0;
		for (const chunk of generatedChunks(size, 11)) {
			if (res.destroyed) return;
			const wait = state.started + (sent / bytesPerSecond) * 1000 - Date.now();
			if (wait > 0) await pause(wait);
			if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
			sent += chunk.length;
		}
		res.end(() => (state.finishedAt = Date.now()));
	});
	return { state, unplug };
}

beforeAll(async () => {
	standIn = await startStandIn();
	gateway = startFeishuGateway(standIn.feishu, { clientConfig: FAST, redeliverAfterMs: 15_000 });
});

afterEach(async () => {
	await Promise.all(active.splice(0).map(async (trigger) => await trigger.close()));
	await until(() => gateway.live().length === 0, 5_000, 'no connection left');
	gateway.setOptions({ clientConfig: FAST, redeliverAfterMs: 15_000 });
	gateway.reset();
});

afterAll(async () => {
	await gateway.close();
	await standIn.close();
});

test('activation connects to the gateway with the App ID; an image event is acknowledged and emitted with its file', async () => {
	const target = app();
	const trigger = await activate(target);
	// Connected by the time activation returns.
	expect(gateway.live(target.appId)).toHaveLength(1);
	expect(gateway.endpointRequests.map((request) => [request.appId, request.code])).toEqual([[target.appId, 0]]);
	const { envelope, id, bytes } = imageMessage(target);
	const frameId = gateway.push(target.appId, envelope);
	const [emit] = await trigger.waitForEmits(1, 5_000);
	expect(emit.items).toHaveLength(1);
	expect(messageIdOf(emit.items[0])).toBe(id);
	const binary = emit.items[0].binary!.data;
	expect(binary.mimeType).toBe('image/png');
	expect(binary.fileName).toBe(`feishu-${id}.png`);
	expect(sha256(await binaryBuffer(binary))).toBe(sha256(bytes));
	expect(emit.items[0].json.messageFile).toMatchObject({ service: 'feishu', messageId: id, resourceType: 'image' });
	const acks = gateway.acks.filter((ack) => ack.messageId === frameId);
	expect(acks).toHaveLength(1);
	expect(acks[0]).toMatchObject({ code: 200, echoed: true });
	expect(trigger.errors).toEqual([]);
});

test('acknowledged (code 200) within 3 s while its slow download still runs, then emitted with the file', async () => {
	const target = app();
	const trigger = await activate(target);
	const id = messageId();
	const key = fileKey();
	const size = 8 * 1024 * 1024;
	const slow = slowFile(id, key, size, 2 * 1024 * 1024); // about 4 s: longer than Feishu's 3 s
	try {
		const pushedAt = Date.now();
		const frameId = gateway.push(target.appId, event(target, { id, messageType: 'file', content: contents.file(key, 'slow.bin') }));
		await until(() => gateway.acks.some((ack) => ack.messageId === frameId), 3_000, 'the acknowledgement');
		const ack = gateway.acks.find((a) => a.messageId === frameId)!;
		expect(ack.code).toBe(200);
		expect(ack.at - pushedAt).toBeLessThan(3_000);
		// The download had not finished (had hardly begun) when Feishu got its answer.
		expect(slow.state.finishedAt === 0 || slow.state.finishedAt > ack.at).toBe(true);
		expect(trigger.emitted).toHaveLength(0);
		const [emit] = await trigger.waitForEmits(1, 15_000);
		expect(slow.state.finishedAt).toBeGreaterThan(ack.at + 2_000);
		expect(emit.at).toBeGreaterThanOrEqual(slow.state.finishedAt);
		const binary = emit.items[0].binary!.data;
		expect(binary.fileName).toBe('slow.bin');
		expect(sha256(await binaryBuffer(binary))).toBe(generatedBytesSha256(size, 11));
		// Acknowledged once: the gateway had no reason to send it again.
		expect(gateway.deliveries(frameId)).toBe(1);
		expect(gateway.unacked).toEqual([]);
	} finally {
		slow.unplug();
	}
});

test('an event in fragments (sent last-first) is reassembled and emitted once', async () => {
	const target = app();
	const trigger = await activate(target);
	const id = messageId();
	const images = [imageKey(), imageKey()];
	standIn.feishu.addMessageFile({ messageId: id, fileKey: images[0], type: 'image', body: readFixture('image.png') });
	standIn.feishu.addMessageFile({ messageId: id, fileKey: images[1], type: 'image', body: readFixture('image.jpg') });
	const longText = `${'一段很长的文字 '.repeat(200)}end`;
	const frameId = gateway.push(target.appId, event(target, { id, messageType: 'post', content: contents.post('Fragments', longText, images) }), { fragments: 4, order: 'reverse' });
	const [emit] = await trigger.waitForEmits(1, 5_000);
	expect(emit.items).toHaveLength(2);
	expect(emit.items.map((item) => item.binary!.data.mimeType)).toEqual(['image/png', 'image/jpeg']);
	expect(emit.items[0].json.messageFile).toMatchObject({ title: 'Fragments', text: longText });
	await until(() => gateway.acks.some((ack) => ack.messageId === frameId), 3_000, 'the acknowledgement');
	expect(gateway.acks.find((ack) => ack.messageId === frameId)).toMatchObject({ code: 200, echoed: true });
	await pause(300);
	expect(trigger.emitted).toHaveLength(1);
});

test('an event sent again (same message_id: a gateway redelivery, a new frame, a new event_id) is emitted once', async () => {
	const target = app();
	const trigger = await activate(target);
	const { envelope, id } = imageMessage(target);
	const calls = standIn.feishu.calls.resource;
	gateway.push(target.appId, envelope);
	await trigger.waitForEmits(1, 5_000);
	// Feishu's at-least-once delivery: the same event again, and the same message under a new event_id.
	gateway.push(target.appId, envelope);
	gateway.push(target.appId, { ...envelope, header: { ...envelope.header, event_id: hex(16) } });
	await until(() => gateway.acks.filter((ack) => ack.code === 200).length === 3, 3_000, 'three acknowledgements');
	await pause(300);
	expect(trigger.emitted).toHaveLength(1);
	expect(messageIdOf(trigger.emitted[0].items[0])).toBe(id);
	expect(standIn.feishu.calls.resource - calls).toBe(1);
});

test("an event the gateway redelivers because it got no answer in time is emitted once", async () => {
	const target = app();
	gateway.setOptions({ redeliverAfterMs: 400 });
	const trigger = await activate(target);
	const { envelope, id } = imageMessage(target);
	// The event goes out, then the connection goes silent: the gateway takes no acknowledgement.
	const frameId = gateway.push(target.appId, envelope);
	gateway.silence(true);
	await trigger.waitForEmits(1, 5_000);
	gateway.silence(false);
	// Unacknowledged, so the gateway sends it again; this time the ack counts.
	await until(() => gateway.acks.some((ack) => ack.messageId === frameId && ack.code === 200), 5_000, 'an acknowledged redelivery');
	expect(gateway.deliveries(frameId)).toBeGreaterThanOrEqual(2);
	await pause(300);
	expect(trigger.emitted).toHaveLength(1);
	expect(messageIdOf(trigger.emitted[0].items[0])).toBe(id);
});

test('Chat Type and Message Types: filtered events are acknowledged (Feishu stops sending them) but start nothing', async () => {
	const target = app();
	const trigger = await activate(target, { ...PARAMETERS, options: { chatType: 'group', messageTypes: ['image', 'text'] } });
	const calls = standIn.feishu.calls.resource;
	const filtered = [
		gateway.push(target.appId, messageReceiveEvent({ appId: target.appId, messageType: 'text', content: contents.text('p2p'), chatType: 'p2p' })),
		gateway.push(target.appId, messageReceiveEvent({ appId: target.appId, messageType: 'file', content: contents.file(fileKey(), 'a.pdf'), chatType: 'group' })),
	];
	const taken = gateway.push(target.appId, messageReceiveEvent({ appId: target.appId, messageType: 'text', content: contents.text('in the group'), chatType: 'group' }));
	const [emit] = await trigger.waitForEmits(1, 5_000);
	expect(JSON.parse(String(((emit.items[0].json.event as IDataObject).message as IDataObject).content))).toEqual({ text: 'in the group' });
	await until(() => [...filtered, taken].every((frame) => gateway.acks.some((ack) => ack.messageId === frame && ack.code === 200)), 3_000, 'every acknowledgement');
	await pause(300);
	expect(trigger.emitted).toHaveLength(1);
	expect(standIn.feishu.calls.resource).toBe(calls);
});

test('payloads that are not a message event (not JSON, an array, another event type, no header) are acknowledged and start nothing; the next event runs', async () => {
	const target = app();
	const trigger = await activate(target);
	const envelope = messageReceiveEvent({ appId: target.appId, messageType: 'text', content: contents.text('x') });
	const odd = [
		gateway.push(target.appId, '{not json'),
		gateway.push(target.appId, '[1,2]'),
		gateway.push(target.appId, { ...envelope, header: { ...envelope.header, event_type: 'im.message.message_read_v1' } }),
		gateway.push(target.appId, { schema: '2.0', event: {} }),
	];
	const taken = gateway.push(target.appId, messageReceiveEvent({ appId: target.appId, messageType: 'text', content: contents.text('after the odd ones') }));
	const [emit] = await trigger.waitForEmits(1, 5_000);
	expect(JSON.parse(String(((emit.items[0].json.event as IDataObject).message as IDataObject).content))).toEqual({ text: 'after the odd ones' });
	await until(() => [...odd, taken].every((frame) => gateway.acks.some((ack) => ack.messageId === frame)), 3_000, 'every acknowledgement');
	await pause(300);
	expect(trigger.emitted).toHaveLength(1);
	expect(gateway.live(target.appId)).toHaveLength(1);
});

test('a dropped connection: reconnects by itself and goes on delivering', async () => {
	const target = app();
	const trigger = await activate(target);
	const first = gateway.live(target.appId)[0];
	gateway.drop();
	await until(() => gateway.live(target.appId).length === 1 && gateway.live(target.appId)[0].id !== first.id, 5_000, 'a new connection');
	expect(gateway.endpointRequests.filter((request) => request.code === 0)).toHaveLength(2);
	const { envelope, id, bytes } = imageMessage(target, 'image.gif');
	gateway.push(target.appId, envelope);
	const [emit] = await trigger.waitForEmits(1, 5_000);
	expect(messageIdOf(emit.items[0])).toBe(id);
	expect(sha256(await binaryBuffer(emit.items[0].binary!.data))).toBe(sha256(bytes));
	expect(trigger.errors).toEqual([]);
});

test('a refused endpoint (514, wrong App Secret): activation fails naming the App ID / App Secret, the secret not in the message', async () => {
	const target = app();
	const wrongSecret = `wrong-secret-${hex(12)}`;
	const credentials = new CredentialStore({ feishuApi: { appId: target.appId, appSecret: wrongSecret, baseUrl: standIn.feishuUrl, encryptKey: 'ek-not-shown', verificationToken: 'vt-not-shown' } });
	const error = (await feishuTrigger.activateTrigger(PARAMETERS, credentials).then(
		() => undefined,
		(e: unknown) => e,
	)) as Error & { description?: string };
	expect(error).toBeInstanceOf(Error);
	expect(error.message).toMatch(/App ID or App Secret/);
	expect(error.message).toContain('514');
	expect(String(error.description)).toMatch(/App Secret/);
	const everything = `${error.message} ${error.description ?? ''} ${JSON.stringify(error)} ${error.stack ?? ''}`;
	for (const secret of [wrongSecret, 'ek-not-shown', 'vt-not-shown']) expect(everything).not.toContain(secret);
	// Refused once, not retried, no connection left behind.
	expect(gateway.endpointRequests.map((request) => request.code)).toEqual([514]);
	await pause(500);
	expect(gateway.endpointRequests).toHaveLength(1);
	expect(gateway.live(target.appId)).toHaveLength(0);
});

test('"Listen for test event" (manual mode) connects, emits the first event, and closes', async () => {
	const target = app();
	const listening = await feishuTrigger.listenForTestEvent(PARAMETERS, target.credentials);
	try {
		await listening.started;
		expect(gateway.live(target.appId)).toHaveLength(1);
		const first = imageMessage(target);
		const second = imageMessage(target, 'image.jpg');
		gateway.push(target.appId, first.envelope);
		const result = await Promise.race([listening.result, pause(5_000).then(() => undefined)]);
		expect(result).toBeDefined();
		expect(result![0]).toHaveLength(1);
		expect(messageIdOf(result![0][0])).toBe(first.id);
		expect(sha256(await binaryBuffer(result![0][0].binary!.data))).toBe(sha256(first.bytes));
		// A second event is still acknowledged (Feishu would redeliver it otherwise) but not taken.
		const frameId = gateway.push(target.appId, second.envelope);
		await until(() => gateway.acks.some((ack) => ack.messageId === frameId && ack.code === 200), 3_000, 'the second acknowledgement');
	} finally {
		const closing = Date.now();
		await listening.close();
		expect(Date.now() - closing).toBeLessThan(1_500);
	}
	await until(() => gateway.live(target.appId).length === 0, 2_000, 'the connection closed');
});

test('a manual-mode refusal surfaces as the activation error', async () => {
	const target = app();
	const credentials = new CredentialStore({ feishuApi: { appId: target.appId, appSecret: 'not-the-secret', baseUrl: standIn.feishuUrl } });
	const listening = await feishuTrigger.listenForTestEvent(PARAMETERS, credentials);
	await expect(listening.started).rejects.toThrow(/App ID or App Secret/);
	await listening.close();
});

test('close returns within about a second, even with a slow download in flight', async () => {
	const target = app();
	const trigger = await activate(target);
	const id = messageId();
	const key = fileKey();
	const slow = slowFile(id, key, 16 * 1024 * 1024, 1024 * 1024); // 16 s if left alone
	try {
		gateway.push(target.appId, event(target, { id, messageType: 'file', content: contents.file(key, 'slow.bin') }));
		await until(() => slow.state.started > 0, 5_000, 'the download to start');
		await pause(200);
		const closing = Date.now();
		// n8n's call; the harness's close() (which also stops capturing logs) follows in afterEach.
		await trigger.response.closeFunction!();
		expect(Date.now() - closing).toBeLessThan(1_200);
		await until(() => gateway.live(target.appId).length === 0, 2_000, 'the connection closed');
		// The abandoned message is not emitted after close, and the log says what became of it (Feishu has its ack).
		await pause(300);
		expect(trigger.emitted).toHaveLength(0);
		await until(() => trigger.logs.some((line) => line.level === 'warn' && line.message.includes('deactivated')), 2_000, 'the warning');
		const warning = trigger.logs.find((line) => line.level === 'warn' && line.message.includes('deactivated'))!;
		expect(warning.message).toContain('Feishu already has its acknowledgement, so it is not delivered again');
	} finally {
		slow.unplug();
	}
});

test('no secret in any log line: App Secret, tenant token, Encrypt Key, Verification Token, gateway ticket', async () => {
	const target = app();
	const trigger = await activate(target);
	gateway.push(target.appId, imageMessage(target).envelope);
	await trigger.waitForEmits(1, 5_000);
	// A refused download (logged or not) and a reconnect add their own lines.
	const refusedId = messageId();
	const refusedKey = imageKey();
	standIn.feishu.addMessageFile({ messageId: refusedId, fileKey: refusedKey, type: 'image', body: readFixture('image.png'), refuse: 'unauthorized' });
	gateway.push(target.appId, event(target, { id: refusedId, messageType: 'image', content: contents.image(refusedKey) }));
	await trigger.waitForEmits(2, 5_000);
	gateway.drop();
	await until(() => gateway.live(target.appId).length === 1, 5_000, 'a new connection');
	const stored = target.credentials.get('feishuApi');
	const secrets = [target.appSecret, String(stored.tenantAccessToken), String(stored.encryptKey), String(stored.verificationToken)];
	expect(secrets[1]).toMatch(/^t-/);
	const everything = JSON.stringify(trigger.logs) + JSON.stringify(trigger.emitted.map((emit) => emit.items));
	for (const secret of secrets) expect(everything).not.toContain(secret);
	// The WebSocket URL's ticket is a credential too.
	for (const line of trigger.logs) expect(line.message).not.toMatch(/ticket=|access_key=/);
	// The lines were there to search: the endpoint, the drop and the reconnect.
	expect(trigger.logs.filter((line) => line.message.includes('endpoint'))).toHaveLength(2);
	expect(trigger.logs.some((line) => /reconnecting/.test(line.message))).toBe(true);
});

test('a reconnect Feishu refuses for good (514: the App Secret was reset meanwhile) is reported to n8n, without the secret', async () => {
	const target = app();
	const trigger = await activate(target);
	gateway.refuseEndpoint(514, 'auth failed', 5);
	gateway.drop();
	await until(() => trigger.errors.length > 0, 5_000, 'the error reported');
	const [error] = trigger.errors as Array<Error & { description?: string }>;
	expect(error.message).toMatch(/App ID or App Secret/);
	const everything = `${error.message} ${error.description ?? ''} ${JSON.stringify(error)}`;
	expect(everything).not.toContain(target.appSecret);
	// It gave up (n8n re-activates the workflow with backoff): one refused attempt, no loop.
	await pause(600);
	expect(gateway.endpointRequests.filter((request) => request.code === 514)).toHaveLength(1);
	expect(gateway.live(target.appId)).toHaveLength(0);
});

test("two activations on the same app split its events (Feishu's cluster mode: each event to one connection)", async () => {
	const target = app();
	const one = await activate(target);
	const two = await activate(target);
	expect(gateway.live(target.appId)).toHaveLength(2);
	const texts = Array.from({ length: 20 }, (_, index) => `message ${index}`);
	for (const text of texts) gateway.push(target.appId, event(target, { messageType: 'text', content: contents.text(text) }));
	await until(() => one.emitted.length + two.emitted.length === texts.length, 10_000, 'every event emitted');
	await pause(300);
	expect(one.emitted.length + two.emitted.length).toBe(texts.length);
	// Each connection got some, and no event reached both.
	expect(one.emitted.length).toBeGreaterThan(0);
	expect(two.emitted.length).toBeGreaterThan(0);
	const textOf = (item: INodeExecutionData) => (JSON.parse(String(((item.json.event as IDataObject).message as IDataObject).content)) as { text: string }).text;
	const received = [...one.emitted, ...two.emitted].map((emit) => textOf(emit.items[0]));
	expect(received.sort()).toEqual([...texts].sort());
	expect(new Set(gateway.acks.map((ack) => ack.connectionId)).size).toBe(2);
});
