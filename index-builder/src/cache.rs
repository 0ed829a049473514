//! The incremental build cache: what reading and analyzing each input file produced, kept under
//! a key made of the file's bytes, its path, the builder itself and the settings that change a
//! release, so that a rebuild after adding one release analyzes only that one.
//!
//! One entry per input file, `<blake3 hex>.prc`: `u64 length | postcard outcome | postcard
//! analyzed releases`. A build removes the entries it did not use, so the folder holds one
//! build's worth. A hit costs a read and a decode; a rebuild from the previous index (see
//! [`crate::state`]) reads only the outcome.

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
        if bytes.len() > 1 << 20 {
            // A large input (a whole feed or export) is hashed on every core: same hash.
            hasher.update_rayon(bytes);
        } else {
            hasher.update(bytes);
        }
        hasher.finalize().to_hex().to_string()
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.{EXTENSION}"))
    }

    fn mark_used(&self, key: &str) {
        self.used
            .lock()
            .expect("no panic while holding the lock")
            .insert(key.to_string());
    }

    /// The entry under `key`, if there is one that decodes.
    pub fn get(&self, key: &str) -> Option<Entry> {
        self.mark_used(key);
        let bytes = std::fs::read(self.path(key)).ok()?;
        let (outcome, rest) = split_entry(&bytes)?;
        Some(Entry {
            outcome: postcard::from_bytes(outcome).ok()?,
            analyzed: postcard::from_bytes(rest).ok()?,
        })
    }

    /// Only the outcome of the entry under `key` (its problems and sources), read without the
    /// analyzed releases: what a rebuild needs of a file whose releases it takes from the
    /// previous index.
    pub fn get_outcome(&self, key: &str) -> Option<FileOutcome> {
        use std::io::Read as _;
        self.mark_used(key);
        let mut file = std::fs::File::open(self.path(key)).ok()?;
        let mut len = [0; 8];
        file.read_exact(&mut len).ok()?;
        let len = usize::try_from(u64::from_le_bytes(len)).ok()?;
        let mut outcome = Vec::new();
        file.take(len as u64).read_to_end(&mut outcome).ok()?;
        (outcome.len() == len)
            .then(|| postcard::from_bytes(&outcome).ok())
            .flatten()
    }

    /// Keeps `entry` under `key`. A cache that cannot be written costs speed, not correctness,
    /// so failures are returned for a warning only.
    pub fn put(&self, key: &str, entry: &Entry) -> anyhow::Result<()> {
        // `u64 outcome length | outcome | analyzed releases`, so the outcome reads alone.
        let outcome = postcard::to_allocvec(&entry.outcome)?;
        let mut bytes = (outcome.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(&outcome);
        bytes.extend_from_slice(&postcard::to_allocvec(&entry.analyzed)?);
        self.write(&self.path(key), &bytes)
    }

    /// Writes `bytes` to `path` through a temporary file, so a reader never sees half of them.
    pub(crate) fn write(&self, path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
        self.write_parts(path, &[bytes])
    }

    /// Writes `parts` one after the other to `path`, as [`Cache::write`] does.
    pub(crate) fn write_parts(&self, path: &Path, parts: &[&[u8]]) -> anyhow::Result<()> {
        use std::io::Write as _;
        let extension = path
            .extension()
            .map_or(String::new(), |e| e.to_string_lossy().into_owned());
        let tmp = path.with_extension(format!("{extension}.{}.tmp", std::process::id()));
        let written = std::fs::File::create(&tmp)
            .and_then(|mut file| parts.iter().try_for_each(|part| file.write_all(part)));
        written.with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
    }

    /// The folder.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The hash of the builder and the settings.
    pub(crate) fn salt(&self) -> &[u8; 32] {
        &self.salt
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

/// An entry's two halves: the outcome's bytes and the analyzed releases' bytes.
fn split_entry(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = usize::try_from(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)).ok()?;
    let outcome = bytes.get(8..8usize.checked_add(len)?)?;
    Some((outcome, &bytes[8 + len..]))
}
