//! Reading press releases from disk: files and folders of `.txt`, Markdown, JSON Lines, built
//! HTML pages and RSS or Atom feeds.
//!
//! [`load`] takes the inputs named on the command line, walks folders in a deterministic order,
//! parses the files in parallel and returns every [`Release`] it could extract together with every
//! [`Problem`] it met. Nothing is dropped silently: a release that could not be indexed is a
//! [`Severity::Skipped`] problem, one that was indexed with a defect is a [`Severity::Warning`].
//!
//! ```no_run
//! let loaded = pressroom_index::input::load(&["press/".into()])?;
//! for problem in &loaded.problems {
//!     eprintln!("{problem}");
//! }
//! assert_eq!(loaded.inputs, loaded.releases.len() + loaded.skipped());
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! Each format has its own module; the private `Format` maps a file name to one and
//! [`InputFile::read`] sends the file to its reader, so supporting a new format is one variant and
//! one match arm. A builder that caches (see `crate::cache`) uses the steps one by one:
//! [`files`], [`InputFile::read`] for each file whose result it has not kept, then [`finish`].

mod date;
mod feed;
mod fields;
mod front_matter;
pub mod html;
mod jsonl;
mod markdown;
pub mod plain_text;
mod text;
mod title;
mod url;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use globset::GlobSet;
use pressroom::Release;
use rayon::prelude::*;
use walkdir::WalkDir;

/// Where a release came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// The file, as found under the input it was named by (the input path joined with the walk).
    pub path: PathBuf,
    /// The 1-based line, for formats with one release per line (JSON Lines).
    pub line: Option<usize>,
}

impl Source {
    fn file(path: &Path) -> Source {
        Source {
            path: path.to_path_buf(),
            line: None,
        }
    }

    fn line(path: &Path, line: usize) -> Source {
        Source {
            path: path.to_path_buf(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// A release extracted from an input, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoadedRelease {
    /// The release, ready for the index writer.
    pub release: Release,
    /// The file (and line) it was read from, for messages.
    pub source: Source,
}

/// How bad a [`Problem`] is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    /// The release was indexed, but something was off: lossy UTF-8, a truncated title, a front
    /// matter value of the wrong type.
    Warning,
    /// The release was not indexed.
    Skipped,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Skipped => "skipped",
        })
    }
}

/// Something that went wrong with one input file or line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The file (and line) concerned.
    pub source: Source,
    /// Whether the release was still indexed.
    pub severity: Severity,
    /// What was wrong, for a person: "empty file", "line is not valid JSON: ...".
    pub message: String,
}

impl fmt::Display for Problem {
    /// `path:line: skipped: message`, the shape compilers use, so editors can jump to it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.source, self.severity, self.message)
    }
}

/// What loading produced: releases in a deterministic order, plus every problem met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// The releases, in walk order (files sorted by name), then line order within a file.
    pub releases: Vec<LoadedRelease>,
    /// Every problem, in the same order as the releases they concern.
    pub problems: Vec<Problem>,
    /// Releases attempted: `releases.len()` plus the [`Severity::Skipped`] problems.
    pub inputs: usize,
}

impl Loaded {
    /// The number of releases that were not indexed.
    pub fn skipped(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Skipped)
            .count()
    }

    /// The number of warnings (releases indexed with a defect).
    pub fn warnings(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .count()
    }
}

/// Reads every release from `inputs`, each a file or a folder.
///
/// Folders are walked recursively in file-name order; in them, hidden entries (`.git`, `.DS_Store`),
/// `README` files and files of unsupported formats are ignored. A file named directly is always
/// read, and is a skipped problem when its format is unsupported. Files are parsed in parallel but
/// the result does not depend on scheduling.
///
/// Fails only when an input does not exist or a folder cannot be read; every other problem is
/// reported in [`Loaded::problems`].
pub fn load(inputs: &[PathBuf]) -> anyhow::Result<Loaded> {
    load_with(inputs, &Filter::default())
}

/// [`load`], keeping only the files that `filter` lets through.
pub fn load_with(inputs: &[PathBuf], filter: &Filter) -> anyhow::Result<Loaded> {
    let files = files(inputs, filter)?;
    let mut outcomes: Vec<FileOutcome> = files.par_iter().map(|f| f.read(None)).collect();
    Ok(finish(&mut outcomes))
}

/// Which files of the walked folders count.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// When set, only files whose path under their input folder matches (`press/**/*.html`).
    /// Files named directly always count.
    pub globs: Option<GlobSet>,
    /// Folders not to walk into: the output folder and the cache, when they sit in an input.
    pub exclude: Vec<PathBuf>,
}

/// The files of `inputs` in walk order: files named directly, and the supported files of folders.
///
/// Fails only when an input does not exist or a folder cannot be read.
pub fn files(inputs: &[PathBuf], filter: &Filter) -> anyhow::Result<Vec<InputFile>> {
    let exclude: Vec<PathBuf> = filter
        .exclude
        .iter()
        .filter_map(|p| fs::canonicalize(p).ok())
        .collect();
    let mut files = Vec::new();
    for input in inputs {
        collect_files(input, filter.globs.as_ref(), &exclude, &mut files)?;
    }
    Ok(files)
}

