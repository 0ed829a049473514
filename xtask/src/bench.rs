//! `cargo xtask bench`: Pressroom against Pagefind on the same input, written to BENCHMARKS.md.
//!
//! The harness is Node (`bench/run.mjs`); this task only gets it ready: a release build of
//! `pressroom-index`, the bench's npm packages (Pagefind and playwright-core), then the run.

use std::fs;
use std::path::Path;
use std::time::{Instant, SystemTime};

use anyhow::{bail, Context};

use crate::process::{cargo, command, run, target_dir, workspace_root};
use crate::setup;

/// Arguments of `cargo xtask bench`.
#[derive(clap::Args)]
pub struct Args {
    /// A 1k-only smoke run, written to bench/work/quick/ instead of BENCHMARKS.md.
    #[arg(long)]
    quick: bool,
    /// More options for bench/run.mjs (--sizes, --builds, --pressroom-input, --regen-queries...).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// `cargo xtask bench [--quick] [-- OPTIONS]`.
pub fn run_bench(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    setup::install(setup::Scope::Demo)?;
    let chromium =
        std::env::var_os("PRESSROOM_CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into());
    if !Path::new(&chromium).is_file() {
        bail!(
            "no Chromium at {}: `cargo xtask setup` installs Debian's (or set PRESSROOM_CHROMIUM)",
            Path::new(&chromium).display()
        );
    }

    let step = Instant::now();
    run(&mut cargo(["build", "--release", "-p", "pressroom-index"]))?;
    println!(
        "bench: release build in {:.1} s",
        step.elapsed().as_secs_f64()
    );

    let step = Instant::now();
    npm_packages(&workspace_root().join("bench"))?;
    println!(
        "bench: npm packages in {:.1} s",
        step.elapsed().as_secs_f64()
    );

    // A private copy: others' `cargo build --release` must not swap the binary mid-run.
    let name = format!("pressroom-index{}", std::env::consts::EXE_SUFFIX);
    let builder = workspace_root().join("bench/work/bin").join(&name);
    fs::create_dir_all(builder.parent().expect("a file in a folder"))?;
    fs::copy(target_dir().join("release").join(&name), &builder)
        .with_context(|| format!("copying the release build to {}", builder.display()))?;
    let mut node = command("node", ["bench/run.mjs", "--bin"]);
    node.arg(&builder);
    if args.quick {
        node.arg("--quick");
    }
    node.args(&args.rest);
    run(&mut node)?;
    println!(
        "bench: done in {:.1} min",
        started.elapsed().as_secs_f64() / 60.0
    );
    Ok(())
}

/// `npm ci` in `dir` when `node_modules` is missing or older than package.json or
/// package-lock.json. npm may touch the lock file as it installs, so the install's time is a
/// stamp file written last.
fn npm_packages(dir: &Path) -> anyhow::Result<()> {
    let stamp = dir.join("node_modules/.xtask-bench-installed");
    let modified = |path: &Path| fs::metadata(path).and_then(|m| m.modified()).ok();
    let inputs: Vec<SystemTime> = ["package.json", "package-lock.json"]
        .iter()
        .filter_map(|name| modified(&dir.join(name)))
        .collect();
    if modified(&stamp).is_some_and(|installed| inputs.iter().all(|&changed| installed >= changed))
    {
        println!("bench: npm packages present");
        return Ok(());
    }
    run(command("npm", ["ci", "--no-audit", "--no-fund"]).current_dir(dir))?;
    fs::write(&stamp, "written by `cargo xtask bench` after `npm ci`\n")
        .with_context(|| format!("writing {}", stamp.display()))?;
    Ok(())
}
