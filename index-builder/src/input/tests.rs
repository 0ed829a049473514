//! Tests of [`load`] as a whole: walking, dispatch, ordering, accounting, on temporary folders and
//! on the shared fixtures in `tests/fixtures/releases/`.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use pressroom::Date;

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/releases")
}

fn write(dir: &Path, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, contents).unwrap();
    path
}

fn urls(loaded: &Loaded) -> Vec<&str> {
    loaded
        .releases
        .iter()
        .map(|r| r.release.url.as_str())
        .collect()
}

fn release<'a>(loaded: &'a Loaded, url: &str) -> &'a Release {
    &loaded
        .releases
        .iter()
        .find(|r| r.release.url == url)
        .unwrap_or_else(|| panic!("no release at {url}"))
        .release
}

fn assert_accounted(loaded: &Loaded) {
    assert_eq!(
        loaded.inputs,
        loaded.releases.len() + loaded.skipped(),
        "{:#?}",
        loaded.problems
    );
}

#[test]
fn fixtures_load_in_walk_order_without_problems() {
    let loaded = load(&[fixtures()]).unwrap();
    assert!(loaded.problems.is_empty(), "{:#?}", loaded.problems);
    assert_eq!(loaded.inputs, 17);
    let wire: Vec<&str> = loaded.releases[9..]
        .iter()
        .map(|r| r.release.url.as_str())
        .collect();
    assert_eq!(
        urls(&loaded)[..9],
        [
            "/cica/2023/10/27/cica-press-release-2023-10-27",
            "/fr/2024/03/15/usine-lyon",
            "/lumen/2023/12/04/winter-clinic",
            "/press/lumen-community-grants/",
            "/lumen/board-appointment",
            "/northwind/2023/q3-2023-results",
            "/northwind/2024/05/02/hydrogen-plant",
            "/northwind/2024/new-ceo/",
            "/northwind/2025/wind-farm",
        ]
    );
    assert_eq!(wire.len(), 8);
    assert!(
        wire.iter().all(|url| url.starts_with("/releases/")),
        "{wire:?}"
    );
    let lines: Vec<_> = loaded.releases[9..].iter().map(|r| r.source.line).collect();
    assert_eq!(lines, (1..=8).map(Some).collect::<Vec<_>>());
    assert!(loaded.releases[9].source.path.ends_with("wire.jsonl"));
}

#[test]
fn fixtures_seed_release() {
    let loaded = load(&[fixtures()]).unwrap();
    let seed = release(&loaded, "/cica/2023/10/27/cica-press-release-2023-10-27");
    assert_eq!(
        seed.title,
        "CICA Secretary General takes part in international conference on Eurasian security in Minsk"
    );
    assert_eq!(seed.date, Date::new(2023, 10, 27));
    assert_eq!(seed.categories, vec!["Press Releases"]);
}

