// The DingTalk stand-in driven with the request shapes DingTalk's official clients send
// (rebuilt from their sources, no client as a dependency), and refusing what the real API
// refuses. A shape a real client sends and DingTalk takes must pass here, or a correct
// change to the node could fail its tests.
//   - Java SDK (com.dingtalk.api DefaultDingTalkClient + OapiMediaUploadRequest): media
//     upload with access_token in the query and `type` as a multipart text field.
//   - @alicloud/dingtalk robot_1_0 (doROARequest): JSON body, x-acs-* headers, OrgGroupSend
//     with coolAppCode and token fields, BatchSendOTO.
//   - DingTalk's connector (DingTalk-Real-AI/dingtalk-openclaw-connector src/utils/token.ts,
//     src/services/media.ts): GET /gettoken with appkey/appsecret, upload with type in the
//     query, sampleVideo with picMediaId and the duration in ms.
//   - get_corp_token as third-party SDKs sign it: accessKey, timestamp, suiteTicket and
//     Base64(HmacSHA256(suiteSecret, timestamp + "\n" + suiteTicket)) in the query, auth_corpid in the body.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHmac, randomUUID } from 'node:crypto';
import { startStandIn, type StandIn } from './server';

let s: StandIn;
let token: string;

beforeEach(async () => {
	s = await startStandIn();
	s.dingTalk.addApp({ appKey: 'dingjava', appSecret: 'java-secret' });
	token = await v1Token('dingjava', 'java-secret');
});
afterEach(async () => await s.close());

async function v1Token(appKey: string, appSecret: string): Promise<string> {
	const res = await fetch(`${s.dingTalkUrl}/v1.0/oauth2/accessToken`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ appKey, appSecret }),
	});
	return ((await res.json()) as { accessToken: string }).accessToken;
}

/** The legacy host's token as DingTalk's connector asks for it: GET /gettoken?appkey&appsecret. */
async function gettoken(appKey: string, appSecret: string): Promise<Record<string, unknown>> {
	const res = await fetch(`${s.dingTalkUrl}/gettoken?${new URLSearchParams({ appkey: appKey, appsecret: appSecret })}`);
	return (await res.json()) as Record<string, unknown>;
}

/** The Java SDK's OapiMediaUploadRequest: `type` a form field before the file, the token alone in the query. */
async function javaUpload(type: string, fileName: string, bytes: Buffer, accessToken = token) {
	const form = new FormData();
	form.append('type', type);
	form.append('media', new Blob([bytes], { type: 'application/octet-stream' }), fileName);
	const res = await fetch(`${s.dingTalkUrl}/media/upload?access_token=${encodeURIComponent(accessToken)}`, {
		method: 'POST',
		headers: { 'user-agent': 'top-sdk-java' },
		body: form,
	});
	return (await res.json()) as Record<string, unknown>;
}

/** The connector's upload: `type` in the query, the file's own content type. */
async function connectorUpload(type: string, fileName: string, bytes: Buffer, contentType: string, accessToken = token) {
	const form = new FormData();
	form.append('media', new Blob([bytes], { type: contentType }), fileName);
	const res = await fetch(`${s.dingTalkUrl}/media/upload?access_token=${encodeURIComponent(accessToken)}&type=${type}`, { method: 'POST', body: form });
	return (await res.json()) as Record<string, unknown>;
}

