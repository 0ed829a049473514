//! Pressroom: instant search over an organization's press releases, in the visitor's browser.
//!
//! This crate is the engine. The same code runs natively (in the `pressroom-index` builder and
//! its `query` command) and as WebAssembly in the browser, so a query gives the same hits in both.
//!
//! * [`analyze`] — the one analyzer: Unicode normalization, case and diacritics folding and word
//!   segmentation, used both when a release is indexed and when a query is typed.
//! * [`IndexWriter`] — turns [`Release`]s into the bytes of an index (see `FORMAT.md`).
//! * [`Index`] — validates and reads those bytes, and answers [`Index::search`].
//!
//! ```
//! use pressroom::{Index, IndexWriter, Release, SearchOptions};
//!
//! let mut writer = IndexWriter::new();
//! writer.add(Release {
//!     url: "/press/minsk".into(),
//!     title: "CICA Secretary General in Minsk".into(),
//!     body: "Ambassador Kairat Sarybay spoke on Eurasian security.".into(),
//!     ..Release::default()
//! })?;
//! let index = Index::from_bytes(writer.finish()?)?;
//! let results = index.search("sary", &SearchOptions::default())?;
//! assert_eq!(results.hits[0].url, "/press/minsk");
//! assert!(results.hits[0].excerpt.contains("<mark>Sarybay</mark>"));
//! # Ok::<(), pressroom::Error>(())
//! ```
//!
//! In the browser the index file is gzip-compressed on disk and JavaScript inflates it with the
//! native `DecompressionStream`, so no decompressor ships in the wasm module.

mod acronyms;
pub mod analyze;
mod error;
mod excerpt;
mod format;
mod fst_check;
mod index;
#[cfg(any(test, target_arch = "wasm32"))]
mod options;
mod parallel;
pub mod query;
#[cfg(not(target_arch = "wasm32"))]
mod rebuild;
mod release;
mod search;
mod sorting;
mod split;
pub mod stems;
mod writer;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::Error;
#[cfg(not(target_arch = "wasm32"))]
pub use format::{compress, compress_best, decompress};
pub use format::{Positions, Settings, FORMAT_VERSION, INDEX_FILE};
pub use index::{Index, Searched};
#[cfg(not(target_arch = "wasm32"))]
pub use rebuild::{PreviousIndex, Renumbered, Reused};
pub use release::{Date, Release};
pub use search::{
    FacetCount, Facets, Filters, Hit, Ranking, RankingOverrides, SearchOptions, SearchResults,
    Sort, FAMILY_BELOW,
};
pub use split::{PartRequest, Record, RecordCompressor, SplitIndex, PART_EXTENSION, PART_PREFIX};
pub use writer::{AnalyzedRelease, IndexWriter, ReleaseSummary};
