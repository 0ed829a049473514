// Browser tests of the search widget on the built demo site, as a visitor meets it.
//
//   cargo xtask demo                      # builds the demo site (prints where)
//   (cd tests/e2e && npm ci)
//   PRESSROOM_DEMO_DIR=<site> node --test tests/e2e/
//
// Two tests also run the native builder (`pressroom-index`): by default the release build next to
// the demo site (`<site>/../release/pressroom-index`), or the one named by PRESSROOM_INDEX_BIN.
//
// The site is served by www/serve.mjs with its strict Content Security Policy, so these tests
// also prove that the widget needs no inline script or style. Every page must keep the console
// free of errors.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startServer } from '../../www/serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const CICA_TITLE = 'CICA Secretary General takes part in international conference on Eurasian security in Minsk';
const CHROMIUM = process.env.PRESSROOM_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const demoDir = process.env.PRESSROOM_DEMO_DIR;
if (!demoDir) {
  throw new Error(
    'PRESSROOM_DEMO_DIR is not set: build the demo site with `cargo xtask demo` and set ' +
      'PRESSROOM_DEMO_DIR to the folder it wrote (the one holding index.html and pressroom/).',
  );
}
for (const file of ['index.html', 'pressroom/pressroom.js', 'pressroom/index.pri']) {
  if (!existsSync(path.join(demoDir, file))) {
    throw new Error(`PRESSROOM_DEMO_DIR=${demoDir} holds no ${file}: is it a built demo site?`);
  }
}

const builder =
  process.env.PRESSROOM_INDEX_BIN ??
  path.join(demoDir, '..', 'release', process.platform === 'win32' ? 'pressroom-index.exe' : 'pressroom-index');

function runBuilder(args, input) {
  if (!existsSync(builder)) {
    throw new Error(`no pressroom-index at ${builder}: build it (cargo build --release -p pressroom-index) or set PRESSROOM_INDEX_BIN`);
  }
  return execFileSync(builder, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

let browser;
let site;

before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  site = await startServer({ root: demoDir, port: 0 });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

/**
 * A fresh page that records console errors, page errors and every request it makes.
 * `t.after` checks that the console stayed clean unless the test expects errors.
 */
async function openPage(t, url, { colorScheme = 'light', expectErrors = false } = {}) {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url);
  t.after(async () => {
    await context.close();
    if (!expectErrors) assert.deepEqual(errors, [], 'the page logged errors');
  });
  return { page, errors, requests };
}

async function search(page, query) {
  const box = page.getByRole('searchbox', { name: 'Search press releases' });
  await box.focus();
  await page.keyboard.type(query, { delay: 50 });
  return box;
}

test('typing a name finds the release that mentions it, linked, dated and highlighted', async (t) => {
  const { page } = await openPage(t, site.url);
  await search(page, 'sarybay');

  const status = page.locator('.pressroom__status');
  await status.filter({ hasText: /^\d[\d,]* results?$/ }).waitFor();
  const first = page.locator('.pressroom__hit').first();
  const link = first.getByRole('link', { name: CICA_TITLE, exact: true });
  await link.waitFor(); // results render on every keystroke: wait for the ones of the last
  await first.locator('.pressroom__excerpt mark', { hasText: /sarybay/i }).first().waitFor();

  const time = first.locator('time');
  assert.equal(await time.getAttribute('datetime'), '2023-10-27');
  const shown = await page.evaluate(() =>
    new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'medium', timeZone: 'UTC' })
      .format(new Date(Date.UTC(2023, 9, 27))),
  );
  assert.equal(await time.textContent(), shown);

  const marks = await first.locator('.pressroom__excerpt mark').allTextContents();
  assert.ok(marks.length > 0, 'the excerpt highlights the match');
  assert.ok(marks.every((text) => /sarybay/i.test(text)), `highlighted: ${marks.join(', ')}`);

  await page.screenshot({ path: path.join(here, 'screenshots', 'results-light.png') });

  await link.click();
  await page.waitForLoadState();
  assert.equal(await page.locator('h1').textContent(), CICA_TITLE, 'the link leads to the release page');
  assert.notEqual(new URL(page.url()).pathname, '/');
});

test('Pressroom.open and search return the engine results to code on the page', async (t) => {
  const { page } = await openPage(t, site.url);
  const result = await page.evaluate(async () => {
    const { Pressroom } = await import('/pressroom/pressroom.js');
    const pr = await Pressroom.open('/pressroom/');
    const sary = await pr.search('sary', { limit: 5 });
    const second = await pr.search('sary', { limit: 1, offset: 1 });
    const none = await pr.search('qqxzzyqq', {});
    return { sary, second, none };
  });
  assert.equal(typeof result.sary.total, 'number');
  assert.ok(result.sary.total >= 1);
  assert.ok(result.sary.hits.length <= 5);
  assert.equal(result.sary.hits[0].title, CICA_TITLE);
  for (const hit of result.sary.hits) {
    for (const key of ['url', 'title', 'date', 'excerpt', 'score']) assert.ok(key in hit, `a hit has ${key}`);
  }
  assert.equal(result.none.total, 0);
  assert.deepEqual(result.none.hits, []);
  if (result.sary.total > 1) assert.deepEqual(result.second.hits[0], result.sary.hits[1], 'offset pages through hits');
});

