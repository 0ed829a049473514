//! What a build leaves in the cache folder for the next one, which rebuilds from it
//! ([`pressroom::IndexWriter::rebuild`]) instead of analyzing and merging every release again:
//! the index it wrote (uncompressed, as [`pressroom::IndexWriter::finish`] gives it), which
//! input file each release came from, a [`ReleaseSummary`] per release, and each release's
//! compressed record, so that only new or changed records are compressed again.
//!
//! Most of those bytes do not change from one deploy to the next, so they are kept apart, per
//! input file and named by their content, and written only when new:
//!
//! * `build.prs`: `"PRSTATE3" | salt (32 bytes) | u64 n | postcard Meta (n bytes) | blake3 of
//!   Meta (32 bytes) | u64 m | postcard summaries (m bytes) | blake3 of them | the index without
//!   its releases' texts`. Meta (which input files, how many releases each) is read first; the
//!   rest while the inputs are read. The salt is the cache's (the builder and the settings): a
//!   state of another builder or other settings is never used.
//! * `<hash>.prt`: the texts of one input file's releases, as they lie in the index.
//! * `<hash>.prr`: the compressed records of one input file's releases: `u32 n | n × (u128
//!   record hash, u32 length) | blake3 of the records (32 bytes) | the records`, named by a hash
//!   of the table.
//!
//! Everything is checked as it is read (hashes, and the index's own checksum once its texts are
//! back in place). A state that does not read or check is ignored, and the build runs in full.

use std::collections::{HashMap, HashSet};
use std::io::Read as _;
use std::ops::Range;
use std::path::PathBuf;

use anyhow::Context as _;
use pressroom::{PreviousIndex, Record, ReleaseSummary};

use crate::cache::Cache;

const FILE: &str = "build.prs";
const MAGIC: &[u8; 8] = b"PRSTATE3";
const TEXTS: &str = "prt";
const RECORDS: &str = "prr";

/// Which releases came from which input file, and what a rebuild needs of each.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Meta {
    /// Input files in walk order.
    files: Vec<FileState>,
    /// The length of the index, and where the releases' texts lie in it.
    index_len: u64,
    text: Range<u64>,
}

/// One input file of a build.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct FileState {
    /// Its cache key (empty: it had none).
    key: String,
    /// How many releases it gave.
    count: u32,
    /// The `.prt` file of its releases' texts, and their length.
    text: String,
    text_len: u64,
    /// The `.prr` file of its releases' compressed records (empty: a single-file index).
    records: String,
}

/// A `.prr` file as read: its table of hashes and lengths, and its bytes, with the records back
/// to back from `start`.
#[derive(Debug)]
pub struct RecordsFile {
    table: Vec<(u128, u32)>,
    bytes: Vec<u8>,
    start: usize,
}

/// The previous build, as the next one reads it.
#[derive(Debug)]
pub struct State {
    meta: Meta,
    /// Where the summaries lie in the state file (the index follows them), and how many
    /// releases the previous build had.
    summaries_at: usize,
    summaries_len: usize,
    releases: u32,
    /// One per release, in id order (empty until [`State::read_rest`] read them).
    summaries: Vec<ReleaseSummary>,
    /// The index, texts and all (empty until [`State::read_rest`] read it).
    index: Vec<u8>,
    /// The `.prr` files read.
    records: Vec<RecordsFile>,
    /// Input file key → its position in `meta.files`.
    by_key: HashMap<String, usize>,
    /// The id of each input file's first release, in `meta.files` order.
    firsts: Vec<u32>,
}

