// Issue 11, part 2: files whose identity lies past the node's 64 KB head (a TIFF whose
// first IFD is at the end, OOXML with a media part first, an MP3 behind 200 KB of album
// art) come out with the right MIME type, extension and name. The node reads back what
// n8n stored (never a second download), in the default (memory) and filesystem binary
// modes, from fields and from messages, through n8n-core's real engine and the stand-ins.
import { createHash } from 'crypto';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, binaryBuffer, runNode, type BinaryMode, type NodeRun } from '../helpers/engine';
import { startStandIn, type StandIn } from '../standin/server';

const DING_APP = { appKey: 'dingwholefile', appSecret: 'whole-file-secret' };
const WHATSAPP = { idInstance: 1101000011, apiTokenInstance: 'wa-token-whole-file', messenger: 'whatsapp' as const };
const MAX = { idInstance: 3100000012, apiTokenInstance: 'max-token-whole-file', messenger: 'max' as const };
const CHAT_ID = '79001234567@c.us';
/**
 * The host sends 40 KB every 50 ms, as a real network would: on localhost a 100 KB file
 * arrives in one read, and the node's head would then be the whole file.
 */
const STREAMED = { slowBytesPerSecond: 800_000 };

interface PastHeadFixture {
	file: string;
	mimeType: string;
	extension: string;
}

const PAST_HEAD: PastHeadFixture[] = [
	{ file: 'scan-ifd-at-end.tif', mimeType: 'image/tiff', extension: 'tif' },
	{ file: 'media-first.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx' },
	{ file: 'media-first.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' },
	{ file: 'media-first.pptx', mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', extension: 'pptx' },
	{ file: 'audio-album-art.mp3', mimeType: 'audio/mpeg', extension: 'mp3' },
	// Read to its end, no telling entry: stays a zip (and the read-back ends cleanly at the end of the file).
	{ file: 'archive-large.zip', mimeType: 'application/zip', extension: 'zip' },
	{ file: 'report-long.doc', mimeType: 'application/msword', extension: 'doc' },
	{ file: 'slides.ppt', mimeType: 'application/vnd.ms-powerpoint', extension: 'ppt' },
];

let standIn: StandIn;
let dingTalk: CredentialStore;
let whatsApp: CredentialStore;
let max: CredentialStore;
let sequence = 0;

beforeAll(async () => {
	standIn = await startStandIn();
	standIn.dingTalk.addApp(DING_APP);
	standIn.greenApi.addInstance(WHATSAPP);
	standIn.greenApi.addInstance(MAX);
	dingTalk = new CredentialStore({ dingTalkApi: { appType: 'internal', ...DING_APP, robotCode: DING_APP.appKey, baseUrl: standIn.dingTalkUrl } });
	const green = (instance: typeof WHATSAPP | typeof MAX) =>
		new CredentialStore({ greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, ...instance, idInstance: String(instance.idInstance) } });
	whatsApp = green(WHATSAPP);
	max = green(MAX);
});
afterAll(async () => await standIn.close());
beforeEach(() => standIn.resetStats());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const unique = (prefix: string) => `${prefix}${++sequence}${Date.now().toString(36)}`;

function expectNoError(run: NodeRun): void {
	if (run.error) throw new Error(`node failed: ${run.error.message} — ${run.error.description ?? ''}`);
}

function fileGets(): number {
	return standIn.requests.filter((request) => (request.role === 'oss' || request.role === 'greenMedia') && request.method === 'GET').length;
}

/** One way a file reaches the node, with no hint of its type (no extension, a generic type), so only the bytes can tell. */
interface Route {
	name: string;
	credentials: () => CredentialStore;
	/** Registers the file; returns the node parameters and input item. */
	prepare: (fixture: PastHeadFixture) => { parameters: INodeParameters; input: IDataObject; stem: string };
}

