//! Query execution and ranking.
//!
//! A query is parsed (see [`crate::query`]) and its words analyzed by the same analyzer as the
//! releases. Every clause must match (AND); the last word also matches as a prefix while the
//! visitor is still typing, and words tolerate typos. Matches are scored with BM25F over the
//! title and body fields, then filtered, counted per facet, sorted and paged.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::acronyms;
use crate::analyze::{self, Token};
use crate::excerpt::excerpt_of;
use crate::format::split_term_value;
use crate::index::{Index, Stored};
use crate::query::{self, Clause, Field, Query};
use crate::sorting;
use crate::split::ONE_LETTER_EXPANSIONS;
use crate::{Date, Error};

/// The most completions a prefix expands to; the most frequent win.
pub const MAX_PREFIX_EXPANSIONS: usize = 48;
/// The completions of a word being typed may together appear in at most this many releases
/// (counted once per completion), besides the most frequent one, which is always kept. Each
/// release a completion appears in is two or three bytes of its document list to fetch: on a split
/// index of the 22,181 English releases, typing `a` fetched 362 KB without a budget, 204 KB with
/// this one, and the known-item MRR of `cargo xtask bench` did not move (40,000 cost prefix
/// queries 0.005). Completions are taken most frequent first; one that no longer fits is passed
/// over, and rarer ones that do fit are still taken, so a rare word being typed is still found.
pub const COMPLETION_RELEASES: u64 = 60_000;
/// How many of the best matches are scored again for proximity, from their stored text (a
/// rescoring window, as search engines do with their costlier signals): the first page's
/// records, which a split index fetches anyway to show it. A release below the window keeps its
/// first score, which no proximity bonus lowers, so the order stays the same across pages.
pub const RERANKED: usize = 10;
/// What the query's words standing close together out of its order count towards the proximity
/// bonus, against standing as close in its order (see `closeness`): people type a title's words
/// in its order. On the benchmark's known-item queries (22,181 releases, `proximityBonus` 1),
/// counting order this way lifted MRR on every kind over an order-blind bonus: title 0.926 to
/// 0.935, prefix 0.904 to 0.913, typo 0.869 to 0.877, body 0.741 to 0.743.
pub const UNORDERED_PROXIMITY: f64 = 0.25;
/// When the other words of a query leave at most this many releases, the word being typed is
/// checked against their text for completions beyond the most frequent ones searched (see
/// `Search::complete_for`). On a split index that fetches those releases' records; the first
/// page's are fetched anyway.
pub const VERIFIED_RELEASES: usize = 30;
/// A query whose words as typed (completed, or within a typo) find fewer releases than this,
/// before filters, is searched again with each word's family too (`elections` finds
/// `election`; see [`crate::stems`]); those releases rank after the others. A query that finds
/// more fetches no family: its other forms would rank below all these releases anyway.
pub const FAMILY_BELOW: usize = 50;
/// How much a match of an acronym's words anywhere in a release counts, against the same words
/// as a phrase: they may be there for other reasons (`an organisation for cooperation opened in
/// Shanghai` is not about the SCO).
pub const LOOSE_WEIGHT: f64 = 0.5;
/// From this many letters on, a prefix leaves few enough completions that all of them (up to
/// [`MAX_LONG_PREFIX_EXPANSIONS`]) can be searched: the word being typed may be a rare one, and
/// the other words of the query narrow the matches anyway.
pub const LONG_PREFIX_LETTERS: usize = 3;
/// The most completions a prefix of [`LONG_PREFIX_LETTERS`] or more expands to.
pub const MAX_LONG_PREFIX_EXPANSIONS: usize = 512;
/// The most words within typing distance one query word stands for; the most frequent win.
pub const MAX_TYPO_EXPANSIONS: usize = 24;
/// Words of at least this many letters tolerate one typo.
pub const ONE_TYPO_LETTERS: usize = 5;
/// Words of at least this many letters tolerate two typos.
pub const TWO_TYPO_LETTERS: usize = 9;
/// A word that this many releases contain as typed (or, for the word being typed, as one of its
/// completions) is taken as meant: it is not widened to the words a typo away. A misspelling
/// is rare in edited text; a word this common is a word. Typo variants of it would only add
/// noise below the exact matches, and on a split index fetch a dictionary range for nothing.
pub const ATTESTED_RELEASES: u32 = 5;
/// The most hits one call returns.
pub const MAX_LIMIT: usize = 1000;
/// The longest excerpt, in words.
pub const MAX_EXCERPT_WORDS: usize = 500;

/// Ranking weights. Every field has a documented default; a site sets its own at build time
/// (stored in the index, see [`crate::Settings`]) and a page can change any of them per query
/// ([`RankingOverrides`]), by the names in [`Ranking::NAMES`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Ranking {
    /// BM25F weight of a word in the title. Default 6: a headline word says far more than a body word.
    pub title_weight: f64,
    /// BM25F weight of a word in the body. Default 1.
    pub body_weight: f64,
    /// BM25 term-frequency saturation. Default 1.2.
    pub k1: f64,
    /// Length normalization of the title, 0 (none) to 1 (full). Default 0.5.
    pub title_b: f64,
    /// Length normalization of the body. Default 0.75.
    pub body_b: f64,
    /// What a word completed from the typed prefix counts, relative to the word typed in full.
    /// Default 0.6, so an exact match outranks a completion.
    pub prefix_weight: f64,
    /// What a word one typo away counts, relative to the word typed in full (two typos count
    /// half of that). Default 0.4, so exact beats prefix beats typo.
    pub typo_weight: f64,
    /// What a typo in the first letter keeps of [`Ranking::typo_weight`]: people rarely get the
    /// first letter wrong. Default 0.5.
    pub first_letter_typo_factor: f64,
    /// Extra share of the score when every query word is in the title. Default 0.25 (×1.25).
    pub title_match_bonus: f64,
    /// Further extra share when the title is exactly the query's words. Default 0.5 (×1.5).
    pub exact_title_bonus: f64,
    /// Extra share of the score when the query's words stand close together: in the title when
    /// it holds them all, else in the body. The full share when they are next to each other in
    /// the query's order, falling with the words between them and counting
    /// [`UNORDERED_PROXIMITY`] as much out of order (see [`RERANKED`]). Default 1 (×2 at most).
    /// On the benchmark's known-item queries an order-blind bonus of 0.5 lifted body queries'
    /// MRR from 0.60 to 0.72 (title 0.924 to 0.927; measuring in the title and the body alike
    /// lowered title queries to 0.920); counting order and raising it to 1 took them, from
    /// title 0.931, prefix 0.904, typo 0.874 and body 0.721, to 0.935, 0.913, 0.877 and 0.743.
    pub proximity_bonus: f64,
    /// What a word of the typed word's family counts (a word sharing its stem in the language
    /// of its releases: `elections` finds `election`; see [`crate::stems`]), relative to the
    /// word typed in full. Default 0.7: below the word itself, above a completion.
    pub stem_weight: f64,
    /// Extra share of the score of one of the ten best matches (see [`RERANKED`]) that writes
    /// the query's words with the marks the visitor typed (`résumé`, not only `resume`; every
    /// word so written: the full share). Folding finds both; this puts the exact spelling
    /// first. Default 0.5 (×1.5 at most).
    pub diacritic_bonus: f64,
    /// Extra share of the score for a recent release: `recencyWeight × 0.5^(age / half-life)`,
    /// where the age is counted in days back from the index's newest release (not from today,
    /// so the same index always ranks the same). Default 0: off, and recency only breaks ties.
    /// A newsroom that wants the latest first on equal footing might use 0.5.
    pub recency_weight: f64,
    /// The age in days at which [`Ranking::recency_weight`] counts half. Default 365.
    pub recency_half_life: f64,
}

impl Default for Ranking {
    fn default() -> Ranking {
        Ranking {
            title_weight: 6.0,
            body_weight: 1.0,
            k1: 1.2,
            title_b: 0.5,
            body_b: 0.75,
            prefix_weight: 0.6,
            typo_weight: 0.4,
            first_letter_typo_factor: 0.5,
            title_match_bonus: 0.25,
            exact_title_bonus: 0.5,
            proximity_bonus: 1.0,
            stem_weight: 0.7,
            diacritic_bonus: 0.5,
            recency_weight: 0.0,
            recency_half_life: 365.0,
        }
    }
}

impl Ranking {
    /// The weights' names as JavaScript (and `pressroom.toml`) spell them, in the order of
    /// [`Ranking::to_array`], which is also their order in the index.
    pub const NAMES: [&'static str; 15] = [
        "titleWeight",
        "bodyWeight",
        "k1",
        "titleB",
        "bodyB",
        "prefixWeight",
        "typoWeight",
        "firstLetterTypoFactor",
        "titleMatchBonus",
        "exactTitleBonus",
        "proximityBonus",
        "stemWeight",
        "diacriticBonus",
        "recencyWeight",
        "recencyHalfLife",
    ];

