// Download Message File through Feishu / Lark, with n8n-core's real engine against the
// Feishu stand-in: every fixture in both binary modes (bytes identical, typed and named
// from the bytes, Feishu's file_name kept with its extension corrected), every shape of
// the incoming message, posts with several images and videos, messages with no file and
// why, Fields mode with each resource type, each download error code explained, the
// tenant token renewed once when Feishu rejects it, Feishu's 100 MB refusal not retried,
// and no secret in any output or error.
import { createHash } from 'crypto';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { fixtures, readFixture, type Fixture } from '../fixtures/fixtures';
import { CredentialStore, binaryBuffer, runNode, type BinaryMode, type NodeRun } from '../helpers/engine';
import { n8nRenewsTokenOn400 } from '../helpers/n8nVersion';
import { contents, messageReceiveEvent, type FeishuEventEnvelope } from '../standin/feishuEvents';
import { FEISHU_LIMITS, startStandIn, type StandIn } from '../standin/server';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const hex = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);
const shortHash = (text: string) => hex(text, 12);

let standIn: StandIn;
beforeAll(async () => {
	standIn = await startStandIn();
});
afterAll(async () => await standIn.close());

let counter = 0;
const next = () => ++counter;

interface App {
	appId: string;
	appSecret: string;
	credentials: CredentialStore;
}

/** A fresh app (`cli_` + 16 hex digits) and a credential for it, so tests do not share tokens. */
function app(options: { encryptKey?: string; verificationToken?: string } = {}): App {
	const n = next();
	const appId = `cli_${hex(`download-app${n}`, 16)}`;
	const appSecret = `feishu-download-secret-${n}-${'s'.repeat(16)}`;
	standIn.feishu.addApp({ appId, appSecret });
	const credentials = new CredentialStore({ feishuApi: { appId, appSecret, baseUrl: standIn.feishuUrl, ...options } });
	return { appId, appSecret, credentials };
}

const messageId = () => `om_${hex(`message${next()}`, 32)}`;
const imageKey = () => `img_v3_${hex(`image${next()}`, 24)}`;
const fileKey = () => `file_v3_${hex(`file${next()}`, 24)}`;

function messageParameters(options: IDataObject = {}): INodeParameters {
	return { service: 'feishu', source: 'message', message: '={{ $json }}', options } as INodeParameters;
}

function fieldsParameters(id: string, key: string, options: IDataObject = {}): INodeParameters {
	return { service: 'feishu', source: 'fields', messageId: id, fileKey: key, options } as INodeParameters;
}

function resourceGets(from = 0) {
	return standIn.requests.slice(from).filter((request) => request.role === 'feishu' && request.method === 'GET' && request.path.includes('/resources/'));
}

/** Everything a user or a log could see of a run. */
function visible(run: NodeRun): string {
	return JSON.stringify({ items: run.items.map((item) => item.json), error: run.error, message: run.error?.message, description: run.error?.description });
}

const modes: BinaryMode[] = ['memory', 'filesystem'];
const isImage = (fixture: Fixture) => ['png', 'jpg', 'gif', 'webp'].includes(fixture.extension);