test('nothing is downloaded until the search box gets focus', async (t) => {
  const { page, requests } = await openPage(t, site.url);
  await page.waitForLoadState('networkidle');
  const heavy = (url) => /index\.pri$|\.wasm$|pressroom_engine\.js$/.test(url);
  assert.deepEqual(requests.filter(heavy), [], 'loaded before any search');

  const wasm = page.waitForResponse((response) => response.url().endsWith('.wasm'));
  await page.getByRole('searchbox', { name: 'Search press releases' }).focus();
  await wasm;
  await page.waitForLoadState('networkidle');
  const loaded = requests.filter(heavy).map((url) => new URL(url).pathname).sort();
  assert.deepEqual(loaded, ['/pressroom/index.pri', '/pressroom/pressroom_engine.js', '/pressroom/pressroom_engine_bg.wasm']);
});

test('the first keystroke already shows results', async (t) => {
  const { page } = await openPage(t, site.url);
  await search(page, 'm');
  await page.locator('.pressroom__panel .pressroom__status', { hasText: /^\d[\d,]* results?$/ }).waitFor();
  assert.ok(await page.locator('.pressroom__hit').count() > 0);
});

test('a query that matches nothing says so', async (t) => {
  const { page } = await openPage(t, site.url);
  await search(page, 'qqxzzyqq');
  await page.locator('.pressroom__status', { hasText: 'No results for “qqxzzyqq”' }).waitFor();
  assert.equal(await page.locator('.pressroom__hit').count(), 0);
});

test('results follow the latest keystroke, and clearing the box hides them', async (t) => {
  const { page } = await openPage(t, site.url);
  const box = await search(page, 'eurasian security');
  const expected = await page.evaluate(async () => {
    const { Pressroom } = await import('/pressroom/pressroom.js');
    return (await (await Pressroom.open()).search('eurasian security', { limit: 10 })).hits.map((h) => h.title);
  });
  assert.ok(expected.length > 0);
  const shown = () => [...document.querySelectorAll('.pressroom__title')].map((e) => e.textContent);
  await page.waitForFunction(
    (titles) => JSON.stringify([...document.querySelectorAll('.pressroom__title')].map((e) => e.textContent)) === titles,
    JSON.stringify(expected),
  ).catch(async (err) => {
    assert.deepEqual(await page.evaluate(shown), expected, 'the hits of the full query are shown');
    throw err;
  });

  await box.fill('');
  await page.locator('.pressroom__panel').waitFor({ state: 'hidden' });
});

test('the page with results open has no accessibility violations (axe-core)', async (t) => {
  for (const colorScheme of ['light', 'dark']) {
    const { page } = await openPage(t, site.url, { colorScheme });
    await search(page, 'sarybay');
    await page.locator('.pressroom__hit').first().waitFor();
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const results = await globalThis.axe.run(document, { resultTypes: ['violations'] });
      return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
    });
    assert.deepEqual(violations, [], `${colorScheme} scheme`);
    assert.equal(await page.getByRole('search').count(), 1, 'one search landmark');
  }
});

/** A page with nothing but the widget, for scratch sites. */
const BARE_PAGE =
  '<!doctype html><html lang="en"><title>Pressroom test</title><link rel="icon" href="data:,">' +
  '<link rel="stylesheet" href="/pressroom/pressroom.css">' +
  '<div data-pressroom></div><script type="module" src="/pressroom/pressroom.js"></script>';

/** A scratch site with the demo's widget and engine, and `index.pri` as given. */
async function siteWithIndex(t, indexBytes) {
  const root = await mkdtemp(path.join(tmpdir(), 'pressroom-e2e-'));
  await mkdir(path.join(root, 'pressroom'));
  for (const file of ['pressroom.js', 'pressroom-core.js', 'pressroom.css', 'pressroom_engine.js', 'pressroom_engine_bg.wasm']) {
    await copyFile(path.join(demoDir, 'pressroom', file), path.join(root, 'pressroom', file));
  }
  if (indexBytes) await writeFile(path.join(root, 'pressroom', 'index.pri'), indexBytes);
  await writeFile(path.join(root, 'index.html'), BARE_PAGE);
  const server = await startServer({ root, port: 0 });
  t.after(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });
  return server.url;
}

test('an index that is not there or not an index shows an error, not a dead box', async (t) => {
  const broken = {
    missing: null,
    'not an index': gzipSync(Buffer.from('PRESSRMI but not really an index at all')),
    'not gzip either': Buffer.from('<html>a server error page</html>'),
  };
  for (const [name, bytes] of Object.entries(broken)) {
    const url = await siteWithIndex(t, bytes);
    const { page, errors } = await openPage(t, url, { expectErrors: true });
    await search(page, 'sarybay');
    await page.locator('.pressroom[data-state="error"] .pressroom__status', { hasText: /unavailable/ }).waitFor();
    assert.equal(await page.locator('.pressroom__hit').count(), 0, name);
    const thrown = await page.evaluate(async () => {
      const { Pressroom } = await import('/pressroom/pressroom.js');
      return Pressroom.open().then(() => 'opened', (error) => error.message);
    });
    assert.match(thrown, /\/pressroom\/index\.pri/, `${name}: the error names the index URL`);
    if (name === 'missing') assert.match(thrown, /404/, 'and the status');
    assert.deepEqual(errors.filter((e) => e.startsWith('page error')), [], `${name}: nothing thrown uncaught`);
  }
});

