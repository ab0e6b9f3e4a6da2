/**
 * Issue 4: `source: message` — the node takes the incoming DingTalk robot message or
 * Green-API webhook / journal message as it arrived and downloads the file(s) in it.
 * Everything runs through n8n-core's real engine against the local stand-in servers.
 */
import { createHash } from 'crypto';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, binaryBuffer, runNode, type NodeRun } from '../helpers/engine';
import { startStandIn, type StandIn } from '../standin/server';

const APP_KEY = 'dingmsgapp';
const APP_SECRET = 'msg-app-secret-value';
/** The robot the messages were sent to; not the credential's default, so the tests show which one was used. */
const MESSAGE_ROBOT = 'dingrobot7f3a';
const DEFAULT_ROBOT = 'dingdefaultrobot';

const WA_INSTANCE = 1101000001;
const WA_TOKEN = 'wa-token-0123456789abcdef';
const MAX_INSTANCE = 3100000000;
const MAX_TOKEN = 'max-token-0123456789abcdef';

let standIn: StandIn;
let dingTalk: CredentialStore;
let whatsApp: CredentialStore;
let max: CredentialStore;

beforeAll(async () => {
	standIn = await startStandIn();
	standIn.dingTalk.addApp({ appKey: APP_KEY, appSecret: APP_SECRET });
	standIn.greenApi.addInstance({ idInstance: WA_INSTANCE, apiTokenInstance: WA_TOKEN, messenger: 'whatsapp' });
	standIn.greenApi.addInstance({ idInstance: MAX_INSTANCE, apiTokenInstance: MAX_TOKEN, messenger: 'max' });
	dingTalk = new CredentialStore({
		dingTalkApi: { appType: 'internal', appKey: APP_KEY, appSecret: APP_SECRET, robotCode: DEFAULT_ROBOT, baseUrl: standIn.dingTalkUrl },
	});
	whatsApp = new CredentialStore({
		greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, idInstance: String(WA_INSTANCE), apiTokenInstance: WA_TOKEN, messenger: 'whatsapp' },
	});
	max = new CredentialStore({
		greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, idInstance: String(MAX_INSTANCE), apiTokenInstance: MAX_TOKEN, messenger: 'max' },
	});
});
afterAll(async () => await standIn.close());
beforeEach(() => standIn.resetStats());

// ---------------------------------------------------------------- helpers

let sequence = 0;
/** A unique suffix, so every test registers its own codes and message IDs. */
function unique(prefix: string): string {
	return `${prefix}${++sequence}${Date.now().toString(36)}`;
}

function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

async function expectBytes(item: INodeExecutionData, fixture: string, property = 'data'): Promise<void> {
	const binary = item.binary?.[property];
	expect(binary).toBeDefined();
	expect(sha256(await binaryBuffer(binary!))).toBe(sha256(readFixture(fixture)));
}

function messageFile(item: INodeExecutionData): IDataObject {
	return item.json.messageFile as IDataObject;
}

function pairedIndexes(run: NodeRun): number[] {
	return run.items.map((item) => (item.pairedItem as { item: number }).item);
}

function fromMessage(service: 'dingTalk' | 'greenApi', extra: INodeParameters = {}): INodeParameters {
	return { service, source: 'message', message: '={{ $json }}', ...extra };
}

function expectNoError(run: NodeRun): void {
	if (run.error) throw new Error(`node failed: ${run.error.message} — ${run.error.description ?? ''}`);
}

/** A DingTalk HTTP-callback robot message, as DingTalk POSTs it (one-to-one chat). */
function dingTalkMessage(msgtype: string, content: IDataObject, overrides: IDataObject = {}): IDataObject {
	return {
		conversationId: 'cidp8Yf2qK0xLr5mZ9wQ3aBcw==',
		chatbotCorpId: 'ding9f50b15bccd16741',
		chatbotUserId: '$:LWCP_v1:$Hu3kXq0t9vJ2dQ==',
		msgId: unique('msgQ1x'),
		senderNick: '张三',
		isAdmin: false,
		senderStaffId: 'manager4220',
		sessionWebhookExpiredTime: 1_717_000_000_000,
		createAt: 1_716_993_000_000,
		senderCorpId: 'ding9f50b15bccd16741',
		conversationType: '1',
		senderId: '$:LWCP_v1:$s3nd3rXyZ==',
		sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=5fa3e1c2',
		robotCode: MESSAGE_ROBOT,
		msgtype,
		content,
		...overrides,
	};
}

/** Registers a file with the DingTalk stand-in and returns its download code. */
function dingTalkFile(fixture: string, robotCode = MESSAGE_ROBOT): string {
	const downloadCode = unique('mIofN681YE3f/+m+NntqpT');
	standIn.dingTalk.addFile({ downloadCode, robotCode, body: readFixture(fixture) });
	return downloadCode;
}

function downloadCallBodies(): IDataObject[] {
	return standIn.requests
		.filter((request) => request.role === 'dingTalk' && request.path.startsWith('/v1.0/robot/messageFiles/download'))
		.map((request) => JSON.parse(String(request.body)) as IDataObject);
}

