// No script runs from the index: releases carrying XSS payloads in every field are built by the
// real `pressroom-index`, searched through the widget, and nothing executes or lands in the DOM
// as markup. The page is served WITHOUT a Content Security Policy, so that the widget's own
// rendering (text nodes, no innerHTML, http(s) links only) is what is tested, not the CSP. A
// second test serves the demo with www/serve.mjs's strict CSP and checks that it works under it
// without a single violation.
//
//   PRESSROOM_DEMO_DIR=<site> node --test tests/e2e/
//
// Every payload calls `window.__pwned(id)` (a Playwright binding) or `alert(id)` when it runs;
// a control at the end runs one payload through innerHTML to prove the detector detects.

import { after, before, test } from 'node:test';
import {
  assert,
  buildSite,
  demoDir,
  fillSearch,
  inlineWidget,
  launch,
  openPage,
  startPlainServer,
} from './helpers.mjs';
import { startServer } from '../../www/serve.mjs';

/** Payloads; `$` is replaced by a call that reports the payload's id when it runs. */
const PAYLOADS = [
  // Tags with event handlers.
  '<script>$</script>',
  '<img src=x onerror=$>',
  '<img src="x" onerror="$">',
  '<IMG SRC=x OnErRoR=$>',
  '<svg onload=$>',
  '<svg><script>$</script></svg>',
  '<svg><animate onbegin=$ attributeName=x dur=1s>',
  '<body onload=$>',
  '<iframe src="javascript:$"></iframe>',
  '<iframe srcdoc="<script>parent.$</script>"></iframe>',
  '<iframe srcdoc="&lt;img src=x onerror=parent.$&gt;"></iframe>',
  '<object data="javascript:$"></object>',
  '<embed src="javascript:$">',
  '<video><source onerror=$></video>',
  '<audio src=x onerror=$>',
  '<details open ontoggle=$>',
  '<input autofocus onfocus=$>',
  '<marquee onstart=$>',
  '<a href="javascript:$">click</a>',
  '<form action="javascript:$"><button>go</button></form>',
  '<math><maction actiontype="statusline" xlink:href="javascript:$">x</maction></math>',
  '<base href="javascript:$//">',
  '<meta http-equiv="refresh" content="0;url=javascript:$">',
  '<link rel=import href="data:text/html,<script>$</script>">',
  // Breaking out of attributes and strings.
  '"><script>$</script>',
  "'><img src=x onerror=$>",
  '" onmouseover="$" x="',
  "'; $; '",
  '</script><script>$</script>',
  '</title><script>$</script>',
  '</textarea><script>$</script>',
  // Entity tricks: decoded once by the builder, once by the widget; neither may make markup.
  '&lt;img src=x onerror=$&gt;',
  '&amp;lt;script&amp;gt;$&amp;lt;/script&amp;gt;',
  '&#60;img src=x onerror=$&#62;',
  '&#x3C;svg onload=$&#x3E;',
  '<img src=x onerror=&#x24;&#x7b;$&#x7d;>',
  '<mark>not ours</mark><img src=x onerror=$>',
  '</mark><img src=x onerror=$><mark>',
  // Mutation XSS: markup that changes meaning when parsed twice.
  '<noscript><p title="</noscript><img src=x onerror=$>">',
  '<svg></p><style><a id="</style><img src=1 onerror=$>">',
  '<math><mtext><table><mglyph><style><img src=x onerror=$></style></mglyph></table></mtext></math>',
  '<form><math><mtext></form><form><mglyph><style></math><img src onerror=$>',
  '<!--<img src="--><img src=x onerror=$//">',
  '<![CDATA[><img src=x onerror=$>]]>',
  '<xmp><p title="</xmp><img src=x onerror=$>">',
  // CSS injection.
  '<style>body{background:url("javascript:$")}</style>',
  '<style>@import "data:text/css,*{x:expression($)}";</style>',
  '<div style="background-image:url(javascript:$)">x</div>',
  '<div style="width:expression($)">x</div>',
  '</style><style>body{display:none}</style>',
  // Template injection: inert without a template engine, and it must stay inert.
  '{{constructor.constructor("$")()}}',
  '${$}',
  '#{$}',
  '<%= $ %>',
  '[[${$}]]',
  // Protocol and encoding games.
  'javascript:$',
  'JaVaScRiPt:$',
  ' \tjavascript:$',
  'java\u0000script:$',
  'data:text/html;base64,PHNjcmlwdD5fX3B3bmVkKCk8L3NjcmlwdD4=',
  'vbscript:$',
  '\u202e<img src=x onerror=$>',
  '<img src=x onerror="\\u0024{$}">',
];

