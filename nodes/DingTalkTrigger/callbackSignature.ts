import { createHmac, timingSafeEqual } from 'crypto';

/** DingTalk rejects callbacks whose timestamp is further than this from now; so do we. */
export const MAX_CLOCK_SKEW_MS = 60 * 60 * 1000;

export type SignatureCheck = { valid: true } | { valid: false; status: 401 | 403; reason: string };

/** sign = base64(HMAC-SHA256(key = appSecret, timestamp + "\n" + appSecret)), as DingTalk computes it. */
export function callbackSignature(timestamp: string, appSecret: string): string {
	return createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`).digest('base64');
}

function header(value: string | string[] | undefined): string {
	return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

/**
 * Checks an HTTP callback's `timestamp` and `sign` headers. The comparison runs on
 * SHA-256 digests of both values, equal in length, in constant time. The reasons name
 * what is wrong, never the expected signature or the secret.
 */
export function checkCallbackSignature(
	headers: Record<string, string | string[] | undefined>,
	appSecret: string,
	now = Date.now(),
): SignatureCheck {
	// An empty key would make the signature computable by anyone.
	if (!appSecret) return { valid: false, status: 403, reason: 'the DingTalk credential has no App Secret to check the signature with' };
	const timestamp = header(headers.timestamp);
	const sign = header(headers.sign);
	if (!timestamp || !sign) return { valid: false, status: 401, reason: 'missing timestamp or sign header' };
	const sentAt = Number(timestamp);
	if (!/^\d{1,16}$/.test(timestamp) || !Number.isSafeInteger(sentAt)) return { valid: false, status: 401, reason: 'timestamp is not a number of milliseconds' };
	if (Math.abs(now - sentAt) > MAX_CLOCK_SKEW_MS) return { valid: false, status: 403, reason: 'timestamp is more than 1 hour from now' };
	const expected = createHmac('sha256', 'sign').update(callbackSignature(timestamp, appSecret)).digest();
	const given = createHmac('sha256', 'sign').update(sign).digest();
	if (!timingSafeEqual(expected, given)) return { valid: false, status: 403, reason: 'sign does not match' };
	return { valid: true };
}

/**
 * How much earlier than the message's own `createAt` a signed timestamp may be: clocks
 * differ a little between DingTalk's servers, never by minutes. A captured
 * timestamp/sign pair is thereby useless for a message dated after it.
 */
export const SIGNED_BEFORE_CREATED_MS = 5 * 60 * 1000;

/** A message older than this when its callback was signed is not one DingTalk delivers now. */
export const MAX_DELIVERY_DELAY_MS = MAX_CLOCK_SKEW_MS;

export type FreshnessCheck = { fresh: true; msgId: string } | { fresh: false; status: 400 | 403; reason: string };

/**
 * What the signature cannot say: the `sign` covers the timestamp only, not the body. So
 * the body must at least fit the timestamp: it names its message (`msgId`), and that
 * message was created no later than shortly after the signature was made and no earlier
 * than the signature window allows.
 */
export function checkCallbackFreshness(timestamp: string | string[] | undefined, message: Record<string, unknown>): FreshnessCheck {
	const msgId = message.msgId;
	if (typeof msgId !== 'string' || msgId.trim() === '') return { fresh: false, status: 400, reason: 'the body has no msgId (every DingTalk robot message has one)' };
	const signedAt = Number(header(timestamp));
	const createAt = Number(message.createAt);
	if (message.createAt === undefined || message.createAt === '' || !Number.isFinite(createAt)) {
		return { fresh: false, status: 400, reason: 'the body has no createAt (every DingTalk robot message has one)' };
	}
	if (signedAt < createAt - SIGNED_BEFORE_CREATED_MS) return { fresh: false, status: 403, reason: 'the signed timestamp is older than the message it came with' };
	if (signedAt > createAt + MAX_DELIVERY_DELAY_MS) return { fresh: false, status: 403, reason: 'the message is more than 1 hour older than its signature' };
	return { fresh: true, msgId };
}
