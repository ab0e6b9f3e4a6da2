import { createHash, timingSafeEqual } from 'crypto';

function digest(text: string): Buffer {
	return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Whether an Authorization header carries `Bearer <expected>`. Both sides are hashed
 * first, so the comparison takes the same time whatever the length or content.
 */
export function bearerTokenMatches(authorization: string | string[] | undefined, expected: string): boolean {
	const header = Array.isArray(authorization) ? authorization[0] : authorization;
	if (typeof header !== 'string') return false;
	const match = /^\s*Bearer\s+(.*?)\s*$/i.exec(header);
	const presented = match ? match[1] : '';
	const same = timingSafeEqual(digest(presented), digest(expected));
	return same && presented.length > 0;
}
