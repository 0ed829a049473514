// Pressroom's engine layer: fetching the index, loading the WebAssembly engine and searching.
// It touches no DOM, so a worker can import it as well as a page. `pressroom.js` re-exports
// `Pressroom` from here and adds the widget.
//
//   import { Pressroom } from '/pressroom/pressroom-core.js';
//   const pr = await Pressroom.open('/pressroom/');
//   const { total, hits } = await pr.search('eurasian security', { limit: 10 });

const INDEX_FILE = 'index.pri';
const ENGINE_FILE = 'pressroom_engine.js';
const WASM_FILE = 'pressroom_engine_bg.wasm';
const FETCH_ATTEMPTS = 3;
const FETCH_BACKOFF_MS = 250;
/** An attempt that receives nothing for this long (no headers, or no bytes of the body) is abandoned and retried. */
const STALL_TIMEOUT_MS = 10_000;
export const DEFAULT_BASE = new URL('./', import.meta.url).href;

// ---------------------------------------------------------------------------------------------
// Engine: fetching, inflating and loading the index.

/** One initialized engine module per URL, so the wasm is compiled once per page. */
const engines = new Map();

function loadEngine(base) {
  const url = new URL(ENGINE_FILE, base).href;
  if (!engines.has(url)) {
    const ready = import(url).then(async (engine) => {
      await engine.default({ module_or_path: new URL(WASM_FILE, url) });
      return engine;
    });
    // A failed load may be a passing network error: let the next caller try again.
    ready.catch(() => engines.delete(url));
    engines.set(url, ready);
  }
  return engines.get(url);
}

/** How many fetch-and-add rounds one query may take (dictionary, postings, pages of record lengths, records). */
const MAX_ROUNDS = 8;

/** A search index, opened from a folder written by `pressroom-index build`. */
export class Pressroom {
  #index;
  #folder;
  #timeout;
  /** Pieces being fetched, by `file:start:end`, so concurrent queries share one request. */
  #inflight = new Map();

  /** Use `Pressroom.open`. */
  constructor(index, folder, timeout = STALL_TIMEOUT_MS) {
    this.#index = index;
    this.#folder = folder;
    this.#timeout = timeout;
  }

  /**
   * Fetches the index in `base` (a folder URL, resolved against the page) and loads it. A small
   * index is one file; a large one is split, and only its entry file is fetched here: the parts
   * follow as queries need them, and stay cached for the session.
   * @param {string | URL} [base] defaults to the folder of pressroom.js itself.
   * @param {{ timeout?: number }} [options] `timeout`: milliseconds a download may go without
   *   receiving anything before that attempt is abandoned and retried (10,000).
   * @returns {Promise<Pressroom>}
   */
  static async open(base = DEFAULT_BASE, { timeout = STALL_TIMEOUT_MS } = {}) {
    const folder = folderUrl(base);
    const indexUrl = new URL(INDEX_FILE, folder).href;
    const [engine, bytes] = await Promise.all([loadEngine(folder), fetchIndex(indexUrl, timeout)]);
    try {
      return new Pressroom(engine.Index.load(bytes), folder, timeout);
    } catch (err) {
      throw new Error(`The search index ${indexUrl} could not be read: ${err.message}`, { cause: err });
    }
  }

