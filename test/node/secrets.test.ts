// Issue 5, "Secrets": every failure case of hardening.test.ts (and the API error cases),
// with continueOnFail off and on, through n8n's real engine. Everything the run leaves
// behind (output items, the whole run record, every error with its non-enumerable
// fields and cause chain) and everything logged during the run is searched for the
// credentials' secrets and the access tokens DingTalk handed out.
import { createServer } from 'http';
import type { AddressInfo } from 'net';

import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { LoggerProxy } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, runNode, type BinaryMode, type NodeRun } from '../helpers/engine';
import { presetFaults, startStandIn, type Fault, type StandIn } from '../standin/server';

const APP_KEY = 'dingsecretsapp';
const APP_SECRET = 'AppSecret-7Qx2Lm9Vt4Rk8Zp1';
const WRONG_APP_SECRET = 'WrongAppSecret-3Hf6Jd2Ns5';
const SUITE_KEY = 'suitesecrets01';
const SUITE_SECRET = 'SuiteSecret-5Gy8Wb3Ce6Un0';
const WRONG_SUITE_SECRET = 'WrongSuiteSecret-9Pa4Td7Km2';
const SUITE_TICKET = 'SuiteTicket-2Xr5Bn8Qv1Lw';
const STALE_TOKEN = 'StaleAccessToken-6Yh1Mz4Sc7';
const GREEN_TOKEN = 'GreenApiToken0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8';
const WRONG_GREEN_TOKEN = 'WrongGreenToken9f8e7d6c5b4a39f8e7d6c5b4a3';
const CORP_ID = 'dingsecretscorp000000000000000000';
const PNG = readFixture('image.png');

let s: StandIn;
let closedPort: number;
let idCounter = 0;
const unique = (prefix: string) => `${prefix}${++idCounter}`;

