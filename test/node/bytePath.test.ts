// Issue 11, part 3: the node hands the response stream itself to n8n's storage and counts
// the bytes where they arrive. These check what that count is for: the exact "cut off
// after N of M bytes", and Max File Size on a body without Content-Length, in both binary
// modes, through n8n-core's engine against small local hosts.
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { IDataObject } from 'n8n-workflow';

import { CredentialStore, runNode, type BinaryMode, type NodeRun } from '../helpers/engine';
import { startStandIn, type StandIn } from '../standin/server';

const MODES: BinaryMode[] = ['memory', 'filesystem'];
let standIn: StandIn;
let counter = 0;

beforeAll(async () => {
	standIn = await startStandIn();
});
afterAll(async () => await standIn.close());

interface Host {
	url: string;
	server: Server;
	/** Bytes the host managed to write, per request. */
	written: number[];
}

/** A file host on 127.0.0.1 that answers every GET with `answer`. */
async function host(answer: (res: import('http').ServerResponse, written: (bytes: number) => void) => void): Promise<Host> {
	const written: number[] = [];
	const server = createServer((_req, res) => {
		const index = written.push(0) - 1;
		answer(res, (bytes) => (written[index] += bytes));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/file`, server, written };
}

async function closeHost(h: Host): Promise<void> {
	h.server.closeAllConnections();
	await new Promise<void>((resolve) => h.server.close(() => resolve()));
}

/** A Green-API webhook whose direct link points at `h` (the credential's media host). */
async function runOn(h: Host, mode: BinaryMode, options: IDataObject): Promise<NodeRun> {
	const idInstance = String(1102000000 + ++counter);
	const token = `bytepath${idInstance}token`;
	standIn.greenApi.addInstance({ idInstance, apiTokenInstance: token, messenger: 'whatsapp' });
	const credentials = new CredentialStore({ greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: h.url, idInstance, apiTokenInstance: token, messenger: 'whatsapp' } });
	const chatId = '79001234567@c.us';
	const message = {
		typeWebhook: 'incomingMessageReceived',
		instanceData: { idInstance: Number(idInstance), wid: '79000000000@c.us', typeInstance: 'whatsapp' },
		timestamp: 1732000000,
		idMessage: `BYTEPATH${counter}`,
		senderData: { chatId, sender: chatId, senderName: 'Tester' },
		messageData: { typeMessage: 'documentMessage', fileMessageData: { downloadUrl: h.url, caption: '', fileName: 'report.bin', mimeType: 'application/octet-stream' } },
	};
	return await runNode({ parameters: { service: 'greenApi', source: 'message', options: { maxRetries: 0, timeout: 5, ...options } }, input: [message], credentials, binaryMode: mode });
}

describe('the byte count', () => {
	test.each(MODES)('a body cut after 300 000 of 1 000 000 announced bytes: "cut off after 300000 of 1000000 bytes" (%s)', async (mode) => {
		const h = await host((res, written) => {
			res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': '1000000' });
			// Three writes, so the cut comes well after the 64 KB head has been handed on.
			const piece = Buffer.alloc(100_000, 5);
			let sent = 0;
			const next = () => {
				if (sent === 3) {
					setTimeout(() => res.socket?.destroy(), 30);
					return;
				}
				sent++;
				written(piece.length);
				res.write(piece, () => setTimeout(next, 20));
			};
			next();
		});
		try {
			const run = await runOn(h, mode, {});
			expect(run.items).toHaveLength(0);
			expect(run.error?.message).toBe('The download was cut off after 300000 of 1000000 bytes');
			expect(h.written).toEqual([300_000]);
		} finally {
			await closeHost(h);
		}
	});

	test.each(MODES)('Max File Size on a chunked body (no Content-Length): refused while streaming, the host stopped early (%s)', async (mode) => {
		const total = 8 * 1024 * 1024;
		const h = await host((res, written) => {
			res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' });
			const piece = Buffer.alloc(64 * 1024, 6);
			const next = () => {
				if (res.destroyed) return;
				if (h.written[0] >= total) {
					res.end();
					return;
				}
				written(piece.length);
				if (res.write(piece)) setImmediate(next);
				else res.once('drain', next);
			};
			next();
		});
		try {
			const run = await runOn(h, mode, { maxFileSize: 1 });
			expect(run.items).toHaveLength(0);
			expect(run.error?.message).toBe('The file is larger than the 1.0 MB limit');
			// The node stopped reading soon after the limit, not at the end of the file.
			expect(h.written[0]).toBeLessThan(total);
		} finally {
			await closeHost(h);
		}
	});

	test.each(MODES)('a file under Max File Size, streamed in many chunks, is stored whole (%s)', async (mode) => {
		const size = 3 * 1024 * 1024 + 17;
		const h = await host((res) => {
			res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' });
			res.end(Buffer.alloc(size, 7));
		});
		try {
			const run = await runOn(h, mode, { maxFileSize: 4 });
			expect(run.error).toBeUndefined();
			expect(Number(run.items[0].binary!.data.bytes)).toBe(size);
		} finally {
			await closeHost(h);
		}
	});
});