/// Completes what [`InputFile::read`] gave for every file, in walk order, with the site-wide
/// pass over HTML pages (see [`html`]), and gathers it.
pub fn finish(outcomes: &mut [FileOutcome]) -> Loaded {
    finish_site(outcomes);
    let mut loaded = Loaded::default();
    for outcome in outcomes.iter() {
        loaded.inputs += outcome.attempted;
        loaded.releases.extend(outcome.releases.iter().cloned());
        loaded.problems.extend(outcome.problems.iter().cloned());
    }
    debug_assert_eq!(loaded.inputs, loaded.releases.len() + loaded.skipped());
    loaded
}

/// The site-wide pass over the HTML pages among `outcomes` (see [`html`]); other files are left
/// as they are.
pub fn finish_site(outcomes: &mut [FileOutcome]) {
    html::finish_site(outcomes);
}

/// The formats there is a reader for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `.txt`: section line, headline, paragraphs.
    Text,
    /// `.md`, `.markdown`: optional YAML or TOML front matter, then Markdown.
    Markdown,
    /// `.jsonl`: one release per line.
    JsonLines,
    /// `.jsonl.gz`: the same, gzip-compressed.
    GzJsonLines,
    /// `.html`, `.htm`: a built page.
    Html,
    /// `.rss`, `.atom`: a feed; `.xml`: a feed when its root element says so.
    Feed,
}

impl Format {
    /// The format a file name says, compared without regard to case (`NEWS.MD` is Markdown).
    fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_lowercase();
        if name.ends_with(".jsonl.gz") {
            return Some(Format::GzJsonLines);
        }
        match name.rsplit_once('.')?.1 {
            "txt" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "jsonl" => Some(Format::JsonLines),
            "html" | "htm" => Some(Format::Html),
            "rss" | "atom" | "xml" => Some(Format::Feed),
            _ => None,
        }
    }
}

/// A file to read, with what is needed to name its releases.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The path to open.
    pub path: PathBuf,
    /// The path relative to the input root, from which a file's URL is made.
    pub relative: PathBuf,
    /// Its format, or why it cannot be read (a file named directly whose format we do not
    /// read, an entry the walk could not open).
    format: Result<Format, String>,
    /// Named on the command line rather than found in a folder: an `.xml` that is not a feed is
    /// then a problem, not a file to pass over.
    direct: bool,
}

impl InputFile {
    /// Whether the file can be read at all (its format is supported and the walk reached it).
    pub fn is_readable(&self) -> bool {
        self.format.is_ok()
    }

    /// Reads the file's releases; `bytes` are its contents when the caller has already read them
    /// (to hash them, say).
    pub fn read(&self, bytes: Option<Vec<u8>>) -> FileOutcome {
        let format = match &self.format {
            Ok(format) => *format,
            Err(reason) => return FileOutcome::skipped(Source::file(&self.path), reason.clone()),
        };
        let bytes = match bytes.map_or_else(|| fs::read(&self.path), Ok) {
            Ok(bytes) => bytes,
            Err(err) => {
                return FileOutcome::skipped(
                    Source::file(&self.path),
                    format!("cannot read file: {err}"),
                )
            }
        };
        match format {
            Format::Text => read_document(self, &bytes, text::parse),
            Format::Markdown => read_document(self, &bytes, markdown::parse),
            Format::Html => read_document(self, &bytes, html::parse),
            Format::JsonLines => jsonl::read(self, &bytes, false),
            Format::GzJsonLines => jsonl::read(self, &bytes, true),
            Format::Feed => feed::read(self, &bytes),
        }
    }
}

/// Adds the files of one input, in walk order, to `files`.
fn collect_files(
    input: &Path,
    globs: Option<&GlobSet>,
    exclude: &[PathBuf],
    files: &mut Vec<InputFile>,
) -> anyhow::Result<()> {
    let metadata = match fs::metadata(input) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            bail!("input {} does not exist", input.display())
        }
        Err(err) => {
            return Err(err).with_context(|| format!("cannot read input {}", input.display()))
        }
    };
    if !metadata.is_dir() {
        // A file named directly is its own root: its URL is made from its name alone.
        let relative = input
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| input.to_path_buf());
        let format = Format::of(input).ok_or_else(|| UNSUPPORTED.to_string());
        files.push(InputFile {
            path: input.to_path_buf(),
            relative,
            format,
            direct: true,
        });
        return Ok(());
    }
    let walk = WalkDir::new(input)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // The root is exempt so that `pressroom-index .` works.
        .filter_entry(|entry| {
            entry.depth() == 0
                || !(is_hidden(entry.file_name())
                    || (entry.file_type().is_dir()
                        && !exclude.is_empty()
                        && fs::canonicalize(entry.path()).is_ok_and(|p| exclude.contains(&p))))
        });
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) if err.depth() == 0 => {
                return Err(err)
                    .with_context(|| format!("cannot read input folder {}", input.display()))
            }
            Err(err) => {
                // An unreadable subfolder or file loses what it holds; report it and go on.
                let path = err.path().unwrap_or(input).to_path_buf();
                let format = Err(format!("cannot read: {err}"));
                files.push(InputFile {
                    relative: path.clone(),
                    path,
                    format,
                    direct: false,
                });
                continue;
            }
        };
        if entry.file_type().is_dir() || is_readme(entry.file_name()) {
            continue;
        }
        let Some(format) = Format::of(entry.path()) else {
            continue;
        };
        let relative = entry
            .path()
            .strip_prefix(input)
            .unwrap_or(entry.path())
            .to_path_buf();
        if globs.is_some_and(|globs| !globs.is_match(&relative)) {
            continue;
        }
        files.push(InputFile {
            path: entry.into_path(),
            relative,
            format: Ok(format),
            direct: false,
        });
    }
    Ok(())
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// A README describes the folder it sits in (the fixtures folder has one); it is not a release.
fn is_readme(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy().to_lowercase();
    name == "readme" || name.starts_with("readme.")
}

