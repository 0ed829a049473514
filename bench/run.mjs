// `cargo xtask bench`: Pressroom against Pagefind on the same input, on the same machine, in the
// same run. Writes BENCHMARKS.md (the new run on top, earlier runs kept under "History") and the
// scaling charts in bench/charts/.
//
//   node bench/run.mjs [--quick] [--sizes 1k,10k,22k,100k] [--builds 3] [--large-builds 1]
//                      [--pressroom-input auto|jsonl|html] [--bin PATH] [--out FILE]
//                      [--regen-queries]
//
// --quick: the 1k size only, written to bench/work/quick/BENCHMARKS.md unless --out says else.
// --pressroom-input: Pressroom reads the JSONL the site was generated from (`jsonl`), or the site
// itself (`html`); `auto` (the default) uses the site when a probe build shows that
// `pressroom-index build <site>` finds the pages by their URLs, and the JSONL otherwise.

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import { BENCH_PAGE, CHROMIUM, CHROMIUM_ARGS, launch, measure, rankedUrls } from './browser.mjs';
import { writeCharts } from './charts.mjs';
import { largeSet, pressReleases, writeJsonl, writeSite } from './corpus.mjs';
import { loadOrGenerate, score } from './queries.mjs';
import { writeReport } from './report.mjs';
import { serve, walk } from './server.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const WORK = path.join(BENCH, 'work');
const SHARED = path.resolve(process.env.PRESSROOM_SHARED ?? path.join(ROOT, '..', 'shared'));

// ---------------------------------------------------------------------------------------------
// Arguments and small helpers.

function parseArgs(argv) {
  const opts = {
    quick: false,
    sizes: null,
    builds: 3,
    largeBuilds: 1,
    input: 'auto',
    bin: path.join(ROOT, 'target/release/pressroom-index'),
    out: null,
    regen: false,
    qualitySizes: ['1k', '10k', '22k'],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') opts.quick = true;
    else if (a === '--sizes') opts.sizes = value().split(',');
    else if (a === '--builds') opts.builds = Number(value());
    else if (a === '--large-builds') opts.largeBuilds = Number(value());
    else if (a === '--pressroom-input') opts.input = value();
    else if (a === '--bin') opts.bin = path.resolve(value());
    else if (a === '--out') opts.out = path.resolve(value());
    else if (a === '--regen-queries') opts.regen = true;
    else if (a === '--from-results') opts.fromResults = path.resolve(value());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!['auto', 'jsonl', 'html'].includes(opts.input)) throw new Error('--pressroom-input: auto, jsonl or html');
  opts.sizes ??= opts.quick ? ['1k'] : ['1k', '10k', '22k', '100k'];
  opts.out ??= opts.quick ? path.join(WORK, 'quick', 'BENCHMARKS.md') : path.join(ROOT, 'BENCHMARKS.md');
  return opts;
}

export const median = (xs) => quantile(xs, 0.5);
/** Nearest-rank quantile (p95 of 20 values is the 19th). */
export function quantile(xs, q) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
}

const phases = [];
async function phase(name, work) {
  const t0 = Date.now();
  console.log(`\n== ${name}`);
  try {
    return await work();
  } finally {
    const s = (Date.now() - t0) / 1000;
    phases.push({ name, s });
    console.log(`== ${name}: ${s.toFixed(1)} s`);
  }
}

const rel = (p) => path.relative(ROOT, p) || '.';

function version(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return 'unknown';
  }
}

function pagefindBinary() {
  const dir = path.join(BENCH, 'node_modules/@pagefind', `${process.platform}-${process.arch}`, 'bin');
  if (fs.existsSync(dir)) {
    const bin = fs.readdirSync(dir).find((f) => /^pagefind(_extended)?(\.exe)?$/.test(f));
    if (bin) return path.join(dir, bin);
  }
  return path.join(BENCH, 'node_modules/.bin/pagefind');
}

/** Runs a command, timing it; throws with its output when it fails. */
function timed(cmd, args, { input } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 1 << 30, cwd: ROOT });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    throw new Error(`${[cmd, ...args].map(rel).join(' ')} failed (${r.status ?? r.signal}):\n${(r.stderr || r.stdout || '').slice(-2000)}`);
  }
  return { s, stdout: r.stdout, stderr: r.stderr };
}

