//! Acronyms learned from the releases themselves.
//!
//! Press releases define their acronyms: "the Shanghai Cooperation Organisation (SCO)". When a
//! release is analyzed, every such definition is found; the index keeps, for each acronym, the
//! expansion most releases give. A query for `SCO` then also finds releases that only spell it
//! out, and a query for `shanghai cooperation organisation` also finds releases that only say
//! `SCO`.
//!
//! A definition counts when the letters of the acronym are the initials of the words before the
//! parenthesis, in order, skipping short function words (`of`, `and`, `the`, …): precision
//! matters more than recall, since a wrong expansion would add wrong hits to every search.

use std::collections::{BTreeMap, HashMap};

use crate::analyze;
use crate::query::{Clause, Field};

/// The longest acronym considered, in letters.
const MAX_LETTERS: usize = 10;

/// Words an acronym usually skips, in the languages of most press rooms.
const SKIPPED: &[&str] = &[
    "a", "an", "and", "at", "de", "der", "des", "di", "du", "el", "et", "for", "in", "la", "le",
    "of", "on", "the", "to", "und", "y",
];

/// One acronym definition found in a text: the acronym's term and the expansion's terms.
pub(crate) type Definition = (String, Vec<String>);

/// Finds acronym definitions of the form `Long Form Words (LFW)` in `text`.
pub(crate) fn definitions(text: &str) -> Vec<Definition> {
    let mut found = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find('(') {
        let start = offset + open;
        let after = &text[start + 1..];
        let Some(close) = after.find(')') else { break };
        let inside = after[..close].trim();
        if let Some(definition) = definition(&text[..start], inside) {
            if !found.contains(&definition) {
                found.push(definition);
            }
        }
        offset = start + 1;
        rest = &text[offset..];
    }
    found
}

fn definition(before: &str, acronym: &str) -> Option<Definition> {
    let letters: Vec<char> = acronym.chars().collect();
    let uppercase = letters.iter().filter(|c| c.is_uppercase()).count();
    if !(2..=MAX_LETTERS).contains(&letters.len())
        || uppercase < 2
        || !letters[0].is_alphabetic()
        || !letters.iter().all(|c| c.is_alphanumeric())
    {
        return None;
    }
    let initials: Vec<char> = letters
        .iter()
        .filter(|c| c.is_uppercase())
        .copied()
        .collect();
    // The words of the same sentence before the parenthesis, nearest last.
    let sentence = before
        .rsplit(['.', ';', ':', '(', ')', '\n'])
        .next()
        .unwrap_or(before);
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut needed = initials.len();
    let mut first_word = words.len();
    for (i, word) in words.iter().enumerate().rev() {
        let lower = word.to_lowercase();
        // Dashes and other lone punctuation between the words change nothing.
        let Some(initial) = word.chars().find(|c| c.is_alphanumeric()) else {
            continue;
        };
        if needed > 0
            && initial
                .to_uppercase()
                .eq(std::iter::once(initials[needed - 1]))
        {
            needed -= 1;
            first_word = i;
            if needed == 0 {
                break;
            }
        } else if SKIPPED.contains(&lower.trim_matches(|c: char| !c.is_alphanumeric())) {
            continue;
        } else {
            return None;
        }
    }
    if needed > 0 {
        return None;
    }
    let expansion = analyze::terms(&words[first_word..].join(" "));
    let term = analyze::fold(acronym);
    (expansion.len() >= 2 && !expansion.contains(&term)).then_some((term, expansion))
}