impl State {
    /// The state's outline in `cache`'s folder: which input files the previous build had, and
    /// the summaries of their releases, without the index and the records, which
    /// [`State::read_rest`] reads (a build reads them while it reads its inputs).
    pub fn open(cache: &Cache) -> Option<State> {
        let mut file = std::fs::File::open(cache.dir().join(FILE)).ok()?;
        let mut header = [0; 40];
        file.read_exact(&mut header).ok()?;
        if &header[..8] != MAGIC || &header[8..] != cache.salt() {
            return None;
        }
        let mut len = [0; 8];
        file.read_exact(&mut len).ok()?;
        let meta_len = len_of(&len)?;
        let mut meta = vec![0; meta_len];
        file.read_exact(&mut meta).ok()?;
        let mut hash = [0; 32];
        file.read_exact(&mut hash).ok()?;
        if blake3::hash(&meta) != hash {
            return None;
        }
        let meta: Meta = postcard::from_bytes(&meta).ok()?;
        // The summaries are read with the rest: skip them.
        file.read_exact(&mut len).ok()?;
        let summaries_at = 40 + 8 + meta_len + 32;
        let summaries_len = len_of(&len)?;
        let mut by_key = HashMap::with_capacity(meta.files.len());
        let mut firsts = Vec::with_capacity(meta.files.len());
        let mut first = 0u32;
        for (i, f) in meta.files.iter().enumerate() {
            if !f.key.is_empty() {
                by_key.insert(f.key.clone(), i);
            }
            firsts.push(first);
            first = first.checked_add(f.count)?;
        }
        Some(State {
            summaries_at,
            summaries_len,
            releases: first,
            meta,
            summaries: Vec::new(),
            index: Vec::new(),
            records: Vec::new(),
            by_key,
            firsts,
        })
    }

    /// The rest of the state: the index (its texts read into their place from their own files)
    /// and the compressed records. `None` when the index does not read; records that do not read
    /// or check are left out (and their file removed, to be written again).
    pub fn read_rest(&self, cache: &Cache) -> Option<Rest> {
        use std::io::Seek as _;
        let meta = &self.meta;
        let text = usize::try_from(meta.text.start).ok()?..usize::try_from(meta.text.end).ok()?;
        let index_len = usize::try_from(meta.index_len).ok()?;
        if text.start > text.end || text.end > index_len {
            return None;
        }
        let mut file = std::fs::File::open(cache.dir().join(FILE)).ok()?;
        file.seek(std::io::SeekFrom::Start(self.summaries_at as u64 + 8))
            .ok()?;
        let mut summaries = vec![0; self.summaries_len];
        file.read_exact(&mut summaries).ok()?;
        let mut hash = [0; 32];
        file.read_exact(&mut hash).ok()?;
        if blake3::hash(&summaries) != hash {
            return None;
        }
        let summaries: Vec<ReleaseSummary> = postcard::from_bytes(&summaries).ok()?;
        if summaries.len() != self.releases as usize {
            return None;
        }
        let mut index = vec![0; index_len];
        file.read_exact(&mut index[..text.start]).ok()?;
        file.read_exact(&mut index[text.end..]).ok()?;
        if file.read(&mut [0]).ok()? != 0 {
            return None;
        }
        let mut at = text.start;
        let mut records = Vec::new();
        for f in &meta.files {
            let end = at.checked_add(usize::try_from(f.text_len).ok()?)?;
            if end > text.end {
                return None;
            }
            let mut texts = std::fs::File::open(path(cache, &f.text, TEXTS)).ok()?;
            texts.read_exact(&mut index[at..end]).ok()?;
            at = end;
            match read_records(cache, &f.records) {
                Some(file_records) => records.push(file_records),
                None if !f.records.is_empty() => {
                    let _ = std::fs::remove_file(path(cache, &f.records, RECORDS));
                }
                None => {}
            }
        }
        (at == text.end).then_some(Rest {
            summaries,
            index,
            records,
        })
    }

    /// The state with the rest [`State::read_rest`] read; without it (`None`), the state's
    /// index is empty, does not load, and the state is discarded after its outline served.
    pub fn with_rest(mut self, rest: Option<Rest>) -> State {
        if let Some(rest) = rest {
            self.summaries = rest.summaries;
            self.index = rest.index;
            self.records = rest.records;
        }
        self
    }

    /// The id of the first release of the input file with cache key `key`, and how many it gave.
    pub fn releases_of(&self, key: &str) -> Option<(u32, u32)> {
        let i = *self.by_key.get(key)?;
        let first = self.firsts[i];
        Some((first, self.meta.files[i].count))
    }

