// Both engines measured in headless Chromium through playwright-core, against bench/server.mjs.
//
// Each engine runs behind the same two calls on a blank bench page: `open()` and `search(q)`,
// where search resolves once the top 10 hits have url, title and excerpt, as a results list
// needs them. Pagefind is used the way its UI uses it (import, init, search, then `data()` of the
// first 10 results); Pressroom by `Pressroom.open('/x/')` then `search(q, { limit: 10 })`.

import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/e2e/chromium.mjs';

export { CHROMIUM, CHROMIUM_ARGS };

/** The page every measurement runs on; `lang="en"` makes Pagefind pick its English index. */
export const BENCH_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bench</title><link rel="icon" href="data:,"></head><body>
<script type="module">
const engines = {
  async pagefind() {
    const pf = await import('/pagefind/pagefind.js');
    await pf.init?.();
    return async (q) => {
      const r = await pf.search(q);
      const data = await Promise.all((r?.results ?? []).slice(0, 10).map((x) => x.data()));
      return { total: r?.results?.length ?? 0, hits: data.map((d) => ({ url: d.url, title: d.meta?.title, excerpt: d.excerpt })) };
    };
  },
  async pressroom() {
    // The engine API alone, as Pagefind's is measured through pagefind.js; the widget's own
    // code is counted under "code with a search-box UI".
    const { Pressroom } = await import('/x/pressroom-core.js');
    const pr = await Pressroom.open('/x/');
    return async (q) => {
      const r = await pr.search(q, { limit: 10 });
      return { total: r.total, hits: r.hits.map((h) => ({ url: h.url, title: h.title, excerpt: h.excerpt })) };
    };
  },
};
let search = null;
window.bench = {
  async open(engine) { search = await engines[engine](); },
  async cold(engine, q) {
    const t0 = performance.now();
    await window.bench.open(engine);
    const res = await search(q);
    return { ms: performance.now() - t0, ...res };
  },
  async timed(q) {
    const t0 = performance.now();
    const res = await search(q);
    return { ms: performance.now() - t0, ...res };
  },
  async urls(queries) {
    const out = [];
    for (const q of queries) out.push((await search(q)).hits.map((h) => h.url));
    return out;
  },
};
window.benchReady = true;
</script></body></html>`;

export const launch = () => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

/** Whether a fetched path is code (JS or wasm) rather than index data. */
// The engine's extended folding table is part of the engine, as Pagefind's per-language wasm is.
export const isCode = (p) => /\.(m?js|wasm|wasm\.gz)$/.test(p) || /\/pressroom_engine_fold_[0-9a-f]+\.bin$/.test(p) || /\/wasm\.[^/]*\.pagefind$/.test(p);

async function freshPage(browser, server, errors) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.url}/bench.html`);
  await page.waitForFunction(() => window.benchReady === true);
  return { context, page };
}

/** `page.evaluate` that gives up after `ms` (a stuck engine must not stall the whole run). */
async function evaluate(page, fn, arg, ms = 240_000) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([page.evaluate(fn, arg), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const sumBytes = (entries) => entries.reduce((s, e) => s + e.bytes, 0);

/**
 * Cold start (`coldRuns` fresh contexts), warm queries and keystrokes for one engine.
 * Returns plain numbers; the caller computes medians.
 */
export async function measure(browser, server, engine, perfQueries, { coldRuns = 3, log = () => {} } = {}) {
  const errors = [];
  const out = { cold: [], warm: [], keys: [], errors };

  for (let run = 0; run < coldRuns; run++) {
    const { context, page } = await freshPage(browser, server, errors);
    const mark = server.log.length;
    const res = await evaluate(page, ([e, q]) => window.bench.cold(e, q), [engine, perfQueries[0]]);
    const fetched = server.log.slice(mark);
    const complete = res.hits.length > 0 && res.hits.every((h) => h.url && h.title && h.excerpt != null);
    out.cold.push({
      ms: res.ms,
      bytes: sumBytes(fetched),
      codeBytes: sumBytes(fetched.filter((e) => isCode(e.path))),
      indexBytes: sumBytes(fetched.filter((e) => !isCode(e.path))),
      requests: fetched.length,
      hits: res.hits.length,
      complete,
    });
    if (run === 0) {
      // Warm queries: each a new query in the same page.
      for (const q of perfQueries.slice(1)) {
        const m = server.log.length;
        const r = await evaluate(page, (x) => window.bench.timed(x), q);
        out.warm.push({ q, ms: r.ms, bytes: sumBytes(server.log.slice(m)), hits: r.hits.length });
      }
    }
    await context.close();
  }
  log(`${engine}: cold and ${out.warm.length} warm queries done`);

  // As you type: a fresh page, the engine opened (not timed), then every prefix of each query.
  {
    const { context, page } = await freshPage(browser, server, errors);
    await evaluate(page, (e) => window.bench.open(e), engine);
    for (const q of perfQueries) {
      for (let i = 1; i <= q.length; i++) {
        const prefix = q.slice(0, i);
        const m = server.log.length;
        const r = await evaluate(page, (x) => window.bench.timed(x), prefix);
        out.keys.push({ q: prefix, ms: r.ms, bytes: sumBytes(server.log.slice(m)) });
      }
    }
    await context.close();
  }
  log(`${engine}: ${out.keys.length} keystrokes done`);
  return out;
}

/** Top-10 URL lists for `queries`, in one page, after one untimed open. */
export async function rankedUrls(browser, server, engine, queries) {
  const errors = [];
  const { context, page } = await freshPage(browser, server, errors);
  await evaluate(page, (e) => window.bench.open(e), engine);
  const urls = [];
  for (let i = 0; i < queries.length; i += 100) {
    urls.push(...(await evaluate(page, (qs) => window.bench.urls(qs), queries.slice(i, i + 100))));
  }
  await context.close();
  return { urls, errors };
}