interface GreenFile {
	idMessage: string;
	chatId: string;
	directUrl: string;
}

function greenFile(fixture: string, options: { instance?: number; linkExtension?: string; chatId?: string } = {}): GreenFile {
	const idMessage = unique('3EB0D00923D87A3FA0');
	const chatId = options.chatId ?? '79001234567@c.us';
	const { directUrl } = standIn.greenApi.addFile({
		idInstance: options.instance ?? WA_INSTANCE,
		chatId,
		idMessage,
		body: readFixture(fixture),
		linkExtension: options.linkExtension,
	});
	return { idMessage, chatId, directUrl };
}

/** An `incomingMessageReceived` webhook with a file, as Green-API POSTs it. */
function greenWebhook(
	file: { idMessage: string; chatId: string },
	typeMessage: string,
	fileMessageData: IDataObject,
	options: { instance?: number; typeInstance?: string; typeWebhook?: string } = {},
): IDataObject {
	return {
		typeWebhook: options.typeWebhook ?? 'incomingMessageReceived',
		instanceData: {
			idInstance: options.instance ?? WA_INSTANCE,
			wid: '79876543210@c.us',
			typeInstance: options.typeInstance ?? 'whatsapp',
		},
		timestamp: 1_716_993_123,
		idMessage: file.idMessage,
		senderData: {
			chatId: file.chatId,
			chatName: 'Ivan',
			sender: file.chatId,
			senderName: 'Ivan Petrov',
			senderContactName: '',
		},
		messageData: {
			typeMessage,
			fileMessageData: { caption: '', jpegThumbnail: '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJCgkJ', isForwarded: false, forwardingScore: 0, ...fileMessageData },
		},
	};
}

// ---------------------------------------------------------------- DingTalk

