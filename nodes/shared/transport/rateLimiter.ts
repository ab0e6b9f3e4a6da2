import { sleep } from 'n8n-workflow';

/**
 * Keeps calls per key under `limit` in any window of `windowMs`, across all
 * executions in this process. Each caller reserves its slot synchronously, so calls
 * that arrive together are spread out instead of racing for the same slot.
 */
export class SlidingWindowLimiter {
	private readonly reservations = new Map<string, number[]>();

	/**
	 * @param jitterMs a random 0..jitterMs added to every slot that has to wait: processes
	 *   that share a server-side limit unseen would otherwise lock into fixed phases, and the
	 *   one whose slots fall just behind the other's would never get a turn.
	 */
	constructor(
		private readonly limit: number,
		private readonly windowMs: number,
		private readonly jitterMs = 0,
		private readonly random: () => number = Math.random,
	) {}

	async acquire(key: string): Promise<void> {
		const now = Date.now();
		const slots = (this.reservations.get(key) ?? []).filter((time) => time > now - this.windowMs);
		const start = slots.length < this.limit ? now : slots[slots.length - this.limit] + this.windowMs + this.random() * this.jitterMs;
		slots.push(start);
		this.reservations.set(key, slots);
		if (start > now) await sleep(start - now);
	}
}
