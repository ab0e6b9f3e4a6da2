import { sleep } from 'n8n-workflow';

import type { ApiResponse } from './apiResponse';
import { retryAfterMs } from './apiResponse';
import type { SlidingWindowLimiter } from './rateLimiter';

/** Longest pause a 429 may impose, whatever its Retry-After says. */
const MAX_PAUSE_MS = 30_000;

export interface SharedRateLimitOptions {
	/** 429s one call may absorb while this process's other calls keep succeeding. */
	maxContendedRetries?: number;
	random?: () => number;
}

/**
 * A per-key limit that other processes share without seeing each other: n8n's queue-mode
 * workers calling the same Green-API instance each keep under the limit, together not.
 *
 * A 429 then mostly means another process took the slot. After the pause the server
 * asks for (Retry-After), or a jittered fraction of the window when it names none, the
 * call tries again — without spending the caller's retries, as long as this process's
 * calls to the same key succeeded meanwhile (the instance is serving, only busy). The
 * retry skips the local limiter: its slots come in bursts one window apart in every
 * process, and the jittered retries fill the server's slots in between. A 429 with no
 * success around it is a real refusal and goes back to the caller's retry budget.
 */
export class SharedRateLimit {
	private readonly lastSuccess = new Map<string, number>();
	private readonly maxContendedRetries: number;
	private readonly random: () => number;

	constructor(
		private readonly limiter: SlidingWindowLimiter,
		private readonly windowMs: number,
		options: SharedRateLimitOptions = {},
	) {
		this.maxContendedRetries = options.maxContendedRetries ?? 40;
		this.random = options.random ?? Math.random;
	}

	/** How long to wait after a 429: Retry-After plus a little jitter, else a tenth to half of the window. */
	pauseAfter429(response: ApiResponse): number {
		const asked = retryAfterMs(response.headers);
		const jitter = this.random();
		const pause = asked !== undefined ? asked + jitter * this.windowMs * 0.25 : this.windowMs * (0.1 + jitter * 0.4);
		return Math.min(pause, MAX_PAUSE_MS);
	}

	async call(key: string, send: () => Promise<ApiResponse>): Promise<ApiResponse> {
		const startedAt = Date.now();
		for (let contended = 0; ; contended++) {
			if (contended === 0) await this.limiter.acquire(key);
			const response = await send();
			if (response.statusCode !== 429) {
				if (response.statusCode >= 200 && response.statusCode < 300) this.lastSuccess.set(key, Date.now());
				return response;
			}
			if (contended >= this.maxContendedRetries) return response;
			await sleep(this.pauseAfter429(response));
			if ((this.lastSuccess.get(key) ?? 0) <= startedAt) return response;
		}
	}
}
