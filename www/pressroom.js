// Pressroom: instant search over press releases, in the visitor's browser.
//
//   <div data-pressroom></div>
//   <script type="module" src="/pressroom/pressroom.js"></script>
//
// Importing this module mounts a search widget into every `[data-pressroom]` element, now and
// later. The attribute's value, when given, is the URL of the index folder; by default it is the
// folder this file was loaded from. Other options are data attributes (`data-mode="modal"`,
// `data-limit`, `data-filters`, `data-sort`, `data-ranking`, `data-placeholder`, … see `mount`)
// or, from code:
//
//   const { Pressroom, mount } = await import('/pressroom/pressroom.js');
//   mount(element, { mode: 'modal', limit: 5, strings: { placeholder: 'Find a release' } });
//   const pr = await Pressroom.open('/pressroom/');
//   const { total, hits } = await pr.search('eurasian security', { limit: 10 });
//
// Three layers: `Pressroom` (pressroom-core.js, no DOM) fetches the index and talks to the
// WebAssembly engine; a backend runs it in a module worker (pressroom-worker.js), or on the main
// thread where the page may not start one; `Widget` (here) owns the DOM.
//
// The widget lives in a shadow root with its own copy of pressroom.css: the site's CSS cannot
// reach inside (a site rule for `input` or `li` changes nothing) and ours cannot leak out. Only
// inherited text properties and the `--pressroom-*` custom properties cross, which is how a site
// themes it. Nothing heavy is downloaded until a visitor focuses a search box.

import { DEFAULT_BASE, Pressroom, folderUrl, openShared } from './pressroom-core.js';

export { Pressroom };

const STYLESHEET = new URL('./pressroom.css', import.meta.url).href;
const WORKER = new URL('./pressroom-worker.js', import.meta.url);
const LOADING_DELAY_MS = 300; // a faster answer never flashes "Loading…"
const ANNOUNCE_DELAY_MS = 600; // the live region speaks once typing pauses, not per keystroke
const RECENT_KEY = 'pressroom:recent';
const FACET_VALUES_SHOWN = 8;
const RTL_LANGS = new Set(['ar', 'fa', 'he', 'ur']);

// ---------------------------------------------------------------------------------------------
// Strings. A value is a template (`{n}`, `{q}` are filled in) or, for counts, an object keyed by
// the `Intl.PluralRules` category. `mount(el, { strings })` overrides any of them.

