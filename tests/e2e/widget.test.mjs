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
// free of errors. The widget lives in an open shadow root: Playwright's CSS and role locators
// reach into it, `document.querySelector` does not.
//
// The demo's header holds two widgets: the inline box and the button of the modal one.
// Screenshots of the widget are written to tests/e2e/screenshots/ (linked from the README).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startServer } from '../../www/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const screenshots = path.join(here, 'screenshots');
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const CICA_TITLE = 'CICA Secretary General takes part in international conference on Eurasian security in Minsk';

const demoDir = process.env.PRESSROOM_DEMO_DIR;
if (!demoDir) {
  throw new Error(
    'PRESSROOM_DEMO_DIR is not set: build the demo site with `cargo xtask demo` and set ' +
      'PRESSROOM_DEMO_DIR to the folder it wrote (the one holding index.html and pressroom/).',
  );
}
for (const file of ['index.html', 'pressroom/pressroom.js', 'pressroom/pressroom-worker.js', 'pressroom/index.pri']) {
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
 * A fresh page that records console errors, page errors and every request it makes (its
 * workers' too). `init` runs in the page before any of its scripts. `t.after` checks that the
 * console stayed clean unless the test expects errors.
 */
async function openPage(t, url, { colorScheme = 'light', reducedMotion = 'no-preference', expectErrors = false, width = 1280, height = 800, init } = {}) {
  const context = await browser.newContext({ colorScheme, reducedMotion, viewport: { width, height }, locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (message) => {
    // axe-core tries inline styles while it measures contrast; the CSP refuses them, rightly.
    if (axeRunning.has(page) && /^Applying inline style violates/.test(message.text())) return;
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  context.on('request', (request) => requests.push(request.url()));
  if (init) await page.addInitScript(init);
  await page.goto(url);
  t.after(async () => {
    await context.close();
    if (!expectErrors) assert.deepEqual(errors, [], 'the page logged errors');
  });
  return { page, context, errors, requests };
}

/** The inline widget (the box) or the modal one (the button and its dialog). */
function widget(page, mode = 'inline') {
  return page.locator(mode === 'modal' ? '[data-pressroom][data-mode="modal"]' : '[data-pressroom]:not([data-mode="modal"])');
}

async function search(page, query, mode = 'inline') {
  const box = widget(page, mode).getByRole('combobox', { name: 'Search press releases' });
  await box.focus();
  await page.keyboard.type(query, { delay: 40 });
  return box;
}

/** Waits until the widget shows `n` results (as the count says) and returns the hit titles. */
async function shown(w, pattern) {
  await w.locator('.pressroom__count', { hasText: pattern }).waitFor();
  return w.locator('.pressroom__title').allTextContents();
}

/** What the engine answers, asked directly from the page: what the widget must show. */
function engine(page, query, options) {
  return page.evaluate(
    async ([query, options]) => {
      const { Pressroom } = await import('/pressroom/pressroom.js');
      return (await Pressroom.open('/pressroom/')).search(query, options);
    },
    [query, options],
  );
}

const axeRunning = new WeakSet();

async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource);
  axeRunning.add(page);
  try {
    return await page.evaluate(async () => {
      // Colours are measured as they end: a panel still fading in is not a contrast failure.
      await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {})));
      const results = await globalThis.axe.run(document, { resultTypes: ['violations'] });
      return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
    });
  } finally {
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 50))); // its last console messages
    axeRunning.delete(page);
  }
}

/** A page with nothing but the widget (one script, one element), for scratch sites. */
function barePage({ lang = 'en', attributes = '' } = {}) {
  return (
    `<!doctype html><html lang="${lang}"><title>Pressroom test</title><link rel="icon" href="data:,">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<main><h1>Press</h1><div data-pressroom ${attributes}></div></main><script type="module" src="/pressroom/pressroom.js"></script>`
  );
}

const WIDGET_FILES = [
  ...['pressroom.js', 'pressroom-core.js', 'pressroom-worker.js', 'pressroom.css', 'pressroom_engine.js', 'pressroom_engine_bg.wasm', 'pressroom_engine_bg.wasm.gz'],
  // The engine's extended folding, named by its contents.
  ...readdirSync(path.join(demoDir, 'pressroom')).filter((f) => /^pressroom_engine_fold_[0-9a-f]{16}\.bin$/.test(f)),
];

/** The demo index's part files (a split index's `pressroom-<hash>.bin`), which scratch sites get too. */
const PART_FILES = readdirSync(path.join(demoDir, 'pressroom')).filter((f) => /^pressroom-[0-9a-f]+\.bin$/.test(f));

/**
 * A scratch site with the demo's widget and engine, `index.pri` as given (with the demo's index
 * parts beside it, which the demo's own entry file names), and `page` as its home.
 */
async function scratchSite(t, { index = null, page = barePage(), files = {} } = {}) {
  const root = await mkdtemp(path.join(tmpdir(), 'pressroom-e2e-'));
  await mkdir(path.join(root, 'pressroom'));
  for (const file of [...WIDGET_FILES, ...PART_FILES]) {
    await copyFile(path.join(demoDir, 'pressroom', file), path.join(root, 'pressroom', file));
  }
  if (index) await writeFile(path.join(root, 'pressroom', 'index.pri'), index);
  await writeFile(path.join(root, 'index.html'), page);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(root, name), text);
  const server = await startServer({ root, port: 0 });
  t.after(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });
  return server.url;
}

