//! The incremental build cache: what reading and analyzing each input file produced, kept under
//! a key made of the file's bytes, its path, the builder itself and the settings that change a
//! release, so that a rebuild after adding one release analyzes only that one.
//!
//! One entry per input file, `<blake3 hex>.prc`, postcard-encoded. A build removes the entries it
//! did not use, so the folder holds one build's worth. A hit costs a read and a decode.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context as _;
use pressroom::AnalyzedRelease;

use crate::input::{FileOutcome, InputFile};

/// The default cache folder, beside `pressroom.toml` or in the current folder.
pub const DEFAULT_DIR: &str = ".pressroom-cache";

const EXTENSION: &str = "prc";

/// What one input file gave.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// For a file of releases, the final problems and sources, with each release's text left
    /// out (it is in `analyzed`); for an HTML page, what the page gave before the site-wide pass,
    /// which is run again on every build.
    pub outcome: FileOutcome,
    /// The analyzed releases, in file order.
    pub analyzed: Vec<AnalyzedRelease>,
}

/// A cache folder for one build.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    /// The builder and settings, hashed: an entry made by another builder or other settings is
    /// never found.
    salt: [u8; 32],
    used: Mutex<HashSet<String>>,
}

impl Cache {
    /// Opens (creating) the cache folder; `settings` names everything besides the file that
    /// changes what it gives.
    pub fn open(dir: &Path, settings: &str) -> anyhow::Result<Cache> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the cache folder {}", dir.display()))?;
        let tag = dir.join("CACHEDIR.TAG");
        if !tag.exists() {
            // Backup tools skip folders with this tag (https://bford.info/cachedir/).
            let _ = std::fs::write(
                &tag,
                "Signature: 8a477f597d28d172789f06886806bc55\n# pressroom-index build cache\n",
            );
        }
        let mut hasher = blake3::Hasher::new();
        hasher.update(builder_identity().as_bytes());
        hasher.update(&[0]);
        hasher.update(settings.as_bytes());
        Ok(Cache {
            dir: dir.to_path_buf(),
            salt: *hasher.finalize().as_bytes(),
            used: Mutex::new(HashSet::new()),
        })
    }

    /// The key of `file` with contents `bytes`.
    pub fn key(&self, file: &InputFile, bytes: &[u8]) -> String {
        let mut hasher = blake3::Hasher::new_keyed(&self.salt);
        for part in [&file.path, &file.relative] {
            let part = part.to_string_lossy();
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hasher.update(bytes);
        hasher.finalize().to_hex().to_string()
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.{EXTENSION}"))
    }

    /// The entry under `key`, if there is one that decodes.
    pub fn get(&self, key: &str) -> Option<Entry> {
        self.used
            .lock()
            .expect("no panic while holding the lock")
            .insert(key.to_string());
        let bytes = std::fs::read(self.path(key)).ok()?;
        postcard::from_bytes(&bytes).ok()
    }

    /// Keeps `entry` under `key`. A cache that cannot be written costs speed, not correctness,
    /// so failures are returned for a warning only.
    pub fn put(&self, key: &str, entry: &Entry) -> anyhow::Result<()> {
        let bytes = postcard::to_allocvec(entry)?;
        let path = self.path(key);
        let tmp = path.with_extension(format!("{EXTENSION}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, &bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Removes the entries this build did not use; returns how many.
    pub fn prune(&self) -> usize {
        let used = self.used.lock().expect("no panic while holding the lock");
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let stale = path.extension().is_some_and(|e| e == EXTENSION)
                && path
                    .file_stem()
                    .is_some_and(|s| !used.contains(&*s.to_string_lossy()));
            if stale && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

/// What identifies this builder: its version and a hash of its own executable, so that a
/// rebuilt analyzer never reuses what an older one cached.
fn builder_identity() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::read(p).ok())
        .map(|bytes| blake3::hash(&bytes).to_hex().to_string())
        .unwrap_or_default();
    format!("pressroom-index {} {exe}", env!("CARGO_PKG_VERSION"))
}
