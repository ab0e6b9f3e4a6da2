// The Feishu stand-in is faithful where the official SDK (@larksuiteoapi/node-sdk) depends on it:
// the SDK itself drives it here, over real HTTP, for tokens, sends, replies, uploads, resource
// downloads and error bodies; and the SDK's EventDispatcher accepts the callbacks feishuEvents.ts
// builds, which the node's own verification (nodes/FeishuTrigger/webhookVerification.ts) accepts too.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import * as lark from '@larksuiteoapi/node-sdk';
import { parseCallback } from '../../nodes/FeishuTrigger/webhookVerification';
import { callbackRequest, contents, messageReceiveEvent, postCallback, urlVerification, type FeishuMessageType } from './feishuEvents';
import { generatedBytes, generatedBytesSha256, startStandIn, type StandIn } from './server';

let s: StandIn;
beforeEach(async () => {
	s = await startStandIn();
});
afterEach(() => s.close());

/** A fresh app id per test: the SDK caches tokens process-wide per app id (facts §10). */
function newAppId(): string {
	return `cli_${randomBytes(8).toString('hex')}`;
}

/** The SDK logs every failed call at error level; the tests read the errors themselves. */
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined, trace: () => undefined };

function setUp(options: { scopes?: string[] } = {}) {
	const appId = newAppId();
	s.feishu.addApp({ appId, appSecret: 'secret-1', scopes: options.scopes });
	const client = new lark.Client({ appId, appSecret: 'secret-1', domain: s.feishuUrl, logger: quiet });
	return { appId, client };
}

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(200)]);

/** The JSON of an axios error the SDK threw (its response body may be a stream for stream calls). */
async function errorBody(error: unknown): Promise<{ status: number; body: { code: number; msg: string; error?: { log_id?: string } }; headers: Record<string, string> }> {
	const response = (error as { response?: { status: number; data: unknown; headers: Record<string, string> } }).response;
	if (!response) throw error;
	let data = response.data;
	if (data instanceof Readable) {
		const parts: Buffer[] = [];
		for await (const chunk of data) parts.push(chunk as Buffer);
		data = JSON.parse(Buffer.concat(parts).toString('utf8'));
	}
	return { status: response.status, body: data as { code: number; msg: string }, headers: response.headers };
}

async function thrown(promise: Promise<unknown>) {
	try {
		await promise;
	} catch (error) {
		return await errorBody(error);
	}
	throw new Error('expected the SDK to throw');
}

async function readStream(stream: Readable): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const chunk of stream) parts.push(chunk as Buffer);
	return Buffer.concat(parts);
}

