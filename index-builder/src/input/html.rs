//! Built HTML pages (`.html`, `.htm`): the output folder of a static site generator.
//!
//! Each page is parsed with html5ever (through `scraper`) and becomes one release. What a page
//! says is read from its content root, leaving out the site's chrome; what the site as a whole
//! says (whether it marks its releases with `data-pressroom-body`, which title suffix is the site
//! name) is decided afterwards by [`finish_site`], over every page of the build.

use std::collections::HashMap;
use std::path::Path;

use ego_tree::NodeRef;
use pressroom::{Date, Release};
use scraper::{ElementRef, Html, Node, Selector};

use super::date::{date_in_path, date_in_text};
use super::fields::dedup;
use super::title::{clean_title, collapse_whitespace};
use super::url::page_url;
use super::{Document, FileOutcome, Parsed};

/// The attribute that marks a page's content root; when any page has it, pages without it are
/// not releases (they are listings, the home page, an about page).
pub const BODY_MARKER: &str = "data-pressroom-body";

/// What a page told about itself that only makes sense across the whole site.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageFacts {
    /// Whether the page has a `[data-pressroom-body]` element.
    pub has_marker: bool,
    /// Whether the title came from `og:title` or `<title>`, which usually end with the site name.
    pub title_from_head: bool,
    /// `og:site_name`, when the page gives it.
    pub site_name: Option<String>,
}

/// Elements whose content is never release text: site chrome, code, forms, embedded media.
const LEFT_OUT: &[&str] = &[
    "nav", "header", "footer", "aside", "script", "style", "form", "noscript", "template",
    "button", "select", "textarea", "iframe", "svg", "canvas", "dialog", "object",
];

/// Elements after and before which the text breaks into a new paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "dl",
    "table",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "address",
    "hr",
    "details",
    "summary",
    "fieldset",
];

/// Elements that end a line but not a paragraph.
const LINES: &[&str] = &["br", "li", "tr", "dt", "dd"];

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("a valid built-in selector")
}

/// Reads one HTML page into a release; [`finish_site`] completes it.
pub(super) fn parse(document: &Document) -> Result<Parsed, String> {
    let (release, facts) = page(document.text, &document.file.relative);
    if release.title.is_empty() && release.body.is_empty() {
        return Err("no text in the page's content root".to_string());
    }
    let mut warnings = Vec::new();
    if release.title.is_empty() {
        warnings.push("no <h1>, og:title or <title>; the release has no title".to_string());
    }
    Ok(Parsed {
        release,
        warnings,
        page: Some(facts),
    })
}

/// The release a page holds and what it says about the site. `relative` is the page's path
/// under the site folder, which gives the URL (and, failing the page, the date and category).
pub fn page(html: &str, relative: &Path) -> (Release, PageFacts) {
    let doc = Html::parse_document(html);
    let marker = doc.select(&selector(&format!("[{BODY_MARKER}]"))).next();
    let root = marker
        .or_else(|| doc.select(&selector("main")).next())
        .or_else(|| doc.select(&selector("article")).next())
        .or_else(|| doc.select(&selector("body")).next())
        .unwrap_or_else(|| doc.root_element());

    let meta = |attr: &str, name: &str| -> Option<String> {
        doc.select(&selector(&format!("meta[{attr}=\"{name}\"]")))
            .filter_map(|m| m.value().attr("content"))
            .map(clean_title)
            .find(|s| !s.is_empty())
    };
    let h1 = root
        .select(&selector("h1"))
        .find(|h| !left_out_between(*h, root))
        .map(|h| (h, collapse_whitespace(&text_of(h, None))))
        .filter(|(_, t)| !t.is_empty());
    let (title, title_from_head, title_node) = match h1 {
        Some((node, title)) => (title, false, Some(node.id())),
        None => {
            let head_title = meta("property", "og:title").or_else(|| {
                doc.select(&selector("title"))
                    .next()
                    .map(|t| collapse_whitespace(&t.text().collect::<String>()))
                    .filter(|t| !t.is_empty())
            });
            (head_title.unwrap_or_default(), true, None)
        }
    };

    let date = root
        .select(&selector("time[datetime]"))
        .chain(doc.select(&selector("time[datetime]")))
        .filter_map(|t| t.value().attr("datetime"))
        .chain(meta("property", "article:published_time").as_deref())
        .chain(meta("name", "date").as_deref())
        .find_map(parse_date)
        .or_else(|| date_in_path(relative));

    let lang = doc
        .root_element()
        .value()
        .attr("lang")
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string);

    let mut categories: Vec<String> = doc
        .select(&selector("meta[property=\"article:tag\"]"))
        .filter_map(|m| m.value().attr("content"))
        .map(clean_title)
        .collect();
    for element in doc.select(&selector("[data-pressroom-category]")) {
        let value = element
            .value()
            .attr("data-pressroom-category")
            .unwrap_or("");
        categories.push(if value.trim().is_empty() {
            collapse_whitespace(&element.text().collect::<String>())
        } else {
            clean_title(value)
        });
    }
    if categories.is_empty() {
        categories.extend(category_in_path(relative));
    }

    let body = text_of(root, title_node);
    let release = Release {
        url: page_url(relative),
        title,
        date,
        categories: dedup(categories),
        lang,
        body,
    };
    let facts = PageFacts {
        has_marker: marker.is_some(),
        title_from_head,
        site_name: meta("property", "og:site_name"),
    };
    (release, facts)
}

