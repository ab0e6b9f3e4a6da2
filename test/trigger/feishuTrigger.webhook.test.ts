/**
 * Issue 25, Feishu Trigger in Webhook mode: the BUILT node's webhook() in n8n-core's real
 * WebhookContext, fed the encrypted, signed callbacks Feishu sends (test/standin/feishuEvents.ts),
 * its files fetched from the Feishu stand-in. The request carries rawBody, as n8n sets it: the
 * signature covers the exact bytes. Feishu wants HTTP 200 within 3 s (1 s for the challenge),
 * so the answer goes out before any download; a request it did not prove starts nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { binaryBuffer } from '../helpers/engine';
import { CredentialStore, FEISHU_TRIGGER, triggerHarness, type WebhookOutcome } from '../helpers/trigger';
import { generatedBytesSha256, generatedChunks } from '../standin/bytes';
import { callbackRequest, contents, encryptForFeishu, feishuSignature, messageReceiveEvent, urlVerification, type CallbackRequest, type FeishuMessageType } from '../standin/feishuEvents';
import { startStandIn, type StandIn } from '../standin/server';

const feishuTrigger = triggerHarness(FEISHU_TRIGGER);
const PARAMETERS: INodeParameters = { mode: 'webhook', downloadFiles: true, options: {} };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

let standIn: StandIn;

interface App {
	appId: string;
	appSecret: string;
	encryptKey: string;
	verificationToken: string;
	credentials: CredentialStore;
}

/** A fresh app and its credential (each test its own, so tokens and remembered messages are not shared). */
function app(fields: { encryptKey?: string; verificationToken?: string } = {}): App {
	const appId = `cli_${hex(8)}`;
	const appSecret = `feishu-app-secret-${hex(12)}`;
	const encryptKey = 'encryptKey' in fields ? (fields.encryptKey ?? '') : `encrypt-key-${hex(10)}`;
	const verificationToken = 'verificationToken' in fields ? (fields.verificationToken ?? '') : `verification-token-${hex(10)}`;
	standIn.feishu.addApp({ appId, appSecret });
	const credentials = new CredentialStore({ feishuApi: { appId, appSecret, baseUrl: standIn.feishuUrl, encryptKey, verificationToken } });
	return { appId, appSecret, encryptKey, verificationToken, credentials };
}

const messageId = () => `om_${hex(16)}`;
const imageKey = () => `img_v3_${hex(10)}`;
const fileKey = () => `file_v3_${hex(10)}`;

/** An im.message.receive_v1 event of `target`, carrying its Verification Token as Feishu does. */
function event(target: App, input: { messageType: FeishuMessageType; content: Record<string, unknown>; id?: string; chatType?: 'p2p' | 'group'; eventId?: string }) {
	return messageReceiveEvent({ appId: target.appId, token: target.verificationToken, messageId: input.id ?? messageId(), ...input });
}

/** Encrypted and signed, as Feishu sends it to an app with an Encrypt Key. */
function signed(target: App, payload: object, options: { timestamp?: number } = {}): CallbackRequest {
	return callbackRequest(payload, { encryptKey: target.encryptKey, ...options });
}

async function post(target: App, request: CallbackRequest, parameters: INodeParameters = PARAMETERS): Promise<WebhookOutcome> {
	return await feishuTrigger.callWebhook(parameters, target.credentials, { headers: request.headers, body: request.body });
}

function itemsOf(outcome: WebhookOutcome): INodeExecutionData[] {
	expect(outcome.result.workflowData).toHaveLength(1);
	return outcome.result.workflowData![0];
}

function expectRefused(outcome: WebhookOutcome, status: number, reason: RegExp): void {
	expect(outcome.status).toBe(status);
	expect(JSON.stringify(outcome.sent)).toMatch(reason);
	expect(outcome.result.workflowData).toBeUndefined();
	expect(outcome.result.noWebhookResponse).toBe(true);
}

beforeAll(async () => {
	standIn = await startStandIn();
});

