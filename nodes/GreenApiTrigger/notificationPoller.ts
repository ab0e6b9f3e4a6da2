import type { MessengerContext } from '../shared/messengers/types';
import { MessageFileError, isMessageFileError } from '../shared/transport/errors';
import { ActivationLifetime } from '../shared/delivery/activation';
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

	/** Ends the loop; returns within a second (a delivery in flight is abandoned by its own lifetime, not waited for). */
	async stop(): Promise<void> {
		this.controller.abort();
		if (this.loop) await ActivationLifetime.settleWithin(this.loop);
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
			if (notification.malformed !== undefined) {
				// It would block every notification behind it for good: said (without its content) and deleted.
				this.hooks.onError?.(
					new Error(`queue entry ${notification.receiptId} is not a notification (its body is ${notification.malformed}); deleted so the queue moves on`),
					0,
				);
				if (!(await this.deleteDelivered(notification.receiptId)) && !signal.aborted) await this.backOffAfterDelete();
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
			// Not deleted: the head comes back (a duplicate then, skipped), so wait before reading it again.
			if (!(await this.deleteDelivered(notification.receiptId)) && !signal.aborted) await this.backOffAfterDelete();
		}
	}

	private lastDeleteError: Error = new Error('deleteNotification failed');

	/** Deletes failed in a row: the pause grows until one succeeds (a receive succeeding in between does not reset it). */
	private deleteFailures = 0;

	private async backOffAfterDelete(): Promise<void> {
		this.deleteFailures++;
		const error = this.lastDeleteError;
		const policy = isRateLimit(error) ? RATE_LIMIT_BACKOFF : isTransient(error) ? (this.settings.transientBackoff ?? TRANSIENT_BACKOFF) : (this.settings.persistentBackoff ?? PERSISTENT_BACKOFF);
		const delay = backoffDelayMs(this.deleteFailures, policy, this.settings.random);
		this.hooks.onError?.(error, delay);
		await abortablePause(delay, this.controller.signal);
	}

	/** true once Green-API confirmed the delete; a `{"result": false}` answer is a failure like any other. */
	private async deleteDelivered(receiptId: number): Promise<boolean> {
		const attempts = Math.max(1, this.settings.deleteAttempts ?? 3);
		for (let attempt = 1; attempt <= attempts; attempt++) {
			try {
				if (await deleteNotification(this.context, receiptId, { timeoutMs: 15_000 })) {
					this.deleteFailures = 0;
					return true;
				}
				throw new MessageFileError(`Green-API did not delete notification ${receiptId} from the queue (it answered result: false)`, {
					kind: 'api',
					httpCode: 200,
					description: 'The notification stays at the head of the queue; it is not run again (de-duplicated), and the delete is tried again after a pause.',
					retryable: true,
				});
			} catch (error) {
				this.lastDeleteError = error as Error;
				if (attempt === attempts || this.stopped) {
					// Logged here only when stopping; otherwise the pause that follows says it.
					if (this.stopped) this.hooks.onError?.(error as Error, 0);
					return false;
				}
				const policy = isRateLimit(error) ? RATE_LIMIT_BACKOFF : (this.settings.transientBackoff ?? TRANSIENT_BACKOFF);
				const delay = backoffDelayMs(attempt, policy, this.settings.random);
				this.hooks.onError?.(error as Error, delay);
				await abortablePause(delay, this.controller.signal);
			}
		}
		return false;
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
