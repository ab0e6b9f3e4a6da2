// The most memory a piece of work kept alive, for the tests that prove a file is never held
// whole. Plain samples of heap + buffers also count garbage not yet collected, which depends
// on when the collector runs: Node 24 collects later than Node 20, and later still when the
// machine is busy (the compat step beside another leg measured 143 MB for a stream whose live
// memory is a few MB). So a sample above `collectAbove` is taken again after a full
// collection: what survives it is what the work holds. A file held whole survives.
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const heapAndBuffers = (): number => {
	const now = process.memoryUsage();
	return now.heapUsed + now.arrayBuffers;
};

export interface LiveMemoryWatch {
	/** Stops sampling; the highest growth over the start that survived a collection, in bytes. */
	stop(): number;
}

/** At most one full collection this often: each takes tens of ms on jest's heap (more on Node 24). */
const COLLECT_EVERY_MS = 100;

export function watchLiveMemory({ collectAbove, everyMs = 10 }: { collectAbove: number; everyMs?: number }): LiveMemoryWatch {
	collect();
	const before = heapAndBuffers();
	let peak = 0;
	let collectedAt = 0;
	const sample = (force = false): void => {
		let growth = heapAndBuffers() - before;
		if (growth > collectAbove) {
			// Above the line: only a value that survives a collection counts (none between collections).
			if (!force && Date.now() - collectedAt < COLLECT_EVERY_MS) return;
			collect();
			collectedAt = Date.now();
			growth = heapAndBuffers() - before;
		}
		peak = Math.max(peak, growth);
	};
	const timer = setInterval(sample, everyMs);
	return {
		stop() {
			clearInterval(timer);
			sample(true);
			return peak;
		},
	};
}
