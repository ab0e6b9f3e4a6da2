/**
 * Issue 12, Stream mode: the built DingTalk Trigger, activated through n8n-core's real
 * TriggerContext, against the stand-in Stream gateway (a real WebSocket server) and the
 * stand-in DingTalk API and OSS for the files.
 */
import { createHash } from 'crypto';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { binaryBuffer } from '../helpers/engine';
import { CredentialStore, activateTrigger, ensureWebSocket, listenForTestEvent, until, type ActiveTrigger } from '../helpers/trigger';
import { nodeFailedRun, stalledJobRun, succeededRun } from '../helpers/executionRuns';
import { startStreamGateway, type DingTalkStreamGateway } from '../standin/dingtalkStream';
import { startStandIn, type StandIn } from '../standin/server';

const APP_KEY = 'dingstreamapp';
const APP_SECRET = 'stream-app-secret-value-42';
const ROBOT = 'dingstreamrobot';

let standIn: StandIn;
let gateway: DingTalkStreamGateway;
let credentials: CredentialStore;
let active: ActiveTrigger | undefined;
let messageCounter = 0;

const webSocket = ensureWebSocket();

function sha256(buffer: Buffer): string {
	return createHash('sha256').update(buffer).digest('hex');
}

function robotMessage(msgtype: string, content?: IDataObject, extra: IDataObject = {}): IDataObject {
	messageCounter++;
	return {
		msgId: `msg${Date.now()}${messageCounter}`,
		msgtype,
		createAt: Date.now(),
		conversationType: '1',
		conversationId: 'cid-one-to-one',
		senderId: '$:LWCP_v1:$sender',
		senderNick: 'Li Lei',
		senderStaffId: 'staff01',
		chatbotUserId: '$:LWCP_v1:$bot',
		robotCode: ROBOT,
		sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=abc',
		...(msgtype === 'text' ? { text: { content: 'hello' } } : { content }),
		...extra,
	};
}

function addFile(code: string, fixture: string, fault?: Parameters<StandIn['dingTalk']['addFile']>[0]['fault']): void {
	standIn.dingTalk.addFile({ downloadCode: code, robotCode: ROBOT, body: readFixture(fixture), fault });
}

const PARAMETERS: INodeParameters = { mode: 'stream', downloadFiles: true, options: {} };

beforeAll(async () => {
	standIn = await startStandIn();
	standIn.dingTalk.addApp({ appKey: APP_KEY, appSecret: APP_SECRET });
	gateway = await startStreamGateway(standIn.dingTalk, { ackDeadlineMs: 2_000 });
	credentials = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: standIn.dingTalkUrl } });
	addFile('S-PNG', 'image.png');
	addFile('S-PDF', 'document.pdf');
	addFile('S-AMR', 'voice.amr');
	addFile('S-MP4', 'video.mp4');
	addFile('S-JPG', 'image.jpg');
	addFile('S-GIF', 'image.gif');
});

afterEach(async () => {
	await active?.close();
	active = undefined;
	await until(() => gateway.liveConnections === 0, 5_000, 'no connection left');
	gateway.setSilent(false);
	gateway.setOptions({ ackDeadlineMs: 2_000 });
	gateway.resetStats();
});

afterAll(async () => {
	await gateway.close();
	await standIn.close();
});

test(`uses ${webSocket === 'node' ? "Node's own WebSocket" : 'the ws library as WebSocket (run with NODE_OPTIONS=--experimental-websocket for Node 20\'s own)'}`, () => {
	expect(['node', 'ws']).toContain(webSocket);
});

