//! The WebAssembly boundary: one opaque handle to an index, small results out, errors as
//! JavaScript `Error`s. JavaScript owns fetching, inflating, workers and the DOM.

use wasm_bindgen::prelude::*;

use crate::{Index, SearchOptions};

/// An index loaded into wasm memory. In JavaScript: `Index.load(bytes)`, `index.search(q, options)`.
#[wasm_bindgen(js_name = Index)]
pub struct WasmIndex {
    inner: Index,
}

#[wasm_bindgen(js_class = Index)]
impl WasmIndex {
    /// Validates and loads an index from its uncompressed bytes. Throws an `Error` that says what
    /// is wrong (not an index, another format version, damaged) instead of trapping.
    pub fn load(bytes: Vec<u8>) -> Result<WasmIndex, JsError> {
        Ok(WasmIndex {
            inner: Index::from_bytes(bytes)?,
        })
    }

    /// Searches; `options` is `{ limit, offset, ranking }` or undefined. Returns
    /// `{ total, hits: [{ url, title, date, excerpt, score, categories, lang }] }`.
    pub fn search(&self, query: &str, options: JsValue) -> Result<JsValue, JsError> {
        let options: SearchOptions = if options.is_undefined() || options.is_null() {
            SearchOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| JsError::new(&format!("search options: {e}")))?
        };
        let results = self.inner.search(query, &options)?;
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        serde::Serialize::serialize(&results, &serializer).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The number of releases in the index.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// The format version this engine reads.
    #[wasm_bindgen(js_name = formatVersion)]
    pub fn format_version() -> u32 {
        crate::FORMAT_VERSION
    }
}
