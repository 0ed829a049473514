// The definition of character folding, shared by `build.rs` (which turns it into the compact
// table the analyzer uses at run time) and the analyzer's tests (which check the table against
// it for every code point). It needs `unicode_normalization` in scope.
//
// fold(c) = NFC(lowercase(NFKD(c) without accents and invisible characters)), plus a few letters
// that do not decompose. Running the full normalization in the browser would cost more than 60 KB
// of gzipped wasm; the table holds only the ~6,000 characters where folding differs from plain
// lower-casing.

/// Folds one character: compatibility decomposition, accents and invisibles dropped,
/// lower-cased, a few special letters spelled out, recomposed.
pub fn reference_fold(c: char) -> String {
    let mut folded = String::new();
    for d in std::iter::once(c).nfkd() {
        if is_foldable_mark(d) || is_invisible(d) {
            continue;
        }
        for lower in d.to_lowercase() {
            match lower {
                'ß' => folded.push_str("ss"),
                'æ' => folded.push_str("ae"),
                'œ' => folded.push_str("oe"),
                'ø' => folded.push('o'),
                'đ' | 'ð' => folded.push('d'),
                'ł' => folded.push('l'),
                'ı' => folded.push('i'),
                'þ' => folded.push_str("th"),
                // Final sigma and sigma are one letter.
                'ς' => folded.push('σ'),
                other => folded.push(other),
            }
        }
    }
    folded.nfc().collect()
}

/// Combining marks that are accents on a base letter rather than letters of their own: those of
/// Latin, Greek and Cyrillic, Hebrew points and Arabic vowel marks. Marks that are letters in
/// their own right (Devanagari vowel signs, Thai) are kept.
pub fn is_foldable_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'   // combining diacritical marks (Latin, Greek, Cyrillic)
        | '\u{1AB0}'..='\u{1AFF}' // combining diacritical marks extended
        | '\u{1DC0}'..='\u{1DFF}' // combining diacritical marks supplement
        | '\u{20D0}'..='\u{20FF}' // combining marks for symbols
        | '\u{FE20}'..='\u{FE2F}' // combining half marks
        | '\u{0591}'..='\u{05BD}' | '\u{05BF}' | '\u{05C1}' | '\u{05C2}' | '\u{05C4}' | '\u{05C5}' | '\u{05C7}' // Hebrew points
        | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' // Arabic marks, tatweel
    )
}

/// Characters that change nothing a reader sees: soft hyphens, zero-width joiners, BOMs.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}
