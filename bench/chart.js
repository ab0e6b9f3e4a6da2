'use strict';
// A small hand-written SVG line chart (no plotting dependency): peak memory growth against
// file size, one line per series, log-scaled x axis, a dashed goal line, failures marked ×.

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * series: [{ label, color, dash?, points: [{ x, y } | { x, failed: true }] }]  (x in MB, y in MB)
 * Returns the SVG text.
 */
function lineChart({ title, xLabel, yLabel, series, goal }) {
	const W = 720;
	const H = 400;
	const m = { top: 48, right: 210, bottom: 56, left: 70 };
	const pw = W - m.left - m.right;
	const ph = H - m.top - m.bottom;
	const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
	const ys = series.flatMap((s) => s.points.filter((p) => !p.failed).map((p) => p.y));
	const yMaxRaw = Math.max(goal?.y ?? 0, ...ys, 1);
	const step = niceStep(yMaxRaw / 5);
	const yMax = Math.ceil((yMaxRaw * 1.08) / step) * step;
	const lx = (x) => Math.log(x);
	const [x0, x1] = [lx(xs[0]), lx(xs[xs.length - 1])];
	const px = (x) => m.left + (x1 === x0 ? pw / 2 : ((lx(x) - x0) / (x1 - x0)) * pw);
	const py = (y) => m.top + ph - (y / yMax) * ph;
	const out = [];
	out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
	out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
	out.push(`<text x="${m.left}" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`);
	for (let y = 0; y <= yMax + 1e-9; y += step) {
		out.push(`<line x1="${m.left}" y1="${py(y).toFixed(1)}" x2="${m.left + pw}" y2="${py(y).toFixed(1)}" stroke="#e5e5e5"/>`);
		out.push(`<text x="${m.left - 8}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end" fill="#555">${fmtNum(y)}</text>`);
	}
	for (const x of xs) {
		out.push(`<line x1="${px(x).toFixed(1)}" y1="${m.top}" x2="${px(x).toFixed(1)}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
		out.push(`<text x="${px(x).toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle" fill="#555">${x >= 1024 ? `${x / 1024} GB` : `${x} MB`}</text>`);
	}
	out.push(`<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="#333"/>`);
	out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}" stroke="#333"/>`);
	out.push(`<text x="${m.left + pw / 2}" y="${H - 14}" text-anchor="middle" fill="#333">${esc(xLabel)}</text>`);
	out.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#333">${esc(yLabel)}</text>`);
	if (goal) {
		out.push(`<line x1="${m.left}" y1="${py(goal.y).toFixed(1)}" x2="${m.left + pw}" y2="${py(goal.y).toFixed(1)}" stroke="#2a9d4b" stroke-dasharray="6 4"/>`);
		out.push(`<text x="${m.left + 6}" y="${(py(goal.y) - 6).toFixed(1)}" fill="#2a9d4b">${esc(goal.label)}</text>`);
	}
	series.forEach((s, i) => {
		const ok = s.points.filter((p) => !p.failed);
		if (ok.length > 1) {
			const d = ok.map((p, j) => `${j ? 'L' : 'M'}${px(p.x).toFixed(1)} ${py(p.y).toFixed(1)}`).join(' ');
			out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
		}
		for (const p of ok) out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${s.color}"/>`);
		for (const p of s.points.filter((q) => q.failed)) {
			const cx = px(p.x) + (i - (series.length - 1) / 2) * 9;
			const cy = m.top + 10;
			out.push(`<path d="M${cx - 5} ${cy - 5} L${cx + 5} ${cy + 5} M${cx - 5} ${cy + 5} L${cx + 5} ${cy - 5}" stroke="${s.color}" stroke-width="2.5"/>`);
		}
		const ly = m.top + 8 + i * 22;
		const lx0 = m.left + pw + 18;
		out.push(`<line x1="${lx0}" y1="${ly}" x2="${lx0 + 26}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
		out.push(`<text x="${lx0 + 32}" y="${ly + 4}" fill="#222">${esc(s.label)}</text>`);
	});
	if (series.some((s) => s.points.some((p) => p.failed))) {
		const ly = m.top + 8 + series.length * 22 + 6;
		out.push(`<text x="${m.left + pw + 18}" y="${ly + 4}" fill="#555">× = the run failed</text>`);
	}
	out.push('</svg>');
	return `${out.join('\n')}\n`;
}

function niceStep(raw) {
	const p = 10 ** Math.floor(Math.log10(raw || 1));
	for (const f of [1, 2, 2.5, 5, 10]) if (raw <= f * p) return f * p;
	return 10 * p;
}

function fmtNum(v) {
	return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

module.exports = { lineChart };
