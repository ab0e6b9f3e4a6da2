import type { IHttpRequestOptions } from 'n8n-workflow';

import type { MessengerContext } from '../messengers/types';
import { MessageFileError } from '../transport/errors';
import { abortablePause } from './pause';

/** How long a trigger's close waits for its own parts to wind down before it returns anyway. */
export const CLOSE_WAIT_MS = 800;

function stoppedError(): MessageFileError {
	// Not retryable: nothing is tried again once the trigger is closed.
	return new MessageFileError('The trigger was deactivated while this message was being handled; it is left with the messenger', { kind: 'download' });
}

interface StreamLike {
	destroy(error?: Error): unknown;
	once(event: 'close', listener: () => void): unknown;
	destroyed?: boolean;
}

function isStream(value: unknown): value is StreamLike {
	return !!value && typeof (value as StreamLike).destroy === 'function' && typeof (value as StreamLike).once === 'function';
}

/**
 * One activation of a trigger, from activation to close. After close() nothing may be
 * emitted, and every HTTP request the activation's context makes (API calls, downloads,
 * the body of a download already streaming) is aborted at once: a message in flight is
 * abandoned, left unanswered for the messenger to deliver again, instead of holding
 * n8n's deactivation up for as long as a slow file host likes.
 */
export class ActivationLifetime {
	private readonly controller = new AbortController();

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	get closed(): boolean {
		return this.controller.signal.aborted;
	}

	close(): void {
		this.controller.abort();
	}

	/** Throws when the activation closed meanwhile: what was being done for it is abandoned. */
	assertOpen(): void {
		if (this.closed) throw stoppedError();
	}

	/**
	 * The same context, with its HTTP helpers tied to this activation. Everything else is
	 * n8n's own (methods are called on the real context).
	 */
	bind<C extends MessengerContext>(context: C): C {
		const signal = this.signal;
		const tie = (options: IHttpRequestOptions): IHttpRequestOptions => {
			if (signal.aborted) throw stoppedError();
			return { ...options, abortSignal: options.abortSignal ? AbortSignal.any([options.abortSignal as AbortSignal, signal]) : signal };
		};
		// A streamed body outlives its request: it is ended too.
		const endWithActivation = <R>(response: R): R => {
			const body = (response as { body?: unknown } | undefined)?.body;
			if (isStream(body) && !body.destroyed) {
				const end = () => body.destroy(stoppedError());
				signal.addEventListener('abort', end, { once: true });
				body.once('close', () => signal.removeEventListener('abort', end));
			}
			return response;
		};
		const helpers = context.helpers as MessengerContext['helpers'];
		const tiedHelpers = Object.assign(Object.create(helpers) as object, {
			httpRequest: async (options: IHttpRequestOptions) => endWithActivation(await helpers.httpRequest(tie(options))),
			httpRequestWithAuthentication: async function (this: unknown, credentialsType: string, options: IHttpRequestOptions, ...rest: unknown[]) {
				const call = helpers.httpRequestWithAuthentication as (this: unknown, type: string, options: IHttpRequestOptions, ...more: unknown[]) => Promise<unknown>;
				return endWithActivation(await call.call(this, credentialsType, tie(options), ...rest));
			},
		});
		return new Proxy(context, {
			get(target, property) {
				if (property === 'helpers') return tiedHelpers;
				const value = Reflect.get(target, property, target) as unknown;
				return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
			},
		});
	}

	/** Waits for `work`, at most CLOSE_WAIT_MS: a close never hangs on a part that does not end. */
	static async settleWithin(work: Promise<unknown>, ms = CLOSE_WAIT_MS): Promise<void> {
		const giveUp = new AbortController();
		await Promise.race([work.catch(() => undefined), abortablePause(ms, giveUp.signal)]);
		giveUp.abort();
	}
}
