// Tests of the stand-in itself: if these fail, every other test's verdict is suspect.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { generatedBytes, generatedBytesSha256, presetFaults, startStandIn, type StandIn } from './server';

const json = { 'content-type': 'application/json' };

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
	const res = await fetch(url, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(body) });
	const text = await res.text();
	return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function sha256Of(url: string) {
	const res = await fetch(url);
	const data = Buffer.from(await res.arrayBuffer());
	return { res, data, sha: createHash('sha256').update(data).digest('hex') };
}

let s: StandIn;
afterEach(async () => {
	await s?.close();
});

describe('DingTalk', () => {
	beforeEach(async () => {
		s = await startStandIn();
		s.dingTalk.addApp({ appKey: 'dingapp', appSecret: 'secret', corpId: 'corpA' });
		s.dingTalk.addFile({ downloadCode: 'CODE1', robotCode: 'dingapp', corpId: 'corpA', body: { size: 200_000, seed: 1 } });
	});

	const token = async () =>
		(await post(`${s.dingTalkUrl}/v1.0/oauth2/accessToken`, { appKey: 'dingapp', appSecret: 'secret' })).json()[
			'accessToken'
		] as string;
	const resolve = (accessToken: string, body: unknown = { downloadCode: 'CODE1', robotCode: 'dingapp' }) =>
		post(`${s.dingTalkUrl}/v1.0/robot/messageFiles/download`, body, { 'x-acs-dingtalk-access-token': accessToken });

	it('issues tokens, refuses bad credentials and expired tokens like DingTalk', async () => {
		const bad = await post(`${s.dingTalkUrl}/v1.0/oauth2/accessToken`, { appKey: 'dingapp', appSecret: 'nope' });
		expect(bad.status).toBe(400);
		expect(bad.json()).toMatchObject({ code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' });
		expect(bad.headers.get('x-acs-request-id')).toBe(bad.json()['requestid']);
		expect(bad.headers.get('x-acs-trace-id')).toBeTruthy();

		const form = await fetch(`${s.dingTalkUrl}/v1.0/oauth2/accessToken`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'appKey=dingapp&appSecret=secret',
		});
		expect(form.status).toBe(400);

		const first = await token();
		expect(await token()).toBe(first); // a valid internal-app token is handed out again
		expect((await resolve(first)).status).toBe(200);

		s.dingTalk.expireTokens();
		const refused = await resolve(first);
		expect(refused.status).toBe(400);
		expect(refused.json()).toMatchObject({ code: 'InvalidAuthentication', message: '不合法的access_token' });
		const second = await token();
		expect(second).not.toBe(first);
		expect((await resolve(second)).status).toBe(200);
		expect(s.stats).toMatchObject({ dingTalkTokenCalls: 5, dingTalkTokensIssued: 2, dingTalkDownloadCalls: 3 });
	});

	it('answers the documented 400s, including the other-organisation one', async () => {
		s.dingTalk.addSuite({ suiteKey: 'suite', suiteSecret: 'ss', authCorpId: 'corpB', suiteTicket: 'tk' });
		const corp = (ticket: string, authCorpId = 'corpB') =>
			post(`${s.dingTalkUrl}/v1.0/oauth2/corpAccessToken`, {
				suiteKey: 'suite',
				suiteSecret: 'ss',
				authCorpId,
				suiteTicket: ticket,
			});
		expect((await corp('wrong')).json()['code']).toBe('invalidSuiteTicket');
		expect((await corp('tk', 'corpC')).json()['code']).toBe('invalidAuthInfo');
		const corpToken = (await corp('tk')).json()['accessToken'] as string;
		const other = await resolve(corpToken);
		expect(other.status).toBe(400);
		expect(other.json()['message']).toMatch(/^The organization that calls this API is different/);

		const t = await token();
		const codes = async (body: unknown) => ((await resolve(t, body)).json() as { code: string; message: string });
		expect(await codes({ downloadCode: 'CODE1', robotCode: '' })).toMatchObject({
			code: 'invalidParameter.robotCode.empty',
			message: 'The bot robotCode is empty.',
		});
		expect(await codes({ downloadCode: '', robotCode: 'dingapp' })).toMatchObject({
			message: 'The bot downloadCode is empty.',
		});
		expect(await codes({ downloadCode: 'NOPE', robotCode: 'dingapp' })).toMatchObject({
			code: 'invalidParameter.robotCode.downloadCode',
		});
		expect(await codes({ downloadCode: 'CODE1', robotCode: 'otherbot' })).toMatchObject({
			code: 'invalidParameter.robotCode.auth',
			message: expect.stringMatching(/^This downloadCode does not match the bot robotCode/),
		});
	});

	it('serves the signed OSS link and refuses tampered or expired ones', async () => {
		const link = (await resolve(await token())).json()['downloadUrl'] as string;
		expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/corpA\/[\w-]+\.file\?Expires=\d+&OSSAccessKeyId=LTAI\w+&Signature=/);

		const { res, sha } = await sha256Of(link);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/octet-stream');
		expect(res.headers.get('content-length')).toBe('200000');
		expect(res.headers.get('content-disposition')).toBeNull();
		expect(sha).toBe(generatedBytesSha256(200_000, 1));
		const get = s.requests.find((r) => r.role === 'oss')!;
		expect(get.headers['x-acs-dingtalk-access-token']).toBeUndefined();
		expect(get.headers['content-type']).toBeUndefined();

		// OSS signs Content-Type: sending one breaks the signature, as on the real host.
		expect((await fetch(link, { headers: { 'content-type': 'application/json' } })).status).toBe(403);
		const tampered = await fetch(link.replace(/Expires=(\d+)/, (_m, e: string) => `Expires=${Number(e) + 1}`));
		expect(tampered.status).toBe(403);
		expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');

		s.dingTalk.expireLinks();
		const expired = await fetch(link);
		expect(expired.status).toBe(403);
		expect(expired.headers.get('content-type')).toBe('application/xml');
		expect(await expired.text()).toContain('<Message>Request has expired.</Message>');
	});

	it('injects API faults a set number of times', async () => {
		s.dingTalk.addFile({ downloadCode: 'QPS', robotCode: 'dingapp', corpId: 'corpA', body: Buffer.from('x'), fault: presetFaults.dingTalkQpsLimit(2) });
		const t = await token();
		const body = { downloadCode: 'QPS', robotCode: 'dingapp' };
		expect((await resolve(t, body)).json()['code']).toBe('Forbidden.AccessDenied.QpsLimitForApi');
		expect((await resolve(t, body)).status).toBe(403);
		expect((await resolve(t, body)).status).toBe(200);
		expect(s.stats.faultsInjected).toBe(2);
	});
});