    /// The weights in the order of [`Ranking::NAMES`].
    pub fn to_array(&self) -> [f64; 15] {
        [
            self.title_weight,
            self.body_weight,
            self.k1,
            self.title_b,
            self.body_b,
            self.prefix_weight,
            self.typo_weight,
            self.first_letter_typo_factor,
            self.title_match_bonus,
            self.exact_title_bonus,
            self.proximity_bonus,
            self.stem_weight,
            self.diacritic_bonus,
            self.recency_weight,
            self.recency_half_life,
        ]
    }

    /// The inverse of [`Ranking::to_array`].
    pub fn from_array(w: [f64; 15]) -> Ranking {
        Ranking {
            title_weight: w[0],
            body_weight: w[1],
            k1: w[2],
            title_b: w[3],
            body_b: w[4],
            prefix_weight: w[5],
            typo_weight: w[6],
            first_letter_typo_factor: w[7],
            title_match_bonus: w[8],
            exact_title_bonus: w[9],
            proximity_bonus: w[10],
            stem_weight: w[11],
            diacritic_bonus: w[12],
            recency_weight: w[13],
            recency_half_life: w[14],
        }
    }

    /// Whether `value` is usable for the weight at `index` of [`Ranking::NAMES`]: finite, not
    /// negative, and at most 1 for the `b`s and the first-letter factor.
    pub fn is_valid(index: usize, value: f64) -> bool {
        let at_most_one = matches!(
            Ranking::NAMES.get(index),
            Some(&("titleB" | "bodyB" | "firstLetterTypoFactor"))
        );
        value.is_finite() && value >= 0.0 && (!at_most_one || value <= 1.0)
    }
}

/// Per-query changes to the index's [`Ranking`]: each weight named replaces that weight.
///
/// From JavaScript: `pr.search(q, { ranking: { titleWeight: 8, prefixWeight: 0.5 } })`. An
/// unknown name is an error; a value that is not usable (see [`Ranking::is_valid`]) is ignored,
/// so a bad option can never turn the ranking into NaNs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, f64>", into = "BTreeMap<String, f64>")]
pub struct RankingOverrides {
    weights: [Option<f64>; Ranking::NAMES.len()],
}

impl RankingOverrides {
    /// Sets the weight named `name`; an unknown name is an error that lists the known ones.
    pub(crate) fn set(&mut self, name: &str, value: f64) -> Result<(), String> {
        let i = Ranking::NAMES
            .iter()
            .position(|n| *n == name)
            .ok_or_else(|| {
                format!(
                    "unknown ranking weight {name:?}; known: {}",
                    Ranking::NAMES.join(", ")
                )
            })?;
        self.weights[i] = Some(value);
        Ok(())
    }
}

impl TryFrom<BTreeMap<String, f64>> for RankingOverrides {
    type Error = String;

    fn try_from(map: BTreeMap<String, f64>) -> Result<RankingOverrides, String> {
        let mut overrides = RankingOverrides::default();
        for (name, value) in map {
            overrides.set(&name, value)?;
        }
        Ok(overrides)
    }
}

impl From<RankingOverrides> for BTreeMap<String, f64> {
    fn from(o: RankingOverrides) -> BTreeMap<String, f64> {
        Ranking::NAMES
            .iter()
            .zip(o.weights)
            .filter_map(|(n, w)| Some(((*n).to_owned(), w?)))
            .collect()
    }
}

impl From<Ranking> for RankingOverrides {
    fn from(r: Ranking) -> RankingOverrides {
        RankingOverrides {
            weights: r.to_array().map(Some),
        }
    }
}

impl RankingOverrides {
    /// The override for the weight named `name` (see [`Ranking::NAMES`]).
    pub fn get(&self, name: &str) -> Option<f64> {
        Ranking::NAMES
            .iter()
            .position(|n| *n == name)
            .and_then(|i| self.weights[i])
    }

    /// `base` with every usable override applied.
    pub fn apply(&self, base: Ranking) -> Ranking {
        let mut w = base.to_array();
        for (i, over) in self.weights.iter().enumerate() {
            if let Some(v) = over.filter(|v| Ranking::is_valid(i, *v)) {
                w[i] = v;
            }
        }
        Ranking::from_array(w)
    }
}

/// Which releases a search may return, besides matching the query.
///
/// Within one field the values are alternatives (any category listed); across fields all must
/// hold. From JavaScript: `{ filters: { categories: ["Press Releases"], years: [2023] } }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Filters {
    /// Releases in any of these categories.
    pub categories: Vec<String>,
    /// Releases dated in any of these years.
    pub years: Vec<u16>,
    /// Releases dated on or after this day (`YYYY-MM-DD`).
    pub from: Option<Date>,
    /// Releases dated on or before this day (`YYYY-MM-DD`).
    pub to: Option<Date>,
    /// Releases in any of these languages; `en` also takes `en-GB`.
    pub langs: Vec<String>,
}

impl Filters {
    fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// The order of the hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Sort {
    /// Best match first; among equals the newest.
    #[default]
    Relevance,
    /// Newest first; among the same day the best match.
    Date,
}

/// What a search returns and how it ranks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SearchOptions {
    /// How many hits to return (at most [`MAX_LIMIT`]). Default 10.
    pub limit: usize,
    /// How many of the best hits to skip, for "load more". Default 0.
    pub offset: usize,
    /// Changes to the ranking weights the index was built with.
    pub ranking: RankingOverrides,
    /// How many words an excerpt shows; by default what the index was built with.
    pub excerpt_words: Option<usize>,
    /// Which releases may be returned. With filters, an empty query lists the newest releases.
    pub filters: Filters,
    /// The order of the hits.
    pub sort: Sort,
}

impl Default for SearchOptions {
    fn default() -> SearchOptions {
        SearchOptions {
            limit: 10,
            offset: 0,
            ranking: RankingOverrides::default(),
            excerpt_words: None,
            filters: Filters::default(),
            sort: Sort::Relevance,
        }
    }
}

/// The answer to a query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    /// How many releases match in all.
    pub total: usize,
    /// The requested page of the best matches, best first.
    pub hits: Vec<Hit>,
    /// Whether the query was cut to [`crate::query::MAX_QUERY_BYTES`] / [`crate::query::MAX_QUERY_WORDS`] before searching,
    /// so that a page can say only the start of a very long query was used.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// How many matches each category, year and language has. Each facet counts the matches
    /// under every filter but its own, so a page can offer the other values of that facet.
    #[serde(default, skip_serializing_if = "Facets::is_empty")]
    pub facets: Facets,
    /// When nothing matches: the query with each unknown word replaced by the most frequent
    /// indexed word a typo or two away, when that query finds something ("did you mean").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// Counts per facet value for the current query, most frequent first (years newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// Per category.
    pub categories: Vec<FacetCount>,
    /// Per year of publication.
    pub years: Vec<FacetCount>,
    /// Per language.
    pub langs: Vec<FacetCount>,
}

impl Facets {
    fn is_empty(&self) -> bool {
        self.categories.is_empty() && self.years.is_empty() && self.langs.is_empty()
    }
}

/// One facet value and how many matches have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The category, year or language.
    pub value: String,
    /// How many matches have it.
    pub count: usize,
}

/// One matching release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The release's URL.
    pub url: String,
    /// The headline, as plain text (escape it before putting it in HTML).
    pub title: String,
    /// The publication date as `YYYY-MM-DD`, when known.
    pub date: Option<String>,
    /// Words around the matches, HTML-escaped, with each match in `<mark>…</mark>`.
    pub excerpt: String,
    /// The relevance score (higher is better), rounded to 4 decimals.
    pub score: f64,
    /// The release's categories.
    pub categories: Vec<String>,
    /// The release's language (BCP 47), when known: lets a page set `lang` and `dir` on the hit.
    pub lang: Option<String>,
}

/// All the dictionary terms one query word stands for.
#[derive(Debug)]
struct Group {
    /// `(fst value, weight, term)` of each matching dictionary term.
    variants: Vec<(u64, f64, String)>,
    /// The same for the word's family (the words that share its stem): a release that has only
    /// these ranks below every release that has one of `variants` (see [`Ranking::stem_weight`]).
    family: Vec<(u64, f64, String)>,
    /// Whether a prefix had more completions than were searched (see [`VERIFIED_RELEASES`]).
    cut: bool,
}

/// The releases a clause matches, sorted by id: `(release, score, flags)`, with the flags
/// [`IN_TITLE`] and [`FAMILY_ONLY`].
type Matches = Vec<(u32, f64, u8)>;

/// A match flag: the clause matched in the title.
const IN_TITLE: u8 = 1;
/// A match flag: the clause matched only through the word's family (another form of the word).
const FAMILY_ONLY: u8 = 2;