const STRINGS = {
  en: {
    label: 'Search press releases',
    placeholder: 'Search press releases…',
    open: 'Search',
    close: 'Close',
    results: { one: '{n} result', other: '{n} results' },
    noResults: 'No results for “{q}”.',
    didYouMean: 'Did you mean',
    truncated: 'Only the start of a long query was searched.',
    loading: 'Loading…',
    unavailable: 'Search is unavailable right now: the index could not be loaded.',
    failed: 'Search failed.',
    hits: 'Search results',
    loadMore: 'Load more',
    sort: 'Sort by',
    relevance: 'Relevance',
    newest: 'Newest',
    year: 'Year',
    category: 'Category',
    lang: 'Language',
    clearFilters: 'Clear filters',
    recent: 'Recent searches',
    clearRecent: 'Clear recent searches',
  },
  ru: {
    label: 'Поиск по пресс-релизам',
    placeholder: 'Поиск по пресс-релизам…',
    open: 'Поиск',
    close: 'Закрыть',
    results: { one: '{n} результат', few: '{n} результата', many: '{n} результатов', other: '{n} результата' },
    noResults: 'По запросу «{q}» ничего не найдено.',
    didYouMean: 'Возможно, вы имели в виду',
    truncated: 'Поиск выполнен только по началу длинного запроса.',
    loading: 'Загрузка…',
    unavailable: 'Поиск сейчас недоступен: не удалось загрузить индекс.',
    failed: 'Ошибка поиска.',
    hits: 'Результаты поиска',
    loadMore: 'Показать ещё',
    sort: 'Сортировка',
    relevance: 'По релевантности',
    newest: 'Сначала новые',
    year: 'Год',
    category: 'Рубрика',
    lang: 'Язык',
    clearFilters: 'Сбросить фильтры',
    recent: 'Недавние запросы',
    clearRecent: 'Очистить недавние запросы',
  },
  zh: {
    label: '搜索新闻稿',
    placeholder: '搜索新闻稿…',
    open: '搜索',
    close: '关闭',
    results: { other: '{n} 条结果' },
    noResults: '没有找到与“{q}”相关的结果。',
    didYouMean: '您是不是要找',
    truncated: '查询过长，仅搜索了开头部分。',
    loading: '正在加载…',
    unavailable: '搜索暂不可用：无法加载索引。',
    failed: '搜索失败。',
    hits: '搜索结果',
    loadMore: '加载更多',
    sort: '排序',
    relevance: '相关度',
    newest: '最新',
    year: '年份',
    category: '类别',
    lang: '语言',
    clearFilters: '清除筛选',
    recent: '最近搜索',
    clearRecent: '清除最近搜索',
  },
  ar: {
    label: 'البحث في البيانات الصحفية',
    placeholder: 'ابحث في البيانات الصحفية…',
    open: 'بحث',
    close: 'إغلاق',
    results: {
      zero: 'لا توجد نتائج',
      one: 'نتيجة واحدة',
      two: 'نتيجتان',
      few: '{n} نتائج',
      many: '{n} نتيجة',
      other: '{n} نتيجة',
    },
    noResults: 'لا توجد نتائج لـ «{q}».',
    didYouMean: 'هل تقصد',
    truncated: 'تم البحث في بداية الاستعلام الطويل فقط.',
    loading: 'جارٍ التحميل…',
    unavailable: 'البحث غير متاح حاليًا: تعذّر تحميل الفهرس.',
    failed: 'تعذّر البحث.',
    hits: 'نتائج البحث',
    loadMore: 'عرض المزيد',
    sort: 'الترتيب',
    relevance: 'الأكثر صلة',
    newest: 'الأحدث',
    year: 'السنة',
    category: 'الفئة',
    lang: 'اللغة',
    clearFilters: 'مسح عوامل التصفية',
    recent: 'عمليات البحث الأخيرة',
    clearRecent: 'مسح عمليات البحث الأخيرة',
  },
  fr: {
    label: 'Rechercher dans les communiqués',
    placeholder: 'Rechercher dans les communiqués…',
    open: 'Rechercher',
    close: 'Fermer',
    results: { one: '{n} résultat', other: '{n} résultats' },
    noResults: 'Aucun résultat pour « {q} ».',
    didYouMean: 'Vouliez-vous dire',
    truncated: 'Seul le début d’une longue requête a été recherché.',
    loading: 'Chargement…',
    unavailable: 'La recherche est indisponible : l’index n’a pas pu être chargé.',
    failed: 'La recherche a échoué.',
    hits: 'Résultats de recherche',
    loadMore: 'Afficher plus',
    sort: 'Trier par',
    relevance: 'Pertinence',
    newest: 'Plus récents',
    year: 'Année',
    category: 'Catégorie',
    lang: 'Langue',
    clearFilters: 'Effacer les filtres',
    recent: 'Recherches récentes',
    clearRecent: 'Effacer les recherches récentes',
  },
  es: {
    label: 'Buscar comunicados de prensa',
    placeholder: 'Buscar comunicados de prensa…',
    open: 'Buscar',
    close: 'Cerrar',
    results: { one: '{n} resultado', other: '{n} resultados' },
    noResults: 'No hay resultados para «{q}».',
    didYouMean: '¿Quisiste decir',
    truncated: 'Solo se buscó el comienzo de una consulta larga.',
    loading: 'Cargando…',
    unavailable: 'La búsqueda no está disponible: no se pudo cargar el índice.',
    failed: 'La búsqueda falló.',
    hits: 'Resultados de búsqueda',
    loadMore: 'Cargar más',
    sort: 'Ordenar por',
    relevance: 'Relevancia',
    newest: 'Más recientes',
    year: 'Año',
    category: 'Categoría',
    lang: 'Idioma',
    clearFilters: 'Borrar filtros',
    recent: 'Búsquedas recientes',
    clearRecent: 'Borrar búsquedas recientes',
  },
  de: {
    label: 'Pressemitteilungen durchsuchen',
    placeholder: 'Pressemitteilungen durchsuchen…',
    open: 'Suchen',
    close: 'Schließen',
    results: { one: '{n} Ergebnis', other: '{n} Ergebnisse' },
    noResults: 'Keine Ergebnisse für „{q}“.',
    didYouMean: 'Meinten Sie',
    truncated: 'Nur der Anfang einer langen Anfrage wurde gesucht.',
    loading: 'Wird geladen…',
    unavailable: 'Die Suche ist gerade nicht verfügbar: Der Index konnte nicht geladen werden.',
    failed: 'Die Suche ist fehlgeschlagen.',
    hits: 'Suchergebnisse',
    loadMore: 'Mehr laden',
    sort: 'Sortieren nach',
    relevance: 'Relevanz',
    newest: 'Neueste',
    year: 'Jahr',
    category: 'Kategorie',
    lang: 'Sprache',
    clearFilters: 'Filter zurücksetzen',
    recent: 'Letzte Suchen',
    clearRecent: 'Letzte Suchen löschen',
  },
};

/** The built-in translation for a BCP 47 tag (`fr-CA` → fr), English when there is none. */
function languageOf(tag) {
  const primary = String(tag || '').toLowerCase().split('-')[0];
  return primary in STRINGS ? primary : 'en';
}

// ---------------------------------------------------------------------------------------------
// Backends: the engine in a worker when the page may start one, else on the main thread.

const backends = new Map();

/** A `{ search(query, options) }` for the index in `base`, one per folder and kind per page. */
function openBackend(base, useWorker) {
  const folder = folderUrl(base);
  const key = `${useWorker}:${folder}`;
  if (!backends.has(key)) {
    const ready = useWorker
      ? openWorker(folder).catch((err) => (err.fallback ? openShared(folder) : Promise.reject(err)))
      : openShared(folder);
    // A failed load may be a passing network error: let the next focus try again.
    ready.catch(() => backends.delete(key));
    backends.set(key, ready);
  }
  return backends.get(key);
}

/**
 * Starts pressroom-worker.js and opens the index in it. Rejects with `fallback: true` when no
 * worker can run here (a CSP without `worker-src`, this file served from another origin, a
 * browser without module workers), so the caller searches on the main thread instead.
 */