describe('Green-API', () => {
	beforeEach(async () => {
		s = await startStandIn({ rateLimitPerSecond: 5 });
		s.greenApi.addInstance({ idInstance: 1101000001, apiTokenInstance: 'tokwa', messenger: 'whatsapp' });
		s.greenApi.addInstance({ idInstance: 3100000001, apiTokenInstance: 'tokmax', messenger: 'max' });
	});

	const wa = (method = 'downloadFile', token = 'tokwa') => `${s.greenApiUrl}/waInstance1101000001/${method}/${token}`;
	const max = (method = 'downloadFile') => `${s.greenApiUrl}/v3/waInstance3100000001/${method}/tokmax`;

	it('resolves WhatsApp and MAX links in their real shapes', async () => {
		const body = generatedBytes(5000, 9);
		const { directUrl } = s.greenApi.addFile({ idInstance: 1101000001, chatId: '79001234567@c.us', idMessage: 'M1', body, linkExtension: 'pdf' });
		s.greenApi.addFile({ idInstance: 3100000001, chatId: '10000000', idMessage: 'X1', body });

		const waLink = await post(wa(), { chatId: '79001234567@c.us', idMessage: 'M1' });
		expect(waLink.json()['downloadUrl']).toBe(directUrl);
		expect(directUrl).toMatch(new RegExp(`^${s.greenMediaUrl}/1101000001/[0-9a-f-]{36}\\.pdf$`));
		const maxLink = (await post(max(), { chatId: '10000000', idMessage: 'X1' })).json()['downloadUrl'] as string;
		expect(maxLink).toMatch(new RegExp(`^${s.greenMediaUrl}/i\\?r=[\\w-]+$`));
		const got = await sha256Of(maxLink);
		expect(got.res.headers.get('content-type')).toBe('application/octet-stream');
		expect(got.data.equals(body)).toBe(true);

		expect((await post(`${s.greenApiUrl}/v3/waInstance1101000001/downloadFile/tokwa`, {})).status).toBe(404);
		expect((await post(wa('downloadFile', 'bad'), { chatId: 'a', idMessage: 'b' })).status).toBe(401);
		expect((await post(`${s.greenApiUrl}/waInstance999/downloadFile/x`, {})).status).toBe(403);
		expect((await (await fetch(max('getStateInstance'))).json())).toEqual({ stateInstance: 'authorized' });
	});

	it('answers missing, gone, invalid and expired like the real API', async () => {
		s.greenApi.addMissingFile({ idInstance: 1101000001, chatId: 'c@c.us', idMessage: 'TEXT' });
		const gone = s.greenApi.addGoneFile({ idInstance: 1101000001, chatId: 'c@c.us', idMessage: 'OLD' });
		const { directUrl } = s.greenApi.addFile({ idInstance: 1101000001, chatId: 'c@c.us', idMessage: 'F', body: Buffer.from('hi') });

		const missing = await post(wa(), { chatId: 'c@c.us', idMessage: 'TEXT' });
		expect([missing.status, missing.text]).toEqual([400, 'File message encrypted url not found by chatId c@c.us and idMessage TEXT']);
		const gone500 = await post(wa(), { chatId: 'c@c.us', idMessage: 'OLD' });
		expect([gone500.status, gone500.text]).toEqual([500, 'Internal error when downloading file by chatId c@c.us and idMessage OLD']);
		expect((await fetch(gone.directUrl)).status).toBe(403);
		const invalid = await post(wa(), { chatId: 'c@c.us' });
		expect(invalid.status).toBe(400);
		expect(invalid.text).toMatch(/^Validation failed\. Details: /);

		s.greenApi.expireDirectLinks();
		expect((await fetch(directUrl)).status).toBe(403);
		const fresh = (await post(wa(), { chatId: 'c@c.us', idMessage: 'F' })).json()['downloadUrl'] as string;
		expect(fresh).not.toBe(directUrl);
		expect(await (await fetch(fresh)).text()).toBe('hi');
	});

	it('rate-limits downloadFile per instance with 429', async () => {
		s.greenApi.addFile({ idInstance: 1101000001, chatId: 'c@c.us', idMessage: 'F', body: Buffer.from('x') });
		const statuses = await Promise.all(
			Array.from({ length: 8 }, () => post(wa(), { chatId: 'c@c.us', idMessage: 'F' }).then((r) => r.status)),
		);
		expect(statuses.filter((c) => c === 429)).toHaveLength(3);
		expect(s.stats.rateLimited429).toBe(3);
		expect(s.stats.greenDownloadFileCallsByInstance['1101000001']).toBe(8);
		// Another instance has its own window.
		expect((await post(max(), { chatId: '1', idMessage: '2' })).status).toBe(400);
		await new Promise((r) => setTimeout(r, 1050));
		expect((await post(wa(), { chatId: 'c@c.us', idMessage: 'F' })).status).toBe(200);
	});
});

