//! `cargo xtask setup`: installs what builds and tests need, only where it is missing, so a
//! second run takes a second or two. Prints one line per tool: `present` or `installed`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{bail, Context};

use crate::process::{cargo, command, probe, run, workspace_root};

/// The wasm target the engine is compiled for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// What a task needs installed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The demo: the wasm target (build.rs needs it) and Node.js to serve the site.
    Demo,
    /// Every test: the demo's needs, wasm-pack, the wasm-bindgen CLI, browsers and their
    /// drivers, binaryen's wasm-opt and the end-to-end tests' npm packages.
    Everything,
}

/// Debian packages the tests use, each with the program that shows it is installed.
const APT_PACKAGES: &[(&str, &str)] = &[
    ("chromium", "chromium"),
    ("chromium-driver", "chromedriver"),
    ("firefox-esr", "firefox-esr"),
];

/// The oldest binaryen whose `wasm-opt` keeps wasm-bindgen's externref table intact (Debian 12's
/// 108 corrupts it; build.rs skips anything older).
const WASM_OPT_MIN: u32 = 116;

/// Installs what `scope` needs and is missing.
pub fn install(scope: Scope) -> anyhow::Result<()> {
    wasm_target()?;
    node()?;
    if scope == Scope::Demo {
        // wasm-opt only makes the engine smaller; build.rs says when it goes without (none, or
        // older than binaryen 116).
        let state = match probe(&mut command("wasm-opt", ["--version"])) {
            Some(version) => format!("present ({})", version.trim()),
            None => "missing (optional: the engine is embedded unoptimized)".to_string(),
        };
        report("wasm-opt", &state);
        return Ok(());
    }
    wasm_opt()?;
    cargo_tool("wasm-pack", &["install", "wasm-pack"])?;
    wasm_bindgen_cli()?;
    apt_packages()?;
    cargo_tool("geckodriver", &["install", "geckodriver"])?;
    npm_packages()?;
    Ok(())
}

/// binaryen's `wasm-opt` makes the engine about a sixth smaller, and the tests and benchmarks
/// should see the module a site would deploy. Debian's is too old, so it comes from crates.io
/// (the `wasm-opt` crate builds binaryen 116 from source: several minutes, once).
fn wasm_opt() -> anyhow::Result<()> {
    let version = probe(&mut command("wasm-opt", ["--version"])).and_then(|v| {
        // "wasm-opt version 116 (version_116)"
        v.split_whitespace()
            .nth(2)
            .and_then(|n| n.parse::<u32>().ok())
    });
    match version {
        Some(v) if v >= WASM_OPT_MIN => report("wasm-opt", &format!("present (binaryen {v})")),
        _ => {
            run(&mut cargo(["install", "wasm-opt"]))?;
            report("wasm-opt", "installed");
        }
    }
    Ok(())
}

fn report(tool: &str, state: &str) {
    println!("setup: {tool}: {state}");
}

/// Whether the standard library for `target` is in the active toolchain's sysroot. Asking
/// rustc works with or without rustup.
pub fn has_rust_target(target: &str) -> bool {
    let Some(sysroot) = probe(&mut command("rustc", ["--print", "sysroot"])) else {
        return false;
    };
    Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(target)
        .join("lib")
        .is_dir()
}

fn wasm_target() -> anyhow::Result<()> {
    let name = format!("rust target {WASM_TARGET}");
    if has_rust_target(WASM_TARGET) {
        report(&name, "present");
        return Ok(());
    }
    run(&mut command("rustup", ["target", "add", WASM_TARGET]))
        .context("installing the wasm target needs rustup (https://rustup.rs)")?;
    report(&name, "installed");
    Ok(())
}

fn node() -> anyhow::Result<()> {
    match probe(&mut command("node", ["--version"])) {
        Some(version) => {
            report("node", &format!("present ({})", version.trim()));
            Ok(())
        }
        None => bail!("Node.js is not installed: install Node.js 20 or newer and npm"),
    }
}

/// A program that `cargo install` provides, installed when it is not on PATH (nor in cargo's
/// bin folder, which a fresh shell may not have on PATH yet).
fn cargo_tool(program: &str, install: &[&str]) -> anyhow::Result<()> {
    if find_program(program).is_some() {
        report(program, "present");
        return Ok(());
    }
    run(&mut cargo(install))?;
    report(program, "installed");
    Ok(())
}

