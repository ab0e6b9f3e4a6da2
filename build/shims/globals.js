// Injected by esbuild: bundled libraries' `globalThis`, `global`, `setTimeout` and `clearTimeout`
// resolve to these instead of the globals.
const globals = { TextDecoder, TextEncoder };

// protobufjs/minimal asks `global.process.versions.node` whether it runs in Node, then looks
// for Buffer and Long on that object. Offering neither, it reads and writes plain Uint8Arrays
// and uint64 as numbers (long.js is aliased away too), which is all the Feishu frames need.
const nodeGlobal = { process: { versions: { node: 'bundled' } } };

function timeoutShim(callback, milliseconds) {
	const signal = AbortSignal.timeout(milliseconds);
	const onAbort = () => callback();
	signal.addEventListener('abort', onAbort, { once: true });
	return { cancel: () => signal.removeEventListener('abort', onAbort) };
}

function clearTimeoutShim(handle) {
	if (handle && typeof handle.cancel === 'function') handle.cancel();
}

export { globals as globalThis, nodeGlobal as global, timeoutShim as setTimeout, clearTimeoutShim as clearTimeout };
