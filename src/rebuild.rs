//! Rebuilding an index from the previous one, for a deploy that adds, changes or removes a few
//! releases of many.
//!
//! A clean build analyzes every release and merges every release's terms into postings. A
//! rebuild takes the releases that did not change from the previous index instead: their
//! postings are copied (with new document ids, positions as they are), their titles, urls and
//! texts too, and only the new releases are analyzed and added. What the index does not keep of a
//! release (its exact lengths, the language it is stemmed in, its acronyms) comes from a
//! [`ReleaseSummary`] the builder kept. The rest of the writing is shared with
//! [`IndexWriter::finish`], so a rebuild gives the same bytes as a clean build of the same
//! releases in the same order.

use std::collections::HashMap;

use crate::format::{
    self, split_term_value, DocData, DocRecord, Layout, Meta, PostingEntries, PostingEntry,
    PostingsBuilder, Section, Settings, FORMAT_VERSION,
};
use crate::writer::{self, PendingDoc, PendingTerm, ReleaseSummary};
use crate::{AnalyzedRelease, Error, IndexWriter, Record};

/// A single-file index as [`IndexWriter::finish`] wrote it (uncompressed), opened for
/// [`IndexWriter::rebuild`].
#[derive(Debug)]
pub struct PreviousIndex<'a> {
    bytes: &'a [u8],
    layout: Layout,
    meta: Meta,
    categories: Vec<String>,
    langs: Vec<String>,
}

impl<'a> PreviousIndex<'a> {
    /// Opens `bytes`, checking them as any index is checked. Only an index of this format version
    /// can be rebuilt: an older one is an [`Error::Version`].
    pub fn new(bytes: &'a [u8]) -> Result<PreviousIndex<'a>, Error> {
        PreviousIndex::open(bytes, true)
    }

    /// [`PreviousIndex::new`] of an index this process has just written (the output of
    /// [`IndexWriter::finish`] or [`IndexWriter::rebuild`]): everything is checked but the
    /// checksum over all of it, which the writer has just computed.
    pub fn just_written(bytes: &'a [u8]) -> Result<PreviousIndex<'a>, Error> {
        PreviousIndex::open(bytes, false)
    }

    fn open(bytes: &'a [u8], check: bool) -> Result<PreviousIndex<'a>, Error> {
        let layout = format::read_container_checking(bytes, check)?;
        if layout.version != FORMAT_VERSION {
            return Err(Error::Version {
                expected: FORMAT_VERSION,
                got: layout.version,
            });
        }
        if layout.has(Section::Manifest) {
            return Err(Error::corrupt(
                "rebuild",
                "a split index cannot be rebuilt: keep what IndexWriter::finish wrote",
            ));
        }
        let meta = Meta::decode(layout.get(bytes, Section::Meta))?;
        let docs = layout.get(bytes, Section::Docs);
        if docs.len() != (meta.doc_count as usize + 1) * format::DOC_RECORD_LEN {
            return Err(Error::corrupt("DOCS", "not one record per release"));
        }
        Ok(PreviousIndex {
            categories: format::read_string_table(
                layout.get(bytes, Section::Categories),
                "CATEGORIES",
            )?,
            langs: format::read_string_table(layout.get(bytes, Section::Langs), "LANGS")?,
            bytes,
            layout,
            meta,
        })
    }

    /// The number of releases in the index.
    pub fn len(&self) -> u32 {
        self.meta.doc_count
    }

    /// Whether the index holds no release.
    pub fn is_empty(&self) -> bool {
        self.meta.doc_count == 0
    }

    /// The url of release `doc`.
    pub fn url(&self, doc: u32) -> Result<&'a str, Error> {
        let record = DocRecord::read(self.section(Section::Docs), doc)?;
        Ok(DocData::read(self.section(Section::DocData), record.data_offset)?.url)
    }

    /// Where the releases' texts lie in the index's bytes: the TEXT section, or the part of it
    /// that holds releases `docs` (a builder may keep the texts apart from the rest).
    pub fn text_range(&self, docs: std::ops::Range<u32>) -> Result<std::ops::Range<usize>, Error> {
        let records = self.section(Section::Docs);
        let (start, end) = (
            DocRecord::read(records, docs.start)?.text_offset as usize,
            DocRecord::read(records, docs.end)?.text_offset as usize,
        );
        let text = self.section(Section::Text);
        let at = text.as_ptr() as usize - self.bytes.as_ptr() as usize;
        if start > end || end > text.len() {
            return Err(Error::corrupt("TEXT", format!("releases {docs:?}")));
        }
        Ok(at + start..at + end)
    }

    /// Release `doc`'s record, as a split index stores it (see [`crate::SplitIndex`]).
    pub fn record(&self, doc: u32) -> Result<Record<'a>, Error> {
        Record::of(
            self.section(Section::Docs),
            self.section(Section::DocData),
            self.section(Section::Text),
            doc,
        )
    }

    fn section(&self, section: Section) -> &'a [u8] {
        self.layout.get(self.bytes, section)
    }

