// Injected by esbuild: bundled libraries' `globalThis`, `setTimeout` and `clearTimeout`
// resolve to these instead of the globals.
const globals = { TextDecoder, TextEncoder };

function timeoutShim(callback, milliseconds) {
	const signal = AbortSignal.timeout(milliseconds);
	const onAbort = () => callback();
	signal.addEventListener('abort', onAbort, { once: true });
	return { cancel: () => signal.removeEventListener('abort', onAbort) };
}

function clearTimeoutShim(handle) {
	if (handle && typeof handle.cancel === 'function') handle.cancel();
}

export { globals as globalThis, timeoutShim as setTimeout, clearTimeoutShim as clearTimeout };
