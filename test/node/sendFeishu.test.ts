// Send Message through Feishu / Lark, with n8n-core's real engine against the stand-in:
// text replies in one-to-one chats and groups from every shape of the incoming message,
// sends to a chat by each ID type, files typed from their bytes and uploaded (streamed)
// as image / media / audio / file with their file type, name and duration, the caption
// as a text message after the file, the uuid that makes a retried item arrive once,
// Feishu's rate limits waited out, its error codes explained, and no secret in any output.
import { createHash } from 'crypto';
import { Readable } from 'stream';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, runNode, storedBinary, type NodeRun } from '../helpers/engine';
import { startStandIn, type StandIn } from '../standin/server';
import { contents, messageReceiveEvent, type FeishuEventEnvelope } from '../standin/feishuEvents';
import { watchLiveMemory } from '../helpers/liveMemory';

let standIn: StandIn;
beforeAll(async () => {
	standIn = await startStandIn();
});
afterAll(async () => await standIn.close());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const hex = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

let counter = 0;
/** A fresh app (`cli_` + 16 hex digits) and a credential for it. */
function app() {
	const n = ++counter;
	const appId = `cli_${hex(`app${n}`, 16)}`;
	const appSecret = `feishu-send-secret-${n}-${'s'.repeat(16)}`;
	standIn.feishu.addApp({ appId, appSecret });
	const credentials = new CredentialStore({ feishuApi: { appId, appSecret, baseUrl: standIn.feishuUrl } });
	return { appId, appSecret, credentials };
}

/** A chat the bot is in (unless said otherwise), with a fresh ID. */
function chat(botIsMember = true): string {
	const chatId = `oc_${hex(`chat${++counter}`, 32)}`;
	standIn.feishu.addChat({ chatId, botIsMember });
	return chatId;
}

/** An incoming message the stand-in knows (so it can be replied to), as the event Feishu pushes. */
function incoming(appId: string, chatType: 'p2p' | 'group' = 'p2p', chatId = chat()): FeishuEventEnvelope {
	const messageId = `om_${hex(`message${++counter}`, 32)}`;
	standIn.feishu.addMessage({ messageId, chatId });
	return messageReceiveEvent({ appId, messageId, chatId, chatType, messageType: 'text', content: contents.text('please send the report') });
}

function messageOf(event: FeishuEventEnvelope): IDataObject {
	return event.event.message as IDataObject;
}

function sendParameters(parameters: INodeParameters): INodeParameters {
	return { service: 'feishu', recipient: 'message', content: 'text', ...parameters };
}

async function send(credentials: CredentialStore, parameters: INodeParameters, input: Array<INodeExecutionData | IDataObject>, continueOnFail = false): Promise<NodeRun> {
	return await runNode({ node: 'sendMessage', credentials, parameters: sendParameters(parameters), input, continueOnFail });
}

/** An input item: the message and a binary another node stored, with the label it gave it. */
async function withFile(message: IDataObject | FeishuEventEnvelope, bytes: Buffer, label: { fileName?: string; mimeType: string }): Promise<INodeExecutionData> {
	return { json: message as unknown as IDataObject, binary: { data: await storedBinary(bytes, label) } };
}

function sentMessage(run: NodeRun, index = 0): IDataObject {
	expect(run.error).toBeUndefined();
	return run.items[index].json.sentMessage as IDataObject;
}

/** Everything a user or a log could see of a run. */
function visible(run: NodeRun): string {
	return JSON.stringify({ items: run.items.map((item) => item.json), error: run.error, message: run.error?.message, description: run.error?.description });
}

/** The JSON bodies of the send and reply requests the stand-in received since `from`. */
function sendBodies(from: number): IDataObject[] {
	return standIn.requests
		.slice(from)
		.filter((request) => request.method === 'POST' && /^\/open-apis\/im\/v1\/messages(\?|\/[^/]+\/reply)/.test(request.path))
		.map((request) => JSON.parse(request.body) as IDataObject);
}