/// What a clause's flags add to the running tally of [`and`]: the low byte counts clauses
/// matched in the title, the high byte clauses matched only through a family (a query has at
/// most [`crate::query::MAX_QUERY_WORDS`] clauses).
fn tally(flags: u8) -> u16 {
    u16::from(flags & IN_TITLE) | (u16::from(flags & FAMILY_ONLY) << 7)
}

pub(crate) fn run(
    index: &Index,
    raw: &str,
    options: &SearchOptions,
) -> Result<SearchResults, Error> {
    // A split index asks again once the records it shows have arrived: the ranking, which no
    // record changes, is taken from the previous call instead of being worked out again.
    let ranked = match index.ranked_before(raw, options) {
        Some(ranked) => ranked,
        None => match rank(index, raw, options)? {
            Ok(ranked) => index.remember_ranked(raw, options, ranked),
            Err(partial) => return Ok(partial),
        },
    };
    finish(index, raw, options, &ranked)
}

/// A query's releases in order, before the records are read: what [`finish`] needs, and what a
/// split index keeps between the calls of one query (see [`Index::ranked_before`]).
#[derive(Debug, Clone)]
pub(crate) struct Ranked {
    /// Total, facets and whether the query was cut short; no hits yet.
    results: SearchResults,
    /// Best first, as many as the page (and the proximity window) needs.
    ranked: Vec<Scored>,
    query: Query,
    highlight: HashSet<String>,
    clause_terms: Vec<Vec<String>>,
    browsing: bool,
    ranking: Ranking,
    excerpt_words: usize,
    bonuses: Bonuses,
    /// The word being typed, when its completions were cut.
    open: Option<OpenWord>,
}

/// A ranked release: (score, date, release, whether a word matched only through its family).
type Scored = (f64, u32, u32, bool);

/// Ranks a query's releases: `Err` holds the (partial) answer when there is nothing to rank,
/// or when pieces of a split index are still missing.
fn rank(
    index: &Index,
    raw: &str,
    options: &SearchOptions,
) -> Result<Result<Ranked, SearchResults>, Error> {
    let mut query = query::parse(raw);
    // Counted as typed: a title made of exactly these words is an exact match.
    let words = query.positive_terms();
    let first_words = query.must.iter().filter_map(|clause| match clause {
        Clause::Term { term, .. } => Some(term.as_str()),
        Clause::Phrase { terms, .. } => terms.first().map(String::as_str),
        Clause::All { .. } | Clause::Any(_) => None,
    });
    let definitions = index.acronyms_for(first_words.collect::<Vec<_>>());
    query.must = acronyms::expand_clauses(&definitions, query.must);
    let settings = index.settings();
    let ranking = options.ranking.apply(settings.ranking);
    let excerpt_words = options
        .excerpt_words
        .map_or(settings.excerpt_words as usize, |w| {
            w.clamp(1, MAX_EXCERPT_WORDS)
        });
    let browsing = query.must.is_empty();
    let mut results = SearchResults {
        truncated: query.truncated,
        ..SearchResults::default()
    };
    if browsing && query.must_not.is_empty() && options.filters.is_empty() {
        return Ok(Err(results));
    }
    let mut search = Search {
        index,
        stats: Stats::new(index, &ranking),
        families: false,
    };
    // Every clause must match: intersect, summing scores and counting clauses met in the title.
    let (mut matches, mut highlight, mut clause_terms, mut open) =
        search.matches(&query, browsing)?;
    if !browsing && matches.len() < FAMILY_BELOW && ranking.stem_weight > 0.0 && !index.pending() {
        // Few releases have the words as typed: other forms of them widen the search.
        search.families = true;
        (matches, highlight, clause_terms, open) = search.matches(&query, browsing)?;
    }
    if index.pending() {
        // Some postings are still missing, so no ranking is the answer yet: fetch those first,
        // not the records of releases that may not make the page (facets and the ranking would
        // be thrown away).
        return Ok(Err(results));
    }

    // Facets count every filter but their own; then all filters apply.
    let filters = &options.filters;
    let doc_filter = DocFilter::new(index, filters);
    results.facets = facets(index, &matches, &doc_filter);
    matches.retain(|(d, _, _)| doc_filter.accepts(index, *d, None));
    results.total = matches.len();

    let bonuses = Bonuses {
        clauses: query.must.len() as u16,
        words,
        // The newest release's day, when recency counts.
        newest: (ranking.recency_weight > 0.0 && !browsing)
            .then(|| index.newest_date())
            .flatten()
            .map(Date::days),
        browsing,
    };
    let mut ranked: Vec<Scored> = matches
        .iter()
        .map(|&(doc, score, tallied)| {
            let score = score * bonuses.factor(index, &ranking, doc, tallied);
            (score, index.date(doc), doc, tallied >> 8 > 0)
        })
        .collect();
    // Releases with every word as typed (or completed, or within a typo) first, then those
    // that needed another form of a word; among equals the newest, then the first indexed: the
    // order is total, so the same index and query always give the same page.
    let order = order(options.sort, browsing);
    let limit = options.limit.min(MAX_LIMIT);
    let wanted = options
        .offset
        .saturating_add(limit)
        .max(RERANKED)
        .min(ranked.len());
    if wanted > 0 && wanted < ranked.len() {
        ranked.select_nth_unstable_by(wanted - 1, &order);
        ranked.truncate(wanted);
    }
    sorting::sort_by(&mut ranked, &order);
    // What the rescoring window needs to complete the word being typed from the titles.
    let open = open.map(|open| {
        let window = ranked.iter().take(RERANKED).filter_map(|&(_, _, doc, _)| {
            let at = matches.binary_search_by_key(&doc, |m| m.0).ok()?;
            let clause = open.matches.binary_search_by_key(&doc, |m| m.0).ok()?;
            let (_, score, flags) = open.matches[clause];
            (flags & (IN_TITLE | FAMILY_ONLY) == 0).then_some(Typing {
                doc,
                clause_score: score,
                score: matches[at].1,
                tallied: matches[at].2,
            })
        });
        OpenWord {
            clause: open.clause,
            prefix: open.prefix,
            field: open.field,
            window: window.collect(),
        }
    });
    Ok(Ok(Ranked {
        results,
        ranked,
        query,
        highlight,
        clause_terms,
        browsing,
        ranking,
        excerpt_words,
        bonuses,
        open,
    }))
}

/// What multiplies a release's summed score: the title bonuses when every clause matched in its
/// title, and recency.
#[derive(Debug, Clone)]
struct Bonuses {
    /// The query's clauses.
    clauses: u16,
    /// The query's words as typed: a title of exactly this many words that holds them all is an
    /// exact match.
    words: usize,
    /// The newest release's day, when recency counts.
    newest: Option<i64>,
    browsing: bool,
}

impl Bonuses {
    /// The factor for release `doc`, whose clauses tallied `tallied` (see [`tally`]).
    fn factor(&self, index: &Index, ranking: &Ranking, doc: u32, tallied: u16) -> f64 {
        let mut factor = 1.0;
        if !self.browsing && tallied & 0xff == self.clauses {
            factor *= 1.0 + ranking.title_match_bonus;
            if usize::from(index.lengths(doc).0) == self.words {
                factor *= 1.0 + ranking.exact_title_bonus;
            }
        }
        if let Some(age) = self
            .newest
            .zip(Date::from_yyyymmdd(index.date(doc)))
            .map(|(n, d)| n - d.days())
        {
            let half_lives = age.max(0) as f64 / ranking.recency_half_life.max(1.0);
            // exp, not exp2: libm's exp2 carries a 4 KiB table into the wasm download.
            let decay = libm::exp(-half_lives * std::f64::consts::LN_2);
            factor *= 1.0 + ranking.recency_weight * decay;
        }
        factor
    }
}

/// The word being typed, when it had more completions than were searched, and what its clause
/// matched (see [`Search::matches`]).
struct Unfinished {
    /// The clause's place in the query.
    clause: usize,
    prefix: String,
    field: Field,
    matches: Matches,
}

/// The word being typed, for the rescoring window (see [`finish`]): a completion it left out
/// may be in the title of a release that matched it only elsewhere (`mcs fa` for `MCS Named
/// to Inc. 5000 List of America's Fastest-Growing Companies`: `fastest` is not among the 48
/// most frequent words that start with `fa`).
#[derive(Debug, Clone)]
struct OpenWord {
    /// The clause's place in the query.
    clause: usize,
    prefix: String,
    field: Field,
    /// The releases of the window whose clause for the word matched neither in the title nor
    /// only through a family.
    window: Vec<Typing>,
}

impl OpenWord {
    /// Whether `term` is a completion of the word being typed.
    fn completes(&self, term: &str) -> bool {
        term.len() > self.prefix.len() && term.starts_with(&self.prefix)
    }
}

