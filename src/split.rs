//! The split layout: a small entry file plus content-addressed part files, so that a visitor
//! downloads only the pieces of the index their query touches.
//!
//! A split index is made from a single-file index ([`split`]), so the two layouts hold the same
//! numbers and a query gives the same hits in both. `FORMAT.md` draws the bytes. In short:
//!
//! ```text
//! index.pri (entry, gzip)  META SETTINGS CATEGORIES LANGS ACRONYMS COLUMNS MANIFEST PREFIXES
//! pressroom-<hash>.bin     dictionary parts (gzip members), postings (raw, a frequent word's
//!                          document list and positions as gzip members), pages of the
//!                          release records' lengths (gzip members), one record per release
//!                          (gzip member)
//! ```
//!
//! The dictionary is cut into term ranges; each part is an `fst` of its terms plus, per term, the
//! stored length of the document list at the head of its postings, so a query that needs no
//! positions fetches only that head. Every piece is read with an HTTP range request; pieces stored as gzip
//! members are inflated by the browser's `DecompressionStream` before they reach the engine.
//!
//! Reading works by asking: a search that touches a piece not yet loaded records it as *needed*
//! and carries on with what it has; the caller fetches every needed piece (in parallel), adds it
//! ([`crate::Index::add_part`]) and searches again, until nothing is missing.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Mutex;

use fst::Streamer;
use serde::Serialize;

#[cfg(not(target_arch = "wasm32"))]
use crate::format::{self, put_front_coded, put_str, put_varint, DocRecord};
use crate::format::{read_front_coded, split_term_value, Cursor, DocData, Layout, Meta, Section};
use crate::Error;

/// Part files are named `pressroom-<16 hex digits of their content hash>.bin`.
pub const PART_PREFIX: &str = "pressroom-";
/// The extension of part files.
pub const PART_EXTENSION: &str = "bin";
/// A part file is closed before a piece would take it past this many bytes (pieces are never
/// cut): under the smallest per-file limit of common static hosts (25 MiB), and large, because
/// a query's hits' records lie all over the records and one request per file fetches them
/// (several ranges at once): at 22k releases their 45 MB span two or three files, not six.
#[cfg(not(target_arch = "wasm32"))]
const MAX_PART_FILE_BYTES: usize = 24 << 20;
/// Uncompressed bytes of dictionary per dictionary part. A query fetches the part of each of
/// its words: at 12 KiB a part was about 9 KB gzipped, at 4 KiB about 3 KB, and the first query
/// on 22,181 releases (two words) fetches 12 KB less, the median later query 9 KB less; the
/// manifest lists three times as many parts, which version 9's compact table keeps cheap.
#[cfg(not(target_arch = "wasm32"))]
const DICT_PART_BYTES: usize = 4 << 10;
/// Releases per page of record lengths: a page is about 280 bytes gzipped for press releases,
/// and a session that has loaded it locates those releases' records without asking again.
/// A query's ten hits lie on about ten pages: with 1,024 releases to a page (version 6) the
/// first query on 22,181 releases fetched 20 KB of pages, with 128 it fetches 4 KB (the
/// manifest's table of pages grows by 0.8 KB). 32 to a page fetched 0.9 KB instead of 2.8 KB,
/// but slowed typing: a keystroke's new hits then often lie on pages not yet loaded, which costs
/// a round (and a search) more; the median keystroke on 22,181 releases took 30 ms instead of
/// 24 (2026-12-01, same machine, same run).
#[cfg(not(target_arch = "wasm32"))]
const RECORD_PAGE: usize = 128;
/// A split index whose pages of record lengths take at most this many bytes (about 3,700
/// releases) fetches them all with the first pieces of its first query.
const PREFETCHED_PAGE_BYTES: u64 = 8 << 10;
/// Uncompressed bytes of PREFIXES per piece (version 9): about 1 KB gzipped, the completions of
/// a dozen letters of the Latin alphabet. The 22,181 English releases' PREFIXES take 5 KB
/// gzipped, 106,021 releases in every script 111 KB, which the entry file used to carry.
#[cfg(not(target_arch = "wasm32"))]
const PREFIX_PIECE_BYTES: usize = 2 << 10;
/// Uncompressed bytes of acronym definitions per bucket (version 10): about 0.6 KB gzipped. A
/// query fetches the bucket of each of its words, which by first character (versions 3 to 9)
/// were about 2.9 KB gzipped each for the 22,181 English releases, so a two-word query fetched
/// 5.8 KB of them.
#[cfg(not(target_arch = "wasm32"))]
const ACRONYM_BUCKET_BYTES: usize = 1 << 10;
/// A term's head (its document list) or positions of at least this many bytes are stored as a
/// gzip member when that is smaller (version 12). Below, a member saves little, and raw bytes
/// join the raw ranges near them in one range of a request, where each member takes a range
/// (and about 100 bytes of a multipart answer's headers) of its own. On the 22,181 benchmark
/// releases, 128, 256, 384, 512 and 640 bytes all make the median later query of the bench
/// 40.4 KB (48.1 KB with everything raw) and 1,024 bytes 40.9 KB; the parts take 72.6 MB at 128
/// and 72.8 MB at 640 (2026-12-02).
#[cfg(not(target_arch = "wasm32"))]
const GZIP_POSTINGS_BYTES: usize = 512;
/// One-letter prefixes expand to at most this many completions, precomputed in PREFIXES.
pub(crate) const ONE_LETTER_EXPANSIONS: usize = 8;

/// Gzip-compresses release records ([`Record::compress`] each), returning them in order: see
/// [`SplitIndex::from_single_with`].
/// A record may come back borrowed: a builder that kept the compressed records of its previous
/// build hands those back without copying them.
pub type RecordCompressor<'a> = dyn Fn(&[Record<'_>]) -> Vec<std::borrow::Cow<'a, [u8]>> + 'a;

/// One release's record before compression: `head` (`varint DOCDATA length | DOCDATA`) and then
/// the release's text, kept apart so that a builder can hash or compare a record without copying
/// the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    /// The length of the release's data, and the data (title, url, language, categories).
    pub head: Vec<u8>,
    /// The release's text.
    pub text: &'a [u8],
}

impl<'a> Record<'a> {
    /// The record's bytes, as they are stored before compression.
    pub fn bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.head.len() + self.text.len());
        bytes.extend_from_slice(&self.head);
        bytes.extend_from_slice(self.text);
        bytes
    }

    /// Release `doc`'s record, from the DOCS, DOCDATA and TEXT sections of a single-file index.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn of(
        docs: &[u8],
        doc_data: &[u8],
        text: &'a [u8],
        doc: u32,
    ) -> Result<Record<'a>, Error> {
        let (this, next) = (DocRecord::read(docs, doc)?, DocRecord::read(docs, doc + 1)?);
        let data = doc_data
            .get(this.data_offset as usize..next.data_offset as usize)
            .ok_or_else(|| Error::corrupt("DOCDATA", format!("release {doc}")))?;
        let mut head = Vec::with_capacity(data.len() + 2);
        put_varint(&mut head, data.len() as u64);
        head.extend_from_slice(data);
        let text = text
            .get(this.text_offset as usize..next.text_offset as usize)
            .ok_or_else(|| Error::corrupt("TEXT", format!("release {doc}")))?;
        Ok(Record { head, text })
    }

    /// The record, gzip-compressed as the index stores it.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn compress(&self) -> Vec<u8> {
        format::compress(&self.bytes())
    }
}

/// The files of a split index, as [`crate::IndexWriter::finish_split`] returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitIndex {
    /// The entry file, uncompressed (written gzip-compressed as [`crate::INDEX_FILE`]).
    pub entry: Vec<u8>,
    /// The part files: a content-addressed name and the bytes to write under it, as they are
    /// (their pieces are already compressed where compression pays).
    pub parts: Vec<(String, Vec<u8>)>,
}

impl SplitIndex {
    /// Cuts a single-file index (as [`crate::IndexWriter::finish`] writes it) into an entry file
    /// and part files.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_single(index: &[u8]) -> Result<SplitIndex, Error> {
        split(index, &|records| {
            records.iter().map(|r| r.compress().into()).collect()
        })
    }

    /// [`SplitIndex::from_single`], with the releases' records gzip-compressed by
    /// `compress_records`, which must return each record's [`Record::compress`]ed bytes in order
    /// (a builder can compress them in parallel; the output is the same).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_single_with(
        index: &[u8],
        compress_records: &RecordCompressor<'_>,
    ) -> Result<SplitIndex, Error> {
        split(index, compress_records)
    }
}

/// A piece of a part file that a search needs: bytes `start..end` of `file`, to be inflated
/// before they are added when `gzip` is set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PartRequest {
    /// The part file's name, relative to the index folder.
    pub file: String,
    /// The first byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
    /// Whether the bytes are a gzip member.
    pub gzip: bool,
}

// ---------------------------------------------------------------------------------------------
// MANIFEST

/// Where a piece lies: a file (index into the manifest's list) and a byte range in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Loc {
    pub file: u32,
    pub start: u64,
    pub end: u64,
}

/// A virtual byte array (the postings, or the release records) stored as segments in part
/// files. Segments are cut only between pieces, so any piece lies inside one segment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Space {
    /// `(virtual start, file, offset in the file, length)`, by virtual start.
    segments: Vec<(u64, u32, u64, u64)>,
}

impl Space {
    /// Where the virtual range `range` lies, when it lies inside one segment.
    fn locate(&self, range: Range<u64>) -> Option<Loc> {
        let i = self
            .segments
            .partition_point(|s| s.0 <= range.start)
            .checked_sub(1)?;
        let (start, file, offset, len) = self.segments[i];
        (range.end >= range.start && range.end <= start + len).then(|| Loc {
            file,
            start: offset + (range.start - start),
            end: offset + (range.end - start),
        })
    }

    fn len(&self) -> u64 {
        self.segments.last().map_or(0, |s| s.0 + s.3)
    }

    /// Whether `loc` lies inside one of the space's segments.
    fn holds(&self, loc: Loc) -> bool {
        self.segments.iter().any(|&(_, file, offset, len)| {
            file == loc.file && offset <= loc.start && loc.end <= offset + len
        })
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn write_to(&self, out: &mut Vec<u8>) {
        put_varint(out, self.segments.len() as u64);
        for &(start, file, offset, len) in &self.segments {
            put_varint(out, start);
            put_varint(out, u64::from(file));
            put_varint(out, offset);
            put_varint(out, len);
        }
    }

    fn read(c: &mut Cursor<'_>, files: &[(String, u64)]) -> Result<Space, Error> {
        let count = c.varint()?;
        let mut segments = Vec::new();
        let mut next = 0u64;
        for _ in 0..count {
            let (start, file, offset, len) = (c.varint()?, c.varint32()?, c.varint()?, c.varint()?);
            let fits = files
                .get(file as usize)
                .and_then(|f| offset.checked_add(len).map(|end| end <= f.1))
                .unwrap_or(false);
            if start != next || !fits {
                return Err(Error::corrupt("MANIFEST", format!("segment at {start}")));
            }
            next = start + len;
            segments.push((start, file, offset, len));
        }
        Ok(Space { segments })
    }
}

/// The index of the dictionary part whose range holds `term` (parts are sorted by first term).
fn part_of(dict: &[DictPartInfo], term: &[u8]) -> usize {
    dict.partition_point(|p| p.first.as_bytes() <= term)
        .saturating_sub(1)
}

/// One range of the dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DictPartInfo {
    /// Where the part starts: the part holds the terms from it up to the next part's. Its first
    /// term before version 11; from then on the shortest prefix of it that sorts after the
    /// previous part's last term (the first part's is empty).
    pub first: String,
    /// The gzip member holding the part.
    pub loc: Loc,
    /// The virtual postings range of its terms, before version 11; from then on the part itself
    /// says (see [`DictPart`]).
    pub postings: Option<Range<u64>>,
}