describe('every fixture through Feishu, in each binary mode', () => {
	let shared: App;
	beforeAll(() => {
		shared = app();
		// ~100 downloads in a few seconds: Feishu's 50/s per app would (rightly) make the node wait out a 429, a second GET.
		standIn.feishu.setRateLimits({ perApp: 0 });
	});
	afterAll(() => standIn.feishu.setRateLimits({ perApp: 50 }));

	const table = fixtures.flatMap((fixture) => modes.map((mode) => ({ file: fixture.file, mode, fixture })));

	test.each(table)('$file ($mode)', async ({ fixture, mode }) => {
		const body = readFixture(fixture.file);
		const id = messageId();
		let event: FeishuEventEnvelope;
		let expectedName: string;
		if (isImage(fixture)) {
			// An image message: no name anywhere, so the fallback name plus the real extension.
			const key = imageKey();
			standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body, contentType: 'image/png' });
			event = messageReceiveEvent({ appId: shared.appId, messageId: id, messageType: 'image', content: contents.image(key) });
			expectedName = `feishu-${id}.${fixture.extension}`;
		} else {
			// A file message: Feishu's file_name is kept; a binary file's meaningless extension is corrected from its bytes.
			const key = fileKey();
			const stem = `季度 report ${counter}`;
			const fileName = fixture.binaryKind ? `${stem}.dat` : `${stem}.${fixture.extension}`;
			standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'file', body, fileName, contentType: 'application/octet-stream' });
			event = messageReceiveEvent({ appId: shared.appId, messageId: id, messageType: 'file', content: contents.file(key, fileName) });
			expectedName = `${stem}.${fixture.extension}`;
		}
		const from = standIn.requests.length;
		const run = await runNode({ parameters: messageParameters(), input: [event as unknown as IDataObject], credentials: shared.credentials, binaryMode: mode });

		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(1);
		const binary = run.items[0].binary!.data;
		expect(sha256(await binaryBuffer(binary))).toBe(sha256(body));
		if (mode === 'filesystem') expect(binary.id).toBeDefined();
		else expect(binary.id).toBeUndefined();
		expect(binary.mimeType).toBe(fixture.mimeType);
		expect(binary.fileExtension).toBe(fixture.extension);
		expect(binary.fileName).toBe(expectedName);
		expect(run.items[0].json).toMatchObject({
			schema: '2.0',
			messageFile: {
				service: 'feishu',
				messageId: id,
				messageType: isImage(fixture) ? 'image' : 'file',
				resourceType: isImage(fixture) ? 'image' : 'file',
				fileName: expectedName,
				mimeType: fixture.mimeType,
				fileSize: body.length,
			},
		});
		// One GET of the message resource, with the tenant token and the type of the key.
		const gets = resourceGets(from);
		expect(gets).toHaveLength(1);
		expect(gets[0].path).toBe(`/open-apis/im/v1/messages/${id}/resources/${(JSON.parse((event.event.message as IDataObject).content as string) as IDataObject)[isImage(fixture) ? 'image_key' : 'file_key'] as string}?type=${isImage(fixture) ? 'image' : 'file'}`);
		expect(gets[0].headers.authorization).toMatch(/^Bearer t-/);
	});
});

describe('the shapes of an incoming message', () => {
	const png = readFixture('image.png');

	function pngMessage(target: App): { event: FeishuEventEnvelope; id: string; key: string } {
		const id = messageId();
		const key = imageKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body: png });
		return { id, key, event: messageReceiveEvent({ appId: target.appId, messageId: id, messageType: 'image', content: contents.image(key) }) };
	}

	function sdkEvent(event: FeishuEventEnvelope): IDataObject {
		// What the official SDK's EventDispatcher hands a handler: header and event merged into one object.
		return { schema: event.schema, ...event.header, ...event.event } as unknown as IDataObject;
	}

	test.each([
		{ shape: 'the event body / Feishu Trigger item', pick: (event: FeishuEventEnvelope) => event as unknown as IDataObject },
		{ shape: "the SDK's flattened event", pick: sdkEvent },
		{ shape: 'the message object', pick: (event: FeishuEventEnvelope) => event.event.message as IDataObject },
		{ shape: 'the event body as JSON text', pick: (event: FeishuEventEnvelope) => ({ body: JSON.stringify(event) }) as IDataObject },
	])('$shape', async ({ pick }) => {
		const target = app();
		const { event, id, key } = pngMessage(target);
		const run = await runNode({ parameters: messageParameters(), input: [pick(event)], credentials: target.credentials });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(1);
		const binary = run.items[0].binary!.data;
		expect(binary.mimeType).toBe('image/png');
		expect(binary.fileName).toBe(`feishu-${id}.png`);
		expect(sha256(await binaryBuffer(binary))).toBe(sha256(png));
		expect(run.items[0].json.messageFile).toMatchObject({ messageId: id, fileKey: key, chatId: (event.event.message as IDataObject).chat_id, chatType: 'p2p' });
	});

	test('a DingTalk message with Service = Feishu is named as such', async () => {
		const target = app();
		const run = await runNode({
			parameters: messageParameters(),
			input: [{ msgtype: 'picture', msgId: 'msgX', content: { downloadCode: 'abc' }, conversationId: 'cid' }],
			credentials: target.credentials,
		});
		expect(run.error?.message).toBe('This is a DingTalk robot message, but Service is set to Feishu');
	});

	test('audio and video (media): files, the video keeps its file_name, the audio gets its real extension', async () => {
		const target = app();
		const ogg = readFixture('voice.ogg');
		const mp4 = readFixture('video.mp4');
		const audioId = messageId();
		const audioKey = fileKey();
		standIn.feishu.addMessageFile({ messageId: audioId, fileKey: audioKey, type: 'file', body: ogg, contentType: 'audio/opus' });
		const videoId = messageId();
		const videoKey = fileKey();
		standIn.feishu.addMessageFile({ messageId: videoId, fileKey: videoKey, type: 'file', body: mp4, fileName: '测试视频.mp4' });
		const run = await runNode({
			parameters: messageParameters(),
			input: [
				messageReceiveEvent({ appId: target.appId, messageId: audioId, messageType: 'audio', content: contents.audio(audioKey, 2000) }) as unknown as IDataObject,
				messageReceiveEvent({ appId: target.appId, messageId: videoId, messageType: 'media', content: contents.media(videoKey, imageKey(), '测试视频.mp4', 3000) }) as unknown as IDataObject,
			],
			credentials: target.credentials,
		});
		expect(run.error).toBeUndefined();
		const [audio, video] = run.items;
		expect(audio.binary!.data.fileName).toBe(`feishu-${audioId}.ogg`);
		expect(audio.binary!.data.mimeType).toBe('audio/ogg');
		expect(audio.json.messageFile).toMatchObject({ messageType: 'audio', duration: 2000, resourceType: 'file' });
		expect(video.binary!.data.fileName).toBe('测试视频.mp4');
		expect(video.binary!.data.mimeType).toBe('video/mp4');
		expect(video.json.messageFile).toMatchObject({ messageType: 'media', duration: 3000, resourceType: 'file' });
		expect(sha256(await binaryBuffer(video.binary!.data))).toBe(sha256(mp4));
	});
});

