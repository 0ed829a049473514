//! The demo site: a small, realistic press-room website around the search widget.
//!
//! [`generate_site`] writes a home page that lists every release, newest first, and one page per
//! release at the path of its `url`. Every page carries the widget in its header exactly as a
//! site owner would add it, in both forms: an inline search box (a `data-pressroom` element) and
//! a search button that opens a dialog (`data-mode="modal"`, also on `/` and Ctrl/Cmd+K), with
//! the one module script under `/pressroom/` where the index builder's output is served. No
//! inline script or style, so the pages work under the strict Content Security Policy that
//! `www/serve.mjs` sends.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pressroom::{Date, Release};

/// The site's own stylesheet, written to `out/site.css`.
const SITE_CSS: &str = include_str!("../../www/demo/site.css");

/// The organization whose press room the demo plays.
const ORGANIZATION: &str = "International Press Centre";

/// Writes the demo site for `releases` into `out` (created if missing).
///
/// Releases whose `url` is not site-relative (`https://…`, `mailto:…`) are listed on the home
/// page but get no page of their own: they live elsewhere.
pub fn generate_site(releases: &[Release], out: &Path) -> Result<()> {
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    write(&out.join("site.css"), SITE_CSS)?;

    let mut newest_first: Vec<&Release> = releases.iter().collect();
    newest_first.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.url.cmp(&b.url))
    });
    write(&out.join("index.html"), &home_page(&newest_first))?;

    for (i, release) in newest_first.iter().enumerate() {
        if let Some(relative) = page_path(&release.url) {
            let newer = i.checked_sub(1).map(|j| newest_first[j]);
            let older = newest_first.get(i + 1).copied();
            write(&out.join(relative), &release_page(release, newer, older))?;
        }
    }
    Ok(())
}

fn write(path: &Path, contents: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

/// Where, under the site's root, the page for a release at `url` is written; `None` when the
/// url is not site-relative, could escape the root, or is the home page's.
///
/// `/cica/2023/10/27/x` and `/cica/2023/10/27/x/` give `cica/2023/10/27/x/index.html`, so that a
/// static server finds the page at the url; `/press/x.html` gives `press/x.html`.
fn page_path(url: &str) -> Option<PathBuf> {
    if !url.starts_with('/') || url.starts_with("//") {
        return None;
    }
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let mut relative = PathBuf::new();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let segment = percent_decode(segment)?;
        let unsafe_segment = segment == "." || segment == "..";
        if unsafe_segment || segment.contains(['/', '\\', '\0', ':']) {
            return None;
        }
        relative.push(segment);
    }
    let is_html_file = relative
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm"));
    if !is_html_file || path.ends_with('/') {
        relative.push("index.html");
    }
    // The home page is the list of releases; a release never replaces it.
    (relative != Path::new("index.html")).then_some(relative)
}

