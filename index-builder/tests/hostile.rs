//! Hostile input for the builder: nothing is lost without a word, and the counts add up.
//!
//! Every file that cannot be indexed (empty, binary, unparseable) is reported with its name and
//! the reason; a file indexed with a defect (invalid UTF-8, front matter of the wrong type, over
//! the size limit) is indexed and reported as a warning; the summary always says
//! `inputs = indexed + skipped`, and `--strict` turns any skip into a failed build.

mod common;

use std::path::Path;
use std::process::Output;

use common::{bin, corpus_file, run};
use pressroom::{Index, SearchOptions};
use serde_json::Value;

/// Writes `files` (path under `dir`, contents) into `dir`.
fn write_files(dir: &Path, files: &[(&str, &[u8])]) {
    for (name, contents) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

/// `pressroom-index build INPUT --out OUT --json ARGS`, whatever its exit status.
fn build(input: &Path, out: &Path, args: &[&str]) -> Output {
    bin()
        .arg("build")
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(["--no-assets", "--no-cache"])
        .args(args)
        .output()
        .expect("pressroom-index runs")
}

/// A build's problem lines (printed without `--json`, which keeps standard error to errors)
/// and its `--json` summary, from two runs over the same input.
fn build_reporting(input: &Path, out: &Path, args: &[&str]) -> (Vec<String>, Value) {
    let text = build(input, out, args);
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let json = build(input, out, &json_args);
    assert!(json.status.success());
    let summary = summary(&json);
    // The summary line of the text run says the same.
    let line = format!(
        "{} releases indexed ({} inputs, {} skipped)",
        count(&summary, "indexed"),
        count(&summary, "inputs"),
        count(&summary, "skipped")
    );
    assert!(
        String::from_utf8_lossy(&text.stdout).contains(&line),
        "{line}: {}",
        String::from_utf8_lossy(&text.stdout)
    );
    (problem_lines(&text), summary)
}

fn summary(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "--json prints one JSON object ({e}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn count(summary: &Value, key: &str) -> u64 {
    summary[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} in {summary}"))
}

/// The summary's counts add up: every input was indexed or skipped.
fn assert_accounted(summary: &Value) {
    assert_eq!(
        count(summary, "inputs"),
        count(summary, "indexed") + count(summary, "skipped"),
        "inputs = indexed + skipped: {summary}"
    );
}

/// The problem lines of a build's standard error: `path[:line]: severity: message`.
fn problem_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The line naming `file` with `severity`, which must say `reason`.
fn assert_reported(lines: &[String], file: &Path, severity: &str, reason: &str) {
    let prefix = file.display().to_string();
    let found = lines.iter().any(|line| {
        line.starts_with(&prefix)
            && line.contains(&format!(": {severity}: "))
            && line.contains(reason)
    });
    assert!(
        found,
        "no `{prefix}: {severity}: …{reason}…` among:\n{}",
        lines.join("\n")
    );
}

fn urls(index: &Index, query: &str) -> Vec<String> {
    let options = SearchOptions {
        limit: 100,
        ..SearchOptions::default()
    };
    index
        .search(query, &options)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.url)
        .collect()
}

/// A PNG's first bytes, then zeros and every byte value: what a picture saved as `.txt` holds.
fn binary_bytes() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend((0..=255u8).cycle().take(4096));
    bytes
}

