// Pressroom: instant search over press releases, in the visitor's browser.
//
//   <link rel="stylesheet" href="/pressroom/pressroom.css">
//   <div data-pressroom></div>
//   <script type="module" src="/pressroom/pressroom.js"></script>
//
// Importing this module mounts a search box into every `[data-pressroom]` element, now and later.
// The value of the attribute, when given, is the URL of the index folder; by default it is the
// folder this file was loaded from. From code:
//
//   const { Pressroom, mount } = await import('/pressroom/pressroom.js');
//   const pr = await Pressroom.open('/pressroom/');
//   const { total, hits } = await pr.search('eurasian security', { limit: 10 });
//
// Two layers: `Pressroom` (in pressroom-core.js, which touches no DOM, so a worker can load it)
// fetches the index and talks to the WebAssembly engine; `Widget` (here) owns the DOM.
// Nothing is downloaded until a visitor focuses a search box.

import { DEFAULT_BASE, Pressroom, openShared } from './pressroom-core.js';

export { Pressroom };

// ---------------------------------------------------------------------------------------------
// Widget: the search box and its results.

const mounted = new WeakMap();

/**
 * Mounts a search box into `element` (idempotent: a second call returns the first widget).
 * @param {Element} element
 * @param {{ base?: string | URL, limit?: number, label?: string, placeholder?: string }} [options]
 *   `base`: the index folder (default: `element.dataset.pressroom`, else the folder of this file);
 *   `limit`: hits shown (10); `label`: the accessible name of the box; `placeholder`.
 * @returns {Widget}
 */
export function mount(element, options = {}) {
  if (!mounted.has(element)) mounted.set(element, new Widget(element, options));
  return mounted.get(element);
}

/** The search box mounted into one element. Create with `mount`. */
class Widget {
  #element;
  #root;
  #input;
  #panel;
  #status;
  #hits;
  #options;
  #index = null; // Promise<Pressroom> once loading has started
  #loaded = false;
  #loadFailed = false;
  #open = false; // whether the visitor is using the box; the panel shows when open and not idle
  #sequence = 0; // bumped on every query: only the latest one may render
  #dateFormat = null;
  #abort = new AbortController();

