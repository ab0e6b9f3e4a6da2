import { abortablePause } from '../shared/abortablePause';

/**
 * A signal that follows `parent` and lets go of it afterwards. One long-lived
 * activation signal would otherwise collect a listener per request and per pause.
 */
export async function withChildSignal<T>(parent: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
	const child = new AbortController();
	const forward = () => child.abort();
	if (parent.aborted) child.abort();
	else parent.addEventListener('abort', forward, { once: true });
	try {
		return await run(child.signal);
	} finally {
		parent.removeEventListener('abort', forward);
	}
}

/** Waits `ms`, or less when `signal` aborts; never throws. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
	if (ms > 0) await abortablePause(ms, signal);
}
