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
/** The same module gzipped by the builder (zopfli): what the page downloads. */
const WASM_GZIP_FILE = 'pressroom_engine_bg.wasm.gz';
const FETCH_ATTEMPTS = 3;
const FETCH_BACKOFF_MS = 250;
/** An attempt that receives nothing for this long (no headers, or no bytes of the body) is abandoned and retried. */
const STALL_TIMEOUT_MS = 10_000;
export const DEFAULT_BASE = new URL('./', import.meta.url).href;

// ---------------------------------------------------------------------------------------------
// Engine: fetching, inflating and loading the index.

/** One initialized engine module per URL, so the wasm is compiled once per page. */
const engines = new Map();

function loadEngine(base, timeout = STALL_TIMEOUT_MS) {
  const url = new URL(ENGINE_FILE, base).href;
  if (!engines.has(url)) {
    const ready = Promise.all([import(url), engineModule(base, timeout)]).then(async ([engine, module]) => {
      await engine.default({ module_or_path: module ?? new URL(WASM_FILE, url) });
      return engine;
    });
    // A failed load may be a passing network error: let the next caller try again.
    ready.catch(() => engines.delete(url));
    engines.set(url, ready);
  }
  return engines.get(url);
}

/**
 * The engine's WebAssembly module, downloaded gzipped and inflated here, so that it is small
 * whether or not the host compresses `.wasm` files; `null` when the folder has no gzipped copy
 * (an older pressroom-index wrote it), and the glue fetches the plain module instead.
 */
