//! The index format, defined once: every section's encoder sits beside its decoder.
//!
//! `FORMAT.md` at the repository root draws the byte layout. In short, an index is:
//!
//! ```text
//! header   magic "PRESSRMI" | version u32 | section count u32 | crc32 of the rest u32
//! table    per section: id u32 | offset u64 | length u64     (offsets from the file start)
//! sections META, TERMS (fst), POSTINGS, DOCS, DOCDATA, TEXT, CATEGORIES, LANGS
//! ```
//!
//! All integers are little-endian. Variable-length integers are LEB128 (`varint`).
//! On disk the whole file is gzip-compressed (see [`INDEX_FILE`]).

use crate::search::Ranking;
use crate::Error;

/// The file name of the index inside the output folder. Its bytes are gzip-compressed.
pub const INDEX_FILE: &str = "index.pri";

/// The format version this engine writes. Bump it, together with `FORMAT.md`, on any change to
/// the bytes.
pub const FORMAT_VERSION: u32 = 12;
/// The oldest format version this engine still reads. Version 1 is the single-file layout of
/// version 2 under an older number (version 2 added the split layout beside it); version 3
/// changed only the split entry's COLUMNS (body lengths as one-byte codes); version 4 added a
/// ranking weight to SETTINGS; version 5 added word families (STEMS, and in each dictionary part
/// of a split index) and another weight; version 6 locates a split index's records with pages
/// of record lengths (gzip members) instead of a raw array of offsets; version 7 writes the
/// manifest's table of those pages compactly (each page from the end of the one before);
/// version 8 gives each title match in the postings its title's length, and a split entry's
/// COLUMNS no longer hold title lengths; version 9 writes the rest of the manifest compactly too
/// (dictionary parts, acronym buckets and word family pieces each from the one before); version
/// 10 keeps body lengths to within 1/8 instead of 1/16 (see [`length_code`]) and cuts a split
/// index's acronyms into buckets by ranges of words instead of by first character; version 11
/// lets a split index's dictionary parts locate their postings and word family pieces; version
/// 12 stores a split index's longer document lists as gzip members and flags an index whose
/// releases need the extended folding table.
pub const OLDEST_FORMAT_VERSION: u32 = 1;

pub(crate) const MAGIC: &[u8; 8] = b"PRESSRMI";
/// The first format version whose postings give each title match its title's length in words
/// (see [`Posting::title_len`]).
pub(crate) const TITLED_POSTINGS: u32 = 8;
/// The first format version whose body length codes take four steps per doubling (see
/// [`length_code`]); versions 3 to 9 took eight.
pub(crate) const QUARTER_LENGTH_CODES: u32 = 10;
const HEADER_LEN: usize = 8 + 4 + 4 + 4;
const TABLE_ENTRY_LEN: usize = 4 + 8 + 8;

/// Bits of an fst value that hold the document frequency; the rest is the postings offset.
pub(crate) const DF_BITS: u32 = 24;
/// The most documents an index holds: document ids and frequencies must fit in [`DF_BITS`].
pub(crate) const MAX_DOCS: u32 = (1 << DF_BITS) - 1;

/// The sections of an index, by id. The ids are part of the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum Section {
    Meta = 1,
    Terms = 2,
    Postings = 3,
    Docs = 4,
    DocData = 5,
    Text = 6,
    Categories = 7,
    Langs = 8,
    Settings = 9,
    Acronyms = 10,
    /// Split layout: per-release numbers (dates, lengths, languages, categories) as columns.
    Columns = 11,
    /// Split layout: the part files and where each piece of the index lies in them.
    Manifest = 12,
    /// Split layout: the most frequent completions of each one-letter prefix.
    Prefixes = 13,
    /// Single file, version 5: the word families (terms that share a stem). Optional: an older
    /// file has none. A split index keeps them in its dictionary parts.
    Stems = 14,
}

impl Section {
    /// The sections of a single-file index.
    pub(crate) const WHOLE: [Section; 10] = [
        Section::Meta,
        Section::Terms,
        Section::Postings,
        Section::Docs,
        Section::DocData,
        Section::Text,
        Section::Categories,
        Section::Langs,
        Section::Settings,
        Section::Acronyms,
    ];

    /// The sections of the entry file of a split index.
    pub(crate) const ENTRY: [Section; 8] = [
        Section::Meta,
        Section::Categories,
        Section::Langs,
        Section::Settings,
        Section::Acronyms,
        Section::Columns,
        Section::Manifest,
        Section::Prefixes,
    ];

    const KNOWN: [Section; 14] = [
        Section::Meta,
        Section::Terms,
        Section::Postings,
        Section::Docs,
        Section::DocData,
        Section::Text,
        Section::Categories,
        Section::Langs,
        Section::Settings,
        Section::Acronyms,
        Section::Columns,
        Section::Manifest,
        Section::Prefixes,
        Section::Stems,
    ];

    fn name(self) -> &'static str {
        match self {
            Section::Meta => "META",
            Section::Terms => "TERMS",
            Section::Postings => "POSTINGS",
            Section::Docs => "DOCS",
            Section::DocData => "DOCDATA",
            Section::Text => "TEXT",
            Section::Categories => "CATEGORIES",
            Section::Langs => "LANGS",
            Section::Settings => "SETTINGS",
            Section::Acronyms => "ACRONYMS",
            Section::Columns => "COLUMNS",
            Section::Manifest => "MANIFEST",
            Section::Prefixes => "PREFIXES",
            Section::Stems => "STEMS",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Container: header, section table, checksum.

/// Assembles sections (in [`Section::WHOLE`] or [`Section::ENTRY`] order) into one file.
#[cfg(any(test, not(target_arch = "wasm32")))]
pub(crate) fn write_container(sections: &[(Section, Vec<u8>)]) -> Vec<u8> {
    let pieces: Vec<(Section, Vec<&[u8]>)> = sections
        .iter()
        .map(|(section, bytes)| (*section, vec![&bytes[..]]))
        .collect();
    write_container_pieces(&pieces)
}

/// [`write_container`] of sections given in pieces, written one after the other.
pub(crate) fn write_container_pieces(sections: &[(Section, Vec<&[u8]>)]) -> Vec<u8> {
    let len = |pieces: &[&[u8]]| pieces.iter().map(|p| p.len()).sum::<usize>();
    let table_len = sections.len() * TABLE_ENTRY_LEN;
    let total: usize = HEADER_LEN + table_len + sections.iter().map(|(_, p)| len(p)).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, FORMAT_VERSION);
    put_u32(&mut out, sections.len() as u32);
    put_u32(&mut out, 0); // checksum, filled in below
    let mut offset = (HEADER_LEN + table_len) as u64;
    for (id, pieces) in sections {
        put_u32(&mut out, *id as u32);
        put_u64(&mut out, offset);
        put_u64(&mut out, len(pieces) as u64);
        offset += len(pieces) as u64;
    }
    for piece in sections.iter().flat_map(|(_, pieces)| pieces) {
        out.extend_from_slice(piece);
    }
    let crc = checksum(&out[HEADER_LEN..]);
    out[16..20].copy_from_slice(&crc.to_le_bytes());
    out
}

/// Where each section lies in a validated index file.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    ranges: Vec<(Section, std::ops::Range<usize>)>,
    /// The file's format version (between [`OLDEST_FORMAT_VERSION`] and [`FORMAT_VERSION`]).
    pub version: u32,
}

