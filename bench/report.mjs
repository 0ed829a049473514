// BENCHMARKS.md: the new run on top, every earlier run kept below under "History".
//
// Each run is one block between `<!-- bench-run ... -->` and `<!-- /bench-run -->`. The latest is
// marked `latest`; when a newer run arrives its headings move one level down and it joins the
// history unchanged otherwise, so figures from earlier commits stay comparable.

import fs from 'node:fs';
import path from 'node:path';

const SIZE_NAMES = { '1k': '1,000', '10k': '10,000', '22k': '22,181', '100k': '100k+' };

const bytes = (b) => {
  if (b == null || !Number.isFinite(b)) return 'n/a';
  if (b >= 1e6) return `${(b / 1e6).toFixed(2)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toFixed(1)} KB`;
  return `${b} B`;
};
const ms = (v) => (v == null || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(v >= 100 ? 0 : 1)} ms`);
const secs = (v) => (v == null || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(2)} s`);
const num = (v) => (v == null || !Number.isFinite(v) ? 'n/a' : v.toLocaleString('en-US'));
const f3 = (v) => (v == null || !Number.isFinite(v) ? 'n/a' : v.toFixed(3));
const pct = (v) => (v == null || !Number.isFinite(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);

/** Pressroom / Pagefind, as text. */
export function ratio(a, b) {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b)) return 'n/a';
  if (b === 0) return a === 0 ? '— (both 0)' : '∞ (Pagefind 0)';
  const r = a / b;
  return `${r >= 10 ? r.toFixed(1) : r >= 0.01 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};

function row(label, p, f, show) {
  return `| ${label} | ${show(p)} | ${show(f)} | ${ratio(p, f)} |`;
}

function sizeSection(size, s) {
  const P = s.pressroom;
  const F = s.pagefind;
  const pb = P.browser ?? {};
  const fb = F.browser ?? {};
  const lines = [];
  lines.push(`#### ${SIZE_NAMES[size] ?? size} releases (${num(s.releases)}; site ${bytes(s.siteBytes)} of HTML)`, '');
  lines.push('| figure | Pressroom | Pagefind | Pressroom/Pagefind |', '|---|---:|---:|---:|');
  lines.push(row(`build wall time, median of ${P.buildS?.length ?? 0}`, median(P.buildS ?? []), median(F.buildS ?? []), secs));
  lines.push(`| build runs | ${(P.buildS ?? []).map((x) => x.toFixed(2)).join(', ')} s | ${(F.buildS ?? []).map((x) => x.toFixed(2)).join(', ')} s | |`);
  lines.push(row('index bytes on disk', P.indexBytes, F.indexBytes, bytes));
  lines.push(row('index files', P.indexFiles, F.indexFiles, num));
  lines.push(row('all files written (index + assets)', P.totalFiles, F.totalFiles, num));
  lines.push(row('code a visitor downloads (JS + wasm), raw', P.code?.raw, F.code?.raw, bytes));
  lines.push(row('code a visitor downloads (JS + wasm), gzipped', P.code?.gz, F.code?.gz, bytes));
  lines.push(row('code with a search-box UI, gzipped', P.codeWithUi?.gz, F.codeWithUi?.gz, bytes));
  lines.push(row(`cold start: time to top 10, median of ${pb.coldRuns ?? 0}`, pb.coldMs, fb.coldMs, ms));
  lines.push(row('cold start: bytes sent', pb.coldBytes, fb.coldBytes, bytes));
  lines.push(row('cold start: of which code (JS + wasm)', pb.coldCodeBytes, fb.coldCodeBytes, bytes));
  lines.push(row('cold start: of which index', pb.coldIndexBytes, fb.coldIndexBytes, bytes));
  lines.push(row('cold start: requests', pb.coldRequests, fb.coldRequests, num));
  lines.push(row(`warm query latency, median (${pb.warmN ?? 0} queries)`, pb.warmMedianMs, fb.warmMedianMs, ms));
  lines.push(row('warm query latency, p95', pb.warmP95Ms, fb.warmP95Ms, ms));
  lines.push(row('bytes per warm query, median', pb.warmMedianBytes, fb.warmMedianBytes, bytes));
  lines.push(row('bytes per warm query, p95', pb.warmP95Bytes, fb.warmP95Bytes, bytes));
  lines.push(row(`latency per keystroke, median (${pb.keyN ?? 0} keystrokes)`, pb.keyMedianMs, fb.keyMedianMs, ms));
  lines.push(row('latency per keystroke, p95', pb.keyP95Ms, fb.keyP95Ms, ms));
  lines.push(row('bytes per keystroke, median', pb.keyMedianBytes, fb.keyMedianBytes, bytes));
  lines.push(row('bytes per keystroke, p95', pb.keyP95Bytes, fb.keyP95Bytes, bytes));
  const notes = [];
  for (const [name, e] of [['Pressroom', P], ['Pagefind', F]]) {
    if (e.browserError) notes.push(`${name}: the browser figures could not be measured: \`${e.browserError.replace(/`/g, "'")}\`.`);
  }
  if ((P.buildS?.length ?? 0) === 1) notes.push('One build per engine at this size (the 100k+ size gets one build by default, to keep the whole run under 30 minutes).');
  for (const [name, b] of [['Pressroom', pb], ['Pagefind', fb]]) {
    if (b.coldComplete === false) notes.push(`${name}: a cold-start result lacked url, title or excerpt (or had no hits).`);
    if (b.errors?.length) notes.push(`${name}: browser console errors: ${b.errors.map((e) => '`' + e.slice(0, 160).replace(/`/g, "'") + '`').join('; ')}`);
  }
  notes.push(`Code fetched: Pressroom ${P.code?.files?.map((f) => '`' + f + '`').join(', ') || 'n/a'}; Pagefind ${F.code?.files?.map((f) => '`' + f + '`').join(', ') || 'n/a'} (its UI adds \`pagefind-ui.js\`; Pressroom's widget adds \`pressroom.js\` and \`pressroom-worker.js\`).`);
  lines.push('', ...notes.map((n) => `- ${n}`), '', '');
  return lines.join('\n');
}