/// Where `program` is: on PATH, or in cargo's bin folder.
pub fn find_program(program: &str) -> Option<PathBuf> {
    which::which(program).ok().or_else(|| {
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))?;
        let path = home.join("bin").join(program);
        path.is_file().then_some(path)
    })
}

/// The version of `package` that Cargo.lock records.
fn locked_version(package: &str) -> anyhow::Result<String> {
    let path = workspace_root().join("Cargo.lock");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let lock: toml::Table = text
        .parse()
        .with_context(|| format!("parsing {}", path.display()))?;
    let packages = lock.get("package").and_then(|p| p.as_array());
    let mut versions = packages
        .into_iter()
        .flatten()
        .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some(package))
        .filter_map(|p| p.get("version").and_then(|v| v.as_str()));
    match (versions.next(), versions.next()) {
        (Some(version), None) => Ok(version.to_string()),
        (None, _) => bail!("{} has no `{package}` package", path.display()),
        (Some(_), Some(_)) => bail!("{} has more than one `{package}` version", path.display()),
    }
}

/// wasm-pack runs the tests with the `wasm-bindgen` CLI on PATH only when its version is exactly
/// the linked library's (otherwise it tries to download one, which fails offline).
fn wasm_bindgen_cli() -> anyhow::Result<()> {
    let wanted = locked_version("wasm-bindgen")?;
    let installed = find_program("wasm-bindgen")
        .and_then(|path| probe(&mut command(path, ["--version"])))
        .and_then(|out| out.split_whitespace().nth(1).map(str::to_string));
    let name = format!("wasm-bindgen {wanted}");
    if installed.as_deref() == Some(wanted.as_str()) {
        report(&name, "present");
        return Ok(());
    }
    run(&mut cargo([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &wanted,
        "--force",
    ]))?;
    report(&name, "installed");
    Ok(())
}

fn apt_packages() -> anyhow::Result<()> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(_, program)| which::which(program).is_err())
        .map(|(package, _)| *package)
        .collect();
    for (package, _) in APT_PACKAGES.iter().filter(|(p, _)| !missing.contains(p)) {
        report(package, "present");
    }
    if missing.is_empty() {
        return Ok(());
    }
    if which::which("apt-get").is_err() {
        bail!(
            "missing {}; this machine has no apt-get, so install them with its package manager",
            missing.join(", ")
        );
    }
    let root = probe(&mut command("id", ["-u"])).is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if root {
            command("apt-get", args)
        } else {
            let mut cmd = command("sudo", ["apt-get"]);
            cmd.args(args);
            cmd
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update"]))?;
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(&missing);
    run(&mut apt(&install))?;
    for package in missing {
        report(package, "installed");
    }
    Ok(())
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The end-to-end tests' npm packages, installed when `node_modules` is missing or older than
/// `package-lock.json` (or `package.json`). npm itself may touch the lock file after it fills
/// `node_modules`, so the time of the install is a stamp file this function writes last.
fn npm_packages() -> anyhow::Result<()> {
    const NAME: &str = "tests/e2e npm packages";
    let dir = workspace_root().join("tests/e2e");
    let manifest = dir.join("package.json");
    if !manifest.is_file() {
        report(NAME, "none (no tests/e2e/package.json)");
        return Ok(());
    }
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules/.xtask-installed");
    let installed = modified(&stamp);
    let fresh = installed.is_some_and(|installed| {
        [&lock, &manifest]
            .iter()
            .filter_map(|path| modified(path))
            .all(|changed| installed >= changed)
    });
    if fresh {
        report(NAME, "present");
        return Ok(());
    }
    let args: &[&str] = if lock.is_file() {
        &["ci"]
    } else {
        &["install"]
    };
    run(command("npm", args).current_dir(&dir))?;
    fs::write(
        &stamp,
        "written by `cargo xtask setup` after npm installed these packages\n",
    )
    .with_context(|| format!("writing {}", stamp.display()))?;
    report(NAME, "installed");
    Ok(())
}