const gzipSize = (buf) => zlib.gzipSync(buf, { level: 6 }).length;
const isGzip = (buf) => buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b;

// ---------------------------------------------------------------------------------------------
// Output folders: which files are the index and which are code.

const PRESSROOM_ASSET = /^(pressroom\.js|pressroom\.css|pressroom_engine\.js|pressroom_engine_bg\.wasm(\.gz)?|pressroom_engine_fold_[0-9a-f]+\.bin|pressroom_engine\.d\.ts|pressroom\.d\.ts|pressroom-[^/]*\.js)$/;

/** Sizes of one output folder. `kind(relPath)` says 'index', 'code' (JS/wasm), or 'other'. */
function folderStats(dir, kind) {
  const files = walk(dir).map((f) => ({ rel: path.relative(dir, f).split(path.sep).join('/'), size: fs.statSync(f).size }));
  const index = files.filter((f) => kind(f.rel) === 'index');
  const code = files.filter((f) => kind(f.rel) === 'code');
  return {
    totalFiles: files.length,
    indexFiles: index.length,
    indexBytes: index.reduce((s, f) => s + f.size, 0),
    codeFiles: code.map((f) => f.rel),
  };
}

/** Raw and gzipped bytes of `files` (relative to `dir`); gzip files count their inflated size as raw. */
function codeSize(dir, files) {
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const p = path.join(dir, f);
    if (!fs.existsSync(p)) continue;
    const buf = fs.readFileSync(p);
    if (isGzip(buf)) {
      raw += zlib.gunzipSync(buf).length;
      gz += buf.length;
    } else {
      raw += buf.length;
      gz += gzipSize(buf);
    }
  }
  return { raw, gz, files };
}

const pressroomKind = (f) => {
  // The engine's extended folding table (fetched when a search meets a character it folds) counts as code.
  if (!f.includes('/') && PRESSROOM_ASSET.test(f)) return /\.(js|wasm|wasm\.gz)$|^pressroom_engine_fold_/.test(f) ? 'code' : 'other';
  return 'index';
};
const pagefindKind = (f) => {
  if (/\.(m?js|wasm)$/.test(f) || /^wasm\.[^/]*\.pagefind$/.test(f)) return 'code';
  if (/\.css$/.test(f)) return 'other';
  return 'index';
};

// ---------------------------------------------------------------------------------------------
// The run.

