/**
 * Issue 19, DingTalk Trigger under attack and at the edges, through n8n-core's real
 * trigger and webhook contexts: replayed and forged HTTP callbacks (1), a richText
 * message with hundreds of pictures (2), a close while a file is still downloading (3),
 * and Stream overflow said in the log (9).
 */
import { createHmac } from 'crypto';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, activateTrigger, callWebhook, ensureWebSocket, until, type ActiveTrigger } from '../helpers/trigger';
import { startStreamGateway, type DingTalkStreamGateway } from '../standin/dingtalkStream';
import { startStandIn, type StandIn } from '../standin/server';

const APP_KEY = 'dingedgesapp';
const APP_SECRET = 'edges-app-secret-value-77';
const ROBOT = 'dingedgesrobot';

let standIn: StandIn;
let gateway: DingTalkStreamGateway;
let credentials: CredentialStore;
let active: ActiveTrigger | undefined;
let counter = 0;

ensureWebSocket();

const sign = (timestamp: string) => createHmac('sha256', APP_SECRET).update(`${timestamp}\n${APP_SECRET}`, 'utf8').digest('base64');
// DingTalk signs each callback as it sends it: two messages never share a millisecond here (one pair serves one message).
let lastSigned = 0;
const signedHeaders = (at = Math.max(Date.now(), lastSigned + 1)) => {
	lastSigned = Math.max(lastSigned, at);
	return { 'content-type': 'application/json', timestamp: String(at), sign: sign(String(at)) };
};

function robotMessage(msgtype: string, content?: IDataObject, extra: IDataObject = {}): IDataObject {
	counter++;
	return {
		msgId: `edge${Date.now()}${counter}`,
		msgtype,
		createAt: Date.now(),
		conversationType: '1',
		conversationId: 'cid-edges',
		senderStaffId: 'staff01',
		robotCode: ROBOT,
		...(msgtype === 'text' ? { text: { content: 'hello' } } : { content }),
		...extra,
	};
}

beforeAll(async () => {
	standIn = await startStandIn();
	standIn.dingTalk.addApp({ appKey: APP_KEY, appSecret: APP_SECRET });
	gateway = await startStreamGateway(standIn.dingTalk, { ackDeadlineMs: 1_500 });
	credentials = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: standIn.dingTalkUrl } });
	standIn.dingTalk.addFile({ downloadCode: 'E-PNG', robotCode: ROBOT, body: readFixture('image.png') });
	standIn.dingTalk.addFile({ downloadCode: 'E-JPG', robotCode: ROBOT, body: readFixture('image.jpg') });
	// About 6 s at this rate: still downloading when the workflow is saved.
	standIn.dingTalk.addFile({ downloadCode: 'E-SLOW', robotCode: ROBOT, body: Buffer.concat([readFixture('image.png'), Buffer.alloc(120_000)]), fault: { slowBytesPerSecond: 20_000 } });
	standIn.dingTalk.addFile({ downloadCode: 'E-STALL', robotCode: ROBOT, body: Buffer.concat([readFixture('image.png'), Buffer.alloc(120_000)]), fault: { file: 'stall' } });
});

afterEach(async () => {
	await active?.close();
	active = undefined;
	await until(() => gateway.liveConnections === 0, 5_000, 'no connection left');
	gateway.resetStats();
});

afterAll(async () => {
	await gateway.close();
	await standIn.close();
});

describe('1. replayed or forged HTTP callbacks', () => {
	const CALLBACK: INodeParameters = { mode: 'httpCallback', downloadFiles: false, options: {} };

	test('the same signed request twice (a replay, or DingTalk retrying) starts one execution; the second is answered 200', async () => {
		const headers = signedHeaders();
		const body = robotMessage('text');
		const first = await callWebhook(CALLBACK, credentials, { headers, body });
		const second = await callWebhook(CALLBACK, credentials, { headers, body });
		expect(first.result.workflowData).toHaveLength(1);
		expect(second.status).toBe(200);
		expect(second.result.workflowData).toBeUndefined();
	});

	test('the same msgId under a fresh signature (a later retry) is not run again either', async () => {
		const body = robotMessage('text');
		expect((await callWebhook(CALLBACK, credentials, { headers: signedHeaders(Date.now() - 1_000), body })).result.workflowData).toHaveLength(1);
		const again = await callWebhook(CALLBACK, credentials, { headers: signedHeaders(), body });
		expect(again.status).toBe(200);
		expect(again.result.workflowData).toBeUndefined();
	});

	test('a captured timestamp/sign pair does not authenticate another message', async () => {
		const headers = signedHeaders();
		expect((await callWebhook(CALLBACK, credentials, { headers, body: robotMessage('text') })).result.workflowData).toHaveLength(1);
		const forged = await callWebhook(CALLBACK, credentials, { headers, body: robotMessage('text', undefined, { text: { content: 'transfer the money' } }) });
		expect(forged.status).toBe(403);
		expect(forged.result.workflowData).toBeUndefined();
		expect(JSON.stringify(forged.sent)).toMatch(/already came with another message/);
	});

	test('a signature far older than the message it carries is refused (an old pair with a new body)', async () => {
		const capturedAt = Date.now() - 30 * 60 * 1000;
		const outcome = await callWebhook(CALLBACK, credentials, { headers: signedHeaders(capturedAt), body: robotMessage('text') });
		expect(outcome.status).toBe(403);
		expect(outcome.result.workflowData).toBeUndefined();
		expect(JSON.stringify(outcome.sent)).toMatch(/older than the message/);
	});

	test('a body without msgId or createAt is refused: nothing to tie the signature to', async () => {
		const { msgId: _id, ...noId } = robotMessage('text');
		const { createAt: _at, ...noDate } = robotMessage('text');
		for (const body of [noId, noDate]) {
			const outcome = await callWebhook(CALLBACK, credentials, { headers: signedHeaders(), body });
			expect(outcome.status).toBe(400);
			expect(outcome.result.workflowData).toBeUndefined();
		}
	});
});