/// A release of the rescoring window that matched the word being typed outside its title.
#[derive(Debug, Clone)]
struct Typing {
    doc: u32,
    /// What the word's clause scored in the release.
    clause_score: f64,
    /// The release's summed score over all clauses and its tally, before [`Bonuses`].
    score: f64,
    tallied: u16,
}

/// The order of ranked releases: see [`rank`].
fn order(sort: Sort, browsing: bool) -> impl Fn(&Scored, &Scored) -> std::cmp::Ordering {
    move |a, b| match sort {
        Sort::Relevance if !browsing => {
            a.3.cmp(&b.3)
                .then(b.0.total_cmp(&a.0))
                .then(b.1.cmp(&a.1))
                .then(a.2.cmp(&b.2))
        }
        _ => b.1.cmp(&a.1).then(b.0.total_cmp(&a.0)).then(a.2.cmp(&b.2)),
    }
}

/// Reads the records of a ranked page: proximity and written accents rescore the best of them,
/// and the page's hits get their excerpts.
fn finish(
    index: &Index,
    raw: &str,
    options: &SearchOptions,
    ranked: &Ranked,
) -> Result<SearchResults, Error> {
    let Ranked {
        results,
        ranked,
        query,
        highlight,
        clause_terms,
        browsing,
        ranking,
        excerpt_words,
        bonuses,
        open,
    } = ranked;
    let (browsing, excerpt_words) = (*browsing, *excerpt_words);
    let mut results = results.clone();
    let mut ranked = ranked.clone();
    let order = order(options.sort, browsing);
    let limit = options.limit.min(MAX_LIMIT);
    // Proximity: the best matches are scored again with where their words stand.
    // The records read (their bodies' words are the index's to keep: `Index::body_tokens`).
    let mut read: Vec<(u32, Stored)> = Vec::new();
    let window = ranked.len().min(RERANKED);
    let proximity = clause_terms.len() > 1 && ranking.proximity_bonus > 0.0;
    let marked = if ranking.diacritic_bonus > 0.0 {
        marked_words(raw, query, clause_terms)
    } else {
        Vec::new()
    };
    let typing = open.as_ref().filter(|o| !o.window.is_empty());
    // Completions of the word being typed found in the window's titles, to highlight.
    let mut completed: Vec<String> = Vec::new();
    if options.sort == Sort::Relevance && (proximity || !marked.is_empty() || typing.is_some()) {
        for &(_, _, doc, _) in &ranked[..window] {
            if let Some(stored) = index.stored(doc)? {
                read.push((doc, stored));
            }
        }
        if index.pending() {
            return Ok(results);
        }
        for entry in &mut ranked[..window] {
            let Some((_, stored)) = read.iter().find(|r| r.0 == entry.2) else {
                continue;
            };
            let body = || index.body_tokens(entry.2, &stored.text);
            let title_tokens = analyze::tokens(&stored.title);
            index.note_title_length(entry.2, title_tokens.len());
            // The word being typed, completed from the title: the release scores as if that
            // completion had been searched, and it counts for proximity.
            let mut own_terms = None;
            if let Some((open, at)) = typing.and_then(|o| {
                let at = o.window.iter().find(|t| t.doc == entry.2)?;
                title_tokens
                    .iter()
                    .any(|t| o.completes(&t.term))
                    .then_some((o, at))
            }) {
                let body = (open.field == Field::Any).then(body);
                if let Some((term, score)) = title_completion(
                    index,
                    ranking,
                    open,
                    entry.2,
                    &title_tokens,
                    body.as_deref(),
                ) {
                    let clause_score = at.clause_score.max(score);
                    let tallied = at.tallied + tally(IN_TITLE);
                    let summed = at.score - at.clause_score + clause_score;
                    entry.0 = summed * bonuses.factor(index, ranking, entry.2, tallied);
                    let mut terms = clause_terms.clone();
                    terms[open.clause].push(term.clone());
                    sorting::sort_dedup(&mut terms[open.clause]);
                    own_terms = Some(terms);
                    completed.push(term);
                }
            }
            let clause_terms = own_terms.as_ref().unwrap_or(clause_terms);
            if proximity {
                // In the title when it holds every word (the title bonus has already counted
                // that), else in the body: a word of the title near a word of the body means
                // little.
                let title = closeness(&title_tokens, clause_terms);
                let near = if title > 0.0 {
                    title
                } else {
                    closeness(&body(), clause_terms)
                };
                entry.0 *= 1.0 + ranking.proximity_bonus * near;
            }
            if !marked.is_empty() {
                let mut written = marked_in(&marked, &stored.title, &title_tokens);
                if written.iter().any(|w| !w) {
                    let in_body = marked_in(&marked, &stored.text, &body());
                    written.iter_mut().zip(in_body).for_each(|(w, b)| *w |= b);
                }
                let share = written.iter().filter(|w| **w).count() as f64 / marked.len() as f64;
                entry.0 *= 1.0 + ranking.diacritic_bonus * share;
            }
        }
        sorting::sort_by(&mut ranked[..window], &order);
    }
    let highlight: HashSet<&str> = highlight
        .iter()
        .chain(&completed)
        .map(String::as_str)
        .collect();
    results.hits = ranked
        .iter()
        .skip(options.offset)
        .take(limit)
        .filter_map(|&(score, _, doc, _)| {
            hit(index, doc, score, &mut read, &highlight, excerpt_words).transpose()
        })
        .collect::<Result<_, _>>()?;
    if results.total == 0 && !browsing {
        results.suggestion = suggest(index, query, options)?;
    }
    Ok(results)
}

/// The best completion of the word being typed in release `doc`'s title (`title` its tokens),
/// with what it scores there, as [`Search::group`] scores a completion it searched; `body`
/// holds the body's tokens when the clause counts the body. `None` when no word of the title
/// completes it.
fn title_completion(
    index: &Index,
    ranking: &Ranking,
    open: &OpenWord,
    doc: u32,
    title: &[Token],
    body: Option<&Vec<Token>>,
) -> Option<(String, f64)> {
    let count =
        |tokens: &[Token], term: &str| tokens.iter().filter(|t| t.term == term).count() as u32;
    let stats = Stats::new(index, ranking);
    let mut best: Option<(String, f64)> = None;
    for token in title.iter().filter(|t| open.completes(&t.term)) {
        if best.as_ref().is_some_and(|b| b.0 == token.term) {
            continue;
        }
        let Some(value) = index.term(&token.term) else {
            continue;
        };
        let idf = stats.idf(split_term_value(value).1);
        let body_tf = body.map_or(0, |b| count(b, &token.term));
        let score =
            ranking.prefix_weight * stats.bm25f(doc, count(title, &token.term), body_tf, idf);
        if !best.as_ref().is_some_and(|b| b.1 >= score) {
            best = Some((token.term.clone(), score));
        }
    }
    best
}

/// The releases matched so far (`acc`, `None` before the first list) that `m` matches too.
fn and(acc: Option<Vec<(u32, f64, u16)>>, m: &[(u32, f64, u8)]) -> Vec<(u32, f64, u16)> {
    match acc {
        None => m.iter().map(|&(d, s, f)| (d, s, tally(f))).collect(),
        Some(acc) => intersect(&acc, m),
    }
}

