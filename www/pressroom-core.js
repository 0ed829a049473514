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

/** A search index, opened from a folder written by `pressroom-index build`. */
export class Pressroom {
  #index;

  /** Use `Pressroom.open`. */
  constructor(index) {
    this.#index = index;
  }

  /**
   * Fetches the index in `base` (a folder URL, resolved against the page) and loads it.
   * @param {string | URL} [base] defaults to the folder of pressroom.js itself.
   * @returns {Promise<Pressroom>}
   */
  static async open(base = DEFAULT_BASE) {
    const folder = folderUrl(base);
    const indexUrl = new URL(INDEX_FILE, folder).href;
    const [engine, bytes] = await Promise.all([loadEngine(folder), fetchIndex(indexUrl)]);
    try {
      return new Pressroom(engine.Index.load(bytes));
    } catch (err) {
      throw new Error(`The search index ${indexUrl} could not be read: ${err.message}`, { cause: err });
    }
  }

  /**
   * Searches the index; resolves to exactly what the engine returns.
   * @param {string} query what the visitor typed
   * @param {{ limit?: number, offset?: number }} [options]
   * @returns {Promise<{ total: number, hits: Array<{ url: string, title: string,
   *   date: string | null, excerpt: string, score: number }> }>}
   */
  async search(query, options = {}) {
    if (!this.#index) throw new Error('This Pressroom index has been closed');
    return this.#index.search(String(query), options);
  }

  /** Frees the engine's memory; the object cannot search afterwards. */
  close() {
    this.#index?.free();
    this.#index = null;
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
async function fetchIndex(url) {
  const response = await fetchWithRetry(url);
  let bytes = new Uint8Array(await response.arrayBuffer());
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
 * `fetch`, tried again twice with a growing pause when the failure may pass (no connection, a
 * server error, rate limiting); a 404 will not go away by waiting, so it fails at once.
 */
async function fetchWithRetry(url) {
  let failure;
  for (let attempt = 1; attempt <= FETCH_ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(FETCH_BACKOFF_MS * 2 ** (attempt - 2));
    try {
      const response = await fetch(url);
      if (response.ok) return response;
      failure = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      if (!isTransient(response.status)) break;
    } catch (err) {
      failure = `network error (${err.message})`;
    }
  }
  throw new Error(`Could not load the search index ${url}: ${failure}`);
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
