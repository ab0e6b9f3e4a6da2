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
