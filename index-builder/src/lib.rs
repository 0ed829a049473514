//! The `pressroom-index` builder as a library: reading releases from disk and writing the widget
//! assets. The binary in `main.rs` is the command line around it.

pub mod assets;
pub mod input;