describe('DingTalk robot messages', () => {
	test('picture (HTTP callback object): downloads the picture, names it after the message, keeps the message info', async () => {
		const code = dingTalkFile('image.jpg');
		const message = dingTalkMessage('picture', { pictureDownloadCode: `${code}-picture`, downloadCode: code });
		// Only the service is set: source (message) and Message ({{ $json }}) are the defaults.
		const run = await runNode({ parameters: { service: 'dingTalk' }, input: [message], credentials: dingTalk, binaryMode: 'memory' });
		expectNoError(run);
		expect(run.items).toHaveLength(1);
		await expectBytes(run.items[0], 'image.jpg');
		expect(messageFile(run.items[0])).toMatchObject({
			service: 'dingTalk',
			messageId: message.msgId,
			messageType: 'picture',
			conversationId: message.conversationId,
			conversationType: '1',
			senderId: message.senderId,
			senderStaffId: 'manager4220',
			senderNick: '张三',
			createAt: message.createAt,
			robotCode: MESSAGE_ROBOT,
			fileName: `dingtalk-${String(message.msgId)}.jpg`,
			mimeType: 'image/jpeg',
			fileExtension: 'jpg',
			fileSize: readFixture('image.jpg').length,
		});
		// The input item's json stays, so sessionWebhook etc. are still there to reply with.
		expect(run.items[0].json.sessionWebhook).toBe(message.sessionWebhook);
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
		expect(standIn.stats.dingTalkDownloadCalls).toBe(1);
	});

	test('file with fileName: keeps the sender’s name', async () => {
		const code = dingTalkFile('document.docx');
		const message = dingTalkMessage('file', { spaceId: '24356787654', fileName: 'Договор 2024.docx', downloadCode: code, fileId: '143265434567' });
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [message], credentials: dingTalk, binaryMode: 'filesystem' });
		expectNoError(run);
		await expectBytes(run.items[0], 'document.docx');
		expect(run.items[0].binary!.data.fileName).toBe('Договор 2024.docx');
		expect(messageFile(run.items[0])).toMatchObject({
			messageType: 'file',
			fileName: 'Договор 2024.docx',
			mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
			fileExtension: 'docx',
			spaceId: '24356787654',
			fileId: '143265434567',
		});
	});

	test('file without extension: a PDF named 季度报告 becomes 季度报告.pdf', async () => {
		const code = dingTalkFile('document.pdf');
		const message = dingTalkMessage('file', { spaceId: '1', fileName: '季度报告', downloadCode: code, fileId: '2' });
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [message], credentials: dingTalk, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'document.pdf');
		expect(run.items[0].binary!.data).toMatchObject({ fileName: '季度报告.pdf', mimeType: 'application/pdf', fileExtension: 'pdf' });
		expect(messageFile(run.items[0])).toMatchObject({ fileName: '季度报告.pdf', mimeType: 'application/pdf', fileExtension: 'pdf', typeSource: 'bytes' });
	});

	test('audio: recognition and duration are in messageFile, the AMR voice note is audio/amr', async () => {
		const code = dingTalkFile('voice.amr');
		const message = dingTalkMessage('audio', { duration: 4000, downloadCode: code, recognition: '你好，请把报告发给我' });
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [message], credentials: dingTalk, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'voice.amr');
		expect(messageFile(run.items[0])).toMatchObject({
			messageType: 'audio',
			recognition: '你好，请把报告发给我',
			duration: 4000,
			mimeType: 'audio/amr',
			fileExtension: 'amr',
			fileName: `dingtalk-${String(message.msgId)}.amr`,
		});
	});

	test('video: mp4 with duration and videoType', async () => {
		const code = dingTalkFile('video.mp4');
		const message = dingTalkMessage('video', { duration: '2', downloadCode: code, videoType: 'mp4' });
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [message], credentials: dingTalk, binaryMode: 'filesystem' });
		expectNoError(run);
		await expectBytes(run.items[0], 'video.mp4');
		expect(messageFile(run.items[0])).toMatchObject({ messageType: 'video', duration: '2', videoType: 'mp4', mimeType: 'video/mp4', fileExtension: 'mp4' });
	});

	test('richText with 3 pictures: 3 output items, each paired with its source item, pictureIndex 0..2', async () => {
		const pictures = ['image.png', 'image.jpg', 'image.gif'];
		const codes = pictures.map((fixture) => dingTalkFile(fixture));
		const richText = dingTalkMessage('richText', {
			richText: [
				{ text: '这三张图' },
				{ type: 'picture', pictureDownloadCode: `${codes[0]}-p`, downloadCode: codes[0] },
				{ text: '\n' },
				{ type: 'picture', pictureDownloadCode: `${codes[1]}-p`, downloadCode: codes[1] },
				{ type: 'picture', pictureDownloadCode: `${codes[2]}-p`, downloadCode: codes[2] },
				{ text: '看一下' },
			],
		});
		const singleCode = dingTalkFile('image.webp');
		const single = dingTalkMessage('picture', { downloadCode: singleCode });
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [richText, single], credentials: dingTalk, binaryMode: 'memory' });
		expectNoError(run);
		expect(run.items).toHaveLength(4);
		expect(pairedIndexes(run)).toEqual([0, 0, 0, 1]);
		for (const [index, fixture] of pictures.entries()) {
			await expectBytes(run.items[index], fixture);
			expect(messageFile(run.items[index])).toMatchObject({
				messageType: 'richText',
				messageId: richText.msgId,
				pictureIndex: index,
				pictureCount: 3,
				text: '这三张图\n看一下',
				fileName: `dingtalk-${String(richText.msgId)}-${index + 1}.${fixture.split('.')[1]}`,
			});
		}
		await expectBytes(run.items[3], 'image.webp');
		expect(messageFile(run.items[3]).messageId).toBe(single.msgId);
		expect(downloadCallBodies().map((body) => body.downloadCode).sort()).toEqual([...codes, singleCode].sort());
	});

	test('Stream mode: the message as a JSON string in the frame’s data', async () => {
		const code = dingTalkFile('image.png');
		const message = dingTalkMessage('picture', { downloadCode: code });
		const frame = {
			specVersion: '1.0',
			type: 'CALLBACK',
			headers: {
				appId: 'a1b2c3',
				connectionId: 'c0ffee',
				contentType: 'application/json',
				messageId: 'frame-1',
				time: '1716993000000',
				topic: '/v1.0/im/bot/messages/get',
			},
			data: JSON.stringify(message),
		};
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [frame], credentials: dingTalk, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'image.png');
		expect(messageFile(run.items[0])).toMatchObject({
			messageId: message.msgId,
			messageType: 'picture',
			mimeType: 'image/png',
			// the reply address, which $json only holds inside the JSON text
			sessionWebhook: message.sessionWebhook,
			sessionWebhookExpiredTime: message.sessionWebhookExpiredTime,
		});
		expect(run.items[0].json.data).toBe(frame.data); // the input item is kept as it was
	});

	test('the whole message as a JSON string', async () => {
		const code = dingTalkFile('image.webp');
		const message = dingTalkMessage('picture', { downloadCode: code });
		const run = await runNode({
			parameters: fromMessage('dingTalk', { message: '={{ $json.raw }}' }),
			input: [{ raw: JSON.stringify(message) }],
			credentials: dingTalk,
			binaryMode: 'memory',
		});
		expectNoError(run);
		await expectBytes(run.items[0], 'image.webp');
		expect(messageFile(run.items[0])).toMatchObject({ messageId: message.msgId, mimeType: 'image/webp', fileExtension: 'webp' });
	});

	test('n8n Webhook node wrapping: {headers, params, query, body}', async () => {
		const code = dingTalkFile('document.pdf');
		const message = dingTalkMessage('file', { fileName: 'invoice.pdf', downloadCode: code });
		const webhookItem = {
			headers: { host: 'n8n.example.com', 'content-type': 'application/json; charset=utf-8', timestamp: '1716993000000', sign: 'aGVsbG8=' },
			params: {},
			query: {},
			body: message,
			webhookUrl: 'https://n8n.example.com/webhook/dingtalk',
			executionMode: 'production',
		};
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [webhookItem], credentials: dingTalk, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'document.pdf');
		expect(messageFile(run.items[0])).toMatchObject({ messageId: message.msgId, fileName: 'invoice.pdf', mimeType: 'application/pdf' });
		expect(run.items[0].json.body).toEqual(message);
	});

	test('robotCode: taken from the message, the credential’s default when the message has none', async () => {
		const fromMessageCode = dingTalkFile('image.png', MESSAGE_ROBOT);
		const fromDefaultCode = dingTalkFile('image.jpg', DEFAULT_ROBOT);
		const withRobot = dingTalkMessage('picture', { downloadCode: fromMessageCode });
		const withoutRobot = dingTalkMessage('picture', { downloadCode: fromDefaultCode });
		delete withoutRobot.robotCode;
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [withRobot, withoutRobot], credentials: dingTalk, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'image.png');
		await expectBytes(run.items[1], 'image.jpg');
		expect(messageFile(run.items[0]).robotCode).toBe(MESSAGE_ROBOT);
		expect(messageFile(run.items[1]).robotCode).toBe(DEFAULT_ROBOT);
		const robotByCode = Object.fromEntries(downloadCallBodies().map((body) => [body.downloadCode, body.robotCode]));
		expect(robotByCode).toEqual({ [fromMessageCode]: MESSAGE_ROBOT, [fromDefaultCode]: DEFAULT_ROBOT });
	});

	test('a Green-API message given to service dingTalk: error naming the shape it saw, no API call', async () => {
		const webhook = greenWebhook({ idMessage: 'X1', chatId: '79001234567@c.us' }, 'imageMessage', { downloadUrl: 'https://example.invalid/x.jpg', mimeType: 'image/jpeg' });
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [webhook], credentials: dingTalk, binaryMode: 'memory' });
		expect(run.error).toBeDefined();
		expect(run.error!.message).toMatch(/Green-API message/);
		expect(run.error!.message).toMatch(/DingTalk/);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(0);
		expect(standIn.stats.greenMediaGets).toBe(0);
	});

	test('an object of neither shape: the error lists what the node saw', async () => {
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [{ orderId: 42, status: 'paid' }], credentials: dingTalk, binaryMode: 'memory' });
		expect(run.error).toBeDefined();
		expect(run.error!.message).toMatch(/not a DingTalk robot message/);
		expect(run.error!.message).toMatch(/orderId, status/);
	});
});

