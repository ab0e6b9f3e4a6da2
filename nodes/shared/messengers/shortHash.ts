import { createHash } from 'crypto';

/** 12 hex characters of SHA-256: a stable, readable file name part for an opaque code. */
export function shortHash(text: string): string {
	return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