/// Rewrites clauses so that an acronym also finds its expansion and the reverse.
pub(crate) fn expand_clauses(pairs: &[Definition], clauses: Vec<Clause>) -> Vec<Clause> {
    if pairs.is_empty() {
        return clauses;
    }
    let mut out = Vec::with_capacity(clauses.len());
    let mut i = 0;
    while i < clauses.len() {
        // An expansion typed out word by word: those clauses become "the phrase, or the acronym".
        let spelled = pairs.iter().find(|(_, expansion)| {
            !expansion.is_empty()
                && expansion.len() <= clauses.len() - i
                && expansion.iter().zip(&clauses[i..]).all(|(word, clause)| {
                    matches!(clause, Clause::Term { term, field: Field::Any, .. } if term == word)
                })
        });
        if let Some((acronym, expansion)) = spelled {
            out.push(Clause::Any(vec![
                Clause::Phrase {
                    terms: expansion.clone(),
                    field: Field::Any,
                },
                Clause::Term {
                    term: acronym.clone(),
                    prefix: false,
                    field: Field::Any,
                },
            ]));
            i += expansion.len();
            continue;
        }
        let clause = clauses[i].clone();
        i += 1;
        let rewritten = match &clause {
            // While the acronym may still be a word being typed, its expansion is matched as
            // words that all occur, without positions: a phrase check would fetch the positions
            // of common words (`securities`, `exchange`, `commission`) at every keystroke.
            Clause::Term {
                term,
                prefix,
                field,
            } => pairs
                .binary_search_by(|(a, _)| a.as_str().cmp(term))
                .ok()
                .map(|k| {
                    let terms = pairs[k].1.clone();
                    if *prefix {
                        Clause::All {
                            terms,
                            field: *field,
                        }
                    } else {
                        Clause::Phrase {
                            terms,
                            field: *field,
                        }
                    }
                }),
            Clause::Phrase { terms, field } => pairs
                .iter()
                .find(|(_, expansion)| expansion == terms)
                .map(|(acronym, _)| Clause::Term {
                    term: acronym.clone(),
                    prefix: false,
                    field: *field,
                }),
            Clause::All { .. } | Clause::Any(_) => None,
        };
        out.push(match rewritten {
            Some(other) => Clause::Any(vec![clause, other]),
            None => clause,
        });
    }
    out
}

/// Counts definitions over the corpus and keeps, per acronym, the expansion given most often
/// (ties to the smallest, so builds are deterministic).
#[derive(Debug, Default)]
pub(crate) struct Collector {
    counts: BTreeMap<String, BTreeMap<Vec<String>, u32>>,
    /// Per term: how many releases write it in capitals.
    capitals: HashMap<String, u32>,
}

/// Whether a word is written in capitals, as acronyms are: two letters or more, all upper case.
pub(crate) fn is_capitals(word: &str) -> bool {
    let mut letters = 0;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        letters += usize::from(c.is_alphabetic());
    }
    (2..=MAX_LETTERS).contains(&letters)
}

impl Collector {
    /// Counts one release: the acronyms it defines and the words it writes in capitals.
    pub(crate) fn add(&mut self, definitions: &[Definition], capitals: &[String]) {
        for (acronym, expansion) in definitions {
            let expansions = self.counts.entry(acronym.clone()).or_default();
            *expansions.entry(expansion.clone()).or_default() += 1;
        }
        for term in capitals {
            match self.capitals.get_mut(term) {
                Some(n) => *n += 1,
                None => {
                    self.capitals.insert(term.clone(), 1);
                }
            }
        }
    }