describe('Feishu API stand-in, driven by the official SDK', () => {
	test('token: top-level tenant_access_token, reused by the SDK; failures are HTTP 200 with a code', async () => {
		const { appId, client } = setUp();
		s.feishu.addChat({ chatId: 'oc_chat1' });
		await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_chat1', msg_type: 'text', content: JSON.stringify({ text: 'one' }) } });
		await client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_chat1', msg_type: 'text', content: JSON.stringify({ text: 'two' }) } });
		expect(s.stats.feishuTokenCalls).toBe(1);
		const tokenRequest = s.requests.find((r) => r.path === '/open-apis/auth/v3/tenant_access_token/internal');
		expect(JSON.parse(tokenRequest!.body)).toEqual({ app_id: appId, app_secret: 'secret-1' });
		const sends = s.requests.filter((r) => r.path.startsWith('/open-apis/im/v1/messages'));
		expect(sends.map((r) => r.headers.authorization)).toEqual([sends[0].headers.authorization, sends[0].headers.authorization]);
		expect(sends[0].headers.authorization).toMatch(/^Bearer t-/);

		const post = async (body: unknown) => {
			const res = await fetch(`${s.feishuUrl}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
			return { status: res.status, body: (await res.json()) as Record<string, unknown> };
		};
		const ok = await post({ app_id: appId, app_secret: 'secret-1' });
		expect(ok).toMatchObject({ status: 200, body: { code: 0, msg: 'ok', expire: expect.any(Number) } });
		expect(ok.body.tenant_access_token).toBe(sends[0].headers.authorization!.slice('Bearer '.length));
		expect(await post({ app_id: appId, app_secret: 'wrong' })).toEqual({ status: 200, body: { code: 10014, msg: 'app secret invalid' } });
		expect(await post({ app_id: newAppId(), app_secret: 'x' })).toEqual({ status: 200, body: { code: 10014, msg: 'app id not exists' } });
		expect(await post({ app_id: appId })).toEqual({ status: 200, body: { code: 10003, msg: 'invalid param' } });

		// The SDK throws when the token answer carries no token.
		const wrong = new lark.Client({ appId: newAppId(), appSecret: 'x', domain: s.feishuUrl, logger: quiet });
		await expect(wrong.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_chat1', msg_type: 'text', content: '{"text":"x"}' } })).rejects.toThrow(/tenant_access_token|10014/);
	});

	test('expired token: 400 99991663 with log_id, and the SDK does not renew (same token on the next call)', async () => {
		const { client } = setUp();
		s.feishu.addChat({ chatId: 'oc_chat1' });
		const send = () => client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_chat1', msg_type: 'text', content: '{"text":"x"}' } });
		await send();
		s.feishu.expireTokens();
		const first = await thrown(send());
		expect(first.status).toBe(400);
		expect(first.body).toMatchObject({ code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.', error: { log_id: expect.any(String) } });
		await thrown(send());
		expect(s.stats.feishuTokenCalls).toBe(1);
		expect(s.stats.feishuInvalidTokenAnswers).toBe(2);

		const bare = await fetch(`${s.feishuUrl}/open-apis/im/v1/messages?receive_id_type=chat_id`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		expect(bare.status).toBe(400);
		expect(await bare.json()).toMatchObject({ code: 99991661 });
		const unknown = await fetch(`${s.feishuUrl}/open-apis/nope`);
		expect(unknown.status).toBe(404);
		expect(await unknown.text()).toBe('404 page not found');
	});

	test('short token lifetime is enforced; a missing scope is 99991672 naming the scopes', async () => {
		s.feishu.setTokenLifetime(1);
		const { appId, client } = setUp({ scopes: ['im:message'] });
		s.feishu.addChat({ chatId: 'oc_chat1' });
		const token = (await client.tokenManager.getTenantAccessToken()) as string;
		const sendWith = (bearer: string) =>
			fetch(`${s.feishuUrl}/open-apis/im/v1/messages?receive_id_type=chat_id`, {
				method: 'POST',
				headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
				body: JSON.stringify({ receive_id: 'oc_chat1', msg_type: 'text', content: '{"text":"x"}' }),
			});
		expect((await sendWith(token)).status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 1100));
		const expired = await sendWith(token);
		expect(expired.status).toBe(400);
		expect(await expired.json()).toMatchObject({ code: 99991663 });
		// A token of another kind is 99991668 (facts §10).
		expect(await (await sendWith('eyJhbGciOi.x.y')).json()).toMatchObject({ code: 99991668 });

		s.feishu.setTokenLifetime(7200);
		const other = setUp({ scopes: ['im:message'] });
		const denied = await thrown(other.client.im.image.create({ data: { image_type: 'message', image: PNG } }));
		expect(denied.status).toBe(400);
		expect(denied.body.code).toBe(99991672);
		expect(denied.body.msg).toContain('Access denied. One of the following scopes is required: [im:resource, im:resource:upload]');
		expect(appId).toMatch(/^cli_[0-9a-f]{16}$/);
	});

	test('image and file uploads: multipart parts without filename, keys the app can then send; limits and errors', async () => {
		const { appId, client } = setUp();
		s.feishu.addUser({ openId: 'ou_user1' });
		const image = await client.im.image.create({ data: { image_type: 'message', image: PNG } });
		expect(image?.image_key).toMatch(/^img_v3_/);
		const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(5000)]);
		const file = await client.im.file.create({ data: { file_type: 'pdf', file_name: '报告.pdf', file: pdf } });
		expect(file?.file_key).toMatch(/^file_v3_/);
		const video = await client.im.file.create({ data: { file_type: 'mp4', file_name: 'clip.mp4', duration: 2000, file: randomBytes(1000) } });

		const uploads = s.feishu.uploads;
		expect(uploads.map((u) => [u.kind, u.appId, u.partFileName, u.size])).toEqual([
			['image', appId, '', PNG.length],
			['file', appId, '', pdf.length],
			['file', appId, '', 1000],
		]);
		expect(uploads[1].fields).toEqual({ file_type: 'pdf', file_name: '报告.pdf' });
		expect(uploads[1].sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
		expect(uploads[2].fields.duration).toBe('2000');

		const send = (msgType: string, content: unknown) =>
			client.im.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: 'ou_user1', msg_type: msgType, content: JSON.stringify(content) } });
		await send('image', { image_key: image!.image_key });
		await send('file', { file_key: file!.file_key });
		await send('media', { file_key: video!.file_key });
		expect(s.feishu.sent.map((m) => m.msgType)).toEqual(['image', 'file', 'media']);
		expect((await thrown(send('file', { file_key: video!.file_key }))).body.code).toBe(230055);
		expect((await thrown(send('audio', { file_key: file!.file_key }))).body.code).toBe(230055);
		expect((await thrown(send('file', { file_key: 'file_v3_not-ours' }))).body.code).toBe(230017);
		const otherApp = setUp();
		const foreign = await otherApp.client.im.image.create({ data: { image_type: 'message', image: PNG } });
		expect((await thrown(send('image', { image_key: foreign!.image_key }))).body).toMatchObject({ code: 230017, msg: 'Bot is NOT the owner of the resource.' });

		expect((await thrown(client.im.image.create({ data: { image_type: 'message', image: Buffer.alloc(0) } }))).body.code).toBe(234010);
		expect((await thrown(client.im.image.create({ data: { image_type: 'message', image: Buffer.from('not an image at all') } }))).body.code).toBe(234011);
		const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
		expect((await thrown(client.im.image.create({ data: { image_type: 'message', image: big } }))).body.code).toBe(234006);
		expect((await thrown(client.im.file.create({ data: { file_type: 'stream', file_name: 'big.bin', file: Buffer.alloc(30 * 1024 * 1024 + 1) } }))).body.code).toBe(234006);
		expect((await thrown(client.im.file.create({ data: { file_type: 'stream', file_name: 'empty.bin', file: Buffer.alloc(0) } }))).body.code).toBe(234010);
		expect((await thrown(client.im.file.create({ data: { file_type: 'exe' as 'stream', file_name: 'a.exe', file: Buffer.from('x') } }))).body.code).toBe(234001);
		expect(s.feishu.uploadBytesReceived).toBeGreaterThan(40 * 1024 * 1024);
	});

	test('send and reply: success bodies, content validation, membership, availability, idempotency', async () => {
		const { appId, client } = setUp();
		s.feishu.addChat({ chatId: 'oc_in', members: ['ou_user1'] });
		s.feishu.addChat({ chatId: 'oc_out', botIsMember: false });
		s.feishu.addUser({ openId: 'ou_user1', unionId: 'on_user1', userId: 'e33ggbyz', email: 'tom@example.com' });
		s.feishu.addUser({ openId: 'ou_gone', available: false });
		const create = (receiveIdType: 'chat_id' | 'open_id' | 'union_id' | 'user_id' | 'email', receiveId: string, msgType: string, content: string, uuid?: string) =>
			client.im.message.create({ params: { receive_id_type: receiveIdType }, data: { receive_id: receiveId, msg_type: msgType, content, uuid } });

		const ok = await create('chat_id', 'oc_in', 'text', JSON.stringify({ text: 'hello\nworld' }));
		expect(ok).toMatchObject({ code: 0, msg: 'success', data: { message_id: expect.stringMatching(/^om_/), chat_id: 'oc_in', msg_type: 'text', sender: { id: appId, id_type: 'app_id', sender_type: 'app' }, body: { content: '{"text":"hello\\nworld"}' } } });
		for (const [type, id] of [['union_id', 'on_user1'], ['user_id', 'e33ggbyz'], ['email', 'tom@example.com']] as const) {
			expect((await create(type, id, 'text', '{"text":"hi"}')).code).toBe(0);
		}
		const post = { zh_cn: { title: 'T', content: [[{ tag: 'text', text: 'x' }]] } };
		expect((await create('open_id', 'ou_user1', 'post', JSON.stringify(post))).code).toBe(0);

		const refused = async (promise: Promise<unknown>) => (await thrown(promise)).body;
		expect(await refused(create('chat_id', 'oc_in', 'text', '{text:'))).toMatchObject({ code: 230001, msg: expect.stringContaining('ext=invalid message content') });
		expect(await refused(create('chat_id', 'oc_in', 'text', '{"nottext":1}'))).toMatchObject({ code: 230001 });
		expect(await refused(create('chat_id', 'ou_user1', 'text', '{"text":"x"}'))).toMatchObject({ code: 230001, msg: expect.stringContaining('ext=invalid receive_id') });
		expect(await refused(create('chat_id', 'oc_out', 'text', '{"text":"x"}'))).toMatchObject({ code: 230002 });
		expect(await refused(create('open_id', 'ou_gone', 'text', '{"text":"x"}'))).toMatchObject({ code: 230013 });
		expect(await refused(create('chat_id', 'oc_in', 'text', JSON.stringify({ text: 'x'.repeat(150 * 1024) })))).toMatchObject({ code: 230025 });
		const longPost = { zh_cn: { title: 'T', content: [[{ tag: 'text', text: 'x'.repeat(30 * 1024) }]] } };
		expect(await refused(create('chat_id', 'oc_in', 'post', JSON.stringify(longPost)))).toMatchObject({ code: 230025 });
		const threadCall = client.im.message.create({ params: { receive_id_type: 'thread_id' as 'chat_id' }, data: { receive_id: 'omt_1', msg_type: 'text', content: '{"text":"x"}' } });
		expect(await refused(threadCall)).toMatchObject({ code: 99992402 });

		const first = await create('chat_id', 'oc_in', 'text', '{"text":"once"}', 'uuid-1');
		const again = await create('chat_id', 'oc_in', 'text', '{"text":"once"}', 'uuid-1');
		expect(again.data!.message_id).toBe(first.data!.message_id);
		expect(s.feishu.sent.filter((m) => m.uuid === 'uuid-1')).toHaveLength(1);

		const reply = await client.im.message.reply({ path: { message_id: ok.data!.message_id! }, data: { msg_type: 'text', content: '{"text":"re"}', reply_in_thread: true, uuid: 'r-1' } });
		expect(reply.data).toMatchObject({ chat_id: 'oc_in', root_id: ok.data!.message_id, parent_id: ok.data!.message_id, thread_id: expect.stringMatching(/^omt_/) });
		expect(s.feishu.sent.at(-1)).toMatchObject({ api: 'reply', replyTo: ok.data!.message_id, replyInThread: true, content: { text: 're' }, uuid: 'r-1' });
		const missing = await thrown(client.im.message.reply({ path: { message_id: 'om_missing' }, data: { msg_type: 'text', content: '{"text":"x"}' } }));
		expect(missing).toMatchObject({ status: 400, body: { code: 99992354 } });
		s.feishu.addMessage({ messageId: 'om_incoming', chatId: 'oc_in' });
		expect((await client.im.message.reply({ path: { message_id: 'om_incoming' }, data: { msg_type: 'text', content: '{"text":"x"}' } })).code).toBe(0);
	});

	test('rate limits: 230020 per chat (HTTP 400), 429 99991400 per app with x-ogw-ratelimit headers; failNext', async () => {
		const { client } = setUp();
		s.feishu.addChat({ chatId: 'oc_a' });
		s.feishu.addChat({ chatId: 'oc_b' });
		const send = (chat: string) => client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: '{"text":"x"}' } });
		for (let i = 0; i < 5; i++) await send('oc_a');
		const limited = await thrown(send('oc_a'));
		expect(limited).toMatchObject({ status: 400, body: { code: 230020 } });
		expect((await send('oc_b')).code).toBe(0);

		s.feishu.setRateLimits({ perChat: 0, perApp: 3 });
		await new Promise((resolve) => setTimeout(resolve, 1050));
		for (let i = 0; i < 3; i++) await send('oc_a');
		const app = await thrown(send('oc_b'));
		expect(app.status).toBe(429);
		expect(app.body).toMatchObject({ code: 99991400, msg: 'request trigger frequency limit' });
		expect(app.headers['x-ogw-ratelimit-limit']).toBe('3');
		expect(app.headers['x-ogw-ratelimit-reset']).toBe('1');

		s.feishu.setRateLimits({ perApp: 0 });
		s.feishu.failNext('send', { status: 503, body: 'upstream busy', times: 2 });
		expect((await thrown(send('oc_a'))).status).toBe(503);
		expect((await thrown(send('oc_a'))).status).toBe(503);
		expect((await send('oc_a')).code).toBe(0);
	});

	test('resource download: stream with Content-Type, Content-Disposition (both forms), Range; errors with their codes', async () => {
		const { client } = setUp();
		s.feishu.addMessageFile({ messageId: 'om_1', fileKey: 'file_v3_a', type: 'file', body: { size: 3_000_000, seed: 4 }, fileName: '季度报告 Q1.pdf', chatId: 'oc_c' });
		s.feishu.addMessageFile({ messageId: 'om_1', fileKey: 'img_v3_b', type: 'image', body: PNG });
		const resource = await client.im.messageResource.get({ path: { message_id: 'om_1', file_key: 'file_v3_a' }, params: { type: 'file' } });
		const bytes = await readStream(resource.getReadableStream());
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(generatedBytesSha256(3_000_000, 4));
		expect(resource.headers).toMatchObject({ 'content-type': 'application/pdf', 'content-length': '3000000' });
		const disposition = resource.headers['content-disposition'] as string;
		expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('季度报告 Q1.pdf')}`);
		expect(Buffer.from(/filename="([^"]*)"/.exec(disposition)![1], 'latin1').toString('utf8')).toBe('季度报告 Q1.pdf');
		const getRequest = s.requests.find((r) => r.path.startsWith('/open-apis/im/v1/messages/om_1/resources/'));
		expect(getRequest).toMatchObject({ method: 'GET', body: '{}' });

		const token = await client.tokenManager.getTenantAccessToken();
		const ranged = await fetch(`${s.feishuUrl}/open-apis/im/v1/messages/om_1/resources/file_v3_a?type=file`, { headers: { authorization: `Bearer ${token}`, range: 'bytes=1000-1999' } });
		expect(ranged.status).toBe(206);
		expect(ranged.headers.get('content-range')).toBe('bytes 1000-1999/3000000');
		expect(Buffer.from(await ranged.arrayBuffer())).toEqual(generatedBytes(3_000_000, 4).subarray(1000, 2000));

		s.feishu.contentDisposition = 'rfc5987';
		const image = await client.im.messageResource.get({ path: { message_id: 'om_1', file_key: 'img_v3_b' }, params: { type: 'image' } });
		expect(await readStream(image.getReadableStream())).toEqual(PNG);
		expect(image.headers['content-disposition']).toBeUndefined(); // no file name registered

		const cases: Array<[Parameters<typeof s.feishu.addMessageFile>[0], number, number]> = [
			[{ messageId: 'om_del', fileKey: 'k', type: 'file', body: Buffer.from('x'), refuse: 'deleted' }, 400, 230110],
			[{ messageId: 'om_401', fileKey: 'k', type: 'file', body: Buffer.from('x'), refuse: 'unauthorized' }, 401, 234002],
			[{ messageId: 'om_out', fileKey: 'k', type: 'file', body: Buffer.from('x'), botInChat: false }, 400, 234004],
			[{ messageId: 'om_ext', fileKey: 'k', type: 'file', body: Buffer.from('x'), refuse: 'external' }, 400, 234009],
			[{ messageId: 'om_big', fileKey: 'k', type: 'file', body: { size: 100 * 1024 * 1024 + 1 } }, 400, 234037],
			[{ messageId: 'om_res', fileKey: 'k', type: 'file', body: Buffer.from('x'), refuse: 'restricted' }, 400, 234038],
			[{ messageId: 'om_inv', fileKey: 'k', type: 'file', body: Buffer.from('x'), refuse: 'invisible' }, 400, 234040],
			[{ messageId: 'om_stk', fileKey: 'k', type: 'file', body: Buffer.from('x'), messageType: 'sticker' }, 400, 234043],
			[{ messageId: 'om_mf', fileKey: 'k', type: 'file', body: Buffer.from('x'), messageType: 'merge_forward' }, 400, 234043],
		];
		for (const [file, status, code] of cases) {
			s.feishu.addMessageFile(file);
			const error = await thrown(client.im.messageResource.get({ path: { message_id: file.messageId, file_key: 'k' }, params: { type: 'file' } }));
			expect([file.messageId, error.status, error.body.code]).toEqual([file.messageId, status, code]);
		}
		const notInMessage = await thrown(client.im.messageResource.get({ path: { message_id: 'om_1', file_key: 'other' }, params: { type: 'file' } }));
		expect(notInMessage).toMatchObject({ status: 400, body: { code: 234003 } });
	});
});

describe('Feishu control routes (out-of-process use)', () => {
	test('feishu-setup registers apps, users, files and faults; feishu-sent reports sends and uploads without bytes', async () => {
		const appId = newAppId();
		const post = (route: string, body: unknown) => fetch(`${s.controlUrl}/__standin/${route}`, { method: 'POST', body: JSON.stringify(body) });
		const setup = await post('feishu-setup', {
			apps: [{ appId, appSecret: 'cli-secret' }],
			users: [{ openId: 'ou_cli' }],
			files: [{ messageId: 'om_cli', fileKey: 'file_v3_cli', type: 'file', fileName: 'a.bin', body: { size: 70_000, seed: 9 } }],
			failNext: [{ route: 'send', status: 500, body: { code: 1, msg: 'internal error' } }],
		});
		expect(setup.status).toBe(200);
		const client = new lark.Client({ appId, appSecret: 'cli-secret', domain: s.feishuUrl, logger: quiet });
		const file = await client.im.messageResource.get({ path: { message_id: 'om_cli', file_key: 'file_v3_cli' }, params: { type: 'file' } });
		expect(await readStream(file.getReadableStream())).toEqual(generatedBytes(70_000, 9));
		const send = () => client.im.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: 'ou_cli', msg_type: 'text', content: '{"text":"x"}' } });
		expect((await thrown(send())).status).toBe(500);
		await send();
		await client.im.image.create({ data: { image_type: 'message', image: PNG } });
		const sent = (await (await fetch(`${s.controlUrl}/__standin/feishu-sent`)).json()) as { sent: unknown[]; uploads: Array<Record<string, unknown>>; calls: Record<string, number> };
		expect(sent.sent).toHaveLength(1);
		expect(sent.uploads[0]).toMatchObject({ kind: 'image', size: PNG.length });
		expect(sent.uploads[0].bytes).toBeUndefined();
		expect(sent.calls).toMatchObject({ send: 2, uploadImage: 1, resource: 1 });
		expect((await post('feishu-reset-sends', {})).status).toBe(200);
		expect(s.feishu.sent).toHaveLength(0);
	});
});

