//! Markdown, with the stray HTML and entities that press release bodies carry, to plain text.

use std::borrow::Cow;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Converts Markdown to the plain text of a release body.
///
/// Text, inline code, code blocks, link text and image alt text are kept; link targets, HTML tags
/// and the contents of `<script>` and `<style>` are dropped, and entities are decoded.
/// Paragraphs, headings and code blocks are separated by a blank line, list items and table rows
/// by a line break. Text inside HTML blocks (`<p>Hello</p>`) is kept, since bodies exported from a
/// CMS are often HTML wrapped in Markdown.
///
/// ```
/// use pressroom_index::input::plain_text::markdown_to_text;
///
/// let text = markdown_to_text("# Q&amp;A\n\nSee [our *site*](https://x.org) ![logo](l.png)\n\n- one\n- two");
/// assert_eq!(text, "Q&A\n\nSee our site logo\n\none\ntwo");
/// ```
pub fn markdown_to_text(markdown: &str) -> String {
    let mut out = PlainText::default();
    for event in Parser::new_ext(markdown, markdown_options()) {
        out.event(event);
    }
    out.finish()
}

/// The Markdown dialect releases are read in: CommonMark with the GitHub tables and
/// strikethrough that CMS exports use. Shared so that every reader parses the same way.
pub(super) fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// What must separate the next text from the text before it; stronger breaks win.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    Space,
    Line,
    Paragraph,
}

/// Where the HTML tag stripper is: in text, inside a tag, a comment, or an element whose
/// content is not text (`<script>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Html {
    #[default]
    Text,
    /// Inside `<…`, collecting the tag.
    Tag(String),
    /// Inside `<!-- … -->`.
    Comment,
    /// Inside `<script>` or `<style>`, until the closing tag of that name.
    Raw(&'static str),
}

#[derive(Debug, Default)]
struct PlainText {
    out: String,
    pending: Option<Break>,
    html: Html,
    /// Text between tags in an HTML event, decoded when the run ends.
    html_text: String,
    /// Whether the last event was inline HTML, which leaves the spaces around it doubled
    /// ("Visible <!-- x --> text").
    after_inline_html: bool,
}

impl PlainText {
    fn event(&mut self, event: Event<'_>) {
        let after_inline_html = std::mem::take(&mut self.after_inline_html);
        match event {
            // Text inside `<script>` or a comment is not text.
            Event::Text(text) | Event::Code(text)
                if !matches!(self.html, Html::Raw(_) | Html::Comment) =>
            {
                let doubled =
                    after_inline_html && self.out.ends_with(' ') && self.pending.is_none();
                self.text(if doubled {
                    text.trim_start_matches(' ')
                } else {
                    &text
                });
            }
            Event::InlineHtml(html) => {
                self.html(&html);
                self.after_inline_html = true;
            }
            Event::Html(html) => self.html(&html),
            Event::SoftBreak | Event::HardBreak => self.brk(Break::Line),
            Event::Rule => self.brk(Break::Paragraph),
            Event::Start(Tag::TableCell) => self.brk(Break::Space),
            Event::Start(Tag::Item) => self.brk(Break::Line),
            Event::Start(
                Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::BlockQuote(_),
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Table
                | TagEnd::HtmlBlock,
            ) => self.brk(Break::Paragraph),
            Event::End(TagEnd::Item | TagEnd::TableRow | TagEnd::TableHead) => {
                self.brk(Break::Line)
            }
            _ => {}
        }
    }

    /// Asks for at least `brk` before the next text.
    fn brk(&mut self, brk: Break) {
        self.pending = Some(self.pending.map_or(brk, |pending| pending.max(brk)));
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(pending) = self.pending.take() {
            if !self.out.is_empty() {
                self.out.push_str(match pending {
                    Break::Space => " ",
                    Break::Line => "\n",
                    Break::Paragraph => "\n\n",
                });
            }
        }
        self.out.push_str(text);
    }

    /// Strips tags from raw HTML, keeping its text; state carries over between events because
    /// pulldown-cmark hands an HTML block over line by line.
    fn html(&mut self, html: &str) {
        for c in html.chars() {
            match &mut self.html {
                Html::Text if c == '<' => {
                    self.flush_html_text();
                    self.html = Html::Tag(String::new());
                }
                Html::Text => self.html_text.push(c),
                Html::Tag(tag) => {
                    tag.push(c);
                    if tag == "!--" {
                        self.html = Html::Comment;
                    } else if tag.len() == 1
                        && !(c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?')
                    {
                        // "a < b": not a tag after all.
                        self.html_text.push('<');
                        self.html_text.push(c);
                        self.html = Html::Text;
                    } else if c == '>' {
                        let tag = std::mem::take(tag);
                        self.html = Html::Text;
                        self.end_tag(&tag);
                    }
                }
                Html::Comment => {
                    self.html_text.push(c);
                    if self.html_text.ends_with("-->") {
                        self.html_text.clear();
                        self.html = Html::Text;
                    }
                }
                Html::Raw(closing) => {
                    self.html_text.push(c);
                    // Only a '>' can end the closing tag; checking then keeps long scripts linear.
                    let tail = self.html_text.len().saturating_sub(closing.len());
                    if c == '>'
                        && self
                            .html_text
                            .get(tail..)
                            .is_some_and(|t| t.eq_ignore_ascii_case(closing))
                    {
                        self.html_text.clear();
                        self.html = Html::Text;
                    }
                }
            }
        }
        if self.html == Html::Text {
            self.flush_html_text();
        }
    }

    /// Acts on a complete tag (`tag` is what followed `<`, up to and including `>`).
    fn end_tag(&mut self, tag: &str) {
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "script" if !closing && !tag.ends_with("/>") => self.html = Html::Raw("</script>"),
            "style" if !closing && !tag.ends_with("/>") => self.html = Html::Raw("</style>"),
            "br" | "li" | "tr" | "dt" | "dd" => self.brk(Break::Line),
            "td" | "th" => self.brk(Break::Space),
            "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "ul"
            | "ol" | "table" | "section" | "article" | "header" | "footer" | "hr" | "figure"
            | "figcaption" => self.brk(Break::Paragraph),
            _ => {}
        }
    }

