//! Reading an index: validation up front, then cheap accessors for search.

use crate::format::{
    self, DocData, DocRecord, Layout, Meta, Positions, Section, Settings, DOC_RECORD_LEN,
};
use std::sync::OnceLock;

use levenshtein_automata::LevenshteinAutomatonBuilder;

use crate::search::{self, SearchOptions, SearchResults};
use crate::{Date, Error};

/// A loaded, validated index.
///
/// [`Index::from_bytes`] checks the magic, version, checksum and every offset before it returns,
/// so that searching a damaged index gives an [`Error`] and never a panic.
#[derive(Debug)]
pub struct Index {
    bytes: Vec<u8>,
    layout: Layout,
    terms: fst::Map<Vec<u8>>,
    meta: Meta,
    categories: Vec<String>,
    langs: Vec<String>,
    settings: Settings,
    /// Acronyms and their expansions, sorted by acronym.
    acronyms: Vec<crate::acronyms::Definition>,
    /// Per release: title and body length in words, read once for BM25.
    lengths: Vec<(u16, u16)>,
    /// Per release: the date as `yyyymmdd` (0 = none), read once for ranking ties and sorting.
    dates: Vec<u32>,
    /// Per release: where its category ids start in `category_ids` (one more entry closes).
    category_starts: Vec<u32>,
    /// The category ids of all releases, back to back, for filters and facets.
    category_ids: Vec<u32>,
    /// Per release: its language id as stored (0 = none).
    doc_langs: Vec<u32>,
    /// Levenshtein automaton builders for one and two edits (transpositions count as one), made
    /// on the first query that needs them: building the two-edit tables takes a moment.
    typo_builders: TypoBuilders,
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
pub(crate) struct Doc<'a> {
    pub record: DocRecord,
    pub data: DocData<'a>,
}

