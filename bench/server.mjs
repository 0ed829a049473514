// A static server on 127.0.0.1 that gzips compressible responses as a CDN would and counts the
// bytes it sends for every request.
//
// Compressible: text/*, JavaScript, CSS, JSON, wasm and SVG. Everything else (Pagefind's
// `.pf_*`/`.pagefind` files and Pressroom's index parts, which are gzip or binary already) goes
// as it is. Compressed bodies are cached, as a CDN edge would hold them, so timing does not
// include gzip work after the first request; `warm()` fills that cache before measuring.
// The count is the body bytes put on the wire (after compression), without headers. Byte ranges
// of uncompressed files are answered with 206, as static hosts do: one range as it is, several
// as a multipart/byteranges body (RFC 9110, section 14.6), as nginx and Apache answer them.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { multipartFraming, parseRanges } from '../www/serve.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
};

export const contentType = (file) => TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

export const compressible = (type) =>
  /^text\//.test(type) || /javascript|json|wasm|svg|xml/.test(type);

/**
 * Starts the server over `root`. `pages` maps extra paths to HTML served from memory (the bench
 * page). Returns { url, log, close, warm }: `log` holds one { path, bytes, encoding, status }
 * per request, in order.
 */
export async function serve(root, pages = {}) {
  const log = [];
  const gzCache = new Map();

  /** The ranges' bytes of an uncompressed file, each read from the disk on its own. */
  function readRanges(file, ranges) {
    const fd = fs.openSync(file, 'r');
    try {
      return ranges.map(({ start, end }) => {
        const data = Buffer.alloc(end - start + 1);
        fs.readSync(fd, data, 0, data.length, start);
        return data;
      });
    } finally {
      fs.closeSync(fd);
    }
  }

  function body(file, rangeHeader) {
    const type = contentType(file);
    if (!compressible(type)) {
      // Ranges of an uncompressed file are read from the disk on their own, as static servers
      // and CDNs do (reading a whole 24 MiB part for a 16-byte range would time the disk).
      const size = fs.statSync(file).size;
      const ranges = parseRanges(rangeHeader, size);
      if (Array.isArray(ranges) && ranges.length === 1) {
        const [data] = readRanges(file, ranges);
        return { type, data, encoding: null, slice: { ...ranges[0], size } };
      }
      if (Array.isArray(ranges)) {
        const boundary = 'pressroom-bench-boundary';
        const { heads, tail } = multipartFraming(ranges, type, size, boundary);
        const chunks = readRanges(file, ranges).flatMap((data, i) => [Buffer.from(heads[i]), data]);
        return {
          type: `multipart/byteranges; boundary=${boundary}`,
          data: Buffer.concat([...chunks, Buffer.from(tail)]),
          encoding: null,
          multipart: ranges.map((r) => [r.start, r.end + 1]),
        };
      }
      return { type, data: fs.readFileSync(file), encoding: null };
    }
    let gz = gzCache.get(file);
    if (!gz) {
      gz = zlib.gzipSync(fs.readFileSync(file), { level: 6 });
      gzCache.set(file, gz);
    }
    return { type, data: gz, encoding: 'gzip' };
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let pathname = decodeURIComponent(url.pathname);
    const entry = { path: pathname, bytes: 0, encoding: null, status: 200 };
    log.push(entry);
    let out;
    if (pages[pathname] !== undefined) {
      out = { type: 'text/html; charset=utf-8', data: zlib.gzipSync(pages[pathname]), encoding: 'gzip' };
    } else {
      if (pathname.endsWith('/')) pathname += 'index.html';
      const file = path.join(root, pathname);
      if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        entry.status = 404;
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
        return;
      }
      // Byte ranges, as CDNs and static hosts answer them (a split Pressroom index fetches its
      // parts piecewise; Pagefind asks for whole files).
      out = body(file, req.headers.range);
    }
    const accepts = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    let data = out.data;
    const headers = {
      'content-type': out.type,
      'cache-control': 'public, max-age=3600',
      'access-control-allow-origin': '*',
    };
    if (out.encoding && !accepts) data = zlib.gunzipSync(data);
    else if (out.encoding) {
      headers['content-encoding'] = 'gzip';
      headers.vary = 'accept-encoding';
      entry.encoding = 'gzip';
    }
    let status = 200;
    headers['accept-ranges'] = 'bytes';
    if (out.slice) {
      headers['content-range'] = `bytes ${out.slice.start}-${out.slice.end}/${out.slice.size}`;
      status = 206;
      entry.range = [out.slice.start, out.slice.end + 1];
    } else if (out.multipart) {
      status = 206;
      entry.ranges = out.multipart;
    }
    headers['content-length'] = data.length;
    entry.bytes = data.length;
    entry.status = status;
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : data);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    /** Compresses the files under `dirs` (relative to root) ahead of the measurements. */
    warm(dirs) {
      for (const d of dirs) {
        const abs = path.join(root, d);
        if (!fs.existsSync(abs)) continue;
        for (const f of walk(abs)) if (compressible(contentType(f))) body(f);
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}

/** Every file under `dir`, recursively, sorted. */
export function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