    /// The input file key and the position in it of previous release `id`.
    pub fn origin(&self, id: u32) -> Option<(&str, usize)> {
        // The last file starting at or before `id` (a file of no releases starts where the next
        // does, so it is never the one found).
        let i = self
            .firsts
            .partition_point(|&first| first <= id)
            .checked_sub(1)?;
        (id < self.releases).then(|| {
            (
                self.meta.files[i].key.as_str(),
                (id - self.firsts[i]) as usize,
            )
        })
    }

    /// The index the previous build wrote, uncompressed.
    pub fn index(&self) -> &[u8] {
        &self.index
    }

    /// A summary per previous release.
    pub fn summaries(&self) -> &[ReleaseSummary] {
        &self.summaries
    }

    /// The summaries, moved out (for the next state).
    pub fn take_summaries(&mut self) -> Vec<ReleaseSummary> {
        std::mem::take(&mut self.summaries)
    }

    /// Removes the state and the texts and records it names from `cache`'s folder: for a state
    /// whose index does not check, since which of its files is damaged is not known.
    pub fn discard(&self, cache: &Cache) {
        forget(cache);
        for f in &self.meta.files {
            let _ = std::fs::remove_file(path(cache, &f.text, TEXTS));
            let _ = std::fs::remove_file(path(cache, &f.records, RECORDS));
        }
    }

    /// The texts file of the input file with cache key `key`, when its releases are kept.
    fn texts_of(&self, key: &str) -> Option<(&str, u64)> {
        let &i = self.by_key.get(key)?;
        let f = &self.meta.files[i];
        Some((&f.text, f.text_len))
    }
}

/// The previous build's compressed records, for a build to reuse instead of compressing a record
/// again.
#[derive(Debug, Default)]
pub struct KnownRecords<'a> {
    /// By the hash of the record's bytes.
    by_hash: HashMap<u128, &'a [u8]>,
    /// By previous release id: hash and compressed bytes.
    by_id: Vec<(u128, &'a [u8])>,
    /// The previous index, and for each release of this build, its previous id if it is kept.
    previous: Option<PreviousIndex<'a>>,
    kept: Vec<Option<u32>>,
}

impl<'a> KnownRecords<'a> {
    /// The records of `state`; `kept` gives the previous id of each release of this build that
    /// the previous build has.
    pub fn new(state: &'a State, kept: Vec<Option<u32>>) -> KnownRecords<'a> {
        let mut by_hash = HashMap::with_capacity(state.releases as usize);
        let mut by_id = Vec::with_capacity(state.releases as usize);
        for file in &state.records {
            let blob = &file.bytes[file.start..];
            let mut at = 0;
            for &(hash, len) in &file.table {
                let end = at + len as usize;
                by_hash.insert(hash, &blob[at..end]);
                by_id.push((hash, &blob[at..end]));
                at = end;
            }
        }
        if by_id.len() != state.releases as usize {
            // Not every file has its records (a single-file build): no lookup by id.
            by_id.clear();
        }
        KnownRecords {
            by_hash,
            by_id,
            previous: PreviousIndex::new(state.index()).ok(),
            kept,
        }
    }

    /// The hash of record `i` of this build, with its compressed bytes when the previous build
    /// had the same record. A kept release whose record has the same bytes as before is found
    /// by comparing them (no hashing); others by their hash.
    pub fn find(&self, i: usize, record: &Record<'_>) -> (u128, Option<&'a [u8]>) {
        let old = self.kept.get(i).copied().flatten();
        if let (Some(old), Some(previous)) = (old, &self.previous) {
            if let (Some(&(hash, bytes)), Ok(before)) =
                (self.by_id.get(old as usize), previous.record(old))
            {
                if before == *record {
                    return (hash, Some(bytes));
                }
            }
        }
        let hash = record_hash(record);
        (hash, self.by_hash.get(&hash).copied())
    }

    /// The compressed bytes of a record of the previous build, by hash.
    fn get(&self, hash: &u128) -> Option<&'a [u8]> {
        self.by_hash.get(hash).copied()
    }
}

