//! Word families: the indexed words that share a Snowball stem in their releases' language.
//!
//! The index keeps every word as written (after the analyzer's folding), so that an exact word
//! always ranks first and prefixes complete to real words. Stemming happens once, at build time:
//! each term is stemmed (`rust-stemmers`) in the language of most of the releases that hold it,
//! and the terms that share a stem form a *family* (`election`, `elections`, `elected`). A query
//! word then also finds its family, at [`crate::Ranking::stem_weight`]. The browser needs no
//! stemmer: the families travel with the dictionary (see `FORMAT.md`, STEMS).
//!
//! ```
//! use pressroom::{IndexWriter, Release, SearchOptions};
//! let mut writer = IndexWriter::new();
//! let release = |url: &str, title: &str, lang: &str| Release {
//!     url: url.into(),
//!     title: title.into(),
//!     lang: Some(lang.into()),
//!     ..Release::default()
//! };
//! writer.add(release("/a", "The elections were held on Sunday", "en")).unwrap();
//! writer.add(release("/b", "An election", "en-GB")).unwrap();
//! let index = pressroom::Index::from_bytes(writer.finish().unwrap()).unwrap();
//! let hits = index.search("elections", &SearchOptions::default()).unwrap().hits;
//! assert_eq!(hits.len(), 2, "the family of `elections` holds `election`");
//! ```

use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};

/// The most terms a family keeps (the ones in the most releases): a very large family is
/// usually a stemmer conflating unrelated words, and each member costs a postings fetch.
pub const MAX_FAMILY: usize = 12;

/// The languages with a Snowball stemmer, by their ISO 639-1 and 639-2/3 codes.
const LANGUAGES: [(&[&str], Algorithm); 18] = [
    (&["ar", "ara", "arb"], Algorithm::Arabic),
    (&["da", "dan"], Algorithm::Danish),
    (&["nl", "nld", "dut"], Algorithm::Dutch),
    (&["en", "eng"], Algorithm::English),
    (&["fi", "fin"], Algorithm::Finnish),
    (&["fr", "fra", "fre"], Algorithm::French),
    (&["de", "deu", "ger"], Algorithm::German),
    (&["el", "ell", "gre"], Algorithm::Greek),
    (&["hu", "hun"], Algorithm::Hungarian),
    (&["it", "ita"], Algorithm::Italian),
    (
        &["no", "nb", "nn", "nor", "nob", "nno"],
        Algorithm::Norwegian,
    ),
    (&["pt", "por"], Algorithm::Portuguese),
    (&["ro", "ron", "rum", "mo"], Algorithm::Romanian),
    (&["ru", "rus"], Algorithm::Russian),
    (&["es", "spa"], Algorithm::Spanish),
    (&["sv", "swe"], Algorithm::Swedish),
    (&["ta", "tam"], Algorithm::Tamil),
    (&["tr", "tur"], Algorithm::Turkish),
];

/// The stemmer (an index into `LANGUAGES`) for a BCP 47 language tag, by its primary subtag,
/// in any case: `en`, `en-GB`, `pt_BR`, `FRA`.
pub fn stemmer_for(lang: &str) -> Option<usize> {
    let primary = lang.split(['-', '_']).next()?.trim().to_ascii_lowercase();
    LANGUAGES
        .iter()
        .position(|(codes, _)| codes.contains(&primary.as_str()))
}

/// Whether releases in `lang` get word families (a language Snowball covers).
pub fn is_stemmed(lang: &str) -> bool {
    stemmer_for(lang).is_some()
}

/// In how many releases of each stemmed language a term stands: `(stemmer, releases)`.
#[derive(Debug, Default, Clone)]
pub(crate) struct LangCounts(Vec<(u8, u32)>);

impl LangCounts {
    pub(crate) fn add(&mut self, stemmer: u8) {
        match self.0.iter_mut().find(|(s, _)| *s == stemmer) {
            Some(count) => count.1 += 1,
            None => self.0.push((stemmer, 1)),
        }
    }

    /// Adds the counts of `other`.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn merge(&mut self, other: &LangCounts) {
        for &(stemmer, n) in &other.0 {
            match self.0.iter_mut().find(|(s, _)| *s == stemmer) {
                Some(count) => count.1 += n,
                None => self.0.push((stemmer, n)),
            }
        }
    }

    /// The language most of the term's releases are in (ties: the first in `LANGUAGES`).
    fn dominant(&self) -> Option<u8> {
        self.0
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|&(s, _)| s)
    }
}