#[test]
fn fixtures_markdown_releases() {
    let loaded = load(&[fixtures()]).unwrap();

    let grant = release(&loaded, "/press/lumen-community-grants/");
    assert_eq!(
        grant.title,
        "Lumen Health Foundation awards £1.5 million in community grants"
    );
    assert_eq!(grant.date, Date::new(2024, 6, 20), "from the file name");
    assert_eq!(grant.categories, vec!["Grants"]);
    assert!(grant
        .body
        .starts_with("Lumen Health Foundation logo\n\nThe Lumen Health Foundation has awarded"));
    assert!(grant
        .body
        .contains("Small charities & community groups are encouraged to apply."));
    assert!(!grant.body.contains('<'), "{}", grant.body);

    let clinic = release(&loaded, "/lumen/2023/12/04/winter-clinic");
    assert_eq!(clinic.date, Date::new(2023, 12, 4), "from the folders");

    let board = release(&loaded, "/lumen/board-appointment");
    assert_eq!(
        board.title,
        "Lumen Health Foundation welcomes two new trustees"
    );
    assert_eq!(board.date, None);
    assert!(board
        .body
        .starts_with("The Lumen Health Foundation has appointed"));

    let results = release(&loaded, "/northwind/2023/q3-2023-results");
    assert_eq!(results.date, Date::new(2023, 11, 9));
    assert_eq!(results.categories, vec!["Finance", "Investors"]);
    assert!(
        results.body.contains("Q3 2023 412 2,240"),
        "{}",
        results.body
    );

    let hydrogen = release(&loaded, "/northwind/2024/05/02/hydrogen-plant");
    assert_eq!(
        hydrogen.categories,
        vec!["Energy", "Operations", "hydrogen", "Netherlands"]
    );
    assert!(hydrogen
        .body
        .contains("the port's heavy-duty truck fleet,\ntwo refineries"));
    assert!(hydrogen
        .body
        .ends_with("More details are in the project brief."));

    let ceo = release(&loaded, "/northwind/2024/new-ceo/");
    assert_eq!(ceo.date, Date::new(2024, 2, 12));
    assert_eq!(ceo.categories, vec!["Leadership"]);

    let wind = release(&loaded, "/northwind/2025/wind-farm");
    assert_eq!(wind.lang.as_deref(), Some("en-GB"));
    assert_eq!(wind.categories, vec!["Projects", "wind", "offshore"]);
    assert!(
        wind.body.starts_with("Northwind Energy and its partners"),
        "{}",
        wind.body
    );

    let usine = release(&loaded, "/fr/2024/03/15/usine-lyon");
    assert_eq!(usine.lang.as_deref(), Some("fr"));
    assert_eq!(
        usine.title,
        "Inauguration d’une usine de recyclage de batteries à Vénissieux"
    );
    assert_eq!(usine.categories, vec!["Industrie", "Économie circulaire"]);
    assert!(usine.body.contains("« C’est une étape décisive"));
}

#[test]
fn fixtures_wire_releases() {
    let loaded = load(&[fixtures().join("wire.jsonl")]).unwrap();
    assert!(loaded.problems.is_empty(), "{:#?}", loaded.problems);
    assert_eq!(loaded.releases.len(), 8);
    let first = &loaded.releases[0].release;
    assert!(
        first
            .title
            .contains("Veterans, Kids & Adults Facing Physical & Emotional"),
        "{}",
        first.title
    );
    assert_eq!(first.date, Date::new(2025, 6, 11));
    assert_eq!(first.categories, vec!["247PressRelease"]);
    assert_eq!(first.lang.as_deref(), Some("en"));
    for loaded in &loaded.releases {
        let body = &loaded.release.body;
        // Link targets and image URLs are gone, their text stays.
        assert!(!body.contains("](http"), "{body}");
        assert!(body.contains("Original/Source Press Release"), "{body}");
        assert!(body.ends_with("Blockchain Registration"), "{body}");
    }
    let meme = &loaded.releases[1].release;
    assert!(
        meme.body.contains("House of Brett\n\nHouse of Pepe"),
        "{}",
        meme.body
    );
}

#[test]
fn a_file_named_directly_is_its_own_root() {
    let path = fixtures().join("cica/2023/10/27/cica-press-release-2023-10-27.txt");
    let loaded = load(std::slice::from_ref(&path)).unwrap();
    assert_eq!(urls(&loaded), vec!["/cica-press-release-2023-10-27"]);
    assert_eq!(loaded.releases[0].source, Source { path, line: None });
}

#[test]
fn a_missing_input_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let err = load(std::slice::from_ref(&missing)).unwrap_err();
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[test]
fn unsupported_files_are_ignored_in_folders_but_skipped_when_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", "Title\n\nBody.");
    let pdf = write(dir.path(), "b.pdf", "%PDF-1.7");
    write(dir.path(), "c.docx", "PK");
    let folder = load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(urls(&folder), vec!["/a"]);
    assert!(folder.problems.is_empty());
    assert_eq!(folder.inputs, 1);

    let named = load(std::slice::from_ref(&pdf)).unwrap();
    assert!(named.releases.is_empty());
    assert_eq!(named.inputs, 1);
    assert_eq!(named.problems.len(), 1);
    assert_eq!(named.problems[0].severity, Severity::Skipped);
    assert_eq!(named.problems[0].source.path, pdf);
    assert!(named.problems[0]
        .message
        .starts_with("unsupported file type"));
}

