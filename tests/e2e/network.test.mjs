// Bad networks: a server that injects faults into the fetch of `index.pri` (404, 500s, a
// truncated body, a request that never answers) and then recovers. Transient failures are
// retried and then succeed; persistent ones reject `Pressroom.open` with a message naming the
// file and put the widget in its error state; once the network is back, the next attempt works.
//
//   PRESSROOM_DEMO_DIR=<site> node --test tests/e2e/

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assert, fillSearch, launch, openPage, siteWithDemoWidget, startPlainServer } from './helpers.mjs';

const INDEX = '/pressroom/index.pri';

let browser;
before(async () => {
  browser = await launch();
});
after(() => browser?.close());

/**
 * The demo's widget and index behind a server whose answer for index.pri is `fault.next()`:
 * 'ok', a status code, 'truncate' (Content-Length of the whole file, half of it sent, then the
 * connection cut), 'short' (half the file, cleanly ended, no length given), 'hang' (nothing
 * at all, ever) or 'stall' (headers and half the body, then nothing).
 */
async function faultySite(t, faults) {
  const root = await siteWithDemoWidget(t);
  let served = 0;
  const server = await startPlainServer(t, root, (req, res, body, pathname) => {
    if (pathname !== INDEX) return false;
    const fault = faults[Math.min(served++, faults.length - 1)];
    if (fault === 'ok') return false;
    if (typeof fault === 'number') {
      res.writeHead(fault, { 'Content-Type': 'text/plain' });
      res.end(`fault ${fault}\n`);
    } else if (fault === 'truncate') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    } else if (fault === 'hang') {
      // Never answered; the connection is closed when the server is.
    } else if (fault === 'stall') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
      res.write(body.subarray(0, body.length >> 1));
    } else if (fault === 'short') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(body.subarray(0, body.length >> 1));
    } else {
      throw new Error(`unknown fault ${fault}`);
    }
    return true;
  });
  const indexRequests = () => server.requests.filter((p) => p === INDEX).length;
  return { ...server, indexRequests, faults };
}

/** `Pressroom.open` on the page: 'opened, N hits for sarybay' or the rejection's message. */
function openFromPage(page, options = {}) {
  return page.evaluate(async (options) => {
    const { Pressroom } = await import('/pressroom/pressroom.js');
    try {
      const pr = await Pressroom.open('/pressroom/', options);
      return `opened, ${(await pr.search('sarybay')).total} hits`;
    } catch (error) {
      return `rejected: ${error.message}`;
    }
  }, options);
}

test('server errors that pass are retried, and the index then loads', async (t) => {
  const site = await faultySite(t, [500, 503, 'ok']);
  const { page, seen } = await openPage(t, browser, site.url);
  const opened = await openFromPage(page);
  assert.match(opened, /^opened, [1-9]\d* hits$/);
  assert.equal(site.indexRequests(), 3, 'two failures, then the success');
  assert.deepEqual(seen.errors.filter((e) => e.startsWith('page error')), []);
});

test('the widget rides out a failing first attempt and shows results', async (t) => {
  const site = await faultySite(t, [502, 'ok']);
  const { page } = await openPage(t, browser, site.url);
  await fillSearch(page, 'sarybay');
  await page.locator('.pressroom[data-state="results"] .pressroom__hit').first().waitFor();
  assert.equal(site.indexRequests(), 2);
});

test('a persistent server error rejects with a message naming the file, after the retries', async (t) => {
  const site = await faultySite(t, [500]);
  const { page } = await openPage(t, browser, site.url);
  const opened = await openFromPage(page);
  assert.match(opened, /^rejected: .*\/pressroom\/index\.pri/);
  assert.match(opened, /500/);
  assert.equal(site.indexRequests(), 3, 'three attempts in all');
});

test('a 404 fails at once, the widget shows its error state, and works once the file is back', async (t) => {
  const site = await faultySite(t, [404, 404]);
  const { page } = await openPage(t, browser, site.url);
  const opened = await openFromPage(page);
  assert.match(opened, /^rejected: .*\/pressroom\/index\.pri.*404/);
  assert.equal(site.indexRequests(), 1, 'a 404 is not retried');

  const box = await fillSearch(page, 'sarybay');
  await page.locator('.pressroom[data-state="error"] .pressroom__message', { hasText: /unavailable/ }).waitFor();
  assert.equal(await page.locator('.pressroom__hit').count(), 0);
  assert.equal(site.indexRequests(), 2);

  // The network is back (the fault list ends in ok from now on): a new focus tries again.
  site.faults.push('ok');
  await box.blur();
  await box.focus();
  await box.fill('sarybay ');
  await page.locator('.pressroom[data-state="results"] .pressroom__hit').first().waitFor();
  assert.equal(site.indexRequests(), 3);
  assert.match(await openFromPage(page), /^opened/, 'and Pressroom.open works again');
});

