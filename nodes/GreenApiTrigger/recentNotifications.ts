import type { IDataObject } from 'n8n-workflow';

/**
 * Remembers the notifications seen lately, so a redelivery (Green-API retries webhooks
 * for 24 h; a notification whose delete failed comes back from the queue) starts nothing.
 * Bounded: the oldest key goes when the window is full.
 */
export class RecentNotifications {
	private readonly keys = new Set<string>();

	constructor(private readonly capacity = DEDUP_WINDOW) {}

	has(key: string): boolean {
		return this.keys.has(key);
	}

	remember(key: string): void {
		this.keys.add(key);
		if (this.keys.size > this.capacity) {
			const oldest = this.keys.values().next().value;
			if (oldest !== undefined) this.keys.delete(oldest);
		}
	}

	/** Forgets the key: the notification is to be taken again when it comes back. */
	forget(key: string): void {
		this.keys.delete(key);
	}

	/** true when the key was seen before; otherwise remembers it. */
	seenBefore(key: string): boolean {
		if (this.keys.has(key)) return true;
		this.remember(key);
		return false;
	}

	get size(): number {
		return this.keys.size;
	}
}

/** How many notifications the de-duplication remembers per trigger. */
export const DEDUP_WINDOW = 10_000;

/**
 * What makes a notification the same one again: its type, instance and idMessage, plus the
 * status for status notifications (one message gets sent, delivered, read). Notifications
 * without idMessage (instance state changes) are not de-duplicated.
 */
export function notificationKey(body: IDataObject): string | undefined {
	const idMessage = body.idMessage;
	if (typeof idMessage !== 'string' && typeof idMessage !== 'number') return undefined;
	const instance = (body.instanceData as IDataObject | undefined)?.idInstance;
	const status = typeof body.status === 'string' ? body.status : '';
	return JSON.stringify([String(body.typeWebhook ?? ''), String(instance ?? ''), String(idMessage), status]);
}

/** Webhook calls arrive in fresh contexts: their windows live here, one per trigger node, at most MAX_SCOPES of them. */
const MAX_SCOPES = 1_000;
const windows = new Map<string, RecentNotifications>();

export function recentNotificationsFor(scope: string): RecentNotifications {
	let recent = windows.get(scope);
	if (!recent) {
		recent = new RecentNotifications();
		windows.set(scope, recent);
		if (windows.size > MAX_SCOPES) {
			const oldest = windows.keys().next().value;
			if (oldest !== undefined) windows.delete(oldest);
		}
	}
	return recent;
}