describe('text', () => {
	it('replies in a one-to-one chat: POST …/reply to the message, a text message, the output names Feishu\'s message_id', async () => {
		const { appId, credentials } = app();
		const event = incoming(appId, 'p2p');
		const message = messageOf(event);
		const before = standIn.feishu.sent.length;
		const run = await send(credentials, { text: 'Here it is' }, [event as unknown as IDataObject]);
		const sent = sentMessage(run);
		const reply = standIn.feishu.sent[before];
		expect(reply).toMatchObject({ api: 'reply', appId, replyTo: message.message_id, chatId: message.chat_id, msgType: 'text', content: { text: 'Here it is' }, replyInThread: false });
		expect(sent).toMatchObject({ service: 'feishu', messenger: 'feishu', chat: message.chat_id, kind: 'text', id: reply.messageId, chatId: message.chat_id, parentId: message.message_id });
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
		expect(run.items[0].json.schema).toBe('2.0');
	});

	it('replies in a group, from the SDK\'s flattened event and from the bare message object too', async () => {
		const { appId, credentials } = app();
		const group = chat();
		const shapes = [incoming(appId, 'group', group), incoming(appId, 'group', group), incoming(appId, 'group', group)];
		const input = [
			shapes[0] as unknown as IDataObject,
			{ ...shapes[1].event, event_type: 'im.message.receive_v1', app_id: appId } as IDataObject,
			messageOf(shapes[2]),
		];
		const before = standIn.feishu.sent.length;
		const run = await send(credentials, { text: '={{ "reply " + $itemIndex }}' }, input);
		expect(run.error).toBeUndefined();
		const replies = standIn.feishu.sent.slice(before);
		expect(replies.map((reply) => [reply.api, reply.replyTo, reply.chatId, (reply.content as IDataObject).text])).toEqual(
			shapes.map((shape, index) => ['reply', messageOf(shape).message_id, group, `reply ${index}`]),
		);
		expect(run.items.map((item) => (item.json.sentMessage as IDataObject).chat)).toEqual([group, group, group]);
	});

	it('replies in a thread with the Reply in Thread option', async () => {
		const { appId, credentials } = app();
		const before = standIn.feishu.sent.length;
		const run = await send(credentials, { text: 'in the thread', options: { replyInThread: true } }, [incoming(appId, 'group') as unknown as IDataObject]);
		expect(sentMessage(run).threadId).toMatch(/^omt_/);
		expect(standIn.feishu.sent[before]).toMatchObject({ api: 'reply', replyInThread: true });
	});

	it('sends to a chat by each ID type, receive_id_type from its shape unless the option names it', async () => {
		const { credentials } = app();
		const chatId = chat();
		const user = { openId: `ou_${hex('user-a', 32)}`, unionId: `on_${hex('user-a', 32)}`, userId: 'e1a2b3c4', email: 'li.lei@example.com' };
		standIn.feishu.addUser(user);
		const cases: Array<[string, string, Record<string, string>]> = [
			[chatId, 'chat_id', {}],
			[user.openId, 'open_id', {}],
			[user.unionId, 'union_id', {}],
			[user.email, 'email', {}],
			[user.userId, 'user_id', {}],
			[user.openId, 'open_id', { receiveIdType: 'open_id' }],
		];
		for (const [id, type, options] of cases) {
			const before = standIn.feishu.sent.length;
			const run = await send(credentials, { recipient: 'chat', chatId: ` ${id} `, text: `to ${type}`, options }, [{}]);
			const sent = sentMessage(run);
			expect(standIn.feishu.sent[before]).toMatchObject({ api: 'create', receiveId: id, receiveIdType: type, content: { text: `to ${type}` } });
			expect(sent.chat).toBe(type === 'chat_id' ? id : `${type}:${id}`);
			expect(sent.id).toBe(standIn.feishu.sent[before].messageId);
		}
	});

	it('sends the Receive ID Type option as given, over the shape (a wrong one is Feishu\'s refusal, explained)', async () => {
		const { credentials } = app();
		const openId = `ou_${hex('user-b', 32)}`;
		standIn.feishu.addUser({ openId });
		const from = standIn.requests.length;
		const run = await send(credentials, { recipient: 'chat', chatId: openId, text: 'hi', options: { receiveIdType: 'user_id' } }, [{}]);
		expect(standIn.requests.slice(from).find((request) => request.path.startsWith('/open-apis/im/v1/messages?'))?.path).toContain('receive_id_type=user_id');
		expect(run.error?.message).toBe('Feishu refused a parameter of the message');
		expect(run.error?.description).toMatch(/230001.*invalid receive_id/);
	});

	it('refuses a text over 150 KB before any call, naming the limit', async () => {
		const { appId, credentials } = app();
		const calls = standIn.feishu.calls.reply;
		const run = await send(credentials, { text: '飞'.repeat(52 * 1024) }, [incoming(appId) as unknown as IDataObject]);
		expect(run.error?.message).toMatch(/over Feishu's limit of 150 KB/);
		expect(standIn.feishu.calls.reply).toBe(calls);
	});
});

interface FileCase {
	fixture: string;
	msgType: string;
	kind: string;
	upload: 'image' | 'file';
	fileType?: string;
	fileName: string;
	/** Expected duration in ms (from the fixture's making: make-fixtures.sh) and tolerance. */
	duration?: [number, number];
}

const fileCases: FileCase[] = [
	{ fixture: 'image.jpg', msgType: 'image', kind: 'image', upload: 'image', fileName: 'upload.jpg' },
	{ fixture: 'image.png', msgType: 'image', kind: 'image', upload: 'image', fileName: 'upload.png' },
	{ fixture: 'image.webp', msgType: 'image', kind: 'image', upload: 'image', fileName: 'upload.webp' },
	{ fixture: 'video.mp4', msgType: 'media', kind: 'video', upload: 'file', fileType: 'mp4', fileName: 'upload.mp4', duration: [1546, 60] },
	{ fixture: 'voice.ogg', msgType: 'audio', kind: 'audio', upload: 'file', fileType: 'opus', fileName: 'upload.ogg', duration: [1084, 60] },
	{ fixture: 'document.pdf', msgType: 'file', kind: 'file', upload: 'file', fileType: 'pdf', fileName: 'upload.pdf' },
	{ fixture: 'document.docx', msgType: 'file', kind: 'file', upload: 'file', fileType: 'doc', fileName: 'upload.docx' },
	{ fixture: 'spreadsheet.xlsx', msgType: 'file', kind: 'file', upload: 'file', fileType: 'xls', fileName: 'upload.xlsx' },
	{ fixture: 'slides.pptx', msgType: 'file', kind: 'file', upload: 'file', fileType: 'ppt', fileName: 'upload.pptx' },
	{ fixture: 'document.doc', msgType: 'file', kind: 'file', upload: 'file', fileType: 'doc', fileName: 'upload.doc' },
	{ fixture: 'archive.zip', msgType: 'file', kind: 'file', upload: 'file', fileType: 'stream', fileName: 'upload.zip' },
	{ fixture: 'audio.mp3', msgType: 'file', kind: 'file', upload: 'file', fileType: 'stream', fileName: 'upload.mp3' },
];

describe('files', () => {
	it.each(fileCases)('$fixture labelled "upload", application/octet-stream → $msgType ($fileType), byte-identical', async (fileCase) => {
		const { appId, credentials } = app();
		const bytes = readFixture(fileCase.fixture);
		const event = incoming(appId);
		const before = standIn.feishu.sent.length;
		const run = await send(credentials, { content: 'file', text: '' }, [await withFile(event, bytes, { fileName: 'upload', mimeType: 'application/octet-stream' })]);
		const sent = sentMessage(run);
		expect(standIn.feishu.sent.length - before).toBe(1);
		const message = standIn.feishu.sent[before];
		const content = message.content as IDataObject;
		const key = (fileCase.upload === 'image' ? content.image_key : content.file_key) as string;
		const upload = standIn.feishu.upload(key)!;
		expect(upload).toMatchObject({ kind: fileCase.upload, appId, size: bytes.length, sha256: sha256(bytes) });
		expect(message).toMatchObject({ api: 'reply', msgType: fileCase.msgType });
		if (fileCase.upload === 'image') {
			expect(upload.fields).toEqual({ image_type: 'message' });
			expect(sent).toMatchObject({ imageKey: key });
		} else {
			expect(upload.fields).toMatchObject({ file_type: fileCase.fileType, file_name: fileCase.fileName });
			expect(sent).toMatchObject({ fileKey: key, fileType: fileCase.fileType });
		}
		if (fileCase.duration) {
			const [expected, tolerance] = fileCase.duration;
			expect(Math.abs(Number(upload.fields.duration) - expected)).toBeLessThanOrEqual(tolerance);
			expect(sent.durationMs).toBe(Number(upload.fields.duration));
		} else {
			expect(upload.fields.duration).toBeUndefined();
		}
		expect(sent).toMatchObject({ kind: fileCase.kind, id: message.messageId, fileName: fileCase.fileName, fileSize: bytes.length });
		expect(sent.more).toBeUndefined();
	});

	it('sends the caption as a text message right after the file, listed in more', async () => {
		const { appId, credentials } = app();
		const pdf = readFixture('document.pdf');
		const before = standIn.feishu.sent.length;
		const run = await send(credentials, { content: 'file', text: 'Your invoice' }, [await withFile(incoming(appId), pdf, { fileName: 'invoice', mimeType: 'application/octet-stream' })]);
		const sent = sentMessage(run);
		const [file, caption] = standIn.feishu.sent.slice(before);
		expect(file).toMatchObject({ msgType: 'file' });
		expect(caption).toMatchObject({ api: 'reply', msgType: 'text', content: { text: 'Your invoice' } });
		expect(sent).toMatchObject({ kind: 'file', id: file.messageId, fileName: 'invoice.pdf', more: [{ kind: 'text', id: caption.messageId }] });
	});

	it('a caption that fails after the file went out says the file was sent', async () => {
		const { appId, credentials } = app();
		standIn.feishu.setRateLimits({ perChat: 1 });
		try {
			const before = standIn.feishu.sent.length;
			const run = await send(credentials, { content: 'file', text: 'late caption', options: { maxRetries: 0 } }, [await withFile(incoming(appId), readFixture('image.png'), { mimeType: 'image/png' })]);
			const file = standIn.feishu.sent[before];
			expect(run.error?.message).toBe(`The file was sent (message_id ${file.messageId}), but the caption after it was not: Feishu is throttling messages to this chat (at most 5 per second)`);
			expect(run.error?.description).toMatch(/Retry On Fail sends only the caption/);
		} finally {
			standIn.feishu.setRateLimits({ perChat: 5 });
		}
	});

	it('sends a file to a chat named in the node', async () => {
		const { credentials } = app();
		const chatId = chat();
		const png = readFixture('image.png');
		const before = standIn.feishu.sent.length;
		const run = await send(credentials, { recipient: 'chat', chatId, content: 'file' }, [await withFile({}, png, { mimeType: 'image/png' })]);
		expect(sentMessage(run)).toMatchObject({ kind: 'image', chat: chatId, chatId });
		expect(standIn.feishu.sent[before]).toMatchObject({ api: 'create', receiveIdType: 'chat_id', receiveId: chatId, msgType: 'image' });
	});

	it('sends an image over 10 MB as a file (stream), under its real name', async () => {
		const { appId, credentials } = app();
		const big = Buffer.concat([readFixture('image.png'), Buffer.alloc(11 * 1024 * 1024)]);
		const imageCalls = standIn.feishu.calls.uploadImage;
		const run = await send(credentials, { content: 'file' }, [await withFile(incoming(appId), big, { fileName: 'poster', mimeType: 'application/octet-stream' })]);
		const sent = sentMessage(run);
		expect(sent).toMatchObject({ kind: 'file', fileType: 'stream', fileName: 'poster.png', mimeType: 'image/png' });
		expect(standIn.feishu.upload(sent.fileKey as string)).toMatchObject({ kind: 'file', size: big.length, sha256: sha256(big), fields: { file_type: 'stream', file_name: 'poster.png' } });
		expect(standIn.feishu.calls.uploadImage).toBe(imageCalls);
	});

	it('uploads a file of exactly 30 MB whole and byte-identical (streamed from filesystem storage)', async () => {
		const { appId, credentials } = app();
		const pdf = readFixture('document.pdf');
		const big = Buffer.concat([pdf, Buffer.alloc(30 * 1024 * 1024 - pdf.length, 0x20)]);
		const run = await send(credentials, { content: 'file' }, [await withFile(incoming(appId), big, { fileName: 'big.pdf', mimeType: 'application/pdf' })]);
		const sent = sentMessage(run);
		expect(standIn.feishu.upload(sent.fileKey as string)).toMatchObject({ size: big.length, sha256: sha256(big), fields: { file_type: 'pdf' } });
	});
});

describe('memory', () => {
	it('a 30 MB upload streams from binary storage: heap and buffers grow by less than 64 MB', async () => {
		const { appId, credentials } = app();
		// A PDF head, then padding made while it is read: the test never holds the file whole either.
		const head = readFixture('document.pdf');
		const size = 30 * 1024 * 1024;
		const chunkSize = 256 * 1024;
		const hash = createHash('sha256');
		const chunks = function* () {
			yield head;
			for (let offset = head.length; offset < size; offset += chunkSize) yield Buffer.alloc(Math.min(chunkSize, size - offset), 0x20);
		};
		for (const chunk of chunks()) hash.update(chunk);
		const item = { json: incoming(appId) as unknown as IDataObject, binary: { data: await storedBinary(Readable.from(chunks()), { fileName: 'big.pdf', mimeType: 'application/pdf' }) } };
		const memory = watchLiveMemory({ collectAbove: 40 * 1024 * 1024 });
		let run: NodeRun;
		let peak: number;
		try {
			run = await send(credentials, { content: 'file' }, [item]);
		} finally {
			peak = memory.stop();
		}
		const sent = sentMessage(run);
		expect(standIn.feishu.upload(sent.fileKey as string)).toMatchObject({ size, sha256: hash.digest('hex') });
		console.log(`[feishu send] 30 MB upload: peak live heap + buffers growth ${(peak / 1024 / 1024).toFixed(1)} MB (the in-process stand-in keeps up to 16 MB of it)`);
		expect(peak).toBeLessThan(64 * 1024 * 1024);
	});
});

describe('refused before any upload', () => {
	it('a file over 30 MB, naming the limit and the real type', async () => {
		const { appId, credentials } = app();
		const calls = { ...standIn.feishu.calls };
		const big = Buffer.concat([readFixture('document.pdf'), Buffer.alloc(31 * 1024 * 1024)]);
		const run = await send(credentials, { content: 'file' }, [await withFile(incoming(appId), big, { fileName: 'x', mimeType: 'application/octet-stream' })]);
		expect(run.error?.message).toMatch(/The PDF \(application\/pdf\) file is too large for Feishu \(31 MB; files up to 30 MB\)/);
		expect(run.error?.description).toMatch(/Nothing was uploaded/);
		expect(standIn.feishu.calls).toEqual(calls);
	});

	it('an image over 30 MB says images over 10 MB go as files', async () => {
		const { appId, credentials } = app();
		const big = Buffer.concat([readFixture('image.jpg'), Buffer.alloc(31 * 1024 * 1024)]);
		const uploads = standIn.feishu.calls.uploadFile + standIn.feishu.calls.uploadImage;
		const run = await send(credentials, { content: 'file' }, [await withFile(incoming(appId), big, { mimeType: 'image/jpeg' })]);
		expect(run.error?.message).toMatch(/JPG \(image\/jpeg\) file is too large for Feishu/);
		expect(run.error?.description).toMatch(/Images over 10 MB go as files/);
		expect(standIn.feishu.calls.uploadFile + standIn.feishu.calls.uploadImage).toBe(uploads);
	});

	it('an empty file', async () => {
		const { appId, credentials } = app();
		const uploads = standIn.feishu.calls.uploadFile + standIn.feishu.calls.uploadImage;
		const run = await send(credentials, { content: 'file' }, [await withFile(incoming(appId), Buffer.alloc(0), { fileName: 'empty.pdf', mimeType: 'application/pdf' })]);
		expect(run.error?.message).toMatch(/empty/);
		expect(standIn.feishu.calls.uploadFile + standIn.feishu.calls.uploadImage).toBe(uploads);
	});
});

describe('uuid', () => {
	it('is distinct for each item and each part, at most 50 characters', async () => {
		const { appId, credentials } = app();
		const from = standIn.requests.length;
		const items = [
			await withFile(incoming(appId), readFixture('image.png'), { mimeType: 'image/png' }),
			await withFile(incoming(appId), readFixture('image.png'), { mimeType: 'image/png' }),
		];
		const run = await send(credentials, { content: 'file', text: 'same caption' }, items);
		expect(run.error).toBeUndefined();
		const uuids = sendBodies(from).map((body) => body.uuid as string);
		expect(uuids).toHaveLength(4);
		expect(new Set(uuids).size).toBe(4);
		for (const uuid of uuids) expect(uuid.length).toBeLessThanOrEqual(50);
	});

	it('is the same when the node tries an item again (a 503), so Feishu delivers it once', async () => {
		const { appId, credentials } = app();
		const from = standIn.requests.length;
		const before = standIn.feishu.sent.length;
		standIn.feishu.failNext('reply', { status: 503, body: 'upstream unavailable' });
		const run = await send(credentials, { text: 'once' }, [incoming(appId)]);
		expect(run.error).toBeUndefined();
		const bodies = sendBodies(from);
		expect(bodies).toHaveLength(2);
		expect(bodies[0].uuid).toBe(bodies[1].uuid);
		expect(standIn.feishu.sent.length - before).toBe(1);
	});

	it('is the same when a send times out and the node tries it again', async () => {
		const { credentials } = app();
		const chatId = chat();
		// The first send is never answered; the node gives up after the 1 s Timeout and sends again.
		const unplug = standIn.feishu.route('POST', '/open-apis/im/v1/messages', async (ctx) => {
			unplug();
			await new Promise((resolve) => ctx.res.once('close', resolve));
		});
		const from = standIn.requests.length;
		const before = standIn.feishu.sent.length;
		const run = await send(credentials, { recipient: 'chat', chatId, text: 'despite the silence', options: { timeout: 1 } }, [{}]);
		expect(sentMessage(run).kind).toBe('text');
		const bodies = sendBodies(from);
		expect(bodies).toHaveLength(2);
		expect(bodies[1].uuid).toBe(bodies[0].uuid);
		expect(standIn.feishu.sent.length - before).toBe(1);
	});

	it("is the same when n8n's Retry On Fail runs the item again: Feishu answers with the message already sent", async () => {
		const { appId, credentials } = app();
		const event = incoming(appId);
		const from = standIn.requests.length;
		const before = standIn.feishu.sent.length;
		// One message a second to the chat: the file goes out, the caption right after it is refused (230020) and,
		// with no retries left, fails the node; Retry On Fail runs it again a second later in the same execution.
		standIn.feishu.setRateLimits({ perChat: 1 });
		try {
			const run = await runNode({
				node: 'sendMessage',
				credentials,
				parameters: sendParameters({ content: 'file', text: 'caption', options: { maxRetries: 0 } }),
				input: [await withFile(event, readFixture('image.jpg'), { mimeType: 'image/jpeg' })],
				nodeSettings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 1100 },
			});
			const sent = sentMessage(run);
			const bodies = sendBodies(from);
			expect(bodies.map((body) => body.msg_type)).toEqual(['image', 'text', 'image', 'text']);
			expect(bodies[2].uuid).toBe(bodies[0].uuid);
			expect(bodies[3].uuid).toBe(bodies[1].uuid);
			// The file arrived once: the repeat got the first message back.
			const delivered = standIn.feishu.sent.slice(before);
			expect(delivered.map((message) => message.msgType)).toEqual(['image', 'text']);
			expect(sent).toMatchObject({ id: delivered[0].messageId, more: [{ kind: 'text', id: delivered[1].messageId }] });
		} finally {
			standIn.feishu.setRateLimits({ perChat: 5 });
		}
	});
});

