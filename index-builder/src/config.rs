//! `pressroom.toml`: what a site builds, written down once. Command-line flags override it.
//!
//! Unknown keys are errors that name the key, the file and the line, so that a typo never
//! silently does nothing. Paths in the file are relative to the folder it sits in.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use pressroom::{Ranking, Release};
use serde::Deserialize;

/// The file looked for in the current folder when `--config` does not name one.
pub const FILE_NAME: &str = "pressroom.toml";

/// The contents of a `pressroom.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Files and folders of releases.
    #[serde(default)]
    pub inputs: Vec<PathBuf>,
    /// When not empty, only files in the input folders whose path matches one of these count.
    #[serde(default)]
    pub globs: Vec<String>,
    /// The output folder.
    pub out: Option<PathBuf>,
    /// The incremental build cache folder (default `.pressroom-cache` beside this file);
    /// `false` turns the cache off.
    pub cache: Option<CacheSetting>,
    /// Whether to write the widget assets beside the index (default true).
    pub assets: Option<bool>,
    /// How many words a hit's excerpt shows (1 to 500, default 30).
    pub excerpt_words: Option<u32>,
    /// Ranking weights; any left out keep their defaults.
    #[serde(default)]
    pub ranking: RankingConfig,
    /// Languages for releases that do not give one.
    #[serde(default)]
    pub lang: LangConfig,
    /// Size limits.
    #[serde(default)]
    pub limits: Limits,
    /// The folder the file is in, against which its paths are resolved.
    #[serde(skip)]
    pub dir: PathBuf,
}

/// `cache = ".pressroom-cache"` or `cache = false`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum CacheSetting {
    /// Off (`false`); `true` is the default folder.
    Enabled(bool),
    /// The folder.
    Dir(PathBuf),
}

/// `[ranking]`: each weight of [`pressroom::Ranking`], by the same name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RankingConfig {
    pub title_weight: Option<f64>,
    pub body_weight: Option<f64>,
    pub k1: Option<f64>,
    pub title_b: Option<f64>,
    pub body_b: Option<f64>,
    pub prefix_weight: Option<f64>,
    pub typo_weight: Option<f64>,
    pub first_letter_typo_factor: Option<f64>,
    pub title_match_bonus: Option<f64>,
    pub exact_title_bonus: Option<f64>,
    pub proximity_bonus: Option<f64>,
    pub stem_weight: Option<f64>,
    pub diacritic_bonus: Option<f64>,
    pub recency_weight: Option<f64>,
    pub recency_half_life: Option<f64>,
}

impl RankingConfig {
    /// The default ranking with the weights this file sets.
    pub fn ranking(&self) -> Ranking {
        let d = Ranking::default();
        Ranking {
            title_weight: self.title_weight.unwrap_or(d.title_weight),
            body_weight: self.body_weight.unwrap_or(d.body_weight),
            k1: self.k1.unwrap_or(d.k1),
            title_b: self.title_b.unwrap_or(d.title_b),
            body_b: self.body_b.unwrap_or(d.body_b),
            prefix_weight: self.prefix_weight.unwrap_or(d.prefix_weight),
            typo_weight: self.typo_weight.unwrap_or(d.typo_weight),
            first_letter_typo_factor: self
                .first_letter_typo_factor
                .unwrap_or(d.first_letter_typo_factor),
            title_match_bonus: self.title_match_bonus.unwrap_or(d.title_match_bonus),
            exact_title_bonus: self.exact_title_bonus.unwrap_or(d.exact_title_bonus),
            proximity_bonus: self.proximity_bonus.unwrap_or(d.proximity_bonus),
            stem_weight: self.stem_weight.unwrap_or(d.stem_weight),
            diacritic_bonus: self.diacritic_bonus.unwrap_or(d.diacritic_bonus),
            recency_weight: self.recency_weight.unwrap_or(d.recency_weight),
            recency_half_life: self.recency_half_life.unwrap_or(d.recency_half_life),
        }
    }
}