/// Decodes `%XX` escapes as a static server does before it looks up a file; `None` when the
/// result is not UTF-8 or an escape is malformed.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// The url as a link target, or `None` for a scheme that must never be followed from a page
/// (`javascript:`, `data:`, `vbscript:`…): only site-relative and http(s) urls are linked.
fn link_target(url: &str) -> Option<&str> {
    let lower = url.trim_start().to_ascii_lowercase();
    let site_relative = lower.starts_with('/') && !lower.starts_with("//");
    (site_relative || lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

/// The home page: every release, newest first, in one section per year (undated ones last),
/// each with its date, categories and the start of its text, as a press office lists them.
fn home_page(releases: &[&Release]) -> String {
    let mut main = String::new();
    main.push_str("<h1>Press releases</h1>\n");
    let _ = writeln!(
        main,
        "<p class=\"lede\">{} statements, announcements and news from the {ORGANIZATION} and its partners. \
         Search them all from the box above, or press <kbd>/</kbd> anywhere.</p>",
        releases.len()
    );
    let mut year = None;
    for (i, release) in releases.iter().enumerate() {
        let release_year = release.date.map(|d| d.year());
        if i == 0 || release_year != year {
            if i > 0 {
                main.push_str("</ol>\n</section>\n");
            }
            year = release_year;
            let heading = year.map_or_else(|| "Undated".to_owned(), |y| y.to_string());
            let _ = writeln!(
                main,
                "<section aria-labelledby=\"year-{heading}\">\n<h2 id=\"year-{heading}\" class=\"year\">{heading}</h2>\n<ol class=\"release-list\">"
            );
        }
        let title = escape(display_title(release));
        main.push_str("<li class=\"release-item\">");
        if let Some(date) = release.date {
            let _ = write!(main, "{} ", time_element(date));
        }
        match link_target(&release.url) {
            Some(href) => {
                let _ = write!(main, "<a href=\"{}\">{title}</a>", escape(href));
            }
            None => {
                let _ = write!(main, "<span>{title}</span>");
            }
        }
        main.push_str(&categories(release));
        let summary = summary(&release.body);
        if !summary.is_empty() {
            let _ = write!(main, "<p class=\"summary\">{}</p>", escape(&summary));
        }
        main.push_str("</li>\n");
    }
    if !releases.is_empty() {
        main.push_str("</ol>\n</section>\n");
    }
    page("Press releases", &main)
}

/// The first words of a release's text, up to about 30, with an ellipsis when cut.
fn summary(body: &str) -> String {
    const WORDS: usize = 30;
    let words: Vec<&str> = body.split_whitespace().take(WORDS + 1).collect();
    if words.len() > WORDS {
        format!("{}…", words[..WORDS].join(" "))
    } else {
        words.join(" ")
    }
}

/// A release's own page; `newer` and `older` are its neighbours on the home page's list.
fn release_page(release: &Release, newer: Option<&Release>, older: Option<&Release>) -> String {
    let title = escape(display_title(release));
    let mut main = String::new();
    main.push_str("<nav class=\"breadcrumb\" aria-label=\"Breadcrumb\"><a href=\"/\">Press releases</a></nav>\n");
    match release.lang.as_deref().filter(|lang| is_language_tag(lang)) {
        Some(lang) => {
            let _ = writeln!(main, "<article lang=\"{lang}\">");
        }
        None => main.push_str("<article>\n"),
    }
    let _ = writeln!(main, "<h1>{title}</h1>");
    main.push_str("<p class=\"meta\">");
    if let Some(date) = release.date {
        main.push_str(&time_element(date));
    }
    main.push_str(&categories(release));
    main.push_str("</p>\n");
    for paragraph in paragraphs(&release.body) {
        let _ = writeln!(main, "<p>{}</p>", escape(&paragraph));
    }
    main.push_str("</article>\n");
    let neighbours: Vec<String> = [("newer", "Newer", newer), ("older", "Older", older)]
        .into_iter()
        .filter_map(|(class, label, neighbour)| {
            let neighbour = neighbour?;
            let href = link_target(&neighbour.url)?;
            Some(format!(
                "<a class=\"{class}\" href=\"{}\"><span>{label} release</span> {}</a>",
                escape(href),
                escape(display_title(neighbour))
            ))
        })
        .collect();
    if !neighbours.is_empty() {
        let _ = writeln!(
            main,
            "<nav class=\"neighbours\" aria-label=\"More releases\">{}</nav>",
            neighbours.join("")
        );
    }
    page(display_title(release), &main)
}

/// A whole page: head with the site and widget styles, header with the search widget, footer.
fn page(title: &str, main: &str) -> String {
    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title} · {ORGANIZATION}</title>
<link rel="stylesheet" href="/site.css">
<script type="module" src="/pressroom/pressroom.js"></script>
</head>
<body>
<header class="site-header">
<a class="skip-link" href="#main">Skip to content</a>
<div class="wrap header-row">
<a class="brand" href="/"><span class="brand-mark" aria-hidden="true">IPC</span> {ORGANIZATION}</a>
<nav class="site-nav" aria-label="Site"><a href="/">Press releases</a></nav>
<div class="site-search" data-pressroom></div>
<div class="site-search-button" data-pressroom data-mode="modal"></div>
</div>
</header>
<main id="main" class="wrap">
{main}</main>
<footer class="site-footer">
<div class="wrap">
<p>{ORGANIZATION} · Press office · This is a demonstration site for Pressroom, instant search that runs in your browser.</p>
<p>Sample releases: the CICA press release of 27 October 2023, and 300 company press releases from the Newsworthyai/press-release-archive, dedicated to the public domain under CC0 1.0.</p>
</div>
</footer>
</body>
</html>
"##,
        title = escape(title),
    )
}

fn display_title(release: &Release) -> &str {
    if release.title.trim().is_empty() {
        &release.url
    } else {
        &release.title
    }
}

/// ` <span class="categories">A · B</span>`, or nothing for a release without categories.
fn categories(release: &Release) -> String {
    if release.categories.is_empty() {
        return String::new();
    }
    let names: Vec<String> = release.categories.iter().map(|c| escape(c)).collect();
    format!(" <span class=\"categories\">{}</span>", names.join(" · "))
}

/// `<time datetime="2023-10-27">27 October 2023</time>`.
fn time_element(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = MONTHS[usize::from(date.month() - 1)];
    format!(
        "<time datetime=\"{date}\">{} {month} {}</time>",
        date.day(),
        date.year()
    )
}

