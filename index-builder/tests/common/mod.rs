//! What the command-line tests share: running the binary, the repository, the shared corpora.
#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The `pressroom-index` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pressroom-index"))
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs `cmd`, failing the test with its output unless it succeeds.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("pressroom-index runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `pressroom-index query DIR QUERY --json`, parsed.
pub fn query_json(dir: &Path, query: &str) -> Value {
    let out = run(bin().arg("query").arg(dir).arg(query).arg("--json"));
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

/// The shared data folder: `$PRESSROOM_SHARED`, else `../shared` beside the repository, else,
/// for a clone of a local checkout (`git clone . /tmp/x`), `../shared` beside the checkout it was
/// cloned from. `None` when none of them exists.
pub fn shared_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PRESSROOM_SHARED") {
        return Some(PathBuf::from(dir));
    }
    let beside = repo().join("../shared");
    if beside.exists() {
        return Some(beside);
    }
    let origin = Command::new("git")
        .args(["config", "--get", "remote.origin.url"])
        .current_dir(repo())
        .output()
        .ok()?;
    let origin = String::from_utf8(origin.stdout).ok()?;
    let origin = Path::new(
        origin
            .trim()
            .strip_prefix("file://")
            .unwrap_or(origin.trim()),
    );
    let beside_origin = origin.join("../shared");
    (origin.is_absolute() && beside_origin.exists()).then_some(beside_origin)
}

/// A corpus file of the shared folder's `corpus/` (see [`shared_dir`]). A missing corpus fails
/// the test unless `PRESSROOM_SKIP_CORPUS=1` says to skip it on purpose, then this is `None`.
pub fn corpus_file(name: &str) -> Option<PathBuf> {
    let shared = shared_dir().unwrap_or_else(|| repo().join("../shared"));
    let file = shared.join("corpus").join(name);
    if file.exists() {
        return Some(file);
    }
    if std::env::var_os("PRESSROOM_SKIP_CORPUS").is_some() {
        eprintln!(
            "skipping: {} not found and PRESSROOM_SKIP_CORPUS is set",
            file.display()
        );
        return None;
    }
    panic!(
        "{} not found: set PRESSROOM_SHARED to the shared folder, or PRESSROOM_SKIP_CORPUS=1",
        file.display()
    );
}
