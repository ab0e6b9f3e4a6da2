// The two credentials through the real engine against the stand-in: DingTalk's token
// lifecycle (one token call per lifetime, renewal after a server-side expiry,
// third-party apps, the Test paths) and Green-API's URL forms and Test rules.
import { createHash } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	INodeParameters,
	IHttpRequestHelper,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { Workflow } from 'n8n-workflow';

import { CredentialStore, binaryBuffer, runNode } from '../helpers/engine';
import { NODE_TYPE, nodeTypes } from '../helpers/nodeTypes';
import { n8nRenewsTokenOn400 } from '../helpers/n8nVersion';
import { DEFAULT_CORP_ID, startStandIn, type StandIn } from '../standin/server';
import { n8nKeepsHttpErrorCause, runCredentialTest } from '../helpers/credentialTest';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

// The built package, as n8n loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DingTalkApi } = require('../../dist/credentials/DingTalkApi.credentials.js') as { DingTalkApi: new () => ICredentialType };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { GreenApi } = require('../../dist/credentials/GreenApi.credentials.js') as { GreenApi: new () => ICredentialType };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FeishuApi } = require('../../dist/credentials/FeishuApi.credentials.js') as { FeishuApi: new () => ICredentialType };
// n8n's own HTTP function, the one n8n hands to preAuthentication as `this.helpers.httpRequest`:
// n8n-core 2.8 exports it; 2.41+ builds it per node (getRequestHelperFunctions, through its
// OutboundHttp service). getRequestHelperFunctions exists in both.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requestHelpers = require('n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions.js') as {
	httpRequest?: (options: IHttpRequestOptions) => Promise<unknown>;
	getRequestHelperFunctions: (...args: unknown[]) => { httpRequest: (options: IHttpRequestOptions) => Promise<unknown> };
};
const httpRequest = requestHelpers.httpRequest ?? requestHelpers.getRequestHelperFunctions(undefined, undefined, {}).httpRequest;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const PNG = readFixture('image.png');
const PDF = readFixture('document.pdf');

let standIn: StandIn;
beforeAll(async () => {
	standIn = await startStandIn();
});
afterAll(async () => await standIn.close());
beforeEach(() => standIn.resetStats());

let counter = 0;
/** A fresh internal app with `files` download codes, so tests do not share tokens. */
function internalApp(files = 1): { appKey: string; appSecret: string; codes: string[]; credentials: CredentialStore } {
	const n = ++counter;
	const appKey = `dingapp${n}`;
	const appSecret = `app-secret-${n}-${'s'.repeat(12)}`;
	standIn.dingTalk.addApp({ appKey, appSecret });
	const codes = Array.from({ length: files }, (_, i) => `CODE-${n}-${i}`);
	for (const downloadCode of codes) standIn.dingTalk.addFile({ downloadCode, robotCode: appKey, body: PNG });
	const credentials = new CredentialStore({
		dingTalkApi: { appType: 'internal', appKey, appSecret, baseUrl: standIn.dingTalkUrl },
	});
	return { appKey, appSecret, codes, credentials };
}

const dingTalkFields = (options: INodeParameters = {}) => ({
	service: 'dingTalk',
	source: 'fields',
	downloadCode: '={{ $json.code }}',
	options,
});

async function expectPngs(items: Array<{ binary?: Record<string, { mimeType: string }> } & object>, count: number) {
	expect(items).toHaveLength(count);
	for (const item of items) {
		const binary = (item as { binary: Record<string, Parameters<typeof binaryBuffer>[0]> }).binary.data;
		expect(binary.mimeType).toBe('image/png');
		expect(sha256(await binaryBuffer(binary))).toBe(sha256(PNG));
	}
}