#[test]
fn every_bad_file_is_reported_by_name_with_its_reason_and_the_counts_add_up() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = input.path();
    write_files(
        dir,
        &[
            (
                "good.md",
                b"---\ntitle: Quillfeather hatchery opens\ndate: 2024-05-01\nurl: /good\n---\n\nThe hatchery opened.\n",
            ),
            // Latin-1, not UTF-8: decoded lossily, indexed, reported.
            (
                "latin1.txt",
                b"Press Releases\n\nCaf\xe9 Vorblatt opens in Z\xfcrich\n\nThe caf\xe9 Vorblatt opened today.\n",
            ),
            ("empty.md", b""),
            ("blank.txt", b"  \n\n\t \n"),
            ("picture.txt", &binary_bytes()),
            (
                "bad-yaml.md",
                b"---\ntitle: [unclosed\ndate: 2024-01-01\n---\n\nBody of a release.\n",
            ),
            (
                "bad-toml.md",
                b"+++\ntitle = \ndate = 2024-01-01\n+++\n\nBody of a release.\n",
            ),
            // Front matter of the wrong types: indexed with what can be used, each field reported.
            (
                "wrong-types.md",
                b"---\ntitle: [a, list]\ndate: [2024, 1, 1]\ntags: {a: 1}\nurl: /wrong-types\n---\n\n# Glimmerwick wrong types\n\nThe glimmerwick body.\n",
            ),
            (
                "wire.jsonl",
                b"{\"url\": \"/j/1\", \"title\": \"Marrowvale line one\", \"body\": \"First.\"}\n{not json\n[1, 2]\n{\"url\": \"/j/4\", \"title\": {\"en\": \"x\"}, \"date\": 2024, \"body\": \"Marrowvale table title.\"}\n\n{\"url\": \"/j/6\"}\n",
            ),
            (
                "dup/a.md",
                b"---\ntitle: Twinhollow first\nurl: /same\n---\n\nFirst twin.\n",
            ),
            (
                "dup/b.md",
                b"---\ntitle: Twinhollow second\nurl: /same\n---\n\nSecond twin.\n",
            ),
        ],
    );
    let (lines, summary) = build_reporting(dir, out.path(), &[]);
    assert_accounted(&summary);

    let skipped = [
        ("empty.md", "empty file"),
        ("blank.txt", "empty file"),
        ("picture.txt", "binary"),
        ("bad-yaml.md", "front matter is not valid YAML"),
        ("bad-toml.md", "front matter is not valid TOML"),
        ("wire.jsonl:2", "line is not valid JSON"),
        ("wire.jsonl:3", "line is a list, expected a JSON object"),
        ("wire.jsonl:6", ""),
    ];
    for (file, reason) in skipped {
        assert_reported(&lines, &dir.join(file), "skipped", reason);
    }
    let warned = [
        ("latin1.txt", "invalid UTF-8"),
        ("wrong-types.md", "`title` is a list, expected a string"),
        ("wrong-types.md", "`date` is a list, expected a date string"),
        ("wrong-types.md", "`tags` is a table"),
        ("wire.jsonl:4", "`title` is a table, expected a string"),
        ("wire.jsonl:4", "`date` is a number, expected a date string"),
        ("dup/b.md", "duplicate url \"/same\""),
    ];
    for (file, reason) in warned {
        assert_reported(&lines, &dir.join(file), "warning", reason);
    }
    // The duplicate's warning names the first file too.
    assert!(
        lines.iter().any(|l| l.contains("duplicate url")
            && l.contains(&dir.join("dup/a.md").display().to_string())),
        "{lines:?}"
    );

    // good, latin1, wrong-types, wire lines 1 and 4, the two twins.
    assert_eq!(count(&summary, "indexed"), 7, "{summary}");
    assert_eq!(
        count(&summary, "skipped"),
        skipped.len() as u64,
        "{summary}"
    );
    assert!(
        count(&summary, "warnings") >= warned.len() as u64,
        "{summary}"
    );

    let index = Index::open(out.path()).unwrap();
    assert_eq!(index.len(), 7);
    assert_eq!(urls(&index, "quillfeather"), ["/good"]);
    assert_eq!(
        urls(&index, "vorblatt").len(),
        1,
        "the lossy file is searchable"
    );
    assert_eq!(urls(&index, "glimmerwick"), ["/wrong-types"]);
    assert_eq!(urls(&index, "marrowvale").len(), 2);
    let mut twins = urls(&index, "twinhollow");
    twins.sort();
    assert_eq!(twins, ["/same", "/same"], "both duplicates are indexed");
    assert!(
        urls(&index, "png").is_empty(),
        "the binary file is not indexed"
    );
    assert!(urls(&index, "ihdr").is_empty());
}