const SIZE_COUNTS = { '1k': 1000, '10k': 10000, '22k': Infinity };

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.fromResults) {
    // Only the report and charts, again, from a results file an earlier run saved.
    const results = JSON.parse(fs.readFileSync(opts.fromResults, 'utf8'));
    return writeOutputs(results, opts);
  }
  const started = Date.now();
  const pagefind = pagefindBinary();
  if (!fs.existsSync(opts.bin)) throw new Error(`no ${opts.bin}: run cargo build --release -p pressroom-index`);

  const env = {
    date: new Date().toISOString(),
    nproc: os.cpus().length,
    ramGiB: os.totalmem() / 2 ** 30,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    rustc: version('rustc', ['--version']),
    node: process.version,
    chromium: version(CHROMIUM, ['--version']),
    pagefind: version(pagefind, ['--version']),
    pressroom: version(opts.bin, ['--version']),
    commit: version('git', ['-C', ROOT, 'rev-parse', '--short=12', 'HEAD']),
    // Changes that can move a figure: documentation (Markdown, docs/) cannot.
    dirty:
      version('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench', ':!*.md', ':!docs']) !== '',
    chromiumArgs: CHROMIUM_ARGS,
    shared: SHARED,
    quick: opts.quick,
  };
  console.log(env);

  const { press, sets, knownItems } = await phase('prepare inputs', () => {
    const press = pressReleases(SHARED);
    const sets = {};
    for (const size of opts.sizes) {
      if (size === '100k') sets[size] = largeSet(SHARED, press);
      else if (SIZE_COUNTS[size]) sets[size] = press.slice(0, SIZE_COUNTS[size]);
      else throw new Error(`unknown size ${size} (1k, 10k, 22k, 100k)`);
    }
    const knownItems = loadOrGenerate(path.join(BENCH, 'queries/known-item.json'), press, press.slice(0, 1000), opts.regen);
    return { press, sets, knownItems };
  });
  const perfQueries = fs.readFileSync(path.join(BENCH, 'queries/perf.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);

  const binStat = (({ mtimeMs, size }) => ({ mtimeMs, size }))(fs.statSync(opts.bin));
  const results = { warnings: [], env, opts: { ...opts, bin: rel(opts.bin) }, sizes: {}, phases, knownItems: { sample: knownItems.sample, seed: knownItems.seed } };
  let browser = null;
  let pressroomInput = opts.input;

  try {
    for (const size of opts.sizes) {
      const releases = sets[size];
      const dir = path.join(WORK, size);
      const jsonl = path.join(dir, 'releases.jsonl');
      const site = path.join(dir, 'site');
      const pressOut = path.join(site, 'x');
      const pfOut = path.join(site, 'pagefind');
      const r = (results.sizes[size] = { releases: releases.length, pressroom: {}, pagefind: {} });

      await phase(`${size}: write JSONL and site (${releases.length} releases)`, () => {
        writeJsonl(releases, jsonl);
        writeSite(releases, site);
        r.siteBytes = walk(site).reduce((s, f) => s + fs.statSync(f).size, 0);
      });

      if (pressroomInput === 'auto') {
        pressroomInput = await phase('probe: does pressroom-index read the HTML site?', () =>
          probeHtml(opts.bin, site, knownItems.queries.filter((q) => q.kind === 'title').slice(0, 20)),
        );
      }
      const pressInput = pressroomInput === 'html' ? site : jsonl;
      r.pressroom.input = pressroomInput;

      const builds = size === '100k' ? opts.largeBuilds : opts.builds;
      await phase(`${size}: build Pressroom ×${builds}`, () => {
        // --no-cache: every build is a clean one. The default cache (.pressroom-cache in the
        // working folder) would turn the second and third builds into incremental rebuilds.
        const args = ['build', pressInput, '--out', pressOut, '--quiet', '--no-cache'];
        r.pressroom.command = ['pressroom-index', ...args.map(rel)].join(' ');
        r.pressroom.buildS = [];
        for (let i = 0; i < builds; i++) {
          const now = fs.statSync(opts.bin);
          if (now.mtimeMs !== binStat.mtimeMs || now.size !== binStat.size) {
            results.warnings.push(`${rel(opts.bin)} changed during the run (before Pressroom build ${i + 1} at ${size}); later Pressroom figures come from a different binary`);
            Object.assign(binStat, { mtimeMs: now.mtimeMs, size: now.size });
          }
          fs.rmSync(pressOut, { recursive: true, force: true });
          const t = timed(opts.bin, args);
          r.pressroom.buildS.push(t.s);
          r.pressroom.buildLog = t.stdout.trim().split('\n').slice(-1)[0];
          console.log(`  ${t.s.toFixed(2)} s  ${r.pressroom.buildLog ?? ''}`);
        }
        r.pressroom.buildMedianS = median(r.pressroom.buildS);
        Object.assign(r.pressroom, folderStats(pressOut, pressroomKind));
      });
      await phase(`${size}: build Pagefind ×${builds}`, () => {
        const args = ['--site', site];
        r.pagefind.command = ['pagefind', ...args.map(rel)].join(' ');
        r.pagefind.buildS = [];
        for (let i = 0; i < builds; i++) {
          fs.rmSync(pfOut, { recursive: true, force: true });
          const t = timed(pagefind, args);
          r.pagefind.buildS.push(t.s);
          r.pagefind.buildLog = (t.stdout.match(/Indexed \d+ pages?/) ?? [''])[0];
          console.log(`  ${t.s.toFixed(2)} s  ${r.pagefind.buildLog}`);
        }
        r.pagefind.buildMedianS = median(r.pagefind.buildS);
        Object.assign(r.pagefind, folderStats(pfOut, pagefindKind));
      });

      const server = await serve(site, { '/bench.html': BENCH_PAGE });
      try {
        server.warm(['x', 'pagefind']);
        browser ??= await launch();
        for (const engine of ['pressroom', 'pagefind']) {
          await phase(`${size}: browser, ${engine}`, async () => {
            let m;
            try {
              m = await measure(browser, server, engine, perfQueries, { log: (s) => console.log(`  ${s}`) });
            } catch (e) {
              // Reported as not measured, with the reason; the other figures still count.
              r[engine].browserError = String(e?.message ?? e).split('\n')[0].slice(0, 300);
              console.log(`  FAILED: ${r[engine].browserError}`);
              await browser.close().catch(() => {});
              browser = await launch();
              return;
            }
            r[engine].browser = summarize(m);
            const out = engine === 'pressroom' ? pressOut : pfOut;
            const fetchedCode = [...new Set(server.log.filter((e) => /\.(m?js|wasm|wasm\.gz)$|\/wasm\.[^/]*\.pagefind$/.test(e.path) && e.path.startsWith(engine === 'pressroom' ? '/x/' : '/pagefind/')).map((e) => e.path.replace(/^\/(x|pagefind)\//, '')))];
            r[engine].code = codeSize(out, fetchedCode);
            // With a search box: Pagefind's UI script; Pressroom's widget and its worker.
            const ui = engine === 'pagefind'
              ? [...fetchedCode, 'pagefind-ui.js']
              : [...new Set([...fetchedCode, 'pressroom.js', 'pressroom-worker.js'])];
            r[engine].codeWithUi = codeSize(out, ui);
            console.log(`  cold ${r[engine].browser.coldMs?.toFixed(0)} ms ${r[engine].browser.coldBytes} B; keystroke median ${r[engine].browser.keyMedianMs?.toFixed(1)} ms`);
          });
        }

        if (opts.qualitySizes.includes(size)) {
          await phase(`${size}: finding the right release (${knownItems.queries.length} queries)`, () => quality().catch((e) => {
            r.qualityError = `not measured: ${String(e?.message ?? e).split('\n')[0].slice(0, 300)}`;
            console.log(`  FAILED: ${r.qualityError}`);
          }));
          async function quality() {
            const qs = knownItems.queries.map((q) => q.q);
            const native = timed(opts.bin, ['query', pressOut, '--batch', '--limit', '10'], { input: qs.join('\n') + '\n' });
            const pressUrls = native.stdout.trim().split('\n').map((l) => JSON.parse(l).hits.map((h) => h.url));
            r.pressroom.quality = score(knownItems.queries, pressUrls);
            const pf = await rankedUrls(browser, server, 'pagefind', qs);
            r.pagefind.quality = score(knownItems.queries, pf.urls);
            r.pagefind.qualityErrors = pf.errors.slice(0, 3);
            // Parity: the browser's Pressroom gives the native hits for a slice of the same queries.
            const slice = knownItems.queries.filter((_, i) => i % 25 === 0).map((q) => q.q);
            const inBrowser = await rankedUrls(browser, server, 'pressroom', slice);
            const nativeSlice = knownItems.queries.map((_, i) => pressUrls[i]).filter((_, i) => i % 25 === 0);
            r.pressroom.parity = {
              checked: slice.length,
              identical: slice.filter((_, i) => JSON.stringify(inBrowser.urls[i]) === JSON.stringify(nativeSlice[i])).length,
            };
            for (const k of ['title', 'prefix', 'typo', 'body']) {
              console.log(`  ${k}: MRR Pressroom ${r.pressroom.quality[k]?.mrr.toFixed(3)} Pagefind ${r.pagefind.quality[k]?.mrr.toFixed(3)}`);
            }
          }
        } else {
          r.qualitySkipped =
            size === '100k'
              ? 'not measured at 100k+: the input holds each press release three times (copies at /copy-2/ and /copy-3/), so a known item has three identical pages and rank 1 is a coin toss'
              : 'not measured at this size';
        }
      } finally {
        await server.close();
      }
      // The large site is big; the small ones stay for inspection.
      if (size === '100k') fs.rmSync(site, { recursive: true, force: true });
    }
  } finally {
    await browser?.close();
  }

  results.totalS = (Date.now() - started) / 1000;
  await phase('report and charts', () => {
    fs.mkdirSync(WORK, { recursive: true });
    fs.writeFileSync(path.join(WORK, opts.quick ? 'results-quick.json' : 'results.json'), JSON.stringify(results, null, 1));
    writeOutputs(results, opts);
  });
  console.log('\nphases:');
  for (const p of phases) console.log(`  ${p.s.toFixed(1).padStart(7)} s  ${p.name}`);
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s; wrote ${rel(opts.out)}`);
}

/** BENCHMARKS.md (or --out) and its charts: bench/charts/ for BENCHMARKS.md, else beside --out. */
function writeOutputs(results, opts) {
  const chartsDir = opts.out === path.join(ROOT, 'BENCHMARKS.md') ? path.join(BENCH, 'charts') : path.join(path.dirname(opts.out), 'charts');
  const charts = writeCharts(results, chartsDir);
  writeReport(results, opts.out, charts.map((c) => path.relative(path.dirname(opts.out), c).split(path.sep).join('/')));
}

/** Medians and p95s of one engine's browser measurements. */
function summarize(m) {
  const coldMs = m.cold.map((c) => c.ms);
  const first = m.cold[0] ?? {};
  return {
    coldRuns: m.cold.length,
    coldMs: median(coldMs),
    coldMsAll: coldMs,
    coldBytes: median(m.cold.map((c) => c.bytes)),
    coldCodeBytes: median(m.cold.map((c) => c.codeBytes)),
    coldIndexBytes: median(m.cold.map((c) => c.indexBytes)),
    coldRequests: median(m.cold.map((c) => c.requests)),
    coldComplete: m.cold.every((c) => c.complete),
    coldHits: first.hits,
    warmN: m.warm.length,
    warmMedianMs: median(m.warm.map((w) => w.ms)),
    warmP95Ms: quantile(m.warm.map((w) => w.ms), 0.95),
    warmMedianBytes: median(m.warm.map((w) => w.bytes)),
    warmP95Bytes: quantile(m.warm.map((w) => w.bytes), 0.95),
    keyN: m.keys.length,
    keyMedianMs: median(m.keys.map((k) => k.ms)),
    keyP95Ms: quantile(m.keys.map((k) => k.ms), 0.95),
    keyMedianBytes: median(m.keys.map((k) => k.bytes)),
    keyP95Bytes: quantile(m.keys.map((k) => k.bytes), 0.95),
    errors: [...new Set(m.errors)].slice(0, 5),
  };
}

/**
 * Builds the site with `pressroom-index build <site>` into a scratch folder and asks it 20 title
 * queries: 'html' when at least 18 find their page in the top 10, 'jsonl' otherwise.
 */
function probeHtml(bin, site, queries) {
  const out = path.join(WORK, 'probe-html');
  fs.rmSync(out, { recursive: true, force: true });
  try {
    const b = spawnSync(bin, ['build', site, '--out', out, '--quiet', '--no-assets', '--no-cache'], { encoding: 'utf8' });
    if (b.status !== 0) {
      console.log(`  build of the HTML site failed: ${(b.stderr || '').trim().split('\n').slice(-1)[0]}; using JSONL`);
      return 'jsonl';
    }
    const q = spawnSync(bin, ['query', out, '--batch', '--limit', '10'], { encoding: 'utf8', input: queries.map((x) => x.q).join('\n') + '\n' });
    if (q.status !== 0) return 'jsonl';
    const found = q.stdout.trim().split('\n').filter((l, i) => {
      try {
        return JSON.parse(l).hits.some((h) => h.url === queries[i].url);
      } catch {
        return false;
      }
    }).length;
    console.log(`  the HTML-built index found ${found}/${queries.length} pages by URL`);
    return found >= Math.ceil(queries.length * 0.9) ? 'html' : 'jsonl';
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