const demoIndex = () => readFile(path.join(demoDir, 'pressroom', 'index.pri'));

// ---------------------------------------------------------------------------------------------
// Typing and results.

test('typing a name finds the release that mentions it, linked, dated and highlighted', async (t) => {
  const { page } = await openPage(t, site.url);
  await search(page, 'sarybay');
  const w = widget(page);

  assert.deepEqual(await shown(w, /^1 result$/), [CICA_TITLE]);
  const first = w.getByRole('option').first();
  await first.locator('.pressroom__excerpt mark', { hasText: /sarybay/i }).first().waitFor();

  const time = first.locator('time');
  assert.equal(await time.getAttribute('datetime'), '2023-10-27');
  assert.equal(await time.textContent(), 'Oct 27, 2023', 'the date in the page language (en)');
  assert.deepEqual(await first.locator('.pressroom__category').allTextContents(), ['Press Releases']);

  const marks = await first.locator('.pressroom__excerpt mark').allTextContents();
  assert.ok(marks.length > 0, 'the excerpt highlights the match');
  assert.ok(marks.every((text) => /sarybay/i.test(text)), `highlighted: ${marks.join(', ')}`);

  await page.screenshot({ path: path.join(screenshots, 'results-light.png') });

  await first.click();
  await page.waitForLoadState();
  assert.equal(await page.locator('h1').textContent(), CICA_TITLE, 'the hit leads to the release page');
  assert.notEqual(new URL(page.url()).pathname, '/');
});

test('the search runs in a worker, and nothing is downloaded until the box gets focus', async (t) => {
  const { page, requests } = await openPage(t, site.url);
  await page.waitForLoadState('networkidle');
  const heavy = (url) => /index\.pri$|\.wasm(\.gz)?$|pressroom_engine\.js$|pressroom-worker\.js$/.test(url);
  assert.deepEqual(requests.filter(heavy), [], 'loaded before any search');
  assert.equal(page.workers().length, 0);

  const wasm = page.waitForResponse((response) => response.url().endsWith('.wasm.gz'));
  await widget(page).getByRole('combobox').focus();
  await wasm;
  await page.waitForLoadState('networkidle');
  const loaded = requests.filter(heavy).map((url) => new URL(url).pathname).sort();
  assert.deepEqual(loaded, [
    '/pressroom/index.pri',
    '/pressroom/pressroom-worker.js',
    '/pressroom/pressroom_engine.js',
    '/pressroom/pressroom_engine_bg.wasm.gz',
  ]);
  assert.deepEqual(page.workers().map((worker) => new URL(worker.url()).pathname), ['/pressroom/pressroom-worker.js']);
  // The index and the engine were fetched by the worker, not the page: its thread stays free.
  const fetchedByPage = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
  assert.deepEqual(fetchedByPage.filter((url) => heavy(url) && !url.endsWith('pressroom-worker.js')), [], 'fetched by the page itself');
  await search(page, 'sarybay');
  assert.deepEqual(await shown(widget(page), /^1 result$/), [CICA_TITLE]);
  // Asked once the engine has answered: a download's timing entry is only added when its body
  // has ended, which on a loaded machine can come after the page's network goes idle.
  const fetchedByWorker = await page.workers()[0].evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
  assert.ok(['/pressroom/index.pri', '/pressroom/pressroom_engine_bg.wasm.gz'].every((file) => fetchedByWorker.includes(file)), fetchedByWorker.join(' '));
});

test('where the page may not start a worker, the search runs on the main thread', async (t) => {
  const { page } = await openPage(t, site.url, {
    init: () => {
      // What a CSP without worker-src, or the script served from another origin, does.
      globalThis.Worker = class {
        constructor() {
          throw new DOMException('Workers are not allowed here', 'SecurityError');
        }
      };
    },
  });
  await search(page, 'sarybay');
  assert.deepEqual(await shown(widget(page), /^1 result$/), [CICA_TITLE]);
  assert.equal(page.workers().length, 0);

  // The same through a real policy: the browser refuses the worker, and says so in the console.
  const csp = `<meta http-equiv="Content-Security-Policy" content="worker-src 'none'">`;
  const url = await scratchSite(t, { index: await demoIndex(), page: barePage().replace('<main>', `${csp}<main>`) });
  const { page: strict, errors } = await openPage(t, url, { expectErrors: true });
  await search(strict, 'sarybay');
  assert.deepEqual(await shown(widget(strict), /^1 result$/), [CICA_TITLE]);
  assert.equal(strict.workers().length, 0);
  assert.ok(errors.length > 0 && errors.every((e) => /worker-src/.test(e)), errors.join('\n'));
});

test('the hits are the engine’s, and results follow the latest keystroke', async (t) => {
  const { page } = await openPage(t, site.url);
  const box = await search(page, 'crypto market');
  const expected = await engine(page, 'crypto market', { limit: 10 });
  assert.ok(expected.total > 1);
  const w = widget(page);
  await w.locator('.pressroom__count', { hasText: `${expected.total} results` }).waitFor();
  assert.deepEqual(await w.locator('.pressroom__title').allTextContents(), expected.hits.map((h) => h.title));

  await box.fill('');
  await w.locator('.pressroom__panel').waitFor({ state: 'hidden' });
});