test('every message type arrives as one execution, files attached, acknowledged after emit', async () => {
	active = await activateTrigger(PARAMETERS, credentials);
	expect(gateway.liveConnections).toBe(1);
	const messages = [
		robotMessage('text'),
		robotMessage('picture', { downloadCode: 'S-PNG', pictureDownloadCode: 'S-PNG-pic' }),
		robotMessage('file', { downloadCode: 'S-PDF', fileName: 'Quarterly report.pdf', spaceId: '1', fileId: '2' }),
		robotMessage('audio', { downloadCode: 'S-AMR', duration: 4000, recognition: '你好' }),
		robotMessage('video', { downloadCode: 'S-MP4', duration: '7', videoType: 'mp4' }),
		robotMessage('richText', { richText: [{ text: 'look' }, { type: 'picture', downloadCode: 'S-JPG' }, { text: '\n' }, { type: 'picture', downloadCode: 'S-GIF' }] }),
	];
	const frameIds = messages.map((message) => gateway.deliver(message));
	const emitted = await active.waitForEmits(messages.length);
	await until(() => frameIds.every((id) => gateway.stats.acks[id] === 1), 5_000, 'all acks');

	const byId = new Map(emitted.map((e) => [e.items[0].json.msgId as string, e]));
	expect(byId.size).toBe(messages.length);
	// Output JSON is the robot message as sent, plus messageFile.
	const text = byId.get(messages[0].msgId as string)!;
	expect(text.items).toHaveLength(1);
	expect(text.items[0].json).toEqual(messages[0]);
	expect(text.items[0].binary).toBeUndefined();

	const expectFile = async (index: number, fixture: string, mimeType: string, fileName: RegExp) => {
		const { items } = byId.get(messages[index].msgId as string)!;
		expect(items).toHaveLength(1);
		const { messageFile, ...rest } = items[0].json;
		expect(rest).toEqual(messages[index]);
		const binary = items[0].binary!.data;
		expect(binary.mimeType).toBe(mimeType);
		expect(binary.fileName).toMatch(fileName);
		expect((messageFile as IDataObject).mimeType).toBe(mimeType);
		expect(sha256(await binaryBuffer(binary))).toBe(sha256(readFixture(fixture)));
		return messageFile as IDataObject;
	};
	await expectFile(1, 'image.png', 'image/png', /\.png$/);
	expect((await expectFile(2, 'document.pdf', 'application/pdf', /^Quarterly report\.pdf$/)).fileName).toBe('Quarterly report.pdf');
	expect((await expectFile(3, 'voice.amr', 'audio/amr', /\.amr$/)).recognition).toBe('你好');
	await expectFile(4, 'video.mp4', 'video/mp4', /\.mp4$/);

	const rich = byId.get(messages[5].msgId as string)!;
	expect(rich.items).toHaveLength(2);
	expect(rich.items.map((i) => i.binary!.data.mimeType)).toEqual(['image/jpeg', 'image/gif']);
	expect(sha256(await binaryBuffer(rich.items[1].binary!.data))).toBe(sha256(readFixture('image.gif')));
	expect(rich.items.map((i) => (i.json.messageFile as IDataObject).pictureIndex)).toEqual([0, 1]);

	expect(gateway.stats.malformedAcks).toBe(0);
	expect(gateway.stats.strayAcks).toBe(0);
	expect(active.errors).toEqual([]);
});

test('a message is acknowledged only after it was emitted', async () => {
	// A slow file: the ack must wait for the download and the emit.
	standIn.dingTalk.addFile({ downloadCode: 'S-SLOW', robotCode: ROBOT, body: Buffer.concat([readFixture('image.png'), Buffer.alloc(40_000)]), fault: { slowBytesPerSecond: 100_000 } });
	active = await activateTrigger(PARAMETERS, credentials);
	const started = Date.now();
	const frameId = gateway.deliver(robotMessage('picture', { downloadCode: 'S-SLOW' }));
	let ackedAt = 0;
	const watch = (async () => {
		await until(() => (gateway.stats.acks[frameId] ?? 0) > 0, 10_000, 'ack');
		ackedAt = Date.now();
	})();
	const [emit] = await active.waitForEmits(1);
	await watch;
	expect(emit.items[0].binary?.data.mimeType).toBe('image/png');
	expect(ackedAt).toBeGreaterThanOrEqual(emit.at);
	// The download took a while (~0.4 s at the throttled rate): the ack did not go out before it.
	expect(emit.at - started).toBeGreaterThan(250);
});