    /// What the writer keeps of release `doc`, with its text.
    fn pending_doc(&self, doc: u32) -> Result<(PendingDoc, &'a [u8]), Error> {
        let docs = self.section(Section::Docs);
        let (this, next) = (DocRecord::read(docs, doc)?, DocRecord::read(docs, doc + 1)?);
        let data = DocData::read(self.section(Section::DocData), this.data_offset)?;
        let text = self
            .section(Section::Text)
            .get(this.text_offset as usize..next.text_offset as usize)
            .ok_or_else(|| Error::corrupt("TEXT", format!("release {doc}")))?;
        let name = |table: &[String], id: u32, what: &'static str| {
            table
                .get(id as usize)
                .cloned()
                .ok_or_else(|| Error::corrupt(what, format!("release {doc}: no id {id}")))
        };
        let lang = match data.lang {
            0 => None,
            id => Some(name(&self.langs, id - 1, "LANGS")?),
        };
        let categories = data
            .categories
            .iter()
            .map(|&id| name(&self.categories, id, "CATEGORIES"))
            .collect::<Result<_, _>>()?;
        let pending = PendingDoc {
            date: this.date,
            title_len: this.title_len,
            body_len: this.body_len,
            text_offset: 0,
            title: data.title.to_owned(),
            url: data.url.to_owned(),
            lang,
            categories,
        };
        Ok((pending, text))
    }
}

/// An index with its releases numbered anew (see [`PreviousIndex::numbered_by_date`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renumbered {
    /// The index, uncompressed, as [`IndexWriter::finish`] writes it.
    pub index: Vec<u8>,
    /// For each release of `index`, in id order, its id in the index it was renumbered from.
    pub from: Vec<u32>,
}

