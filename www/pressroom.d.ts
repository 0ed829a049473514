// Types for Pressroom's JavaScript API: `pressroom.js` (the widget, which re-exports the engine
// layer) and `pressroom-core.js` (the engine layer alone, for code that draws its own results).
//
//   import { Pressroom, mount } from '/pressroom/pressroom.js';
//   const pr = await Pressroom.open('/pressroom/');
//   const results: SearchResults = await pr.search('eurasian security', { limit: 10 });

/** Changes to the ranking the index was built with; each is documented in `src/search.rs`. */
export interface RankingOverrides {
  titleWeight?: number;
  bodyWeight?: number;
  k1?: number;
  titleB?: number;
  bodyB?: number;
  prefixWeight?: number;
  typoWeight?: number;
  firstLetterTypoFactor?: number;
  titleMatchBonus?: number;
  exactTitleBonus?: number;
  /** Extra share when the query's words stand close together, most in the order typed (default 1: up to ×2). */
  proximityBonus?: number;
  /** What a word sharing the typed word's stem counts (default 0.7); 0 turns word families off. */
  stemWeight?: number;
  /** Extra share for a top match that writes the query's words with the accents typed (default 0.5). */
  diacriticBonus?: number;
  /** Extra share for recent releases, halving every `recencyHalfLife` days back from the newest (default 0: off). */
  recencyWeight?: number;
  /** Days after which `recencyWeight` counts half (default 365). */
  recencyHalfLife?: number;
}

/** Which releases a search may return. Values within a field are alternatives; fields combine. */
export interface Filters {
  categories?: string[];
  years?: number[];
  /** `YYYY-MM-DD`, inclusive. */
  from?: string;
  /** `YYYY-MM-DD`, inclusive. */
  to?: string;
  /** BCP 47 tags; `en` also takes `en-GB`. */
  langs?: string[];
}

export interface SearchOptions {
  /** Hits to return (default 10). */
  limit?: number;
  /** Best hits to skip, for "load more" (default 0). */
  offset?: number;
  ranking?: RankingOverrides;
  /** Words in an excerpt; by default what the index was built with. */
  excerptWords?: number;
  /** With filters, an empty query lists the newest releases. */
  filters?: Filters;
  /** `"relevance"` (default) or `"date"`: newest first. */
  sort?: 'relevance' | 'date';
}

export interface Hit {
  url: string;
  /** Plain text: escape it before putting it in HTML. */
  title: string;
  /** `YYYY-MM-DD`, when known. */
  date: string | null;
  /** HTML-escaped words around the matches, each match in `<mark>…</mark>`. */
  excerpt: string;
  score: number;
  categories: string[];
  lang: string | null;
}

export interface FacetCount {
  value: string;
  count: number;
}

/** Counts per value for the current query, most frequent first (years newest first). */
export interface Facets {
  categories: FacetCount[];
  years: FacetCount[];
  langs: FacetCount[];
}

export interface SearchResults {
  /** How many releases match in all. */
  total: number;
  /** The requested page of the best matches, best first. */
  hits: Hit[];
  /** Present (true) when a very long query was cut to its first 32 words (1 KiB). */
  truncated?: boolean;
  /** Absent when nothing matched. */
  facets?: Facets;
  /** "Did you mean": present when nothing matched and a corrected query finds something. */
  suggestion?: string;
}

/** A search index, opened from a folder written by `pressroom-index build`. */
export declare class Pressroom {
  /**
   * Fetches the index in `base` (a folder URL, resolved against the page; by default the folder
   * of the script) and loads it. Rejects with an `Error` naming the index URL when it cannot.
   * A download that receives nothing for `timeout` milliseconds (10,000) is abandoned and
   * retried, like a server error.
   */
  static open(base?: string | URL, options?: { timeout?: number }): Promise<Pressroom>;
  search(query: string, options?: SearchOptions): Promise<SearchResults>;
  /** Frees the engine's memory; the object cannot search afterwards. */
  close(): void;
}

/** Every UI string of the widget; `{n}` and `{q}` are filled in. */
export interface WidgetStrings {
  label: string;
  placeholder: string;
  open: string;
  close: string;
  /** By `Intl.PluralRules` category (`one`, `few`, `many`, `other`…); `other` is required. */
  results: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
  noResults: string;
  didYouMean: string;
  /** Said when the engine searched only the start of a very long query. */
  truncated: string;
  loading: string;
  unavailable: string;
  failed: string;
  hits: string;
  loadMore: string;
  sort: string;
  relevance: string;
  newest: string;
  year: string;
  category: string;
  lang: string;
  clearFilters: string;
  recent: string;
  clearRecent: string;
}

/** Options of `mount`; each also reads from a data attribute of the element (in brackets). */
export interface WidgetOptions {
  /** [data-pressroom] The index folder; by default the folder of pressroom.js. */
  base?: string | URL;
  /** [data-mode] A box with a floating panel, or a button opening a search dialog. */
  mode?: 'inline' | 'modal';
  /** [data-limit] Hits per page (10). */
  limit?: number;
  /** [data-filters] Facets offered, in order (`year category`); `[]` or `"none"` for none. */
  filters?: Array<'year' | 'category' | 'lang'>;
  /** [data-sort] The initial order. */
  sort?: 'relevance' | 'newest';
  /** [data-ranking, as JSON] Passed to the engine with every search. */
  ranking?: RankingOverrides;
  /** [data-placeholder] */
  placeholder?: string;
  /** [data-label] The accessible name of the box and the search landmark. */
  label?: string;
  /** The language of the UI (default: the element's `lang`, inherited from the page). */
  lang?: string;
  /** Any UI string; the built-in ones cover en, ru, zh, ar, fr, es and de. */
  strings?: Partial<WidgetStrings>;
  /** [data-url-param] The query parameter that keeps the query in the URL (`q`; `""` for none). */
  urlParam?: string;
  /** [data-recent] Recent searches remembered in localStorage (5; 0 for none). */
  recent?: number;
  /** [data-hotkeys] Whether `/` and Ctrl/Cmd+K open a modal widget, or focus an inline one on a page without one (true). */
  hotkeys?: boolean;
  /** [data-worker] Whether to search in a Web Worker when the page allows one (true). */
  worker?: boolean;
}

/** A mounted widget. */
export interface Widget {
  readonly mode: 'inline' | 'modal';
  /** Opens the dialog (modal) or focuses the box (inline). */
  open(): void;
  /** Closes the dialog or the results panel. */
  close(): void;
  /** Shows the results for `query` in the box; a modal widget opens for one and closes for `""`. */
  show(query: string): void;
  /** Removes the widget and its listeners. */
  destroy(): void;
}

/** Mounts a widget into `element`; a second call for the same element returns the first widget. */
export declare function mount(element: Element, options?: WidgetOptions): Widget;
