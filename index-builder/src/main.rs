//! `pressroom-index`: builds a Pressroom index from press releases, and queries one.

mod serve;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use pressroom::{
    AnalyzedRelease, Index, IndexWriter, PreviousIndex, RankingOverrides, ReleaseSummary, Reused,
    SearchOptions, SearchResults, Settings, SplitIndex,
};
use pressroom_index::cache::{self, Cache};
use pressroom_index::config::{self, CacheSetting, Config};
use pressroom_index::input::{Filter, Severity};
use pressroom_index::pipeline::{self, Analyzed, Plan};
use pressroom_index::state::{self, KnownRecords, NextState, State};

/// Build and query Pressroom search indexes: instant, in-browser search for press releases.
///
/// Exit status: 0 on success, 1 on failure (a file that cannot be written, no releases found,
/// a skipped input under --strict, a bad pressroom.toml), 2 on a command-line mistake.
#[derive(Debug, Parser)]
#[command(name = "pressroom-index", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build an index and the widget assets from files and folders of press releases.
    ///
    /// Inputs: plain-text releases (.txt: optional section line, headline, paragraphs),
    /// Markdown with YAML or TOML front matter (.md), JSON Lines (.jsonl, .jsonl.gz), a built
    /// HTML site (.html pages: each page is a release) and RSS or Atom feeds (.rss, .atom, and
    /// .xml files whose root element is <rss> or <feed>). Folders are walked.
    ///
    /// Settings come from pressroom.toml in the current folder (or --config FILE); flags
    /// override it. Deploy the output folder as it is.
    Build(BuildArgs),
    /// Search a built index from the command line, with the same engine the browser runs.
    Query(QueryArgs),
    /// Write a commented starter pressroom.toml in the current folder.
    Init(InitArgs),
    /// Build a site's index and serve the site on 127.0.0.1 with the search widget, rebuilding
    /// when a file changes: a preview before deploying.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
struct BuildArgs {
    /// Files or folders of releases (default: `inputs` of pressroom.toml).
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// The folder to write the index and widget assets into, created if missing (default:
    /// `out` of pressroom.toml).
    #[arg(long, short, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    settings: SettingsArgs,
    /// Fail (exit 1) if any input had to be skipped.
    #[arg(long)]
    strict: bool,
    /// Print only errors, and the summary line.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print where the time went (load, analyze, write) and the cache's hits.
    #[arg(long, short)]
    verbose: bool,
    /// Print the summary as one JSON object on standard output: inputs, indexed, skipped,
    /// warnings, duplicates, terms, files, bytes, seconds, phases (seconds each), cache.
    #[arg(long)]
    json: bool,
}

/// Settings shared by `build` and `serve`.
#[derive(Debug, Args)]
struct SettingsArgs {
    /// The settings file (default: pressroom.toml in the current folder, if there is one).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Only files in the input folders whose path under the folder matches count as releases
    /// (`press/**/*.html`). Repeat for more; replaces `globs` of pressroom.toml.
    #[arg(long = "glob", value_name = "GLOB")]
    globs: Vec<String>,
    /// The language of releases that do not give one (`en`).
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    /// How many words a hit's excerpt shows (1 to 500; default 30).
    #[arg(long, value_name = "N")]
    excerpt_words: Option<u32>,
    /// Index at most this many bytes of a release's title and body; a longer release is cut,
    /// with a warning, never dropped (default 1000000).
    #[arg(long, value_name = "BYTES")]
    max_release_bytes: Option<usize>,
    /// The incremental build cache folder (default: .pressroom-cache beside pressroom.toml, or
    /// in the current folder): each input file's analysis, and the previous build's index, from
    /// which the next build takes the releases of unchanged files. Keep it between deploys; never
    /// inside the output folder.
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Read and analyze every release afresh, and neither read nor write the cache.
    #[arg(long, conflicts_with = "cache")]
    no_cache: bool,
    /// Do not write the widget assets (JS, CSS, wasm), only the index.
    #[arg(long)]
    no_assets: bool,
    /// Write the index as one file, or split into an entry file and content-named parts that a
    /// browser fetches as queries need them. `auto` splits an index larger than 1 MiB (about
    /// 300 releases): below that, one download beats several round trips.
    #[arg(long, value_enum, default_value_t = SplitMode::Auto, value_name = "WHEN")]
    split: SplitMode,
}