impl Layout {
    pub(crate) fn has(&self, section: Section) -> bool {
        self.ranges.iter().any(|(s, _)| *s == section)
    }

    pub(crate) fn get<'a>(&self, bytes: &'a [u8], section: Section) -> &'a [u8] {
        // Every section was checked to exist and lie inside `bytes` by `read_container`.
        let range = self
            .ranges
            .iter()
            .find(|(s, _)| *s == section)
            .map(|(_, r)| r.clone())
            .unwrap_or(0..0);
        &bytes[range]
    }
}

/// Validates magic, version, checksum and the section table, in that order, before anything
/// else reads the bytes.
pub(crate) fn read_container(bytes: &[u8]) -> Result<Layout, Error> {
    read_container_checking(bytes, true)
}

/// [`read_container`], with the checksum left out when `check` is false: for bytes this process
/// has just written, whose checksum it computed itself.
pub(crate) fn read_container_checking(bytes: &[u8], check: bool) -> Result<Layout, Error> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(Error::NotAnIndex {
            found: bytes[..bytes.len().min(8)].to_vec(),
        });
    }
    let mut header = Cursor::new(bytes, "header");
    header.skip(8)?;
    let version = header.u32()?;
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(Error::Version {
            expected: FORMAT_VERSION,
            got: version,
        });
    }
    let count = header.u32()? as usize;
    let expected = header.u32()?;
    if check {
        let actual = checksum(&bytes[HEADER_LEN..]);
        if expected != actual {
            return Err(Error::Checksum { expected, actual });
        }
    }
    if count > 64 {
        return Err(Error::corrupt("header", format!("{count} sections")));
    }
    let mut table = Cursor::new(bytes, "section table");
    table.skip(HEADER_LEN)?;
    let mut ranges = Vec::with_capacity(count);
    for _ in 0..count {
        let id = table.u32()?;
        let offset = table.u64()?;
        let len = table.u64()?;
        let end = offset
            .checked_add(len)
            .filter(|&e| e <= bytes.len() as u64)
            .ok_or_else(|| {
                Error::corrupt(
                    "section table",
                    format!("section {id} at {offset}+{len} is past the end"),
                )
            })?;
        if let Some(section) = Section::KNOWN.iter().find(|s| **s as u32 == id) {
            ranges.push((*section, offset as usize..end as usize));
        }
        // Unknown section ids are skipped: a reader of this version ignores what it does not use.
    }
    // A split index's entry file has a MANIFEST; a single-file index has none.
    let layout = Layout { ranges, version };
    let wanted: &[Section] = if layout.has(Section::Manifest) {
        &Section::ENTRY
    } else {
        &Section::WHOLE
    };
    for &section in wanted {
        if !layout.has(section) {
            return Err(Error::corrupt(
                "section table",
                format!("missing section {}", section.name()),
            ));
        }
    }
    Ok(layout)
}

/// Compresses an index for disk: gzip, deterministic (no name, no time) so that builds stay
/// byte-identical. Browsers inflate it with the native `DecompressionStream`. This is for the
/// bulk of a split index (records, dictionary parts): libdeflate's level 6, about as fast as
/// zlib's and a little smaller.
#[cfg(not(target_arch = "wasm32"))]
pub fn compress(raw: &[u8]) -> Vec<u8> {
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<libdeflater::Compressor> =
            std::cell::RefCell::new(libdeflater::Compressor::new(libdeflater::CompressionLvl::default()));
    }
    COMPRESSOR.with(|compressor| gzip_with(&mut compressor.borrow_mut(), raw))
}

/// [`compress`] as hard as gzip goes (libdeflate's level 12), for what every visitor downloads
/// before a first answer: a split index's entry file, or a single-file index. On the 22,181
/// benchmark releases the entry takes 18.3 KB instead of 22.1 (zlib's level 6: its columns
/// of small numbers are where optimal parsing pays), in about 70 ms.
#[cfg(not(target_arch = "wasm32"))]
pub fn compress_best(raw: &[u8]) -> Vec<u8> {
    let mut compressor = libdeflater::Compressor::new(libdeflater::CompressionLvl::best());
    gzip_with(&mut compressor, raw)
}

#[cfg(not(target_arch = "wasm32"))]
fn gzip_with(compressor: &mut libdeflater::Compressor, raw: &[u8]) -> Vec<u8> {
    let mut out = vec![0; compressor.gzip_compress_bound(raw.len())];
    // The buffer holds the bound libdeflate gives for this input, so this cannot fail.
    let len = compressor
        .gzip_compress(raw, &mut out)
        .expect("libdeflate's bound holds its output");
    out.truncate(len);
    out
}

/// The inverse of [`compress`]; bytes that are not gzip (a host that already inflated them) pass
/// through unchanged.
#[cfg(not(target_arch = "wasm32"))]
pub fn decompress(stored: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    if !stored.starts_with(&[0x1f, 0x8b]) {
        return Ok(stored.to_vec());
    }
    let mut raw = Vec::with_capacity(stored.len() * 3);
    flate2::read::GzDecoder::new(stored).read_to_end(&mut raw)?;
    Ok(raw)
}

