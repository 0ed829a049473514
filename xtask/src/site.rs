//! `cargo xtask demo`: builds the demo press room into `target/demo` and serves it.

use std::fs;
use std::path::PathBuf;

use anyhow::Context;

use crate::process::{cargo, command, run, target_dir, workspace_root};
use crate::{demo, setup};

/// The releases the demo is built from, relative to the workspace root.
const RELEASES: &str = "www/demo/releases";

/// `cargo xtask demo [--port PORT] [--no-serve]`.
pub fn run_demo(port: u16, serve: bool) -> anyhow::Result<()> {
    setup::install(setup::Scope::Demo)?;
    let site = build()?;
    println!("demo: built {}", site.display());
    if serve {
        println!("demo: serving http://127.0.0.1:{port}/ (Ctrl-C stops it)");
        run(&mut command(
            "node",
            [
                workspace_root().join("www/serve.mjs").as_os_str(),
                site.as_os_str(),
                "--port".as_ref(),
                port.to_string().as_ref(),
            ],
        ))?;
    }
    Ok(())
}

/// Builds the demo site and returns its folder (`target/demo`): the index and widget written by
/// a release build of `pressroom-index`, and the pages of `demo::generate_site`.
pub fn build() -> anyhow::Result<PathBuf> {
    run(&mut cargo(["build", "--release", "-p", "pressroom-index"]))?;
    let builder = target_dir()
        .join("release")
        .join(format!("pressroom-index{}", std::env::consts::EXE_SUFFIX));

    let site = site_dir();
    // Start empty so nothing from an older demo (a release since deleted) is served.
    if site.exists() {
        fs::remove_dir_all(&site).with_context(|| format!("removing {}", site.display()))?;
    }
    let releases = workspace_root().join(RELEASES);
    let index = site.join("pressroom");
    run(&mut command(
        &builder,
        [
            "build".as_ref(),
            releases.as_os_str(),
            "--out".as_ref(),
            index.as_os_str(),
        ],
    ))?;

    let loaded = pressroom_index::input::load(std::slice::from_ref(&releases))
        .with_context(|| format!("loading {}", releases.display()))?;
    let releases: Vec<_> = loaded.releases.into_iter().map(|r| r.release).collect();
    demo::generate_site(&releases, &site)
        .with_context(|| format!("generating the demo pages in {}", site.display()))?;
    Ok(site)
}

/// The demo site's folder, whether or not it has been built.
pub fn site_dir() -> PathBuf {
    target_dir().join("demo")
}
