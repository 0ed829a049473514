//! The real corpus: all 22,181 English press releases of `../shared/corpus` build, and the exact
//! title of any release finds it in the top 3.
//!
//! The corpus lives outside the repository. The test fails when it is missing, unless
//! `PRESSROOM_SKIP_CORPUS=1` says to skip it on purpose.

mod common;

use common::corpus_file;

const FILE: &str = "press-releases.jsonl.gz";

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

#[test]
fn every_sampled_exact_title_finds_its_release_in_the_top_3() {
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
    let summary = String::from_utf8_lossy(&build.stdout);
    assert!(
        build.status.success(),
        "{summary}\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(
        summary.contains("22181 releases indexed (22181 inputs, 0 skipped)"),
        "{summary}"
    );

    // The releases, as the corpus gives them.
    let reader = BufReader::new(flate2::read::MultiGzDecoder::new(
        std::fs::File::open(&file).unwrap(),
    ));
    let mut releases: Vec<(String, String)> = Vec::new();
    for line in reader.lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let url = v["url"]
            .as_str()
            .or(v["id"].as_str())
            .unwrap_or_default()
            .to_owned();
        // The title as the site shows it (the corpus has `&amp;` in titles): what a visitor reads
        // is what they type.
        if let Some(title) = v["title"].as_str() {
            releases.push((url, html_escape::decode_html_entities(title).into_owned()));
        }
    }
    let mut same_title: HashMap<String, usize> = HashMap::new();
    for (_, title) in &releases {
        *same_title
            .entry(pressroom::analyze::terms(title).join(" "))
            .or_default() += 1;
    }

    // 200 releases at a fixed stride through the corpus: reproducible and spread over all years.
    let stride = releases.len() / 200;
    let sample: Vec<&(String, String)> = releases.iter().step_by(stride).take(200).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pressroom-index"))
        .args(["query", "--batch", "--limit", "3"])
        .arg(out.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for (_, title) in &sample {
        // One query per line: a title with a line break is typed on one line.
        writeln!(stdin, "{}", title.replace(['\n', '\r'], " ")).unwrap();
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

    let mut misses = Vec::new();
    let mut ambiguous = 0;
    for ((url, title), answer) in sample.iter().zip(&answers) {
        let hits = answer["hits"].as_array().unwrap();
        if hits.iter().any(|h| h["url"] == url.as_str()) {
            continue;
        }
        // A title shared by more than three releases (syndicated copies) cannot single one out:
        // then the top 3 must all be releases with that very title.
        let key = pressroom::analyze::terms(title).join(" ");
        let all_same = hits.len() == 3
            && hits
                .iter()
                .all(|h| pressroom::analyze::terms(h["title"].as_str().unwrap()).join(" ") == key);
        if same_title[&key] > 3 && all_same {
            ambiguous += 1;
            continue;
        }
        misses.push(format!(
            "{title:?} ({url}) -> {:?}",
            hits.iter().map(|h| &h["url"]).collect::<Vec<_>>()
        ));
    }
    eprintln!(
        "{} sampled titles, {} shared by more than 3 releases",
        sample.len(),
        ambiguous
    );
    assert!(
        misses.is_empty(),
        "{} of {} titles missed their release:\n{}",
        misses.len(),
        sample.len(),
        misses.join("\n")
    );
}