  constructor(element, options) {
    this.#options = {
      base: options.base ?? (element.dataset.pressroom || DEFAULT_BASE),
      limit: options.limit ?? 10,
      label: options.label ?? 'Search press releases',
      placeholder: options.placeholder ?? 'Search press releases…',
    };
    this.#element = element;
    this.#build(element);
  }

  #build(element) {
    const root = el('div', 'pressroom');
    const form = el('form', 'pressroom__form');
    form.setAttribute('role', 'search');
    form.setAttribute('aria-label', this.#options.label);
    const label = el('label', 'pressroom__label');
    const labelText = el('span', 'pressroom__sr-only', this.#options.label);
    const input = el('input', 'pressroom__input');
    Object.assign(input, { type: 'search', placeholder: this.#options.placeholder, autocomplete: 'off', spellcheck: false });
    input.setAttribute('enterkeyhint', 'search');
    label.append(labelText, input);
    form.append(label);

    const panel = el('div', 'pressroom__panel');
    panel.hidden = true;
    const status = el('p', 'pressroom__status');
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    const hits = el('ol', 'pressroom__hits');
    hits.setAttribute('aria-label', 'Search results');
    panel.append(status, hits);
    root.append(form, panel);
    element.replaceChildren(root);

    [this.#root, this.#input, this.#panel, this.#status, this.#hits] = [root, input, panel, status, hits];

    const signal = this.#abort.signal;
    input.addEventListener('focus', () => this.#load(), { signal });
    input.addEventListener('input', () => this.#search(), { signal });
    form.addEventListener('submit', (event) => event.preventDefault(), { signal });
    // The panel floats over the page: close it when the visitor moves on, reopen on return.
    const closeIfOutside = (event) => {
      if (!root.contains(event.target)) this.#showPanel(false);
    };
    document.addEventListener('pointerdown', closeIfOutside, { signal });
    document.addEventListener('focusin', closeIfOutside, { signal });
    input.addEventListener('focus', () => this.#showPanel(true), { signal });
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !panel.hidden) {
        this.#showPanel(false);
        input.focus();
      }
    }, { signal });
  }

  /** Starts loading the index, on first focus; after a failure, each new focus tries again. */
  #load() {
    if (!this.#index || this.#loadFailed) {
      const index = openShared(this.#options.base);
      [this.#index, this.#loadFailed] = [index, false];
      index.then(
        () => (this.#loaded = true),
        (err) => {
          if (this.#index !== index) return;
          this.#loadFailed = true;
          console.warn('Pressroom:', err.message);
          this.#renderLoadFailure();
        },
      );
    }
    return this.#index;
  }

  #renderLoadFailure() {
    this.#renderMessage('Search is unavailable right now: the index could not be loaded.', 'error');
  }

  async #search() {
    const sequence = ++this.#sequence;
    const query = this.#input.value.trim();
    this.#showPanel(true);
    if (!query) {
      this.#renderMessage('', 'idle');
      return;
    }
    // Typing does not retry a failed load (every keystroke would refetch): focusing again does.
    const loading = this.#index ?? this.#load();
    if (!this.#loaded && !this.#loadFailed) this.#renderMessage('Loading…', 'loading');
    let index;
    try {
      index = await loading;
    } catch {
      if (sequence === this.#sequence) this.#renderLoadFailure();
      return;
    }
    let results;
    try {
      results = await index.search(query, { limit: this.#options.limit });
    } catch (err) {
      if (sequence === this.#sequence) this.#renderMessage(`Search failed: ${err.message}`, 'error');
      return;
    }
    if (sequence === this.#sequence) this.#renderResults(query, results);
  }

  #renderResults(query, { total, hits }) {
    if (total === 0 || hits.length === 0) {
      this.#renderMessage(`No results for “${query}”`, 'empty');
      return;
    }
    this.#setState('results');
    this.#status.textContent = `${total.toLocaleString()} ${total === 1 ? 'result' : 'results'}`;
    this.#hits.replaceChildren(...hits.map((hit) => this.#renderHit(hit)));
  }

  #renderHit(hit) {
    const item = el('li', 'pressroom__hit');
    const href = safeHref(hit.url);
    const title = el(href ? 'a' : 'span', 'pressroom__title', hit.title || hit.url);
    if (href) title.href = href;
    item.append(title);
    const date = this.#renderDate(hit.date);
    if (date) item.append(date);
    const excerpt = el('p', 'pressroom__excerpt');
    excerpt.append(...excerptNodes(hit.excerpt));
    item.append(excerpt);
    return item;
  }

  #renderDate(iso) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
    if (!match) return null;
    const [year, month, day] = match.slice(1).map(Number);
    const time = el('time', 'pressroom__date', this.#formatDate(new Date(Date.UTC(year, month - 1, day))));
    time.dateTime = iso;
    return time;
  }

  #formatDate(date) {
    if (!this.#dateFormat) {
      const options = { dateStyle: 'medium', timeZone: 'UTC' };
      try {
        this.#dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, options);
      } catch {
        this.#dateFormat = new Intl.DateTimeFormat(undefined, options); // an invalid lang attribute
      }
    }
    return this.#dateFormat.format(date);
  }

  #renderMessage(text, state) {
    this.#setState(state);
    this.#status.textContent = text;
    this.#hits.replaceChildren();
  }

  #setState(state) {
    this.#root.dataset.state = state;
    this.#updatePanel();
  }

  #showPanel(open) {
    this.#open = open;
    this.#updatePanel();
  }

  #updatePanel() {
    const state = this.#root.dataset.state;
    this.#panel.hidden = !(this.#open && state && state !== 'idle');
  }

  /** Removes the widget and its listeners; the element is left empty. */
  destroy() {
    this.#abort.abort();
    this.#sequence++;
    this.#root.remove();
    mounted.delete(this.#element);
  }
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** `url` resolved against the page when it is safe to follow: http(s) only, never `javascript:`. */
function safeHref(url) {
  try {
    const parsed = new URL(url, document.baseURI);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * DOM nodes for an engine excerpt: escaped text with `<mark>…</mark>` around matches. Built as
 * text nodes and `mark` elements, never through innerHTML, so nothing in a release can become markup.
 */
function excerptNodes(excerpt) {
  const nodes = [];
  let inMark = false;
  for (const part of String(excerpt ?? '').split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') inMark = true;
    else if (part === '</mark>') inMark = false;
    else if (part) {
      const text = part.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]);
      nodes.push(inMark ? el('mark', 'pressroom__mark', text) : document.createTextNode(text));
    }
  }
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// Auto-mount.

function mountAll(root) {
  if (root.matches?.('[data-pressroom]')) mount(root);
  root.querySelectorAll?.('[data-pressroom]').forEach((element) => mount(element));
}

if (typeof document !== 'undefined') {
  const start = () => {
    mountAll(document);
    new MutationObserver((records) => {
      for (const record of records) record.addedNodes.forEach((node) => node.nodeType === 1 && mountAll(node));
    }).observe(document.documentElement, { childList: true, subtree: true });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