describe('Acknowledge Message “when the execution finished”', () => {
	const WAIT = { ...PARAMETERS, options: { acknowledge: 'executionFinished' } };

	test('the answer waits for the execution, not just the emit', async () => {
		active = await activateTrigger(WAIT, credentials, { executionMs: 800 });
		const frameId = gateway.deliver(robotMessage('text'));
		const [emit] = await active.waitForEmits(1);
		await until(() => (gateway.stats.acks[frameId] ?? 0) > 0, 10_000, 'ack');
		const ackedAt = Date.now();
		expect(ackedAt - emit.at).toBeGreaterThanOrEqual(750);
		expect(gateway.stats.redeliveries).toBe(0);
	});

	test('an execution lost with its worker is left unanswered; DingTalk\'s redelivery runs it again, once', async () => {
		gateway.setOptions({ ackDeadlineMs: 500 });
		active = await activateTrigger(WAIT, credentials, { executionRun: (i) => (i === 0 ? stalledJobRun() : succeededRun()) });
		const message = robotMessage('text');
		const frameId = gateway.deliver(message);
		await until(() => (gateway.stats.acks[frameId] ?? 0) > 0, 10_000, 'ack after the redelivery');
		await new Promise((resolve) => setTimeout(resolve, 1_200)); // room for a wrong third delivery
		expect(active.emitted.map((emission) => emission.items[0].json.msgId)).toEqual([message.msgId, message.msgId]);
		expect(gateway.stats.redeliveries).toBe(1);
		const warnings = active.logs.filter((line) => line.level === 'warn' && line.message.includes(String(message.msgId)));
		expect(warnings).toHaveLength(1);
		expect(warnings[0].message).toMatch(/lost before it finished.*delivers it again/);
		expect(warnings[0].message).not.toContain(APP_SECRET);
	});

	test('a workflow that failed in a node is answered, not run again', async () => {
		gateway.setOptions({ ackDeadlineMs: 500 });
		active = await activateTrigger(WAIT, credentials, { executionRun: () => nodeFailedRun() });
		const frameId = gateway.deliver(robotMessage('text'));
		await until(() => (gateway.stats.acks[frameId] ?? 0) > 0, 10_000, 'ack');
		await new Promise((resolve) => setTimeout(resolve, 800));
		expect(active.emitted).toHaveLength(1);
		expect(gateway.stats.redeliveries).toBe(0);
	});

	test('n8n failing to start the execution (donePromise rejected) leaves it unanswered; the redelivery runs', async () => {
		gateway.setOptions({ ackDeadlineMs: 500 });
		active = await activateTrigger(WAIT, credentials, { executionFailure: (i) => (i === 0 ? new Error('Connection is closed.') : undefined) });
		const message = robotMessage('text');
		const frameId = gateway.deliver(message);
		await until(() => (gateway.stats.acks[frameId] ?? 0) > 0, 10_000, 'ack after the redelivery');
		expect(active.emitted).toHaveLength(2);
	});

	test('deactivating while an execution runs ends the wait at once, leaving the message unanswered', async () => {
		active = await activateTrigger(WAIT, credentials, { executionFailure: () => 'never' });
		const frameId = gateway.deliver(robotMessage('text'));
		await active.waitForEmits(1);
		const closing = Date.now();
		await active.close();
		active = undefined;
		expect(Date.now() - closing).toBeLessThan(2_000);
		expect(gateway.stats.acks[frameId] ?? 0).toBe(0);
	});

	test('after 3 redeliveries of a message whose execution keeps being lost, it is answered with an error logged', async () => {
		gateway.setOptions({ ackDeadlineMs: 300 });
		active = await activateTrigger(WAIT, credentials, { executionRun: () => stalledJobRun() });
		const message = robotMessage('text');
		const frameId = gateway.deliver(message);
		await until(() => (gateway.stats.acks[frameId] ?? 0) > 0, 15_000, 'the final ack');
		expect(active.emitted).toHaveLength(4);
		const errors = active.logs.filter((line) => line.level === 'error');
		expect(errors).toHaveLength(1);
		expect(errors[0].message).toMatch(new RegExp(`message ${message.msgId}: its execution was lost 4 times.*re-run it by hand`));
	});
});

