//! Reading [`SearchOptions`] from a JavaScript object in the wasm module.
//!
//! Natively, options deserialize with serde (`SearchOptions` derives `Deserialize`). In the
//! browser they were read the same way, through `serde_wasm_bindgen::from_value`, and that cost
//! 18 KB of the gzipped module: serde's error messages print a float they did not expect with
//! Rust's float formatting (about 14 KB of wasm alone), and each options type brings its visitor.
//! The page hands the engine a plain object, so the wasm module reads it here instead: the
//! JavaScript value becomes a [`Value`] (see `wasm.rs`) and [`search_options`] reads that, with
//! the same fields, defaults and checks. A test checks that both readings agree on every
//! option, valid or not.

use crate::search::{Filters, RankingOverrides, SearchOptions, Sort};
use crate::Date;

/// A JavaScript value, as far as options need one. `undefined` reads as `Null`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    List(Vec<Value>),
    /// An object's own enumerable properties, in their order.
    Map(Vec<(String, Value)>),
}

/// The options in `value` (an object, or `Null` for the defaults). An error names the option and
/// says what it must be.
pub fn search_options(value: Value) -> Result<SearchOptions, String> {
    let mut options = SearchOptions::default();
    let fields = match value {
        Value::Null => return Ok(options),
        Value::Map(fields) => fields,
        _ => return Err("search options must be an object".into()),
    };
    // As with serde, a field the engine does not know is passed over: a page may share one
    // options object with its own code.
    for (name, value) in fields {
        if value == Value::Null {
            continue;
        }
        match name.as_str() {
            "limit" => options.limit = whole(&value, "limit")?,
            "offset" => options.offset = whole(&value, "offset")?,
            "excerptWords" => options.excerpt_words = Some(whole(&value, "excerptWords")?),
            "sort" => {
                options.sort = match value {
                    Value::Str(s) if s == "relevance" => Sort::Relevance,
                    Value::Str(s) if s == "date" => Sort::Date,
                    _ => return Err("`sort` must be \"relevance\" or \"date\"".into()),
                }
            }
            "ranking" => options.ranking = ranking(value)?,
            "filters" => options.filters = filters(value)?,
            _ => {}
        }
    }
    Ok(options)
}

/// `n` if it is a whole number from 0 to `max`.
pub(crate) fn whole_number(n: f64, max: f64) -> Option<u64> {
    (n >= 0.0 && n.fract() == 0.0 && n <= max).then_some(n as u64)
}

/// The option `name`: a whole number of 0 or more.
fn whole(value: &Value, name: &str) -> Result<usize, String> {
    match *value {
        Value::Number(n) => whole_number(n, u32::MAX.into()).map(|n| n as usize),
        _ => None,
    }
    .ok_or_else(|| format!("`{name}` must be a whole number, 0 or more"))
}

fn ranking(value: Value) -> Result<RankingOverrides, String> {
    let Value::Map(weights) = value else {
        return Err("`ranking` must be an object of weight names and numbers".into());
    };
    let mut overrides = RankingOverrides::default();
    for (name, weight) in weights {
        let Value::Number(weight) = weight else {
            return Err(format!("ranking weight `{name}` must be a number"));
        };
        overrides.set(&name, weight)?;
    }
    Ok(overrides)
}

/// The fields of [`Filters`], for the error that names an unknown one.
const FILTERS: &str = "`categories`, `years`, `from`, `to`, `langs`";