describe('rate limits', () => {
	it('waits out a 429 (code 99991400) for the seconds in x-ogw-ratelimit-reset', async () => {
		const { credentials } = app();
		const chatId = chat();
		standIn.feishu.failNext('send', {
			status: 429,
			body: { code: 99991400, msg: 'request trigger frequency limit' },
			headers: { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '1' },
		});
		const started = Date.now();
		const run = await send(credentials, { recipient: 'chat', chatId, text: 'after the wait' }, [{}]);
		expect(sentMessage(run).kind).toBe('text');
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
	});

	it('waits out 230020 (5 messages a second per chat) and paces a burst to one chat under it', async () => {
		const { appId, credentials } = app();
		const group = chat();
		standIn.feishu.failNext('reply', { status: 400, body: { code: 230020, msg: 'This message triggers the frequency limit' } });
		const limited = standIn.stats.feishuRateLimited;
		const before = standIn.feishu.sent.length;
		const events = Array.from({ length: 12 }, () => incoming(appId, 'group', group) as unknown as IDataObject);
		const run = await send(credentials, { text: '={{ "n" + $itemIndex }}' }, events);
		expect(run.error).toBeUndefined();
		const sent = standIn.feishu.sent.slice(before);
		expect(sent.map((message) => (message.content as IDataObject).text)).toEqual(events.map((_, index) => `n${index}`));
		// Paced under the stand-in's own 5/s per chat: no 230020 beyond the injected one.
		expect(standIn.stats.feishuRateLimited).toBe(limited);
	});

	it('explains the rate limit when Max Retries is spent', async () => {
		const { credentials } = app();
		standIn.feishu.failNext('send', { status: 429, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers: { 'x-ogw-ratelimit-reset': '0' }, times: 2 });
		const run = await send(credentials, { recipient: 'chat', chatId: chat(), text: 'hi', options: { maxRetries: 1 } }, [{}]);
		expect(run.error?.message).toBe('Feishu is throttling requests (too many per second)');
		expect(run.error?.description).toMatch(/99991400/);
	});
});

