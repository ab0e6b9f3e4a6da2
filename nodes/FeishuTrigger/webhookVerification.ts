import { createDecipheriv, createHash, timingSafeEqual } from 'crypto';

/**
 * How far a callback's X-Lark-Request-Timestamp may be from now. Feishu does not document a
 * window, and retries come after 15 s, 5 min, 1 h and 6 h (whether re-signed is not
 * documented), so an hour, as for DingTalk; duplicates within it are caught by message_id.
 */
export const MAX_TIMESTAMP_SKEW_MS = 60 * 60 * 1000;

export type Check = { valid: true } | { valid: false; status: 401 | 403; reason: string };

export type DecryptResult = { ok: true; plaintext: string } | { ok: false; reason: string };

export type ParsedCallback =
	| { kind: 'challenge'; challenge: string }
	| { kind: 'event'; envelope: Record<string, unknown> }
	| { kind: 'refused'; status: 400 | 401 | 403; reason: string };

type Headers = Record<string, string | string[] | undefined>;

/** A header by its lower-case name, whatever case the caller's object uses. */
function header(headers: Headers, name: string): string {
	const key = name in headers ? name : Object.keys(headers).find((k) => k.toLowerCase() === name);
	const value = key === undefined ? undefined : headers[key];
	return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

function sha256(text: string | Buffer): Buffer {
	return createHash('sha256').update(text).digest();
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameSecret(presented: string, expected: string): boolean {
	return timingSafeEqual(sha256(presented), sha256(expected)) && presented.length > 0;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
	try {
		return asObject(JSON.parse(text));
	} catch {
		return undefined;
	}
}

/**
 * Feishu's `encrypt` field (given as is, or the body object holding it): base64(iv ‖ AES-256-CBC ciphertext, PKCS#7), key = SHA-256 of the
 * Encrypt Key. A wrong key almost always fails the padding check; the rare garbage that passes
 * it is caught by the caller's JSON parse.
 */
export function decryptCallback(body: string | Record<string, unknown>, encryptKey: string): DecryptResult {
	const encrypted = typeof body === 'string' ? body : body.encrypt;
	if (typeof encrypted !== 'string' || encrypted === '') return { ok: false, reason: 'the callback has no encrypt field' };
	if (!encryptKey) return { ok: false, reason: 'no Encrypt Key is set in the credential to decrypt the callback with' };
	const data = Buffer.from(encrypted, 'base64');
	if (data.length < 32 || data.length % 16 !== 0) return { ok: false, reason: 'the encrypt field is not base64 of an AES-256-CBC message' };
	try {
		const decipher = createDecipheriv('aes-256-cbc', sha256(encryptKey), data.subarray(0, 16));
		const plaintext = Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8');
		return { ok: true, plaintext };
	} catch {
		return { ok: false, reason: "the callback could not be decrypted: the Encrypt Key in the credential is not this app's (Feishu console → Events & Callbacks → Encryption Strategy)" };
	}
}

/**
 * X-Lark-Signature = hex(sha256(timestamp + nonce + encryptKey + raw body)), compared in
 * constant time. Feishu signs only when the app has an Encrypt Key.
 */
export function checkSignature(headers: Headers, rawBody: string | Buffer, encryptKey: string): Check {
	// An empty key would make the signature computable by anyone.
	if (!encryptKey) return { valid: false, status: 403, reason: 'no Encrypt Key is set in the credential to check the signature with' };
	const timestamp = header(headers, 'x-lark-request-timestamp');
	const nonce = header(headers, 'x-lark-request-nonce');
	const signature = header(headers, 'x-lark-signature');
	if (!timestamp || !nonce || !signature) {
		return { valid: false, status: 401, reason: 'missing X-Lark-Request-Timestamp, X-Lark-Request-Nonce or X-Lark-Signature header' };
	}
	const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8');
	const expected = createHash('sha256').update(timestamp + nonce + encryptKey).update(body).digest('hex');
	if (!sameSecret(signature.toLowerCase(), expected)) return { valid: false, status: 403, reason: 'X-Lark-Signature does not match the body' };
	return { valid: true };
}

/** X-Lark-Request-Timestamp (seconds) within `maxSkewMs` of now, either way. */
export function checkFreshness(timestampHeader: string | string[] | undefined, nowMs: number, maxSkewMs = MAX_TIMESTAMP_SKEW_MS): Check {
	const timestamp = (Array.isArray(timestampHeader) ? timestampHeader[0] : timestampHeader)?.trim() ?? '';
	if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, status: 401, reason: 'X-Lark-Request-Timestamp is missing or not a number of seconds' };
	const skew = Math.abs(nowMs - Number(timestamp) * 1000);
	if (skew > maxSkewMs) {
		return { valid: false, status: 403, reason: `X-Lark-Request-Timestamp is more than ${Math.round(maxSkewMs / 1000)} s from now (a replayed or delayed callback)` };
	}
	return { valid: true };
}

/** The Verification Token a callback carries: `header.token` (schema 2.0) or `token` (v1, url_verification). */
export function checkVerificationToken(envelope: Record<string, unknown>, token: string): Check {
	if (!token) return { valid: false, status: 403, reason: 'no Verification Token is set in the credential to check the callback with' };
	const presented = asObject(envelope.header)?.token ?? envelope.token;
	if (typeof presented !== 'string' || presented === '') return { valid: false, status: 401, reason: 'the callback carries no verification token' };
	if (!sameSecret(presented, token)) return { valid: false, status: 403, reason: "the callback's verification token does not match the credential's Verification Token" };
	return { valid: true };
}

export interface CallbackInput {
	headers: Headers;
	/** The body exactly as received: the signature covers these bytes. */
	rawBody: string | Buffer;
	encryptKey?: string;
	verificationToken?: string;
	nowMs?: number;
	maxSkewMs?: number;
}

function refused(status: 400 | 401 | 403, reason: string): ParsedCallback {
	return { kind: 'refused', status, reason };
}

/**
 * One HTTP callback, authenticated as far as the credential allows:
 * - with an Encrypt Key: signature (raw body) and timestamp age, then decryption; a
 *   url_verification without signature headers is accepted on decryption alone (Feishu's
 *   signing of it is not documented) — only the key's holder can produce it;
 * - with a Verification Token: the token inside the (decrypted) payload;
 * - with neither, nothing can be trusted: refused.
 */
export function parseCallback(input: CallbackInput): ParsedCallback {
	const encryptKey = input.encryptKey ?? '';
	const verificationToken = input.verificationToken ?? '';
	if (!encryptKey && !verificationToken) {
		return refused(403, 'neither an Encrypt Key nor a Verification Token is set in the credential, so the callback cannot be authenticated');
	}
	const rawText = Buffer.isBuffer(input.rawBody) ? input.rawBody.toString('utf8') : input.rawBody;
	const outer = parseObject(rawText);
	if (!outer) return refused(400, 'the callback body is not a JSON object');

	let payload = outer;
	let signed = false;
	if (encryptKey) {
		if (typeof outer.encrypt !== 'string') return refused(401, 'the callback is not encrypted, but the credential has an Encrypt Key (set the same Encryption Strategy in the Feishu console)');
		const hasSignature = header(input.headers, 'x-lark-signature') !== '';
		if (hasSignature) {
			const signature = checkSignature(input.headers, input.rawBody, encryptKey);
			if (!signature.valid) return refused(signature.status, signature.reason);
			const fresh = checkFreshness(header(input.headers, 'x-lark-request-timestamp'), input.nowMs ?? Date.now(), input.maxSkewMs);
			if (!fresh.valid) return refused(fresh.status, fresh.reason);
			signed = true;
		}
		const decrypted = decryptCallback(outer.encrypt, encryptKey);
		if (!decrypted.ok) return refused(403, decrypted.reason);
		const inner = parseObject(decrypted.plaintext);
		if (!inner) return refused(403, "the callback could not be decrypted: the Encrypt Key in the credential is not this app's");
		payload = inner;
		if (!signed && payload.type !== 'url_verification') {
			return refused(401, 'missing X-Lark-Request-Timestamp, X-Lark-Request-Nonce or X-Lark-Signature header');
		}
	} else if (typeof outer.encrypt === 'string') {
		return refused(403, 'the callback is encrypted: set the Encrypt Key of the Feishu app in the credential');
	}

	if (verificationToken) {
		const token = checkVerificationToken(payload, verificationToken);
		if (!token.valid) return refused(token.status, token.reason);
	}

	if (payload.type === 'url_verification') {
		if (typeof payload.challenge !== 'string') return refused(400, 'the url_verification callback has no challenge');
		return { kind: 'challenge', challenge: payload.challenge };
	}
	const isV2 = payload.schema === '2.0' && asObject(payload.header) !== undefined;
	const isV1 = payload.type === 'event_callback' && asObject(payload.event) !== undefined;
	if (!isV2 && !isV1) return refused(400, 'the callback is neither an event (schema 2.0 or event_callback) nor a url_verification');
	return { kind: 'event', envelope: payload };
}