/// Keeps the releases in both lists, adding scores and tallying flags.
fn intersect(acc: &[(u32, f64, u16)], m: &[(u32, f64, u8)]) -> Vec<(u32, f64, u16)> {
    let mut out = Vec::with_capacity(acc.len().min(m.len()));
    let (mut i, mut j) = (0, 0);
    while i < acc.len() && j < m.len() {
        match acc[i].0.cmp(&m[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((acc[i].0, acc[i].1 + m[j].1, acc[i].2 + tally(m[j].2)));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// How close together the clauses' terms stand in a text's `tokens`, from 1 (next to each other,
/// in the query's order) down towards 0 (far apart), or 0 when some clause is not in it.
///
/// Two windows count, as in the sequential dependence model of ranking: the shortest stretch
/// holding the clauses in the query's order, and the shortest holding them in any order, whose
/// closeness counts [`UNORDERED_PROXIMITY`] as much. A window's closeness is the number of gaps
/// between the clauses over the words between its first and last.
fn closeness(tokens: &[Token], clauses: &[Vec<String>]) -> f64 {
    let n = clauses.len();
    if n < 2 {
        return 0.0;
    }
    // (position, clause) of every word that one of the clauses matched, in text order.
    let mut events = Vec::new();
    for (position, token) in tokens.iter().enumerate() {
        for (c, terms) in clauses.iter().enumerate() {
            if terms.binary_search(&token.term).is_ok() {
                events.push((position, c));
            }
        }
    }
    let near = |span: usize| (n - 1) as f64 / span.max(n - 1) as f64;
    // Any order: a sliding window over the events.
    let mut count = vec![0u32; n];
    let (mut covered, mut low, mut shortest) = (0, 0, usize::MAX);
    for high in 0..events.len() {
        let c = events[high].1;
        count[c] += 1;
        if count[c] == 1 {
            covered += 1;
        }
        while covered == n {
            shortest = shortest.min(events[high].0 - events[low].0);
            let d = events[low].1;
            count[d] -= 1;
            if count[d] == 0 {
                covered -= 1;
            }
            low += 1;
        }
    }
    if shortest == usize::MAX {
        return 0.0;
    }
    // The query's order: from each match of the first clause, the earliest match of the second
    // after it, then of the third after that, and so on.
    let mut ordered = usize::MAX;
    for (i, &(start, c)) in events.iter().enumerate() {
        if c != 0 {
            continue;
        }
        let (mut next, mut end) = (1, start);
        for &(position, c) in &events[i + 1..] {
            if next == n {
                break;
            }
            if c == next && position > end {
                next += 1;
                end = position;
            }
        }
        if next == n {
            ordered = ordered.min(end - start);
        }
    }
    let in_order = if ordered == usize::MAX {
        0.0
    } else {
        near(ordered)
    };
    in_order.max(UNORDERED_PROXIMITY * near(shortest))
}

/// The query's words written with marks that folding drops (`résumé`, `año`), as
/// `(folded term, lower-cased as typed, whether it is the word being typed)`: a release that
/// writes them so ranks higher (see [`Ranking::diacritic_bonus`]). Only words that some clause
/// matched count (not those left out with `-`).
fn marked_words(
    raw: &str,
    query: &Query,
    clause_terms: &[Vec<String>],
) -> Vec<(String, String, bool)> {
    let typing = query
        .must
        .iter()
        .find_map(open_prefix)
        .map(|(term, _)| term);
    let mut out: Vec<(String, String, bool)> = Vec::new();
    for token in analyze::tokens(raw) {
        let typed = lower(&raw[token.start..token.end]);
        // The word being typed matched if any completion did.
        let prefix = typing == Some(token.term.as_str());
        let matched = prefix
            || clause_terms
                .iter()
                .any(|t| t.binary_search(&token.term).is_ok());
        if typed != token.term && matched && out.iter().all(|m| m.1 != typed) {
            out.push((token.term, typed, prefix));
        }
    }
    out
}

/// `word` lower-cased letter by letter, with the analyzer's table (`str::to_lowercase` would add
/// the standard library's tables and those for a final sigma to the wasm module; both sides of
/// the comparison use this).
fn lower(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        analyze::lower_char(c, &mut out);
    }
    out
}

/// For each of the `marked` words, whether `text` (with its `tokens`) writes it with the same
/// marks (or, for the word being typed, a word that starts so).
fn marked_in(marked: &[(String, String, bool)], text: &str, tokens: &[Token]) -> Vec<bool> {
    let mut written = vec![false; marked.len()];
    for token in tokens {
        for (i, (term, typed, prefix)) in marked.iter().enumerate() {
            if written[i] || !token.term.starts_with(term.as_str()) {
                continue;
            }
            let here = lower(&text[token.start..token.end]);
            written[i] = if *prefix {
                here.starts_with(typed.as_str())
            } else {
                here == *typed
            };
        }
    }
    written
}

/// The word being typed in `clause`, alone or as one alternative (an acronym's), with its field.
fn open_prefix(clause: &Clause) -> Option<(&str, Field)> {
    match clause {
        Clause::Term {
            term,
            prefix: true,
            field,
        } => Some((term, *field)),
        Clause::Any(clauses) => clauses.iter().find_map(open_prefix),
        _ => None,
    }
}

/// One match per release from a group's postings (in any order), in release order: the best
/// score of its variants and whether one of them is in its title, or, for a release that only a
/// family word matched, the same of its family words (flagged [`FAMILY_ONLY`]). `releases` is
/// how many the index holds.
fn best_per_release(mut all: Matches, releases: usize) -> Matches {
    // Merges a posting into what its release has so far.
    fn keep(kept: &mut (f64, u8), score: f64, flags: u8) {
        if kept.1 & FAMILY_ONLY == flags & FAMILY_ONLY {
            kept.0 = kept.0.max(score);
            kept.1 |= flags & IN_TITLE;
        } else if flags & FAMILY_ONLY == 0 {
            // A variant outranks the family words seen before it.
            *kept = (score, flags);
        }
    }
    let mut matches: Matches = Vec::with_capacity(all.len());
    if all.len() >= releases / DENSE_GROUP {
        // Many postings (a short prefix's completions): a slot per release costs less than
        // sorting them. A slot's flags are 0 until a posting fills it.
        const FILLED: u8 = 4;
        let mut scores = vec![0.0; releases];
        let mut flags = vec![0u8; releases];
        for (doc, score, found) in all {
            let Some(slot) = flags.get_mut(doc as usize) else {
                continue;
            };
            let mut kept = (scores[doc as usize], *slot);
            if kept.1 == 0 {
                kept = (score, found | FILLED);
            } else {
                keep(&mut kept, score, found | FILLED);
            }
            (scores[doc as usize], *slot) = kept;
        }
        for (doc, (&score, &found)) in scores.iter().zip(&flags).enumerate() {
            if found != 0 {
                matches.push((doc as u32, score, found & !FILLED));
            }
        }
        return matches;
    }
    sort_by_release(&mut all);
    for (doc, score, flags) in all {
        match matches.last_mut() {
            Some(last) if last.0 == doc => {
                let mut kept = (last.1, last.2);
                keep(&mut kept, score, flags);
                (last.1, last.2) = kept;
            }
            _ => matches.push((doc, score, flags)),
        }
    }
    matches
}

/// [`best_per_release`] gives each release a slot when a group has at least one posting per
/// this many releases.
const DENSE_GROUP: usize = 16;

/// Adds `extra` (releases not in `matches`) to `matches`, keeping the order by release.
fn merge_matches(mut matches: Matches, extra: Matches) -> Matches {
    matches.extend(extra);
    sort_by_release(&mut matches);
    matches
}

/// Sorts matches by release (one function, so the wasm module holds one copy of the sort).
fn sort_by_release(matches: &mut Matches) {
    matches.sort_unstable_by_key(|m| m.0);
}

/// What a clause matched.
#[derive(Default)]
struct Found {
    matches: Matches,
    /// The dictionary terms that matched, for proximity and highlighting.
    terms: Vec<String>,
    /// The terms of the words' families that matched, for highlighting.
    family: Vec<String>,
    /// Whether the clause is a prefix whose completions were cut (see [`VERIFIED_RELEASES`]).
    cut: bool,
}

/// Evaluates clauses against one index.
struct Search<'a> {
    index: &'a Index,
    stats: Stats<'a>,
    /// Whether words also match their families (see [`FAMILY_BELOW`]).
    families: bool,
}

/// The releases a query matches, before filters: `(release, score, tally)` (see [`tally`]).
type Tallied = Vec<(u32, f64, u16)>;

impl Search<'_> {
    /// The releases every clause of `query` matches and none of its exclusions, with the terms
    /// to highlight, per clause the sorted terms it matched (for [`closeness`]), and the word
    /// being typed when its completions were cut, with what its clause matched (see
    /// [`Unfinished`]).
    #[allow(clippy::type_complexity)]
    fn matches(
        &self,
        query: &Query,
        browsing: bool,
    ) -> Result<
        (
            Tallied,
            HashSet<String>,
            Vec<Vec<String>>,
            Option<Unfinished>,
        ),
        Error,
    > {
        let mut highlight: HashSet<String> = HashSet::new();
        // The dictionary terms each clause matched, sorted, for `closeness`.
        let mut clause_terms: Vec<Vec<String>> = Vec::new();
        let mut open = None;

        // Every clause must match: intersect, summing scores and counting clauses met in the title.
        let mut matches: Tallied = if browsing {
            (0..self.index.len() as u32).map(|d| (d, 0.0, 0)).collect()
        } else {
            let mut evaluated = Vec::with_capacity(query.must.len());
            let mut unfinished = None;
            for clause in &query.must {
                let found = self.clause(clause, true)?;
                if let Some((term, field)) = found.cut.then(|| open_prefix(clause)).flatten() {
                    unfinished = Some((evaluated.len(), term, field));
                }
                // Another form of a word is highlighted, but it does not count as the word for
                // proximity.
                highlight.extend(found.family);
                clause_terms.push(found.terms);
                evaluated.push(found.matches);
            }
            if let Some((i, prefix, field)) = unfinished {
                let (found, terms) = self.complete_for(prefix, field, &evaluated, i)?;
                if !found.is_empty() {
                    evaluated[i] = merge_matches(std::mem::take(&mut evaluated[i]), found);
                    clause_terms[i].extend(terms);
                }
                // Two letters at least: a one-letter word's completions are not worth looking
                // for in titles, and a split index has not fetched their dictionary range.
                if prefix.chars().count() > 1 {
                    open = Some(Unfinished {
                        clause: i,
                        prefix: prefix.to_owned(),
                        field,
                        matches: evaluated[i].clone(),
                    });
                }
            }
            for terms in &mut clause_terms {
                sorting::sort_dedup(terms);
                for term in terms.iter() {
                    highlight.insert(term.clone());
                }
            }
            sorting::sort_by_key(&mut evaluated, Vec::len);
            evaluated
                .iter()
                .fold(None, |acc, m| Some(and(acc, m)))
                .unwrap_or_default()
        };
        for clause in &query.must_not {
            let excluded = self.clause(clause, false)?.matches;
            matches.retain(|(d, _, _)| excluded.binary_search_by_key(d, |e| e.0).is_err());
        }
        Ok((matches, highlight, clause_terms, open))
    }

    /// The releases `clause` matches, with the dictionary terms that matched. `fuzzy` allows
    /// completions, typos and the word's family; exclusions match exactly.
    fn clause(&self, clause: &Clause, fuzzy: bool) -> Result<Found, Error> {
        match clause {
            Clause::Term {
                term,
                prefix,
                field,
            } => {
                let group = if fuzzy {
                    expand(self.index, term, *prefix, self.stats.ranking, self.families)
                } else {
                    Group {
                        variants: self
                            .index
                            .term(term)
                            .map(|v| (v, 1.0, term.clone()))
                            .into_iter()
                            .collect(),
                        family: Vec::new(),
                        cut: false,
                    }
                };
                Ok(Found {
                    matches: self.group(&group, *field)?,
                    terms: group.variants.into_iter().map(|v| v.2).collect(),
                    family: group.family.into_iter().map(|v| v.2).collect(),
                    cut: group.cut,
                })
            }
            Clause::Phrase { terms, field } => Ok(Found {
                matches: self.phrase(terms, *field)?,
                terms: terms.clone(),
                ..Found::default()
            }),
            Clause::All { terms, field } => {
                let every = match self.values(terms) {
                    Some(values) => self.every(&values, *field)?,
                    None => Vec::new(),
                };
                let matches = every
                    .into_iter()
                    .map(|(d, s, t)| (d, s * LOOSE_WEIGHT, if t > 0 { IN_TITLE } else { 0 }))
                    .collect();
                Ok(Found {
                    matches,
                    terms: terms.clone(),
                    ..Found::default()
                })
            }
            Clause::Any(clauses) => {
                let mut all: Matches = Vec::new();
                let mut found = Found::default();
                for c in clauses {
                    let f = self.clause(c, fuzzy)?;
                    all.extend(f.matches);
                    found.terms.extend(f.terms);
                    found.family.extend(f.family);
                    found.cut |= f.cut;
                }
                // A release that matches several alternatives scores them all; it is in the
                // title if one is, and matched only through families if all are.
                sorting::sort_by_key(&mut all, |m| m.0);
                for (d, s, f) in all {
                    match found.matches.last_mut() {
                        Some(last) if last.0 == d => {
                            last.1 += s;
                            last.2 = (last.2 | f) & IN_TITLE | (last.2 & f & FAMILY_ONLY);
                        }
                        _ => found.matches.push((d, s, f)),
                    }
                }
                Ok(found)
            }
        }
    }

    /// The releases that every other clause matches, where the word being typed (`prefix`,
    /// clause `at` of `evaluated`) completes to a word that its searched completions left out,
    /// with the terms it completed to. The most frequent completions of a short prefix are
    /// searched through the dictionary; the rare word the visitor is typing may not be among
    /// them (`hydra sci norwegian em` for `emmys`). When the other words leave at most
    /// [`VERIFIED_RELEASES`] releases, their own text says which completions they have: the
    /// same analyzer reads their title and body, and each completion found is scored as if its
    /// postings had been searched.
    fn complete_for(
        &self,
        prefix: &str,
        field: Field,
        evaluated: &[Matches],
        at: usize,
    ) -> Result<(Matches, Vec<String>), Error> {
        let others = evaluated.iter().enumerate().filter(|&(i, _)| i != at);
        let Some(rest) = others.fold(None, |acc, (_, m)| Some(and(acc, m))) else {
            return Ok(Default::default());
        };
        // Releases that have the other words only in another form rank below anyway.
        let rest: Vec<_> = rest.into_iter().filter(|r| r.2 >> 8 == 0).collect();
        let matched = &evaluated[at];
        let unmatched: Vec<u32> = rest
            .iter()
            .map(|r| r.0)
            .filter(|d| matched.binary_search_by_key(d, |m| m.0).is_err())
            .collect();
        if rest.len() > VERIFIED_RELEASES || unmatched.is_empty() {
            return Ok(Default::default());
        }
        let weight = self.stats.ranking.prefix_weight;
        let mut found = Vec::new();
        let mut terms = Vec::new();
        for doc in unmatched {
            let Some(stored) = self.index.stored(doc)? else {
                continue; // fetched for the next round
            };
            // (term, title tf, body tf) of each completion in this release.
            // A plain list: a release holds few completions of one prefix.
            let mut counts: Vec<(String, u32, u32)> = Vec::new();
            let texts = [&stored.title, &stored.text];
            let fields = if field == Field::Title { 1 } else { 2 };
            for (in_body, text) in texts.iter().take(fields).enumerate() {
                let tokens = if in_body == 0 {
                    let tokens = Arc::new(analyze::tokens(text));
                    // Scoring a completion in the title needs the title's length.
                    self.index.note_title_length(doc, tokens.len());
                    tokens
                } else {
                    self.index.body_tokens(doc, text)
                };
                for token in tokens.iter() {
                    if token.term.len() <= prefix.len() || !token.term.starts_with(prefix) {
                        continue;
                    }
                    let at = match counts.iter().position(|c| c.0 == token.term) {
                        Some(at) => at,
                        None => {
                            counts.push((token.term.clone(), 0, 0));
                            counts.len() - 1
                        }
                    };
                    if in_body == 0 {
                        counts[at].1 += 1;
                    } else {
                        counts[at].2 += 1;
                    }
                }
            }
            // Like `group`: the best completion's score, and whether any is in the title.
            let mut best: Option<(f64, bool)> = None;
            for (term, title_tf, body_tf) in counts {
                let Some(value) = self.index.term(&term) else {
                    continue;
                };
                let idf = self.stats.idf(split_term_value(value).1);
                let score = weight * self.stats.bm25f(doc, title_tf, body_tf, idf);
                let (top, in_title) = best.unwrap_or((0.0, false));
                best = Some((top.max(score), in_title || title_tf > 0));
                terms.push(term);
            }
            if let Some((score, in_title)) = best {
                found.push((doc, score, if in_title { IN_TITLE } else { 0 }));
            }
        }
        Ok((found, terms))
    }

    /// Scores every release that has any variant of a word; a release keeps its best variant.
    /// A release with none of the variants but a word of the family keeps the family's best, and
    /// is flagged [`FAMILY_ONLY`].
    fn group(&self, group: &Group, field: Field) -> Result<Matches, Error> {
        // Every posting of every variant and every family word, sorted by release.
        let mut all: Matches = Vec::new();
        let family = group.family.iter().map(|v| (v, FAMILY_ONLY));
        for (&(value, weight, _), kind) in group.variants.iter().map(|v| (v, 0)).chain(family) {
            let idf = self.stats.idf(split_term_value(value).1);
            let postings = self.index.postings(value)?;
            all.reserve(postings.len());
            for p in postings {
                let body_tf = if field == Field::Title { 0 } else { p.body_tf };
                if body_tf == 0 && p.title_tf == 0 {
                    continue;
                }
                let score = weight * self.stats.bm25f(p.doc, p.title_tf, body_tf, idf);
                let in_title = if p.title_tf > 0 { IN_TITLE } else { 0 };
                all.push((p.doc, score, kind | in_title));
            }
        }
        Ok(best_per_release(all, self.index.len()))
    }

    /// The dictionary values of `terms`, or `None` when one of them is not in the index.
    fn values(&self, terms: &[String]) -> Option<Vec<u64>> {
        // Every term is looked up, not only those before the first one missing: on a split
        // index a lookup whose dictionary part is not loaded asks for it, so that one round
        // fetches the parts of all the terms (an acronym's expansion took a round per word).
        let values: Vec<Option<u64>> = terms.iter().map(|term| self.index.term(term)).collect();
        values.into_iter().collect()
    }

    /// Releases that have every one of the terms (by dictionary value), with the sum of their
    /// scores and how many of the terms are in the title.
    fn every(&self, values: &[u64], field: Field) -> Result<Vec<(u32, f64, u16)>, Error> {
        let mut acc: Option<Vec<(u32, f64, u16)>> = None;
        for &value in values {
            let group = Group {
                variants: vec![(value, 1.0, String::new())],
                family: Vec::new(),
                cut: false,
            };
            let m = self.group(&group, field)?;
            acc = Some(and(acc, &m));
        }
        Ok(acc.unwrap_or_default())
    }

    /// Releases where the terms stand next to each other, in order, in one field.
    fn phrase(&self, terms: &[String], field: Field) -> Result<Matches, Error> {
        let Some(lists) = self.values(terms) else {
            return Ok(Vec::new());
        };
        // Candidates: releases with every term; each term's score counts.
        let candidates = self.every(&lists, field)?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let docs: Vec<u32> = candidates.iter().map(|c| c.0).collect();
        let mut positions = Vec::with_capacity(lists.len());
        for &value in &lists {
            positions.push(self.index.positions_for(value, &docs)?);
        }
        let mut out = Vec::new();
        for (i, &(doc, score, _)) in candidates.iter().enumerate() {
            let in_title = adjacent(positions.iter().map(|p| &p[i].title));
            let in_body = field == Field::Any && adjacent(positions.iter().map(|p| &p[i].body));
            if in_title || in_body {
                out.push((doc, score, if in_title { IN_TITLE } else { 0 }));
            }
        }
        Ok(out)
    }
}

/// Whether the position lists hold a run `p, p+1, p+2, …` (one position from each, in order).
fn adjacent<'a>(mut lists: impl Iterator<Item = &'a Vec<u32>>) -> bool {
    let Some(first) = lists.next() else {
        return false;
    };
    let rest: Vec<&Vec<u32>> = lists.collect();
    first.iter().any(|&start| {
        rest.iter()
            .enumerate()
            .all(|(k, list)| list.binary_search(&(start + k as u32 + 1)).is_ok())
    })
}

