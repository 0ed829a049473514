//! Known-item search in every script of `../shared/corpus/multilingual.jsonl.gz`: for releases in
//! each script, a few consecutive words of the text must find the release in the top 10 for at
//! least 90% of queries.
//!
//! Like `corpus.rs`, it fails when the corpus is missing unless `PRESSROOM_SKIP_CORPUS=1`.

mod common;

use common::corpus_file;

const FILE: &str = "multilingual.jsonl.gz";

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

const PER_SCRIPT: usize = 40;

/// The script most letters of `text` are written in, among those the test covers.
fn script(text: &str) -> Option<&'static str> {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut latin_marked = 0;
    for c in text.chars() {
        let s = match c {
            'a'..='z' | 'A'..='Z' => "latin",
            '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => {
                latin_marked += 1;
                "latin"
            }
            '\u{0400}'..='\u{04FF}' => "cyrillic",
            '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => "greek",
            '\u{0600}'..='\u{06FF}' => "arabic",
            '\u{0590}'..='\u{05FF}' => "hebrew",
            '\u{0900}'..='\u{097F}' => "devanagari",
            '\u{3040}'..='\u{30FF}' => "japanese",
            '\u{4E00}'..='\u{9FFF}' => "han",
            '\u{AC00}'..='\u{D7AF}' => "korean",
            '\u{0E00}'..='\u{0E7F}' => "thai",
            _ => continue,
        };
        *counts.entry(s).or_default() += 1;
    }
    let (best, n) = counts.iter().max_by_key(|(_, n)| **n)?;
    // Japanese mixes kana with kanji: any real share of kana makes it Japanese.
    if *best == "han" && counts.get("japanese").is_some_and(|k| k * 5 > *n) {
        return Some("japanese");
    }
    match *best {
        "han" => Some("chinese"),
        "latin" if latin_marked * 20 < *n => None, // only Latin *with* diacritics is asked for
        "latin" => Some("latin+diacritics"),
        other => Some(other),
    }
}

/// A known-item query from the middle of `body`, as a reader would copy it: four consecutive
/// words, or for scripts written without spaces eight consecutive letters (with their marks).
fn query_for(body: &str, script: &str) -> Option<String> {
    if matches!(script, "chinese" | "japanese" | "thai") {
        let is_letter = |c: char| {
            (c.is_alphanumeric() && !c.is_ascii())
                || matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}' | '\u{3099}'..='\u{309C}')
        };
        const LETTERS: usize = 8;
        let chars: Vec<char> = body.chars().collect();
        let start = (chars.len() / 2..chars.len().saturating_sub(LETTERS + 1))
            .find(|&i| chars[i..i + LETTERS].iter().all(|&c| is_letter(c)) && !is_mark(chars[i]))?;
        // A mark belongs to the letter before it: never cut between them.
        let mut end = start + LETTERS;
        while chars.get(end).is_some_and(|&c| is_mark(c)) {
            end += 1;
        }
        return Some(chars[start..end].iter().collect());
    }
    // Whole words of letters only: numbers, links and handles are not what people search for.
    let words: Vec<&str> = body
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    let middle = words.len() / 2;
    let start = (middle..words.len().saturating_sub(4)).find(|&i| {
        words[i..i + 4]
            .iter()
            .all(|w| w.chars().count() >= 2 && w.chars().all(char::is_alphabetic))
    })?;
    Some(words[start..start + 4].join(" "))
}

/// Thai vowel and tone marks cannot start a query: they belong to the letter before them.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
}

#[test]
fn every_script_finds_its_releases_by_their_words() {
    let Some(file) = corpus_file(FILE) else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let build = Command::new(env!("CARGO_BIN_EXE_pressroom-index"))
        .arg("build")
        .arg(&file)
        .arg("--out")
        .arg(out.path())
        .args(["--no-assets", "--quiet", "--no-cache"])
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );

    let reader = BufReader::new(flate2::read::MultiGzDecoder::new(
        std::fs::File::open(&file).unwrap(),
    ));
    let mut by_script: BTreeMap<&'static str, Vec<(String, String)>> = BTreeMap::new();
    for line in reader.lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let body = v["body"].as_str().unwrap_or_default();
        let url = v["url"]
            .as_str()
            .or(v["id"].as_str())
            .unwrap_or_default()
            .to_owned();
        if let Some(s) = script(body) {
            if let Some(q) = query_for(body, s) {
                by_script.entry(s).or_default().push((url, q));
            }
        }
    }
    let wanted = [
        "latin+diacritics",
        "cyrillic",
        "greek",
        "arabic",
        "hebrew",
        "devanagari",
        "chinese",
        "japanese",
        "korean",
        "thai",
    ];
    let mut sample: Vec<(&str, String, String)> = Vec::new();
    for s in wanted {
        let docs = by_script
            .get(s)
            .unwrap_or_else(|| panic!("no {s} releases in the corpus"));
        // A fixed stride through each script's releases: reproducible and spread out.
        let stride = (docs.len() / PER_SCRIPT).max(1);
        for (url, q) in docs.iter().step_by(stride).take(PER_SCRIPT) {
            sample.push((s, url.clone(), q.clone()));
        }
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_pressroom-index"))
        .args(["query", "--batch", "--limit", "10"])
        .arg(out.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for (_, _, q) in &sample {
        // The words are typed in full: a final space, so the last one is not a prefix.
        writeln!(stdin, "{q} ").unwrap();
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let answers: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), sample.len());

    let mut found: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for ((s, url, q), answer) in sample.iter().zip(&answers) {
        let hit = answer["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["url"] == url.as_str());
        let entry = found.entry(s).or_default();
        entry.0 += usize::from(hit);
        entry.1 += 1;
        if !hit {
            misses.push(format!("{s}: {q:?} ({url}), {} results", answer["total"]));
        }
    }
    let report: Vec<String> = found
        .iter()
        .map(|(s, (hit, all))| format!("{s} {hit}/{all}"))
        .collect();
    eprintln!("top-10 known-item rate per script: {}", report.join(", "));
    for (s, (hit, all)) in &found {
        assert!(
            hit * 10 >= all * 9,
            "{s}: {hit} of {all} found in the top 10\n{}",
            misses.join("\n")
        );
    }
}
