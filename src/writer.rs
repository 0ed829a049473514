//! Turns releases into the bytes of an index.

use std::collections::HashMap;

use crate::acronyms;
use crate::analyze;
use crate::format::{self, DocData, DocRecord, Meta, PostingsBuilder, Section, Settings, MAX_DOCS};
use crate::search::{Ranking, RankingOverrides, MAX_EXCERPT_WORDS};
use crate::stems;
use crate::{Error, Release};

/// A release after analysis: what the writer needs, computed without touching the writer, so a
/// builder can analyze releases in parallel and add them in a fixed order. It serializes (serde),
/// so a builder can cache it between builds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AnalyzedRelease {
    release: Release,
    /// Each distinct term with its positions in the title and in the body, sorted by term.
    terms: Vec<(String, Vec<u32>, Vec<u32>)>,
    title_len: u32,
    body_len: u32,
    /// Acronyms the release defines, with their expansions.
    acronyms: Vec<acronyms::Definition>,
    /// The terms the release writes in capitals (`SCO`), once each.
    capitals: Vec<String>,
}

impl AnalyzedRelease {
    /// Runs the analyzer over a release's title and body.
    pub fn new(release: Release) -> AnalyzedRelease {
        let mut terms: HashMap<String, (Vec<u32>, Vec<u32>)> = HashMap::new();
        let title = analyze::tokens(&release.title);
        let body = analyze::tokens(&release.body);
        for (position, token) in title.iter().enumerate() {
            terms
                .entry(token.term.clone())
                .or_default()
                .0
                .push(position as u32);
        }
        for (position, token) in body.iter().enumerate() {
            terms
                .entry(token.term.clone())
                .or_default()
                .1
                .push(position as u32);
        }
        let mut terms: Vec<_> = terms.into_iter().map(|(t, (a, b))| (t, a, b)).collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut acronyms = acronyms::definitions(&release.title);
        for d in acronyms::definitions(&release.body) {
            if !acronyms.contains(&d) {
                acronyms.push(d);
            }
        }
        // Which words this release writes in capitals: an acronym that most releases write in
        // lower case ("rice") is a word, not an acronym, whatever one release defines.
        let mut capitals: Vec<String> = title
            .iter()
            .map(|t| (t, &release.title))
            .chain(body.iter().map(|t| (t, &release.body)))
            .filter(|(t, text)| acronyms::is_capitals(&text[t.start..t.end]))
            .map(|(t, _)| t.term.clone())
            .collect();
        capitals.sort_unstable();
        capitals.dedup();
        AnalyzedRelease {
            release,
            terms,
            title_len: title.len() as u32,
            body_len: body.len() as u32,
            acronyms,
            capitals,
        }
    }

    /// The release that was analyzed.
    pub fn release(&self) -> &Release {
        &self.release
    }

    /// What a rebuild needs of this release once it is in an index (see
    /// [`IndexWriter::rebuild`]).
    pub fn summary(&self) -> ReleaseSummary {
        ReleaseSummary {
            title_len: self.title_len,
            body_len: self.body_len,
            stemmer: self
                .release
                .lang
                .as_deref()
                .and_then(stems::stemmer_for)
                .map(|s| s as u8),
            acronyms: self.acronyms.clone(),
            capitals: self.capitals.clone(),
        }
    }
}

/// What an index does not keep of a release, and a rebuild needs to add it again without
/// analyzing it: its exact lengths in words, the language its words are stemmed in, and what it
/// says of acronyms. A builder keeps one per release between builds (see
/// [`IndexWriter::rebuild`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReleaseSummary {
    pub(crate) title_len: u32,
    pub(crate) body_len: u32,
    pub(crate) stemmer: Option<u8>,
    pub(crate) acronyms: Vec<acronyms::Definition>,
    pub(crate) capitals: Vec<String>,
}