describe('2. a richText message with many pictures', () => {
	test('at most Max Files per Message (default 10) are fetched; the rest are reported; later items do not repeat the message', async () => {
		const richText = [{ text: 'look at all these' }, ...Array.from({ length: 400 }, (_, i) => ({ type: 'picture', downloadCode: i % 2 ? 'E-PNG' : 'E-JPG' }))];
		const body = robotMessage('richText', { richText });
		standIn.resetStats();
		const outcome = await callWebhook({ mode: 'httpCallback', downloadFiles: true, options: {} }, credentials, { headers: signedHeaders(), body });
		const items = outcome.result.workflowData![0];
		expect(items).toHaveLength(10);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(10);
		expect(items.every((item) => item.binary?.data)).toBe(true);
		expect(items[0].json.content).toEqual(body.content);
		expect(items[0].json.filesNotDownloaded).toMatchObject({ count: 390, limit: 10 });
		for (const item of items.slice(1)) {
			expect(item.json.content).toBeUndefined();
			expect(item.json.msgId).toBe(body.msgId);
		}
		// 400 pictures in: the output JSON stays within a few copies of the message, not 400.
		expect(JSON.stringify(items.map((item) => item.json)).length).toBeLessThan(3 * JSON.stringify(body).length);
	});

	test('the option raises or lowers the bound', async () => {
		const richText = Array.from({ length: 5 }, () => ({ type: 'picture', downloadCode: 'E-PNG' }));
		const outcome = await callWebhook({ mode: 'httpCallback', downloadFiles: true, options: { maxFilesPerMessage: 2 } }, credentials, {
			headers: signedHeaders(),
			body: robotMessage('richText', { richText }),
		});
		expect(outcome.result.workflowData![0]).toHaveLength(2);
		expect(outcome.result.workflowData![0][0].json.filesNotDownloaded).toMatchObject({ count: 3, limit: 2 });
	});
});

describe('3. closing while a file is still downloading (saving an active workflow, a restart)', () => {
	const STREAM: INodeParameters = { mode: 'stream', downloadFiles: true, options: {} };

	test.each([
		['a slow file host', 'E-SLOW'],
		['a file host that stalls mid-file', 'E-STALL'],
	])('%s: close returns within a second, nothing is emitted after it, and the next activation runs the message once', async (_what, code) => {
		active = await activateTrigger(STREAM, credentials);
		const message = robotMessage('picture', { downloadCode: code });
		const frameId = gateway.deliver(message);
		await until(() => standIn.stats.ossGets > 0, 5_000, 'the download to start');
		await new Promise((resolve) => setTimeout(resolve, 300));
		const closing = Date.now();
		await active.close();
		const closeMs = Date.now() - closing;
		const old = active;
		active = undefined;
		expect(closeMs).toBeLessThan(1_000);
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		expect(old.emitted).toHaveLength(0);
		expect(gateway.stats.acks[frameId] ?? 0).toBe(0);
		expect(old.logs.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);

		// The new activation gets DingTalk's redelivery and runs it (the file host is still slow: the item says so or has the file).
		active = await activateTrigger({ ...STREAM, options: { timeout: 1, maxRetries: 0 } }, credentials);
		await active.waitForEmits(1, 20_000);
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		expect(active.emitted.map((emission) => emission.items[0].json.msgId)).toEqual([message.msgId]);
		// By now the abandoned download would have finished (~6 s): the closed activation still emitted nothing.
		expect(old.emitted).toHaveLength(0);
	}, 40_000);
});

describe('9. Stream overflow', () => {
	test('messages beyond the queue are left unanswered with one warning, rate-limited', async () => {
		standIn.dingTalk.addFile({ downloadCode: 'E-HOLD', robotCode: ROBOT, body: Buffer.concat([readFixture('image.png'), Buffer.alloc(60_000)]), fault: { file: 'stall' } });
		active = await activateTrigger({ mode: 'stream', downloadFiles: true, options: {} }, credentials);
		gateway.setOptions({ ackDeadlineMs: 60_000 });
		// 8 handled at once (all stalled on the file), 2,000 queued, the rest overflow.
		for (let i = 0; i < 2_030; i++) gateway.deliver(robotMessage('picture', { downloadCode: 'E-HOLD' }));
		await until(() => active!.logs.some((line) => line.level === 'warn' && /left unanswered/.test(line.message)), 10_000, 'the overflow warning');
		await new Promise((resolve) => setTimeout(resolve, 300));
		const warnings = active.logs.filter((line) => line.level === 'warn' && /left unanswered/.test(line.message));
		expect(warnings).toHaveLength(1);
		expect(warnings[0].message).toMatch(/2000 are already waiting/);
		expect(warnings[0].message).not.toContain(APP_SECRET);
		gateway.setOptions({ ackDeadlineMs: 1_500 });
	}, 30_000);
});