/// The MANIFEST section: which files there are and where each piece lies (`FORMAT.md` has
/// every byte, and what each version wrote).
///
/// ```text
/// varint term count
/// varint file count | per file: str name | varint length
/// varint part count | per dictionary part: varint shared | str rest of its start | loc
/// space POSTINGS | locator | space RECORDS
/// locator: varint page size | varint page count | per page: loc
/// varint bucket count | per acronym bucket: varint shared | str rest of its start | loc
/// varint piece count | per piece of PREFIXES: varint shared | str rest of its first letter | loc
/// varint flags (bit 0: see [`Manifest::fold_early`])
/// loc: varint file | varint start − the end of the piece before it in the same file (else 0)
///      | varint length
/// space: varint segment count | per segment: varint virtual start | varint file
///        | varint offset in the file | varint length
/// ```
///
/// That is version 12. Version 11 had no flags. From version 11 a part's or bucket's start is the shortest prefix of its first term or
/// word that sorts after the one before, and the dictionary parts say where their postings end
/// and where their family pieces lie. Version 10 gave each part's `varint postings length` after
/// its loc, listed parts and buckets by their whole first term or word, and listed the family
/// pieces after the buckets (`varint piece count | per piece: varint dictionary part step |
/// loc`). Version 9 listed each acronym bucket by its character, as a step from the one before
/// (`varint key step`). Before version 9, each dictionary part gave its first term
/// whole, its `varint file | varint start | varint end` and its postings start and end; a bucket
/// and a family piece their key or part and `varint file | varint start | varint end`; there
/// were no pieces of PREFIXES. The locator is unchanged since version 7; version 6 gave each page `varint
/// file | varint start | varint end`, versions 2 to 5 `varint offsets file | varint offsets
/// start` in its place. Buckets exist from version 3, family pieces from version 5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Manifest {
    /// The number of terms in the dictionary.
    pub terms: u64,
    pub files: Vec<(String, u64)>,
    pub dict: Vec<DictPartInfo>,
    pub postings: Space,
    /// Where each release's record lies in RECORDS.
    pub locator: RecordLocator,
    pub records: Space,
    /// The acronym buckets (version 3 and later), each a gzip member of definitions. From
    /// version 10, by ranges of words: a bucket listed with word `w` holds the definitions whose
    /// acronym, or whose expansion's first word, lies from `w` up to the next bucket's word.
    /// Before, one per character (a one-character string here): the definitions whose acronym,
    /// or whose expansion's first word, starts with it.
    pub acronyms: Vec<(String, Loc)>,
    /// Whether [`Manifest::acronyms`] are ranges of words (version 10) rather than characters.
    pub acronym_ranges: bool,
    /// Whether each dictionary part says where its postings end and where its word family
    /// piece lies (version 11): then [`Manifest::families`] is empty and
    /// [`DictPartInfo::postings`] `None`.
    pub self_locating: bool,
    /// The word family pieces (version 5 and later): per dictionary part that has any, a gzip
    /// member of the families with a term in the part's range, by part index.
    pub families: Vec<(u32, Loc)>,
    /// The pieces of PREFIXES (version 9 and later): per range of one-letter prefixes, its
    /// first prefix and a gzip member of PREFIXES (the format of the section) for the range,
    /// fetched with the first query that types one of them. Before, the entry held them all.
    pub prefixes: Vec<(String, Loc)>,
    /// Whether head fields carry the two gzip bits (version 12; see [`Head`]).
    pub packed_heads: bool,
    /// Whether at least one release in [`BEYOND_CORE_SHARE`] has a word character that folds
    /// with the extended table, as the builder counted them (version 12: bit 0 of the manifest's
    /// flags); `None` before, where [`Store::new`] estimates it from the dictionary.
    pub fold_early: Option<bool>,
}

/// How a split index says where each release's record lies in the RECORDS space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecordLocator {
    /// Versions 2 to 5: the records' offsets, `doc count + 1` u64 LE, raw in one file; a query
    /// fetches the 16 bytes of each release it shows.
    Offsets(Loc),
    /// Version 6 and later: pages of `size` releases, each a gzip member of `varint offset of
    /// the page's first record | per release: varint record length`. A page, once loaded,
    /// locates its releases for the rest of the session.
    Pages { size: u32, pages: Vec<Loc> },
}

impl Manifest {
    #[cfg(not(target_arch = "wasm32"))]
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_varint(&mut out, self.terms);
        put_varint(&mut out, self.files.len() as u64);
        for (name, len) in &self.files {
            put_str(&mut out, name);
            put_varint(&mut out, *len);
        }
        put_varint(&mut out, self.dict.len() as u64);
        // Version 9: each part after the one before it. Its first term shares a prefix with
        // that part's, its piece follows it in the file. Version 11: no postings lengths (the
        // part says where its postings end).
        let mut previous: Option<&DictPartInfo> = None;
        for part in &self.dict {
            put_front_coded(&mut out, &part.first, previous.map(|p| p.first.as_str()));
            put_loc_after(&mut out, &part.loc, previous.map(|p| &p.loc));
            debug_assert!(part.postings.is_none(), "the builder writes version 11");
            previous = Some(part);
        }
        self.postings.write_to(&mut out);
        match &self.locator {
            RecordLocator::Offsets(loc) => {
                put_varint(&mut out, u64::from(loc.file));
                put_varint(&mut out, loc.start);
            }
            RecordLocator::Pages { size, pages } => {
                put_varint(&mut out, u64::from(*size));
                put_varint(&mut out, pages.len() as u64);
                // Version 7: each page's start from the end of the page before it in the same
                // file (the builder writes them one after the other), and its length.
                let mut previous: Option<&Loc> = None;
                for loc in pages {
                    put_loc_after(&mut out, loc, previous);
                    previous = Some(loc);
                }
            }
        }
        self.records.write_to(&mut out);
        // Version 10: acronym buckets by their first word, front-coded (version 9: by
        // character); family pieces by their part's index as a step from the one before; each
        // piece placed after the piece before.
        debug_assert!(
            self.acronym_ranges,
            "the builder writes ranged acronym buckets"
        );
        put_varint(&mut out, self.acronyms.len() as u64);
        let mut previous: Option<&(String, Loc)> = None;
        for bucket @ (first, loc) in &self.acronyms {
            put_front_coded(&mut out, first, previous.map(|p| p.0.as_str()));
            put_loc_after(&mut out, loc, previous.map(|p| &p.1));
            previous = Some(bucket);
        }
        // Version 11: no table of word family pieces (each dictionary part locates its own).
        debug_assert!(self.families.is_empty(), "the builder writes version 11");
        put_varint(&mut out, self.prefixes.len() as u64);
        let mut previous: Option<&(String, Loc)> = None;
        for piece @ (first, loc) in &self.prefixes {
            put_front_coded(&mut out, first, previous.map(|p| p.0.as_str()));
            put_loc_after(&mut out, loc, previous.map(|p| &p.1));
            previous = Some(piece);
        }
        // Version 12: flags.
        debug_assert!(self.packed_heads, "the builder writes version 12");
        put_varint(&mut out, u64::from(self.fold_early == Some(true)));
        out
    }

    fn decode(bytes: &[u8], doc_count: u32, version: u32) -> Result<Manifest, Error> {
        let bad = |detail: String| Error::corrupt("MANIFEST", detail);
        let mut c = Cursor::new(bytes, "MANIFEST");
        let terms = c.varint()?;
        let count = c.varint()?;
        if count > bytes.len() as u64 {
            return Err(bad(format!("{count} files")));
        }
        let mut files = Vec::new();
        for _ in 0..count {
            let name = c.str()?;
            if !is_part_name(name) {
                return Err(bad(format!("file name {name:?}")));
            }
            files.push((name.to_owned(), c.varint()?));
        }
        let within = |file: u32, start: u64, end: u64| {
            files
                .get(file as usize)
                .is_some_and(|f| start <= end && end <= f.1)
        };
        let count = c.varint()?;
        if count > bytes.len() as u64 {
            return Err(bad(format!("{count} dictionary parts")));
        }
        let mut dict: Vec<DictPartInfo> = Vec::new();
        for i in 0..count {
            let part = || bad(format!("dictionary part {i}"));
            let previous = dict.last();
            let (first, loc, postings) = if version >= SELF_LOCATING_PARTS {
                let first = read_front_coded(&mut c, previous.map(|p| p.first.as_str()))?
                    .ok_or_else(part)?;
                let loc = read_loc_after(&mut c, previous.map(|p| &p.loc))?.ok_or_else(part)?;
                (first, loc, None)
            } else if version >= COMPACT_MANIFEST {
                let first = read_front_coded(&mut c, previous.map(|p| p.first.as_str()))?
                    .ok_or_else(part)?;
                let loc = read_loc_after(&mut c, previous.map(|p| &p.loc))?.ok_or_else(part)?;
                let start = previous
                    .and_then(|p| p.postings.as_ref())
                    .map_or(0, |p| p.end);
                let end = start.checked_add(c.varint()?).ok_or_else(part)?;
                (first, loc, Some(start..end))
            } else {
                let first = c.str()?.to_owned();
                (first, read_loc(&mut c)?, Some(c.varint()?..c.varint()?))
            };
            let ordered = dict.last().map_or(true, |p| {
                p.first < first
                    && match (&p.postings, &postings) {
                        (Some(before), Some(this)) => before.end == this.start,
                        _ => true,
                    }
            });
            let sound = postings.as_ref().map_or(true, |p| p.start <= p.end);
            if !within(loc.file, loc.start, loc.end) || !sound || !ordered {
                return Err(part());
            }
            dict.push(DictPartInfo {
                first,
                loc,
                postings,
            });
        }
        let postings = Space::read(&mut c, &files)?;
        if version < SELF_LOCATING_PARTS
            && dict
                .last()
                .and_then(|p| p.postings.as_ref())
                .map_or(0, |p| p.end)
                != postings.len()
        {
            return Err(bad("postings do not match the dictionary".into()));
        }
        let locator = if version >= 6 {
            let size = c.varint32()?;
            let count = c.varint()?;
            let expected = match size {
                0 => None,
                size => Some(u64::from(doc_count).div_ceil(u64::from(size))),
            };
            if expected != Some(count) {
                return Err(bad(format!(
                    "{count} pages of record lengths of {size} releases for {doc_count} releases"
                )));
            }
            let mut pages: Vec<Loc> = Vec::with_capacity(count as usize);
            for i in 0..count {
                let loc = if version >= 7 {
                    read_loc_after(&mut c, pages.last())?
                        .ok_or_else(|| bad(format!("page {i} of record lengths")))?
                } else {
                    read_loc(&mut c)?
                };
                if !within(loc.file, loc.start, loc.end) {
                    return Err(bad(format!("page {i} of record lengths")));
                }
                pages.push(loc);
            }
            RecordLocator::Pages { size, pages }
        } else {
            let file = c.varint32()?;
            let start = c.varint()?;
            let end = (u64::from(doc_count) + 1)
                .checked_mul(8)
                .and_then(|n| start.checked_add(n))
                .ok_or_else(|| bad("record offsets".into()))?;
            if !within(file, start, end) {
                return Err(bad("record offsets lie outside their file".into()));
            }
            RecordLocator::Offsets(Loc { file, start, end })
        };
        let records = Space::read(&mut c, &files)?;
        let mut acronyms: Vec<(String, Loc)> = Vec::new();
        let acronym_ranges = version >= RANGED_ACRONYMS;
        if version >= 3 {
            let count = c.varint()?;
            if count > bytes.len() as u64 {
                return Err(bad(format!("{count} acronym buckets")));
            }
            for i in 0..count {
                let previous = acronyms.last();
                let (key, loc) = if acronym_ranges {
                    let first = read_front_coded(&mut c, previous.map(|p| p.0.as_str()))?;
                    (first, read_loc_after(&mut c, previous.map(|p| &p.1))?)
                } else if version >= COMPACT_MANIFEST {
                    let key = c
                        .varint()?
                        .checked_add(previous.map_or(0, |p| {
                            p.0.chars().next().map_or(0, |k| u64::from(u32::from(k)))
                        }))
                        .and_then(|k| u32::try_from(k).ok())
                        .and_then(char::from_u32);
                    (
                        key.map(String::from),
                        read_loc_after(&mut c, previous.map(|p| &p.1))?,
                    )
                } else {
                    let key = u32::try_from(c.varint()?).ok().and_then(char::from_u32);
                    (key.map(String::from), Some(read_loc(&mut c)?))
                };
                let ordered = previous.map_or(true, |(k, _)| Some(k) < key.as_ref());
                match (key, loc) {
                    (Some(key), Some(loc)) if ordered && within(loc.file, loc.start, loc.end) => {
                        acronyms.push((key, loc));
                    }
                    _ => return Err(bad(format!("acronym bucket {i}"))),
                }
            }
        }
        let mut families: Vec<(u32, Loc)> = Vec::new();
        if (5..SELF_LOCATING_PARTS).contains(&version) {
            let count = c.varint()?;
            if count > dict.len() as u64 {
                return Err(bad(format!("{count} word family pieces")));
            }
            for i in 0..count {
                let piece = || bad(format!("word family piece {i}"));
                let previous = families.last();
                let (part, loc) = if version >= COMPACT_MANIFEST {
                    let part = c
                        .varint32()?
                        .checked_add(previous.map_or(0, |p| p.0))
                        .ok_or_else(piece)?;
                    let loc = read_loc_after(&mut c, previous.map(|p| &p.1))?;
                    (part, loc.ok_or_else(piece)?)
                } else {
                    (c.varint32()?, read_loc(&mut c)?)
                };
                let ordered = previous.map_or(true, |&(p, _)| p < part);
                if !ordered || part as usize >= dict.len() || !within(loc.file, loc.start, loc.end)
                {
                    return Err(piece());
                }
                families.push((part, loc));
            }
        }
        let mut prefixes: Vec<(String, Loc)> = Vec::new();
        if version >= COMPACT_MANIFEST {
            let count = c.varint()?;
            if count > bytes.len() as u64 {
                return Err(bad(format!("{count} pieces of PREFIXES")));
            }
            for i in 0..count {
                let piece = || bad(format!("piece {i} of PREFIXES"));
                let previous = prefixes.last();
                let first =
                    read_front_coded(&mut c, previous.map(|p| p.0.as_str()))?.ok_or_else(piece)?;
                let loc = read_loc_after(&mut c, previous.map(|p| &p.1))?;
                let ordered = previous.map_or(true, |p| p.0 < first);
                match loc {
                    Some(loc) if ordered && within(loc.file, loc.start, loc.end) => {
                        prefixes.push((first, loc));
                    }
                    _ => return Err(piece()),
                }
            }
        }
        let fold_early = if version >= PACKED_HEADS {
            Some(c.varint()? & 1 == 1)
        } else {
            None
        };
        // A fetched piece is known by where it lies: two pieces in one place would leave the
        // second never loaded, and the page asking for it until its rounds run out.
        let mut pieces: Vec<Loc> = dict.iter().map(|p| p.loc).collect();
        pieces.extend(acronyms.iter().map(|b| b.1));
        pieces.extend(families.iter().map(|f| f.1));
        pieces.extend(prefixes.iter().map(|p| p.1));
        if let RecordLocator::Pages { pages, .. } = &locator {
            pieces.extend(pages);
        }
        crate::sorting::sort(&mut pieces);
        if let Some(twice) = pieces.windows(2).find(|w| w[0] == w[1]) {
            let Loc { file, start, end } = twice[0];
            return Err(bad(format!(
                "two pieces at bytes {start}..{end} of {}",
                files[file as usize].0
            )));
        }
        Ok(Manifest {
            terms,
            files,
            dict,
            postings,
            locator,
            records,
            acronyms,
            acronym_ranges,
            self_locating: version >= SELF_LOCATING_PARTS,
            families,
            prefixes,
            packed_heads: version >= PACKED_HEADS,
            fold_early,
        })
    }
}