function qualitySection(results) {
  const lines = [];
  for (const [size, s] of Object.entries(results.sizes)) {
    const P = s.pressroom.quality;
    const F = s.pagefind.quality;
    if (!P || !F) {
      lines.push(`- ${SIZE_NAMES[size] ?? size}: ${s.qualitySkipped ?? s.qualityError ?? 'not measured'}.`);
      continue;
    }
    lines.push('', `#### ${SIZE_NAMES[size] ?? size} releases`, '');
    lines.push('| kind | queries | MRR@10 Pressroom | MRR@10 Pagefind | ratio | success@1 Pressroom | success@1 Pagefind | success@10 Pressroom | success@10 Pagefind |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const k of ['title', 'prefix', 'typo', 'body']) {
      const p = P[k] ?? {};
      const f = F[k] ?? {};
      lines.push(`| ${k} | ${p.n ?? 'n/a'} | ${f3(p.mrr)} | ${f3(f.mrr)} | ${ratio(p.mrr, f.mrr)} | ${pct(p.s1)} | ${pct(f.s1)} | ${pct(p.s10)} | ${pct(f.s10)} |`);
    }
    if (s.pressroom.parity) {
      lines.push('', `Parity check in this run: ${s.pressroom.parity.identical} of ${s.pressroom.parity.checked} queries (every 25th) gave the same top-10 URLs in the browser as natively.`);
    }
  }
  return lines.join('\n');
}

function targets(results) {
  const sizes = Object.keys(results.sizes);
  const at = sizes.includes('22k') ? '22k' : sizes[sizes.length - 1];
  const s = results.sizes[at];
  const big = results.sizes['100k'];
  const P = s?.pressroom ?? {};
  const F = s?.pagefind ?? {};
  const rows = [];
  const add = (target, p, f, limit, { lessThan = false, show = bytes } = {}) => {
    let r = null;
    if (Number.isFinite(p) && Number.isFinite(f)) r = f === 0 ? (p === 0 ? 1 : Infinity) : p / f;
    const met = r == null ? 'not measured' : (lessThan ? r < limit : r <= limit) ? '**met**' : 'not met';
    rows.push(`| ${target} | ${show(p)} | ${show(f)} | ${ratio(p, f)} | ${met} |`);
  };
  const where = `at ${SIZE_NAMES[at] ?? at}`;
  add(`cold first-query bytes ≤ 0.5× Pagefind ${where}`, P.browser?.coldBytes, F.browser?.coldBytes, 0.5);
  add(`bytes per later query (median) ≤ 0.5× ${where}`, P.browser?.warmMedianBytes, F.browser?.warmMedianBytes, 0.5);
  add(`total index bytes ≤ 0.6× ${where}`, P.indexBytes, F.indexBytes, 0.6);
  add(`index files ≤ 1/20 ${where}`, P.indexFiles, F.indexFiles, 0.05, { show: num });
  add(`build wall time ≤ 0.25× ${where}`, median(P.buildS ?? []), median(F.buildS ?? []), 0.25, { show: secs });
  add(`latency per keystroke, median ≤ 0.5× ${where}`, P.browser?.keyMedianMs, F.browser?.keyMedianMs, 0.5, { show: ms });
  add(`latency per keystroke, p95 ≤ 0.5× ${where}`, P.browser?.keyP95Ms, F.browser?.keyP95Ms, 0.5, { show: ms });
  const growth = (e) => (big && s ? big[e]?.browser?.coldBytes / s[e]?.browser?.coldBytes : NaN);
  if (big && at === '22k') {
    const g = growth('pressroom');
    rows.push(`| cold-start bytes growth 22k → 100k+ < 2× (Pressroom's own growth) | ${Number.isFinite(g) ? g.toFixed(2) + '×' : 'n/a'} | ${Number.isFinite(growth('pagefind')) ? growth('pagefind').toFixed(2) + '×' : 'n/a'} | | ${Number.isFinite(g) ? (g < 2 ? '**met**' : 'not met') : 'not measured'} |`);
  } else {
    rows.push('| cold-start bytes growth 22k → 100k+ < 2× | n/a | n/a | | not measured: this run lacks the 22k or 100k+ size |');
  }
  const goals = { title: 0.95, prefix: 0.92, typo: 0.85, body: 0.6 };
  for (const [k, goal] of Object.entries(goals)) {
    const p = P.quality?.[k]?.mrr;
    const f = F.quality?.[k]?.mrr;
    const met = p == null || f == null ? 'not measured' : p >= goal && p >= f ? '**met**' : 'not met';
    rows.push(`| MRR@10 ${k} ≥ ${goal.toFixed(2)} and ≥ Pagefind ${where} | ${f3(p)} | ${f3(f)} | ${ratio(p, f)} | ${met} |`);
  }
  return ['| target | Pressroom | Pagefind | Pressroom/Pagefind | this run |', '|---|---:|---:|---:|---|', ...rows].join('\n');
}