/// Collects releases and writes an index.
///
/// Document ids follow the order of [`IndexWriter::add`] calls, and every table is sorted, so the
/// same releases in the same order always give byte-identical output.
#[derive(Debug, Default)]
pub struct IndexWriter {
    pub(crate) postings: HashMap<String, PendingTerm>,
    pub(crate) docs: Vec<PendingDoc>,
    pub(crate) text: Vec<u8>,
    pub(crate) meta: Meta,
    settings: Settings,
    pub(crate) acronyms: acronyms::Collector,
}

/// A term's postings so far, and the stemmed languages of the releases that hold it.
#[derive(Debug, Default)]
pub(crate) struct PendingTerm {
    pub(crate) postings: PostingsBuilder,
    pub(crate) langs: stems::LangCounts,
}

/// What a document's records hold until `finish` knows the sorted category and language tables.
#[derive(Debug)]
pub(crate) struct PendingDoc {
    pub(crate) date: u32,
    pub(crate) title_len: u16,
    pub(crate) body_len: u16,
    pub(crate) text_offset: u32,
    pub(crate) title: String,
    pub(crate) url: String,
    pub(crate) lang: Option<String>,
    pub(crate) categories: Vec<String>,
}

impl IndexWriter {
    /// An empty writer.
    pub fn new() -> IndexWriter {
        IndexWriter::default()
    }

    /// Sets the site's defaults for search (ranking weights, excerpt length), stored in the index.
    /// Out-of-range values are clamped: excerpts to 1–500 words, weights to finite non-negative.
    pub fn set_settings(&mut self, settings: Settings) {
        self.settings = Settings {
            // Applying the weights as overrides keeps the defaults wherever a weight is unusable.
            ranking: RankingOverrides::from(settings.ranking).apply(Ranking::default()),
            excerpt_words: settings.excerpt_words.clamp(1, MAX_EXCERPT_WORDS as u32),
        };
    }

    /// The number of releases added so far.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no release was added yet.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Analyzes and adds one release; returns its document id.
    pub fn add(&mut self, release: Release) -> Result<u32, Error> {
        self.add_analyzed(AnalyzedRelease::new(release))
    }

    /// Adds a release analyzed beforehand (see [`AnalyzedRelease::new`]); returns its document id.
    pub fn add_analyzed(&mut self, analyzed: AnalyzedRelease) -> Result<u32, Error> {
        // In WebAssembly, the analysis lower-cased what it could not fold without the extended
        // table: an index written so would not match the builder's.
        #[cfg(target_arch = "wasm32")]
        if crate::analyze::take_missed_fold() {
            return Err(Error::corrupt(
                "release",
                format!(
                    "{}: its text has characters whose folding is in {}; load it first with \
                     pressroom::analyze::load_extended_fold",
                    analyzed.release.url,
                    crate::analyze::EXTENDED_FOLD_FILE
                ),
            ));
        }
        let doc = self.meta.doc_count;
        if doc >= MAX_DOCS {
            return Err(Error::TooLarge {
                what: "the number of releases",
                limit: u64::from(MAX_DOCS),
            });
        }
        let text_offset = offset32(self.text.len(), "the release text")?;
        let stemmer = analyzed
            .release
            .lang
            .as_deref()
            .and_then(stems::stemmer_for);
        let title_len = saturate(analyzed.title_len);
        for (term, title_positions, body_positions) in &analyzed.terms {
            let pending = self.postings.entry(term.clone()).or_default();
            pending
                .postings
                .push(doc, title_len, title_positions, body_positions);
            if let Some(stemmer) = stemmer {
                pending.langs.add(stemmer as u8);
            }
        }
        self.acronyms.add(&analyzed.acronyms, &analyzed.capitals);
        let release = analyzed.release;
        self.text.extend_from_slice(release.body.as_bytes());
        let mut categories = release.categories;
        categories.retain(|c| !c.trim().is_empty());
        self.docs.push(PendingDoc {
            date: release.date.map_or(0, |d| d.to_yyyymmdd()),
            title_len: saturate(analyzed.title_len),
            body_len: crate::format::stored_length(saturate(analyzed.body_len)),
            text_offset,
            title: release.title,
            url: release.url,
            lang: release.lang.filter(|l| !l.trim().is_empty()),
            categories,
        });
        self.meta.doc_count += 1;
        self.meta.title_tokens += u64::from(analyzed.title_len);
        self.meta.body_tokens += u64::from(analyzed.body_len);
        Ok(doc)
    }