describe('posts (rich text)', () => {
	test('every img and media element, in order, one item each', async () => {
		const target = app();
		const id = messageId();
		const images = [imageKey(), imageKey()];
		const videoKey = fileKey();
		const bodies = [readFixture('image.png'), readFixture('image.jpg'), readFixture('video.mp4')];
		standIn.feishu.addMessageFile({ messageId: id, fileKey: images[0], type: 'image', body: bodies[0] });
		standIn.feishu.addMessageFile({ messageId: id, fileKey: images[1], type: 'image', body: bodies[1] });
		standIn.feishu.addMessageFile({ messageId: id, fileKey: videoKey, type: 'file', body: bodies[2], messageType: 'post' });
		const event = messageReceiveEvent({
			appId: target.appId,
			messageId: id,
			messageType: 'post',
			content: contents.post('Site visit', 'photos and a clip', images, [{ fileKey: videoKey, imageKey: imageKey() }]),
		});
		const run = await runNode({ parameters: messageParameters(), input: [event as unknown as IDataObject], credentials: target.credentials });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(3);
		const expected = [
			{ mimeType: 'image/png', fileName: `feishu-${id}-1.png`, resourceType: 'image', fileKey: images[0] },
			{ mimeType: 'image/jpeg', fileName: `feishu-${id}-2.jpg`, resourceType: 'image', fileKey: images[1] },
			{ mimeType: 'video/mp4', fileName: `feishu-${id}-3.mp4`, resourceType: 'file', fileKey: videoKey },
		];
		for (const [index, item] of run.items.entries()) {
			expect(item.binary!.data.mimeType).toBe(expected[index].mimeType);
			expect(item.binary!.data.fileName).toBe(expected[index].fileName);
			expect(sha256(await binaryBuffer(item.binary!.data))).toBe(sha256(bodies[index]));
			expect(item.json.messageFile).toMatchObject({
				messageType: 'post',
				title: 'Site visit',
				text: 'photos and a clip',
				fileIndex: index,
				fileCount: 3,
				resourceType: expected[index].resourceType,
				fileKey: expected[index].fileKey,
			});
			expect(item.pairedItem).toEqual({ item: 0 });
		}
	});

	test('a post wrapped in a locale (as sent) is read too; a post with only text has no file', async () => {
		const target = app();
		const id = messageId();
		const key = imageKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body: readFixture('image.gif') });
		const wrapped = messageReceiveEvent({ appId: target.appId, messageId: id, messageType: 'post', content: { zh_cn: contents.post('标题', '文字', [key]) } });
		const textOnly = messageReceiveEvent({ appId: target.appId, messageId: messageId(), messageType: 'post', content: contents.post('t', 'just words') });
		const run = await runNode({
			parameters: messageParameters({ whenNoFile: 'passThrough' }),
			input: [wrapped as unknown as IDataObject, textOnly as unknown as IDataObject],
			credentials: target.credentials,
		});
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(2);
		expect(run.items[0].binary!.data.mimeType).toBe('image/gif');
		expect(run.items[0].binary!.data.fileName).toBe(`feishu-${id}.gif`);
		expect(run.items[1].binary).toBeUndefined();
		expect(run.items[1].json.messageFile).toBeUndefined();
	});
});