function runBlock(results, charts) {
  const e = results.env;
  const date = e.date.slice(0, 10);
  const input = Object.values(results.sizes)[0]?.pressroom?.input ?? 'jsonl';
  const L = [];
  L.push(`<!-- bench-run latest -->`);
  L.push(`## Run of ${date}${e.quick ? ' (quick: 1k only)' : ''}, commit ${e.commit}${e.dirty ? ' with uncommitted changes' : ''}`, '');
  L.push(`- Machine: ${e.nproc} cores (${e.cpu}), ${e.ramGiB.toFixed(1)} GiB RAM; shared with other work, so times are noisy: read the ratios, measured in the same run.`);
  L.push(`- Versions: ${e.rustc}; Node.js ${e.node}; ${e.chromium}; pagefind ${e.pagefind.replace(/^pagefind\s*/, '')}; ${e.pressroom}; git ${e.commit}${e.dirty ? ' (the working tree had uncommitted changes outside bench/, built into the binary)' : ''}.`);
  L.push(`- Date: ${e.date}. Whole run: ${(results.totalS / 60).toFixed(1)} min. Command: \`cargo xtask bench${e.quick ? ' --quick' : ''}\`.`);
  for (const w of results.warnings ?? []) L.push(`- **Warning:** ${w}.`);
  L.push('');
  L.push('### Targets', '', targets(results), '');
  L.push('### Build, download and speed', '');
  L.push('Ratios are Pressroom / Pagefind: below 1× Pressroom is smaller or faster. Times are medians; "p95" is the nearest-rank 95th percentile.', '');
  for (const [size, s] of Object.entries(results.sizes)) L.push(sizeSection(size, s));
  L.push('### Finding the right release', '');
  L.push(`${results.knownItems.sample} releases sampled from the 1k subset (seed ${results.knownItems.seed}), four queries each, in \`bench/queries/known-item.json\`. Pressroom is measured natively with \`pressroom-index query DIR --batch --limit 10\`: the browser gives the same hits (the native/browser parity end-to-end test in \`tests/e2e/\` proves it, and this run re-checks a slice); Pagefind in the browser, top 10 by \`data()\`.`);
  L.push(qualitySection(results), '', '');
  L.push('### Scaling', '');
  L.push(charts.map((c) => `![${c}](${c})`).join('\n'), '');
  L.push('### Method and exact commands', '');
  L.push(`- Input: \`${results.env.shared}\` → the 22,181 press releases in a fixed shuffled order (seed in \`bench/corpus.mjs\`); 1k and 10k are its prefixes. 100k+ = the press releases three times (copies 2 and 3 with ids \`<id>#copy-N\` and URLs \`/copy-N/…\`) plus all 39,478 lines of \`multilingual.jsonl.gz\` (${num(results.sizes['100k']?.releases)} releases).`);
  L.push(`- Site: one HTML page per release (head with title and description, header nav, \`<main data-pagefind-body>\` with h1, time, article paragraphs/lists and categories, footer); \`<html lang>\` is the release's language, so at 100k+ Pagefind splits its index by language and the English bench page loads only the English part.`);
  L.push(input === 'html'
    ? '- Pressroom indexes the generated HTML site itself (`--pressroom-input auto` found that `pressroom-index build <site>` reads HTML).'
    : '- **Pressroom indexes the JSONL the site was generated from, not the HTML**: `pressroom-index build` does not read HTML in this build (`--pressroom-input auto` probes it each run; `--pressroom-input html` forces the site). Both engines see the same releases, titles and page URLs.');
  for (const [size, s] of Object.entries(results.sizes)) {
    L.push(`- ${SIZE_NAMES[size] ?? size}: \`${s.pressroom.command}\`; \`${s.pagefind.command}\` (run from the repository root; Pagefind's binary from \`bench/node_modules/@pagefind/\`).`);
  }
  L.push('- Browser: `/usr/bin/chromium` via playwright-core with `' + results.env.chromiumArgs.join(' ') + '`; a new context (empty cache) per cold start. Server: `bench/server.mjs` on 127.0.0.1, gzip (level 6, cached as a CDN edge would) for text, JS, CSS, JSON, wasm and SVG, other files as they are (a byte range of one read from the disk on its own, as static hosts serve ranges; before 2026-11-30 evening runs the server read the whole file for each range, which slowed every range request of Pressroom; several ranges in one request are answered with one multipart/byteranges body, as nginx and Apache answer them, since runs after 2026-11-30 22:00); bytes counted are response bodies as sent, headers excluded.');
  L.push('- Cold start: from the first call (import, open/init, search) on a fresh page to the top 10 with url, title and excerpt; query `' + 'first line of bench/queries/perf.txt' + '`; 3 runs. Warm queries: the other 19 lines of `bench/queries/perf.txt`, each new, in the page of the first cold run. Keystrokes: a fresh page, the engine opened first (untimed), then search on every prefix of all 20 queries. Pagefind: `import(\'/pagefind/pagefind.js\')`, `init()`, `search(q)`, `data()` of the first 10; Pressroom: `Pressroom.open(\'/x/\')`, `search(q, {limit: 10})`.');
  L.push('- Index bytes: every file in the output folder except the engine\'s code, CSS and type definitions (Pressroom: `pressroom.js`, `pressroom.css`, `pressroom_engine.js`, `pressroom_engine_bg.wasm` and its gzipped copy `pressroom_engine_bg.wasm.gz`, `pressroom_engine_fold_*.bin` (the engine\'s folding of characters outside the common scripts, fetched the first time a search meets one: code, not index), `pressroom_engine.d.ts`, `pressroom.d.ts`, `pressroom-*.js` — `index.pri` and the `pressroom-*.bin` parts are the index; Pagefind: `*.js`, `*.css`, `wasm.*.pagefind`). Code sizes: "raw" is uncompressed (both engines ship their wasm gzipped, Pressroom from 2026-12-01; it is inflated to count), "gzipped" as served.');
  L.push('', '<details><summary>Phase timings</summary>', '');
  for (const p of results.phases) L.push(`- ${p.s.toFixed(1)} s — ${p.name}`);
  L.push('', '</details>', '', '<!-- /bench-run -->');
  return L.join('\n');
}

