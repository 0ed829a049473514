//! Hostile bytes and hostile strings: a damaged or crafted index gives an error or an index that
//! still answers, and any query string gives results or an empty list. Never a panic.
//!
//! Only the public API is used (`IndexWriter`, `Index::from_bytes`, `search`), so these tests
//! hold whatever the format looks like inside.
#![cfg(not(target_arch = "wasm32"))]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use pressroom::{Date, Index, IndexWriter, Release, SearchOptions, SearchResults, Sort};
use proptest::prelude::*;

/// The releases of `tests/fixtures/releases/wire.jsonl`: eight real wire-service releases, about
/// 1,000 characters each, read with the public `Release` type.
fn wire_releases() -> Vec<Release> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/releases/wire.jsonl");
    let text = std::fs::read_to_string(&path).expect("the wire fixture exists");
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("the fixture is JSON");
            let field = |name: &str| v[name].as_str().unwrap_or_default().to_owned();
            Release {
                url: field("url"),
                title: field("title"),
                date: Date::parse_iso(&field("date")),
                categories: match &v["category"] {
                    serde_json::Value::String(c) => vec![c.clone()],
                    serde_json::Value::Array(cs) => cs
                        .iter()
                        .filter_map(|c| c.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                },
                lang: v["lang"].as_str().map(str::to_owned),
                body: field("body"),
            }
        })
        .collect()
}

/// The fixture index, uncompressed, as `IndexWriter::finish` writes it: the first four wire
/// releases, about 15 KB, so that damaging every byte of it takes seconds.
fn fixture_index() -> Vec<u8> {
    let mut writer = IndexWriter::new();
    for release in wire_releases().into_iter().take(4) {
        writer.add(release).unwrap();
    }
    writer.finish().unwrap()
}

/// Queries a damaged index must still answer. Words of fewer than five letters keep the typo
/// automata out of it, so that a hundred thousand damaged indexes load and search in seconds; the
/// typo path has its own test on the undamaged index and its own fuzz target.
const PROBES: [&str; 6] = [
    "the",
    "awar",
    "\"of the\"",
    "-and new",
    "title:for OR bio",
    "",
];

/// Loads `bytes` and, when that succeeds, runs the probes. `Err(message)` when something
/// panicked; a load or search error is a correct answer to damage.
fn load_and_search(bytes: Vec<u8>) -> Result<bool, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let Ok(index) = Index::from_bytes(bytes) else {
            return false;
        };
        let mut options = SearchOptions::default();
        for query in PROBES {
            if let Ok(results) = index.search(query, &options) {
                assert!(results.hits.len() <= results.total);
                assert!(results.hits.len() <= options.limit);
            }
        }
        options.sort = Sort::Date;
        options.filters.years = vec![2025];
        let _ = index.search("", &options);
        true
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// The container's CRC-32 sits at bytes 16..20 and covers 20.. (FORMAT.md, "Header"). Damage with
/// a repaired checksum stands for a buggy writer or a crafted file: only the structural checks
/// behind the checksum stand between it and the search code.
fn repair_checksum(bytes: &mut [u8]) {
    if bytes.len() >= 20 {
        let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(&bytes[20..]);
        bytes[16..20].copy_from_slice(&crc.to_le_bytes());
    }
}

fn assert_no_panics(what: &str, panics: Vec<(usize, String)>) {
    assert!(
        panics.is_empty(),
        "{} {what} panicked, first: {:?}",
        panics.len(),
        &panics[..panics.len().min(5)]
    );
}

#[test]
fn the_undamaged_fixture_index_answers_the_probes() {
    let raw = fixture_index();
    assert_eq!(load_and_search(raw.clone()), Ok(true));
    let index = Index::from_bytes(raw).unwrap();
    assert_eq!(index.len(), 4);
    for query in PROBES {
        index.search(query, &SearchOptions::default()).unwrap();
    }
    assert!(
        index
            .search("the", &SearchOptions::default())
            .unwrap()
            .total
            > 0
    );
}

