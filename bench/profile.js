'use strict';
// Summarises a V8 .cpuprofile (node --cpu-prof): where the time went, by package and by function,
// within the window where a `marker` frame is on the stack (matched against "functionName@url",
// e.g. /^execute@.*HttpRequestV3/: module loading at boot stays outside the window).
//
//   node bench/profile.js <file.cpuprofile> <markerRegex>

const fs = require('node:fs');

function packageOf(url) {
	if (!url) return undefined;
	if (/n8n-nodes-message-files[\\/]dist|[\\/]main[\\/]dist[\\/]/.test(url)) return 'this node (dist)';
	const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(url.split('node_modules').length > 2 ? url.slice(url.lastIndexOf('node_modules')) : url);
	if (m) return m[1].replace('\\', '/');
	if (url.startsWith('node:')) return 'node internals';
	return 'other';
}

/**
 * Samples with a `marker` frame on their stack (CPU spent inside that code, synchronously or
 * in its resumed async functions; I/O callbacks that run on their own stacks are not included),
 * grouped by the leaf frame's package and function, and by what the marked code called:
 * the frame just above the deepest frame whose url matches `own` (e.g. the node's bundle).
 */
function summarize(file, marker, own = /n8n-nodes-message-files[\\/]dist/) {
	const p = JSON.parse(fs.readFileSync(file, 'utf8'));
	const byId = new Map(p.nodes.map((n) => [n.id, n]));
	const parent = new Map();
	for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const markerRe = new RegExp(marker);
	const stackOf = (id) => {
		const frames = [];
		for (let cur = id; cur !== undefined; cur = parent.get(cur)) frames.push(byId.get(cur).callFrame);
		return frames; // leaf first
	};
	const label = (cf) => {
		const special = cf.functionName.startsWith('(') ? cf.functionName : undefined;
		const pkg = special ?? packageOf(cf.url) ?? 'node internals';
		return { pkg, fn: `${cf.functionName || '(anonymous)'} [${pkg}${cf.url ? `:${cf.lineNumber + 1}` : ''}]` };
	};
	const byPackage = new Map();
	const byFunction = new Map();
	const byCallee = new Map();
	const add = (map, k, us) => map.set(k, (map.get(k) ?? 0) + us);
	let total = 0;
	let all = 0;
	const cache = new Map();
	p.samples.forEach((id, i) => {
		const us = p.timeDeltas[i + 1] ?? 0;
		all += us;
		let info = cache.get(id);
		if (!info) {
			const stack = stackOf(id);
			const marked = stack.some((cf) => markerRe.test(`${cf.functionName}@${cf.url}`));
			const leaf = label(stack[0]);
			const deepestOwn = stack.findIndex((cf) => own.test(cf.url));
			const callee = deepestOwn > 0 ? label(stack[deepestOwn - 1]) : deepestOwn === 0 ? { fn: `(own code) ${leaf.fn}` } : undefined;
			info = { marked, leaf, callee };
			cache.set(id, info);
		}
		if (!info.marked) return;
		total += us;
		add(byPackage, info.leaf.pkg, us);
		add(byFunction, info.leaf.fn, us);
		if (info.callee) add(byCallee, info.callee.fn, us);
	});
	const top = (map, k) =>
		[...map]
			.sort((a, b) => b[1] - a[1])
			.slice(0, k)
			.map(([name, us]) => ({ name, ms: us / 1000, share: total ? us / total : 0 }));
	return { markedMs: total / 1000, profileMs: all / 1000, packages: top(byPackage, 10), functions: top(byFunction, 12), callees: top(byCallee, 10) };
}

module.exports = { summarize };

if (require.main === module) {
	const s = summarize(process.argv[2], process.argv[3]);
	process.stdout.write(`${s.markedMs.toFixed(0)} ms of ${s.profileMs.toFixed(0)} ms with the marker on the stack\n\nby package\n`);
	for (const x of s.packages) process.stdout.write(`${x.ms.toFixed(0).padStart(7)} ms ${(x.share * 100).toFixed(1).padStart(5)} %  ${x.name}\n`);
	process.stdout.write('\nby function (self time)\n');
	for (const x of s.functions) process.stdout.write(`${x.ms.toFixed(0).padStart(7)} ms ${(x.share * 100).toFixed(1).padStart(5)} %  ${x.name}\n`);
	process.stdout.write('\nby what the own code called\n');
	for (const x of s.callees) process.stdout.write(`${x.ms.toFixed(0).padStart(7)} ms ${(x.share * 100).toFixed(1).padStart(5)} %  ${x.name}\n`);
}