/// The first format version whose dictionary parts say where their postings end and where their
/// word family piece lies, which the manifest no longer lists, and whose manifest lists each part
/// by the shortest prefix of its first term that sorts after the part before.
const SELF_LOCATING_PARTS: u32 = 11;
/// The first format version that may store a term's head and positions as gzip members (see
/// [`pack_postings`]), whose head fields (in dictionary parts and PREFIXES) say so (see
/// [`Head`]), and whose manifest ends with its flags.
const PACKED_HEADS: u32 = 12;
/// The first format version whose manifest places each piece after the one listed before it
/// (see [`put_loc_after`]) and front-codes the dictionary parts' first terms.
const COMPACT_MANIFEST: u32 = 9;
/// The first format version whose acronym buckets hold ranges of words, listed by their first
/// word, instead of one first character each.
const RANGED_ACRONYMS: u32 = 10;

/// Writes where `loc` lies relative to `previous`, the piece of the same kind listed before it:
/// `varint file | varint start − the end of previous when in the same file (else 0) | varint
/// length`. The builder writes each kind's pieces one after the other, so the middle number is
/// mostly 0 and the whole takes 3 to 5 bytes where absolute offsets took up to 9.
#[cfg(not(target_arch = "wasm32"))]
fn put_loc_after(out: &mut Vec<u8>, loc: &Loc, previous: Option<&Loc>) {
    let from = previous.filter(|p| p.file == loc.file).map_or(0, |p| p.end);
    let gap = loc
        .start
        .checked_sub(from)
        .expect("the builder lists each kind of piece in the order it writes them");
    put_varint(out, u64::from(loc.file));
    put_varint(out, gap);
    put_varint(out, loc.end - loc.start);
}

/// Reads what [`put_loc_after`] wrote; `None` when the numbers overflow.
fn read_loc_after(c: &mut Cursor<'_>, previous: Option<&Loc>) -> Result<Option<Loc>, Error> {
    let file = c.varint32()?;
    let from = previous.filter(|p| p.file == file).map_or(0, |p| p.end);
    let (gap, len) = (c.varint()?, c.varint()?);
    Ok(from.checked_add(gap).and_then(|start| {
        Some(Loc {
            file,
            start,
            end: start.checked_add(len)?,
        })
    }))
}

/// A `Loc` as versions before [`COMPACT_MANIFEST`] wrote it: `varint file | varint start |
/// varint end`.
fn read_loc(c: &mut Cursor<'_>) -> Result<Loc, Error> {
    Ok(Loc {
        file: c.varint32()?,
        start: c.varint()?,
        end: c.varint()?,
    })
}

/// Whether `name` is a part file name this format writes: no path, nothing to escape in a URL.
fn is_part_name(name: &str) -> bool {
    name.strip_prefix(PART_PREFIX)
        .and_then(|n| n.strip_suffix(PART_EXTENSION))
        .and_then(|n| n.strip_suffix('.'))
        .is_some_and(|hash| !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

// ---------------------------------------------------------------------------------------------
// COLUMNS: per release, the numbers ranking and filters read for every match.
//
//   dates:      n × varint zigzag(date − previous date)      (yyyymmdd, 0 = none)
//   titles:     n × varint title words                       (versions 3 to 7; from version 8
//                                                             the postings give them)
//   bodies:     n × u8 body length code (format::length_code)
//   (version 2 had one column, n × (varint title words | varint body words), instead of both)
//   languages:  n × varint lang id                           (0 = none, else LANGS index + 1)
//   categories: n × (varint count | count × varint id)

/// The per-release numbers every query may read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    pub dates: Vec<u32>,
    pub lengths: Vec<(u16, u16)>,
    pub langs: Vec<u32>,
    pub category_starts: Vec<u32>,
    pub category_ids: Vec<u32>,
}

impl Columns {
    #[cfg(not(target_arch = "wasm32"))]
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut previous = 0i64;
        for &date in &self.dates {
            let delta = i64::from(date) - previous;
            put_varint(&mut out, ((delta << 1) ^ (delta >> 63)) as u64);
            previous = i64::from(date);
        }
        out.extend(
            self.lengths
                .iter()
                .map(|&(_, body)| format::length_code(body)),
        );
        for &lang in &self.langs {
            put_varint(&mut out, u64::from(lang));
        }
        for doc in 0..self.dates.len() {
            let ids = &self.category_ids
                [self.category_starts[doc] as usize..self.category_starts[doc + 1] as usize];
            put_varint(&mut out, ids.len() as u64);
            for &id in ids {
                put_varint(&mut out, u64::from(id));
            }
        }
        out
    }

    /// Reads the columns of a file of format `version` (2 or later).
    pub(crate) fn decode(
        bytes: &[u8],
        n: usize,
        categories: usize,
        langs: usize,
        version: u32,
    ) -> Result<Columns, Error> {
        let bad = |detail: String| Error::corrupt("COLUMNS", detail);
        // Every release takes at least four bytes (five before version 8), so a count beyond
        // that is a lie.
        let least = if version >= crate::format::TITLED_POSTINGS {
            4
        } else {
            5
        };
        if n.saturating_mul(least) > bytes.len() {
            return Err(bad(format!("{} bytes for {n} releases", bytes.len())));
        }
        let mut c = Cursor::new(bytes, "COLUMNS");
        let mut columns = Columns::default();
        let mut date = 0i64;
        for doc in 0..n {
            let z = c.varint()?;
            date += ((z >> 1) as i64) ^ -((z & 1) as i64);
            let ok = u32::try_from(date)
                .is_ok_and(|d| d == 0 || crate::Date::from_yyyymmdd(d).is_some());
            if !ok {
                return Err(bad(format!("date of release {doc}")));
            }
            columns.dates.push(date as u32);
        }
        if version < 3 {
            for _ in 0..n {
                let title = u16::try_from(c.varint()?).unwrap_or(u16::MAX);
                let body = u16::try_from(c.varint()?).unwrap_or(u16::MAX);
                columns.lengths.push((title, body));
            }
        } else {
            // From version 8 the titles' lengths come with the postings (see
            // `Index::lengths`): 0 here.
            for _ in 0..n {
                let title = if version >= crate::format::TITLED_POSTINGS {
                    0
                } else {
                    u16::try_from(c.varint()?).unwrap_or(u16::MAX)
                };
                columns.lengths.push((title, 0));
            }
            for doc in 0..n {
                columns.lengths[doc].1 = crate::format::length_of_code(c.take(1)?[0], version)
                    .ok_or_else(|| bad(format!("body length of release {doc}")))?;
            }
        }
        for doc in 0..n {
            let lang = c.varint32()?;
            if lang as usize > langs {
                return Err(bad(format!("language of release {doc}")));
            }
            columns.langs.push(lang);
        }
        for doc in 0..n {
            columns
                .category_starts
                .push(columns.category_ids.len() as u32);
            let count = c.varint()?;
            if count > bytes.len() as u64 {
                return Err(bad(format!("categories of release {doc}")));
            }
            for _ in 0..count {
                let id = c.varint32()?;
                if id as usize >= categories {
                    return Err(bad(format!("categories of release {doc}")));
                }
                columns.category_ids.push(id);
            }
        }
        columns
            .category_starts
            .push(columns.category_ids.len() as u32);
        Ok(columns)
    }
}

// ---------------------------------------------------------------------------------------------
// PREFIXES: `varint count | count × (str prefix | varint k | k × completion)`, sorted by prefix;
// completion: `str term | varint value | varint head field | varint postings length` (a head
// length before version 12; see [`Head`]). The
// [`ONE_LETTER_EXPANSIONS`] most frequent completions of each one-letter prefix, with what it
// takes to fetch their postings, so the first keystroke fetches no dictionary part.

/// A completion: the term, its fst value, its postings' head field and their stored length.
pub(crate) type Completion = (String, u64, u32, u64);
pub(crate) type Prefixes = Vec<(String, Vec<Completion>)>;

#[cfg(not(target_arch = "wasm32"))]
fn encode_prefixes(prefixes: &Prefixes) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, prefixes.len() as u64);
    for (prefix, completions) in prefixes {
        put_str(&mut out, prefix);
        put_varint(&mut out, completions.len() as u64);
        for (term, value, head, len) in completions {
            put_str(&mut out, term);
            put_varint(&mut out, *value);
            put_varint(&mut out, u64::from(*head));
            put_varint(&mut out, *len);
        }
    }
    out
}

/// Decodes PREFIXES, each completion's head length as a head field (see [`pack_postings`]):
/// before version 12, the length shifted up.
fn decode_prefixes(bytes: &[u8], doc_count: u32, manifest: &Manifest) -> Result<Prefixes, Error> {
    let postings = manifest.postings.len();
    let mut c = Cursor::new(bytes, "PREFIXES");
    let count = c.varint()?;
    if count > bytes.len() as u64 {
        return Err(Error::corrupt("PREFIXES", format!("{count} prefixes")));
    }
    let mut out: Prefixes = Vec::new();
    for _ in 0..count {
        let prefix = c.str()?.to_owned();
        let k = c.varint()?;
        if k > ONE_LETTER_EXPANSIONS as u64 || out.last().is_some_and(|p| p.0 >= prefix) {
            return Err(Error::corrupt("PREFIXES", format!("prefix {prefix:?}")));
        }
        let mut completions = Vec::new();
        for _ in 0..k {
            let term = c.str()?.to_owned();
            let value = c.varint()?;
            let (head, len) = (head_field(c.varint32()?, manifest)?, c.varint()?);
            check_term_value(value, doc_count, postings, &term)?;
            let end = (split_term_value(value).0 as u64).checked_add(len);
            if !Head::decode(head).fits(len) || end.map_or(true, |e| e > postings) {
                return Err(Error::corrupt("PREFIXES", format!("postings of {term:?}")));
            }
            completions.push((term, value, head, len));
        }
        out.push((prefix, completions));
    }
    Ok(out)
}

/// How a term's postings are stored, from its head field: `stored head length << 2 | positions
/// gzipped << 1 | head gzipped` (version 12); before, the head length alone, all raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head {
    /// The head's stored length: the document list, or the gzip member that holds it.
    stored: u32,
    /// Whether the head is a gzip member.
    gzip: bool,
    /// Whether the positions (from the head's end to the next term's postings) are one.
    positions_gzip: bool,
}

impl Head {
    fn decode(field: u32) -> Head {
        Head {
            stored: field >> 2,
            gzip: field & 1 == 1,
            positions_gzip: field & 2 == 2,
        }
    }

    /// Whether the head and positions it describes fit in postings of `len` stored bytes: a
    /// head of at least one byte, and a gzip member of at least the 18 bytes of gzip's header
    /// and trailer (so that no piece is empty, and two pieces never start at one place).
    fn fits(self, len: u64) -> bool {
        const GZIP_MEMBER_MIN: u64 = 18;
        let head = u64::from(self.stored);
        head >= 1
            && head <= len
            && (!self.gzip || head >= GZIP_MEMBER_MIN)
            && (!self.positions_gzip || len - head >= GZIP_MEMBER_MIN)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn encode(self) -> u32 {
        self.stored << 2 | u32::from(self.positions_gzip) << 1 | u32::from(self.gzip)
    }
}

/// A head field as stored, as the engine keeps it: in the version-12 form (see [`Head`]).
fn head_field(stored: u32, manifest: &Manifest) -> Result<u32, Error> {
    if manifest.packed_heads {
        Ok(stored)
    } else {
        stored
            .checked_mul(4)
            .ok_or_else(|| Error::corrupt("POSTINGS", "a head length"))
    }
}

/// The postings extent (head field, end) of each completion in `prefixes`, by offset.
fn completions_of(prefixes: &Prefixes) -> impl Iterator<Item = (u64, (u32, u64))> + '_ {
    prefixes
        .iter()
        .flat_map(|(_, c)| c)
        .map(|&(_, value, head, len)| {
            let offset = split_term_value(value).0 as u64;
            (offset, (head, offset + len))
        })
}

fn check_term_value(value: u64, doc_count: u32, postings: u64, term: &str) -> Result<(), Error> {
    let (offset, df) = split_term_value(value);
    if offset as u64 >= postings || df == 0 || df > doc_count {
        return Err(Error::corrupt("TERMS", format!("entry for {term:?}")));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Writing: from a single-file index to entry + parts.

/// Pieces appended to part files, which are closed at [`MAX_PART_FILE_BYTES`].
#[cfg(not(target_arch = "wasm32"))]
#[derive(Default)]
struct Files {
    done: Vec<Vec<u8>>,
    current: Vec<u8>,
}

#[cfg(not(target_arch = "wasm32"))]
impl Files {
    /// Appends a piece and returns where it lies. `keep_with_previous` keeps it in the same file
    /// as the previous piece (a segment of a space must not be cut across files).
    fn push(&mut self, piece: &[u8], keep_with_previous: bool) -> Loc {
        if !keep_with_previous
            && !self.current.is_empty()
            && self.current.len() + piece.len() > MAX_PART_FILE_BYTES
        {
            self.done.push(std::mem::take(&mut self.current));
        }
        let start = self.current.len() as u64;
        self.current.extend_from_slice(piece);
        Loc {
            file: self.done.len() as u32,
            start,
            end: self.current.len() as u64,
        }
    }

    fn finish(mut self) -> Vec<Vec<u8>> {
        if !self.current.is_empty() || self.done.is_empty() {
            self.done.push(self.current);
        }
        self.done
    }
}

/// Appends the pieces of one virtual space (each piece a range of `bytes`) to the files, cutting
/// segments where a file closes.
#[cfg(not(target_arch = "wasm32"))]
fn store_space<'b>(files: &mut Files, pieces: impl Iterator<Item = (u64, &'b [u8])>) -> Space {
    let mut segments: Vec<(u64, u32, u64, u64)> = Vec::new();
    for (start, piece) in pieces {
        let continues = segments.last().is_some_and(|s| {
            files.current.len() + piece.len() <= MAX_PART_FILE_BYTES
                && s.1 as usize == files.done.len()
        });
        let loc = files.push(piece, continues);
        match segments.last_mut() {
            Some(s) if continues => s.3 += loc.end - loc.start,
            _ => segments.push((start, loc.file, loc.start, loc.end - loc.start)),
        }
    }
    Space { segments }
}

