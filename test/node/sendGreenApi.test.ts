// Green-API's sending side (issue 18): the stand-in's sendMessage / sendFileByUpload over
// real HTTP, and the Send Message node (dist build) through n8n-core's engine against it.
import { createHash } from 'crypto';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { LoggerProxy } from 'n8n-workflow';

import { greenApiFileKind } from '../../nodes/shared/messengers/greenApi/send';
import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, runNode, storedBinary, type BinaryMode, type NodeRun } from '../helpers/engine';
import { GREEN_QUOTA_EXCEEDED_BODY, startStandIn, type GreenMessenger, type StandIn } from '../standin/server';
import { GREEN_MAX_UPLOAD_BYTES } from '../standin/greenapi';

const TOKEN = 'GreenSendToken0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8';
const WA = '1101000777';
const MAX = '3100000777';
const TG = '4100000777';
const JPEG = readFixture('image.jpg');
const OGG = readFixture('voice.ogg');

let s: StandIn;

beforeAll(async () => {
	s = await startStandIn();
	s.greenApi.addInstance({ idInstance: WA, apiTokenInstance: TOKEN, messenger: 'whatsapp' });
	s.greenApi.addInstance({ idInstance: MAX, apiTokenInstance: TOKEN, messenger: 'max' });
	s.greenApi.addInstance({ idInstance: TG, apiTokenInstance: TOKEN, messenger: 'telegram' });
});
afterAll(async () => await s.close());
beforeEach(() => {
	s.resetStats();
	s.greenApi.resetSends();
	for (const id of [WA, MAX, TG]) {
		s.greenApi.setInstanceState(id, 'authorized');
		s.greenApi.setQuotaExceeded(id, false);
	}
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// ------------------------------------------------------------------ the stand-in, real HTTP

describe('stand-in: Green-API sends', () => {
	const upload = async (path: string, form: FormData) => await fetch(`${s.greenMediaUrl}${path}`, { method: 'POST', body: form });

	test('sendMessage: WhatsApp and MAX (/v3) store the text and quote; validation, auth and quota answers', async () => {
		const post = async (path: string, body: unknown) =>
			await fetch(`${s.greenApiUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		const ok = await post(`/waInstance${WA}/sendMessage/${TOKEN}`, { chatId: '79001234567@c.us', message: 'hi', quotedMessageId: 'Q1' });
		expect(ok.status).toBe(200);
		const { idMessage } = (await ok.json()) as { idMessage: string };
		expect(idMessage).toMatch(/^3EB0[0-9A-F]{16}$/);
		expect(s.greenApi.sent[0]).toMatchObject({ method: 'sendMessage', idInstance: WA, chatId: '79001234567@c.us', message: 'hi', quotedMessageId: 'Q1', idMessage });

		expect((await post(`/v3/waInstance${MAX}/sendMessage/${TOKEN}`, { chatId: '-10000000000000', message: 'hi' })).status).toBe(200);
		expect((await post(`/waInstance${MAX}/sendMessage/${TOKEN}`, { chatId: '10000000', message: 'hi' })).status).toBe(404);
		expect((await post(`/waInstance${WA}/sendMessage/wrong-token`, { chatId: '79001234567@c.us', message: 'hi' })).status).toBe(401);
		const long = await post(`/waInstance${WA}/sendMessage/${TOKEN}`, { chatId: '79001234567@c.us', message: 'x'.repeat(20_001) });
		expect([long.status, await long.text()]).toEqual([400, "Validation failed. Details: 'message' length must be less than or equal to 20000 characters long"]);
		const badChat = await post(`/waInstance${WA}/sendMessage/${TOKEN}`, { chatId: '79001234567', message: 'hi' });
		expect(await badChat.text()).toContain("'chatId' must be one of the next formats");
		s.greenApi.setInstanceState(WA, 'notAuthorized');
		const unauthorised = await post(`/waInstance${WA}/sendMessage/${TOKEN}`, { chatId: '79001234567@c.us', message: 'hi' });
		expect([unauthorised.status, await unauthorised.text()]).toEqual([400, 'instance account not authorized']);
		s.greenApi.setInstanceState(WA, 'authorized');
		s.greenApi.setQuotaExceeded(WA, true);
		const quota = await post(`/waInstance${WA}/sendMessage/${TOKEN}`, { chatId: '79001234567@c.us', message: 'hi' });
		expect([quota.status, await quota.json()]).toEqual([466, GREEN_QUOTA_EXCEEDED_BODY]);
		expect(s.greenApi.sent).toHaveLength(2);
		expect(s.greenApi.sendCalls.sendMessage).toBe(8);
	});

	test('sendFileByUpload on the media host stores the bytes, fileName, caption and quote (WhatsApp, MAX /v3, Telegram)', async () => {
		for (const [path, chatId] of [
			[`/waInstance${WA}/sendFileByUpload/${TOKEN}`, '79001234567@c.us'],
			[`/v3/waInstance${MAX}/sendFileByUpload/${TOKEN}`, '10000000'],
			[`/waInstance${TG}/sendFileByUpload/${TOKEN}`, '-1001234567890'],
		]) {
			const form = new FormData();
			form.append('chatId', chatId);
			form.append('fileName', 'upload.jpg');
			form.append('caption', 'a photo');
			form.append('quotedMessageId', 'Q2');
			form.append('file', new Blob([JPEG], { type: 'image/jpeg' }), 'upload.jpg');
			const answer = await upload(path, form);
			expect(answer.status).toBe(200);
			const body = (await answer.json()) as { idMessage: string; urlFile: string };
			expect(body.urlFile).toMatch(/\.jpg$/);
		}
		expect(s.greenApi.sent.map((sent) => [sent.chatId, sent.fileName, sent.caption, sent.quotedMessageId, sent.fileSha256])).toEqual([
			['79001234567@c.us', 'upload.jpg', 'a photo', 'Q2', sha256(JPEG)],
			['10000000', 'upload.jpg', 'a photo', 'Q2', sha256(JPEG)],
			['-1001234567890', 'upload.jpg', 'a photo', 'Q2', sha256(JPEG)],
		]);
		expect(s.greenApi.sent[0]?.fileBytes?.equals(JPEG)).toBe(true);
		// Not on the API host, and not MAX without /v3.
		const form = new FormData();
		form.append('chatId', '79001234567@c.us');
		form.append('file', new Blob([JPEG]), 'upload.jpg');
		expect((await fetch(`${s.greenApiUrl}/waInstance${WA}/sendFileByUpload/${TOKEN}`, { method: 'POST', body: form })).status).toBe(404);
		expect((await upload(`/waInstance${MAX}/sendFileByUpload/${TOKEN}`, form)).status).toBe(404);
	});

	test('sendFileByUpload refusals: no extension, no file, not multipart, faults queued in order', async () => {
		const path = `/waInstance${WA}/sendFileByUpload/${TOKEN}`;
		const form = (fileName: string) => {
			const f = new FormData();
			f.append('chatId', '79001234567@c.us');
			f.append('fileName', fileName);
			f.append('file', new Blob([JPEG]), fileName);
			return f;
		};
		const noExtension = await upload(path, form('upload'));
		expect([noExtension.status, await noExtension.text()]).toEqual([400, "Validation failed. Details: 'fileName' must contain file extension"]);
		const noFile = new FormData();
		noFile.append('chatId', '79001234567@c.us');
		expect(await (await upload(path, noFile)).text()).toBe("Validation failed. Details: 'file' is required");
		const json = await fetch(`${s.greenMediaUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
		expect([json.status, await json.text()]).toEqual([400, 'bad request data']);

		s.greenApi.failSends(WA, 'sendFileByUpload', { status: 429, body: 'Too Many Requests', headers: { 'Retry-After': '2' } });
		s.greenApi.failSends(WA, 'sendFileByUpload', { status: 429, body: 'Too Many Requests' });
		const first = await upload(path, form('a.jpg'));
		expect([first.status, first.headers.get('retry-after')]).toEqual([429, '2']);
		const second = await upload(path, form('a.jpg'));
		expect([second.status, second.headers.get('retry-after')]).toEqual([429, null]);
		expect((await upload(path, form('a.jpg'))).status).toBe(200);
		// Every upload was read whole, refused or not.
		expect(s.greenApi.uploadBytesReceived).toBe(JPEG.length * 4);
	});

	test('sendFileByUpload of exactly 100 MB is taken; one byte more is read to the end, then refused with 413', async () => {
		const exact = new FormData();
		exact.append('chatId', '79001234567@c.us');
		exact.append('file', new Blob([Buffer.alloc(GREEN_MAX_UPLOAD_BYTES)]), 'exact.bin');
		expect((await upload(`/waInstance${WA}/sendFileByUpload/${TOKEN}`, exact)).status).toBe(200);
		expect(s.greenApi.sent[0]?.fileSize).toBe(GREEN_MAX_UPLOAD_BYTES);
		s.greenApi.resetSends();
		const form = new FormData();
		form.append('chatId', '79001234567@c.us');
		form.append('fileName', 'big.bin');
		form.append('file', new Blob([Buffer.alloc(GREEN_MAX_UPLOAD_BYTES + 1)]), 'big.bin');
		const answer = await upload(`/waInstance${WA}/sendFileByUpload/${TOKEN}`, form);
		expect([answer.status, await answer.text()]).toEqual([413, 'File exceeded max upload size. Limit: 100mb']);
		expect(s.greenApi.sent).toHaveLength(0);
	}, 60_000);
});

// ------------------------------------------------------------------ Send Message, through n8n-core's engine

function credentials(idInstance: string, messenger: GreenMessenger, token = TOKEN): CredentialStore {
	return new CredentialStore({ greenApi: { messenger, idInstance, apiTokenInstance: token, apiUrl: s.greenApiUrl, mediaUrl: s.greenMediaUrl } });
}

interface SendRun {
	parameters: IDataObject;
	options?: IDataObject;
	input?: Array<INodeExecutionData | IDataObject>;
	idInstance?: string;
	messenger?: GreenMessenger;
	continueOnFail?: boolean;
	binaryMode?: BinaryMode;
	token?: string;
}

async function send(run: SendRun): Promise<NodeRun> {
	return await runNode({
		node: 'sendMessage',
		parameters: { service: 'greenApi', recipient: 'message', content: 'text', ...run.parameters, options: { maxRetries: 2, ...run.options } } as never,
		input: run.input,
		credentials: credentials(run.idInstance ?? WA, run.messenger ?? 'whatsapp', run.token),
		binaryMode: run.binaryMode ?? 'filesystem',
		continueOnFail: run.continueOnFail,
	});
}

const webhook = (idMessage: string, chatId = '79001234567@c.us', idInstance: number | string = Number(WA)) => ({
	typeWebhook: 'incomingMessageReceived',
	instanceData: { idInstance, wid: '79990000000@c.us', typeInstance: 'whatsapp' },
	timestamp: 1_700_000_000,
	idMessage,
	senderData: { chatId, sender: chatId, senderName: 'Ann' },
	messageData: { typeMessage: 'textMessage', textMessageData: { textMessage: 'photo please' } },
});

/** An item whose binary another node stored in n8n's filesystem storage, under its own (maybe wrong) label. */
async function fileItem(bytes: Buffer, label: { fileName?: string; mimeType: string }, json: IDataObject = {}): Promise<INodeExecutionData> {
	return { json, binary: { data: await storedBinary(bytes, label, 'filesystem') } };
}

const sentOf = (run: NodeRun, index = 0) => run.items[index]?.json.sentMessage as IDataObject | undefined;

describe('Send Message through Green-API, in the engine', () => {
	test('text replies to every message form land in the chat it came from, quoted on request', async () => {
		const forms: IDataObject[] = [
			webhook('IN1'),
			{ ...webhook('IN2'), typeWebhook: 'outgoingAPIMessageReceived' },
			{ type: 'incoming', idMessage: 'IN3', chatId: '79001234567@c.us', typeMessage: 'textMessage', textMessage: 'hi' }, // getChatHistory / getMessage
			{ receiptId: 7, body: webhook('IN4', '120363043968066561@g.us') }, // a polled notification
			{ headers: {}, body: webhook('IN5') }, // n8n's Webhook node output
		];
		const run = await send({ parameters: { text: 'got it' }, options: { quoteMessage: true }, input: forms });
		expect(run.error).toBeUndefined();
		// Each chat gets its replies in the order of the items; the group's reply may go out in between.
		const inChat = (chatId: string) => s.greenApi.sent.filter((sent) => sent.chatId === chatId).map((sent) => [sent.message, sent.quotedMessageId]);
		expect(inChat('79001234567@c.us')).toEqual([
			['got it', 'IN1'],
			['got it', 'IN2'],
			['got it', 'IN3'],
			['got it', 'IN5'],
		]);
		expect(inChat('120363043968066561@g.us')).toEqual([['got it', 'IN4']]);
		expect(run.items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		const groupReply = s.greenApi.sent.find((sent) => sent.chatId === '120363043968066561@g.us');
		expect(sentOf(run, 3)).toEqual({ service: 'greenApi', messenger: 'whatsapp', chat: '120363043968066561@g.us', kind: 'text', id: groupReply?.idMessage });
		// No quote unless asked; Link Preview passed on.
		await send({ parameters: { text: 'plain https://example.com' }, options: { linkPreview: false }, input: [webhook('IN6')] });
		expect(s.greenApi.sent[5]).toMatchObject({ message: 'plain https://example.com', quotedMessageId: undefined, linkPreview: false });
	});

	test('items to different chats go out in parallel, each chat in item order', async () => {
		const A = '79001111111@c.us';
		const B = '79002222222@c.us';
		const input = [A, A, A, B, B, B, A].map((chatId, i) => ({ chatId, text: `${chatId === A ? 'A' : 'B'}${i}` }));
		const run = await send({ parameters: { recipient: 'chat', chatId: '={{ $json.chatId }}', text: '={{ $json.text }}' }, options: { concurrency: 4 }, input });
		expect(run.error).toBeUndefined();
		const order = s.greenApi.sent.map((sent) => sent.message);
		expect(order.filter((text) => text?.startsWith('A'))).toEqual(['A0', 'A1', 'A2', 'A6']);
		expect(order.filter((text) => text?.startsWith('B'))).toEqual(['B3', 'B4', 'B5']);
		// Chat B did not wait for chat A's earlier items.
		expect(order.indexOf('B3')).toBeLessThan(order.indexOf('A2'));
		expect(run.items.map((item) => (item.json.sentMessage as IDataObject).chat)).toEqual(input.map((item) => item.chatId));
		expect(run.items.map((item) => item.pairedItem)).toEqual(input.map((_, item) => ({ item })));
	});

	test('by default 20 chats at once, the next message to a chat only after its answer', async () => {
		// Items 0–24 to chats c0–c24, items 25–29 again to c0–c4.
		const chatOf = (i: number) => `7900000${String(i % 25).padStart(4, '0')}@c.us`;
		const input = Array.from({ length: 30 }, (_, i) => ({ chatId: chatOf(i), text: `T${i}` }));
		s.greenApi.holdSends();
		const running = send({ parameters: { recipient: 'chat', chatId: '={{ $json.chatId }}', text: '={{ $json.text }}' }, input });
		const deadline = Date.now() + 10_000;
		while (s.greenApi.heldSends < 20 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
		await new Promise((resolve) => setTimeout(resolve, 200)); // a 21st would have arrived by now
		expect(s.greenApi.heldSends).toBe(20);
		expect(s.greenApi.sent.map((sent) => sent.message).sort()).toEqual(input.slice(0, 20).map((item) => item.text).sort());
		s.greenApi.releaseSends();
		const run = await running;
		expect(run.error).toBeUndefined();
		const order = s.greenApi.sent.map((sent) => sent.message);
		for (let chat = 0; chat < 5; chat++) expect(order.indexOf(`T${chat}`)).toBeLessThan(order.indexOf(`T${chat + 25}`));
		expect(order).toHaveLength(30);
		expect(run.items.map((item) => (item.json.sentMessage as IDataObject).chat)).toEqual(input.map((item) => item.chatId));
	});

	test("120 replies to 120 chats at the default concurrency against Green-API's 50 sends a second: every reply sent, no 429 reaches the user", async () => {
		const limited = await startStandIn({ greenSendRateLimitPerSecond: 50 });
		try {
			limited.greenApi.addInstance({ idInstance: WA, apiTokenInstance: TOKEN, messenger: 'whatsapp' });
			const input = Array.from({ length: 120 }, (_, i) => ({ chatId: `7900${String(1000000 + i)}@c.us`, text: `R${i}` }));
			const started = Date.now();
			const run = await runNode({
				node: 'sendMessage',
				parameters: { service: 'greenApi', recipient: 'chat', chatId: '={{ $json.chatId }}', content: 'text', text: '={{ $json.text }}', options: { maxRetries: 0 } } as never,
				input,
				credentials: new CredentialStore({ greenApi: { messenger: 'whatsapp', idInstance: WA, apiTokenInstance: TOKEN, apiUrl: limited.greenApiUrl, mediaUrl: limited.greenMediaUrl } }),
			});
			expect(run.error).toBeUndefined();
			expect(run.items.map((item) => (item.json.sentMessage as IDataObject).chat)).toEqual(input.map((item) => item.chatId));
			expect(limited.greenApi.sent.map((sent) => sent.message).sort()).toEqual(input.map((item) => item.text).sort());
			// 120 sends at 50 a second take two windows at least; the burst's 429s were waited out, not retried away (Max Retries 0).
			expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
			expect(limited.stats.rateLimited429).toBeGreaterThan(0);
		} finally {
			await limited.close();
		}
	});

	test('fields mapped as {{ $json.field }} read the item as n8n would; other expressions are evaluated', async () => {
		const input = [
			{ chatId: '79001111111@c.us', text: 'plain' },
			{ chatId: '79001111111@c.us', text: 'bracketed' },
			{ chatId: '79001111111@c.us', text: 'with suffix' },
		];
		const run = await send({
			parameters: { recipient: 'chat', chatId: '={{ $json.chatId }}', text: '={{ $json["text"] }}' },
			input: input.slice(0, 2),
		});
		expect(run.error).toBeUndefined();
		const suffixed = await send({ parameters: { recipient: 'chat', chatId: '={{ $json.chatId }}', text: '={{ $json.text }}!' }, input: input.slice(2) });
		expect(suffixed.error).toBeUndefined();
		expect(s.greenApi.sent.map((sent) => [sent.chatId, sent.message])).toEqual([
			['79001111111@c.us', 'plain'],
			['79001111111@c.us', 'bracketed'],
			['79001111111@c.us', 'with suffix!'],
		]);
		// A MAX chat ID that is a number in the item, and a text field the item lacks.
		const max = await send({ idInstance: MAX, messenger: 'max', parameters: { recipient: 'chat', chatId: '={{ $json.chat }}', text: '={{ $json.text }}' }, input: [{ chat: -10000000000000, text: 'to MAX' }] });
		expect(sentOf(max)).toMatchObject({ messenger: 'max', chat: '-10000000000000' });
		const missing = await send({ parameters: { recipient: 'chat', chatId: '={{ $json.chatId }}', text: '={{ $json.reply }}' }, input: [input[0]] });
		expect(missing.error?.message).toBe('Text is empty');
	});

	test('with Concurrency 1 every item waits for the one before it, whatever its chat', async () => {
		const input = Array.from({ length: 6 }, (_, i) => ({ chatId: `7900000000${i}@c.us`, text: `T${i}` }));
		const run = await send({ parameters: { recipient: 'chat', chatId: '={{ $json.chatId }}', text: '={{ $json.text }}' }, options: { concurrency: 1 }, input });
		expect(run.error).toBeUndefined();
		expect(s.greenApi.sent.map((sent) => sent.message)).toEqual(['T0', 'T1', 'T2', 'T3', 'T4', 'T5']);
	});

	test('a chat named by the user, numbers from expressions included (MAX under /v3, Telegram)', async () => {
		const max = await send({ idInstance: MAX, messenger: 'max', parameters: { recipient: 'chat', chatId: '={{ -10000000000000 }}', text: 'to a MAX group' } });
		expect(max.error).toBeUndefined();
		expect(sentOf(max)).toMatchObject({ messenger: 'max', chat: '-10000000000000', kind: 'text' });
		const telegram = await send({ idInstance: TG, messenger: 'telegram', parameters: { recipient: 'chat', chatId: '123456789', text: 'to Telegram' } });
		expect(sentOf(telegram)).toMatchObject({ messenger: 'telegram', chat: '123456789' });
		expect(s.requests.filter((r) => r.role === 'greenApi').map((r) => r.path.replace(TOKEN, 'TOKEN'))).toEqual([
			`/v3/waInstance${MAX}/sendMessage/TOKEN`,
			`/waInstance${TG}/sendMessage/TOKEN`,
		]);
	});

	test('a JPEG named "upload" labelled octet-stream arrives as upload.jpg, an Ogg Opus voice note as .ogg, byte-identical (WhatsApp, MAX /v3, Telegram)', async () => {
		for (const [idInstance, messenger, chatId] of [
			[WA, 'whatsapp', '79001234567@c.us'],
			[MAX, 'max', '10000000'],
			[TG, 'telegram', '-1001234567890'],
		] as const) {
			const run = await send({
				idInstance,
				messenger,
				parameters: { recipient: 'chat', chatId, content: 'file', text: 'the scan' },
				input: [await fileItem(JPEG, { fileName: 'upload', mimeType: 'application/octet-stream' }), await fileItem(OGG, { fileName: 'voice', mimeType: 'application/octet-stream' })],
			});
			expect(run.error).toBeUndefined();
			expect(run.items.map((item) => (item.json.sentMessage as IDataObject).kind)).toEqual(['image', 'audio']);
			expect(sentOf(run)).toMatchObject({ messenger, chat: chatId, fileName: 'upload.jpg', mimeType: 'image/jpeg', fileSize: JPEG.length });
			expect(sentOf(run, 1)).toMatchObject({ fileName: 'voice.ogg', mimeType: 'audio/ogg' });
			expect(sentOf(run)?.urlFile).toMatch(/\/sent\/\d+\/[\w-]+\.jpg$/);
			// A voice note shows no caption: the text follows it as a message of its own.
			expect(sentOf(run)?.more).toBeUndefined();
			expect(sentOf(run, 1)?.more).toEqual([{ kind: 'text', id: s.greenApi.sent.at(-1)?.idMessage }]);
		}
		expect(s.greenApi.sent.map((sent) => [sent.method, sent.idInstance, sent.fileName, sent.partFileName, sent.partMimeType, sent.caption ?? sent.message, sent.fileSha256])).toEqual(
			[WA, MAX, TG].flatMap((id) => [
				['sendFileByUpload', id, 'upload.jpg', 'upload.jpg', 'image/jpeg', 'the scan', sha256(JPEG)],
				['sendFileByUpload', id, 'voice.ogg', 'voice.ogg', 'audio/ogg', undefined, sha256(OGG)],
				['sendMessage', id, undefined, undefined, undefined, 'the scan', undefined],
			]),
		);
		expect(s.requests.filter((r) => r.role === 'greenMedia').map((r) => r.path.replace(TOKEN, 'TOKEN').replace(/\d{10}/, 'ID'))).toEqual([
			'/waInstanceID/sendFileByUpload/TOKEN',
			'/waInstanceID/sendFileByUpload/TOKEN',
			'/v3/waInstanceID/sendFileByUpload/TOKEN',
			'/v3/waInstanceID/sendFileByUpload/TOKEN',
			'/waInstanceID/sendFileByUpload/TOKEN',
			'/waInstanceID/sendFileByUpload/TOKEN',
		]);
	});

	test('a file reply quotes the incoming message in its chat, the caption from Text; a document\'s text follows it', async () => {
		const run = await send({ parameters: { content: 'file', text: 'here it is' }, options: { quoteMessage: true }, input: [await fileItem(JPEG, { fileName: 'photo.jpg', mimeType: 'image/jpeg' }, webhook('F1', '79005554433@c.us'))] });
		expect(run.error).toBeUndefined();
		expect(s.greenApi.sent[0]).toMatchObject({ chatId: '79005554433@c.us', quotedMessageId: 'F1', caption: 'here it is', fileName: 'photo.jpg' });

		const PDF = readFixture('document.pdf');
		const pdf = await send({ parameters: { content: 'file', text: 'your invoice' }, options: { quoteMessage: true }, input: [await fileItem(PDF, { fileName: 'invoice', mimeType: 'application/octet-stream' }, webhook('F2'))] });
		expect(sentOf(pdf)).toMatchObject({ kind: 'file', fileName: 'invoice.pdf', mimeType: 'application/pdf', more: [{ kind: 'text', id: s.greenApi.sent[2]?.idMessage }] });
		expect(s.greenApi.sent.slice(1).map((sent) => [sent.method, sent.fileName, sent.caption, sent.message, sent.quotedMessageId])).toEqual([
			['sendFileByUpload', 'invoice.pdf', undefined, undefined, 'F2'],
			['sendMessage', undefined, undefined, 'your invoice', undefined],
		]);

		// The text after a sent file fails: the error says the file went, so a rerun would send it again.
		s.greenApi.failSends(WA, 'sendMessage', { status: 400, body: 'bad request data' });
		const half = await send({ parameters: { content: 'file', text: 'your invoice' }, input: [await fileItem(PDF, { fileName: 'invoice.pdf', mimeType: 'application/pdf' }, webhook('F3'))] });
		expect(half.error?.message).toBe(`The file was sent (idMessage ${s.greenApi.sent[3]?.idMessage}), but the text after it was not: Green-API refused the message`);
		expect(half.error?.description).toContain('would send the file a second time');
	});

	test('429 with and without Retry-After is waited out; every upload try re-reads the file from the start', async () => {
		s.greenApi.failSends(WA, 'sendFileByUpload', { status: 429, body: 'Too Many Requests', headers: { 'Retry-After': '1' } });
		s.greenApi.failSends(WA, 'sendFileByUpload', { status: 429, body: 'Too Many Requests' });
		const started = Date.now();
		const run = await send({ parameters: { recipient: 'chat', chatId: '79001234567@c.us', content: 'file' }, input: [await fileItem(JPEG, { fileName: 'upload', mimeType: 'application/octet-stream' })] });
		expect(run.error).toBeUndefined();
		expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
		expect(s.greenApi.sendCalls.sendFileByUpload).toBe(3);
		expect(s.greenApi.uploadBytesReceived).toBe(JPEG.length * 3);
		expect(s.greenApi.sent.map((sent) => sent.fileSha256)).toEqual([sha256(JPEG)]);

		// An instance that served this process lately: its 429s are other processes' traffic, waited out without spending retries.
		await send({ parameters: { text: 'warm up' }, input: [webhook('IN7')] });
		s.greenApi.failSends(WA, 'sendMessage', { status: 429, body: 'Too Many Requests', times: 3 });
		const contended = await send({ parameters: { text: 'hi' }, options: { maxRetries: 0 }, input: [webhook('IN8')] });
		expect(contended.error).toBeUndefined();
		expect(s.greenApi.sendCalls.sendMessage).toBe(5);

		// An instance that served nothing lately: a 429 is a refusal, retried within Max Retries, then explained.
		const fresh = '1101000888';
		s.greenApi.addInstance({ idInstance: fresh, apiTokenInstance: TOKEN, messenger: 'whatsapp' });
		s.greenApi.failSends(fresh, 'sendMessage', { status: 429, body: 'Too Many Requests', times: 5 });
		const refused = await send({ idInstance: fresh, parameters: { recipient: 'chat', chatId: '79001234567@c.us', text: 'hi' }, options: { maxRetries: 1 } });
		expect(refused.error?.message).toBe('Green-API is rate-limiting this instance');
		expect(refused.error?.description).toContain('50 sendMessage calls a second');
		expect(s.greenApi.sendCalls.sendMessage).toBe(7);
	});

	test('errors explained: quota, instance not authorised, chat ID refused, wrong instance, text too long', async () => {
		s.greenApi.setQuotaExceeded(WA, true);
		const quota = await send({ parameters: { text: 'hi' }, input: [webhook('Q1')] });
		expect(quota.error?.message).toBe("The instance's monthly quotas of API calls and of chats are used up");
		expect(quota.error?.description).toContain('CORRESPONDENTS_QUOTE_EXCEEDED');
		s.greenApi.setQuotaExceeded(WA, false);

		s.greenApi.setInstanceState(WA, 'notAuthorized');
		const unauthorised = await send({ parameters: { content: 'file', recipient: 'chat', chatId: '79001234567@c.us' }, input: [await fileItem(JPEG, { mimeType: 'image/jpeg' })] });
		expect(unauthorised.error?.message).toBe('The Green-API instance is not linked to a WhatsApp account');
		s.greenApi.setInstanceState(WA, 'authorized');

		const badChat = await send({ parameters: { recipient: 'chat', chatId: '79001234567', text: 'hi' } });
		expect(badChat.error?.message).toBe('Green-API refused the chat ID');
		expect(badChat.error?.description).toContain('79001234567@c.us');

		const elsewhere = await send({ parameters: { text: 'hi' }, input: [webhook('W1', '79001234567@c.us', 1101999999)] });
		expect(elsewhere.error?.message).toBe(`The message arrived at instance 1101999999, but the credential is for instance ${WA}`);

		const long = await send({ parameters: { recipient: 'chat', chatId: '79001234567@c.us', text: 'x'.repeat(20_001) } });
		expect(long.error?.message).toBe("Text is 20001 characters, over Green-API's limit of 20000");

		const noChat = await send({ parameters: { text: 'hi' }, input: [{ typeWebhook: 'stateInstanceChanged', instanceData: { idInstance: Number(WA) }, stateInstance: 'authorized' }] });
		expect(noChat.error?.message).toBe('The Green-API message names no chat to reply to');
		expect(s.greenApi.sendCalls.sendMessage).toBe(2);
	});

	test('over 100 MB and empty files are refused before any upload', async () => {
		// 100 MB + 1 of zeros stored by "another node": refused from its size, nothing sent.
		const big = Buffer.alloc(GREEN_MAX_UPLOAD_BYTES + 1);
		JPEG.copy(big);
		const run = await send({ parameters: { recipient: 'chat', chatId: '79001234567@c.us', content: 'file' }, input: [await fileItem(big, { fileName: 'film', mimeType: 'application/octet-stream' })] });
		expect(run.error?.message).toBe("The file is 100.0 MB, over Green-API's 100 MB limit for WhatsApp");
		expect(run.error?.description).toContain('Nothing was uploaded');
		expect(s.greenApi.sendCalls.sendFileByUpload).toBe(0);
		expect(s.requests.filter((r) => r.role === 'greenMedia')).toHaveLength(0);
	}, 60_000);

	test('Continue On Fail: the failed item carries the error, the others are sent, pairing kept', async () => {
		const run = await send({ continueOnFail: true, parameters: { text: 'ok' }, input: [webhook('C1'), { nothing: true }, webhook('C3')] });
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => [item.pairedItem, Boolean(item.json.sentMessage), typeof item.json.error])).toEqual([
			[{ item: 0 }, true, 'undefined'],
			[{ item: 1 }, false, 'string'],
			[{ item: 2 }, true, 'undefined'],
		]);
		expect(s.greenApi.sent.map((sent) => sent.quotedMessageId ?? sent.chatId)).toEqual(['79001234567@c.us', '79001234567@c.us']);
	});

	test('the API token appears in no output, error or log line, though every request carried it', async () => {
		const logs: string[] = [];
		const record = (message: string, meta?: object) => void logs.push(`${message} ${JSON.stringify(meta ?? {})}`);
		LoggerProxy.init({ error: record, warn: record, info: record, debug: record });
		const runs: NodeRun[] = [];
		const failures: Array<() => void> = [
			() => s.greenApi.setInstanceState(WA, 'notAuthorized'),
			() => s.greenApi.setQuotaExceeded(WA, true),
			() => s.greenApi.failSends(WA, 'sendMessage', { status: 400, body: `Validation failed. Details: token ${TOKEN} echoed` }),
			() => s.greenApi.failSends(WA, 'sendFileByUpload', { status: 502, body: 'Bad Gateway', times: 9 }),
			() => undefined,
		];
		for (const prepare of failures) {
			for (const continueOnFail of [false, true]) {
				s.greenApi.setInstanceState(WA, 'authorized');
				s.greenApi.setQuotaExceeded(WA, false);
				s.greenApi.resetSends();
				prepare();
				runs.push(await send({ continueOnFail, parameters: { text: 'hi' }, options: { maxRetries: 0 }, input: [webhook('S1')] }));
				runs.push(await send({ continueOnFail, parameters: { content: 'file', text: 'cap' }, options: { maxRetries: 0 }, input: [await fileItem(JPEG, { fileName: 'upload', mimeType: 'image/jpeg' }, webhook('S2'))] }));
			}
		}
		// A wrong token: Green-API answers 401 to a URL holding it.
		runs.push(await send({ token: `${TOKEN}x`, parameters: { text: 'hi' }, input: [webhook('S3')] }));
		expect(runs.at(-1)?.error?.message).toBe('Green-API rejected the API token');
		const text =
			runs
				.map((run) => {
					const error = run.error as (Error & { description?: string }) | undefined;
					return [JSON.stringify(run.items.map((item) => item.json)), JSON.stringify(run.run.data.resultData), error?.message, error?.description, error?.stack].join('\n');
				})
				.join('\n') + logs.join('\n');
		expect(runs.filter((run) => run.error || run.items.some((item) => item.json.error)).length).toBeGreaterThanOrEqual(9);
		expect(s.requests.some((request) => request.path.includes(TOKEN))).toBe(true);
		expect(text.includes(TOKEN)).toBe(false);
		expect(text).toContain('token *** echoed');
	});
});

test('kind from the real MIME type, as the messenger shows the extension', () => {
	expect(['image/jpeg', 'image/png', 'video/mp4', 'audio/ogg', 'audio/mpeg', 'application/pdf', 'image/tiff', 'audio/wav'].map(greenApiFileKind)).toEqual([
		'image',
		'image',
		'video',
		'audio',
		'audio',
		'file',
		'file',
		'file',
	]);
});