afterAll(async () => await standIn.close());

describe('url_verification (Feishu checks the Request URL by the answer, within 1 s)', () => {
	test('plain, with the Verification Token: the challenge is echoed in < 1 s, nothing starts', async () => {
		const target = app({ encryptKey: '' });
		const challenge = `challenge-${hex(6)}`;
		const outcome = await post(target, urlVerification(challenge, { token: target.verificationToken }));
		expect(outcome.status).toBe(200);
		expect(outcome.sent).toEqual({ challenge });
		expect(outcome.respondedAt! - outcome.calledAt).toBeLessThan(1000);
		expect(outcome.result.workflowData).toBeUndefined();
	});

	test('plain, with another token: refused, no challenge in the answer', async () => {
		const target = app({ encryptKey: '' });
		const outcome = await post(target, urlVerification('challenge-x', { token: 'someone-elses-token' }));
		expectRefused(outcome, 403, /verification token does not match/);
		expect(JSON.stringify(outcome.sent)).not.toContain('challenge-x');
	});

	test('encrypted with the Encrypt Key: decrypted and answered in < 1 s', async () => {
		const target = app();
		const challenge = `challenge-${hex(6)}`;
		const request = urlVerification(challenge, { token: target.verificationToken, encryptKey: target.encryptKey });
		expect(request.body).not.toContain(challenge);
		const outcome = await post(target, request);
		expect(outcome.status).toBe(200);
		expect(outcome.sent).toEqual({ challenge });
		expect(outcome.respondedAt! - outcome.calledAt).toBeLessThan(1000);
		expect(outcome.result.workflowData).toBeUndefined();
	});

	test('encrypted with another key: refused', async () => {
		const target = app();
		const outcome = await post(target, urlVerification('challenge-y', { token: target.verificationToken, encryptKey: 'not-this-apps-key' }));
		expect([401, 403]).toContain(outcome.status);
		expect(outcome.sent).not.toEqual({ challenge: 'challenge-y' });
		expect(outcome.result.workflowData).toBeUndefined();
	});
});

