//! Built HTML sites, feeds, pressroom.toml and the incremental cache, through the command line as
//! a site owner runs it (and as the guides in docs/ say).

mod common;

use common::{bin, repo, run};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn query(dir: &Path, query: &str) -> Value {
    let out = run(bin().arg("query").arg(dir).arg(query).arg("--json"));
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

/// Builds with `args` (run in `cwd`) and returns the `--json` summary.
fn build(cwd: &Path, args: &[&str]) -> Value {
    // Fixture folders are not written to: the cache is off unless a test asks for it.
    let cache = args.iter().any(|a| a.contains("cache"));
    let out = run(bin()
        .current_dir(cwd)
        .arg("build")
        .args(args)
        .args(["--json", "--no-assets"])
        .args(if cache { &[][..] } else { &["--no-cache"][..] }));
    serde_json::from_slice(&out.stdout).expect("--json prints one JSON object")
}

/// Words that only the chrome of the fixture pages holds: nav, header, footer, aside, script,
/// style, form, and an element marked `data-pressroom-ignore`.
const CHROME: &[&str] = &[
    "zebrafish",
    "walrus",
    "penguin",
    "flamingo",
    "kangaroo",
    "newsletter",
    "copyright",
    "sans",
];

/// The command each guide in docs/ gives, run in the fixture site's folder.
const RECIPES: &[(&str, &[&str])] = &[
    (
        "hugo",
        &["public", "--glob", "press/*/index.html", "--out", "OUT"],
    ),
    (
        "zola",
        &["public", "--glob", "press/*/index.html", "--out", "OUT"],
    ),
    (
        "jekyll",
        &["_site", "--glob", "press/**/*.html", "--out", "OUT"],
    ),
    // The Eleventy fixture marks release bodies with data-pressroom-body: no glob needed.
    ("eleventy", &["_site", "--out", "OUT"]),
    (
        "astro",
        &["dist", "--glob", "press/*/index.html", "--out", "OUT"],
    ),
];

#[test]
fn every_generator_recipe_indexes_only_the_article_text_with_title_date_and_lang() {
    for (generator, args) in RECIPES {
        let site = repo().join("tests/fixtures/sites").join(generator);
        let out = tempfile::tempdir().unwrap();
        let out_path = out.path().to_str().unwrap();
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "OUT" { out_path } else { a })
            .collect();
        let summary = build(&site, &args);
        assert_eq!(summary["indexed"], 3, "{generator}: {summary}");
        assert_eq!(summary["skipped"], 0, "{generator}: {summary}");

        let hits = query(out.path(), "sarybay");
        assert_eq!(hits["total"], 1, "{generator}: {hits}");
        let hit = &hits["hits"][0];
        assert_eq!(
            hit["title"], "CICA Secretary General in Minsk",
            "{generator}"
        );
        assert_eq!(hit["date"], "2023-10-27", "{generator}");
        assert_eq!(hit["lang"], "en", "{generator}");
        assert_eq!(hit["categories"][0], "Events", "{generator}");
        // The body is searchable, the title too.
        assert_eq!(
            query(out.path(), "transboundary")["total"],
            1,
            "{generator}"
        );
        assert_eq!(query(out.path(), "dushanbe")["total"], 1, "{generator}");
        for word in CHROME {
            let hits = query(out.path(), word);
            assert_eq!(hits["total"], 0, "{generator}: {word:?} is chrome: {hits}");
        }
    }
}

