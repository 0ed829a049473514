//! The one analyzer, shared by indexing and querying.
//!
//! A release's text and a visitor's query go through exactly the same steps, so that a word
//! indexed one way is always looked up the same way:
//!
//! 1. Unicode word segmentation (UAX #29) of the original text, keeping byte offsets so that an
//!    excerpt can highlight the original characters;
//! 2. compatibility decomposition (NFKD): ligatures, full-width forms and the like fold to their
//!    plain letters;
//! 3. diacritics folding: combining accents of Latin, Greek and Cyrillic letters, Arabic vowel
//!    marks and Hebrew points are dropped (`Sarybáy` → `sarybay`), while marks that are letters
//!    in their own right (Devanagari vowel signs, Thai) are kept;
//! 4. lower-casing, a few letters that do not decompose (`ß` → `ss`, `ø` → `o`, `ł` → `l`), and
//!    recomposition (NFC);
//! 5. dots inside words are dropped (`U.S.` → `us`) unless the word is a number (`3.5`), and an
//!    apostrophe splits a word (`CICA's` → `cica`, `l'Asie` → `l`, `asie`), dropping a possessive `s`.
//!
//! ```
//! use pressroom::analyze::terms;
//! assert_eq!(terms("Sarybáy's ÉURASIAN ﬁle, U.S."), ["sarybay", "eurasian", "file", "us"]);
//! ```

use std::sync::OnceLock;

use unicode_segmentation::UnicodeSegmentation;

use crate::format::Cursor;

/// The longest term kept, in bytes. Longer words (URLs, base64 blobs) are cut on a character
/// boundary: the same cut happens to the query, so they still match, but they cannot bloat the
/// term dictionary.
pub const MAX_TERM_BYTES: usize = 48;

/// One word of a text, normalized, with where it stands in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalized term, as stored in the index.
    pub term: String,
    /// Byte offset of the word's first character in the original text.
    pub start: usize,
    /// Byte offset just past the word in the original text.
    pub end: usize,
}

/// Splits `text` into normalized tokens, in order.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for (start, word) in text.unicode_word_indices() {
        // An apostrophe splits a word; its parts keep their own offsets for highlighting.
        let mut part_start = start;
        let mut parts = word.split(is_apostrophe).peekable();
        let mut first = true;
        while let Some(part) = parts.next() {
            let part_end = part_start + part.len();
            let is_possessive = !first && parts.peek().is_none() && (part == "s" || part == "S");
            if !part.is_empty() && !is_possessive {
                push_dotted(part, part_start, &mut out);
            }
            // Skip the apostrophe itself (any of them is 1 to 3 bytes long).
            part_start = part_end + text[part_end..].chars().next().map_or(0, char::len_utf8);
            first = false;
        }
    }
    out
}

/// Pushes a word that may hold dots. Initials (`U.S`, `e.g`) and numbers (`3.5`) stay one
/// word; anything else splits at the dots, so that `Hydra.sci` or `BusinessIncome.net` are found
/// by their parts, as people type them.
fn push_dotted(word: &str, start: usize, out: &mut Vec<Token>) {
    let initials = word.split('.').all(|p| p.chars().count() <= 1);
    let number = word.chars().all(|c| c.is_ascii_digit() || c == '.');
    if !word.contains('.') || initials || number {
        let term = fold(word);
        if !term.is_empty() {
            out.push(Token {
                term,
                start,
                end: start + word.len(),
            });
        }
        return;
    }
    let mut at = start;
    for piece in word.split('.') {
        if !piece.is_empty() {
            let term = fold(piece);
            if !term.is_empty() {
                out.push(Token {
                    term,
                    start: at,
                    end: at + piece.len(),
                });
            }
        }
        at += piece.len() + 1;
    }
}

/// The normalized terms of `text`, in order: [`tokens`] without the offsets.
pub fn terms(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.term).collect()
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{FF07}')
}

/// Normalizes one word: NFKD, diacritics folding, lower-casing, NFC (see [`fold_char`]); dots
/// dropped unless the word is a number; cut to [`MAX_TERM_BYTES`].
pub fn fold(word: &str) -> String {
    let mut term = String::with_capacity(word.len());
    for c in word.chars() {
        fold_char(c, &mut term);
    }
    if term.contains('.') && !term.chars().all(|c| c.is_ascii_digit() || c == '.') {
        term.retain(|c| c != '.');
    }
    truncate_to_boundary(&mut term, MAX_TERM_BYTES);
    term
}

include!(concat!(env!("OUT_DIR"), "/fold_table.rs"));

/// Appends the folded form of `c`: `NFC(lowercase(NFKD(c) without accents and invisibles))`, with
/// `ß` → `ss`, `ø` → `o` and the like. The definition is `fold_rules.rs`; `build.rs` compiles it
/// into a table of the characters where it differs from lower-casing.
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let table = fold_table();
    match table.binary_search_by_key(&u32::from(c), |&(key, _)| key) {
        Ok(i) => {
            let start = if i == 0 { 0 } else { table[i - 1].1 };
            out.push_str(&FOLD_DATA[usize::from(start)..usize::from(table[i].1)]);
        }
        Err(_) => lower_char(c, out),
    }
}

/// Appends the lower case of `c`, as `char::to_lowercase` gives it, from the analyzer's own
/// table (see `build.rs`): the standard library's would add about 5 KB to the gzipped wasm module.
pub(crate) fn lower_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let table = lower_table();
    match table.binary_search_by_key(&u32::from(c), |&(key, _)| key) {
        Ok(i) => match LOWER_LONG.iter().find(|(long, _)| *long == c) {
            Some((_, lower)) => out.push_str(lower),
            // build.rs wrote only code points, so this holds one.
            None => out.push(char::from_u32(table[i].1).unwrap_or(c)),
        },
        Err(_) => out.push(c),
    }
}