/// CRC-32 (IEEE) of `bytes`. In wasm it uses a 1 KiB table: the 16 KiB tables of the faster
/// variant would cost more in the download than checking an index takes in the browser.
/// Natively it is `crc32fast`, the same CRC with the processor's help.
pub(crate) fn checksum(bytes: &[u8]) -> u32 {
    #[cfg(target_arch = "wasm32")]
    {
        const CRC: crc::Crc<u32, crc::Table<1>> =
            crc::Crc::<u32, crc::Table<1>>::new(&crc::CRC_32_ISO_HDLC);
        CRC.checksum(bytes)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        crc32fast::hash(bytes)
    }
}

// ---------------------------------------------------------------------------------------------
// Primitives.

pub(crate) fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends `v` as LEB128: 7 bits a byte, high bit set on all but the last.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A bounds-checked reader over one section: every read either succeeds or returns
/// [`Error::Corrupt`] naming the section, never panics.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Cursor {
            bytes,
            pos: 0,
            what,
        }
    }

    pub(crate) fn at(bytes: &'a [u8], pos: usize, what: &'static str) -> Result<Self, Error> {
        if pos > bytes.len() {
            return Err(Error::corrupt(
                what,
                format!("offset {pos} is past the end ({})", bytes.len()),
            ));
        }
        Ok(Cursor { bytes, pos, what })
    }

    /// The bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    #[cfg(any(test, not(target_arch = "wasm32")))]
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                Error::corrupt(
                    self.what,
                    format!(
                        "{n} bytes at {} run past the end ({})",
                        self.pos,
                        self.bytes.len()
                    ),
                )
            })?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    pub(crate) fn skip(&mut self, n: usize) -> Result<(), Error> {
        self.take(n).map(|_| ())
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, Error> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    pub(crate) fn varint(&mut self) -> Result<u64, Error> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.pos).ok_or_else(|| {
                Error::corrupt(
                    self.what,
                    format!("varint at {} runs past the end", self.pos),
                )
            })?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Error::corrupt(
            self.what,
            format!("varint at {} is longer than 10 bytes", self.pos),
        ))
    }

    /// A varint that must fit in `u32` (counts, ids, positions).
    pub(crate) fn varint32(&mut self) -> Result<u32, Error> {
        let at = self.pos;
        u32::try_from(self.varint()?).map_err(|_| {
            Error::corrupt(self.what, format!("value at {at} does not fit in 32 bits"))
        })
    }

    pub(crate) fn varint16(&mut self) -> Result<u16, Error> {
        let at = self.pos;
        u16::try_from(self.varint()?).map_err(|_| {
            Error::corrupt(self.what, format!("value at {at} does not fit in 16 bits"))
        })
    }

    pub(crate) fn str(&mut self) -> Result<&'a str, Error> {
        let len = self.varint()?;
        let len = usize::try_from(len).map_err(|_| Error::corrupt(self.what, "string length"))?;
        let at = self.pos;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes)
            .map_err(|_| Error::corrupt(self.what, format!("string at {at} is not UTF-8")))
    }
}

// ---------------------------------------------------------------------------------------------
// META: corpus statistics used by ranking.

/// Corpus-wide numbers that BM25 needs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Meta {
    pub doc_count: u32,
    pub title_tokens: u64,
    pub body_tokens: u64,
}

impl Meta {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20);
        put_u32(&mut out, self.doc_count);
        put_u64(&mut out, self.title_tokens);
        put_u64(&mut out, self.body_tokens);
        out
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Meta, Error> {
        let mut c = Cursor::new(bytes, "META");
        let meta = Meta {
            doc_count: c.u32()?,
            title_tokens: c.u64()?,
            body_tokens: c.u64()?,
        };
        if meta.doc_count > MAX_DOCS {
            return Err(Error::corrupt(
                "META",
                format!("{} documents", meta.doc_count),
            ));
        }
        Ok(meta)
    }
}

// ---------------------------------------------------------------------------------------------
// SETTINGS: the site's defaults for search, chosen at build time.
//   15 × f64 ranking weights, in the order of `Ranking::NAMES` | u32 excerpt words
//   (10 weights before version 4, 11 in version 4)

/// What a site chooses at build time for every search of its index; a query can still override
/// each value (see [`crate::SearchOptions`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The ranking weights.
    pub ranking: Ranking,
    /// How many words an excerpt shows (1 to 500). Default 30.
    pub excerpt_words: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            ranking: Ranking::default(),
            excerpt_words: crate::excerpt::EXCERPT_WORDS as u32,
        }
    }
}

impl Settings {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let weights = self.ranking.to_array();
        let mut out = Vec::with_capacity(weights.len() * 8 + 4);
        for w in weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        put_u32(&mut out, self.excerpt_words);
        out
    }

    /// Reads SETTINGS of any version: before version 4 it held the first
    /// [`SETTINGS_WEIGHTS_V3`] weights, version 4 [`SETTINGS_WEIGHTS_V4`], and the others keep
    /// their defaults.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Settings, Error> {
        let mut c = Cursor::new(bytes, "SETTINGS");
        let mut w = Ranking::default().to_array();
        let stored = match bytes.len() {
            n if n == SETTINGS_WEIGHTS_V3 * 8 + 4 => SETTINGS_WEIGHTS_V3,
            n if n == SETTINGS_WEIGHTS_V4 * 8 + 4 => SETTINGS_WEIGHTS_V4,
            n if n == w.len() * 8 + 4 => w.len(),
            n => return Err(Error::corrupt("SETTINGS", format!("{n} bytes"))),
        };
        for (i, slot) in w.iter_mut().enumerate().take(stored) {
            *slot = f64::from_bits(c.u64()?);
            if !Ranking::is_valid(i, *slot) {
                return Err(Error::corrupt(
                    "SETTINGS",
                    format!("ranking weight {} is out of range", Ranking::NAMES[i]),
                ));
            }
        }
        let excerpt_words = c.u32()?;
        if !(1..=crate::search::MAX_EXCERPT_WORDS as u32).contains(&excerpt_words) {
            return Err(Error::corrupt(
                "SETTINGS",
                format!("excerpt of {excerpt_words} words"),
            ));
        }
        Ok(Settings {
            ranking: Ranking::from_array(w),
            excerpt_words,
        })
    }
}