impl Index {
    /// Validates and loads the uncompressed bytes written by [`crate::IndexWriter::finish`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Index, Error> {
        let layout = format::read_container(&bytes)?;
        let meta = Meta::decode(layout.get(&bytes, Section::Meta))?;
        let terms = fst::Map::new(layout.get(&bytes, Section::Terms).to_vec())
            .map_err(|e| Error::corrupt("TERMS", e.to_string()))?;
        // The fst's own checksum: traversing a damaged fst can panic inside the fst crate, so it is
        // checked before the first lookup, on top of the file checksum.
        terms
            .as_fst()
            .verify()
            .map_err(|e| Error::corrupt("TERMS", e.to_string()))?;
        // A crafted fst can carry a valid checksum: check its structure before traversing it.
        crate::fst_check::check(terms.as_fst().as_bytes())
            .map_err(|e| Error::corrupt("TERMS", e))?;
        let categories =
            format::read_string_table(layout.get(&bytes, Section::Categories), "CATEGORIES")?;
        let langs = format::read_string_table(layout.get(&bytes, Section::Langs), "LANGS")?;
        let settings = Settings::decode(layout.get(&bytes, Section::Settings))?;
        let acronyms = format::read_acronyms(layout.get(&bytes, Section::Acronyms))?;
        let mut index = Index {
            bytes,
            layout,
            terms,
            meta,
            categories,
            langs,
            settings,
            acronyms,
            lengths: Vec::new(),
            dates: Vec::new(),
            category_starts: Vec::new(),
            category_ids: Vec::new(),
            doc_langs: Vec::new(),
            typo_builders: TypoBuilders::default(),
        };
        index.validate()?;
        Ok(index)
    }

    /// Checks every cross-reference once, so that later reads cannot go out of bounds.
    fn validate(&mut self) -> Result<(), Error> {
        let n = self.meta.doc_count as usize;
        let mut lengths = Vec::with_capacity(n);
        let mut dates = Vec::with_capacity(n);
        let mut category_starts = Vec::with_capacity(n + 1);
        let mut category_ids = Vec::new();
        let mut doc_langs = Vec::with_capacity(n);
        let docs = self.section(Section::Docs);
        if docs.len() != (n + 1) * DOC_RECORD_LEN {
            return Err(Error::corrupt(
                "DOCS",
                format!("{} bytes for {n} releases", docs.len()),
            ));
        }
        let text = std::str::from_utf8(self.section(Section::Text))
            .map_err(|e| Error::corrupt("TEXT", e.to_string()))?;
        let data = self.section(Section::DocData);
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
            let lang_ok = fields.lang as usize <= self.langs.len();
            if !lang_ok
                || fields
                    .categories
                    .iter()
                    .any(|&c| c as usize >= self.categories.len())
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
            lengths.push((previous.title_len, previous.body_len));
            dates.push(previous.date);
            category_starts.push(category_ids.len() as u32);
            category_ids.extend_from_slice(&fields.categories);
            doc_langs.push(fields.lang);
            previous = next;
        }
        category_starts.push(category_ids.len() as u32);
        self.lengths = lengths;
        self.dates = dates;
        self.category_starts = category_starts;
        self.category_ids = category_ids;
        self.doc_langs = doc_langs;
        let postings_len = self.section(Section::Postings).len();
        let mut stream = self.terms.stream();
        while let Some((term, value)) = fst::Streamer::next(&mut stream) {
            let (offset, df) = format::split_term_value(value);
            if offset >= postings_len || df == 0 || df > self.meta.doc_count {
                return Err(Error::corrupt(
                    "TERMS",
                    format!("entry for {:?}", String::from_utf8_lossy(term)),
                ));
            }
        }
        Ok(())
    }

    /// Reads an index folder written by `pressroom-index build` (its [`crate::INDEX_FILE`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open(dir: impl AsRef<std::path::Path>) -> Result<Index, Error> {
        let path = dir.as_ref().join(crate::INDEX_FILE);
        let io = |e: std::io::Error| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let stored = std::fs::read(&path).map_err(io)?;
        Index::from_bytes(format::decompress(&stored).map_err(io)?)
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
    /// ["shanghai", "cooperation", "organisation"])`, sorted by acronym.
    pub fn acronyms(&self) -> &[(String, Vec<String>)] {
        &self.acronyms
    }

    /// The number of distinct terms in the dictionary.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Searches the index. See [`SearchOptions`] for paging and ranking weights.
    pub fn search(&self, query: &str, options: &SearchOptions) -> Result<SearchResults, Error> {
        search::run(self, query, options)
    }

    /// Where `term` (already normalized) occurs in release `doc`; `None` when it does not.
    pub fn positions(&self, term: &str, doc: u32) -> Result<Option<Positions>, Error> {
        match self.terms.get(term) {
            Some(value) => {
                let (offset, df) = format::split_term_value(value);
                format::read_positions(
                    self.section(Section::Postings),
                    offset,
                    df,
                    self.meta.doc_count,
                    doc,
                )
            }
            None => Ok(None),
        }
    }

    pub(crate) fn section(&self, section: Section) -> &[u8] {
        self.layout.get(&self.bytes, section)
    }

    pub(crate) fn meta(&self) -> &Meta {
        &self.meta
    }

    pub(crate) fn terms(&self) -> &fst::Map<Vec<u8>> {
        &self.terms
    }

    pub(crate) fn postings(&self, value: u64) -> Result<Vec<format::Posting>, Error> {
        let (offset, df) = format::split_term_value(value);
        format::read_postings(
            self.section(Section::Postings),
            offset,
            df,
            self.meta.doc_count,
        )
    }

    pub(crate) fn record(&self, doc: u32) -> Result<DocRecord, Error> {
        DocRecord::read(self.section(Section::Docs), doc)
    }

    pub(crate) fn doc(&self, doc: u32) -> Result<Doc<'_>, Error> {
        let record = self.record(doc)?;
        let data = DocData::read(self.section(Section::DocData), record.data_offset)?;
        Ok(Doc { record, data })
    }

    pub(crate) fn text(&self, doc: u32) -> Result<&str, Error> {
        let start = self.record(doc)?.text_offset as usize;
        let end = self.record(doc + 1)?.text_offset as usize;
        let bytes = self
            .section(Section::Text)
            .get(start..end)
            .unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|e| Error::corrupt("TEXT", e.to_string()))
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
        let d = doc as usize;
        match (self.category_starts.get(d), self.category_starts.get(d + 1)) {
            (Some(&a), Some(&b)) => self
                .category_ids
                .get(a as usize..b as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }

    /// The stored language id of release `doc` (0 when unknown).
    pub(crate) fn doc_lang(&self, doc: u32) -> u32 {
        self.doc_langs.get(doc as usize).copied().unwrap_or(0)
    }

    /// The positions of the term with fst value `value` in each of `docs` (sorted), in that order;
    /// empty positions for a release without the term. One pass over the term's postings.
    pub(crate) fn positions_for(&self, value: u64, docs: &[u32]) -> Result<Vec<Positions>, Error> {
        let (offset, df) = format::split_term_value(value);
        format::read_positions_for(
            self.section(Section::Postings),
            offset,
            df,
            self.meta.doc_count,
            docs,
        )
    }

    pub(crate) fn lengths(&self, doc: u32) -> (u16, u16) {
        self.lengths.get(doc as usize).copied().unwrap_or((0, 0))
    }

    pub(crate) fn date(&self, doc: u32) -> u32 {
        self.dates.get(doc as usize).copied().unwrap_or(0)
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
