//! The widget assets embedded in `pressroom-index`, written next to the index it builds.
//!
//! `pressroom.js`, `pressroom-worker.js`, `pressroom.css` and the types `pressroom.d.ts` are the
//! hand-written widget from `www/` (with the engine layer `pressroom-core.js`; the scripts as
//! `www/minify.mjs` minified them into `www/dist/`, which `build.rs` copies); the
//! `pressroom_engine*` files are the search engine compiled to WebAssembly and bound to
//! JavaScript by `build.rs`, with `pressroom_engine_fold_<hash>.bin`, the folding of characters
//! outside the common scripts that the engine fetches when it meets one. Embedding them makes
//! the installed binary self-contained.
//!
//! This module exists only with the `assets` feature (on by default), because without it
//! `build.rs` does not build the engine.
#![cfg(feature = "assets")]

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// One embedded file: the name it is written under and its bytes.
struct Asset {
    name: &'static str,
    bytes: &'static [u8],
}

/// An asset from the hand-written widget in the workspace's `www/` folder.
macro_rules! www {
    ($name:literal) => {
        Asset {
            name: $name,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../www/", $name)),
        }
    };
}

/// An asset `build.rs` generated into `$OUT_DIR/assets`.
macro_rules! generated {
    ($name:literal) => {
        Asset {
            name: $name,
            bytes: include_bytes!(concat!(env!("OUT_DIR"), "/assets/", $name)),
        }
    };
}

/// Every asset, in the order they are written. Adding an asset is one line here (and, for a
/// `www/` file, one in `build.rs`'s `WWW_FILES`, which reports it by name when it is missing).
const ASSETS: &[Asset] = &[
    generated!("pressroom.js"),
    generated!("pressroom-core.js"),
    generated!("pressroom-worker.js"),
    www!("pressroom.css"),
    www!("pressroom.d.ts"),
    generated!("pressroom_engine.js"),
    generated!("pressroom_engine_bg.wasm"),
    generated!("pressroom_engine_bg.wasm.gz"),
    generated!("pressroom_engine.d.ts"),
    // The folding of characters outside the common scripts, which the engine fetches the first
    // time a search meets one (see `pressroom::analyze::fold_char`).
    Asset {
        name: pressroom::analyze::EXTENDED_FOLD_FILE,
        bytes: pressroom::analyze::EXTENDED_FOLD_GZIP,
    },
];

const NAMES: [&str; ASSETS.len()] = {
    let mut names = [""; ASSETS.len()];
    let mut i = 0;
    while i < ASSETS.len() {
        names[i] = ASSETS[i].name;
        i += 1;
    }
    names
};

/// The file names [`write_assets`] writes, in order.
pub const ASSET_NAMES: &[&str] = &NAMES;

/// Writes every widget asset into `out` (creating the folder if needed) and returns the paths
/// written, in the order of [`ASSET_NAMES`]. Existing files of the same names are replaced.
///
/// ```no_run
/// let written = pressroom_index::assets::write_assets(std::path::Path::new("public/pressroom"))?;
/// assert_eq!(written.len(), pressroom_index::assets::ASSET_NAMES.len());
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn write_assets(out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    remove_other_fold_tables(out)?;
    ASSETS
        .iter()
        .map(|asset| {
            let path = out.join(asset.name);
            fs::write(&path, asset.bytes).with_context(|| format!("writing {}", path.display()))?;
            Ok(path)
        })
        .collect()
}