impl PreviousIndex<'_> {
    /// The same index with its releases numbered by date, oldest first (undated ones before
    /// them all, the releases of one date in the order they have here); `None` when they are
    /// already. [`IndexWriter::finish`] numbers releases in the order they were added, which is
    /// the order a site's files were found in (by name), and a split index's entry file carries
    /// every release's date as a step from the one numbered before it: for releases out of date
    /// order those steps are large and random. The 22,181 benchmark releases in the order of
    /// their JSON Lines file give a column of 40.7 KB gzipped, by date 1.0 KB, and every visitor
    /// who searches downloads it (their entry file is 33.1 KB numbered by date). The rest is the same
    /// index: the same releases, postings and tables, so every query gives the same hits (ties
    /// in score and date are broken by id, and releases of one date keep their order).
    pub fn numbered_by_date(&self) -> Result<Option<Renumbered>, Error> {
        let docs = self.section(Section::Docs);
        let n = self.len();
        let dates: Vec<u32> = (0..n)
            .map(|d| DocRecord::read(docs, d).map(|r| r.date))
            .collect::<Result<_, _>>()?;
        if dates.windows(2).all(|w| w[0] <= w[1]) {
            return Ok(None);
        }
        let mut from: Vec<u32> = (0..n).collect();
        from.sort_by_key(|&d| dates[d as usize]);
        let mut new_ids = vec![0u32; n as usize];
        for (new, &old) in from.iter().enumerate() {
            new_ids[old as usize] = new as u32;
        }

        // The releases' records, titles and urls, and texts, in the new order.
        let data = self.section(Section::DocData);
        let text = self.section(Section::Text);
        let mut new_docs = Vec::with_capacity(docs.len());
        let mut new_data = Vec::with_capacity(data.len());
        let mut texts: Vec<&[u8]> = Vec::with_capacity(n as usize);
        let mut text_len = 0usize;
        for &old in &from {
            let (this, next) = (DocRecord::read(docs, old)?, DocRecord::read(docs, old + 1)?);
            let span = |bytes, start: u32, end: u32, what| {
                <[u8]>::get(bytes, start as usize..end as usize)
                    .ok_or_else(|| Error::corrupt(what, format!("release {old}")))
            };
            DocRecord {
                data_offset: writer::offset32(new_data.len(), "the release titles and urls")?,
                text_offset: writer::offset32(text_len, "the release text")?,
                ..this
            }
            .write_to(&mut new_docs);
            new_data.extend_from_slice(span(data, this.data_offset, next.data_offset, "DOCDATA")?);
            let piece = span(text, this.text_offset, next.text_offset, "TEXT")?;
            text_len += piece.len();
            texts.push(piece);
        }
        DocRecord {
            date: 0,
            title_len: 0,
            body_len: 0,
            data_offset: writer::offset32(new_data.len(), "the release titles and urls")?,
            text_offset: writer::offset32(text_len, "the release text")?,
        }
        .write_to(&mut new_docs);

        // Each term's postings with its releases' new ids, in id order, on every core.
        let map = fst::Map::new(self.section(Section::Terms))
            .map_err(|e| Error::corrupt("TERMS", e.to_string()))?;
        let postings = self.section(Section::Postings);
        let jobs = format::term_postings(&map, postings.len());
        let terms = crate::parallel::map(jobs, |(term, value, offset, end)| {
            let term = String::from_utf8(term)
                .map_err(|_| Error::corrupt("TERMS", "a term is not UTF-8"))?;
            let (_, df) = split_term_value(value);
            let bytes = postings
                .get(offset..end)
                .ok_or_else(|| Error::corrupt("POSTINGS", format!("term {term:?}")))?;
            let mut entries = PostingEntries::at(bytes, 0, df)?
                .map(|entry| {
                    let entry = entry?;
                    let doc = *new_ids
                        .get(entry.doc as usize)
                        .ok_or_else(|| Error::corrupt("POSTINGS", "document id out of range"))?;
                    Ok((doc, entry))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            entries.sort_unstable_by_key(|&(doc, _)| doc);
            let mut pending = PendingTerm::default();
            for (doc, entry) in &entries {
                pending.postings.push_encoded(entry, *doc);
            }
            Ok::<_, Error>((term, pending))
        })
        .into_iter()
        .collect::<Result<Vec<_>, Error>>()?;
        let dictionary = writer::dictionary(&terms)?;
        let same = |section| vec![self.section(section)];
        let index = format::write_container_pieces(&[
            (Section::Meta, same(Section::Meta)),
            (Section::Terms, vec![&dictionary.fst]),
            (
                Section::Postings,
                writer::postings_pieces(&terms, &dictionary),
            ),
            (Section::Docs, vec![&new_docs]),
            (Section::DocData, vec![&new_data]),
            (Section::Text, texts),
            (Section::Categories, same(Section::Categories)),
            (Section::Langs, same(Section::Langs)),
            (Section::Settings, same(Section::Settings)),
            (Section::Acronyms, same(Section::Acronyms)),
            (Section::Stems, same(Section::Stems)),
        ]);
        Ok(Some(Renumbered { index, from }))
    }
}

/// A release of a rebuild: one of the previous index, by its id there, or a new one.
// Not boxed: a clean build has only new ones, and a box each would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Reused {
    /// Release `id` of the previous index, unchanged.
    Kept(u32),
    /// A release the previous index does not have (or had otherwise).
    New(AnalyzedRelease),
}

impl IndexWriter {
    /// Whether [`IndexWriter::rebuild`] can write `releases` from `previous`: one summary per
    /// previous release, and kept releases in increasing id order.
    pub fn can_rebuild(
        previous: &PreviousIndex<'_>,
        summaries: &[ReleaseSummary],
        releases: &[Reused],
    ) -> bool {
        let mut last_kept = None;
        summaries.len() == previous.len() as usize
            && releases.iter().all(|release| match *release {
                Reused::Kept(old) => {
                    let in_order =
                        old < previous.len() && last_kept.map_or(true, |last| old > last);
                    last_kept = Some(old);
                    in_order
                }
                Reused::New(_) => true,
            })
    }

