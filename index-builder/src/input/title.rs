//! Headlines: cleaning them, and making one from the start of a text when a release has none.

/// A headline made from text longer than this is cut, so that result lists stay readable.
pub(super) const MAX_TITLE_CHARS: usize = 120;

/// Decodes HTML entities (`&amp;` -> `&`) and collapses whitespace, as titles from feeds and JSON
/// exports often arrive escaped and wrapped.
pub(super) fn clean_title(raw: &str) -> String {
    collapse_whitespace(&html_escape::decode_html_entities(raw))
}

/// Replaces every run of whitespace, line breaks included, with one space, and trims the ends.
pub(super) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A title for a release that has none: the first non-blank line of `text`, cut on a word
/// boundary to at most [`MAX_TITLE_CHARS`] characters (an ellipsis marks the cut).
pub(super) fn title_from_text(text: &str) -> Option<String> {
    let line = text
        .lines()
        .map(collapse_whitespace)
        .find(|line| !line.is_empty())?;
    Some(truncate_words(&line, MAX_TITLE_CHARS))
}

/// Cuts `text` to at most `max` characters, at the last space that fits, adding `…` when it cut.
/// A text without a space in that span (CJK, Thai) is cut mid-word rather than left whole.
pub(super) fn truncate_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    // Leave room for the ellipsis.
    let limit = text
        .char_indices()
        .nth(max - 1)
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..limit];
    let cut = match head.rfind(' ') {
        // The head ends exactly at a word's end: keep that word.
        _ if text[limit..].starts_with(char::is_whitespace) => head,
        Some(space) if space > 0 => &head[..space],
        _ => head,
    };
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded_and_whitespace_collapsed() {
        assert_eq!(
            clean_title("  Q&amp;A with Drew Shula,\n  Founder &amp; CEO&nbsp;&#8212; &quot;Verdical&quot; "),
            "Q&A with Drew Shula, Founder & CEO — \"Verdical\""
        );
        assert_eq!(clean_title("AT&T"), "AT&T");
    }

    #[test]
    fn long_text_is_cut_on_a_word_boundary() {
        let text = "word ".repeat(40);
        // 19 characters fit before the ellipsis: exactly four words.
        assert_eq!(truncate_words(text.trim(), 20), "word word word word…");
        // One fewer and the fourth word no longer fits whole.
        assert_eq!(truncate_words(text.trim(), 19), "word word word…");
        assert_eq!(truncate_words("Dave, Buster and friends", 12), "Dave…");
    }

    #[test]
    fn text_without_spaces_is_cut_mid_word() {
        let text = "每".repeat(200);
        let title = truncate_words(&text, MAX_TITLE_CHARS);
        assert_eq!(title.chars().count(), MAX_TITLE_CHARS);
        assert!(title.ends_with('…'));
    }

    #[test]
    fn short_text_is_left_whole() {
        assert_eq!(truncate_words("Short headline", 120), "Short headline");
    }

    #[test]
    fn title_from_text_takes_the_first_non_blank_line() {
        let text = "\n   \nACME opens a plant in Ohio.\nSecond line.";
        assert_eq!(
            title_from_text(text).as_deref(),
            Some("ACME opens a plant in Ohio.")
        );
        assert_eq!(title_from_text(" \n\t\n"), None);
    }
}
