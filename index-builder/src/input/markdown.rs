//! Markdown releases, with optional YAML (`---`) or TOML (`+++`) front matter as Jekyll, Hugo,
//! Eleventy and Zola write it.

use pressroom::Release;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag};

use super::date::date_in_path;
use super::fields::{dedup, Fields};
use super::front_matter;
use super::plain_text::{markdown_options, markdown_to_text};
use super::title::{clean_title, collapse_whitespace};
use super::url::{explicit_url, file_url, with_slug};
use super::{Document, Parsed};

/// Reads a Markdown release.
///
/// Front matter gives `title`, `date`, `url` or `slug`, `categories`/`category` and `tags`
/// (merged in that order), and `lang` or `language`. Without a title there, the first level-one
/// heading is the title and leaves the body; failing that, the file name is.
/// Without a date there, the path may give one (`2023/10/27/x.md`, `2023-10-27-x.md`).
pub(super) fn parse(document: &Document) -> Result<Parsed, String> {
    let split = front_matter::split(document.text)?;
    let map = match split.front_matter {
        Some((syntax, text)) => front_matter::parse(syntax, text)?,
        None => serde_json::Map::new(),
    };
    let mut fields = Fields::new(&map, "front matter");
    let front_title = fields.string(&["title"]).map(|t| clean_title(&t));
    let date = fields.date("date");
    let url = fields.string(&["url"]);
    let slug = fields.string(&["slug"]);
    let categories = fields.strings(&["categories", "category", "tags"]);
    let categories = dedup(categories.iter().map(|c| clean_title(c)).collect());
    let lang = fields.string(&["lang", "language"]);
    let mut warnings = fields.warnings;

    let (title, body) = match front_title {
        // Many sites repeat the title as the first heading; indexing it twice would only skew
        // ranking, so a heading that says the same goes.
        Some(title) => match first_heading(split.body) {
            Some((heading, without)) if heading.to_lowercase() == title.to_lowercase() => {
                (title, markdown_to_text(&without))
            }
            _ => (title, markdown_to_text(split.body)),
        },
        None => match first_heading(split.body) {
            Some((title, without)) => (title, markdown_to_text(&without)),
            None => {
                let stem = document
                    .file
                    .path
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                warnings.push(
                    "no title in front matter and no `# ` heading; the file name is the title"
                        .to_string(),
                );
                (stem, markdown_to_text(split.body))
            }
        },
    };

    let url = match (url, slug) {
        (Some(url), _) => explicit_url(&url),
        (None, Some(slug)) => with_slug(&file_url(&document.file.relative), &slug),
        (None, None) => file_url(&document.file.relative),
    };
    Ok(Parsed {
        release: Release {
            url,
            title,
            date: date.or_else(|| date_in_path(&document.file.path)),
            categories,
            lang,
            body,
        },
        warnings,
        page: None,
    })
}

