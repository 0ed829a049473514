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