test('a response to an older query is never shown after a newer one', async (t) => {
  // The worker's answer to "security" is held back 1.5 s, so it arrives after the answer to
  // "gold price", which was asked later: the widget must keep showing "gold price".
  const { page } = await openPage(t, site.url, {
    init: () => {
      globalThis.delivered = [];
      const Native = globalThis.Worker;
      globalThis.Worker = class extends Native {
        #slow = new Set();
        postMessage(message, ...rest) {
          if (message?.query === 'security') this.#slow.add(message.id);
          return super.postMessage(message, ...rest);
        }
        addEventListener(type, listener, ...rest) {
          if (type !== 'message') return super.addEventListener(type, listener, ...rest);
          return super.addEventListener(
            type,
            (event) => {
              const slow = this.#slow.has(event.data?.id);
              setTimeout(() => {
                listener.call(this, event);
                globalThis.delivered.push(slow ? 'security' : event.data?.results ? 'other' : 'open');
              }, slow ? 1500 : 0);
            },
            ...rest,
          );
        }
      };
    },
  });
  const w = widget(page);
  const box = w.getByRole('combobox');
  await box.focus();
  const gold = await engine(page, 'gold price', { limit: 10 });
  const security = await engine(page, 'security', { limit: 10 });
  assert.notEqual(gold.total, security.total, 'the two queries are told apart by their counts');

  await box.fill('security');
  await box.fill('gold price');
  await w.locator('.pressroom__count', { hasText: `${gold.total} results` }).waitFor();
  await page.waitForFunction(() => globalThis.delivered.includes('security'));
  const order = await page.evaluate(() => globalThis.delivered.filter((d) => d !== 'open'));
  assert.deepEqual(order, ['other', 'security'], 'the older answer really arrived last');
  await page.waitForTimeout(100);
  assert.equal(await w.locator('.pressroom__count').textContent(), `${gold.total} results`);
  assert.deepEqual(await w.locator('.pressroom__title').allTextContents(), gold.hits.map((h) => h.title));
});

test('“Loading…” shows only once an answer has taken 300 ms', async (t) => {
  // The worker's "index opened" reply is held back 1.5 s: the first search waits that long.
  const { page } = await openPage(t, site.url, {
    init: () => {
      const Native = globalThis.Worker;
      globalThis.Worker = class extends Native {
        addEventListener(type, listener, ...rest) {
          if (type !== 'message') return super.addEventListener(type, listener, ...rest);
          const opened = (data) => !('results' in data) && !('error' in data);
          return super.addEventListener(type, (event) => setTimeout(() => listener.call(this, event), opened(event.data) ? 1500 : 0), ...rest);
        }
      };
    },
  });
  const w = widget(page);
  const box = w.getByRole('combobox');
  await box.evaluate((input) => {
    const root = input.getRootNode().querySelector('.pressroom');
    globalThis.states = [];
    new MutationObserver(() => globalThis.states.push([root.dataset.state, performance.now()])).observe(root, { attributeFilter: ['data-state'] });
  });
  await box.focus();
  await box.evaluate(() => (globalThis.typedAt = performance.now()));
  await box.fill('sarybay');
  await w.locator('.pressroom__message', { hasText: /^Loading…$/ }).waitFor();
  assert.deepEqual(await shown(w, /^1 result$/), [CICA_TITLE]);
  const security = await engine(page, 'security', {});
  await box.fill('security');
  await shown(w, `${security.total} results`);
  await box.fill('cicq ');
  await w.locator('.pressroom__message', { hasText: 'No results' }).waitFor();

  const { states, typedAt } = await page.evaluate(() => ({ states: globalThis.states, typedAt: globalThis.typedAt }));
  const loading = states.filter(([state]) => state === 'loading');
  assert.equal(loading.length, 1, 'only the search that waited for the index showed it');
  assert.ok(loading[0][1] - typedAt >= 280, `shown after ${Math.round(loading[0][1] - typedAt)} ms`);
});

test('a query that matches nothing says so and offers the engine’s suggestion', async (t) => {
  const { page } = await openPage(t, site.url);
  await search(page, 'cicq ');
  const w = widget(page);
  await w.locator('.pressroom__message', { hasText: 'No results for “cicq”.' }).waitFor();
  assert.equal(await w.getByRole('option').count(), 0);
  assert.equal(await w.locator('.pressroom__count').textContent(), '0 results');
  assert.deepEqual(await axeViolations(page), [], 'no results');
  await w.getByRole('button', { name: 'cica' }).click();
  assert.equal(await w.getByRole('combobox').inputValue(), 'cica');
  assert.ok((await shown(w, /^\d+ results?$/)).includes(CICA_TITLE));
});