test('the browser engine gives the same results as the native `pressroom-index query`', async (t) => {
  const queries = [
    'sary',
    'sarybay',
    'eurasian security',
    'Eurasian   SECURITY',
    'security',
    'gold price',
    'ai',
    'AI-powered drones',
    'café',
    'new york',
    'the',
    'q',
    '2025',
    'qqxzzyqq',
    '',
  ];
  const native = runBuilder(['query', path.join(demoDir, 'pressroom'), '--batch', '--limit', '10'], queries.join('\n') + '\n')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.equal(native.length, queries.length);

  const { page } = await openPage(t, site.url);
  const browserResults = await page.evaluate(async (queries) => {
    const { Pressroom } = await import('/pressroom/pressroom.js');
    const pr = await Pressroom.open('/pressroom/');
    return Promise.all(queries.map((q) => pr.search(q, { limit: 10 })));
  }, queries);
  queries.forEach((query, i) => assert.deepEqual(browserResults[i], native[i], `query ${JSON.stringify(query)}`));
  assert.ok(native.filter((r) => r.total > 0).length >= 10, 'most queries find something');
});

test('hostile titles, urls and excerpts stay text: no markup, no script links', async (t) => {
  const root = await mkdtemp(path.join(tmpdir(), 'pressroom-e2e-hostile-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const hostile = [
    {
      id: 'script-url',
      url: 'javascript://example.org/%0aalert(document.domain)',
      title: 'Zyxxq launch <img src=x onerror=alert(1)> & "partners"',
      date: '2024-01-02',
      category: 'x',
      lang: 'en',
      body: 'Zyxxq <script>alert(2)</script> costs < 5 & > 3 "quoted" \'single\' &lt;b&gt;not bold&lt;/b&gt;.',
    },
    { id: 'data-url', url: 'data:text/html,<script>alert(3)</script>', title: 'Zyxxq data', date: null, category: 'x', lang: 'en', body: 'zyxxq' },
    { id: 'plain', url: '/press/zyxxq', title: 'Zyxxq plain & simple', date: '2023-05-06', category: 'x', lang: 'en', body: 'The Zyxxq release.' },
  ];
  await writeFile(path.join(root, 'hostile.jsonl'), hostile.map((r) => JSON.stringify(r)).join('\n') + '\n');
  runBuilder(['build', path.join(root, 'hostile.jsonl'), '--out', path.join(root, 'pressroom')]);
  await writeFile(path.join(root, 'index.html'), BARE_PAGE);
  const server = await startServer({ root, port: 0 });
  t.after(() => server.close());

  const { page } = await openPage(t, server.url);
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs++;
    dialog.dismiss();
  });
  await search(page, 'zyxxq');
  await page.locator('.pressroom__status', { hasText: /^3 results$/ }).waitFor();

  const { hits } = await page.evaluate(async () => {
    const { Pressroom } = await import('/pressroom/pressroom.js');
    return (await Pressroom.open()).search('zyxxq', { limit: 10 });
  });
  assert.ok(hits.some((hit) => /^javascript:/i.test(hit.url)), 'the index keeps the javascript: url, so the widget must refuse it');
  const rendered = await page.locator('.pressroom__hit').evaluateAll((items) =>
    items.map((item) => ({
      title: item.querySelector('.pressroom__title').textContent,
      href: item.querySelector('a')?.getAttribute('href') ?? null,
      excerpt: item.querySelector('.pressroom__excerpt').textContent,
      tags: [...item.querySelectorAll('*')].map((e) => e.localName).sort().join(' '),
    })),
  );
  const asText = (html) =>
    html.replace(/<\/?mark>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]);
  hits.forEach((hit, i) => {
    const shown = rendered[i];
    assert.equal(shown.title, hit.title, 'the title is shown as the text it is');
    assert.equal(shown.excerpt, asText(hit.excerpt), 'the excerpt is shown as the text it is');
    const safe = hit.url.startsWith('/');
    assert.equal(shown.href === null, !safe, `${hit.url} ${safe ? 'is' : 'is not'} a link`);
    assert.ok(shown.tags.split(' ').every((tag) => ['a', 'span', 'time', 'p', 'mark'].includes(tag)), shown.tags);
  });
  assert.ok(rendered.some((r) => r.excerpt.includes('<') || r.title.includes('<') || r.title.includes('&')), 'markup characters reached the page as text');
  assert.equal(await page.locator('.pressroom img, .pressroom script, .pressroom b').count(), 0);
  assert.equal(dialogs, 0);
});
