//! Reading an index: validation up front, then cheap accessors for search.

use crate::format::{
    self, DocData, DocRecord, Layout, Meta, Positions, Section, Settings, DOC_RECORD_LEN,
};
use crate::split::{self, Columns, PartRequest, Store};
use std::sync::OnceLock;

use fst::{IntoStreamer, Streamer};

use levenshtein_automata::LevenshteinAutomatonBuilder;

use crate::search::{self, SearchOptions, SearchResults};
use crate::{Date, Error};

/// A loaded, validated index.
///
/// [`Index::from_bytes`] checks the magic, version, checksum and every offset before it returns,
/// so that searching a damaged index gives an [`Error`] and never a panic.
///
/// An index is either one file or split (see `FORMAT.md`): an entry file that names part files.
/// [`Index::open`] reads a folder of either kind whole. In the browser, a split index starts with
/// its entry file alone; [`Index::search_or_need`] says which pieces a query still needs and
/// [`Index::add_part`] adds them once fetched.
#[derive(Debug)]
pub struct Index {
    storage: Storage,
    meta: Meta,
    categories: Vec<String>,
    langs: Vec<String>,
    settings: Settings,
    /// Acronyms and their expansions, sorted by acronym.
    acronyms: Vec<crate::acronyms::Definition>,
    /// Per release: dates (`yyyymmdd`, 0 = none), title (0 in a split index of version 8 and
    /// later: see `title_lengths`) and body lengths in words, language ids
    /// and category ids, read once for ranking, filters and facets.
    columns: Columns,
    /// Levenshtein automaton builders for one and two edits (transpositions count as one), made
    /// on the first query that needs them: building the two-edit tables takes a moment.
    typo_builders: TypoBuilders,
    /// The last query ranked in full, with its options and ranking: a split index is asked
    /// again once the records it shows have arrived, and no record changes a ranking. Cleared
    /// by every piece that could ([`Index::add_part`]).
    last_ranked: std::sync::Mutex<Option<LastRanked>>,
    /// Whether the postings give each title match its title's length (version 8 and later).
    titled_postings: bool,
    /// Whether title lengths are learned from postings and records (see `title_lengths`).
    learns_titles: bool,
    /// A split index of version 8 and later keeps no title lengths in its entry: they come with
    /// the postings of every title match (and the titles of the records read). Each is noted
    /// here, per release (0 until then), when its posting is read; ranking reads a title's
    /// length only for a release whose title it found a word in. Empty otherwise.
    title_lengths: std::sync::Mutex<Vec<u16>>,
    /// The words of the bodies read last (see [`Index::body_tokens`]), most recent first.
    body_tokens: std::sync::Mutex<Vec<(u32, std::sync::Arc<Vec<crate::analyze::Token>>)>>,
}

/// The request for [`crate::analyze::EXTENDED_FOLD_FILE`].
fn fold_request() -> crate::PartRequest {
    crate::PartRequest {
        file: crate::analyze::EXTENDED_FOLD_FILE.to_owned(),
        start: 0,
        end: crate::analyze::EXTENDED_FOLD_FILE_LEN,
        gzip: true,
    }
}

/// How many releases' body words [`Index::body_tokens`] keeps: the hits of a few pages, and the
/// releases a search checks for the word being typed.
const KEPT_BODIES: usize = 48;

/// A query, its options, and its ranking (see [`Index::ranked_before`]).
type LastRanked = (String, SearchOptions, std::sync::Arc<crate::search::Ranked>);

/// Where the terms, postings and release records are.
#[derive(Debug)]
enum Storage {
    /// A single-file index, all in memory.
    Whole {
        bytes: Vec<u8>,
        layout: Layout,
        terms: fst::Map<Vec<u8>>,
        /// The word families of STEMS (none before version 5).
        families: crate::stems::Families,
    },
    /// A split index: its manifest and the pieces loaded so far.
    Split(Box<Store>),
}

#[derive(Default)]
struct TypoBuilders([OnceLock<LevenshteinAutomatonBuilder>; 2]);

impl std::fmt::Debug for TypoBuilders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TypoBuilders")
    }
}

/// One release's stored fields, as read from the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    pub title: String,
    pub url: String,
    pub lang: u32,
    pub categories: Vec<u32>,
    pub text: String,
}