const ROUTES: Route[] = [
	{
		name: 'DingTalk, fields (OSS .file link, application/octet-stream)',
		credentials: () => dingTalk,
		prepare: (fixture) => {
			const downloadCode = unique('DLWHOLE-');
			standIn.dingTalk.addFile({ downloadCode, robotCode: DING_APP.appKey, body: readFixture(fixture.file), fault: STREAMED });
			return {
				parameters: { service: 'dingTalk', source: 'fields', downloadCode },
				input: { ticket: 'T-11' },
				stem: `dingtalk-${createHash('sha256').update(downloadCode).digest('hex').slice(0, 12)}`,
			};
		},
	},
	{
		name: 'MAX, fields (link without extension)',
		credentials: () => max,
		prepare: (fixture) => {
			const idMessage = unique('BAE5WHOLE');
			standIn.greenApi.addFile({ idInstance: MAX.idInstance, chatId: CHAT_ID, idMessage, body: readFixture(fixture.file), fault: STREAMED });
			return { parameters: { service: 'greenApi', source: 'fields', chatId: CHAT_ID, idMessage }, input: { ticket: 'T-11' }, stem: `max-${idMessage}` };
		},
	},
	{
		name: 'DingTalk, message (file named without extension)',
		credentials: () => dingTalk,
		prepare: (fixture) => {
			const downloadCode = unique('mIofWHOLE/+');
			standIn.dingTalk.addFile({ downloadCode, robotCode: DING_APP.appKey, body: readFixture(fixture.file), fault: STREAMED });
			const input = {
				conversationId: 'cidWholeFile==',
				msgId: unique('msgWhole'),
				senderNick: '张三',
				conversationType: '1',
				senderId: '$:LWCP_v1:$whole==',
				createAt: 1_716_993_000_000,
				robotCode: DING_APP.appKey,
				msgtype: 'file',
				content: { spaceId: '1', fileName: '季度报告', downloadCode, fileId: '2' },
			};
			return { parameters: { service: 'dingTalk', source: 'message' }, input, stem: '季度报告' };
		},
	},
	{
		name: 'WhatsApp, message (webhook: direct link without extension, application/octet-stream, no file name)',
		credentials: () => whatsApp,
		prepare: (fixture) => {
			const idMessage = unique('3EB0WHOLE');
			const { directUrl } = standIn.greenApi.addFile({ idInstance: WHATSAPP.idInstance, chatId: CHAT_ID, idMessage, body: readFixture(fixture.file), fault: STREAMED });
			const input = {
				typeWebhook: 'incomingMessageReceived',
				instanceData: { idInstance: WHATSAPP.idInstance, wid: '79876543210@c.us', typeInstance: 'whatsapp' },
				timestamp: 1_716_993_123,
				idMessage,
				senderData: { chatId: CHAT_ID, chatName: 'Ivan', sender: CHAT_ID, senderName: 'Ivan Petrov', senderContactName: '' },
				messageData: {
					typeMessage: 'documentMessage',
					fileMessageData: { downloadUrl: directUrl, caption: '', fileName: '', mimeType: 'application/octet-stream', jpegThumbnail: '', isForwarded: false, forwardingScore: 0 },
				},
			};
			return { parameters: { service: 'greenApi', source: 'message' }, input, stem: `whatsapp-${idMessage}` };
		},
	},
];

const MODES: BinaryMode[] = ['memory', 'filesystem'];
const TABLE = PAST_HEAD.flatMap((fixture) => ROUTES.flatMap((route) => MODES.map((mode) => ({ file: fixture.file, route: route.name, mode, fixture, via: route }))));

async function expectFile(item: INodeExecutionData, fixture: PastHeadFixture, fileName: string, mode: BinaryMode): Promise<void> {
	const binary = item.binary?.data;
	expect(binary).toBeDefined();
	expect(sha256(await binaryBuffer(binary!))).toBe(sha256(readFixture(fixture.file)));
	if (mode === 'filesystem') expect(binary!.id).toBeDefined();
	else expect(binary!.id).toBeUndefined();
	expect(binary!.mimeType).toBe(fixture.mimeType);
	expect(binary!.fileExtension).toBe(fixture.extension);
	expect(binary!.fileName).toBe(fileName);
	expect(item.json.messageFile).toMatchObject({
		fileName,
		mimeType: fixture.mimeType,
		fileExtension: fixture.extension,
		fileSize: readFixture(fixture.file).length,
		typeSource: 'bytes',
	});
}

describe('identity past the first 64 KB, decided from the stored copy', () => {
	test.each(TABLE)('$file via $route ($mode)', async ({ fixture, via, mode }) => {
		const { parameters, input, stem } = via.prepare(fixture);
		const run = await runNode({ parameters, input: [input], credentials: via.credentials(), binaryMode: mode });
		expectNoError(run);
		expect(run.items).toHaveLength(1);
		await expectFile(run.items[0], fixture, `${stem}.${fixture.extension}`, mode);
		expect(run.items[0].binary!.data.fileType).toBe(fixture.mimeType.startsWith('image/') ? 'image' : fixture.mimeType.startsWith('audio/') ? 'audio' : undefined);
		// One download: the rest of the decision came from what n8n stored.
		expect(fileGets()).toBe(1);
	});
});

describe('the whole file overrules a name that says less', () => {
	test.each(MODES)('media-first.docx sent as "notes.zip" comes out as notes.docx (%s)', async (mode) => {
		const fixture = PAST_HEAD.find((candidate) => candidate.file === 'media-first.docx')!;
		const downloadCode = unique('mIofZIPNAME/+');
		standIn.dingTalk.addFile({ downloadCode, robotCode: DING_APP.appKey, body: readFixture(fixture.file), fault: STREAMED });
		const message = { msgId: unique('msgZip'), conversationType: '1', robotCode: DING_APP.appKey, msgtype: 'file', content: { fileName: 'notes.zip', downloadCode } };
		const run = await runNode({ parameters: { service: 'dingTalk', source: 'message' }, input: [message], credentials: dingTalk, binaryMode: mode });
		expectNoError(run);
		await expectFile(run.items[0], fixture, 'notes.docx', mode);
		expect(fileGets()).toBe(1);
	});

	test.each(MODES)('the File Name option is kept as given; the type still comes from the whole file (%s)', async (mode) => {
		const fixture = PAST_HEAD.find((candidate) => candidate.file === 'scan-ifd-at-end.tif')!;
		const route = ROUTES[0];
		const { parameters, input } = route.prepare(fixture);
		const run = await runNode({ parameters: { ...parameters, options: { fileName: 'Fax 2024-05' } }, input: [input], credentials: route.credentials(), binaryMode: mode });
		expectNoError(run);
		await expectFile(run.items[0], fixture, 'Fax 2024-05.tif', mode);
	});
});