fn parse_date(text: &str) -> Option<Date> {
    Date::parse_iso(text).or_else(|| date_in_text(text))
}

/// The first folder of the page's path, when it names a section (`press/…` -> "press") rather
/// than a date (`2023/…`).
fn category_in_path(relative: &Path) -> Option<String> {
    let mut folders: Vec<_> = relative.parent()?.components().collect();
    folders.truncate(1);
    let first = folders.first()?.as_os_str().to_string_lossy().into_owned();
    let first = first.trim();
    (!first.is_empty() && !first.chars().all(|c| c.is_ascii_digit())).then(|| first.to_string())
}

/// Whether an element left out of the text (a `<header>`, say) sits between `node` and `root`.
fn left_out_between(node: ElementRef, root: ElementRef) -> bool {
    node.ancestors()
        .take_while(|a| a.id() != root.id())
        .filter_map(ElementRef::wrap)
        .any(|a| is_left_out(a) && a.value().name() != "header")
}

fn is_left_out(element: ElementRef) -> bool {
    LEFT_OUT.contains(&element.value().name())
        || element.value().attr("data-pressroom-ignore").is_some()
}

/// The text of `root`, without what is left out and without `skip` (the title's `<h1>`):
/// whitespace collapsed as a browser shows it, block elements separated by blank lines.
fn text_of(root: ElementRef, skip: Option<ego_tree::NodeId>) -> String {
    let mut out = TextOut::default();
    for child in root.children() {
        out.node(child, skip);
    }
    out.text
}

/// Plain text being assembled, with the strongest break asked for since the last word.
#[derive(Default)]
struct TextOut {
    text: String,
    /// 0: none, 1: space, 2: line, 3: paragraph.
    pending: u8,
    pre: usize,
}

impl TextOut {
    fn node(&mut self, node: NodeRef<Node>, skip: Option<ego_tree::NodeId>) {
        if Some(node.id()) == skip {
            self.brk(3);
            return;
        }
        match node.value() {
            Node::Text(text) if self.pre > 0 => {
                for (i, line) in text.split('\n').enumerate() {
                    if i > 0 {
                        self.brk(2);
                    }
                    self.words(line, false);
                }
            }
            Node::Text(text) => self.words(text, true),
            Node::Element(_) => {
                let element = ElementRef::wrap(node).expect("an element node");
                if is_left_out(element) {
                    self.brk(1);
                    return;
                }
                let name = element.value().name();
                let brk = if BLOCKS.contains(&name) {
                    3
                } else if LINES.contains(&name) {
                    2
                } else if matches!(name, "td" | "th") {
                    1
                } else {
                    0
                };
                self.brk(brk);
                if name == "pre" {
                    self.pre += 1;
                }
                if name == "img" {
                    if let Some(alt) = element.value().attr("alt") {
                        self.brk(1);
                        self.words(alt, true);
                        self.brk(1);
                    }
                }
                for child in node.children() {
                    self.node(child, skip);
                }
                if name == "pre" {
                    self.pre -= 1;
                }
                self.brk(brk);
            }
            _ => {}
        }
    }

    fn brk(&mut self, strength: u8) {
        self.pending = self.pending.max(strength);
    }

    /// Adds text; with `collapse`, runs of whitespace count as one space, as in a browser.
    fn words(&mut self, text: &str, collapse: bool) {
        if collapse {
            if text.starts_with(char::is_whitespace) {
                self.brk(1);
            }
            let mut words = text.split_whitespace().peekable();
            while let Some(word) = words.next() {
                self.push(word);
                if words.peek().is_some() {
                    self.brk(1);
                }
            }
            if text.ends_with(char::is_whitespace) {
                self.brk(1);
            }
        } else {
            let trimmed = text.trim();
            if !trimmed.is_empty() {
                self.push(trimmed);
            }
        }
    }

    fn push(&mut self, word: &str) {
        if !self.text.is_empty() {
            self.text.push_str(match self.pending {
                0 => "",
                1 => " ",
                2 => "\n",
                _ => "\n\n",
            });
        }
        self.pending = 0;
        self.text.push_str(word);
    }
}

/// Plain text from an HTML fragment (a feed entry's content), as a page's body is made.
pub fn fragment_to_text(html: &str) -> String {
    let fragment = Html::parse_fragment(html);
    text_of(fragment.root_element(), None)
}