describe('messages with no file', () => {
	test.each([
		{ messageType: 'sticker', content: contents.sticker('file_sticker_1') },
		{ messageType: 'merge_forward', content: contents.mergeForward() },
		{ messageType: 'interactive', content: contents.interactive('card') },
		{ messageType: 'folder', content: contents.folder('file_folder_1', 'folder') },
		{ messageType: 'text', content: contents.text('hello') },
		{ messageType: 'share_chat', content: contents.shareChat('oc_x') },
	])('$messageType: no download, the error names the type (or the item passes through)', async ({ messageType, content }) => {
		const target = app();
		const event = messageReceiveEvent({ appId: target.appId, messageId: messageId(), messageType: messageType as never, content });
		const from = standIn.requests.length;
		const failed = await runNode({ parameters: messageParameters(), input: [event as unknown as IDataObject], credentials: target.credentials });
		expect(failed.error?.message).toBe(`The Feishu message has no file: it is a ${messageType} message`);
		const passed = await runNode({ parameters: messageParameters({ whenNoFile: 'passThrough' }), input: [event as unknown as IDataObject], credentials: target.credentials });
		expect(passed.error).toBeUndefined();
		expect(passed.items).toHaveLength(1);
		expect(passed.items[0].binary).toBeUndefined();
		expect(resourceGets(from)).toHaveLength(0);
	});
});

describe('Fields mode', () => {
	test('Resource Type: Auto from the key (img_ → image, else file), Image and File by hand', async () => {
		const target = app();
		const id = messageId();
		const image = imageKey();
		const file = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: image, type: 'image', body: readFixture('image.webp') });
		standIn.feishu.addMessageFile({ messageId: id, fileKey: file, type: 'file', body: readFixture('document.pdf'), fileName: 'Q3 报告.pdf' });

		for (const [key, resourceType, expectedType, expectedName] of [
			[image, 'auto', 'image', `feishu-image-${shortHash(image)}.webp`],
			[image, 'image', 'image', `feishu-image-${shortHash(image)}.webp`],
			[file, 'auto', 'file', 'Q3 报告.pdf'],
			[file, 'file', 'file', 'Q3 报告.pdf'],
		] as const) {
			const from = standIn.requests.length;
			const run = await runNode({ parameters: fieldsParameters(id, key, { resourceType }), credentials: target.credentials });
			expect(run.error).toBeUndefined();
			expect(run.items[0].binary!.data.fileName).toBe(expectedName);
			expect(run.items[0].json.messageFile).toMatchObject({ messageId: id, fileKey: key, resourceType: expectedType });
			expect(resourceGets(from)[0].path).toBe(`/open-apis/im/v1/messages/${id}/resources/${key}?type=${expectedType}`);
		}

		// A file key asked for as an image is not in the message: Feishu's 234003, explained.
		const wrong = await runNode({ parameters: fieldsParameters(id, file, { resourceType: 'image' }), credentials: target.credentials });
		expect(wrong.error?.message).toBe('The file is not in this message');
		expect(wrong.error?.description).toContain('Resource Type');
		expect(wrong.error?.description).toContain('code 234003');
	});

	test.each([
		{ form: 'raw' as const },
		{ form: 'rfc5987' as const },
		{ form: 'both' as const },
	])('the name from Content-Disposition ($form) when no message gives one', async ({ form }) => {
		const target = app();
		const id = messageId();
		const key = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'file', body: readFixture('spreadsheet.xlsx'), fileName: '销售 数据 (final).xlsx', contentDisposition: form });
		const run = await runNode({ parameters: fieldsParameters(id, key), credentials: target.credentials });
		expect(run.error).toBeUndefined();
		expect(run.items[0].binary!.data.fileName).toBe('销售 数据 (final).xlsx');
		expect(run.items[0].binary!.data.mimeType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
	});

	test('empty Message ID or File Key: an input error naming the field, and no request', async () => {
		const target = app();
		const from = standIn.requests.length;
		// Expressions that come out empty (a literal empty required field stops the workflow before it runs).
		const run = await runNode({ parameters: fieldsParameters('={{ "" }}', 'img_x'), credentials: target.credentials });
		expect(run.error?.message).toBe('Message ID is empty');
		const run2 = await runNode({ parameters: fieldsParameters('om_x', '={{ "  " }}'), credentials: target.credentials });
		expect(run2.error?.message).toBe('File Key is empty');
		expect(resourceGets(from)).toHaveLength(0);
	});
});