/// How many ranking weights SETTINGS held before version 4 added `proximityBonus`.
const SETTINGS_WEIGHTS_V3: usize = 10;
/// How many ranking weights SETTINGS held in version 4, before version 5 added `stemWeight`,
/// `diacriticBonus`, `recencyWeight` and `recencyHalfLife`.
const SETTINGS_WEIGHTS_V4: usize = 11;

// ---------------------------------------------------------------------------------------------
// TERMS values: an fst maps each term to `postings offset << DF_BITS | document frequency`.

pub(crate) fn term_value(postings_offset: u64, df: u32) -> u64 {
    (postings_offset << DF_BITS) | u64::from(df)
}

pub(crate) fn split_term_value(value: u64) -> (usize, u32) {
    (
        (value >> DF_BITS) as usize,
        (value & u64::from(MAX_DOCS)) as u32,
    )
}

/// Every term of `terms` (the TERMS fst of a file whose POSTINGS section is `postings_len`
/// bytes), in term order, with its fst value and where its postings start and end: postings are
/// written in term order, so a term's end is where the next begins, the last's the section's.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn term_postings<D: AsRef<[u8]>>(
    terms: &fst::Map<D>,
    postings_len: usize,
) -> Vec<(Vec<u8>, u64, usize, usize)> {
    use fst::{IntoStreamer, Streamer};
    let mut all: Vec<(Vec<u8>, u64, usize, usize)> = Vec::with_capacity(terms.len());
    let mut stream = terms.into_stream();
    while let Some((term, value)) = stream.next() {
        let (offset, _) = split_term_value(value);
        if let Some(last) = all.last_mut() {
            last.3 = offset;
        }
        all.push((term.to_vec(), value, offset, postings_len));
    }
    all
}

// ---------------------------------------------------------------------------------------------
// POSTINGS: per term, `varint docs_len | docs stream | positions stream`.
//
// docs stream, per document in increasing id order:
//   varint doc-id delta (the first is the id itself)
//   varint (body_tf << 1 | has_title)
//   varint title_tf                          only when has_title
//   varint title length in words             only when has_title (version 8 and later)
// positions stream, per document in the same order:
//   title_tf varints, then body_tf varints: positions as deltas within the field (first absolute)

/// One term's postings as the writer accumulates them, already encoded.
#[derive(Debug, Default)]
pub(crate) struct PostingsBuilder {
    docs: Vec<u8>,
    positions: Vec<u8>,
    df: u32,
    last_doc: Option<u32>,
}

impl PostingsBuilder {
    /// Adds a document whose title is `title_len` words long; ids must increase. Positions are
    /// sorted within each field.
    pub(crate) fn push(
        &mut self,
        doc: u32,
        title_len: u16,
        title_positions: &[u32],
        body_positions: &[u32],
    ) {
        let delta = match self.last_doc {
            Some(last) => doc - last,
            None => doc,
        };
        put_varint(&mut self.docs, u64::from(delta));
        let has_title = !title_positions.is_empty();
        put_varint(
            &mut self.docs,
            (body_positions.len() as u64) << 1 | u64::from(has_title),
        );
        if has_title {
            put_varint(&mut self.docs, title_positions.len() as u64);
            put_varint(&mut self.docs, u64::from(title_len));
        }
        for field in [title_positions, body_positions] {
            let mut prev = 0;
            for &p in field {
                put_varint(&mut self.positions, u64::from(p - prev));
                prev = p;
            }
        }
        self.df += 1;
        self.last_doc = Some(doc);
    }

    /// Adds a document whose positions are encoded already, as [`PostingsBuilder::push`] encodes
    /// them (positions do not depend on the document's id): a rebuild copies postings this way.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn push_encoded(&mut self, entry: &PostingEntry<'_>, doc: u32) {
        let PostingEntry {
            title_tf,
            title_len,
            body_tf,
            positions,
            ..
        } = *entry;
        let delta = match self.last_doc {
            Some(last) => doc - last,
            None => doc,
        };
        put_varint(&mut self.docs, u64::from(delta));
        put_varint(
            &mut self.docs,
            u64::from(body_tf) << 1 | u64::from(title_tf > 0),
        );
        if title_tf > 0 {
            put_varint(&mut self.docs, u64::from(title_tf));
            put_varint(&mut self.docs, u64::from(title_len));
        }
        self.positions.extend_from_slice(positions);
        self.df += 1;
        self.last_doc = Some(doc);
    }

    /// Appends the postings `bytes` (as the writer wrote them, of a term in `df` documents) with
    /// every document id moved to `new_ids[id]`, when that moves all of them by the same amount
    /// and past the documents added so far: then only the first id changes, and the rest is
    /// copied as it is. Returns whether it did; it does not when the ids move apart (a release
    /// was added or left out between two of them), and then nothing is added. `visit` sees each
    /// (previous) id, also when nothing is added.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn append_shifted(
        &mut self,
        bytes: &[u8],
        df: u32,
        new_ids: &[u32],
        mut visit: impl FnMut(u32),
    ) -> Result<bool, Error> {
        let mut c = Cursor::new(bytes, "POSTINGS");
        let docs_len = c.varint()? as usize;
        let docs = c.take(docs_len)?;
        let positions = &bytes[bytes.len() - c.remaining()..];
        let mut d = Cursor::new(docs, "POSTINGS");
        let mut doc = 0u32;
        let mut shift = None;
        let mut first_len = 0;
        let mut first = 0;
        for i in 0..df {
            let delta = d.varint32()?;
            if i == 0 {
                first_len = docs_len - d.remaining();
            } else if delta == 0 {
                return Err(Error::corrupt("POSTINGS", "document ids out of order"));
            }
            doc = doc
                .checked_add(delta)
                .ok_or_else(|| Error::corrupt("POSTINGS", "document id out of range"))?;
            let new_id = *new_ids
                .get(doc as usize)
                .ok_or_else(|| Error::corrupt("POSTINGS", "document id out of range"))?;
            let moved = i64::from(new_id) - i64::from(doc);
            if new_id == u32::MAX || shift.is_some_and(|s| s != moved) {
                return Ok(false);
            }
            if i == 0 {
                first = new_id;
            }
            shift = Some(moved);
            visit(doc);
            let packed = d.varint32()?;
            if packed & 1 == 1 {
                d.varint32()?; // title tf
                d.varint32()?; // title length
            }
        }
        let after_the_last = self.last_doc.map_or(true, |last| first > last);
        if shift.is_none() || !d.is_empty() || !after_the_last {
            return Ok(false);
        }
        let delta = first - self.last_doc.unwrap_or(0);
        put_varint(&mut self.docs, u64::from(delta));
        self.docs.extend_from_slice(&docs[first_len..]);
        self.positions.extend_from_slice(positions);
        self.df += df;
        self.last_doc = Some(new_ids[doc as usize]);
        Ok(true)
    }

    /// The documents added so far, with their encoded positions, in id order.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn entries(&self) -> PostingEntries<'_> {
        PostingEntries::new(&self.docs, &self.positions, self.df)
    }

    pub(crate) fn df(&self) -> u32 {
        self.df
    }

    /// The id of the last document added.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn last_doc(&self) -> Option<u32> {
        self.last_doc
    }

    /// The documents stream and the positions stream. A term's postings in the index are
    /// `varint documents stream length | documents | positions`.
    pub(crate) fn streams(&self) -> [&[u8]; 2] {
        [&self.docs, &self.positions]
    }
}