#[test]
fn every_truncation_of_an_index_is_an_error_never_a_panic() {
    let raw = fixture_index();
    let mut panics = Vec::new();
    for cut in 0..raw.len() {
        for repair in [false, true] {
            let mut bytes = raw[..cut].to_vec();
            if repair {
                repair_checksum(&mut bytes);
            }
            match load_and_search(bytes) {
                Ok(false) => {}
                Ok(true) => panic!("a cut at {cut} of {} loaded (repair {repair})", raw.len()),
                Err(message) => panics.push((cut, message)),
            }
        }
    }
    assert_no_panics("truncations", panics);
}

#[test]
fn every_flipped_byte_is_an_error_or_an_index_that_still_answers() {
    let raw = fixture_index();
    let mut panics = Vec::new();
    let mut loaded = 0;
    for at in 0..raw.len() {
        // Without repair the checksum must catch every flip.
        let mut bytes = raw.clone();
        bytes[at] ^= 0x55;
        match load_and_search(bytes) {
            Ok(false) => {}
            Ok(true) => panic!("flipping byte {at} went unnoticed by the checksum"),
            Err(message) => panics.push((at, message)),
        }
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bytes = raw.clone();
            bytes[at] ^= flip;
            repair_checksum(&mut bytes);
            match load_and_search(bytes) {
                Ok(true) => loaded += 1,
                Ok(false) => {}
                Err(message) => panics.push((at, message)),
            }
        }
    }
    assert_no_panics("flipped bytes", panics);
    // Some damage behind a valid checksum is undetectable (a letter of a title): those indexes
    // load and must answer. If none loads, the probes above never ran on damaged data.
    assert!(
        loaded > 0,
        "no damaged index loaded: the search half was never exercised"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Several bytes damaged at once, optionally truncated, with the checksum repaired: the
    /// damage reaches the structural checks together, where single flips test them one by one.
    #[test]
    fn random_damage_behind_a_valid_checksum_never_panics(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = raw_fixture().to_vec();
        for (at, mask) in flips {
            let at = at.index(bytes.len());
            bytes[at] ^= mask;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        repair_checksum(&mut bytes);
        prop_assert!(load_and_search(bytes).is_ok());
    }
}

fn raw_fixture() -> &'static [u8] {
    static RAW: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    RAW.get_or_init(fixture_index)
}

// --- Queries ---------------------------------------------------------------------------------

fn search(index: &Index, query: &str) -> SearchResults {
    index
        .search(query, &SearchOptions::default())
        .unwrap_or_else(|e| panic!("{:.60?} gave an error: {e}", query))
}

#[test]
fn any_query_string_gives_results_or_an_empty_list() {
    let index = Index::from_bytes(raw_fixture().to_vec()).unwrap();
    // A JavaScript string with a lone surrogate reaches the engine as UTF-8 with U+FFFD in its
    // place (TextEncoder's rule); Rust has no other way to hold it.
    let lone_surrogate = String::from_utf16_lossy(&[0xD83D, u16::from(b'a'), 0xDC00]);
    let megabyte = "documentary ".repeat(90_000);
    let megabyte_one_word = "x".repeat(1 << 20);
    let punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".repeat(10);
    let hostile: Vec<(&str, &str)> = vec![
        ("empty", ""),
        ("spaces", "   \t\n  "),
        ("punctuation only", &punctuation),
        ("stop words only", "the of and a to in"),
        ("emoji", "🐎🐎 👩‍👩‍👧‍👦 🇺🇸"),
        ("emoji and a word", "🐎 horses"),
        ("RTL", "الأمن والطاقة"),
        ("RTL override", "\u{202e}sesroh\u{202c}"),
        ("lone surrogates", &lone_surrogate),
        ("unclosed quote", "\"horses heal"),
        ("lone quote", "\""),
        ("quotes only", "\"\"\"\"\""),
        ("dashes", "- - -"),
        ("dash words", "-- -horses -\"\" -"),
        ("dangling OR", "OR OR OR"),
        ("empty field", "title: title:\"\""),
        ("control characters", "\0\u{1}\u{1b}[31m\u{7f}"),
        ("combining marks", "a\u{0301}\u{0301}\u{0301}\u{0301}"),
        ("zero-width", "\u{200b}\u{200d}\u{feff}"),
        ("CJK run", "北京会议开幕亚洲相互协作"),
        (
            "HTML",
            "<script>alert(1)</script> <img src=x onerror=alert(1)>",
        ),
        ("1 MB of words", &megabyte),
        ("1 MB word", &megabyte_one_word),
    ];
    for (what, query) in &hostile {
        let results = search(&index, query);
        assert!(results.hits.len() <= results.total, "{what}");
        for hit in &results.hits {
            assert!(hit.score.is_finite(), "{what}: score {}", hit.score);
        }
    }
    assert!(
        search(&index, &megabyte).truncated,
        "a 1 MB query says it was cut"
    );
    assert!(search(&index, &megabyte_one_word).truncated);
    assert!(
        search(&index, &megabyte).total > 0,
        "its first words still search"
    );
    assert!(
        search(&index, "🐎 horses").total > 0,
        "an emoji does not stop a word"
    );
    assert!(search(&index, "\"horses heal").total > 0);
    assert!(!search(&index, "horses heal").truncated);
}

