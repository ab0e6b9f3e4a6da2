import { sleep } from 'n8n-workflow';

/**
 * Keeps calls per key under `limit` in any window of `windowMs`, across all
 * executions in this process. Each caller reserves its slot synchronously, so calls
 * that arrive together are spread out instead of racing for the same slot.
 */
export class SlidingWindowLimiter {
	private readonly reservations = new Map<string, number[]>();

	constructor(
		private readonly limit: number,
		private readonly windowMs: number,
	) {}

	async acquire(key: string): Promise<void> {
		const now = Date.now();
		const slots = (this.reservations.get(key) ?? []).filter((time) => time > now - this.windowMs);
		const start = slots.length < this.limit ? now : slots[slots.length - this.limit] + this.windowMs;
		slots.push(start);
		this.reservations.set(key, slots);
		if (start > now) await sleep(start - now);
	}
}