#[test]
fn strict_fails_the_build_on_any_skip_and_passes_without_one() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    write_files(
        input.path(),
        &[
            (
                "good.md",
                b"---\ntitle: Strictland opens\nurl: /good\n---\n\nBody.\n",
            ),
            (
                "latin1.txt",
                b"Press Releases\n\nCaf\xe9 in Strictland\n\nA warning is not a skip.\n",
            ),
        ],
    );
    // Warnings alone do not fail a strict build.
    let clean = build(input.path(), out.path(), &["--strict", "--json"]);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert_eq!(count(&summary(&clean), "skipped"), 0);

    for (name, contents) in [
        ("empty.md", &b""[..]),
        ("picture.txt", &binary_bytes()[..]),
        ("bad.jsonl", &b"{not json\n"[..]),
    ] {
        let file = input.path().join(name);
        std::fs::write(&file, contents).unwrap();
        let failed = build(input.path(), out.path(), &["--strict"]);
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(!failed.status.success(), "{name}: --strict must fail");
        assert_eq!(failed.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(&file.display().to_string()),
            "{name}: {stderr}"
        );
        assert!(stderr.contains("--strict"), "{name}: {stderr}");
        std::fs::remove_file(&file).unwrap();
    }
    // A file named directly in a format that is not read is a skip too.
    let pdf = input.path().join("release.pdf");
    std::fs::write(&pdf, b"%PDF-1.7").unwrap();
    let failed = bin()
        .arg("build")
        .arg(&pdf)
        .arg(input.path().join("good.md"))
        .arg("--out")
        .arg(out.path())
        .args(["--no-assets", "--no-cache", "--strict"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success());
    assert!(
        stderr.contains(&format!(
            "{}: skipped: unsupported file type",
            pdf.display()
        )),
        "{stderr}"
    );
}

/// A 100 MB release (generated here, never committed) is indexed up to the size limit, with a
/// warning that names it; the words before the cut are found, the ones after are not.
#[test]
fn a_huge_release_is_indexed_up_to_the_limit_with_a_warning_never_dropped() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let huge = input.path().join("huge.txt");
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&huge).unwrap());
        write!(
            file,
            "Press Releases\n\nGargantua report\n\nBeginning wordfirst. "
        )
        .unwrap();
        let paragraph =
            "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ";
        let mut written = 0;
        while written < 100 << 20 {
            file.write_all(paragraph.as_bytes()).unwrap();
            written += paragraph.len();
        }
        writeln!(file, "Ending wordlast.").unwrap();
    }
    std::fs::write(
        input.path().join("small.md"),
        "---\ntitle: A small neighbour\nurl: /small\n---\n\nJust a few words.\n",
    )
    .unwrap();
    assert!(huge.metadata().unwrap().len() > 100 << 20);

    let started = std::time::Instant::now();
    let (lines, summary) = build_reporting(input.path(), out.path(), &[]);
    assert_accounted(&summary);
    assert_eq!(count(&summary, "indexed"), 2, "{summary}");
    assert_eq!(count(&summary, "skipped"), 0, "{summary}");
    assert_eq!(count(&summary, "warnings"), 1, "{summary}");
    assert_reported(&lines, &huge, "warning", "over the limit of 1000000");
    let index = Index::open(out.path()).unwrap();
    assert_eq!(urls(&index, "gargantua").len(), 1);
    assert_eq!(urls(&index, "wordfirst").len(), 1, "the start is indexed");
    assert!(
        urls(&index, "wordlast").is_empty(),
        "the end is past the limit"
    );
    assert_eq!(urls(&index, "neighbour"), ["/small"]);
    let bytes = std::fs::metadata(out.path().join(pressroom::INDEX_FILE))
        .unwrap()
        .len();
    assert!(bytes < 5 << 20, "the index stays small: {bytes} bytes");
    eprintln!("100 MB build took {:?}", started.elapsed());

    // A limit given on the command line is the one applied.
    let output = build(input.path(), out.path(), &["--max-release-bytes", "1000"]);
    assert!(output.status.success());
    assert_reported(
        &problem_lines(&output),
        &huge,
        "warning",
        "over the limit of 1000",
    );
    let index = Index::open(out.path()).unwrap();
    assert_eq!(urls(&index, "wordfirst").len(), 1);
}

