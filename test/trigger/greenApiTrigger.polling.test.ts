// Polling mode of the built Green-API Trigger against the stand-in's notification queue:
// at-least-once delivery (delete only after emit), de-duplication of redeliveries,
// backoff that never spins, and a deactivation that ends the request in flight.
import { createHash } from 'crypto';

import type { INodeParameters } from 'n8n-workflow';

import { fixtures, readFixture } from '../fixtures/fixtures';
import { binaryBuffer } from '../helpers/engine';
import { nodeFailedRun, stalledJobRun, succeededRun } from '../helpers/executionRuns';
import { startStandIn, type StandIn } from '../standin/server';
import { activateTrigger, type ActiveTrigger } from './greenApiHarness';
import { fileMessage, statusNotification, textMessage, type InstanceRef } from './greenApiNotifications';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const WHATSAPP: InstanceRef = { idInstance: 1101000101, apiTokenInstance: 'wa-poll-token-123', messenger: 'whatsapp' };
const MAX: InstanceRef = { idInstance: 3100000102, apiTokenInstance: 'max-poll-token-123', messenger: 'max' };
const TELEGRAM: InstanceRef = { idInstance: 4100000103, apiTokenInstance: 'tg-poll-token-123', messenger: 'telegram' };
const CHAT = '79001234567@c.us';

let standIn: StandIn;
let active: ActiveTrigger | undefined;

beforeEach(async () => {
	standIn = await startStandIn();
	for (const instance of [WHATSAPP, MAX, TELEGRAM]) standIn.greenApi.addInstance(instance);
});
afterEach(async () => {
	await active?.close();
	active = undefined;
	await standIn.close();
});

function credentials(instance: InstanceRef) {
	return { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, idInstance: String(instance.idInstance), apiTokenInstance: instance.apiTokenInstance, messenger: instance.messenger };
}