#[test]
fn a_megabyte_query_is_answered_quickly() {
    let index = Index::from_bytes(raw_fixture().to_vec()).unwrap();
    // Warm up the typo automata, which are built once per index.
    search(&index, "documentary");
    for query in [
        "documentary ".repeat(90_000),
        "\"".repeat(1 << 20),
        "-".repeat(1 << 20),
        "é".repeat(1 << 19),
    ] {
        let started = std::time::Instant::now();
        let results = search(&index, &query);
        assert!(results.truncated);
        let took = started.elapsed();
        // Generous for a debug build on a busy machine; an unbounded query takes far longer.
        assert!(took.as_secs_f64() < 2.0, "{:.20?}…: {took:?}", query);
    }
}

/// Regression: the fst crate trusts the structure of an fst whose own checksum is valid, and the
/// load_index fuzz target forged one (libFuzzer copies the compared CRC-32C into the input) that
/// panicked inside `fst` while `Index::from_bytes` streamed the terms. Random damage cannot get
/// past two checksums, so this crafts the files: each byte of the TERMS section set to a few
/// values, with both checksums recomputed. `src/fst_check.rs` now rejects what would panic.
#[test]
fn a_crafted_fst_with_valid_checksums_is_an_error_not_a_panic() {
    let raw = raw_fixture();
    // FORMAT.md version 1: a table of (id u32, offset u64, length u64) from byte 20; TERMS is 2.
    let sections = u32::from_le_bytes(raw[12..16].try_into().unwrap()) as usize;
    let (start, len) = (0..sections)
        .map(|i| &raw[20 + 20 * i..40 + 20 * i])
        .find(|entry| u32::from_le_bytes(entry[..4].try_into().unwrap()) == 2)
        .map(|e| {
            let offset = u64::from_le_bytes(e[4..12].try_into().unwrap()) as usize;
            let length = u64::from_le_bytes(e[12..20].try_into().unwrap()) as usize;
            (offset, length)
        })
        .expect("a TERMS section");
    let mut panics = Vec::new();
    for at in start..start + len - 4 {
        for value in [0x00u8, 0x2c, 0xff] {
            let mut bytes = raw.to_vec();
            if bytes[at] == value {
                continue;
            }
            bytes[at] = value;
            // The fst's own checksum: CRC-32C of all but its last 4 bytes, masked as fst does.
            let fst = &mut bytes[start..start + len];
            let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI).checksum(&fst[..len - 4]);
            let masked = crc.rotate_right(15).wrapping_add(0xa282_ead8);
            fst[len - 4..].copy_from_slice(&masked.to_le_bytes());
            repair_checksum(&mut bytes);
            if let Err(message) = load_and_search(bytes) {
                panics.push((at - start, message));
            }
        }
    }
    assert_no_panics("crafted fsts", panics);
}
