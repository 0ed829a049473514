//! From input paths to analyzed releases in a fixed order, through the cache when there is one:
//! read (or find in the cache) every file, complete HTML pages with the rest of the site, apply
//! the language and size settings, analyze what the cache did not have, keep the new entries.

use std::path::PathBuf;
use std::time::Instant;

use indicatif::ProgressBar;
use pressroom::{AnalyzedRelease, Release, Reused};
use rayon::prelude::*;

use crate::cache::{Cache, Entry};
use crate::config::Adjust;
use crate::input::{self, FileOutcome, Filter, Problem, Severity, Source};
use crate::state::State;

/// What to read and how.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files and folders.
    pub inputs: Vec<PathBuf>,
    /// Which files of the folders count.
    pub filter: Filter,
    /// Languages and size limits.
    pub adjust: Adjust,
}

/// Analyzed releases in walk order, ready for the index writer.
#[derive(Debug, Default)]
pub struct Analyzed {
    /// The releases, in walk order: analyzed, or kept from the previous build (see
    /// [`crate::state`]) when their input file did not change.
    pub releases: Vec<Reused>,
    /// The input files in walk order: cache key (none without a cache), how many releases, and
    /// whether they are kept from the previous build.
    pub files: Vec<(Option<String>, u32, bool)>,
    /// Where each release came from.
    pub sources: Vec<Source>,
    /// Every problem met, in walk order.
    pub problems: Vec<Problem>,
    /// Releases attempted: indexed plus skipped.
    pub inputs: usize,
    /// Input files whose analysis came from the cache.
    pub cache_hits: usize,
    /// Releases kept from the previous build, neither read nor analyzed again.
    pub kept: usize,
    /// Input files read and analyzed afresh.
    pub cache_misses: usize,
    /// Seconds spent reading inputs (and cache entries).
    pub load_seconds: f64,
    /// Seconds spent analyzing.
    pub analyze_seconds: f64,
    /// Seconds spent writing cache entries.
    pub cache_seconds: f64,
}

impl Analyzed {
    /// Releases not indexed.
    pub fn skipped(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Skipped)
            .count()
    }

    /// Releases indexed with a defect.
    pub fn warnings(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .count()
    }
}

/// One input file on its way through.
struct Slot {
    key: Option<String>,
    outcome: FileOutcome,
    /// For a page, the outcome before the site-wide pass (what the cache keeps).
    raw_page: Option<FileOutcome>,
    /// From the cache: final for a file of releases, candidates for a page.
    cached: Option<Vec<AnalyzedRelease>>,
    /// Whether the cache had this file's analysis (for a page: and it still holds).
    hit: bool,
    /// The id of its first release in the previous build, when the build takes its releases
    /// from there.
    kept: Option<u32>,
    analyzed: Vec<AnalyzedRelease>,
}

