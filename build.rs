//! Generates the analyzer's character tables: the folding table, from the Unicode data of the
//! `unicode-normalization` crate, so the engine (and its wasm module) carries only the ~6,000
//! characters whose folding differs from plain lower-casing instead of every normalization table
//! (and of those, only the common scripts': the rest is `pressroom_engine_fold_<hash>.bin`, which
//! the browser fetches the first time a search meets such a character; see `CORE_FOLD_RANGES`);
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

/// The code points whose folding the engine always carries (`CORE_FOLD_RANGES`, half-open): the
/// scripts below U+0800 (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic and their accents),
/// Latin Extended Additional (Vietnamese), General Punctuation and the Latin ligatures `ﬁ` `ﬂ`.
/// Every other folding (fullwidth forms, CJK compatibility ideographs, Arabic presentation forms,
/// mathematical letters and the like: about 9 KB of the gzipped module) goes in the extended
/// table, which the browser fetches the first time a search meets such a character.
const CORE_FOLD_RANGES: &[(u32, u32)] = &[(0x80, 0x800), (0x1E00, 0x2070), (0xFB00, 0xFB07)];

/// One folding table: per code point whose folding differs from lower-casing, in increasing
/// order, its distance from the previous one (LEB128, as `format::put_varint` writes it: a
/// build script cannot call the crate it builds) and the length of its folded text (one byte);
/// and the folded texts back to back. Mostly 1s, the codes compress to ~1 KB where two plain
/// arrays took ~20 KB gzipped.
#[derive(Default)]
struct FoldTable {
    codes: Vec<u8>,
    data: String,
    previous: u32,
}

impl FoldTable {
    fn push(&mut self, c: char, folded: &str) {
        put_varint(&mut self.codes, u32::from(c) - self.previous);
        self.previous = u32::from(c);
        self.codes
            .push(u8::try_from(folded.len()).expect("a folded character is short"));
        self.data.push_str(folded);
        assert!(
            u16::try_from(self.data.len()).is_ok(),
            "a fold table's data fits in 64 KiB"
        );
    }
}

/// FNV-1a, 64 bits: names the extended table's file and lets the engine check what it was
/// served (the engine computes it too, with no table to carry, unlike a CRC).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3)
    })
}

fn main() {
    println!("cargo:rerun-if-changed=src/analyze/fold_rules.rs");
    println!("cargo:rerun-if-changed=build.rs");
    let (mut core, mut extended) = (FoldTable::default(), FoldTable::default());
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let folded = reference_fold(c);
        if folded == c.to_lowercase().collect::<String>() {
            continue;
        }
        let code = u32::from(c);
        if CORE_FOLD_RANGES
            .iter()
            .any(|&(start, end)| (start..end).contains(&code))
        {
            core.push(c, &folded);
        } else {
            extended.push(c, &folded);
        }
    }
    // The extended table as a file: u32 LE length of the codes | codes | data. Named by its
    // FNV-1a hash, so hosts may cache it forever and an engine never reads another engine's table.
    let mut raw = u32::try_from(extended.codes.len())
        .expect("the codes are short")
        .to_le_bytes()
        .to_vec();
    raw.extend_from_slice(&extended.codes);
    raw.extend_from_slice(extended.data.as_bytes());
    let hash = fnv1a(&raw);
    let gzip = {
        use std::io::Write as _;
        let mut encoder = flate2::GzBuilder::new()
            .mtime(0)
            .operating_system(255)
            .write(Vec::new(), flate2::Compression::best());
        encoder.write_all(&raw).expect("writing into a Vec");
        encoder.finish().expect("writing into a Vec")
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("fold_extended.bin"), &raw).expect("OUT_DIR is writable");
    std::fs::write(out.join("fold_extended.bin.gz"), &gzip).expect("OUT_DIR is writable");
    let ranges: String = CORE_FOLD_RANGES
        .iter()
        .map(|(start, end)| format!("({start:#X}, {end:#X}),"))
        .collect();
    let table = format!(
        "/// The code points below which, from 0x80, [`FOLD_CODES`] holds every folding that\n\
         /// differs from lower-casing (half-open ranges); the others are in the extended table.\n\
         const CORE_FOLD_RANGES: &[(u32, u32)] = &[{ranges}];\n\
         /// The code points of [`CORE_FOLD_RANGES`] whose folding differs from lower-casing, in\n\
         /// increasing order: per code point, its distance from the previous one (LEB128) and the\n\
         /// length of its folded text in [`FOLD_DATA`]. Decoded once, on first use.\n\
         {}\
         /// The folded texts, back to back.\n\
         static FOLD_DATA: &str = {:?};\n\
         /// The file that holds the extended folding table (gzip), next to the engine's files.\n\
         pub const EXTENDED_FOLD_FILE: &str = \"pressroom_engine_fold_{hash:016x}.bin\";\n\
         /// The length of [`EXTENDED_FOLD_FILE`] in bytes.\n\
         pub const EXTENDED_FOLD_FILE_LEN: u64 = {};\n\
         /// The FNV-1a hash of the extended table, inflated.\n\
         const EXTENDED_FOLD_HASH: u64 = {hash:#018X};\n\
         {}",
        byte_array("FOLD_CODES", &core.codes),
        core.data,
        gzip.len(),
        lower_table()
    );
    std::fs::write(out.join("fold_table.rs"), table).expect("OUT_DIR is writable");
}