test('a very long query says that only its start was searched', async (t) => {
  const { page } = await openPage(t, site.url);
  const query = Array.from({ length: 40 }, (_, i) => (i ? 'security' : 'eurasian')).join(' ');
  const expected = await engine(page, query, {});
  assert.equal(expected.truncated, true);
  await widget(page).getByRole('combobox').fill(query);
  await shown(widget(page), `${expected.total} result`);
  await widget(page).locator('.pressroom__message', { hasText: 'Only the start of a long query was searched.' }).waitFor();
  await widget(page).getByRole('combobox').fill('eurasian security');
  await shown(widget(page), /results?$/);
  assert.equal(await widget(page).locator('.pressroom__message').textContent(), '');
});

// ---------------------------------------------------------------------------------------------
// Keyboard, modal and URL.

test('arrow keys move through the hits, Enter opens one and Ctrl+Enter opens it in a new tab', async (t) => {
  const { page, context } = await openPage(t, site.url);
  const box = await search(page, 'security');
  const w = widget(page);
  await shown(w, /^\d+ results$/);
  const options = w.getByRole('option');
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  assert.equal(await box.getAttribute('aria-activedescendant'), null);

  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  assert.equal(await box.getAttribute('aria-activedescendant'), await options.nth(1).getAttribute('id'));
  assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
  assert.equal(await w.locator('[aria-selected="true"]').count(), 1);
  assert.ok(await box.evaluate((input) => input.getRootNode().activeElement === input), 'focus stays in the box');
  const second = { title: await options.nth(1).locator('.pressroom__title').textContent(), href: await options.nth(1).getAttribute('href') };

  const [tab] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('Control+Enter')]);
  await tab.waitForLoadState();
  assert.equal(tab.url(), second.href, 'Ctrl+Enter opened the hit in a new tab');
  assert.equal(new URL(page.url()).pathname, '/', 'and left this page where it was');
  await tab.close();

  await page.keyboard.press('Enter');
  await page.waitForURL(second.href);
  assert.equal(await page.locator('h1').textContent(), second.title);
});

test('/ and Ctrl+K open the search dialog, which keeps focus; Esc and the backdrop close it', async (t) => {
  const { page } = await openPage(t, site.url);
  const modal = widget(page, 'modal');
  const dialog = modal.getByRole('dialog', { name: 'Search press releases' });
  const trigger = modal.getByRole('button', { name: 'Search' });
  const focusedInModal = () => page.evaluate(() => document.activeElement?.dataset.mode === 'modal' && document.activeElement.shadowRoot.activeElement?.localName);

  await page.keyboard.press('/');
  await dialog.waitFor();
  assert.equal(await focusedInModal(), 'input');
  await page.keyboard.type('sarybay', { delay: 30 });
  assert.deepEqual(await shown(modal, /^1 result$/), [CICA_TITLE]);
  assert.deepEqual(await axeViolations(page), [], 'modal open');
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press(i % 3 ? 'Tab' : 'Shift+Tab');
    assert.ok(await focusedInModal(), `Tab ${i} kept the focus in the dialog`);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement.shadowRoot.activeElement).outlineStyle);
    assert.equal(outline, 'solid', `Tab ${i}: the focus is visible`);
  }
  await modal.getByRole('combobox').focus();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await focusedInModal(), 'button', 'focus on the search button');

  await page.keyboard.press('Control+k');
  await dialog.waitFor();
  assert.equal(await focusedInModal(), 'input');
  await page.mouse.click(10, 790); // outside the dialog: its backdrop
  await dialog.waitFor({ state: 'hidden' });

  await trigger.click();
  await dialog.waitFor();
  await modal.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('aria-haspopup')), 'dialog', 'focus back on the button');

  // "/" typed into the inline box is a character, not a shortcut.
  await search(page, 'a/b');
  assert.equal(await widget(page).getByRole('combobox').inputValue(), 'a/b');
  assert.equal(await dialog.isVisible(), false);
});

test('the dialog opens without animation when the visitor prefers reduced motion', async (t) => {
  for (const [reducedMotion, animation] of [['no-preference', 'pressroom-in'], ['reduce', 'none']]) {
    const { page } = await openPage(t, site.url, { reducedMotion });
    await page.keyboard.press('/');
    const dialog = widget(page, 'modal').getByRole('dialog');
    await dialog.waitFor();
    assert.equal(await dialog.evaluate((d) => getComputedStyle(d).animationName), animation, reducedMotion);
  }
});

test('the query is kept in the URL: a link restores the search and Back returns to it', async (t) => {
  const { page } = await openPage(t, `${site.url}?q=sarybay`);
  const w = widget(page);
  assert.deepEqual(await shown(w, /^1 result$/), [CICA_TITLE]);
  assert.equal(await w.getByRole('combobox').inputValue(), 'sarybay');

  const box = w.getByRole('combobox');
  await box.fill('');
  await box.focus();
  await page.keyboard.type('eurasian', { delay: 30 });
  await shown(w, /results?$/);
  assert.equal(new URL(page.url()).searchParams.get('q'), 'eurasian');
  await w.getByRole('option').first().click();
  await page.waitForURL((url) => url.pathname !== '/');

  await page.goBack();
  await page.waitForURL((url) => url.searchParams.get('q') === 'eurasian');
  assert.equal(await widget(page).getByRole('combobox').inputValue(), 'eurasian');
  await widget(page).getByRole('option').first().waitFor();

  await page.goBack(); // the entry of the cleared box
  await page.waitForURL((url) => url.search === '');
  assert.equal(await widget(page).getByRole('combobox').inputValue(), '');
  await page.goBack(); // the ?q=sarybay link
  await page.waitForURL((url) => url.searchParams.get('q') === 'sarybay');
  assert.equal(await widget(page).getByRole('combobox').inputValue(), 'sarybay');
  assert.deepEqual(await shown(widget(page), /^1 result$/), [CICA_TITLE]);
});