/// Reads and analyzes everything `plan` names; `progress` counts analyzed releases. The releases
/// of an input file that `previous` indexed as it is now come back as [`Reused::Kept`], without
/// their analysis.
pub fn run(
    plan: &Plan,
    cache: Option<&Cache>,
    previous: Option<&State>,
    progress: &ProgressBar,
) -> anyhow::Result<Analyzed> {
    let started = Instant::now();
    let files = input::files(&plan.inputs, &plan.filter)?;
    let mut slots: Vec<Slot> = files
        .par_iter()
        .map(|file| {
            let bytes = match (cache, file.is_readable()) {
                (Some(_), true) => std::fs::read(&file.path).ok(),
                _ => None,
            };
            let key = cache.zip(bytes.as_deref()).map(|(c, b)| c.key(file, b));
            if let (Some(cache), Some(k)) = (cache, key.as_deref()) {
                if let Some(slot) = kept(cache, previous, k) {
                    return slot;
                }
                if let Some(entry) = cache.get(k) {
                    return from_cache(key, entry);
                }
            }
            let outcome = file.read(bytes);
            Slot {
                key,
                raw_page: outcome.page.is_some().then(|| outcome.clone()),
                outcome,
                cached: None,
                hit: false,
                kept: None,
                analyzed: Vec::new(),
            }
        })
        .collect();

    // The site-wide pass needs every page, cached or not.
    let mut outcomes: Vec<FileOutcome> = slots
        .iter_mut()
        .map(|s| std::mem::take(&mut s.outcome))
        .collect();
    input::finish_site(&mut outcomes);
    for (slot, outcome) in slots.iter_mut().zip(outcomes) {
        slot.outcome = outcome;
        let settled = slot.hit && slot.outcome.page.is_none();
        if !settled {
            adjust(&plan.adjust, &mut slot.outcome);
        }
    }
    let load_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    slots.par_iter_mut().for_each(|slot| {
        if slot.kept.is_some() {
            progress.inc(slot.outcome.releases.len() as u64);
            return;
        }
        let cached = slot.cached.take().unwrap_or_default();
        if slot.hit && slot.raw_page.is_none() {
            progress.inc(cached.len() as u64);
            slot.analyzed = cached;
            return;
        }
        slot.analyzed = slot
            .outcome
            .releases
            .par_iter()
            .enumerate()
            .map(|(i, loaded)| {
                let analyzed = match cached.get(i) {
                    Some(c) if c.release() == &loaded.release => c.clone(),
                    _ => AnalyzedRelease::new(loaded.release.clone()),
                };
                progress.inc(1);
                analyzed
            })
            .collect();
        // A page whose release changed with the rest of the site counts as a miss, and its
        // entry is written again below.
        if slot.hit && cached != slot.analyzed {
            slot.hit = false;
        }
        // A page the previous build indexed as it is now.
        if slot.hit {
            slot.kept = previous
                .zip(slot.key.as_deref())
                .and_then(|(p, k)| p.releases_of(k))
                .filter(|&(_, n)| n as usize == slot.analyzed.len())
                .map(|(first, _)| first);
        }
    });
    let analyze_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut analyzed = Analyzed {
        load_seconds,
        analyze_seconds,
        ..Analyzed::default()
    };
    if let Some(cache) = cache {
        let warnings: Vec<String> = slots
            .par_iter()
            .filter(|slot| !slot.hit)
            .filter_map(|slot| {
                let key = slot.key.as_deref()?;
                let outcome = match &slot.raw_page {
                    Some(raw) => raw.clone(),
                    None => without_text(&slot.outcome),
                };
                let entry = Entry {
                    outcome,
                    analyzed: slot.analyzed.clone(),
                };
                cache.put(key, &entry).err().map(|e| format!("{e:#}"))
            })
            .collect();
        if let Some(first) = warnings.first() {
            eprintln!(
                "warning: cache not written for {} file(s): {first}",
                warnings.len()
            );
        }
        cache.prune();
    }
    for slot in slots {
        if slot.hit {
            analyzed.cache_hits += 1;
        } else if slot.key.is_some() {
            analyzed.cache_misses += 1;
        }
        let count = slot.outcome.releases.len() as u32;
        analyzed.files.push((slot.key, count, slot.kept.is_some()));
        analyzed.inputs += slot.outcome.attempted;
        analyzed.problems.extend(slot.outcome.problems);
        analyzed
            .sources
            .extend(slot.outcome.releases.into_iter().map(|r| r.source));
        match slot.kept {
            Some(first) => {
                analyzed.kept += count as usize;
                analyzed
                    .releases
                    .extend((first..first + count).map(Reused::Kept));
            }
            None => analyzed
                .releases
                .extend(slot.analyzed.into_iter().map(Reused::New)),
        }
    }
    analyzed.cache_seconds = started.elapsed().as_secs_f64();
    Ok(analyzed)
}

/// A slot for a file of releases that `previous` indexed as it is now: only the outcome (problems
/// and sources) is read from the cache, and the releases are taken from the previous index.
fn kept(cache: &Cache, previous: Option<&State>, key: &str) -> Option<Slot> {
    let (first, count) = previous?.releases_of(key)?;
    let outcome = cache.get_outcome(key)?;
    (outcome.page.is_none() && outcome.releases.len() == count as usize).then(|| Slot {
        key: Some(key.to_string()),
        outcome,
        raw_page: None,
        cached: None,
        hit: true,
        kept: Some(first),
        analyzed: Vec::new(),
    })
}

/// A slot for a cache entry. A file of releases comes back settled (its texts are in the
/// analyzed releases only); a page comes back as it was read, to go through the site-wide pass
/// again.
fn from_cache(key: Option<String>, entry: Entry) -> Slot {
    let Entry { outcome, analyzed } = entry;
    Slot {
        key,
        raw_page: outcome.page.is_some().then(|| outcome.clone()),
        outcome,
        cached: Some(analyzed),
        hit: true,
        kept: None,
        analyzed: Vec::new(),
    }
}

/// The outcome to cache for a file of releases: the texts are in the analyzed releases already.
fn without_text(outcome: &FileOutcome) -> FileOutcome {
    let mut outcome = outcome.clone();
    for loaded in &mut outcome.releases {
        loaded.release = Release::default();
    }
    outcome
}

/// Applies the language and size settings to every release of `outcome`, reporting cuts.
fn adjust(settings: &Adjust, outcome: &mut FileOutcome) {
    for loaded in &mut outcome.releases {
        if let Some(warning) = settings.apply(&mut loaded.release) {
            outcome.problems.push(Problem {
                source: loaded.source.clone(),
                severity: Severity::Warning,
                message: warning,
            });
        }
    }
}