/// The body's paragraphs: separated by blank lines, inner line breaks folded to spaces.
fn paragraphs(body: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for line in body.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

/// Whether `tag` looks like a BCP 47 tag, so it can sit in a `lang` attribute unescaped.
fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 35
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Escapes text for HTML element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(url: &str, title: &str, date: Option<&str>) -> Release {
        Release {
            url: url.into(),
            title: title.into(),
            date: date.and_then(Date::parse_iso),
            body: "First paragraph\nstill first.\n\nSecond <b>paragraph</b>.".into(),
            ..Release::default()
        }
    }

    #[test]
    fn page_paths_follow_the_url() {
        let path = |url| page_path(url).map(|p| p.to_string_lossy().replace('\\', "/"));
        assert_eq!(
            path("/cica/2023/10/27/x").as_deref(),
            Some("cica/2023/10/27/x/index.html")
        );
        assert_eq!(
            path("/releases/2024/0308/slug/").as_deref(),
            Some("releases/2024/0308/slug/index.html")
        );
        assert_eq!(path("/press/x.html").as_deref(), Some("press/x.html"));
        assert_eq!(
            path("/press/x.html?ref=1#top").as_deref(),
            Some("press/x.html")
        );
        assert_eq!(path("/a%20b/c").as_deref(), Some("a b/c/index.html"));
    }

    #[test]
    fn urls_off_the_site_or_escaping_it_get_no_page() {
        for url in [
            "https://example.org/x",
            "//example.org/x",
            "javascript:alert(1)",
            "press/x",
            "/a/../../etc/passwd",
            "/a/%2e%2e/b",
            "/a/%2fb",
            "/a/b%5cc",
            "/a/%zz",
            "/c:/x",
            "/",
            "/index.html",
        ] {
            assert_eq!(page_path(url), None, "{url}");
        }
    }

    #[test]
    fn only_site_relative_and_http_urls_become_links() {
        assert_eq!(link_target("/x"), Some("/x"));
        assert_eq!(
            link_target("https://example.org/"),
            Some("https://example.org/")
        );
        assert_eq!(link_target("JavaScript:alert(1)"), None);
        assert_eq!(link_target(" data:text/html,x"), None);
        assert_eq!(link_target("vbscript:x"), None);
    }

    #[test]
    fn text_is_escaped_everywhere() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let page = release_page(
            &release("/x", "<script>alert(1)</script>", Some("2023-10-27")),
            None,
            Some(&release("/y", "Older <b>news</b>", None)),
        );
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
        assert!(page.contains("<p>Second &lt;b&gt;paragraph&lt;/b&gt;.</p>"));
        assert!(page.contains("<p>First paragraph still first.</p>"));
        assert!(page.contains(r#"<time datetime="2023-10-27">27 October 2023</time>"#));
        assert!(page.contains(
            r#"<a class="older" href="/y"><span>Older release</span> Older &lt;b&gt;news&lt;/b&gt;</a>"#
        ));
        assert!(!page.contains("class=\"newer\""));
    }

    #[test]
    fn site_lists_newest_first_and_writes_a_page_per_site_relative_release() {
        let out = std::env::temp_dir().join(format!("pressroom-demo-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        let releases = [
            release("/old", "Old news", Some("2019-01-02")),
            release(
                "https://elsewhere.example/x",
                "Elsewhere",
                Some("2021-05-06"),
            ),
            release("/cica/2023/10/27/x", "Newest", Some("2023-10-27")),
            release("javascript:alert(1)", "Hostile", None),
        ];
        generate_site(&releases, &out).unwrap();

        let home = fs::read_to_string(out.join("index.html")).unwrap();
        let at = |needle: &str| {
            home.find(needle)
                .unwrap_or_else(|| panic!("{needle} missing"))
        };
        assert!(at("Newest") < at("Elsewhere") && at("Elsewhere") < at("Old news"));
        assert!(at("Old news") < at("Hostile"), "undated releases come last");
        assert!(home.contains(r#"<a href="https://elsewhere.example/x">Elsewhere</a>"#));
        assert!(home.contains("<span>Hostile</span>") && !home.contains("href=\"javascript:"));
        assert!(home.contains("<div class=\"site-search\" data-pressroom></div>"));
        assert!(home.contains(
            r#"<div class="site-search-button" data-pressroom data-mode="modal"></div>"#
        ));
        assert!(at(">2023</h2>") < at("Newest") && at(">2019</h2>") < at("Old news"));
        assert!(at(">Undated</h2>") < at("Hostile"));
        assert!(home.contains("<p class=\"summary\">First paragraph still first. Second &lt;b&gt;paragraph&lt;/b&gt;.</p>"));
        assert!(!home.contains("<style") && !home.contains("style=") && !home.contains("<script>"));

        assert!(out.join("cica/2023/10/27/x/index.html").is_file());
        assert!(out.join("old/index.html").is_file());
        assert!(out.join("site.css").is_file());
        let entries = fs::read_dir(&out).unwrap().count();
        assert_eq!(entries, 4, "index.html, site.css, old/, cica/");
        fs::remove_dir_all(&out).unwrap();
    }
}
