// A download's body is read ahead up to 1 MB (nodes/shared/transport/largeReads.ts), so n8n's
// storage, reading whatever has arrived, writes few large pieces instead of many 16–64 KB
// ones. Against a real socket on 127.0.0.1 and real file writes.
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import { createServer, get, type IncomingMessage, type Server } from 'http';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

import { READ_AHEAD_BYTES, readAheadUpTo } from '../../nodes/shared/transport/largeReads';

let server: Server;
let url: string;
const FILE = Buffer.alloc(4 * 1024 * 1024 + 12_345);
for (let i = 0; i < FILE.length; i++) FILE[i] = (i * 31 + (i >> 11)) & 0xff;

beforeAll(async () => {
	server = createServer((_req, res) => {
		res.writeHead(200, { 'Content-Length': String(FILE.length) });
		res.end(FILE);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => await new Promise<void>((resolve) => server.close(() => resolve())));

const fetchBody = async (): Promise<IncomingMessage> => await new Promise((resolve, reject) => get(url, resolve).on('error', reject));
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Reads the body as n8n's storage does (async iteration), slowly, like a busy disk: the sizes of the pieces. */
async function slowPieces(body: IncomingMessage): Promise<{ sizes: number[]; bytes: Buffer }> {
	const sizes: number[] = [];
	const parts: Buffer[] = [];
	for await (const piece of body) {
		sizes.push((piece as Buffer).length);
		parts.push(piece as Buffer);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	return { sizes, bytes: Buffer.concat(parts) };
}

test('read ahead: a slow reader gets pieces of up to 1 MB, far fewer than without, the same bytes', async () => {
	const plain = await slowPieces(await fetchBody());
	const body = await fetchBody();
	readAheadUpTo(body);
	const ahead = await slowPieces(body);
	expect(sha(ahead.bytes)).toBe(sha(FILE));
	expect(sha(plain.bytes)).toBe(sha(FILE));
	expect(Math.max(...plain.sizes)).toBeLessThan(256 * 1024);
	expect(Math.max(...ahead.sizes)).toBeGreaterThan(512 * 1024);
	// Not much more than the limit at once (one socket read may go past it).
	expect(Math.max(...ahead.sizes)).toBeLessThanOrEqual(READ_AHEAD_BYTES + 256 * 1024);
	expect(ahead.sizes.length * 4).toBeLessThan(plain.sizes.length);
});

test("stored with fs.promises.writeFile (n8n's filesystem storage): byte-identical", async () => {
	const dir = await fs.mkdtemp(join(tmpdir(), 'large-reads-'));
	const body = await fetchBody();
	readAheadUpTo(body);
	await fs.writeFile(join(dir, 'stored.bin'), body);
	expect(sha(await fs.readFile(join(dir, 'stored.bin')))).toBe(sha(FILE));
	await fs.rm(dir, { recursive: true });
});

test('a limit is only ever raised, and a stream without Node\'s readable state is left alone', async () => {
	const body = await fetchBody();
	readAheadUpTo(body, 4 * READ_AHEAD_BYTES);
	readAheadUpTo(body);
	expect(body.readableHighWaterMark).toBe(4 * READ_AHEAD_BYTES);
	body.destroy();
	const foreign = { on: () => undefined } as unknown as NodeJS.ReadableStream;
	expect(() => readAheadUpTo(foreign)).not.toThrow();
});