const HEADER = `# Benchmarks

Pressroom against [Pagefind](https://pagefind.app/) 1.6 on the same input, on the same machine, in
the same run. Regenerated by \`cargo xtask bench\` (see \`bench/run.mjs\` for options;
\`--quick\` is a 1k-only smoke run that writes to \`bench/work/quick/\`). The newest run is on top;
earlier runs stay below under "History" so that regressions show. The charts show the newest run.

Pressroom's builds are timed clean (\`--no-cache\`) from the run of 2026-11-29 03:21 UTC on. Earlier
runs under "History" built in the repository with the builder's incremental cache on (its
default), so their second and third builds reused the first one's analysis and their build
medians are too low.
`;

/** Writes the report to `file`, keeping earlier runs found there. */
export function writeReport(results, file, charts) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const blocks = [...old.matchAll(/<!-- bench-run( latest)? -->[\s\S]*?<!-- \/bench-run -->/g)].map((m) =>
    m[1]
      ? m[0].replace(/<!-- bench-run latest -->/, '<!-- bench-run -->').replace(/^(#{1,5}) /gm, '#$1 ')
      : m[0],
  );
  // Sections written by other benchmarks (e.g. `<!-- incremental:start -->`) are kept as they are.
  const kept = [...old.matchAll(/<!-- ([a-z-]+):start -->[\s\S]*?<!-- \1:end -->/g)].map((m) => m[0]);
  const text = [HEADER, runBlock(results, charts), '', ...kept.flatMap((k) => [k, '']), '## History', '', blocks.length ? blocks.join('\n\n') : 'No earlier runs.', ''].join('\n');
  fs.writeFileSync(file, text);
}
