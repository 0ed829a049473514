// Browser tests of the split index: the demo's releases make an index large enough that
// `pressroom-index build` splits it, so the page fetches the entry file on open and then only the
// pieces each query touches, with HTTP range requests.
//
//   PRESSROOM_DEMO_DIR=<site> node --test tests/e2e/split.test.mjs
//
// The answers must be those of the native engine (`pressroom-index query --json`) on the same
// folder: one engine, two targets.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../www/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';
import { runBuilder, scratchDir } from './helpers.mjs';

const demoDir = process.env.PRESSROOM_DEMO_DIR;
if (!demoDir) throw new Error('PRESSROOM_DEMO_DIR is not set: build the demo with `cargo xtask demo`');
const indexDir = path.join(demoDir, 'pressroom');
const builder =
  process.env.PRESSROOM_INDEX_BIN ?? path.join(demoDir, '..', 'release', 'pressroom-index');

const parts = readdirSync(indexDir).filter((f) => /^pressroom-[0-9a-f]+\.bin$/.test(f));
const partBytes = parts.reduce((sum, f) => sum + statSync(path.join(indexDir, f)).size, 0);

let server;
let browser;
before(async () => {
  server = await startServer({ root: demoDir, port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page with Pressroom opened from code, and a log of every index request it makes. */
async function openPage() {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  const requests = [];
  const asked = [];
  page.on('request', (request) => {
    if (/\/pressroom\/.*\.(bin|pri)$/.test(new URL(request.url()).pathname)) asked.push(request.url());
  });
  const pending = [];
  page.on('response', (response) => pending.push(logResponse(response)));
  async function logResponse(response) {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/pressroom/') || !/\.(bin|pri)$/.test(url.pathname)) return;
    const body = await response.body().catch(() => Buffer.alloc(0));
    requests.push({
      file: path.basename(url.pathname),
      status: response.status(),
      type: response.headers()['content-type'] ?? '',
      range: response.request().headers().range ?? null,
      bytes: body.length,
    });
  }
  /** Every response seen so far, logged. */
  requests.settled = () => Promise.all(pending);
  await page.goto(server.url + 'index.html');
  await page.evaluate(async () => {
    const { Pressroom } = await import('/pressroom/pressroom-core.js');
    window.pr = await Pressroom.open('/pressroom/');
  });
  return { page, requests, asked, errors };
}

function nativeQuery(query, limit = 10) {
  return JSON.parse(
    execFileSync(builder, ['query', indexDir, query, '--json', '--limit', String(limit)], { encoding: 'utf8' }),
  );
}

test('the demo index is split, and opening it fetches only the entry file', async () => {
  assert.ok(parts.length >= 1, `no part files in ${indexDir}: the demo index was not split`);
  const { page, requests, errors } = await openPage();
  await requests.settled();
  assert.deepEqual(
    requests.map((r) => r.file),
    ['index.pri'],
    `opening fetched ${JSON.stringify(requests)}`,
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test('queries fetch a small share of the parts, by range, and answer as the native engine', async () => {
  const { page, requests, asked, errors } = await openPage();
  const queries = ['sarybay', 'eurasain security', '"eurasian security"', 'c', 'secretary -minsk', 'cica'];
  for (const query of queries) {
    const got = await page.evaluate((q) => window.pr.search(q, { limit: 10 }), query);
    const expected = nativeQuery(query);
    assert.equal(got.total, expected.total, query);
    assert.deepEqual(
      got.hits.map((h) => [h.url, h.title, h.excerpt]),
      expected.hits.map((h) => [h.url, h.title, h.excerpt]),
      query,
    );
  }
  await requests.settled();
  const pieces = requests.filter((r) => r.file.endsWith('.bin'));
  assert.ok(pieces.length > 0, 'no part was fetched');
  for (const r of pieces) {
    assert.equal(r.status, 206, `a part request was not answered by range: ${JSON.stringify(r)}`);
    assert.match(r.range, /^bytes=\d+-\d+(,\d+-\d+)*$/);
  }
  // The records of a query's hits lie all over a part: they come in one request per file.
  const several = pieces.filter((r) => r.range.includes(','));
  assert.ok(several.length > 0, `no request asked for several ranges: ${JSON.stringify(pieces)}`);
  for (const r of several) assert.match(r.type, /^multipart\/byteranges; boundary=/);
  // ...and the page read them from it: no byte of those answers was asked for again.
  assert.deepEqual(askedTwice(pieces.map((r) => r.range)), []);
  const fetched = pieces.reduce((sum, r) => sum + r.bytes, 0);
  assert.ok(
    fetched * 4 < partBytes,
    `six queries fetched ${fetched} of the parts' ${partBytes} bytes`,
  );
  // Asking again fetches nothing: the pieces are kept for the session.
  const before = asked.length;
  await page.evaluate((q) => window.pr.search(q, { limit: 10 }), 'sarybay');
  assert.equal(asked.length, before);
  assert.deepEqual(errors, []);
  await page.close();
});

test('full-width letters fetch the engine’s extended folding once, then answer as the native engine', async () => {
  const tables = readdirSync(indexDir).filter((f) => /^pressroom_engine_fold_[0-9a-f]{16}\.bin$/.test(f));
  assert.equal(tables.length, 1, `the builder wrote ${JSON.stringify(tables)}`);
  const { page, requests, errors } = await openPage();
  const search = (q) => page.evaluate((q) => window.pr.search(q, { limit: 10 }), q);
  const urls = (results) => results.hits.map((h) => h.url);
  const plain = await search('eurasian security');
  await requests.settled();
  assert.deepEqual(requests.filter((r) => r.file === tables[0]), [], 'a plain query fetched the table');
  // What an IME types: the module folds these only with the table, which it asks for.
  for (const [query, same] of [['ｅｕｒａｓｉａｎ ＳＥＣＵＲＩＴＹ', plain], ['ＳＡＲＹＢＡＹ', await search('sarybay')]]) {
    const got = await search(query);
    assert.ok(got.total > 0, query);
    assert.deepEqual(urls(got), urls(same), query);
    const expected = nativeQuery(query);
    assert.deepEqual(
      got.hits.map((h) => [h.url, h.title, h.excerpt]),
      expected.hits.map((h) => [h.url, h.title, h.excerpt]),
      query,
    );
  }
  await requests.settled();
  const fetched = requests.filter((r) => r.file === tables[0]);
  assert.equal(fetched.length, 1, JSON.stringify(fetched));
  assert.equal(fetched[0].bytes, statSync(path.join(indexDir, tables[0])).size);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a site mostly in another script gets the extended folding with its first pieces, not in a round of its own', async (t) => {
  // 400 releases in Chinese characters (the module folds them only with the table), found by
  // their Latin titles.
  const ideograph = (i, k) => String.fromCodePoint(0x4e00 + ((i * 97 + k * 13) % 20_000));
  const releases = Array.from({ length: 400 }, (_, i) => ({
    url: `/r/${i}/`,
    title: `Almaty ${i}`,
    date: '2026-01-02',
    body: Array.from({ length: 60 }, (_, k) => ideograph(i, k) + ideograph(i, k + 1)).join(' '),
  }));
  const root = await scratchDir(t, 'pressroom-e2e-cjk-');
  const input = path.join(root, 'releases.jsonl');
  writeFileSync(input, releases.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const out = path.join(root, 'pressroom');
  runBuilder(['build', input, '--out', out, '--no-cache', '--quiet', '--split', 'always']);
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>cjk</title>');
  const site = await startServer({ root, port: 0 });
  t.after(() => site.close());

  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Each part file request, and whether a request for the index's own parts had finished then.
  const issued = [];
  let partsAnswered = 0;
  const name = (request) => path.basename(new URL(request.url()).pathname);
  page.on('request', (r) => name(r).endsWith('.bin') && issued.push({ file: name(r), after: partsAnswered }));
  page.on('requestfinished', (r) => /^pressroom-[0-9a-f]+\.bin$/.test(name(r)) && partsAnswered++);
  await page.goto(site.url + 'index.html');
  const got = await page.evaluate(async () => {
    const { Pressroom } = await import('/pressroom/pressroom-core.js');
    const pr = await Pressroom.open('/pressroom/');
    return pr.search('almaty 12', { limit: 10 });
  });
  const expected = JSON.parse(runBuilder(['query', out, 'almaty 12', '--json', '--limit', '10']));
  assert.equal(got.hits[0].url, '/r/12/');
  assert.deepEqual(
    got.hits.map((h) => [h.url, h.excerpt]),
    expected.hits.map((h) => [h.url, h.excerpt]),
  );
  const tables = issued.filter((r) => r.file.startsWith('pressroom_engine_fold_'));
  assert.equal(tables.length, 1, JSON.stringify(issued));
  assert.equal(tables[0].after, 0, `the table waited for a round of its own: ${JSON.stringify(issued)}`);
  assert.deepEqual(errors, []);
  await page.close();
});

/** `bytes=a-b,c-d` as [[a, b], …] (inclusive). */
const rangesOf = (header) => header.slice('bytes='.length).split(',').map((r) => r.split('-').map(Number));

/**
 * The single ranges among `headers` (Range headers, in the order sent) that lie inside a range
 * asked for by an earlier request for several ranges: bytes fetched twice, which a page that
 * reads multipart answers never needs. (The demo index has one part file.)
 */
function askedTwice(headers) {
  const before = [];
  const twice = [];
  for (const header of headers) {
    const ranges = rangesOf(header);
    if (ranges.length > 1) before.push(...ranges);
    else if (before.some(([a, b]) => a <= ranges[0][0] && ranges[0][1] <= b)) twice.push(header);
  }
  return twice;
}

/**
 * Answers every request of the page for several ranges of a part as `answer(file bytes, ranges)`
 * does ({ status, headers, body }, or null: no answer, as a refused CORS preflight), and lets
 * the others through. Returns the Range headers seen,
 * in order.
 */
async function answerSeveralRanges(page, answer) {
  const seen = [];
  await page.route('**/pressroom-*.bin', async (route) => {
    const range = route.request().headers().range ?? '';
    seen.push(range);
    if (!range.includes(',')) return route.continue();
    const file = readFileSync(path.join(indexDir, path.basename(new URL(route.request().url()).pathname)));
    const answered = answer(file, rangesOf(range));
    return answered ? route.fulfill(answered) : route.abort('failed');
  });
  return seen;
}

/** A multipart/byteranges answer for `ranges` of `file`, as nginx writes it. */
function multipart(file, ranges) {
  const boundary = 'b0undary';
  const parts = ranges.flatMap(([start, end]) => [
    Buffer.from(`\r\n--${boundary}\r\nContent-Range: bytes ${start}-${end}/${file.length}\r\n\r\n`),
    file.subarray(start, end + 1),
  ]);
  return {
    status: 206,
    headers: { 'content-type': `multipart/byteranges; boundary=${boundary}` },
    body: Buffer.concat([...parts, Buffer.from(`\r\n--${boundary}--\r\n`)]),
  };
}

const QUERIES = ['sarybay', 'eurasain security', 'secretary -minsk', 'cica', 'c'];

async function expectNativeAnswers(page, queries = QUERIES) {
  for (const query of queries) {
    const got = await page.evaluate((q) => window.pr.search(q, { limit: 10 }), query);
    const expected = nativeQuery(query);
    assert.equal(got.total, expected.total, query);
    assert.deepEqual(got.hits.map((h) => [h.url, h.excerpt]), expected.hits.map((h) => [h.url, h.excerpt]), query);
  }
}

const several = (headers) => headers.filter((r) => r.includes(','));

for (const [refusal, answer] of [
  ['answers several ranges with the whole file', (file) => ({ status: 200, headers: {}, body: file })],
  ['never answers several ranges (a refused CORS preflight)', () => null],
]) {
  test(`a server that ${refusal} is asked one range at a time after that`, async () => {
    const { page, errors } = await openPage();
    const seen = await answerSeveralRanges(page, answer);
    await expectNativeAnswers(page, QUERIES.slice(0, 1));
    const refused = several(seen).length;
    assert.ok(refused >= 1, `no request for several ranges: ${JSON.stringify(seen)}`);
    const sent = seen.length;
    await expectNativeAnswers(page, QUERIES.slice(1));
    assert.ok(seen.length > sent, 'the later queries fetched nothing');
    assert.equal(several(seen).length, refused, `asked for several ranges again: ${JSON.stringify(seen.slice(sent))}`);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await page.close();
  });
}

test('a server that merges several ranges into one is understood', async () => {
  const { page, errors } = await openPage();
  const seen = await answerSeveralRanges(page, (file, ranges) => {
    const start = Math.min(...ranges.map((r) => r[0]));
    const end = Math.max(...ranges.map((r) => r[1]));
    return {
      status: 206,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${file.length}` },
      body: file.subarray(start, end + 1),
    };
  });
  await expectNativeAnswers(page);
  assert.ok(several(seen).length >= 1, `no request for several ranges: ${JSON.stringify(seen)}`);
  assert.deepEqual(askedTwice(seen), [], 'pieces of a merged answer were fetched again');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a multipart answer that ends early is fetched again a range at a time, and several ranges are still asked for', async () => {
  const { page, errors } = await openPage();
  let cut = true;
  const seen = await answerSeveralRanges(page, (file, ranges) => {
    const answer = multipart(file, ranges);
    if (cut) answer.body = answer.body.subarray(0, answer.body.length >> 1);
    return answer;
  });
  await expectNativeAnswers(page, QUERIES.slice(0, 1));
  const broken = several(seen).length;
  assert.ok(broken >= 1, `no request for several ranges: ${JSON.stringify(seen)}`);
  assert.ok(askedTwice(seen).length >= 1, 'the pieces of the broken answer were not fetched one by one');
  cut = false;
  const sent = seen.length;
  await expectNativeAnswers(page, QUERIES.slice(1));
  const later = seen.slice(sent);
  assert.ok(several(later).length >= 1, `a failed answer stopped requests for several ranges: ${JSON.stringify(later)}`);
  assert.deepEqual(askedTwice(later), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a part that cannot be fetched is a clear error, and the next query works once it is back', async () => {
  const { page } = await openPage();
  let failing = true;
  let refused = 0;
  // Each 404 comes later than the one before, as from a loaded server: the query must not end
  // at the first one and leave requests behind that the next query joins and fails with.
  await page.route('**/pressroom-*.bin', async (route) => {
    if (!failing) return route.continue();
    await new Promise((resolve) => setTimeout(resolve, 150 * refused++));
    return route.fulfill({ status: 404, body: 'gone' });
  });
  const error = await page.evaluate(async () => {
    try {
      await window.pr.search('sarybay');
      return null;
    } catch (err) {
      return err.message;
    }
  });
  assert.match(error ?? '', /pressroom-[0-9a-f]+\.bin.*404/, `error: ${error}`);
  failing = false;
  const results = await page.evaluate(() => window.pr.search('sarybay'));
  assert.ok(results.total > 0, 'the query works again once the part is back');
  await page.close();
});
