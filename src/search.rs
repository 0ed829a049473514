//! Query execution and ranking.
//!
//! A query is analyzed by the same analyzer as the releases. Every word must match (AND); the
//! last word also matches as a prefix while the visitor is still typing, i.e. unless the query
//! ends with a space. Matches are scored with BM25F over the title and body fields.

use std::collections::{BTreeMap, HashSet};

use fst::{IntoStreamer, Streamer};
use serde::{Deserialize, Serialize};

use crate::analyze;
use crate::excerpt::excerpt;
use crate::format::split_term_value;
use crate::index::Index;
use crate::{Date, Error};

/// The most completions a prefix expands to; the most frequent win.
pub const MAX_PREFIX_EXPANSIONS: usize = 48;
/// The most words within typing distance one query word stands for; the most frequent win.
pub const MAX_TYPO_EXPANSIONS: usize = 24;
/// Words of at least this many letters tolerate one typo.
pub const ONE_TYPO_LETTERS: usize = 5;
/// Words of at least this many letters tolerate two typos.
pub const TWO_TYPO_LETTERS: usize = 9;
/// The most hits one call returns.
pub const MAX_LIMIT: usize = 1000;
/// The longest query searched, in bytes; the rest is cut (on a character boundary) and the
/// results say so. A visitor's query is a few words: a pasted page must not stall the search.
pub const MAX_QUERY_BYTES: usize = 1024;
/// The most words of a query that are searched.
pub const MAX_QUERY_WORDS: usize = 32;
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
        }
    }
}

impl Ranking {
    /// The weights' names as JavaScript (and `pressroom.toml`) spell them, in the order of
    /// [`Ranking::to_array`], which is also their order in the index.
    pub const NAMES: [&'static str; 10] = [
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
    ];

    /// The weights in the order of [`Ranking::NAMES`].
    pub fn to_array(&self) -> [f64; 10] {
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
        ]
    }

    /// The inverse of [`Ranking::to_array`].
    pub fn from_array(w: [f64; 10]) -> Ranking {
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
    weights: [Option<f64>; 10],
}

impl TryFrom<BTreeMap<String, f64>> for RankingOverrides {
    type Error = String;

    fn try_from(map: BTreeMap<String, f64>) -> Result<RankingOverrides, String> {
        let mut weights = [None; 10];
        for (name, value) in map {
            let i = Ranking::NAMES
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| {
                    format!(
                        "unknown ranking weight {name:?}; known: {}",
                        Ranking::NAMES.join(", ")
                    )
                })?;
            weights[i] = Some(value);
        }
        Ok(RankingOverrides { weights })
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
}

impl Default for SearchOptions {
    fn default() -> SearchOptions {
        SearchOptions {
            limit: 10,
            offset: 0,
            ranking: RankingOverrides::default(),
            excerpt_words: None,
        }
    }
}

/// The answer to a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// How many releases match in all.
    pub total: usize,
    /// The requested page of the best matches, best first.
    pub hits: Vec<Hit>,
    /// Whether the query was cut to [`MAX_QUERY_BYTES`] / [`MAX_QUERY_WORDS`] before searching,
    /// so that a page can say only the start of a very long query was used.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
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
}

impl Group {
    fn doc_frequency(&self) -> u64 {
        self.variants
            .iter()
            .map(|v| u64::from(split_term_value(v.0).1))
            .sum()
    }
}