/// Groups sorted terms into families. `terms` yields each term with the languages it stands in
/// and its document frequency, in term order; families come out sorted by their first member,
/// each sorted, with at least two members.
pub(crate) fn families<'a>(
    terms: impl Iterator<Item = (&'a str, &'a LangCounts, u32)>,
) -> Vec<Vec<String>> {
    // Numbers and codes have no inflections; a term of one or two letters has no suffix.
    let stemmable: Vec<(&'a str, u8, u32)> = terms
        .filter(|(term, _, _)| term.chars().count() >= 3 && !term.chars().any(|c| c.is_numeric()))
        .filter_map(|(term, langs, df)| Some((term, langs.dominant()?, df)))
        .collect();
    let stems = stem_all(&stemmable);
    let mut by_stem: HashMap<(u8, String), Vec<(u32, &'a str)>> = HashMap::new();
    for ((term, lang, df), stem) in stemmable.into_iter().zip(stems) {
        if !stem.is_empty() {
            by_stem.entry((lang, stem)).or_default().push((df, term));
        }
    }
    let mut out: Vec<Vec<String>> = by_stem
        .into_values()
        .filter(|members| members.len() > 1)
        .map(|mut members| {
            // The most frequent members, ties in term order.
            members.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            members.truncate(MAX_FAMILY);
            let mut family: Vec<String> = members.into_iter().map(|m| m.1.to_owned()).collect();
            family.sort_unstable();
            family
        })
        .collect();
    out.sort_unstable();
    out
}

/// The stem of each term in its language: on every core natively, since a large index has
/// hundreds of thousands of terms.
fn stem_all(terms: &[(&str, u8, u32)]) -> Vec<String> {
    let stem_range = |range: &[(&str, u8, u32)]| {
        let mut stemmers: Vec<Option<Stemmer>> = LANGUAGES.iter().map(|_| None).collect();
        range
            .iter()
            .map(|&(term, lang, _)| {
                stemmers[usize::from(lang)]
                    .get_or_insert_with(|| Stemmer::create(LANGUAGES[usize::from(lang)].1))
                    .stem(term)
                    .into_owned()
            })
            .collect::<Vec<String>>()
    };
    #[cfg(target_arch = "wasm32")]
    {
        stem_range(terms)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let ranges: Vec<&[(&str, u8, u32)]> =
            terms.chunks(terms.len().div_ceil(threads).max(1)).collect();
        crate::parallel::map(ranges, stem_range).concat()
    }
}

/// Families as a search looks them up: from a term to its family. A piece of a split index
/// holds a few hundred, so a search looks through them in order.
#[derive(Debug, Default)]
pub(crate) struct Families(Vec<Vec<String>>);

impl Families {
    /// Families read from an index.
    pub(crate) fn new(members: Vec<Vec<String>>) -> Families {
        Families(members)
    }

    /// The other members of `term`'s family (none when it has no family).
    pub(crate) fn siblings<'a>(&'a self, term: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let family = self
            .0
            .iter()
            .find(|f| f.iter().any(|t| t == term))
            .map_or(&[][..], Vec::as_slice);
        family
            .iter()
            .map(String::as_str)
            .filter(move |t| *t != term)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family_of(lang: &str, words: &[&str]) -> Vec<Vec<String>> {
        let counts: Vec<LangCounts> = words
            .iter()
            .map(|_| {
                let mut c = LangCounts::default();
                c.add(stemmer_for(lang).unwrap() as u8);
                c
            })
            .collect();
        let mut sorted: Vec<(&str, &LangCounts)> = words.iter().copied().zip(&counts).collect();
        sorted.sort_by_key(|t| t.0);
        families(sorted.into_iter().map(|(t, c)| (t, c, 1)))
    }

    #[test]
    fn language_tags_pick_their_stemmer_by_primary_subtag() {
        assert_eq!(stemmer_for("en-GB"), stemmer_for("en"));
        assert_eq!(stemmer_for("FRA"), stemmer_for("fr"));
        assert_eq!(stemmer_for("pt_BR"), stemmer_for("por"));
        assert!(stemmer_for("zh").is_none() && stemmer_for("").is_none());
        assert!(is_stemmed("ru") && !is_stemmed("th"));
    }

    #[test]
    fn inflections_of_one_word_form_a_family_in_their_language() {
        assert_eq!(
            family_of("en", &["elections", "election", "elect", "voter"]),
            [vec!["elect", "election", "elections"]]
        );
        assert_eq!(
            family_of("ru", &["декларация", "декларации", "декларацию", "право"]),
            [vec!["декларации", "декларацию", "декларация"]]
        );
        assert_eq!(
            family_of("es", &["naciones", "nacion", "unidas"]),
            [vec!["nacion", "naciones"]]
        );
        // Numbers and two-letter words have no families.
        assert!(family_of("en", &["2024", "2024s", "us", "uss"]).is_empty());
    }

    #[test]
    fn a_term_takes_the_language_most_of_its_releases_are_in() {
        let mut mostly_french = LangCounts::default();
        for _ in 0..3 {
            mostly_french.add(stemmer_for("fr").unwrap() as u8);
        }
        mostly_french.add(stemmer_for("en").unwrap() as u8);
        assert_eq!(mostly_french.dominant(), stemmer_for("fr").map(|s| s as u8));
    }

    #[test]
    fn siblings_leave_out_the_word_itself() {
        let f = Families::new(vec![
            vec!["elect".into(), "election".into()],
            vec!["vote".into(), "voted".into()],
        ]);
        assert_eq!(f.siblings("election").collect::<Vec<_>>(), ["elect"]);
        assert_eq!(f.siblings("voted").collect::<Vec<_>>(), ["vote"]);
        assert_eq!(f.siblings("unknown").count(), 0);
    }
}
