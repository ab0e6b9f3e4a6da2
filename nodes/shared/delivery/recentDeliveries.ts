import { createHash } from 'crypto';

/**
 * Which messages were already handed to n8n: messengers deliver a message again when
 * its answer did not arrive (DingTalk after about a minute; Green-API's webhook every
 * minute for a day; a queue entry whose delete failed). Keys are stored as SHA-256
 * digests, so a sender who picks a long id costs 43 characters, never its length, and
 * the cache is bounded in count and age: memory stays flat however long a trigger runs.
 */

/** The stored form of a key: 43 characters whatever the input. */
export function hashKey(key: string): string {
	return createHash('sha256').update(key, 'utf8').digest('base64url');
}

/** A key from several parts (type, instance, id…), unambiguous however the parts look. */
export function deliveryKey(...parts: unknown[]): string {
	return hashKey(JSON.stringify(parts.map((part) => (part === undefined ? null : part))));
}

interface Entry<T> {
	at: number;
	outcome?: Promise<T>;
}

export interface RecentLimits {
	/** Entries older than this are forgotten (default: never by age). */
	windowMs?: number;
	maxEntries: number;
}

export class RecentDeliveries<T = unknown> {
	/** Insertion order is age order: the oldest entries are evicted first. */
	private readonly entries = new Map<string, Entry<T>>();

	/** Told of each entry added (a shared budget across caches counts them). */
	onAdded?: () => void;

	constructor(private readonly limits: RecentLimits) {}

	get size(): number {
		return this.entries.size;
	}

	has(key: string, now = Date.now()): boolean {
		this.evict(now);
		return this.entries.has(hashKey(key));
	}

	remember(key: string, now = Date.now()): void {
		this.add(hashKey(key), { at: now }, now);
	}

	/** Forgets the key: the message is to be taken again when it comes back. */
	forget(key: string): void {
		this.entries.delete(hashKey(key));
	}

	/** true when the key was seen before; otherwise remembers it. */
	seenBefore(key: string, now = Date.now()): boolean {
		if (this.has(key, now)) return true;
		this.remember(key, now);
		return false;
	}

	/**
	 * Runs `handle` for a message seen for the first time; a repeat within the window gets the
	 * first one's outcome instead (waiting for it while it is still running). A failed run is
	 * forgotten, so a redelivery tries again.
	 */
	async once(key: string, handle: () => Promise<T>, now = Date.now()): Promise<{ outcome: T; repeat: boolean }> {
		this.evict(now);
		const id = hashKey(key);
		const seen = this.entries.get(id);
		if (seen) return { outcome: await (seen.outcome ?? Promise.resolve(undefined as T)), repeat: true };
		const outcome = handle();
		this.add(id, { at: now, outcome }, now);
		outcome.catch(() => {
			if (this.entries.get(id)?.outcome === outcome) this.entries.delete(id);
		});
		return { outcome: await outcome, repeat: false };
	}

	/** Drops the oldest entry; false when there was none. */
	dropOldest(): boolean {
		const oldest = this.entries.keys().next();
		if (oldest.done) return false;
		this.entries.delete(oldest.value);
		return true;
	}

	private add(id: string, entry: Entry<T>, now: number): void {
		this.entries.delete(id);
		this.entries.set(id, entry);
		this.evict(now);
		this.onAdded?.();
	}

	private evict(now: number): void {
		const windowMs = this.limits.windowMs ?? Infinity;
		for (const [id, entry] of this.entries) {
			if (this.entries.size <= this.limits.maxEntries && now - entry.at <= windowMs) break;
			this.entries.delete(id);
		}
	}
}

/**
 * Webhook calls arrive in fresh contexts, so their caches live here, one per trigger node
 * (scope), created on first use. Bounded overall: at most `maxScopes` caches and
 * `maxTotal` keys across all of them; over that, the least recently used scope loses
 * its oldest keys first.
 */
export class RecentDeliveriesRegistry {
	private readonly scopes = new Map<string, RecentDeliveries>();

	constructor(
		private readonly perScope: RecentLimits,
		private readonly maxScopes = 1_000,
		private readonly maxTotal = 50_000,
	) {}

	get totalSize(): number {
		let total = 0;
		for (const cache of this.scopes.values()) total += cache.size;
		return total;
	}

	get scopeCount(): number {
		return this.scopes.size;
	}

	for(scope: string): RecentDeliveries {
		let cache = this.scopes.get(scope);
		if (cache) {
			// Most recently used last.
			this.scopes.delete(scope);
		} else {
			cache = new RecentDeliveries(this.perScope);
			cache.onAdded = () => this.trim();
		}
		this.scopes.set(scope, cache);
		while (this.scopes.size > this.maxScopes) this.scopes.delete(this.scopes.keys().next().value as string);
		return cache;
	}

	private trim(): void {
		let total = this.totalSize;
		while (total > this.maxTotal) {
			const [scope, oldest] = this.scopes.entries().next().value as [string, RecentDeliveries];
			if (!oldest.dropOldest()) this.scopes.delete(scope);
			else total--;
		}
	}
}