    /// Writes the index of `releases`, in that order, taking the kept ones from `previous`:
    /// the same bytes as [`IndexWriter::add_analyzed`] of each release and
    /// [`IndexWriter::finish`] would give, without analyzing or merging the kept releases again.
    ///
    /// `summaries` holds one [`ReleaseSummary`] per release of `previous`, in id order. Kept
    /// releases must come in increasing id order (ids of the previous index may be left out, new
    /// releases may stand anywhere); otherwise, or when `summaries` does not fit `previous`, this
    /// returns `Ok(None)` (see [`IndexWriter::can_rebuild`]) and the caller builds from scratch.
    pub fn rebuild(
        previous: &PreviousIndex<'_>,
        summaries: &[ReleaseSummary],
        releases: Vec<Reused>,
        settings: Settings,
    ) -> Result<Option<Vec<u8>>, Error> {
        if !IndexWriter::can_rebuild(previous, summaries, &releases) {
            return Ok(None);
        }
        // The new id of each previous release (u32::MAX: left out).
        let mut new_ids = vec![u32::MAX; previous.len() as usize];
        for (new_id, release) in releases.iter().enumerate() {
            if let Reused::Kept(old) = *release {
                new_ids[old as usize] = new_id as u32;
            }
        }

        let mut writer = IndexWriter::new();
        writer.set_settings(settings);
        // The releases' texts, in order: kept ones where they lie in the previous index, new
        // ones as ranges of the writer's text.
        let mut text: Vec<TextPiece<'_>> = Vec::with_capacity(releases.len());
        let mut text_len = 0usize;
        let too_long = || Error::TooLarge {
            what: "the release text",
            limit: u64::from(u32::MAX),
        };
        // What the index keeps of each kept release, read on every core.
        let kept: Vec<u32> = releases
            .iter()
            .filter_map(|r| match r {
                Reused::Kept(old) => Some(*old),
                Reused::New(_) => None,
            })
            .collect();
        let mut kept = crate::parallel::map(kept, |old| previous.pending_doc(old)).into_iter();
        for release in releases {
            let offset = u32::try_from(text_len).map_err(|_| too_long())?;
            match release {
                Reused::New(analyzed) => {
                    // Its postings go to `writer.postings`, merged below.
                    let start = writer.text.len();
                    writer.add_analyzed(analyzed)?;
                    let added = start..writer.text.len();
                    text_len += added.len();
                    text.push(TextPiece::New(added));
                }
                Reused::Kept(old) => {
                    let summary = &summaries[old as usize];
                    let (pending, kept_text) = kept.next().expect("one for each kept release")?;
                    writer.docs.push(pending);
                    text_len += kept_text.len();
                    text.push(TextPiece::Kept(kept_text));
                    writer.acronyms.add(&summary.acronyms, &summary.capitals);
                    writer.meta.doc_count += 1;
                    writer.meta.title_tokens += u64::from(summary.title_len);
                    writer.meta.body_tokens += u64::from(summary.body_len);
                }
            }
            if let Some(last) = writer.docs.last_mut() {
                last.text_offset = offset;
            }
        }
        u32::try_from(text_len).map_err(|_| too_long())?;

        let fresh = std::mem::take(&mut writer.postings);
        let terms = merge_terms(previous, summaries, &new_ids, fresh)?;
        let new_text = std::mem::take(&mut writer.text);
        let text: Vec<&[u8]> = text
            .into_iter()
            .map(|piece| match piece {
                TextPiece::Kept(bytes) => bytes,
                TextPiece::New(range) => &new_text[range],
            })
            .collect();
        writer.write(terms, &text).map(Some)
    }
}

/// Where a release's text comes from in a rebuild.
enum TextPiece<'a> {
    /// The previous index.
    Kept(&'a [u8]),
    /// The writer's text, where a new release was added.
    New(std::ops::Range<usize>),
}

/// One term of a rebuild: its postings in the previous index (the fst value) and in the new
/// releases.
struct TermJob {
    term: String,
    /// The fst value, and where the postings end.
    previous: Option<(u64, usize)>,
    fresh: Option<PendingTerm>,
}

/// Every term of the rebuilt index, sorted, with its postings: the previous index's, with new
/// ids and without the releases left out, merged with the new releases' (`fresh`), on every
/// core.
fn merge_terms(
    previous: &PreviousIndex<'_>,
    summaries: &[ReleaseSummary],
    new_ids: &[u32],
    fresh: HashMap<String, PendingTerm>,
) -> Result<Vec<(String, PendingTerm)>, Error> {
    let map = fst::Map::new(previous.section(Section::Terms))
        .map_err(|e| Error::corrupt("TERMS", e.to_string()))?;
    let postings = previous.section(Section::Postings);
    let mut fresh: Vec<(String, PendingTerm)> = fresh.into_iter().collect();
    fresh.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let mut jobs: Vec<TermJob> = Vec::with_capacity(map.len() + fresh.len());
    let mut fresh = fresh.into_iter().peekable();
    let mut stream = fst::IntoStreamer::into_stream(&map);
    while let Some((term, value)) = fst::Streamer::next(&mut stream) {
        while let Some((t, pending)) = fresh.next_if(|(t, _)| t.as_bytes() < term) {
            jobs.push(TermJob {
                term: t,
                previous: None,
                fresh: Some(pending),
            });
        }
        let same = fresh.next_if(|(t, _)| t.as_bytes() == term).map(|f| f.1);
        // Postings are written in term order: a term's end is where the next begins.
        let (offset, _) = split_term_value(value);
        if let Some(previous) = jobs.iter_mut().rev().find_map(|j| j.previous.as_mut()) {
            previous.1 = offset;
        }
        jobs.push(TermJob {
            term: String::from_utf8(term.to_vec())
                .map_err(|_| Error::corrupt("TERMS", "a term is not UTF-8"))?,
            previous: Some((value, postings.len())),
            fresh: same,
        });
    }
    jobs.extend(fresh.map(|(term, pending)| TermJob {
        term,
        previous: None,
        fresh: Some(pending),
    }));

    // The stemmed language of each previous release, close together: every posting looks it up.
    let stemmers: Vec<Option<u8>> = summaries.iter().map(|s| s.stemmer).collect();
    let merged = crate::parallel::map(jobs, |job| merge_term(postings, &stemmers, new_ids, job));
    let mut terms = Vec::with_capacity(merged.len());
    for term in merged {
        terms.extend(term?);
    }
    Ok(terms)
}