describe('DingTalk internal app: one token per lifetime', () => {
	test('10 items at concurrency 4, then a second execution sharing the store: one token call in all, stored in the credential', async () => {
		const { codes, credentials } = internalApp(10);
		const input = codes.map((code) => ({ code }));

		const first = await runNode({ parameters: dingTalkFields({ concurrency: 4 }), input, credentials, binaryMode: 'filesystem' });
		expect(first.error).toBeUndefined();
		await expectPngs(first.items, 10);
		expect(standIn.stats.dingTalkTokenCalls).toBe(1);
		const token = credentials.get('dingTalkApi').accessToken;
		expect(typeof token).toBe('string');
		expect((token as string).length).toBeGreaterThan(8);
		// Every download call carried that token.
		const downloads = standIn.requests.filter((r) => r.role === 'dingTalk' && r.path === '/v1.0/robot/messageFiles/download');
		expect(downloads).toHaveLength(10);
		for (const request of downloads) expect(request.headers['x-acs-dingtalk-access-token']).toBe(token);

		const second = await runNode({ parameters: dingTalkFields({ concurrency: 4 }), input, credentials, binaryMode: 'memory' });
		expect(second.error).toBeUndefined();
		await expectPngs(second.items, 10);
		expect(standIn.stats.dingTalkTokenCalls).toBe(1);
		expect(second.credentialsHelper.preAuthenticationCalls.dingTalkApi ?? 0).toBe(0);
		expect(credentials.get('dingTalkApi').accessToken).toBe(token);
		expect(standIn.stats.dingTalkInvalidTokenAnswers).toBe(0);
	});

	test('server-side expiry between executions: renewed exactly once, then remembered', async () => {
		const { codes, credentials } = internalApp(1);
		const parameters = { service: 'dingTalk', source: 'fields', downloadCode: codes[0] };

		expect((await runNode({ parameters, credentials })).error).toBeUndefined();
		expect(standIn.stats.dingTalkTokenCalls).toBe(1);
		const firstToken = credentials.get('dingTalkApi').accessToken;

		standIn.dingTalk.expireTokens();
		const second = await runNode({ parameters, credentials, binaryMode: 'filesystem' });
		expect(second.error).toBeUndefined();
		await expectPngs(second.items, 1);
		expect(standIn.stats.dingTalkTokenCalls).toBe(2);
		// The first download, and the request that offers n8n the chance to renew the token itself.
		expect(standIn.stats.dingTalkInvalidTokenAnswers).toBe(2);
		// The renewed token is a new one, and the repeated download used it.
		const downloads = standIn.requests.filter((r) => r.path === '/v1.0/robot/messageFiles/download');
		const renewedToken = downloads[downloads.length - 1].headers['x-acs-dingtalk-access-token'];
		expect(renewedToken).not.toBe(firstToken);
		// n8n 2.41+ saves the renewed token with the credential; older n8n keeps the stale one
		// and the node remembers the renewed one in-process.
		expect(credentials.get('dingTalkApi').accessToken).toBe(n8nRenewsTokenOn400 ? renewedToken : firstToken);
		expect(second.credentialsHelper.preAuthenticationCalls.dingTalkApi ?? 0).toBe(n8nRenewsTokenOn400 ? 1 : 0);

		const third = await runNode({ parameters, credentials });
		expect(third.error).toBeUndefined();
		await expectPngs(third.items, 1);
		expect(standIn.stats.dingTalkTokenCalls).toBe(2);
		expect(standIn.stats.dingTalkInvalidTokenAnswers).toBe(2);
		const lastDownload = standIn.requests.filter((r) => r.path === '/v1.0/robot/messageFiles/download').pop();
		expect(lastDownload?.headers['x-acs-dingtalk-access-token']).toBe(renewedToken);
	});

	test('server-side expiry with 8 items running at once: one renewal for all of them', async () => {
		const { codes, credentials } = internalApp(8);
		const input = codes.map((code) => ({ code }));
		expect((await runNode({ parameters: dingTalkFields({ concurrency: 4 }), input: input.slice(0, 1), credentials })).error).toBeUndefined();
		expect(standIn.stats.dingTalkTokenCalls).toBe(1);
		standIn.resetStats();

		standIn.dingTalk.expireTokens();
		const run = await runNode({ parameters: dingTalkFields({ concurrency: 4 }), input, credentials, binaryMode: 'filesystem' });
		expect(run.error).toBeUndefined();
		await expectPngs(run.items, 8);
		expect(standIn.stats.dingTalkTokenCalls).toBe(1);
		expect(standIn.stats.dingTalkInvalidTokenAnswers).toBeGreaterThanOrEqual(1);
		// At most the items already in flight (4) met the expired token, plus the one request
		// that offers n8n the renewal; none saw it twice.
		expect(standIn.stats.dingTalkInvalidTokenAnswers).toBeLessThanOrEqual(5);
		// One success per item and nothing more: n8n 2.41+ repeats the marked request itself once it
		// has renewed the token, and that answer is the item's (the node does not ask again).
		expect(standIn.stats.dingTalkDownloadCalls).toBe(8 + standIn.stats.dingTalkInvalidTokenAnswers);
	});
});