test('recent searches are offered in an empty box, and a page that forbids storage still searches', async (t) => {
  const { page } = await openPage(t, site.url);
  await search(page, 'sarybay');
  const w = widget(page);
  await shown(w, /^1 result$/);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname !== '/');

  await page.goto(site.url);
  await widget(page).getByRole('combobox').focus();
  const recent = widget(page).getByRole('listbox', { name: 'Recent searches' });
  assert.deepEqual(await recent.getByRole('option').allTextContents(), ['sarybay']);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.deepEqual(await shown(widget(page), /^1 result$/), [CICA_TITLE]);
  await widget(page).getByRole('combobox').fill('');
  await widget(page).getByRole('button', { name: 'Clear recent searches' }).click();
  assert.equal(await page.evaluate(() => localStorage.getItem('pressroom:recent')), null);

  const { page: locked } = await openPage(t, site.url, {
    init: () => Object.defineProperty(globalThis, 'localStorage', { get: () => { throw new DOMException('denied', 'SecurityError'); } }),
  });
  await search(locked, 'sarybay');
  await shown(widget(locked), /^1 result$/);
  await locked.keyboard.press('ArrowDown');
  await locked.keyboard.press('Enter');
  await locked.waitForURL((url) => url.pathname !== '/');
});

// ---------------------------------------------------------------------------------------------
// Facets, sorting, paging.

test('year and category filters and the sort order change the hits and the counts as the engine does', async (t) => {
  const { page } = await openPage(t, site.url);
  await search(page, 'security');
  const w = widget(page);
  const all = await engine(page, 'security', { limit: 10 });
  await w.locator('.pressroom__count', { hasText: `${all.total} results` }).waitFor();

  const year = all.facets.years.find((y) => y.count < all.total);
  const yearButton = w.getByRole('group', { name: 'Year' }).getByRole('button', { name: new RegExp(`^${year.value}`) });
  assert.equal(await yearButton.textContent(), `${year.value}${year.count}`);
  await yearButton.focus();
  await page.keyboard.press('Enter');
  await w.locator('.pressroom__count', { hasText: `${year.count} result` }).waitFor();
  assert.equal(await yearButton.getAttribute('aria-pressed'), 'true');
  const focused = () => page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent);
  assert.equal(await focused(), `${year.value}${year.count}`, 'the redrawn button keeps the keyboard focus');
  const byYear = await engine(page, 'security', { limit: 10, filters: { years: [Number(year.value)] } });
  assert.equal(byYear.total, year.count);
  assert.deepEqual(await w.locator('.pressroom__title').allTextContents(), byYear.hits.map((h) => h.title));
  for (const datetime of await w.locator('time').evaluateAll((times) => times.map((e) => e.dateTime))) {
    assert.ok(datetime.startsWith(year.value), `${datetime} is in ${year.value}`);
  }

  const category = byYear.facets.categories[0];
  await w.getByRole('group', { name: 'Category' }).getByRole('button', { name: new RegExp(`^${category.value}`) }).click();
  const both = await engine(page, 'security', { limit: 10, filters: { years: [Number(year.value)], categories: [category.value] } });
  await w.locator('.pressroom__count', { hasText: new RegExp(`^${both.total} results?$`) }).waitFor();
  assert.deepEqual(await w.locator('.pressroom__title').allTextContents(), both.hits.map((h) => h.title));

  await w.getByRole('button', { name: 'Clear filters' }).click();
  await w.locator('.pressroom__count', { hasText: `${all.total} results` }).waitFor();

  const sort = w.getByRole('group', { name: 'Sort by' });
  await sort.getByRole('button', { name: 'Newest' }).click();
  const newest = await engine(page, 'security', { limit: 10, sort: 'date' });
  await page.waitForFunction(
    (titles) => JSON.stringify([...document.querySelector('.site-search').shadowRoot.querySelectorAll('.pressroom__title')].map((e) => e.textContent)) === titles,
    JSON.stringify(newest.hits.map((h) => h.title)),
  );
  assert.notDeepEqual(newest.hits.map((h) => h.title), all.hits.map((h) => h.title), 'the order changed');
  const dates = await w.locator('time').evaluateAll((times) => times.map((e) => e.dateTime));
  assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
  assert.equal(await sort.getByRole('button', { name: 'Newest' }).getAttribute('aria-pressed'), 'true');

  await w.getByRole('button', { name: 'Load more' }).click();
  const twenty = await engine(page, 'security', { limit: 20, sort: 'date' });
  await w.getByRole('option').nth(19).waitFor();
  assert.deepEqual(await w.locator('.pressroom__title').allTextContents(), twenty.hits.map((h) => h.title));
  assert.equal(await w.getByRole('combobox').getAttribute('aria-activedescendant'), await w.getByRole('option').nth(10).getAttribute('id'), 'the first new hit is active');
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.localName), 'input', 'in the box, which has the focus');

  await sort.getByRole('button', { name: 'Relevance' }).focus();
  await page.keyboard.press('Escape');
  await w.locator('.pressroom__panel').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.localName), 'input', 'Esc in the panel returns to the box');
});

