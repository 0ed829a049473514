#!/usr/bin/env node
// A small static file server for the demo site and the browser tests: node built-ins only.
//
//   node www/serve.mjs <dir> [--port N] [--host 127.0.0.1]
//
// It listens on the loopback interface only (port 0 picks a free port) and prints
// `listening http://127.0.0.1:PORT/` once ready. HTML is sent with the strict Content Security
// Policy that the widget must work under, so a test run against it proves the widget needs no
// inline script or style. From a test: `const { url, close } = await startServer({ root, port: 0 })`.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The policy sent with every HTML page. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
].join('; ');

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.pri': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Starts serving the files under `root`.
 * @param {{ root: string, port?: number, host?: string }} options
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startServer({ root, port = 0, host = '127.0.0.1' }) {
  if (!LOOPBACK.has(host)) {
    throw new Error(`refusing to listen on ${host}: this server is for local use, bind 127.0.0.1`);
  }
  const rootDir = path.resolve(root);
  const rootStat = await stat(rootDir).catch(() => null);
  if (!rootStat?.isDirectory()) throw new Error(`${rootDir} is not a directory`);

  const server = createServer((req, res) => {
    handle(rootDir, req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, `internal error: ${err.message}\n`);
      else res.destroy(err);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(rootDir, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  const file = await resolveFile(rootDir, req.url);
  if (!file) return send(res, 404, 'not found\n');

  const type = CONTENT_TYPES[path.extname(file.path).toLowerCase()] ?? 'application/octet-stream';
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Accept-Ranges', 'bytes');
  if (type.startsWith('text/html')) res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  // Range requests, as static hosts answer them: a split index fetches its parts piecewise, and
  // asks for several pieces of one file at once (a multipart/byteranges answer, as nginx gives).
  const ranges = parseRanges(req.headers.range, file.size);
  if (ranges === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${file.size}`);
    return send(res, 416, 'range not satisfiable\n');
  }
  if (ranges?.length > 1) return sendRanges(req, res, file, type, ranges);
  const [range] = ranges ?? [];
  if (range) {
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
    res.setHeader('Content-Length', range.end - range.start + 1);
    res.writeHead(206);
  } else {
    res.setHeader('Content-Length', file.size);
    res.writeHead(200);
  }
  if (req.method === 'HEAD') return res.end();
  createReadStream(file.path, range ?? {}).on('error', (err) => res.destroy(err)).pipe(res);
}

/** Several ranges of a file as one multipart/byteranges body (RFC 9110, section 14.6). */
async function sendRanges(req, res, file, type, ranges) {
  const boundary = `pressroom-${Math.random().toString(36).slice(2)}`;
  const { heads, tail } = multipartFraming(ranges, type, file.size, boundary);
  const length = ranges.reduce((sum, r, i) => sum + Buffer.byteLength(heads[i]) + r.end - r.start + 1, 0) + Buffer.byteLength(tail);
  res.setHeader('Content-Type', `multipart/byteranges; boundary=${boundary}`);
  res.setHeader('Content-Length', length);
  res.writeHead(206);
  if (req.method === 'HEAD') return res.end();
  const handle = await open(file.path, 'r');
  try {
    for (const [i, r] of ranges.entries()) {
      const data = Buffer.alloc(r.end - r.start + 1);
      await handle.read(data, 0, data.length, r.start);
      res.write(heads[i]);
      res.write(data);
    }
  } finally {
    await handle.close();
  }
  res.end(tail);
}

/**
 * What a multipart/byteranges body puts around `ranges` of a file of `size` bytes: a head
 * before each range's bytes, and the closing delimiter after the last.
 */
export function multipartFraming(ranges, type, size, boundary) {
  return {
    heads: ranges.map(
      (r) => `\r\n--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`,
    ),
    tail: `\r\n--${boundary}--\r\n`,
  };
}

/** A request for more ranges than this is answered with the whole file, which HTTP allows. */
const MAX_RANGES = 64;

/**
 * The `bytes=` ranges of a file of `size` bytes as [{ start, end }] (inclusive), null when there
 * is no usable Range header (answer the whole file), or 'unsatisfiable' when no range is. Ranges
 * that start past the end are dropped; overlapping ones, or too many, get the whole file.
 */
export function parseRanges(header, size) {
  const specs = /^bytes=(.+)$/.exec(header ?? '')?.[1].split(',');
  if (!specs || specs.length > MAX_RANGES) return null;
  const ranges = [];
  for (const spec of specs) {
    const match = /^\s*(\d*)-(\d*)\s*$/.exec(spec);
    if (!match || (match[1] === '' && match[2] === '')) return null;
    let start;
    let end;
    if (match[1] === '') {
      start = Math.max(0, size - Number(match[2]));
      end = size - 1;
    } else {
      start = Number(match[1]);
      end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    }
    if (match[1] !== '' && match[2] !== '' && Number(match[2]) < start) return null; // invalid: ignore the header
    if (start <= end && start < size) ranges.push({ start, end });
  }
  if (ranges.length === 0) return 'unsatisfiable';
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  if (sorted.some((r, i) => i > 0 && r.start <= sorted[i - 1].end)) return null;
  return ranges;
}

/** Maps a request URL to a regular file inside `rootDir`, or null. */
async function resolveFile(rootDir, requestUrl) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(requestUrl, 'http://localhost').pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (pathname.includes('\0')) return null;
  // URL parsing already removed `..` segments; resolving and checking the prefix again guards
  // against encoded separators (`%2e%2e%2f`) that only appear after decoding.
  let filePath = path.resolve(rootDir, '.' + pathname);
  if (filePath !== rootDir && !filePath.startsWith(rootDir + path.sep)) return null;
  let info = await stat(filePath).catch(() => null);
  if (info?.isDirectory()) {
    filePath = path.join(filePath, 'index.html');
    info = await stat(filePath).catch(() => null);
  }
  return info?.isFile() ? { path: filePath, size: info.size } : null;
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function parseArgs(argv) {
  const options = { port: 0, host: '127.0.0.1' };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port' || arg === '--host') {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      options[arg.slice(2)] = value;
    } else if (arg.startsWith('--')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      rest.push(arg);
    }
  }
  if (rest.length !== 1) throw new Error('expected exactly one directory to serve');
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${options.port}`);
  return { root: rest[0], port, host: options.host };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`serve.mjs: ${err.message}\nusage: node www/serve.mjs <dir> [--port N] [--host 127.0.0.1]`);
    process.exit(2);
  }
  try {
    const { url, close } = await startServer(options);
    console.log(`listening ${url}`);
    for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => close().then(() => process.exit(0)));
  } catch (err) {
    console.error(`serve.mjs: ${err.message}`);
    process.exit(1);
  }
}