describe('an encrypted, signed message event: 200 at once, then one item per file', () => {
	test.each([
		{ kind: 'image', fixture: 'image.png', mimeType: 'image/png', extension: 'png', resourceType: 'image' },
		{ kind: 'file', fixture: 'document.pdf', mimeType: 'application/pdf', extension: 'pdf', resourceType: 'file' },
		{ kind: 'audio', fixture: 'voice.ogg', mimeType: 'audio/ogg', extension: 'ogg', resourceType: 'file' },
		{ kind: 'media', fixture: 'video.mp4', mimeType: 'video/mp4', extension: 'mp4', resourceType: 'file' },
	] as const)('$kind: the binary typed and named from its bytes', async ({ kind, fixture, mimeType, extension, resourceType }) => {
		const target = app();
		const id = messageId();
		const key = kind === 'image' ? imageKey() : fileKey();
		const bytes = readFixture(fixture);
		// No file name and a generic Content-Type: what the item says comes from the bytes.
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: resourceType, body: bytes, contentType: 'application/octet-stream' });
		const content =
			kind === 'image'
				? contents.image(key)
				: kind === 'file'
					? { file_key: key }
					: kind === 'audio'
						? contents.audio(key, 2000)
						: { file_key: key, image_key: imageKey(), duration: 3000 };
		const outcome = await post(target, signed(target, event(target, { id, messageType: kind, content })));
		expect(outcome.status).toBe(200);
		expect(outcome.sent).toEqual({});
		const items = itemsOf(outcome);
		expect(items).toHaveLength(1);
		const binary = items[0].binary!.data;
		expect(binary.mimeType).toBe(mimeType);
		expect(binary.fileName).toBe(`feishu-${id}.${extension}`);
		expect(sha256(await binaryBuffer(binary))).toBe(sha256(bytes));
		expect(items[0].json.messageFile).toMatchObject({
			service: 'feishu',
			messageId: id,
			messageType: kind,
			fileKey: key,
			resourceType,
			mimeType,
			fileExtension: extension,
			fileName: `feishu-${id}.${extension}`,
			fileSize: bytes.length,
		});
		// The event itself is the item, as Feishu sent it (minus the Verification Token).
		expect((items[0].json.header as IDataObject).event_type).toBe('im.message.receive_v1');
		expect(((items[0].json.event as IDataObject).message as IDataObject).message_id).toBe(id);
	});

	test("a file message keeps Feishu's file_name", async () => {
		const target = app();
		const id = messageId();
		const key = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'file', body: readFixture('spreadsheet.xlsx'), fileName: '销售 数据.xlsx' });
		const outcome = await post(target, signed(target, event(target, { id, messageType: 'file', content: contents.file(key, '销售 数据.xlsx') })));
		const [item] = itemsOf(outcome);
		expect(item.binary!.data.fileName).toBe('销售 数据.xlsx');
		expect(item.binary!.data.mimeType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
	});

	test('a post: one item per img and media, Max Files per Message respected, the rest named in filesNotDownloaded', async () => {
		const target = app();
		const id = messageId();
		const images = [imageKey(), imageKey(), imageKey()];
		const video = fileKey();
		const bodies = [readFixture('image.png'), readFixture('image.jpg'), readFixture('image.gif')];
		images.forEach((key, index) => standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body: bodies[index] }));
		standIn.feishu.addMessageFile({ messageId: id, fileKey: video, type: 'file', body: readFixture('video.mp4'), messageType: 'post' });
		const content = contents.post('Site visit', 'three photos and a clip', images, [{ fileKey: video, imageKey: imageKey() }]);
		const resourceCalls = standIn.feishu.calls.resource;
		const outcome = await post(target, signed(target, event(target, { id, messageType: 'post', content })), { ...PARAMETERS, options: { maxFilesPerMessage: 2 } });
		expect(outcome.status).toBe(200);
		const items = itemsOf(outcome);
		expect(items).toHaveLength(2);
		for (const [index, item] of items.entries()) {
			expect(sha256(await binaryBuffer(item.binary!.data))).toBe(sha256(bodies[index]));
			expect(item.json.messageFile).toMatchObject({ messageType: 'post', title: 'Site visit', fileKey: images[index], fileIndex: index, fileCount: 4 });
		}
		expect(items.map((item) => item.binary!.data.mimeType)).toEqual(['image/png', 'image/jpeg']);
		expect(items[0].json.filesNotDownloaded).toMatchObject({ count: 2, limit: 2 });
		expect(String((items[0].json.filesNotDownloaded as IDataObject).reason)).toContain('Max Files per Message is 2');
		expect(items[1].json.filesNotDownloaded).toBeUndefined();
		// The files over the limit were not fetched.
		expect(standIn.feishu.calls.resource - resourceCalls).toBe(2);
	});

	test('a post with every file under the default limit: all of them, in order', async () => {
		const target = app();
		const id = messageId();
		const images = [imageKey(), imageKey()];
		const video = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: images[0], type: 'image', body: readFixture('image.png') });
		standIn.feishu.addMessageFile({ messageId: id, fileKey: images[1], type: 'image', body: readFixture('image.webp') });
		standIn.feishu.addMessageFile({ messageId: id, fileKey: video, type: 'file', body: readFixture('video.mp4'), messageType: 'post' });
		const content = contents.post('Clip', 'look', images, [{ fileKey: video, imageKey: imageKey() }]);
		const items = itemsOf(await post(target, signed(target, event(target, { id, messageType: 'post', content }))));
		expect(items.map((item) => item.binary!.data.mimeType)).toEqual(['image/png', 'image/webp', 'video/mp4']);
		expect(items.map((item) => item.binary!.data.fileName)).toEqual([`feishu-${id}-1.png`, `feishu-${id}-2.webp`, `feishu-${id}-3.mp4`]);
		expect(items[0].json.filesNotDownloaded).toBeUndefined();
	});

	test('Download Files off: a post is one item without binary, nothing fetched', async () => {
		const target = app();
		const id = messageId();
		const images = [imageKey(), imageKey()];
		images.forEach((key) => standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body: readFixture('image.png') }));
		const calls = standIn.feishu.calls.resource;
		const outcome = await post(target, signed(target, event(target, { id, messageType: 'post', content: contents.post('t', 'x', images) })), { ...PARAMETERS, downloadFiles: false });
		const items = itemsOf(outcome);
		expect(items).toHaveLength(1);
		expect(items[0].binary).toBeUndefined();
		expect(items[0].json.messageFile).toBeUndefined();
		expect(((items[0].json.event as IDataObject).message as IDataObject).message_id).toBe(id);
		expect(standIn.feishu.calls.resource).toBe(calls);
	});

	test('a text message: one item without binary, the text in the event', async () => {
		const target = app();
		const id = messageId();
		const items = itemsOf(await post(target, signed(target, event(target, { id, messageType: 'text', content: contents.text('hello bot') }))));
		expect(items).toHaveLength(1);
		expect(items[0].binary).toBeUndefined();
		const message = (items[0].json.event as IDataObject).message as IDataObject;
		expect(JSON.parse(message.content as string)).toEqual({ text: 'hello bot' });
		expect(message.message_id).toBe(id);
	});

	test('a sticker: one item without binary (Feishu does not hand stickers out), no download tried', async () => {
		const target = app();
		const id = messageId();
		const resourceCalls = standIn.feishu.calls.resource;
		const items = itemsOf(await post(target, signed(target, event(target, { id, messageType: 'sticker', content: contents.sticker(fileKey()) }))));
		expect(items).toHaveLength(1);
		expect(items[0].binary).toBeUndefined();
		expect(((items[0].json.event as IDataObject).message as IDataObject).message_type).toBe('sticker');
		expect(standIn.feishu.calls.resource).toBe(resourceCalls);
	});
});

