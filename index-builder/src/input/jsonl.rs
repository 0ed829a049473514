//! JSON Lines exports (`.jsonl`, `.jsonl.gz`): one release per line, with the fields of
//! `shared/corpus/README.md`: `id`, `url`, `title`, `date`, `category`, `lang`, `body`.
//!
//! Files are streamed line by line, since an export of a whole newsroom can be larger than memory
//! would like; a bad line costs that line only.

use std::io::{BufRead, BufReader};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use pressroom::Release;
use serde_json::Value;

use super::fields::{dedup, describe, Fields};
use super::plain_text::markdown_to_text;
use super::title::{clean_title, title_from_text};
use super::{decode, FileOutcome, InputFile, Parsed, Source};

/// Reads every line of a JSON Lines file, gunzipping it on the way when `gzip` is set.
pub(super) fn read(file: &InputFile, bytes: &[u8], gzip: bool) -> FileOutcome {
    let handle = bytes;
    if gzip {
        // Multi-member, as `cat a.gz b.gz` and parallel compressors produce.
        read_lines(BufReader::new(MultiGzDecoder::new(handle)), &file.path)
    } else {
        read_lines(BufReader::new(handle), &file.path)
    }
}

/// Reads releases from `reader`, one JSON object per line; blank lines are ignored.
fn read_lines(mut reader: impl BufRead, path: &Path) -> FileOutcome {
    let mut outcome = FileOutcome::default();
    let mut buffer = Vec::new();
    let mut number = 0;
    loop {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) => break,
            Ok(_) => number += 1,
            Err(err) => {
                // A truncated or corrupt gzip stream: what came before stands, the rest is lost.
                outcome.skip(
                    Source::line(path, number + 1),
                    format!("cannot read line {}: {err}", number + 1),
                );
                return outcome;
            }
        }
        let (text, lossy) = decode(&buffer);
        let line = text.trim();
        let line = if number == 1 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        if line.is_empty() {
            continue;
        }
        outcome.record(Source::line(path, number), parse_line(line), lossy);
    }
    if outcome.attempted == 0 {
        outcome.skip(Source::file(path), "empty file");
    }
    outcome
}