/// The filters as the index's ids, to test each release quickly.
struct DocFilter {
    categories: Option<Vec<u32>>,
    years: Vec<u32>,
    from: u32,
    to: u32,
    langs: Option<Vec<u32>>,
}

/// Which filter a facet leaves out when it counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Facet {
    Category,
    Year,
    Lang,
}

impl DocFilter {
    fn new(index: &Index, f: &Filters) -> DocFilter {
        let categories = (!f.categories.is_empty()).then(|| {
            f.categories
                .iter()
                .filter_map(|c| index.category_id(c))
                .collect()
        });
        let langs = (!f.langs.is_empty()).then(|| index.lang_ids_matching(&f.langs));
        DocFilter {
            categories,
            years: f.years.iter().map(|&y| u32::from(y)).collect(),
            from: f.from.map_or(0, Date::to_yyyymmdd),
            to: f.to.map_or(u32::MAX, Date::to_yyyymmdd),
            langs,
        }
    }

    /// Whether release `doc` passes every filter, except the one `skip` names.
    fn accepts(&self, index: &Index, doc: u32, skip: Option<Facet>) -> bool {
        let date = index.date(doc);
        if skip != Some(Facet::Category) {
            if let Some(wanted) = &self.categories {
                if !index.doc_categories(doc).iter().any(|c| wanted.contains(c)) {
                    return false;
                }
            }
        }
        if skip != Some(Facet::Year)
            && !self.years.is_empty()
            && !self.years.contains(&(date / 10_000))
        {
            return false;
        }
        if (self.from > 0 || self.to < u32::MAX)
            && (date == 0 || date < self.from || date > self.to)
        {
            return false;
        }
        if skip != Some(Facet::Lang) {
            if let Some(wanted) = &self.langs {
                if !wanted.contains(&index.doc_lang(doc)) {
                    return false;
                }
            }
        }
        true
    }
}