/// When to split the index (see `--split`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SplitMode {
    /// Split when the uncompressed index is larger than 1 MiB.
    Auto,
    /// Always split.
    Always,
    /// Never split: one file.
    Never,
}

/// `--split auto` splits indexes larger than this (uncompressed bytes).
const AUTO_SPLIT_BYTES: usize = 1 << 20;

#[derive(Debug, Args)]
struct InitArgs {
    /// Overwrite an existing pressroom.toml.
    #[arg(long)]
    force: bool,
    /// Where to write it.
    #[arg(long, default_value = config::FILE_NAME, value_name = "FILE")]
    path: PathBuf,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// The built site: a folder of HTML pages (default: the first input of pressroom.toml).
    #[arg(value_name = "SITE")]
    site: Option<PathBuf>,
    /// Where to build the index (default: SITE/pressroom).
    #[arg(long, short, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The port on 127.0.0.1.
    #[arg(long, short, default_value_t = 8080)]
    port: u16,
    /// Build and serve once, without watching for changes.
    #[arg(long)]
    no_watch: bool,
    #[command(flatten)]
    settings: SettingsArgs,
}

#[derive(Debug, Args)]
struct QueryArgs {
    /// The folder written by `pressroom-index build`.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The query, as a visitor would type it. Omit it with --batch.
    #[arg(value_name = "QUERY", required_unless_present = "batch")]
    query: Option<String>,
    /// How many hits to show.
    #[arg(long, short = 'n', default_value_t = 10)]
    limit: usize,
    /// How many of the best hits to skip.
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print `{"total": N, "hits": [{"url", "title", "date", "excerpt", "score", ...}]}`.
    #[arg(long)]
    json: bool,
    /// Read one query per line from standard input and print one JSON object per line.
    #[arg(long, conflicts_with = "query")]
    batch: bool,
    /// Change one ranking weight for these queries, as the JavaScript API's `ranking` option does
    /// (e.g. `--ranking proximityBonus=1`); repeat it for several. The names are those of
    /// `src/search.rs` (`titleWeight`, `bodyWeight`, `k1`, `titleB`, `bodyB`, `prefixWeight`,
    /// `typoWeight`, `firstLetterTypoFactor`, `titleMatchBonus`, `exactTitleBonus`,
    /// `proximityBonus`, `stemWeight`, `diacriticBonus`, `recencyWeight`, `recencyHalfLife`).
    #[arg(long, value_name = "NAME=VALUE", value_parser = parse_weight)]
    ranking: Vec<(String, f64)>,
}

