// The streamed multipart body (transport/multipartBody.ts) sent through n8n-core's own HTTP
// helper (axios, as nodes use it) to a real server on 127.0.0.1 that parses the form with
// busboy: the bytes arrive whole and identical, the announced Content-Length is exact, and
// a large file is never held in memory.
import Busboy from 'busboy';
import { createHash } from 'crypto';
import { createServer, type IncomingMessage, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { IHttpRequestOptions } from 'n8n-workflow';

import { multipartRequest, type UploadFile } from '../../nodes/shared/transport/multipartBody';
import { watchLiveMemory } from '../helpers/liveMemory';

/** n8n's own HTTP helper, the one a node's `this.helpers.httpRequest` calls: n8n-core's (up to 2.40) or @n8n/backend-network's (2.41+). */
function n8nHttpRequest(): (options: IHttpRequestOptions) => Promise<unknown> {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const helpers = require('n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions') as { httpRequest?: (options: IHttpRequestOptions) => Promise<unknown> };
		if (typeof helpers.httpRequest === 'function') return helpers.httpRequest;
	} catch {
		// n8n-core 2.41 moved it
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Container } = require('@n8n/di') as { Container: { get<T>(type: unknown): T } };
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { OutboundHttp } = require('@n8n/backend-network') as { OutboundHttp: unknown };
	return async (options) => await Container.get<{ requests(): { request(o: IHttpRequestOptions): Promise<unknown> } }>(OutboundHttp).requests().request(options);
}
const httpRequest = n8nHttpRequest();

interface ReceivedForm {
	contentLength: number;
	bytesOnWire: number;
	fields: Record<string, string>;
	files: Array<{ field: string; fileName: string; mimeType: string; size: number; sha256: string }>;
}

let server: Server;
let url: string;
const received: ReceivedForm[] = [];

function parseForm(request: IncomingMessage): Promise<ReceivedForm> {
	return new Promise((resolve, reject) => {
		const form: ReceivedForm = { contentLength: Number(request.headers['content-length']), bytesOnWire: 0, fields: {}, files: [] };
		request.on('data', (chunk: Buffer) => (form.bytesOnWire += chunk.length));
		const busboy = Busboy({ headers: request.headers, defParamCharset: 'utf8', limits: { fileSize: Infinity } });
		const pending: Array<Promise<void>> = [];
		busboy.on('field', (name, value) => (form.fields[name] = value));
		busboy.on('file', (field, stream, info) => {
			const hash = createHash('sha256');
			let size = 0;
			pending.push(
				new Promise((done) => {
					stream.on('data', (chunk: Buffer) => {
						size += chunk.length;
						hash.update(chunk);
					});
					stream.on('end', () => {
						form.files.push({ field, fileName: info.filename, mimeType: info.mimeType, size, sha256: hash.digest('hex') });
						done();
					});
				}),
			);
		});
		busboy.on('close', () => void Promise.all(pending).then(() => resolve(form)));
		busboy.on('error', reject);
		request.on('aborted', () => reject(new Error('aborted')));
		request.pipe(busboy);
	});
}

beforeAll(async () => {
	server = createServer((request, response) => {
		parseForm(request).then(
			(form) => {
				received.push(form);
				response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
			},
			() => response.destroy(),
		);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
});
afterAll(async () => await new Promise((resolve) => server.close(resolve)));

/** Deterministic bytes made while they are read: the file never exists whole. */
function generatedFile(size: number, fileName: string, mimeType: string, chunkSize = 256 * 1024): UploadFile & { sha256: string } {
	const chunk = (index: number, length: number) => Buffer.alloc(length, index % 251);
	const hash = createHash('sha256');
	for (let offset = 0, index = 0; offset < size; offset += chunkSize, index++) hash.update(chunk(index, Math.min(chunkSize, size - offset)));
	return {
		fileName,
		mimeType,
		size,
		sha256: hash.digest('hex'),
		open: async () =>
			(async function* () {
				for (let offset = 0, index = 0; offset < size; offset += chunkSize, index++) yield chunk(index, Math.min(chunkSize, size - offset));
			})(),
	};
}

test('fields and a file arrive as sent, with an exact Content-Length', async () => {
	const file = generatedFile(3_000_123, '季度报告.pdf', 'application/pdf');
	const response = (await httpRequest({
		method: 'POST',
		url,
		...multipartRequest([
			{ name: 'chatId', value: '79001234567@c.us' },
			{ name: 'file', file },
			{ name: 'caption', value: 'Ваш отчёт ✓' },
		]),
		json: true,
		returnFullResponse: true,
	})) as { statusCode: number; body: unknown };
	expect(response.statusCode).toBe(200);
	const form = received.at(-1)!;
	expect(form.fields).toEqual({ chatId: '79001234567@c.us', caption: 'Ваш отчёт ✓' });
	expect(form.files).toEqual([{ field: 'file', fileName: '季度报告.pdf', mimeType: 'application/pdf', size: file.size, sha256: file.sha256 }]);
	expect(form.contentLength).toBe(form.bytesOnWire);
});

test('a 256 MB file streams through without being held in memory', async () => {
	const file = generatedFile(256 * 1024 * 1024, 'video.mp4', 'video/mp4');
	const memory = watchLiveMemory({ collectAbove: 64 * 1024 * 1024, everyMs: 20 });
	let peak: number;
	try {
		await httpRequest({ method: 'POST', url, ...multipartRequest([{ name: 'media', file }]), json: true });
	} finally {
		peak = memory.stop();
	}
	expect(received.at(-1)!.files[0]).toMatchObject({ size: file.size, sha256: file.sha256 });
	console.log(`[multipart] 256 MB upload: peak live heap + buffers growth ${(peak / 1024 / 1024).toFixed(1)} MB`);
	// Buffering the body (axios's redirect support does, when redirects are followed) would keep 256 MB or more
	// alive; streamed, what stays alive is a few pieces (garbage not counted: test/helpers/liveMemory.ts).
	expect(peak).toBeLessThan(96 * 1024 * 1024);
});

test('a file whose bytes fall short of its announced size fails the request instead of hanging', async () => {
	const file = generatedFile(1_000_000, 'short.bin', 'application/octet-stream');
	const shortFile: UploadFile = { ...file, size: 1_500_000 };
	const outcome = await httpRequest({ method: 'POST', url, ...multipartRequest([{ name: 'file', file: shortFile }]), timeout: 10_000 }).then(
		() => 'answered',
		(error: Error) => error.message,
	);
	expect(outcome).not.toBe('answered');
	expect(outcome).toMatch(/changed while it was sent|aborted|socket|ECONNRESET|hang up/i);
});