// ---------------------------------------------------------------- Green-API

describe('Green-API webhooks and journal messages', () => {
	test('WhatsApp documentMessage with a direct downloadUrl: no downloadFile call, the fileName is kept', async () => {
		const file = greenFile('document.pdf', { linkExtension: 'pdf' });
		const webhook = greenWebhook(file, 'documentMessage', { downloadUrl: file.directUrl, fileName: 'invoice 42.pdf', mimeType: 'application/pdf', caption: 'Счёт' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: whatsApp, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'document.pdf');
		expect(standIn.stats.greenDownloadFileCalls).toBe(0);
		expect(standIn.stats.greenMediaGets).toBe(1);
		expect(run.items[0].binary!.data.fileName).toBe('invoice 42.pdf');
		expect(messageFile(run.items[0])).toMatchObject({
			service: 'greenApi',
			messageId: file.idMessage,
			messageType: 'documentMessage',
			chatId: file.chatId,
			sender: file.chatId,
			senderName: 'Ivan Petrov',
			chatName: 'Ivan',
			caption: 'Счёт',
			timestamp: 1_716_993_123,
			instanceId: String(WA_INSTANCE),
			typeWebhook: 'incomingMessageReceived',
			fileName: 'invoice 42.pdf',
			mimeType: 'application/pdf',
			fileExtension: 'pdf',
			fileSize: readFixture('document.pdf').length,
		});
	});

	test('MAX imageMessage (typeInstance v3, link without extension)', async () => {
		const file = greenFile('image.webp', { instance: MAX_INSTANCE, chatId: '10000000' });
		expect(file.directUrl).not.toMatch(/\.webp/);
		const webhook = greenWebhook(
			file,
			'imageMessage',
			{ downloadUrl: file.directUrl, fileName: '15697d2c-8f4e-4b1a-9c7d-3e2f1a0b9c8d.webp', mimeType: 'image/webp' },
			{ instance: MAX_INSTANCE, typeInstance: 'v3' },
		);
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: max, binaryMode: 'filesystem' });
		expectNoError(run);
		await expectBytes(run.items[0], 'image.webp');
		expect(standIn.stats.greenDownloadFileCalls).toBe(0);
		expect(messageFile(run.items[0])).toMatchObject({
			messageType: 'imageMessage',
			chatId: '10000000',
			instanceId: String(MAX_INSTANCE),
			mimeType: 'image/webp',
			fileExtension: 'webp',
			fileName: '15697d2c-8f4e-4b1a-9c7d-3e2f1a0b9c8d.webp',
		});
	});

	test('MAX imageMessage with an empty link: downloadFile under /v3', async () => {
		const file = greenFile('image.jpg', { instance: MAX_INSTANCE, chatId: '-10000000000000' });
		const webhook = greenWebhook(file, 'imageMessage', { downloadUrl: '', fileName: '', mimeType: 'image/jpeg' }, { instance: MAX_INSTANCE, typeInstance: 'v3' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: max, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'image.jpg');
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
		const call = standIn.requests.find((request) => request.role === 'greenApi' && request.path.includes('/downloadFile/'));
		expect(call?.path.startsWith(`/v3/waInstance${MAX_INSTANCE}/downloadFile/`)).toBe(true);
		expect(messageFile(run.items[0])).toMatchObject({ fileName: `max-${file.idMessage}.jpg`, mimeType: 'image/jpeg' });
	});

	test('journal message (getMessage: fields at the top level)', async () => {
		const file = greenFile('image.png', { linkExtension: 'png' });
		const journal = {
			type: 'incoming',
			idMessage: file.idMessage,
			timestamp: 1_716_993_200,
			typeMessage: 'imageMessage',
			chatId: file.chatId,
			senderId: file.chatId,
			senderName: 'Ivan Petrov',
			senderContactName: '',
			isForwarded: false,
			forwardingScore: 0,
			downloadUrl: file.directUrl,
			caption: 'скрин',
			fileName: `${file.idMessage}.png`,
			jpegThumbnail: '/9j/4AAQSkZJRgABAQAAAQABAAD',
			mimeType: 'image/png',
			isDeleted: false,
			isEdited: false,
		};
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [journal], credentials: whatsApp, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'image.png');
		expect(standIn.stats.greenDownloadFileCalls).toBe(0);
		expect(messageFile(run.items[0])).toMatchObject({
			messageId: file.idMessage,
			messageType: 'imageMessage',
			chatId: file.chatId,
			sender: file.chatId,
			senderName: 'Ivan Petrov',
			caption: 'скрин',
			fileName: `${file.idMessage}.png`,
			mimeType: 'image/png',
		});
		expect(messageFile(run.items[0]).typeWebhook).toBeUndefined();
	});

	test('journal message (getChatHistory entry) with an empty link: downloadFile is called', async () => {
		const file = greenFile('document.pdf');
		const journal = { type: 'outgoing', idMessage: file.idMessage, timestamp: 1_716_993_300, typeMessage: 'documentMessage', chatId: file.chatId, downloadUrl: '', fileName: 'act.pdf', mimeType: 'application/pdf', caption: '', statusMessage: 'read' };
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [journal], credentials: whatsApp, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'document.pdf');
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
		expect(messageFile(run.items[0]).fileName).toBe('act.pdf');
	});

	test('empty downloadUrl: downloadFile with chatId + idMessage is called once', async () => {
		const file = greenFile('image.jpg', { linkExtension: 'jpg' });
		const webhook = greenWebhook(file, 'imageMessage', { downloadUrl: '', fileName: `${file.idMessage}.jpg`, mimeType: 'image/jpeg' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: whatsApp, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'image.jpg');
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
		const call = standIn.requests.find((request) => request.role === 'greenApi' && request.path.includes('/downloadFile/'));
		expect(JSON.parse(String(call!.body))).toEqual({ chatId: file.chatId, idMessage: file.idMessage });
	});

	test('expired direct link: falls back to downloadFile and succeeds', async () => {
		const file = greenFile('document.pdf', { linkExtension: 'pdf' });
		standIn.greenApi.expireDirectLinks();
		const webhook = greenWebhook(file, 'documentMessage', { downloadUrl: file.directUrl, fileName: 'contract.pdf', mimeType: 'application/pdf' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: whatsApp, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'document.pdf');
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
		expect(standIn.stats.greenMediaGets).toBe(2); // the expired link once (no retries on a 403), then the fresh one
		expect(messageFile(run.items[0]).fileName).toBe('contract.pdf');
	});

	test('{{SWE002}}: a clear error about files over 100 MB, nothing is requested', async () => {
		const file = { idMessage: unique('BIGFILE'), chatId: '79001234567@c.us' };
		const webhook = greenWebhook(file, 'videoMessage', { downloadUrl: '{{SWE002}}', fileName: 'holiday.mp4', mimeType: 'video/mp4' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: whatsApp, binaryMode: 'memory' });
		expect(run.error).toBeDefined();
		expect(run.error!.message).toMatch(/larger than 100 MB/);
		expect(run.error!.description).toMatch(/100 MB/);
		expect(standIn.stats.greenDownloadFileCalls).toBe(0);
		expect(standIn.stats.greenMediaGets).toBe(0);
	});

	test('audioMessage with mimeType "audio/ogg; codecs=opus": audio/ogg and .ogg', async () => {
		const file = greenFile('voice.ogg', { linkExtension: 'oga' });
		const webhook = greenWebhook(file, 'audioMessage', { downloadUrl: file.directUrl, fileName: `${file.idMessage}.oga`, mimeType: 'audio/ogg; codecs=opus' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: whatsApp, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'voice.ogg');
		expect(run.items[0].binary!.data).toMatchObject({ mimeType: 'audio/ogg', fileExtension: 'ogg', fileName: `${file.idMessage}.ogg` });
		expect(messageFile(run.items[0])).toMatchObject({ messageType: 'audioMessage', mimeType: 'audio/ogg', fileExtension: 'ogg', fileName: `${file.idMessage}.ogg` });
	});

	test('outgoing-message webhook with a file', async () => {
		const file = greenFile('image.jpg', { linkExtension: 'jpg', chatId: '120363043968066561@g.us' });
		const webhook = greenWebhook(file, 'imageMessage', { downloadUrl: file.directUrl, fileName: `${file.idMessage}.jpg`, mimeType: 'image/jpeg', caption: 'sent from phone' }, { typeWebhook: 'outgoingMessageReceived' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: whatsApp, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'image.jpg');
		expect(standIn.stats.greenDownloadFileCalls).toBe(0);
		expect(messageFile(run.items[0])).toMatchObject({ typeWebhook: 'outgoingMessageReceived', chatId: '120363043968066561@g.us', caption: 'sent from phone', mimeType: 'image/jpeg' });
	});

	test('Webhook node wrapping of a Green-API webhook (stickerMessage)', async () => {
		const file = greenFile('image.webp', { linkExtension: 'webp' });
		const webhook = greenWebhook(file, 'stickerMessage', { downloadUrl: file.directUrl, fileName: `${file.idMessage}.webp`, mimeType: 'image/webp', isAnimated: false });
		const run = await runNode({
			parameters: fromMessage('greenApi'),
			input: [{ headers: { 'content-type': 'application/json' }, params: {}, query: {}, body: webhook }],
			credentials: whatsApp,
			binaryMode: 'memory',
		});
		expectNoError(run);
		await expectBytes(run.items[0], 'image.webp');
		expect(messageFile(run.items[0])).toMatchObject({ messageType: 'stickerMessage', mimeType: 'image/webp' });
	});

	test('a downloadUrl that is not an http(s) link is never fetched: downloadFile is asked instead', async () => {
		const file = greenFile('image.png');
		const webhook = greenWebhook(file, 'imageMessage', { downloadUrl: 'file:///etc/passwd', fileName: `${file.idMessage}.png`, mimeType: 'image/png' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: whatsApp, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'image.png');
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
	});

	test('a direct link answering an HTML page (200) is treated as expired: downloadFile, then the file', async () => {
		const idMessage = unique('HTMLPAGE');
		const chatId = '79001234567@c.us';
		const { directUrl } = standIn.greenApi.addFile({ idInstance: WA_INSTANCE, chatId, idMessage, body: readFixture('document.pdf'), linkExtension: 'pdf', fault: { file: 'html200', fileTimes: 1 } });
		const webhook = greenWebhook({ idMessage, chatId }, 'documentMessage', { downloadUrl: directUrl, fileName: 'scan.pdf', mimeType: 'application/pdf' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: whatsApp, binaryMode: 'memory' });
		expectNoError(run);
		await expectBytes(run.items[0], 'document.pdf');
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
		expect(messageFile(run.items[0])).toMatchObject({ fileName: 'scan.pdf', mimeType: 'application/pdf' });
	});

	test('a direct link answering 404 also falls back to downloadFile', async () => {
		const other = await startStandIn({ greenExpiredLinkStatus: 404 });
		try {
			other.greenApi.addInstance({ idInstance: WA_INSTANCE, apiTokenInstance: WA_TOKEN, messenger: 'whatsapp' });
			const idMessage = unique('GONE404');
			const chatId = '79001234567@c.us';
			const { directUrl } = other.greenApi.addFile({ idInstance: WA_INSTANCE, chatId, idMessage, body: readFixture('video.mp4'), linkExtension: 'mp4' });
			other.greenApi.expireDirectLinks();
			const credentials = new CredentialStore({
				greenApi: { apiUrl: other.greenApiUrl, mediaUrl: other.greenMediaUrl, idInstance: String(WA_INSTANCE), apiTokenInstance: WA_TOKEN, messenger: 'whatsapp' },
			});
			const webhook = greenWebhook({ idMessage, chatId }, 'videoMessage', { downloadUrl: directUrl, fileName: `${idMessage}.mp4`, mimeType: 'video/mp4' });
			const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials, binaryMode: 'memory' });
			expectNoError(run);
			await expectBytes(run.items[0], 'video.mp4');
			expect(other.stats.greenDownloadFileCalls).toBe(1);
		} finally {
			await other.close();
		}
	});

	test('expired direct link of a file gone from WhatsApp: the downloadFile error, not the 403', async () => {
		const idMessage = unique('GONE');
		const chatId = '79001234567@c.us';
		const { directUrl } = standIn.greenApi.addGoneFile({ idInstance: WA_INSTANCE, chatId, idMessage, linkExtension: 'jpg' });
		const webhook = greenWebhook({ idMessage, chatId }, 'imageMessage', { downloadUrl: directUrl, fileName: `${idMessage}.jpg`, mimeType: 'image/jpeg' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: whatsApp, binaryMode: 'memory' });
		expect(run.error).toBeDefined();
		expect(`${run.error!.message} ${run.error!.description ?? ''}`).not.toContain(WA_TOKEN);
		expect(run.error!.message).toMatch(/no longer available/);
		expect(run.error!.description).toMatch(/final/);
		expect(standIn.stats.greenDownloadFileCalls).toBe(1); // a 500 for a gone file is final: not retried
	});

	test('a message from another instance with an empty link: error naming both instances, no downloadFile call', async () => {
		const file = greenFile('image.png', { instance: MAX_INSTANCE, chatId: '10000000' });
		const webhook = greenWebhook(file, 'imageMessage', { downloadUrl: '', mimeType: 'image/png' }, { instance: MAX_INSTANCE, typeInstance: 'v3' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [webhook], credentials: whatsApp, binaryMode: 'memory' });
		expect(run.error?.message).toContain(String(MAX_INSTANCE));
		expect(run.error?.message).toContain(String(WA_INSTANCE));
		expect(standIn.stats.greenDownloadFileCalls).toBe(0);
	});

	test('a DingTalk message given to service greenApi: error naming the shape, no API call', async () => {
		const message = dingTalkMessage('picture', { downloadCode: 'whatever' });
		const run = await runNode({ parameters: fromMessage('greenApi'), input: [message], credentials: whatsApp, binaryMode: 'memory' });
		expect(run.error).toBeDefined();
		expect(run.error!.message).toMatch(/DingTalk robot message/);
		expect(run.error!.message).toMatch(/Green-API/);
		expect(standIn.stats.greenDownloadFileCalls).toBe(0);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(0);
	});
});

// ---------------------------------------------------------------- messages without a file

describe('messages without a file', () => {
	const dingTalkText = () => dingTalkMessage('text', { content: 'hello' }, { text: { content: ' 帮我查一下报告' }, content: undefined });
	const greenText = () => ({
		typeWebhook: 'incomingMessageReceived',
		instanceData: { idInstance: WA_INSTANCE, wid: '79876543210@c.us', typeInstance: 'whatsapp' },
		timestamp: 1_716_993_400,
		idMessage: unique('TXT'),
		senderData: { chatId: '79001234567@c.us', sender: '79001234567@c.us', chatName: 'Ivan', senderName: 'Ivan Petrov' },
		messageData: { typeMessage: 'textMessage', textMessageData: { textMessage: 'Привет' } },
	});
	const greenReaction = () => ({
		...greenText(),
		messageData: { typeMessage: 'reactionMessage', extendedTextMessageData: { text: '👍', stanzaId: '3EB0D00923D87A3FA01BAE', participant: '' }, quotedMessage: { stanzaId: '3EB0D00923D87A3FA01BAE' } },
	});
	const greenLocation = () => ({
		...greenText(),
		messageData: { typeMessage: 'locationMessage', locationMessageData: { nameLocation: 'Office', address: 'Tverskaya 1', latitude: 55.757, longitude: 37.613, jpegThumbnail: '' } },
	});

	const cases: Array<{ name: string; service: 'dingTalk' | 'greenApi'; make: () => IDataObject; type: string }> = [
		{ name: 'DingTalk text', service: 'dingTalk', make: dingTalkText, type: 'text' },
		{ name: 'Green-API textMessage', service: 'greenApi', make: greenText, type: 'textMessage' },
		{ name: 'Green-API reaction', service: 'greenApi', make: greenReaction, type: 'reactionMessage' },
		{ name: 'Green-API location', service: 'greenApi', make: greenLocation, type: 'locationMessage' },
	];
	const credentialsFor = (service: 'dingTalk' | 'greenApi') => (service === 'dingTalk' ? dingTalk : whatsApp);

	test.each(cases)('$name, whenNoFile error (default): fails naming the message type', async ({ service, make, type }) => {
		const run = await runNode({ parameters: fromMessage(service), input: [make()], credentials: credentialsFor(service), binaryMode: 'memory' });
		expect(run.error).toBeDefined();
		expect(run.error!.message).toMatch(/has no file/);
		expect(run.error!.message).toContain(type);
		expect(standIn.stats.dingTalkDownloadCalls + standIn.stats.greenDownloadFileCalls).toBe(0);
	});

	test.each(cases)('$name, whenNoFile passThrough: the item unchanged, paired', async ({ service, make }) => {
		const message = make();
		const run = await runNode({
			parameters: fromMessage(service, { options: { whenNoFile: 'passThrough' } }),
			input: [message],
			credentials: credentialsFor(service),
			binaryMode: 'memory',
		});
		expectNoError(run);
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json).toEqual(JSON.parse(JSON.stringify(message)));
		expect(run.items[0].binary).toBeUndefined();
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
	});

	test.each(cases)('$name, whenNoFile drop: no output item', async ({ service, make }) => {
		const run = await runNode({
			parameters: fromMessage(service, { options: { whenNoFile: 'drop' } }),
			input: [make()],
			credentials: credentialsFor(service),
			binaryMode: 'memory',
		});
		expectNoError(run);
		expect(run.items).toHaveLength(0);
	});

	test('drop among file messages: only the file items come out, paired with their sources', async () => {
		const code = dingTalkFile('image.png');
		const run = await runNode({
			parameters: fromMessage('dingTalk', { options: { whenNoFile: 'drop' } }),
			input: [dingTalkText(), dingTalkMessage('picture', { downloadCode: code }), dingTalkText()],
			credentials: dingTalk,
			binaryMode: 'memory',
		});
		expectNoError(run);
		expect(run.items).toHaveLength(1);
		expect(pairedIndexes(run)).toEqual([1]);
		await expectBytes(run.items[0], 'image.png');
	});

	test('richText with text only counts as a message without a file', async () => {
		const message = dingTalkMessage('richText', { richText: [{ text: 'no pictures here' }] });
		const run = await runNode({ parameters: fromMessage('dingTalk'), input: [message], credentials: dingTalk, binaryMode: 'memory' });
		expect(run.error?.message).toMatch(/has no file: it is a richText message/);
	});
});

