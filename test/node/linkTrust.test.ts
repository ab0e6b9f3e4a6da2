/**
 * A webhook's `downloadUrl` is written by whoever posts to the workflow's webhook, so
 * the node only fetches it when it points at Green-API's file hosts (or the instance's
 * own media URL); any other link is ignored and the file is asked for via downloadFile.
 */
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, binaryBuffer, runNode } from '../helpers/engine';
import { startStandIn, type StandIn } from '../standin/server';

const INSTANCE = 1101000077;
const TOKEN = 'link-trust-token-0123456789';

let standIn: StandIn;
let internal: Server;
let internalHits = 0;
let credentials: CredentialStore;

beforeAll(async () => {
	standIn = await startStandIn();
	standIn.greenApi.addInstance({ idInstance: INSTANCE, apiTokenInstance: TOKEN, messenger: 'whatsapp' });
	credentials = new CredentialStore({
		greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, idInstance: String(INSTANCE), apiTokenInstance: TOKEN, messenger: 'whatsapp' },
	});
	// Plays an internal service the attacker would like n8n to read.
	internal = createServer((_request, response) => {
		internalHits++;
		response.end('internal secrets');
	});
	await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
	await standIn.close();
	await new Promise((resolve) => internal.close(resolve));
});

function webhook(downloadUrl: string, idMessage: string) {
	return {
		typeWebhook: 'incomingMessageReceived',
		instanceData: { idInstance: INSTANCE, typeInstance: 'whatsapp' },
		idMessage,
		senderData: { chatId: '79001234567@c.us' },
		messageData: { typeMessage: 'documentMessage', fileMessageData: { downloadUrl, fileName: 'invoice.pdf', mimeType: 'application/pdf' } },
	};
}

test('a link to another host is never fetched: the file comes through downloadFile', async () => {
	standIn.greenApi.addFile({ idInstance: INSTANCE, chatId: '79001234567@c.us', idMessage: 'TRUST-1', body: readFixture('document.pdf'), linkExtension: 'pdf' });
	const foreign = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/admin/export`;
	standIn.resetStats();

	const run = await runNode({ parameters: { service: 'greenApi', source: 'message' }, input: [webhook(foreign, 'TRUST-1')], credentials });

	expect(run.error).toBeUndefined();
	expect(internalHits).toBe(0);
	expect(standIn.stats.greenDownloadFileCalls).toBe(1);
	expect((await binaryBuffer(run.items[0].binary!.data)).equals(readFixture('document.pdf'))).toBe(true);
});

test("a link on the instance's media host is fetched directly, saving the downloadFile call", async () => {
	const { directUrl } = standIn.greenApi.addFile({ idInstance: INSTANCE, chatId: '79001234567@c.us', idMessage: 'TRUST-2', body: readFixture('document.pdf'), linkExtension: 'pdf' });
	standIn.resetStats();

	const run = await runNode({ parameters: { service: 'greenApi', source: 'message' }, input: [webhook(directUrl, 'TRUST-2')], credentials });

	expect(run.error).toBeUndefined();
	expect(standIn.stats.greenDownloadFileCalls).toBe(0);
	expect(run.items[0].json.messageFile).toMatchObject({ fileName: 'invoice.pdf', mimeType: 'application/pdf' });
});

describe('every redirect of a direct link is held to the same rule (issue 19, point 8)', () => {
	test('a 302 from the media host to another address is not followed: the file comes through downloadFile', async () => {
		const foreign = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/latest/meta-data`;
		const { directUrl } = standIn.greenApi.addFile({
			idInstance: INSTANCE,
			chatId: '79001234567@c.us',
			idMessage: 'TRUST-3',
			body: readFixture('document.pdf'),
			linkExtension: 'pdf',
			fault: { file: 'redirect', redirectTo: foreign, fileTimes: 1 },
		});
		internalHits = 0;
		standIn.resetStats();

		const run = await runNode({ parameters: { service: 'greenApi', source: 'message' }, input: [webhook(directUrl, 'TRUST-3')], credentials });

		expect(run.error).toBeUndefined();
		expect(internalHits).toBe(0);
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
		expect((await binaryBuffer(run.items[0].binary!.data)).equals(readFixture('document.pdf'))).toBe(true);
	});

	test('redirects that stay on the trusted host are followed as before', async () => {
		const { directUrl } = standIn.greenApi.addFile({
			idInstance: INSTANCE,
			chatId: '79001234567@c.us',
			idMessage: 'TRUST-4',
			body: readFixture('document.pdf'),
			linkExtension: 'pdf',
			fault: { file: 'redirect', redirects: 2 },
		});
		standIn.resetStats();

		const run = await runNode({ parameters: { service: 'greenApi', source: 'message' }, input: [webhook(directUrl, 'TRUST-4')], credentials });

		expect(run.error).toBeUndefined();
		expect(standIn.stats.greenDownloadFileCalls).toBe(0);
		expect((await binaryBuffer(run.items[0].binary!.data)).equals(readFixture('document.pdf'))).toBe(true);
	});
});