/// Cuts a single-file index (as [`crate::IndexWriter::finish`] writes it) into an entry file and
/// part files. Deterministic: the same index gives the same bytes and names.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn split(
    whole: &[u8],
    compress_records: &RecordCompressor<'_>,
) -> Result<SplitIndex, Error> {
    let layout = format::read_container(whole)?;
    if layout.has(Section::Manifest) {
        return Err(Error::corrupt("split", "the index is split already"));
    }
    // The split entry is of this version: an older single file's numbers (its body lengths,
    // say) would not read the same in it.
    if layout.version != format::FORMAT_VERSION {
        return Err(Error::Version {
            expected: format::FORMAT_VERSION,
            got: layout.version,
        });
    }
    let section = |s| layout.get(whole, s);
    let meta = Meta::decode(section(Section::Meta))?;
    let n = meta.doc_count as usize;
    let terms = fst::Map::new(section(Section::Terms).to_vec())
        .map_err(|e| Error::corrupt("TERMS", e.to_string()))?;
    let postings = section(Section::Postings);
    let families = format::read_families(section(Section::Stems))?;

    // Every term with its postings range (in POSTINGS), then as the parts store it (version 12):
    // its head gzipped when that pays, each term's value giving where it lies in the postings
    // space of the parts, and each term's head field (see `pack_postings`).
    let (all, stored, heads) =
        pack_postings(format::term_postings(&terms, postings.len()), postings)?;

    let mut files = Files::default();
    // Dictionary parts: term ranges of about DICT_PART_BYTES of terms.
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < all.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < all.len() && (bytes < DICT_PART_BYTES || end == start) {
            bytes += all[end].0.len() + 4;
            end += 1;
        }
        ranges.push(start..end);
        start = end;
    }
    if ranges.is_empty() {
        // No terms: one empty part keeps the manifest's shape.
        ranges.push(0..0);
    }
    // Each part starts at the shortest prefix of its first term (on a character boundary) that
    // sorts after the previous part's last term: the manifest lists these, and a word belongs
    // to the last part that starts at or before it.
    let mut dict: Vec<DictPartInfo> = ranges
        .iter()
        .map(|range| {
            let first: &[u8] = all.get(range.start).map_or(&[], |t| &t.0);
            let first = String::from_utf8_lossy(first);
            let start = match range.start.checked_sub(1).map(|i| &all[i].0) {
                None => "",
                Some(last) => separator(last, &first),
            };
            DictPartInfo {
                first: start.to_owned(),
                loc: Loc::default(),
                postings: None,
            }
        })
        .collect();

    // Word families: per dictionary part, those with a term in its range, fetched only by a
    // search that widens to families (see `search::FAMILY_BELOW`). Written before the parts,
    // which say where theirs lie.
    let mut per_part: Vec<Vec<usize>> = vec![Vec::new(); dict.len()];
    for (f, family) in families.iter().enumerate() {
        for term in family {
            let part = part_of(&dict, term.as_bytes());
            if per_part[part].last() != Some(&f) {
                per_part[part].push(f);
            }
        }
    }
    let mut family_locs = Vec::with_capacity(dict.len());
    for in_part in &per_part {
        family_locs.push(if in_part.is_empty() {
            None
        } else {
            let in_part: Vec<Vec<String>> = in_part.iter().map(|&f| families[f].clone()).collect();
            let piece = format::compress(&format::write_families(&in_part));
            Some(files.push(&piece, false))
        });
    }

    // Dictionary parts: `varint n | n × varint head field | varint postings tail | family
    // piece | fst` (see FORMAT.md), gzip-compressed.
    let compressed = crate::parallel::map(
        ranges.iter().cloned().zip(family_locs).collect::<Vec<_>>(),
        |(range, family)| {
            let mut builder = fst::MapBuilder::memory();
            let mut part = Vec::new();
            put_varint(&mut part, range.len() as u64);
            for ((term, value, ..), head) in all[range.clone()].iter().zip(&heads[range.clone()]) {
                builder
                    .insert(term, *value)
                    .map_err(|e| Error::corrupt("TERMS", e.to_string()))?;
                put_varint(&mut part, u64::from(*head));
            }
            // The last term's postings run to the next part's first (the tail).
            let tail = all[range.clone()].last().map_or(0, |t| t.3 - t.2);
            put_varint(&mut part, tail as u64);
            match family {
                None => put_varint(&mut part, 0),
                Some(loc) => {
                    put_varint(&mut part, u64::from(loc.file) + 1);
                    put_varint(&mut part, loc.start);
                    put_varint(&mut part, loc.end - loc.start);
                }
            }
            let fst_bytes = builder
                .into_inner()
                .map_err(|e| Error::corrupt("TERMS", e.to_string()))?;
            part.extend_from_slice(&fst_bytes);
            Ok(format::compress(&part))
        },
    );
    for (info, part) in dict.iter_mut().zip(compressed) {
        info.loc = files.push(&part?, false);
    }
    let postings_space = store_space(
        &mut files,
        all.iter()
            .zip(&stored)
            .map(|(t, bytes)| (t.2 as u64, &bytes[..])),
    );
    drop(stored);

    // Release records: `varint DOCDATA length | DOCDATA | text`, gzip-compressed one by one.
    let docs = section(Section::Docs);
    let doc_data = section(Section::DocData);
    let text = section(Section::Text);
    let mut raw_records: Vec<Record<'_>> = Vec::with_capacity(n);
    let mut columns = Columns::default();
    for doc in 0..n as u32 {
        let (this, next) = (DocRecord::read(docs, doc)?, DocRecord::read(docs, doc + 1)?);
        let data = DocData::read(&doc_data[..next.data_offset as usize], this.data_offset)?;
        raw_records.push(Record::of(docs, doc_data, text, doc)?);
        columns.dates.push(this.date);
        columns.lengths.push((this.title_len, this.body_len));
        columns.langs.push(data.lang);
        columns
            .category_starts
            .push(columns.category_ids.len() as u32);
        columns.category_ids.extend_from_slice(&data.categories);
    }
    columns
        .category_starts
        .push(columns.category_ids.len() as u32);
    let fold_early = folds_beyond_core(raw_records.iter().map(|r| (&r.head[..], r.text)).collect());
    let compressed = compress_records(&raw_records);
    if compressed.len() != raw_records.len() {
        return Err(Error::corrupt("split", "a record was not compressed"));
    }
    drop(raw_records);
    // Record lengths, RECORD_PAGE releases to a page, so that a query locates the records it
    // shows with one small piece per page, kept for the session.
    let mut at = 0u64;
    let pages: Vec<Vec<u8>> = compressed
        .chunks(RECORD_PAGE)
        .map(|chunk| {
            let mut page = Vec::with_capacity(chunk.len() * 2 + 8);
            put_varint(&mut page, at);
            for record in chunk {
                put_varint(&mut page, record.len() as u64);
                at += record.len() as u64;
            }
            page
        })
        .collect();
    let pages = crate::parallel::map(pages, |page| format::compress(&page))
        .iter()
        .map(|page| files.push(page, false))
        .collect();
    let locator = RecordLocator::Pages {
        size: RECORD_PAGE as u32,
        pages,
    };
    let mut at = 0u64;
    let records = store_space(
        &mut files,
        compressed.iter().map(|record| {
            let start = at;
            at += record.len() as u64;
            (start, &record[..])
        }),
    );

    // Acronyms: buckets by ranges of words, fetched with the queries that give a word in them.
    let definitions = format::read_acronyms(section(Section::Acronyms))?;
    let acronyms = acronym_buckets(&definitions, ACRONYM_BUCKET_BYTES)
        .iter()
        .map(|(first, definitions)| {
            let piece = format::compress(&format::write_acronyms(definitions));
            (first.clone(), files.push(&piece, false))
        })
        .collect();

    // The completions of one-letter prefixes, in pieces of consecutive letters: a query that
    // types one letter fetches one piece (a multilingual index has thousands of letters).
    let mut prefix_pieces = Vec::new();
    let mut piece: Prefixes = Vec::new();
    let mut raw = 0;
    let mut prefixes = one_letter_prefixes(&all, &heads).into_iter().peekable();
    while let Some(entry) = prefixes.next() {
        raw += entry.0.len() + entry.1.iter().map(|c| c.0.len() + 12).sum::<usize>();
        piece.push(entry);
        if raw >= PREFIX_PIECE_BYTES || prefixes.peek().is_none() {
            let bytes = format::compress(&encode_prefixes(&piece));
            prefix_pieces.push((piece[0].0.clone(), files.push(&bytes, false)));
            piece.clear();
            raw = 0;
        }
    }
    let parts: Vec<(String, Vec<u8>)> =
        crate::parallel::map(files.finish(), |bytes| (part_name(&bytes), bytes));
    let manifest = Manifest {
        terms: all.len() as u64,
        files: parts
            .iter()
            .map(|(name, bytes)| (name.clone(), bytes.len() as u64))
            .collect(),
        dict,
        postings: postings_space,
        locator,
        records,
        acronyms,
        acronym_ranges: true,
        self_locating: true,
        families: Vec::new(),
        prefixes: prefix_pieces,
        packed_heads: true,
        fold_early: Some(fold_early),
    };
    let entry = format::write_container(&[
        (Section::Meta, section(Section::Meta).to_vec()),
        (Section::Categories, section(Section::Categories).to_vec()),
        (Section::Langs, section(Section::Langs).to_vec()),
        (Section::Settings, section(Section::Settings).to_vec()),
        // In the acronym buckets of the parts instead.
        (Section::Acronyms, format::write_acronyms(&[])),
        (Section::Columns, columns.encode()),
        (Section::Manifest, manifest.encode()),
        // In the manifest's pieces of PREFIXES instead.
        (Section::Prefixes, encode_prefixes(&Vec::new())),
    ]);
    Ok(SplitIndex { entry, parts })
}

/// The words a query may give a definition by: its acronym and its expansion's first word. The
/// definition is in the bucket of each (version 10), or of each one's first character (versions
/// 3 to 9).
fn acronym_words((acronym, expansion): &crate::acronyms::Definition) -> Vec<&str> {
    let mut words: Vec<&str> = std::iter::once(acronym.as_str())
        .chain(expansion.first().map(String::as_str))
        .collect();
    words.dedup();
    words
}

/// Cuts `definitions` into buckets by ranges of the words a query may give them by (see
/// [`acronym_words`]): each bucket is its first word and the definitions with a word from it up
/// to the next bucket's first word, sorted by acronym, about `target` bytes of them. A word's
/// definitions all go in one bucket.
#[cfg(not(target_arch = "wasm32"))]
fn acronym_buckets(
    definitions: &[crate::acronyms::Definition],
    target: usize,
) -> Vec<(String, Vec<crate::acronyms::Definition>)> {
    let mut by_word: Vec<(&str, &crate::acronyms::Definition)> = definitions
        .iter()
        .flat_map(|d| acronym_words(d).into_iter().map(move |w| (w, d)))
        .collect();
    by_word.sort_unstable();
    let mut buckets: Vec<(String, Vec<crate::acronyms::Definition>)> = Vec::new();
    let mut bytes = 0;
    let mut last_word = None;
    for (word, definition) in by_word {
        if buckets.is_empty() || (bytes >= target && last_word != Some(word)) {
            // A bucket starts at the shortest prefix of its first word that sorts after the
            // last word of the bucket before: no word lies between, and the manifest is shorter.
            let start = last_word.map_or(word, |last| separator(last.as_bytes(), word));
            buckets.push((start.to_owned(), Vec::new()));
            bytes = 0;
        }
        last_word = Some(word);
        let (acronym, expansion) = definition;
        bytes += 2 + acronym.len() + expansion.iter().map(|w| w.len() + 1).sum::<usize>();
        if let Some((_, bucket)) = buckets.last_mut() {
            bucket.push(definition.clone());
        }
    }
    for (_, bucket) in &mut buckets {
        crate::sorting::sort_dedup(bucket);
    }
    buckets
}

/// The shortest prefix of `word` (on a character boundary) that sorts after `last`, which sorts
/// before `word`.
#[cfg(not(target_arch = "wasm32"))]
fn separator<'a>(last: &[u8], word: &'a str) -> &'a str {
    (1..=word.len())
        .filter(|&n| word.is_char_boundary(n))
        .map(|n| &word[..n])
        .find(|prefix| prefix.as_bytes() > last)
        .unwrap_or(word)
}

/// The bytes of the document list at the head of a term's postings (`varint len | list`).
#[cfg(not(target_arch = "wasm32"))]
fn head_len(postings: &[u8]) -> Result<usize, Error> {
    let mut c = Cursor::new(postings, "POSTINGS");
    let len = c.varint()? as usize;
    c.skip(len)?;
    Ok(postings.len() - c.remaining())
}