describe('DingTalk third-party enterprise app', () => {
	const suite = {
		suiteKey: 'suite-standin',
		suiteSecret: 'suite-secret-value-123456',
		authCorpId: DEFAULT_CORP_ID,
		suiteTicket: 'ticket-current-0001',
	};

	test('downloads with a corp access token (corpAccessToken endpoint), robot code from the credential', async () => {
		standIn.dingTalk.addSuite(suite);
		standIn.dingTalk.addFile({ downloadCode: 'TP-1', robotCode: 'robot-tp', body: PDF });
		standIn.dingTalk.addFile({ downloadCode: 'TP-2', robotCode: 'robot-tp', body: PNG });
		const credentials = new CredentialStore({
			dingTalkApi: { appType: 'thirdParty', ...suite, robotCode: 'robot-tp', baseUrl: standIn.dingTalkUrl },
		});
		const run = await runNode({ parameters: dingTalkFields(), input: [{ code: 'TP-1' }, { code: 'TP-2' }], credentials });
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.binary?.data.mimeType)).toEqual(['application/pdf', 'image/png']);
		expect(sha256(await binaryBuffer(run.items[0].binary!.data))).toBe(sha256(PDF));
		expect(standIn.stats.dingTalkCorpTokenCalls).toBe(1);
		expect(standIn.stats.dingTalkTokenCalls).toBe(0);
		const tokenCall = standIn.requests.find((r) => r.path === '/v1.0/oauth2/corpAccessToken');
		expect(JSON.parse(tokenCall!.body.toString())).toEqual(suite);
		expect(credentials.get('dingTalkApi').accessToken).toEqual(expect.any(String));

		// The next execution reuses the stored corp token.
		expect((await runNode({ parameters: dingTalkFields(), input: [{ code: 'TP-1' }], credentials })).error).toBeUndefined();
		expect(standIn.stats.dingTalkCorpTokenCalls).toBe(1);
	});

	test('a wrong suite ticket fails with invalidSuiteTicket and an English explanation', async () => {
		standIn.dingTalk.addSuite(suite);
		standIn.dingTalk.addFile({ downloadCode: 'TP-3', robotCode: 'robot-tp', body: PNG });
		const credentials = new CredentialStore({
			dingTalkApi: { appType: 'thirdParty', ...suite, suiteTicket: 'ticket-outdated', robotCode: 'robot-tp', baseUrl: standIn.dingTalkUrl },
		});
		const run = await runNode({ parameters: dingTalkFields(), input: [{ code: 'TP-3' }], credentials });
		expect(run.error).toBeDefined();
		const text = `${run.error!.message} ${run.error!.description ?? ''}`;
		expect(text).toContain('invalidSuiteTicket');
		expect(text).toMatch(/suite ticket is wrong or outdated/i);
		expect(text).toMatch(/latest one/);
		expect(JSON.stringify(run.error)).not.toContain(suite.suiteSecret);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(0);
	});
});