describe('Feishu callbacks, accepted by the official SDK and by the node checks', () => {
	const ENCRYPT_KEY = 'encrypt-key-9Xq2';
	const TOKEN = 'verification-token-3Lm7';
	const APP_ID = 'cli_9f5343c580712544';

	/** The SDK's own HTTP adapter on a real local server, recording what its handler was given. */
	async function sdkReceiver(options: { encryptKey?: string; verificationToken?: string }) {
		const received: Array<Record<string, unknown>> = [];
		const dispatcher = new lark.EventDispatcher({ ...options, logger: quiet }).register({
			'im.message.receive_v1': async (data: Record<string, unknown>) => {
				received.push(data);
				return { ok: 1 };
			},
		});
		const server = http.createServer(lark.adaptDefault('/feishu/events', dispatcher, { autoChallenge: true }));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feishu/events`;
		return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
	}

	test('every message type of facts §2, encrypted and signed: the SDK decrypts, checks and dispatches; the node accepts the same requests', async () => {
		const receiver = await sdkReceiver({ encryptKey: ENCRYPT_KEY, verificationToken: TOKEN });
		try {
			const inputs: Array<[FeishuMessageType, Record<string, unknown>]> = [
				['text', contents.text('@_user_1 你好 [link](https://example.com)')],
				['image', contents.image('img_v3_0a')],
				['file', contents.file('file_v3_0b', '季度报告.pdf')],
				['audio', contents.audio('file_v3_0c', 2000)],
				['media', contents.media('file_v3_0d', 'img_v3_0e', '测试视频.mp4', 2000)],
				['post', contents.post('标题', 'body', ['img_v3_0f'], [{ fileKey: 'file_v3_10', imageKey: 'img_v3_11' }])],
				['sticker', contents.sticker('file_v3_12')],
				['folder', contents.folder('file_v3_13', 'folder')],
				['merge_forward', contents.mergeForward()],
				['interactive', contents.interactive('card')],
				['share_chat', contents.shareChat('oc_x')],
				['share_user', contents.shareUser('ou_x')],
				['location', contents.location('Beijing')],
				['system', contents.system()],
			];
			for (const [messageType, content] of inputs) {
				const envelope = messageReceiveEvent({ appId: APP_ID, token: TOKEN, messageType, content, chatType: 'group', mentions: [{ key: '@_user_1', openId: 'ou_bot', name: 'Bot' }] });
				const request = callbackRequest(envelope, { encryptKey: ENCRYPT_KEY });
				const answer = await postCallback(receiver.url, request);
				expect([messageType, answer.status, answer.body]).toEqual([messageType, 200, '{"ok":1}']);
				expect(answer.elapsedMs).toBeLessThan(3000);
				// The same bytes pass the node's checks and decrypt to the same envelope.
				const parsed = parseCallback({ headers: request.headers, rawBody: request.body, encryptKey: ENCRYPT_KEY, verificationToken: TOKEN });
				expect(parsed).toEqual({ kind: 'event', envelope: JSON.parse(JSON.stringify(envelope)) });
			}
			expect(receiver.received).toHaveLength(inputs.length);
			// The SDK flattens header and event into one object (facts §2).
			const media = receiver.received[4];
			expect(media).toMatchObject({ schema: '2.0', event_type: 'im.message.receive_v1', app_id: APP_ID, token: TOKEN, message: { message_type: 'media', chat_type: 'group' } });
			expect(JSON.parse((media.message as { content: string }).content)).toEqual({ file_key: 'file_v3_0d', image_key: 'img_v3_0e', file_name: '测试视频.mp4', duration: 2000 });
		} finally {
			await receiver.close();
		}
	});

	test('a tampered signature is dropped by the SDK (200, empty body, handler not called) and refused by the node', async () => {
		const receiver = await sdkReceiver({ encryptKey: ENCRYPT_KEY });
		try {
			const request = callbackRequest(messageReceiveEvent({ appId: APP_ID, token: TOKEN, messageType: 'text', content: contents.text('x') }), { encryptKey: ENCRYPT_KEY });
			const tampered = { headers: { ...request.headers, 'x-lark-signature': '0'.repeat(64) }, body: request.body };
			const answer = await postCallback(receiver.url, tampered);
			expect([answer.status, answer.body]).toEqual([200, '']);
			expect(receiver.received).toHaveLength(0);
			expect(parseCallback({ headers: tampered.headers, rawBody: tampered.body, encryptKey: ENCRYPT_KEY })).toMatchObject({ kind: 'refused', status: 403 });

			// The SDK does not look at the timestamp's age; the node does (facts §10).
			const stale = callbackRequest(messageReceiveEvent({ appId: APP_ID, token: TOKEN, messageType: 'text', content: contents.text('old') }), { encryptKey: ENCRYPT_KEY, timestamp: Math.floor(Date.now() / 1000) - 86_400 });
			expect((await postCallback(receiver.url, stale)).body).toBe('{"ok":1}');
			expect(parseCallback({ headers: stale.headers, rawBody: stale.body, encryptKey: ENCRYPT_KEY })).toMatchObject({ kind: 'refused', status: 403 });
			// Nor at the verification token; the node does.
			const forged = callbackRequest(messageReceiveEvent({ appId: APP_ID, token: 'forged', messageType: 'text', content: contents.text('x') }), { encryptKey: ENCRYPT_KEY });
			expect(parseCallback({ headers: forged.headers, rawBody: forged.body, encryptKey: ENCRYPT_KEY, verificationToken: TOKEN })).toMatchObject({ kind: 'refused', status: 403 });
		} finally {
			await receiver.close();
		}
	});

	test('url_verification, encrypted and plain: the SDK answers the challenge, so does parseCallback', async () => {
		const encrypted = await sdkReceiver({ encryptKey: ENCRYPT_KEY, verificationToken: TOKEN });
		const plain = await sdkReceiver({ verificationToken: TOKEN });
		try {
			const request = urlVerification('ajls384kdjx98XX', { token: TOKEN, encryptKey: ENCRYPT_KEY });
			const answer = await postCallback(encrypted.url, request);
			expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { challenge: 'ajls384kdjx98XX' }]);
			expect(answer.elapsedMs).toBeLessThan(1000);
			expect(parseCallback({ headers: request.headers, rawBody: request.body, encryptKey: ENCRYPT_KEY, verificationToken: TOKEN })).toEqual({ kind: 'challenge', challenge: 'ajls384kdjx98XX' });

			const plainRequest = urlVerification('c-plain', { token: TOKEN });
			expect(JSON.parse((await postCallback(plain.url, plainRequest)).body)).toEqual({ challenge: 'c-plain' });
			expect(parseCallback({ headers: plainRequest.headers, rawBody: plainRequest.body, verificationToken: TOKEN })).toEqual({ kind: 'challenge', challenge: 'c-plain' });
			// postCallback also builds the request itself from a payload.
			const direct = await postCallback(plain.url, messageReceiveEvent({ appId: APP_ID, token: TOKEN, messageType: 'text', content: contents.text('plain') }));
			expect(direct.body).toBe('{"ok":1}');
			expect(plain.received).toHaveLength(1);
		} finally {
			await Promise.all([encrypted.close(), plain.close()]);
		}
	});
});
