//! The query language: what people already type into search boxes.
//!
//! * `eurasian security` — every word must match; the last one also as a prefix while typing;
//! * `"exact phrase"` — the words next to each other, in order;
//! * `-word`, `-"a phrase"` — releases with it are left out;
//! * `summit OR forum` — either word;
//! * `title:minsk`, `title:"eurasian security"` — only in the headline.
//!
//! Parsing never fails: a stray quote, a lone `-` or a dangling `OR` is read as plainly as
//! possible, so any string searches sensibly. A word that the analyzer splits in several terms
//! (`COVID-19`, a run of Chinese characters) is searched as a phrase of those terms.

use crate::analyze;

/// The longest query searched, in bytes; the rest is cut (on a character boundary) and the
/// results say so. A visitor's query is a few words: a pasted page must not stall the search.
pub const MAX_QUERY_BYTES: usize = 1024;
/// The most terms of a query that are searched.
pub const MAX_QUERY_WORDS: usize = 32;

/// Where a clause must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Any,
    Title,
}

/// One thing a release must (or must not) contain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Clause {
    /// A single term; `prefix` when the visitor may still be typing it.
    Term {
        term: String,
        prefix: bool,
        field: Field,
    },
    /// Terms next to each other, in order.
    Phrase { terms: Vec<String>, field: Field },
    /// Every one of the terms, anywhere in the field: the spelled-out form of an acronym still
    /// being typed, matched without positions (see `acronyms::expand_clauses`).
    All { terms: Vec<String>, field: Field },
    /// Any of the clauses.
    Any(Vec<Clause>),
}

impl Clause {
    /// The terms of the clause, for highlighting and counting.
    pub(crate) fn terms(&self) -> Vec<&str> {
        match self {
            Clause::Term { term, .. } => vec![term],
            Clause::Phrase { terms, .. } | Clause::All { terms, .. } => {
                terms.iter().map(String::as_str).collect()
            }
            Clause::Any(clauses) => clauses.iter().flat_map(Clause::terms).collect(),
        }
    }
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Query {
    /// Clauses every hit matches.
    pub must: Vec<Clause>,
    /// Clauses no hit matches.
    pub must_not: Vec<Clause>,
    /// Whether the query was cut to [`MAX_QUERY_BYTES`] or [`MAX_QUERY_WORDS`].
    pub truncated: bool,
}

impl Query {
    /// How many terms the positive clauses hold: a title made of exactly these is an exact match.
    pub(crate) fn positive_terms(&self) -> usize {
        self.must.iter().map(|c| c.terms().len()).sum()
    }
}

/// One piece of the raw query, before analysis.
#[derive(Debug)]
struct Piece<'a> {
    text: &'a str,
    quoted: bool,
    negated: bool,
    field: Field,
    /// A bare `OR`.
    or: bool,
}

/// Parses `raw` into clauses. Never fails.
pub(crate) fn parse(raw: &str) -> Query {
    let mut cut = raw.len().min(MAX_QUERY_BYTES);
    while !raw.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut truncated = cut < raw.len();
    let raw = &raw[..cut];
    // The visitor is typing the last word unless they ended it with a space or a quote.
    let typing = !truncated
        && raw
            .chars()
            .last()
            .is_some_and(|c| !c.is_whitespace() && c != '"');

    let pieces = split(raw);
    let mut query = Query::default();
    let mut words = 0;
    let mut pending_or = false;
    let last = pieces.len().saturating_sub(1);
    for (i, piece) in pieces.iter().enumerate() {
        if piece.or {
            // An OR joins the clauses on either side; at either end it means nothing.
            pending_or = !query.must.is_empty();
            continue;
        }
        let mut terms = analyze::terms(piece.text);
        if terms.is_empty() {
            continue;
        }
        if words + terms.len() > MAX_QUERY_WORDS {
            terms.truncate(MAX_QUERY_WORDS - words);
            truncated = true;
        }
        words += terms.len();
        let prefix = typing && i == last && !piece.quoted && !piece.negated && terms.len() == 1;
        let clause = if terms.len() == 1 {
            Clause::Term {
                term: terms.remove(0),
                prefix,
                field: piece.field,
            }
        } else {
            Clause::Phrase {
                terms,
                field: piece.field,
            }
        };
        if piece.negated {
            query.must_not.push(clause);
        } else if std::mem::take(&mut pending_or) {
            let previous = query.must.pop().expect("an OR follows a clause");
            query.must.push(match previous {
                Clause::Any(mut any) => {
                    any.push(clause);
                    Clause::Any(any)
                }
                other => Clause::Any(vec![other, clause]),
            });
        } else if !query.must.contains(&clause) {
            // A word typed twice is searched once.
            query.must.push(clause);
        }
        if words >= MAX_QUERY_WORDS {
            truncated |= i < last;
            break;
        }
    }
    query.truncated = truncated;
    query
}

