// Issue 5: retries, rate limits, download integrity and bad input, through n8n's real
// engine against the stand-in's hostile modes. Figures worth quoting are printed
// with the prefix "[hardening]".
import { createHash } from 'crypto';
import { existsSync, readdirSync, statSync } from 'fs';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import { join } from 'path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, binaryBuffer, runNode, type BinaryMode, type NodeRun } from '../helpers/engine';
import { watchLiveMemory } from '../helpers/liveMemory';
import { n8nRemovesPartialFiles } from '../helpers/n8nVersion';
import { generatedBytesSha256, presetFaults, startStandIn, type Fault, type FileBody, type StandIn } from '../standin/server';

const APP_KEY = 'dinghardening';
const APP_SECRET = 'hardening-app-secret-value';
const PNG = readFixture('image.png');

let s: StandIn;
let dingCredentials: CredentialStore;
let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}x${Date.now()}`;

beforeAll(async () => {
	s = await startStandIn();
	s.dingTalk.addApp({ appKey: APP_KEY, appSecret: APP_SECRET });
	dingCredentials = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: s.dingTalkUrl } });
});
afterAll(async () => await s.close());
beforeEach(() => s.resetStats());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface DingCase {
	body?: FileBody;
	fault?: Fault;
	options?: INodeParameters;
	binaryMode?: BinaryMode;
	continueOnFail?: boolean;
}

async function runDingTalk(c: DingCase = {}): Promise<NodeRun> {
	const downloadCode = unique('CODE');
	s.dingTalk.addFile({ downloadCode, robotCode: APP_KEY, body: c.body ?? PNG, fault: c.fault });
	return await runNode({
		parameters: { service: 'dingTalk', source: 'fields', downloadCode, options: c.options ?? {} },
		credentials: dingCredentials,
		binaryMode: c.binaryMode ?? 'memory',
		continueOnFail: c.continueOnFail,
	});
}

interface GreenSetup {
	idInstance: string;
	token: string;
	credentials: CredentialStore;
}

function greenInstance(overrides: { apiUrl?: string; mediaUrl?: string; token?: string; standIn?: StandIn } = {}): GreenSetup {
	const standIn = overrides.standIn ?? s;
	const idInstance = String(1101000000 + ++counter);
	const token = `greentoken${idInstance}abcdef`;
	standIn.greenApi.addInstance({ idInstance, apiTokenInstance: token, messenger: 'whatsapp' });
	const credentials = new CredentialStore({
		greenApi: {
			apiUrl: overrides.apiUrl ?? standIn.greenApiUrl,
			// The node fetches a webhook's own link only from the credential's media host.
			mediaUrl: overrides.mediaUrl ?? standIn.greenMediaUrl,
			idInstance,
			apiTokenInstance: overrides.token ?? token,
			messenger: 'whatsapp',
		},
	});
	return { idInstance, token, credentials };
}

async function runGreenFields(
	green: GreenSetup,
	chatId: unknown,
	idMessage: unknown,
	extra: { options?: INodeParameters; binaryMode?: BinaryMode; continueOnFail?: boolean } = {},
): Promise<NodeRun> {
	return await runNode({
		parameters: { service: 'greenApi', source: 'fields', chatId, idMessage, options: extra.options ?? {} } as INodeParameters,
		credentials: green.credentials,
		binaryMode: extra.binaryMode ?? 'memory',
		continueOnFail: extra.continueOnFail,
	});
}

/** A Green-API incomingMessageReceived webhook for a document with this link. */
function greenWebhook(green: GreenSetup, downloadUrl: string, idMessage = unique('MSG'), chatId = '79001234567@c.us'): IDataObject {
	return {
		typeWebhook: 'incomingMessageReceived',
		instanceData: { idInstance: Number(green.idInstance), wid: '79000000000@c.us', typeInstance: 'whatsapp' },
		timestamp: 1732000000,
		idMessage,
		senderData: { chatId, sender: chatId, senderName: 'Tester' },
		messageData: { typeMessage: 'documentMessage', fileMessageData: { downloadUrl, caption: '', fileName: 'report.bin', mimeType: 'application/octet-stream' } },
	};
}

function errorText(run: NodeRun): string {
	const error = run.error as (Error & { description?: string }) | undefined;
	return `${error?.message ?? ''} | ${error?.description ?? ''}`;
}

async function outputBytes(item: INodeExecutionData | undefined): Promise<Buffer | undefined> {
	const binary = item?.binary?.data;
	return binary ? await binaryBuffer(binary) : undefined;
}

/** Every file under the binary data storage folder, with its size. */
function storedFiles(): Map<string, number> {
	const root = process.env.N8N_BINARY_DATA_STORAGE_PATH as string;
	const files = new Map<string, number>();
	const walk = (dir: string) => {
		if (!existsSync(dir)) return;
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const full = join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else files.set(full, statSync(full).size);
		}
	};
	walk(root);
	return files;
}

function newFiles(before: Map<string, number>): Array<[string, number]> {
	return [...storedFiles()].filter(([file]) => !before.has(file));
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
	const start = Date.now();
	const value = await work();
	return { value, ms: Date.now() - start };
}

// ------------------------------------------------------------------------- retries

describe('retries of transient failures', () => {
	test('DingTalk 429 with Retry-After: retried after the pause, then succeeds', async () => {
		const { value: run, ms } = await timed(() => runDingTalk({ fault: presetFaults.tooManyRequests(1, 1), options: { maxRetries: 2 } }));
		expect(run.error).toBeUndefined();
		expect(sha256((await outputBytes(run.items[0]))!)).toBe(sha256(PNG));
		expect(s.stats.dingTalkDownloadCalls).toBe(2);
		expect(ms).toBeGreaterThanOrEqual(950); // Retry-After: 1 honoured
	});

	test('Green-API 429 without Retry-After: retried with backoff, then succeeds', async () => {
		const green = greenInstance();
		s.greenApi.addFile({ idInstance: green.idInstance, chatId: '79001@c.us', idMessage: 'R429', body: PNG, fault: { api: { status: 429, body: 'Too Many Requests', times: 1 } } });
		const run = await runGreenFields(green, '79001@c.us', 'R429', { options: { maxRetries: 2 } });
		expect(run.error).toBeUndefined();
		expect(sha256((await outputBytes(run.items[0]))!)).toBe(sha256(PNG));
		expect(s.stats.greenDownloadFileCalls).toBe(2);
	});

	test.each([502, 503, 504])('DingTalk gateway %i: retried, then succeeds', async (status) => {
		const run = await runDingTalk({ fault: presetFaults.gateway(status, 1), options: { maxRetries: 1 } });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.messageFile).toMatchObject({ mimeType: 'image/png' });
		expect(s.stats.dingTalkDownloadCalls).toBe(2);
	});

	test.each([502, 503, 504])('Green-API gateway %i: retried, then succeeds', async (status) => {
		const green = greenInstance();
		s.greenApi.addFile({ idInstance: green.idInstance, chatId: '79002@c.us', idMessage: `G${status}`, body: PNG, fault: presetFaults.gateway(status, 1) });
		const run = await runGreenFields(green, '79002@c.us', `G${status}`, { options: { maxRetries: 1 } });
		expect(run.error).toBeUndefined();
		expect(s.stats.greenDownloadFileCalls).toBe(2);
	});

	test('DingTalk QPS-limit 403 twice: retried twice, then succeeds', async () => {
		const run = await runDingTalk({ fault: presetFaults.dingTalkQpsLimit(2), options: { maxRetries: 2 } });
		expect(run.error).toBeUndefined();
		expect(s.stats.dingTalkDownloadCalls).toBe(3);
		expect(s.stats.dingTalkTokenCalls).toBe(0); // throttling is not a token problem
	});

	test('DingTalk QPS-limit with retries exhausted: a clear throttling error after 1 + maxRetries calls', async () => {
		const run = await runDingTalk({ fault: presetFaults.dingTalkQpsLimit(5), options: { maxRetries: 1 } });
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toMatch(/throttling/i);
		expect(s.stats.dingTalkDownloadCalls).toBe(2);
	});

	test('connection reset before any byte on the DingTalk API call: retried, then succeeds', async () => {
		const run = await runDingTalk({ fault: { apiResetTimes: 1 }, options: { maxRetries: 1 } });
		expect(run.error).toBeUndefined();
		expect(s.stats.dingTalkDownloadCalls).toBe(2);
	});

	test('connection reset before any byte on the Green-API call: retried, then succeeds', async () => {
		const green = greenInstance();
		s.greenApi.addFile({ idInstance: green.idInstance, chatId: '79003@c.us', idMessage: 'RST', body: PNG, fault: { apiResetTimes: 1 } });
		const run = await runGreenFields(green, '79003@c.us', 'RST', { options: { maxRetries: 1 } });
		expect(run.error).toBeUndefined();
		expect(s.stats.greenDownloadFileCalls).toBe(2);
	});

	test('file host resets the connection before any byte: the download is retried, then succeeds', async () => {
		const run = await runDingTalk({ fault: { file: 'reset', fileTimes: 1 }, options: { maxRetries: 1 } });
		expect(run.error).toBeUndefined();
		expect(sha256((await outputBytes(run.items[0]))!)).toBe(sha256(PNG));
		expect(s.stats.ossGets).toBe(2);
	});

	test('maxRetries 0: a 502 is not retried', async () => {
		const run = await runDingTalk({ fault: presetFaults.gateway(502, 1), options: { maxRetries: 0 } });
		expect(run.error?.name).toBe('NodeApiError');
		expect(errorText(run)).toMatch(/HTTP 502/);
		expect(s.stats.dingTalkDownloadCalls).toBe(1);
	});

	test('maxRetries 0: a reset file download is not retried', async () => {
		const run = await runDingTalk({ fault: { file: 'reset' }, options: { maxRetries: 0 } });
		expect(run.error).toBeDefined();
		expect(errorText(run)).toMatch(/reset|closed|cut off/i);
		expect(s.stats.ossGets).toBe(1);
	});
});

describe('final answers are not retried (default maxRetries)', () => {
	test('DingTalk 400 (unknown download code): one call', async () => {
		const run = await runNode({
			parameters: { service: 'dingTalk', source: 'fields', downloadCode: 'NO-SUCH-CODE' },
			credentials: dingCredentials,
		});
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toMatch(/download code is incorrect or has expired/);
		expect(s.stats.dingTalkDownloadCalls).toBe(1);
	});

	test('DingTalk wrong app secret: one token call, no download call', async () => {
		const credentials = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey: APP_KEY, appSecret: 'wrong-secret-value', baseUrl: s.dingTalkUrl } });
		const run = await runNode({ parameters: { service: 'dingTalk', source: 'fields', downloadCode: 'X' }, credentials });
		expect(run.error).toBeDefined();
		expect(errorText(run)).toMatch(/App Key or App Secret/);
		// preAuthentication's call plus the node's one renewal attempt (tokenRenewal.ts); never 1 + maxRetries.
		expect(s.stats.dingTalkTokenCalls).toBeLessThanOrEqual(2);
		expect(s.stats.dingTalkDownloadCalls).toBe(0);
	});

	test('Green-API 400 (message without a file): one call', async () => {
		const green = greenInstance();
		s.greenApi.addMissingFile({ idInstance: green.idInstance, chatId: '79004@c.us', idMessage: 'NOFILE' });
		const run = await runGreenFields(green, '79004@c.us', 'NOFILE');
		expect(run.error?.message).toBe('This message has no file to download');
		expect(s.stats.greenDownloadFileCalls).toBe(1);
	});

	test('Green-API 500 "file gone": one call, final', async () => {
		const green = greenInstance();
		s.greenApi.addGoneFile({ idInstance: green.idInstance, chatId: '79005@c.us', idMessage: 'GONE' });
		const run = await runGreenFields(green, '79005@c.us', 'GONE');
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toMatch(/no longer available/);
		expect(s.stats.greenDownloadFileCalls).toBe(1);
	});

	test('Green-API 401 (wrong token): one call', async () => {
		const green = greenInstance({ token: 'wrong-token-0123456789' });
		s.greenApi.addFile({ idInstance: green.idInstance, chatId: '79006@c.us', idMessage: 'A401', body: PNG });
		const run = await runGreenFields(green, '79006@c.us', 'A401');
		expect(run.error?.message).toBe('Green-API rejected the API token');
		expect(s.stats.greenDownloadFileCalls).toBe(1);
	});

	test('Green-API 403 (unknown instance): one call', async () => {
		const green = greenInstance();
		const credentials = new CredentialStore({ greenApi: { ...green.credentials.get('greenApi'), idInstance: '1101999999' } });
		const run = await runGreenFields({ ...green, credentials }, '79007@c.us', 'A403');
		expect(run.error?.message).toMatch(/does not know this instance/);
		expect(s.stats.greenDownloadFileCalls).toBe(1);
	});

	test('DingTalk 403 permission denied: no retry (one renewal of the token, then final)', async () => {
		const run = await runDingTalk({ fault: presetFaults.dingTalkPermissionDenied() });
		expect(run.error?.message).toMatch(/lacks the permission/);
		// The node renews the token once on this answer (the request that offers n8n the renewal,
		// then the repeat with the node's own new token), then stops: never 1 + maxRetries.
		expect(s.stats.dingTalkDownloadCalls).toBe(3);
	});

	test('Green-API 466 quota exceeded: one call', async () => {
		const green = greenInstance();
		s.greenApi.addFile({ idInstance: green.idInstance, chatId: '79008@c.us', idMessage: 'Q466', body: PNG, fault: presetFaults.greenQuotaExceeded() });
		const run = await runGreenFields(green, '79008@c.us', 'Q466');
		expect(run.error?.message).toMatch(/quota/);
		expect(s.stats.greenDownloadFileCalls).toBe(1);
	});
});

// ---------------------------------------------------------------- Green rate limit

describe('Green-API rate limit', () => {
	test('50 items at concurrency 10 against a 5/s instance: no 429 reaches the user or the server', async () => {
		const limited = await startStandIn({ rateLimitPerSecond: 5 });
		try {
			const green = greenInstance({ standIn: limited });
			const input: IDataObject[] = [];
			for (let index = 0; index < 50; index++) {
				limited.greenApi.addFile({ idInstance: green.idInstance, chatId: '79009@c.us', idMessage: `BATCH${index}`, body: PNG, linkExtension: 'png' });
				input.push({ idMessage: `BATCH${index}` });
			}
			const { value: run, ms } = await timed(() =>
				runNode({
					parameters: { service: 'greenApi', source: 'fields', chatId: '79009@c.us', idMessage: '={{ $json.idMessage }}', options: { concurrency: 10 } },
					input,
					credentials: green.credentials,
					binaryMode: 'memory',
				}),
			);
			expect(run.error).toBeUndefined();
			expect(run.items).toHaveLength(50);
			expect(run.items.every((item) => (item.json.messageFile as IDataObject)?.mimeType === 'image/png')).toBe(true);
			// The node spaces its calls (5 per 1.1 s) so the server sees none too; on an overloaded machine
			// requests can still arrive bunched, and the stray 429 is retried, never surfacing.
			expect(limited.stats.rateLimited429).toBeLessThanOrEqual(2);
			expect(limited.stats.greenDownloadFileCalls).toBe(50 + limited.stats.rateLimited429);
			console.log(`[hardening] rate limit: 50 files in ${ms} ms = ${(50 / (ms / 1000)).toFixed(2)} files/s (instance limit 5/s)`);
		} finally {
			await limited.close();
		}
	}, 60_000);
});

// ------------------------------------------------------------------ download integrity

/** A file host that sends part of a chunked body, then cuts the connection. */
async function cutChunkedHost(bytes: number): Promise<{ url: string; server: Server; gets: () => number }> {
	let gets = 0;
	const server = createServer((_req, res) => {
		gets++;
		res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' });
		res.write(Buffer.alloc(bytes, 7), () => setTimeout(() => res.socket?.destroy(), 20));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/file`, server, gets: () => gets };
}

