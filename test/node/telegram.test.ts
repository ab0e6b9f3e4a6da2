// Green-API Telegram instances (IDs 4100…, paths like WhatsApp's, no /v3) through the
// Download Message File node and the credential: webhook messages with
// typeInstance "telegram" and numeric chat IDs are recognised, files come from the
// link or from downloadFile, fallback names start with "telegram-".
import { createHash } from 'crypto';
import type { ICredentialDataDecryptedObject, ICredentialTestRequest, IHttpRequestOptions, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, binaryBuffer, runNode } from '../helpers/engine';
import { credentialTypes } from '../helpers/nodeTypes';
import { startStandIn, type StandIn } from '../standin/server';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const TG = { idInstance: 4100000301, apiTokenInstance: 'tg-token-0123456789', messenger: 'telegram' as const };
const CHAT = '5551234567';

let standIn: StandIn;
let credentials: CredentialStore;

beforeAll(async () => {
	standIn = await startStandIn();
	standIn.greenApi.addInstance(TG);
	credentials = new CredentialStore({
		greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, idInstance: String(TG.idInstance), apiTokenInstance: TG.apiTokenInstance, messenger: 'telegram' },
	});
});
afterAll(async () => await standIn.close());
beforeEach(() => standIn.resetStats());

function telegramWebhook(idMessage: string, typeMessage: string, downloadUrl: string, fileName = '', mimeType = '') {
	return {
		typeWebhook: 'incomingMessageReceived',
		instanceData: { idInstance: TG.idInstance, wid: '79001234567@c.us', typeInstance: 'telegram' },
		timestamp: 1_700_000_000,
		idMessage,
		senderData: { chatId: CHAT, sender: CHAT, chatName: 'Someone', senderName: 'Someone' },
		messageData: { typeMessage, fileMessageData: { downloadUrl, caption: '', fileName, jpegThumbnail: '', mimeType, isForwarded: false, forwardingScore: 0 } },
	};
}

const messageParameters = { service: 'greenApi', source: 'message', options: {} } as INodeParameters;

test('a Telegram webhook message: the file from its link, named telegram-<idMessage>.<ext> when it has no name', async () => {
	const { directUrl } = standIn.greenApi.addFile({ idInstance: TG.idInstance, chatId: CHAT, idMessage: '1001', body: readFixture('image.webp'), linkExtension: 'webp' });
	expect(new URL(directUrl).pathname).toMatch(new RegExp(`^/download/${TG.idInstance}/`));
	const run = await runNode({ parameters: messageParameters, input: [telegramWebhook('1001', 'imageMessage', directUrl)], credentials });
	expect(run.error).toBeUndefined();
	const binary = run.items[0].binary!.data;
	expect(binary.fileName).toBe('telegram-1001.webp');
	expect(binary.mimeType).toBe('image/webp');
	expect(sha256(await binaryBuffer(binary))).toBe(sha256(readFixture('image.webp')));
	expect(run.items[0].json.messageFile).toMatchObject({ service: 'greenApi', messageId: '1001', chatId: CHAT, instanceId: String(TG.idInstance) });
	expect(standIn.stats.greenDownloadFileCalls).toBe(0);
});

test('an empty downloadUrl: downloadFile on the WhatsApp-style path (no /v3), then the file', async () => {
	standIn.greenApi.addFile({ idInstance: TG.idInstance, chatId: CHAT, idMessage: '1002', body: readFixture('voice.ogg'), linkExtension: 'oga' });
	const run = await runNode({ parameters: messageParameters, input: [telegramWebhook('1002', 'audioMessage', '', '', 'audio/ogg')], credentials });
	expect(run.error).toBeUndefined();
	expect(run.items[0].binary!.data.fileName).toBe('telegram-1002.ogg');
	const calls = standIn.requests.filter((r) => r.role === 'greenApi');
	expect(calls.map((r) => r.path)).toEqual([`/waInstance${TG.idInstance}/downloadFile/${TG.apiTokenInstance}`]);
	expect(JSON.parse(calls[0].body)).toEqual({ chatId: CHAT, idMessage: '1002' });
});

test('fields mode with a numeric Telegram chat ID', async () => {
	standIn.greenApi.addFile({ idInstance: TG.idInstance, chatId: '-1001234567890', idMessage: '1003', body: readFixture('document.pdf'), linkExtension: 'pdf' });
	const run = await runNode({ parameters: { service: 'greenApi', source: 'fields', chatId: '-1001234567890', idMessage: '1003' }, credentials });
	expect(run.error).toBeUndefined();
	expect(run.items[0].binary!.data.fileName).toBe('telegram-1003.pdf');
});

test('the credential offers Telegram and its Test request reaches getStateInstance without /v3', async () => {
	const credential = credentialTypes.greenApi;
	const messenger = credential.properties.find((property) => property.name === 'messenger')!;
	expect((messenger.options as Array<{ value: string }>).map((option) => option.value)).toEqual(['whatsapp', 'max', 'telegram']);
	const token = credential.properties.find((property) => property.name === 'webhookUrlToken')!;
	expect(token).toMatchObject({ type: 'string', typeOptions: { password: true }, default: '' });
	const authenticate = credential.authenticate as (c: ICredentialDataDecryptedObject, r: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
	const request = await authenticate(
		{ apiUrl: `${standIn.greenApiUrl}/v3/`, idInstance: String(TG.idInstance), apiTokenInstance: TG.apiTokenInstance, messenger: 'telegram' },
		{ ...((credential.test as ICredentialTestRequest).request as IHttpRequestOptions) },
	);
	expect(request.url).toBe(`${standIn.greenApiUrl}/waInstance${TG.idInstance}/getStateInstance/${TG.apiTokenInstance}`);
	const answer = await fetch(request.url);
	expect(await answer.json()).toEqual({ stateInstance: 'authorized' });
});