// ---------------------------------------------------------------------------------------------
// Failure states.

test('an index that is not there or not an index shows an error, not a dead box', async (t) => {
  const broken = {
    missing: null,
    'not an index': gzipSync(Buffer.from('PRESSRMI but not really an index at all')),
    'not gzip either': Buffer.from('<html>a server error page</html>'),
  };
  for (const [name, index] of Object.entries(broken)) {
    const url = await scratchSite(t, { index });
    const { page, errors } = await openPage(t, url, { expectErrors: true });
    await search(page, 'sarybay');
    await page.locator('.pressroom[data-state="error"] .pressroom__message', { hasText: /unavailable/ }).waitFor();
    assert.equal(await page.getByRole('option').count(), 0, name);
    assert.deepEqual(await axeViolations(page), [], `${name}: error state`);
    const thrown = await page.evaluate(async () => {
      const { Pressroom } = await import('/pressroom/pressroom.js');
      return Pressroom.open().then(() => 'opened', (error) => error.message);
    });
    assert.match(thrown, /\/pressroom\/index\.pri/, `${name}: the error names the index URL`);
    if (name === 'missing') assert.match(thrown, /404/, 'and the status');
    assert.deepEqual(errors.filter((e) => e.startsWith('page error')), [], `${name}: nothing thrown uncaught`);
  }
});

// ---------------------------------------------------------------------------------------------
// Accessibility, languages, themes and layout.

test('axe-core finds no violations: empty, results in light and dark, and on a phone', async (t) => {
  for (const colorScheme of ['light', 'dark']) {
    const { page } = await openPage(t, site.url, { colorScheme });
    assert.deepEqual(await axeViolations(page), [], `${colorScheme}: empty`);
    await search(page, 'security');
    await widget(page).getByRole('option').first().waitFor();
    // The announcement comes once typing has paused: the panel shows the last query's answer.
    await widget(page).getByRole('status').filter({ hasText: /^\d[\d,]* results$/ }).waitFor();
    assert.deepEqual(await axeViolations(page), [], `${colorScheme}: results`);
    assert.equal(await page.getByRole('search').count(), 1, 'one search landmark');
    await widget(page).locator('.pressroom__facets').waitFor();
    if (colorScheme === 'dark') await page.screenshot({ path: path.join(screenshots, 'results-dark.png') });
  }
  for (const [width, height] of [[320, 568], [360, 740]]) {
    const { page } = await openPage(t, site.url, { width, height });
    assert.equal(await widget(page).isVisible(), false, 'the header keeps only the button on a phone');
    await widget(page, 'modal').getByRole('button', { name: 'Search' }).click();
    await page.keyboard.type('security', { delay: 30 });
    await widget(page, 'modal').getByRole('option').first().waitFor();
    const box = await widget(page, 'modal').getByRole('dialog').boundingBox();
    assert.deepEqual([box.width, box.height], [width, height], `the dialog fills the ${width} px screen`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.equal(overflow, 0, `nothing is wider than ${width} px`);
    assert.deepEqual(await axeViolations(page), [], `${width} px, modal open`);
    if (width === 360) await page.screenshot({ path: path.join(screenshots, 'phone-modal.png') });
  }
});

test('a live region announces the result count once typing pauses', async (t) => {
  const { page } = await openPage(t, site.url);
  await search(page, 'sarybay');
  const live = widget(page).getByRole('status');
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  await live.filter({ hasText: /^1 result$/ }).waitFor();
});

test('results appear without moving anything on the page (no layout shift)', async (t) => {
  const { page } = await openPage(t, site.url);
  await page.waitForLoadState('networkidle');
  // Shifts of the page's own elements; inside the results panel things move as results come.
  await page.evaluate(() => {
    globalThis.shifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        for (const { node } of entry.sources) if (node && !node.closest?.('[data-pressroom]')) globalThis.shifts.push(node.nodeName);
      }
    }).observe({ type: 'layout-shift' });
  });
  const heading = await page.locator('main h1').boundingBox();
  const host = await widget(page).boundingBox();
  await search(page, 'security');
  await widget(page).getByRole('option').first().waitFor();
  await widget(page).getByRole('button', { name: 'Load more' }).click();
  await widget(page).getByRole('option').nth(10).waitFor();
  assert.deepEqual(await page.locator('main h1').boundingBox(), heading);
  assert.deepEqual(await widget(page).boundingBox(), host, 'the box stays the size it was');
  assert.deepEqual(await page.evaluate(() => globalThis.shifts), [], 'layout shifts');
});

