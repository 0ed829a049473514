//! The WebAssembly boundary: one opaque handle to an index, small results out, errors as
//! JavaScript `Error`s. JavaScript owns fetching, inflating, workers and the DOM.

use wasm_bindgen::prelude::*;

use crate::options::{self, Value};
use crate::{Index, SearchOptions, Searched};

/// Talc instead of the default dlmalloc: the same job in about 3 KB less of gzipped module, and
/// faster (see talc's WebAssembly benchmarks). Memory grows as the index's parts arrive.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

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

    /// Searches; `options` is `{ limit, offset, ranking, filters, sort, excerptWords }` or
    /// undefined. Returns `{ total, hits: [{ url, title, date, excerpt, score, categories, lang }],
    /// facets, suggestion?, truncated? }`; for a split index that still lacks pieces the query
    /// touches, `{ need: [{ file, start, end, gzip }] }` instead: fetch them, `addPart` each,
    /// and search again.
    pub fn search(&self, query: &str, options: JsValue) -> Result<JsValue, JsError> {
        // `undefined` and `null` read as `Value::Null`: the default options.
        let options: SearchOptions = options::search_options(value_of(&options))
            .map_err(|e| JsError::new(&format!("search options: {e}")))?;
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let value = match self.inner.search_or_need(query, &options)? {
            Searched::Done(results) => serde::Serialize::serialize(&results, &serializer),
            Searched::Need(need) => {
                #[derive(serde::Serialize)]
                struct Need {
                    need: Vec<crate::PartRequest>,
                }
                serde::Serialize::serialize(&Need { need }, &serializer)
            }
        };
        value.map_err(|e| JsError::new(&e.to_string()))
    }

    /// Adds bytes `start..end` of the part file `file` that a search asked for, inflated first
    /// when the request said `gzip`. Throws when they do not belong to this index or are damaged.
    #[wasm_bindgen(js_name = addPart)]
    pub fn add_part(
        &mut self,
        file: &str,
        start: f64,
        end: f64,
        bytes: Vec<u8>,
        gzip: bool,
    ) -> Result<(), JsError> {
        let whole = |n: f64| options::whole_number(n, 2f64.powi(53));
        let (Some(start), Some(end)) = (whole(start), whole(end)) else {
            // JavaScript writes the numbers: Rust's float formatting would add ~7 KB of wasm.
            let js = |n: f64| {
                String::from(
                    js_sys::Number::from(n)
                        .to_string_with_radix(10)
                        .unwrap_or_default(),
                )
            };
            return Err(JsError::new(&format!(
                "{file}: bad byte range {}..{}",
                js(start),
                js(end)
            )));
        };
        Ok(self.inner.add_part(file, start, end, bytes, gzip)?)
    }

    /// Whether this is the entry file of a split index, whose parts load as queries need them.
    #[wasm_bindgen(getter, js_name = isSplit)]
    pub fn is_split(&self) -> bool {
        self.inner.is_split()
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

/// `value` as an options [`Value`]: what `options::search_options` reads (see there for why not
/// serde). A function, symbol or bigint reads as `Null`, as `JSON.stringify` would drop it.
fn value_of(value: &JsValue) -> Value {
    if let Some(b) = value.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = value.as_f64() {
        Value::Number(n)
    } else if let Some(s) = value.as_string() {
        Value::Str(s)
    } else if js_sys::Array::is_array(value) {
        Value::List(
            js_sys::Array::from(value)
                .iter()
                .map(|v| value_of(&v))
                .collect(),
        )
    } else if value.is_object() && !value.is_function() {
        let entries = js_sys::Object::entries(value.unchecked_ref());
        Value::Map(
            entries
                .iter()
                .map(|entry| {
                    let pair = js_sys::Array::from(&entry);
                    (
                        pair.get(0).as_string().unwrap_or_default(),
                        value_of(&pair.get(1)),
                    )
                })
                .collect(),
        )
    } else {
        Value::Null
    }
}