describe('DingTalk credential Test (preAuthentication with n8n\'s httpRequest)', () => {
	const credential = new DingTalkApi();
	const helper = { helpers: { httpRequest } } as unknown as IHttpRequestHelper;
	const preAuthenticate = async (credentials: ICredentialDataDecryptedObject) =>
		await credential.preAuthentication!.call(helper, credentials);

	test('credential shape: hidden expirable accessToken sent as x-acs-dingtalk-access-token, by a function (no expression)', async () => {
		const accessToken = credential.properties.find((p) => p.name === 'accessToken');
		expect(accessToken).toMatchObject({ type: 'hidden', typeOptions: { expirable: true } });
		// n8n 2.41 cannot evaluate a generic header's expression outside an execution (a trigger's later requests).
		expect(typeof credential.authenticate).toBe('function');
		const authenticate = credential.authenticate as (c: ICredentialDataDecryptedObject, r: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
		const request = await authenticate({ accessToken: 'tok-1' }, { url: '/v1.0/x', headers: { accept: 'application/json' } });
		expect(request).toEqual({ url: '/v1.0/x', headers: { accept: 'application/json', 'x-acs-dingtalk-access-token': 'tok-1' } });
	});

	test('a good secret gives a token', async () => {
		const { appKey, appSecret } = internalApp(0);
		const result = await preAuthenticate({ appType: 'internal', appKey, appSecret, baseUrl: `${standIn.dingTalkUrl}/` });
		expect(result.accessToken).toEqual(expect.stringMatching(/^[0-9a-f]{32}$/));
		expect(standIn.stats.dingTalkTokenCalls).toBe(1);
	});

	test('a good third-party suite gives a corp token', async () => {
		standIn.dingTalk.addSuite({ suiteKey: 'suite-test', suiteSecret: 'suite-secret-test', authCorpId: 'corp-test', suiteTicket: 'tkt' });
		const result = await preAuthenticate({
			appType: 'thirdParty',
			suiteKey: 'suite-test',
			suiteSecret: 'suite-secret-test',
			authCorpId: 'corp-test',
			suiteTicket: 'tkt',
			baseUrl: standIn.dingTalkUrl,
		});
		expect(result.accessToken).toEqual(expect.any(String));
		expect(standIn.stats.dingTalkCorpTokenCalls).toBe(1);
	});

	test('a wrong secret fails with DingTalk\'s code invalidClientIdOrSecret and English text, without the secret', async () => {
		const { appKey } = internalApp(0);
		const wrongSecret = 'definitely-not-the-secret';
		const error = (await preAuthenticate({ appType: 'internal', appKey, appSecret: wrongSecret, baseUrl: standIn.dingTalkUrl }).then(
			() => undefined,
			(e: unknown) => e,
		)) as Error;
		expect(error).toBeInstanceOf(Error);
		expect(error.message).toContain('invalidClientIdOrSecret');
		expect(error.message).toMatch(/DingTalk rejected the App Key or App Secret/);
		expect(error.message).toMatch(/Client Secret/);
		expect(error.message).not.toContain(wrongSecret);
		expect(JSON.stringify(error)).not.toContain(wrongSecret);
	});

	test('a wrong suite ticket fails with invalidSuiteTicket; an unauthorised corp with invalidAuthInfo', async () => {
		standIn.dingTalk.addSuite({ suiteKey: 'suite-t2', suiteSecret: 'suite-secret-t2', authCorpId: 'corp-t2', suiteTicket: 'good' });
		const base = { appType: 'thirdParty', suiteKey: 'suite-t2', suiteSecret: 'suite-secret-t2', authCorpId: 'corp-t2', baseUrl: standIn.dingTalkUrl };
		await expect(preAuthenticate({ ...base, suiteTicket: 'stale' })).rejects.toThrow(/suite ticket is wrong or outdated.*invalidSuiteTicket/s);
		await expect(preAuthenticate({ ...base, suiteTicket: 'good', authCorpId: 'other-corp' })).rejects.toThrow(/not authorised by this corp.*invalidAuthInfo/s);
		await expect(preAuthenticate({ ...base, suiteTicket: 'good', suiteSecret: 'wrong' })).rejects.toThrow(/suite key or suite secret is wrong.*invalidSuiteKey/s);
	});

	test('missing fields fail before any request, naming the fields', async () => {
		await expect(preAuthenticate({ appType: 'internal', appKey: 'k', appSecret: ' ', baseUrl: standIn.dingTalkUrl })).rejects.toThrow(
			/missing appSecret.*Client Secret/s,
		);
		await expect(preAuthenticate({ appType: 'internal', baseUrl: standIn.dingTalkUrl })).rejects.toThrow(/missing appKey, appSecret/);
		await expect(preAuthenticate({ appType: 'thirdParty', suiteKey: 's', suiteSecret: 'x', baseUrl: standIn.dingTalkUrl })).rejects.toThrow(
			/missing authCorpId, suiteTicket/,
		);
		expect(standIn.stats.dingTalkTokenCalls + standIn.stats.dingTalkCorpTokenCalls).toBe(0);
	});

	test('a wrong secret in a workflow run fails with the same explanation (not as a network error)', async () => {
		const { appKey, codes } = internalApp(1);
		const credentials = new CredentialStore({
			dingTalkApi: { appType: 'internal', appKey, appSecret: 'wrong-secret-value', baseUrl: standIn.dingTalkUrl },
		});
		const run = await runNode({ parameters: { service: 'dingTalk', source: 'fields', downloadCode: codes[0] }, credentials });
		expect(run.error).toBeDefined();
		const text = `${run.error!.message} ${run.error!.description ?? ''}`;
		expect(text).toMatch(/DingTalk rejected the App Key or App Secret/);
		expect(text).toContain('invalidClientIdOrSecret');
		expect(text).not.toMatch(/could not reach/i);
		expect(run.error!.message).not.toContain('. Copy'); // the Test-button form stays out of the node's message
		expect(JSON.stringify(run.error)).not.toContain('wrong-secret-value');
		expect(standIn.stats.dingTalkDownloadCalls).toBe(0);
	});

	test('a wrong secret with 6 items (Continue On Fail): every item explains it, DingTalk asked at most twice', async () => {
		const { appKey, codes } = internalApp(6);
		const credentials = new CredentialStore({
			dingTalkApi: { appType: 'internal', appKey, appSecret: 'wrong-secret-value', baseUrl: standIn.dingTalkUrl },
		});
		const run = await runNode({ parameters: dingTalkFields({ concurrency: 4 }), input: codes.map((code) => ({ code })), credentials, continueOnFail: true });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(6);
		for (const [index, item] of run.items.entries()) {
			expect(item.json.error).toBe('DingTalk rejected the App Key or App Secret');
			expect(item.json.errorDescription).toContain('invalidClientIdOrSecret');
			expect(item.pairedItem).toEqual({ item: index });
		}
		// n8n's preAuthentication once, then the node's one look at DingTalk's reason.
		expect(standIn.stats.dingTalkTokenCalls).toBe(2);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(0);
		expect(credentials.get('dingTalkApi').accessToken).toBe('');
	});
});

/**
 * Runs a credential's declarative Test the way n8n 2.8's CredentialsTester does: the
 * request's expressions resolved against the entered values, sent with n8n's
 * httpRequest, then the first responseSuccessBody rule whose key equals its value fails it.
 */
async function runDeclarativeTest(credentialType: ICredentialType, credentials: ICredentialDataDecryptedObject): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const test = credentialType.test as ICredentialTestRequest;
	const node = { id: 'temp', name: 'Temp-Node', type: NODE_TYPE, typeVersion: 1, position: [0, 0] as [number, number], parameters: {} };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const resolve = (value: unknown): unknown =>
		typeof value === 'string' && value.startsWith('=')
			? workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '')
			: value;
	const request = Object.fromEntries(Object.entries(test.request).map(([key, value]) => [key, resolve(value)])) as unknown as IHttpRequestOptions;
	request.body = Object.fromEntries(
		Object.entries((test.request.body ?? {}) as Record<string, unknown>)
			.map(([key, value]) => [key, resolve(value)])
			.filter(([, value]) => value !== undefined && value !== ''),
	);
	const body = (await httpRequest(request)) as Record<string, unknown> | string;
	for (const rule of test.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const { key, value, message } = rule.properties as { key: string; value: unknown; message: string };
		const actual = typeof body === 'object' && body !== null ? body[key] : undefined;
		if (actual === value) return { status: 'Error', message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}

describe("DingTalk credential Test (the declarative request n8n runs, even with a token stored)", () => {
	const credential = new DingTalkApi();

	test('good key and secret: OK; a trailing / on the Base URL is fine', async () => {
		const { appKey, appSecret } = internalApp(0);
		const result = await runDeclarativeTest(credential, { appType: 'internal', appKey, appSecret, baseUrl: `${standIn.dingTalkUrl}/`, accessToken: 'stored' });
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(standIn.stats.dingTalkTokenCalls).toBe(1);
	});

	test("a wrong secret fails naming DingTalk's code invalidClientIdOrSecret, in English", async () => {
		const { appKey } = internalApp(0);
		const result = await runDeclarativeTest(credential, { appType: 'internal', appKey, appSecret: 'nope-wrong', baseUrl: standIn.dingTalkUrl, accessToken: 'stored' });
		expect(result.status).toBe('Error');
		expect(result.message).toContain('invalidClientIdOrSecret');
		expect(result.message).toMatch(/^DingTalk rejected the App Key or App Secret .*Copy the AppKey \(Client ID\) and AppSecret/);
		expect(result.message).not.toContain('nope-wrong');
	});

	test('third-party: good suite OK; wrong ticket → invalidSuiteTicket; other corp → invalidAuthInfo', async () => {
		standIn.dingTalk.addSuite({ suiteKey: 'suite-decl', suiteSecret: 'suite-secret-decl', authCorpId: 'corp-decl', suiteTicket: 'ticket-decl' });
		const base = { appType: 'thirdParty', suiteKey: 'suite-decl', suiteSecret: 'suite-secret-decl', authCorpId: 'corp-decl', suiteTicket: 'ticket-decl', baseUrl: standIn.dingTalkUrl };
		expect((await runDeclarativeTest(credential, base)).status).toBe('OK');
		const ticket = await runDeclarativeTest(credential, { ...base, suiteTicket: 'old-ticket' });
		expect(ticket.status).toBe('Error');
		expect(ticket.message).toMatch(/suite ticket is wrong or outdated \(DingTalk code invalidSuiteTicket\)\. DingTalk pushes a new suite ticket/);
		const corp = await runDeclarativeTest(credential, { ...base, authCorpId: 'corp-elsewhere' });
		expect(corp.message).toContain('invalidAuthInfo');
		expect(standIn.stats.dingTalkCorpTokenCalls).toBe(3);
	});

	test('a Base URL that is not DingTalk (no token in the answer): fails, saying so', async () => {
		const result = await runDeclarativeTest(credential, { appType: 'internal', appKey: 'k', appSecret: 's', baseUrl: standIn.greenApiUrl });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/DingTalk gave no access token\. Check the Base URL/);
	});
});