/// Removes the extended folding tables of other engine versions from `out`: each is named by
/// its contents, so an upgrade would otherwise leave the old one behind.
fn remove_other_fold_tables(out: &Path) -> anyhow::Result<()> {
    crate::remove_stale_files(out, |name| {
        name.starts_with("pressroom_engine_fold_")
            && name.ends_with(".bin")
            && name != pressroom::analyze::EXTENDED_FOLD_FILE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded bytes of the asset named `name`.
    fn shipped(name: &str) -> &'static [u8] {
        ASSETS.iter().find(|a| a.name == name).unwrap().bytes
    }

    #[test]
    fn writes_every_asset_with_its_embedded_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nested/pressroom");
        let written = write_assets(&out).unwrap();
        let names: Vec<_> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ASSET_NAMES);
        for asset in ASSETS {
            assert_eq!(fs::read(out.join(asset.name)).unwrap(), asset.bytes);
        }
    }

    #[test]
    fn the_scripts_ship_minified_from_their_current_source() {
        for name in ["pressroom.js", "pressroom-core.js", "pressroom-worker.js"] {
            let shipped = shipped(name);
            let source = fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../www")
                    .join(name),
            )
            .unwrap();
            let minified = fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../www/dist")
                    .join(name),
            )
            .unwrap_or_default();
            assert!(
                shipped == minified,
                "www/dist/{name} is not minified from the current www/{name}: run `node www/minify.mjs`"
            );
            assert!(
                shipped.len() < source.len() * 2 / 3,
                "{name}: {} bytes shipped of {}",
                shipped.len(),
                source.len()
            );
        }
    }

    #[test]
    fn the_glue_ships_minified_from_this_builds_glue() {
        let shipped = shipped("pressroom_engine.js");
        let minified =
            fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/dist/pressroom_engine.js"))
                .unwrap_or_default();
        // build.rs embeds www/dist's copy only when its header names this build's glue.
        assert!(
            shipped == minified,
            "www/dist/pressroom_engine.js is not minified from the glue wasm-bindgen generated \
             for this build: run `node www/minify.mjs` and commit it"
        );
    }

    #[test]
    fn the_gzipped_engine_inflates_to_the_engine() {
        use std::io::Read as _;
        let (wasm, gzip) = (
            shipped("pressroom_engine_bg.wasm"),
            shipped("pressroom_engine_bg.wasm.gz"),
        );
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(gzip)
            .read_to_end(&mut inflated)
            .unwrap();
        assert!(inflated == wasm, "the .gz is not the module");
        assert!(
            gzip.len() < wasm.len() / 2,
            "{} bytes gzipped of {}",
            gzip.len(),
            wasm.len()
        );
    }

    #[test]
    fn the_engine_asks_for_the_fold_table_that_ships_beside_it() {
        let wasm = shipped("pressroom_engine_bg.wasm");
        let name = pressroom::analyze::EXTENDED_FOLD_FILE.as_bytes();
        assert!(
            wasm.windows(name.len()).any(|w| w == name),
            "the module does not name {}",
            pressroom::analyze::EXTENDED_FOLD_FILE
        );
        let dir = tempfile::tempdir().unwrap();
        let old = dir
            .path()
            .join("pressroom_engine_fold_0123456789abcdef.bin");
        fs::write(&old, b"an older engine's table").unwrap();
        fs::write(dir.path().join("pressroom-0123456789abcdef.bin"), b"a part").unwrap();
        write_assets(dir.path()).unwrap();
        assert!(!old.exists(), "the older table is left behind");
        assert!(dir.path().join("pressroom-0123456789abcdef.bin").exists());
        assert!(dir
            .path()
            .join(pressroom::analyze::EXTENDED_FOLD_FILE)
            .exists());
    }

    #[test]
    fn engine_is_a_wasm_module_that_its_glue_loads() {
        let wasm = shipped("pressroom_engine_bg.wasm");
        assert_eq!(
            &wasm[..4],
            b"\0asm",
            "the engine is not a WebAssembly module"
        );
        let glue = std::str::from_utf8(shipped("pressroom_engine.js")).unwrap();
        // The --target web glue fetches the module next to itself by this name.
        assert!(
            glue.contains("pressroom_engine_bg.wasm"),
            "glue does not load the module"
        );
        // `init` is the default export: `export { initSync, __wbg_init as default };`.
        assert!(
            glue.contains(" as default"),
            "glue has no default init export"
        );
    }

    #[test]
    fn writing_into_a_file_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("pressroom");
        fs::write(&blocker, "not a folder").unwrap();
        let error = format!("{:#}", write_assets(&blocker).unwrap_err());
        assert!(error.contains(&blocker.display().to_string()), "{error}");
    }
}