/// What reading one file produced; outcomes are concatenated in walk order by [`finish`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileOutcome {
    /// The releases read, in file order.
    pub releases: Vec<LoadedRelease>,
    /// The problems met, in file order.
    pub problems: Vec<Problem>,
    /// Releases attempted in this file: indexed plus skipped.
    pub attempted: usize,
    /// For an HTML page, what [`finish`] needs to complete it with the rest of the site.
    pub page: Option<html::PageFacts>,
}

impl FileOutcome {
    fn skipped(source: Source, message: impl Into<String>) -> FileOutcome {
        let mut outcome = FileOutcome::default();
        outcome.skip(source, message);
        outcome
    }

    fn skip(&mut self, source: Source, message: impl Into<String>) {
        self.attempted += 1;
        self.problems.push(Problem {
            source,
            severity: Severity::Skipped,
            message: message.into(),
        });
    }

    fn warn(&mut self, source: Source, message: impl Into<String>) {
        self.problems.push(Problem {
            source,
            severity: Severity::Warning,
            message: message.into(),
        });
    }

    fn index(&mut self, release: Release, source: Source) {
        self.attempted += 1;
        self.releases.push(LoadedRelease { release, source });
    }

    /// Records what a reader made of one release from `source`, whose text needed lossy
    /// decoding when `lossy` is set.
    fn record(&mut self, source: Source, parsed: Result<Parsed, String>, lossy: bool) {
        match parsed {
            Ok(parsed) => {
                self.page = parsed.page;
                // Warnings are for releases that are indexed; a skipped one has its reason.
                if lossy {
                    self.warn(source.clone(), INVALID_UTF8);
                }
                for warning in parsed.warnings {
                    self.warn(source.clone(), warning);
                }
                self.index(parsed.release, source);
            }
            Err(reason) => self.skip(source, reason),
        }
    }
}

/// A whole file holding one release, decoded, with what the reader needs besides its text.
struct Document<'a> {
    /// The text, never empty or only whitespace.
    text: &'a str,
    /// The file it came from.
    file: &'a InputFile,
}

/// What a one-release-per-file reader made of a [`Document`].
#[derive(Debug)]
struct Parsed {
    release: Release,
    /// Defects that did not stop the release from being indexed.
    warnings: Vec<String>,
    /// For an HTML page, what the site-wide pass needs.
    page: Option<html::PageFacts>,
}

/// Reads a file that holds one release and hands its text to `parse`, which returns the release
/// or why it must be skipped.
fn read_document(
    file: &InputFile,
    bytes: &[u8],
    parse: fn(&Document) -> Result<Parsed, String>,
) -> FileOutcome {
    let source = Source::file(&file.path);
    let mut outcome = FileOutcome::default();
    if let Some(at) = binary_at(bytes) {
        let reason = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            "UTF-16 text (its byte order mark says so); save it as UTF-8".to_string()
        } else {
            format!("binary file, not text (a NUL byte at offset {at})")
        };
        outcome.skip(source, reason);
        return outcome;
    }
    let (text, lossy) = decode(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        outcome.skip(source, "empty file");
        return outcome;
    }
    outcome.record(source, parse(&Document { text, file }), lossy);
    outcome
}

const UNSUPPORTED: &str = "unsupported file type (expected .txt, .md, .markdown, .jsonl, \
     .jsonl.gz, .html, .htm, or an RSS or Atom feed: .rss, .atom, .xml)";

const INVALID_UTF8: &str = "invalid UTF-8; undecodable bytes replaced with U+FFFD";

/// Where a file's first NUL byte is, if it has one in its first 8 KiB: text in any encoding a
/// release is written in has none, while pictures, PDFs and archives have them early (the test
/// git and ripgrep use). Lossy decoding would index such a file as gibberish.
fn binary_at(bytes: &[u8]) -> Option<usize> {
    bytes.iter().take(8192).position(|&b| b == 0)
}

/// Decodes UTF-8, replacing what is not; the flag says whether anything was replaced.
fn decode(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, bool) {
    let text = String::from_utf8_lossy(bytes);
    let lossy = matches!(text, std::borrow::Cow::Owned(_));
    (text, lossy)
}

#[cfg(test)]
mod tests;
