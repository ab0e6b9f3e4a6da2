import { sleep } from 'n8n-workflow';

import { isMessageFileError } from './errors';

export interface RetryPolicy {
	/** Extra attempts after the first. */
	retries: number;
	baseDelayMs?: number;
	maxDelayMs?: number;
}

/**
 * The one backoff of the package: `baseMs · 2^attempt` capped at `maxMs` (attempt 0 first),
 * then jittered between half and all of it, so clients that failed together do not retry
 * together, and no retry is ever immediate.
 */
export function exponentialBackoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
	const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
	return ceiling / 2 + random() * (ceiling / 2);
}

/** Exponential backoff with jitter; a server's Retry-After wins when it is longer (capped). */
export function retryDelayMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random = Math.random): number {
	const max = policy.maxDelayMs ?? 10_000;
	const jittered = exponentialBackoffMs(attempt, policy.baseDelayMs ?? 500, max, random);
	return Math.min(Math.max(jittered, retryAfterMs ?? 0), Math.max(max, 30_000));
}

/** Runs `operation`, again after a pause while it fails with a retryable MessageFileError and attempts remain. */
export async function withRetries<T>(
	operation: (attempt: number) => Promise<T>,
	policy: RetryPolicy,
	onRetry?: (error: Error, attempt: number, delayMs: number) => void,
): Promise<T> {
	for (let attempt = 0; ; attempt++) {
		const outcome = await operation(attempt).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);
		if (!('error' in outcome)) return outcome.value;
		const { error } = outcome;
		if (!isMessageFileError(error) || !error.retryable || attempt >= policy.retries) throw error;
		const delay = retryDelayMs(attempt, policy, error.details.retryAfterMs);
		onRetry?.(error, attempt + 1, delay);
		await sleep(delay);
	}
}
