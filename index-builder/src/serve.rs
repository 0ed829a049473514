//! `pressroom-index serve`: a preview of a built site with its search, on 127.0.0.1 only.
//!
//! The index is built into the site (or `--out`), the site is served with `tiny_http`, and a
//! polling watcher rebuilds when a file of the site changes (after changes settle, so a
//! generator writing hundreds of files causes one rebuild). Pages that do not load the widget
//! yet get it added on the way out, so a site can be previewed before its templates change.

use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::bail;

use crate::{run_build, Output, ServeArgs};

pub(crate) fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let config = args.settings.config()?;
    let site = match (&args.site, &config) {
        (Some(site), _) => site.clone(),
        (None, Some(c)) if !c.inputs.is_empty() => c.resolve(&c.inputs[0]),
        _ => bail!("name the built site's folder: pressroom-index serve public/"),
    };
    if !site.is_dir() {
        bail!("{} is not a folder", site.display());
    }
    let out = args.out.clone().unwrap_or_else(|| site.join("pressroom"));
    let job = args.settings.job(std::slice::from_ref(&site), Some(&out))?;
    let output = Output {
        quiet: false,
        verbose: false,
        json: false,
    };
    run_build(&job, &output)?;

    let mount = match out.strip_prefix(&site) {
        Ok(inside) => format!("/{}/", url_path(inside)),
        Err(_) => "/pressroom/".to_string(),
    };
    let address = format!("127.0.0.1:{}", args.port);
    let server = tiny_http::Server::http(&address)
        .map_err(|e| anyhow::anyhow!("cannot listen on {address}: {e}"))?;
    println!(
        "serving {} at http://{address}/ (search from {mount})",
        site.display()
    );

    if !args.no_watch {
        let site = site.clone();
        let out = out.clone();
        let cache = job.cache_dir.clone();
        std::thread::spawn(move || {
            watch(&site, &out, cache.as_deref(), || {
                if let Err(e) = run_build(&job, &output) {
                    eprintln!("error: {e:#}");
                }
            })
        });
    }

    for request in server.incoming_requests() {
        let range = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Range"))
            .map(|h| h.value.as_str().to_owned());
        let response = respond(&site, &out, &mount, request.url(), range.as_deref());
        // A client that went away is its own business.
        let _ = request.respond(response);
    }
    Ok(())
}

