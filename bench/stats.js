'use strict';
// Medians, spreads and number formatting for the benchmark.

const MB = 1024 * 1024;

const finite = (values) => values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);

function med(values) {
	const v = finite(values);
	if (!v.length) return NaN;
	const m = Math.floor(v.length / 2);
	return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** { median, min, max, n } of the finite values. */
function spread(values) {
	const v = finite(values);
	return { median: med(v), min: v.length ? v[0] : NaN, max: v.length ? v[v.length - 1] : NaN, n: v.length };
}

const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const fmtRatio = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–');
const fmtMB = (bytes) => (Number.isFinite(bytes) ? `${(bytes / MB).toFixed(0)} MB` : '–');

module.exports = { MB, med, spread, fmt, fmtRatio, fmtMB };