describe('requests Feishu did not prove: refused, nothing starts, nothing downloaded', () => {
	/** A valid image event of `target`, its file registered. */
	function imageEvent(target: App) {
		const id = messageId();
		const key = imageKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body: readFixture('image.png') });
		return event(target, { id, messageType: 'image', content: contents.image(key) });
	}

	test('a wrong signature', async () => {
		const target = app();
		const request = signed(target, imageEvent(target));
		request.headers['x-lark-signature'] = feishuSignature(request.headers['x-lark-request-timestamp'], request.headers['x-lark-request-nonce'], 'another-key', request.body);
		const calls = standIn.feishu.calls.resource;
		expectRefused(await post(target, request), 403, /X-Lark-Signature does not match/);
		expect(standIn.feishu.calls.resource).toBe(calls);
	});

	test('no signature headers on an encrypted event', async () => {
		const target = app();
		const request = signed(target, imageEvent(target));
		delete request.headers['x-lark-signature'];
		expectRefused(await post(target, request), 401, /X-Lark-Signature/);
	});

	test('a tampered body (another ciphertext under the original signature)', async () => {
		const target = app();
		const original = signed(target, imageEvent(target));
		// Same key, same headers: only the bytes changed, as a man in the middle would.
		const tampered = { headers: original.headers, body: JSON.stringify({ encrypt: encryptForFeishu(JSON.stringify(imageEvent(target)), target.encryptKey) }) };
		expectRefused(await post(target, tampered), 403, /does not match the body/);
		// One changed byte of whitespace is enough.
		expectRefused(await post(target, { headers: original.headers, body: original.body.replace('{', '{ ') }), 403, /does not match the body/);
	});

	test('a stale timestamp (2 hours old, validly signed)', async () => {
		const target = app();
		const request = signed(target, imageEvent(target), { timestamp: Math.floor(Date.now() / 1000) - 2 * 3600 });
		expectRefused(await post(target, request), 403, /X-Lark-Request-Timestamp is more than/);
	});

	test('a wrong Verification Token inside a validly signed event', async () => {
		const target = app();
		const payload = imageEvent(target);
		payload.header.token = 'not-the-verification-token';
		expectRefused(await post(target, signed(target, payload)), 403, /verification token does not match/);
	});

	test('plain events with a token-only credential: a wrong token refused, the right one accepted', async () => {
		const target = app({ encryptKey: '' });
		const wrong = imageEvent(target);
		wrong.header.token = 'wrong';
		expectRefused(await post(target, callbackRequest(wrong)), 403, /verification token does not match/);
		const right = await post(target, callbackRequest(imageEvent(target)));
		expect(right.status).toBe(200);
		expect(itemsOf(right)[0].binary!.data.mimeType).toBe('image/png');
	});

	test('an unencrypted event when the credential has an Encrypt Key', async () => {
		const target = app();
		expectRefused(await post(target, callbackRequest(imageEvent(target))), 401, /not encrypted/);
	});

	test('neither Encrypt Key nor Verification Token in the credential: activation throws a clear error', async () => {
		const target = app({ encryptKey: '', verificationToken: '' });
		const activation = feishuTrigger.activateTrigger(PARAMETERS, target.credentials);
		await expect(activation).rejects.toThrow('The Feishu credential has neither an Encrypt Key nor a Verification Token');
		const error = await activation.catch((e: Error & { description?: string }) => e);
		expect((error as { description?: string }).description).toContain('Encrypt Key');
		expect(JSON.stringify(error)).not.toContain(target.appSecret);
		// And a request reaching it anyway is refused.
		expectRefused(await post(target, callbackRequest(imageEvent(target))), 403, /neither an Encrypt Key nor a Verification Token/);
	});

	test('a credential with either one activates', async () => {
		for (const fields of [{ encryptKey: '' }, { verificationToken: '' }]) {
			const active = await feishuTrigger.activateTrigger(PARAMETERS, app(fields).credentials);
			await active.close();
		}
	});
});

