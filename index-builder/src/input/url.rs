//! The URL of a release read from a file: its path under the input root.

use std::path::{Component, Path};

/// The site-relative URL of a file at `relative` (its path under the input root): `/` separators,
/// a leading `/`, the extension dropped, and an `index` file standing for its folder.
///
/// `2023/10/27/minsk.txt` -> `/2023/10/27/minsk`; `news/index.md` -> `/news/`.
pub(super) fn file_url(relative: &Path) -> String {
    let mut segments: Vec<String> = relative
        .components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let Some(file_name) = segments.pop() else {
        return "/".to_string();
    };
    let stem = match file_name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => file_name,
    };
    let is_index = stem.eq_ignore_ascii_case("index");
    if !is_index {
        segments.push(stem);
    }
    let mut url = String::from("/");
    url.push_str(
        &segments
            .iter()
            .map(|s| escape_segment(s))
            .collect::<Vec<_>>()
            .join("/"),
    );
    if is_index && !segments.is_empty() {
        url.push('/');
    }
    url
}

/// The URL a static server gives a built page at `relative`: the path as it is, except that an
/// `index.html` stands for its folder. `press/a/index.html` -> `/press/a/`; `about.html` ->
/// `/about.html`.
pub(super) fn page_url(relative: &Path) -> String {
    let mut segments: Vec<String> = relative
        .components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(escape_segment(&name.to_string_lossy())),
            _ => None,
        })
        .collect();
    let is_index = segments.last().is_some_and(|name| {
        let name = name.to_ascii_lowercase();
        name == "index.html" || name == "index.htm"
    });
    if is_index {
        segments.pop();
        segments.push(String::new());
    }
    format!("/{}", segments.join("/")).replace("//", "/")
}

/// A URL given in front matter, used as written except that a bare path gets its leading `/`:
/// static site generators treat `press/x` and `/press/x` alike.
pub(super) fn explicit_url(url: &str) -> String {
    let url = url.trim();
    if url.starts_with('/') || url.contains("://") {
        url.to_string()
    } else {
        format!("/{url}")
    }
}

/// `url` with its last segment replaced by `slug`, as static site generators do with a `slug` key.
/// A folder URL (`/news/`) keeps its trailing slash.
pub(super) fn with_slug(url: &str, slug: &str) -> String {
    let slug = escape_segment(slug.trim().trim_matches('/'));
    let (path, trailing) = match url.strip_suffix('/') {
        Some(path) if !path.is_empty() => (path, "/"),
        _ => (url, ""),
    };
    let parent = path.rsplit_once('/').map_or("", |(parent, _)| parent);
    format!("{parent}/{slug}{trailing}")
}

/// Escapes the few characters that would change what a path means in a URL (or break the
/// `href` it lands in); everything else, non-ASCII letters included, is valid in an IRI.
fn escape_segment(segment: &str) -> String {
    let mut escaped = String::with_capacity(segment.len());
    for c in segment.chars() {
        match c {
            '%' => escaped.push_str("%25"),
            ' ' => escaped.push_str("%20"),
            '#' => escaped.push_str("%23"),
            '?' => escaped.push_str("%3F"),
            '"' => escaped.push_str("%22"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_becomes_url_without_extension() {
        assert_eq!(
            file_url(Path::new("2023/10/27/minsk.txt")),
            "/2023/10/27/minsk"
        );
        assert_eq!(file_url(Path::new("minsk.txt")), "/minsk");
        assert_eq!(file_url(Path::new("report.v2.md")), "/report.v2");
    }

    #[test]
    fn index_file_maps_to_its_folder() {
        assert_eq!(file_url(Path::new("news/index.md")), "/news/");
        assert_eq!(file_url(Path::new("a/b/INDEX.txt")), "/a/b/");
        assert_eq!(file_url(Path::new("index.md")), "/");
    }

    #[test]
    fn characters_that_change_a_url_are_escaped() {
        assert_eq!(
            file_url(Path::new("Q&A #1? 100%.md")),
            "/Q&A%20%231%3F%20100%25"
        );
        assert_eq!(file_url(Path::new("communiqué/été.md")), "/communiqué/été");
    }

    #[test]
    fn slug_replaces_the_last_segment() {
        assert_eq!(
            with_slug("/2023/10/27/minsk", "eurasian-security"),
            "/2023/10/27/eurasian-security"
        );
        assert_eq!(with_slug("/minsk", "belarus"), "/belarus");
        assert_eq!(with_slug("/news/", "archive"), "/archive/");
        assert_eq!(with_slug("/a/news/", "/archive/"), "/a/archive/");
    }

    #[test]
    fn explicit_urls_are_kept_and_anchored() {
        assert_eq!(explicit_url(" /press/x/ "), "/press/x/");
        assert_eq!(explicit_url("press/x"), "/press/x");
        assert_eq!(
            explicit_url("https://example.org/x"),
            "https://example.org/x"
        );
    }
}