test('a body that ends early is an error naming the file, and the next attempt works', async (t) => {
  // Half the gzip, cleanly ended and without a Content-Length: only inflating can tell.
  const site = await faultySite(t, ['short', 'ok']);
  const { page } = await openPage(t, browser, site.url);
  const first = await openFromPage(page);
  assert.match(first, /^rejected: .*\/pressroom\/index\.pri/);
  assert.match(await openFromPage(page), /^opened, [1-9]\d* hits$/, 'the next attempt works');
});

test('a body cut mid-transfer is retried, and a persistent cut names the file', async (t) => {
  const site = await faultySite(t, ['truncate', 'ok']);
  const { page } = await openPage(t, browser, site.url);
  assert.match(await openFromPage(page), /^opened, [1-9]\d* hits$/, 'retried');
  assert.equal(site.indexRequests(), 2);
  const cut = await faultySite(t, ['truncate']);
  const { page: again } = await openPage(t, browser, cut.url);
  assert.match(await openFromPage(again), /^rejected: .*\/pressroom\/index\.pri: incomplete download/);
  assert.equal(cut.indexRequests(), 3, 'three attempts in all');
});

test('a request that never answers, or stops sending, is abandoned after the timeout and retried', async (t) => {
  const site = await faultySite(t, ['hang', 'stall', 'ok']);
  const { page } = await openPage(t, browser, site.url);
  const started = Date.now();
  assert.match(await openFromPage(page, { timeout: 1000 }), /^opened, [1-9]\d* hits$/);
  assert.equal(site.indexRequests(), 3, 'no answer, half an answer, then the index');
  assert.ok(Date.now() - started >= 2000, 'each stalled attempt waited for its timeout');

  const dead = await faultySite(t, ['hang']);
  const { page: again } = await openPage(t, browser, dead.url);
  assert.match(await openFromPage(again, { timeout: 500 }), /^rejected: .*\/pressroom\/index\.pri: timed out \(nothing arrived for 0\.5 s\)/);
  assert.equal(dead.indexRequests(), 3);
});

const ENGINE = '/pressroom/pressroom_engine_bg.wasm';
const ENGINE_GZIP = `${ENGINE}.gz`;

test('the engine is downloaded gzipped, and a folder without the gzipped copy loads the plain module', async (t) => {
  const root = await siteWithDemoWidget(t);
  const site = await startPlainServer(t, root);
  const { page, seen } = await openPage(t, browser, site.url);
  assert.match(await openFromPage(page), /^opened, [1-9]\d* hits$/);
  assert.ok(site.requests.includes(ENGINE_GZIP), site.requests.join(' '));
  assert.ok(!site.requests.includes(ENGINE), 'the plain module is not fetched as well');

  // A folder an older pressroom-index wrote: no .gz, so a 404 for it and then the plain module.
  await rm(path.join(root, ENGINE_GZIP));
  const { page: older } = await openPage(t, browser, site.url);
  assert.match(await openFromPage(older), /^opened, [1-9]\d* hits$/);
  assert.ok(site.requests.includes(ENGINE), site.requests.join(' '));
  assert.deepEqual(seen.errors.filter((e) => e.startsWith('page error')), []);
});

test('a host that sends the gzipped engine with Content-Encoding: gzip works too', async (t) => {
  const root = await siteWithDemoWidget(t);
  const site = await startPlainServer(t, root, (req, res, body, pathname) => {
    if (pathname !== ENGINE_GZIP) return false;
    // The browser inflates it on the way in, so the page receives the plain module.
    res.writeHead(200, { 'Content-Type': 'application/wasm', 'Content-Encoding': 'gzip', 'Content-Length': body.length });
    res.end(body);
    return true;
  });
  const { page } = await openPage(t, browser, site.url);
  assert.match(await openFromPage(page), /^opened, [1-9]\d* hits$/);
  assert.ok(!site.requests.includes(ENGINE));
});

test('an engine that fails to download rejects with a message naming it, after the retries', async (t) => {
  const root = await siteWithDemoWidget(t);
  const site = await startPlainServer(t, root, (req, res, body, pathname) => {
    if (pathname !== ENGINE_GZIP) return false;
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('fault 500\n');
    return true;
  });
  const { page } = await openPage(t, browser, site.url);
  const opened = await openFromPage(page);
  assert.match(opened, /^rejected: Could not load the search engine .*\/pressroom\/pressroom_engine_bg\.wasm\.gz: HTTP 500/);
  assert.equal(site.requests.filter((p) => p === ENGINE_GZIP).length, 3, 'three attempts in all');
  assert.ok(!site.requests.includes(ENGINE), 'a server error is not a missing file: no fallback');
});