// ---------------------------------------------------------------- Continue On Fail

describe('Continue On Fail', () => {
	test('DingTalk: a mix of good and bad items keeps input order, the error on the bad items, pairedItem right', async () => {
		const richCodes = [dingTalkFile('image.png'), dingTalkFile('image.jpg')];
		const goodCode = dingTalkFile('document.pdf');
		const input = [
			dingTalkMessage('richText', { richText: [{ type: 'picture', downloadCode: richCodes[0] }, { type: 'picture', downloadCode: richCodes[1] }] }),
			dingTalkMessage('picture', { downloadCode: 'unknown-or-expired-code' }),
			dingTalkMessage('text', {}, { text: { content: 'hi' }, content: undefined }),
			{ orderId: 7 },
			dingTalkMessage('file', { downloadCode: goodCode, fileName: 'ok.pdf' }),
		];
		const run = await runNode({ parameters: fromMessage('dingTalk'), input, credentials: dingTalk, binaryMode: 'memory', continueOnFail: true });
		expectNoError(run);
		expect(pairedIndexes(run)).toEqual([0, 0, 1, 2, 3, 4]);
		await expectBytes(run.items[0], 'image.png');
		await expectBytes(run.items[1], 'image.jpg');
		expect(run.items[2].json.error).toMatch(/downloadCode|download code/i);
		expect(run.items[2].binary).toBeUndefined();
		expect(run.items[2].json.msgId).toBe(input[1].msgId);
		expect(run.items[3].json.error).toMatch(/has no file: it is a text message/);
		expect(run.items[4].json.error).toMatch(/not a DingTalk robot message/);
		expect(run.items[4].json.orderId).toBe(7);
		await expectBytes(run.items[5], 'document.pdf');
		expect(messageFile(run.items[5]).fileName).toBe('ok.pdf');
		for (const index of [0, 1, 5]) expect(run.items[index].json.error).toBeUndefined();
	});

	test('richText whose second picture fails: the item fails as a whole (one error item, no partial pictures)', async () => {
		const codes = [dingTalkFile('image.png'), dingTalkFile('image.gif')];
		const goodCode = dingTalkFile('image.jpg');
		const input = [
			dingTalkMessage('richText', { richText: [{ type: 'picture', downloadCode: codes[0] }, { type: 'picture', downloadCode: 'expired-code' }, { type: 'picture', downloadCode: codes[1] }] }),
			dingTalkMessage('picture', { downloadCode: goodCode }),
		];
		const run = await runNode({ parameters: fromMessage('dingTalk'), input, credentials: dingTalk, binaryMode: 'memory', continueOnFail: true });
		expectNoError(run);
		expect(pairedIndexes(run)).toEqual([0, 1]);
		expect(run.items[0].json.error).toBeDefined();
		expect(run.items[0].binary).toBeUndefined();
		await expectBytes(run.items[1], 'image.jpg');
	});

	test('Green-API: SWE002 and a message of the wrong service between good ones', async () => {
		const first = greenFile('image.png', { linkExtension: 'png' });
		const last = greenFile('audio.mp3');
		const input = [
			greenWebhook(first, 'imageMessage', { downloadUrl: first.directUrl, fileName: `${first.idMessage}.png`, mimeType: 'image/png' }),
			greenWebhook({ idMessage: 'BIG1', chatId: '79001234567@c.us' }, 'documentMessage', { downloadUrl: '{{SWE002}}', fileName: 'big.zip', mimeType: 'application/zip' }),
			dingTalkMessage('picture', { downloadCode: 'x' }),
			greenWebhook(last, 'audioMessage', { downloadUrl: '', fileName: `${last.idMessage}.mp3`, mimeType: 'audio/mpeg' }),
		];
		const run = await runNode({ parameters: fromMessage('greenApi'), input, credentials: whatsApp, binaryMode: 'filesystem', continueOnFail: true });
		expectNoError(run);
		expect(pairedIndexes(run)).toEqual([0, 1, 2, 3]);
		await expectBytes(run.items[0], 'image.png');
		expect(run.items[1].json.error).toMatch(/larger than 100 MB/);
		expect(run.items[2].json.error).toMatch(/DingTalk robot message/);
		await expectBytes(run.items[3], 'audio.mp3');
		expect(messageFile(run.items[3])).toMatchObject({ mimeType: 'audio/mpeg', fileExtension: 'mp3' });
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
	});
});
