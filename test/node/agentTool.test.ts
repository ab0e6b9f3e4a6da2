/**
 * Issue 20 part 5: Download Message File as an AI Agent's tool. n8n hands the model a tool's
 * JSON only (its binary is dropped, n8n issue #38357), so the tool run's JSON must say what the
 * file is and, for a text file, what it says. Runs the node's tool variant (type `…Tool`, as
 * AI Agent 3.x has n8n's engine run it) through n8n-core's real engine against the stand-in.
 */
import type { IDataObject } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, binaryBuffer, runNode, type BinaryMode } from '../helpers/engine';
import { startStandIn, type StandIn } from '../standin/server';

const WA_INSTANCE = 1101000041;
const WA_TOKEN = 'wa-agent-token-0123456789';
const CHAT = '79001234567@c.us';
const LIMIT = 20_000;

let standIn: StandIn;
let whatsApp: CredentialStore;
let sequence = 0;

beforeAll(async () => {
	standIn = await startStandIn();
	standIn.greenApi.addInstance({ idInstance: WA_INSTANCE, apiTokenInstance: WA_TOKEN, messenger: 'whatsapp' });
	whatsApp = new CredentialStore({
		greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, idInstance: String(WA_INSTANCE), apiTokenInstance: WA_TOKEN, messenger: 'whatsapp' },
	});
});
afterAll(async () => await standIn.close());

/** A WhatsApp document message whose file the stand-in serves. */
function documentMessage(body: Buffer, fileName: string, mimeType: string, caption = ''): IDataObject {
	const idMessage = `AGENT${++sequence}`;
	const { directUrl } = standIn.greenApi.addFile({ idInstance: WA_INSTANCE, chatId: CHAT, idMessage, body });
	return {
		typeWebhook: 'incomingMessageReceived',
		instanceData: { idInstance: WA_INSTANCE, wid: '79876543210@c.us', typeInstance: 'whatsapp' },
		timestamp: 1_716_993_123,
		idMessage,
		senderData: { chatId: CHAT, chatName: 'Ivan', sender: CHAT, senderName: 'Ivan Petrov' },
		messageData: { typeMessage: 'documentMessage', fileMessageData: { downloadUrl: directUrl, fileName, mimeType, caption } },
	};
}

async function runAsTool(message: IDataObject, binaryMode: BinaryMode, parameters: IDataObject = {}) {
	// AI Agent 3.x gives its tool the agent's input item with the tool call's id added.
	const run = await runNode({
		parameters: { service: 'greenApi', source: 'message', options: {}, ...parameters },
		input: [{ ...message, toolCallId: 'call_1' }],
		credentials: whatsApp,
		binaryMode,
		asTool: true,
	});
	expect(run.error).toBeUndefined();
	return run;
}

describe.each<BinaryMode>(['memory', 'filesystem'])('as an AI Agent tool (%s binary mode)', (binaryMode) => {
	it('hands over the file description, the caption and the whole text of a short text file, not the agent input', async () => {
		const csv = readFixture('table.csv');
		const { items } = await runAsTool(documentMessage(csv, 'table.csv', 'text/csv', 'March'), binaryMode);
		expect(items).toHaveLength(1);
		const { json } = items[0];
		expect(Object.keys(json).sort()).toEqual(['fileText', 'fileTextTruncated', 'messageFile']);
		expect(json.messageFile).toMatchObject({ service: 'greenApi', fileName: 'table.csv', mimeType: 'text/csv', fileSize: csv.length, caption: 'March' });
		expect(json.fileText).toBe(csv.toString('utf8'));
		expect(json.fileTextTruncated).toBe(false);
		// The file is still there for the execution log and any later use.
		expect((await binaryBuffer(items[0].binary!.data)).equals(csv)).toBe(true);
	});

	it('cuts a long text at 20,000 characters without splitting a character, and says so', async () => {
		// 3-byte and 4-byte UTF-8 characters: a byte-based cut would break one.
		const text = '數據🙂'.repeat(12_000);
		const { items } = await runAsTool(documentMessage(Buffer.from(text, 'utf8'), 'notes.txt', 'text/plain'), binaryMode);
		const fileText = items[0].json.fileText as string;
		expect(fileText).toBe(text.slice(0, LIMIT));
		expect(fileText).not.toContain('\uFFFD');
		expect(items[0].json.fileTextTruncated).toBe(true);
	});

	it('reads UTF-16 text with a byte-order mark', async () => {
		const text = 'Привет, agent\n';
		const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
		const { items } = await runAsTool(documentMessage(bytes, 'hello.txt', 'text/plain'), binaryMode);
		expect(items[0].json.messageFile).toMatchObject({ mimeType: 'text/plain' });
		expect(items[0].json.fileText).toBe(text);
	});

	it.each(['utf8-bom', 'utf16le-bom', 'utf16be-bom', 'utf16le', 'utf16be', 'utf32le-bom', 'utf32be-bom'])(
		'reads the multilingual fixture in %s as the same text as its UTF-8 original',
		async (encoding) => {
			const bytes = readFixture(`text-${encoding}.txt`);
			const { items } = await runAsTool(documentMessage(bytes, `notes-${encoding}.txt`, 'text/plain'), binaryMode);
			expect(items[0].json.messageFile).toMatchObject({ mimeType: 'text/plain', fileExtension: 'txt' });
			expect(items[0].json.fileText).toBe(readFixture('text-utf8.txt').toString('utf8'));
		},
	);

	it('gives no text for a binary file: the model learns its type, name and size', async () => {
		const pdf = readFixture('document.pdf');
		const { items } = await runAsTool(documentMessage(pdf, 'invoice.pdf', 'application/pdf', 'Счёт'), binaryMode);
		expect(Object.keys(items[0].json)).toEqual(['messageFile']);
		expect(items[0].json.messageFile).toMatchObject({ fileName: 'invoice.pdf', mimeType: 'application/pdf', fileSize: pdf.length, caption: 'Счёт' });
	});
});

it('as a tool, a message without a file passed through says so instead of echoing the agent input', async () => {
	const text = { ...documentMessage(Buffer.from('x'), 'x.txt', 'text/plain'), messageData: { typeMessage: 'textMessage', textMessageData: { textMessage: 'hi' } } };
	const { items } = await runAsTool(text, 'memory', { options: { whenNoFile: 'passThrough' } });
	expect(items.map((item) => item.json)).toEqual([{ messageFile: null, noFile: 'a textMessage message' }]);
});

it('outside an agent the output is unchanged: the input item plus messageFile, no text', async () => {
	const csv = readFixture('table.csv');
	const message = documentMessage(csv, 'table.csv', 'text/csv');
	const run = await runNode({ parameters: { service: 'greenApi', source: 'message', options: {} }, input: [message], credentials: whatsApp, binaryMode: 'memory' });
	expect(run.error).toBeUndefined();
	expect(run.items[0].json).toMatchObject({ ...message, messageFile: { fileName: 'table.csv', mimeType: 'text/csv' } });
	expect(run.items[0].json).not.toHaveProperty('fileText');
});