/// Whether at least one release in [`BEYOND_CORE_SHARE`] has a letter or digit in its title or
/// text that folds with the extended table (a release's DOCDATA, which holds its title, and its
/// text): then a query's hits are likely to need the table, and the page fetches it with the
/// query's first pieces (see [`Store::words_beyond_core`]). Of the 22,181 English benchmark
/// releases 79 have such characters (`Ⓡ`, subscript digits, a Chinese name), of the 106,021 in
/// every script 3,016 (most scripts, Cyrillic to Hebrew, fold with the module's own table); a
/// press room in Japanese or Hindi has them in all its releases.
#[cfg(not(target_arch = "wasm32"))]
fn folds_beyond_core(texts: Vec<(&[u8], &[u8])>) -> bool {
    let n = texts.len();
    let has = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .chars()
            .any(|c| crate::analyze::beyond_core(c) && c.is_alphanumeric())
    };
    let found = crate::parallel::map(texts, |(data, text)| has(data) || has(text));
    let count = found.iter().filter(|&&f| f).count();
    count > 0 && count * BEYOND_CORE_SHARE >= n
}

/// Terms as the parts store their postings (version 12): `all` (from TERMS, with their ranges in
/// POSTINGS), each term's value, offset and end moved to the parts' postings space (the same
/// document frequency); each term's stored postings; and its [`Head`] field. Its head
/// (the document list) and its positions are each stored as a gzip member when they take
/// [`GZIP_POSTINGS_BYTES`] or more and the member is smaller: a frequent word's document list
/// shrinks to about half (its gaps and frequencies are small numbers that repeat), its
/// positions by about a sixth.
#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::type_complexity)]
fn pack_postings<'p>(
    mut all: Vec<(Vec<u8>, u64, usize, usize)>,
    postings: &'p [u8],
) -> Result<
    (
        Vec<(Vec<u8>, u64, usize, usize)>,
        Vec<Cow<'p, [u8]>>,
        Vec<u32>,
    ),
    Error,
> {
    let pack = |bytes: &'p [u8]| -> Cow<'p, [u8]> {
        if bytes.len() >= GZIP_POSTINGS_BYTES {
            let member = format::compress(bytes);
            if member.len() < bytes.len() {
                return Cow::Owned(member);
            }
        }
        Cow::Borrowed(bytes)
    };
    let pieces = crate::parallel::map(all.iter().map(|t| (t.2, t.3)).collect(), |(offset, end)| {
        let whole = &postings[offset..end];
        let head_len = head_len(whole)?;
        let (head, rest) = (pack(&whole[..head_len]), pack(&whole[head_len..]));
        let field = Head {
            stored: u32::try_from(head.len())
                .ok()
                .filter(|&len| len < 1 << 30)
                .ok_or_else(|| Error::corrupt("POSTINGS", "a document list too long"))?,
            gzip: matches!(head, Cow::Owned(_)),
            positions_gzip: matches!(rest, Cow::Owned(_)),
        };
        let bytes = match (head, rest) {
            (Cow::Borrowed(_), Cow::Borrowed(_)) => Cow::Borrowed(whole),
            (head, rest) => Cow::Owned([&head[..], &rest[..]].concat()),
        };
        Ok::<_, Error>((bytes, field.encode()))
    });
    let mut stored = Vec::with_capacity(all.len());
    let mut heads = Vec::with_capacity(all.len());
    let mut at = 0usize;
    for ((_, value, offset, end), piece) in all.iter_mut().zip(pieces) {
        let (bytes, field) = piece?;
        let df = split_term_value(*value).1;
        (*value, *offset, *end) = (format::term_value(at as u64, df), at, at + bytes.len());
        at = *end;
        heads.push(field);
        stored.push(bytes);
    }
    Ok((all, stored, heads))
}

/// The most frequent completions of every one-letter prefix, as search picks them from a whole
/// dictionary (see `search::most_frequent`), with their head fields (see [`pack_postings`]).
#[cfg(not(target_arch = "wasm32"))]
fn one_letter_prefixes(all: &[(Vec<u8>, u64, usize, usize)], heads: &[u32]) -> Prefixes {
    // Terms sorted by bytes keep those of one first letter together; for each letter, the most
    // frequent terms of two letters or more (ties in term order).
    let mut out: Prefixes = Vec::new();
    let mut group: Vec<usize> = Vec::new();
    let mut letter: Option<char> = None;
    let mut flush = |letter: Option<char>, group: &mut Vec<usize>| {
        let Some(letter) = letter else { return };
        if group.is_empty() {
            return;
        }
        group.sort_by(|&a, &b| {
            split_term_value(all[b].1)
                .1
                .cmp(&split_term_value(all[a].1).1)
                .then_with(|| all[a].0.cmp(&all[b].0))
        });
        group.truncate(ONE_LETTER_EXPANSIONS);
        let mut completions = Vec::with_capacity(group.len());
        for &i in group.iter() {
            let (term, value, offset, end) = &all[i];
            completions.push((
                String::from_utf8_lossy(term).into_owned(),
                *value,
                heads[i],
                (end - offset) as u64,
            ));
        }
        out.push((letter.to_string(), completions));
        group.clear();
    };
    for (i, (term, ..)) in all.iter().enumerate() {
        let Ok(term) = std::str::from_utf8(term) else {
            continue;
        };
        let mut chars = term.chars();
        let Some(first) = chars.next() else { continue };
        if letter != Some(first) {
            flush(letter, &mut group);
            letter = Some(first);
        }
        // The letter itself is not a completion of itself.
        if chars.next().is_some() {
            group.push(i);
        }
    }
    flush(letter, &mut group);
    out
}

/// `pressroom-<first 16 hex digits of the content's 64-bit hash>.bin`. The name changes whenever
/// the bytes do, so hosts can cache parts forever.
#[cfg(not(target_arch = "wasm32"))]
fn part_name(bytes: &[u8]) -> String {
    // The 16-table variant: the same hash, and fast enough for 80 MB of parts.
    const CRC: crc::Crc<u64, crc::Table<16>> =
        crc::Crc::<u64, crc::Table<16>>::new(&crc::CRC_64_XZ);
    format!("{PART_PREFIX}{:016x}.{PART_EXTENSION}", CRC.checksum(bytes))
}

// ---------------------------------------------------------------------------------------------
// Reading: what has been loaded, and what a search found missing.

/// A dictionary part, once loaded.
#[derive(Debug)]
pub(crate) struct DictPart {
    pub fst: fst::Map<Vec<u8>>,
    /// Postings offsets of the part's terms, in term order (which is also offset order).
    offsets: Vec<u64>,
    /// The head field of each term's postings, in the same order (see [`Head`]).
    heads: Vec<u32>,
    /// The virtual postings range of the part's terms.
    postings: Range<u64>,
    /// Where the part's word family piece lies (version 11; before, the manifest says).
    family: Option<Loc>,
}

#[cfg(not(target_arch = "wasm32"))]
impl DictPart {
    /// Where the part's terms' postings are gzip members (version 12), in the postings space.
    fn members(&self) -> impl Iterator<Item = Range<u64>> + '_ {
        self.offsets.iter().enumerate().flat_map(|(k, &offset)| {
            let head = Head::decode(self.heads[k]);
            let end = self
                .offsets
                .get(k + 1)
                .copied()
                .unwrap_or(self.postings.end);
            let split = offset + u64::from(head.stored);
            [
                head.gzip.then_some(offset..split),
                head.positions_gzip.then_some(split..end),
            ]
            .into_iter()
            .flatten()
        })
    }
}

/// Acronym bucket `i`'s definitions, checked to belong in it: a word of each lies in its range
/// (version 10), or starts with its character (versions 3 to 9).
fn load_acronym_bucket(
    manifest: &Manifest,
    i: usize,
    bytes: &[u8],
) -> Result<Vec<crate::acronyms::Definition>, Error> {
    let definitions = crate::format::read_acronyms(bytes)?;
    let key = manifest.acronyms[i].0.as_str();
    let belongs = |word: &str| {
        if manifest.acronym_ranges {
            acronym_bucket_of(manifest, word) == Some(i)
        } else {
            word.starts_with(key)
        }
    };
    if let Some((acronym, _)) = definitions
        .iter()
        .find(|d| !acronym_words(d).into_iter().any(belongs))
    {
        return Err(Error::corrupt(
            "ACRONYMS",
            format!("{acronym:?} in the bucket of {key:?}"),
        ));
    }
    Ok(definitions)
}

/// The acronym bucket that holds the definitions `word` may give, if any.
fn acronym_bucket_of(manifest: &Manifest, word: &str) -> Option<usize> {
    let buckets = &manifest.acronyms;
    if manifest.acronym_ranges {
        // The last bucket whose first word is at or before `word`.
        buckets
            .partition_point(|(first, _)| first.as_str() <= word)
            .checked_sub(1)
    } else {
        let key = word.chars().next()?;
        buckets
            .binary_search_by(|(k, _)| k.chars().next().cmp(&Some(key)))
            .ok()
    }
}

/// The state of a split index: its manifest and the pieces loaded so far.
#[derive(Debug)]
pub(crate) struct Store {
    pub manifest: Manifest,
    /// The PREFIXES loaded so far: all of them from the entry file before version 9, from
    /// then on the pieces loaded so far (see [`Manifest::prefixes`]).
    prefixes: Prefixes,
    /// Which of the manifest's pieces of PREFIXES are loaded.
    prefix_pieces: Vec<bool>,
    /// The postings extent (head field, end) of every PREFIXES completion, by offset.
    completions: HashMap<u64, (u32, u64)>,
    dict: Vec<Option<DictPart>>,
    /// The loaded dictionary parts by where their postings start, sorted (their ranges are
    /// apart): which part locates a term's postings, found by bisection.
    postings_starts: Vec<(u64, usize)>,
    /// Raw byte ranges, by file, sorted by start, apart (see `insert_range`). Sorted vectors,
    /// not B-trees: the engine's wasm would carry a copy of the B-tree code for them alone.
    raw: Vec<Vec<(u64, Vec<u8>)>>,
    /// Inflated gzip members (release records, and from version 12 members of postings), by
    /// file and start.
    inflated: HashMap<(u32, u64), Vec<u8>>,
    /// The acronym buckets loaded so far, at their index in [`Manifest::acronyms`].
    acronyms: Vec<Option<Vec<crate::acronyms::Definition>>>,
    /// The word family pieces loaded so far, by their dictionary part.
    families: Vec<Option<crate::stems::Families>>,
    /// The pages of record lengths loaded so far (version 6), as the virtual offsets of their
    /// releases' records and the end of the last.
    record_pages: Vec<Option<Vec<u64>>>,
    /// What searches found missing since the last [`Store::take_needs`], which drops repeats.
    needs: Mutex<Vec<(Loc, bool)>>,
    /// How many lookups have found a piece missing, ever: a caller compares two readings to
    /// tell whether the lookups between them were complete.
    misses: std::sync::atomic::AtomicU64,
    doc_count: u32,
    /// Whether the page should fetch the extended folding table with a query's first pieces
    /// (see [`Store::words_beyond_core`]).
    beyond_core: bool,
}

/// See [`Store::words_beyond_core`].
const BEYOND_CORE_SHARE: usize = 10;

impl Store {
    pub(crate) fn new(layout: &Layout, bytes: &[u8], meta: &Meta) -> Result<Store, Error> {
        let manifest = Manifest::decode(
            layout.get(bytes, Section::Manifest),
            meta.doc_count,
            layout.version,
        )?;
        let prefixes = decode_prefixes(
            layout.get(bytes, Section::Prefixes),
            meta.doc_count,
            &manifest,
        )?;
        let completions = completions_of(&prefixes).collect();
        let beyond_core = manifest.fold_early.unwrap_or_else(|| {
            // Before version 12, an estimate from the dictionary: the share of its parts and
            // pieces of PREFIXES that start with such a character.
            let (mut starts, mut beyond) = (0, 0);
            let firsts = manifest.dict.iter().map(|p| &p.first);
            for start in firsts.chain(manifest.prefixes.iter().map(|p| &p.0)) {
                starts += 1;
                beyond += usize::from(start.chars().any(crate::analyze::beyond_core));
            }
            beyond > 0 && beyond * BEYOND_CORE_SHARE >= starts
        });
        let raw = manifest.files.iter().map(|_| Vec::new()).collect();
        let acronyms = manifest.acronyms.iter().map(|_| None).collect();
        Ok(Store {
            beyond_core,
            prefix_pieces: vec![false; manifest.prefixes.len()],
            completions,
            dict: manifest.dict.iter().map(|_| None).collect(),
            postings_starts: Vec::new(),
            families: manifest.dict.iter().map(|_| None).collect(),
            record_pages: match &manifest.locator {
                RecordLocator::Pages { pages, .. } => pages.iter().map(|_| None).collect(),
                RecordLocator::Offsets(_) => Vec::new(),
            },
            manifest,
            prefixes,
            raw,
            inflated: HashMap::new(),
            acronyms,
            needs: Mutex::new(Vec::new()),
            misses: std::sync::atomic::AtomicU64::new(0),
            doc_count: meta.doc_count,
        })
    }

