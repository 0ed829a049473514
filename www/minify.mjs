#!/usr/bin/env node
// Minifies the widget's JavaScript for shipping: www/<name> -> www/dist/<name>, with esbuild
// (pinned in tests/e2e/package.json, which `cargo xtask setup` installs). The builder embeds
// www/dist/<name> when its first line names the FNV-1a hash of the current www/<name>, and the
// readable source otherwise (with a cargo warning), so a stale minified file never ships.
//
//   node www/minify.mjs            # writes www/dist/*.js
//   node www/minify.mjs --check    # fails when a www/dist file is not what this would write
//
// The files are minified one by one, not bundled: each keeps its imports of the others.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILES = ['pressroom.js', 'pressroom-core.js', 'pressroom-worker.js'];
const check = process.argv.includes('--check');

let esbuild;
try {
  esbuild = createRequire(path.join(root, 'tests/e2e/package.json'))('esbuild');
} catch {
  console.error('minify: esbuild is missing; run `cargo xtask setup` (it installs tests/e2e npm packages)');
  process.exit(1);
}

/** FNV-1a, 32 bits, of `bytes`, as 8 hex digits: what build.rs computes too. */
function fnv1a(bytes) {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

let stale = [];
for (const name of FILES) {
  const source = readFileSync(path.join(root, 'www', name));
  const { code } = esbuild.transformSync(source.toString('utf8'), {
    minify: true,
    format: 'esm',
    // What the widget needs anyway (DecompressionStream, class fields): no syntax is lowered.
    target: 'es2022',
    charset: 'utf8',
    legalComments: 'none',
  });
  const out = `// pressroom ${name} minified from www/${name} fnv1a:${fnv1a(source)} by www/minify.mjs\n${code}`;
  const target = path.join(root, 'www/dist', name);
  if (check) {
    let current = null;
    try {
      current = readFileSync(target, 'utf8');
    } catch {}
    if (current !== out) stale.push(`www/dist/${name}`);
  } else {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, out);
  }
  console.log(`${name}: ${source.length} -> ${Buffer.byteLength(out)} bytes`);
}
if (stale.length) {
  console.error(`minify: ${stale.join(', ')} not what \`node www/minify.mjs\` writes from www/: run it and commit the result`);
  process.exit(1);
}