/// The terminal is not a place for a release's escape sequences: the text output of `query`
/// shows control characters as visible replacements.
#[test]
fn query_text_output_holds_no_control_characters_and_notes_a_cut_query() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let line = serde_json::json!({
        "url": "/esc\u{1b}]8;;http://evil.example\u{7}",
        "title": "Termwarp \u{1b}[2J\u{1b}[31mred\u{1b}]0;pwned\u{7} title \u{9b}31m",
        "body": "termwarp body \u{1b}[1m bold \u{8}\u{8} backspace",
    });
    std::fs::write(input.path().join("esc.jsonl"), format!("{line}\n")).unwrap();
    run(bin()
        .arg("build")
        .arg(input.path())
        .arg("--out")
        .arg(out.path())
        .args(["--no-assets", "--no-cache", "--quiet"]));
    let shown = run(bin().arg("query").arg(out.path()).arg("termwarp"));
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(text.contains("Termwarp"), "{text}");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "control characters reached the terminal: {text:?}"
    );
    assert!(!text.contains("truncated"), "{text}");

    // 108 KB: as long as one command-line argument may be (Linux: 128 KiB).
    let long = "termwarp ".repeat(12_000);
    let shown = run(bin().arg("query").arg(out.path()).arg(&long));
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(
        text.contains("the query was cut"),
        "a cut query says so: {:.300}",
        text
    );
    assert!(text.len() < 10_000, "the 1 MB query is not echoed whole");
    let json = common::query_json(out.path(), &long);
    assert_eq!(json["truncated"], true);
    assert_eq!(json["total"], 1);
}

/// Every document of `../shared/corpus/tricky.jsonl.gz` (zero-width characters, non-NFC text,
/// entities, raw HTML, RTL, CJK, very long titles, …) is indexed, and each is found by a word of
/// its title.
#[test]
fn every_tricky_document_is_indexed_and_found_by_a_word_of_its_title() {
    let Some(file) = corpus_file("tricky.jsonl.gz") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let output = run(bin()
        .arg("build")
        .arg(&file)
        .arg("--out")
        .arg(out.path())
        .args(["--no-assets", "--no-cache", "--json"]));
    let summary = summary(&output);
    assert_accounted(&summary);
    assert_eq!(count(&summary, "inputs"), 145, "{summary}");
    assert_eq!(count(&summary, "indexed"), 145, "{summary}");

    let index = Index::open(out.path()).unwrap();
    assert_eq!(index.len(), 145);
    let text = {
        use std::io::Read;
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(std::fs::File::open(&file).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let mut lost = Vec::new();
    for line in text.lines() {
        let doc: Value = serde_json::from_str(line).unwrap();
        let url = doc["url"].as_str().or(doc["id"].as_str()).unwrap();
        let title = doc["title"].as_str().unwrap_or_default();
        let word = title_word(title);
        let options = SearchOptions {
            limit: 1000,
            ..SearchOptions::default()
        };
        let found = index
            .search(&word, &options)
            .unwrap()
            .hits
            .iter()
            .any(|hit| hit.url == url);
        if !found {
            lost.push(format!("{} ({word:?} from {title:?})", doc["id"]));
        }
    }
    assert!(
        lost.is_empty(),
        "{} of 145 not found by a word of their title:\n{}",
        lost.len(),
        lost.join("\n")
    );
}

/// The longest word of a title, as a visitor would copy it: split at spaces, punctuation and
/// Markdown trimmed from its ends (combining marks stay: they belong to the word). Entities are decoded first, since a visitor reads `&` and
/// types it.
fn title_word(title: &str) -> String {
    let title = html_escape::decode_html_entities(title);
    title
        .split_whitespace()
        .map(|w| w.trim_matches(is_punctuation))
        .max_by_key(|w| w.chars().count())
        .unwrap_or_default()
        .to_owned()
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || "«»“”‘’„…—–、。，：；！？「」『』（）".contains(c)
}
