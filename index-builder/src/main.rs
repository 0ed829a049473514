//! `pressroom-index`: builds a Pressroom index from press releases, and queries one.

use std::collections::HashMap;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use pressroom::{AnalyzedRelease, Index, IndexWriter, SearchOptions, SearchResults};
use pressroom_index::input::{self, Severity};
use rayon::prelude::*;

/// Build and query Pressroom search indexes: instant, in-browser search for press releases.
#[derive(Debug, Parser)]
#[command(name = "pressroom-index", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build an index and the widget assets from files and folders of press releases.
    ///
    /// Inputs: plain-text releases (.txt: optional section line, headline, paragraphs),
    /// Markdown with YAML or TOML front matter (.md), and JSON Lines (.jsonl, .jsonl.gz).
    /// Folders are walked. Deploy the output folder as it is.
    Build(BuildArgs),
    /// Search a built index from the command line, with the same engine the browser runs.
    Query(QueryArgs),
}

#[derive(Debug, Args)]
struct BuildArgs {
    /// Files or folders of releases.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// The folder to write the index and widget assets into (created if missing).
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,
    /// Fail (exit 1) if any input had to be skipped.
    #[arg(long)]
    strict: bool,
    /// Print only errors, and the summary line.
    #[arg(long, short)]
    quiet: bool,
    /// Do not write the widget assets (JS, CSS, wasm), only the index.
    #[arg(long)]
    no_assets: bool,
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
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(args) => build(&args),
        Command::Query(args) => query(&args),
    };
    if let Err(error) = result {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

fn build(args: &BuildArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let loaded = input::load(&args.inputs)?;
    let mut skipped = 0;
    for problem in &loaded.problems {
        match problem.severity {
            Severity::Skipped => {
                skipped += 1;
                eprintln!("{problem}");
            }
            Severity::Warning if !args.quiet => eprintln!("{problem}"),
            Severity::Warning => {}
        }
    }
    let mut first_by_url: HashMap<&str, &input::Source> = HashMap::new();
    for loaded in &loaded.releases {
        if let Some(first) = first_by_url.insert(&loaded.release.url, &loaded.source) {
            if !args.quiet {
                eprintln!(
                    "warning: {}: duplicate url {:?}, also used by {first}; both are indexed",
                    loaded.source, loaded.release.url
                );
            }
        }
    }
    if loaded.releases.is_empty() {
        bail!("no releases found in {}", display_paths(&args.inputs));
    }

    let progress = if args.quiet || !io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(loaded.releases.len() as u64)
    };
    progress.set_style(
        ProgressStyle::with_template("{spinner} analyzing {pos}/{len} releases {wide_bar} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let analyzed: Vec<AnalyzedRelease> = loaded
        .releases
        .par_iter()
        .map(|r| {
            let analyzed = AnalyzedRelease::new(r.release.clone());
            progress.inc(1);
            analyzed
        })
        .collect();
    progress.finish_and_clear();

    let mut writer = IndexWriter::new();
    let count = analyzed.len();
    for release in analyzed {
        writer.add_analyzed(release)?;
    }
    let raw = writer.finish()?;
    // Read back what was written, with the same reader the browser uses: a build never ships an
    // index that does not load.
    let index = Index::from_bytes(raw.clone()).context("the index just written does not load")?;
    let stored = pressroom::compress(&raw);

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create the output folder {}", args.out.display()))?;
    let index_path = args.out.join(pressroom::INDEX_FILE);
    write_atomically(&index_path, &stored)?;
    let mut files = 1;
    if !args.no_assets {
        files += pressroom_index::assets::write_assets(&args.out)?.len();
    }

    println!(
        "pressroom-index: {count} releases indexed ({} inputs, {skipped} skipped), {} terms, \
         {} files, index {} bytes ({} raw), in {:.2}s -> {}",
        loaded.inputs,
        index.term_count(),
        files,
        stored.len(),
        raw.len(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    if args.strict && skipped > 0 {
        bail!("{skipped} input(s) skipped and --strict is set");
    }
    Ok(())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
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
    let options = SearchOptions {
        limit: args.limit,
        offset: args.offset,
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
    writeln!(out, "{} results for {query:?}", results.total)?;
    for (i, hit) in results.hits.iter().enumerate() {
        writeln!(out)?;
        writeln!(
            out,
            "{:>2}. {}  ({})",
            i + 1,
            hit.title,
            hit.date.as_deref().unwrap_or("no date")
        )?;
        writeln!(out, "    {}", hit.url)?;
        writeln!(out, "    {}", terminal_excerpt(&hit.excerpt))?;
    }
    Ok(())
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