test('duplicates and redeliveries start one execution, and each delivery is answered', async () => {
	gateway.setOptions({ ackDeadlineMs: 300 });
	// The download takes longer than the ack deadline: the gateway delivers it again meanwhile.
	standIn.dingTalk.addFile({ downloadCode: 'S-DUP', robotCode: ROBOT, body: Buffer.concat([readFixture('document.pdf'), Buffer.alloc(100_000)]), fault: { slowBytesPerSecond: 100_000 } });
	active = await activateTrigger(PARAMETERS, credentials);
	const message = robotMessage('file', { downloadCode: 'S-DUP', fileName: 'dup.pdf' });
	const first = gateway.deliver(message);
	const second = gateway.duplicate(message);
	const third = gateway.duplicate(robotMessage('text', undefined, { msgId: message.msgId }));
	await until(() => [first, second, third].every((id) => (gateway.stats.acks[id] ?? 0) > 0), 15_000, 'acks of all deliveries');
	await new Promise((resolve) => setTimeout(resolve, 500));
	expect(gateway.stats.redeliveries).toBeGreaterThan(0);
	expect(active.emitted).toHaveLength(1);
	expect(active.emitted[0].items[0].binary?.data.fileName).toBe('dup.pdf');
});

test('a disconnect frame: reconnects with a fresh ticket, never two live sockets, nothing lost', async () => {
	active = await activateTrigger(PARAMETERS, credentials);
	gateway.deliver(robotMessage('text'));
	await active.waitForEmits(1);
	gateway.sendDisconnect();
	await until(() => gateway.stats.connections === 2 && gateway.liveConnections === 1, 10_000, 'reconnect');
	expect(gateway.stats.opens).toBe(2);
	expect(gateway.stats.refusedUpgrades).toBe(0);
	gateway.deliver(robotMessage('text'));
	await active.waitForEmits(2);
	expect(gateway.stats.maxConcurrentConnections).toBe(1);
});

test('the socket killed mid-stream: every message executed exactly once', async () => {
	gateway.setOptions({ ackDeadlineMs: 1_000 });
	active = await activateTrigger(PARAMETERS, credentials);
	const messages = Array.from({ length: 60 }, (_, i) => robotMessage(i % 5 === 0 ? 'picture' : 'text', i % 5 === 0 ? { downloadCode: 'S-PNG' } : undefined));
	messages.slice(0, 30).forEach((m) => gateway.deliver(m));
	gateway.killConnections();
	messages.slice(30).forEach((m) => gateway.deliver(m));
	await active.waitForEmits(messages.length, 30_000);
	await until(() => gateway.unacked === 0, 20_000, 'all messages acknowledged');
	await new Promise((resolve) => setTimeout(resolve, 300));
	const ids = active.emitted.map((e) => e.items[0].json.msgId);
	expect(new Set(ids).size).toBe(messages.length);
	expect(ids).toHaveLength(messages.length);
	expect(gateway.stats.kills).toBe(1);
	expect(gateway.stats.connections).toBeGreaterThanOrEqual(2);
	expect(gateway.stats.maxConcurrentConnections).toBe(1);
});

test('SYSTEM pings are answered with their own data', async () => {
	active = await activateTrigger(PARAMETERS, credentials);
	gateway.sendPing();
	gateway.sendPing();
	await until(() => gateway.stats.pongs === 2, 5_000, 'pongs');
	expect(gateway.stats.malformedAcks).toBe(0);
});

test('a wrong secret fails activation at once with DingTalk\'s reason, without the secret, leaving nothing open', async () => {
	const wrong = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey: APP_KEY, appSecret: 'wrong-secret-value-123', baseUrl: standIn.dingTalkUrl } });
	const started = Date.now();
	const error = (await activateTrigger(PARAMETERS, wrong).then(
		() => undefined,
		(e: unknown) => e,
	)) as { message: string; description?: string; constructor: { name: string } };
	expect(Date.now() - started).toBeLessThan(5_000);
	expect(error?.constructor.name).toBe('NodeApiError');
	expect(error.message).toMatch(/App Key or App Secret/);
	expect(error.description).toMatch(/invalidClientIdOrSecret/);
	expect(JSON.stringify(error)).not.toContain('wrong-secret-value-123');
	expect(gateway.stats.connections).toBe(0);
	expect(gateway.liveConnections).toBe(0);
});

