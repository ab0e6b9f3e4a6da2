import { exponentialBackoffMs } from '../transport/retry';

/** How a trigger waits after a failure: exponential from `baseMs` up to `maxMs`, with jitter (see exponentialBackoffMs). */
export interface BackoffPolicy {
	baseMs: number;
	maxMs: number;
}

export const TRANSIENT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };
/** HTTP 429 without Retry-After (Green-API sends none): the window frees up within a second, so start short. */
export const RATE_LIMIT_BACKOFF: BackoffPolicy = { baseMs: 300, maxMs: 30_000 };
/** Errors that need a person (wrong token, quota used up): retried rarely, so the log is not flooded. */
export const PERSISTENT_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 300_000 };

/** The wait after the `failures`-th failure in a row (1 for the first), whole milliseconds. */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
	return Math.round(exponentialBackoffMs(Math.max(0, failures - 1), policy.baseMs, policy.maxMs, random));
}