#[test]
fn hidden_entries_and_readmes_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".git/notes.md", "# Not a release");
    write(dir.path(), ".draft.md", "# Not a release");
    write(dir.path(), "README.md", "# About this folder");
    write(dir.path(), "sub/readme.txt", "About this folder");
    write(dir.path(), "sub/real.md", "# A release");
    let loaded = load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(urls(&loaded), vec!["/sub/real"]);
    assert_eq!(loaded.inputs, 1);
}

#[test]
fn a_hidden_root_is_still_walked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".site/x.md", "# X");
    let loaded = load(&[dir.path().join(".site")]).unwrap();
    assert_eq!(urls(&loaded), vec!["/x"]);
}

#[test]
fn empty_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", "");
    write(dir.path(), "b.md", " \n\t\n");
    write(dir.path(), "c.jsonl", "");
    write(dir.path(), "d.md", "\u{feff}");
    let loaded = load(&[dir.path().to_path_buf()]).unwrap();
    assert!(loaded.releases.is_empty());
    assert_eq!(loaded.inputs, 4);
    let messages: Vec<_> = loaded
        .problems
        .iter()
        .map(|p| (p.severity, p.message.as_str()))
        .collect();
    assert_eq!(messages, vec![(Severity::Skipped, "empty file"); 4]);
}

#[test]
fn invalid_utf8_is_read_lossily_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "latin1.txt",
        b"Caf\xe9 opens\n\nThe caf\xe9 opened.\n",
    );
    let loaded = load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(loaded.releases[0].release.title, "Caf\u{fffd} opens");
    assert_eq!(
        loaded.problems,
        vec![Problem {
            source: Source { path, line: None },
            severity: Severity::Warning,
            message: INVALID_UTF8.into()
        }]
    );
}

#[test]
fn bad_front_matter_is_skipped_with_the_parser_message() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.md", "---\ntitle: [oops\n---\nBody");
    write(
        dir.path(),
        "good.md",
        "---\ntitle: Good\ndate: [2023]\n---\nBody",
    );
    let loaded = load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(urls(&loaded), vec!["/good"]);
    assert_eq!(loaded.problems.len(), 2);
    assert_eq!(loaded.problems[0].severity, Severity::Skipped);
    assert!(loaded.problems[0].source.path.ends_with("bad.md"));
    assert!(loaded.problems[0]
        .message
        .starts_with("front matter is not valid YAML: "));
    assert_eq!(loaded.problems[1].severity, Severity::Warning);
    assert_eq!(
        loaded.problems[1].message,
        "front matter `date` is a list, expected a date string"
    );
    assert_accounted(&loaded);
}

#[test]
fn gzipped_json_lines_are_streamed_including_multiple_members() {
    use flate2::write::GzEncoder;
    use flate2::Compression;
    let gzip = |text: &str| {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    };
    let mut bytes = gzip("{\"url\": \"/a\", \"title\": \"A\"}\n");
    bytes.extend(gzip("{\"url\": \"/b\", \"title\": \"B\"}\nnot json\n"));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "wire.jsonl.gz", bytes);
    let loaded = load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(urls(&loaded), vec!["/a", "/b"]);
    assert_eq!(loaded.problems.len(), 1);
    assert_eq!(loaded.problems[0].source.line, Some(3));
    assert!(loaded.problems[0]
        .message
        .starts_with("line is not valid JSON"));
    assert_accounted(&loaded);
}

#[test]
fn a_corrupt_gzip_file_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "wire.jsonl.gz",
        "{\"url\": \"/a\", \"title\": \"not compressed\"}\n",
    );
    let loaded = load(&[dir.path().to_path_buf()]).unwrap();
    assert!(loaded.releases.is_empty());
    assert_eq!(loaded.problems.len(), 1);
    assert_eq!(loaded.problems[0].severity, Severity::Skipped);
    assert!(
        loaded.problems[0]
            .message
            .starts_with("cannot read line 1: "),
        "{}",
        loaded.problems[0].message
    );
    assert_accounted(&loaded);
}