test('a gateway that fails to open later is retried with backoff until it answers', async () => {
	active = await activateTrigger(PARAMETERS, credentials);
	gateway.failOpens({ status: 503, body: { code: 'ServiceUnavailable', message: 'busy' }, times: 2 });
	gateway.killConnections();
	await until(() => gateway.liveConnections === 1 && gateway.stats.connections === 2, 15_000, 'reconnect after open errors');
	expect(gateway.stats.openErrors).toBe(2);
	gateway.deliver(robotMessage('text'));
	await active.waitForEmits(1);
});

test('deactivation closes the socket and leaves no timer behind', async () => {
	const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
	active = await activateTrigger(PARAMETERS, credentials);
	gateway.deliver(robotMessage('text'));
	await active.waitForEmits(1);
	await active.close();
	active = undefined;
	await until(() => gateway.liveConnections === 0, 5_000, 'socket closed');
	// The trigger's watch loop re-arms a timer every second while it runs: the count drops back only if it stopped.
	// (Short-lived timers of the HTTP client may linger a moment, hence the wait.)
	const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
	await until(() => timers() <= before, 4_000, `timers back to ${before} (now ${timers()})`);
	// Nothing more is taken after deactivation.
	const delivered = gateway.stats.callbacksSent;
	gateway.deliver(robotMessage('text'));
	await new Promise((resolve) => setTimeout(resolve, 200));
	expect(gateway.stats.callbacksSent).toBe(delivered);
});

test('filters: chat type, message type and robot code; filtered messages are answered, not executed', async () => {
	active = await activateTrigger({ ...PARAMETERS, options: { chatType: 'group', messageTypes: ['text', 'file'], robotCode: ROBOT } }, credentials);
	const ids = [
		gateway.deliver(robotMessage('text')), // one-to-one: filtered
		gateway.deliver(robotMessage('picture', { downloadCode: 'S-PNG' }, { conversationType: '2' })), // type: filtered
		gateway.deliver(robotMessage('text', undefined, { conversationType: '2', robotCode: 'otherrobot' })), // robot: filtered
		gateway.deliver(robotMessage('text', undefined, { conversationType: '2' })), // passes
	];
	await active.waitForEmits(1);
	await until(() => ids.every((id) => gateway.stats.acks[id] === 1), 5_000, 'acks');
	expect(active.emitted).toHaveLength(1);
	expect(active.emitted[0].items[0].json.conversationType).toBe('2');
});

test('odd frames (data not JSON, not an object, no msgtype) are answered with the reason logged and start nothing; the connection stays and the next message runs', async () => {
	active = await activateTrigger(PARAMETERS, credentials);
	const { msgtype: _none, ...withoutType } = robotMessage('text');
	const odd = [gateway.deliver('{"not json'), gateway.deliver(''), gateway.deliver('[1,2]'), gateway.deliver({ hello: 'world' }), gateway.deliver(withoutType)];
	const good = robotMessage('text');
	const goodId = gateway.deliver(good);
	await active.waitForEmits(1);
	await until(() => [...odd, goodId].every((id) => gateway.stats.acks[id] === 1), 5_000, 'every frame answered');
	await new Promise((resolve) => setTimeout(resolve, 200));
	expect(active.emitted).toHaveLength(1);
	expect(active.emitted[0].items[0].json.msgId).toBe(good.msgId);
	expect(gateway.liveConnections).toBe(1);
	expect(gateway.unacked).toBe(0);
	const warnings = active.logs.filter((line) => line.level === 'warn' && /is not a robot message/.test(line.message));
	expect(warnings.map((line) => line.message.match(/\((.*)\)/)?.[1]).sort()).toEqual(['it has no msgtype', 'it has no msgtype', 'its data is not JSON', 'its data is not JSON', 'its data is not a JSON object'].sort());
});

test('a robot message without msgId is told apart by its frame id: a redelivery of the frame runs once', async () => {
	active = await activateTrigger(PARAMETERS, credentials);
	const { msgId: _dropped, ...withoutMsgId } = robotMessage('text');
	const frameId = gateway.deliver(withoutMsgId);
	gateway.deliver(withoutMsgId, { messageId: frameId });
	await active.waitForEmits(1);
	await until(() => gateway.stats.acks[frameId] !== undefined, 5_000, 'ack');
	await new Promise((resolve) => setTimeout(resolve, 200));
	expect(active.emitted).toHaveLength(1);
});

