//! Generates the analyzer's character-folding table from the Unicode data of the
//! `unicode-normalization` crate, so the engine (and its wasm module) carries only the ~6,000
//! characters whose folding differs from plain lower-casing instead of every normalization table.

use std::fmt::Write as _;
use std::path::PathBuf;

use unicode_normalization::UnicodeNormalization;

include!("src/analyze/fold_rules.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/analyze/fold_rules.rs");
    println!("cargo:rerun-if-changed=build.rs");
    // Per key: the distance from the previous key (LEB128, as `format::put_varint` writes it:
    // a build script cannot call the crate it builds), then the length of its folded text
    // (one byte), read back with `format::Cursor`. Mostly 1s, this compresses to ~1 KB where two plain arrays took ~20 KB gzipped.
    let mut codes = Vec::new();
    let mut data = String::new();
    let mut previous = 0;
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let folded = reference_fold(c);
        if folded != c.to_lowercase().collect::<String>() {
            let mut gap = u32::from(c) - previous;
            previous = u32::from(c);
            while gap >= 0x80 {
                codes.push((gap & 0x7F) as u8 | 0x80);
                gap >>= 7;
            }
            codes.push(gap as u8);
            codes.push(u8::try_from(folded.len()).expect("a folded character is short"));
            data.push_str(&folded);
        }
    }
    assert!(
        u16::try_from(data.len()).is_ok(),
        "the fold table's data fits in 64 KiB"
    );
    let mut listed = String::new();
    for byte in &codes {
        let _ = write!(listed, "{byte},");
    }
    let table = format!(
        "/// The code points whose folding differs from lower-casing, in increasing order: per\n\
         /// code point, its distance from the previous one (LEB128) and the length of its folded\n\
         /// text in [`FOLD_DATA`]. Decoded once, on first use, by `fold_table`.\n\
         static FOLD_CODES: [u8; {}] = [{listed}];\n\
         /// The folded texts, back to back.\n\
         static FOLD_DATA: &str = {data:?};\n",
        codes.len()
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("fold_table.rs");
    std::fs::write(&out, table).expect("OUT_DIR is writable");
}
