//! Structural validation of the term dictionary's `fst` before anything traverses it.
//!
//! The `fst` crate trusts the bytes of an fst whose checksum is valid: its node decoding indexes
//! slices and asserts pack sizes, so a crafted fst with a correct CRC-32C (libFuzzer forged one in
//! minutes, see FUZZING.md) panics inside it, and in wasm a panic is a trap. This module walks
//! every node reachable from the root once and checks, against fst 0.4's node layout, that every
//! byte the crate will read lies inside the node, that pack sizes are what `unpack_uint` accepts,
//! that every transition points strictly below the node (so traversal ends), and that no sum of
//! outputs along a path overflows. After it, the crate's own traversal cannot go out of bounds.
//!
//! The layout mirrored here is `fst-0.4.7/src/raw/node.rs` (format version 3); the dependency
//! is pinned to 0.4.x in Cargo.toml. A node ends at its address (its state byte) and extends
//! towards lower addresses:
//!
//! ```text
//! OneTransNext: [input?] state                      child = the byte just below the node
//! OneTrans:     [output] trans-delta sizes [input?] state
//! AnyTrans:     [final output] outputs trans-deltas [index 256 B if > 32] inputs sizes [ntrans?] state
//! ```

/// The fst format version the crate writes and this check knows.
const VERSION: u64 = 3;
/// Version and type, before the first node.
const HEADER: usize = 16;
/// Key count and root address, then the checksum, after the last node.
const FOOTER: usize = 20;
/// The address of the empty final node, which has no bytes.
const EMPTY_ADDRESS: usize = 0;
/// From this many transitions on, a node carries a 256-byte index of its inputs.
const TRANS_INDEX_THRESHOLD: usize = 32;

/// Checks the fst's own checksum, then its structure (`check`): after this, walking `bytes` as
/// an fst map cannot panic.
pub(crate) fn verify(bytes: &[u8]) -> Result<(), String> {
    verify_checksum(bytes)?;
    check(bytes)
}

/// The check of `fst::raw::Fst::verify`: the last 4 bytes are the CRC-32C (Castagnoli) of the
/// rest, masked as in the Snappy frame format. Done here because the crate computes it with
/// 16 KiB of tables that gzip cannot shrink, 16 KB of the engine's download; in wasm this uses a
/// 1 KiB table, as `format::checksum` does, and natively the 16-table variant.
fn verify_checksum(bytes: &[u8]) -> Result<(), String> {
    #[cfg(target_arch = "wasm32")]
    const CRC: crc::Crc<u32, crc::Table<1>> =
        crc::Crc::<u32, crc::Table<1>>::new(&crc::CRC_32_ISCSI);
    #[cfg(not(target_arch = "wasm32"))]
    const CRC: crc::Crc<u32, crc::Table<16>> =
        crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISCSI);
    let Some(body) = bytes.len().checked_sub(4).map(|end| &bytes[..end]) else {
        return Err(format!("{} bytes is too short for an fst", bytes.len()));
    };
    let expected = read_uint(&bytes[body.len()..]) as u32;
    let got = CRC
        .checksum(body)
        .rotate_right(15)
        .wrapping_add(0xa282_ead8);
    if got != expected {
        return Err(format!(
            "fst checksum mismatch: expected {expected:#010x}, got {got:#010x}"
        ));
    }
    Ok(())
}

/// Checks `bytes`, an fst map whose checksum has already been verified.
pub(crate) fn check(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() < HEADER + FOOTER {
        return Err(format!("{} bytes is too short for an fst", bytes.len()));
    }
    let version = read_u64(&bytes[..8]);
    if version != VERSION {
        return Err(format!("fst version {version}, expected {VERSION}"));
    }
    let end = bytes.len() - FOOTER;
    let root = usize::try_from(read_u64(&bytes[end + 8..end + 16]))
        .map_err(|_| "root address out of range".to_string())?;
    if root == EMPTY_ADDRESS {
        return if end == HEADER {
            Ok(())
        } else {
            Err("empty root in a non-empty fst".into())
        };
    }
    if root + 1 != end {
        return Err(format!("root address {root}, expected {}", end - 1));
    }
    // Nodes may only read bytes in HEADER..end.
    let data = &bytes[..end];
    let mut seen = vec![0u64; end.div_ceil(64)];
    let mut addrs = Vec::new();
    let mut stack = vec![root];
    while let Some(addr) = stack.pop() {
        let (word, bit) = (addr / 64, 1u64 << (addr % 64));
        if seen[word] & bit != 0 {
            continue;
        }
        seen[word] |= bit;
        let node = Node::decode(data, addr)?;
        for i in 0..node.ntrans {
            let (_, child) = node.transition(i)?;
            if child != EMPTY_ADDRESS {
                stack.push(child);
            }
        }
        addrs.push(addr);
    }
    // `fst` adds outputs along a path with `+`, which panics on overflow only where overflow
    // checks are on (debug builds, the fuzz targets); release builds wrap, harmlessly.
    if !cfg!(debug_assertions) {
        return Ok(());
    }
    // Children lie below their parents: in address order, each node's children come first, so
    // the largest output sum below each node is known when the node is reached.
    crate::sorting::sort(&mut addrs);
    let mut max_below = Vec::with_capacity(addrs.len());
    for &addr in &addrs {
        let node = Node::decode(data, addr)?;
        let mut max = node.final_output;
        for i in 0..node.ntrans {
            let (output, child) = node.transition(i)?;
            let below = match addrs.binary_search(&child) {
                Ok(at) => max_below[at],
                Err(_) => 0, // the empty final node
            };
            let sum = output
                .checked_add(below)
                .ok_or_else(|| format!("outputs overflow below node {addr}"))?;
            max = max.max(sum);
        }
        max_below.push(max);
    }
    Ok(())
}

