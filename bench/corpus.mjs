// The inputs both engines index: subsets of the shared corpus as JSON Lines, and the static site
// generated from exactly those lines (one HTML page per release).
//
// Every release gets one page path, and the JSONL given to Pressroom carries that path as its
// `url`, so both engines report the same URL for the same release. The corpus's own `url` is kept
// when it is a site path ending in `/` and not taken by an earlier release; otherwise the page
// lives at `/p/<12 hex of sha1(id)>/`.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** Mulberry32: a small seeded PRNG, so subsets and query sets are the same on every machine. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with `rand`, in place. */
export function shuffle(items, rand) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export function readJsonlGz(file) {
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Gives each release a unique page path (see the top of this file). */
export function assignPages(releases, taken = new Set()) {
  for (const r of releases) {
    let page = typeof r.url === 'string' && /^\/[^?#]*\/$/.test(r.url) ? r.url : null;
    if (!page || taken.has(page)) {
      page = `/p/${createHash('sha1').update(String(r.id)).digest('hex').slice(0, 12)}/`;
    }
    taken.add(page);
    r.url = page;
  }
  return releases;
}

/** The seed that orders the press releases; subsets are prefixes of that order (1k ⊂ 10k ⊂ 22k). */
export const ORDER_SEED = 20251128;

/** The press releases in the benchmark's fixed order, with page paths assigned. */
export function pressReleases(shared) {
  const releases = assignPages(readJsonlGz(path.join(shared, 'corpus/press-releases.jsonl.gz')));
  return shuffle(releases, prng(ORDER_SEED));
}

/**
 * The 100k+ input: the press releases three times (copies 2 and 3 get ids `<id>#copy-N` and page
 * paths `/copy-N/<page>`), then every line of multilingual.jsonl.gz.
 */
export function largeSet(shared, press) {
  const out = [...press];
  const taken = new Set(press.map((r) => r.url));
  for (const n of [2, 3]) {
    for (const r of press) {
      const copy = { ...r, id: `${r.id}#copy-${n}`, url: `/copy-${n}${r.url}` };
      taken.add(copy.url);
      out.push(copy);
    }
  }
  const multi = assignPages(readJsonlGz(path.join(shared, 'corpus/multilingual.jsonl.gz')), taken);
  return out.concat(multi);
}

export function writeJsonl(releases, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  let chunk = [];
  for (const r of releases) {
    chunk.push(JSON.stringify(r));
    if (chunk.length === 2000) {
      fs.writeSync(fd, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length) fs.writeSync(fd, chunk.join('\n') + '\n');
  fs.closeSync(fd);
}

// ---------------------------------------------------------------------------------------------
// The static site.

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'" };

export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+[0-9]*);/gi, (m, e) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp < 0x110000 ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

const escapeHtml = (s) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Inline Markdown (links, images, emphasis) to plain text, for the site and for the query set. */
export function stripInline(s) {
  return decodeEntities(
    s
      .replace(/<[^>]*>/g, ' ')
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, ' ')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/(\*\*|__|\*|_|`)(?=\S)([^*_`]*?\S)\1/g, '$2'),
  );
}

/** A release body as blocks: paragraphs, bullet lists and headings, as plain text. */
export function bodyBlocks(body) {
  const blocks = [];
  for (const raw of String(body ?? '').split(/\n\s*\n|\s{3,}/)) {
    const lines = raw.split('\n').map((l) => l.trim()).filter(Boolean);
    if (!lines.length) continue;
    if (lines.every((l) => /^[-*+•]\s+/.test(l))) {
      blocks.push({ kind: 'ul', items: lines.map((l) => stripInline(l.replace(/^[-*+•]\s+/, ''))) });
    } else if (/^#{1,6}\s/.test(lines[0]) && lines.length === 1) {
      blocks.push({ kind: 'h2', text: stripInline(lines[0].replace(/^#+\s*/, '')) });
    } else {
      blocks.push({ kind: 'p', text: stripInline(lines.join(' ')) });
    }
  }
  return blocks;
}

function categoriesOf(r) {
  if (Array.isArray(r.category)) return r.category.map(String);
  return r.category == null ? [] : [String(r.category)];
}

/** One release's page: head, nav, main with h1, time and article, footer. */
export function renderPage(r) {
  const title = decodeEntities(r.title ?? '');
  const lang = /^[A-Za-z0-9-]+$/.test(r.lang ?? '') ? r.lang : 'en';
  const body = bodyBlocks(r.body)
    .map((b) =>
      b.kind === 'ul'
        ? `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`
        : `<${b.kind}>${escapeHtml(b.text)}</${b.kind}>`,
    )
    .join('\n');
  const cats = categoriesOf(r)
    .map((c) => `<li><a href="/categories/${encodeURIComponent(c)}/">${escapeHtml(c)}</a></li>`)
    .join('');
  const date = r.date
    ? `<time datetime="${escapeHtml(r.date)}">${escapeHtml(r.date)}</time>`
    : '';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} | Newsroom</title>
<meta name="description" content="${escapeHtml(title)}">
<link rel="stylesheet" href="/site.css">
</head>
<body>
<header class="site-header">
<a class="logo" href="/">Newsroom</a>
<nav aria-label="Main"><ul><li><a href="/">Home</a></li><li><a href="/releases/">Press releases</a></li><li><a href="/media-kit/">Media kit</a></li><li><a href="/contact/">Media contacts</a></li></ul></nav>
</header>
<main data-pagefind-body>
<article>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${date}</p>
${body}
<ul class="categories">${cats}</ul>
</article>
</main>
<footer class="site-footer">
<p>For media enquiries contact press@example.com. &copy; Newsroom. All rights reserved.</p>
<nav aria-label="Footer"><a href="/privacy/">Privacy</a> <a href="/terms/">Terms</a> <a href="/rss.xml">RSS</a></nav>
</footer>
</body>
</html>
`;
}

/** Writes the site for `releases` into `dir` (emptied first); returns the number of pages. */
export function writeSite(releases, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'site.css'),
    'body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:48rem}nav ul{display:flex;gap:1rem;list-style:none}\n',
  );
  const made = new Set();
  for (const r of releases) {
    const pageDir = path.join(dir, ...r.url.split('/').filter(Boolean).map(decodeURIComponentSafe));
    if (!made.has(pageDir)) {
      fs.mkdirSync(pageDir, { recursive: true });
      made.add(pageDir);
    }
    fs.writeFileSync(path.join(pageDir, 'index.html'), renderPage(r));
  }
  return releases.length;
}

function decodeURIComponentSafe(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
