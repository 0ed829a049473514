//! The `pressroom-index` command line, run as a site owner runs it.

mod common;

use common::{bin, query_json, repo, run, shared_dir};

use serde_json::Value;

/// Builds the fixture corpus (index only) into a fresh folder.
fn build_fixtures() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    run(bin()
        .arg("build")
        .arg(repo().join("tests/fixtures/releases"))
        .arg("--out")
        .arg(out.path())
        .args(["--no-assets", "--no-cache"]));
    out
}

const CICA: &str =
    "CICA Secretary General takes part in international conference on Eurasian security in Minsk";

#[test]
fn the_seed_release_is_found_by_its_ambassador_however_it_is_typed() {
    let out = tempfile::tempdir().unwrap();
    // The seed as it was given (one file, so its URL is its name), or the copy among the
    // fixtures, filed by date (so its URL starts with the date folders).
    let (seed, url) = match shared_dir().map(|s| s.join("seed")).filter(|s| s.exists()) {
        Some(seed) => (seed, "/cica-press-release-2023-10-27"),
        None => (
            repo().join("tests/fixtures/releases/cica"),
            "/2023/10/27/cica-press-release-2023-10-27",
        ),
    };
    let summary = run(bin()
        .arg("build")
        .arg(&seed)
        .arg("--no-cache")
        .arg("--out")
        .arg(out.path()));
    let summary = String::from_utf8_lossy(&summary.stdout);
    assert!(summary.contains("1 releases indexed"), "{summary}");
    for query in ["sarybay", "sary", "SARYBAY", "Sarybáy"] {
        let json = query_json(out.path(), query);
        assert_eq!(json["total"], 1, "{query}: {json}");
        let hit = &json["hits"][0];
        assert_eq!(hit["title"], CICA, "{query}");
        assert_eq!(hit["date"], "2023-10-27");
        assert_eq!(hit["url"], url);
        assert!(
            hit["excerpt"]
                .as_str()
                .unwrap()
                .contains("<mark>Sarybay</mark>"),
            "{hit}"
        );
        assert!(hit["score"].as_f64().unwrap() > 0.0);
    }
    // The output folder is deployable as it is: index and widget assets side by side.
    for asset in [
        "index.pri",
        "pressroom.js",
        "pressroom-core.js",
        "pressroom-worker.js",
        "pressroom.css",
        "pressroom.d.ts",
        "pressroom_engine.js",
        "pressroom_engine_bg.wasm",
    ] {
        let path = out.path().join(asset);
        assert!(
            path.metadata().map(|m| m.len() > 0).unwrap_or(false),
            "{} missing",
            path.display()
        );
    }
}

#[test]
fn batch_mode_answers_one_json_line_per_query() {
    let out = build_fixtures();
    let mut child = bin()
        .args(["query", "--batch", "--limit", "3"])
        .arg(out.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "sarybay\nzzqqxx\n\neurasian").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["hits"][0]["title"], CICA);
    assert_eq!(lines[1]["total"], 0);
    assert_eq!(lines[2]["total"], 0);
    assert!(lines[3]["hits"].as_array().unwrap().len() <= 3);
    // The batch answer is the single-query answer.
    let single = query_json(out.path(), "sarybay");
    let mut limited = single.clone();
    limited["hits"].as_array_mut().unwrap().truncate(3);
    assert_eq!(lines[0], limited);
}

#[test]
fn query_ranking_flags_change_the_weights_and_reject_unknown_names() {
    let out = build_fixtures();
    let score = |extra: &[&str]| -> f64 {
        let output = bin()
            .args(["query", "--json", "-n", "1"])
            .args(extra)
            .arg(out.path())
            .arg("eurasian security")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();
        json["hits"][0]["score"].as_f64().unwrap()
    };
    let plain = score(&[]);
    let doubled = score(&["--ranking", "bodyWeight=0", "--ranking", "titleWeight=12"]);
    assert!(doubled > plain, "{doubled} <= {plain}");
    let output = bin()
        .args(["query", "--ranking", "titelWeight=2"])
        .arg(out.path())
        .arg("x")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("titelWeight") && err.contains("proximityBonus"),
        "{err}"
    );
}

#[test]
fn builds_are_byte_identical_to_the_golden_index() {
    let out = build_fixtures();
    let built = std::fs::read(out.path().join("index.pri")).unwrap();
    let golden_path = repo().join("tests/fixtures/golden/index.pri");
    if std::env::var_os("PRESSROOM_BLESS").is_some() {
        std::fs::create_dir_all(golden_path.parent().unwrap()).unwrap();
        std::fs::write(&golden_path, &built).unwrap();
    }
    let golden =
        std::fs::read(&golden_path).expect("the golden index exists (PRESSROOM_BLESS=1 writes it)");
    assert!(
        built == golden,
        "the fixture corpus no longer builds {}: if the format or analyzer changed on purpose, \
         bump FORMAT_VERSION if needed and rerun with PRESSROOM_BLESS=1",
        golden_path.display()
    );
    // The fixture files are found in an order that is not their dates' (by name), and the
    // index numbers them by date all the same.
    let raw = pressroom::decompress(&built).unwrap();
    let index = pressroom::PreviousIndex::new(&raw).unwrap();
    assert_eq!(index.numbered_by_date().unwrap(), None);
}

#[test]
fn split_builds_are_byte_identical_to_the_golden_split_index() {
    let out = tempfile::tempdir().unwrap();
    run(bin()
        .arg("build")
        .arg(repo().join("tests/fixtures/releases"))
        .arg("--out")
        .arg(out.path())
        .args(["--no-assets", "--no-cache", "--split", "always"]));
    let listing = |dir: &std::path::Path| {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                let name = e.file_name().into_string().unwrap();
                (name, std::fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let built = listing(out.path());
    assert!(
        built.len() >= 2,
        "an entry file and parts: {:?}",
        built.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let golden = repo().join("tests/fixtures/golden/split");
    if std::env::var_os("PRESSROOM_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&golden);
        std::fs::create_dir_all(&golden).unwrap();
        for (name, bytes) in &built {
            std::fs::write(golden.join(name), bytes).unwrap();
        }
    }
    assert!(
        built == listing(&golden),
        "the fixture corpus no longer builds {} (PRESSROOM_BLESS=1 rewrites it)",
        golden.display()
    );
    // The split index answers as the single file does.
    let single = build_fixtures();
    for q in [
        "sarybay",
        "eurasain security",
        "\"eurasian security\"",
        "s",
        "northwind -lumen",
    ] {
        assert_eq!(
            query_json(out.path(), q),
            query_json(single.path(), q),
            "{q}"
        );
    }
}

#[test]
fn bad_invocations_fail_with_a_message_naming_the_path() {
    let out = bin()
        .args([
            "build",
            "/nonexistent/press",
            "--out",
            "/tmp/unused-pressroom",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/press"));
    let out = bin()
        .args(["query", "/nonexistent/index", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/index"));
    let empty = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("build")
        .arg("--no-cache")
        .arg(empty.path())
        .arg("--out")
        .arg(empty.path().join("o"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no releases found"));
}