    /// Writes the index: uncompressed bytes, as [`crate::Index::from_bytes`] reads them.
    pub fn finish(mut self) -> Result<Vec<u8>, Error> {
        // Terms in byte order, as the fst requires; the postings follow the same order.
        let mut terms: Vec<(String, PendingTerm)> =
            std::mem::take(&mut self.postings).into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let text = std::mem::take(&mut self.text);
        self.write(terms, &[&text])
    }

    /// Writes the index with `terms`, sorted by term, as the postings of every release added,
    /// and `text`, one piece after the other, as the releases' texts (a rebuild hands the kept
    /// ones over where they are, instead of copying them into the writer first).
    pub(crate) fn write(
        self,
        terms: Vec<(String, PendingTerm)>,
        text: &[&[u8]],
    ) -> Result<Vec<u8>, Error> {
        let text_len: usize = text.iter().map(|t| t.len()).sum();
        // The word families and the dictionary do not depend on each other.
        let (families, dict) = crate::parallel::join(
            || {
                stems::families(
                    terms
                        .iter()
                        .map(|(term, t)| (term.as_str(), &t.langs, t.postings.df())),
                )
            },
            || dictionary(&terms),
        );
        let dict = dict?;
        let postings = postings_pieces(&terms, &dict);

        let document_frequency = |term: &str| {
            terms
                .binary_search_by(|t| t.0.as_str().cmp(term))
                .map_or(0, |i| terms[i].1.postings.df())
        };
        let acronyms = self.acronyms.finish(document_frequency);
        let categories = sorted_table(self.docs.iter().flat_map(|d| d.categories.iter()));
        let langs = sorted_table(self.docs.iter().filter_map(|d| d.lang.as_ref()));
        let mut docs = Vec::with_capacity((self.docs.len() + 1) * format::DOC_RECORD_LEN);
        let mut doc_data = Vec::new();
        for d in &self.docs {
            let mut category_ids: Vec<u32> = Vec::with_capacity(d.categories.len());
            for id in d.categories.iter().map(|c| id_of(&categories, c)) {
                if !category_ids.contains(&id) {
                    category_ids.push(id);
                }
            }
            let data = DocData {
                title: &d.title,
                url: &d.url,
                lang: d.lang.as_ref().map_or(0, |l| id_of(&langs, l) + 1),
                categories: category_ids,
            };
            let record = DocRecord {
                date: d.date,
                title_len: d.title_len,
                body_len: d.body_len,
                data_offset: offset32(doc_data.len(), "the release titles and urls")?,
                text_offset: d.text_offset,
            };
            record.write_to(&mut docs);
            data.write_to(&mut doc_data);
        }
        // The closing record: where the last document's data and text end.
        DocRecord {
            date: 0,
            title_len: 0,
            body_len: 0,
            data_offset: offset32(doc_data.len(), "the release titles and urls")?,
            text_offset: offset32(text_len, "the release text")?,
        }
        .write_to(&mut docs);

        fn whole(bytes: &[u8]) -> Vec<&[u8]> {
            vec![bytes]
        }
        Ok(format::write_container_pieces(&[
            (Section::Meta, whole(&self.meta.encode())),
            (Section::Terms, whole(&dict.fst)),
            (Section::Postings, postings),
            (Section::Docs, whole(&docs)),
            (Section::DocData, whole(&doc_data)),
            (Section::Text, text.to_vec()),
            (
                Section::Categories,
                whole(&format::write_string_table(&categories)),
            ),
            (Section::Langs, whole(&format::write_string_table(&langs))),
            (Section::Settings, whole(&self.settings.encode())),
            (Section::Acronyms, whole(&format::write_acronyms(&acronyms))),
            (Section::Stems, whole(&format::write_families(&families))),
        ]))
    }
}