/// The text of the first level-one heading (`# Title` or `Title\n===`), and the Markdown without
/// it. A heading with no text does not count.
fn first_heading(markdown: &str) -> Option<(String, String)> {
    let mut parser = Parser::new_ext(markdown, markdown_options()).into_offset_iter();
    let range = parser.find_map(|(event, range)| {
        matches!(
            event,
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            })
        )
        .then_some(range)
    })?;
    let title = collapse_whitespace(&markdown_to_text(&markdown[range.clone()]));
    if title.is_empty() {
        return None;
    }
    let without = format!("{}{}", &markdown[..range.start], &markdown[range.end..]);
    Some((title, without))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Format, InputFile};
    use pressroom::Date;
    use std::path::PathBuf;

    fn parse_at(relative: &str, text: &str) -> Result<Parsed, String> {
        let file = InputFile {
            path: PathBuf::from("/in").join(relative),
            relative: PathBuf::from(relative),
            format: Ok(Format::Markdown),
            direct: false,
        };
        parse(&Document { text, file: &file })
    }

    #[test]
    fn yaml_front_matter() {
        let md = "---\ntitle: \"Hydrogen plant opens\"\ndate: 2024-05-02\ncategories: [Energy, News]\ntags:\n  - hydrogen\n  - News\nlang: en-GB\n---\n\nThe **plant** opened.\n";
        let parsed = parse_at("energy/plant.md", md).unwrap();
        let release = parsed.release;
        assert_eq!(release.title, "Hydrogen plant opens");
        assert_eq!(release.date, Date::new(2024, 5, 2));
        assert_eq!(release.categories, vec!["Energy", "News", "hydrogen"]);
        assert_eq!(release.lang.as_deref(), Some("en-GB"));
        assert_eq!(release.url, "/energy/plant");
        assert_eq!(release.body, "The plant opened.");
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    #[test]
    fn toml_front_matter_with_date_value_and_slug() {
        let md = "+++\ntitle = \"Quarterly results\"\ndate = 2023-11-09T08:00:00Z\nslug = \"q3-2023\"\ncategory = \"Finance\"\nlanguage = \"de\"\n+++\nRevenue rose.";
        let release = parse_at("2023/results.md", md).unwrap().release;
        assert_eq!(release.title, "Quarterly results");
        assert_eq!(release.date, Date::new(2023, 11, 9));
        assert_eq!(release.url, "/2023/q3-2023");
        assert_eq!(release.categories, vec!["Finance"]);
        assert_eq!(release.lang.as_deref(), Some("de"));
        assert_eq!(release.body, "Revenue rose.");
    }

    #[test]
    fn url_wins_over_slug_and_path() {
        let md = "---\ntitle: T\nurl: /press/2024/merger/\nslug: ignored\n---\nBody";
        assert_eq!(
            parse_at("a/b.md", md).unwrap().release.url,
            "/press/2024/merger/"
        );
    }

    #[test]
    fn index_file_url_is_its_folder() {
        let md = "---\ntitle: T\n---\nBody";
        assert_eq!(parse_at("news/index.md", md).unwrap().release.url, "/news/");
    }

    #[test]
    fn heading_is_the_title_without_front_matter() {
        let md = "Intro line.\n\n# ACME &amp; Partners *merge*\n\nThe merger closed.\n\n# Second heading\n";
        let parsed = parse_at("merger.md", md).unwrap();
        assert_eq!(parsed.release.title, "ACME & Partners merge");
        assert_eq!(
            parsed.release.body,
            "Intro line.\n\nThe merger closed.\n\nSecond heading"
        );
        assert!(parsed.warnings.is_empty());
    }

    #[test]
    fn setext_heading_is_a_title_too() {
        let md = "ACME merges\n===========\n\nBody.";
        let release = parse_at("m.md", md).unwrap().release;
        assert_eq!(release.title, "ACME merges");
        assert_eq!(release.body, "Body.");
    }

    #[test]
    fn heading_in_a_code_block_is_not_a_title() {
        let md = "```\n# not a heading\n```\n\n## Level two\n\nBody.";
        let parsed = parse_at("2019-04-01-notes.md", md).unwrap();
        assert_eq!(parsed.release.title, "2019-04-01-notes");
        assert_eq!(
            parsed.release.date,
            Date::new(2019, 4, 1),
            "date from the file name"
        );
        assert_eq!(
            parsed.warnings,
            vec!["no title in front matter and no `# ` heading; the file name is the title"]
        );
    }

    #[test]
    fn a_heading_repeating_the_front_matter_title_is_dropped() {
        let md = "+++\ntitle = \"Wind farm\"\n+++\n# Wind  FARM\n\nBody.";
        let release = parse_at("x.md", md).unwrap().release;
        assert_eq!(release.title, "Wind farm");
        assert_eq!(release.body, "Body.");
    }

    #[test]
    fn front_matter_title_keeps_body_headings() {
        let md = "---\ntitle: Front\n---\n# Heading\n\nBody.";
        let release = parse_at("x.md", md).unwrap().release;
        assert_eq!(release.title, "Front");
        assert_eq!(release.body, "Heading\n\nBody.");
    }

    #[test]
    fn wrong_types_are_warnings_and_the_release_is_kept() {
        let md = "---\ntitle: [a, b]\ndate: [2023-10-27]\ntags: {x: 1}\nlang: fr\n---\n# Fallback title\n\nBody.";
        let parsed = parse_at("2022/02/03/x.md", md).unwrap();
        assert_eq!(parsed.release.title, "Fallback title");
        assert_eq!(
            parsed.release.date,
            Date::new(2022, 2, 3),
            "date from the path"
        );
        assert!(parsed.release.categories.is_empty());
        assert_eq!(parsed.release.lang.as_deref(), Some("fr"));
        assert_eq!(
            parsed.warnings,
            vec![
                "front matter `title` is a list, expected a string",
                "front matter `date` is a list, expected a date string",
                "front matter `tags` is a table, expected a string or a list of strings",
            ]
        );
    }

    #[test]
    fn unparseable_front_matter_is_an_error() {
        let err = parse_at("x.md", "---\ntitle: \"unclosed\n---\nBody").unwrap_err();
        assert!(err.starts_with("front matter is not valid YAML"), "{err}");
        let err = parse_at("x.md", "+++\ntitle = unquoted words\n+++\nBody").unwrap_err();
        assert!(err.starts_with("front matter is not valid TOML"), "{err}");
        let err = parse_at("x.md", "---\ntitle: x\nBody").unwrap_err();
        assert!(err.contains("never closed"), "{err}");
    }

    #[test]
    fn french_with_accents() {
        let md = "---\ntitle: \"Lancement d’une usine à Lyon\"\nlang: fr\ndate: \"2024-03-15\"\n---\nL’usine ouvrira en été. Coût : 12 M€.";
        let release = parse_at("fr/usine.md", md).unwrap().release;
        assert_eq!(release.title, "Lancement d’une usine à Lyon");
        assert_eq!(release.lang.as_deref(), Some("fr"));
        assert_eq!(release.body, "L’usine ouvrira en été. Coût : 12 M€.");
    }
}