    fn need(&self, loc: Loc, gzip: bool) {
        self.misses
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut needs) = self.needs.lock() {
            needs.push((loc, gzip));
        }
    }

    /// The pieces searches found missing since the last call, as requests; adjacent or nearly
    /// adjacent raw ranges of a file are merged into one.
    pub(crate) fn take_needs(&self) -> Vec<PartRequest> {
        let mut needs = match self.needs.lock() {
            Ok(mut needs) => std::mem::take(&mut *needs),
            Err(_) => Vec::new(),
        };
        // A small index's pages of record lengths come with the first pieces a query asks for:
        // every query that shows a release needs its page, and fetching them beside the
        // dictionary saves the round that would otherwise wait for them.
        let pages = self.record_page_locs();
        let page_bytes: u64 = pages.iter().map(|p| p.end - p.start).sum();
        if !needs.is_empty() && page_bytes <= PREFETCHED_PAGE_BYTES {
            for (i, loc) in pages.iter().enumerate() {
                if self.record_pages[i].is_none() {
                    needs.push((*loc, true));
                }
            }
        }
        // By file and offset, so that nearby raw ranges of a file meet; each piece once.
        crate::sorting::sort_dedup(&mut needs);
        const GAP: u64 = 2048;
        let mut out: Vec<PartRequest> = Vec::new();
        let mut last_raw: Option<(u32, usize)> = None;
        for (loc, gzip) in needs {
            let file = self.manifest.files[loc.file as usize].0.clone();
            // A raw range never reaches across a gzip member asked for in the same round (a
            // member of postings, from version 12, may lie between two raw ranges): a server
            // may refuse a request whose ranges overlap, as `www/serve.mjs` does, or send
            // the whole file.
            if gzip && last_raw.is_some_and(|(f, _)| f == loc.file) {
                last_raw = None;
            }
            if !gzip {
                if let Some((f, i)) = last_raw {
                    let prev = &mut out[i];
                    if f == loc.file && loc.start <= prev.end + GAP {
                        prev.end = prev.end.max(loc.end);
                        continue;
                    }
                }
                last_raw = Some((loc.file, out.len()));
            }
            out.push(PartRequest {
                file,
                start: loc.start,
                end: loc.end,
                gzip,
            });
        }
        out
    }

    /// Whether a search since the last [`Store::take_needs`] found a piece missing.
    pub(crate) fn misses(&self) -> u64 {
        self.misses.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn has_needs(&self) -> bool {
        self.needs.lock().is_ok_and(|n| !n.is_empty())
    }

    /// Adds a fetched piece: `bytes` are bytes `start..end` of `file`, inflated when they were a
    /// gzip member (`gzip`). Returns whether the piece can change a ranking: everything but
    /// records and pages of record lengths can.
    pub(crate) fn add(
        &mut self,
        file: &str,
        start: u64,
        end: u64,
        bytes: Vec<u8>,
        gzip: bool,
    ) -> Result<bool, Error> {
        let bad = |detail: String| Error::corrupt("part", format!("{file}: {detail}"));
        let f = self
            .manifest
            .files
            .iter()
            .position(|(name, _)| name == file)
            .ok_or_else(|| bad("not a part of this index".into()))? as u32;
        if start > end || end > self.manifest.files[f as usize].1 {
            return Err(bad(format!("bytes {start}..{end} are outside the file")));
        }
        if !gzip {
            if bytes.len() as u64 != end - start {
                return Err(bad(format!(
                    "{} bytes received for the {} of bytes {start}..{end}: the download was cut short",
                    bytes.len(),
                    end - start
                )));
            }
            insert_range(&mut self.raw[f as usize], start, bytes);
            return Ok(true);
        }
        let loc = Loc {
            file: f,
            start,
            end,
        };
        if let Some(i) = self.manifest.dict.iter().position(|p| p.loc == loc) {
            let part = self.load_dict_part(i, bytes)?;
            let (start, empty) = (part.postings.start, part.postings.is_empty());
            // An empty part holds no postings (and may start where another does).
            if self.dict[i].replace(part).is_none() && !empty {
                let at = self.postings_starts.partition_point(|p| p.0 < start);
                self.postings_starts.insert(at, (start, i));
            }
        } else if let Some(i) = self.manifest.acronyms.iter().position(|b| b.1 == loc) {
            let definitions = load_acronym_bucket(&self.manifest, i, &bytes)?;
            self.acronyms[i] = Some(definitions);
        } else if let Some(part) = self.family_part_at(loc) {
            self.families[part as usize] = Some(self.load_families(part, &bytes)?);
        } else if let Some(i) = self.manifest.prefixes.iter().position(|p| p.1 == loc) {
            self.load_prefixes(i, &bytes)?;
        } else if let Some(i) = self.record_page_at(loc) {
            self.record_pages[i] = Some(self.load_record_page(i, &bytes)?);
            return Ok(false);
        } else {
            self.inflated.insert((f, start), bytes);
            // A record cannot change a ranking; a member of postings (version 12) can.
            return Ok(!self.manifest.records.holds(loc));
        }
        Ok(true)
    }

    /// Adds a whole part file as read from disk (native use: everything at once).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn add_file(&mut self, file: &str, bytes: Vec<u8>) -> Result<(), Error> {
        let len = bytes.len() as u64;
        self.add(file, 0, len, bytes, false)?;
        // Its gzip members (dictionary parts, acronym buckets, word family pieces), inflated and
        // added as a browser adds each fetched piece.
        let pieces: Vec<Loc> = (self.manifest.dict.iter().map(|p| p.loc))
            .chain(self.manifest.acronyms.iter().map(|b| b.1))
            .chain(self.manifest.families.iter().map(|f| f.1))
            .chain(self.manifest.prefixes.iter().map(|p| p.1))
            .chain(self.record_page_locs().iter().copied())
            .filter(|loc| self.manifest.files[loc.file as usize].0 == file)
            .collect();
        for loc in pieces {
            let raw = self.raw_bytes(loc).unwrap_or_default();
            let inflated = format::decompress(raw)
                .map_err(|e| Error::corrupt("part", format!("{file}: {e}")))?;
            self.add(file, loc.start, loc.end, inflated, true)?;
        }
        // From version 11 the dictionary parts locate their word family pieces: those of the
        // parts loaded so far whose file is in too (this one's, or one read before).
        let pieces: Vec<(u32, Loc)> = self
            .dict
            .iter()
            .enumerate()
            .filter_map(|(i, part)| Some((i as u32, part.as_ref()?.family?)))
            .filter(|&(i, loc)| {
                self.families[i as usize].is_none() && self.raw_bytes(loc).is_some()
            })
            .collect();
        for (part, loc) in pieces {
            let raw = self.raw_bytes(loc).unwrap_or_default();
            let name = &self.manifest.files[loc.file as usize].0;
            let inflated = format::decompress(raw)
                .map_err(|e| Error::corrupt("part", format!("{name}: {e}")))?;
            self.families[part as usize] = Some(self.load_families(part, &inflated)?);
        }
        // Version 12: the postings stored as gzip members, of the parts loaded so far, whose
        // bytes are in (this file's, or those of a file read before the part's).
        let heads: Vec<Loc> = self
            .dict
            .iter()
            .flatten()
            .flat_map(DictPart::members)
            .filter_map(|range| self.manifest.postings.locate(range))
            .filter(|loc| {
                !self.inflated.contains_key(&(loc.file, loc.start))
                    && self.raw_bytes(*loc).is_some()
            })
            .collect();
        let inflated = crate::parallel::map(heads, |loc| {
            let raw = self.raw_bytes(loc).unwrap_or_default();
            let name = &self.manifest.files[loc.file as usize].0;
            let bad = |e: String| {
                Error::corrupt(
                    "part",
                    format!("{name}: postings at byte {}: {e}", loc.start),
                )
            };
            if !raw.starts_with(&[0x1f, 0x8b]) {
                return Err(bad("not a gzip member".into()));
            }
            let bytes = format::decompress(raw).map_err(|e| bad(e.to_string()))?;
            Ok::<_, Error>(((loc.file, loc.start), bytes))
        });
        for head in inflated {
            let (key, bytes) = head?;
            self.inflated.insert(key, bytes);
        }
        Ok(())
    }

    /// The dictionary part whose word family piece lies at `loc`, if any: from the manifest
    /// before version 11, from the parts loaded so far after.
    fn family_part_at(&self, loc: Loc) -> Option<u32> {
        if self.manifest.self_locating {
            let i = self
                .dict
                .iter()
                .position(|p| p.as_ref().is_some_and(|p| p.family == Some(loc)))?;
            Some(i as u32)
        } else {
            self.manifest
                .families
                .iter()
                .find(|f| f.1 == loc)
                .map(|f| f.0)
        }
    }

    /// Adds piece `i` of PREFIXES, checking that it holds only prefixes of its range.
    fn load_prefixes(&mut self, i: usize, bytes: &[u8]) -> Result<(), Error> {
        if self.prefix_pieces[i] {
            return Ok(());
        }
        let pieces = &self.manifest.prefixes;
        let piece = decode_prefixes(bytes, self.doc_count, &self.manifest)?;
        let outside = piece.iter().find(|(prefix, _)| {
            *prefix < pieces[i].0 || pieces.get(i + 1).is_some_and(|next| *prefix >= next.0)
        });
        if let Some((prefix, _)) = outside {
            return Err(Error::corrupt(
                "PREFIXES",
                format!("{prefix:?} in the piece that starts at {:?}", pieces[i].0),
            ));
        }
        self.completions.extend(completions_of(&piece));
        // Pieces hold ranges of letters apart: this one's go in as a block, in place (no sort,
        // whose code for these entries the engine's wasm would carry).
        let at = piece
            .first()
            .map_or(0, |first| self.prefixes.partition_point(|p| p.0 < first.0));
        let after = self.prefixes.split_off(at);
        self.prefixes.extend(piece);
        self.prefixes.extend(after);
        self.prefix_pieces[i] = true;
        Ok(())
    }

    /// The precomputed completions of the one-letter prefix `letter`; empty (and recorded as
    /// needed) while the piece of PREFIXES that holds it is not loaded yet.
    pub(crate) fn one_letter_completions(&self, letter: &str) -> Vec<(String, u64)> {
        let pieces = &self.manifest.prefixes;
        if let Some(i) = pieces
            .partition_point(|p| p.0.as_str() <= letter)
            .checked_sub(1)
        {
            if !self.prefix_pieces[i] {
                self.need(pieces[i].1, true);
                return Vec::new();
            }
        }
        self.prefixes
            .binary_search_by(|p| p.0.as_str().cmp(letter))
            .map(|i| {
                self.prefixes[i]
                    .1
                    .iter()
                    .map(|c| (c.0.clone(), c.1))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The acronym definitions of the bucket that holds those `word` may give (its acronym or
    /// its expansion's first word, and others): `None` (and recorded as needed) when the bucket
    /// is not loaded yet.
    pub(crate) fn acronyms_for(&self, word: &str) -> Option<&[crate::acronyms::Definition]> {
        let Some(i) = acronym_bucket_of(&self.manifest, word) else {
            return Some(&[]);
        };
        let found = self.acronyms.get(i).and_then(Option::as_deref);
        if found.is_none() {
            self.need(self.manifest.acronyms[i].1, true);
        }
        found
    }

    /// The acronym definitions of the buckets loaded so far (one may be in two buckets).
    pub(crate) fn loaded_acronyms(&self) -> impl Iterator<Item = &crate::acronyms::Definition> {
        self.acronyms.iter().flatten().flatten()
    }

    /// Whether acronyms come in buckets (format 3), rather than in the entry file.
    pub(crate) fn has_acronym_buckets(&self) -> bool {
        !self.manifest.acronyms.is_empty()
    }

    /// A word family piece, checked to belong to its dictionary part.
    fn load_families(&self, part: u32, bytes: &[u8]) -> Result<crate::stems::Families, Error> {
        let families = crate::format::read_families(bytes)?;
        let dict = &self.manifest.dict;
        // In the part's range: at or after its first term, and in no later part.
        let first = dict[part as usize].first.as_str();
        let belongs = |f: &Vec<String>| {
            f.iter()
                .any(|t| t.as_str() >= first && part_of(dict, t.as_bytes()) == part as usize)
        };
        if let Some(f) = families.iter().find(|f| !belongs(f)) {
            return Err(Error::corrupt(
                "STEMS",
                format!("the family of {:?} in dictionary part {part}", f[0]),
            ));
        }
        Ok(crate::stems::Families::new(families))
    }

    /// The word families of the dictionary part that holds `term`: `None` when that part has
    /// none, or when they are not loaded yet (then recorded as needed).
    pub(crate) fn families_for(&self, term: &[u8]) -> Option<&crate::stems::Families> {
        let part = part_of(&self.manifest.dict, term);
        if let Some(loaded) = &self.families[part] {
            return Some(loaded);
        }
        let loc = if self.manifest.self_locating {
            match &self.dict[part] {
                Some(loaded) => loaded.family?,
                None => {
                    // The part says where its families lie.
                    self.need(self.manifest.dict[part].loc, true);
                    return None;
                }
            }
        } else {
            let i = self
                .manifest
                .families
                .binary_search_by_key(&(part as u32), |f| f.0)
                .ok()?;
            self.manifest.families[i].1
        };
        self.need(loc, true);
        None
    }

    fn load_dict_part(&self, i: usize, bytes: Vec<u8>) -> Result<DictPart, Error> {
        let info = &self.manifest.dict[i];
        let bad = |detail: &str| Error::corrupt("TERMS", format!("dictionary part {i}: {detail}"));
        let mut c = Cursor::new(&bytes, "TERMS");
        let n = c.varint()?;
        if n > bytes.len() as u64 {
            return Err(bad("term count"));
        }
        let mut heads = Vec::with_capacity(n as usize);
        for _ in 0..n {
            heads.push(head_field(c.varint32()?, &self.manifest)?);
        }
        // Version 11: where the last term's postings end and where the family piece lies.
        let (tail, family) = if self.manifest.self_locating {
            let tail = c.varint()?;
            let family = match c.varint()? {
                0 => None,
                file => {
                    let file = u32::try_from(file - 1).map_err(|_| bad("family piece"))?;
                    let start = c.varint()?;
                    let end = start
                        .checked_add(c.varint()?)
                        .ok_or_else(|| bad("family piece"))?;
                    let loc = Loc { file, start, end };
                    let in_file = self
                        .manifest
                        .files
                        .get(file as usize)
                        .is_some_and(|f| start < end && end <= f.1);
                    // A piece is known by where it lies: one that lay where a dictionary
                    // part does would never load (other pieces, read as families, fail).
                    if !in_file || self.manifest.dict.iter().any(|p| p.loc == loc) {
                        return Err(bad("family piece"));
                    }
                    Some(loc)
                }
            };
            (Some(tail), family)
        } else {
            (None, None)
        };
        let at = bytes.len() - c.remaining();
        let fst = fst::Map::new(bytes[at..].to_vec()).map_err(|e| bad(&e.to_string()))?;
        // A damaged fst can panic while it is walked, and a crafted part can carry a valid
        // checksum: check both its checksum and its structure before walking it.
        crate::fst_check::verify(fst.as_fst().as_bytes()).map_err(|e| bad(&e))?;
        if fst.len() as u64 != n {
            return Err(bad("term count"));
        }
        let space = self.manifest.postings.len();
        let mut offsets = Vec::with_capacity(n as usize);
        let mut stream = fst.stream();
        let mut previous: Option<u64> = None;
        while let Some((term, value)) = stream.next() {
            let (offset, df) = split_term_value(value);
            let offset = offset as u64;
            let placed = match &info.postings {
                Some(range) => {
                    range.contains(&offset)
                        && previous.map_or(offset == range.start, |p| p < offset)
                }
                None => offset < space && previous.map_or(true, |p| p < offset),
            };
            let in_range = placed
                && df > 0
                && df <= self.doc_count
                && term >= info.first.as_bytes()
                && self
                    .manifest
                    .dict
                    .get(i + 1)
                    .map_or(true, |next| term < next.first.as_bytes());
            if !in_range {
                return Err(bad(&format!(
                    "entry for {:?}",
                    String::from_utf8_lossy(term)
                )));
            }
            offsets.push(offset);
            previous = Some(offset);
        }
        let postings = match (&info.postings, tail) {
            (Some(range), _) => range.clone(),
            (None, Some(tail)) => {
                let start = offsets.first().copied().unwrap_or(0);
                let end = previous
                    .unwrap_or(0)
                    .checked_add(tail)
                    .filter(|&end| end <= space && (n > 0 || tail == 0))
                    .ok_or_else(|| bad("postings tail"))?;
                start..end
            }
            (None, None) => return Err(bad("no postings range")),
        };
        for (k, &head) in heads.iter().enumerate() {
            let end = offsets.get(k + 1).copied().unwrap_or(postings.end);
            if !Head::decode(head).fits(end - offsets[k]) {
                return Err(bad("postings head length"));
            }
        }
        Ok(DictPart {
            fst,
            offsets,
            heads,
            postings,
            family,
        })
    }

    /// The dictionary parts that may hold terms in `range` (`None`: up to the end), each loaded
    /// or recorded as needed. Returns the loaded ones, in term order, and whether all were.
    pub(crate) fn dict_parts(&self, from: &[u8], to: Option<&[u8]>) -> (Vec<&DictPart>, bool) {
        let dict = &self.manifest.dict;
        let first = part_of(dict, from);
        let mut out = Vec::new();
        let mut complete = true;
        for (i, info) in dict.iter().enumerate().skip(first) {
            if i > first && to.is_some_and(|to| info.first.as_bytes() >= to) {
                break;
            }
            match &self.dict[i] {
                Some(part) => out.push(part),
                None => {
                    self.need(info.loc, true);
                    complete = false;
                }
            }
        }
        (out, complete)
    }

    /// The postings of the term with fst value `value`: its document list only (`positions`
    /// false) or all of it. `None` (and what is missing recorded as needed) when not loaded yet.
    /// Pieces stored as gzip members (version 12) are read inflated, as the page added them; a
    /// head and positions stored apart are joined (a phrase's few terms).
    pub(crate) fn postings(&self, value: u64, positions: bool) -> Option<Cow<'_, [u8]>> {
        let offset = split_term_value(value).0 as u64;
        let (head, full_end) = self.postings_extent(offset)?;
        let head = Head::decode(head);
        let loc = self.manifest.postings.locate(offset..full_end)?;
        let split = loc.start + u64::from(head.stored);
        let piece = |range: Loc, gzip: bool| {
            if range.start == range.end {
                return Some(Cow::Borrowed(&[][..]));
            }
            let bytes = if gzip {
                self.inflated_member(range)
            } else {
                self.raw_bytes(range).map(Cow::Borrowed)
            };
            if bytes.is_none() {
                self.need(range, gzip);
            }
            bytes
        };
        // All raw: one range, as stored.
        if !head.gzip && (!positions || !head.positions_gzip) {
            let end = if positions { loc.end } else { split };
            return piece(Loc { end, ..loc }, false);
        }
        let first = piece(Loc { end: split, ..loc }, head.gzip);
        if !positions {
            return first;
        }
        let rest = piece(
            Loc {
                start: split,
                ..loc
            },
            head.positions_gzip,
        );
        let (first, rest) = (first?, rest?);
        let mut joined = first.into_owned();
        joined.extend_from_slice(&rest);
        Some(Cow::Owned(joined))
    }

    /// The gzip member at `loc`, inflated, as the page (or [`Store::add_file`]) added it.
    fn inflated_member(&self, loc: Loc) -> Option<Cow<'_, [u8]>> {
        self.inflated
            .get(&(loc.file, loc.start))
            .map(|bytes| Cow::Borrowed(&bytes[..]))
    }

    /// Whether many releases have characters whose folding takes the extended table: from
    /// version 12 the builder's flag (at least one release in [`BEYOND_CORE_SHARE`]; see
    /// [`Manifest::fold_early`]); before, an estimate from the manifest: at least one in
    /// [`BEYOND_CORE_SHARE`] of its dictionary parts and pieces of one-letter completions starts
    /// with one. An English press room that quotes a few Chinese names has neither; a site in
    /// Japanese, Hindi or Thai has both. Otherwise the table comes when a search meets such a
    /// character.
    pub(crate) fn words_beyond_core(&self) -> bool {
        self.beyond_core
    }

    /// The head field and end of the postings at `offset`, from the dictionary part that holds
    /// the term (which the search has loaded, having found the term there) or from PREFIXES.
    fn postings_extent(&self, offset: u64) -> Option<(u32, u64)> {
        // The loaded parts' postings ranges are apart: only the last to start at or before
        // `offset` can hold it.
        let at = self.postings_starts.partition_point(|p| p.0 <= offset);
        let loaded = at
            .checked_sub(1)
            .and_then(|at| self.dict[self.postings_starts[at].1].as_ref())
            .filter(|part| part.postings.contains(&offset));
        match loaded {
            Some(part) => {
                let k = part.offsets.binary_search(&offset).ok()?;
                let end = part
                    .offsets
                    .get(k + 1)
                    .copied()
                    .unwrap_or(part.postings.end);
                Some((part.heads[k], end))
            }
            None => self.completions.get(&offset).copied(),
        }
    }

    fn raw_bytes(&self, loc: Loc) -> Option<&[u8]> {
        let ranges = self.raw.get(loc.file as usize)?;
        let at = ranges.partition_point(|(start, _)| *start <= loc.start);
        let (start, bytes) = ranges.get(at.checked_sub(1)?)?;
        let from = (loc.start - start) as usize;
        let to = (loc.end - start) as usize;
        bytes.get(from..to)
    }

    /// The pages of record lengths (version 6; none before).
    fn record_page_locs(&self) -> &[Loc] {
        match &self.manifest.locator {
            RecordLocator::Pages { pages, .. } => pages,
            RecordLocator::Offsets(_) => &[],
        }
    }

    /// Which page of record lengths lies at `loc`, if one does.
    fn record_page_at(&self, loc: Loc) -> Option<usize> {
        self.record_page_locs().iter().position(|&p| p == loc)
    }

    /// Page `i` of record lengths, as the virtual offsets of its releases' records and the end
    /// of the last, checked to hold one length per release and to stay inside RECORDS.
    fn load_record_page(&self, i: usize, bytes: &[u8]) -> Result<Vec<u64>, Error> {
        let RecordLocator::Pages { size, .. } = &self.manifest.locator else {
            return Err(Error::corrupt("records", "not a paged index"));
        };
        let first = (i as u64) * u64::from(*size);
        let count = (u64::from(self.doc_count) - first.min(u64::from(self.doc_count)))
            .min(u64::from(*size));
        let bad = |detail: String| Error::corrupt("record lengths", format!("page {i}: {detail}"));
        let mut c = Cursor::new(bytes, "record lengths");
        let mut at = c.varint()?;
        let mut offsets = Vec::with_capacity(count as usize + 1);
        offsets.push(at);
        for _ in 0..count {
            at = at
                .checked_add(c.varint()?)
                .filter(|&end| end <= self.manifest.records.len())
                .ok_or_else(|| bad("a record ends outside the records".into()))?;
            offsets.push(at);
        }
        if c.remaining() != 0 {
            return Err(bad(format!(
                "{} bytes after its {count} lengths",
                c.remaining()
            )));
        }
        Ok(offsets)
    }

    /// The virtual range of release `doc`'s record in RECORDS: `None` (and recorded as needed)
    /// when what locates it is not loaded yet.
    fn record_range(&self, doc: u32) -> Result<Option<(u64, u64)>, Error> {
        match &self.manifest.locator {
            RecordLocator::Offsets(offsets) => {
                let at = offsets.start + u64::from(doc) * 8;
                let want = Loc {
                    file: offsets.file,
                    start: at,
                    end: at + 16,
                };
                let Some(pair) = self.raw_bytes(want) else {
                    self.need(want, false);
                    return Ok(None);
                };
                let mut c = Cursor::new(pair, "record offsets");
                Ok(Some((c.u64()?, c.u64()?)))
            }
            RecordLocator::Pages { size, pages } => {
                let page = (doc / size) as usize;
                let at = (doc % size) as usize;
                let Some(loc) = pages.get(page) else {
                    return Err(Error::corrupt("record lengths", format!("release {doc}")));
                };
                match self.record_pages.get(page).and_then(Option::as_ref) {
                    Some(offsets) => match (offsets.get(at), offsets.get(at + 1)) {
                        (Some(&start), Some(&end)) => Ok(Some((start, end))),
                        _ => Err(Error::corrupt("record lengths", format!("release {doc}"))),
                    },
                    None => {
                        self.need(*loc, true);
                        Ok(None)
                    }
                }
            }
        }
    }

    /// The record of release `doc` (`DOCDATA` entry and text), inflated. `None` (and recorded
    /// as needed) when it, or what locates it, is not loaded yet.
    pub(crate) fn record(&self, doc: u32) -> Result<Option<std::borrow::Cow<'_, [u8]>>, Error> {
        let Some((start, end)) = self.record_range(doc)? else {
            return Ok(None);
        };
        let loc = self
            .manifest
            .records
            .locate(start..end)
            .ok_or_else(|| Error::corrupt("record offsets", format!("release {doc}")))?;
        if let Some(bytes) = self.inflated_member(loc) {
            return Ok(Some(bytes));
        }
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(raw) = self.raw_bytes(loc) {
            let inflated = crate::format::decompress(raw)
                .map_err(|e| Error::corrupt("records", format!("release {doc}: {e}")))?;
            return Ok(Some(std::borrow::Cow::Owned(inflated)));
        }
        self.need(loc, true);
        Ok(None)
    }

    /// Every part file, for a caller that reads them all up front.
    pub(crate) fn files(&self) -> impl Iterator<Item = &str> {
        self.manifest.files.iter().map(|(name, _)| name.as_str())
    }
}