/// One node, decoded just enough to read its transitions without a read outside it.
struct Node<'a> {
    data: &'a [u8],
    addr: usize,
    final_output: u64,
    ntrans: usize,
    /// Bytes per transition address and per output.
    tsize: usize,
    osize: usize,
    /// Transition `i`'s address ends `i * tsize` below `trans_top`, its output `i * osize` below
    /// `out_top`.
    trans_top: usize,
    out_top: usize,
    /// The node's lowest byte, from which transition deltas count.
    end: usize,
    /// A OneTransNext node's child: the node just below it.
    next: Option<usize>,
}

impl<'a> Node<'a> {
    /// Decodes the node whose state byte is at `addr`, checking every read against `data`.
    fn decode(data: &'a [u8], addr: usize) -> Result<Node<'a>, String> {
        let bad = |what: &str| format!("node {addr}: {what}");
        if !(HEADER..data.len()).contains(&addr) {
            return Err(bad("address outside the nodes"));
        }
        let state = data[addr];
        // `n` bytes below the state byte, if that stays inside the nodes.
        let below = |n: usize| addr.checked_sub(n).filter(|&a| a >= HEADER);
        let input_len = |state: u8| usize::from(state & 0b0011_1111 == 0);
        let node = |ntrans, tsize, osize, trans_top, out_top, end, final_output, next| Node {
            data,
            addr,
            final_output,
            ntrans,
            tsize,
            osize,
            trans_top,
            out_top,
            end,
            next,
        };
        match state >> 6 {
            0b11 => {
                // OneTransNext: [input?] state; the child is the node written just before.
                let end = below(input_len(state)).ok_or_else(|| bad("truncated"))?;
                let child = end
                    .checked_sub(1)
                    .filter(|&c| c >= HEADER)
                    .ok_or_else(|| bad("no next node"))?;
                Ok(node(1, 0, 0, end, end, end, 0, Some(child)))
            }
            0b10 => {
                // OneTrans: [output] delta sizes [input?] state.
                let sizes_at = below(input_len(state) + 1).ok_or_else(|| bad("truncated"))?;
                let (tsize, osize) =
                    pack_sizes(data[sizes_at], 1).ok_or_else(|| bad("pack sizes"))?;
                let end = sizes_at
                    .checked_sub(tsize + osize)
                    .filter(|&e| e >= HEADER)
                    .ok_or_else(|| bad("truncated"))?;
                Ok(node(1, tsize, osize, sizes_at, end + osize, end, 0, None))
            }
            _ => {
                // AnyTrans: [final output] outputs deltas [index] inputs sizes [ntrans?] state.
                let is_final = state & 0b0100_0000 != 0;
                let (ntrans, ntrans_len) = match state & 0b0011_1111 {
                    0 => {
                        let at = below(1).ok_or_else(|| bad("truncated"))?;
                        match data[at] {
                            1 => (256, 1),
                            n => (usize::from(n), 1),
                        }
                    }
                    n => (usize::from(n), 0),
                };
                let sizes_at = below(ntrans_len + 1).ok_or_else(|| bad("truncated"))?;
                let (tsize, osize) =
                    pack_sizes(data[sizes_at], ntrans).ok_or_else(|| bad("pack sizes"))?;
                let index = if ntrans > TRANS_INDEX_THRESHOLD {
                    256
                } else {
                    0
                };
                let inputs_at = sizes_at
                    .checked_sub(index + ntrans)
                    .ok_or_else(|| bad("truncated"))?;
                let trans_at = inputs_at
                    .checked_sub(ntrans * tsize)
                    .ok_or_else(|| bad("truncated"))?;
                let outputs_at = trans_at
                    .checked_sub(ntrans * osize)
                    .ok_or_else(|| bad("truncated"))?;
                let final_osize = if is_final { osize } else { 0 };
                let end = outputs_at
                    .checked_sub(final_osize)
                    .filter(|&e| e >= HEADER)
                    .ok_or_else(|| bad("truncated"))?;
                let final_output = read_uint(&data[end..outputs_at]);
                Ok(node(
                    ntrans,
                    tsize,
                    osize,
                    inputs_at,
                    trans_at,
                    end,
                    final_output,
                    None,
                ))
            }
        }
    }

    /// Transition `i`'s output and child address; the child is the empty node or lies strictly
    /// below this node, so that every path ends.
    fn transition(&self, i: usize) -> Result<(u64, usize), String> {
        if let Some(child) = self.next {
            return Ok((0, child));
        }
        let t = self.trans_top - (i + 1) * self.tsize;
        let o = self.out_top - (i + 1) * self.osize;
        let child = delta(read_uint(&self.data[t..t + self.tsize]), self.end)
            .ok_or_else(|| format!("node {}: transition out of range", self.addr))?;
        Ok((read_uint(&self.data[o..o + self.osize]), child))
    }
}

/// (transition size, output size) from a sizes byte of a node with `transitions` transitions: a
/// transition takes 1 to 8 bytes and an output 0 to 8, as `unpack_uint` requires.
fn pack_sizes(byte: u8, transitions: usize) -> Option<(usize, usize)> {
    let (tsize, osize) = (usize::from(byte >> 4), usize::from(byte & 0x0f));
    let tsize_ok = (1..=8).contains(&tsize) || (tsize == 0 && transitions == 0);
    (tsize_ok && osize <= 8).then_some((tsize, osize))
}

/// The child a transition delta points to from a node whose lowest byte is `end`: the empty
/// node, or a node strictly below this one (so that every path ends).
fn delta(delta: u64, end: usize) -> Option<usize> {
    let delta = usize::try_from(delta).ok()?;
    if delta == EMPTY_ADDRESS {
        return Some(EMPTY_ADDRESS);
    }
    end.checked_sub(delta).filter(|&c| c >= HEADER && c < end)
}

fn read_uint(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0, |n, &b| (n << 8) | u64::from(b))
}