/// `[lang]`: `default = "en"` and `[lang.urls]` with `"fr/**" = "fr"`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangConfig {
    /// The language of releases that give none and match no URL glob.
    pub default: Option<String>,
    /// URL globs (without the leading `/`) and the language of the releases they match, for
    /// releases that give none; the first match wins, in file order.
    #[serde(default)]
    pub urls: toml::Table,
}

/// `[limits]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// A release whose title and body are longer is indexed up to this many bytes, with a
    /// warning; it is never dropped. Default [`DEFAULT_MAX_RELEASE_BYTES`].
    pub max_release_bytes: Option<usize>,
}

/// The size limit of a release when none is set: far above any real press release (the 22k
/// releases of the shared corpus are at most 56 KB), low enough that a stray 100 MB log file
/// named `.txt` cannot make the index huge or the build slow.
pub const DEFAULT_MAX_RELEASE_BYTES: usize = 1_000_000;

impl Config {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut config: Config =
            toml::from_str(&text).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
        config.dir = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        for (glob, lang) in &config.lang.urls {
            if !lang.is_str() {
                anyhow::bail!(
                    "{}: [lang.urls] {glob:?} must be a language tag string, not {}",
                    path.display(),
                    lang.type_str()
                );
            }
        }
        Ok(config)
    }

    /// `path` resolved against the folder of the file.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.dir.join(path)
        }
    }

    /// What is done to every release after it is read: languages and size limits.
    pub fn adjust(&self) -> anyhow::Result<Adjust> {
        let mut urls = Vec::new();
        for (glob, lang) in &self.lang.urls {
            let matcher = Glob::new(glob)
                .with_context(|| format!("[lang.urls] {glob:?} is not a valid glob"))?
                .compile_matcher();
            urls.push((matcher, lang.as_str().unwrap_or_default().to_string()));
        }
        Ok(Adjust {
            default_lang: self.lang.default.clone(),
            urls,
            max_release_bytes: Some(
                self.limits
                    .max_release_bytes
                    .unwrap_or(DEFAULT_MAX_RELEASE_BYTES),
            ),
        })
    }
}

/// Compiles globs (`press/**/*.html`) into one set; `None` when there are none.
pub fn glob_set(globs: &[String]) -> anyhow::Result<Option<GlobSet>> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut set = GlobSetBuilder::new();
    for glob in globs {
        set.add(
            Glob::new(glob.trim_start_matches("./"))
                .with_context(|| format!("{glob:?} is not a valid glob"))?,
        );
    }
    Ok(Some(set.build()?))
}

/// Languages and size limits applied to each release after it is read.
#[derive(Debug, Clone, Default)]
pub struct Adjust {
    /// The language of releases that have none and match no URL glob.
    pub default_lang: Option<String>,
    /// URL globs and their languages.
    pub urls: Vec<(GlobMatcher, String)>,
    /// See [`Limits::max_release_bytes`].
    pub max_release_bytes: Option<usize>,
}

impl Adjust {
    /// What the cache must know of these settings: a build with other settings is another build.
    pub fn fingerprint(&self) -> String {
        let urls: Vec<_> = self
            .urls
            .iter()
            .map(|(m, l)| format!("{}={l}", m.glob()))
            .collect();
        format!(
            "lang={:?};urls={urls:?};max={:?}",
            self.default_lang, self.max_release_bytes
        )
    }

    /// Applies the settings to `release`; returns a warning when it had to be cut.
    pub fn apply(&self, release: &mut Release) -> Option<String> {
        if release.lang.is_none() {
            let path = release.url.trim_start_matches('/');
            release.lang = self
                .urls
                .iter()
                .find(|(m, _)| m.is_match(path))
                .map(|(_, lang)| lang.clone())
                .or_else(|| self.default_lang.clone());
        }
        let max = self.max_release_bytes?;
        let size = release.title.len() + release.body.len();
        if size <= max {
            return None;
        }
        let room = max.saturating_sub(release.title.len());
        let mut cut = room.min(release.body.len());
        while !release.body.is_char_boundary(cut) {
            cut -= 1;
        }
        // End on a word, unless that would lose more than a little.
        if let Some(space) = release.body[..cut].rfind(char::is_whitespace) {
            if cut - space < 64 {
                cut = space;
            }
        }
        release.body.truncate(cut);
        Some(format!(
            "release is {size} bytes, over the limit of {max} (limits.max_release_bytes); \
             indexed up to the limit"
        ))
    }
}