fn url_path(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

type Response = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

fn respond(site: &Path, out: &Path, mount: &str, url: &str, range: Option<&str>) -> Response {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let path = percent_decode(path);
    let (root, rest) = match path.strip_prefix(mount) {
        Some(rest) => (out, rest.to_string()),
        None => (site, path.trim_start_matches('/').to_string()),
    };
    let mut relative = PathBuf::new();
    for segment in rest.split('/') {
        match segment {
            "" | "." => {}
            // Never outside the site.
            ".." => return text(403, "forbidden"),
            s => relative.push(s),
        }
    }
    let mut file = root.join(&relative);
    if file.is_dir() {
        file = file.join("index.html");
    } else if !file.exists() && file.extension().is_none() {
        file.set_extension("html");
    }
    let Ok(mut bytes) = std::fs::read(&file) else {
        return text(404, "not found");
    };
    let content_type = content_type(&file);
    if content_type.starts_with("text/html") {
        bytes = with_widget(bytes, mount);
    }
    let header =
        tiny_http::Header::from_bytes("Content-Type", content_type).expect("a valid header");
    let no_cache =
        tiny_http::Header::from_bytes("Cache-Control", "no-cache").expect("a valid header");
    // A split index fetches its parts with range requests, as static hosts answer them.
    if let Some((start, end)) = range.and_then(|r| byte_range(r, bytes.len())) {
        let content_range = format!("bytes {start}-{end}/{}", bytes.len());
        let content_range =
            tiny_http::Header::from_bytes("Content-Range", content_range).expect("a valid header");
        return tiny_http::Response::from_data(bytes[start..=end].to_vec())
            .with_status_code(206)
            .with_header(header)
            .with_header(no_cache)
            .with_header(content_range);
    }
    tiny_http::Response::from_data(bytes)
        .with_header(header)
        .with_header(no_cache)
}

/// A single `bytes=start-end` range within a body of `len` bytes, inclusive; anything else (no
/// range, several, suffix ranges, out of bounds) is answered with the whole body.
fn byte_range(header: &str, len: usize) -> Option<(usize, usize)> {
    let (start, end) = header.strip_prefix("bytes=")?.split_once('-')?;
    let start: usize = start.trim().parse().ok()?;
    let end: usize = match end.trim() {
        "" => len.checked_sub(1)?,
        e => e.parse::<usize>().ok()?.min(len.checked_sub(1)?),
    };
    (start <= end).then_some((start, end))
}

fn text(status: u16, body: &str) -> Response {
    tiny_http::Response::from_data(body.as_bytes().to_vec()).with_status_code(status)
}

/// Adds the widget to a page that does not load it yet, at the top of its content.
fn with_widget(bytes: Vec<u8>, mount: &str) -> Vec<u8> {
    let Ok(html) = String::from_utf8(bytes) else {
        return Vec::new();
    };
    if html.contains("pressroom.js") {
        return html.into_bytes();
    }
    let widget = format!(
        "<link rel=\"stylesheet\" href=\"{mount}pressroom.css\">\
         <div data-pressroom></div>\
         <script type=\"module\" src=\"{mount}pressroom.js\"></script>"
    );
    let lower = html.to_ascii_lowercase();
    match lower
        .find("<body")
        .and_then(|at| Some(at + lower[at..].find('>')? + 1))
    {
        Some(at) => format!("{}{widget}{}", &html[..at], &html[at..]).into_bytes(),
        None => format!("{widget}{html}").into_bytes(),
    }
}

fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "xml" | "rss" | "atom" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Calls `rebuild` when a file under `site` (outside `out` and the cache) changes, once the
/// changes have settled for a moment.
fn watch(site: &Path, out: &Path, cache: Option<&Path>, rebuild: impl Fn()) {
    let mut last = snapshot(site, out, cache);
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = snapshot(site, out, cache);
        if now == last {
            continue;
        }
        // Debounce: wait until two looks in a row agree.
        let mut settled = now;
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let again = snapshot(site, out, cache);
            if again == settled {
                break;
            }
            settled = again;
        }
        println!("change detected; rebuilding");
        rebuild();
        last = snapshot(site, out, cache);
    }
}

/// Every file's path, size and modification time, hashed.
fn snapshot(site: &Path, out: &Path, cache: Option<&Path>) -> blake3::Hash {
    let skip: Vec<PathBuf> = [Some(out), cache]
        .into_iter()
        .flatten()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut hasher = blake3::Hasher::new();
    let walk = walkdir::WalkDir::new(site)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !(e.file_type().is_dir()
                && std::fs::canonicalize(e.path()).is_ok_and(|p| skip.contains(&p)))
        });
    for entry in walk.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        let modified = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
            .unwrap_or_default();
        hasher.update(entry.path().to_string_lossy().as_bytes());
        hasher.update(&meta.len().to_le_bytes());
        hasher.update(&modified.as_nanos().to_le_bytes());
    }
    hasher.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_byte_ranges_are_honoured() {
        assert_eq!(byte_range("bytes=2-5", 10), Some((2, 5)));
        assert_eq!(byte_range("bytes=8-", 10), Some((8, 9)));
        assert_eq!(byte_range("bytes=8-100", 10), Some((8, 9)));
        assert_eq!(byte_range("bytes=5-2", 10), None);
        assert_eq!(byte_range("bytes=0-1,4-5", 10), None);
        assert_eq!(byte_range("bytes=0-1", 0), None);
    }

    #[test]
    fn wasm_is_served_as_wasm() {
        assert_eq!(content_type(Path::new("a/x_bg.wasm")), "application/wasm");
        assert_eq!(percent_decode("/a%20b/%zz"), "/a b/%zz");
    }

    #[test]
    fn the_widget_is_added_once() {
        let page = with_widget(
            b"<html><body class=x><p>Hi</p></body></html>".to_vec(),
            "/p/",
        );
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with("<html><body class=x><link"), "{page}");
        assert_eq!(
            with_widget(page.clone().into_bytes(), "/p/"),
            page.into_bytes()
        );
    }
}