fn read_u64(bytes: &[u8]) -> u64 {
    read_uint(&bytes[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(keys: &[(Vec<u8>, u64)]) -> Vec<u8> {
        let mut builder = fst::MapBuilder::memory();
        for (k, v) in keys {
            builder.insert(k, *v).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn sample() -> Vec<u8> {
        let mut keys: Vec<(Vec<u8>, u64)> = ["abc", "abd", "b", "bbbbbbbb", "c"]
            .iter()
            .zip([7, 9, 0, u64::MAX >> 1, 1 << 40])
            .map(|(k, v)| (k.as_bytes().to_vec(), v))
            .collect();
        // A node with more than 32 transitions carries an index of its inputs; 256 is stored as 1.
        keys.extend((0..=255u8).map(|b| (vec![b'x', b], u64::from(b) * 1_000_003)));
        keys.sort();
        map(&keys)
    }

    #[test]
    fn the_checksum_is_the_one_the_crate_writes_and_verifies() {
        for bytes in [map(&[]), map(&[(b"a".to_vec(), 5)]), sample()] {
            assert_eq!(verify(&bytes), Ok(()));
            assert!(fst::raw::Fst::new(bytes.clone()).unwrap().verify().is_ok());
            // Any byte changed, the checksum itself included, is caught as the crate catches it.
            for at in 0..bytes.len() {
                let mut bad = bytes.clone();
                bad[at] ^= 0x10;
                let ours = verify_checksum(&bad);
                assert!(ours.is_err(), "byte {at} changed went unnoticed");
                if let Ok(fst) = fst::raw::Fst::new(bad) {
                    assert!(fst.verify().is_err(), "the crate accepts byte {at} changed");
                }
            }
        }
        assert!(verify_checksum(&[1, 2, 3]).is_err());
    }

    #[test]
    fn fsts_the_crate_builds_pass() {
        assert_eq!(check(&map(&[])), Ok(()));
        assert_eq!(check(&map(&[(b"a".to_vec(), 0)])), Ok(()));
        assert_eq!(check(&map(&[(b"a".to_vec(), 5)])), Ok(()));
        assert_eq!(check(&sample()), Ok(()));
    }

    /// Whatever byte is damaged, either the check fails or the crate's traversal and lookups
    /// run without a panic.
    #[test]
    fn damage_the_check_passes_never_panics_the_crate() {
        let clean = sample();
        for at in HEADER..clean.len() - 4 {
            for flip in [0x01u8, 0x10, 0x80, 0xff] {
                let mut bytes = clean.clone();
                bytes[at] ^= flip;
                if check(&bytes).is_err() {
                    continue;
                }
                let traversed = std::panic::catch_unwind(|| {
                    let Ok(map) = fst::Map::new(bytes.clone()) else {
                        return;
                    };
                    let mut stream = map.stream();
                    while fst::Streamer::next(&mut stream).is_some() {}
                    for key in ["abc", "b", "x\u{7f}", "zz", ""] {
                        let _ = map.get(key);
                    }
                    let _ = map.get([b'x', 0xff]);
                });
                assert!(
                    traversed.is_ok(),
                    "byte {at} ^ {flip:#x} passed the check but panicked"
                );
            }
        }
    }
}