describe('each message runs once', () => {
	test('a replayed request and a redelivery with a new event_id: answered 200, started once', async () => {
		const target = app();
		const id = messageId();
		const key = imageKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body: readFixture('image.png') });
		const first = signed(target, event(target, { id, messageType: 'image', content: contents.image(key), eventId: hex(16) }));
		const calls = standIn.feishu.calls.resource;
		const started = await post(target, first);
		expect(itemsOf(started)).toHaveLength(1);
		const replay = await post(target, first);
		// Feishu's own retry: the same message, a new event_id, a new signature.
		const redelivery = await post(target, signed(target, event(target, { id, messageType: 'image', content: contents.image(key), eventId: hex(16) })));
		for (const again of [replay, redelivery]) {
			expect(again.status).toBe(200);
			expect(again.result.workflowData).toBeUndefined();
		}
		expect(standIn.feishu.calls.resource - calls).toBe(1);
	});
});

describe('filters', () => {
	test('Chat Type: a group message does not start a One-to-One trigger, a p2p one does', async () => {
		const target = app();
		const parameters = { ...PARAMETERS, options: { chatType: 'p2p' } };
		const group = await post(target, signed(target, event(target, { messageType: 'text', content: contents.text('in a group'), chatType: 'group' })), parameters);
		expect(group.status).toBe(200);
		expect(group.result.workflowData).toBeUndefined();
		const p2p = await post(target, signed(target, event(target, { messageType: 'text', content: contents.text('direct'), chatType: 'p2p' })), parameters);
		expect(itemsOf(p2p)).toHaveLength(1);
		const groupOnly = await post(target, signed(target, event(target, { messageType: 'text', content: contents.text('direct'), chatType: 'p2p' })), { ...PARAMETERS, options: { chatType: 'group' } });
		expect(groupOnly.result.workflowData).toBeUndefined();
	});

	test('Message Types: only the chosen types start it, the others are answered and not downloaded', async () => {
		const target = app();
		const parameters = { ...PARAMETERS, options: { messageTypes: ['image'] } };
		const text = await post(target, signed(target, event(target, { messageType: 'text', content: contents.text('no') })), parameters);
		expect(text.status).toBe(200);
		expect(text.result.workflowData).toBeUndefined();
		const fileId = messageId();
		const key = fileKey();
		standIn.feishu.addMessageFile({ messageId: fileId, fileKey: key, type: 'file', body: readFixture('document.pdf') });
		const calls = standIn.feishu.calls.resource;
		const file = await post(target, signed(target, event(target, { id: fileId, messageType: 'file', content: contents.file(key, 'a.pdf') })), parameters);
		expect(file.result.workflowData).toBeUndefined();
		expect(standIn.feishu.calls.resource).toBe(calls);
		const imageId = messageId();
		const image = imageKey();
		standIn.feishu.addMessageFile({ messageId: imageId, fileKey: image, type: 'image', body: readFixture('image.jpg') });
		const accepted = await post(target, signed(target, event(target, { id: imageId, messageType: 'image', content: contents.image(image) })), parameters);
		expect(itemsOf(accepted)[0].binary!.data.mimeType).toBe('image/jpeg');
	});
});