describe('hostile file hosts', () => {
	beforeEach(async () => {
		s = await startStandIn();
		s.greenApi.addInstance({ idInstance: 1, apiTokenInstance: 't', messenger: 'whatsapp' });
	});
	const file = (idMessage: string, fault: Parameters<StandIn['greenApi']['addFile']>[0]['fault'], size = 100_000) =>
		s.greenApi.addFile({ idInstance: 1, chatId: 'c', idMessage, body: { size, seed: 5 }, fault }).directUrl;

	it('truncates, resets, redirects and serves HTML', async () => {
		await expect(fetch(file('T', { file: 'truncate' })).then((r) => r.arrayBuffer())).rejects.toThrow();

		const reset = file('R', { file: 'reset', fileTimes: 1 });
		await expect(fetch(reset)).rejects.toThrow();
		expect((await sha256Of(reset)).sha).toBe(generatedBytesSha256(100_000, 5));

		const redirected = await fetch(file('D', { file: 'redirect', redirects: 3 }), { redirect: 'manual' });
		expect(redirected.status).toBe(302);
		expect((await sha256Of(file('D2', { file: 'redirect', redirects: 3 }))).sha).toBe(generatedBytesSha256(100_000, 5));
		expect(s.stats.greenMediaGets).toBe(1 + 2 + 1 + 4); // truncate, reset ×2, 1 hop, 3 hops + bytes

		const evil = await fetch(file('E', { file: 'redirect', redirectTo: 'file:///etc/passwd' }), { redirect: 'manual' });
		expect(evil.headers.get('location')).toBe('file:///etc/passwd');

		const html = await fetch(file('H', { file: 'html200' }));
		expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
	});

	it('stalls without blocking close()', async () => {
		const res = await fetch(file('S', { file: 'stall', stallAfterBytes: 1000 }));
		expect(res.status).toBe(200);
		const reader = res.body!.getReader();
		const first = await reader.read();
		expect(first.value?.length).toBeGreaterThan(0);
		const pending = reader.read();
		fetch(file('S2', { file: 'stallBeforeHeaders' })).catch(() => undefined);
		await new Promise((r) => setTimeout(r, 100));
		const started = Date.now();
		await s.close();
		expect(Date.now() - started).toBeLessThan(1000);
		await expect(pending).rejects.toThrow();
	});

	it('resets the link-resolution call before any byte', async () => {
		file('A', { apiResetTimes: 1 });
		const url = `${s.greenApiUrl}/waInstance1/downloadFile/t`;
		await expect(post(url, { chatId: 'c', idMessage: 'A' })).rejects.toThrow();
		expect((await post(url, { chatId: 'c', idMessage: 'A' })).status).toBe(200);
	});

	it('throttles with slowBytesPerSecond', async () => {
		const started = Date.now();
		const { sha } = await sha256Of(file('SLOW', { slowBytesPerSecond: 100_000 }, 50_000));
		expect(Date.now() - started).toBeGreaterThanOrEqual(400);
		expect(sha).toBe(generatedBytesSha256(50_000, 5));
	});
});