describe("Feishu's refusals, each explained", () => {
	const body = readFixture('document.pdf');

	/** A registered file the stand-in refuses the way Feishu does. */
	test.each([
		{ code: 234004, setup: { botInChat: false }, message: 'The bot is not in the chat of this message', advice: 'Add the bot to the chat' },
		{ code: 230110, setup: { refuse: 'deleted' }, message: 'The message has been deleted', advice: 'no longer' },
		{ code: 234002, setup: { refuse: 'unauthorized' }, message: 'Feishu did not authorise the app to read this file', advice: 'im:message' },
		{ code: 234009, setup: { refuse: 'external' }, message: 'Feishu does not let apps download files from external chats', advice: 'internal chat' },
		{ code: 234038, setup: { refuse: 'restricted' }, message: 'The chat is in restricted (confidential) mode', advice: 'turn it off' },
		{ code: 234040, setup: { refuse: 'invisible' }, message: 'The message is not visible to the bot', advice: 'hides history' },
		{ code: 234043, setup: { messageType: 'sticker' }, message: 'Feishu does not let apps download files from this kind of message', advice: 'Stickers' },
	])('$code: $message', async ({ code, setup, message, advice }) => {
		const target = app();
		const id = messageId();
		const key = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'file', body, ...(setup as object) });
		const from = standIn.requests.length;
		const run = await runNode({ parameters: fieldsParameters(id, key), credentials: target.credentials });
		expect(run.error?.message).toBe(message);
		expect(run.error?.description).toContain(advice);
		expect(run.error?.description).toContain(`code ${code}`);
		// Not worth another try: one request.
		expect(resourceGets(from)).toHaveLength(1);
	});

	test('234003: a key that is not in the message', async () => {
		const target = app();
		const run = await runNode({ parameters: fieldsParameters(messageId(), fileKey()), credentials: target.credentials });
		expect(run.error?.message).toBe('The file is not in this message');
	});

	// The codes the stand-in does not produce by itself: Feishu's documented answers, injected.
	test.each([
		{ code: 234001, status: 400, message: 'Feishu refused the download request as invalid' },
		{ code: 234019, status: 400, message: "Feishu refused the download: the app's tenant check failed" },
		{ code: 234041, status: 400, message: "The message's tenant has been deleted" },
		{ code: 234042, status: 400, message: 'Feishu could not read the file from its hybrid storage' },
		{ code: 14005, status: 400, message: 'The file no longer exists in Feishu' },
		{ code: 234037, status: 400, message: 'The file is over 100 MB, the largest Feishu lets apps download' },
	])('$code: $message', async ({ code, status, message }) => {
		const target = app();
		const id = messageId();
		const key = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'file', body });
		standIn.feishu.failNext('resource', { status, body: { code, msg: `documented message ${code}`, error: { log_id: 'LOG123' } } });
		const from = standIn.requests.length;
		const run = await runNode({ parameters: fieldsParameters(id, key), credentials: target.credentials });
		expect(run.error?.message).toBe(message);
		expect(run.error?.description).toContain(`code ${code}`);
		expect(run.error?.description).toContain('log id LOG123');
		expect(resourceGets(from)).toHaveLength(1);
	});

	test('a file over 100 MB: Feishu refuses (234037), the limit is named, and nothing is retried', async () => {
		const target = app();
		const id = messageId();
		const key = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'file', body: { size: FEISHU_LIMITS.resourceBytes + 1 }, fileName: 'huge.bin' });
		const from = standIn.requests.length;
		const run = await runNode({ parameters: fieldsParameters(id, key, { maxRetries: 3 }), credentials: target.credentials });
		expect(run.error?.message).toBe('The file is over 100 MB, the largest Feishu lets apps download');
		expect(run.error?.description).toContain("Feishu's own limit");
		expect(run.error?.description).toContain('code 234037');
		expect(resourceGets(from)).toHaveLength(1);
	});

	test('a missing scope (99991672) names the scope to add', async () => {
		const target = app();
		standIn.feishu.setScopes(target.appId, ['im:resource']);
		const id = messageId();
		const key = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'file', body });
		const run = await runNode({ parameters: fieldsParameters(id, key), credentials: target.credentials });
		expect(run.error?.message).toBe('The Feishu app lacks the permission im:message or im:message:readonly or im:message.history:readonly');
		expect(run.error?.description).toContain('Permissions & Scopes');
		expect(run.error?.description).toContain('code 99991672');
	});

	test('a missing scope named only in the message text (no permission_violations): still named', async () => {
		const target = app();
		const id = messageId();
		const key = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'file', body });
		standIn.feishu.failNext('resource', {
			status: 400,
			body: { code: 99991672, msg: 'Access denied. One of the following scopes is required: [im:message:readonly].应用尚未开通所需的应用身份权限' },
		});
		const run = await runNode({ parameters: fieldsParameters(id, key), credentials: target.credentials });
		expect(run.error?.message).toBe('The Feishu app lacks the permission im:message:readonly');
		expect(run.error?.description).toContain('add the scope im:message:readonly');
	});

	test("the rate limit (429, 99991400): waited out as x-ogw-ratelimit-reset says, then the file", async () => {
		const target = app();
		const id = messageId();
		const key = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'file', body, fileName: 'a.pdf' });
		standIn.feishu.failNext('resource', {
			status: 429,
			body: { code: 99991400, msg: 'request trigger frequency limit' },
			headers: { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '1' },
		});
		const started = Date.now();
		const run = await runNode({ parameters: fieldsParameters(id, key), credentials: target.credentials });
		expect(run.error).toBeUndefined();
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(sha256(await binaryBuffer(run.items[0].binary!.data))).toBe(sha256(body));
	});
});