/// Adds bytes at `start` to a file's loaded ranges (sorted by start), merging every range it
/// overlaps or touches, so that any loaded byte lies in exactly one range and a lookup needs to
/// look at one only. A file never changes under its content-hashed name, so where ranges overlap
/// either copy of a byte will do.
fn insert_range(ranges: &mut Vec<(u64, Vec<u8>)>, start: u64, bytes: Vec<u8>) {
    // The ranges are apart, so their ends rise with their starts: the first that reaches
    // `start` (ends at or after it) is the first to merge.
    let first = ranges.partition_point(|(s, b)| s + (b.len() as u64) < start);
    let mut merged_start = start;
    let mut merged = bytes;
    let mut last = first;
    while let Some((s, existing)) = ranges.get_mut(last) {
        let end = merged_start + merged.len() as u64;
        if *s > end {
            break;
        }
        let existing = std::mem::take(existing);
        if *s <= merged_start {
            // Begins first (only the first range can): its bytes, then the new ones past them.
            let overlap = (*s + existing.len() as u64 - merged_start) as usize;
            let new = std::mem::replace(&mut merged, existing);
            merged.extend_from_slice(new.get(overlap..).unwrap_or_default());
            merged_start = *s;
        } else {
            // Begins inside: the bytes past the merged range's end are added.
            let covered = (end - *s) as usize;
            merged.extend_from_slice(existing.get(covered..).unwrap_or_default());
        }
        last += 1;
    }
    ranges.splice(first..last, [(merged_start, merged)]);
}