impl Index {
    /// Validates and loads the uncompressed bytes written by [`crate::IndexWriter::finish`], or
    /// the entry file of a split index ([`crate::IndexWriter::finish_split`]).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Index, Error> {
        let layout = format::read_container(&bytes)?;
        let meta = Meta::decode(layout.get(&bytes, Section::Meta))?;
        let categories =
            format::read_string_table(layout.get(&bytes, Section::Categories), "CATEGORIES")?;
        let langs = format::read_string_table(layout.get(&bytes, Section::Langs), "LANGS")?;
        let settings = Settings::decode(layout.get(&bytes, Section::Settings))?;
        let acronyms = format::read_acronyms(layout.get(&bytes, Section::Acronyms))?;
        let titled_postings = layout.version >= format::TITLED_POSTINGS;
        let learns_titles = titled_postings && layout.has(Section::Manifest);
        let (storage, columns) = if layout.has(Section::Manifest) {
            let columns = Columns::decode(
                layout.get(&bytes, Section::Columns),
                meta.doc_count as usize,
                categories.len(),
                langs.len(),
                layout.version,
            )?;
            let store = Store::new(&layout, &bytes, &meta)?;
            (Storage::Split(Box::new(store)), columns)
        } else {
            let terms = fst::Map::new(layout.get(&bytes, Section::Terms).to_vec())
                .map_err(|e| Error::corrupt("TERMS", e.to_string()))?;
            // Traversing a damaged fst can panic inside the fst crate, and a crafted one can carry
            // a valid checksum: its checksum and structure are checked before the first lookup,
            // on top of the file checksum.
            crate::fst_check::verify(terms.as_fst().as_bytes())
                .map_err(|e| Error::corrupt("TERMS", e))?;
            let columns = validate_whole(&bytes, &layout, &meta, &terms, &categories, &langs)?;
            let families = crate::stems::Families::new(format::read_families(
                layout.get(&bytes, Section::Stems),
            )?);
            (
                Storage::Whole {
                    bytes,
                    layout,
                    terms,
                    families,
                },
                columns,
            )
        };
        Ok(Index {
            storage,
            meta,
            categories,
            langs,
            settings,
            acronyms,
            columns,
            typo_builders: TypoBuilders::default(),
            last_ranked: std::sync::Mutex::new(None),
            body_tokens: std::sync::Mutex::new(Vec::new()),
            titled_postings,
            learns_titles,
            title_lengths: std::sync::Mutex::new(if learns_titles {
                vec![0; meta.doc_count as usize]
            } else {
                Vec::new()
            }),
        })
    }

    /// Whether this is the entry file of a split index (whose parts load separately).
    pub fn is_split(&self) -> bool {
        matches!(self.storage, Storage::Split(_))
    }

    /// The part files a split index names (none for a single-file index).
    pub fn part_files(&self) -> Vec<String> {
        match &self.storage {
            Storage::Split(store) => store.files().map(str::to_owned).collect(),
            Storage::Whole { .. } => Vec::new(),
        }
    }

    /// Adds a piece of a part file that [`Index::search_or_need`] asked for: bytes `start..end`
    /// of `file`, inflated first when the request said `gzip`. Checks what it can (the file is
    /// one of this index's, the length is right, a dictionary part is sound) and returns an
    /// error otherwise.
    pub fn add_part(
        &mut self,
        file: &str,
        start: u64,
        end: u64,
        bytes: Vec<u8>,
        gzip: bool,
    ) -> Result<(), Error> {
        if file == crate::analyze::EXTENDED_FOLD_FILE {
            crate::analyze::load_extended_fold(&bytes)?;
            // Words folded without the table may have ranked the last query.
            if let Ok(last) = self.last_ranked.get_mut() {
                *last = None;
            }
            return Ok(());
        }
        match &mut self.storage {
            Storage::Split(store) => {
                if store.add(file, start, end, bytes, gzip)? {
                    // Terms, postings, acronyms or families: a ranking may differ now.
                    if let Ok(last) = self.last_ranked.get_mut() {
                        *last = None;
                    }
                }
                Ok(())
            }
            Storage::Whole { .. } => Err(Error::corrupt(
                "part",
                format!("{file}: this index is a single file and has no parts"),
            )),
        }
    }

    /// The ranking of `query` with `options` when it is the last one ranked in full and no
    /// piece that could change it has been added since.
    pub(crate) fn ranked_before(
        &self,
        query: &str,
        options: &SearchOptions,
    ) -> Option<std::sync::Arc<crate::search::Ranked>> {
        let last = self.last_ranked.lock().ok()?;
        let (q, o, ranked) = last.as_ref()?;
        (q == query && o == options).then(|| ranked.clone())
    }

    /// Keeps a full ranking for the next call with the same query and options.
    pub(crate) fn remember_ranked(
        &self,
        query: &str,
        options: &SearchOptions,
        ranked: crate::search::Ranked,
    ) -> std::sync::Arc<crate::search::Ranked> {
        let ranked = std::sync::Arc::new(ranked);
        if matches!(self.storage, Storage::Split(_)) {
            if let Ok(mut last) = self.last_ranked.lock() {
                *last = Some((query.to_owned(), options.clone(), ranked.clone()));
            }
        }
        ranked
    }

    /// Searches, or says which pieces of a split index the query needs first: fetch them, add
    /// them with [`Index::add_part`] and ask again. A single-file index answers at once, but in
    /// WebAssembly either kind may first ask for [`crate::analyze::EXTENDED_FOLD_FILE`], the
    /// folding of characters outside the common scripts, when the query or a release it shows
    /// has one.
    pub fn search_or_need(&self, query: &str, options: &SearchOptions) -> Result<Searched, Error> {
        crate::analyze::take_missed_fold();
        let results = search::run(self, query, options);
        if crate::analyze::take_missed_fold() {
            // What this search did with the words it could not fold is dropped: the pieces it
            // asked for and its ranking. It runs again once the table is in.
            if let Storage::Split(store) = &self.storage {
                store.take_needs();
            }
            if let Ok(mut last) = self.last_ranked.lock() {
                *last = None;
            }
            return Ok(Searched::Need(vec![fold_request()]));
        }
        let results = results?;
        match &self.storage {
            Storage::Split(store) if store.has_needs() => {
                let mut need = store.take_needs();
                // An index with words in other scripts will want the table for the texts it
                // shows, if not for the query: it comes with this round, not one of its own.
                if store.words_beyond_core() && !crate::analyze::extended_fold_loaded() {
                    need.push(fold_request());
                }
                Ok(Searched::Need(need))
            }
            _ => Ok(Searched::Done(results)),
        }
    }

    /// Opens a split index as [`crate::IndexWriter::finish_split`] (or
    /// [`crate::SplitIndex::from_single`]) gives it, with every part: what [`Index::open`] reads
    /// from a folder, without the folder. A builder checks this way that what it writes loads.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_split(split: crate::SplitIndex) -> Result<Index, Error> {
        let mut index = Index::from_bytes(split.entry)?;
        if let Storage::Split(store) = &mut index.storage {
            for (name, bytes) in split.parts {
                store.add_file(&name, bytes)?;
            }
        }
        Ok(index)
    }

    /// Reads an index folder written by `pressroom-index build`: its [`crate::INDEX_FILE`] and,
    /// for a split index, every part file it names.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open(dir: impl AsRef<std::path::Path>) -> Result<Index, Error> {
        let read = |path: std::path::PathBuf| {
            std::fs::read(&path).map_err(|e| Error::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })
        };
        let path = dir.as_ref().join(crate::INDEX_FILE);
        let stored = read(path.clone())?;
        let raw = format::decompress(&stored).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let mut index = Index::from_bytes(raw)?;
        if let Storage::Split(store) = &mut index.storage {
            let files: Vec<String> = store.files().map(str::to_owned).collect();
            for file in files {
                let bytes = read(dir.as_ref().join(&file))?;
                store.add_file(&file, bytes)?;
            }
        }
        Ok(index)
    }

    /// The number of releases in the index.
    pub fn len(&self) -> usize {
        self.meta.doc_count as usize
    }

    /// Whether the index holds no release.
    pub fn is_empty(&self) -> bool {
        self.meta.doc_count == 0
    }

    /// The site's defaults for search, chosen when the index was built.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The acronyms learned from the releases, with the expansion each stands for: `("sco",
    /// ["shanghai", "cooperation", "organisation"])`, sorted by acronym. A split index (format 3
    /// and later) keeps them in its parts, fetched with the queries that need them: for it this
    /// is the ones loaded so far.
    pub fn acronyms(&self) -> Vec<(String, Vec<String>)> {
        match &self.storage {
            Storage::Split(store) if store.has_acronym_buckets() => {
                let mut all: Vec<_> = store.loaded_acronyms().cloned().collect();
                crate::sorting::sort_dedup(&mut all);
                all
            }
            _ => self.acronyms.clone(),
        }
    }

    /// The acronym definitions a query's words may use: every one whose acronym or expansion's
    /// first word is one of `words` (and maybe others), sorted by acronym. On a split index,
    /// buckets not loaded yet are recorded as needed and left out.
    pub(crate) fn acronyms_for<'w>(
        &self,
        words: impl IntoIterator<Item = &'w str>,
    ) -> std::borrow::Cow<'_, [crate::acronyms::Definition]> {
        match &self.storage {
            Storage::Split(store) if store.has_acronym_buckets() => {
                let mut words: Vec<&str> = words.into_iter().collect();
                crate::sorting::sort_dedup(&mut words);
                let mut found: Vec<crate::acronyms::Definition> = words
                    .into_iter()
                    .filter_map(|word| store.acronyms_for(word))
                    .flatten()
                    .cloned()
                    .collect();
                crate::sorting::sort_dedup(&mut found);
                std::borrow::Cow::Owned(found)
            }
            _ => std::borrow::Cow::Borrowed(&self.acronyms),
        }
    }

    /// The number of distinct terms in the dictionary.
    pub fn term_count(&self) -> usize {
        match &self.storage {
            Storage::Whole { terms, .. } => terms.len(),
            Storage::Split(store) => store.manifest.terms as usize,
        }
    }

    /// Searches the index. See [`SearchOptions`] for paging and ranking weights. A split index
    /// must have every piece the query needs (as [`Index::open`] loads them all); otherwise
    /// use [`Index::search_or_need`].
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<SearchResults, Error> {
        match self.search_or_need(query, options)? {
            Searched::Done(results) => Ok(results),
            Searched::Need(parts) => Err(Error::corrupt(
                "part",
                format!(
                    "{} pieces of the split index are not loaded, e.g. {}",
                    parts.len(),
                    parts.first().map_or("", |p| p.file.as_str())
                ),
            )),
        }
    }

    /// Where `term` (already normalized) occurs in release `doc`; `None` when it does not.
    pub fn positions(&self, term: &str, doc: u32) -> Result<Option<Positions>, Error> {
        let Some(value) = self.term(term) else {
            return Ok(None);
        };
        let found = self.positions_for(value, &[doc])?;
        Ok(found
            .into_iter()
            .next()
            .filter(|p| !p.title.is_empty() || !p.body.is_empty()))
    }

    pub(crate) fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The fst value of `term`, if the dictionary has it.
    pub(crate) fn term(&self, term: &str) -> Option<u64> {
        match &self.storage {
            Storage::Whole { terms, .. } => terms.get(term),
            Storage::Split(store) => {
                let key = term.as_bytes();
                let (parts, _) = store.dict_parts(key, Some(key));
                parts.first().and_then(|p| p.fst.get(key))
            }
        }
    }

    /// The other words of `term`'s family: the indexed words that share its stem (see
    /// [`crate::stems`]). A split index keeps them in a piece per dictionary part, fetched only
    /// by the searches that need them.
    pub(crate) fn siblings(&self, term: &str) -> Vec<String> {
        let family = |families: &crate::stems::Families| {
            families.siblings(term).map(str::to_owned).collect()
        };
        match &self.storage {
            Storage::Whole { families, .. } => family(families),
            Storage::Split(store) => store
                .families_for(term.as_bytes())
                .map_or_else(Vec::new, family),
        }
    }

    /// The terms starting with `prefix` (all of them, or those `dfa` accepts), with their fst
    /// values, in term order.
    pub(crate) fn terms_with_prefix(
        &self,
        prefix: &str,
        dfa: Option<&levenshtein_automata::DFA>,
    ) -> Vec<(String, u64)> {
        let from = prefix.as_bytes();
        let mut to = from.to_vec();
        to.push(0xff);
        let mut out = Vec::new();
        let mut collect = |map: &fst::Map<Vec<u8>>| match dfa {
            Some(dfa) => drain(map.search(dfa).ge(from).lt(&to).into_stream(), &mut out),
            None => drain(map.range().ge(from).lt(&to).into_stream(), &mut out),
        };
        match &self.storage {
            Storage::Whole { terms, .. } => collect(terms),
            Storage::Split(store) => {
                for part in store.dict_parts(from, Some(&to)).0 {
                    collect(&part.fst);
                }
            }
        }
        out
    }

    /// Whether this search has found pieces of a split index missing so far: its answer will be
    /// thrown away and asked again once they are loaded, so a decision that depends on what was
    /// *not* found (such as widening a search) must wait for that round.
    /// A count of lookups that found a piece of a split index missing; unchanged across a stretch
    /// of lookups means they all had what they needed. Always 0 for a single file.
    pub(crate) fn misses(&self) -> u64 {
        match &self.storage {
            Storage::Split(store) => store.misses(),
            Storage::Whole { .. } => 0,
        }
    }

    pub(crate) fn pending(&self) -> bool {
        match &self.storage {
            Storage::Split(store) => store.has_needs(),
            Storage::Whole { .. } => false,
        }
    }

    /// The precomputed completions of a one-letter prefix, when the index has them (a split
    /// index does, so that the first keystroke fetches no dictionary part).
    pub(crate) fn one_letter_completions(&self, letter: &str) -> Option<Vec<(String, u64)>> {
        match &self.storage {
            Storage::Whole { .. } => None,
            Storage::Split(store) => Some(store.one_letter_completions(letter)),
        }
    }

    /// A term's postings (without positions); empty while a split index still needs them.
    pub(crate) fn postings(&self, value: u64) -> Result<Vec<format::Posting>, Error> {
        let (offset, df) = format::split_term_value(value);
        match &self.storage {
            Storage::Whole { bytes, layout, .. } => format::read_postings(
                layout.get(bytes, Section::Postings),
                offset,
                df,
                self.meta.doc_count,
                self.titled_postings,
            ),
            Storage::Split(store) => match store.postings(value, false) {
                Some(bytes) => {
                    let postings = format::read_postings(
                        &bytes,
                        0,
                        df,
                        self.meta.doc_count,
                        self.titled_postings,
                    )?;
                    self.note_title_lengths(&postings);
                    Ok(postings)
                }
                None => Ok(Vec::new()),
            },
        }
    }

    /// The positions of the term with fst value `value` in each of `docs` (sorted), in that order;
    /// empty positions for a release without the term. One pass over the term's postings.
    pub(crate) fn positions_for(&self, value: u64, docs: &[u32]) -> Result<Vec<Positions>, Error> {
        let (offset, df) = format::split_term_value(value);
        match &self.storage {
            Storage::Whole { bytes, layout, .. } => format::read_positions_for(
                layout.get(bytes, Section::Postings),
                offset,
                df,
                self.meta.doc_count,
                self.titled_postings,
                docs,
            ),
            Storage::Split(store) => match store.postings(value, true) {
                Some(bytes) => format::read_positions_for(
                    &bytes,
                    0,
                    df,
                    self.meta.doc_count,
                    self.titled_postings,
                    docs,
                ),
                None => Ok(vec![Positions::default(); docs.len()]),
            },
        }
    }

    /// Release `doc`'s stored fields; `None` while a split index still needs them.
    pub(crate) fn stored(&self, doc: u32) -> Result<Option<Stored>, Error> {
        let (data, text) = match &self.storage {
            Storage::Whole { bytes, layout, .. } => {
                let docs = layout.get(bytes, Section::Docs);
                let (this, next) = (DocRecord::read(docs, doc)?, DocRecord::read(docs, doc + 1)?);
                let data = DocData::read(layout.get(bytes, Section::DocData), this.data_offset)?;
                let text = layout
                    .get(bytes, Section::Text)
                    .get(this.text_offset as usize..next.text_offset as usize)
                    .unwrap_or_default();
                let text =
                    std::str::from_utf8(text).map_err(|e| Error::corrupt("TEXT", e.to_string()))?;
                (data.into_owned(), text.to_owned())
            }
            Storage::Split(store) => {
                let Some(record) = store.record(doc)? else {
                    return Ok(None);
                };
                let (data, text) = split::read_record(&record)?;
                if data.lang as usize > self.langs.len()
                    || data
                        .categories
                        .iter()
                        .any(|&c| c as usize >= self.categories.len())
                {
                    return Err(Error::corrupt(
                        "records",
                        format!("table ids of release {doc}"),
                    ));
                }
                (data.into_owned(), text.to_owned())
            }
        };
        Ok(Some(Stored {
            title: data.0,
            url: data.1,
            lang: data.2,
            categories: data.3,
            text,
        }))
    }

    /// The automaton builder for a query word of `letters` letters, or `None` when the word is
    /// too short to tolerate typos (see [`crate::search::ONE_TYPO_LETTERS`]).
    pub(crate) fn typo_automaton(&self, letters: usize) -> Option<&LevenshteinAutomatonBuilder> {
        match letters {
            l if l >= search::TWO_TYPO_LETTERS => Some(self.typo_builder(2)),
            l if l >= search::ONE_TYPO_LETTERS => Some(self.typo_builder(1)),
            _ => None,
        }
    }

    /// The automaton builder for one or two edits.
    pub(crate) fn typo_builder(&self, edits: u8) -> &LevenshteinAutomatonBuilder {
        let edits = usize::from(edits.clamp(1, 2));
        self.typo_builders.0[edits - 1]
            .get_or_init(|| LevenshteinAutomatonBuilder::new(edits as u8, true))
    }

    /// The id of a category name, if any release has it.
    pub(crate) fn category_id(&self, name: &str) -> Option<u32> {
        self.categories
            .binary_search_by(|c| c.as_str().cmp(name))
            .ok()
            .map(|i| i as u32)
    }

    /// The stored language ids (1-based, see DOCDATA) of the tags in `wanted`; `en` takes `en-GB`.
    pub(crate) fn lang_ids_matching(&self, wanted: &[String]) -> Vec<u32> {
        let matches = |tag: &str, want: &str| {
            tag.eq_ignore_ascii_case(want)
                || (tag.len() > want.len()
                    && tag.as_bytes()[want.len()] == b'-'
                    && tag[..want.len()].eq_ignore_ascii_case(want))
        };
        (0..self.langs.len())
            .filter(|&i| wanted.iter().any(|w| matches(&self.langs[i], w)))
            .map(|i| i as u32 + 1)
            .collect()
    }

    /// The category ids of release `doc`.
    pub(crate) fn doc_categories(&self, doc: u32) -> &[u32] {
        let c = &self.columns;
        let d = doc as usize;
        match (c.category_starts.get(d), c.category_starts.get(d + 1)) {
            (Some(&a), Some(&b)) => c
                .category_ids
                .get(a as usize..b as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }

    /// The stored language id of release `doc` (0 when unknown).
    pub(crate) fn doc_lang(&self, doc: u32) -> u32 {
        self.columns.langs.get(doc as usize).copied().unwrap_or(0)
    }

    /// Release `doc`'s title and body lengths in words. A split index of version 8 and later
    /// knows a title's length once a posting in that title (or the release's record) was read:
    /// 0 before (see [`Index::title_lengths`]).
    pub(crate) fn lengths(&self, doc: u32) -> (u16, u16) {
        let (title, body) = self
            .columns
            .lengths
            .get(doc as usize)
            .copied()
            .unwrap_or((0, 0));
        if !self.learns_titles {
            return (title, body);
        }
        match self.learned_titles().get(doc as usize) {
            Some(&learned) => (learned, body),
            None => (title, body),
        }
    }

    /// The title lengths noted so far (empty unless this index learns them).
    fn learned_titles(&self) -> std::sync::MutexGuard<'_, Vec<u16>> {
        self.title_lengths
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The words of release `doc`'s body `text` ([`crate::analyze::tokens`]), kept for the
    /// [`KEPT_BODIES`] releases asked for last. Excerpts, proximity and completions each split a
    /// hit's body into words, and as a visitor types, one keystroke's hits are mostly the last
    /// one's: splitting them again took a fifth of a keystroke's search. Words split while a
    /// character lacked its folding (see [`crate::analyze::take_missed_fold`]) are not kept, as
    /// they change once the table arrives.
    pub(crate) fn body_tokens(
        &self,
        doc: u32,
        text: &str,
    ) -> std::sync::Arc<Vec<crate::analyze::Token>> {
        let Ok(mut kept) = self.body_tokens.lock() else {
            return std::sync::Arc::new(crate::analyze::tokens(text));
        };
        if let Some(at) = kept.iter().position(|k| k.0 == doc) {
            let entry = kept.remove(at);
            kept.insert(0, entry.clone());
            return entry.1;
        }
        let (tokens, folded) = crate::analyze::tokens_folded(text);
        let tokens = std::sync::Arc::new(tokens);
        if folded {
            kept.insert(0, (doc, tokens.clone()));
            kept.truncate(KEPT_BODIES);
        }
        tokens
    }

    /// Notes that release `doc`'s title is `words` long, read from its record, where a search
    /// found a word in the title without a posting.
    pub(crate) fn note_title_length(&self, doc: u32, words: usize) {
        if let Some(slot) = self.learned_titles().get_mut(doc as usize) {
            *slot = u16::try_from(words).unwrap_or(u16::MAX);
        }
    }

    /// Notes the title lengths that `postings` give.
    fn note_title_lengths(&self, postings: &[format::Posting]) {
        let mut learned = self.learned_titles();
        if learned.is_empty() {
            return;
        }
        for p in postings.iter().filter(|p| p.title_tf > 0) {
            if let Some(slot) = learned.get_mut(p.doc as usize) {
                *slot = p.title_len;
            }
        }
    }

    /// The date of the newest release, if any has one.
    pub(crate) fn newest_date(&self) -> Option<crate::Date> {
        let newest = self.columns.dates.iter().copied().max()?;
        crate::Date::from_yyyymmdd(newest)
    }

    pub(crate) fn date(&self, doc: u32) -> u32 {
        self.columns.dates.get(doc as usize).copied().unwrap_or(0)
    }

    /// How many categories the index has (their ids are `0..`).
    pub(crate) fn category_count(&self) -> usize {
        self.categories.len()
    }

    /// How many languages the index has (their ids are `1..=`; 0 is none).
    pub(crate) fn lang_count(&self) -> usize {
        self.langs.len()
    }

    pub(crate) fn category(&self, id: u32) -> &str {
        self.categories.get(id as usize).map_or("", String::as_str)
    }

    pub(crate) fn lang(&self, id: u32) -> Option<&str> {
        id.checked_sub(1)
            .and_then(|i| self.langs.get(i as usize))
            .map(String::as_str)
    }
}

/// Appends the UTF-8 keys of `stream` and their values to `out`.
fn drain<S: for<'a> Streamer<'a, Item = (&'a [u8], u64)>>(
    mut stream: S,
    out: &mut Vec<(String, u64)>,
) {
    while let Some((key, value)) = stream.next() {
        if let Ok(key) = std::str::from_utf8(key) {
            out.push((key.to_owned(), value));
        }
    }
}

/// What [`Index::search_or_need`] gives: the results, or the pieces to fetch first.
#[derive(Debug, Clone, PartialEq)]
pub enum Searched {
    /// The answer.
    Done(SearchResults),
    /// Pieces of part files that must be added before the query can be answered.
    Need(Vec<PartRequest>),
}

/// Checks every cross-reference of a single-file index once, so that later reads cannot go out of
/// bounds, and reads the per-release columns.
fn validate_whole(
    bytes: &[u8],
    layout: &Layout,
    meta: &Meta,
    terms: &fst::Map<Vec<u8>>,
    categories: &[String],
    langs: &[String],
) -> Result<Columns, Error> {
    let n = meta.doc_count as usize;
    let mut columns = Columns::default();
    let docs = layout.get(bytes, Section::Docs);
    if docs.len() != (n + 1) * DOC_RECORD_LEN {
        return Err(Error::corrupt(
            "DOCS",
            format!("{} bytes for {n} releases", docs.len()),
        ));
    }
    let text = std::str::from_utf8(layout.get(bytes, Section::Text))
        .map_err(|e| Error::corrupt("TEXT", e.to_string()))?;
    let data = layout.get(bytes, Section::DocData);
    let mut previous = DocRecord::read(docs, 0)?;
    for doc in 1..=n as u32 {
        let next = DocRecord::read(docs, doc)?;
        let text_ok = previous.text_offset <= next.text_offset
            && text.is_char_boundary(previous.text_offset as usize)
            && text.is_char_boundary(next.text_offset as usize)
            && next.text_offset as usize <= text.len();
        if !text_ok
            || previous.data_offset >= next.data_offset
            || next.data_offset as usize > data.len()
        {
            return Err(Error::corrupt(
                "DOCS",
                format!("offsets of release {}", doc - 1),
            ));
        }
        let fields = DocData::read(&data[..next.data_offset as usize], previous.data_offset)?;
        if fields.lang as usize > langs.len()
            || fields
                .categories
                .iter()
                .any(|&c| c as usize >= categories.len())
        {
            return Err(Error::corrupt(
                "DOCDATA",
                format!("table ids of release {}", doc - 1),
            ));
        }
        if previous.date != 0 && Date::from_yyyymmdd(previous.date).is_none() {
            return Err(Error::corrupt(
                "DOCS",
                format!("date {} of release {}", previous.date, doc - 1),
            ));
        }
        columns
            .lengths
            .push((previous.title_len, previous.body_len));
        columns.dates.push(previous.date);
        columns
            .category_starts
            .push(columns.category_ids.len() as u32);
        columns.category_ids.extend_from_slice(&fields.categories);
        columns.langs.push(fields.lang);
        previous = next;
    }
    columns
        .category_starts
        .push(columns.category_ids.len() as u32);
    let postings_len = layout.get(bytes, Section::Postings).len();
    let mut stream = terms.stream();
    while let Some((term, value)) = stream.next() {
        let (offset, df) = format::split_term_value(value);
        if offset >= postings_len || df == 0 || df > meta.doc_count {
            return Err(Error::corrupt(
                "TERMS",
                format!("entry for {:?}", String::from_utf8_lossy(term)),
            ));
        }
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn tiny() -> Index {
        let mut writer = crate::IndexWriter::new();
        writer
            .add(crate::Release {
                url: "/a".into(),
                title: "Summit in Almaty".into(),
                body: "Leaders met in Almaty.".into(),
                ..crate::Release::default()
            })
            .unwrap();
        Index::from_bytes(writer.finish().unwrap()).unwrap()
    }

    #[test]
    fn body_words_are_kept_for_the_releases_read_last() {
        let index = tiny();
        let first = index.body_tokens(0, "Leaders met in Almaty.");
        assert_eq!(first.len(), 4);
        assert!(Arc::ptr_eq(
            &first,
            &index.body_tokens(0, "Leaders met in Almaty.")
        ));
        // Each release read since counts; the one read longest ago goes first.
        for doc in 1..KEPT_BODIES as u32 {
            index.body_tokens(doc, "other words");
        }
        assert!(Arc::ptr_eq(&first, &index.body_tokens(0, "")), "still kept");
        for doc in KEPT_BODIES as u32..2 * KEPT_BODIES as u32 {
            index.body_tokens(doc, "other words");
        }
        assert!(!Arc::ptr_eq(
            &first,
            &index.body_tokens(0, "Leaders met in Almaty.")
        ));
        assert!(index.body_tokens.lock().unwrap().len() <= KEPT_BODIES);
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))] // the writer splits natively
    fn a_split_index_mostly_in_other_scripts_asks_for_the_folding_with_its_first_pieces() {
        // The builder counts the releases with a letter the extended table folds: a site in
        // Chinese characters, one in English with one release in five in Chinese (which the
        // dictionary's part starts, all Latin, did not tell before version 12) and one in
        // full-width Latin (which folds to plain letters in the dictionary) ask for the table
        // with their first pieces; one in English that quotes a Chinese name in one release in
        // forty does not.
        let chinese = |i: u32| -> String {
            let ideograph = |k: u32| char::from_u32(0x4E00 + (i * 97 + k * 13) % 20_000).unwrap();
            (0..60)
                .map(|k| format!("{}{} ", ideograph(k), ideograph(k + 1)))
                .collect()
        };
        let english = |i: u32| match i % 40 {
            0 => format!("Leaders met in Almaty, {i} of them, and 习近平 spoke."),
            _ => format!("Leaders met in Almaty, {i} of them."),
        };
        let mixed = |i: u32| match i % 5 {
            0 => chinese(i),
            _ => english(i + 1),
        };
        let full_width = |i: u32| format!("Ｓｕｍｍｉｔ ｏｆ ｌｅａｄｅｒｓ {i}");
        let bodies: [(&dyn Fn(u32) -> String, bool); 4] = [
            (&english, false),
            (&chinese, true),
            (&mixed, true),
            (&full_width, true),
        ];
        for (body, wanted) in bodies {
            let mut writer = crate::IndexWriter::new();
            for i in 0..400 {
                let release = crate::Release {
                    url: format!("/{i}"),
                    title: format!("Almaty {i}"),
                    body: body(i),
                    ..crate::Release::default()
                };
                writer.add(release).unwrap();
            }
            let entry = writer.finish_split().unwrap().entry;
            let asks =
                |index: &Index| match index.search_or_need("almaty", &SearchOptions::default()) {
                    Ok(Searched::Need(need)) => need,
                    other => panic!("{other:?}"),
                };
            let index = Index::from_bytes(entry.clone()).unwrap();
            let need = crate::analyze::without_extended_fold(|| asks(&index));
            assert!(!need.is_empty());
            assert_eq!(
                need.contains(&fold_request()),
                wanted,
                "{}: {need:?}",
                body(0)
            );
            // Where the table is there (natively, always), it is not asked for.
            let index = Index::from_bytes(entry).unwrap();
            assert!(!asks(&index).contains(&fold_request()));
        }
    }

    #[test]
    fn body_words_split_without_their_folding_are_not_kept() {
        let index = tiny();
        let text = "Ｓｕｍｍｉｔ in Almaty";
        let before = crate::analyze::without_extended_fold(|| index.body_tokens(0, text));
        assert_eq!(before[0].term, "ｓｕｍｍｉｔ");
        assert!(crate::analyze::take_missed_fold());
        // Once the table is there, the words are split again, and folded.
        assert_eq!(index.body_tokens(0, text)[0].term, "summit");
    }
}