test('a file that cannot be downloaded keeps the message, with the error in messageFile.error', async () => {
	standIn.dingTalk.addFile({ downloadCode: 'S-GONE', robotCode: ROBOT, body: readFixture('image.png') });
	standIn.dingTalk.expireDownloadCode('S-GONE');
	active = await activateTrigger(PARAMETERS, credentials);
	const message = robotMessage('picture', { downloadCode: 'S-GONE' });
	const frameId = gateway.deliver(message);
	const [emit] = await active.waitForEmits(1);
	await until(() => gateway.stats.acks[frameId] === 1, 5_000, 'ack');
	expect(emit.items).toHaveLength(1);
	expect(emit.items[0].binary).toBeUndefined();
	const messageFile = emit.items[0].json.messageFile as IDataObject;
	expect(messageFile.error).toMatch(/download code is incorrect or has expired/);
	expect(messageFile.apiCode).toBe('invalidParameter.robotCode.downloadCode');
	expect(JSON.stringify(emit.items)).not.toContain(APP_SECRET);
});

test('Download Files off: the message alone, no API call', async () => {
	active = await activateTrigger({ ...PARAMETERS, downloadFiles: false }, credentials);
	standIn.resetStats();
	const message = robotMessage('picture', { downloadCode: 'S-PNG' });
	gateway.deliver(message);
	const [emit] = await active.waitForEmits(1);
	expect(emit.items).toEqual([{ json: message }]);
	expect(standIn.stats.dingTalkDownloadCalls).toBe(0);
});

test('Listen for test event: the first message comes back through n8n-core\'s manual trigger path; later ones stay unanswered', async () => {
	const listening = await listenForTestEvent(PARAMETERS, credentials);
	await listening.started;
	expect(gateway.liveConnections).toBe(1);
	const message = robotMessage('picture', { downloadCode: 'S-PNG' });
	const first = gateway.deliver(message);
	const data = await Promise.race([listening.result, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no test event')), 10_000))]);
	expect(data[0][0].json.msgId).toBe(message.msgId);
	expect(data[0][0].binary?.data.mimeType).toBe('image/png');
	await until(() => gateway.stats.acks[first] === 1, 5_000, 'ack of the test event');
	const second = gateway.deliver(robotMessage('text'));
	await new Promise((resolve) => setTimeout(resolve, 300));
	expect(gateway.stats.acks[second]).toBeUndefined();
	await listening.close();
	await until(() => gateway.liveConnections === 0, 5_000, 'socket closed');
});

test('Listen for test event with a wrong secret fails at once', async () => {
	const wrong = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey: APP_KEY, appSecret: 'nope-nope-nope', baseUrl: standIn.dingTalkUrl } });
	const listening = await listenForTestEvent(PARAMETERS, wrong);
	await expect(listening.started).rejects.toThrow(/App Key or App Secret/);
	await listening.close();
	listening.result.catch(() => undefined);
});

test('without a WebSocket client in Node.js, activation says how to get one and opens nothing', async () => {
	const holder = globalThis as { WebSocket?: unknown };
	const saved = holder.WebSocket;
	delete holder.WebSocket;
	try {
		const error = (await activateTrigger(PARAMETERS, credentials).then(
			() => undefined,
			(e: unknown) => e,
		)) as { message: string; description?: string };
		expect(error?.message).toMatch(/WebSocket client built into Node\.js 22/);
		expect(error.description).toMatch(/NODE_OPTIONS=--experimental-websocket/);
		expect(gateway.stats.opens).toBe(0);
	} finally {
		holder.WebSocket = saved;
	}
});

test('a key or secret refused on reconnect is reported to n8n (emitError) instead of retried for ever', async () => {
	active = await activateTrigger(PARAMETERS, credentials);
	gateway.failOpens({ status: 400, body: { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' }, times: 5 });
	gateway.killConnections();
	await until(() => active!.errors.length === 1, 10_000, 'emitError');
	expect(active.errors[0].message).toMatch(/App Key or App Secret/);
	const opens = gateway.stats.opens;
	await new Promise((resolve) => setTimeout(resolve, 2_500));
	expect(gateway.stats.opens).toBe(opens);
	expect(gateway.liveConnections).toBe(0);
	// Transient failures (503 above) are retried, not reported: see the backoff test.
});