/** URLs a release may carry, hostile ones first; each is also a payload of its own. */
const HOSTILE_URLS = [
  'javascript:$',
  'JAVASCRIPT:$',
  '  javascript:$',
  'java\tscript:$',
  'javascript&colon;$',
  '&#106;avascript:$',
  'data:text/html,<script>$</script>',
  'vbscript:$',
  '//evil.example/"><script>$</script>',
  '/press/"><img src=x onerror=$>',
];

const GROUP_SIZE = 8; // the widget shows 10 hits: one search shows a whole group
// Four letters: too short for typo tolerance, and all of one length, so no group's word is a
// typo or a prefix of another's.
const groupWord = (g) => `qzx${String.fromCharCode(97 + g)}`;

function releases() {
  const all = [];
  const entries = [...PAYLOADS.map((p) => ({ payload: p, url: null })), ...HOSTILE_URLS.map((u) => ({ payload: u, url: u }))];
  entries.forEach(({ payload, url }, i) => {
    const id = `p${i}`;
    const run = (text) => text.replaceAll('$', `__pwned('${id}');alert('${id}')`);
    const word = groupWord(Math.floor(i / GROUP_SIZE));
    all.push({
      id,
      url: url ? run(url) : `/press/${id}?q=${run(payload)}`,
      title: `${word} ${id}tag ${run(payload)}`,
      date: '2024-02-03',
      category: [run(payload), word],
      lang: 'en',
      // Raw in the body, and entity-escaped, so that the payload also reaches the excerpt as text.
      body: `${word} before ${run(payload)} middle ${run(payload).replaceAll('<', '&lt;').replaceAll('>', '&gt;')} after.`,
    });
  });
  return all;
}

// The widget's own elements; its one <link> (its stylesheet) is checked on its own.
const ALLOWED_TAGS = new Set(['div', 'form', 'label', 'span', 'input', 'p', 'ol', 'li', 'a', 'time', 'mark', 'button', 'kbd', 'dialog']);

let browser;
before(async () => {
  browser = await launch();
});
after(() => browser?.close());