/// Splits the raw query into pieces: words, quoted phrases, `-` and `title:` markers, `OR`.
fn split(raw: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = raw;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let mut negated = false;
        let mut field = Field::Any;
        if let Some(after) = rest.strip_prefix('-') {
            if after.starts_with(|c: char| !c.is_whitespace() && c != '-') {
                negated = true;
                rest = after;
            }
        }
        if rest.len() > 6 && rest.is_char_boundary(6) && rest[..6].eq_ignore_ascii_case("title:") {
            field = Field::Title;
            rest = &rest[6..];
        }
        if let Some(after) = rest.strip_prefix('"') {
            match after.find('"') {
                Some(end) => {
                    pieces.push(Piece {
                        text: &after[..end],
                        quoted: true,
                        negated,
                        field,
                        or: false,
                    });
                    rest = &after[end + 1..];
                    continue;
                }
                // An unclosed quote is still being typed: its words are searched as words.
                None => {
                    rest = after;
                    if negated || field == Field::Title {
                        pieces.push(Piece {
                            text: rest,
                            quoted: true,
                            negated,
                            field,
                            or: false,
                        });
                        break;
                    }
                    continue;
                }
            }
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        let text = &rest[..end];
        let or = text == "OR" && !negated && field == Field::Any;
        pieces.push(Piece {
            text,
            quoted: false,
            negated,
            field,
            or,
        });
        rest = &rest[end..];
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(t: &str, prefix: bool) -> Clause {
        Clause::Term {
            term: t.into(),
            prefix,
            field: Field::Any,
        }
    }

    #[test]
    fn plain_words_must_all_match_and_the_last_is_a_prefix() {
        let q = parse("Eurasian secu");
        assert_eq!(q.must, [term("eurasian", false), term("secu", true)]);
        assert_eq!(parse("eurasian secu ").must[1], term("secu", false));
    }

    #[test]
    fn phrases_exclusions_or_and_fields() {
        let q = parse(r#""eurasian security" -minsk -"press release" summit OR forum title:cica"#);
        assert_eq!(
            q.must,
            [
                Clause::Phrase {
                    terms: vec!["eurasian".into(), "security".into()],
                    field: Field::Any
                },
                Clause::Any(vec![term("summit", false), term("forum", false)]),
                Clause::Term {
                    term: "cica".into(),
                    prefix: true,
                    field: Field::Title
                },
            ]
        );
        assert_eq!(
            q.must_not,
            [
                term("minsk", false),
                Clause::Phrase {
                    terms: vec!["press".into(), "release".into()],
                    field: Field::Any
                }
            ]
        );
        assert_eq!(
            parse("a OR b OR c").must,
            [Clause::Any(vec![
                term("a", false),
                term("b", false),
                term("c", true)
            ])]
        );
    }

    #[test]
    fn a_word_the_analyzer_splits_is_a_phrase() {
        assert_eq!(
            parse("COVID-19 ").must,
            [Clause::Phrase {
                terms: vec!["covid".into(), "19".into()],
                field: Field::Any
            }]
        );
    }

    #[test]
    fn broken_syntax_still_searches_sensibly() {
        assert_eq!(
            parse("\"eurasian secu").must,
            [term("eurasian", false), term("secu", true)]
        );
        assert!(parse("- - -").must.is_empty() && parse("- - -").must_not.is_empty());
        assert_eq!(parse("OR minsk OR").must, [term("minsk", false)]);
        assert_eq!(parse("-").must, []);
        assert_eq!(parse("title:").must, [term("title", true)]);
        assert_eq!(parse("\"\"").must, []);
        // lowercase `or` is a word, as people type it in titles.
        assert_eq!(parse("war or peace ").must.len(), 3);
    }

    #[test]
    fn long_queries_are_cut_and_say_so() {
        let words: Vec<String> = (0..1000).map(|i| format!("w{i}")).collect();
        let q = parse(&words.join(" "));
        assert!(q.truncated);
        assert_eq!(q.positive_terms(), MAX_QUERY_WORDS);
        assert!(!parse("two words").truncated);
        // A word typed twice is searched once, but counts towards the limit.
        assert_eq!(parse("word word word ").must.len(), 1);
    }
}