/// Parses `NAME=VALUE` of `query --ranking`.
fn parse_weight(arg: &str) -> Result<(String, f64), String> {
    let (name, value) = arg
        .split_once('=')
        .ok_or_else(|| format!("{arg:?} is not NAME=VALUE"))?;
    let value: f64 = value
        .trim()
        .parse()
        .map_err(|e| format!("the value of {name}: {e}"))?;
    Ok((name.trim().to_owned(), value))
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build(&args),
        Command::Query(args) => query(&args),
        Command::Init(args) => init(&args),
        Command::Serve(args) => serve::serve(&args),
    };
    if let Err(error) = result {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

/// Everything a build needs, from pressroom.toml and the flags.
#[derive(Debug)]
struct Job {
    plan: Plan,
    out: PathBuf,
    settings: Settings,
    cache_dir: Option<PathBuf>,
    assets: bool,
    split: SplitMode,
}

impl SettingsArgs {
    /// pressroom.toml (named or found), if any.
    fn config(&self) -> anyhow::Result<Option<Config>> {
        match &self.config {
            Some(path) => Config::load(path).map(Some),
            None => {
                let path = Path::new(config::FILE_NAME);
                if path.exists() {
                    Config::load(path).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// The job for `inputs` and `out` (flags, else the config's).
    fn job(&self, inputs: &[PathBuf], out: Option<&Path>) -> anyhow::Result<Job> {
        let config = self.config()?;
        let file = config.clone().unwrap_or_default();
        let inputs: Vec<PathBuf> = if inputs.is_empty() {
            file.inputs.iter().map(|p| file.resolve(p)).collect()
        } else {
            inputs.to_vec()
        };
        if let Some(missing) = inputs.iter().find(|p| !p.exists()) {
            bail!("input {} does not exist", missing.display());
        }
        if inputs.is_empty() {
            bail!(
                "no inputs: name files or folders of releases, or set `inputs` in {}",
                config::FILE_NAME
            );
        }
        let out = match (out, &file.out) {
            (Some(out), _) => out.to_path_buf(),
            (None, Some(out)) => file.resolve(out),
            (None, None) => bail!(
                "no output folder: pass --out DIR, or set `out` in {}",
                config::FILE_NAME
            ),
        };
        let globs = if self.globs.is_empty() {
            &file.globs
        } else {
            &self.globs
        };
        let mut adjust = file.adjust()?;
        if let Some(lang) = &self.lang {
            adjust.default_lang = Some(lang.clone());
        }
        if let Some(max) = self.max_release_bytes {
            adjust.max_release_bytes = Some(max);
        }
        let excerpt_words = self
            .excerpt_words
            .or(file.excerpt_words)
            .unwrap_or(Settings::default().excerpt_words);
        if !(1..=500).contains(&excerpt_words) {
            bail!("excerpt_words must be 1 to 500, not {excerpt_words}");
        }
        let settings = Settings {
            ranking: file.ranking.ranking(),
            excerpt_words,
        };
        let base = config.as_ref().map_or(Path::new("."), |c| c.dir.as_path());
        let cache_dir = match (&self.cache, self.no_cache, &file.cache) {
            (_, true, _) | (None, false, Some(CacheSetting::Enabled(false))) => None,
            (Some(dir), false, _) => Some(dir.clone()),
            (None, false, Some(CacheSetting::Dir(dir))) => Some(file.resolve(dir)),
            (None, false, _) => Some(base.join(cache::DEFAULT_DIR)),
        };
        if let Some(dir) = &cache_dir {
            if is_within(dir, &out) {
                bail!(
                    "the cache folder {} is inside the output folder {}; it must not be deployed",
                    dir.display(),
                    out.display()
                );
            }
        }
        let mut exclude = vec![out.clone()];
        exclude.extend(cache_dir.clone());
        Ok(Job {
            plan: Plan {
                inputs,
                filter: Filter {
                    globs: config::glob_set(globs)?,
                    exclude,
                },
                adjust,
            },
            out,
            settings,
            cache_dir,
            assets: !self.no_assets && file.assets.unwrap_or(true),
            split: self.split,
        })
    }
}

/// Whether `inner` is `outer` or inside it, comparing absolute paths.
fn is_within(inner: &Path, outer: &Path) -> bool {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    absolute(inner).starts_with(absolute(outer))
}

/// What a build did, for the summary line and `--json`.
#[derive(Debug, serde::Serialize)]
struct Summary {
    inputs: usize,
    indexed: usize,
    skipped: usize,
    /// Releases indexed with a defect, duplicate URLs included.
    warnings: usize,
    /// Releases whose URL an earlier release already has (both are indexed).
    duplicates: usize,
    terms: usize,
    /// Part files of a split index (0: the index is one file).
    parts: usize,
    files: usize,
    bytes: u64,
    seconds: f64,
    phases: Phases,
    cache: CacheSummary,
    out: PathBuf,
}

#[derive(Debug, serde::Serialize)]
struct Phases {
    /// Reading inputs and cache entries, the site-wide pass over HTML pages.
    load: f64,
    /// Analyzing releases the cache did not have.
    analyze: f64,
    /// Writing new cache entries, removing stale ones, and writing what the next build
    /// rebuilds from.
    cache: f64,
    /// The index writer: `finish`, or a rebuild from the previous build.
    write: f64,
    /// Compressing the index.
    compress: f64,
    /// Writing the files of the output folder.
    files: f64,
}

#[derive(Debug, serde::Serialize)]
struct CacheSummary {
    enabled: bool,
    hits: usize,
    misses: usize,
    /// Releases taken from the previous build's index, without reading or analyzing them.
    kept: usize,
}

fn build(args: &BuildArgs) -> anyhow::Result<()> {
    let job = args.settings.job(&args.inputs, args.out.as_deref())?;
    let output = Output {
        quiet: args.quiet || args.json,
        verbose: args.verbose,
        json: args.json,
    };
    let summary = run_build(&job, &output)?;
    if args.strict && summary.skipped > 0 {
        bail!("{} input(s) skipped and --strict is set", summary.skipped);
    }
    Ok(())
}

/// How much a build prints.
#[derive(Debug, Clone, Copy)]
struct Output {
    quiet: bool,
    verbose: bool,
    json: bool,
}

/// Builds `job` and prints its problems and summary.
fn run_build(job: &Job, output: &Output) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let cache = match &job.cache_dir {
        Some(dir) => Some(Cache::open(
            dir,
            &format!("{};assets", job.plan.adjust.fingerprint()),
        )?),
        None => None,
    };
    let progress = if output.quiet || !io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    progress.set_style(
        ProgressStyle::with_template("{spinner} analyzing {pos} releases {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let load_started = Instant::now();
    // The previous build's outline says which input files it had; the rest of its state is read
    // while the inputs are.
    let outline = cache.as_ref().and_then(State::open);
    let (rest, analyzed) = rayon::join(
        || {
            outline
                .as_ref()
                .zip(cache.as_ref())
                .and_then(|(o, c)| o.read_rest(c))
        },
        || pipeline::run(&job.plan, cache.as_ref(), outline.as_ref(), &progress),
    );
    let mut analyzed = analyzed?;
    let mut previous = outline.map(|o| o.with_rest(rest));
    analyzed.load_seconds =
        load_started.elapsed().as_secs_f64() - analyzed.analyze_seconds - analyzed.cache_seconds;
    progress.finish_and_clear();
    let write_started = Instant::now();
    let previous_index = previous
        .as_ref()
        .and_then(|p| PreviousIndex::new(p.index()).ok());
    let damaged = previous.is_some() && previous_index.is_none();
    let summaries = previous.as_ref().map_or(&[][..], |p| p.summaries());
    let rebuild = previous_index.as_ref().filter(|p| {
        analyzed.kept > 0 && IndexWriter::can_rebuild(p, summaries, &analyzed.releases)
    });
    if rebuild.is_none() && analyzed.kept > 0 {
        // The previous build cannot be rebuilt from after all: analyze its releases again.
        let previous = previous
            .as_ref()
            .expect("releases are kept only from a previous build");
        unkeep(
            &mut analyzed,
            previous,
            cache.as_ref().expect("a state lives in a cache"),
        )?;
    }
    if let (true, Some(state), Some(cache)) = (damaged, previous.as_ref(), cache.as_ref()) {
        // A state whose index does not check: which of its files is damaged is not known, so
        // they all go, and this build writes its state from scratch.
        state.discard(cache);
    }

    let skipped = analyzed.skipped();
    for problem in &analyzed.problems {
        match problem.severity {
            Severity::Skipped => eprintln!("{problem}"),
            Severity::Warning if !output.quiet => eprintln!("{problem}"),
            Severity::Warning => {}
        }
    }
    // Counted even when quiet, so that `--json` says how many there were.
    let mut duplicates = 0;
    let mut first_by_url: HashMap<&str, usize> = HashMap::new();
    for (i, release) in analyzed.releases.iter().enumerate() {
        let url = match (release, rebuild) {
            (Reused::New(analyzed), _) => analyzed.release().url.as_str(),
            (Reused::Kept(old), Some(previous)) => previous.url(*old)?,
            (Reused::Kept(_), None) => unreachable!("kept releases were analyzed again above"),
        };
        if let Some(&first) = first_by_url.get(url) {
            duplicates += 1;
            if !output.quiet {
                eprintln!(
                    "{}: warning: duplicate url {url:?}, also used by {}; both are indexed",
                    analyzed.sources[i], analyzed.sources[first]
                );
            }
        } else {
            first_by_url.insert(url, i);
        }
    }
    drop(first_by_url);
    if analyzed.releases.is_empty() {
        bail!("no releases found in {}", display_paths(&job.plan.inputs));
    }

    let indexed = analyzed.releases.len();
    let warnings = analyzed.warnings() + duplicates;
    // What the next build needs of each release: the summary of a new one, the previous
    // build's of a kept one (moved out of it once the index is written).
    let origins: Vec<Result<u32, ReleaseSummary>> = match cache {
        Some(_) => analyzed
            .releases
            .iter()
            .map(|release| match release {
                Reused::New(analyzed) => Err(analyzed.summary()),
                Reused::Kept(old) => Ok(*old),
            })
            .collect(),
        None => Vec::new(),
    };
    let releases = std::mem::take(&mut analyzed.releases);
    let raw = match rebuild {
        Some(previous) => IndexWriter::rebuild(previous, summaries, releases, job.settings)?
            .context("the previous build could not be rebuilt from")?,
        None => {
            let mut writer = IndexWriter::new();
            writer.set_settings(job.settings);
            for release in releases {
                match release {
                    Reused::New(release) => writer.add_analyzed(release)?,
                    Reused::Kept(_) => unreachable!("kept releases were analyzed again above"),
                };
            }
            writer.finish()?
        }
    };
    let write_seconds = write_started.elapsed().as_secs_f64();
    std::fs::create_dir_all(&job.out)
        .with_context(|| format!("cannot create the output folder {}", job.out.display()))?;
    drop(previous_index);
    // The next build's summaries: moved out of the previous build's for the kept releases.
    let kept: Vec<Option<u32>> = origins.iter().map(|o| o.as_ref().ok().copied()).collect();
    let mut kept_summaries = previous
        .as_mut()
        .map(State::take_summaries)
        .unwrap_or_default();
    let next_summaries: Vec<ReleaseSummary> = origins
        .into_iter()
        .map(|origin| match origin {
            Ok(old) => std::mem::take(&mut kept_summaries[old as usize]),
            Err(new) => new,
        })
        .collect();
    drop(kept_summaries);
    let known = previous
        .as_ref()
        .map(|p| KnownRecords::new(p, kept))
        .unwrap_or_default();
    let compressed = compress_index(&raw, job.split, &known)?;
    // Writing the index and what the next build rebuilds from, side by side.
    let records = compressed.records;
    let input_files = std::mem::take(&mut analyzed.files);
    let cache_ref = cache.as_ref();
    let previous_ref = previous.as_ref();
    let known_ref = &known;
    let save_state = move || {
        let Some(cache) = cache_ref else { return 0.0 };
        let state_started = Instant::now();
        let next = NextState {
            files: input_files,
            summaries: next_summaries,
            index: raw,
            records,
        };
        if let Err(e) = next.save(cache, previous_ref, known_ref) {
            state::forget(cache);
            eprintln!(
                "warning: the build state was not written (the next build runs in full): {e:#}"
            );
        }
        state_started.elapsed().as_secs_f64()
    };
    let (written, state_seconds) =
        rayon::join(|| write_stored(compressed.stored, &job.out), save_state);
    let written = written?;
    let files_started = Instant::now();
    let mut files = written.files;
    let mut bytes = written.bytes;
    if job.assets {
        for path in pressroom_index::assets::write_assets(&job.out)? {
            files += 1;
            bytes += std::fs::metadata(&path).map_or(0, |m| m.len());
        }
    }
    let summary = Summary {
        inputs: analyzed.inputs,
        indexed,
        skipped,
        warnings,
        duplicates,
        terms: written.terms,
        parts: written.parts,
        files,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
        phases: Phases {
            load: analyzed.load_seconds,
            analyze: analyzed.analyze_seconds,
            cache: analyzed.cache_seconds + state_seconds,
            write: write_seconds,
            compress: compressed.seconds,
            files: written.seconds + files_started.elapsed().as_secs_f64(),
        },
        cache: CacheSummary {
            enabled: cache.is_some(),
            hits: analyzed.cache_hits,
            misses: analyzed.cache_misses,
            kept: analyzed.kept,
        },
        out: job.out.clone(),
    };
    if output.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!(
            "pressroom-index: {indexed} releases indexed ({} inputs, {skipped} skipped), {} terms, \
             {}, {files} files, {bytes} bytes, in {:.2}s -> {}",
            summary.inputs,
            summary.terms,
            match summary.parts {
                0 => "one index file".to_owned(),
                n => format!("{n} index parts"),
            },
            summary.seconds,
            job.out.display()
        );
        if output.verbose {
            let p = &summary.phases;
            println!(
                "  phases: load {:.2}s, analyze {:.2}s, cache {:.2}s, write {:.2}s, \
                 compress {:.2}s, files {:.2}s; cache {}",
                p.load,
                p.analyze,
                p.cache,
                p.write,
                p.compress,
                p.files,
                if summary.cache.enabled {
                    format!(
                        "{} hit(s), {} miss(es), {} release(s) kept from the previous build",
                        summary.cache.hits, summary.cache.misses, summary.cache.kept
                    )
                } else {
                    "off".to_string()
                }
            );
        }
    }
    Ok(summary)
}

/// An index ready to be written: one compressed file, or an entry file and parts.
enum Stored {
    /// The compressed file, and the number of terms (it was loaded to check it).
    Single { file: Vec<u8>, terms: usize },
    /// The parts and the compressed entry file.
    Split { split: SplitIndex, entry: Vec<u8> },
}

/// What [`compress_index`] made.
struct Compressed {
    stored: Stored,
    /// Each release's record, in input order (the ids of the index given to
    /// [`compress_index`], not of the index written): the hash of its bytes, and its
    /// compressed bytes when they were not known (split index only).
    records: Vec<(u128, Option<Vec<u8>>)>,
    seconds: f64,
}

/// What [`write_stored`] wrote.
#[derive(Debug, Default)]
struct WrittenIndex {
    /// Files written.
    files: usize,
    /// Their total size.
    bytes: u64,
    /// Distinct terms in the index.
    terms: usize,
    /// Part files of a split index (0: one file).
    parts: usize,
    seconds: f64,
}

/// Compresses the index `raw` (as [`IndexWriter::finish`] gives it) as one file or split (see
/// `--split`), its releases numbered by date (see [`PreviousIndex::numbered_by_date`]; `raw`,
/// which the next build rebuilds from, keeps them in input order). `known` holds compressed
/// records of the previous build: a record found there is not compressed again. A single file
/// is loaded here to check it.
fn compress_index(
    raw: &[u8],
    mode: SplitMode,
    known: &KnownRecords<'_>,
) -> anyhow::Result<Compressed> {
    let started = Instant::now();
    let renumbered = PreviousIndex::just_written(raw)
        .and_then(|index| index.numbered_by_date())
        .context("the index just written could not be numbered by date")?;
    // For each release of the output, its id in `raw`.
    let (raw, from) = match &renumbered {
        Some(r) => (&r.index[..], Some(&r.from[..])),
        None => (raw, None),
    };
    let input_id = |i: usize| from.map_or(i, |from| from[i] as usize);
    let split = match mode {
        SplitMode::Always => true,
        SplitMode::Never => false,
        SplitMode::Auto => raw.len() > AUTO_SPLIT_BYTES,
    };
    if !split {
        // Loaded with the same reader the browser uses: a build never ships an index that does
        // not load.
        let index =
            Index::from_bytes(raw.to_vec()).context("the index just written does not load")?;
        return Ok(Compressed {
            stored: Stored::Single {
                file: pressroom::compress_best(raw),
                terms: index.term_count(),
            },
            records: Vec::new(),
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    // The releases' records are most of the work: compress them on every core, and only those
    // the previous build did not have.
    let records = std::sync::Mutex::new(Vec::new());
    let split = SplitIndex::from_single_with(raw, &|raw_records| {
        use rayon::prelude::*;
        let (out, made): (Vec<_>, Vec<_>) = raw_records
            .par_iter()
            .enumerate()
            .map(|(i, r)| {
                let (hash, found) = known.find(input_id(i), r);
                match found {
                    Some(known) => (Cow::Borrowed(known), (hash, None)),
                    None => {
                        let bytes = r.compress();
                        (Cow::Owned(bytes.clone()), (hash, Some(bytes)))
                    }
                }
            })
            .unzip();
        *records.lock().expect("no panic while holding the lock") = made;
        out
    })?;
    let entry = pressroom::compress_best(&split.entry);
    // The next build finds each record by its release's id in `raw`.
    let mut records = records
        .into_inner()
        .expect("no panic while holding the lock");
    if let Some(from) = from {
        let mut by_input: Vec<_> = (0..records.len()).map(|_| (0, None)).collect();
        for (record, &i) in records.into_iter().zip(from) {
            by_input[i as usize] = record;
        }
        records = by_input;
    }
    Ok(Compressed {
        stored: Stored::Split { split, entry },
        records,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Writes an index into `out`. The only place that knows the index's files.
///
/// Parts are written first and the entry file last, so a visitor loading the page mid-deploy never
/// gets an entry that names a part not there yet; then parts no longer named are removed. A part
/// already on disk under its content-hashed name is left as it is. The parts are then loaded,
/// with the reader the browser uses: a build never ships an index that does not load.
fn write_stored(stored: Stored, out: &Path) -> anyhow::Result<WrittenIndex> {
    let started = Instant::now();
    let (split, entry) = match stored {
        Stored::Single { file, terms } => {
            write_atomically(&out.join(pressroom::INDEX_FILE), &file)?;
            remove_stale_parts(out, &[])?;
            return Ok(WrittenIndex {
                files: 1,
                bytes: file.len() as u64,
                terms,
                parts: 0,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        Stored::Split { split, entry } => (split, entry),
    };
    let mut bytes = entry.len() as u64;
    for (name, part) in &split.parts {
        let path = out.join(name);
        bytes += part.len() as u64;
        let same = std::fs::metadata(&path).is_ok_and(|m| m.len() == part.len() as u64)
            && std::fs::read(&path).is_ok_and(|on_disk| on_disk == *part);
        if !same {
            write_atomically(&path, part)?;
        }
    }
    write_atomically(&out.join(pressroom::INDEX_FILE), &entry)?;
    let names: Vec<&str> = split.parts.iter().map(|(name, _)| name.as_str()).collect();
    remove_stale_parts(out, &names)?;
    let parts = split.parts.len();
    let index = Index::from_split(split).context("the index just written does not load")?;
    Ok(WrittenIndex {
        files: 1 + parts,
        bytes,
        terms: index.term_count(),
        parts,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Replaces the kept releases of `analyzed` with their analysis, read from the cache, for a build
/// that cannot rebuild from `previous` after all.
fn unkeep(analyzed: &mut Analyzed, previous: &State, cache: &Cache) -> anyhow::Result<()> {
    let mut entries: HashMap<&str, Vec<AnalyzedRelease>> = HashMap::new();
    for release in &mut analyzed.releases {
        let Reused::Kept(old) = *release else {
            continue;
        };
        let (key, i) = previous
            .origin(old)
            .context("the build state does not match its cache")?;
        if !entries.contains_key(key) {
            let entry = cache.get(key).context(
                "the build cache lost an entry during the build; run again with --no-cache",
            )?;
            entries.insert(key, entry.analyzed);
        }
        let found = entries[key]
            .get(i)
            .context("the build state does not match its cache")?;
        *release = Reused::New(found.clone());
    }
    analyzed.kept = 0;
    for file in &mut analyzed.files {
        file.2 = false;
    }
    Ok(())
}

/// Removes part files of earlier builds from `out`, keeping those named in `keep`.
fn remove_stale_parts(out: &Path, keep: &[&str]) -> anyhow::Result<()> {
    let extension = format!(".{}", pressroom::PART_EXTENSION);
    pressroom_index::remove_stale_files(out, |name| {
        name.starts_with(pressroom::PART_PREFIX)
            && name.ends_with(&extension)
            && !keep.contains(&name)
    })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

fn init(args: &InitArgs) -> anyhow::Result<()> {
    if args.path.exists() && !args.force {
        bail!(
            "{} exists; pass --force to overwrite it",
            args.path.display()
        );
    }
    std::fs::write(&args.path, config::STARTER)
        .with_context(|| format!("cannot write {}", args.path.display()))?;
    println!("wrote {}", args.path.display());
    Ok(())
}

fn display_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn query(args: &QueryArgs) -> anyhow::Result<()> {
    let index = Index::open(&args.dir)
        .with_context(|| format!("cannot load the index in {}", args.dir.display()))?;
    let ranking =
        RankingOverrides::try_from(args.ranking.iter().cloned().collect::<BTreeMap<_, _>>())
            .map_err(|e| anyhow::anyhow!("--ranking: {e}"))?;
    let options = SearchOptions {
        limit: args.limit,
        offset: args.offset,
        ranking,
        ..SearchOptions::default()
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if args.batch {
        for line in io::stdin().lock().lines() {
            let line = line.context("cannot read a query from standard input")?;
            let results = index
                .search(&line, &options)
                .with_context(|| format!("query {line:?}"))?;
            writeln!(out, "{}", serde_json::to_string(&results)?)?;
        }
        return Ok(());
    }
    let query = args.query.as_deref().unwrap_or_default();
    let results = index
        .search(query, &options)
        .with_context(|| format!("query {query:?}"))?;
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&results)?)?;
    } else {
        print_results(&mut out, query, &results)?;
    }
    Ok(())
}

fn print_results(out: &mut impl Write, query: &str, results: &SearchResults) -> io::Result<()> {
    /// How much of the query the first line repeats.
    const SHOWN_QUERY_CHARS: usize = 80;
    let mut shown: String = query.chars().take(SHOWN_QUERY_CHARS).collect();
    if shown.len() < query.len() {
        shown.push('…');
    }
    writeln!(out, "{} results for {shown:?}", results.total)?;
    if results.truncated {
        writeln!(
            out,
            "note: the query was cut to its first {} words ({} bytes); the rest was not searched",
            pressroom::query::MAX_QUERY_WORDS,
            pressroom::query::MAX_QUERY_BYTES
        )?;
    }
    for (i, hit) in results.hits.iter().enumerate() {
        writeln!(out)?;
        writeln!(
            out,
            "{:>2}. {}  ({})",
            i + 1,
            terminal_text(&hit.title),
            hit.date.as_deref().unwrap_or("no date")
        )?;
        writeln!(out, "    {}", terminal_text(&hit.url))?;
        writeln!(
            out,
            "    {}",
            terminal_text(&terminal_excerpt(&hit.excerpt))
        )?;
    }
    Ok(())
}

/// `text` safe to print on a terminal: control characters (escape sequences that could recolor,
/// retitle or clear the terminal, backspaces, bells) become U+FFFD.
fn terminal_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// The excerpt for a terminal: marks become `[…]`, entities become characters.
fn terminal_excerpt(html: &str) -> String {
    html.replace("<mark>", "[")
        .replace("</mark>", "]")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