/// The site-wide pass over every page of a build, in walk order: when any page has a
/// `[data-pressroom-body]`, the pages without one are not releases; a title suffix that repeats
/// across pages (" | Site", " – Site", " - Site") or is the `og:site_name` is the site's name,
/// and leaves the titles taken from the page head.
pub(super) fn finish_site(outcomes: &mut [FileOutcome]) {
    let pages = || outcomes.iter().filter_map(|o| o.page.as_ref());
    let marked = pages().any(|p| p.has_marker);
    let mut suffixes: HashMap<String, usize> = HashMap::new();
    let mut site_names: Vec<String> = Vec::new();
    for outcome in outcomes.iter() {
        let Some(facts) = &outcome.page else { continue };
        site_names.extend(facts.site_name.clone());
        if !facts.title_from_head {
            continue;
        }
        if let Some(release) = outcome.releases.first() {
            if let Some((_, suffix)) = split_suffix(&release.release.title) {
                *suffixes.entry(suffix.to_string()).or_default() += 1;
            }
        }
    }
    for outcome in outcomes.iter_mut() {
        let Some(facts) = outcome.page.clone() else {
            continue;
        };
        if marked && !facts.has_marker {
            // Not a release: not counted, not reported.
            *outcome = FileOutcome::default();
            continue;
        }
        if !facts.title_from_head {
            continue;
        }
        for loaded in &mut outcome.releases {
            if let Some((head, suffix)) = split_suffix(&loaded.release.title) {
                if suffixes.get(suffix).is_some_and(|n| *n > 1)
                    || site_names.iter().any(|s| s == suffix)
                {
                    loaded.release.title = head.to_string();
                }
            }
        }
    }
}

/// `"Title | Site"` -> `("Title", "Site")`, at the last separator.
fn split_suffix(title: &str) -> Option<(&str, &str)> {
    [" | ", " – ", " — ", " - ", " · ", " :: ", " » "]
        .iter()
        .filter_map(|sep| {
            let at = title.rfind(sep)?;
            Some((at, &title[..at], &title[at + sep.len()..]))
        })
        .max_by_key(|(at, _, _)| *at)
        .map(|(_, head, suffix)| (head.trim(), suffix.trim()))
        .filter(|(head, suffix)| !head.is_empty() && !suffix.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="fr"><head>
        <title>Minsk conference | CICA</title>
        <meta property="article:published_time" content="2023-10-27T10:00:00Z">
        <meta property="article:tag" content="Events">
        </head><body>
        <header><nav><a href="/">Home</a> <a href="/press/">Press</a></nav></header>
        <main>
          <article>
            <header><h1>CICA in   Minsk</h1><time datetime="2023-10-28">28 Oct</time></header>
            <p>The Secretary General <em>spoke</em> on
               Eurasian security.</p>
            <aside>Related: other news</aside>
            <p>Second paragraph.<br>Next line.</p>
            <div data-pressroom-ignore>Share this</div>
            <script>var x = "script text";</script>
            <ul><li>One</li><li>Two</li></ul>
          </article>
        </main>
        <footer>Copyright footer</footer>
        </body></html>"#;

    #[test]
    fn a_page_gives_its_article_text_title_date_lang_and_tags() {
        let (release, facts) = page(PAGE, Path::new("press/minsk/index.html"));
        assert_eq!(release.title, "CICA in Minsk");
        assert_eq!(release.date, Date::new(2023, 10, 28));
        assert_eq!(release.lang.as_deref(), Some("fr"));
        assert_eq!(release.categories, ["Events"]);
        assert_eq!(release.url, "/press/minsk/");
        assert_eq!(
            release.body,
            "The Secretary General spoke on Eurasian security.\n\n\
             Second paragraph.\nNext line.\n\nOne\nTwo"
        );
        assert!(!facts.has_marker && !facts.title_from_head);
    }

    #[test]
    fn the_marker_wins_over_main_and_the_path_gives_a_category() {
        let html = "<html><body><main><p>Listing</p><div data-pressroom-body>\
                    <p>Only this</p></div></main></body></html>";
        let (release, facts) = page(html, Path::new("news/item.html"));
        assert_eq!(release.body, "Only this");
        assert_eq!(release.url, "/news/item.html");
        assert_eq!(release.categories, ["news"]);
        assert!(facts.has_marker);
    }

    #[test]
    fn site_name_suffixes_split_at_the_last_separator() {
        assert_eq!(split_suffix("A - B | Site"), Some(("A - B", "Site")));
        assert_eq!(split_suffix("A – Site"), Some(("A", "Site")));
        assert_eq!(split_suffix("Plain"), None);
    }

    #[test]
    fn fragments_keep_paragraphs() {
        assert_eq!(
            fragment_to_text("<p>One &amp; two</p><p>Three<br/>four</p>"),
            "One & two\n\nThree\nfour"
        );
    }
}
