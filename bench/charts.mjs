// Scaling charts as hand-written SVG: one line chart per figure, corpus size (log scale) on x,
// both engines as lines with labelled points.

import fs from 'node:fs';
import path from 'node:path';

const ENGINES = [
  { key: 'pressroom', name: 'Pressroom', color: '#1565c0', dash: '' },
  { key: 'pagefind', name: 'Pagefind', color: '#e65100', dash: '6 4' },
];

const CHARTS = [
  { file: 'index-bytes.svg', title: 'Total index bytes on disk', unit: 'MB', get: (e) => e.indexBytes / 1e6 },
  { file: 'cold-start-bytes.svg', title: 'Cold start: bytes sent for the first query', unit: 'MB', get: (e) => e.browser?.coldBytes / 1e6 },
  { file: 'build-time.svg', title: 'Build wall time (median)', unit: 's', get: (e) => e.buildMedianS },
  { file: 'keystroke-latency.svg', title: 'Latency per keystroke (median)', unit: 'ms', get: (e) => e.browser?.keyMedianMs },
];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

export function lineChart({ title, unit, series }) {
  const W = 640;
  const H = 360;
  const m = { l: 70, r: 20, t: 40, b: 60 };
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  // A log scale when the engines are far apart, so the smaller line does not sit on the axis.
  const pos = ys.filter((y) => y > 0);
  const logY = pos.length > 1 && Math.max(...pos) / Math.min(...pos) > 20;
  const yMax = logY ? 10 ** Math.ceil(Math.log10(Math.max(...pos))) : niceMax(Math.max(...ys, 0));
  const yMin = logY ? 10 ** Math.floor(Math.log10(Math.min(...pos))) : 0;
  const lx = (x) => Math.log10(x);
  const [x0, x1] = xs.length > 1 ? [lx(xs[0]), lx(xs[xs.length - 1])] : [lx(xs[0] ?? 1) - 1, lx(xs[0] ?? 1) + 1];
  // Points sit inside the axes so their labels clear the y axis and the right edge.
  const px = (x) => m.l + 36 + ((lx(x) - x0) / (x1 - x0)) * (W - m.l - m.r - 72);
  const frac = (y) => (logY ? (Math.log10(Math.max(y, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) : y / yMax);
  const py = (y) => H - m.b - frac(y) * (H - m.t - m.b);
  const ticks = [];
  if (logY) {
    for (let d = yMin; d <= yMax * 1.0001; d *= 10) for (const k of [1, 2, 5]) if (d * k <= yMax * 1.0001) ticks.push(d * k);
  } else {
    for (let i = 0; i <= 5; i++) ticks.push((yMax * i) / 5);
  }
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  for (const y of ticks) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    out.push(`<text x="${px(x)}" y="${H - m.b + 16}" text-anchor="middle">${x.toLocaleString('en-US')}</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/>`);
  out.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - m.b + 34}" text-anchor="middle">releases indexed (log scale)</text>`);
  out.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(unit)}${logY ? ' (log scale)' : ''}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.y));
    if (pts.length) {
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`);
    }
    for (const p of pts) {
      out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
      // The label goes above the higher point at this x and below the lower one.
      const others = series.filter((o) => o !== s).flatMap((o) => o.points.filter((q) => q.x === p.x && Number.isFinite(q.y)));
      const higher = others.length ? others.every((q) => p.y >= q.y) : true;
      out.push(`<text x="${px(p.x).toFixed(1)}" y="${(py(p.y) + (higher ? -8 : 16)).toFixed(1)}" text-anchor="middle" fill="${s.color}">${fmt(p.y)}</text>`);
    }
    const lxp = m.l + 12 + i * 130;
    out.push(`<line x1="${lxp}" x2="${lxp + 24}" y1="${H - 12}" y2="${H - 12}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${lxp + 30}" y="${H - 8}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Writes the charts for `results` into `dir`; returns their paths. */
export function writeCharts(results, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const files = [];
  for (const c of CHARTS) {
    const series = ENGINES.map((e) => ({
      ...e,
      points: Object.values(results.sizes).map((s) => ({ x: s.releases, y: c.get(s[e.key]) })),
    }));
    const file = path.join(dir, c.file);
    fs.writeFileSync(file, lineChart({ title: c.title, unit: c.unit, series }));
    files.push(file);
  }
  return files;
}
