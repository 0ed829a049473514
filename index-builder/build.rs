//! Builds the widget's WebAssembly engine so the `pressroom-index` binary can embed it.
//!
//! With the `assets` feature (the default) this script
//!
//! 1. runs a nested `cargo build --lib -p pressroom --target wasm32-unknown-unknown
//!    --profile wasm-release` with its own target directory (`<target>/wasm-assets`), so the
//!    outer build's lock, flags and target never reach it;
//! 2. runs wasm-bindgen in-process (`wasm-bindgen-cli-support`, same version as the `wasm-bindgen`
//!    the engine links) to write `pressroom_engine.js`, `pressroom_engine_bg.wasm` and
//!    `pressroom_engine.d.ts` into `$OUT_DIR/assets`;
//! 3. shrinks the module with `wasm-opt -Oz` when binaryen 116 or newer is on `PATH`, and keeps
//!    the unoptimized module (with a warning) when there is none, it is older, or it fails;
//!    then writes `pressroom_engine_bg.wasm.gz`, the module gzipped with zopfli, which is what
//!    the widget downloads;
//! 4. checks that the hand-written widget files in `www/` exist, so a missing one is reported
//!    here by name rather than as a failed `include_bytes!`;
//! 5. copies the widget's scripts into `$OUT_DIR/assets`: each as `www/minify.mjs` minified it
//!    into `www/dist/` (committed), when that file's first line names the hash of the current
//!    source, else the source itself with a warning, so a stale minified script never ships;
//! 6. likewise ships wasm-bindgen's glue as `www/dist/pressroom_engine.js` when that was minified
//!    from the glue this build generated (a copy of which it leaves in `<target>/wasm-assets/`
//!    for the minifier).
//!
//! `src/assets.rs` embeds the results. Without the feature (as `cargo xtask` uses this library,
//! before the wasm target may be installed) the script does nothing.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "assets")]
    if let Err(message) = engine::build() {
        // A panic prints the message but buries it under a backtrace note; exit cleanly instead.
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

#[cfg(feature = "assets")]
mod engine {
    use std::env;
    use std::ffi::OsString;
    use std::fs;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    const WASM_TARGET: &str = "wasm32-unknown-unknown";
    const WASM_PROFILE: &str = "wasm-release";
    /// The stem of the files wasm-bindgen writes; `src/assets.rs` names them.
    const OUT_NAME: &str = "pressroom_engine";
    /// Hand-written widget files, relative to the workspace root; `src/assets.rs` embeds them.
    const WWW_FILES: &[&str] = &[
        "www/pressroom.js",
        "www/pressroom-core.js",
        "www/pressroom-worker.js",
        "www/pressroom.css",
        "www/pressroom.d.ts",
    ];
    /// The widget's scripts, shipped minified (see [`ship_scripts`]).
    const SCRIPTS: &[&str] = &["pressroom.js", "pressroom-core.js", "pressroom-worker.js"];
    /// The features rustc enables by default for `wasm32-unknown-unknown`
    /// (`rustc --print cfg --target wasm32-unknown-unknown`); wasm-opt must accept all of them.
    const WASM_OPT_FEATURES: &[&str] = &[
        "--enable-bulk-memory",
        "--enable-nontrapping-float-to-int",
        "--enable-sign-ext",
        "--enable-mutable-globals",
        "--enable-multivalue",
        "--enable-reference-types",
    ];

    /// Variables the outer cargo sets for this script (or inherits from a wrapper such as
    /// `cargo clippy` or `wasm-pack test`) that would change what the nested build compiles.
    const LEAKY_VARS: &[&str] = &[
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_ENCODED_RUSTDOCFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_BUILD_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "TARGET",
        "HOST",
        "OUT_DIR",
        "PROFILE",
        "OPT_LEVEL",
        "DEBUG",
        "NUM_JOBS",
        "RUSTC_LINKER",
    ];
    /// Prefixes of per-package variables the nested cargo sets afresh only for some packages.
    const LEAKY_PREFIXES: &[&str] = &[
        "CARGO_CFG_",
        "CARGO_FEATURE_",
        "CARGO_PKG_",
        "CARGO_MANIFEST_",
        "DEP_",
        // Cargo's own internal variables, e.g. those `cargo fix` uses to drive rustc.
        "__CARGO_",
    ];

    pub fn build() -> Result<(), String> {
        let manifest_dir = PathBuf::from(var("CARGO_MANIFEST_DIR")?);
        let workspace = manifest_dir
            .parent()
            .ok_or("index-builder has no parent folder")?
            .to_path_buf();
        let out_dir = PathBuf::from(var("OUT_DIR")?);

        // The root package's build.rs generates the analyzer's tables the engine embeds.
        for path in ["src", "build.rs", "Cargo.toml", "Cargo.lock"] {
            rerun_if_changed(&workspace.join(path));
        }
        for file in WWW_FILES {
            let path = workspace.join(file);
            rerun_if_changed(&path);
            if !path.is_file() {
                return Err(format!(
                    "{} is missing: the widget embeds it into pressroom-index",
                    path.display()
                ));
            }
        }

        check_wasm_target()?;
        let wasm = build_engine(&workspace, &out_dir)?;
        let assets = out_dir.join("assets");
        bindgen(&wasm, &assets)?;
        let wasm = assets.join(format!("{OUT_NAME}_bg.wasm"));
        optimize(&wasm);
        strip_tool_sections(&wasm)?;
        precompress(&wasm)?;
        ship_scripts(&workspace, &assets)?;
        ship_glue(&workspace, &out_dir, &assets)
    }

    /// Ships wasm-bindgen's glue minified, as [`ship_scripts`] ships the widget's scripts: its
    /// source is generated, so it is first copied to `<target>/wasm-assets/pressroom_engine.js`,
    /// where `www/minify.mjs` reads it, and `www/dist/pressroom_engine.js` replaces it when its
    /// first line names that source's hash. The glue a first search downloads takes 2.6 KB
    /// gzipped instead of 4.2 KB. The glue changes with the engine's exports and imports and with
    /// the versions of wasm-bindgen, js-sys and web-sys (its import names hash them); until
    /// `www/dist` is updated the readable glue ships, with a warning, and a unit test fails.
    fn ship_glue(workspace: &Path, out_dir: &Path, assets: &Path) -> Result<(), String> {
        let name = format!("{OUT_NAME}.js");
        let generated_path = assets.join(&name);
        let generated = fs::read(&generated_path)
            .map_err(|e| format!("cannot read {}: {e}", generated_path.display()))?;
        let copies = glue_copy_dir(out_dir)?;
        fs::create_dir_all(&copies)
            .map_err(|e| format!("cannot create {}: {e}", copies.display()))?;
        let copy = copies.join(&name);
        fs::write(&copy, &generated)
            .map_err(|e| format!("cannot write {}: {e}", copy.display()))?;
        let shipped = minified_or_source(workspace, &name, generated, "wasm-bindgen's output");
        fs::write(&generated_path, shipped)
            .map_err(|e| format!("cannot write {}: {e}", generated_path.display()))
    }

    /// Writes each of [`SCRIPTS`] into `assets`: `www/dist/<name>` when `www/minify.mjs` made it
    /// from the current `www/<name>` (its first line names the source's hash), else the source,
    /// with a warning to run the minifier. Minified, the scripts a first search downloads take
    /// 3.4 KB gzipped instead of 7.6 KB, and the widget's 9.1 KB instead of 14.3 KB.
    fn ship_scripts(workspace: &Path, assets: &Path) -> Result<(), String> {
        fs::create_dir_all(assets)
            .map_err(|e| format!("cannot create {}: {e}", assets.display()))?;
        for name in SCRIPTS {
            let source_path = workspace.join("www").join(name);
            let source = fs::read(&source_path)
                .map_err(|e| format!("cannot read {}: {e}", source_path.display()))?;
            let shipped = minified_or_source(workspace, name, source, &format!("www/{name}"));
            let target = assets.join(name);
            fs::write(&target, shipped)
                .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        }
        Ok(())
    }

    /// What to ship for the script `name` made from `source`: `www/dist/<name>` when
    /// `www/minify.mjs` minified it from these very bytes (its first line names `from` and their
    /// hash), else `source` itself, with a cargo warning to run the minifier.
    fn minified_or_source(workspace: &Path, name: &str, source: Vec<u8>, from: &str) -> Vec<u8> {
        let minified_path = workspace.join("www/dist").join(name);
        rerun_if_changed(&minified_path);
        let header = format!(
            "// pressroom {name} minified from {from} fnv1a:{:08x} by www/minify.mjs\n",
            fnv1a(&source)
        );
        match fs::read(&minified_path) {
            Ok(minified) if minified.starts_with(header.as_bytes()) => minified,
            found => {
                let why = if found.is_ok() {
                    format!("was not minified from {from} as it is now")
                } else {
                    "is missing".to_owned()
                };
                println!(
                    "cargo:warning=www/dist/{name} {why}: embedding {from} as it is (run \
                     `node www/minify.mjs`, after this build, to ship it minified)"
                );
                source
            }
        }
    }

    /// FNV-1a, 32 bits: the hash `www/minify.mjs` writes into a minified script's first line.
    fn fnv1a(bytes: &[u8]) -> u32 {
        bytes.iter().fold(0x811c_9dc5, |hash: u32, &byte| {
            (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
        })
    }

    fn var(name: &str) -> Result<String, String> {
        env::var(name).map_err(|_| format!("cargo did not set {name} for build.rs"))
    }

    fn rerun_if_changed(path: &Path) {
        println!("cargo:rerun-if-changed={}", path.display());
    }

    /// Fails early, with the fix, when the standard library for wasm32 is not installed: the
    /// nested cargo would otherwise fail with "can't find crate for `core`".
    fn check_wasm_target() -> Result<(), String> {
        let rustc = env::var_os("RUSTC").unwrap_or_else(|| OsString::from("rustc"));
        let output = Command::new(&rustc)
            .args(["--print", "sysroot"])
            .output()
            .map_err(|e| format!("could not run {}: {e}", rustc.to_string_lossy()))?;
        let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_string();
        let libdir = Path::new(&sysroot).join(format!("lib/rustlib/{WASM_TARGET}/lib"));
        if libdir.is_dir() {
            Ok(())
        } else {
            Err(format!(
                "the {WASM_TARGET} target is not installed (no {}); pressroom-index embeds the \
                 wasm engine, so install it with `rustup target add {WASM_TARGET}` \
                 (or run `cargo xtask setup`)",
                libdir.display()
            ))
        }
    }

    /// `<target>/wasm-assets`, where [`ship_glue`] leaves the generated glue for
    /// `www/minify.mjs`, which finds `<target>` with `cargo metadata`. OUT_DIR is
    /// `<target>/[<triple>/]<profile>/build/<pkg>-<hash>/out`, with the triple (cargo's `TARGET`)
    /// when the build named one; the search for CACHEDIR.TAG in [`nested_target_dir`] would stop
    /// at `<target>/<triple>`, which has one too.
    fn glue_copy_dir(out_dir: &Path) -> Result<PathBuf, String> {
        let target = var("TARGET")?;
        let mut profile_parent = out_dir.ancestors().nth(4).ok_or_else(|| {
            format!(
                "OUT_DIR {} is not inside a target directory",
                out_dir.display()
            )
        })?;
        if profile_parent
            .file_name()
            .is_some_and(|name| *name == *target)
        {
            profile_parent = profile_parent.parent().unwrap_or(profile_parent);
        }
        Ok(profile_parent.join("wasm-assets"))
    }

    /// The target directory of the nested build: `wasm-assets` beside the outer build's
    /// profile folders, so debug, release and clippy builds share one wasm build.
    fn nested_target_dir(out_dir: &Path) -> PathBuf {
        // Cargo marks the root of every target directory with CACHEDIR.TAG; OUT_DIR is
        // `<target>/[<triple>/]<profile>/build/<pkg>-<hash>/out`.
        out_dir
            .ancestors()
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
            .map(|target| target.join("wasm-assets"))
            .unwrap_or_else(|| out_dir.join("wasm-assets"))
    }

    fn build_engine(workspace: &Path, out_dir: &Path) -> Result<PathBuf, String> {
        let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
        let target_dir = nested_target_dir(out_dir);
        let mut command = Command::new(&cargo);
        command
            .current_dir(workspace)
            .args(["build", "--lib", "-p", "pressroom", "--target", WASM_TARGET])
            .args(["--profile", WASM_PROFILE])
            .arg("--manifest-path")
            .arg(workspace.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir);
        for (name, _) in env::vars_os() {
            let Some(name) = name.to_str() else { continue };
            if LEAKY_VARS.contains(&name) || LEAKY_PREFIXES.iter().any(|p| name.starts_with(p)) {
                command.env_remove(name);
            }
        }
        // The nested cargo's output goes to this script's stderr, which cargo shows when the
        // build fails (and always with `-vv`).
        let status = command
            .status()
            .map_err(|e| format!("could not run {}: {e}", cargo.to_string_lossy()))?;
        if !status.success() {
            return Err(format!(
                "building the wasm engine failed ({status}): `cargo build -p pressroom --target \
                 {WASM_TARGET} --profile {WASM_PROFILE}`; its errors are above"
            ));
        }
        let wasm = target_dir.join(format!("{WASM_TARGET}/{WASM_PROFILE}/pressroom.wasm"));
        if !wasm.is_file() {
            return Err(format!(
                "the wasm build succeeded but wrote no {}",
                wasm.display()
            ));
        }
        Ok(wasm)
    }

    fn bindgen(wasm: &Path, assets: &Path) -> Result<(), String> {
        // Start empty so a file an older build wrote cannot be embedded by mistake.
        if assets.exists() {
            fs::remove_dir_all(assets)
                .map_err(|e| format!("could not clear {}: {e}", assets.display()))?;
        }
        wasm_bindgen_cli_support::Bindgen::new()
            .input_path(wasm)
            .web(true)
            .map_err(|e| format!("wasm-bindgen: {e:#}"))?
            .out_name(OUT_NAME)
            .typescript(true)
            // Like the CLI's `--target web`: with no argument, `init()` fetches
            // `pressroom_engine_bg.wasm` from beside the glue (the library's default omits that).
            .omit_default_module_path(false)
            .generate(assets)
            .map_err(|e| format!("wasm-bindgen failed on {}: {e:#}", wasm.display()))?;
        // Inline JS snippets (`#[wasm_bindgen(module = ...)]`) would be extra files the widget
        // needs; src/assets.rs does not embed any, so refuse rather than ship a broken widget.
        let snippets = assets.join("snippets");
        if snippets.exists() {
            return Err(format!(
                "wasm-bindgen wrote JS snippets to {}; add them to the table in \
                 index-builder/src/assets.rs",
                snippets.display()
            ));
        }
        Ok(())
    }

    /// The oldest binaryen whose wasm-opt was seen to keep this module working. Version 108
    /// (Debian 12's) corrupts wasm-bindgen's externref table even with no passes at all
    /// (`Table.set(): function-typed object must be null`); 116, 123 and 132 were checked with
    /// the e2e tests' searches in Node.
    const WASM_OPT_MIN_VERSION: u32 = 116;

    /// Runs `wasm-opt -Oz --converge` in place. Optimization only saves bytes, so a missing, too old or
    /// failing wasm-opt leaves the correct, unoptimized module and says so.
    fn optimize(wasm: &Path) {
        let version = Command::new("wasm-opt")
            .arg("--version")
            .output()
            .ok()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned());
        let Some(version) = version else {
            println!(
                "cargo:warning=wasm-opt not found; embedding the unoptimized engine \
                 (binaryen {WASM_OPT_MIN_VERSION} or newer would make it smaller)"
            );
            return;
        };
        // `wasm-opt version 116 (version_116)`
        let number = version
            .split_whitespace()
            .nth(2)
            .and_then(|n| n.parse::<u32>().ok());
        if !matches!(number, Some(n) if n >= WASM_OPT_MIN_VERSION) {
            println!(
                "cargo:warning=not using {} (older than binaryen {WASM_OPT_MIN_VERSION}, it \
                 breaks wasm-bindgen's externref table); embedding the unoptimized engine",
                version.trim()
            );
            return;
        }
        let optimized = wasm.with_extension("opt.wasm");
        // `--converge` repeats the passes while they still shrink the module: about 0.3 KB
        // less gzipped, for a few more seconds of build.
        let result = Command::new("wasm-opt")
            .args(["-Oz", "--converge"])
            .args(WASM_OPT_FEATURES)
            .arg(wasm)
            .arg("-o")
            .arg(&optimized)
            .output();
        match result {
            Err(e) => println!(
                "cargo:warning=could not run wasm-opt ({e}); embedding the unoptimized engine"
            ),
            Ok(output) if !output.status.success() => {
                let stderr = String::from_utf8_lossy(&output.stderr);
                let first = stderr.lines().next().unwrap_or("no message");
                println!(
                    "cargo:warning=wasm-opt failed ({}: {first}); embedding the unoptimized engine",
                    output.status
                );
            }
            Ok(_) => {
                if let Err(e) = fs::rename(&optimized, wasm) {
                    println!(
                        "cargo:warning=could not replace {} with the wasm-opt output ({e}); \
                         embedding the unoptimized engine",
                        wasm.display()
                    );
                }
            }
        }
        let _ = fs::remove_file(&optimized);
    }

    /// Drops the custom sections `producers` and `target_features` (about 0.2 KB) that
    /// wasm-bindgen and rustc leave for tools: browsers ignore them. (wasm-opt's own
    /// `--strip-*` passes re-encode the module a little larger.)
    fn strip_tool_sections(wasm: &Path) -> Result<(), String> {
        let module =
            fs::read(wasm).map_err(|e| format!("could not read {}: {e}", wasm.display()))?;
        let leb = |at: &mut usize| -> Option<usize> {
            let (mut value, mut shift) = (0usize, 0);
            loop {
                let byte = *module.get(*at)?;
                *at += 1;
                value |= usize::from(byte & 0x7F) << shift;
                if byte < 0x80 {
                    return Some(value);
                }
                shift += 7;
            }
        };
        let mut out = module[..8.min(module.len())].to_vec();
        let mut at = 8;
        while at < module.len() {
            let start = at;
            at += 1;
            let malformed = || format!("{} is not a well-formed module", wasm.display());
            let size = leb(&mut at).ok_or_else(malformed)?;
            let body = at;
            let end = body
                .checked_add(size)
                .filter(|&e| e <= module.len())
                .ok_or_else(malformed)?;
            let tool = module[start] == 0 && {
                let mut name_at = body;
                let name_len = leb(&mut name_at).ok_or_else(malformed)?;
                let name = module
                    .get(name_at..name_at + name_len)
                    .ok_or_else(malformed)?;
                name == b"producers" || name == b"target_features"
            };
            if !tool {
                out.extend_from_slice(&module[start..end]);
            }
            at = end;
        }
        fs::write(wasm, out).map_err(|e| format!("could not write {}: {e}", wasm.display()))
    }

    /// Writes `<wasm>.gz`, the module as the widget downloads it: gzip made with zopfli, about
    /// 6% smaller than a host's on-the-fly gzip of the module (133 KB against 141 KB at level 6),
    /// and small on hosts that compress nothing at all. The browser inflates it with
    /// `DecompressionStream`, as it does the index. Deterministic: zopfli's gzip header has
    /// no time and no name, so the same module always gives the same bytes.
    fn precompress(wasm: &Path) -> Result<(), String> {
        let module =
            fs::read(wasm).map_err(|e| format!("could not read {}: {e}", wasm.display()))?;
        let mut gzip = Vec::with_capacity(module.len() / 2);
        zopfli::compress(
            zopfli::Options::default(),
            zopfli::Format::Gzip,
            module.as_slice(),
            &mut gzip,
        )
        .map_err(|e| format!("could not compress {}: {e}", wasm.display()))?;
        let out = wasm.with_extension("wasm.gz");
        fs::write(&out, gzip).map_err(|e| format!("could not write {}: {e}", out.display()))
    }
}