    /// The chosen pairs, sorted by acronym. `document_frequency` tells in how many releases a
    /// term occurs at all: an acronym most of them write in lower case is an ordinary word.
    pub(crate) fn finish(self, document_frequency: impl Fn(&str) -> u32) -> Vec<Definition> {
        let capitals = self.capitals;
        self.counts
            .into_iter()
            .filter(|(acronym, _)| {
                let in_capitals = capitals.get(acronym).copied().unwrap_or(0);
                in_capitals * 2 >= document_frequency(acronym)
            })
            .filter_map(|(acronym, expansions)| {
                let best = expansions
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))?;
                Some((acronym, best.0.clone()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &str) -> Vec<String> {
        words.split(' ').map(String::from).collect()
    }

    #[test]
    fn definitions_are_found_by_their_initials() {
        let text =
            "CICA includes members of the Shanghai Cooperation Organisation (SCO), the League \
                    of Arab States (LAS) and the European Union (EU). The WHO (World Health \
                    Organization) spoke.";
        assert_eq!(
            definitions(text),
            [
                ("sco".into(), terms("shanghai cooperation organisation")),
                ("las".into(), terms("league of arab states")),
                ("eu".into(), terms("european union")),
            ]
        );
    }

    #[test]
    fn loose_parentheses_are_not_definitions() {
        for text in [
            "Confidence Building Measures in Asia (CICA)", // letters are not the initials in order
            "shares rose (NASDAQ: ABC)",
            "the report (PDF)",
            "in 2023 (US)",
            "Global Tech (GT",
            "(SCO) at the start",
        ] {
            assert!(definitions(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn an_empty_expansion_is_never_spelled_out() {
        // A damaged index could hold one (its reader refuses them): matching it as typed would
        // consume no word, and the rewriter would never finish.
        let pairs = vec![("x".to_owned(), Vec::new())];
        let clauses = vec![Clause::Term {
            term: "sarybay".into(),
            prefix: false,
            field: Field::Any,
        }];
        assert_eq!(expand_clauses(&pairs, clauses.clone()), clauses);
    }

    #[test]
    fn queries_for_either_form_ask_for_both() {
        let pairs = vec![("sco".to_owned(), terms("shanghai cooperation organisation"))];
        let term = |t: &str| Clause::Term {
            term: t.into(),
            prefix: false,
            field: Field::Any,
        };
        let both = Clause::Any(vec![
            Clause::Phrase {
                terms: terms("shanghai cooperation organisation"),
                field: Field::Any,
            },
            term("sco"),
        ]);
        assert_eq!(
            expand_clauses(
                &pairs,
                vec![
                    term("summit"),
                    term("shanghai"),
                    term("cooperation"),
                    term("organisation")
                ]
            ),
            [term("summit"), both]
        );
        assert_eq!(
            expand_clauses(&pairs, vec![term("sco")]),
            [Clause::Any(vec![
                term("sco"),
                Clause::Phrase {
                    terms: terms("shanghai cooperation organisation"),
                    field: Field::Any
                }
            ])]
        );
        assert_eq!(
            expand_clauses(&pairs, vec![term("shanghai")]),
            [term("shanghai")]
        );
        // An acronym still being typed asks for its words anywhere, not as a phrase.
        let typing = Clause::Term {
            term: "sco".into(),
            prefix: true,
            field: Field::Any,
        };
        assert_eq!(
            expand_clauses(&pairs, vec![typing.clone()]),
            [Clause::Any(vec![
                typing,
                Clause::All {
                    terms: terms("shanghai cooperation organisation"),
                    field: Field::Any
                }
            ])]
        );
    }

    #[test]
    fn the_most_frequent_expansion_wins() {
        let sco = || vec!["sco".to_owned()];
        let mut c = Collector::default();
        c.add(
            &[("sco".into(), terms("shanghai cooperation organisation"))],
            &sco(),
        );
        c.add(
            &[("sco".into(), terms("shanghai cooperation organisation"))],
            &sco(),
        );
        c.add(&[("sco".into(), terms("some company online"))], &sco());
        assert_eq!(
            c.finish(|_| 3),
            [("sco".into(), terms("shanghai cooperation organisation"))]
        );
    }

    #[test]
    fn a_word_most_releases_write_in_lower_case_is_not_an_acronym() {
        let mut c = Collector::default();
        let rice = (
            "rice".to_owned(),
            terms("russell innovation center for entrepreneurs"),
        );
        c.add(&[rice], &["rice".into()]);
        // `rice` occurs in 30 releases, in capitals in one.
        assert!(c.finish(|_| 30).is_empty());
        assert!(
            is_capitals("SCO") && is_capitals("UNESCO") && !is_capitals("Sco") && !is_capitals("A")
        );
    }
}