/// What a build writes for the next one.
#[derive(Debug, Default)]
pub struct NextState {
    /// Input files in walk order: cache key, how many releases, and whether they were kept from
    /// the previous build (their texts are stored already).
    pub files: Vec<(Option<String>, u32, bool)>,
    /// One per release, in id order (the ids of `index`, in input order).
    pub summaries: Vec<ReleaseSummary>,
    /// The index in input order, uncompressed, as the writer gave it (the builder writes it
    /// with its releases numbered by date).
    pub index: Vec<u8>,
    /// Each release's record hash, in the id order of `index` (input order), with its
    /// compressed bytes when they were compressed by this build (the others are the previous
    /// build's). Empty for a single file.
    pub records: Vec<(u128, Option<Vec<u8>>)>,
}

impl NextState {
    /// Writes the state into `cache`'s folder, replacing the previous one, and removes the texts
    /// and records no longer named. A state that cannot be written costs the next build speed,
    /// not correctness: failures are for a warning only.
    pub fn save(
        self,
        cache: &Cache,
        previous: Option<&State>,
        known: &KnownRecords<'_>,
    ) -> anyhow::Result<()> {
        let index = PreviousIndex::just_written(&self.index).context("the index just written")?;
        let doc_count: u32 = self.files.iter().map(|f| f.1).sum();
        if doc_count != index.len()
            || self.summaries.len() != doc_count as usize
            || !(self.records.is_empty() || self.records.len() == doc_count as usize)
        {
            anyhow::bail!("the build state does not match the index");
        }
        let text = index.text_range(0..doc_count)?;
        let mut files = Vec::with_capacity(self.files.len());
        let mut first = 0u32;
        for (key, count, kept) in self.files {
            let docs = first..first + count;
            first += count;
            let key = key.unwrap_or_default();
            let texts = match previous.filter(|_| kept).and_then(|p| p.texts_of(&key)) {
                Some((name, len)) => (name.to_string(), len),
                None => {
                    let bytes = &self.index[index.text_range(docs.clone())?];
                    let name = content_name(cache, bytes);
                    write_once(cache, &name, TEXTS, bytes)?;
                    (name, bytes.len() as u64)
                }
            };
            let records = match self.records.get(docs.start as usize..docs.end as usize) {
                Some(records) if !records.is_empty() => {
                    let mut list = Vec::with_capacity(4 + records.len() * 20);
                    list.extend_from_slice(&(records.len() as u32).to_le_bytes());
                    for (hash, bytes) in records {
                        let len = match bytes {
                            Some(bytes) => bytes.len(),
                            None => known.get(hash).map_or(0, |b| b.len()),
                        };
                        list.extend_from_slice(&hash.to_le_bytes());
                        list.extend_from_slice(&(len as u32).to_le_bytes());
                    }
                    let name = content_name(cache, &list);
                    if !path(cache, &name, RECORDS).exists() {
                        let start = list.len();
                        list.extend_from_slice(&[0; 32]);
                        for (hash, bytes) in records {
                            let bytes = match bytes {
                                Some(bytes) => bytes.as_slice(),
                                None => known.get(hash).context("a record vanished")?,
                            };
                            list.extend_from_slice(bytes);
                        }
                        let hash = content_hash(&list[start + 32..]);
                        list[start..start + 32].copy_from_slice(&hash);
                        write_once(cache, &name, RECORDS, &list)?;
                    }
                    name
                }
                _ => String::new(),
            };
            files.push(FileState {
                key,
                count,
                text: texts.0,
                text_len: texts.1,
                records,
            });
        }
        let meta = Meta {
            files,
            index_len: self.index.len() as u64,
            text: text.start as u64..text.end as u64,
        };
        let encoded = postcard::to_allocvec(&meta)?;
        let summaries = postcard::to_allocvec(&self.summaries)?;
        cache.write_parts(
            &cache.dir().join(FILE),
            &[
                MAGIC,
                cache.salt(),
                &(encoded.len() as u64).to_le_bytes(),
                &encoded,
                blake3::hash(&encoded).as_bytes(),
                &(summaries.len() as u64).to_le_bytes(),
                &summaries,
                blake3::hash(&summaries).as_bytes(),
                &self.index[..text.start],
                &self.index[text.end..],
            ],
        )?;

        let named: HashSet<&str> = meta
            .files
            .iter()
            .flat_map(|f| [f.text.as_str(), f.records.as_str()])
            .collect();
        prune(cache, &named);
        Ok(())
    }
}

