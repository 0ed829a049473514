// What the hostile-input browser tests share: the browser, the builder, scratch sites and small
// servers. Not a test file itself (node --test runs only `*.test.mjs`).
//
// Like widget.test.mjs, these tests need PRESSROOM_DEMO_DIR (a built demo site: its widget and
// engine are copied into scratch sites) and run the release `pressroom-index` next to it, or
// the one PRESSROOM_INDEX_BIN names.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';


export const demoDir = process.env.PRESSROOM_DEMO_DIR;
if (!demoDir || !existsSync(path.join(demoDir, 'pressroom', 'pressroom.js'))) {
  throw new Error(
    'PRESSROOM_DEMO_DIR must name a built demo site (`cargo xtask demo --no-serve` builds target/demo)',
  );
}

const builder =
  process.env.PRESSROOM_INDEX_BIN ??
  path.join(demoDir, '..', 'release', process.platform === 'win32' ? 'pressroom-index.exe' : 'pressroom-index');

/** Runs the native builder, failing with its output. */
export function runBuilder(args) {
  if (!existsSync(builder)) {
    throw new Error(`no pressroom-index at ${builder}: build it (cargo build --release -p pressroom-index) or set PRESSROOM_INDEX_BIN`);
  }
  return execFileSync(builder, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A page with nothing but the widget. */
export const BARE_PAGE =
  '<!doctype html><html lang="en"><title>Pressroom test</title><link rel="icon" href="data:,">' +
  '<link rel="stylesheet" href="/pressroom/pressroom.css">' +
  '<div data-pressroom></div><script type="module" src="/pressroom/pressroom.js"></script>';

/** A fresh temporary folder, removed after the test. */
export async function scratchDir(t, prefix) {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  t.after(() => rm(root, { recursive: true, force: true }));
  return root;
}

/**
 * A scratch site: `releases` (objects of the JSON Lines input format) built by the real
 * `pressroom-index build` into `<root>/pressroom/`, and the bare page as `index.html`.
 */
export async function buildSite(t, releases) {
  const root = await scratchDir(t, 'pressroom-e2e-site-');
  const input = path.join(root, 'releases.jsonl');
  await writeFile(input, releases.map((r) => JSON.stringify(r)).join('\n') + '\n');
  runBuilder(['build', input, '--out', path.join(root, 'pressroom'), '--no-cache', '--quiet']);
  await rm(input);
  await writeFile(path.join(root, 'index.html'), BARE_PAGE);
  return root;
}

/** A scratch site with a copy of the demo's widget, engine and index (its entry and parts). */
export async function siteWithDemoWidget(t) {
  const root = await scratchDir(t, 'pressroom-e2e-net-');
  await mkdir(path.join(root, 'pressroom'));
  for (const file of await readdir(path.join(demoDir, 'pressroom'))) {
    await copyFile(path.join(demoDir, 'pressroom', file), path.join(root, 'pressroom', file));
  }
  await writeFile(path.join(root, 'index.html'), BARE_PAGE);
  return root;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.pri': 'application/octet-stream',
};

/**
 * A static server for `root` that sends no Content-Security-Policy, so that the widget alone
 * stands between a release and script execution. `intercept(req, res, body)` may answer a
 * request itself (return true) to inject faults; `body` is the file's bytes or null.
 * @returns {Promise<{ url: string, requests: string[], close: () => Promise<void> }>}
 */
export async function startPlainServer(t, root, intercept = () => false) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    requests.push(pathname);
    const file = path.join(root, pathname.endsWith('/') ? pathname + 'index.html' : pathname);
    const body = file.startsWith(root) ? await readFile(file).catch(() => null) : null;
    if (await intercept(req, res, body, pathname)) return;
    if (!body) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
    });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  t.after(close);
  return { url: `http://127.0.0.1:${server.address().port}/`, requests, close };
}

/**
 * A fresh page recording console errors, uncaught errors, dialogs (alert/confirm/prompt) and
 * `window.__pwned(id)` calls, which every XSS payload makes when it runs.
 */
export async function openPage(t, browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  t.after(() => context.close());
  const page = await context.newPage();
  const seen = { errors: [], pwned: [], dialogs: [] };
  await page.exposeFunction('__pwned', (id) => seen.pwned.push(String(id)));
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  page.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => seen.errors.push(`page error: ${error.message}`));
  await page.goto(url);
  return { page, seen };
}

/** The inline widget (a page may also hold a modal one); locators reach into its shadow root. */
export function inlineWidget(page) {
  return page.locator('[data-pressroom]:not([data-mode="modal"])');
}

/** Puts `query` into the widget's box (one input event, as a paste does). */
export async function fillSearch(page, query) {
  const box = inlineWidget(page).getByRole('combobox', { name: 'Search press releases' });
  await box.focus();
  await box.fill(query);
  return box;
}

/** Waits until the widget has answered: results, "No results" or an error. */
export async function settled(page) {
  const root = inlineWidget(page).locator('.pressroom');
  await inlineWidget(page).locator('.pressroom[data-state="results"], .pressroom[data-state="empty"], .pressroom[data-state="error"]').waitFor();
  return root.getAttribute('data-state');
}

export { assert };