function openWorker(folder) {
  const noWorker = (cause) => Object.assign(new Error('No search worker', { cause }), { fallback: true });
  let worker;
  try {
    worker = new Worker(WORKER, { type: 'module', name: 'pressroom' });
  } catch (err) {
    return Promise.reject(noWorker(err));
  }
  const pending = new Map();
  let lastId = 0;
  const call = (request) =>
    new Promise((resolve, reject) => {
      pending.set(++lastId, { resolve, reject });
      worker.postMessage({ id: lastId, ...request });
    });
  worker.addEventListener('message', ({ data }) => {
    const request = pending.get(data.id);
    pending.delete(data.id);
    if (data.error !== undefined) request?.reject(new Error(data.error));
    else request?.resolve(data.results);
  });
  // The worker script itself failed (blocked or unsupported): everything waiting falls back.
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    worker.terminate();
    for (const request of pending.values()) request.reject(noWorker(event.message));
    pending.clear();
  });
  return call({ type: 'open', base: folder }).then(
    () => ({ search: (query, options) => call({ type: 'search', query, options }) }),
    (err) => {
      worker.terminate();
      throw err;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Options.

const mounted = new WeakMap();

/**
 * Mounts a search widget into `element` (idempotent: a second call returns the first widget).
 * Every option can also be given as a data attribute on the element (in brackets).
 * @param {Element} element
 * @param {import('./pressroom.d.ts').WidgetOptions} [options]
 *   `base` [data-pressroom]: the index folder (default: the folder of this file);
 *   `mode` [data-mode]: `"inline"` (a box with a floating results panel) or `"modal"` (a
 *   button; `/` and Ctrl/Cmd+K open a search dialog);
 *   `limit` [data-limit]: hits per page (10);
 *   `filters` [data-filters]: facets to offer, of `year`, `category`, `lang` (`"year category"`;
 *   `"none"` for none); `sort` [data-sort]: `"relevance"` or `"newest"`;
 *   `ranking` [data-ranking, JSON]: ranking overrides passed to the engine;
 *   `placeholder` [data-placeholder], `label` [data-label]: texts of the box;
 *   `strings`: any UI string by key (see STRINGS.en); `lang`: the language (the element's `lang`);
 *   `urlParam` [data-url-param]: the query parameter that keeps the query in the URL (`q`;
 *   empty for none); `recent` [data-recent]: recent searches remembered (5; 0 for none);
 *   `hotkeys` [data-hotkeys]: whether `/` and Ctrl/Cmd+K open a modal widget, or focus an inline
 *   one on a page without a modal one (true);
 *   `worker` [data-worker]: whether to search in a worker (true).
 * @returns {Widget}
 */
export function mount(element, options = {}) {
  if (!mounted.has(element)) mounted.set(element, new Widget(element, options));
  return mounted.get(element);
}

function readOptions(element, options) {
  const data = element.dataset;
  const number = (value) => (/^\d+$/.test(value ?? '') ? Number(value) : undefined);
  const flag = (value) => (value === undefined ? undefined : value !== 'false');
  const words = (value) => (value === undefined ? undefined : value.split(/[\s,]+/).filter((w) => w && w !== 'none'));
  let ranking = options.ranking;
  if (ranking === undefined && data.ranking) {
    try {
      ranking = JSON.parse(data.ranking);
    } catch {
      console.warn('Pressroom: data-ranking is not JSON, so the default ranking is used');
    }
  }
  const lang = languageOf(options.lang ?? element.closest('[lang]')?.lang);
  const strings = { ...STRINGS.en, ...STRINGS[lang], ...options.strings };
  const placeholder = options.placeholder ?? data.placeholder;
  const label = options.label ?? data.label;
  if (placeholder) strings.placeholder = placeholder;
  if (label) strings.label = label;
  return {
    base: options.base ?? (data.pressroom || DEFAULT_BASE),
    mode: (options.mode ?? data.mode) === 'modal' ? 'modal' : 'inline',
    limit: options.limit ?? number(data.limit) ?? 10,
    filters: (options.filters ?? words(data.filters) ?? ['year', 'category']).filter((name) => name in FACETS),
    sort: (options.sort ?? data.sort) === 'newest' ? 'newest' : 'relevance',
    ranking,
    lang,
    locale: options.lang ?? element.closest('[lang]')?.lang ?? lang,
    strings,
    urlParam: options.urlParam ?? data.urlParam ?? 'q',
    recent: options.recent ?? number(data.recent) ?? 5,
    hotkeys: options.hotkeys ?? flag(data.hotkeys) ?? true,
    worker: options.worker ?? flag(data.worker) ?? true,
  };
}

// ---------------------------------------------------------------------------------------------
// Widget.

/** The facets offered, by option name: their key in the engine's `filters` and `facets`. */
const FACETS = { year: 'years', category: 'categories', lang: 'langs' };

/** The search widget mounted into one element. Create with `mount`. */
class Widget {
  #element;
  #options;
  #t; // the strings of the widget's language, as a function: #t('results', { n: 3 })
  #dom = {};
  #backend = null; // Promise<backend> once loading has started
  #loadFailed = false;
  #expanded = false; // whether the visitor is using the box (inline: the panel may show)
  #sequence = 0; // bumped on every search: only the latest one may render
  #query = '';
  #selected = { years: new Set(), categories: new Set(), langs: new Set() };
  #sort;
  #hits = [];
  #total = 0;
  #active = -1; // the option aria-activedescendant points at
  #items = []; // the option elements of the listbox, in order
  #facets = null; // the engine's facet counts for the shown results
  #suggestion = null; // the engine's "did you mean" for a query without results
  #truncated = false; // whether the engine searched only the start of a very long query
  #returnFocus = null; // where focus goes back when the dialog closes
  #loadingTimer = 0;
  #announceTimer = 0;
  #dateFormat = null;
  #abort = new AbortController();

  constructor(element, options) {
    this.#element = element;
    this.#options = readOptions(element, options);
    this.#sort = this.#options.sort;
    this.#t = translator(this.#options.strings, this.#options.locale);
    this.#build();
    widgets.add(this);
  }

  get mode() {
    return this.#options.mode;
  }

  get urlParam() {
    return this.#options.urlParam;
  }

  get hotkeys() {
    return this.#options.hotkeys;
  }

  #build() {
    const t = this.#t;
    const { mode, lang } = this.#options;
    const shadow = this.#element.shadowRoot ?? this.#element.attachShadow({ mode: 'open' });
    const root = el('div', `pressroom pressroom--${mode}`);
    root.lang = lang;
    if (RTL_LANGS.has(lang)) root.dir = 'rtl';
    root.dataset.state = 'idle';
    // Invisible, but laid out, until pressroom.css applies: no flash of an unstyled box.
    root.style.visibility = 'hidden';
    const link = el('link');
    Object.assign(link, { rel: 'stylesheet', href: STYLESHEET });
    const reveal = () => root.style.removeProperty('visibility');
    link.addEventListener('load', reveal, { once: true });
    link.addEventListener('error', reveal, { once: true });

    const form = el('form', 'pressroom__form');
    // Inline, the box is the page's search landmark; in the dialog, the dialog names itself.
    if (mode === 'inline') attrs(form, { role: 'search', 'aria-label': t('label') });
    const input = el('input', 'pressroom__input');
    Object.assign(input, { type: 'search', id: 'input', placeholder: t('placeholder'), autocomplete: 'off', spellcheck: false });
    attrs(input, {
      role: 'combobox',
      'aria-label': t('label'),
      'aria-autocomplete': 'list',
      'aria-expanded': 'false',
      'aria-controls': 'listbox',
      enterkeyhint: 'search',
    });
    form.append(input);

    const panel = el('div', 'pressroom__panel');
    const bar = el('div', 'pressroom__bar');
    const count = el('p', 'pressroom__count');
    const sort = el('div', 'pressroom__sort');
    attrs(sort, { role: 'group', 'aria-label': t('sort') });
    const sortButtons = ['relevance', 'newest'].map((value) => {
      const button = el('button', 'pressroom__toggle', t(value));
      button.type = 'button';
      button.dataset.sort = value;
      return button;
    });
    sort.append(...sortButtons);
    bar.append(count, sort);
    const facets = el('div', 'pressroom__facets');
    const message = el('div', 'pressroom__message');
    const listbox = el('div', 'pressroom__hits');
    attrs(listbox, { id: 'listbox', role: 'listbox', 'aria-label': t('hits') });
    const more = el('button', 'pressroom__more', t('loadMore'));
    more.type = 'button';
    panel.append(bar, facets, message, listbox, more);
    const live = el('div', 'pressroom__sr-only');
    attrs(live, { role: 'status', 'aria-live': 'polite' });

    const box = el('div', 'pressroom__box');
    box.append(form, panel, live);
    if (mode === 'modal') {
      const trigger = el('button', 'pressroom__trigger');
      trigger.type = 'button';
      attrs(trigger, { 'aria-haspopup': 'dialog', 'aria-keyshortcuts': '/ Control+K Meta+K' });
      // The "/" hint is drawn by CSS: as text it would be part of the button's name.
      const kbd = el('kbd', 'pressroom__kbd');
      kbd.setAttribute('aria-hidden', 'true');
      trigger.append(el('span', 'pressroom__icon'), el('span', 'pressroom__trigger-text', t('open')), kbd);
      const dialog = el('dialog', 'pressroom__dialog');
      dialog.setAttribute('aria-label', t('label'));
      const close = el('button', 'pressroom__close', t('close'));
      close.type = 'button';
      form.append(close);
      dialog.append(box);
      root.append(trigger, dialog);
      Object.assign(this.#dom, { trigger, dialog });
    } else {
      root.append(box);
    }
    shadow.replaceChildren(link, root);
    Object.assign(this.#dom, { root, form, input, panel, bar, count, sortButtons, facets, message, listbox, more, live });
    this.#updateSort();
    this.#listen();
    this.#render();
  }

  #listen() {
    const { input, form, root, listbox, more, facets, message, sortButtons, trigger, dialog } = this.#dom;
    const on = (target, type, handler) => target.addEventListener(type, handler, { signal: this.#abort.signal });
    on(input, 'focus', () => {
      this.#load();
      this.#expand(true);
    });
    on(input, 'input', () => this.#search(input.value, { typed: true }));
    on(input, 'keydown', (event) => this.#onKey(event));
    on(form, 'submit', (event) => event.preventDefault());
    on(more, 'click', () => this.#loadMore());
    for (const button of sortButtons) {
      on(button, 'click', () => {
        this.#sort = button.dataset.sort;
        this.#updateSort();
        this.#search(this.#query);
      });
    }
    on(facets, 'click', (event) => {
      const button = event.target.closest('button');
      if (!button) return;
      if (button.dataset.facet) {
        const values = this.#selected[button.dataset.facet];
        values.has(button.dataset.value) ? values.delete(button.dataset.value) : values.add(button.dataset.value);
      } else {
        Object.values(this.#selected).forEach((values) => values.clear());
      }
      this.#search(this.#query);
    });
    on(message, 'click', (event) => {
      const button = event.target.closest('button');
      if (button?.dataset.suggestion) this.#replaceQuery(button.dataset.suggestion);
      else if (button?.dataset.clearRecent !== undefined) {
        writeRecent([]);
        this.#render();
        input.focus();
      }
    });
    // A click on a hit is a link click (so middle and Ctrl+click work as on any link); recent
    // searches remember the query, and a recent search fills the box.
    on(listbox, 'click', (event) => {
      const option = event.target.closest('[role="option"]');
      if (!option) return;
      if (option.dataset.recent !== undefined) {
        event.preventDefault();
        this.#replaceQuery(option.dataset.recent);
      } else this.#remember();
    });
    on(listbox, 'pointermove', (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) this.#activate(this.#items.indexOf(option), false);
    });

    if (dialog) {
      on(trigger, 'click', () => this.open());
      on(dialog, 'click', (event) => event.target === dialog && this.close()); // the backdrop
      on(dialog, 'cancel', (event) => {
        event.preventDefault(); // Esc: close through one path, which restores focus
        this.close();
      });
      on(this.#dom.form.querySelector('.pressroom__close'), 'click', () => this.close());
      on(dialog, 'keydown', (event) => event.key === 'Tab' && trapFocus(event, dialog));
    } else {
      // The inline panel floats over the page: it closes when the visitor moves on.
      const outside = (event) => !event.composedPath().includes(root);
      on(document, 'pointerdown', (event) => outside(event) && this.#expand(false));
      on(document, 'focusin', (event) => outside(event) && this.#expand(false));
      // Esc from a button in the panel closes it too, back in the box.
      on(root, 'keydown', (event) => {
        if (event.key !== 'Escape' || event.composedPath()[0] === input || !this.#expanded) return;
        input.focus();
        this.#expand(false);
      });
    }
  }

  #onKey(event) {
    const { input } = this.#dom;
    const count = this.#items.length;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        this.#expand(true);
        if (!count) return;
        const step = event.key === 'ArrowDown' ? 1 : -1;
        this.#activate(this.#active < 0 ? (step > 0 ? 0 : count - 1) : (this.#active + step + count) % count);
        return;
      }
      case 'Enter': {
        event.preventDefault();
        const option = this.#items[this.#active];
        if (!option) return this.#remember();
        if (option.dataset.recent !== undefined) return this.#replaceQuery(option.dataset.recent);
        if (!option.href) return;
        this.#remember();
        if (event.ctrlKey || event.metaKey) window.open(option.href, '_blank', 'noopener');
        else location.assign(option.href);
        return;
      }
      case 'Escape':
        // Type=search clears itself on Esc; here Esc closes, and a second Esc clears.
        event.preventDefault();
        if (this.#options.mode === 'modal') this.close();
        else if (this.#expanded && this.#panelShown()) this.#expand(false);
        else if (input.value) this.#replaceQuery('');
        return;
      default:
    }
  }

  /** Opens the modal search dialog (modal mode) or focuses the box (inline). */
  open() {
    const { dialog, input } = this.#dom;
    if (dialog && !dialog.open) {
      this.#returnFocus = document.activeElement;
      dialog.showModal();
    }
    input.focus();
    input.select();
  }

  /** Closes the modal search dialog, or the inline results panel. */
  close() {
    const { dialog, trigger } = this.#dom;
    this.#expand(false);
    if (!dialog?.open) return;
    dialog.close();
    // Back where the visitor was; after a shortcut pressed on the page itself, on the button.
    const from = this.#returnFocus;
    const back = from?.isConnected && from !== document.body ? from : trigger;
    this.#returnFocus = null;
    back.focus();
  }

  /** Starts loading the index, on first focus; after a failure, each new focus tries again. */
  #load() {
    if (!this.#backend || this.#loadFailed) {
      const backend = openBackend(this.#options.base, this.#options.worker && typeof Worker === 'function');
      [this.#backend, this.#loadFailed] = [backend, false];
      backend.catch((err) => {
        if (this.#backend !== backend) return;
        this.#loadFailed = true;
        console.warn('Pressroom:', err.message);
        this.#sequence++;
        this.#setState('error');
      });
    }
    return this.#backend;
  }

  /** Sets the box to `query` and searches, as if typed (a suggestion, a recent search, the URL). */
  #replaceQuery(query) {
    this.#dom.input.value = query;
    this.#dom.input.focus();
    this.#search(query, { typed: true });
  }

  /** Shows `query` (from the URL, or a caller) in the widget; modal widgets open for it. */
  show(query) {
    if (this.#options.mode === 'modal' && query) this.open();
    else if (this.#options.mode === 'modal') this.close();
    this.#dom.input.value = query;
    if (query && this.#options.mode === 'inline') {
      this.#load();
      this.#expand(true);
    }
    this.#search(query);
  }

  async #search(rawQuery, { typed = false } = {}) {
    const sequence = ++this.#sequence;
    // The engine reads a trailing space as "this word is complete": pass the query as typed.
    const query = rawQuery.trim() ? rawQuery : '';
    if (typed) urlState.typed(this, query);
    this.#query = query;
    this.#active = -1;
    clearTimeout(this.#loadingTimer);
    if (!query && !this.#filtered()) {
      this.#hits = [];
      this.#facets = null;
      this.#setState('idle');
      return;
    }
    this.#loadingTimer = setTimeout(() => sequence === this.#sequence && this.#setState('loading'), LOADING_DELAY_MS);
    // Typing does not retry a failed load (every keystroke would refetch): focusing again does.
    const loading = this.#backend ?? this.#load();
    let results;
    try {
      const backend = await loading;
      results = await backend.search(query, this.#searchOptions(0));
    } catch (err) {
      if (sequence !== this.#sequence) return;
      clearTimeout(this.#loadingTimer);
      if (!this.#loadFailed) console.warn('Pressroom:', err.message);
      this.#setState(this.#loadFailed ? 'error' : 'failed');
      return;
    }
    if (sequence !== this.#sequence) return;
    clearTimeout(this.#loadingTimer);
    this.#hits = results.hits;
    this.#total = results.total;
    this.#facets = results.facets ?? null;
    this.#suggestion = results.suggestion ?? null;
    this.#truncated = results.truncated === true;
    this.#setState(results.total ? 'results' : 'empty');
  }

  #searchOptions(offset) {
    const { limit, ranking } = this.#options;
    const filters = {};
    for (const [name, values] of Object.entries(this.#selected)) {
      if (values.size) filters[name] = name === 'years' ? [...values].map(Number) : [...values];
    }
    const options = { limit, offset, filters, sort: this.#sort === 'newest' ? 'date' : 'relevance' };
    if (ranking) options.ranking = ranking;
    return options;
  }

  async #loadMore() {
    const sequence = this.#sequence;
    const { more } = this.#dom;
    more.disabled = true;
    try {
      const results = await (await this.#backend).search(this.#query, this.#searchOptions(this.#hits.length));
      if (sequence !== this.#sequence) return;
      const first = this.#hits.length;
      this.#hits = this.#hits.concat(results.hits);
      this.#render();
      this.#dom.input.focus(); // the box keeps the focus; the first new hit is the active one
      this.#activate(first);
    } catch (err) {
      console.warn('Pressroom:', err.message);
    } finally {
      more.disabled = false;
    }
  }

  /** Remembers the query as a recent search: the visitor found something with it. */
  #remember() {
    const { recent } = this.#options;
    const query = this.#query.trim();
    if (!query || !recent) return;
    writeRecent([query, ...readRecent().filter((q) => q !== query)].slice(0, recent));
  }

  #setState(state) {
    this.#dom.root.dataset.state = state;
    this.#render();
  }

  #expand(expanded) {
    this.#expanded = expanded;
    this.#render();
  }

  #panelShown() {
    const state = this.#dom.root.dataset.state;
    if (this.#options.mode === 'modal') return true;
    return this.#expanded && (state !== 'idle' || this.#recentShown());
  }

  #recentShown() {
    return this.#dom.root.dataset.state === 'idle' && this.#options.recent > 0 && readRecent().length > 0;
  }

  /** Brings the DOM in line with the state: one place, so no state can show stale parts. */
  #render() {
    const t = this.#t;
    const { root, input, panel, bar, count, message, listbox, more, facets } = this.#dom;
    const state = root.dataset.state;
    const recent = this.#recentShown() ? readRecent() : [];
    panel.hidden = !this.#panelShown();
    message.replaceChildren();
    count.textContent = '';
    if (state === 'loading') message.textContent = t('loading');
    if (state === 'error') message.textContent = t('unavailable');
    if (state === 'failed') message.textContent = t('failed');
    if (state === 'empty') {
      message.append(el('p', '', t('noResults', { q: this.#query.trim() })));
      if (this.#suggestion) {
        const button = el('button', 'pressroom__suggestion', this.#suggestion);
        button.type = 'button';
        button.dataset.suggestion = this.#suggestion;
        const line = el('p', '', `${t('didYouMean')} `);
        line.append(button, '?');
        message.append(line);
      }
    }
    bar.hidden = !(state === 'results' || state === 'empty');
    if (!bar.hidden) count.textContent = t('results', { n: this.#total });
    const showHits = state === 'results';
    if ((showHits || state === 'empty') && this.#truncated) message.append(el('p', '', t('truncated')));
    if (recent.length) {
      const heading = el('p', 'pressroom__heading', t('recent'));
      const clear = el('button', 'pressroom__link', t('clearRecent'));
      clear.type = 'button';
      clear.dataset.clearRecent = '';
      message.append(heading, clear);
    }
    root.toggleAttribute('data-recent', recent.length > 0);
    listbox.setAttribute('aria-label', recent.length ? t('recent') : t('hits'));
    this.#items = showHits ? this.#hits.map((hit, i) => this.#renderHit(hit, i)) : recent.map((q, i) => this.#renderRecent(q, i));
    listbox.replaceChildren(...this.#items);
    listbox.hidden = this.#items.length === 0;
    more.hidden = !(showHits && this.#hits.length < this.#total);
    const refocus = this.#renderFacets(facets, showHits || (state === 'empty' && this.#filtered()));
    input.setAttribute('aria-expanded', String(!panel.hidden && this.#items.length > 0));
    this.#activate(this.#active, false);
    if (!this.#items.length) this.#active = -1;
    if (state === 'results' || state === 'empty') this.#announce(t('results', { n: this.#total }));
    else if (state === 'error' || state === 'failed') this.#announce(message.textContent);
    refocus?.focus();
  }

  #filtered() {
    return Object.values(this.#selected).some((values) => values.size > 0);
  }

  /** Draws the facet buttons; returns the element to focus when one of the old ones had it. */
  #renderFacets(container, shown) {
    const t = this.#t;
    const active = this.#element.shadowRoot.activeElement;
    const focused = container.contains(active) ? { ...active.dataset } : null;
    container.replaceChildren();
    container.hidden = !shown || !this.#facets;
    // The clicked button is redrawn: keyboard focus moves to its successor, or back to the box.
    const refocus = () =>
      focused && ([...container.querySelectorAll('[data-facet]')].find((b) => b.dataset.facet === focused.facet && b.dataset.value === focused.value) ?? this.#dom.input);
    if (container.hidden) return refocus();
    for (const name of this.#options.filters) {
      const key = FACETS[name];
      const counts = this.#facets[key] ?? [];
      const selected = this.#selected[key];
      if (counts.length < (selected.size ? 1 : 2)) continue; // one value filters nothing
      const group = el('div', 'pressroom__facet');
      const label = el('span', 'pressroom__facet-label', t(name));
      label.id = `facet-${name}`;
      attrs(group, { role: 'group', 'aria-labelledby': label.id });
      group.append(label);
      const values = counts.filter((c, i) => i < FACET_VALUES_SHOWN || selected.has(c.value));
      for (const { value, count } of values) {
        const button = el('button', 'pressroom__toggle pressroom__chip', value);
        button.type = 'button';
        Object.assign(button.dataset, { facet: key, value });
        button.setAttribute('aria-pressed', String(selected.has(value)));
        button.append(el('span', 'pressroom__chip-count', this.#number(count)));
        group.append(button);
      }
      container.append(group);
    }
    if (this.#filtered()) {
      const clear = el('button', 'pressroom__link', t('clearFilters'));
      clear.type = 'button';
      container.append(clear);
    }
    return refocus();
  }

  #updateSort() {
    for (const button of this.#dom.sortButtons) button.setAttribute('aria-pressed', String(button.dataset.sort === this.#sort));
  }

  #renderHit(hit, i) {
    const href = safeHref(hit.url);
    const option = el(href ? 'a' : 'div', 'pressroom__hit');
    if (href) option.href = href;
    const title = el('span', 'pressroom__title', hit.title || hit.url);
    attrs(option, { id: `option-${i}`, role: 'option', tabindex: '-1', 'aria-selected': 'false' });
    if (hit.lang && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(hit.lang)) option.lang = hit.lang;
    title.dir = 'auto';
    const meta = el('span', 'pressroom__meta');
    const date = this.#renderDate(hit.date);
    if (date) meta.append(date);
    for (const category of hit.categories ?? []) meta.append(el('span', 'pressroom__category', category));
    const excerpt = el('span', 'pressroom__excerpt');
    excerpt.dir = 'auto';
    excerpt.append(...excerptNodes(hit.excerpt));
    option.append(title, meta, excerpt);
    return option;
  }

  #renderRecent(query, i) {
    const option = el('div', 'pressroom__hit pressroom__recent', query);
    attrs(option, { id: `option-${i}`, role: 'option', 'aria-selected': 'false' });
    option.dataset.recent = query;
    return option;
  }

  /** Moves the active option (the one Enter opens) to `index`, keeping it in view. */
  #activate(index, scroll = true) {
    const { input } = this.#dom;
    this.#items.forEach((option, i) => option.setAttribute('aria-selected', String(i === index)));
    const option = this.#items[index];
    this.#active = option ? index : -1;
    if (option) {
      input.setAttribute('aria-activedescendant', option.id);
      if (scroll) option.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  #renderDate(iso) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
    if (!match) return null;
    const [year, month, day] = match.slice(1).map(Number);
    if (!this.#dateFormat) {
      const options = { dateStyle: 'medium', timeZone: 'UTC' };
      try {
        this.#dateFormat = new Intl.DateTimeFormat(this.#options.locale, options);
      } catch {
        this.#dateFormat = new Intl.DateTimeFormat(undefined, options); // an invalid lang attribute
      }
    }
    const time = el('time', 'pressroom__date', this.#dateFormat.format(new Date(Date.UTC(year, month - 1, day))));
    time.dateTime = iso;
    return time;
  }

  #number(n) {
    return this.#t('{n}', { n });
  }

  /** Says the state in the live region once it has settled, so typing is not read out letter by letter. */
  #announce(text) {
    clearTimeout(this.#announceTimer);
    this.#announceTimer = setTimeout(() => {
      if (this.#dom.live.textContent !== text) this.#dom.live.textContent = text;
    }, ANNOUNCE_DELAY_MS);
  }

  /** Removes the widget and its listeners; the element is left empty. */
  destroy() {
    this.#abort.abort();
    this.#sequence++;
    clearTimeout(this.#loadingTimer);
    clearTimeout(this.#announceTimer);
    this.#dom.root.remove();
    this.#element.shadowRoot?.replaceChildren();
    widgets.delete(this);
    mounted.delete(this.#element);
  }

  /** Whether a visitor can see the widget (an inline box in a hidden header cannot take a query). */
  get visible() {
    return this.#element.checkVisibility?.() ?? this.#element.getClientRects().length > 0;
  }
}

/** `#t(key, vars)`: the string for `key` (or `key` itself as a template) with `{var}`s filled. */
function translator(strings, locale) {
  let plurals;
  let numbers;
  try {
    [plurals, numbers] = [new Intl.PluralRules(locale), new Intl.NumberFormat(locale)];
  } catch {
    [plurals, numbers] = [new Intl.PluralRules(), new Intl.NumberFormat()];
  }
  return (key, vars = {}) => {
    let text = strings[key] ?? key;
    if (typeof text === 'object') text = text[plurals.select(vars.n)] ?? text.other;
    return text.replace(/\{(\w+)\}/g, (_, name) => (typeof vars[name] === 'number' ? numbers.format(vars[name]) : vars[name] ?? ''));
  };
}

/** Keeps Tab and Shift+Tab inside `container` (the modal dialog), wrapping at either end. */
function trapFocus(event, container) {
  const focusable = [...container.querySelectorAll('input, button:not([disabled])')].filter((e) => e.getClientRects().length);
  const [first, last] = [focusable[0], focusable.at(-1)];
  const current = container.getRootNode().activeElement;
  if (event.shiftKey && current === first) last.focus();
  else if (!event.shiftKey && current === last) first.focus();
  else return;
  event.preventDefault();
}

// ---------------------------------------------------------------------------------------------
// Recent searches, in localStorage when the page may use it (private modes and sandboxed
// frames throw on access; then there are simply none).

function readRecent() {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((q) => typeof q === 'string' && q) : [];
  } catch {
    return [];
  }
}

function writeRecent(list) {
  try {
    if (list.length) localStorage.setItem(RECENT_KEY, JSON.stringify(list));
    else localStorage.removeItem(RECENT_KEY);
  } catch {
    // Storage full or forbidden: recent searches are a convenience.
  }
}

// ---------------------------------------------------------------------------------------------
// The query in the URL (`?q=`), shared by the widgets of a page: the first keystroke of a new
// search adds a history entry, the rest replace it, and Back shows the search of that entry.

const widgets = new Set();

const urlState = {
  owner: null, // the widget the visitor last typed into

  typed(widget, query) {
    const param = widget.urlParam;
    if (!param) return;
    this.owner = widget;
    const url = new URL(location.href);
    const before = url.searchParams.get(param) ?? '';
    if (before === query) return;
    if (query) url.searchParams.set(param, query);
    else url.searchParams.delete(param);
    if (before && query) window.history.replaceState(window.history.state, '', url);
    else window.history.pushState(window.history.state, '', url);
  },

  /** Shows the URL's query in the widget that owns it: the last one used, else the first visible. */
  restore({ initial = false } = {}) {
    const candidates = [...widgets].filter((w) => w.urlParam);
    const owner = candidates.includes(this.owner) ? this.owner : candidates.find((w) => w.visible);
    const query = owner && (new URLSearchParams(location.search).get(owner.urlParam) ?? '');
    if (owner && (query || !initial)) owner.show(query);
  },
};

// ---------------------------------------------------------------------------------------------
// Rendering helpers.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function attrs(node, values) {
  for (const [name, value] of Object.entries(values)) node.setAttribute(name, value);
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
// Auto-mount, keyboard shortcuts and history.

function mountAll(root) {
  if (root.matches?.('[data-pressroom]')) mount(root);
  root.querySelectorAll?.('[data-pressroom]').forEach((element) => mount(element));
}

/** Whether a key press is typing into a field, where `/` is a character and not a shortcut. */
function isTyping(event) {
  const target = event.composedPath()[0];
  return target instanceof Element && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

if (typeof document !== 'undefined') {
  const start = () => {
    mountAll(document);
    new MutationObserver((records) => {
      for (const record of records) record.addedNodes.forEach((node) => node.nodeType === 1 && mountAll(node));
    }).observe(document.documentElement, { childList: true, subtree: true });
    urlState.restore({ initial: true });
    addEventListener('popstate', () => urlState.restore());
    document.addEventListener('keydown', (event) => {
      const shortcut = (event.key === 'k' || event.key === 'K') && (event.ctrlKey || event.metaKey) && !event.altKey;
      const slash = event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event);
      if (!shortcut && !slash) return;
      // The search dialog when the page has one; else the first search box in sight.
      const ready = [...widgets].filter((w) => w.visible && w.hotkeys);
      const target = ready.find((w) => w.mode === 'modal') ?? ready[0];
      if (!target) return;
      event.preventDefault();
      target.open();
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