/// `(code point, its lower case's first character)` for every code point of `LOWER_CODES`,
/// decoded on first use.
fn lower_table() -> &'static [(u32, u32)] {
    static TABLE: OnceLock<Vec<(u32, u32)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut codes = Cursor::new(&LOWER_CODES, "lower-case table");
        let mut table = Vec::with_capacity(LOWER_CODES.len() / 2);
        let mut key = 0u32;
        while codes.remaining() > 0 {
            // build.rs writes whole entries of code points, so these reads cannot fail and the
            // sums stay in range.
            key += codes.varint32().expect("a lower-case table gap");
            let zigzag = codes.varint32().expect("a lower-case table distance");
            let delta = (zigzag >> 1) as i64 ^ -((zigzag & 1) as i64);
            table.push((key, (i64::from(key) + delta) as u32));
        }
        table
    })
}

/// `(code point, where its folded text ends in FOLD_DATA)` for every code point of
/// `FOLD_CODES`, decoded on first use.
fn fold_table() -> &'static [(u32, u16)] {
    static TABLE: OnceLock<Vec<(u32, u16)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut codes = Cursor::new(&FOLD_CODES, "fold table");
        let mut table = Vec::with_capacity(FOLD_CODES.len() / 2);
        let (mut key, mut end) = (0u32, 0u16);
        while codes.remaining() > 0 {
            // build.rs writes whole entries, so these reads cannot fail.
            key += codes.varint32().expect("a fold table gap");
            end += u16::from(codes.take(1).expect("a fold table length")[0]);
            table.push((key, end));
        }
        table
    })
}

fn truncate_to_boundary(term: &mut String, max: usize) {
    if term.len() > max {
        let mut cut = max;
        while !term.is_char_boundary(cut) {
            cut -= 1;
        }
        term.truncate(cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod rules {
        use unicode_normalization::UnicodeNormalization;
        include!("fold_rules.rs");
    }

    #[test]
    fn the_fold_table_matches_the_rules_for_every_code_point() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut folded = String::new();
            fold_char(c, &mut folded);
            assert_eq!(folded, rules::reference_fold(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn the_lower_case_table_matches_the_standard_library_for_every_code_point() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut lower = String::new();
            lower_char(c, &mut lower);
            assert_eq!(
                lower,
                c.to_lowercase().collect::<String>(),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn case_and_diacritics_fold_to_the_same_term() {
        for spelling in [
            "sarybay",
            "SARYBAY",
            "Sarybáy",
            "Sarybay",
            "SARYBÁY",
            "Sary\u{00AD}bay",
        ] {
            assert_eq!(terms(spelling), ["sarybay"], "{spelling}");
        }
        // Decomposed input (non-NFC) folds like the composed one.
        assert_eq!(terms("Sarybe\u{0301}y"), terms("Sarybéy"));
    }

    #[test]
    fn offsets_point_at_the_original_words() {
        let text = "Ambassador Kairat  Sarybáy's address";
        let toks = tokens(text);
        let words: Vec<&str> = toks.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(words, ["Ambassador", "Kairat", "Sarybáy", "address"]);
        assert_eq!(toks[2].term, "sarybay");
    }

    #[test]
    fn apostrophes_split_and_drop_the_possessive() {
        assert_eq!(
            terms("CICA’s role in l'Asie"),
            ["cica", "role", "in", "l", "asie"]
        );
    }

    #[test]
    fn dots_fold_out_of_acronyms_but_not_numbers() {
        assert_eq!(
            terms("the U.S. grew 3.5 percent"),
            ["the", "us", "grew", "3.5", "percent"]
        );
    }

    #[test]
    fn dotted_names_split_but_initials_and_numbers_do_not() {
        assert_eq!(
            terms("Hydra.sci and BusinessIncome.net"),
            ["hydra", "sci", "and", "businessincome", "net"]
        );
        assert_eq!(terms("e.g. U.S. 3.5 v2.0"), ["eg", "us", "3.5", "v2", "0"]);
        let text = "see Hydra.sci";
        let toks = tokens(text);
        assert_eq!(&text[toks[2].start..toks[2].end], "sci");
    }

    #[test]
    fn punctuation_and_symbols_are_not_terms() {
        assert!(terms(" -- ... !!! «» ").is_empty());
        assert_eq!(terms("COVID-19 (SCO)"), ["covid", "19", "sco"]);
    }

    #[test]
    fn other_scripts_keep_their_letters() {
        assert_eq!(terms("Всеобщая ДЕКЛАРАЦИЯ"), ["всеобщая", "декларация"]);
        assert_eq!(terms("Ελληνικά"), ["ελληνικα"]);
        assert_eq!(terms("Straße Ørsted"), ["strasse", "orsted"]);
        // Devanagari vowel signs are letters, not accents: they stay.
        assert_eq!(terms("मानव"), ["मानव"]);
        // Han ideographs segment one by one under UAX #29.
        assert_eq!(terms("人人生而自由").len(), 6);
    }

    #[test]
    fn long_words_are_cut_on_a_char_boundary() {
        let long = "é".repeat(100);
        let t = terms(&long);
        assert_eq!(t.len(), 1);
        assert!(t[0].len() <= MAX_TERM_BYTES);
        assert_eq!(t[0], "e".repeat(MAX_TERM_BYTES));
        let cyr = "ж".repeat(100);
        assert!(terms(&cyr)[0].len() <= MAX_TERM_BYTES);
    }
}
