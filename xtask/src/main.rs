//! Project automation for Pressroom, run as `cargo xtask <command>` (the alias lives in
//! `.cargo/config.toml`).
//!
//! * `setup` installs what builds and tests need and is not there yet.
//! * `demo` builds the demo press room from `www/demo/releases` and serves it.
//! * `test` runs every test the project has, from formatting to the browser end-to-end tests.
//! * `bench` measures Pressroom against Pagefind and writes BENCHMARKS.md (not part of `test`).

mod bench;
mod demo;
mod process;
mod setup;
mod site;
mod test_all;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Pressroom's project tasks.
#[derive(Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install whatever the builds and tests need that is missing (fast when nothing is).
    Setup,
    /// Build the demo press room into target/demo and serve it on http://127.0.0.1:PORT/.
    Demo {
        /// The port to serve on.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Only build the site; do not start the server.
        #[arg(long)]
        no_serve: bool,
    },
    /// Run every test: formatting, clippy, native and browser tests, and the demo end to end.
    Test,
    /// Benchmark Pressroom against Pagefind on the same site and write BENCHMARKS.md.
    Bench(bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Task::Setup => setup::install(setup::Scope::Everything),
        Task::Demo { port, no_serve } => site::run_demo(port, !no_serve),
        Task::Test => test_all::run_all(),
        Task::Bench(args) => bench::run_bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