test('XSS payloads in titles, bodies, urls and categories never run and never become markup', async (t) => {
  const all = releases();
  assert.ok(PAYLOADS.length + HOSTILE_URLS.length >= 50, 'at least 50 payloads');
  const root = await buildSite(t, all);
  const server = await startPlainServer(t, root);
  const { page, seen } = await openPage(t, browser, server.url);
  const outsideBefore = await page.evaluate(() =>
    [...document.querySelectorAll('*')].filter((e) => !e.closest('.pressroom')).map((e) => e.localName).join(' '),
  );

  const groups = Math.ceil(all.length / GROUP_SIZE);
  const renderedIds = new Set();
  let markupShown = false;
  for (let g = 0; g < groups; g++) {
    const word = groupWord(g);
    const expected = all.filter((r) => r.title.startsWith(`${word} `)).length;
    await fillSearch(page, word);
    await page.waitForFunction(
      ([word, expected]) => {
        const shadow = document.querySelector('[data-pressroom]').shadowRoot;
        const titles = [...shadow.querySelectorAll('.pressroom__hit .pressroom__title')];
        return titles.length === expected && titles.every((e) => e.textContent.toLowerCase().startsWith(word));
      },
      [word, expected],
    );
    // What the engine returned, to compare with what is shown.
    const { hits } = await page.evaluate(async (word) => {
      const { Pressroom } = await import('/pressroom/pressroom.js');
      return (await Pressroom.open('/pressroom/')).search(word, { limit: 10 });
    }, word);
    assert.equal(hits.length, expected, word);
    const shown = await page.locator('.pressroom__hit').evaluateAll((items) =>
      items.map((item) => ({
        title: item.querySelector('.pressroom__title').textContent,
        href: item.querySelector('a')?.getAttribute('href') ?? null,
        excerpt: item.querySelector('.pressroom__excerpt').textContent,
      })),
    );
    const asText = (html) =>
      html.replace(/<\/?mark>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]);
    hits.forEach((hit, i) => {
      assert.equal(shown[i].title, hit.title, 'the title is shown as the text it is');
      assert.equal(shown[i].excerpt, asText(hit.excerpt), 'the excerpt is shown as the text it is');
      if (shown[i].href !== null) {
        assert.match(new URL(shown[i].href, server.url).protocol, /^https?:$/, `link ${shown[i].href}`);
      }
      renderedIds.add(hit.title.split(' ')[1]);
    });
    markupShown ||= shown.some((s) => s.title.includes('<') && s.excerpt.includes('<'));
    await page.waitForTimeout(50); // let any injected onerror/onload fire before the next check
    assert.deepEqual(seen.pwned, [], `${word}: a payload ran`);
    assert.deepEqual(seen.dialogs, [], `${word}: a payload opened a dialog`);
  }
  assert.deepEqual([...renderedIds].sort(), all.map((r) => `${r.id}tag`).sort(), 'every payload release was rendered');
  assert.ok(markupShown, 'markup characters reached the page, as text');

  // The DOM: only the widget's own elements, no handlers, no script links, nothing added outside.
  const dom = await page.evaluate(() => {
    const shadow = document.querySelector('[data-pressroom]').shadowRoot;
    const links = [...shadow.querySelectorAll('link')];
    const elements = [...shadow.querySelectorAll('*')].filter((e) => e.localName !== 'link');
    // The widget's root hides itself (style="visibility: hidden") until its stylesheet applies.
    const ownStyle = (e, a) => a.name === 'style' && e.classList.contains('pressroom') && /^(visibility: hidden;)?$/.test(a.value);
    return {
      links: links.map((l) => `${l.rel} ${new URL(l.href).pathname}`),
      tags: [...new Set(elements.map((e) => e.localName))],
      handlers: elements.flatMap((e) =>
        [...e.attributes]
          .filter((a) => /^on/i.test(a.name) || ['style', 'src', 'srcdoc', 'formaction'].includes(a.name.toLowerCase()))
          .filter((a) => !ownStyle(e, a))
          .map((a) => `${e.localName}[${a.name}=${a.value}]`),
      ),
      scriptLinks: shadow.querySelectorAll('a[href^="javascript" i], a[href^="data" i], a[href^="vbscript" i], [src^="javascript" i]').length,
      outside: [...document.querySelectorAll('*')].filter((e) => !e.closest('.pressroom')).map((e) => e.localName).join(' '),
      background: getComputedStyle(document.body).backgroundImage,
      bodyShown: getComputedStyle(document.body).display,
    };
  });
  assert.deepEqual(dom.links, ['stylesheet /pressroom/pressroom.css'], 'the only link is the widget\'s stylesheet');
  assert.deepEqual(dom.tags.filter((tag) => !ALLOWED_TAGS.has(tag)), [], `unexpected elements: ${dom.tags}`);
  assert.deepEqual(dom.handlers, [], 'no handler, style or src attributes');
  assert.equal(dom.scriptLinks, 0, 'no javascript:, data: or vbscript: links');
  assert.equal(dom.outside, outsideBefore, 'nothing was added outside the widget');
  assert.equal(dom.background, 'none', 'no CSS was injected');
  assert.equal(dom.bodyShown, 'block');

  // The payloads typed as a query: echoed in "No results for …" as text, never run.
  for (const payload of PAYLOADS.slice(0, 12)) {
    await fillSearch(page, payload.replaceAll('$', "__pwned('query')"));
    await inlineWidget(page).locator('.pressroom[data-state="results"], .pressroom[data-state="empty"]').waitFor();
  }
  await page.waitForTimeout(50);
  assert.deepEqual(seen.pwned, [], 'a query ran as script');
  assert.deepEqual(seen.errors, [], 'the page logged errors');

  // Control: the same detector sees a payload that does run.
  await page.evaluate(() => {
    const div = document.createElement('div');
    div.innerHTML = '<img src=x onerror="__pwned(\'control\')">';
    document.body.append(div);
  });
  await page.waitForFunction(() => true, null, { timeout: 1000 });
  await page.waitForTimeout(200);
  assert.deepEqual(seen.pwned, ['control'], 'the detector works');
});