/// Removes the state from `cache`'s folder (a build that could not write a new one must not leave
/// an old one behind).
pub fn forget(cache: &Cache) {
    let _ = std::fs::remove_file(cache.dir().join(FILE));
}

/// The hash a record is known by: of its bytes.
pub fn record_hash(record: &Record<'_>) -> u128 {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&record.head);
    hasher.update(record.text);
    let hash = hasher.finalize();
    u128::from_le_bytes(hash.as_bytes()[..16].try_into().expect("16 of 32 bytes"))
}

fn path(cache: &Cache, name: &str, extension: &str) -> PathBuf {
    cache.dir().join(format!("{name}.{extension}"))
}

/// Writes a content-named file, unless it is there already.
fn write_once(cache: &Cache, name: &str, extension: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let path = path(cache, name, extension);
    if path.exists() {
        return Ok(());
    }
    cache.write(&path, bytes)
}

/// The table (hashes and lengths) and the records of the `.prr` file `name`, when its bytes
/// still hash to its name.
fn read_records(cache: &Cache, name: &str) -> Option<RecordsFile> {
    if name.is_empty() {
        return None;
    }
    let bytes = std::fs::read(path(cache, name, RECORDS)).ok()?;
    let n = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let table_end = 4usize.checked_add(n.checked_mul(20)?)?;
    if content_name(cache, bytes.get(..table_end)?) != name {
        return None;
    }
    let table = &bytes[4..table_end];
    let mut list = Vec::with_capacity(n);
    let mut total = 0usize;
    for entry in table.chunks_exact(20) {
        let hash = u128::from_le_bytes(entry[..16].try_into().ok()?);
        let len = u32::from_le_bytes(entry[16..].try_into().ok()?);
        total = total.checked_add(len as usize)?;
        list.push((hash, len));
    }
    let start = table_end + 32;
    let blob = bytes.get(start..)?;
    if blob.len() != total || content_hash(blob) != bytes[table_end..start] {
        return None;
    }
    Some(RecordsFile {
        table: list,
        bytes,
        start,
    })
}

/// The name of a texts or records file: a hash of the cache's salt (so another builder never
/// reads it) and of its bytes (of a records file: of its table).
fn content_name(cache: &Cache, bytes: &[u8]) -> String {
    let mut hasher = blake3::Hasher::new_keyed(cache.salt());
    hasher.update(bytes);
    hasher.finalize().to_hex()[..32].to_string()
}

/// A hash of many megabytes, on every core.
fn content_hash(bytes: &[u8]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    hasher.update_rayon(bytes);
    *hasher.finalize().as_bytes()
}

/// Removes the texts and records files that `named` does not name.
fn prune(cache: &Cache, named: &HashSet<&str>) {
    let Ok(entries) = std::fs::read_dir(cache.dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = path.extension().is_some_and(|e| e == TEXTS || e == RECORDS);
        let stale = path
            .file_stem()
            .is_some_and(|s| !named.contains(&*s.to_string_lossy()));
        if ours && stale {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// What [`State::read_rest`] reads.
#[derive(Debug)]
pub struct Rest {
    summaries: Vec<ReleaseSummary>,
    index: Vec<u8>,
    records: Vec<RecordsFile>,
}

/// A `u64` length as a `usize`.
fn len_of(bytes: &[u8; 8]) -> Option<usize> {
    usize::try_from(u64::from_le_bytes(*bytes)).ok()
}
