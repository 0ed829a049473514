//! Typed reads from loosely typed key/value data (front matter, JSON objects).
//!
//! Authors put lists where strings belong and numbers where dates belong; a wrong type costs the
//! one value, with a warning naming the key, never the release.

use pressroom::Date;
use serde_json::{Map, Value};

use super::date::date_in_text;

/// A map being read, and the warnings met so far.
pub(super) struct Fields<'a> {
    map: &'a Map<String, Value>,
    /// How warnings name the map: "front matter" or "field".
    what: &'static str,
    /// One line per defect, for the caller to report.
    pub(super) warnings: Vec<String>,
}

impl<'a> Fields<'a> {
    /// Starts reading `map`; warnings will say "`{what}` `key` is …".
    pub(super) fn new(map: &'a Map<String, Value>, what: &'static str) -> Fields<'a> {
        Fields {
            map,
            what,
            warnings: Vec::new(),
        }
    }

    /// The value of the first of `keys` that is present, not null and not a blank string, so
    /// that an empty `lang:` does not hide a `language:` below it.
    fn get(&self, keys: &[&'static str]) -> Option<(&'static str, &'a Value)> {
        keys.iter().find_map(|key| match self.map.get(*key) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.trim().is_empty() => None,
            Some(value) => Some((*key, value)),
        })
    }

    fn wrong_type(&mut self, key: &str, value: &Value, expected: &str) {
        let what = self.what;
        self.warnings.push(format!(
            "{what} `{key}` is {}, expected {expected}",
            describe(value)
        ));
    }

    /// A string under the first of `keys`; a number or boolean counts as its text (`title: 1984`).
    pub(super) fn string(&mut self, keys: &[&'static str]) -> Option<String> {
        let (key, value) = self.get(keys)?;
        let text = match value {
            Value::String(text) => text.trim().to_string(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            _ => {
                self.wrong_type(key, value, "a string");
                return None;
            }
        };
        Some(text)
    }

    /// A date under `key`: an ISO date or date-time, or a date written out ("October 27, 2023").
    pub(super) fn date(&mut self, key: &'static str) -> Option<Date> {
        let (key, value) = self.get(&[key])?;
        let Value::String(text) = value else {
            self.wrong_type(key, value, "a date string");
            return None;
        };
        let date = Date::parse_iso(text).or_else(|| date_in_text(text));
        if date.is_none() {
            let what = self.what;
            self.warnings.push(format!(
                "{what} `{key}` {text:?} is not a date (expected YYYY-MM-DD)"
            ));
        }
        date
    }

    /// The strings under every one of `keys`, in order: each value is a string or a list of them.
    pub(super) fn strings(&mut self, keys: &[&'static str]) -> Vec<String> {
        let mut strings = Vec::new();
        for key in keys {
            let Some((key, value)) = self.get(&[key]) else {
                continue;
            };
            let items = match value {
                Value::Array(items) => items.as_slice(),
                single => std::slice::from_ref(single),
            };
            for item in items {
                match item {
                    Value::String(text) => strings.push(text.trim().to_string()),
                    Value::Number(number) => strings.push(number.to_string()),
                    Value::Null => {}
                    _ => self.wrong_type(key, item, "a string or a list of strings"),
                }
            }
        }
        strings
    }
}

/// Keeps the first of equal strings and drops blank ones, preserving order.
pub(super) fn dedup(strings: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    strings
        .into_iter()
        .filter(|s| !s.is_empty() && seen.insert(s.clone()))
        .collect()
}

/// "a list", "a number": a value's type as a warning names it.
pub(super) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn strings_of_the_right_type() {
        let m = map(json!({"title": "  Hello ", "year": 1984, "lang": "", "language": "fr"}));
        let mut fields = Fields::new(&m, "front matter");
        assert_eq!(fields.string(&["title"]).as_deref(), Some("Hello"));
        assert_eq!(fields.string(&["year"]).as_deref(), Some("1984"));
        // A blank `lang` falls through to `language`.
        assert_eq!(fields.string(&["lang"]), None);
        assert_eq!(fields.string(&["lang", "language"]).as_deref(), Some("fr"));
        assert!(fields.warnings.is_empty());
    }

    #[test]
    fn wrong_types_become_warnings_naming_the_key() {
        let m = map(json!({"date": ["2023-10-27"], "title": {"en": "x"}, "tags": ["a", {"b": 1}]}));
        let mut fields = Fields::new(&m, "front matter");
        assert_eq!(fields.date("date"), None);
        assert_eq!(fields.string(&["title"]), None);
        assert_eq!(fields.strings(&["tags"]), vec!["a"]);
        assert_eq!(
            fields.warnings,
            vec![
                "front matter `date` is a list, expected a date string",
                "front matter `title` is a table, expected a string",
                "front matter `tags` is a table, expected a string or a list of strings",
            ]
        );
    }

    #[test]
    fn dates_iso_or_written_out() {
        let m =
            map(json!({"a": "2023-10-27T09:00:00+02:00", "b": "October 27, 2023", "c": "soon"}));
        let mut fields = Fields::new(&m, "field");
        let expected = Date::new(2023, 10, 27);
        assert_eq!(fields.date("a"), expected);
        assert_eq!(fields.date("b"), expected);
        assert_eq!(fields.date("c"), None);
        assert_eq!(
            fields.warnings,
            vec!["field `c` \"soon\" is not a date (expected YYYY-MM-DD)"]
        );
    }

    #[test]
    fn strings_merge_in_key_order_and_dedup() {
        let m = map(json!({"categories": ["News", "Energy"], "tags": "Energy", "category": null}));
        let mut fields = Fields::new(&m, "front matter");
        let merged = dedup(fields.strings(&["categories", "category", "tags"]));
        assert_eq!(merged, vec!["News", "Energy"]);
        assert!(fields.warnings.is_empty());
    }
}