/// Makes a release of one line of JSON, or says why it cannot be indexed.
fn parse_line(line: &str) -> Result<Parsed, String> {
    let value: Value = serde_json::from_str(line).map_err(|err| {
        // The position inside a single line is its column; "line 1" would mislead.
        format!(
            "line is not valid JSON: {}",
            err.to_string().replace(" at line 1 column ", " at column ")
        )
    })?;
    let Value::Object(map) = value else {
        return Err(format!(
            "line is {}, expected a JSON object",
            describe(&value)
        ));
    };
    let mut fields = Fields::new(&map, "field");
    let url = fields
        .string(&["url", "id"])
        .ok_or("line has neither `url` nor `id`")?;
    let title = fields
        .string(&["title"])
        .map(|title| clean_title(&title))
        .filter(|t| !t.is_empty());
    let date = fields.date("date");
    let categories = dedup(
        fields
            .strings(&["category", "categories", "tags"])
            .iter()
            .map(|c| clean_title(c))
            .collect(),
    );
    let lang = fields.string(&["lang", "language"]);
    let body = fields
        .string(&["body"])
        .map(|body| markdown_to_text(&body))
        .unwrap_or_default();
    let mut warnings = fields.warnings;
    let title = match title {
        Some(title) => title,
        None => {
            let title = title_from_text(&body).ok_or("line has no title and no body")?;
            warnings.push("no title; the start of the body is the title".to_string());
            title
        }
    };
    Ok(Parsed {
        release: Release {
            url,
            title,
            date,
            categories,
            lang,
            body,
        },
        warnings,
        page: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Severity;
    use pressroom::Date;
    use std::io::Cursor;

    fn read_str(text: &str) -> FileOutcome {
        read_lines(
            Cursor::new(text.as_bytes().to_vec()),
            Path::new("wire.jsonl"),
        )
    }

    #[test]
    fn corpus_line() {
        let line = r#"{"id": "nw-1", "url": "/releases/2024/0308/x/", "title": "Q&amp;A with   Drew Shula", "date": "2024-03-08", "category": "247PressRelease", "lang": "en", "body": "YERINGTON, NV -- **Bold** [link](https://x.org) &amp; more.\n\nSecond paragraph.", "reason": "ignored"}"#;
        let outcome = read_str(line);
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        assert_eq!(outcome.attempted, 1);
        let loaded = &outcome.releases[0];
        assert_eq!(loaded.source, Source::line(Path::new("wire.jsonl"), 1));
        let release = &loaded.release;
        assert_eq!(release.url, "/releases/2024/0308/x/");
        assert_eq!(release.title, "Q&A with Drew Shula");
        assert_eq!(release.date, Date::new(2024, 3, 8));
        assert_eq!(release.categories, vec!["247PressRelease"]);
        assert_eq!(release.lang.as_deref(), Some("en"));
        assert_eq!(
            release.body,
            "YERINGTON, NV -- Bold link & more.\n\nSecond paragraph."
        );
    }

    #[test]
    fn category_list_null_fields_and_id_as_url() {
        let line = r#"{"id": "tricky-0061", "title": "Article", "date": null, "category": ["udhr", "Article 1", "udhr"], "lang": null, "body": "Text."}"#;
        let outcome = read_str(line);
        let release = &outcome.releases[0].release;
        assert_eq!(release.url, "tricky-0061");
        assert_eq!(release.date, None);
        assert_eq!(release.lang, None);
        assert_eq!(release.categories, vec!["udhr", "Article 1"]);
        assert!(outcome.problems.is_empty());
    }

    #[test]
    fn null_title_falls_back_to_the_body_with_a_warning() {
        let body = "ACME opens a plant ".repeat(20);
        let line =
            serde_json::json!({"url": "/x", "title": null, "body": format!("{body}\nSecond line")})
                .to_string();
        let outcome = read_str(&line);
        let title = &outcome.releases[0].release.title;
        // Six repeats and a word fill the 119 characters before the ellipsis.
        assert_eq!(title, &format!("{}ACME…", "ACME opens a plant ".repeat(6)));
        assert_eq!(
            outcome.releases[0].release.body,
            format!("{}\nSecond line", body.trim_end())
        );
        assert_eq!(outcome.problems.len(), 1);
        assert_eq!(outcome.problems[0].severity, Severity::Warning);
        assert_eq!(
            outcome.problems[0].message,
            "no title; the start of the body is the title"
        );
    }

    #[test]
    fn missing_title_and_body_is_skipped() {
        let outcome = read_str(r#"{"url": "/x", "title": "  ", "body": ""}"#);
        assert!(outcome.releases.is_empty());
        assert_eq!(outcome.problems[0].severity, Severity::Skipped);
        assert_eq!(outcome.problems[0].message, "line has no title and no body");
    }

    #[test]
    fn bad_lines_are_skipped_with_their_number_and_blank_lines_ignored() {
        let text = "{\"url\": \"/a\", \"title\": \"A\"}\n\n   \n{not json}\n[1, 2]\n{\"title\": \"no url\"}\n{\"url\": \"/b\", \"title\": \"B\"}\n";
        let outcome = read_str(text);
        let urls: Vec<_> = outcome
            .releases
            .iter()
            .map(|r| (r.release.url.as_str(), r.source.line))
            .collect();
        assert_eq!(urls, vec![("/a", Some(1)), ("/b", Some(7))]);
        let problems: Vec<_> = outcome
            .problems
            .iter()
            .map(|p| (p.source.line, p.severity, p.message.as_str()))
            .collect();
        assert_eq!(
            problems,
            vec![
                (
                    Some(4),
                    Severity::Skipped,
                    "line is not valid JSON: key must be a string at column 2"
                ),
                (
                    Some(5),
                    Severity::Skipped,
                    "line is a list, expected a JSON object"
                ),
                (
                    Some(6),
                    Severity::Skipped,
                    "line has neither `url` nor `id`"
                ),
            ]
        );
        assert_eq!(outcome.attempted, 5);
    }

    #[test]
    fn wrong_types_are_warnings() {
        let outcome =
            read_str(r#"{"url": "/a", "title": "A", "date": 20231027, "category": {"a": 1}}"#);
        assert_eq!(outcome.releases.len(), 1);
        let messages: Vec<_> = outcome
            .problems
            .iter()
            .map(|p| p.message.as_str())
            .collect();
        assert_eq!(
            messages,
            vec![
                "field `date` is a number, expected a date string",
                "field `category` is a table, expected a string or a list of strings",
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily_with_a_warning() {
        let mut bytes = br#"{"url": "/a", "title": "Caf"#.to_vec();
        bytes.push(0xE9); // Latin-1 é
        bytes.extend_from_slice(b"\"}\n");
        let outcome = read_lines(Cursor::new(bytes), Path::new("w.jsonl"));
        assert_eq!(outcome.releases[0].release.title, "Caf\u{fffd}");
        assert_eq!(outcome.problems.len(), 1);
        assert_eq!(outcome.problems[0].severity, Severity::Warning);
        assert_eq!(outcome.problems[0].source.line, Some(1));
    }

    #[test]
    fn byte_order_mark_and_crlf() {
        let outcome = read_str("\u{feff}{\"url\": \"/a\", \"title\": \"A\"}\r\n{\"url\": \"/b\", \"title\": \"B\"}\r\n");
        assert_eq!(outcome.releases.len(), 2);
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    }

    #[test]
    fn empty_file_is_skipped() {
        let outcome = read_str("\n\n");
        assert_eq!(outcome.attempted, 1);
        assert_eq!(outcome.problems[0].message, "empty file");
        assert_eq!(outcome.problems[0].source.line, None);
    }
}