#[test]
fn order_follows_names_not_creation_or_scheduling() {
    let dir = tempfile::tempdir().unwrap();
    // Created in reverse so that directory order (often creation order) differs from name order.
    for i in (0..40).rev() {
        write(
            dir.path(),
            &format!("{:02}/r.md", i),
            format!("# Release {i}\n\nBody {i}."),
        );
    }
    write(
        dir.path(),
        "40.jsonl",
        "{\"url\": \"/j1\", \"title\": \"J1\"}\n{\"url\": \"/j2\", \"title\": \"J2\"}\n",
    );
    let first = load(&[dir.path().to_path_buf()]).unwrap();
    let mut expected: Vec<String> = (0..40).map(|i| format!("/{i:02}/r")).collect();
    expected.extend(["/j1".to_string(), "/j2".to_string()]);
    assert_eq!(urls(&first), expected);
    for _ in 0..3 {
        assert_eq!(load(&[dir.path().to_path_buf()]).unwrap(), first);
    }
}

#[test]
fn inputs_keep_their_command_line_order() {
    let dir = tempfile::tempdir().unwrap();
    let b = write(dir.path(), "b.md", "# B");
    let a = write(dir.path(), "a.md", "# A");
    let loaded = load(&[b, a]).unwrap();
    assert_eq!(urls(&loaded), vec!["/b", "/a"]);
}

#[test]
fn every_attempt_is_indexed_or_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", "Title\n\nBody.");
    write(dir.path(), "b.txt", "");
    write(dir.path(), "c.jsonl", "{\"url\": \"/c1\", \"title\": null, \"body\": \"Body\"}\n[]\n\n{\"title\": \"x\"}\n{\"url\": \"/c5\", \"title\": \"C5\"}\n");
    write(dir.path(), "d.md", "+++\ntitle = \n+++\n");
    let named = write(dir.path(), "e.docx", "binary");
    let loaded = load(&[dir.path().to_path_buf(), named]).unwrap();
    assert_eq!(urls(&loaded), vec!["/a", "/c1", "/c5"]);
    assert_eq!(loaded.skipped(), 5, "{:#?}", loaded.problems);
    assert_eq!(loaded.warnings(), 1, "{:#?}", loaded.problems);
    assert_eq!(loaded.inputs, 8);
    assert_accounted(&loaded);
}

#[test]
fn problems_display_like_compiler_messages() {
    let problem = Problem {
        source: Source {
            path: PathBuf::from("in/wire.jsonl"),
            line: Some(4),
        },
        severity: Severity::Skipped,
        message: "line is not valid JSON".into(),
    };
    assert_eq!(
        problem.to_string(),
        "in/wire.jsonl:4: skipped: line is not valid JSON"
    );
    let warning = Problem {
        source: Source {
            path: PathBuf::from("a.md"),
            line: None,
        },
        severity: Severity::Warning,
        message: "m".into(),
    };
    assert_eq!(warning.to_string(), "a.md: warning: m");
}

#[test]
fn format_dispatch_by_name() {
    assert_eq!(Format::of(Path::new("a/B.TXT")), Some(Format::Text));
    assert_eq!(Format::of(Path::new("a.markdown")), Some(Format::Markdown));
    assert_eq!(Format::of(Path::new("a.md")), Some(Format::Markdown));
    assert_eq!(Format::of(Path::new("a.jsonl")), Some(Format::JsonLines));
    assert_eq!(
        Format::of(Path::new("a.JSONL.gz")),
        Some(Format::GzJsonLines)
    );
    assert_eq!(Format::of(Path::new("a.gz")), None);
    assert_eq!(Format::of(Path::new("a.json")), None);
    assert_eq!(Format::of(Path::new("txt")), None);
}