test('the page language picks the strings: Arabic is right to left, Russian counts in its plurals', async (t) => {
  const index = await demoIndex();
  const arabic = await scratchSite(t, { index, page: barePage({ lang: 'ar' }) });
  const { page } = await openPage(t, arabic, { width: 900, height: 640 });
  const w = widget(page);
  const box = w.getByRole('combobox', { name: 'البحث في البيانات الصحفية' });
  assert.equal(await box.getAttribute('placeholder'), 'ابحث في البيانات الصحفية…');
  assert.equal(await w.locator('.pressroom').getAttribute('dir'), 'rtl');
  await box.focus();
  await page.keyboard.type('security', { delay: 30 });
  const total = (await engine(page, 'security', {})).total;
  await w.locator('.pressroom__count', { hasText: `${new Intl.NumberFormat('ar').format(total)} نتيجة` }).waitFor();
  const count = await w.locator('.pressroom__count').boundingBox();
  const sort = await w.getByRole('group', { name: 'الترتيب' }).boundingBox();
  assert.ok(count.x > sort.x + sort.width, 'the count comes first, on the right');
  assert.deepEqual(await axeViolations(page), [], 'Arabic results');
  await page.screenshot({ path: path.join(screenshots, 'results-rtl-ar.png') });

  const russian = await scratchSite(t, { index, page: barePage({ lang: 'ru' }) });
  const { page: ru } = await openPage(t, russian);
  await widget(ru).getByRole('combobox', { name: 'Поиск по пресс-релизам' }).focus();
  await ru.keyboard.type('sarybay', { delay: 30 });
  await widget(ru).locator('.pressroom__count', { hasText: /^1 результат$/ }).waitFor();
  assert.equal(await widget(ru).locator('time').textContent(), new Intl.DateTimeFormat('ru', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 9, 27))));
});

test('data attributes configure the widget, and the site’s CSS cannot reach inside it', async (t) => {
  // Rules a site might have for its own elements, aimed at everything the widget uses.
  const hostileCss =
    '* { letter-spacing: 0.3em !important; text-transform: uppercase !important; color: red !important; }\n' +
    'input, button, div, span, a { display: inline !important; border: 5px dashed red !important; }\n' +
    // …and the one way in that is meant: the theme's custom properties.
    ':root { --pressroom-radius: 3px; --pressroom-accent: rgb(0, 100, 0); }\n';
  const page = barePage({ attributes: 'data-limit="3" data-placeholder="Find a release" data-filters="year" data-sort="newest" data-url-param=""' })
    .replace('<main>', '<link rel="stylesheet" href="/hostile.css"><main>');
  const url = await scratchSite(t, { index: await demoIndex(), page, files: { 'hostile.css': hostileCss } });
  const { page: p } = await openPage(t, url);
  const w = widget(p);
  const box = w.getByRole('combobox');
  assert.equal(await box.getAttribute('placeholder'), 'Find a release');
  await p.keyboard.press('/'); // no dialog on this page: the shortcut goes to the box
  assert.equal(await box.evaluate((input) => input.getRootNode().activeElement === input), true);
  await p.keyboard.type('security', { delay: 30 });
  const newest = await engine(p, 'security', { limit: 3, sort: 'date' });
  await w.locator('.pressroom__count', { hasText: `${newest.total} results` }).waitFor();
  assert.deepEqual(await w.locator('.pressroom__title').allTextContents(), newest.hits.map((h) => h.title));
  assert.equal(await w.getByRole('group', { name: 'Category' }).count(), 0, 'only the year filter is offered');
  assert.equal(await w.getByRole('group', { name: 'Year' }).count(), 1);
  assert.equal(new URL(p.url()).search, '', 'data-url-param="" keeps the URL as it is');
  const style = (locator) =>
    locator.evaluate((node) => {
      const s = getComputedStyle(node);
      return { color: s.color, letterSpacing: s.letterSpacing, textTransform: s.textTransform, borderStyle: s.borderTopStyle };
    });
  assert.deepEqual(await style(box), { color: 'rgb(27, 28, 30)', letterSpacing: 'normal', textTransform: 'none', borderStyle: 'solid' });
  assert.deepEqual(await style(w.locator('.pressroom__title').first()), { color: 'rgb(0, 100, 0)', letterSpacing: 'normal', textTransform: 'none', borderStyle: 'none' });
  assert.equal(await box.evaluate((input) => getComputedStyle(input).borderTopLeftRadius), '3px', 'the theme reaches the widget');
  assert.equal(await p.locator('main h1').evaluate((h1) => getComputedStyle(h1).color), 'rgb(255, 0, 0)', 'the site’s rules do apply to the site');
});

test('mount() from code: the language and any string can be set, and a modal widget opens on demand', async (t) => {
  const app =
    "import { mount } from '/pressroom/pressroom.js';\n" +
    "const widget = mount(document.querySelector('#search'), { mode: 'modal', lang: 'de', limit: 2,\n" +
    "  strings: { placeholder: 'Mitteilung finden', results: { one: '{n} Treffer', other: '{n} Treffer insgesamt' } } });\n" +
    "document.querySelector('#go').addEventListener('click', () => widget.open());\n";
  const page = '<!doctype html><html lang="en"><title>Pressroom test</title><link rel="icon" href="data:,">' +
    '<main><h1>Press</h1><button id="go">Find</button><div id="search"></div></main><script type="module" src="/app.js"></script>';
  const { page: p } = await openPage(t, await scratchSite(t, { index: await demoIndex(), page, files: { 'app.js': app } }));
  const w = p.locator('#search');
  await p.getByRole('button', { name: 'Find' }).click();
  const box = w.getByRole('combobox', { name: 'Pressemitteilungen durchsuchen' });
  await box.waitFor();
  assert.equal(await box.getAttribute('placeholder'), 'Mitteilung finden');
  await p.keyboard.type('security', { delay: 30 });
  const { total } = await engine(p, 'security', {});
  await w.locator('.pressroom__count', { hasText: `${total} Treffer insgesamt` }).waitFor();
  assert.equal(await w.getByRole('option').count(), 2);
  assert.equal(await w.getByRole('button', { name: 'Mehr laden' }).isVisible(), true);
  const time = w.locator('time').first();
  const [year, month, day] = (await time.getAttribute('datetime')).split('-').map(Number);
  const german = new Intl.DateTimeFormat('de', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, day)));
  assert.equal(await time.textContent(), german, 'dates in the widget language');
});