/// Splits a release record into its `DOCDATA` entry and its text.
pub(crate) fn read_record(record: &[u8]) -> Result<(DocData<'_>, &str), Error> {
    let mut c = Cursor::new(record, "records");
    let len = c.varint()? as usize;
    let data = c.take(len)?;
    let at = record.len() - c.remaining();
    let text =
        std::str::from_utf8(&record[at..]).map_err(|e| Error::corrupt("records", e.to_string()))?;
    Ok((DocData::read(data, 0)?, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_field_must_fit_its_postings() {
        let head = |stored, gzip, positions_gzip| Head {
            stored,
            gzip,
            positions_gzip,
        };
        assert!(head(1, false, false).fits(1) && head(18, true, true).fits(36));
        // An empty head, a head past the postings, a member too small to be gzip.
        assert!(!head(0, false, false).fits(10) && !head(11, false, false).fits(10));
        assert!(!head(17, true, false).fits(40) && !head(18, true, true).fits(35));
        #[cfg(not(target_arch = "wasm32"))]
        for field in [
            head(300, true, false),
            head(7, false, true),
            head(1 << 29, true, true),
        ] {
            assert_eq!(Head::decode(field.encode()), field);
        }
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))] // the writer splits natively
    fn long_postings_are_gzip_members_that_inflate_to_the_single_files_bytes() {
        // 700 releases: a word in every one (a document list and positions of over 512 bytes
        // each), another in one release in fifty.
        let mut writer = crate::IndexWriter::new();
        for i in 0..700 {
            let rare = if i % 50 == 0 { " rare" } else { "" };
            let release = crate::Release {
                url: format!("/{i}"),
                title: format!("Report {i}"),
                body: format!("common words in release {i}{rare}"),
                ..crate::Release::default()
            };
            writer.add(release).unwrap();
        }
        let whole = writer.finish().unwrap();
        let layout = format::read_container(&whole).unwrap();
        let terms = fst::Map::new(layout.get(&whole, Section::Terms).to_vec()).unwrap();
        let postings = layout.get(&whole, Section::Postings);
        let all = format::term_postings(&terms, postings.len());
        let (placed, stored, heads) = pack_postings(all.clone(), postings).unwrap();
        let heads: Vec<Head> = heads.into_iter().map(Head::decode).collect();
        let term = |word: &str| all.iter().position(|t| t.0 == word.as_bytes()).unwrap();
        let (common, rare) = (heads[term("common")], heads[term("rare")]);
        assert!(common.gzip && common.positions_gzip, "{common:?}");
        assert!(!rare.gzip && !rare.positions_gzip, "{rare:?}");
        let mut at = 0;
        for (k, (term, value, offset, end)) in all.iter().enumerate() {
            // The same term and document frequency, at the next offset of the stored space.
            let (head, bytes) = (heads[k], &stored[k]);
            assert_eq!(placed[k].0, *term);
            assert_eq!(
                split_term_value(placed[k].1),
                (at, split_term_value(*value).1)
            );
            assert_eq!((placed[k].2, placed[k].3), (at, at + bytes.len()));
            at += bytes.len();
            // Inflated, the stored pieces are the single file's postings.
            let inflate = |piece: &[u8], gzip: bool| match gzip {
                true => format::decompress(piece).unwrap(),
                false => piece.to_vec(),
            };
            let (first, rest) = bytes.split_at(head.stored as usize);
            let mut read = inflate(first, head.gzip);
            assert_eq!(read.len(), head_len(&postings[*offset..*end]).unwrap());
            read.extend(inflate(rest, head.positions_gzip));
            assert_eq!(read, &postings[*offset..*end]);
        }
    }

    // Native only: the wasm build has no writer.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_table_of_pages_round_trips_across_files_and_refuses_pages_outside_them() {
        let name = |i: u32| format!("{PART_PREFIX}{i:016x}.{PART_EXTENSION}");
        let loc = |file, start, end| Loc { file, start, end };
        let manifest = Manifest {
            terms: 0,
            files: vec![(name(0), 1000), (name(1), 500)],
            dict: Vec::new(),
            postings: Space::default(),
            // Back to back, then a gap, then into the next file: each page is read back from
            // the end of the one before it in its file.
            locator: RecordLocator::Pages {
                size: 2,
                pages: vec![
                    loc(0, 100, 180),
                    loc(0, 180, 260),
                    loc(0, 300, 990),
                    loc(1, 7, 40),
                ],
            },
            records: Space::default(),
            acronyms: Vec::new(),
            acronym_ranges: true,
            self_locating: true,
            families: Vec::new(),
            prefixes: Vec::new(),
            packed_heads: true,
            fold_early: Some(false),
        };
        let bytes = manifest.encode();
        assert_eq!(
            Manifest::decode(&bytes, 8, format::FORMAT_VERSION).unwrap(),
            manifest
        );
        // A page that ends past its file is refused, naming the table.
        let mut long = manifest.clone();
        if let RecordLocator::Pages { pages, .. } = &mut long.locator {
            pages[3].end = 501;
        }
        let err = Manifest::decode(&long.encode(), 8, format::FORMAT_VERSION).unwrap_err();
        assert!(
            err.to_string().contains("page 3 of record lengths"),
            "{err}"
        );
    }

    // Native only: the wasm build has no writer.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_word_finds_every_definition_it_may_give_in_the_one_acronym_bucket_of_its_range() {
        let def = |acronym: &str, expansion: &[&str]| {
            let expansion = expansion.iter().map(|w| w.to_string()).collect::<Vec<_>>();
            (acronym.to_owned(), expansion)
        };
        let definitions = vec![
            def("eu", &["european", "union"]),
            def("sco", &["shanghai", "cooperation", "organisation"]),
            def("sec", &["securities", "exchange", "commission"]),
            def("sez", &["special", "economic", "zone"]),
            def("un", &["united", "nations"]),
        ];
        let manifest = |buckets: &[(String, Vec<crate::acronyms::Definition>)]| Manifest {
            terms: 0,
            files: vec![(format!("{PART_PREFIX}{:016x}.{PART_EXTENSION}", 0), 1000)],
            dict: Vec::new(),
            postings: Space::default(),
            locator: RecordLocator::Pages {
                size: 8,
                pages: Vec::new(),
            },
            records: Space::default(),
            acronyms: (0..buckets.len() as u64)
                .map(|i| {
                    let loc = Loc {
                        file: 0,
                        start: i * 10,
                        end: i * 10 + 10,
                    };
                    (buckets[i as usize].0.clone(), loc)
                })
                .collect(),
            acronym_ranges: true,
            self_locating: true,
            families: Vec::new(),
            prefixes: Vec::new(),
            packed_heads: true,
            fold_early: Some(false),
        };
        // Small buckets: one per word, and a definition in the bucket of its acronym and in
        // that of its expansion's first word. Each bucket after the first starts at the
        // shortest prefix of its word that sorts after the word before ("european" after "eu"
        // at "eur", "sco" after "european" at "s").
        let small = acronym_buckets(&definitions, 1);
        let firsts: Vec<&str> = small.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(
            firsts,
            ["eu", "eur", "s", "se", "secu", "sez", "sh", "sp", "u", "uni"]
        );
        // One bucket holding everything.
        let one = acronym_buckets(&definitions, 1 << 20);
        assert_eq!(one, [("eu".to_owned(), definitions.clone())]);
        // Buckets of a few definitions each: every word a query may give a definition by finds
        // it in the one bucket of its range, which a reader accepts.
        for buckets in [small, acronym_buckets(&definitions, 40), one] {
            let manifest = manifest(&buckets);
            for d in &definitions {
                for word in acronym_words(d) {
                    let i = acronym_bucket_of(&manifest, word).unwrap();
                    assert!(buckets[i].1.contains(d), "{word:?} in {buckets:?}");
                }
            }
            for (i, (_, bucket)) in buckets.iter().enumerate() {
                let bytes = format::write_acronyms(bucket);
                assert_eq!(&load_acronym_bucket(&manifest, i, &bytes).unwrap(), bucket);
            }
            // A word before the first bucket's has no bucket to fetch.
            assert_eq!(acronym_bucket_of(&manifest, "a"), None);
        }
        // A definition in a bucket whose range holds neither of its words is refused.
        let buckets = acronym_buckets(&definitions, 1);
        let manifest = manifest(&buckets);
        let wrong = format::write_acronyms(&[def("un", &["united", "nations"])]);
        let err = load_acronym_bucket(&manifest, 0, &wrong).unwrap_err();
        assert!(
            err.to_string().contains(r#""un" in the bucket of "eu""#),
            "{err}"
        );
    }

    // Native only: the wasm build has no writer.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn every_table_of_the_manifest_round_trips_each_piece_after_the_one_before() {
        let name = |i: u32| format!("{PART_PREFIX}{i:016x}.{PART_EXTENSION}");
        let loc = |file, start, end| Loc { file, start, end };
        let part = |first: &str, loc: Loc| DictPartInfo {
            first: first.into(),
            loc,
            postings: None,
        };
        let manifest = Manifest {
            terms: 9,
            files: vec![(name(0), 1000), (name(1), 500)],
            // First terms sharing prefixes, one cut inside a two-byte character (é, ë share
            // their first byte), pieces back to back, apart, and into the next file.
            dict: vec![
                part("a", loc(0, 0, 40)),
                part("caf", loc(0, 40, 90)),
                part("café", loc(0, 95, 140)),
                part("cafë", loc(1, 0, 30)),
            ],
            postings: Space {
                segments: vec![(0, 0, 200, 300)],
            },
            locator: RecordLocator::Pages {
                size: 8,
                pages: vec![loc(0, 500, 520)],
            },
            records: Space::default(),
            acronyms: vec![
                ("a".into(), loc(1, 30, 60)),
                ("zeta".into(), loc(0, 600, 700)),
                ("zéro".into(), loc(1, 60, 61)),
            ],
            acronym_ranges: true,
            self_locating: true,
            // From version 11 the dictionary parts locate their word family pieces.
            families: Vec::new(),
            prefixes: vec![
                ("a".into(), loc(1, 200, 260)),
                ("é".into(), loc(1, 260, 300)),
                ("ж".into(), loc(1, 400, 500)),
            ],
            packed_heads: true,
            // Version 12: the builder's flag for the extended folding table round-trips too.
            fold_early: Some(true),
        };
        let bytes = manifest.encode();
        assert_eq!(
            Manifest::decode(&bytes, 8, format::FORMAT_VERSION).unwrap(),
            manifest
        );
        // Two pieces in one place (an acronym bucket where a piece of PREFIXES lies) are refused.
        let mut twice = manifest.clone();
        twice.acronyms[0].1 = twice.prefixes[0].1;
        let err = Manifest::decode(&twice.encode(), 8, format::FORMAT_VERSION).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("two pieces at bytes 200..260 of {}", name(1))),
            "{err}"
        );
        // A piece of PREFIXES past the end of its file is refused, naming it.
        let mut long = manifest.clone();
        long.prefixes[2].1.end = 501;
        let err = Manifest::decode(&long.encode(), 8, format::FORMAT_VERSION).unwrap_err();
        assert!(err.to_string().contains("piece 2 of PREFIXES"), "{err}");
    }

    #[test]
    fn loaded_ranges_merge_so_any_covered_byte_is_found() {
        let mut r = Vec::new();
        insert_range(&mut r, 10, vec![1; 10]); // 10..20
        insert_range(&mut r, 10, vec![2; 5]); // inside: the longer range stays
        insert_range(&mut r, 30, vec![3; 5]); // 30..35, apart
        insert_range(&mut r, 15, vec![4; 20]); // 15..35 joins both
        assert_eq!(r.len(), 1);
        let (start, bytes) = &r[0];
        assert_eq!((*start, bytes.len()), (10, 25));
        // Bytes already loaded stay (a file's bytes never change under its content-hashed name).
        assert_eq!(&bytes[..10], &[1; 10]);
        assert_eq!(&bytes[10..], &[4; 15][..]);
        insert_range(&mut r, 0, vec![5; 10]); // touching at 10
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].0, r[0].1.len()), (0, 35));
        insert_range(&mut r, 40, vec![6; 1]);
        assert_eq!(r.len(), 2);
        // Before all, and bridging two apart ranges.
        insert_range(&mut r, 37, vec![7; 2]); // 37..39, apart from both
        assert_eq!(
            r.iter().map(|(s, b)| (*s, b.len())).collect::<Vec<_>>(),
            [(0, 35), (37, 2), (40, 1)]
        );
        insert_range(&mut r, 30, vec![8; 11]); // 30..41 covers the two later ones
        assert_eq!(
            r.iter().map(|(s, b)| (*s, b.len())).collect::<Vec<_>>(),
            [(0, 41)]
        );
        assert_eq!(&r[0].1[30..35], &[4; 5]);
        assert_eq!(&r[0].1[35..], &[8; 6]);
    }

    #[test]
    fn loaded_ranges_stay_sorted_apart_and_hold_exactly_the_loaded_bytes() {
        let file: Vec<u8> = (0..=255).collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..2000 {
            let mut ranges = Vec::new();
            let mut loaded = [false; 256];
            for _ in 0..1 + next(12) {
                let start = next(240) as usize;
                let end = (start + 1 + next(30) as usize).min(256);
                insert_range(&mut ranges, start as u64, file[start..end].to_vec());
                loaded[start..end].fill(true);
            }
            let mut covered = [false; 256];
            for (i, (start, bytes)) in ranges.iter().enumerate() {
                let start = *start as usize;
                assert_eq!(bytes[..], file[start..start + bytes.len()]);
                covered[start..start + bytes.len()].fill(true);
                if let Some((next_start, _)) = ranges.get(i + 1) {
                    assert!(start + bytes.len() < *next_start as usize, "{ranges:?}");
                }
            }
            assert_eq!(covered, loaded);
        }
    }
}