/// One document of a term's postings, with its positions as they are encoded.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PostingEntry<'a> {
    pub doc: u32,
    pub title_tf: u32,
    /// The title's length in words when `title_tf > 0`, else 0.
    pub title_len: u16,
    pub body_tf: u32,
    pub positions: &'a [u8],
}

/// Walks a term's postings document by document, positions included, without decoding them.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) struct PostingEntries<'a> {
    docs: Cursor<'a>,
    positions: &'a [u8],
    left: u32,
    doc: u32,
    first: bool,
}

#[cfg(not(target_arch = "wasm32"))]
impl<'a> PostingEntries<'a> {
    fn new(docs: &'a [u8], positions: &'a [u8], df: u32) -> PostingEntries<'a> {
        PostingEntries {
            docs: Cursor::new(docs, "POSTINGS"),
            positions,
            left: df,
            doc: 0,
            first: true,
        }
    }

    /// The entries of the postings at `offset` of a POSTINGS section, of a term found in `df`
    /// documents.
    pub(crate) fn at(
        postings: &'a [u8],
        offset: usize,
        df: u32,
    ) -> Result<PostingEntries<'a>, Error> {
        let mut c = Cursor::at(postings, offset, "POSTINGS")?;
        let docs_len = c.varint()? as usize;
        let docs = c.take(docs_len)?;
        let positions = &postings[postings.len() - c.remaining()..];
        Ok(PostingEntries::new(docs, positions, df))
    }

    fn next_entry(&mut self) -> Result<PostingEntry<'a>, Error> {
        let delta = self.docs.varint32()?;
        if !self.first && delta == 0 {
            return Err(Error::corrupt("POSTINGS", "document ids out of order"));
        }
        self.doc = if self.first {
            delta
        } else {
            self.doc
                .checked_add(delta)
                .ok_or_else(|| Error::corrupt("POSTINGS", "document id out of range"))?
        };
        self.first = false;
        let packed = self.docs.varint32()?;
        let (title_tf, title_len) = if packed & 1 == 1 {
            (self.docs.varint32()?, self.docs.varint16()?)
        } else {
            (0, 0)
        };
        let body_tf = packed >> 1;
        // Each position is one varint: its last byte is the one below 0x80.
        let mut count = u64::from(title_tf) + u64::from(body_tf);
        let mut len = 0;
        while count > 0 {
            let byte = *self
                .positions
                .get(len)
                .ok_or_else(|| Error::corrupt("POSTINGS", "positions cut short"))?;
            len += 1;
            count -= u64::from(byte < 0x80);
        }
        let (positions, rest) = self.positions.split_at(len);
        self.positions = rest;
        Ok(PostingEntry {
            doc: self.doc,
            title_tf,
            title_len,
            body_tf,
            positions,
        })
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl<'a> Iterator for PostingEntries<'a> {
    type Item = Result<PostingEntry<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let entry = self.next_entry();
        if entry.is_err() {
            self.left = 0;
        }
        Some(entry)
    }
}

/// One document of a posting list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Posting {
    pub doc: u32,
    pub title_tf: u32,
    /// The title's length in words when `title_tf > 0` (version 8 and later), else 0.
    pub title_len: u16,
    pub body_tf: u32,
}

/// Decodes a term's postings (without positions); `titled` when they give title lengths
/// (version [`TITLED_POSTINGS`] and later).
pub(crate) fn read_postings(
    postings: &[u8],
    offset: usize,
    df: u32,
    doc_count: u32,
    titled: bool,
) -> Result<Vec<Posting>, Error> {
    let mut c = Cursor::at(postings, offset, "POSTINGS")?;
    let docs_len = c.varint()? as usize;
    let mut docs = Cursor::new(c.take(docs_len)?, "POSTINGS");
    let mut out = Vec::with_capacity(df.min(doc_count) as usize);
    let mut doc = 0u32;
    for i in 0..df {
        let delta = docs.varint32()?;
        doc = if i == 0 {
            delta
        } else {
            doc.saturating_add(delta)
        };
        if doc >= doc_count || (i > 0 && delta == 0) {
            return Err(Error::corrupt(
                "POSTINGS",
                format!("document id {doc} out of order or range"),
            ));
        }
        let packed = docs.varint32()?;
        let (title_tf, title_len) = match (packed & 1 == 1, titled) {
            (true, true) => (docs.varint32()?, docs.varint16()?),
            (true, false) => (docs.varint32()?, 0),
            (false, _) => (0, 0),
        };
        out.push(Posting {
            doc,
            title_tf,
            title_len,
            body_tf: packed >> 1,
        });
    }
    Ok(out)
}

/// Where a term occurs in one release, counted in words from the start of each field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Positions {
    /// Positions in the title.
    pub title: Vec<u32>,
    /// Positions in the body.
    pub body: Vec<u32>,
}

