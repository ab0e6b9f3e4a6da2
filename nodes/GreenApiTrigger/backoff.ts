/** Exponential backoff with full jitter: a fleet of triggers that failed together does not retry together. */
export interface BackoffPolicy {
	baseMs: number;
	maxMs: number;
}

export const TRANSIENT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };
/** HTTP 429 without Retry-After (Green-API sends none): the window frees up within a second, so start short. */
export const RATE_LIMIT_BACKOFF: BackoffPolicy = { baseMs: 300, maxMs: 30_000 };
/** Errors that need a person (wrong token, quota used up): retried rarely, so the log is not flooded. */
export const PERSISTENT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 300_000 };

export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
	const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
	// At least half the ceiling: jitter spreads retries without ever making one immediate.
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