fn filters(value: Value) -> Result<Filters, String> {
    let Value::Map(fields) = value else {
        return Err("`filters` must be an object".into());
    };
    let mut filters = Filters::default();
    for (name, value) in fields {
        let list = |value: Value| match value {
            Value::List(items) => Ok(items),
            Value::Null => Ok(Vec::new()),
            _ => Err(format!("filter `{name}` must be a list")),
        };
        let date = |value: Value| match value {
            Value::Null => Ok(None),
            Value::Str(text) => Date::try_from(text)
                .map(Some)
                .map_err(|e| format!("filter `{name}`: {e}")),
            _ => Err(format!("filter `{name}` must be a date (YYYY-MM-DD)")),
        };
        let text = |item: Value| match item {
            Value::Str(s) => Ok(s),
            _ => Err(format!("filter `{name}` must list strings")),
        };
        let texts = |value: Value| -> Result<Vec<String>, String> {
            list(value)?.into_iter().map(text).collect()
        };
        match name.as_str() {
            "categories" => filters.categories = texts(value)?,
            "langs" => filters.langs = texts(value)?,
            "years" => {
                let year = |item: Value| match item {
                    Value::Number(n) => whole_number(n, u16::MAX.into()).map(|n| n as u16),
                    _ => None,
                };
                filters.years = list(value)?
                    .into_iter()
                    .map(|item| year(item).ok_or("filter `years` must list years (whole numbers)"))
                    .collect::<Result<_, _>>()?
            }
            "from" => filters.from = date(value)?,
            "to" => filters.to = date(value)?,
            _ => {
                return Err(format!(
                    "unknown filter `{name}`, expected one of {FILTERS}"
                ))
            }
        }
    }
    Ok(filters)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same options read from JSON, as serde reads them natively.
    fn value_of(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap()),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(items) => Value::List(items.iter().map(value_of).collect()),
            serde_json::Value::Object(map) => {
                Value::Map(map.iter().map(|(k, v)| (k.clone(), value_of(v))).collect())
            }
        }
    }

    #[test]
    fn reads_options_as_serde_does() {
        let valid = [
            r#"{}"#,
            r#"{"limit": 3, "offset": 20, "excerptWords": 12, "sort": "date"}"#,
            r#"{"sort": "relevance", "somethingElse": [1, 2]}"#,
            r#"{"ranking": {"titleWeight": 8, "proximityBonus": 0.25, "titleB": 7}}"#,
            r#"{"filters": {"categories": ["News", "Speeches"], "years": [2023, 2024]}}"#,
            r#"{"filters": {"from": "2023-01-01", "to": "2023-12-31", "langs": ["en"]}}"#,
            r#"{"filters": {}, "ranking": {}}"#,
        ];
        for json in valid {
            let parsed: serde_json::Value = serde_json::from_str(json).unwrap();
            let serde: SearchOptions = serde_json::from_str(json).unwrap();
            assert_eq!(search_options(value_of(&parsed)), Ok(serde), "{json}");
        }
        let invalid = [
            (r#"{"limit": -1}"#, "`limit`"),
            (r#"{"limit": 1.5}"#, "`limit`"),
            (r#"{"limit": "10"}"#, "`limit`"),
            (r#"{"offset": true}"#, "`offset`"),
            (r#"{"sort": "newest"}"#, "`sort`"),
            (r#"{"ranking": {"titelWeight": 8}}"#, "titelWeight"),
            (r#"{"ranking": {"titleWeight": "8"}}"#, "`titleWeight`"),
            (r#"{"ranking": [1]}"#, "`ranking`"),
            (r#"{"filters": {"year": [2023]}}"#, "`year`"),
            (r#"{"filters": {"years": [20.5]}}"#, "`years`"),
            (r#"{"filters": {"years": 2023}}"#, "`years`"),
            (r#"{"filters": {"categories": [1]}}"#, "`categories`"),
            (r#"{"filters": {"from": "2023-13-01"}}"#, "`from`"),
            (r#"{"filters": {"to": 20230101}}"#, "`to`"),
            (r#""fast""#, "must be an object"),
        ];
        for (json, names) in invalid {
            let parsed: serde_json::Value = serde_json::from_str(json).unwrap();
            assert!(
                serde_json::from_str::<SearchOptions>(json).is_err(),
                "serde accepts {json}"
            );
            let err = search_options(value_of(&parsed)).unwrap_err();
            assert!(err.contains(names), "{json}: {err}");
        }
    }

    #[test]
    fn options_are_an_object() {
        // serde would read a list as the fields in order (`[1, 2]`: limit 1, offset 2); a page
        // that passes one has made a mistake, so it is an error here.
        let list = Value::List(vec![Value::Number(1.0), Value::Number(2.0)]);
        assert!(search_options(list)
            .unwrap_err()
            .contains("must be an object"));
    }

    #[test]
    fn null_means_the_default() {
        assert_eq!(search_options(Value::Null), Ok(SearchOptions::default()));
        let nulls = Value::Map(vec![
            ("limit".into(), Value::Null),
            (
                "filters".into(),
                Value::Map(vec![("from".into(), Value::Null)]),
            ),
        ]);
        assert_eq!(search_options(nulls), Ok(SearchOptions::default()));
    }
}
