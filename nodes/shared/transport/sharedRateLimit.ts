import { sleep } from 'n8n-workflow';

import type { ApiResponse } from './apiResponse';
import { retryAfterMs } from './apiResponse';
import type { SlidingWindowLimiter } from './rateLimiter';

/** Longest pause a 429 may impose, whatever its Retry-After says. */
const MAX_PAUSE_MS = 30_000;

export interface SharedRateLimitOptions {
	/** How long one call may keep absorbing 429s while this process's other calls succeed. */
	maxContendedMs?: number;
	random?: () => number;
}

/** A key counts as served — busy, not refusing — when this process got an answer within this time. */
const SERVED_RECENTLY_MS = 30_000;

/**
 * A per-key limit that other processes share without seeing each other: n8n's queue-mode
 * workers calling the same Green-API instance each keep under the limit, together not.
 *
 * A 429 then mostly means another process took the slot. While the instance served this
 * process recently, the call waits out the 429 — the pause the server asks for
 * (Retry-After), or a jittered fraction of the window when it names none — and tries
 * again, for up to `maxContendedMs`, without spending the caller's retries. The retries
 * of a process go one at a time, in turn (round robin), so no call starves and the
 * instance is not flooded; fresh calls keep coming through the local limiter and fill
 * the server's slots meanwhile. A 429 on a key that served nothing lately is a real
 * refusal and goes back to the caller's retry budget at once.
 */
export class SharedRateLimit {
	private readonly lastSuccess = new Map<string, number>();
	private readonly lanes = new Map<string, Promise<void>>();
	private readonly maxContendedMs: number;
	private readonly random: () => number;

	/**
	 * @param limiter paces this process's calls ahead of the server's limit; undefined when
	 *   they need no pacing (the server's limit is far above what one process sends) and
	 *   only the 429s are waited out.
	 */
	constructor(
		private readonly limiter: SlidingWindowLimiter | undefined,
		private readonly windowMs: number,
		options: SharedRateLimitOptions = {},
	) {
		// Under contention each try wins a slot only by chance; a time budget, not a count,
		// keeps the unlucky call from running out while the instance is busy but serving.
		this.maxContendedMs = options.maxContendedMs ?? 120_000;
		this.random = options.random ?? Math.random;
	}

	/** How long to wait after a 429: Retry-After plus a little jitter, else a twentieth to a quarter of the window. */
	pauseAfter429(response: ApiResponse): number {
		const asked = retryAfterMs(response.headers);
		const jitter = this.random();
		const pause = asked !== undefined ? asked + jitter * this.windowMs * 0.25 : this.windowMs * (0.05 + jitter * 0.2);
		return Math.min(pause, MAX_PAUSE_MS);
	}

	async call(key: string, send: () => Promise<ApiResponse>): Promise<ApiResponse> {
		const startedAt = Date.now();
		const attempt = async () => {
			const response = await send();
			if (response.statusCode >= 200 && response.statusCode < 300) this.lastSuccess.set(key, Date.now());
			return response;
		};
		await this.limiter?.acquire(key);
		let response = await attempt();
		while (response.statusCode === 429 && this.servedRecently(key) && Date.now() - startedAt < this.maxContendedMs) {
			const refused = response;
			response = await this.inTurn(key, async () => {
				await sleep(this.pauseAfter429(refused));
				return await attempt();
			});
		}
		return response;
	}

	private servedRecently(key: string): boolean {
		return Date.now() - (this.lastSuccess.get(key) ?? 0) < SERVED_RECENTLY_MS;
	}

	/** Runs `work` after the retries of this key queued before it. */
	private async inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
		const previous = this.lanes.get(key) ?? Promise.resolve();
		const mine = previous.then(work);
		const done = mine.then(
			() => undefined,
			() => undefined,
		);
		this.lanes.set(key, done);
		try {
			return await mine;
		} finally {
			if (this.lanes.get(key) === done) this.lanes.delete(key);
		}
	}
}