/** @alicloud/dingtalk robot_1_0 through @alicloud/openapi-client's doROARequest. */
async function sdkCall(action: 'OrgGroupSend' | 'BatchSendOTO', body: Record<string, unknown>, accessToken = token) {
	const path = action === 'OrgGroupSend' ? '/v1.0/robot/groupMessages/send' : '/v1.0/robot/oToMessages/batchSend';
	const res = await fetch(`${s.dingTalkUrl}${path}`, {
		method: 'POST',
		headers: {
			accept: 'application/json',
			'content-type': 'application/json; charset=utf-8',
			date: new Date().toUTCString(),
			'user-agent': 'AlibabaCloud (linux; x64) Node.js/v20 Core/1.0.1 TeaDSL/2',
			'x-acs-action': action,
			'x-acs-version': 'robot_1.0',
			'x-acs-signature-method': 'HMAC-SHA1',
			'x-acs-signature-nonce': randomUUID(),
			'x-acs-signature-version': '1.0',
			'x-acs-dingtalk-access-token': accessToken,
		},
		body: JSON.stringify(body),
	});
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
const mp4 = Buffer.concat([Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'), Buffer.alloc(64)]);

describe('media upload', () => {
	it("takes the Java SDK's upload: type as a form field, not in the query", async () => {
		const answer = await javaUpload('image', 'photo.jpg', jpeg);
		expect(answer).toMatchObject({ errcode: 0, type: 'image' });
		expect(s.dingTalk.send.upload(answer.media_id as string)).toMatchObject({ type: 'image', fileName: 'photo.jpg', size: jpeg.length });
		// The form field's type is checked like the query's.
		expect((await javaUpload('sticker', 'photo.jpg', jpeg)).errcode).toBe(40004);
		expect((await javaUpload('voice', 'a.mp3', Buffer.alloc(2 * 1024 * 1024 + 1))).errcode).toBe(40006);
		expect((await javaUpload('image', 'a.ogg', jpeg)).errcode).toBe(40005);
	});

	it('refuses an upload that names no type at all (40004)', async () => {
		const form = new FormData();
		form.append('media', new Blob([jpeg]), 'photo.jpg');
		const res = await fetch(`${s.dingTalkUrl}/media/upload?access_token=${token}`, { method: 'POST', body: form });
		expect(((await res.json()) as Record<string, unknown>).errcode).toBe(40004);
	});

	it("takes the connector's upload, a video as type file too (DingTalk's connector uploads MP4s so)", async () => {
		expect(await connectorUpload('video', 'clip.mp4', mp4, 'video/mp4')).toMatchObject({ errcode: 0, type: 'video' });
		expect(await connectorUpload('file', 'clip.mp4', mp4, 'video/mp4')).toMatchObject({ errcode: 0, type: 'file' });
		expect((await connectorUpload('file', 'clip.mov', mp4, 'video/quicktime')).errcode).toBe(40005);
	});
});

describe('the legacy host token', () => {
	it('GET /gettoken answers a token the upload takes, and errcode 40089 for a wrong secret', async () => {
		const answer = await gettoken('dingjava', 'java-secret');
		expect(answer).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
		expect((await javaUpload('image', 'p.jpg', jpeg, answer.access_token as string)).errcode).toBe(0);
		expect((await gettoken('dingjava', 'wrong')).errcode).toBe(40089);
		expect(s.dingTalk.legacyTokenCalls).toBe(2);
	});

	it('an app whose upload host refuses v1.0 tokens: 40014 for the v1.0 token, the legacy one passes', async () => {
		s.dingTalk.addApp({ appKey: 'dingstrict', appSecret: 'strict-secret', legacyTokenOnly: true });
		expect((await javaUpload('image', 'p.jpg', jpeg, await v1Token('dingstrict', 'strict-secret'))).errcode).toBe(40014);
		const legacy = (await gettoken('dingstrict', 'strict-secret')).access_token as string;
		expect((await javaUpload('image', 'p.jpg', jpeg, legacy)).errcode).toBe(0);
	});

	it('POST /service/get_corp_token checks the signature over timestamp and suite ticket', async () => {
		s.dingTalk.addSuite({ suiteKey: 'suiteX', suiteSecret: 'suite-secret', authCorpId: 'dingcorpX', suiteTicket: 'ticketX', legacyTokenOnly: true });
		const corpToken = async (secret: string, ticket = 'ticketX', corp = 'dingcorpX') => {
			const timestamp = String(Date.now());
			const signature = createHmac('sha256', secret).update(`${timestamp}\n${ticket}`).digest('base64');
			const query = new URLSearchParams({ accessKey: 'suiteX', timestamp, suiteTicket: ticket, signature });
			const res = await fetch(`${s.dingTalkUrl}/service/get_corp_token?${query}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ suite_key: 'suiteX', auth_corpid: corp }),
			});
			return (await res.json()) as Record<string, unknown>;
		};
		const answer = await corpToken('suite-secret');
		expect(answer).toMatchObject({ errcode: 0, expires_in: 7200 });
		expect((await javaUpload('image', 'p.jpg', jpeg, answer.access_token as string)).errcode).toBe(0);
		expect((await corpToken('not-the-secret')).errcode).not.toBe(0);
		expect((await corpToken('suite-secret', 'old-ticket')).errcode).not.toBe(0);
		expect((await corpToken('suite-secret', 'ticketX', 'dingcorpOther')).errcode).not.toBe(0);
	});
});

describe('robot sends as @alicloud/dingtalk sends them', () => {
	it('OrgGroupSend with coolAppCode and token fields; a cool-app group refuses a send without its code', async () => {
		s.dingTalk.send.addGroup('cidSdk==', ['dingjava'], 'COOLAPP-1-SDK');
		const body = { coolAppCode: 'COOLAPP-1-SDK', msgKey: 'sampleText', msgParam: JSON.stringify({ content: 'hi' }), openConversationId: 'cidSdk==', robotCode: 'dingjava' };
		const ok = await sdkCall('OrgGroupSend', body);
		expect(ok.status).toBe(200);
		expect(s.dingTalk.send.sent[0]).toMatchObject({ coolAppCode: 'COOLAPP-1-SDK', processQueryKey: ok.body.processQueryKey });
		const { coolAppCode: _omitted, ...withoutCode } = body;
		expect((await sdkCall('OrgGroupSend', withoutCode)).body).toMatchObject({ code: 'invalidParameter.robotCode.auth', message: 'Only a coolapp identity can use this bot.' });
		expect((await sdkCall('OrgGroupSend', { ...body, coolAppCode: 'COOLAPP-1-WRONG' })).body.code).toBe('invalidParameter.robotCode.coolApp');
		s.dingTalk.send.addGroup('cidPlain==', ['dingjava']);
		expect((await sdkCall('OrgGroupSend', { ...body, openConversationId: 'cidPlain==' })).body.code).toBe('invalidParameter.robotCode.coolApp');
		expect((await sdkCall('OrgGroupSend', { ...withoutCode, openConversationId: 'cidPlain==' })).status).toBe(200);
	});

	it('BatchSendOTO takes 20 user ids and refuses 21; msgParam up to 15,000 bytes', async () => {
		const ids = (n: number) => Array.from({ length: n }, (_, i) => `staff${i}`);
		const base = { msgKey: 'sampleText', robotCode: 'dingjava' };
		expect((await sdkCall('BatchSendOTO', { ...base, msgParam: JSON.stringify({ content: 'hi' }), userIds: ids(20) })).status).toBe(200);
		expect((await sdkCall('BatchSendOTO', { ...base, msgParam: JSON.stringify({ content: 'hi' }), userIds: ids(21) })).body.code).toBe('invalidParameter.userIds.overMax');
		const param = (bytes: number) => JSON.stringify({ content: 'x'.repeat(bytes - JSON.stringify({ content: '' }).length) });
		expect(Buffer.byteLength(param(15_000))).toBe(15_000);
		expect((await sdkCall('BatchSendOTO', { ...base, msgParam: param(15_000), userIds: ids(1) })).status).toBe(200);
		expect((await sdkCall('BatchSendOTO', { ...base, msgParam: param(15_001), userIds: ids(1) })).body.code).toBe('invalidParameter.msgParam.invalid');
	});

	it("sampleVideo as DingTalk's connector sends it: picMediaId a picture, duration in ms as digits", async () => {
		const video = (await connectorUpload('video', 'clip.mp4', mp4, 'video/mp4')).media_id as string;
		const cover = (await connectorUpload('image', 'cover.jpg', jpeg, 'image/jpeg')).media_id as string;
		const send = async (param: Record<string, string>) =>
			await sdkCall('BatchSendOTO', { msgKey: 'sampleVideo', msgParam: JSON.stringify(param), robotCode: 'dingjava', userIds: ['staff1'] });
		const good = { duration: '1500', videoMediaId: video, videoType: 'mp4', picMediaId: cover };
		expect((await send(good)).status).toBe(200);
		expect(s.dingTalk.send.sent.at(-1)?.media.map((upload) => upload.type)).toEqual(['video', 'image']);
		const { picMediaId: _cover, ...noCover } = good;
		expect((await send(noCover)).body.code).toBe('invalidParameter.param.invalid');
		expect((await send({ ...good, picMediaId: video })).body.code).toBe('invalidParameter.param.invalid');
		expect((await send({ ...good, duration: '1.5s' })).body.code).toBe('invalidParameter.param.invalid');
		// The no-cover fallback: the MP4 as a file message.
		expect((await sdkCall('BatchSendOTO', { msgKey: 'sampleFile', msgParam: JSON.stringify({ mediaId: video, fileName: 'clip.mp4', fileType: 'mp4' }), robotCode: 'dingjava', userIds: ['staff1'] })).status).toBe(200);
	});
});
