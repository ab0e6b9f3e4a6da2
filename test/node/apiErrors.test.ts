// Every documented error of DingTalk's and Green-API's download APIs, through the real
// engine against the stand-in: each gets its own English message saying what went
// wrong and what to do, keeps the API's code and request id where the API gives them,
// and never shows a secret (app or suite secret, access token, Green-API token).
import { randomUUID } from 'crypto';
import type { ExecutionError, IDataObject, INodeParameters } from 'n8n-workflow';

import { readFixture } from '../fixtures/fixtures';
import { CredentialStore, binaryBuffer, runNode, type NodeRun } from '../helpers/engine';
import { n8nRenewsTokenOn400 } from '../helpers/n8nVersion';
import { presetFaults, startStandIn, type Fault, type StandIn } from '../standin/server';

const PNG = readFixture('image.png');
const PDF = readFixture('document.pdf');
const REQUEST_ID = /request id [0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/;

let standIn: StandIn;
beforeAll(async () => {
	standIn = await startStandIn();
});
afterAll(async () => await standIn.close());
beforeEach(() => standIn.resetStats());

/** Everything a user or a log could see of the error. */
function errorText(error: ExecutionError | undefined): string {
	expect(error).toBeDefined();
	return [error!.message, error!.description ?? '', JSON.stringify(error)].join('\n');
}

/** Every secret in play: the credential's, the stored token, and every token the stand-in saw. */
function secretsOf(credentials: CredentialStore, type: 'dingTalkApi' | 'greenApi'): string[] {
	const stored = credentials.get(type);
	const secrets = ['appSecret', 'suiteSecret', 'accessToken', 'apiTokenInstance']
		.map((field) => stored[field])
		.filter((value): value is string => typeof value === 'string' && value.length > 0);
	for (const request of standIn.requests) {
		const token = request.headers['x-acs-dingtalk-access-token'];
		if (typeof token === 'string') secrets.push(token);
	}
	return secrets;
}

function expectNoSecrets(run: NodeRun, credentials: CredentialStore, type: 'dingTalkApi' | 'greenApi'): void {
	const text = errorText(run.error);
	const secrets = secretsOf(credentials, type);
	expect(secrets.length).toBeGreaterThan(0);
	for (const secret of secrets) expect(text).not.toContain(secret);
}

// ------------------------------------------------------------------ DingTalk

let appCounter = 0;
function dingTalkApp(app: { appType?: 'internal' | 'thirdPartyPersonal'; corpId?: string; robotPermission?: boolean } = {}) {
	const n = ++appCounter;
	const appKey = `dingerr${n}`;
	const appSecret = `err-app-secret-${n}-${'q'.repeat(16)}`;
	standIn.dingTalk.addApp({ appKey, appSecret, ...app });
	const credentials = new CredentialStore({
		dingTalkApi: { appType: 'internal', appKey, appSecret, baseUrl: standIn.dingTalkUrl },
	});
	return { appKey, appSecret, credentials };
}

async function dingTalkRun(credentials: CredentialStore, downloadCode: string, robotCode = '', options: INodeParameters = {}): Promise<NodeRun> {
	return await runNode({ parameters: { service: 'dingTalk', source: 'fields', downloadCode, robotCode, options }, credentials });
}

/** A DingTalk error body exactly as the API sends it, for answers the stand-in cannot reach through the node. */
function dingTalkAnswer(status: number, code: string, message: string, times = Infinity): { fault: Fault; requestid: string } {
	const requestid = randomUUID().toUpperCase();
	return { fault: { api: { status, times, body: { code, requestid, message } } }, requestid };
}

describe('DingTalk: the six documented 400s of robot/messageFiles/download', () => {
	test('robotCode empty: the node names it before calling; DingTalk\'s own answer is explained too', async () => {
		// No robot code anywhere (third-party app without a default): the node refuses to call.
		standIn.dingTalk.addSuite({ suiteKey: 'suite-err', suiteSecret: 'suite-secret-err-000000', authCorpId: 'corp-err', suiteTicket: 't' });
		const thirdParty = new CredentialStore({
			dingTalkApi: {
				appType: 'thirdParty',
				suiteKey: 'suite-err',
				suiteSecret: 'suite-secret-err-000000',
				authCorpId: 'corp-err',
				suiteTicket: 't',
				baseUrl: standIn.dingTalkUrl,
			},
		});
		const local = await dingTalkRun(thirdParty, 'ANY');
		expect(local.error?.message).toBe('No robot code: the node, the message and the credential name none');
		expect(local.error?.description).toMatch(/Set Robot Code/);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(0);
		expect(errorText(local.error)).not.toContain('suite-secret-err-000000');

		// DingTalk's answer (e.g. a robot code it does not know).
		const { appKey, credentials } = dingTalkApp();
		const { fault, requestid } = dingTalkAnswer(400, 'invalidParameter.robotCode.empty', 'The bot robotCode is empty.');
		standIn.dingTalk.addFile({ downloadCode: 'E-ROBOT', robotCode: appKey, body: PNG, fault });
		const run = await dingTalkRun(credentials, 'E-ROBOT');
		expect(run.error?.message).toBe('The robot code is empty or unknown to DingTalk');
		expect(run.error?.description).toMatch(/Set Robot Code .*usually the AppKey.*robot is in the group/);
		expect(run.error?.description).toContain('code invalidParameter.robotCode.empty');
		expect(run.error?.description).toContain(`request id ${requestid}`);
		expect((run.error as { httpCode?: string }).httpCode).toBe('400');
		expectNoSecrets(run, credentials, 'dingTalkApi');
	});

	test('downloadCode empty: the node requires it; DingTalk\'s own answer is explained too', async () => {
		const { appKey, credentials } = dingTalkApp();
		const local = await dingTalkRun(credentials, '   ');
		expect(local.error?.message).toBe('Download Code is empty');
		expect(standIn.stats.dingTalkDownloadCalls).toBe(0);

		const { fault, requestid } = dingTalkAnswer(400, 'invalidParameter.robotCode.empty', 'The bot downloadCode is empty.');
		standIn.dingTalk.addFile({ downloadCode: 'E-DLCODE', robotCode: appKey, body: PNG, fault });
		const run = await dingTalkRun(credentials, 'E-DLCODE');
		expect(run.error?.message).toBe('The download code is empty');
		expect(run.error?.description).toMatch(/content\.downloadCode/);
		expect(run.error?.description).toContain('code invalidParameter.robotCode.empty');
		expect(run.error?.description).toContain(`request id ${requestid}`);
		expectNoSecrets(run, credentials, 'dingTalkApi');
	});

	test('downloadCode does not match the robotCode', async () => {
		const { appKey, credentials } = dingTalkApp();
		standIn.dingTalk.addFile({ downloadCode: 'E-MISMATCH', robotCode: 'the-other-robot', body: PNG });
		const run = await dingTalkRun(credentials, 'E-MISMATCH', appKey);
		expect(run.error?.message).toBe('The download code does not belong to this robot');
		expect(run.error?.description).toMatch(/robotCode of the robot that received the message/);
		expect(run.error?.description).toContain('code invalidParameter.robotCode.auth');
		expect(run.error?.description).toContain('This downloadCode does not match the bot robotCode');
		expect(run.error?.description).toMatch(REQUEST_ID);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(1);
		expectNoSecrets(run, credentials, 'dingTalkApi');
	});

	test('an app type that may not call the API', async () => {
		const { appKey, credentials } = dingTalkApp({ appType: 'thirdPartyPersonal' });
		standIn.dingTalk.addFile({ downloadCode: 'E-APPTYPE', robotCode: appKey, body: PNG });
		const run = await dingTalkRun(credentials, 'E-APPTYPE');
		expect(run.error?.message).toBe('This app type may not download robot files');
		expect(run.error?.description).toMatch(/Only internal apps and authorised third-party enterprise apps/);
		expect(run.error?.description).toContain('code invalidParameter.robotCode.auth');
		expect(run.error?.description).toMatch(REQUEST_ID);
		expectNoSecrets(run, credentials, 'dingTalkApi');
	});

	test('an incorrect or expired downloadCode', async () => {
		const { appKey, credentials } = dingTalkApp();
		const unknown = await dingTalkRun(credentials, 'NO-SUCH-CODE');
		standIn.dingTalk.addFile({ downloadCode: 'E-EXPIRED', robotCode: appKey, body: PNG });
		standIn.dingTalk.expireDownloadCode('E-EXPIRED');
		const expired = await dingTalkRun(credentials, 'E-EXPIRED');
		for (const run of [unknown, expired]) {
			expect(run.error?.message).toBe('The download code is incorrect or has expired');
			expect(run.error?.description).toMatch(/download the file soon after the message arrives/);
			expect(run.error?.description).toContain('code invalidParameter.robotCode.downloadCode');
			expect(run.error?.description).toMatch(REQUEST_ID);
			expectNoSecrets(run, credentials, 'dingTalkApi');
		}
		// Not retried, not renewed: one call each.
		expect(standIn.stats.dingTalkDownloadCalls).toBe(2);
		expect(standIn.stats.dingTalkTokenCalls).toBe(1);
	});

	test('a robot of another organisation', async () => {
		const { appKey, credentials } = dingTalkApp();
		standIn.dingTalk.addFile({ downloadCode: 'E-ORG', robotCode: appKey, corpId: 'ding-some-other-corp', body: PNG });
		const run = await dingTalkRun(credentials, 'E-ORG');
		expect(run.error?.message).toBe('The robot that received this file belongs to another organisation');
		expect(run.error?.description).toMatch(/credential of the app in the organisation where the message was received/);
		expect(run.error?.description).toContain('code invalidParameter.robotCode.auth');
		expect(run.error?.description).toMatch(REQUEST_ID);
		expectNoSecrets(run, credentials, 'dingTalkApi');
	});
});

describe('DingTalk: token, permission and throttling errors', () => {
	test('InvalidAuthentication that persists after renewal: renewed once, repeated once, then explained', async () => {
		const { appKey, credentials } = dingTalkApp();
		const { fault, requestid } = dingTalkAnswer(400, 'InvalidAuthentication', '不合法的access_token');
		standIn.dingTalk.addFile({ downloadCode: 'E-AUTH', robotCode: appKey, body: PNG, fault });
		const run = await dingTalkRun(credentials, 'E-AUTH', '', { maxRetries: 3 });
		expect(run.error?.message).toBe('DingTalk rejected the access token');
		expect(run.error?.description).toMatch(/renewed once and still rejected/);
		expect(run.error?.description).toContain('code InvalidAuthentication');
		expect(run.error?.description).toContain(`request id ${requestid}`);
		// The request, the one offering n8n the renewal (n8n 2.41+ repeats it after renewing), the repeat with the new token.
		expect(standIn.stats.dingTalkDownloadCalls).toBe(n8nRenewsTokenOn400 ? 4 : 3);
		// On n8n 2.41+ n8n asks for a token too, but DingTalk hands out the same still-valid one, so the node asks again.
		expect(standIn.stats.dingTalkTokenCalls).toBe(n8nRenewsTokenOn400 ? 3 : 2);
		expectNoSecrets(run, credentials, 'dingTalkApi');
	});

	test('AccessTokenPermissionDenied (403): explained with the scope to grant', async () => {
		const { appKey, credentials } = dingTalkApp({ robotPermission: false });
		standIn.dingTalk.addFile({ downloadCode: 'E-PERM', robotCode: appKey, body: PNG });
		const run = await dingTalkRun(credentials, 'E-PERM');
		expect(run.error?.message).toBe('The DingTalk app lacks the permission to download robot files');
		expect(run.error?.description).toMatch(/Permissions page and grant qyapi_robot_sendmsg/);
		expect(run.error?.description).toContain('code Forbidden.AccessDenied.AccessTokenPermissionDenied');
		expect(run.error?.description).toMatch(REQUEST_ID);
		expect((run.error as { httpCode?: string }).httpCode).toBe('403');
		// A token minted before a grant lacks it: one renewal was tried, no loop.
		expect(standIn.stats.dingTalkDownloadCalls).toBe(3); // plus the request offering n8n a renewal (n8n does not renew on a 403)
		expect(standIn.stats.dingTalkTokenCalls).toBe(2);
		expectNoSecrets(run, credentials, 'dingTalkApi');
	});

	test('permission granted after the token was minted: the renewed token works in the same execution', async () => {
		const { appKey, credentials } = dingTalkApp({ robotPermission: false });
		standIn.dingTalk.addFile({ downloadCode: 'E-GRANT', robotCode: appKey, body: PNG });
		expect((await dingTalkRun(credentials, 'E-GRANT')).error).toBeDefined();
		standIn.dingTalk.setRobotPermission(appKey, true);
		standIn.dingTalk.expireTokens(); // DingTalk hands out a fresh token only once the old one is gone
		const run = await dingTalkRun(credentials, 'E-GRANT');
		expect(run.error).toBeUndefined();
		expect(await binaryBuffer(run.items[0].binary!.data)).toEqual(PNG);
	});

	test('QpsLimit (403) is retried, then succeeds', async () => {
		const { appKey, credentials } = dingTalkApp();
		standIn.dingTalk.addFile({ downloadCode: 'E-QPS', robotCode: appKey, body: PNG, fault: presetFaults.dingTalkQpsLimit(2) });
		const run = await dingTalkRun(credentials, 'E-QPS', '', { maxRetries: 3 });
		expect(run.error).toBeUndefined();
		expect(await binaryBuffer(run.items[0].binary!.data)).toEqual(PNG);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(3);
		expect(standIn.stats.dingTalkTokenCalls).toBe(1);
	});

	test('QpsLimit that outlasts the retries: explained, with code and request id', async () => {
		const { appKey, credentials } = dingTalkApp();
		const fault = presetFaults.dingTalkQpsLimit(10);
		const requestid = (fault.api!.body as { requestid: string }).requestid;
		standIn.dingTalk.addFile({ downloadCode: 'E-QPS2', robotCode: appKey, body: PNG, fault });
		const run = await dingTalkRun(credentials, 'E-QPS2', '', { maxRetries: 1 });
		expect(run.error?.message).toBe('DingTalk is throttling requests (too many per second)');
		expect(run.error?.description).toMatch(/Lower the node's Concurrency option/);
		expect(run.error?.description).toContain('code Forbidden.AccessDenied.QpsLimitForApi');
		expect(run.error?.description).toContain(`request id ${requestid}`);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(2);
		expectNoSecrets(run, credentials, 'dingTalkApi');
	});

	test('ApiCountLimitForOrg: the monthly quota, not retried', async () => {
		const { appKey, credentials } = dingTalkApp();
		const { fault, requestid } = dingTalkAnswer(403, 'Forbidden.AccessDenied.ApiCountLimitForOrg', '企业调用接口总量超过限制');
		standIn.dingTalk.addFile({ downloadCode: 'E-COUNT', robotCode: appKey, body: PNG, fault });
		const run = await dingTalkRun(credentials, 'E-COUNT', '', { maxRetries: 3 });
		expect(run.error?.message).toBe("The organisation's monthly DingTalk API quota is used up");
		expect(run.error?.description).toMatch(/Wait for the quota to reset/);
		expect(run.error?.description).toContain('code Forbidden.AccessDenied.ApiCountLimitForOrg');
		expect(run.error?.description).toContain(`request id ${requestid}`);
		expect(standIn.stats.dingTalkDownloadCalls).toBe(1);
		expectNoSecrets(run, credentials, 'dingTalkApi');
	});

	test('Continue On Fail: the explanation lands on the item, without secrets', async () => {
		const { appKey, credentials } = dingTalkApp();
		standIn.dingTalk.addFile({ downloadCode: 'E-COF', robotCode: appKey, body: PNG });
		const run = await runNode({
			parameters: { service: 'dingTalk', source: 'fields', downloadCode: '={{ $json.code }}' },
			input: [{ code: 'E-COF' }, { code: 'NO-SUCH' }],
			credentials,
			continueOnFail: true,
		});
		expect(run.error).toBeUndefined();
		expect(run.items[0].binary?.data).toBeDefined();
		expect(run.items[1].json.error).toBe('The download code is incorrect or has expired');
		expect(run.items[1].json.errorDescription).toContain('invalidParameter.robotCode.downloadCode');
		const text = JSON.stringify(run.items[1]);
		for (const secret of secretsOf(credentials, 'dingTalkApi')) expect(text).not.toContain(secret);
	});
});

// ------------------------------------------------------------------ Green-API

let instanceCounter = 0;
function greenInstance(messenger: 'whatsapp' | 'max' = 'whatsapp', credentialOverrides: IDataObject = {}) {
	const n = ++instanceCounter;
	const idInstance = String((messenger === 'max' ? 3100000000 : 1101000000) + 500 + n);
	const apiTokenInstance = `greentoken${n}${'z'.repeat(40)}`;
	standIn.greenApi.addInstance({ idInstance, apiTokenInstance, messenger });
	const credentials = new CredentialStore({
		greenApi: { apiUrl: standIn.greenApiUrl, mediaUrl: standIn.greenMediaUrl, idInstance, apiTokenInstance, messenger, ...credentialOverrides },
	});
	return { idInstance, apiTokenInstance, credentials, chatId: '79001234567@c.us', idMessage: `BAE5${n}F00D` };
}

async function greenRun(credentials: CredentialStore, chatId: string, idMessage: string, options: INodeParameters = {}): Promise<NodeRun> {
	return await runNode({ parameters: { service: 'greenApi', source: 'fields', chatId, idMessage, options }, credentials });
}

function expectNoGreenToken(run: NodeRun, credentials: CredentialStore, extra: string[] = []): void {
	expectNoSecrets(run, credentials, 'greenApi');
	const text = errorText(run.error);
	for (const secret of extra) expect(text).not.toContain(secret);
}

describe('Green-API: downloadFile errors', () => {
	test('400 Validation failed: says which field, kept Green-API\'s words', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance();
		const body = "Validation failed. Details: 'chatId' is required";
		standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF, fault: { api: { status: 400, body } } });
		const run = await greenRun(credentials, chatId, idMessage);
		expect(run.error?.message).toBe('Green-API refused the chat ID or message ID');
		expect(run.error?.description).toMatch(/Check Chat ID and Message ID/);
		expect(run.error?.description).toContain(body);
		expectNoGreenToken(run, credentials);
	});

	test('400 file not found: the message has no file (and the message says so, not "file not found")', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance();
		standIn.greenApi.addMissingFile({ idInstance, chatId, idMessage });
		const run = await greenRun(credentials, chatId, idMessage, { maxRetries: 3 });
		expect(run.error?.message).toBe('This message has no file to download');
		expect(run.error?.description).toMatch(/belongs to a file message/);
		expect(run.error?.description).toContain('File message encrypted url not found');
		expect((run.error as { httpCode?: string }).httpCode).toBe('400');
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
		expectNoGreenToken(run, credentials);
	});

	test('500 file gone: final, NOT retried', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance();
		standIn.greenApi.addGoneFile({ idInstance, chatId, idMessage });
		const run = await greenRun(credentials, chatId, idMessage, { maxRetries: 3 });
		expect(run.error?.message).toBe("The file is no longer available on WhatsApp's servers");
		expect(run.error?.description).toMatch(/This is final: ask the sender to send the file again/);
		expect(run.error?.description).toContain('Internal error when downloading file');
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
		expectNoGreenToken(run, credentials);
	});

	test('500 file gone, from a webhook whose link has expired: one downloadFile call, then the explanation', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance();
		const { directUrl } = standIn.greenApi.addGoneFile({ idInstance, chatId, idMessage, linkExtension: 'pdf' });
		const webhook = {
			typeWebhook: 'incomingMessageReceived',
			instanceData: { idInstance: Number(idInstance), wid: '79990000000@c.us', typeInstance: 'whatsapp' },
			timestamp: 1700000000,
			idMessage,
			senderData: { chatId, sender: chatId, senderName: 'Test' },
			messageData: {
				typeMessage: 'documentMessage',
				fileMessageData: { downloadUrl: directUrl, caption: '', fileName: 'report.pdf', mimeType: 'application/pdf' },
			},
		};
		const run = await runNode({ parameters: { service: 'greenApi', source: 'message', options: { maxRetries: 3 } }, input: [webhook], credentials });
		expect(run.error?.message).toBe("The file is no longer available on WhatsApp's servers");
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
		expect(standIn.stats.greenMediaGets).toBe(1);
		expectNoGreenToken(run, credentials);
	});

	test('401 wrong API token', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance('whatsapp', { apiTokenInstance: 'wrong-token-value-0123456789' });
		standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF });
		const run = await greenRun(credentials, chatId, idMessage);
		expect(run.error?.message).toBe('Green-API rejected the API token');
		expect(run.error?.description).toMatch(/Copy apiTokenInstance again/);
		expect((run.error as { httpCode?: string }).httpCode).toBe('401');
		expectNoGreenToken(run, credentials, ['wrong-token-value-0123456789']);
	});

	test('403 wrong instance ID', async () => {
		const { idInstance, apiTokenInstance, credentials, chatId, idMessage } = greenInstance('whatsapp', { idInstance: '1101999999' });
		standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF });
		const run = await greenRun(credentials, chatId, idMessage);
		expect(run.error?.message).toBe('Green-API does not know this instance at this API URL');
		expect(run.error?.description).toMatch(/Check the instance ID and the API URL/);
		expect((run.error as { httpCode?: string }).httpCode).toBe('403');
		expectNoGreenToken(run, credentials, [apiTokenInstance]);
	});

	test('404 wrong messenger path (a MAX instance set up as WhatsApp, and the reverse)', async () => {
		for (const [real, configured] of [['max', 'whatsapp'], ['whatsapp', 'max']] as const) {
			const { idInstance, credentials, chatId, idMessage } = greenInstance(real, { messenger: configured });
			standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF });
			const run = await greenRun(credentials, chatId, idMessage);
			expect(run.error?.message).toBe('Green-API has no such method at this URL');
			expect(run.error?.description).toContain(`it is set to ${configured === 'max' ? 'MAX' : 'WhatsApp'}`);
			expect(run.error?.description).toMatch(/MAX instances use the \/v3 API/);
			expectNoGreenToken(run, credentials);
		}
	});

	test('instance not authorised (and blocked / asleep): scan the QR code', async () => {
		for (const state of ['notAuthorized', 'blocked', 'sleepMode'] as const) {
			const { idInstance, credentials, chatId, idMessage } = greenInstance();
			standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF });
			standIn.greenApi.setInstanceState(idInstance, state);
			const run = await greenRun(credentials, chatId, idMessage);
			expect(run.error?.message).toBe('The Green-API instance is not linked to a WhatsApp account');
			expect(run.error?.description).toMatch(/scan the QR code/);
			expect(run.error?.description).toContain('instance account not authorized');
			expectNoGreenToken(run, credentials);
		}
	});

	test('instance starting: wait and run again', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance('max');
		standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF });
		standIn.greenApi.setInstanceState(idInstance, 'starting');
		const run = await greenRun(credentials, chatId, idMessage);
		expect(run.error?.message).toBe('The Green-API instance is still starting');
		expect(run.error?.description).toMatch(/Wait a minute and run the workflow again/);
		expect(run.error?.description).toContain('instance in starting process try later');
		expectNoGreenToken(run, credentials);
	});

	test('466 quota exceeded: names the quota, keeps Green-API\'s status codes, not retried', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance();
		standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF, fault: presetFaults.greenQuotaExceeded() });
		const run = await greenRun(credentials, chatId, idMessage, { maxRetries: 3 });
		// The stand-in's body has both quotas exceeded.
		expect(run.error?.message).toBe("The instance's monthly quotas of API calls and of chats are used up");
		expect(run.error?.description).toMatch(/Upgrade the instance's plan in the Green-API console/);
		expect(run.error?.description).toContain('Monthly quota has been exceeded');
		expect(run.error?.description).toContain('QUOTE_EXCEEDED');
		expect(run.error?.description).toContain('CORRESPONDENTS_QUOTE_EXCEEDED');
		expect((run.error as { httpCode?: string }).httpCode).toBe('466');
		expect(standIn.stats.greenDownloadFileCalls).toBe(1);
		expectNoGreenToken(run, credentials);
	});

	test('466 correspondents quota alone', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance();
		const body = {
			invokeStatus: { status: 'ALLOWED', description: 'Quota not exceeded' },
			correspondentsStatus: { status: 'CORRESPONDENTS_QUOTE_EXCEEDED', description: 'Quota of correspondents has been exceeded.' },
		};
		standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF, fault: { api: { status: 466, body } } });
		const run = await greenRun(credentials, chatId, idMessage);
		expect(run.error?.message).toBe("The instance's correspondents quota is used up");
		expect(run.error?.description).toContain('CORRESPONDENTS_QUOTE_EXCEEDED (Quota of correspondents has been exceeded.)');
		expect(run.error?.description).not.toContain('ALLOWED');
		expectNoGreenToken(run, credentials);
	});

	test('466 monthly quota of API calls alone', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance();
		const body = { invokeStatus: { status: 'QUOTE_EXCEEDED', description: 'Monthly quota has been exceeded.' } };
		standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF, fault: { api: { status: 466, body } } });
		const run = await greenRun(credentials, chatId, idMessage);
		expect(run.error?.message).toBe("The instance's monthly quota of API calls is used up");
		expect(run.error?.description).toContain('QUOTE_EXCEEDED (Monthly quota has been exceeded.)');
		expect(run.error?.description).not.toContain('CORRESPONDENTS');
		expectNoGreenToken(run, credentials);
	});

	test('429 is retried, then succeeds', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance();
		standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF, linkExtension: 'pdf', fault: { api: { status: 429, times: 2, body: 'Too Many Requests' } } });
		const run = await greenRun(credentials, chatId, idMessage, { maxRetries: 3 });
		expect(run.error).toBeUndefined();
		expect(await binaryBuffer(run.items[0].binary!.data)).toEqual(PDF);
		expect(standIn.stats.greenDownloadFileCalls).toBe(3);
	});

	test('429 that outlasts the retries: explained', async () => {
		const { idInstance, credentials, chatId, idMessage } = greenInstance();
		standIn.greenApi.addFile({ idInstance, chatId, idMessage, body: PDF, fault: { api: { status: 429, body: 'Too Many Requests' } } });
		const run = await greenRun(credentials, chatId, idMessage, { maxRetries: 1 });
		expect(run.error?.message).toBe('Green-API is rate-limiting this instance');
		expect(run.error?.description).toMatch(/Lower the node's Concurrency option/);
		expect(standIn.stats.greenDownloadFileCalls).toBe(2);
		expectNoGreenToken(run, credentials);
	});
});
