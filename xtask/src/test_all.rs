//! `cargo xtask test`: every test the project has, one step after another, stopping at the
//! first failure with the step's name. Each step prints its time; a summary closes the run.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};

use crate::process::{cargo, command, run, workspace_root};
use crate::setup::{self, find_program};
use crate::site;

/// One step of the run: a name for the reports and the work.
struct Step {
    name: &'static str,
    work: fn() -> anyhow::Result<()>,
}

const STEPS: &[Step] = &[
    Step {
        name: "setup",
        work: || setup::install(setup::Scope::Everything),
    },
    Step {
        name: "rustfmt",
        work: || run(&mut cargo(["fmt", "--all", "--", "--check"])),
    },
    Step {
        name: "clippy",
        work: || {
            run(&mut cargo([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        },
    },
    Step {
        // Release mode: some tests index the 22k-release corpus in ../shared.
        name: "native tests",
        work: || run(&mut cargo(["test", "--workspace", "--release"])),
    },
    Step {
        name: "wasm tests in Chromium",
        work: || {
            let driver = find_program("chromedriver").ok_or_else(|| anyhow!("no chromedriver"))?;
            wasm_pack_test(&["--chrome", "--chromedriver"], &driver)
        },
    },
    Step {
        name: "wasm tests in Firefox",
        work: || {
            let driver = find_program("geckodriver").ok_or_else(|| anyhow!("no geckodriver"))?;
            wasm_pack_test(&["--firefox", "--geckodriver"], &driver)
        },
    },
    Step {
        // The scripts the builder ships are what esbuild makes of the current sources.
        name: "minified widget scripts",
        work: || node_check("www/minify.mjs"),
    },
    Step {
        // The JS and CSS the widget adds over the engine stay under 25 KB gzipped.
        name: "widget size budget",
        work: || node_check("bench/widget-size.mjs"),
    },
    Step {
        name: "demo site build",
        work: || site::build().map(drop),
    },
    Step {
        name: "end-to-end tests",
        work: || {
            let site = site::site_dir();
            run(command("node", ["--test", "tests/e2e/"]).env("PRESSROOM_DEMO_DIR", &site))
        },
    },
];

/// Runs the workspace's Node script `script` with `--check`.
fn node_check(script: &str) -> anyhow::Result<()> {
    let script = workspace_root().join(script);
    run(&mut command(
        "node",
        [script.as_os_str(), "--check".as_ref()],
    ))
}

/// The engine's browser tests (`tests/*.rs` of the root package) under wasm-pack. `-p pressroom`
/// keeps cargo from building the other default members for wasm.
fn wasm_pack_test(browser: &[&str], driver: &std::path::Path) -> anyhow::Result<()> {
    let wasm_pack = find_program("wasm-pack").ok_or_else(|| anyhow!("no wasm-pack"))?;
    let mut cmd = command(wasm_pack, ["test", "--headless"]);
    cmd.args(browser)
        .arg(driver)
        .args(["--", "-p", "pressroom"])
        .current_dir(workspace_root());
    run(&mut cmd)
}

/// Runs every step; the first failure stops the run.
pub fn run_all() -> anyhow::Result<()> {
    let started = Instant::now();
    let mut timings = Vec::new();
    for step in STEPS {
        println!("\n==> test step: {}", step.name);
        let step_started = Instant::now();
        let result = (step.work)();
        let took = step_started.elapsed();
        timings.push((step.name, took));
        match result {
            Ok(()) => println!("==> test step: {} passed in {}", step.name, seconds(took)),
            Err(error) => {
                println!(
                    "==> test step: {} FAILED after {}",
                    step.name,
                    seconds(took)
                );
                summary(&timings);
                return Err(error).with_context(|| format!("test step `{}` failed", step.name));
            }
        }
    }
    summary(&timings);
    println!(
        "xtask test: all {} steps passed in {}",
        STEPS.len(),
        seconds(started.elapsed())
    );
    Ok(())
}

fn summary(timings: &[(&str, Duration)]) {
    println!("\nxtask test: step timings");
    for (name, took) in timings {
        println!("  {:>8}  {name}", seconds(*took));
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.1}s", duration.as_secs_f64())
}