/// One term's postings in the rebuilt index; `None` when none of its releases is left.
fn merge_term(
    postings: &[u8],
    stemmers: &[Option<u8>],
    new_ids: &[u32],
    job: TermJob,
) -> Result<Option<(String, PendingTerm)>, Error> {
    let fresh = job.fresh.unwrap_or_default();
    let copy = |out: &mut PostingsBuilder, doc: u32, e: &PostingEntry<'_>| {
        out.push_encoded(e, doc);
    };
    let stemmer_of = |doc: u32| stemmers[doc as usize];
    let mut out = PendingTerm::default();
    if let Some((value, end)) = job.previous {
        let (offset, df) = split_term_value(value);
        let bytes = postings
            .get(offset..end)
            .ok_or_else(|| Error::corrupt("POSTINGS", format!("term {:?}", job.term)))?;
        // Most terms: their releases keep their order and distance, and the new releases that
        // have the term (if any) come before or after all of them. Then the previous postings
        // are copied as they are, but for the first id.
        let first_kept = PostingEntries::at(bytes, 0, df)?
            .next()
            .transpose()?
            .and_then(|e| new_ids.get(e.doc as usize).copied())
            .filter(|&id| id != u32::MAX);
        if let Some(first_kept) = first_kept {
            for f in fresh.postings.entries() {
                let f = f?;
                if f.doc < first_kept {
                    copy(&mut out.postings, f.doc, &f);
                }
            }
            let mut langs = crate::stems::LangCounts::default();
            let appended = out.postings.append_shifted(bytes, df, new_ids, |doc| {
                if let Some(stemmer) = stemmer_of(doc) {
                    langs.add(stemmer);
                }
            })?;
            // A new release among the kept ones (where another was left out, so that the ids
            // around it did not move) needs the merge below.
            let last_kept = out.postings.last_doc();
            let among = fresh
                .postings
                .entries()
                .filter_map(Result::ok)
                .any(|f| f.doc > first_kept && last_kept.is_some_and(|last| f.doc < last));
            if appended && !among {
                for f in fresh.postings.entries() {
                    let f = f?;
                    if f.doc > first_kept {
                        copy(&mut out.postings, f.doc, &f);
                    }
                }
                out.langs = langs;
                out.langs.merge(&fresh.langs);
                return Ok(Some((job.term, out)));
            }
            out = PendingTerm::default();
        }
        // Otherwise document by document, merged with the new releases in id order.
        let mut fresh_entries = fresh.postings.entries().peekable();
        for entry in PostingEntries::at(bytes, 0, df)? {
            let entry = entry?;
            let new_id = *new_ids
                .get(entry.doc as usize)
                .ok_or_else(|| Error::corrupt("POSTINGS", "document id out of range"))?;
            if new_id == u32::MAX {
                continue;
            }
            while let Some(f) = fresh_entries.next_if(|f| f.as_ref().is_ok_and(|f| f.doc < new_id))
            {
                let f = f?;
                copy(&mut out.postings, f.doc, &f);
            }
            copy(&mut out.postings, new_id, &entry);
            if let Some(stemmer) = stemmer_of(entry.doc) {
                out.langs.add(stemmer);
            }
        }
        for f in fresh_entries {
            let f = f?;
            copy(&mut out.postings, f.doc, &f);
        }
    } else {
        for f in fresh.postings.entries() {
            let f = f?;
            copy(&mut out.postings, f.doc, &f);
        }
    }
    out.langs.merge(&fresh.langs);
    Ok((out.postings.df() > 0).then_some((job.term, out)))
}