fn facets(index: &Index, matches: &[(u32, f64, u16)], filter: &DocFilter) -> Facets {
    // Counts by table id (categories, languages: ids are small and dense) and by year (a
    // handful, most recent first in most archives).
    let mut categories = vec![0usize; index.category_count()];
    let mut years: Vec<(u32, usize)> = Vec::new();
    let mut langs = vec![0usize; index.lang_count() + 1];
    for &(doc, _, _) in matches {
        if filter.accepts(index, doc, Some(Facet::Category)) {
            for &c in index.doc_categories(doc) {
                if let Some(n) = categories.get_mut(c as usize) {
                    *n += 1;
                }
            }
        }
        let year = index.date(doc) / 10_000;
        if year > 0 && filter.accepts(index, doc, Some(Facet::Year)) {
            match years.iter_mut().find(|y| y.0 == year) {
                Some(y) => y.1 += 1,
                None => years.push((year, 1)),
            }
        }
        let lang = index.doc_lang(doc);
        if lang > 0 && filter.accepts(index, doc, Some(Facet::Lang)) {
            if let Some(n) = langs.get_mut(lang as usize) {
                *n += 1;
            }
        }
    }
    let dense = |counts: Vec<usize>| {
        let ids = 0..counts.len() as u32;
        ids.zip(counts).filter(|c| c.1 > 0).collect::<Vec<_>>()
    };
    let counted = |map: Vec<(u32, usize)>, name: &dyn Fn(u32) -> String| {
        let mut v: Vec<FacetCount> = map
            .into_iter()
            .map(|(k, count)| FacetCount {
                value: name(k),
                count,
            })
            .collect();
        sorting::sort_by(&mut v, |a, b| {
            b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value))
        });
        v
    };
    let mut years = counted(years, &|y| y.to_string());
    sorting::sort_by(&mut years, |a, b| b.value.cmp(&a.value));
    Facets {
        categories: counted(dense(categories), &|c| index.category(c).to_owned()),
        years,
        langs: counted(dense(langs), &|l| {
            index.lang(l).unwrap_or_default().to_owned()
        }),
    }
}

/// "Did you mean": each word that has no match replaced by the most frequent indexed word within
/// two edits, when the resulting query finds something.
fn suggest(index: &Index, query: &Query, options: &SearchOptions) -> Result<Option<String>, Error> {
    let mut words = Vec::new();
    let mut changed = false;
    for clause in &query.must {
        for term in clause.terms() {
            if index.term(term).is_some() || term.chars().count() < 3 {
                words.push(term.to_owned());
                continue;
            }
            // A suggestion may be further off than a typo the search forgives.
            let edits = if term.chars().count() >= ONE_TYPO_LETTERS {
                2
            } else {
                1
            };
            let dfa = index.typo_builder(edits).build_dfa(term);
            let mut candidates = typo_candidates(index, term, &dfa, false);
            if candidates.is_empty() && !index.pending() {
                candidates = typo_candidates(index, term, &dfa, true);
            }
            let best = most_frequent(candidates, 1, |_| Some(1.0));
            match best.into_iter().next() {
                Some((_, _, word)) => {
                    words.push(word);
                    changed = true;
                }
                None => return Ok(None),
            }
        }
    }
    if !changed {
        return Ok(None);
    }
    let suggestion = words.join(" ");
    let check = SearchOptions {
        limit: 1,
        offset: 0,
        ..options.clone()
    };
    let found = run_without_suggestion(index, &suggestion, &check)?;
    Ok((found > 0).then_some(suggestion))
}

fn run_without_suggestion(
    index: &Index,
    query: &str,
    options: &SearchOptions,
) -> Result<usize, Error> {
    let parsed = query::parse(query);
    if parsed.must.is_empty() {
        return Ok(0);
    }
    let ranking = options.ranking.apply(index.settings().ranking);
    let search = Search {
        index,
        stats: Stats::new(index, &ranking),
        families: false,
    };
    let mut acc: Option<Tallied> = None;
    for clause in &parsed.must {
        acc = Some(and(acc, &search.clause(clause, false)?.matches));
    }
    let filter = DocFilter::new(index, &options.filters);
    Ok(acc
        .unwrap_or_default()
        .iter()
        .filter(|(d, _, _)| filter.accepts(index, *d, None))
        .count())
}