/// The starter file `pressroom-index init` writes.
pub const STARTER: &str = r#"# pressroom.toml: how `pressroom-index build` builds this site's search index.
# Flags on the command line override what is set here. Paths are relative to this file.
# Every key is optional; an unknown key is an error.

# Files and folders of releases: .txt, .md (front matter), .jsonl(.gz), built .html pages,
# RSS/Atom feeds (.rss, .atom, .xml).
inputs = ["public"]

# Only files in the input folders whose path (under the folder) matches count as releases.
# globs = ["press/**/*.html"]

# Where the index and the widget go; deploy this folder with the site.
out = "public/pressroom"

# The incremental build cache (never inside `out`); `false` turns it off.
# cache = ".pressroom-cache"

# Write the widget (pressroom.js, pressroom.css, the wasm engine) beside the index.
# assets = true

# How many words a hit's excerpt shows (1 to 500).
# excerpt_words = 30

[ranking]
# How much a word in the title counts against a word in the body.
# title_weight = 6.0
# body_weight = 1.0
# k1 = 1.2
# title_b = 0.5
# body_b = 0.75
# prefix_weight = 0.6
# typo_weight = 0.4
# first_letter_typo_factor = 0.5
# title_match_bonus = 0.25
# exact_title_bonus = 0.5
# How much query words standing close together in the title or body add (×1.5 when adjacent).
# proximity_bonus = 0.5
# What a word sharing the typed word's stem counts ("elections" finds "election").
# stem_weight = 0.7
# How much writing the query's words with the accents typed adds ("résumé" over "resume").
# diacritic_bonus = 0.5
# Recent releases first: extra share recency_weight × 0.5^(age in days / recency_half_life),
# the age counted back from the newest release. 0 (the default) leaves recency to break ties.
# recency_weight = 0.0
# recency_half_life = 365.0

[lang]
# The language of releases that do not say (HTML: <html lang>; Markdown: `lang`). It also
# picks the stemmer that groups a word with its inflections (Snowball: 18 languages).
# default = "en"

[lang.urls]
# Languages by URL, for releases that do not say; the first match wins.
# "fr/**" = "fr"

[limits]
# A release longer than this is indexed up to the limit, with a warning (default 1000000).
# max_release_bytes = 1000000
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_file_parses() {
        let config: Config = toml::from_str(STARTER).unwrap();
        assert_eq!(config.inputs, [PathBuf::from("public")]);
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "out = \"x\"\n[ranking]\ntitle_wieght = 3\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("title_wieght"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
    }

    #[test]
    fn long_releases_are_cut_not_dropped_and_langs_filled() {
        let config: Config =
            toml::from_str("[lang]\ndefault = \"en\"\n[lang.urls]\n\"fr/**\" = \"fr\"\n[limits]\nmax_release_bytes = 20\n")
                .unwrap();
        let adjust = config.adjust().unwrap();
        let mut release = Release {
            url: "/fr/a".into(),
            title: "Title".into(),
            body: "one two three four five six".into(),
            ..Release::default()
        };
        assert!(adjust.apply(&mut release).is_some());
        assert_eq!(release.body, "one two three");
        assert_eq!(release.lang.as_deref(), Some("fr"));
        let mut other = Release {
            url: "/b".into(),
            ..Release::default()
        };
        assert!(adjust.apply(&mut other).is_none());
        assert_eq!(other.lang.as_deref(), Some("en"));
    }
}