/** A file host that announces the whole Content-Length, sends part of it, then cuts the connection. */
async function cutLengthHost(total: number, sent: number): Promise<{ url: string; server: Server; gets: () => number }> {
	let gets = 0;
	const server = createServer((_req, res) => {
		gets++;
		res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(total) });
		res.write(Buffer.alloc(sent, 9), () => setTimeout(() => res.socket?.destroy(), 20));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/file.bin`, server, gets: () => gets };
}

describe('download integrity', () => {
	test.each([
		['small', 20_000],
		['large', 800_000],
	])('Content-Length body cut half-way (%s), maxRetries 0: an error naming the cut, never a short binary', async (_label, total) => {
		const host = await cutLengthHost(total, total / 2);
		try {
			for (const binaryMode of ['memory', 'filesystem'] as const) {
				const green = greenInstance({ mediaUrl: host.url });
				const before = storedFiles();
				const run = await runNode({
					parameters: { service: 'greenApi', source: 'message', options: { maxRetries: 0, timeout: 2 } },
					input: [greenWebhook(green, host.url)],
					credentials: green.credentials,
					binaryMode,
				});
				expect(run.items).toHaveLength(0);
				expect(run.error?.name).toBe('NodeApiError');
				expect(run.error?.message).toMatch(/cut off/);
				const leftovers = newFiles(before);
				if (leftovers.length) console.log(`[hardening] cut ${total} ${binaryMode}: partial stored files left`, leftovers);
			}
			expect(host.gets()).toBe(2);
		} finally {
			host.server.closeAllConnections();
			host.server.close();
		}
	});

	test.each([
		['small (under the detection head)', 10_000],
		['large (streamed)', 400_000],
	])('truncated body, %s, maxRetries 0: an error, never a short binary', async (_label, size) => {
		for (const binaryMode of ['memory', 'filesystem'] as const) {
			const before = storedFiles();
			// A generous idle timeout: the cut must be noticed as a cut, not as a stall.
			const { value: run, ms } = await timed(() => runDingTalk({ body: { size, seed: 3 }, fault: { file: 'truncate' }, options: { maxRetries: 0, timeout: 10 }, binaryMode }));
			expect(run.error?.name).toBe('NodeApiError');
			expect(run.error?.message).toMatch(/cut off/);
			expect(ms).toBeLessThan(5_000);
			expect(run.items).toHaveLength(0);
			const leftovers = newFiles(before);
			if (leftovers.length) console.log(`[hardening] truncate ${size} ${binaryMode}: leftover stored files`, leftovers);
		}
	});

	test('truncated body with a retry: the second attempt delivers the whole file', async () => {
		const size = 400_000;
		const run = await runDingTalk({ body: { size, seed: 4 }, fault: { file: 'truncate', fileTimes: 1 }, options: { maxRetries: 1, timeout: 1 }, binaryMode: 'filesystem' });
		expect(run.error).toBeUndefined();
		const bytes = (await outputBytes(run.items[0]))!;
		expect(bytes.length).toBe(size);
		expect(sha256(bytes)).toBe(generatedBytesSha256(size, 4));
		expect(s.stats.ossGets).toBe(2);
	});

	test.each([
		['small', 10_000],
		['large', 400_000],
	])('chunked body cut half-way (%s), maxRetries 0: an error, never a short binary', async (_label, size) => {
		const host = await cutChunkedHost(size);
		try {
			for (const binaryMode of ['memory', 'filesystem'] as const) {
				const green = greenInstance({ mediaUrl: host.url });
				const run = await runNode({
					parameters: { service: 'greenApi', source: 'message', options: { maxRetries: 0 } },
					input: [greenWebhook(green, host.url)],
					credentials: green.credentials,
					binaryMode,
				});
				expect(run.items).toHaveLength(0);
				expect(run.error?.message).toMatch(/cut off/);
			}
			expect(host.gets()).toBe(2);
		} finally {
			host.server.closeAllConnections();
			host.server.close();
		}
	});

	test("'stall' after the first bytes: the idle timeout fires, no hang", async () => {
		const { value: run, ms } = await timed(() => runDingTalk({ body: { size: 300_000, seed: 5 }, fault: { file: 'stall' }, options: { timeout: 1, maxRetries: 0 } }));
		expect(run.error?.message).toMatch(/stopped sending data/);
		expect(ms).toBeLessThan(5_000);
		console.log(`[hardening] stall after headers: failed after ${ms} ms (timeout 1 s)`);
	});

	test("'stall' in the middle of a streamed body (after the head): the idle timeout fires, no hang", async () => {
		for (const binaryMode of ['memory', 'filesystem'] as const) {
			const { value: run, ms } = await timed(() =>
				runDingTalk({ body: { size: 600_000, seed: 6 }, fault: { file: 'stall', stallAfterBytes: 200_000 }, options: { timeout: 1, maxRetries: 0 }, binaryMode }),
			);
			expect(run.error).toBeDefined();
			expect(run.items).toHaveLength(0);
			expect(ms).toBeLessThan(5_000);
			console.log(`[hardening] stall mid-body (${binaryMode}): ${ms} ms, "${run.error?.message}"`);
		}
	});

	test("'stall' with one retry: bounded (two timeouts plus backoff)", async () => {
		const { value: run, ms } = await timed(() => runDingTalk({ body: { size: 300_000, seed: 5 }, fault: { file: 'stall' }, options: { timeout: 1, maxRetries: 1 } }));
		expect(run.error?.message).toMatch(/stopped sending data/);
		expect(s.stats.ossGets).toBe(2);
		expect(ms).toBeLessThan(8_000);
	});

	test("'stallBeforeHeaders': the timeout fires, no hang", async () => {
		const { value: run, ms } = await timed(() => runDingTalk({ fault: { file: 'stallBeforeHeaders' }, options: { timeout: 1, maxRetries: 0 } }));
		expect(run.error).toBeDefined();
		expect(errorText(run)).toMatch(/timed out|stopped sending/i);
		expect(ms).toBeLessThan(5_000);
		console.log(`[hardening] stall before headers: failed after ${ms} ms (timeout 1 s)`);
	});

	test('expired signed OSS link (403 XML): a clear error naming the host\'s reason', async () => {
		const xml =
			'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>AccessDenied</Code>\n  <Message>Request has expired.</Message>\n  <RequestId>65F0A1B2C3D4E5F6A7B8C9D0</RequestId>\n  <HostId>dingtalk-im-robot.oss-cn-hangzhou.aliyuncs.com</HostId>\n</Error>\n';
		const run = await runDingTalk({ fault: { file: { status: 403, body: xml, contentType: 'application/xml' } } });
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toMatch(/refused the download link \(HTTP 403\)/);
		expect((run.error as { description?: string }).description).toMatch(/AccessDenied: Request has expired/);
		expect(s.stats.ossGets).toBe(1);
	});

	test("'html200': a clear error, not an HTML file", async () => {
		const run = await runDingTalk({ fault: { file: 'html200' } });
		expect(run.error?.message).toBe('The file host answered with an HTML page instead of the file');
		expect(run.items).toHaveLength(0);
	});

	test("'empty': a clear error", async () => {
		const run = await runDingTalk({ fault: { file: 'empty' } });
		expect(run.error?.message).toBe('The file is empty (0 bytes)');
		expect(run.items).toHaveLength(0);
	});

	test('maxFileSize with Content-Length: refused before reading the body', async () => {
		const size = 20 * 1024 * 1024;
		const before = storedFiles();
		const run = await runDingTalk({ body: { size, seed: 7 }, options: { maxFileSize: 1 }, binaryMode: 'filesystem' });
		expect(run.error?.message).toBe('The file is 20.0 MB, over the 1.0 MB limit');
		expect(s.stats.ossBytesServed).toBeLessThan(size / 2);
		expect(newFiles(before)).toEqual([]);
		console.log(`[hardening] maxFileSize from Content-Length: host wrote ${s.stats.ossBytesServed} of ${size} bytes before the socket closed`);
	});

	test('maxFileSize without Content-Length: aborted while streaming; nothing stored', async () => {
		// Large enough that what loopback socket buffers take before the abort (up to ~13 MB seen on Node 24) stays under half.
		const size = 40 * 1024 * 1024;
		for (const binaryMode of ['memory', 'filesystem'] as const) {
			s.resetStats();
			const before = storedFiles();
			const run = await runDingTalk({ body: { size, seed: 8 }, fault: { file: 'noContentLength' }, options: { maxFileSize: 1, maxRetries: 0 }, binaryMode });
			expect(run.error?.message).toBe('The file is larger than the 1.0 MB limit');
			expect(run.items).toHaveLength(0);
			expect(s.stats.ossBytesServed).toBeLessThan(size / 2);
			const leftovers = newFiles(before);
			console.log(`[hardening] maxFileSize while streaming (${binaryMode}): host wrote ${s.stats.ossBytesServed} bytes; new stored files: ${JSON.stringify(leftovers)}`);
		}
	});

	// n8n's filesystem store writes the stream to its file as it arrives; when the stream fails, n8n-core
	// leaves the partial file (removed only with the execution's data). The node has no helper to delete
	// it and may not touch the file system itself (cloud lint), so this stays open: see the report.
	// n8n-core up to 2.40 writes a stream to its file as it arrives and leaves the partial file when it
	// fails (no output points to it; n8n deletes it with the execution). 2.41+ removes it.
	(n8nRemovesPartialFiles ? test : test.failing)('maxFileSize without Content-Length, filesystem mode: no partial file remains', async () => {
		const before = storedFiles();
		const run = await runDingTalk({ body: { size: 20 * 1024 * 1024, seed: 8 }, fault: { file: 'noContentLength' }, options: { maxFileSize: 1, maxRetries: 0 }, binaryMode: 'filesystem' });
		expect(run.error?.message).toBe('The file is larger than the 1.0 MB limit');
		expect(newFiles(before)).toEqual([]);
	});

	test.each([65_536, 65_537, 100_000, 131_072])('a %i-byte file (the head takes the last bytes) arrives whole', async (size) => {
		for (const binaryMode of ['memory', 'filesystem'] as const) {
			const run = await runDingTalk({ body: { size, seed: 12 }, binaryMode });
			expect(run.error).toBeUndefined();
			expect(sha256((await outputBytes(run.items[0]))!)).toBe(generatedBytesSha256(size, 12));
		}
	});

	test('maxFileSize without Content-Length, file under the limit: stored whole', async () => {
		const size = 300_000;
		const run = await runDingTalk({ body: { size, seed: 9 }, fault: { file: 'noContentLength' }, options: { maxFileSize: 1 }, binaryMode: 'filesystem' });
		expect(run.error).toBeUndefined();
		expect(sha256((await outputBytes(run.items[0]))!)).toBe(generatedBytesSha256(size, 9));
	});

	test('redirects within the bound are followed', async () => {
		const run = await runDingTalk({ body: { size: 100_000, seed: 10 }, fault: { file: 'redirect', redirects: 3 } });
		expect(run.error).toBeUndefined();
		expect(sha256((await outputBytes(run.items[0]))!)).toBe(generatedBytesSha256(100_000, 10));
		expect(s.stats.ossGets).toBe(4);
	});

	test('redirects over the bound: an error', async () => {
		const run = await runDingTalk({ fault: { file: 'redirect', redirects: 6 } });
		expect(run.error?.message).toBe('The file host redirected more than 5 times');
		expect(s.stats.ossGets).toBe(6);
	});

	test.each(['ftp://127.0.0.1/etc/passwd', 'file:///etc/passwd'])('redirect to %s: an error, nothing fetched', async (target) => {
		const run = await runDingTalk({ fault: { file: 'redirect', redirectTo: target } });
		expect(run.error?.message).toMatch(/redirect target uses (ftp|file), not http or https/);
		expect(run.items).toHaveLength(0);
	});

	test('200 MB file in filesystem mode streams: hash matches, memory stays flat', async () => {
		const size = 200 * 1024 * 1024;
		// Warm up first, so n8n's one-time start-up allocations do not count as the download's.
		expect((await runDingTalk({ body: { size: 1024 * 1024, seed: 12 }, binaryMode: 'filesystem' })).error).toBeUndefined();
		const memory = watchLiveMemory({ collectAbove: 64 * 1024 * 1024 });
		const { value: run, ms } = await timed(() => runDingTalk({ body: { size, seed: 11 }, binaryMode: 'filesystem' }));
		const growthMb = memory.stop() / 1024 / 1024;
		expect(run.error).toBeUndefined();
		const binary = run.items[0].binary!.data;
		expect(binary.id).toBeDefined(); // stored on disk, not inline
		expect(Number(binary.bytes)).toBe(size);
		expect(sha256(await binaryBuffer(binary))).toBe(generatedBytesSha256(size, 11));
		console.log(`[hardening] 200 MB filesystem download on Node ${process.versions.node}: ${ms} ms, peak live heap + buffers growth ${growthMb.toFixed(1)} MB (stand-in in the same process)`);
		// Far below the file's 200 MB: what the download keeps alive (the stream's buffers, the
		// in-process stand-in's), garbage not counted (test/helpers/liveMemory.ts), on every Node.
		expect(growthMb).toBeLessThan(96);
	}, 60_000);
});

// ------------------------------------------------------------------------ bad input

describe('bad input', () => {
	test.each([
		['downloadCode', '={{ "" }}'],
		['downloadCode', '   \t '],
	])('DingTalk %s %j: an error naming the field, no API call', async (_field, value) => {
		const run = await runNode({ parameters: { service: 'dingTalk', source: 'fields', downloadCode: value }, credentials: dingCredentials });
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe('Download Code is empty');
		expect(s.stats.dingTalkDownloadCalls).toBe(0);
	});

	test.each([
		['chatId', '={{ "" }}', 'M1', 'Chat ID is empty'],
		['chatId', '  ', 'M1', 'Chat ID is empty'],
		['idMessage', '79010@c.us', '={{ "" }}', 'Message ID is empty'],
		['idMessage', '79010@c.us', '={{ null }}', 'Message ID is empty'],
		['idMessage', '79010@c.us', ' \n ', 'Message ID is empty'],
	])('Green-API %s empty: an error naming the field', async (_field, chatId, idMessage, message) => {
		const green = greenInstance();
		const run = await runGreenFields(green, chatId, idMessage);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe(message);
		expect(s.stats.greenDownloadFileCalls).toBe(0);
	});

	test('numbers from expressions for chatId and idMessage work', async () => {
		const green = greenInstance();
		s.greenApi.addFile({ idInstance: green.idInstance, chatId: '10000000', idMessage: '123456', body: PNG });
		const run = await runGreenFields(green, '={{ 10000000 }}', '={{ 123456 }}');
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.messageFile).toMatchObject({ mimeType: 'image/png' });
		const request = s.requests.find((r) => r.role === 'greenApi');
		expect(JSON.parse(String(request?.body))).toEqual({ chatId: '10000000', idMessage: '123456' });
	});

	test('an unsafe huge number: an error naming the field', async () => {
		const green = greenInstance();
		const run = await runGreenFields(green, '={{ 12345678901234567890 }}', 'M1');
		expect(run.error?.message).toMatch(/^Chat ID is a number too large to be exact/);
		expect(s.stats.greenDownloadFileCalls).toBe(0);
	});

	test.each([
		['an object', '={{ { id: 1 } }}', /^Message ID must be text, not object/],
		['a list', '={{ [1, 2] }}', /^Message ID must be text, not a list/],
	])('%s where text is expected: an error naming the field', async (_label, value, message) => {
		const green = greenInstance();
		const run = await runGreenFields(green, '79011@c.us', value);
		expect(run.error?.message).toMatch(message);
	});

	test('an unknown message shape: an error describing what the node saw', async () => {
		const run = await runNode({
			parameters: { service: 'dingTalk', source: 'message' },
			input: [{ hello: 'world', nested: { a: 1 } }],
			credentials: dingCredentials,
		});
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe('Message is not a DingTalk robot message: the node saw an object with hello, nested');
	});

	test('an enormous JSON string message (> 5 MB): a clear error', async () => {
		const big = JSON.stringify({ msgtype: 'file', content: { downloadCode: 'X', fileName: 'a'.repeat(6_000_000) } });
		const { value: run, ms } = await timed(() =>
			runNode({ parameters: { service: 'dingTalk', source: 'message', message: '={{ $json.raw }}' }, input: [{ raw: big }], credentials: dingCredentials }),
		);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toMatch(/too large to be a bot message \(6000\d+ characters\)/);
		expect(ms).toBeLessThan(10_000);
	});

	test.each([
		['a path', '../../etc/passwd.png'],
		['control characters', 'in\u0000voi\u0007ce\r\n\u001b[31m.png'],
		['500 characters', `${'x'.repeat(500)}.png`],
		['Windows path and reserved characters', '..\\..\\C:\\Windows\\a<b>c|d?.png'],
	])('File Name option with %s: sanitised', async (_label, fileName) => {
		const run = await runDingTalk({ options: { fileName } });
		expect(run.error).toBeUndefined();
		const name = (run.items[0].json.messageFile as IDataObject).fileName as string;
		const binaryName = run.items[0].binary!.data.fileName as string;
		expect(binaryName).toBe(name);
		expect(name).not.toMatch(/[/\\]/);
		expect(name).not.toMatch(/^\.\./);
		// eslint-disable-next-line no-control-regex
		expect(name).not.toMatch(/[\u0000-\u001f\u007f]/);
		expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
		expect(name.endsWith('.png')).toBe(true);
		console.log(`[hardening] fileName ${JSON.stringify(fileName.slice(0, 40))} → ${JSON.stringify(name.length > 60 ? `${name.slice(0, 20)}…(${name.length})` : name)}`);
	});
});