describe('Green-API credential', () => {
	const credential = new GreenApi();
	let instanceCounter = 0;

	function instance(messenger: 'whatsapp' | 'max') {
		const idInstance = String((messenger === 'max' ? 3100000000 : 1101000000) + ++instanceCounter);
		const apiTokenInstance = `tok${instanceCounter}${'x'.repeat(40)}`;
		standIn.greenApi.addInstance({ idInstance, apiTokenInstance, messenger });
		const file = standIn.greenApi.addFile({
			idInstance,
			chatId: '79001234567@c.us',
			idMessage: `MSG${instanceCounter}`,
			body: PDF,
			linkExtension: messenger === 'whatsapp' ? 'pdf' : undefined,
		});
		return { idInstance, apiTokenInstance, idMessage: `MSG${instanceCounter}`, directUrl: file.directUrl };
	}

	const apiUrlForms = (url: string) => [url, `${url}/`, `${url}/v3`, `${url}/v3/`];

	for (const messenger of ['whatsapp', 'max'] as const) {
		test(`${messenger}: every apiUrl form works; the token is put into the path by the credential`, async () => {
			for (const apiUrl of apiUrlForms(standIn.greenApiUrl)) {
				const { idInstance, apiTokenInstance, idMessage } = instance(messenger);
				standIn.resetStats();
				const credentials = new CredentialStore({
					greenApi: { apiUrl, mediaUrl: standIn.greenMediaUrl, idInstance, apiTokenInstance, messenger },
				});
				const run = await runNode({
					parameters: { service: 'greenApi', source: 'fields', chatId: '79001234567@c.us', idMessage },
					credentials,
				});
				expect(run.error).toBeUndefined();
				expect(sha256(await binaryBuffer(run.items[0].binary!.data))).toBe(sha256(PDF));
				const calls = standIn.requests.filter((r) => r.role === 'greenApi');
				expect(calls).toHaveLength(1);
				const prefix = messenger === 'max' ? '/v3' : '';
				expect(calls[0].method).toBe('POST');
				expect(calls[0].path).toBe(`${prefix}/waInstance${idInstance}/downloadFile/${apiTokenInstance}`);
				// The token never goes to the media host.
				for (const media of standIn.requests.filter((r) => r.role === 'greenMedia')) expect(media.path).not.toContain(apiTokenInstance);
			}
		});
	}

	test('authenticate() expands only the method name the node passes, and leaves absolute URLs alone', async () => {
		const authenticate = credential.authenticate as (c: ICredentialDataDecryptedObject, r: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
		expect(typeof authenticate).toBe('function');
		const creds = { apiUrl: 'https://1101.api.greenapi.com/', idInstance: ' 1101000001 ', apiTokenInstance: 'abc', messenger: 'whatsapp' };
		expect((await authenticate(creds, { url: 'downloadFile', method: 'POST' })).url).toBe(
			'https://1101.api.greenapi.com/waInstance1101000001/downloadFile/abc',
		);
		expect((await authenticate({ ...creds, apiUrl: 'https://api.green-api.com/v3', messenger: 'max' }, { url: 'getStateInstance' })).url).toBe(
			'https://api.green-api.com/v3/waInstance1101000001/getStateInstance/abc',
		);
		expect((await authenticate(creds, { url: 'https://media.example/file.pdf' })).url).toBe('https://media.example/file.pdf');
	});

	test('the Test request is getStateInstance; a real GET through authenticate() reaches the stand-in', async () => {
		const test = credential.test as ICredentialTestRequest;
		expect(test.request).toMatchObject({ method: 'GET', url: 'getStateInstance' });
		const authenticate = credential.authenticate as (c: ICredentialDataDecryptedObject, r: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
		for (const messenger of ['whatsapp', 'max'] as const) {
			for (const apiUrl of apiUrlForms(standIn.greenApiUrl)) {
				const { idInstance, apiTokenInstance } = instance(messenger);
				const creds = { apiUrl, idInstance, apiTokenInstance, messenger };
				const request = await authenticate(creds, { ...(test.request as IHttpRequestOptions) });
				expect(await httpRequest(request)).toEqual({ stateInstance: 'authorized' });
				standIn.greenApi.setInstanceState(idInstance, 'notAuthorized');
				expect(await httpRequest(request)).toEqual({ stateInstance: 'notAuthorized' });
			}
		}
		expect(standIn.stats.greenStateCalls).toBe(16);
	});

	test('the Test rules fail every state but authorized, each saying what to do', () => {
		const rules = (credential.test as ICredentialTestRequest).rules ?? [];
		const byState = new Map(
			rules
				.filter((rule) => rule.type === 'responseSuccessBody')
				.map((rule) => {
					const properties = rule.properties as { key: string; value: unknown; message: string };
					expect(properties.key).toBe('stateInstance');
					return [properties.value, properties.message] as const;
				}),
		);
		expect([...byState.keys()].filter((state) => state !== undefined).sort()).toEqual(['blocked', 'notAuthorized', 'sleepMode', 'starting', 'yellowCard']);
		// The answer without a stateInstance (not Green-API) is caught first.
		expect(byState.has(undefined)).toBe(true);
		// Each HTTP status Green-API answers a wrong field with has its own message naming it.
		const byStatus = new Map(
			rules
				.filter((rule) => rule.type === 'responseCode')
				.map((rule) => [(rule.properties as { value: number }).value, (rule.properties as { message: string }).message] as const),
		);
		expect([...byStatus.keys()].sort()).toEqual([401, 403, 404, 429]);
		expect(byStatus.get(401)).toMatch(/API Token/);
		expect(byStatus.get(403)).toMatch(/Instance ID/);
		expect(byStatus.get(404)).toMatch(/API URL.*Messenger/);
		expect(byStatus.get(429)).toMatch(/wait a few seconds/);
		expect(byState.has('authorized')).toBe(false);
		expect(byState.get('notAuthorized')).toMatch(/scan the QR code/i);
		expect(byState.get('starting')).toMatch(/wait.*test again/i);
		expect(byState.get('blocked')).toMatch(/Green-API console/);
		expect(byState.get('sleepMode')).toMatch(/phone/i);
		expect(byState.get('yellowCard')).toMatch(/Green-API console/);
	});

	test('the API token field is a password and authenticate is a function (token in the path, not in node code)', () => {
		const token = credential.properties.find((p) => p.name === 'apiTokenInstance');
		expect(token?.typeOptions?.password).toBe(true);
		expect(typeof credential.authenticate).toBe('function');
	});
});

/** A web site at an address the user took for the API URL: HTML for every path, 200 at `/` and below `/app`, 404 elsewhere. */
async function startWebSite(): Promise<{ url: string; close: () => Promise<void> }> {
	const server: Server = createServer((req, res) => {
		const found = req.url === '/' || req.url?.startsWith('/app');
		res.writeHead(found ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
		res.end(`<!doctype html><html><body>${found ? 'Welcome' : 'Page not found'}</body></html>`);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, close: async () => await new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("Green-API credential Test, run as n8n's CredentialsTester runs it: it names the wrong field", () => {
	let site: Awaited<ReturnType<typeof startWebSite>>;
	beforeAll(async () => (site = await startWebSite()));
	afterAll(async () => await site.close());

	let next = 0;
	function instance(messenger: 'whatsapp' | 'max' = 'whatsapp') {
		const idInstance = String((messenger === 'max' ? 3100000500 : 1101000500) + ++next);
		const apiTokenInstance = `test-token-${next}-${'t'.repeat(30)}`;
		standIn.greenApi.addInstance({ idInstance, apiTokenInstance, messenger });
		return { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, idInstance, apiTokenInstance, messenger };
	}

	test('right instance id, token and URL: Connection successful', async () => {
		expect(await runCredentialTest('greenApi', instance())).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(await runCredentialTest('greenApi', instance('max'))).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	// n8n 2.41 hands the status to the credential's responseCode rules; 2.8 loses it on the way
	// (see n8nKeepsHttpErrorCause) and shows its own message for the status, which still tells them apart.
	const byStatus = (ours: RegExp, n8ns: string) => (n8nKeepsHttpErrorCause ? ours : new RegExp(`^${n8ns.replace(/[?()]/g, '\\$&')}$`));

	test('a wrong API token (Green-API: 401) names the API Token, and never shows it', async () => {
		const result = await runCredentialTest('greenApi', { ...instance(), apiTokenInstance: 'wrong-token-0123456789' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(byStatus(/^Green-API rejected the API Token \(HTTP 401\): copy apiTokenInstance from/, 'Authorization failed - please check your credentials'));
		expect(result.message).not.toContain('wrong-token');
	});

	test('an unknown instance id (Green-API: 403) names the Instance ID', async () => {
		const result = await runCredentialTest('greenApi', { ...instance(), idInstance: '1101999999' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(byStatus(/^Green-API knows no instance with this Instance ID at this API URL \(HTTP 403\)/, 'Forbidden - perhaps check your credentials?'));
	});

	test('an API URL that is a web site, not Green-API, names the API URL: its 404 page and its 200 page alike', async () => {
		const notFound = await runCredentialTest('greenApi', { ...instance(), apiUrl: site.url });
		expect(notFound.status).toBe('Error');
		expect(notFound.message).toMatch(
			byStatus(/^The API URL does not lead to Green-API's instance API \(HTTP 404\): copy the apiUrl/, 'The resource you are requesting could not be found'),
		);
		// A page served with 200 passed the Test before: no stateInstance in it, so it is not Green-API (every n8n).
		const page = await runCredentialTest('greenApi', { ...instance(), apiUrl: `${site.url}/app` });
		expect(page).toEqual({ status: 'Error', message: expect.stringMatching(/^The API URL does not lead to Green-API: copy the apiUrl/) });
	});

	test('a MAX instance tested as WhatsApp (no /v3): the 404 message names the Messenger too', async () => {
		const result = await runCredentialTest('greenApi', { ...instance('max'), messenger: 'whatsapp' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(byStatus(/HTTP 404.*pick the Messenger the instance is for/, 'The resource you are requesting could not be found'));
	});

	test('an instance not linked to a phone still says what to do', async () => {
		const credentials = instance();
		standIn.greenApi.setInstanceState(credentials.idInstance, 'notAuthorized');
		expect(await runCredentialTest('greenApi', credentials)).toEqual({ status: 'Error', message: expect.stringMatching(/scan the QR code/) });
	});
});

describe('Feishu credential: Test button and preAuthentication (the tenant token)', () => {
	const credential = new FeishuApi();
	let feishuCounter = 0;

	/** A fresh Feishu app (`cli_` + 16 hex digits). */
	function feishuApp(): { appId: string; appSecret: string } {
		const n = ++feishuCounter;
		const appId = `cli_${createHash('sha256').update(`credential-app${n}`).digest('hex').slice(0, 16)}`;
		const appSecret = `feishu-credential-secret-${n}-${'x'.repeat(12)}`;
		standIn.feishu.addApp({ appId, appSecret });
		return { appId, appSecret };
	}

	test('good ID and secret: OK, even with a token stored; Base URL with a trailing / is fine', async () => {
		const { appId, appSecret } = feishuApp();
		const before = standIn.feishu.calls.token;
		for (const baseUrl of [standIn.feishuUrl, `${standIn.feishuUrl}/`]) {
			const result = await runDeclarativeTest(credential, { appId, appSecret, baseUrl, tenantAccessToken: 't-stored' });
			expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		}
		expect(standIn.feishu.calls.token - before).toBe(2);
	});

	test.each([
		{ what: 'a wrong App Secret', fields: (app: { appId: string }) => ({ appId: app.appId, appSecret: 'wrong-secret-value' }), pattern: /^Feishu rejected the App Secret: it does not belong to this App ID \(Feishu code 10014\)\. Copy the App ID and App Secret again/ },
		{ what: 'an unknown App ID', fields: () => ({ appId: 'cli_0000000000000000', appSecret: 'whatever-secret' }), pattern: /^Feishu does not know this App ID \(Feishu code 10014\)\..*cli_/ },
		{ what: 'an empty App Secret', fields: (app: { appId: string }) => ({ appId: app.appId, appSecret: '' }), pattern: /^Feishu refused the token request: the App ID or App Secret is missing or malformed \(Feishu code 10003\)/ },
	])('$what: fails saying what is wrong and what to do, without the secret', async ({ fields, pattern }) => {
		const app = feishuApp();
		const entered = fields(app);
		const result = await runDeclarativeTest(credential, { ...entered, baseUrl: standIn.feishuUrl });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(pattern);
		if (entered.appSecret) expect(result.message).not.toContain(entered.appSecret);
	});

	test("a Base URL that is not Feishu's (a 404 page): fails naming the Base URL", async () => {
		const { appId, appSecret } = feishuApp();
		const result = await runDeclarativeTest(credential, { appId, appSecret, baseUrl: `${standIn.feishuUrl}/not-feishu` });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Check the Base URL/);
	});

	test('preAuthentication: the tenant token for a good app; the explanation (never the secret) for a bad one', async () => {
		const { appId, appSecret } = feishuApp();
		const preAuthentication = credential.preAuthentication as (this: IHttpRequestHelper, c: ICredentialDataDecryptedObject) => Promise<Record<string, unknown>>;
		const helper = { helpers: { httpRequest } } as unknown as IHttpRequestHelper;
		const ok = await preAuthentication.call(helper, { appId, appSecret, baseUrl: standIn.feishuUrl });
		expect(ok.tenantAccessToken).toMatch(/^t-/);
		expect(standIn.feishu.appOfToken(ok.tenantAccessToken as string)).toBe(appId);
		const failed = await preAuthentication.call(helper, { appId, appSecret: 'not-the-secret-123', baseUrl: standIn.feishuUrl }).then(
			() => undefined,
			(error: Error) => error,
		);
		expect(failed?.message).toMatch(/^Feishu rejected the App Secret/);
		expect(failed?.message).toContain('code 10014');
		expect(failed?.message).not.toContain('not-the-secret-123');
		const empty = await preAuthentication.call(helper, { appId: '', appSecret: '', baseUrl: standIn.feishuUrl }).then(
			() => undefined,
			(error: Error) => error,
		);
		expect(empty?.message).toMatch(/^The Feishu credential is missing App ID and App Secret/);
	});

	test('authenticate puts the token in the Authorization header; the secrets are password fields and the token is hidden and expirable', async () => {
		const authenticate = credential.authenticate as (c: ICredentialDataDecryptedObject, r: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
		const request = await authenticate({ tenantAccessToken: 't-abc' }, { url: 'https://example.invalid/x', headers: { Accept: 'application/json' } });
		expect(request.headers).toEqual({ Accept: 'application/json', Authorization: 'Bearer t-abc' });
		for (const name of ['appSecret', 'encryptKey', 'verificationToken']) {
			expect(credential.properties.find((p) => p.name === name)?.typeOptions?.password).toBe(true);
		}
		const token = credential.properties.find((p) => p.name === 'tenantAccessToken');
		expect(token?.type).toBe('hidden');
		expect(token?.typeOptions).toMatchObject({ expirable: true, password: true });
		expect(credential.properties.find((p) => p.name === 'baseUrl')?.default).toBe('https://open.feishu.cn');
	});
});