describe('the tenant token', () => {
	const png = readFixture('image.png');

	function files(target: App, count: number): IDataObject[] {
		return Array.from({ length: count }, () => {
			const id = messageId();
			const key = imageKey();
			standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'image', body: png });
			return { id, key };
		});
	}

	test('fetched once and stored with the credential; later executions reuse it', async () => {
		const target = app();
		const before = standIn.feishu.calls.token;
		const input = files(target, 5);
		const run = await runNode({
			parameters: { service: 'feishu', source: 'fields', messageId: '={{ $json.id }}', fileKey: '={{ $json.key }}', options: { concurrency: 4 } } as INodeParameters,
			input,
			credentials: target.credentials,
		});
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(5);
		expect(standIn.feishu.calls.token - before).toBe(1);
		expect(target.credentials.get('feishuApi').tenantAccessToken).toMatch(/^t-/);
		const again = await runNode({
			parameters: { service: 'feishu', source: 'fields', messageId: '={{ $json.id }}', fileKey: '={{ $json.key }}' } as INodeParameters,
			input: files(target, 2),
			credentials: target.credentials,
		});
		expect(again.error).toBeUndefined();
		expect(standIn.feishu.calls.token - before).toBe(1);
	});

	test('rejected mid-use (99991663): renewed once for all items running at once, each file downloaded, the next execution pays nothing', async () => {
		const target = app();
		const warm = await runNode({ parameters: fieldsParameters(...(Object.values(files(target, 1)[0]) as [string, string])), credentials: target.credentials });
		expect(warm.error).toBeUndefined();
		const stale = target.credentials.get('feishuApi').tenantAccessToken;
		standIn.feishu.expireTokens();
		const before = standIn.feishu.calls.token;
		const rejectionsBefore = standIn.stats.feishuInvalidTokenAnswers;
		const run = await runNode({
			parameters: { service: 'feishu', source: 'fields', messageId: '={{ $json.id }}', fileKey: '={{ $json.key }}', options: { concurrency: 4 } } as INodeParameters,
			input: files(target, 6),
			credentials: target.credentials,
		});
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(6);
		for (const item of run.items) expect(sha256(await binaryBuffer(item.binary!.data))).toBe(sha256(png));
		expect(standIn.feishu.calls.token - before).toBe(1);
		expect(standIn.stats.feishuInvalidTokenAnswers - rejectionsBefore).toBeGreaterThanOrEqual(1);
		// n8n 2.41+ saves the renewed token itself; older n8n keeps the stale one and the node remembers the new one in this process.
		if (n8nRenewsTokenOn400) expect(target.credentials.get('feishuApi').tenantAccessToken).not.toBe(stale);
		const later = await runNode({ parameters: fieldsParameters(...(Object.values(files(target, 1)[0]) as [string, string])), credentials: target.credentials });
		expect(later.error).toBeUndefined();
		expect(standIn.feishu.calls.token - before).toBe(1);
	});

	test('8 executions at once in one process (a queue-mode worker), no stored token yet: one token call, saved for all', async () => {
		const target = app();
		const before = standIn.feishu.calls.token;
		const runs = await Promise.all(
			files(target, 8).map(async (file) => await runNode({ parameters: fieldsParameters(file.id as string, file.key as string), credentials: target.credentials })),
		);
		for (const run of runs) {
			expect(run.error).toBeUndefined();
			expect(run.items).toHaveLength(1);
		}
		expect(standIn.feishu.calls.token - before).toBe(1);
		expect(target.credentials.saves).toBe(1);
	});

	test('a wrong App Secret: the download fails saying so, without the secret', async () => {
		const target = app();
		const credentials = new CredentialStore({ feishuApi: { appId: target.appId, appSecret: 'definitely-the-wrong-secret', baseUrl: standIn.feishuUrl } });
		const [file] = files(target, 1);
		const run = await runNode({ parameters: fieldsParameters(file.id as string, file.key as string), credentials });
		expect(run.error?.message).toContain('App Secret');
		expect(visible(run)).not.toContain('definitely-the-wrong-secret');
	});

	test('Base URL with a trailing slash works', async () => {
		const target = app();
		const credentials = new CredentialStore({ feishuApi: { appId: target.appId, appSecret: target.appSecret, baseUrl: `${standIn.feishuUrl}/` } });
		const [file] = files(target, 1);
		const run = await runNode({ parameters: fieldsParameters(file.id as string, file.key as string), credentials });
		expect(run.error).toBeUndefined();
	});
});

