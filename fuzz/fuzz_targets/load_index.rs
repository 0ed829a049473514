//! The index loader on untrusted bytes: `Index::from_bytes` must give an `Err` or an index that
//! answers searches, never a panic. Bytes from the network are untrusted, and a damaged or crafted
//! file can carry a valid checksum, so the first input byte chooses whether the checksum is
//! repaired before loading: that lets the fuzzer reach the structural checks behind it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pressroom::{Index, SearchOptions};

/// Where the container header keeps its CRC-32, and what it covers (FORMAT.md, "Header").
const CRC_AT: usize = 16;
const CRC_FROM: usize = 20;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, bytes)) = data.split_first() else {
        return;
    };
    let mut bytes = bytes.to_vec();
    if mode & 1 == 1 && bytes.len() >= CRC_FROM {
        let crc = crc32(&bytes[CRC_FROM..]);
        bytes[CRC_AT..CRC_FROM].copy_from_slice(&crc.to_le_bytes());
    }
    let Ok(index) = Index::from_bytes(bytes) else {
        return;
    };
    let _ = index.len();
    let mut options = SearchOptions::default();
    for query in [
        "a",
        "sec",
        "security ",
        "\"eurasian security\"",
        "-minsk sary",
        "title:cica OR forum",
        "eurasain",
    ] {
        if let Ok(results) = index.search(query, &options) {
            assert!(results.hits.len() <= results.total);
        }
    }
    options.sort = pressroom::Sort::Date;
    options.filters.years = vec![2023];
    let _ = index.search("", &options);
});

/// CRC-32 (IEEE), bitwise: the fuzz crate keeps its dependencies to the engine and libFuzzer.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
