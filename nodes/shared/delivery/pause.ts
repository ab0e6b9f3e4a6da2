/**
 * Sleeps until `ms` passed or `stop` fired; false when stopped. The one cancellable timer
 * of the triggers, for every n8n version: cloud rules forbid setTimeout, n8n-workflow's
 * `sleep` cannot be cancelled, and its `sleepWithAbort` is gone from newer n8n-workflow
 * (2.41 has none). AbortSignal.timeout's timer does not keep the process alive, and both
 * listeners are removed whichever comes first.
 */
export async function abortablePause(ms: number, stop: AbortSignal): Promise<boolean> {
	if (stop.aborted) return false;
	const timer = AbortSignal.timeout(Math.max(1, Math.ceil(ms)));
	return await new Promise<boolean>((resolve) => {
		const finish = (completed: boolean) => {
			timer.removeEventListener('abort', onTime);
			stop.removeEventListener('abort', onStop);
			resolve(completed);
		};
		const onTime = () => finish(true);
		const onStop = () => finish(false);
		timer.addEventListener('abort', onTime, { once: true });
		stop.addEventListener('abort', onStop, { once: true });
	});
}

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
