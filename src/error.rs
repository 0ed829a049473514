//! The one error type of the engine.

use std::fmt;

/// Everything that can go wrong while writing, loading or searching an index.
///
/// Loading validates the whole index before it is used, so a damaged or foreign file always
/// surfaces here and never as a panic (a panic would kill the wasm module for the rest of a visit).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The bytes do not start with the Pressroom magic: not an index, or not ours.
    NotAnIndex {
        /// The first bytes found (at most 8).
        found: Vec<u8>,
    },
    /// The index was written by another format version than this engine reads.
    Version {
        /// The version this engine reads.
        expected: u32,
        /// The version found in the file.
        got: u32,
    },
    /// The stored checksum does not match the bytes: the file was damaged in transit or on disk.
    Checksum {
        /// The checksum stored in the header.
        expected: u32,
        /// The checksum of the bytes received.
        actual: u32,
    },
    /// A structure of the index is inconsistent (an offset out of bounds, a bad count…).
    Corrupt {
        /// Which part of the index.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The input is larger than the format can hold.
    TooLarge {
        /// What overflowed.
        what: &'static str,
        /// The largest value the format holds.
        limit: u64,
    },
    /// An index file could not be read from disk.
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

impl Error {
    pub(crate) fn corrupt(what: &'static str, detail: impl Into<String>) -> Error {
        Error::Corrupt {
            what,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotAnIndex { found } => write!(
                f,
                "not a Pressroom index: expected the magic bytes \"PRESSRMI\", found {found:02x?}"
            ),
            Error::Version { expected, got } => write!(
                f,
                "the index has format version {got}, but this engine reads version {expected}: \
                 rebuild the index with pressroom-index {} (format {expected})",
                env!("CARGO_PKG_VERSION")
            ),
            Error::Checksum { expected, actual } => write!(
                f,
                "the index is damaged: checksum {actual:08x} does not match the stored {expected:08x}; \
                 download or rebuild it again"
            ),
            Error::Corrupt { what, detail } => write!(f, "the index is damaged ({what}): {detail}"),
            Error::TooLarge { what, limit } => {
                write!(f, "too large for the index format: {what} is limited to {limit}")
            }
            Error::Io { path, message } => write!(f, "cannot read {path}: {message}"),
        }
    }
}

impl std::error::Error for Error {}
