//! Generates the analyzer's character tables: the folding table, from the Unicode data of the
//! `unicode-normalization` crate, so the engine (and its wasm module) carries only the ~6,000
//! characters whose folding differs from plain lower-casing instead of every normalization table;
//! and the lower-casing table, so the wasm module does not carry the standard library's (a
//! `to_lowercase` that search can reach brings 11 KB of it, about 5 KB gzipped, where this one
//! takes about 0.5 KB; the acronym learner, which only the builder runs, still uses the
//! standard library's).

use std::fmt::Write as _;
use std::path::PathBuf;

use unicode_normalization::UnicodeNormalization;

include!("src/analyze/fold_rules.rs");

/// Appends `value` as LEB128, as `format::put_varint` writes it (a build script cannot call the
/// crate it builds); the engine reads it back with `format::Cursor`.
fn put_varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value & 0x7F) as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Rust source for a byte array static.
fn byte_array(name: &str, bytes: &[u8]) -> String {
    let mut listed = String::new();
    for byte in bytes {
        let _ = write!(listed, "{byte},");
    }
    format!("static {name}: [u8; {}] = [{listed}];\n", bytes.len())
}

/// The lower-casing table: per non-ASCII code point whose lower case is not itself, in
/// increasing order, its distance from the previous one (LEB128) and the zigzag-coded distance
/// from it to its lower case's first character (LEB128). The few code points whose lower case
/// has more characters (only `İ`, which lower-cases to `i` and a combining dot) are listed
/// whole in `LOWER_LONG`.
fn lower_table() -> String {
    let mut codes = Vec::new();
    let mut long = String::new();
    let mut previous = 0;
    for c in (0x80..=0x10FFFFu32).filter_map(char::from_u32) {
        let lower: Vec<char> = c.to_lowercase().collect();
        if lower == [c] {
            continue;
        }
        put_varint(&mut codes, u32::from(c) - previous);
        previous = u32::from(c);
        let delta = i64::from(u32::from(lower[0])) - i64::from(u32::from(c));
        let zigzag = u32::try_from((delta << 1) ^ (delta >> 63)).expect("code points are 21 bits");
        put_varint(&mut codes, zigzag);
        if lower.len() > 1 {
            let _ = write!(long, "({c:?}, {:?}),", lower.iter().collect::<String>());
        }
    }
    format!(
        "/// The code points whose lower case is not themselves (ASCII aside), in increasing order:\n\
         /// per code point, its distance from the previous one and the zigzag distance to its lower\n\
         /// case's first character, both LEB128. Decoded once, on first use, by `lower_table`.\n\
         {}\
         /// The code points whose lower case is more than one character, with it.\n\
         static LOWER_LONG: &[(char, &str)] = &[{long}];\n",
        byte_array("LOWER_CODES", &codes)
    )
}

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
            put_varint(&mut codes, u32::from(c) - previous);
            previous = u32::from(c);
            codes.push(u8::try_from(folded.len()).expect("a folded character is short"));
            data.push_str(&folded);
        }
    }
    assert!(
        u16::try_from(data.len()).is_ok(),
        "the fold table's data fits in 64 KiB"
    );
    let table = format!(
        "/// The code points whose folding differs from lower-casing, in increasing order: per\n\
         /// code point, its distance from the previous one (LEB128) and the length of its folded\n\
         /// text in [`FOLD_DATA`]. Decoded once, on first use, by `fold_table`.\n\
         {}\
         /// The folded texts, back to back.\n\
         static FOLD_DATA: &str = {data:?};\n\
         {}",
        byte_array("FOLD_CODES", &codes),
        lower_table()
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("fold_table.rs");
    std::fs::write(&out, table).expect("OUT_DIR is writable");
}
