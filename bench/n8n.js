'use strict';
// The benchmark's side of the real n8n: workflows, and `n8n execute` with the n8n
// process's memory watched from outside (/proc/<pid>/status) and its run data read back.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const lib = require('../test/e2e/lib');
const { watchTree } = require('./memory');

const HTTP_REQUEST = 'n8n-nodes-base.httpRequest';
const HTTP_REQUEST_VERSION = 4.2;

/** n8n wants 16-character workflow ids. */
function workflowId(name) {
	return `bench${name.replace(/[^A-Za-z0-9]/g, '')}`.padEnd(16, '0').slice(0, 16);
}

let nodeSeq = 0;
function node(name, type, typeVersion, parameters, extra = {}) {
	nodeSeq++;
	return {
		id: `00000000-0000-4000-8000-${String(nodeSeq).padStart(12, '0')}`,
		name,
		type,
		typeVersion,
		position: [220 * nodeSeq, 0],
		parameters,
		...extra,
	};
}

/** Start → [Set (the input as raw JSON) → Split Out] → …steps, in a line. */
function workflow(name, { input, split, steps }) {
	const nodes = [node('Start', 'n8n-nodes-base.manualTrigger', 1, {})];
	if (input !== undefined) {
		nodes.push(node('Input', 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify(input), options: {} }));
		if (split) nodes.push(node('Split', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: split, options: {} }));
	}
	nodes.push(...steps);
	const connections = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id: workflowId(name), name: `bench ${name}`, active: false, nodes, connections, settings: { executionOrder: 'v1' }, pinData: {} };
}

const ours = (name, parameters, credentials) => node(name, lib.NODE_TYPE, 1, { options: {}, ...parameters }, { credentials });

const httpGetFile = (name, url) =>
	node(name, HTTP_REQUEST, HTTP_REQUEST_VERSION, { url, options: { response: { response: { responseFormat: 'file' } } } });

const httpPostJson = (name, url, jsonBody, options = {}) =>
	node(name, HTTP_REQUEST, HTTP_REQUEST_VERSION, { method: 'POST', url, sendBody: true, specifyBody: 'json', jsonBody, options });

/** Replaces every long `"data": "<base64>"` value (a binary in default mode) with a short marker. */
function dropLongData(text) {
	const key = '"data": "';
	const parts = [];
	let from = 0;
	for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + key.length)) {
		const start = at + key.length;
		const end = text.indexOf('"', start);
		if (end < 0) break;
		if (end - start > 256) {
			parts.push(text.slice(from, start), '(base64 dropped by the benchmark)');
			from = end;
		}
	}
	parts.push(text.slice(from));
	return parts.join('');
}

/** `--rawOutput` prints the IRun; in default binary mode it holds every file as base64, which we drop before parsing. */
function readRun(file) {
	const size = fs.statSync(file).size;
	if (size > 450 * 1024 * 1024) return { run: undefined, tail: `(${size} bytes of output not parsed)` };
	let text = fs.readFileSync(file, 'utf8');
	if (size > 1_000_000) text = dropLongData(text);
	return { run: lib.parseRawOutput(text), tail: text.slice(-1500) };
}

/** The Node an n8n binary runs on: the one linked next to it (n8n on Node 24), else this one. */
function n8nNode(bin) {
	const linked = path.join(path.dirname(bin), 'node');
	return fs.existsSync(linked) ? linked : process.execPath;
}

const running = new Set();
process.on('exit', () => {
	for (const child of running) {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}
});

/**
 * `n8n execute --id --rawOutput` with the n8n process's RSS sampled every 20 ms, and that of
 * every process it starts (its task runner) on its own.
 * Resolves { ok, ms, run, runData, samples, hwm, descendants: [{ pid, command, samples, hwm }], error }.
 */
async function execute(n8n, work, id, { binaryMode = 'filesystem', timeoutMs = 300_000, profile, nodeFlags = [] } = {}) {
	const outFile = path.join(work, `execute-${id}-${Date.now()}.out`);
	const fd = fs.openSync(outFile, 'w');
	const started = Date.now();
	const cliArgs = ['execute', `--id=${id}`, '--rawOutput'];
	// A CPU profile of the n8n process, written when it exits (Node 20 refuses --cpu-prof in NODE_OPTIONS),
	// and V8 flags NODE_OPTIONS does not take: given to the Node that runs n8n.
	const flags = [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${profile.name}`] : []), ...nodeFlags];
	const [cmd, argv] = flags.length ? [n8nNode(n8n.bin), [...flags, fs.realpathSync(n8n.bin), ...cliArgs]] : [n8n.bin, cliArgs];
	const child = spawn(cmd, argv, {
		env: n8n.env({ N8N_DEFAULT_BINARY_DATA_MODE: binaryMode }),
		cwd: n8n.userFolder,
		detached: true,
		stdio: ['ignore', fd, fd],
	});
	fs.closeSync(fd);
	running.add(child);
	const memory = watchTree(child.pid);
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}, timeoutMs);
	const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c)));
	clearTimeout(timer);
	running.delete(child);
	const { samples, hwm, descendants } = memory.stop();
	const ms = Date.now() - started;
	const { run, tail } = readRun(outFile);
	fs.rmSync(outFile, { force: true });
	const runData = run?.data?.resultData?.runData;
	const runError = run?.data?.resultData?.error;
	const error = timedOut
		? `timed out after ${Math.round(timeoutMs / 1000)} s`
		: runError
			? `${runError.message}${runError.description ? ` (${runError.description})` : ''}`
			: code !== 0 || !run
				? `exit ${code}: ${tail.split('\n').slice(-6).join(' ').slice(0, 400)}`
				: undefined;
	return { ok: !error, error, ms, run, runData, samples, hwm, descendants };
}

/** A node's first task in the run data: its start, duration and output items. */
function task(result, nodeName) {
	const t = result.runData?.[nodeName]?.[0];
	if (!t) return undefined;
	return { startTime: t.startTime, ms: t.executionTime, items: t.data?.main?.[0] ?? [], error: t.error };
}

/**
 * Memory of the n8n process around one node: RSS when it started, the highest RSS sampled
 * while it ran, and the process's VmHWM (its peak over the whole `n8n execute`).
 */
function memoryAround(result, t) {
	const { samples, hwm } = result;
	if (!t || !samples.length) return { hwm };
	const end = t.startTime + t.ms + 40;
	let before = samples[0].rss;
	let peak = 0;
	for (const s of samples) {
		if (s.t <= t.startTime) before = s.rss;
		else if (s.t <= end && s.rss > peak) peak = s.rss;
	}
	peak = Math.max(peak, before);
	return { before, peak, growth: peak - before, hwm };
}

/**
 * CPU time (user + system) the n8n process used while one node ran: from the last sample at or
 * before its start to the first after its end (samples every 20 ms, CPU counted in 10 ms ticks).
 * Less disturbed than the node's wall time when other work shares the cores.
 */
function cpuAround(result, t) {
	const samples = (result.samples ?? []).filter((s) => s.cpuMs !== undefined);
	if (!t || !samples.length) return undefined;
	const end = t.startTime + t.ms;
	const before = [...samples].reverse().find((s) => s.t <= t.startTime);
	const after = samples.find((s) => s.t >= end);
	return before && after ? after.cpuMs - before.cpuMs : undefined;
}

module.exports = { workflowId, workflow, ours, httpGetFile, httpPostJson, execute, task, memoryAround, cpuAround };
