// The Feishu Trigger's callback checks (nodes/FeishuTrigger/webhookVerification.ts), fed with
// callbacks built the way Feishu builds them (test/standin/feishuEvents.ts) and with the
// documented test vector.
import {
	MAX_TIMESTAMP_SKEW_MS,
	checkFreshness,
	checkSignature,
	checkVerificationToken,
	decryptCallback,
	parseCallback,
} from '../../nodes/FeishuTrigger/webhookVerification';
import { callbackRequest, contents, encryptForFeishu, messageReceiveEvent, urlVerification } from '../standin/feishuEvents';

const ENCRYPT_KEY = 'kR3vT9pQw2ZxY7uB';
const TOKEN = 'vt_Q8mB2nC4xZ6';
const APP_ID = 'cli_a1b2c3d4e5f60718';
const event = () => messageReceiveEvent({ appId: APP_ID, token: TOKEN, messageType: 'text', content: contents.text('hello') });
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('decryptCallback', () => {
	test('the documented test vector: key "test key" → "hello world"', () => {
		expect(decryptCallback('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test key')).toEqual({ ok: true, plaintext: 'hello world' });
	});

	test('round trip with what the stand-in encrypts; a wrong key is a clear error without the key', () => {
		const encrypted = encryptForFeishu('{"a":"中文"}', ENCRYPT_KEY);
		expect(decryptCallback(encrypted, ENCRYPT_KEY)).toEqual({ ok: true, plaintext: '{"a":"中文"}' });
		expect(decryptCallback({ encrypt: encrypted }, ENCRYPT_KEY)).toEqual({ ok: true, plaintext: '{"a":"中文"}' });
		expect(decryptCallback({ text: 'x' }, ENCRYPT_KEY)).toEqual({ ok: false, reason: 'the callback has no encrypt field' });
		let refusals = 0;
		for (let i = 0; i < 20; i++) {
			const wrong = decryptCallback(encryptForFeishu('{"a":"中文"}', ENCRYPT_KEY), 'another key');
			if (!wrong.ok) {
				refusals++;
				expect(wrong.reason).toMatch(/could not be decrypted: the Encrypt Key in the credential is not this app's/);
				expect(wrong.reason).not.toContain('another key');
			}
		}
		// PKCS#7 padding passes by chance about once in 256: nearly all wrong keys are refused here.
		expect(refusals).toBeGreaterThanOrEqual(18);
		expect(decryptCallback('bm90IGVuY3J5cHRlZA==', ENCRYPT_KEY)).toMatchObject({ ok: false, reason: expect.stringContaining('not base64 of an AES-256-CBC message') });
		expect(decryptCallback(encrypted, '')).toMatchObject({ ok: false, reason: expect.stringContaining('no Encrypt Key') });
	});
});

describe('checkSignature / checkFreshness / checkVerificationToken', () => {
	test('accepts a signed callback, refuses a tampered body, signature, nonce or another key', () => {
		const request = callbackRequest(event(), { encryptKey: ENCRYPT_KEY });
		expect(checkSignature(request.headers, request.body, ENCRYPT_KEY)).toEqual({ valid: true });
		expect(checkSignature(request.headers, Buffer.from(request.body), ENCRYPT_KEY)).toEqual({ valid: true });
		const capitalised = {
			'X-Lark-Request-Timestamp': request.headers['x-lark-request-timestamp'],
			'X-Lark-Request-Nonce': request.headers['x-lark-request-nonce'],
			'X-Lark-Signature': [request.headers['x-lark-signature']],
		};
		expect(checkSignature(capitalised, request.body, ENCRYPT_KEY)).toEqual({ valid: true });
		const tamperedBody = request.body.replace(/"encrypt":"./, '"encrypt":"A');
		expect(checkSignature(request.headers, tamperedBody, ENCRYPT_KEY)).toMatchObject({ valid: false, status: 403 });
		const badSignature = { ...request.headers, 'x-lark-signature': request.headers['x-lark-signature'].replace(/^./, (c) => (c === '0' ? '1' : '0')) };
		expect(checkSignature(badSignature, request.body, ENCRYPT_KEY)).toMatchObject({ valid: false, status: 403, reason: 'X-Lark-Signature does not match the body' });
		expect(checkSignature({ ...request.headers, 'x-lark-request-nonce': 'other' }, request.body, ENCRYPT_KEY)).toMatchObject({ valid: false, status: 403 });
		const wrongKey = checkSignature(request.headers, request.body, 'another key');
		expect(wrongKey).toMatchObject({ valid: false, status: 403 });
		expect(JSON.stringify(wrongKey)).not.toContain('another key');
		const { 'x-lark-signature': _dropped, ...unsigned } = request.headers;
		expect(checkSignature(unsigned, request.body, ENCRYPT_KEY)).toMatchObject({ valid: false, status: 401 });
		expect(checkSignature(request.headers, request.body, '')).toMatchObject({ valid: false, status: 403 });
	});

	test('timestamps are seconds; stale or future ones outside the window are refused', () => {
		const now = Date.now();
		expect(checkFreshness(String(Math.floor(now / 1000)), now)).toEqual({ valid: true });
		expect(checkFreshness(String(Math.floor(now / 1000) - 3000), now)).toEqual({ valid: true });
		expect(checkFreshness(String(Math.floor((now - MAX_TIMESTAMP_SKEW_MS) / 1000) - 5), now)).toMatchObject({ valid: false, status: 403 });
		expect(checkFreshness(String(Math.floor((now + MAX_TIMESTAMP_SKEW_MS) / 1000) + 5), now)).toMatchObject({ valid: false, status: 403 });
		expect(checkFreshness(String(Math.floor(now / 1000) - 120), now, 60_000)).toMatchObject({ valid: false, reason: expect.stringContaining('more than 60 s from now') });
		// Milliseconds are not seconds.
		expect(checkFreshness(String(now), now)).toMatchObject({ valid: false, status: 401, reason: expect.stringContaining('seconds') });
		expect(checkFreshness('abc', now)).toMatchObject({ valid: false, status: 401 });
		expect(checkFreshness(undefined, now)).toMatchObject({ valid: false, status: 401 });
		expect(checkFreshness([String(Math.floor(now / 1000))], now)).toEqual({ valid: true });
	});

	test('verification token: v2 header.token, v1 and url_verification token; mismatch never echoes either', () => {
		expect(checkVerificationToken(event() as unknown as Record<string, unknown>, TOKEN)).toEqual({ valid: true });
		expect(checkVerificationToken({ type: 'event_callback', token: TOKEN, event: {} }, TOKEN)).toEqual({ valid: true });
		expect(checkVerificationToken({ type: 'url_verification', token: TOKEN, challenge: 'c' }, TOKEN)).toEqual({ valid: true });
		const wrong = checkVerificationToken({ token: 'vt_wrong' }, TOKEN);
		expect(wrong).toMatchObject({ valid: false, status: 403 });
		expect(JSON.stringify(wrong)).not.toContain('vt_wrong');
		expect(JSON.stringify(wrong)).not.toContain(TOKEN);
		expect(checkVerificationToken({ token: TOKEN.slice(0, -1) }, TOKEN)).toMatchObject({ valid: false, status: 403 });
		expect(checkVerificationToken({ header: {} }, TOKEN)).toMatchObject({ valid: false, status: 401 });
		expect(checkVerificationToken({ token: '' }, '')).toMatchObject({ valid: false, status: 403 });
	});
});

describe('parseCallback', () => {
	test('encrypted and signed event → the decrypted envelope', () => {
		const envelope = event();
		const request = callbackRequest(envelope, { encryptKey: ENCRYPT_KEY });
		const parsed = parseCallback({ headers: request.headers, rawBody: request.body, encryptKey: ENCRYPT_KEY, verificationToken: TOKEN });
		expect(parsed).toEqual({ kind: 'event', envelope: JSON.parse(JSON.stringify(envelope)) });
		// Without a Verification Token the signature alone authenticates.
		expect(parseCallback({ headers: request.headers, rawBody: request.body, encryptKey: ENCRYPT_KEY }).kind).toBe('event');
	});

	test('plain event with a Verification Token; v1 events too', () => {
		const request = callbackRequest(event());
		expect(parseCallback({ headers: request.headers, rawBody: request.body, verificationToken: TOKEN }).kind).toBe('event');
		const v1 = callbackRequest({ uuid: 'u1', token: TOKEN, ts: '1700000000.1', type: 'event_callback', event: { type: 'message' } });
		expect(parseCallback({ headers: v1.headers, rawBody: v1.body, verificationToken: TOKEN }).kind).toBe('event');
	});

	test('url_verification, plain and encrypted (no signature headers needed once decrypted)', () => {
		const plain = urlVerification('ajls384kdjx98XX', { token: TOKEN });
		expect(parseCallback({ headers: plain.headers, rawBody: plain.body, verificationToken: TOKEN })).toEqual({ kind: 'challenge', challenge: 'ajls384kdjx98XX' });
		const encrypted = urlVerification('c-2', { token: TOKEN, encryptKey: ENCRYPT_KEY });
		const { 'x-lark-signature': _s, 'x-lark-request-timestamp': _t, 'x-lark-request-nonce': _n, ...bare } = encrypted.headers;
		expect(parseCallback({ headers: bare, rawBody: encrypted.body, encryptKey: ENCRYPT_KEY, verificationToken: TOKEN })).toEqual({ kind: 'challenge', challenge: 'c-2' });
		expect(parseCallback({ headers: encrypted.headers, rawBody: encrypted.body, encryptKey: ENCRYPT_KEY, verificationToken: TOKEN })).toEqual({ kind: 'challenge', challenge: 'c-2' });
		expect(parseCallback({ headers: plain.headers, rawBody: plain.body, verificationToken: 'other' })).toMatchObject({ kind: 'refused', status: 403 });
	});

	test('refusals: tampered, stale, unsigned, wrong token, wrong mode, no secrets configured; reasons carry no secret', () => {
		const envelope = event();
		const signed = callbackRequest(envelope, { encryptKey: ENCRYPT_KEY });
		const cases: Array<[string, Parameters<typeof parseCallback>[0], number]> = [
			['tampered body', { headers: signed.headers, rawBody: signed.body.replace('"}', 'x"}'), encryptKey: ENCRYPT_KEY }, 403],
			['stale timestamp', (() => { const r = callbackRequest(envelope, { encryptKey: ENCRYPT_KEY, timestamp: nowSeconds() - 2 * 3600 }); return { headers: r.headers, rawBody: r.body, encryptKey: ENCRYPT_KEY }; })(), 403],
			['unsigned encrypted event', (() => { const { 'x-lark-signature': _x, ...h } = signed.headers; return { headers: h, rawBody: signed.body, encryptKey: ENCRYPT_KEY }; })(), 401],
			['wrong verification token', (() => { const r = callbackRequest(messageReceiveEvent({ appId: APP_ID, token: 'vt_forged', messageType: 'text', content: contents.text('x') }), { encryptKey: ENCRYPT_KEY }); return { headers: r.headers, rawBody: r.body, encryptKey: ENCRYPT_KEY, verificationToken: TOKEN }; })(), 403],
			['plain body while an Encrypt Key is set', (() => { const r = callbackRequest(envelope, { signWith: ENCRYPT_KEY }); return { headers: r.headers, rawBody: r.body, encryptKey: ENCRYPT_KEY, verificationToken: TOKEN }; })(), 401],
			['encrypted body without an Encrypt Key', { headers: signed.headers, rawBody: signed.body, verificationToken: TOKEN }, 403],
			['wrong Encrypt Key', { headers: signed.headers, rawBody: signed.body, encryptKey: 'not-the-key' }, 403],
			['nothing configured', { headers: {}, rawBody: JSON.stringify(envelope) }, 403],
			['not JSON', { headers: {}, rawBody: '<xml/>', verificationToken: TOKEN }, 400],
		];
		for (const [name, input, status] of cases) {
			const parsed = parseCallback(input);
			expect([name, parsed.kind, parsed.kind === 'refused' ? parsed.status : 0]).toEqual([name, 'refused', status]);
			const text = JSON.stringify(parsed);
			for (const secret of [ENCRYPT_KEY, TOKEN, 'not-the-key', 'vt_forged']) expect(text).not.toContain(secret);
		}
	});
});