describe('timing and secrets', () => {
	test('the HTTP 200 goes out before a slow, large download finishes', async () => {
		const target = app();
		const id = messageId();
		const key = fileKey();
		const size = 6 * 1024 * 1024;
		const bytesPerSecond = 3 * 1024 * 1024;
		let downloadFinishedAt = 0;
		let authorization: string | undefined;
		// A big generated file served at 3 MB/s (about 2 s), on the resource's own path.
		const unplug = standIn.feishu.route('GET', `/open-apis/im/v1/messages/${id}/resources/${key}`, async ({ req, res }) => {
			authorization = req.headers.authorization;
			res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size), 'Content-Disposition': 'attachment; filename="big.bin"' });
			const started = Date.now();
			let sent = 0;
			for (const chunk of generatedChunks(size, 7)) {
				const wait = started + (sent / bytesPerSecond) * 1000 - Date.now();
				if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
				if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
				sent += chunk.length;
			}
			res.end(() => (downloadFinishedAt = Date.now()));
		});
		try {
			const outcome = await post(target, signed(target, event(target, { id, messageType: 'file', content: contents.file(key, 'big.bin') })));
			expect(outcome.status).toBe(200);
			// Answered at once, well within Feishu's 3 s ...
			expect(outcome.respondedAt! - outcome.calledAt).toBeLessThan(500);
			// ... while the download still had most of its 2 s to go.
			expect(downloadFinishedAt).toBeGreaterThan(0);
			expect(downloadFinishedAt - outcome.respondedAt!).toBeGreaterThan(1000);
			expect(outcome.returnedAt).toBeGreaterThanOrEqual(downloadFinishedAt);
			const [item] = itemsOf(outcome);
			expect(authorization).toMatch(/^Bearer t-/);
			expect(item.binary!.data.fileName).toBe('big.bin');
			expect(sha256(await binaryBuffer(item.binary!.data))).toBe(generatedBytesSha256(size, 7));
		} finally {
			unplug();
		}
	});

	test('items never contain the Verification Token, the Encrypt Key, the App Secret or the tenant token', async () => {
		const target = app();
		const id = messageId();
		const images = [imageKey(), imageKey()];
		images.forEach((key) => standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body: readFixture('image.png') }));
		const payload = event(target, { id, messageType: 'post', content: contents.post('secrets?', 'none', images) });
		expect(JSON.stringify(payload)).toContain(target.verificationToken);
		const items = itemsOf(await post(target, signed(target, payload)));
		expect(items).toHaveLength(2);
		const tenantToken = String(target.credentials.get('feishuApi').tenantAccessToken);
		expect(tenantToken).toMatch(/^t-/);
		const everything = JSON.stringify(items);
		for (const secret of [target.verificationToken, target.encryptKey, target.appSecret, tenantToken]) expect(everything).not.toContain(secret);
		expect((items[0].json.header as IDataObject).token).toBeUndefined();
		expect((items[0].json.header as IDataObject).app_id).toBe(target.appId);
	});

	test('a refused download keeps the message, with the reason and no secret', async () => {
		const target = app();
		const id = messageId();
		const key = imageKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body: readFixture('image.png'), refuse: 'deleted' });
		const items = itemsOf(await post(target, signed(target, event(target, { id, messageType: 'image', content: contents.image(key) }))));
		expect(items).toHaveLength(1);
		expect(items[0].binary).toBeUndefined();
		expect(items[0].json.messageFile).toMatchObject({ apiCode: '230110' });
		expect(String((items[0].json.messageFile as IDataObject).error)).toMatch(/deleted|recalled/i);
		const everything = JSON.stringify(items);
		for (const secret of [target.verificationToken, target.encryptKey, target.appSecret]) expect(everything).not.toContain(secret);
	});
});

