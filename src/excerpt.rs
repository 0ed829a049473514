//! Excerpts: the densest window of matches in a release's text, HTML-escaped, with `<mark>`.

use crate::analyze;

/// How many words an excerpt shows unless the index or the query says otherwise.
pub(crate) const EXCERPT_WORDS: usize = 30;

/// Builds the excerpt of `text` for the terms accepted by `is_match` (searches keep the words of
/// bodies they read, and call [`excerpt_of`]).
///
/// The window of `words` words with the most distinct matched terms wins (then the
/// most matches, then the earliest), so the excerpt shows why the release was found. Without any
/// match in the text, the excerpt is its opening words.
#[cfg(test)]
pub(crate) fn excerpt(text: &str, words: usize, is_match: impl Fn(&str) -> bool) -> String {
    excerpt_of(text, &analyze::tokens(text), words, is_match)
}

/// [`excerpt`] of `text` already split into its `tokens` (by [`analyze::tokens`]).
pub(crate) fn excerpt_of(
    text: &str,
    tokens: &[analyze::Token],
    words: usize,
    is_match: impl Fn(&str) -> bool,
) -> String {
    if tokens.is_empty() {
        return escape_collapsed(text.get(..text.len().min(200)).unwrap_or(""));
    }
    let hits: Vec<bool> = tokens.iter().map(|t| is_match(&t.term)).collect();
    let window = words.max(1).min(tokens.len());
    let mut best = (0usize, 0usize, 0usize); // (distinct, count, start), compared with start reversed
    if hits.iter().any(|&h| h) {
        let mut best_key = (0usize, 0usize);
        for start in 0..=tokens.len() - window {
            // Only windows that open on a match (or the first one) can be the best.
            if start > 0 && !hits[start] {
                continue;
            }
            let range = start..start + window;
            let count = hits[range.clone()].iter().filter(|&&h| h).count();
            let mut distinct: Vec<&str> = range
                .filter(|&i| hits[i])
                .map(|i| tokens[i].term.as_str())
                .collect();
            crate::sorting::sort_dedup(&mut distinct);
            let key = (distinct.len(), count);
            if key > best_key {
                best_key = key;
                best = (key.0, key.1, start);
            }
        }
        // Open the window a few words before the first match, for context.
        let lead = (window / 5).min(best.2);
        best.2 -= lead;
    }
    let start = best.2.min(tokens.len() - window);
    let end = start + window;

    let mut out = String::with_capacity(window * 10);
    if start > 0 {
        out.push('…');
    }
    // The opening window also shows what stands before its first word (a quote, a bracket).
    let mut cursor = if start == 0 { 0 } else { tokens[start].start };
    for (token, &hit) in tokens[start..end].iter().zip(&hits[start..end]) {
        out.push_str(&escape_collapsed(&text[cursor..token.start]));
        let word = escape_collapsed(&text[token.start..token.end]);
        if hit {
            out.push_str("<mark>");
            out.push_str(&word);
            out.push_str("</mark>");
        } else {
            out.push_str(&word);
        }
        cursor = token.end;
    }
    if start == 0 {
        out = out.trim_start().to_owned();
    }
    if end < tokens.len() {
        out.push('…');
    } else {
        out.push_str(escape_collapsed(&text[cursor..]).trim_end());
    }
    out
}

/// HTML-escapes text and folds every run of white space into one space.
pub(crate) fn escape_collapsed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_matches_in_the_densest_window() {
        let filler = "word ".repeat(60);
        let text =
            format!("{filler} Ambassador Kairat Sarybay spoke on Eurasian security. {filler}");
        let e = excerpt(&text, EXCERPT_WORDS, |t| t == "sarybay" || t == "eurasian");
        assert!(e.contains("<mark>Sarybay</mark>"), "{e}");
        assert!(e.contains("<mark>Eurasian</mark>"), "{e}");
        assert!(e.starts_with('…') && e.ends_with('…'), "{e}");
        assert_eq!(e.matches("word").count() + 7, EXCERPT_WORDS, "{e}");
    }

    #[test]
    fn escapes_markup_and_collapses_space() {
        let e = excerpt(
            "<script>alert('x')</script>\n\n  Tom & \"Jerry\"",
            EXCERPT_WORDS,
            |t| t == "tom",
        );
        assert_eq!(e, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>Tom</mark> &amp; &quot;Jerry&quot;");
    }

    #[test]
    fn without_a_match_shows_the_opening_words() {
        let text = (0..100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let e = excerpt(&text, EXCERPT_WORDS, |_| false);
        assert!(e.starts_with("w0 w1 "), "{e}");
        assert!(e.ends_with("w29…"), "{e}");
        assert_eq!(excerpt("", EXCERPT_WORDS, |_| true), "");
    }
}