#[test]
fn urls_come_from_the_file_path_with_index_html_as_its_folder() {
    let out = tempfile::tempdir().unwrap();
    let jekyll = repo().join("tests/fixtures/sites/jekyll");
    build(
        &jekyll,
        &[
            "_site",
            "--glob",
            "press/**/*.html",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    let hit = &query(out.path(), "sarybay")["hits"][0];
    assert_eq!(hit["url"], "/press/2023/10/27/minsk-conference.html");

    let out = tempfile::tempdir().unwrap();
    let hugo = repo().join("tests/fixtures/sites/hugo");
    build(
        &hugo,
        &[
            "public",
            "--glob",
            "press/*/index.html",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    let hit = &query(out.path(), "sarybay")["hits"][0];
    assert_eq!(hit["url"], "/press/minsk-conference/");
}

/// (title, date) of the hits of each query, the shape compared across formats.
fn answers(dir: &Path) -> BTreeMap<&'static str, Vec<(Value, Value)>> {
    [
        "dushanbe",
        "security",
        "digital skills",
        "summit",
        "forum",
        "minist",
        "cooperation water",
        "astana workshops",
    ]
    .into_iter()
    .map(|q| {
        let hits = query(dir, q);
        let list = hits["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["title"].clone(), h["date"].clone()))
            .collect();
        (q, list)
    })
    .collect()
}

#[test]
fn the_same_releases_as_markdown_jsonl_html_rss_and_atom_answer_alike() {
    let same = repo().join("tests/fixtures/feeds/same-releases");
    let mut all = Vec::new();
    for input in [
        "markdown",
        "releases.jsonl",
        "html",
        "releases.rss",
        "releases.atom.xml",
    ] {
        let out = tempfile::tempdir().unwrap();
        let summary = build(&same, &[input, "--out", out.path().to_str().unwrap()]);
        assert_eq!(summary["indexed"], 3, "{input}: {summary}");
        let answers = answers(out.path());
        assert!(
            answers.values().all(|hits| !hits.is_empty()),
            "{input}: {answers:?}"
        );
        all.push((input, answers));
    }
    for (input, answers) in &all[1..] {
        assert_eq!(answers, &all[0].1, "{input} differs from markdown");
    }
}

/// Every file of `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn an_incremental_rebuild_is_byte_identical_to_a_clean_build() {
    for split in ["never", "always"] {
        incremental_rebuilds(split);
    }
}

/// Builds the same inputs with the cache after each change (a release added, a file changed, a
/// file removed, the build state damaged) and without it, and compares the folders.
fn incremental_rebuilds(split: &'static str) {
    let work = tempfile::tempdir().unwrap();
    let releases = work.path().join("releases");
    std::fs::create_dir(&releases).unwrap();
    let same = repo().join("tests/fixtures/feeds/same-releases");
    for name in ["releases.jsonl", "releases.rss"] {
        std::fs::copy(same.join(name), releases.join(name)).unwrap();
    }
    let site = repo().join("tests/fixtures/sites/hugo/public");
    let args = |out: &str, extra: &[&'static str]| -> Vec<String> {
        let mut args = vec![
            "releases".to_string(),
            site.to_string_lossy().into_owned(),
            "--glob".into(),
            "press/*/index.html".into(),
            "--glob".into(),
            "*.jsonl".into(),
            "--glob".into(),
            "*.rss".into(),
            "--glob".into(),
            "*.md".into(),
            "--split".into(),
            split.into(),
            "--out".into(),
            out.into(),
        ];
        if !extra.contains(&"--no-cache") {
            args.extend(["--cache".to_string(), ".pressroom-cache".to_string()]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let run_build = |out: &str, extra: &[&'static str]| {
        let args = args(out, extra);
        build(
            work.path(),
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    // Builds `name` with the cache and `name-clean` without, and checks they are the same.
    let same_as_clean = |name: &str| -> Value {
        let incremental = run_build(name, &[]);
        let clean_name = format!("{name}-clean");
        let clean = run_build(&clean_name, &["--no-cache"]);
        assert_eq!(clean["cache"]["enabled"], false);
        assert_eq!(incremental["indexed"], clean["indexed"], "{split}: {name}");
        let (incremental_files, clean_files) = (
            files(&work.path().join(name)),
            files(&work.path().join(&clean_name)),
        );
        assert!(!clean_files.is_empty());
        assert_eq!(
            incremental_files.keys().collect::<Vec<_>>(),
            clean_files.keys().collect::<Vec<_>>(),
            "{split}: {name}"
        );
        for (path, bytes) in &clean_files {
            assert!(
                incremental_files[path] == *bytes,
                "{split}: {name}: {} differs",
                path.display()
            );
        }
        incremental
    };

    let first = run_build("first", &[]);
    assert_eq!(first["cache"]["misses"], 5, "{first}");
    assert_eq!(first["cache"]["kept"], 0, "{first}");
    assert!(work.path().join(".pressroom-cache").is_dir());
    let again = run_build("again", &[]);
    assert_eq!(again["cache"]["hits"], 5, "{again}");
    assert_eq!(again["cache"]["misses"], 0, "{again}");
    // Nothing changed: every release comes from the previous build.
    assert_eq!(again["cache"]["kept"], again["indexed"], "{again}");
    assert_eq!(
        files(&work.path().join("first")),
        files(&work.path().join("again"))
    );

    // One new release; the others are kept.
    std::fs::write(
        releases.join("new.md"),
        "---\ntitle: Ocelot sanctuary opens\ndate: 2024-03-01\n---\n\nA new sanctuary.\n",
    )
    .unwrap();
    let incremental = same_as_clean("incremental");
    assert_eq!(incremental["cache"]["hits"], 5, "{incremental}");
    assert_eq!(incremental["cache"]["misses"], 1, "{incremental}");
    assert_eq!(
        incremental["cache"]["kept"], first["indexed"],
        "{incremental}"
    );
    assert_eq!(
        query(&work.path().join("incremental"), "ocelot")["total"],
        1
    );

    // A file changed: its releases are analyzed again, the rest kept.
    let jsonl = std::fs::read_to_string(releases.join("releases.jsonl")).unwrap();
    let changed = jsonl.replacen("\"title\": \"", "\"title\": \"Updated: ", 1);
    assert_ne!(changed, jsonl, "the fixture has a title to change");
    std::fs::write(releases.join("releases.jsonl"), changed).unwrap();
    let edited = same_as_clean("edited");
    assert_eq!(edited["cache"]["misses"], 1, "{edited}");
    let kept = edited["cache"]["kept"].as_u64().unwrap();
    assert!(
        kept > 0 && kept < edited["indexed"].as_u64().unwrap(),
        "{edited}"
    );
    assert_eq!(query(&work.path().join("edited"), "updated")["total"], 1);

    // A file removed: its releases leave the index.
    std::fs::remove_file(releases.join("new.md")).unwrap();
    let removed = same_as_clean("removed");
    assert_eq!(removed["cache"]["misses"], 0, "{removed}");
    assert_eq!(removed["cache"]["kept"], removed["indexed"], "{removed}");
    assert_eq!(query(&work.path().join("removed"), "ocelot")["total"], 0);

    // A damaged build state is not used, and costs nothing but time: damaged records are
    // compressed again, damaged texts make the build analyze every release again.
    let cache = work.path().join(".pressroom-cache");
    let damage = |extension: &str| {
        let mut damaged = 0;
        for entry in std::fs::read_dir(&cache).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == extension) {
                let mut bytes = std::fs::read(&path).unwrap();
                let last = bytes.len() - 1;
                bytes[last] ^= 0x55;
                std::fs::write(&path, bytes).unwrap();
                damaged += 1;
            }
        }
        damaged
    };
    let records = damage("prr");
    assert_eq!(
        records > 0,
        split == "always",
        "{split}: {records} record files"
    );
    std::fs::write(
        releases.join("late.md"),
        "---\ntitle: Late release\ndate: 2024-04-01\n---\n\nA late one.\n",
    )
    .unwrap();
    let late = same_as_clean("late");
    assert_eq!(late["cache"]["kept"], removed["indexed"], "{late}");
    assert!(damage("prt") > 0);
    std::fs::remove_file(releases.join("late.md")).unwrap();
    let damaged = same_as_clean("damaged");
    assert_eq!(damaged["cache"]["kept"], 0, "{damaged}");
    // ...and the next build rebuilds from the state that one wrote.
    let mended = same_as_clean("mended");
    assert_eq!(mended["cache"]["kept"], mended["indexed"], "{mended}");
}

#[test]
fn the_json_summary_has_every_field_and_quiet_prints_only_the_summary() {
    let out = tempfile::tempdir().unwrap();
    let same = repo().join("tests/fixtures/feeds/same-releases");
    let summary = build(
        &same,
        &[
            "markdown",
            "--out",
            out.path().to_str().unwrap(),
            "--no-cache",
        ],
    );
    for key in [
        "inputs", "indexed", "skipped", "warnings", "terms", "files", "bytes", "seconds",
    ] {
        assert!(summary[key].is_number(), "{key}: {summary}");
    }
    for phase in ["load", "analyze", "cache", "write", "compress", "files"] {
        assert!(summary["phases"][phase].is_number(), "{phase}: {summary}");
    }
    let quiet = run(bin()
        .args(["build", "--quiet", "--no-cache", "--no-assets", "--out"])
        .arg(out.path())
        .arg(same.join("markdown")));
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&quiet.stdout).lines().count(), 1);
}

#[test]
fn failures_exit_non_zero() {
    let out = tempfile::tempdir().unwrap();
    let missing = bin()
        .args(["build", "/no/such/folder", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
    let usage = bin().args(["build", "--bogus"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn init_writes_a_starter_that_builds_and_unknown_keys_are_named() {
    let dir = tempfile::tempdir().unwrap();
    run(bin().current_dir(dir.path()).arg("init"));
    let refused = bin().current_dir(dir.path()).arg("init").output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    run(bin().current_dir(dir.path()).args(["init", "--force"]));

    // The starter reads public/ into public/pressroom.
    let public = dir.path().join("public/press/a");
    std::fs::create_dir_all(&public).unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/sites/hugo/public/press/water-summit/index.html"),
        public.join("index.html"),
    )
    .unwrap();
    let out = run(bin().current_dir(dir.path()).arg("build"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 releases indexed"));
    assert_eq!(
        query(&dir.path().join("public/pressroom"), "dushanbe")["total"],
        1
    );
    assert!(dir.path().join(".pressroom-cache").is_dir());

    let config = dir.path().join("pressroom.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("[limits]", "[limits]\nmax_bytes = 3")).unwrap();
    let bad = bin().current_dir(dir.path()).arg("build").output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("max_bytes") && err.contains("pressroom.toml"),
        "{err}"
    );
    assert!(err.contains("line"), "{err}");
}

#[test]
fn config_settings_apply_and_flags_override_them() {
    let dir = tempfile::tempdir().unwrap();
    let same = repo().join("tests/fixtures/feeds/same-releases");
    std::fs::write(
        dir.path().join("pressroom.toml"),
        format!(
            "inputs = [{:?}]\nout = \"out\"\ncache = false\nassets = false\nexcerpt_words = 5\n\
             [lang]\ndefault = \"kk\"\n[limits]\nmax_release_bytes = 60\n",
            same.join("releases.atom.xml")
        ),
    )
    .unwrap();
    let out = run(bin().current_dir(dir.path()).args(["build", "--json"]));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["indexed"], 3);
    // Every release is cut, and says so, but none is dropped.
    assert_eq!(summary["warnings"], 3, "{summary}");
    assert_eq!(summary["cache"]["enabled"], false);
    let hit = &query(&dir.path().join("out"), "dushanbe")["hits"][0];
    assert_eq!(hit["lang"], "kk");
    assert!(
        hit["excerpt"].as_str().unwrap().split_whitespace().count() <= 6,
        "{hit}"
    );
    // The rest of the body is cut off.
    assert_eq!(query(&dir.path().join("out"), "transboundary")["total"], 0);

    run(bin().current_dir(dir.path()).args([
        "build",
        "--lang",
        "ky",
        "--max-release-bytes",
        "100000",
        "--out",
        "flags",
    ]));
    let hit = &query(&dir.path().join("flags"), "transboundary")["hits"][0];
    assert_eq!(hit["lang"], "ky");
}