test('the demo works under the strict CSP of www/serve.mjs, without a violation', async (t) => {
  const site = await startServer({ root: demoDir, port: 0 });
  t.after(() => site.close());
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI}`),
    );
  });
  const response = await page.goto(site.url);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /worker-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/, 'no inline script or style allowed');

  await fillSearch(page, 'sarybay');
  await inlineWidget(page).locator('.pressroom__count', { hasText: /^\d[\d,]* results?$/ }).waitFor();
  assert.ok((await inlineWidget(page).locator('.pressroom__hit').count()) > 0, 'search shows hits');
  const viaApi = await page.evaluate(async () => {
    const { Pressroom } = await import('/pressroom/pressroom.js');
    return (await Pressroom.open('/pressroom/')).search('eurasian security', { limit: 3 });
  });
  assert.ok(viaApi.total > 0);

  // Control: an inline script is blocked and reported, so the listener would have seen ours.
  const beforeControl = await page.evaluate(() => window.__violations.slice());
  assert.deepEqual(beforeControl, [], 'the widget caused CSP violations');
  assert.deepEqual(problems, [], 'the page logged errors');
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.append(s);
  });
  await page.waitForFunction(() => window.__violations.length > 0);
  assert.equal(await page.evaluate(() => window.__inlineRan ?? false), false);
});

test('any query string is safe in the browser: results or an empty list, long ones cut and marked', async (t) => {
  const site = await startServer({ root: demoDir, port: 0 });
  t.after(() => site.close());
  const { page, seen } = await openPage(t, browser, site.url);
  const answers = await page.evaluate(async () => {
    const { Pressroom } = await import('/pressroom/pressroom.js');
    const pr = await Pressroom.open('/pressroom/');
    const queries = {
      empty: '',
      megabyte: 'security '.repeat(120000),
      punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
      'stop words': 'the of and a to',
      emoji: '🙂👩‍👩‍👧‍👦 🇺🇸',
      RTL: 'الأمن \u202eevil',
      'lone high surrogate': 'secu\uD800rity',
      'lone low surrogate': '\uDC00security',
      'unclosed quote': '"eurasian secu',
      dashes: '- - -',
      nul: '\0\0',
    };
    const out = {};
    for (const [name, query] of Object.entries(queries)) {
      try {
        const r = await pr.search(query, { limit: 5 });
        out[name] = { total: r.total, hits: r.hits.length, truncated: r.truncated ?? false };
      } catch (error) {
        out[name] = { error: error.message };
      }
    }
    return out;
  });
  for (const [name, answer] of Object.entries(answers)) {
    assert.equal(answer.error, undefined, `${name}: ${answer.error}`);
    assert.ok(answer.hits <= answer.total, name);
  }
  assert.equal(answers.megabyte.truncated, true, 'a 1 MB query says it was cut');
  assert.ok(answers.megabyte.total > 0, 'and its first words still search');
  assert.equal(answers.empty.truncated, false);
  assert.ok(answers['lone low surrogate'].total > 0, 'a lone surrogate does not stop the words around it');

  // The widget, given the same strings as a paste: never "Search failed".
  for (const query of ['secu\uD800rity', '"', '- - -', '🙂', 'x'.repeat(1 << 20)]) {
    await fillSearch(page, query);
    const widget = inlineWidget(page);
    const state = await widget
      .locator('.pressroom[data-state="results"], .pressroom[data-state="empty"], .pressroom[data-state="error"], .pressroom[data-state="failed"]')
      .getAttribute('data-state');
    assert.ok(['results', 'empty'].includes(state), `${query.slice(0, 20)}: ${state}: ${await widget.locator('.pressroom__message').textContent()}`);
  }
  assert.deepEqual(seen.errors, []);
});
