//! RSS 2.0 and Atom feeds (`.rss`, `.atom`, and `.xml` files whose root element is `<rss>`,
//! `<feed>` or `<rdf:RDF>`), parsed with `feed-rs`: each entry is a release.

use pressroom::{Date, Release};

use super::fields::dedup;
use super::html::fragment_to_text;
use super::title::{clean_title, collapse_whitespace};
use super::{decode, FileOutcome, InputFile, Source};

/// The root element names of the feeds we read; anything else in an `.xml` is not a feed.
const FEED_ROOTS: &[&str] = &["rss", "feed", "rdf:rdf"];

/// Reads every entry of a feed. An `.xml` file found in a folder that is not a feed (a sitemap)
/// is passed over without a word; named directly, it is a skipped problem.
pub(super) fn read(file: &InputFile, bytes: &[u8]) -> FileOutcome {
    let source = Source::file(&file.path);
    let root = root_element(bytes);
    if !root
        .as_deref()
        .is_some_and(|r| FEED_ROOTS.contains(&r.to_ascii_lowercase().as_str()))
    {
        if !file.direct {
            return FileOutcome::default();
        }
        let found = root.map_or("no root element".to_string(), |r| format!("root <{r}>"));
        return FileOutcome::skipped(source, format!("not an RSS or Atom feed ({found})"));
    }
    let feed = match feed_rs::parser::parse(bytes) {
        Ok(feed) => feed,
        Err(err) => return FileOutcome::skipped(source, format!("not a valid feed: {err}")),
    };
    let lang = feed.language.clone().filter(|l| !l.trim().is_empty());
    let mut outcome = FileOutcome::default();
    for (i, entry) in feed.entries.into_iter().enumerate() {
        let number = i + 1;
        let Some(url) = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().map_or(true, |r| r == "alternate"))
            .or(entry.links.first())
            .map(|l| l.href.trim().to_string())
            .filter(|h| !h.is_empty())
        else {
            outcome.skip(source.clone(), format!("entry {number} has no link"));
            continue;
        };
        let title = entry
            .title
            .map(|t| text(&t.content, t.content_type.as_ref()));
        let body = entry
            .content
            .and_then(|c| Some((c.body?, c.content_type.to_string())))
            .or_else(|| {
                entry
                    .summary
                    .map(|s| (s.content, s.content_type.to_string()))
            })
            .map(|(body, subtype)| text(&body, &subtype))
            .unwrap_or_default();
        let date = entry
            .published
            .or(entry.updated)
            .and_then(|d| Date::parse_iso(&d.to_rfc3339()));
        let categories = dedup(
            entry
                .categories
                .iter()
                .map(|c| clean_title(c.label.as_deref().unwrap_or(&c.term)))
                .collect(),
        );
        let title = title.map(|t| collapse_whitespace(&t)).unwrap_or_default();
        if title.is_empty() && body.is_empty() {
            outcome.skip(
                source.clone(),
                format!("entry {number} has no title and no text"),
            );
            continue;
        }
        if title.is_empty() {
            outcome.warn(source.clone(), format!("entry {number} has no title"));
        }
        outcome.index(
            Release {
                url,
                title,
                date,
                categories,
                lang: lang.clone(),
                body,
            },
            source.clone(),
        );
    }
    if std::str::from_utf8(bytes).is_err() {
        outcome.warn(source, super::INVALID_UTF8);
    }
    outcome
}

/// Text of a feed field: HTML (and XHTML) becomes plain text; plain text has its entities
/// decoded, since feeds often escape twice.
fn text(content: &str, media_type: &str) -> String {
    if media_type.contains("html") || content.contains('<') {
        fragment_to_text(content)
    } else {
        html_escape::decode_html_entities(content.trim()).into_owned()
    }
}

/// The name of the root element, past the BOM, the XML declaration, comments and the doctype.
fn root_element(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let (text, _) = decode(head);
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!") {
            rest = after.split_once('>')?.1.trim_start();
        } else {
            let after = rest.strip_prefix('<')?;
            let name: String = after
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return (!name.is_empty()).then_some(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_element_is_found_past_the_prolog() {
        let xml =
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- hi -->\n<!DOCTYPE x>\n<rss version=\"2.0\">";
        assert_eq!(root_element(xml.as_bytes()).as_deref(), Some("rss"));
        assert_eq!(
            root_element(b"<urlset xmlns=\"x\">").as_deref(),
            Some("urlset")
        );
        assert_eq!(root_element(b"no xml"), None);
    }
}
