// The TypeScript declarations shipped with the widget (`pressroom.d.ts` in the builder's output)
// type-check a page's use of the API under `--strict`, and reject a wrong one.
//
//   PRESSROOM_DEMO_DIR=<site> node --test tests/e2e/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const demoDir = process.env.PRESSROOM_DEMO_DIR;

// As a site's code would use it: `./pressroom.js` resolves to the `pressroom.d.ts` beside it.
const USAGE = `
import { Pressroom, mount, type Hit, type SearchResults, type WidgetOptions } from './pressroom.js';

const pr: Pressroom = await Pressroom.open('/pressroom/');
const results: SearchResults = await pr.search('eurasian security', {
  limit: 10,
  offset: 10,
  sort: 'date',
  excerptWords: 20,
  filters: { categories: ['Press Releases'], years: [2023], from: '2023-01-01', langs: ['en'] },
  ranking: { titleWeight: 8, typoWeight: 0.5 },
});
const first: Hit | undefined = results.hits[0];
const year: string | undefined = first?.date?.slice(0, 4);
const perYear: number[] = results.facets?.years.map((y) => y.count) ?? [];
const didYouMean: string | undefined = results.suggestion;
pr.close();

const options: WidgetOptions = {
  mode: 'modal',
  limit: 5,
  filters: ['year', 'category'],
  sort: 'newest',
  lang: 'fr',
  strings: { placeholder: 'Rechercher', results: { one: '{n} résultat', other: '{n} résultats' } },
  urlParam: '',
  recent: 0,
};
const widget = mount(document.createElement('div'), options);
widget.open();
widget.show('minsk');
widget.close();
widget.destroy();

// @ts-expect-error: the engine's sort is "date", the widget's option is "newest"
await pr.search('x', { sort: 'newest' });
// @ts-expect-error: years are numbers
await pr.search('x', { filters: { years: ['2023'] } });
// @ts-expect-error: no such mode
mount(document.body, { mode: 'popup' });
// @ts-expect-error: a hit's title is a string
const n: number = first!.title;
export { year, perYear, didYouMean, n };
`;

test('pressroom.d.ts types the API under --strict and rejects misuse', { skip: !demoDir && 'PRESSROOM_DEMO_DIR is not set' }, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pressroom-types-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await copyFile(path.join(demoDir, 'pressroom', 'pressroom.d.ts'), path.join(dir, 'pressroom.d.ts'));
  await writeFile(path.join(dir, 'usage.ts'), USAGE);
  const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', 'usage.ts'];
  try {
    execFileSync(process.execPath, [tsc, ...args], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    assert.fail(`tsc: ${err.stdout}${err.stderr}`);
  }
});
