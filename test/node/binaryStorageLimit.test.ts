// n8n's `database` binary-data mode refuses files over N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE,
// after the whole download. n8n 2.8 shows a node neither the mode nor the limit; the node
// learns the limit from n8n's first refusal and then refuses bigger files before
// downloading them. The store here does what n8n's DatabaseManager (packages/cli) does:
// buffer the whole file, throw n8n-core's own FileTooLargeError over the limit — with a
// 1 MB limit.
import { Container } from '@n8n/di';
import { BinaryDataService, FileTooLargeError } from 'n8n-core';
import type { Readable } from 'stream';

import { CredentialStore, runNode } from '../helpers/engine';
import { startStandIn, type Fault, type FileBody, type StandIn } from '../standin/server';

const LIMIT_MB = 1;
const BIG = 20 * 1024 * 1024;
const stored = new Map<string, Buffer>();

/** What n8n-core 2.8's binaryToBuffer does (newer n8n-core no longer exports it). */
async function wholeBuffer(bufferOrStream: Buffer | Readable): Promise<Buffer> {
	if (Buffer.isBuffer(bufferOrStream)) return bufferOrStream;
	const chunks: Buffer[] = [];
	for await (const chunk of bufferOrStream) chunks.push(Buffer.from(chunk as Buffer));
	return Buffer.concat(chunks);
}

const databaseManager = {
	init: async () => {},
	async store(_location: unknown, bufferOrStream: Buffer | Readable, metadata: { fileName?: string }) {
		const buffer = await wholeBuffer(bufferOrStream);
		const fileId = `db${stored.size + 1}`;
		const fileSizeMb = buffer.length / (1024 * 1024);
		if (fileSizeMb > LIMIT_MB) throw new FileTooLargeError({ fileSizeMb, maxFileSizeMb: LIMIT_MB, fileId, fileName: metadata.fileName });
		stored.set(fileId, buffer);
		return { fileId, fileSize: buffer.length };
	},
	getPath: (fileId: string) => `database://${fileId}`,
	getAsBuffer: async (fileId: string) => stored.get(fileId)!,
	getAsStream: async () => {
		throw new Error('not used');
	},
	getMetadata: async () => ({}),
	deleteMany: async () => {},
	deleteManyByFileId: async () => {},
	copyByFileId: async () => 'copy',
	copyByFilePath: async () => ({ fileId: 'copy', fileSize: 0 }),
	rename: async () => {},
};

let s: StandIn;
let credentials: CredentialStore;
let counter = 0;

beforeAll(async () => {
	s = await startStandIn();
	s.dingTalk.addApp({ appKey: 'dinglimit', appSecret: 'limit-app-secret-0001' });
	credentials = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey: 'dinglimit', appSecret: 'limit-app-secret-0001', baseUrl: s.dingTalkUrl } });
	const service = Container.get(BinaryDataService);
	(service as unknown as { setManager: (mode: string, manager: unknown) => void }).setManager('database', databaseManager);
});
afterAll(async () => await s.close());
beforeEach(() => s.resetStats());

async function download(body: FileBody, fault?: Fault) {
	const downloadCode = `LIMIT${++counter}`;
	s.dingTalk.addFile({ downloadCode, robotCode: 'dinglimit', body, fault });
	return await runNode({ parameters: { service: 'dingTalk', source: 'fields', downloadCode, options: { maxRetries: 0 } }, credentials, binaryMode: 'database' });
}

test('database mode: n8n refuses the first big file after the download; later ones are refused before it', async () => {
	const small = await download({ size: 200 * 1024, seed: 1 });
	expect(small.error).toBeUndefined();
	expect(small.items[0].binary?.data.id).toMatch(/^database:/);

	s.resetStats();
	const first = await download({ size: BIG, seed: 2 });
	expect(first.error?.message).toBe("The file is larger than n8n's 1 MB limit for binary data kept in its database");
	expect(first.error?.description).toContain('N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE');
	expect(s.stats.ossBytesServed).toBe(BIG); // n8n 2.8 gives no way to know before the first refusal

	s.resetStats();
	const second = await download({ size: BIG, seed: 3 });
	expect(second.error?.message).toBe("The file is 20.0 MB, over n8n's 1 MB limit for binary data kept in its database");
	expect(second.error?.description).toContain('N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE');
	expect(s.stats.ossBytesServed).toBeLessThan(BIG / 2);
	console.log(`[storage limit] with Content-Length: host wrote ${s.stats.ossBytesServed} of ${BIG} bytes`);

	s.resetStats();
	const unannounced = await download({ size: BIG, seed: 4 }, { file: 'noContentLength' });
	expect(unannounced.error?.message).toBe("The file is larger than n8n's 1 MB limit for binary data kept in its database");
	expect(unannounced.error?.description).toContain('stopped the download as soon as it passed the limit');
	expect(s.stats.ossBytesServed).toBeLessThan(BIG);
	console.log(`[storage limit] without Content-Length: host wrote ${s.stats.ossBytesServed} of ${BIG} bytes`);

	const stillFine = await download({ size: 300 * 1024, seed: 5 });
	expect(stillFine.error).toBeUndefined();
});