beforeAll(async () => {
	s = await startStandIn();
	s.dingTalk.addApp({ appKey: APP_KEY, appSecret: APP_SECRET, corpId: CORP_ID });
	s.dingTalk.addApp({ appKey: 'dingnoperm', appSecret: APP_SECRET, corpId: CORP_ID, robotPermission: false });
	s.dingTalk.addSuite({ suiteKey: SUITE_KEY, suiteSecret: SUITE_SECRET, authCorpId: CORP_ID, suiteTicket: SUITE_TICKET });
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	closedPort = (server.address() as AddressInfo).port;
	await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => await s.close());

// ------------------------------------------------------------------------ the cases

interface Case {
	name: string;
	/** Sets up the stand-in and returns what to run. */
	prepare: () => { parameters: INodeParameters; credentials: CredentialStore; input?: IDataObject[]; binaryMode?: BinaryMode };
}

const dingInternal = (overrides: IDataObject = {}) =>
	new CredentialStore({ dingTalkApi: { appType: 'internal', appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: s.dingTalkUrl, ...overrides } });
const dingSuite = (overrides: IDataObject = {}) =>
	new CredentialStore({
		dingTalkApi: { appType: 'thirdParty', suiteKey: SUITE_KEY, suiteSecret: SUITE_SECRET, authCorpId: CORP_ID, suiteTicket: SUITE_TICKET, robotCode: APP_KEY, baseUrl: s.dingTalkUrl, ...overrides },
	});

let greenInstanceCounter = 0;
function green(overrides: IDataObject = {}): { idInstance: string; credentials: CredentialStore } {
	const idInstance = String(1101500000 + ++greenInstanceCounter);
	s.greenApi.addInstance({ idInstance, apiTokenInstance: GREEN_TOKEN, messenger: 'whatsapp' });
	return {
		idInstance,
		credentials: new CredentialStore({
			greenApi: { apiUrl: s.greenApiUrl, mediaUrl: s.greenMediaUrl, idInstance, apiTokenInstance: GREEN_TOKEN, messenger: 'whatsapp', ...overrides },
		}),
	};
}

function dingFile(name: string, options: INodeParameters, fault?: Fault, extra: { credentials?: () => CredentialStore; body?: Buffer | { size: number; seed?: number }; binaryMode?: BinaryMode } = {}): Case {
	return {
		name: `DingTalk: ${name}`,
		prepare: () => {
			const downloadCode = unique('SECRETCODE');
			s.dingTalk.addFile({ downloadCode, robotCode: APP_KEY, corpId: CORP_ID, body: extra.body ?? bodyFor(fault), fault });
			return {
				parameters: { service: 'dingTalk', source: 'fields', downloadCode, robotCode: APP_KEY, options: { maxRetries: 0, timeout: 1, ...options } },
				credentials: (extra.credentials ?? dingInternal)(),
				binaryMode: extra.binaryMode,
			};
		},
	};
}

function greenFile(name: string, options: INodeParameters, fault?: Fault, extra: { credentialOverrides?: IDataObject; viaWebhook?: boolean } = {}): Case {
	return {
		name: `Green-API: ${name}`,
		prepare: () => {
			const instance = green(extra.credentialOverrides);
			const idMessage = unique('SECRETMSG');
			const chatId = '79001112233@c.us';
			const { directUrl } = s.greenApi.addFile({ idInstance: instance.idInstance, chatId, idMessage, body: bodyFor(fault), linkExtension: 'png', fault });
			const parameters: INodeParameters = extra.viaWebhook
				? { service: 'greenApi', source: 'message', options: { maxRetries: 0, timeout: 1, ...options } }
				: { service: 'greenApi', source: 'fields', chatId, idMessage, options: { maxRetries: 0, timeout: 1, ...options } };
			const input = extra.viaWebhook
				? [
						{
							typeWebhook: 'incomingMessageReceived',
							instanceData: { idInstance: Number(instance.idInstance), wid: '79000000000@c.us', typeInstance: 'whatsapp' },
							timestamp: 1732000000,
							idMessage,
							senderData: { chatId, sender: chatId, senderName: 'Tester' },
							messageData: { typeMessage: 'imageMessage', fileMessageData: { downloadUrl: directUrl, caption: '', fileName: 'photo.png', mimeType: 'image/png' } },
						},
					]
				: undefined;
			return { parameters, credentials: instance.credentials, input };
		},
	};
}

/** A stall must leave the file unfinished: the PNG fits in the bytes sent before the silence. */
const bodyFor = (fault?: Fault) => (fault?.file === 'stall' ? { size: 300_000, seed: 2 } : PNG);

const fileFaults: Array<[string, Fault]> = [
	['truncated body', { file: 'truncate' }],
	['stall after headers', { file: 'stall' }],
	['stall before headers', { file: 'stallBeforeHeaders' }],
	['expired signed link (403 XML)', { file: { status: 403, contentType: 'application/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>' } }],
	['HTML page with 200', { file: 'html200' }],
	['empty body', { file: 'empty' }],
	['reset before any byte', { file: 'reset' }],
	['redirects over the bound', { file: 'redirect', redirects: 6 }],
	['redirect to file://', { file: 'redirect', redirectTo: 'file:///etc/passwd' }],
	['redirect to ftp://', { file: 'redirect', redirectTo: 'ftp://127.0.0.1/x' }],
	['500 from the file host', { file: { status: 500, body: 'Internal Server Error' } }],
];

const cases: Case[] = [
	// DingTalk API answers
	dingFile('429', {}, presetFaults.tooManyRequests(0, 5)),
	dingFile('502', {}, presetFaults.gateway(502, 5)),
	dingFile('503', {}, presetFaults.gateway(503, 5)),
	dingFile('QPS-limit 403', {}, presetFaults.dingTalkQpsLimit(5)),
	dingFile('permission denied 403', {}, presetFaults.dingTalkPermissionDenied()),
	dingFile('reset on the API call', {}, { apiResetTimes: 5 }),
	dingFile('app without robot permission', {}, undefined, { credentials: () => dingInternal({ appKey: 'dingnoperm' }) }),
	{
		name: 'DingTalk: unknown download code (400)',
		prepare: () => ({ parameters: { service: 'dingTalk', source: 'fields', downloadCode: 'NO-SUCH-CODE', options: { maxRetries: 0 } }, credentials: dingInternal() }),
	},
	{
		name: 'DingTalk: wrong app secret',
		prepare: () => ({ parameters: { service: 'dingTalk', source: 'fields', downloadCode: 'X1', options: { maxRetries: 0 } }, credentials: dingInternal({ appSecret: WRONG_APP_SECRET }) }),
	},
	{
		name: 'DingTalk: stale stored token and wrong app secret',
		prepare: () => ({
			parameters: { service: 'dingTalk', source: 'fields', downloadCode: 'X2', options: { maxRetries: 0 } },
			credentials: dingInternal({ appSecret: WRONG_APP_SECRET, accessToken: STALE_TOKEN }),
		}),
	},
	{
		name: 'DingTalk: wrong suite secret',
		prepare: () => ({ parameters: { service: 'dingTalk', source: 'fields', downloadCode: 'X3', options: { maxRetries: 0 } }, credentials: dingSuite({ suiteSecret: WRONG_SUITE_SECRET }) }),
	},
	{
		name: 'DingTalk: suite app, unknown download code',
		prepare: () => ({ parameters: { service: 'dingTalk', source: 'fields', downloadCode: 'X4', options: { maxRetries: 0 } }, credentials: dingSuite() }),
	},
	{
		name: 'DingTalk: closed port',
		prepare: () => ({
			parameters: { service: 'dingTalk', source: 'fields', downloadCode: 'X5', options: { maxRetries: 0 } },
			credentials: dingInternal({ baseUrl: `http://127.0.0.1:${closedPort}` }),
		}),
	},
	{
		name: 'DingTalk: closed port with a stored token',
		prepare: () => ({
			parameters: { service: 'dingTalk', source: 'fields', downloadCode: 'X6', options: { maxRetries: 0 } },
			credentials: dingInternal({ baseUrl: `http://127.0.0.1:${closedPort}`, accessToken: STALE_TOKEN }),
		}),
	},
	// DingTalk file host
	...fileFaults.map(([name, fault]) => dingFile(`file host: ${name}`, {}, fault)),
	dingFile('file host: maxFileSize from Content-Length', { maxFileSize: 1 }, undefined, { body: { size: 3 * 1024 * 1024, seed: 1 } }),
	dingFile('file host: maxFileSize while streaming', { maxFileSize: 1 }, { file: 'noContentLength' }, { body: { size: 3 * 1024 * 1024, seed: 1 }, binaryMode: 'filesystem' }),
	// Green-API answers
	greenFile('401 wrong token (token in the path)', {}, undefined, { credentialOverrides: { apiTokenInstance: WRONG_GREEN_TOKEN } }),
	{
		name: 'Green-API: 403 unknown instance',
		prepare: () => ({
			parameters: { service: 'greenApi', source: 'fields', chatId: '79001@c.us', idMessage: 'M1', options: { maxRetries: 0 } },
			credentials: new CredentialStore({ greenApi: { apiUrl: s.greenApiUrl, mediaUrl: s.greenMediaUrl, idInstance: '1101999998', apiTokenInstance: GREEN_TOKEN, messenger: 'whatsapp' } }),
		}),
	},
	greenFile('404 wrong messenger prefix', {}, undefined, { credentialOverrides: { messenger: 'max' } }),
	greenFile('429', {}, { api: { status: 429, body: 'Too Many Requests' } }),
	greenFile('502', {}, presetFaults.gateway(502, 5)),
	greenFile('466 quota', {}, presetFaults.greenQuotaExceeded()),
	greenFile('reset on the API call', {}, { apiResetTimes: 5 }),
	greenFile('error body echoing the token', {}, { api: { status: 400, body: `Bad request for /waInstance/downloadFile/${GREEN_TOKEN}` } }),
	{
		name: 'Green-API: 500 file gone',
		prepare: () => {
			const instance = green();
			s.greenApi.addGoneFile({ idInstance: instance.idInstance, chatId: '79002@c.us', idMessage: 'GONE' });
			return { parameters: { service: 'greenApi', source: 'fields', chatId: '79002@c.us', idMessage: 'GONE' }, credentials: instance.credentials };
		},
	},
	{
		name: 'Green-API: 400 no file in the message',
		prepare: () => {
			const instance = green();
			s.greenApi.addMissingFile({ idInstance: instance.idInstance, chatId: '79003@c.us', idMessage: 'NOFILE' });
			return { parameters: { service: 'greenApi', source: 'fields', chatId: '79003@c.us', idMessage: 'NOFILE' }, credentials: instance.credentials };
		},
	},
	{
		name: 'Green-API: instance not authorised',
		prepare: () => {
			const instance = green();
			s.greenApi.setInstanceState(instance.idInstance, 'notAuthorized');
			return { parameters: { service: 'greenApi', source: 'fields', chatId: '79004@c.us', idMessage: 'M1' }, credentials: instance.credentials };
		},
	},
	{
		name: 'Green-API: closed port',
		prepare: () => ({
			parameters: { service: 'greenApi', source: 'fields', chatId: '79005@c.us', idMessage: 'M1', options: { maxRetries: 0 } },
			credentials: green({ apiUrl: `http://127.0.0.1:${closedPort}` }).credentials,
		}),
	},
	// Green media host (fields: link from downloadFile; webhook: the message's own link)
	...fileFaults.map(([name, fault]) => greenFile(`media host: ${name}`, {}, fault)),
	...fileFaults.map(([name, fault]) => greenFile(`webhook link: ${name}`, {}, fault, { viaWebhook: true })),
	// Bad input
	{
		name: 'bad input: empty Chat ID',
		prepare: () => ({ parameters: { service: 'greenApi', source: 'fields', chatId: '={{ "" }}', idMessage: 'M1' }, credentials: green().credentials }),
	},
	{
		name: 'bad input: unsafe number',
		prepare: () => ({ parameters: { service: 'greenApi', source: 'fields', chatId: '={{ 12345678901234567890 }}', idMessage: 'M1' }, credentials: green().credentials }),
	},
	{
		name: 'bad input: object for Message ID',
		prepare: () => ({ parameters: { service: 'greenApi', source: 'fields', chatId: '79006@c.us', idMessage: '={{ { a: 1 } }}' }, credentials: green().credentials }),
	},
	{
		name: 'bad input: whitespace download code',
		prepare: () => ({ parameters: { service: 'dingTalk', source: 'fields', downloadCode: '   ' }, credentials: dingInternal() }),
	},
	{
		name: 'bad input: unknown message shape',
		prepare: () => ({ parameters: { service: 'dingTalk', source: 'message' }, input: [{ hello: 'world' }], credentials: dingInternal() }),
	},
	{
		name: 'bad input: Green message to the DingTalk service',
		prepare: () => ({ parameters: { service: 'dingTalk', source: 'message' }, input: [{ typeWebhook: 'incomingMessageReceived', idMessage: 'X' }], credentials: dingInternal() }),
	},
	{
		name: 'bad input: enormous JSON message',
		prepare: () => ({
			parameters: { service: 'dingTalk', source: 'message', message: '={{ $json.raw }}' },
			input: [{ raw: JSON.stringify({ msgtype: 'file', content: { downloadCode: 'X', pad: 'a'.repeat(5_100_000) } }) }],
			credentials: dingInternal(),
		}),
	},
];

// ------------------------------------------------------------------- collecting text

/** Every string reachable from a value, own non-enumerable properties (message, stack, cause) included. */
function allStrings(value: unknown, out: string[] = [], seen = new WeakSet<object>(), depth = 0): string[] {
	if (typeof value === 'string') {
		out.push(value);
		return out;
	}
	if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return out;
	if (!value || typeof value !== 'object' || depth > 12) return out;
	if (seen.has(value)) return out;
	seen.add(value);
	if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return out;
	for (const key of Object.getOwnPropertyNames(value)) {
		let child: unknown;
		try {
			child = (value as Record<string, unknown>)[key];
		} catch {
			continue;
		}
		out.push(key);
		allStrings(child, out, seen, depth + 1);
	}
	return out;
}

function safeStringify(value: unknown): string {
	const seen = new WeakSet<object>();
	try {
		return JSON.stringify(value, (_key, child: unknown) => {
			if (child && typeof child === 'object') {
				if (seen.has(child)) return '[circular]';
				seen.add(child);
			}
			return child;
		});
	} catch (error) {
		return `unserialisable: ${String(error)}`;
	}
}

interface Captured {
	text: string;
	logLines: number;
}

/** Runs the node while capturing console, stdout/stderr and n8n's LoggerProxy. */
async function runCapturing(options: Parameters<typeof runNode>[0]): Promise<{ run: NodeRun; logs: string[] }> {
	const logs: string[] = [];
	const record = (...args: unknown[]) => void logs.push(args.map((arg) => (typeof arg === 'string' ? arg : safeStringify(arg))).join(' '));
	const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
	const savedConsole = consoleMethods.map((method) => console[method]);
	const savedStdout = process.stdout.write.bind(process.stdout);
	const savedStderr = process.stderr.write.bind(process.stderr);
	for (const method of consoleMethods) console[method] = record;
	process.stdout.write = ((chunk: unknown) => (record(String(chunk)), true)) as typeof process.stdout.write;
	process.stderr.write = ((chunk: unknown) => (record(String(chunk)), true)) as typeof process.stderr.write;
	LoggerProxy.init({ error: record, warn: record, info: record, debug: record });
	try {
		return { run: await runNode(options), logs };
	} finally {
		consoleMethods.forEach((method, index) => (console[method] = savedConsole[index]));
		process.stdout.write = savedStdout;
		process.stderr.write = savedStderr;
	}
}

function collect(run: NodeRun, logs: string[]): Captured {
	const error = run.error as (Error & { description?: string; cause?: unknown }) | undefined;
	const parts = [
		safeStringify(run.items.map((item) => ({ json: item.json, binary: item.binary && Object.fromEntries(Object.entries(item.binary).map(([k, b]) => [k, { ...b, data: undefined }])) }))),
		safeStringify(run.run),
		error ? `${error.message}\n${error.description ?? ''}\n${safeStringify(error)}\n${safeStringify(error.cause)}\n${error.stack ?? ''}` : '',
		...allStrings(error),
		...allStrings(run.run.data.resultData),
		...logs,
	];
	return { text: parts.join('\n'), logLines: logs.length };
}

// ------------------------------------------------------------------------- the test

const FIXED_SECRETS = [APP_SECRET, WRONG_APP_SECRET, SUITE_SECRET, WRONG_SUITE_SECRET, SUITE_TICKET, STALE_TOKEN, GREEN_TOKEN, WRONG_GREEN_TOKEN];

test(
	'no secret in any output, error or log line of any failure case, continueOnFail on and off',
	async () => {
		const report: Array<{ case: string; continueOnFail: boolean; outcome: string; hits: string[] }> = [];
		let logLines = 0;
		// Positive controls: the secrets really travelled in these runs (so their absence means something).
		let tokensIssued = 0;
		let greenTokenInPaths = 0;
		for (const testCase of cases) {
			for (const continueOnFail of [false, true]) {
				s.resetStats();
				const prepared = testCase.prepare();
				const { run, logs } = await runCapturing({ ...prepared, binaryMode: prepared.binaryMode ?? 'memory', continueOnFail });
				const captured = collect(run, logs);
				logLines += captured.logLines;
				// Tokens DingTalk handed out in this run, and whatever the store holds now.
				const issued = s.requests.map((request) => request.headers['x-acs-dingtalk-access-token']).filter((token): token is string => typeof token === 'string');
				const stored = Object.values({ ding: tryGet(prepared.credentials, 'dingTalkApi')?.accessToken }).filter((token): token is string => typeof token === 'string' && token.length > 0);
				tokensIssued += issued.length;
				greenTokenInPaths += s.requests.filter((request) => request.path.includes(GREEN_TOKEN) || request.path.includes(WRONG_GREEN_TOKEN)).length;
				const secrets = [...new Set([...FIXED_SECRETS, ...issued, ...stored])];
				const hits = secrets.filter((secret) => captured.text.includes(secret) || captured.text.includes(encodeURIComponent(secret)));
				const itemError = run.items.find((item) => item.json.error)?.json.error as string | undefined;
				const outcome = run.error?.message ?? itemError ?? (run.items.length ? 'success' : 'no output');
				report.push({ case: testCase.name, continueOnFail, outcome, hits });
				if (continueOnFail) {
					// continueOnFail: the failure becomes an item, the node does not fail.
					expect(run.error).toBeUndefined();
				}
			}
		}
		const totalHits = report.reduce((sum, entry) => sum + entry.hits.length, 0);
		const failures = report.filter((entry) => entry.outcome !== 'success').length;
		console.log(
			`[secrets] ${report.length} runs (${cases.length} cases × continueOnFail off/on), ${failures} ended in an error, ${logLines} log lines captured, ${totalHits} secret hits`,
		);
		for (const entry of report) if (entry.hits.length || entry.outcome === 'success') console.log(`[secrets] ${entry.case} (continueOnFail ${entry.continueOnFail}): ${entry.outcome}; hits: ${entry.hits.join(', ') || 'none'}`);
		console.log(`[secrets] positive controls: ${tokensIssued} DingTalk requests carried an access token, ${greenTokenInPaths} Green-API request paths carried the token`);
		expect(tokensIssued).toBeGreaterThan(0);
		expect(greenTokenInPaths).toBeGreaterThan(0);
		expect(report.filter((entry) => entry.hits.length > 0)).toEqual([]);
		// Every case here is a failure: none may come out as a file.
		expect(report.filter((entry) => entry.outcome === 'success')).toEqual([]);
	},
	300_000,
);

function tryGet(store: CredentialStore, type: string): IDataObject | undefined {
	try {
		return store.get(type);
	} catch {
		return undefined;
	}
}