describe('bodies that are not what Feishu sends: answered, nothing starts, nothing downloaded', () => {
	test.each([
		['an empty body', ''],
		['text that is not JSON', 'hello'],
		['a JSON array', '[1,2,3]'],
		['an empty object', '{}'],
		['an event with no header', JSON.stringify({ schema: '2.0', event: {} })],
	])('%s, to a token-only credential: refused, nothing starts', async (_what, body) => {
		const target = app({ encryptKey: '' });
		const calls = standIn.feishu.calls.resource;
		const outcome = await feishuTrigger.callWebhook(PARAMETERS, target.credentials, { headers: { 'content-type': 'application/json' }, body });
		expect([400, 401, 403]).toContain(outcome.status);
		expect(outcome.result.workflowData).toBeUndefined();
		expect(standIn.feishu.calls.resource).toBe(calls);
	});

	test('a validly signed body whose "encrypt" is not ciphertext of the Encrypt Key: refused, nothing starts', async () => {
		const target = app();
		for (const encrypt of ['!!!not base64!!!', Buffer.from('short').toString('base64'), randomBytes(48).toString('base64'), 42]) {
			const body = JSON.stringify({ encrypt });
			const timestamp = String(Math.floor(Date.now() / 1000));
			const nonce = hex(8);
			const headers = {
				'content-type': 'application/json',
				'x-lark-request-timestamp': timestamp,
				'x-lark-request-nonce': nonce,
				'x-lark-signature': feishuSignature(timestamp, nonce, target.encryptKey, body),
			};
			const outcome = await feishuTrigger.callWebhook(PARAMETERS, target.credentials, { headers, body });
			expect([400, 401, 403]).toContain(outcome.status);
			expect(outcome.result.workflowData).toBeUndefined();
		}
	});

	test('another event type (a read receipt), signed: answered 200, nothing starts', async () => {
		const target = app();
		const envelope = event(target, { messageType: 'text', content: contents.text('hi') });
		const readReceipt = { ...envelope, header: { ...envelope.header, event_type: 'im.message.message_read_v1' }, event: { reader: { reader_id: { open_id: 'ou_x' } }, message_id_list: [messageId()] } };
		const outcome = await post(target, signed(target, readReceipt));
		expect(outcome.status).toBe(200);
		expect(outcome.result.workflowData).toBeUndefined();
	});

	test('a message event whose content is not JSON: answered 200, one item saying what is wrong, nothing downloaded', async () => {
		const target = app();
		const calls = standIn.feishu.calls.resource;
		const broken = event(target, { messageType: 'image', content: contents.image(imageKey()) });
		(broken.event as { message: Record<string, unknown> }).message.content = '{not json';
		const outcome = await post(target, signed(target, broken));
		expect(outcome.status).toBe(200);
		const items = itemsOf(outcome);
		expect(items).toHaveLength(1);
		expect(items[0].binary).toBeUndefined();
		expect(standIn.feishu.calls.resource).toBe(calls);
		expect((items[0].json.messageFile as IDataObject).error).toBe('The content of the Feishu image message is not valid JSON');
	});
});