/// Decodes the positions of one document of a term's postings.
#[cfg(test)]
pub(crate) fn read_positions(
    postings: &[u8],
    offset: usize,
    df: u32,
    doc_count: u32,
    doc: u32,
) -> Result<Option<Positions>, Error> {
    let found = read_positions_for(postings, offset, df, doc_count, true, &[doc])?;
    Ok(found
        .into_iter()
        .next()
        .filter(|p| !p.title.is_empty() || !p.body.is_empty()))
}

/// Decodes a term's positions in each of `docs` (sorted ids), in one pass over its postings;
/// a document without the term gets empty positions. `titled` as for [`read_postings`].
pub(crate) fn read_positions_for(
    postings: &[u8],
    offset: usize,
    df: u32,
    doc_count: u32,
    titled: bool,
    docs: &[u32],
) -> Result<Vec<Positions>, Error> {
    let list = read_postings(postings, offset, df, doc_count, titled)?;
    let mut c = Cursor::at(postings, offset, "POSTINGS")?;
    let docs_len = c.varint()? as usize;
    c.skip(docs_len)?;
    let mut out = vec![Positions::default(); docs.len()];
    let mut want = docs.iter().enumerate().peekable();
    for p in list {
        // Skip wanted ids below this posting: they do not have the term.
        while want.next_if(|(_, &d)| d < p.doc).is_some() {}
        let slot = want.next_if(|(_, &d)| d == p.doc).map(|(i, _)| i);
        for (field, tf) in [(0, p.title_tf), (1, p.body_tf)] {
            let mut pos = 0u32;
            for _ in 0..tf {
                pos = pos.saturating_add(c.varint32()?);
                if let Some(i) = slot {
                    let target = if field == 0 {
                        &mut out[i].title
                    } else {
                        &mut out[i].body
                    };
                    target.push(pos);
                }
            }
        }
        if want.peek().is_none() {
            break;
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// DOCS: a fixed 16-byte record per document, so ranking reads any document's numbers directly.
//   u32 date (yyyymmdd, 0 = none) | u16 title tokens | u16 body tokens (saturating)
//   u32 offset into DOCDATA | u32 offset into TEXT
// One more record's worth of offsets (8 bytes: DOCDATA end, TEXT end) closes the table.

pub(crate) const DOC_RECORD_LEN: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DocRecord {
    pub date: u32,
    pub title_len: u16,
    pub body_len: u16,
    pub data_offset: u32,
    pub text_offset: u32,
}

impl DocRecord {
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        put_u32(out, self.date);
        put_u16(out, self.title_len);
        put_u16(out, self.body_len);
        put_u32(out, self.data_offset);
        put_u32(out, self.text_offset);
    }

    pub(crate) fn read(docs: &[u8], doc: u32) -> Result<DocRecord, Error> {
        let mut c = Cursor::at(docs, doc as usize * DOC_RECORD_LEN, "DOCS")?;
        Ok(DocRecord {
            date: c.u32()?,
            title_len: c.u16()?,
            body_len: c.u16()?,
            data_offset: c.u32()?,
            text_offset: c.u32()?,
        })
    }
}

// DOCDATA, per document: str title | str url | varint lang id (0 = none, else LANGS index + 1)
//   | varint category count | varint category ids (indexes into CATEGORIES)

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocData<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub lang: u32,
    pub categories: Vec<u32>,
}

impl DocData<'_> {
    /// Title, url, language id and category ids, owned.
    pub(crate) fn into_owned(self) -> (String, String, u32, Vec<u32>) {
        (
            self.title.to_owned(),
            self.url.to_owned(),
            self.lang,
            self.categories,
        )
    }

    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        put_str(out, self.title);
        put_str(out, self.url);
        put_varint(out, u64::from(self.lang));
        put_varint(out, self.categories.len() as u64);
        for &c in &self.categories {
            put_varint(out, u64::from(c));
        }
    }

    pub(crate) fn read(data: &[u8], offset: u32) -> Result<DocData<'_>, Error> {
        let mut c = Cursor::at(data, offset as usize, "DOCDATA")?;
        let title = c.str()?;
        let url = c.str()?;
        let lang = c.varint32()?;
        let count = c.varint32()?;
        let mut categories = Vec::with_capacity(count.min(64) as usize);
        for _ in 0..count {
            categories.push(c.varint32()?);
        }
        Ok(DocData {
            title,
            url,
            lang,
            categories,
        })
    }
}

// CATEGORIES and LANGS: a string table, `varint count | count × str`, sorted, so ids are stable.

pub(crate) fn write_string_table(strings: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, strings.len() as u64);
    for s in strings {
        put_str(&mut out, s);
    }
    out
}

pub(crate) fn read_string_table(bytes: &[u8], what: &'static str) -> Result<Vec<String>, Error> {
    let mut c = Cursor::new(bytes, what);
    let count = c.varint()?;
    // Each string takes at least one byte, so a count larger than the section is a lie.
    if count > bytes.len() as u64 {
        return Err(Error::corrupt(
            what,
            format!("{count} strings in {} bytes", bytes.len()),
        ));
    }
    (0..count).map(|_| c.str().map(str::to_owned)).collect()
}

// ACRONYMS: `varint count | count × (str acronym | varint n | n × str expansion term)`, sorted
// by acronym (a term as the analyzer emits it), one expansion each.

pub(crate) fn write_acronyms(pairs: &[crate::acronyms::Definition]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, pairs.len() as u64);
    for (acronym, expansion) in pairs {
        put_str(&mut out, acronym);
        put_varint(&mut out, expansion.len() as u64);
        for term in expansion {
            put_str(&mut out, term);
        }
    }
    out
}

