'use strict';
// Memory measurement shared by the benchmark's workers and its orchestrator.
//
// Linux gives the exact figure: VmHWM (the peak resident set size) in /proc/<pid>/status,
// which a process can reset to its current RSS by writing "5" to /proc/<pid>/clear_refs.
// Elsewhere (or when that is refused) the peak comes from sampling RSS every SAMPLE_MS,
// which can miss a short spike inside one synchronous call.

const fs = require('node:fs');

const SAMPLE_MS = 20;

function procStatus(pid = 'self') {
	try {
		const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key) => {
			const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
			return m ? Number(m[1]) * 1024 : undefined;
		};
		return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
	} catch {
		return undefined;
	}
}

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat; undefined when unreadable. */
function procCpuMs(pid = 'self') {
	try {
		const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15 (clock ticks, 100 a second).
		const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
	} catch {
		return undefined;
	}
}

/** Reset this process's VmHWM to its current RSS. Returns whether the kernel allowed it. */
function resetPeak() {
	try {
		fs.writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false;
	}
}

/**
 * Watch this process's memory from now on: `stop()` returns { baseline, peak, growth, method } in bytes.
 * Call global.gc() (node --expose-gc) before, so the baseline is not inflated by garbage.
 */
function watchSelf() {
	const exact = resetPeak() && procStatus()?.hwm !== undefined;
	const baseline = process.memoryUsage.rss();
	let sampled = baseline;
	const timer = setInterval(() => {
		const rss = process.memoryUsage.rss();
		if (rss > sampled) sampled = rss;
	}, SAMPLE_MS);
	return {
		stop() {
			clearInterval(timer);
			const now = process.memoryUsage.rss();
			const hwm = exact ? procStatus().hwm : undefined;
			const peak = Math.max(sampled, now, hwm ?? 0);
			return { baseline, peak, growth: peak - baseline, method: exact ? 'VmHWM' : `rss sampled every ${SAMPLE_MS} ms` };
		},
	};
}

/**
 * Watch another process by pid (polls /proc/<pid>/status every `everyMs`). `stop()` returns
 * { samples: [{ t, rss }], hwm } — the last VmHWM seen, i.e. the peak of the whole process.
 */
function watchPid(pid, everyMs = SAMPLE_MS) {
	const samples = [];
	let hwm = 0;
	const poll = () => {
		const s = procStatus(pid);
		if (!s || s.rss === undefined) return;
		samples.push({ t: Date.now(), rss: s.rss });
		if (s.hwm > hwm) hwm = s.hwm;
	};
	poll();
	const timer = setInterval(poll, everyMs);
	return {
		stop() {
			clearInterval(timer);
			return { samples, hwm };
		},
	};
}

/** Child pids of a process (all its threads'), from /proc/<pid>/task/<tid>/children; [] when unreadable. */
function childPids(pid) {
	try {
		return fs.readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
			try {
				return fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
			} catch {
				return [];
			}
		});
	} catch {
		return [];
	}
}

function commandLine(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
	} catch {
		return '';
	}
}

/**
 * Watch a process and every descendant it starts (n8n's task runner), each on its own, by
 * polling /proc every `everyMs`. `stop()` returns the root's { samples (with cpuMs), hwm } (as watchPid)
 * plus `descendants`: [{ pid, command, samples, hwm }] for every process seen below it.
 */
function watchTree(pid, everyMs = SAMPLE_MS) {
	const seen = new Map();
	const track = (p) => {
		let entry = seen.get(p);
		if (!entry) seen.set(p, (entry = { pid: p, command: commandLine(p), samples: [], hwm: 0 }));
		const s = procStatus(p);
		if (!s || s.rss === undefined) return;
		entry.samples.push({ t: Date.now(), rss: s.rss, cpuMs: procCpuMs(p) });
		if (s.hwm > entry.hwm) entry.hwm = s.hwm;
	};
	const poll = () => {
		const queue = [pid];
		while (queue.length) {
			const p = queue.shift();
			track(p);
			queue.push(...childPids(p));
		}
	};
	poll();
	const timer = setInterval(poll, everyMs);
	return {
		stop() {
			clearInterval(timer);
			const root = seen.get(pid) ?? { samples: [], hwm: 0 };
			const descendants = [...seen.values()].filter((e) => e.pid !== pid);
			return { samples: root.samples, hwm: root.hwm, descendants };
		},
	};
}

module.exports = { SAMPLE_MS, procStatus, procCpuMs, resetPeak, watchSelf, watchPid, watchTree };
