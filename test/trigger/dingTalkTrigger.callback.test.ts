/**
 * Issue 12, HTTP callback mode: the built trigger's webhook() in n8n-core's real
 * WebhookContext. DingTalk's signature is checked before anything else; a request it did
 * not sign gets 401/403 and starts no execution.
 */
import { createHash, createHmac } from 'crypto';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { callbackSignature, checkCallbackSignature } from '../../nodes/DingTalkTrigger/callbackSignature';
import { readFixture } from '../fixtures/fixtures';
import { binaryBuffer } from '../helpers/engine';
import { CredentialStore, callWebhook } from '../helpers/trigger';
import { startStandIn, type StandIn } from '../standin/server';

const APP_KEY = 'dingcallbackapp';
const APP_SECRET = 'callback-secret-Zx81';
const ROBOT = 'dingcallbackrobot';
const PARAMETERS: INodeParameters = { mode: 'httpCallback', downloadFiles: true, options: {} };

let standIn: StandIn;
let credentials: CredentialStore;

/** DingTalk's own formula, written out independently of the node's code. */
function dingTalkSign(timestamp: string, secret = APP_SECRET): string {
	return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

function signedHeaders(at = Date.now(), secret = APP_SECRET): Record<string, string> {
	return { 'content-type': 'application/json', timestamp: String(at), sign: dingTalkSign(String(at), secret) };
}

const message = (extra: IDataObject = {}): IDataObject => ({
	msgId: `cb${Math.random().toString(36).slice(2)}`,
	createAt: Date.now(),
	msgtype: 'picture',
	conversationType: '1',
	robotCode: ROBOT,
	sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=xyz',
	content: { downloadCode: 'CB-PNG' },
	...extra,
});

beforeAll(async () => {
	standIn = await startStandIn();
	standIn.dingTalk.addApp({ appKey: APP_KEY, appSecret: APP_SECRET });
	standIn.dingTalk.addFile({ downloadCode: 'CB-PNG', robotCode: ROBOT, body: readFixture('image.png') });
	credentials = new CredentialStore({ dingTalkApi: { appType: 'internal', appKey: APP_KEY, appSecret: APP_SECRET, baseUrl: standIn.dingTalkUrl } });
});

afterAll(async () => {
	await standIn.close();
});

test('the node computes the sign exactly as DingTalk does', () => {
	expect(callbackSignature('1700000000000', APP_SECRET)).toBe(dingTalkSign('1700000000000'));
});

test('a good signature: answered with {} at once, then the workflow runs with the file attached', async () => {
	const body = message();
	const outcome = await callWebhook(PARAMETERS, credentials, { headers: signedHeaders(), body });
	expect(outcome.status).toBe(200);
	expect(outcome.sent).toEqual({});
	expect(outcome.result.noWebhookResponse).toBe(true);
	const items = outcome.result.workflowData![0];
	expect(items).toHaveLength(1);
	const { messageFile, ...rest } = items[0].json;
	expect(rest).toEqual(body);
	expect((messageFile as IDataObject).mimeType).toBe('image/png');
	const bytes = await binaryBuffer(items[0].binary!.data);
	expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(readFixture('image.png')).digest('hex'));
});

test.each([
	['missing headers', {}, 401],
	['a missing sign', { timestamp: String(Date.now()) }, 401],
	['a wrong sign', { timestamp: String(Date.now()), sign: dingTalkSign(String(Date.now()), 'some-other-secret') }, 403],
	['a sign of another timestamp', { timestamp: String(Date.now()), sign: dingTalkSign(String(Date.now() - 1000)) }, 403],
	['a stale timestamp (over 1 hour old)', signedHeaders(Date.now() - 61 * 60 * 1000), 403],
	['a timestamp over 1 hour ahead', signedHeaders(Date.now() + 61 * 60 * 1000), 403],
	['a non-numeric timestamp', { timestamp: 'yesterday', sign: dingTalkSign('yesterday') }, 401],
])('%s: refused, no execution, nothing about the secret in the answer', async (_name, headers, status) => {
	standIn.resetStats();
	const outcome = await callWebhook(PARAMETERS, credentials, { headers: headers as Record<string, string>, body: message() });
	expect(outcome.status).toBe(status);
	expect(outcome.result.workflowData).toBeUndefined();
	expect(outcome.result.noWebhookResponse).toBe(true);
	expect(JSON.stringify(outcome.sent)).not.toContain(APP_SECRET);
	expect(JSON.stringify(outcome.sent)).not.toContain(dingTalkSign(String((headers as Record<string, string>).timestamp ?? '')));
	expect(standIn.stats.dingTalkDownloadCalls).toBe(0);
});

test('within the hour either way is accepted', () => {
	const now = 1_800_000_000_000;
	for (const offset of [-59 * 60 * 1000, 59 * 60 * 1000]) {
		expect(checkCallbackSignature(signedHeaders(now + offset), APP_SECRET, now)).toEqual({ valid: true });
	}
});

test('a filtered message is answered but starts nothing', async () => {
	const outcome = await callWebhook({ ...PARAMETERS, options: { chatType: 'group' } }, credentials, { headers: signedHeaders(), body: message() });
	expect(outcome.status).toBe(200);
	expect(outcome.result.workflowData).toBeUndefined();
});

test('a credential without a secret refuses everything (an empty HMAC key would be no check at all)', () => {
	const at = String(Date.now());
	const signedWithEmptyKey = createHmac('sha256', '').update(`${at}\n`).digest('base64');
	expect(checkCallbackSignature({ timestamp: at, sign: signedWithEmptyKey }, '')).toMatchObject({ valid: false, status: 403 });
});