async function engineModule(base, timeout) {
  const url = new URL(WASM_GZIP_FILE, base).href;
  try {
    return await fetchGzip(url, timeout, 'search engine');
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
}

/**
 * How many fetch-and-add rounds one query may take. Each round fetches everything the engine
 * found missing, and a query goes through stages that depend on what the one before found:
 * dictionary parts and acronym buckets, postings, the dictionary near a word with no match (a
 * typo), an acronym's expansion, word families and their postings, pages of record lengths,
 * records. On the 22,181 releases, 1,000 known-item queries and every keystroke of the 20
 * benchmark queries need 3 to 10 rounds (`cargo run --example fetch_plan`); this only stops a
 * query that would never end.
 */
const MAX_ROUNDS = 16;
/**
 * At most this many byte ranges go in one request: servers limit them (Apache answers more
 * than 200 with the whole file, nginx's 8 KB header buffer holds about 400).
 */
const MAX_RANGES_PER_REQUEST = 32;

/** A search index, opened from a folder written by `pressroom-index build`. */
export class Pressroom {
  #index;
  #folder;
  #timeout;
  /** Pieces being fetched, by `file:start:end`, so concurrent queries share one request. */
  #inflight = new Map();
  /** Whether to ask for several byte ranges in one request: until the server refuses. */
  #severalRanges = true;
  /** Whether the server has answered a request for several ranges. */
  #severalAnswered = false;

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
    const [engine, bytes] = await Promise.all([loadEngine(folder, timeout), fetchGzip(indexUrl, timeout)]);
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
      await this.#loadAll(results.need);
    }
    throw new Error(`The query “${query}” still needed parts of the index after ${MAX_ROUNDS} rounds`);
  }

  /**
   * Fetches the pieces one round of a query needs (each once, however many queries ask) and
   * adds them. Several pieces of one file go in one request with several byte ranges, which
   * nginx, Apache and most CDNs answer with one multipart body: a query's ten records cost a
   * request or two instead of ten. When such a request fails, its pieces are fetched one range
   * per request, with the usual retries and errors; a server that refuses such requests (it
   * sends the whole file, say) is asked one range per request for the rest of the session.
   */
  #loadAll(pieces) {
    const waits = [];
    const byFile = new Map();
    for (const piece of pieces) {
      const inflight = this.#inflight.get(pieceKey(piece));
      if (inflight) waits.push(inflight);
      else if (byFile.has(piece.file)) byFile.get(piece.file).push(piece);
      else byFile.set(piece.file, [piece]);
    }
    for (const [file, group] of byFile) {
      const url = new URL(file, this.#folder).href;
      for (let at = 0; at < group.length; at += MAX_RANGES_PER_REQUEST) {
        const batch = group.slice(at, at + MAX_RANGES_PER_REQUEST);
        const together = batch.length > 1 && this.#severalRanges ? this.#fetchTogether(url, batch) : null;
        batch.forEach((piece, i) => {
          const raw = together
            ? together.then((all) => all?.[i] ?? fetchRange(url, piece, this.#timeout))
            : fetchRange(url, piece, this.#timeout);
          const done = raw
            .then((bytes) => (piece.gzip ? inflate(bytes, url) : bytes))
            .then((bytes) => {
              try {
                this.#index?.addPart(piece.file, piece.start, piece.end, bytes, piece.gzip);
              } catch (err) {
                throw new Error(`The search index part ${url} could not be read: ${err.message}`, { cause: err });
              }
            });
          // Whatever happened, the next query asks afresh: a failure may pass, a success is kept.
          const key = pieceKey(piece);
          done.finally(() => this.#inflight.delete(key)).catch(() => {});
          this.#inflight.set(key, done);
          waits.push(done);
        });
      }
    }
    // The round ends when every piece has settled, not at the first failure: a query that fails
    // leaves no request behind for the next query to join and inherit the failure from.
    return Promise.allSettled(waits).then((settled) => {
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    });
  }

  /** The pieces' bytes from one request for all their ranges, or null to fetch them one by one. */
  #fetchTogether(url, pieces) {
    return fetchRanges(url, pieces, this.#timeout).then(
      (bytes) => {
        this.#severalAnswered = true;
        return bytes;
      },
      (err) => {
        // A refusal, or no answer at all before the server ever answered such a request: from
        // another origin, that is a CORS preflight that does not allow the Range header.
        if (err instanceof RangesRefused || (err.unanswered && !this.#severalAnswered)) this.#severalRanges = false;
        return null;
      },
    );
  }

  /** Frees the engine's memory; the object cannot search afterwards. */
  close() {
    this.#index?.free();
    this.#index = null;
  }
}

const pieceKey = (piece) => `${piece.file}:${piece.start}:${piece.end}`;

/**
 * Bytes `start..end` of a part file, with an HTTP range request. A server that ignores ranges
 * (200 with the whole file) still works: the piece is cut out of the whole. A short body is an
 * error, retried like a network failure.
 */
function fetchRange(url, { start, end }, timeout) {
  return fetchWithRetry(url, { headers: { Range: `bytes=${start}-${end - 1}` } }, timeout, (body, r) => {
    const bytes = r.status === 200 ? body.subarray(start, end) : body;
    if (bytes.length !== end - start) {
      throw new Error(`${bytes.length} of ${end - start} bytes arrived`);
    }
    return bytes;
  });
}

/** The server did not answer a request for several ranges with those ranges. */
class RangesRefused extends Error {}

/**
 * The bytes of several pieces of one part file, in the order given, from one request for all
 * their ranges, tried once. The answer must be 206: a multipart/byteranges body, or one range
 * that covers them all (a server may merge nearby ranges). Any other success, a 200 with the
 * whole file above all (abandoned at its headers), or a status that rejects the ranges (400,
 * 413, 416, 431) is a `RangesRefused`; other failures are errors as usual.
 */
async function fetchRanges(url, pieces, timeout) {
  const header = `bytes=${pieces.map((p) => `${p.start}-${p.end - 1}`).join(',')}`;
  const ranges = await fetchWithRetry(
    url,
    { headers: { Range: header } },
    timeout,
    (body, response) => byteRanges(body, response.headers),
    { accept: (r) => r.status === 206 || !(r.ok || RANGE_REFUSALS.has(r.status)), attempts: 1 },
  );
  return pieces.map((piece) => {
    const range = ranges.find((r) => r.start <= piece.start && piece.end <= r.end);
    if (!range) throw new RangesRefused(`bytes ${piece.start}-${piece.end - 1} are not in the answer`);
    return range.bytes.subarray(piece.start - range.start, piece.end - range.start);
  });
}

/** Statuses with which a server says it will not answer these ranges in one request. */
const RANGE_REFUSALS = new Set([400, 413, 416, 431]);

/**
 * The ranges of a 206 body as [{ start, end, bytes }] (`end` exclusive): the parts of a
 * multipart/byteranges body (RFC 9110, section 14.6), or the body itself under its
 * Content-Range.
 */
function byteRanges(body, headers) {
  const type = headers.get('content-type') ?? '';
  const boundary = /^multipart\/byteranges\s*;.*\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(type);
  if (!boundary) {
    const range = contentRange(headers.get('content-range'));
    if (!range || range.end - range.start !== body.length) throw new RangesRefused(`unexpected answer (${type})`);
    return [{ ...range, bytes: body }];
  }
  const delimiter = new TextEncoder().encode(`--${boundary[1] ?? boundary[2]}`);
  const ranges = [];
  let at = indexOf(body, delimiter, 0);
  while (at >= 0) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return ranges; // the closing delimiter
    const headEnd = indexOf(body, HEADERS_END, at);
    if (headEnd < 0) break;
    const head = new TextDecoder().decode(body.subarray(at, headEnd));
    const range = contentRange(/^content-range:\s*(.*)$/im.exec(head)?.[1]);
    const start = headEnd + HEADERS_END.length;
    if (!range || start + range.end - range.start > body.length) break;
    ranges.push({ ...range, bytes: body.subarray(start, start + range.end - range.start) });
    at = indexOf(body, delimiter, start + range.end - range.start);
  }
  throw new Error('the multipart answer ends early');
}

const HEADERS_END = new Uint8Array([13, 10, 13, 10]);

/** `bytes a-b/size` as { start: a, end: b + 1 }, or null. */
function contentRange(value) {
  const m = /^\s*bytes\s+(\d+)-(\d+)\//i.exec(value ?? '');
  return m ? { start: Number(m[1]), end: Number(m[2]) + 1 } : null;
}

/** The first index of `needle` in `bytes` at or after `from`, or -1. */
function indexOf(bytes, needle, from) {
  const first = needle[0];
  for (let i = bytes.indexOf(first, from); i >= 0 && i + needle.length <= bytes.length; i = bytes.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && bytes[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** A gzip member of `url`, inflated by the browser. */
async function inflate(bytes, url) {
  try {
    return await gunzip(bytes);
  } catch (err) {
    throw new Error(`The search index part ${url} is not valid gzip: ${err.message}`, { cause: err });
  }
}

/**
 * `bytes` inflated by the browser's `DecompressionStream`, written and read directly: wrapping
 * them in a Blob and reading a Response (the usual idiom) costs about 1.5 ms per call in
 * Chromium, against 0.1 ms, and a query inflates up to ten records at once.
 */
async function gunzip(bytes) {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  // Their failures are the reader's too, which reports them.
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return concat(chunks);
}

/** The chunks back to back, in one array (the chunk itself when there is one). */
function concat(chunks) {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
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
/**
 * The whole file at `url`, inflated when it is gzip (a host that sent it with
 * `Content-Encoding: gzip` has inflated it already).
 */
async function fetchGzip(url, timeout, what = 'search index') {
  let bytes = await fetchWithRetry(url, {}, timeout, (body) => body, { what });
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzip(bytes);
    } catch (err) {
      throw new Error(`The ${what} ${url} is not valid gzip: ${err.message}`, { cause: err });
    }
  }
  return bytes;
}

/**
 * `fetch` the whole body and `read(bytes, response)` it, tried again twice with a growing pause
 * when the failure may pass (no connection, a server error, rate limiting, a body cut short, an
 * attempt that received nothing for `timeout` ms); a 404 will not go away by waiting, so it
 * fails at once. `attempts` caps the tries; a response that `accept` rejects is abandoned at
 * its headers and rejected with `RangesRefused`, without another try.
 */
async function fetchWithRetry(url, init, timeout, read, { accept = () => true, attempts = FETCH_ATTEMPTS, what = 'search index' } = {}) {
  let failure;
  let status;
  let unanswered = false;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(FETCH_BACKOFF_MS * 2 ** (attempt - 2));
    unanswered = false;
    status = undefined;
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
        unanswered = true;
        continue;
      }
      if (!accept(response)) {
        controller.abort();
        throw new RangesRefused(`HTTP ${response.status} to a request for several ranges`);
      }
      if (!response.ok) {
        status = response.status;
        failure = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
        controller.abort();
        if (!isTransient(response.status)) break;
        continue;
      }
      try {
        return read(await readBody(response, wait), response);
      } catch (err) {
        if (err instanceof RangesRefused) throw err;
        const reason = err === stalled || controller.signal.reason === stalled ? stalled : err;
        failure = `incomplete download (${reason.message})`;
      }
    } finally {
      clearTimeout(timer);
    }
  }
  // `unanswered`: the last attempt got no HTTP answer at all.
  // `status`: the last HTTP error status, if the last attempt got one.
  throw Object.assign(new Error(`Could not load the ${what} ${url}: ${failure}`), { unanswered, status: unanswered ? undefined : status });
}

/** The whole body of `response`, calling `progress()` each time bytes arrive. */
async function readBody(response, progress) {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    progress();
    chunks.push(value);
  }
  return concat(chunks);
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
