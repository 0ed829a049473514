#!/usr/bin/env node
// What the search widget adds over the engine, in bytes: pressroom.js, pressroom-worker.js (both
// minified, from www/dist/) and pressroom.css as shipped (the engine layer pressroom-core.js and
// the wasm-bindgen glue are the engine's, not the widget's). Prints raw and gzip sizes per file and in total, and writes them
// into BENCHMARKS.md between the widget-size markers, just before `## History` the first time.
//
//   node bench/widget-size.mjs            # prints the sizes and updates BENCHMARKS.md
//   node bench/widget-size.mjs --check    # prints them and fails over budget; writes nothing
//
// Gzip at level 9, as a static host or CDN compresses these files once and caches them.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILES = ['pressroom.js', 'pressroom-worker.js', 'pressroom.css'];
const BUDGET_GZIP = 25 * 1024;
const START = '<!-- widget-size:start -->';
const END = '<!-- widget-size:end -->';

// The scripts ship as www/minify.mjs minified them into www/dist/ (see index-builder/build.rs).
const shipped = (name) => (name.endsWith('.js') ? path.join(root, 'www/dist', name) : path.join(root, 'www', name));
const rows = FILES.map((name) => {
  const bytes = readFileSync(shipped(name));
  return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
// The same files as www/ holds them, unminified, for comparison.
const sourceGzip = FILES.reduce((sum, name) => sum + gzipSync(readFileSync(path.join(root, 'www', name)), { level: 9 }).length, 0);
const total = {
  name: 'total',
  raw: rows.reduce((sum, row) => sum + row.raw, 0),
  gzip: rows.reduce((sum, row) => sum + row.gzip, 0),
};

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const table = [
  '| file | raw | gzip -9 |',
  '|---|---:|---:|',
  ...rows.map((row) => `| \`${row.name}\` | ${kb(row.raw)} | ${kb(row.gzip)} |`),
  `| **total** | **${kb(total.raw)}** | **${kb(total.gzip)}** |`,
].join('\n');
const within = total.gzip <= BUDGET_GZIP;
const block = [
  START,
  '## Widget size',
  '',
  'What the search widget adds over the engine (`pressroom-core.js` and the wasm-bindgen glue are',
  'not counted), as the builder ships it (the scripts minified into `www/dist/` by',
  `\`node www/minify.mjs\`); measured by \`node bench/widget-size.mjs\`. Budget: ${kb(BUDGET_GZIP)}`,
  `gzipped in total, ${within ? 'met' : '**exceeded**'}. Unminified, as \`www/\` holds them: ${kb(sourceGzip)} gzipped.`,
  '',
  table,
  END,
].join('\n');

const check = process.argv.includes('--check');
for (const row of [...rows, total]) console.log(`${row.name.padEnd(20)} ${kb(row.raw).padStart(9)} raw ${kb(row.gzip).padStart(9)} gzip`);
console.log(`budget ${kb(BUDGET_GZIP)} gzip: ${within ? 'met' : 'EXCEEDED'}`);
if (check) process.exit(within ? 0 : 1);

const reportPath = path.join(root, 'BENCHMARKS.md');
const report = readFileSync(reportPath, 'utf8');
let updated;
if (report.includes(START) && report.includes(END)) {
  updated = report.slice(0, report.indexOf(START)) + block + report.slice(report.indexOf(END) + END.length);
} else if (report.includes('\n## History')) {
  const at = report.indexOf('\n## History') + 1;
  updated = `${report.slice(0, at)}${block}\n\n${report.slice(at)}`;
} else {
  updated = `${report.trimEnd()}\n\n${block}\n`;
}
writeFileSync(reportPath, updated);
console.log(`${path.relative(process.cwd(), reportPath) || reportPath} updated`);