pub(crate) fn read_acronyms(bytes: &[u8]) -> Result<Vec<crate::acronyms::Definition>, Error> {
    let mut c = Cursor::new(bytes, "ACRONYMS");
    let count = c.varint()?;
    // Each pair takes at least 4 bytes, so a larger count than that is a lie.
    if count > bytes.len() as u64 / 4 {
        return Err(Error::corrupt(
            "ACRONYMS",
            format!("{count} pairs in {} bytes", bytes.len()),
        ));
    }
    let mut pairs: Vec<crate::acronyms::Definition> = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let acronym = c.str()?.to_owned();
        let n = c.varint()?;
        // An acronym stands for at least one word: an empty expansion would match nothing,
        // and a query rewriter could loop on it.
        if n == 0 || n > bytes.len() as u64 {
            return Err(Error::corrupt(
                "ACRONYMS",
                format!("expansion of {n} words"),
            ));
        }
        let expansion = (0..n)
            .map(|_| c.str().map(str::to_owned))
            .collect::<Result<_, _>>()?;
        if pairs.last().is_some_and(|(last, _)| *last >= acronym) {
            return Err(Error::corrupt("ACRONYMS", "acronyms out of order"));
        }
        pairs.push((acronym, expansion));
    }
    Ok(pairs)
}

/// Writes `text` front-coded against `previous`, the one listed before it: `varint shared |
/// str rest`, where `shared` is the bytes they share at their start (cut back to a character
/// boundary) and `rest` the rest of `text`.
pub(crate) fn put_front_coded(out: &mut Vec<u8>, text: &str, previous: Option<&str>) {
    let previous = previous.unwrap_or("");
    let mut shared = previous
        .bytes()
        .zip(text.bytes())
        .take_while(|(x, y)| x == y)
        .count();
    while !text.is_char_boundary(shared) {
        shared -= 1;
    }
    put_varint(out, shared as u64);
    put_str(out, &text[shared..]);
}

/// Reads what [`put_front_coded`] wrote; `None` when `shared` is not a character boundary of
/// `previous`.
pub(crate) fn read_front_coded(
    c: &mut Cursor<'_>,
    previous: Option<&str>,
) -> Result<Option<String>, Error> {
    let shared = usize::try_from(c.varint()?).unwrap_or(usize::MAX);
    let rest = c.str()?;
    Ok(previous
        .unwrap_or("")
        .get(..shared)
        .map(|head| format!("{head}{rest}")))
}

// STEMS: `varint count | count × family`, families sorted by their first term;
//   family = varint n (≥ 2) | str first term | (n − 1) × (varint shared | str rest)
// each later term written as the number of leading bytes it shares with the one before and the
// bytes that follow (cut on a character boundary); a family's terms strictly increase.

pub(crate) fn write_families(families: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, families.len() as u64);
    for family in families {
        put_varint(&mut out, family.len() as u64);
        let mut previous = "";
        for (i, term) in family.iter().enumerate() {
            if i > 0 {
                put_front_coded(&mut out, term, Some(previous));
            } else {
                put_str(&mut out, term);
            }
            previous = term;
        }
    }
    out
}

pub(crate) fn read_families(bytes: &[u8]) -> Result<Vec<Vec<String>>, Error> {
    const WHAT: &str = "STEMS";
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let mut c = Cursor::new(bytes, WHAT);
    let count = c.varint()?;
    // A family takes at least 4 bytes.
    if count > bytes.len() as u64 / 4 {
        return Err(Error::corrupt(
            WHAT,
            format!("{count} families in {} bytes", bytes.len()),
        ));
    }
    let mut families: Vec<Vec<String>> = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let n = c.varint()?;
        if !(2..=bytes.len() as u64).contains(&n) {
            return Err(Error::corrupt(WHAT, format!("a family of {n} terms")));
        }
        let mut family: Vec<String> = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let term = match family.last() {
                Some(previous) => {
                    let shared = usize::try_from(c.varint()?).unwrap_or(usize::MAX);
                    let head = previous.get(..shared).ok_or_else(|| {
                        Error::corrupt(WHAT, format!("a term shares {shared} bytes"))
                    })?;
                    format!("{head}{}", c.str()?)
                }
                None => c.str()?.to_owned(),
            };
            if term.is_empty() || family.last().is_some_and(|last| *last >= term) {
                return Err(Error::corrupt(WHAT, "a family's terms are out of order"));
            }
            family.push(term);
        }
        if families.last().is_some_and(|last| last[0] >= family[0]) {
            return Err(Error::corrupt(WHAT, "families out of order"));
        }
        families.push(family);
    }
    if c.remaining() > 0 {
        return Err(Error::corrupt(WHAT, "bytes after the last family"));
    }
    Ok(families)
}

/// A body length in words as a one-byte code: exact below 8, then 4 steps per doubling (at most
/// 1/8 off once decoded), as search engines keep document lengths (Lucene's norms). BM25 cannot
/// tell the difference (on the benchmark's 1,000 known-item queries over 22,181 releases, MRR
/// moved by less than 0.003 against 8 steps, up as often as down), and the column of codes,
/// which every split entry carries for every release, compresses to 83% of the finer one
/// (11.4 instead of 13.7 KB gzipped for those releases).
pub(crate) fn length_code(words: u16) -> u8 {
    if words < 8 {
        return words as u8;
    }
    let exponent = 15 - words.leading_zeros(); // 3..=15: words lies in [2^e, 2^(e+1))
    let mantissa = (words >> (exponent - 2)) & 3;
    (8 + (exponent - 3) * 4 + u32::from(mantissa)) as u8
}

/// The largest code [`length_code`] gives (for 65,535 words).
pub(crate) const MAX_LENGTH_CODE: u8 = 59;

/// The length a [`length_code`] of format `version` stands for: the middle of its range; `None`
/// past the largest code. Versions 3 to 9 wrote codes exact below 16, then 8 steps per doubling
/// (at most 1/16 off; the largest code 111).
pub(crate) fn length_of_code(code: u8, version: u32) -> Option<u16> {
    let (exact, steps_log2, largest) = if version >= QUARTER_LENGTH_CODES {
        (8u8, 2u32, MAX_LENGTH_CODE)
    } else {
        (16, 3, 111)
    };
    if code < exact {
        return Some(u16::from(code));
    }
    if code > largest {
        return None;
    }
    let steps = 1u32 << steps_log2;
    let exponent = u32::from(code - exact) / steps + u32::from(exact).trailing_zeros();
    let mantissa = u32::from(code - exact) % steps;
    let step = 1u32 << (exponent - steps_log2);
    u16::try_from((steps + mantissa) * step + step / 2).ok()
}