/// The dictionary terms for one query word: itself and its family (the words that share its
/// stem), plus its completions when it is a prefix, plus the words within typing distance.
fn expand(index: &Index, term: &str, prefix: bool, ranking: &Ranking, families: bool) -> Group {
    let misses = index.misses();
    let mut variants = Vec::new();
    let mut family = Vec::new();
    let mut cut = false;
    if let Some(value) = index.term(term) {
        variants.push((value, 1.0, term.to_owned()));
    }
    let letters = term.chars().count();
    if prefix {
        let weigh = |key: &str| (key != term).then_some(ranking.prefix_weight);
        let (candidates, cap) = if letters == 1 {
            // A split index keeps these precomputed (and only these: more may exist); a
            // single-file index picks the same ones.
            match index.one_letter_completions(term) {
                Some(precomputed) => {
                    cut = true;
                    (precomputed, ONE_LETTER_EXPANSIONS)
                }
                None => (index.terms_with_prefix(term, None), ONE_LETTER_EXPANSIONS),
            }
        } else if letters >= LONG_PREFIX_LETTERS {
            (
                index.terms_with_prefix(term, None),
                MAX_LONG_PREFIX_EXPANSIONS,
            )
        } else {
            (index.terms_with_prefix(term, None), MAX_PREFIX_EXPANSIONS)
        };
        let found = candidates.iter().filter(|c| c.0 != term).count();
        let completions = within_budget(most_frequent(candidates, cap, weigh));
        cut |= completions.len() < found;
        variants.extend(completions);
    }
    let attested = variants
        .iter()
        .any(|&(value, _, _)| split_term_value(value).1 >= ATTESTED_RELEASES);
    if families && ranking.stem_weight > 0.0 && !variants.is_empty() {
        // The word's family, unless a completion found it already.
        for sibling in index.siblings(term) {
            if variants.iter().all(|v| v.2 != sibling) {
                if let Some(value) = index.term(&sibling) {
                    family.push((value, ranking.stem_weight, sibling));
                }
            }
        }
    }
    // On a split index, whether the word is attested is known once its dictionary part is in:
    // the typo ranges are fetched in the next round, and only for a word that needs them.
    if attested || index.misses() != misses {
        return Group {
            variants,
            family,
            cut,
        };
    }
    if let Some(builder) = index.typo_automaton(letters) {
        let dfa = if prefix {
            builder.build_prefix_dfa(term)
        } else {
            builder.build_dfa(term)
        };
        let first = term.chars().next();
        let mut candidates = typo_candidates(index, term, &dfa, false);
        if variants.is_empty() && candidates.is_empty() && !index.pending() {
            // Nothing near: look through the whole first letter before giving up on the word.
            candidates = typo_candidates(index, term, &dfa, true);
        }
        let typos = most_frequent(candidates, MAX_TYPO_EXPANSIONS, |key| {
            let edits = match dfa.eval(key) {
                levenshtein_automata::Distance::Exact(d) => d,
                levenshtein_automata::Distance::AtLeast(_) => return None,
            };
            // Distance 0 under the prefix automaton is a completion, found above (or cut there).
            if edits == 0 || variants.iter().chain(&family).any(|v| v.2 == key) {
                return None;
            }
            let mut weight = ranking.typo_weight / f64::from(edits);
            if key.chars().next() != first {
                weight *= ranking.first_letter_typo_factor;
            }
            Some(weight)
        });
        variants.extend(typos);
    }
    Group {
        variants,
        family,
        cut,
    }
}

/// The dictionary terms `dfa` accepts among those a typo of `term` can be. Narrow (`wide`
/// false): the terms that start with its first two letters, or its first and third (an extra
/// second letter), or its first two swapped. Wide: every term with its first letter, or its
/// first two swapped. Searching narrow first keeps a split index from fetching a whole letter of
/// the dictionary for every word typed; a word with no exact match and nothing near in the narrow
/// ranges is searched wide (a dropped or wrong second letter). A wrong first letter is left to
/// "did you mean".
fn typo_candidates(
    index: &Index,
    term: &str,
    dfa: &levenshtein_automata::DFA,
    wide: bool,
) -> Vec<(String, u64)> {
    let c: Vec<char> = term.chars().take(3).collect();
    let pairs: Vec<Vec<char>> = match (wide, &c[..]) {
        (false, &[a, b, x]) => vec![vec![a, b], vec![a, x], vec![b, a]],
        (_, &[a, b, ..]) => vec![vec![a], vec![b, a]],
        _ => return index.terms_with_prefix(term, Some(dfa)),
    };
    let mut prefixes: Vec<String> = pairs.iter().map(|p| p.iter().collect()).collect();
    sorting::sort_dedup(&mut prefixes);
    // Drop a prefix that another covers ("s" covers "sa"), so no term is listed twice.
    let covered: Vec<String> = prefixes
        .iter()
        .filter(|p| {
            !prefixes
                .iter()
                .any(|q| q != *p && p.starts_with(q.as_str()))
        })
        .cloned()
        .collect();
    covered
        .iter()
        .flat_map(|p| index.terms_with_prefix(p, Some(dfa)))
        .collect()
}

/// The completions (most frequent first) that fit [`COMPLETION_RELEASES`], and the first.
fn within_budget(completions: Vec<(u64, f64, String)>) -> Vec<(u64, f64, String)> {
    let mut spent = 0u64;
    let mut kept = Vec::with_capacity(completions.len());
    for completion in completions {
        let releases = u64::from(split_term_value(completion.0).1);
        if kept.is_empty() || spent + releases <= COMPLETION_RELEASES {
            spent += releases;
            kept.push(completion);
        }
    }
    kept
}

/// Keeps the terms that `weigh` accepts, the `limit` with the most releases (ties in term order,
/// so the choice is stable).
fn most_frequent(
    candidates: Vec<(String, u64)>,
    limit: usize,
    mut weigh: impl FnMut(&str) -> Option<f64>,
) -> Vec<(u64, f64, String)> {
    let mut found: Vec<(u64, f64, String)> = candidates
        .into_iter()
        .filter_map(|(key, value)| weigh(&key).map(|w| (value, w, key)))
        .collect();
    sorting::sort_by(&mut found, |a, b| {
        split_term_value(b.0)
            .1
            .cmp(&split_term_value(a.0).1)
            .then_with(|| a.2.cmp(&b.2))
    });
    found.truncate(limit);
    found
}

/// Corpus statistics and per-document numbers used by BM25F.
struct Stats<'a> {
    index: &'a Index,
    ranking: &'a Ranking,
    docs: f64,
    avg_title: f64,
    avg_body: f64,
}

impl<'a> Stats<'a> {
    fn new(index: &'a Index, ranking: &'a Ranking) -> Stats<'a> {
        let meta = index.meta();
        let docs = f64::from(meta.doc_count.max(1));
        Stats {
            index,
            ranking,
            docs,
            avg_title: (meta.title_tokens as f64 / docs).max(1.0),
            avg_body: (meta.body_tokens as f64 / docs).max(1.0),
        }
    }

    /// BM25's inverse document frequency, with `libm` so native and wasm give the same bits.
    fn idf(&self, df: u32) -> f64 {
        let df = f64::from(df);
        libm::log(1.0 + (self.docs - df + 0.5) / (df + 0.5))
    }

    fn bm25f(&self, doc: u32, title_tf: u32, body_tf: u32, idf: f64) -> f64 {
        let r = self.ranking;
        let (title_len, body_len) = self.index.lengths(doc);
        let title_norm = 1.0 - r.title_b + r.title_b * f64::from(title_len) / self.avg_title;
        let body_norm = 1.0 - r.body_b + r.body_b * f64::from(body_len) / self.avg_body;
        let tf = r.title_weight * f64::from(title_tf) / title_norm
            + r.body_weight * f64::from(body_tf) / body_norm;
        idf * tf * (r.k1 + 1.0) / (r.k1 + tf)
    }
}

/// The hit for release `doc`; `None` while a split index still needs its record.
/// `read` holds the records already read for this query.
fn hit(
    index: &Index,
    doc: u32,
    score: f64,
    read: &mut Vec<(u32, Stored)>,
    highlight: &HashSet<&str>,
    excerpt_words: usize,
) -> Result<Option<Hit>, Error> {
    let stored = match read.iter().position(|r| r.0 == doc) {
        Some(at) => read.swap_remove(at).1,
        None => match index.stored(doc)? {
            Some(stored) => stored,
            None => return Ok(None),
        },
    };
    let is_match = |term: &str| highlight.contains(term);
    let body = index.body_tokens(doc, &stored.text);
    let excerpt = excerpt_of(&stored.text, &body, excerpt_words, is_match);
    Ok(Some(Hit {
        url: stored.url,
        title: stored.title,
        date: Date::from_yyyymmdd(index.date(doc)).map(|d| d.to_string()),
        excerpt,
        score: (score * 10_000.0).round() / 10_000.0,
        categories: stored
            .categories
            .iter()
            .map(|&c| index.category(c).to_owned())
            .collect(),
        lang: index.lang(stored.lang).map(str::to_owned),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_keeps_each_releases_best_variant_over_its_family_words_in_any_order() {
        let family = FAMILY_ONLY;
        let postings: Matches = vec![
            (7, 5.0, family | IN_TITLE), // a family word before the variants
            (3, 1.0, 0),
            (7, 2.0, 0),
            (3, 4.0, IN_TITLE),
            (7, 1.5, IN_TITLE),
            (7, 9.0, family), // after them: never counts
            (5, 2.0, family),
            (5, 3.0, family | IN_TITLE),
        ];
        let expected = vec![
            (3, 4.0, IN_TITLE),
            (5, 3.0, family | IN_TITLE),
            (7, 2.0, IN_TITLE),
        ];
        // Sorted (an index of many releases) or by slot (few): the same matches.
        for releases in [8, 10_000] {
            assert_eq!(best_per_release(postings.clone(), releases), expected);
            let mut reversed = postings.clone();
            reversed.reverse();
            assert_eq!(best_per_release(reversed, releases), expected);
        }
    }
}
