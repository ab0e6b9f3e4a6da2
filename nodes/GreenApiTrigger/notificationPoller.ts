import type { MessengerContext } from '../shared/messengers/types';
import { isMessageFileError } from '../shared/transport/errors';
import type { QueuedNotification } from '../shared/messengers/greenApi/notifications';
import { deleteNotification, receiveNotification } from '../shared/messengers/greenApi/notifications';
import type { BackoffPolicy } from '../shared/delivery/backoff';
import { PERSISTENT_BACKOFF, RATE_LIMIT_BACKOFF, TRANSIENT_BACKOFF, backoffDelayMs } from '../shared/delivery/backoff';
import { abortablePause, withChildSignal } from '../shared/delivery/pause';

export interface PollerHooks {
	/** Emits the notification (downloading its files first). Resolves once n8n has it. */
	deliver(notification: QueuedNotification): Promise<void>;
	/** A call failed; the poller waits `delayMs` and tries again. */
	onError?(error: Error, delayMs: number): void;
}

export interface PollerSettings {
	receiveTimeoutSeconds: number;
	/** Attempts at deleting one notification before leaving it for redelivery (de-duplicated then). */
	deleteAttempts?: number;
	/** A "nothing new" answer faster than this is followed by a pause, so a server that ignores receiveTimeout is not hammered. */
	minEmptyPollMs?: number;
	transientBackoff?: BackoffPolicy;
	persistentBackoff?: BackoffPolicy;
	random?: () => number;
}

function isRateLimit(error: unknown): boolean {
	return isMessageFileError(error) && error.details.httpCode === 429;
}

function isTransient(error: unknown): boolean {
	// Network failures and 429/5xx come out retryable; 401, 403, 466… need a person.
	if (!isMessageFileError(error)) return true;
	return error.retryable || error.details.httpCode === undefined;
}

/**
 * Green-API's HTTP API queue, read at least once: receive the head, deliver it, and only
 * then delete it. A crash or failed delete between the two redelivers the notification,
 * which the trigger's de-duplication then drops. Failures back off with jitter; stop()
 * aborts the request in flight and ends the loop.
 */
export class NotificationPoller {
	private readonly controller = new AbortController();
	private loop: Promise<void> | undefined;
	private failures = 0;

	constructor(
		private readonly context: MessengerContext,
		private readonly settings: PollerSettings,
		private readonly hooks: PollerHooks,
	) {}

	start(): void {
		this.loop ??= this.run();
	}

	get stopped(): boolean {
		return this.controller.signal.aborted;
	}

	async stop(): Promise<void> {
		this.controller.abort();
		await this.loop;
	}

	private async run(): Promise<void> {
		const signal = this.controller.signal;
		while (!signal.aborted) {
			const startedAt = Date.now();
			let notification: QueuedNotification | null;
			try {
				notification = await withChildSignal(signal, async (child) => await receiveNotification(this.context, this.settings.receiveTimeoutSeconds, { signal: child }));
			} catch (error) {
				if (signal.aborted) break;
				await this.backOff(error);
				continue;
			}
			this.failures = 0;
			if (!notification) {
				const minEmpty = this.settings.minEmptyPollMs ?? 1_000;
				const elapsed = Date.now() - startedAt;
				if (elapsed < minEmpty) await abortablePause(minEmpty - elapsed, signal);
				continue;
			}
			try {
				await this.hooks.deliver(notification);
			} catch (error) {
				// Not delivered: keep it in the queue and try again later rather than lose it.
				if (signal.aborted) break;
				await this.backOff(error);
				continue;
			}
			// Delivered: deleting is now safe even while stopping, so it is not aborted.
			await this.deleteDelivered(notification.receiptId);
		}
	}

	private async deleteDelivered(receiptId: number): Promise<void> {
		const attempts = Math.max(1, this.settings.deleteAttempts ?? 3);
		for (let attempt = 1; attempt <= attempts; attempt++) {
			try {
				await deleteNotification(this.context, receiptId, { timeoutMs: 15_000 });
				return;
			} catch (error) {
				if (attempt === attempts || this.stopped) {
					this.hooks.onError?.(error as Error, 0);
					return;
				}
				const policy = isRateLimit(error) ? RATE_LIMIT_BACKOFF : (this.settings.transientBackoff ?? TRANSIENT_BACKOFF);
				const delay = backoffDelayMs(attempt, policy, this.settings.random);
				this.hooks.onError?.(error as Error, delay);
				await abortablePause(delay, this.controller.signal);
			}
		}
	}

	private async backOff(error: unknown): Promise<void> {
		this.failures++;
		const policy = isRateLimit(error)
			? RATE_LIMIT_BACKOFF
			: isTransient(error)
				? (this.settings.transientBackoff ?? TRANSIENT_BACKOFF)
				: (this.settings.persistentBackoff ?? PERSISTENT_BACKOFF);
		const delay = backoffDelayMs(this.failures, policy, this.settings.random);
		this.hooks.onError?.(error instanceof Error ? error : new Error(String(error)), delay);
		await abortablePause(delay, this.controller.signal);
	}
}