/// A body length as the index keeps it: rounded through its one-byte code, so that a single
/// file and a split index, whose COLUMNS hold only the code, rank alike.
pub(crate) fn stored_length(words: u16) -> u16 {
    length_of_code(length_code(words), FORMAT_VERSION).unwrap_or(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_codes_are_exact_when_short_and_within_an_eighth_after() {
        let mut previous = 0;
        for words in 0..=u16::MAX {
            let code = length_code(words);
            assert!(code <= MAX_LENGTH_CODE, "{words}: code {code}");
            assert!(code >= previous, "codes grow with the length ({words})");
            previous = code;
            let back = length_of_code(code, FORMAT_VERSION).unwrap();
            if words < 8 {
                assert_eq!(back, words);
            }
            let error = f64::from(back.abs_diff(words)) / f64::from(words.max(1));
            assert!(error <= 1.0 / 8.0, "{words} -> {back}");
            // A stored length keeps its code: a split index built from a single file agrees.
            assert_eq!(length_code(back), code, "{words}");
            assert_eq!(stored_length(back), back);
        }
        assert_eq!(length_code(u16::MAX), MAX_LENGTH_CODE);
        assert_eq!(length_of_code(MAX_LENGTH_CODE + 1, FORMAT_VERSION), None);
        assert_eq!(length_of_code(u8::MAX, FORMAT_VERSION), None);
    }

    #[test]
    fn length_codes_of_versions_3_to_9_decode_as_they_were_written() {
        // Those versions wrote exact codes below 16, then 8 steps per doubling: code 16 + (e −
        // 4)·8 + m for e the exponent and m the 3 bits after the leading 1.
        let old = |code| length_of_code(code, QUARTER_LENGTH_CODES - 1);
        assert_eq!(old(15), Some(15));
        assert_eq!(old(16), Some(17)); // [16, 18)
        assert_eq!(old(16 + 8), Some(34)); // [32, 36)
        assert_eq!(old(16 + 8 + 7), Some(62)); // [60, 64)
        assert_eq!(old(111), Some(63_488)); // [61,440, 65,536)
        assert_eq!(old(112), None);
        // This version's: exact below 8, then 4 steps per doubling.
        let new = |code| length_of_code(code, FORMAT_VERSION);
        assert_eq!(new(7), Some(7));
        assert_eq!(new(8), Some(9)); // [8, 10)
        assert_eq!(new(8 + 4), Some(18)); // [16, 20)
        assert_eq!(new(8 + 4 + 3), Some(30)); // [28, 32)
        assert_eq!(new(MAX_LENGTH_CODE), Some(61_440)); // [57,344, 65,536)
    }

    #[test]
    fn varints_round_trip_at_every_width() {
        let values = [
            0,
            1,
            127,
            128,
            255,
            16_383,
            16_384,
            u32::MAX as u64,
            u64::MAX,
        ];
        let mut buf = Vec::new();
        for v in values {
            put_varint(&mut buf, v);
        }
        let mut c = Cursor::new(&buf, "test");
        for v in values {
            assert_eq!(c.varint().unwrap(), v);
        }
        assert!(c.is_empty());
        assert!(c.varint().is_err());
    }

    #[test]
    fn an_acronym_without_expansion_is_refused() {
        let pairs = vec![("sco".to_owned(), vec!["shanghai".to_owned()])];
        assert_eq!(read_acronyms(&write_acronyms(&pairs)).unwrap(), pairs);
        let empty = vec![("sco".to_owned(), Vec::new())];
        let err = read_acronyms(&write_acronyms(&empty)).unwrap_err();
        assert!(err.to_string().contains("expansion of 0 words"), "{err}");
    }

    #[test]
    fn postings_round_trip_with_positions() {
        let mut b = PostingsBuilder::default();
        b.push(0, 4, &[], &[3, 9]);
        b.push(5, 1, &[0], &[]);
        b.push(300, 200, &[1, 2], &[100_000]);
        let mut bytes = vec![0xAA]; // a leading byte, so the offset is not zero
        let [docs, positions] = b.streams();
        put_varint(&mut bytes, docs.len() as u64);
        bytes.extend_from_slice(docs);
        bytes.extend_from_slice(positions);
        let list = read_postings(&bytes, 1, b.df(), 301, true).unwrap();
        assert_eq!(
            list,
            [
                Posting {
                    doc: 0,
                    title_tf: 0,
                    title_len: 0,
                    body_tf: 2
                },
                Posting {
                    doc: 5,
                    title_tf: 1,
                    title_len: 1,
                    body_tf: 0
                },
                Posting {
                    doc: 300,
                    title_tf: 2,
                    title_len: 200,
                    body_tf: 1
                },
            ]
        );
        assert_eq!(
            read_positions(&bytes, 1, 3, 301, 0).unwrap(),
            Some(Positions {
                title: vec![],
                body: vec![3, 9]
            })
        );
        assert_eq!(
            read_positions(&bytes, 1, 3, 301, 300).unwrap(),
            Some(Positions {
                title: vec![1, 2],
                body: vec![100_000]
            })
        );
        assert_eq!(read_positions(&bytes, 1, 3, 301, 7).unwrap(), None);
        // A document id beyond the corpus is corruption, not a panic.
        assert!(read_postings(&bytes, 1, 3, 100, true).is_err());
    }

    #[test]
    fn container_rejects_foreign_old_and_damaged_files() {
        let sections: Vec<_> = Section::WHOLE
            .iter()
            .map(|s| (*s, vec![*s as u8; 3]))
            .collect();
        let file = write_container(&sections);
        let layout = read_container(&file).unwrap();
        assert_eq!(layout.get(&file, Section::Text), &[6, 6, 6]);

        assert!(matches!(
            read_container(b"<html>"),
            Err(Error::NotAnIndex { .. })
        ));
        let mut old = file.clone();
        old[8..12].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(
            read_container(&old).unwrap_err(),
            Error::Version {
                expected: FORMAT_VERSION,
                got: 0
            }
        );
        let mut flipped = file.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(matches!(
            read_container(&flipped),
            Err(Error::Checksum { .. })
        ));
        assert!(read_container(&file[..file.len() - 1]).is_err());
    }
}