describe('secrets never reach an output or an error', () => {
	test('App Secret, tenant token, Encrypt Key and Verification Token: not in items, errors or descriptions', async () => {
		const encryptKey = 'encrypt-key-0123456789abcdef';
		const verificationToken = 'verification-token-0123456789';
		const target = app({ encryptKey, verificationToken });
		const id = messageId();
		const key = fileKey();
		standIn.feishu.addMessageFile({ messageId: id, fileKey: key, type: 'file', body: readFixture('document.pdf'), refuse: 'restricted' });
		const good = messageId();
		const goodKey = imageKey();
		standIn.feishu.addMessageFile({ messageId: good, fileKey: goodKey, type: 'image', body: readFixture('image.png') });
		const run = await runNode({
			parameters: { service: 'feishu', source: 'fields', messageId: '={{ $json.id }}', fileKey: '={{ $json.key }}' } as INodeParameters,
			input: [
				{ id: good, key: goodKey },
				{ id, key },
			],
			credentials: target.credentials,
			continueOnFail: true,
		});
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(2);
		expect(run.items[1].json.error).toBe('The chat is in restricted (confidential) mode');
		const token = target.credentials.get('feishuApi').tenantAccessToken as string;
		expect(token).toMatch(/^t-/);
		const seen = `${visible(run)}${JSON.stringify(run.run.data)}`;
		for (const secret of [target.appSecret, token, encryptKey, verificationToken]) expect(seen).not.toContain(secret);
	});
});