impl IndexWriter {
    /// Writes the index split into an entry file and part files (see `FORMAT.md`), so a browser
    /// fetches only the pieces a query touches. The parts hold the same numbers as
    /// [`IndexWriter::finish`] writes, so both give the same hits.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn finish_split(self) -> Result<crate::SplitIndex, Error> {
        crate::SplitIndex::from_single(&self.finish()?)
    }
}

/// The dictionary of some terms, as [`dictionary`] writes it.
pub(crate) struct Dictionary {
    /// The heads of the terms' postings (`varint documents stream length` each), back to back.
    pub lengths: Vec<u8>,
    /// Where each term's head ends in `lengths`.
    pub ends: Vec<usize>,
    /// The TERMS fst: each term to where its postings start and its document frequency.
    pub fst: Vec<u8>,
}

/// The [`Dictionary`] of `terms` (sorted by term).
pub(crate) fn dictionary(terms: &[(String, PendingTerm)]) -> Result<Dictionary, Error> {
    // Each term's postings are `varint docs length | docs | positions`: the lengths are written
    // here, and the streams go into the file from where they are.
    let mut lengths = Vec::new();
    let mut ends = Vec::with_capacity(terms.len());
    let mut offset = 0u64;
    let mut fst_builder = fst::MapBuilder::memory();
    for (term, PendingTerm { postings: list, .. }) in terms {
        let value = format::term_value(offset, list.df());
        fst_builder
            .insert(term.as_bytes(), value)
            .map_err(|e| Error::corrupt("TERMS", format!("cannot insert {term:?}: {e}")))?;
        let start = lengths.len();
        let [docs, positions] = list.streams();
        format::put_varint(&mut lengths, docs.len() as u64);
        ends.push(lengths.len());
        offset += (lengths.len() - start + docs.len() + positions.len()) as u64;
    }
    let fst_bytes = fst_builder
        .into_inner()
        .map_err(|e| Error::corrupt("TERMS", e.to_string()))?;
    Ok(Dictionary {
        lengths,
        ends,
        fst: fst_bytes,
    })
}

/// The POSTINGS section of `terms`, as pieces: each term's head (from `dictionary`, the
/// terms' [`Dictionary`]), documents stream and positions stream.
pub(crate) fn postings_pieces<'t>(
    terms: &'t [(String, PendingTerm)],
    dictionary: &'t Dictionary,
) -> Vec<&'t [u8]> {
    let mut postings: Vec<&[u8]> = Vec::with_capacity(terms.len() * 3);
    let mut start = 0;
    for ((_, term), &end) in terms.iter().zip(&dictionary.ends) {
        let [docs, positions] = term.postings.streams();
        postings.extend([&dictionary.lengths[start..end], docs, positions]);
        start = end;
    }
    postings
}

fn sorted_table<'a>(values: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut table: Vec<String> = values.cloned().collect();
    table.sort_unstable();
    table.dedup();
    table
}

fn id_of(table: &[String], value: &str) -> u32 {
    // Every value was put in the table by `sorted_table`, so the search always succeeds.
    table
        .binary_search_by(|v| v.as_str().cmp(value))
        .unwrap_or(0) as u32
}

fn saturate(n: u32) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

pub(crate) fn offset32(len: usize, what: &'static str) -> Result<u32, Error> {
    u32::try_from(len).map_err(|_| Error::TooLarge {
        what,
        limit: u64::from(u32::MAX),
    })
}
