/** Records what a node logs through its context's logger (n8n's real Logger), and still passes it on. */
export interface LogLine {
	level: 'debug' | 'info' | 'warn' | 'error';
	message: string;
}

type LoggerLike = Record<LogLine['level'], (message: string, meta?: object) => void>;

export function captureLogs(logger: LoggerLike): { lines: LogLine[]; restore(): void } {
	const lines: LogLine[] = [];
	const originals = new Map<LogLine['level'], LoggerLike[LogLine['level']]>();
	for (const level of ['debug', 'info', 'warn', 'error'] as const) {
		// n8n's Logger pins the levels it has switched off to a read-only no-op: nothing to see there.
		const own = Object.getOwnPropertyDescriptor(logger, level);
		if (own && !own.writable) continue;
		const original = logger[level];
		originals.set(level, original);
		logger[level] = (message: string, meta?: object) => {
			lines.push({ level, message });
			original.call(logger, message, meta);
		};
	}
	return {
		lines,
		restore() {
			// Back to the prototype's method (the wrapper was an own property).
			for (const level of originals.keys()) delete (logger as Partial<LoggerLike>)[level];
		},
	};
}