function polling(instance: InstanceRef, options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
	return { parameters: { mode: 'polling', receiveTimeout: 5, downloadFiles: true, options, ...extra } as INodeParameters, credentials: credentials(instance) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Green-API Trigger, polling mode', () => {
	test('delivers every queued notification in order, files attached, and deletes each only after emitting it', async () => {
		const png = fixtures.find((f) => f.file === 'image.png')!;
		const pdf = fixtures.find((f) => f.file === 'document.pdf')!;
		const png1 = standIn.greenApi.addFile({ idInstance: WHATSAPP.idInstance, chatId: CHAT, idMessage: 'IMG1', body: readFixture(png.file), linkExtension: 'png' });
		const pdf1 = standIn.greenApi.addFile({ idInstance: WHATSAPP.idInstance, chatId: CHAT, idMessage: 'DOC1', body: readFixture(pdf.file), linkExtension: 'pdf' });
		const queues = standIn.greenApi.queues;
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'TXT1', CHAT));
		queues.enqueue(WHATSAPP.idInstance, fileMessage(WHATSAPP, 'IMG1', CHAT, { typeMessage: 'imageMessage', downloadUrl: png1.directUrl, mimeType: 'image/png' }));
		queues.enqueue(WHATSAPP.idInstance, fileMessage(WHATSAPP, 'DOC1', CHAT, { typeMessage: 'documentMessage', downloadUrl: pdf1.directUrl, fileName: 'invoice.pdf', mimeType: 'application/pdf' }));

		// At every emission, the emitted notification must still be in the queue (not yet deleted).
		const pendingAtEmit: boolean[] = [];
		active = await activateTrigger({ ...polling(WHATSAPP), binaryMode: 'filesystem' });
		const originalPush = active.emitted.push.bind(active.emitted);
		active.emitted.push = (...emissions) => {
			for (const emission of emissions) {
				const id = emission.items[0]?.json.idMessage;
				pendingAtEmit.push(queues.pending(WHATSAPP.idInstance).some((entry) => entry.body.idMessage === id));
			}
			return originalPush(...emissions);
		};
		const items = await active.waitForItems(3);
		await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0);

		expect(items.map((item) => item.json.idMessage)).toEqual(['TXT1', 'IMG1', 'DOC1']);
		expect(pendingAtEmit).toEqual([true, true, true]);
		expect(queues.deletedReceipts(WHATSAPP.idInstance)).toEqual([1, 2, 3]);
		// The text message: the body as sent, no binary.
		expect(items[0].binary).toBeUndefined();
		expect(items[0].json).toEqual(textMessage(WHATSAPP, 'TXT1', CHAT));
		// The files: body + messageFile, bytes identical, typed from the bytes.
		expect(items[1].json.messageData).toEqual(expect.objectContaining({ typeMessage: 'imageMessage' }));
		expect(items[1].binary!.data.mimeType).toBe('image/png');
		expect(sha256(await binaryBuffer(items[1].binary!.data))).toBe(sha256(readFixture(png.file)));
		expect(items[2].binary!.data.fileName).toBe('invoice.pdf');
		expect(items[2].json.messageFile).toMatchObject({ service: 'greenApi', messageId: 'DOC1', mimeType: 'application/pdf', fileName: 'invoice.pdf' });
		expect(sha256(await binaryBuffer(items[2].binary!.data))).toBe(sha256(readFixture(pdf.file)));
		// The long poll asks with the configured receiveTimeout and the token stays in the path only.
		const polls = standIn.requests.filter((r) => r.path.includes('/receiveNotification/'));
		expect(polls[0].path).toBe(`/waInstance${WHATSAPP.idInstance}/receiveNotification/${WHATSAPP.apiTokenInstance}?receiveTimeout=5`);
		const deletes = standIn.requests.filter((r) => r.method === 'DELETE');
		expect(deletes[0].path).toBe(`/waInstance${WHATSAPP.idInstance}/deleteNotification/${WHATSAPP.apiTokenInstance}/1`);
	});

	test('every notification exactly once while polls are dropped, 429/5xx answered and deletes fail', async () => {
		const queues = standIn.greenApi.queues;
		const count = 16;
		for (let i = 1; i <= count; i++) queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, `M${i}`, CHAT));
		queues.setFaults(WHATSAPP.idInstance, {
			receive: (call) => (call % 7 === 0 ? 'drop' : call % 11 === 0 ? 'status500' : call % 13 === 0 ? 'status429' : undefined),
			// A delete that fails every attempt leaves the head in the queue: it comes back (calls 4–6: the second
			// notification; 12–14 later) and must not start the workflow twice. Other failures are single.
			delete: (call) => ([4, 5, 6, 12, 13, 14].includes(call) ? 'status500' : call % 9 === 0 ? 'drop' : undefined),
		});
		active = await activateTrigger(polling(WHATSAPP));
		await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0, 60_000);
		const ids = active.items().map((item) => item.json.idMessage);
		expect(ids).toEqual(Array.from({ length: count }, (_, i) => `M${i + 1}`));
		expect(standIn.stats.faultsInjected).toBeGreaterThan(5);
		// Some notifications came back after a failed delete (a redelivery), yet each was emitted once.
		expect(standIn.stats.greenNotificationsServed).toBeGreaterThan(count);
	}, 90_000);

	test('MAX instances poll under /v3; Telegram instances without it, with telegram-<idMessage> fallback names', async () => {
		const jpg = fixtures.find((f) => f.file === 'image.jpg')!;
		const ogg = fixtures.find((f) => f.file === 'voice.ogg')!;
		const tg = standIn.greenApi.addFile({ idInstance: TELEGRAM.idInstance, chatId: '5551234567', idMessage: '12345', body: readFixture(jpg.file), linkExtension: 'jpg' });
		standIn.greenApi.queues.enqueue(TELEGRAM.idInstance, fileMessage(TELEGRAM, '12345', '5551234567', { typeMessage: 'imageMessage', downloadUrl: tg.directUrl, fileName: '', mimeType: 'image/jpeg' }));
		// Empty downloadUrl: the file comes through downloadFile.
		standIn.greenApi.addFile({ idInstance: TELEGRAM.idInstance, chatId: '5551234567', idMessage: '12346', body: readFixture(ogg.file), linkExtension: 'oga' });
		standIn.greenApi.queues.enqueue(TELEGRAM.idInstance, fileMessage(TELEGRAM, '12346', '5551234567', { typeMessage: 'audioMessage', downloadUrl: '', fileName: '', mimeType: 'audio/ogg' }));
		active = await activateTrigger(polling(TELEGRAM));
		const items = await active.waitForItems(2);
		expect(items[0].binary!.data.fileName).toBe('telegram-12345.jpg');
		expect(items[1].binary!.data.fileName).toBe('telegram-12346.ogg');
		expect(sha256(await binaryBuffer(items[1].binary!.data))).toBe(sha256(readFixture(ogg.file)));
		const apiPaths = standIn.requests.filter((r) => r.role === 'greenApi').map((r) => r.path);
		expect(apiPaths.some((p) => p.startsWith(`/waInstance${TELEGRAM.idInstance}/downloadFile/`))).toBe(true);
		expect(apiPaths.every((p) => !p.startsWith('/v3'))).toBe(true);
		await active.close();

		standIn.greenApi.queues.enqueue(MAX.idInstance, textMessage(MAX, '2755232962562', '10000000'));
		active = await activateTrigger(polling(MAX));
		await active.waitForItems(1);
		// The delete follows the emit: wait for it rather than race it.
		await waitFor(() => standIn.greenApi.queues.pending(MAX.idInstance).length === 0);
		expect(standIn.requests.some((r) => r.path.startsWith(`/v3/waInstance${MAX.idInstance}/receiveNotification/`))).toBe(true);
		expect(standIn.requests.some((r) => r.path.startsWith(`/v3/waInstance${MAX.idInstance}/deleteNotification/`))).toBe(true);
	});

	test('activation fails, saying what to change, while the instance has a webhook URL', async () => {
		standIn.greenApi.queues.updateSettings(WHATSAPP.idInstance, { webhookUrl: 'https://example.com/hook' });
		const activation = activateTrigger(polling(WHATSAPP));
		await expect(activation).rejects.toThrow(/webhook URL to be empty/);
		await activation.catch((error: { description?: string }) => {
			expect(error.description).toMatch(/Green-API console/);
			expect(error.description).toMatch(/Mode to Webhook/);
		});
		expect(standIn.stats.greenReceiveCalls).toBe(0);
		expect(standIn.stats.greenSettingsChanges).toBe(0);
	});

	test('an empty Put Output File in Field fails activation instead of every notification', async () => {
		standIn.greenApi.queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'KEPT', CHAT));
		await expect(activateTrigger(polling(WHATSAPP, { binaryPropertyName: '  ' }))).rejects.toThrow(/Put Output File in Field is empty/);
		expect(standIn.stats.greenReceiveCalls).toBe(0);
		expect(standIn.greenApi.queues.pending(WHATSAPP.idInstance)).toHaveLength(1);
	});

	test('a wrong API token fails activation with a redacted, explained error', async () => {
		const activation = activateTrigger({ ...polling(WHATSAPP), credentials: { ...credentials(WHATSAPP), apiTokenInstance: 'wrong-token-xyz' } });
		await expect(activation).rejects.toThrow(/rejected the API token/);
		await activation.catch((error: Error & { description?: string }) => {
			expect(`${error.message} ${error.description}`).not.toContain('wrong-token-xyz');
		});
	});

	test('never spins: a failing API is retried with growing, jittered pauses', async () => {
		standIn.greenApi.queues.setFaults(WHATSAPP.idInstance, { receive: () => 'status500' });
		active = await activateTrigger(polling(WHATSAPP));
		await sleep(4_000);
		// Backoff 0.5–1 s, 1–2 s, 2–4 s…: at most 4 calls in 4 s (a spinning loop would make thousands).
		expect(standIn.stats.greenReceiveCalls).toBeGreaterThanOrEqual(2);
		expect(standIn.stats.greenReceiveCalls).toBeLessThanOrEqual(4);
		expect(active.items()).toHaveLength(0);
	});

	test('an empty queue is long-polled, not hammered; deactivation ends the poll in flight at once', async () => {
		active = await activateTrigger(polling(WHATSAPP));
		await waitFor(() => standIn.greenApi.queues.waitingPolls === 1);
		await sleep(1_500);
		expect(standIn.stats.greenReceiveCalls).toBe(1);
		const started = Date.now();
		await active.close();
		active = undefined;
		expect(Date.now() - started).toBeLessThan(1_000);
		await waitFor(() => standIn.greenApi.queues.waitingPolls === 0, 2_000);
		// Nothing more after deactivation.
		const calls = standIn.stats.greenReceiveCalls;
		standIn.greenApi.queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'LATE', CHAT));
		await sleep(1_500);
		expect(standIn.stats.greenReceiveCalls).toBe(calls);
		expect(standIn.greenApi.queues.pending(WHATSAPP.idInstance)).toHaveLength(1);
	});

	test('a slow long poll is waited for; a notification arriving mid-poll is delivered at once', async () => {
		active = await activateTrigger(polling(WHATSAPP));
		await waitFor(() => standIn.greenApi.queues.waitingPolls === 1);
		const queuedAt = Date.now();
		standIn.greenApi.queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'MID', CHAT));
		await active.waitForItems(1);
		expect(active.emitted[0].at - queuedAt).toBeLessThan(1_000);
		await active.close();

		standIn.greenApi.queues.setFaults(WHATSAPP.idInstance, { receive: (call) => (call <= 2 ? 'slow' : undefined), slowMs: 2_000 });
		standIn.greenApi.queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'SLOW', CHAT));
		active = await activateTrigger(polling(WHATSAPP));
		const items = await active.waitForItems(1, 10_000);
		expect(items[0].json.idMessage).toBe('SLOW');
	});

	test('by default only incoming messages start the workflow; the others are still deleted. Filters narrow further', async () => {
		const queues = standIn.greenApi.queues;
		queues.enqueue(WHATSAPP.idInstance, statusNotification(WHATSAPP, 'OUT1', CHAT, 'delivered'));
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'IN1', CHAT));
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'IN2', '79009999999@c.us'));
		active = await activateTrigger(polling(WHATSAPP));
		await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0);
		expect(active.items().map((item) => item.json.idMessage)).toEqual(['IN1', 'IN2']);
		await active.close();

		queues.enqueue(WHATSAPP.idInstance, statusNotification(WHATSAPP, 'OUT1', CHAT, 'sent'));
		queues.enqueue(WHATSAPP.idInstance, statusNotification(WHATSAPP, 'OUT1', CHAT, 'read'));
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'IN3', CHAT));
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'IN4', '79009999999@c.us'));
		active = await activateTrigger(polling(WHATSAPP, { webhookTypes: ['incomingMessageReceived', 'outgoingMessageStatus'], chatIds: `${CHAT}, 111@c.us` }));
		await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0);
		// Two statuses of one message are two notifications, not duplicates.
		expect(active.items().map((item) => [item.json.idMessage, item.json.status ?? null])).toEqual([
			['OUT1', 'sent'],
			['OUT1', 'read'],
			['IN3', null],
		]);
	});

	test('a file that cannot be downloaded keeps its message, with the reason in messageFile.error', async () => {
		standIn.greenApi.addGoneFile({ idInstance: WHATSAPP.idInstance, chatId: CHAT, idMessage: 'GONE1', linkExtension: 'jpg' });
		standIn.greenApi.queues.enqueue(WHATSAPP.idInstance, fileMessage(WHATSAPP, 'GONE1', CHAT, { typeMessage: 'imageMessage', downloadUrl: '' }));
		standIn.greenApi.queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'AFTER', CHAT));
		active = await activateTrigger(polling(WHATSAPP, { maxRetries: 0 }));
		const items = await active.waitForItems(2);
		expect(items[0].binary).toBeUndefined();
		expect(items[0].json.idMessage).toBe('GONE1');
		expect(items[0].json.messageFile).toMatchObject({ service: 'greenApi', messageId: 'GONE1', error: expect.stringMatching(/no longer available/) });
		expect(JSON.stringify(items[0].json)).not.toContain(WHATSAPP.apiTokenInstance);
		expect(items[1].json.idMessage).toBe('AFTER');
		// Deleted right after its emit: wait for that delete rather than race it.
		await waitFor(() => standIn.greenApi.queues.pending(WHATSAPP.idInstance).length === 0);
	});

	test('Delete From Queue “when the execution finished”: deleted only after each execution, one at a time', async () => {
		const queues = standIn.greenApi.queues;
		for (const id of ['E1', 'E2', 'E3']) queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, id, CHAT));
		const deletedAt: number[] = [];
		active = await activateTrigger({ ...polling(WHATSAPP, { deleteAfter: 'executionFinished' }), executionMs: 400 });
		// At each emission, how many notifications had been deleted already.
		const deletedAtEmit: number[] = [];
		const originalPush = active.emitted.push.bind(active.emitted);
		active.emitted.push = (...emissions) => {
			deletedAtEmit.push(queues.deletedReceipts(WHATSAPP.idInstance).length);
			return originalPush(...emissions);
		};
		const sample = () => {
			while (deletedAt.length < queues.deletedReceipts(WHATSAPP.idInstance).length) deletedAt.push(Date.now());
		};
		const watch = setInterval(sample, 5);
		try {
			await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0, 10_000);
		} finally {
			clearInterval(watch);
		}
		// The last delete can land between two samples and the queue's emptying: note it too (at most one poll late).
		sample();
		const emittedAt = active.emitted.map((emission) => emission.at);
		expect(emittedAt).toHaveLength(3);
		// Each delete waits for its execution (400 ms); the next notification is emitted only after it.
		for (let i = 0; i < 3; i++) expect(deletedAt[i] - emittedAt[i]).toBeGreaterThanOrEqual(380);
		expect(deletedAtEmit).toEqual([0, 1, 2]);
	});

	test('“when the execution finished”: an execution lost with its worker leaves the notification queued; it runs again, once', async () => {
		const queues = standIn.greenApi.queues;
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'LOST1', CHAT));
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'NEXT1', CHAT));
		// The first execution dies with its worker (n8n reports a stalled job); the rest succeed.
		active = await activateTrigger({ ...polling(WHATSAPP, { deleteAfter: 'executionFinished' }), executionRun: (i) => (i === 0 ? stalledJobRun() : succeededRun()) });
		await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0, 15_000);
		expect(active.items().map((item) => item.json.idMessage)).toEqual(['LOST1', 'LOST1', 'NEXT1']);
		expect(queues.deletedReceipts(WHATSAPP.idInstance)).toHaveLength(2);
		const warnings = active.logs.filter((line) => line.level === 'warn' && line.message.includes('LOST1'));
		expect(warnings).toHaveLength(1);
		expect(warnings[0].message).toMatch(/lost before it finished.*delivers it again; trying again in \d+ s/);
		expect(warnings[0].message).not.toContain(WHATSAPP.apiTokenInstance);
	});

	test('“when the execution finished”: a workflow that fails in a node is deleted, not run again', async () => {
		const queues = standIn.greenApi.queues;
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'FAILS1', CHAT));
		active = await activateTrigger({ ...polling(WHATSAPP, { deleteAfter: 'executionFinished' }), executionRun: () => nodeFailedRun() });
		await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0, 10_000);
		await sleep(300);
		expect(active.items().map((item) => item.json.idMessage)).toEqual(['FAILS1']);
	});

	test('“when the execution finished”: after 3 redeliveries of a message whose execution keeps being lost, it is deleted with an error logged', async () => {
		const queues = standIn.greenApi.queues;
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'DOOMED1', CHAT));
		active = await activateTrigger({ ...polling(WHATSAPP, { deleteAfter: 'executionFinished' }), executionRun: () => stalledJobRun() });
		await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0, 20_000);
		expect(active.items().map((item) => item.json.idMessage)).toEqual(['DOOMED1', 'DOOMED1', 'DOOMED1', 'DOOMED1']);
		const errors = active.logs.filter((line) => line.level === 'error');
		expect(errors).toHaveLength(1);
		expect(errors[0].message).toMatch(/DOOMED1: its execution was lost 4 times.*re-run it by hand/);
	});

	test('“when the execution finished”: n8n failing to start the execution (donePromise rejected) runs it again; a cancelled one is deleted', async () => {
		const queues = standIn.greenApi.queues;
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'QUEUEDOWN1', CHAT));
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'CANCELLED1', CHAT));
		const cancelled = Object.assign(new Error('The execution was cancelled'), { name: 'ExecutionCancelledError' });
		active = await activateTrigger({
			...polling(WHATSAPP, { deleteAfter: 'executionFinished' }),
			// n8n 2.41 rejects the donePromise when the queue refuses the job; a person may cancel an execution.
			executionFailure: (i) => (i === 0 ? new Error('Connection is closed.') : i === 2 ? cancelled : undefined),
		});
		await waitFor(() => queues.pending(WHATSAPP.idInstance).length === 0, 15_000);
		expect(active.items().map((item) => item.json.idMessage)).toEqual(['QUEUEDOWN1', 'QUEUEDOWN1', 'CANCELLED1']);
		expect(queues.deletedReceipts(WHATSAPP.idInstance)).toHaveLength(2);
	});

	test('“when the execution finished”: deactivating while an execution runs ends the wait at once and leaves the notification queued', async () => {
		const queues = standIn.greenApi.queues;
		queues.enqueue(WHATSAPP.idInstance, textMessage(WHATSAPP, 'INFLIGHT1', CHAT));
		active = await activateTrigger({ ...polling(WHATSAPP, { deleteAfter: 'executionFinished' }), executionFailure: () => 'never' });
		await active.waitForItems(1);
		const closing = Date.now();
		await active.close();
		active = undefined;
		expect(Date.now() - closing).toBeLessThan(2_000);
		expect(queues.pending(WHATSAPP.idInstance).map((entry) => entry.body.idMessage)).toEqual(['INFLIGHT1']);
		expect(queues.deletedReceipts(WHATSAPP.idInstance)).toHaveLength(0);
	});

	test('Download Files off: the body only, no download calls', async () => {
		const png = standIn.greenApi.addFile({ idInstance: WHATSAPP.idInstance, chatId: CHAT, idMessage: 'IMG9', body: readFixture('image.png'), linkExtension: 'png' });
		standIn.greenApi.queues.enqueue(WHATSAPP.idInstance, fileMessage(WHATSAPP, 'IMG9', CHAT, { typeMessage: 'imageMessage', downloadUrl: png.directUrl }));
		active = await activateTrigger({ ...polling(WHATSAPP), parameters: { mode: 'polling', receiveTimeout: 5, downloadFiles: false, options: {} } });
		const items = await active.waitForItems(1);
		expect(items[0].binary).toBeUndefined();
		expect(items[0].json.messageFile).toBeUndefined();
		expect(standIn.stats.greenMediaGets).toBe(0);
	});
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await sleep(20);
	}
}
