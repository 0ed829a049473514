//! The `pressroom-index` builder as a library: reading releases from disk, the build settings of
//! `pressroom.toml`, the incremental build cache, and writing the widget assets. The binary in
//! `main.rs` is the command line around it.
//!
//! * [`input`] — files and folders of releases to [`pressroom::Release`]s.
//! * [`config`] — `pressroom.toml`.
//! * [`pipeline`] — inputs to analyzed releases, through the [`cache`].
//! * [`state`] — what a build leaves for the next, which rebuilds from it.
//! * [`assets`] — the widget and the wasm engine, embedded.

pub mod assets;
pub mod cache;
pub mod config;
pub mod input;
pub mod pipeline;
pub mod state;

/// Removes the files of folder `dir` whose names `stale` accepts: what an earlier build wrote
/// under content-derived names (index parts, folding tables) and the new one no longer names.
/// Subfolders and names that are not UTF-8 are left alone.
pub fn remove_stale_files(
    dir: &std::path::Path,
    stale: impl Fn(&str) -> bool,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_str().is_some_and(&stale) && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(())
}