  /**
   * Searches the index; resolves to exactly what the engine returns. For a split index this
   * first fetches, in parallel, the pieces the query touches that are not loaded yet.
   * @param {string} query what the visitor typed
   * @param {{ limit?: number, offset?: number }} [options]
   * @returns {Promise<{ total: number, hits: Array<{ url: string, title: string,
   *   date: string | null, excerpt: string, score: number }> }>}
   */
  async search(query, options = {}) {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (!this.#index) throw new Error('This Pressroom index has been closed');
      const results = this.#index.search(String(query), options);
      if (!results.need) return results;
      await Promise.all(results.need.map((piece) => this.#load(piece)));
    }
    throw new Error(`The query “${query}” still needed parts of the index after ${MAX_ROUNDS} rounds`);
  }

  /** Fetches one piece a query needs (once, however many queries ask) and adds it. */
  #load(piece) {
    const key = `${piece.file}:${piece.start}:${piece.end}`;
    if (!this.#inflight.has(key)) {
      const url = new URL(piece.file, this.#folder).href;
      const done = fetchRange(url, piece.start, piece.end, piece.gzip, this.#timeout).then((bytes) => {
        try {
          this.#index?.addPart(piece.file, piece.start, piece.end, bytes, piece.gzip);
        } catch (err) {
          throw new Error(`The search index part ${url} could not be read: ${err.message}`, { cause: err });
        }
      });
      // Whatever happened, the next query asks afresh: a failure may pass, a success is kept.
      done.finally(() => this.#inflight.delete(key)).catch(() => {});
      this.#inflight.set(key, done);
    }
    return this.#inflight.get(key);
  }

  /** Frees the engine's memory; the object cannot search afterwards. */
  close() {
    this.#index?.free();
    this.#index = null;
  }
}

/**
 * Bytes `start..end` of a part file, with an HTTP range request, inflated when they are a gzip
 * member. A server that ignores ranges (200 with the whole file) still works: the piece is cut
 * out of the whole. A short body is an error, retried like a network failure.
 */
async function fetchRange(url, start, end, gzip, timeout) {
  const response = await fetchWithRetry(url, { headers: { Range: `bytes=${start}-${end - 1}` } }, timeout, (body, r) => {
    const bytes = r.status === 200 ? body.subarray(start, end) : body;
    if (bytes.length !== end - start) {
      throw new Error(`${bytes.length} of ${end - start} bytes arrived`);
    }
    return bytes;
  });
  if (!gzip) return response;
  try {
    const inflated = new Blob([response]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(inflated).arrayBuffer());
  } catch (err) {
    throw new Error(`The search index part ${url} is not valid gzip: ${err.message}`, { cause: err });
  }
}

/** `base` as an absolute URL ending in a slash, so that file names resolve inside it. */
export function folderUrl(base) {
  const url = new URL(base, globalThis.document?.baseURI ?? globalThis.location?.href);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url.href;
}

/** The index bytes, inflated unless the server already did (`Content-Encoding: gzip`). */
async function fetchIndex(url, timeout) {
  let bytes = await fetchWithRetry(url, {}, timeout, (body) => body);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
      bytes = new Uint8Array(await new Response(inflated).arrayBuffer());
    } catch (err) {
      throw new Error(`The search index ${url} is not valid gzip: ${err.message}`, { cause: err });
    }
  }
  return bytes;
}

/**
 * `fetch` the whole body and `read(bytes, response)` it, tried again twice with a growing pause
 * when the failure may pass (no connection, a server error, rate limiting, a body cut short, an
 * attempt that received nothing for `timeout` ms); a 404 will not go away by waiting, so it
 * fails at once.
 */
async function fetchWithRetry(url, init, timeout, read) {
  let failure;
  for (let attempt = 1; attempt <= FETCH_ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(FETCH_BACKOFF_MS * 2 ** (attempt - 2));
    // The clock restarts whenever bytes arrive: a slow but moving download is never cut.
    const controller = new AbortController();
    let timer;
    const stalled = new Error(`nothing arrived for ${timeout / 1000} s`);
    const wait = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(stalled), timeout);
    };
    wait();
    try {
      let response;
      try {
        response = await fetch(url, { ...init, signal: controller.signal });
      } catch (err) {
        failure = err === stalled ? `timed out (${stalled.message})` : `network error (${err.message})`;
        continue;
      }
      if (!response.ok) {
        failure = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
        controller.abort();
        if (!isTransient(response.status)) break;
        continue;
      }
      try {
        return read(await readBody(response, wait), response);
      } catch (err) {
        const reason = err === stalled || controller.signal.reason === stalled ? stalled : err;
        failure = `incomplete download (${reason.message})`;
      }
    } finally {
      clearTimeout(timer);
    }
  }
  throw new Error(`Could not load the search index ${url}: ${failure}`);
}

/** The whole body of `response`, calling `progress()` each time bytes arrive. */
async function readBody(response, progress) {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    progress();
    chunks.push(value);
    length += value.length;
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

function isTransient(status) {
  return status === 408 || status === 429 || status >= 500;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One `Pressroom.open` per folder, shared by every widget on the page. */
const opened = new Map();

export function openShared(base) {
  const folder = folderUrl(base);
  if (!opened.has(folder)) {
    const ready = Pressroom.open(folder);
    ready.catch(() => opened.delete(folder));
    opened.set(folder, ready);
  }
  return opened.get(folder);
}