describe('errors', () => {
	it('230002: the bot is not in the group', async () => {
		const { credentials } = app();
		const run = await send(credentials, { recipient: 'chat', chatId: chat(false), text: 'hi' }, [{}]);
		expect(run.error?.message).toBe('The bot is not in the chat');
		expect(run.error?.description).toMatch(/Add the bot to the chat/);
		expect(run.error?.description).toMatch(/230002/);
	});

	it("230013: the user is outside the bot's availability range", async () => {
		const { credentials } = app();
		const openId = `ou_${hex('unavailable', 32)}`;
		standIn.feishu.addUser({ openId, available: false });
		const run = await send(credentials, { recipient: 'chat', chatId: openId, text: 'hi' }, [{}]);
		expect(run.error?.message).toBe("The user is outside the bot's availability range");
	});

	it('230034: an unknown chat; 99992354: an unknown message to reply to', async () => {
		const { appId, credentials } = app();
		const unknownChat = await send(credentials, { recipient: 'chat', chatId: `oc_${hex('nowhere', 32)}`, text: 'hi' }, [{}]);
		expect(unknownChat.error?.message).toBe('Feishu does not know this chat or user ID');
		const stray = messageReceiveEvent({ appId, messageId: `om_${hex('stray', 32)}`, messageType: 'text', content: contents.text('x') });
		const unknownMessage = await send(credentials, { text: 'hi' }, [stray as unknown as IDataObject]);
		expect(unknownMessage.error?.message).toBe('Feishu does not know the message to reply to');
	});

	const codes: Array<[number, string]> = [
		[230017, 'The bot did not upload this file or image'],
		[230025, 'The message is too long for Feishu'],
		[230055, 'The uploaded file type does not match the message type'],
		[230022, 'Feishu refused the message as sensitive content'],
		[230035, 'The bot may not send to this chat'],
	];
	it.each(codes)('%d is explained', async (code, message) => {
		const { credentials } = app();
		standIn.feishu.failNext('send', { status: 400, body: { code, msg: `Feishu message ${code}`, error: { log_id: '2026120700000000ABCDEF' } } });
		const run = await send(credentials, { recipient: 'chat', chatId: chat(), text: 'hi' }, [{}]);
		expect(run.error?.message).toBe(message);
		expect(run.error?.description).toContain(`code ${code}`);
	});

	it('99991672: a missing upload scope is named', async () => {
		const { appId, credentials } = app();
		standIn.feishu.setScopes(appId, ['im:message', 'im:message:send_as_bot']);
		const run = await send(credentials, { content: 'file' }, [await withFile(incoming(appId), readFixture('image.png'), { mimeType: 'image/png' })]);
		expect(run.error?.message).toMatch(/lacks the permission im:resource/);
	});

	it('Continue On Fail: the failed item carries the error, the next is sent, each paired with its input', async () => {
		const { appId, credentials } = app();
		const outside = incoming(appId, 'group', chat(false));
		const inside = incoming(appId, 'group');
		const run = await send(credentials, { text: 'hi' }, [outside as unknown as IDataObject, inside as unknown as IDataObject], true);
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(2);
		expect(JSON.stringify(run.items[0].json.error)).toMatch(/The bot is not in the chat/);
		expect(run.items[0].json.sentMessage).toBeUndefined();
		expect((run.items[1].json.sentMessage as IDataObject).chatId).toBe(messageOf(inside).chat_id);
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('renews an expired token once when the upload finds it (99991663), re-reading the file', async () => {
		const { appId, credentials } = app();
		await send(credentials, { text: 'first' }, [incoming(appId)]);
		standIn.feishu.expireTokens();
		const calls = standIn.feishu.calls.uploadFile;
		const accepted = standIn.feishu.uploads.length;
		const tokens = standIn.feishu.calls.token;
		const pdf = readFixture('document.pdf');
		const run = await send(credentials, { content: 'file' }, [await withFile(incoming(appId), pdf, { mimeType: 'application/pdf' })]);
		const sent = sentMessage(run);
		// The rejected upload, then the repeat with the new token (n8n ≥ 2.41 renews on the 400 itself and repeats
		// the request it raised: one try more). Every try streams the whole file again from its start.
		expect(standIn.feishu.calls.uploadFile - calls).toBeGreaterThanOrEqual(2);
		expect(standIn.feishu.calls.uploadFile - calls).toBeLessThanOrEqual(3);
		expect(standIn.feishu.uploads.length - accepted).toBe(1);
		expect(standIn.feishu.calls.token - tokens).toBe(1);
		expect(standIn.feishu.upload(sent.fileKey as string)?.sha256).toBe(sha256(pdf));
	});

	it('shows no secret (app secret, tenant token) in outputs or errors', async () => {
		const { appId, appSecret, credentials } = app();
		const ok = await send(credentials, { content: 'file', text: 'caption' }, [await withFile(incoming(appId), readFixture('image.jpg'), { mimeType: 'image/jpeg' })]);
		const failed = await send(credentials, { recipient: 'chat', chatId: chat(false), text: 'hi' }, [{}]);
		expect(failed.error).toBeDefined();
		const token = credentials.get('feishuApi').tenantAccessToken as string;
		expect(token).toMatch(/^t-/);
		for (const run of [ok, failed]) {
			const text = visible(run);
			expect(text).not.toContain(appSecret);
			expect(text).not.toContain(token);
		}
	});
});
