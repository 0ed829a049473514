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
    let mut keys = String::new();
    let mut ends = String::new();
    let mut data = String::new();
    let mut count = 0;
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let folded = reference_fold(c);
        if folded != c.to_lowercase().collect::<String>() {
            data.push_str(&folded);
            let end = u16::try_from(data.len()).expect("the fold table's data fits in 64 KiB");
            let _ = write!(keys, "{},", u32::from(c));
            let _ = write!(ends, "{end},");
            count += 1;
        }
    }
    let table = format!(
        "/// Code points whose folding differs from lower-casing, in increasing order.\n\
         static FOLD_KEYS: [u32; {count}] = [{keys}];\n\
         /// Where each key's folded text ends in [`FOLD_DATA`] (it starts where the previous ends).\n\
         static FOLD_ENDS: [u16; {count}] = [{ends}];\n\
         /// The folded texts, back to back.\n\
         static FOLD_DATA: &str = {data:?};\n"
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("fold_table.rs");
    std::fs::write(&out, table).expect("OUT_DIR is writable");
}