test('data-ranking passes ranking weights to the engine', async (t) => {
  const ranking = { titleWeight: 0.2, bodyWeight: 4 };
  const page = barePage({ attributes: `data-ranking='${JSON.stringify(ranking)}'` });
  const { page: p } = await openPage(t, await scratchSite(t, { index: await demoIndex(), page }));
  const ranked = await engine(p, 'security', { limit: 10, ranking });
  const plain = await engine(p, 'security', { limit: 10 });
  assert.notDeepEqual(ranked.hits.map((h) => h.title), plain.hits.map((h) => h.title), 'the weights change the order');
  await search(p, 'security');
  await shown(widget(p), `${ranked.total} results`);
  assert.deepEqual(await widget(p).locator('.pressroom__title').allTextContents(), ranked.hits.map((h) => h.title));
});

test('bad search options are an error that names the option, and good ones apply', async (t) => {
  const { page: p } = await openPage(t, await scratchSite(t, { index: await demoIndex(), page: barePage() }));
  const refused = async (options) => {
    try {
      await engine(p, 'security', options);
    } catch (e) {
      return e.message;
    }
    assert.fail(`accepted ${JSON.stringify(options)}`);
  };
  assert.match(await refused({ sort: 'newest' }), /search options: `sort` must be "relevance" or "date"/);
  assert.match(await refused({ limit: 2.5 }), /`limit` must be a whole number/);
  assert.match(await refused({ ranking: { titelWeight: 2 } }), /titelWeight/);
  assert.match(await refused({ filters: { year: [2024] } }), /unknown filter `year`/);
  assert.match(await refused({ filters: { from: '2024-13-01' } }), /filter `from`/);
  // The same object with good values: each option takes effect, and undefined means the default.
  const all = await engine(p, 'security', { limit: 50 });
  // The year of the most hits, so that skipping one still leaves some.
  const years = new Map();
  for (const h of all.hits.filter((h) => h.date)) years.set(h.date.slice(0, 4), (years.get(h.date.slice(0, 4)) ?? 0) + 1);
  const [busiest, count] = [...years].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  assert.ok(count >= 2, JSON.stringify([...years]));
  const year = Number(busiest);
  const some = await engine(p, 'security', { limit: 2, offset: 1, sort: 'date', filters: { years: [year] }, excerptWords: 8, ranking: undefined });
  assert.ok(some.hits.length > 0 && some.hits.length <= 2);
  assert.ok(some.hits.every((h) => h.date.startsWith(String(year))), JSON.stringify(some.hits));
  const dated = await engine(p, 'security', { limit: 50, sort: 'date', filters: { years: [year] } });
  assert.deepEqual(some.hits.map((h) => h.url), dated.hits.slice(1, 3).map((h) => h.url), 'offset and limit over the date order');
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
  await writeFile(path.join(root, 'index.html'), barePage());
  const server = await startServer({ root, port: 0 });
  t.after(() => server.close());

  const { page } = await openPage(t, server.url);
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs++;
    dialog.dismiss();
  });
  await search(page, 'zyxxq');
  await widget(page).locator('.pressroom__count', { hasText: /^3 results$/ }).waitFor();

  const { hits } = await page.evaluate(async () => {
    const { Pressroom } = await import('/pressroom/pressroom.js');
    return (await Pressroom.open()).search('zyxxq', { limit: 10 });
  });
  assert.ok(hits.some((hit) => /^javascript:/i.test(hit.url)), 'the index keeps the javascript: url, so the widget must refuse it');
  const rendered = await widget(page).getByRole('option').evaluateAll((items) =>
    items.map((item) => ({
      title: item.querySelector('.pressroom__title').textContent,
      href: item.getAttribute('href'),
      excerpt: item.querySelector('.pressroom__excerpt').textContent,
      tags: [item, ...item.querySelectorAll('*')].map((e) => e.localName).sort().join(' '),
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
    assert.ok(shown.tags.split(' ').every((tag) => ['a', 'div', 'span', 'time', 'mark'].includes(tag)), shown.tags);
  });
  assert.ok(rendered.some((r) => r.excerpt.includes('<') || r.title.includes('<') || r.title.includes('&')), 'markup characters reached the page as text');
  assert.equal(await page.locator('.pressroom img, .pressroom script, .pressroom b').count(), 0);
  assert.equal(await widget(page).locator('.pressroom').count(), 1, 'the widget was there to check');
  assert.equal(dialogs, 0);
});