    /// Emits the text collected between tags, decoded, with HTML's whitespace rules: any run of
    /// whitespace, line breaks included, is one space.
    fn flush_html_text(&mut self) {
        if self.html_text.is_empty() {
            return;
        }
        let raw = std::mem::take(&mut self.html_text);
        let decoded: Cow<str> = html_escape::decode_html_entities(&raw);
        let mut words = decoded.split(|c: char| c.is_ascii_whitespace()).peekable();
        if decoded.starts_with(|c: char| c.is_ascii_whitespace()) {
            self.brk(Break::Space);
        }
        while let Some(word) = words.next() {
            if word.is_empty() {
                continue;
            }
            self.text(word);
            if words.peek().is_some() {
                self.brk(Break::Space);
            }
        }
    }

    fn finish(self) -> String {
        let mut text = String::with_capacity(self.out.len());
        let mut blank_lines = 0;
        for line in self.out.trim().lines() {
            let line = line.trim_end();
            if line.is_empty() {
                blank_lines += 1;
                // Stray HTML can leave several blank lines in a row; one separates paragraphs.
                if blank_lines > 1 {
                    continue;
                }
            } else {
                blank_lines = 0;
            }
            text.push_str(line);
            text.push('\n');
        }
        text.truncate(text.trim_end().len());
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_separated() {
        let md = "# Heading\n\nFirst paragraph\nwraps here.\n\n## Sub\n\n* one\n* two\n\n1. three\n\n> quoted\n\n---\n\nend";
        assert_eq!(
            markdown_to_text(md),
            "Heading\n\nFirst paragraph\nwraps here.\n\nSub\n\none\ntwo\n\nthree\n\nquoted\n\nend"
        );
    }

    #[test]
    fn inline_markup_is_dropped_and_text_kept() {
        let md = "**Bold** and _em_ and `code()` and ~~gone~~ and [a link](https://x.org \"t\") and <https://y.org>.";
        assert_eq!(
            markdown_to_text(md),
            "Bold and em and code() and gone and a link and https://y.org."
        );
    }

    #[test]
    fn images_keep_their_alt_text() {
        assert_eq!(
            markdown_to_text("Logo: ![ACME *Corp* logo](logo.png \"ACME\")"),
            "Logo: ACME Corp logo"
        );
        assert_eq!(markdown_to_text("![](empty.png)\n\nText"), "Text");
    }

    #[test]
    fn code_blocks_are_kept() {
        assert_eq!(
            markdown_to_text("Run:\n\n```sh\nmake all\nmake test\n```\n\nDone."),
            "Run:\n\nmake all\nmake test\n\nDone."
        );
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            markdown_to_text("Dave &amp; Buster&#39;s &mdash; 5&nbsp;km"),
            "Dave & Buster's — 5\u{a0}km"
        );
        assert_eq!(markdown_to_text("<p>Fish &amp; Chips</p>"), "Fish & Chips");
    }

    #[test]
    fn inline_html_tags_are_dropped() {
        assert_eq!(
            markdown_to_text("Hello <b>bold</b> <span class=\"x\">world</span>!"),
            "Hello bold world!"
        );
        assert_eq!(
            markdown_to_text("line one<br>line two"),
            "line one\nline two"
        );
    }

    #[test]
    fn html_blocks_keep_their_text() {
        let md = "<div class=\"release\">\n<p>First   paragraph,\nstill first.</p>\n<p>Second &lt;one&gt;.</p>\n</div>\n\nThen **Markdown**.";
        assert_eq!(
            markdown_to_text(md),
            "First paragraph, still first.\n\nSecond <one>.\n\nThen Markdown."
        );
    }

    #[test]
    fn scripts_styles_and_comments_are_dropped() {
        let md = "<script type=\"text/javascript\">\nvar x = 1 < 2;\n</script>\n\n<style>p { color: red }</style>\n\nVisible <!-- hidden --> text.";
        assert_eq!(markdown_to_text(md), "Visible text.");
    }

    #[test]
    fn a_lone_less_than_is_text() {
        assert_eq!(
            markdown_to_text("<p>1 < 2 and 3 > 2</p>"),
            "1 < 2 and 3 > 2"
        );
    }

    #[test]
    fn tables_become_lines() {
        let md = "| Year | Sales |\n|---|---|\n| 2023 | 10 |\n| 2024 | 12 |\n";
        assert_eq!(markdown_to_text(md), "Year Sales\n2023 10\n2024 12");
    }

    #[test]
    fn plain_prose_passes_through() {
        let text =
            "LOS ANGELES, CA, March 09, 2024 /24-7PressRelease/ -- Ari Stiegler, an entrepreneur.";
        assert_eq!(markdown_to_text(text), text);
        assert_eq!(markdown_to_text(""), "");
    }
}
