// The known-item query set: for a fixed-seed sample of releases, four queries each that a reader
// looking for that release might type. Generated once into bench/queries/known-item.json
// (committed) so that runs compare; `--regen-queries` writes it again.
//
// * title:  2–4 of the title's rarest words (document frequency over the 22k press releases),
//           in title order;
// * prefix: the same with the last word cut short, as if mid-typing (keeps 2 to len-1 letters);
// * typo:   the same with one edit (substitute, delete, insert or swap neighbours) in a word of
//           5+ letters, never touching the first letter;
// * body:   3–5 consecutive content words (stopwords and numbers left out) of one sentence of the
//           body after the dateline, Markdown stripped.
//
// The sample is drawn from the 1k subset, which every larger subset contains, so the same
// queries apply at 1k, 10k and 22k.

import fs from 'node:fs';
import { bodyBlocks, decodeEntities, prng, stripInline } from './corpus.mjs';

export const QUERY_SEED = 4242;
export const SAMPLE = 250;
export const KINDS = ['title', 'prefix', 'typo', 'body'];

const STOPWORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below
  between both but by can could did do does doing down during each few for from further had has have
  having he her here hers herself him himself his how i if in into is it its itself just me more most
  my myself no nor not now of off on once only or other our ours ourselves out over own same she should
  so some such than that the their theirs them themselves then there these they this those through to
  too under until up very was we were what when where which while who whom why will with would you your
  yours yourself yourselves also new said says one two three may many much its it's us via per inc llc
  ltd co corp`.split(/\s+/),
);

/** Words as a reader types them: lower case, letters and digits, split at anything else. */
export function words(text) {
  return (decodeEntities(String(text ?? '')).toLowerCase().normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []);
}

const isContent = (w) => w.length >= 3 && !STOPWORDS.has(w) && !/\d/.test(w);

function typo(word, rand) {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const pos = 1 + Math.floor(rand() * (word.length - 1)); // never 0
  const kind = Math.floor(rand() * 4);
  const other = (c) => {
    let x;
    do x = letters[Math.floor(rand() * 26)];
    while (x === c);
    return x;
  };
  if (kind === 0) return word.slice(0, pos) + other(word[pos]) + word.slice(pos + 1);
  if (kind === 1) return word.slice(0, pos) + word.slice(pos + 1);
  if (kind === 2) return word.slice(0, pos) + other('') + word.slice(pos);
  // Swap with the next letter; at the end, with the previous one (still not the first).
  const i = pos < word.length - 1 ? pos : pos - 1;
  if (i < 1 || word[i] === word[i + 1]) return word.slice(0, pos) + other(word[pos]) + word.slice(pos + 1);
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

/** Builds the set from `press` (all 22k, for document frequencies) and `sampleFrom` (the 1k). */
export function generate(press, sampleFrom) {
  const df = new Map();
  for (const r of press) {
    for (const w of new Set(words(r.title).concat(words(stripInline(String(r.body ?? '')))))) {
      df.set(w, (df.get(w) ?? 0) + 1);
    }
  }
  const rand = prng(QUERY_SEED);
  const order = sampleFrom.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const queries = [];
  let sampled = 0;
  for (const i of order) {
    if (sampled === SAMPLE) break;
    const r = sampleFrom[i];
    const titleWords = [...new Set(words(r.title).filter(isContent))];
    if (titleWords.length < 2) continue;
    const k = Math.min(titleWords.length, 2 + Math.floor(rand() * 3));
    const rarest = new Set(
      [...titleWords].sort((a, b) => df.get(a) - df.get(b) || (a < b ? -1 : 1)).slice(0, k),
    );
    const picked = titleWords.filter((w) => rarest.has(w));
    const long = picked.filter((w) => w.length >= 5);
    if (!long.length) continue;
    // Body: sentences after the dateline with enough content words.
    const sentences = bodyBlocks(r.body)
      .flatMap((b) => (b.kind === 'ul' ? b.items : [b.text]))
      .join(' ')
      .split(/(?<=[.!?])\s+/)
      .slice(1)
      .map((s) => words(s).filter(isContent))
      .filter((ws) => ws.length >= 5);
    if (!sentences.length) continue;

    const last = picked[picked.length - 1];
    const keep = 2 + Math.floor(rand() * Math.max(1, last.length - 2));
    const prefix = [...picked.slice(0, -1), last.slice(0, Math.min(keep, last.length - 1))];
    const victim = long[Math.floor(rand() * long.length)];
    const typoQuery = picked.map((w) => (w === victim ? typo(w, rand) : w));
    const sentence = sentences[Math.floor(rand() * sentences.length)];
    const n = 3 + Math.floor(rand() * 3);
    const start = Math.floor(rand() * (sentence.length - n + 1));
    const body = sentence.slice(start, start + n);

    const target = { id: r.id, url: r.url };
    queries.push({ kind: 'title', q: picked.join(' '), ...target });
    queries.push({ kind: 'prefix', q: prefix.join(' '), ...target });
    queries.push({ kind: 'typo', q: typoQuery.join(' '), ...target });
    queries.push({ kind: 'body', q: body.join(' '), ...target });
    sampled++;
  }
  return {
    about:
      'Known-item queries generated by bench/queries.mjs (cargo xtask bench --regen-queries). ' +
      'A hit counts when its URL is `url`.',
    seed: QUERY_SEED,
    sample: sampled,
    queries,
  };
}

/** Reads the committed set, or generates and writes it when missing or asked to. */
export function loadOrGenerate(file, press, sampleFrom, regen) {
  if (!regen && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const set = generate(press, sampleFrom);
  fs.writeFileSync(file, JSON.stringify(set, null, 1) + '\n');
  return set;
}

/** Reciprocal rank and success@k of each query, by kind. `ranked[i]` is the URL list for query i. */
export function score(queries, ranked) {
  const norm = (u) => {
    try {
      return decodeURI(new URL(u, 'http://x').pathname);
    } catch {
      return u;
    }
  };
  const byKind = {};
  queries.forEach((q, i) => {
    const urls = (ranked[i] ?? []).slice(0, 10).map(norm);
    const rank = urls.indexOf(norm(q.url)) + 1;
    const s = (byKind[q.kind] ??= { n: 0, rr: 0, at1: 0, at10: 0 });
    s.n++;
    if (rank > 0) {
      s.rr += 1 / rank;
      s.at10++;
      if (rank === 1) s.at1++;
    }
  });
  const out = {};
  for (const [k, s] of Object.entries(byKind)) {
    out[k] = { n: s.n, mrr: s.rr / s.n, s1: s.at1 / s.n, s10: s.at10 / s.n };
  }
  return out;
}
