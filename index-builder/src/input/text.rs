//! `.txt` releases in the shape many sites keep: an optional section line ("Press Releases"),
//! the headline, then paragraphs separated by blank lines.

use pressroom::Release;

use super::date::{date_in_path, date_in_text};
use super::title::{collapse_whitespace, truncate_words, MAX_TITLE_CHARS};
use super::url::file_url;
use super::{Document, Parsed};

/// A section line is a label, not a sentence: at most this many characters and words.
const MAX_SECTION_CHARS: usize = 40;
const MAX_SECTION_WORDS: usize = 6;
/// A paragraph longer than this is body text, not a headline.
const MAX_HEADLINE_CHARS: usize = 250;
/// Dates are looked for in this many paragraphs from the top, where datelines live; further down
/// a date is more likely an event's than the release's.
const DATE_PARAGRAPHS: usize = 5;

/// Reads a plain-text release. The date comes from the text when its first paragraphs name one,
/// else from the file's path.
pub(super) fn parse(document: &Document) -> Result<Parsed, String> {
    let paragraphs = paragraphs(document.text);
    let mut warnings = Vec::new();
    let mut rest = paragraphs.as_slice();
    let mut categories = Vec::new();
    if let [section, headline, ..] = rest {
        if is_section_line(section) && is_headline(headline) {
            categories.push(section.clone());
            rest = &rest[1..];
        }
    }
    // The caller has skipped blank documents, so there is a paragraph.
    let first = rest.first().ok_or("empty file")?;
    let headline = collapse_whitespace(first);
    let (title, body) = if headline.chars().count() <= MAX_HEADLINE_CHARS {
        (headline, &rest[1..])
    } else {
        // The file starts with prose: keep all of it as the body and title it by its opening.
        warnings.push(format!(
            "no headline (the first paragraph is {} characters long); title cut from it",
            headline.chars().count()
        ));
        (truncate_words(&headline, MAX_TITLE_CHARS), rest)
    };
    let date = paragraphs
        .iter()
        .take(DATE_PARAGRAPHS)
        .find_map(|paragraph| date_in_text(paragraph))
        .or_else(|| date_in_path(&document.file.path));
    Ok(Parsed {
        release: Release {
            url: file_url(&document.file.relative),
            title,
            date,
            categories,
            lang: None,
            body: body.join("\n\n"),
        },
        warnings,
        page: None,
    })
}

/// The paragraphs of `text`: runs of non-blank lines, each line trimmed, joined by `\n`.
fn paragraphs(text: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n"));
    }
    paragraphs
}

/// A short one-line label without sentence punctuation, like "Press Releases" or "News / Europe".
fn is_section_line(paragraph: &str) -> bool {
    !paragraph.contains('\n')
        && paragraph.chars().count() <= MAX_SECTION_CHARS
        && paragraph.split_whitespace().count() <= MAX_SECTION_WORDS
        && !paragraph.ends_with(['.', '!', '?', ':', ';', ','])
        && !paragraph.contains(". ")
}