pub(crate) fn run(
    index: &Index,
    query: &str,
    options: &SearchOptions,
) -> Result<SearchResults, Error> {
    let mut cut = query.len().min(MAX_QUERY_BYTES);
    while !query.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut truncated = cut < query.len();
    let query = &query[..cut];
    let mut tokens = analyze::tokens(query);
    if tokens.len() > MAX_QUERY_WORDS {
        tokens.truncate(MAX_QUERY_WORDS);
        truncated = true;
    }
    let empty = SearchResults {
        total: 0,
        hits: Vec::new(),
        truncated,
    };
    let Some(last) = tokens.last() else {
        return Ok(empty);
    };
    let last_is_prefix = !truncated
        && query[last.end..]
            .chars()
            .all(|c| !c.is_whitespace() && c != '"');
    let settings = index.settings();
    let ranking = &options.ranking.apply(settings.ranking);
    let excerpt_words = options
        .excerpt_words
        .map_or(settings.excerpt_words as usize, |w| {
            w.clamp(1, MAX_EXCERPT_WORDS)
        });

    let mut seen = HashSet::new();
    let mut groups = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let prefix = last_is_prefix && i == tokens.len() - 1;
        if !prefix && !seen.insert(token.term.as_str()) {
            continue;
        }
        let group = expand(index, &token.term, prefix, ranking);
        if group.variants.is_empty() {
            return Ok(empty);
        }
        groups.push(group);
    }
    groups.sort_by_key(Group::doc_frequency);

    let n = index.meta().doc_count as usize;
    let stats = Stats::new(index, ranking);
    let mut total_score = vec![0f64; n];
    let mut titled_groups = vec![0u16; n];
    let mut group_score = vec![0f64; n];
    let mut group_titled = vec![false; n];
    let mut alive: Vec<u32> = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let mut touched = Vec::new();
        for &(value, weight, _) in &group.variants {
            let (_, df) = split_term_value(value);
            let idf = stats.idf(df);
            for p in index.postings(value)? {
                let d = p.doc as usize;
                let score = weight * stats.bm25f(p.doc, p.title_tf, p.body_tf, idf);
                if group_score[d] == 0.0 {
                    touched.push(p.doc);
                }
                if score > group_score[d] {
                    group_score[d] = score;
                }
                group_titled[d] |= p.title_tf > 0;
            }
        }
        if g == 0 {
            touched.sort_unstable();
            alive = touched.clone();
        } else {
            alive.retain(|&d| group_score[d as usize] > 0.0);
        }
        for &d in &alive {
            let d = d as usize;
            total_score[d] += group_score[d];
            titled_groups[d] += u16::from(group_titled[d]);
        }
        for d in touched {
            group_score[d as usize] = 0.0;
            group_titled[d as usize] = false;
        }
        if alive.is_empty() {
            return Ok(empty);
        }
    }

    let all_in_title = groups.len() as u16;
    let mut ranked: Vec<(f64, u32, u32)> = alive
        .iter()
        .map(|&doc| {
            let mut score = total_score[doc as usize];
            if titled_groups[doc as usize] == all_in_title {
                score *= 1.0 + ranking.title_match_bonus;
                if stats.title_len(doc) == tokens.len() {
                    score *= 1.0 + ranking.exact_title_bonus;
                }
            }
            (score, stats.date(doc), doc)
        })
        .collect();
    // Best score first; among equals the newest, then the first indexed: the order is total,
    // so the same index and query always give the same page.
    let order = |a: &(f64, u32, u32), b: &(f64, u32, u32)| {
        b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2))
    };
    let limit = options.limit.min(MAX_LIMIT);
    let wanted = options.offset.saturating_add(limit).min(ranked.len());
    if wanted > 0 && wanted < ranked.len() {
        ranked.select_nth_unstable_by(wanted - 1, order);
        ranked.truncate(wanted);
    }
    ranked.sort_unstable_by(order);

    let highlight: HashSet<&str> = groups
        .iter()
        .flat_map(|g| g.variants.iter().map(|v| v.2.as_str()))
        .collect();
    let hits = ranked
        .iter()
        .skip(options.offset)
        .map(|&(score, _, doc)| hit(index, doc, score, &highlight, excerpt_words))
        .collect::<Result<_, _>>()?;
    Ok(SearchResults {
        total: alive.len(),
        hits,
        truncated,
    })
}

/// The dictionary terms for one query word: itself, plus its completions when it is a prefix.
fn expand(index: &Index, term: &str, prefix: bool, ranking: &Ranking) -> Group {
    let mut variants = Vec::new();
    if let Some(value) = index.terms().get(term) {
        variants.push((value, 1.0, term.to_owned()));
    }
    if prefix {
        let mut upper = term.as_bytes().to_vec();
        upper.push(0xff);
        let stream = index
            .terms()
            .range()
            .gt(term.as_bytes())
            .lt(&upper)
            .into_stream();
        let completions = most_frequent(stream, MAX_PREFIX_EXPANSIONS, |_| {
            Some(ranking.prefix_weight)
        });
        variants.extend(completions);
    }
    let letters = term.chars().count();
    if let Some(builder) = index.typo_automaton(letters) {
        let dfa = if prefix {
            builder.build_prefix_dfa(term)
        } else {
            builder.build_dfa(term)
        };
        let first = term.chars().next();
        let stream = index.terms().search(&dfa).into_stream();
        let typos = most_frequent(stream, MAX_TYPO_EXPANSIONS, |key| {
            let edits = match dfa.eval(key) {
                levenshtein_automata::Distance::Exact(d) => d,
                levenshtein_automata::Distance::AtLeast(_) => return None,
            };
            // Distance 0 under the prefix automaton is a completion, found above (or cut there).
            if edits == 0 || variants.iter().any(|v| v.2 == key) {
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
    Group { variants }
}

/// Collects the terms of `stream` that `weigh` accepts, keeping the `limit` with the most
/// releases (ties in term order, so the choice is stable).
fn most_frequent<'f>(
    mut stream: impl for<'a> Streamer<'a, Item = (&'a [u8], u64)>,
    limit: usize,
    mut weigh: impl FnMut(&str) -> Option<f64>,
) -> Vec<(u64, f64, String)> {
    let mut found = Vec::new();
    while let Some((key, value)) = stream.next() {
        if let Ok(key) = std::str::from_utf8(key) {
            if let Some(weight) = weigh(key) {
                found.push((value, weight, key.to_owned()));
            }
        }
    }
    found.sort_by(|a: &(u64, f64, String), b| {
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

    fn title_len(&self, doc: u32) -> usize {
        usize::from(self.index.lengths(doc).0)
    }

    fn date(&self, doc: u32) -> u32 {
        self.index.date(doc)
    }
}

fn hit(
    index: &Index,
    doc: u32,
    score: f64,
    highlight: &HashSet<&str>,
    excerpt_words: usize,
) -> Result<Hit, Error> {
    let stored = index.doc(doc)?;
    let text = index.text(doc)?;
    Ok(Hit {
        url: stored.data.url.to_owned(),
        title: stored.data.title.to_owned(),
        date: Date::from_yyyymmdd(stored.record.date).map(|d| d.to_string()),
        excerpt: excerpt(text, excerpt_words, |term| highlight.contains(term)),
        score: (score * 10_000.0).round() / 10_000.0,
        categories: stored
            .data
            .categories
            .iter()
            .map(|&c| index.category(c).to_owned())
            .collect(),
        lang: index.lang(stored.data.lang).map(str::to_owned),
    })
}
