/**
 * Which robot messages were already handed to n8n, by `msgId`: DingTalk delivers a message
 * again when its answer did not arrive (a dropped connection, a slow answer). Bounded in
 * both time and count, so memory stays flat however long the trigger runs.
 */
export class RecentMessages<T> {
	/** Insertion order is age order: the oldest entries are evicted first. */
	private readonly entries = new Map<string, { at: number; outcome: Promise<T> }>();

	constructor(
		private readonly windowMs: number,
		private readonly maxEntries: number,
	) {}

	get size(): number {
		return this.entries.size;
	}

	/**
	 * Runs `handle` for a message seen for the first time; a repeat within the window gets the
	 * first one's outcome instead (waiting for it while it is still running). A failed run is
	 * forgotten, so a redelivery tries again.
	 */
	async once(id: string, handle: () => Promise<T>, now = Date.now()): Promise<{ outcome: T; repeat: boolean }> {
		this.evict(now);
		const seen = this.entries.get(id);
		if (seen) return { outcome: await seen.outcome, repeat: true };
		const outcome = handle();
		this.entries.set(id, { at: now, outcome });
		outcome.catch(() => {
			if (this.entries.get(id)?.outcome === outcome) this.entries.delete(id);
		});
		return { outcome: await outcome, repeat: false };
	}

	private evict(now: number): void {
		for (const [id, entry] of this.entries) {
			if (this.entries.size <= this.maxEntries && now - entry.at <= this.windowMs) break;
			this.entries.delete(id);
		}
	}
}
