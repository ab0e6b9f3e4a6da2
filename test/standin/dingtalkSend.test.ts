// The DingTalk sending stand-in over real HTTP: media upload (multipart, DingTalk's types,
// limits and errcodes in 200 answers) and the robot send calls. If these fail, the send
// tests' verdicts are suspect.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { startStandIn, type StandIn } from './server';

let s: StandIn;
let accessToken: string;

beforeEach(async () => {
	s = await startStandIn();
	s.dingTalk.addApp({ appKey: 'dingapp', appSecret: 'secret' });
	s.dingTalk.addApp({ appKey: 'dingmuted', appSecret: 'secret', robotPermission: false });
	const res = await fetch(`${s.dingTalkUrl}/v1.0/oauth2/accessToken`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ appKey: 'dingapp', appSecret: 'secret' }),
	});
	accessToken = ((await res.json()) as { accessToken: string }).accessToken;
});
afterEach(async () => await s.close());

async function upload(type: string, fileName: string, bytes: Buffer, token: string | null = accessToken) {
	const form = new FormData();
	form.append('media', new Blob([bytes]), fileName);
	const query = new URLSearchParams({ type, ...(token === null ? {} : { access_token: token }) });
	const res = await fetch(`${s.dingTalkUrl}/media/upload?${query}`, { method: 'POST', body: form });
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function robot(path: string, body: Record<string, unknown>, token = accessToken) {
	const res = await fetch(`${s.dingTalkUrl}/v1.0/robot/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token },
		body: JSON.stringify(body),
	});
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('media upload', () => {
	it('stores the bytes and answers a media_id', async () => {
		const bytes = Buffer.from('%PDF-1.4 test bytes');
		const { status, body } = await upload('file', 'report.pdf', bytes);
		expect(status).toBe(200);
		expect(body).toMatchObject({ errcode: 0, errmsg: 'ok', type: 'file' });
		const stored = s.dingTalk.send.upload(body.media_id as string);
		expect(stored).toMatchObject({ fileName: 'report.pdf', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), appKey: 'dingapp' });
		expect(stored?.bytes?.equals(bytes)).toBe(true);
	});

	it("answers DingTalk's errcodes in HTTP 200s", async () => {
		expect((await upload('file', 'a.pdf', Buffer.from('x'), null)).body).toEqual({ errcode: 41001, errmsg: '缺少access_token参数' });
		expect((await upload('file', 'a.pdf', Buffer.from('x'), 'wrong')).body.errcode).toBe(40014);
		expect((await upload('sticker', 'a.png', Buffer.from('x'))).body.errcode).toBe(40004);
		expect((await upload('voice', 'a.ogg', Buffer.from('x'))).body.errcode).toBe(40005);
		expect((await upload('file', 'a.webm', Buffer.from('x'))).body.errcode).toBe(40005);
		expect((await upload('voice', 'a.mp3', Buffer.alloc(2 * 1024 * 1024 + 1))).body.errcode).toBe(40006);
		expect((await upload('image', 'a.png', Buffer.alloc(0))).body.errcode).toBe(40006);
		s.dingTalk.expireTokens();
		expect((await upload('file', 'a.pdf', Buffer.from('x'))).body.errcode).toBe(42001);
		expect(s.dingTalk.send.uploads).toHaveLength(0);
		expect(s.dingTalk.send.uploadCalls).toBe(8);
	});

	it('takes a 20 MB image, streamed', async () => {
		const { body } = await upload('image', 'big.jpg', Buffer.alloc(20 * 1024 * 1024, 7));
		expect(body.errcode).toBe(0);
	});
});

describe('robot sends', () => {
	it('batchSend lists invalid and throttled staff back and records the message with its media', async () => {
		s.dingTalk.send.invalidStaffIds.add('gone');
		s.dingTalk.send.flowControlledStaffIds.add('busy');
		const { body: uploaded } = await upload('image', 'p.png', Buffer.from('png'));
		const { status, body } = await robot('oToMessages/batchSend', {
			robotCode: 'dingapp',
			userIds: ['u1', 'gone', 'busy'],
			msgKey: 'sampleImageMsg',
			msgParam: JSON.stringify({ photoURL: uploaded.media_id }),
		});
		expect(status).toBe(200);
		expect(body).toMatchObject({ invalidStaffIdList: ['gone'], flowControlledStaffIdList: ['busy'] });
		expect(s.dingTalk.send.sent[0]).toMatchObject({ delivered: ['u1'], msgKey: 'sampleImageMsg', processQueryKey: body.processQueryKey });
		expect(s.dingTalk.send.sent[0].media[0].mediaId).toBe(uploaded.media_id);
	});

	it("refuses what DingTalk refuses, with DingTalk's codes", async () => {
		const base = { robotCode: 'dingapp', userIds: ['u1'], msgKey: 'sampleText', msgParam: JSON.stringify({ content: 'hi' }) };
		const code = async (path: string, body: Record<string, unknown>, token?: string) => (await robot(path, body, token)).body.code;
		expect(await code('oToMessages/batchSend', base, 'wrong')).toBe('InvalidAuthentication');
		expect(await code('oToMessages/batchSend', { ...base, robotCode: '' })).toBe('invalidParameter.robotCode.empty');
		expect(await code('oToMessages/batchSend', { ...base, robotCode: 'dingother' })).toBe('invalidParameter.robotCode.auth');
		expect(await code('oToMessages/batchSend', { ...base, userIds: [] })).toBe('invalidParameter.userIds.empty');
		expect(await code('oToMessages/batchSend', { ...base, userIds: Array.from({ length: 21 }, (_, i) => `u${i}`) })).toBe('invalidParameter.userIds.overMax');
		expect(await code('oToMessages/batchSend', { ...base, msgKey: 'sampleNothing' })).toBe('invalidParameter.msgKey.invalid');
		expect(await code('oToMessages/batchSend', { ...base, msgParam: { content: 'an object, not JSON text' } })).toBe('invalidParameter.msgParam.invalid');
		expect(await code('oToMessages/batchSend', { ...base, msgKey: 'sampleFile', msgParam: JSON.stringify({ mediaId: '@unknown', fileName: 'a.pdf', fileType: 'pdf' }) })).toBe(
			'invalidParameter.param.invalid',
		);
		const groupBody = { robotCode: 'dingapp', openConversationId: 'cidX==', msgKey: 'sampleText', msgParam: JSON.stringify({ content: 'hi' }) };
		expect(await code('groupMessages/send', groupBody)).toBe('invalid.openConversationId');
		s.dingTalk.send.addGroup('cidX==', ['dingsomeoneelse']);
		expect(await code('groupMessages/send', groupBody)).toBe('invalidParameter.robotCode.notExsit');
		s.dingTalk.send.addGroup('cidX==', ['dingapp']);
		expect((await robot('groupMessages/send', groupBody)).status).toBe(200);
		expect(s.dingTalk.send.sent).toHaveLength(1);
	});

	it('needs the robot permission (qyapi_robot_sendmsg)', async () => {
		const res = await fetch(`${s.dingTalkUrl}/v1.0/oauth2/accessToken`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ appKey: 'dingmuted', appSecret: 'secret' }),
		});
		const muted = ((await res.json()) as { accessToken: string }).accessToken;
		const { status, body } = await robot('groupMessages/send', { robotCode: 'dingmuted' }, muted);
		expect(status).toBe(403);
		expect(body.code).toBe('Forbidden.AccessDenied.AccessTokenPermissionDenied');
	});
});