/// What may follow a section line: a headline, which is short and is not a sentence ending in a
/// period. Without this, "ACME opens a plant" above "ACME said on Monday…" would be a section.
fn is_headline(paragraph: &str) -> bool {
    paragraph.lines().count() <= 3
        && paragraph.chars().count() <= MAX_HEADLINE_CHARS
        && !paragraph.ends_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::InputFile;
    use pressroom::Date;
    use std::path::PathBuf;

    fn parse_at(relative: &str, text: &str) -> Parsed {
        let file = InputFile {
            path: PathBuf::from("/in").join(relative),
            relative: PathBuf::from(relative),
            format: Ok(crate::input::Format::Text),
            direct: false,
        };
        parse(&Document { text, file: &file }).unwrap()
    }

    #[test]
    fn seed_release() {
        let text = include_str!(
            "../../../tests/fixtures/releases/cica/2023/10/27/cica-press-release-2023-10-27.txt"
        );
        let parsed = parse_at("press.txt", text);
        let release = parsed.release;
        assert_eq!(
            release.title,
            "CICA Secretary General takes part in international conference on Eurasian security in Minsk"
        );
        assert_eq!(release.categories, vec!["Press Releases"]);
        // "on 26-27 October 2023" in the first paragraph; the path has no date here.
        assert_eq!(release.date, Date::new(2023, 10, 27));
        assert_eq!(release.url, "/press");
        assert!(release
            .body
            .starts_with("Secretary General of the Conference"));
        assert!(release.body.ends_with("future Euro-Asian security."));
        assert_eq!(release.body.matches("\n\n").count(), 3, "four paragraphs");
        assert!(parsed.warnings.is_empty());
    }

    #[test]
    fn without_section_line_the_first_paragraph_is_the_headline() {
        let text = "ACME opens a plant in Ohio\n\nACME said on Monday it would open a plant. It will employ 200.\n";
        let release = parse_at("x.txt", text).release;
        assert_eq!(release.title, "ACME opens a plant in Ohio");
        assert!(release.categories.is_empty());
        assert_eq!(
            release.body,
            "ACME said on Monday it would open a plant. It will employ 200."
        );
    }

    #[test]
    fn a_short_sentence_is_not_a_section_line() {
        let text = "We grew.\n\nACME results\n\nBody text.";
        let release = parse_at("x.txt", text).release;
        assert_eq!(release.title, "We grew.");
        assert!(release.categories.is_empty());
    }

    #[test]
    fn a_short_line_followed_by_prose_is_the_headline() {
        let long = "Lorem ipsum dolor sit amet. ".repeat(20);
        let text = format!("Quarterly results\n\n{long}");
        let release = parse_at("x.txt", &text).release;
        assert_eq!(release.title, "Quarterly results");
        assert!(release.categories.is_empty());
        assert_eq!(release.body, long.trim());
    }

    #[test]
    fn a_wrapped_headline_is_joined() {
        let text = "News\n\nACME opens a plant\nin Ohio\n\nBody.";
        let release = parse_at("x.txt", text).release;
        assert_eq!(release.title, "ACME opens a plant in Ohio");
        assert_eq!(release.categories, vec!["News"]);
    }

    #[test]
    fn prose_without_headline_gets_a_cut_title_and_a_warning() {
        let long =
            "The company announced record results for the third quarter of the year. ".repeat(5);
        let parsed = parse_at("x.txt", &long);
        assert!(parsed.release.title.ends_with('…'));
        assert!(parsed.release.title.chars().count() <= MAX_TITLE_CHARS);
        assert_eq!(parsed.release.body, long.trim());
        assert_eq!(parsed.warnings.len(), 1);
        assert!(
            parsed.warnings[0].starts_with("no headline"),
            "{:?}",
            parsed.warnings
        );
    }

    #[test]
    fn date_from_text_wins_over_path() {
        let text = "Title\n\nPARIS, March 08, 2024 -- Body.";
        assert_eq!(
            parse_at("2020/01/01/x.txt", text).release.date,
            Date::new(2024, 3, 8)
        );
    }

    #[test]
    fn date_from_path_when_text_has_none() {
        let text = "Title\n\nBody without a date.";
        assert_eq!(
            parse_at("2023/10/27/x.txt", text).release.date,
            Date::new(2023, 10, 27)
        );
        assert_eq!(
            parse_at("notes-2021-06-30.txt", text).release.date,
            Date::new(2021, 6, 30)
        );
        assert_eq!(parse_at("x.txt", text).release.date, None);
    }

    #[test]
    fn dates_deep_in_the_text_are_not_the_release_date() {
        let mut text = String::from("Title\n\n");
        for _ in 0..DATE_PARAGRAPHS {
            text.push_str("A paragraph.\n\n");
        }
        text.push_str("The event takes place on 5 June 2030.");
        assert_eq!(parse_at("x.txt", &text).release.date, None);
    }

    #[test]
    fn crlf_and_indented_lines() {
        let text = "  Press Releases\r\n\r\n  Title here  \r\n \r\nBody line one\r\nline two\r\n";
        let release = parse_at("x.txt", text).release;
        assert_eq!(release.categories, vec!["Press Releases"]);
        assert_eq!(release.title, "Title here");
        assert_eq!(release.body, "Body line one\nline two");
    }
}
