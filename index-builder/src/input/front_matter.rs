//! Front matter: the YAML (`---`) or TOML (`+++`) block static site generators put atop Markdown.
//!
//! Both are read into a loose JSON map so that [`super::fields::Fields`] reads either the same
//! way; TOML dates become their ISO text, as YAML dates already are.

use serde_json::{Map, Value};

/// The language of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Syntax {
    /// Between `---` lines (Jekyll, Hugo, Eleventy).
    Yaml,
    /// Between `+++` lines (Hugo, Zola).
    Toml,
}

/// A front matter block and the document after it.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Split<'a> {
    /// The block's syntax and text, without its fences; `None` when the document has none.
    pub(super) front_matter: Option<(Syntax, &'a str)>,
    /// The Markdown after the closing fence.
    pub(super) body: &'a str,
}

/// Splits front matter off `document`. The opening fence must be the first line; a block that is
/// opened and never closed is an error, since guessing where it ends would index settings as text.
pub(super) fn split(document: &str) -> Result<Split<'_>, String> {
    let mut lines = document.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok(Split {
            front_matter: None,
            body: document,
        });
    };
    let (syntax, closers): (Syntax, &[&str]) = match first.trim_end() {
        "---" => (Syntax::Yaml, &["---", "..."]),
        "+++" => (Syntax::Toml, &["+++"]),
        _ => {
            return Ok(Split {
                front_matter: None,
                body: document,
            })
        }
    };
    let start = first.len();
    let mut offset = start;
    for line in lines {
        if closers.contains(&line.trim_end()) {
            return Ok(Split {
                front_matter: Some((syntax, &document[start..offset])),
                body: &document[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err(format!(
        "front matter opened with `{}` on line 1 is never closed",
        first.trim_end()
    ))
}

/// Parses a front matter block into a map. Unparseable text, or a block that is not a map of keys,
/// is an error carrying the parser's message.
pub(super) fn parse(syntax: Syntax, text: &str) -> Result<Map<String, Value>, String> {
    let value = match syntax {
        Syntax::Yaml => {
            if text.trim().is_empty() {
                return Ok(Map::new());
            }
            let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)
                .map_err(|err| format!("front matter is not valid YAML: {err}"))?;
            from_yaml(yaml)
        }
        Syntax::Toml => {
            let table: toml::Table = toml::from_str(text)
                .map_err(|err| format!("front matter is not valid TOML: {}", err.message()))?;
            from_toml(toml::Value::Table(table))
        }
    };
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        _ => Err("front matter is not a set of `key: value` pairs".to_string()),
    }
}

fn from_yaml(value: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Yaml;
    match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(flag) => Value::Bool(flag),
        Yaml::Number(number) => {
            if let Some(n) = number.as_i64() {
                Value::from(n)
            } else if let Some(n) = number.as_u64() {
                Value::from(n)
            } else {
                // NaN and infinities have no JSON number; their text is as good for a title.
                number
                    .as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Value::String(number.to_string()), Value::Number)
            }
        }
        Yaml::String(text) => Value::String(text),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(from_yaml).collect()),
        Yaml::Mapping(mapping) => Value::Object(
            mapping
                .into_iter()
                .filter_map(|(key, value)| Some((yaml_key(key)?, from_yaml(value))))
                .collect(),
        ),
        // `!tag value`: the tag says how an application should read it; the value is what we want.
        Yaml::Tagged(tagged) => from_yaml(tagged.value),
    }
}

/// A YAML key as text; keys that are lists or maps cannot name a field we read.
fn yaml_key(key: serde_yaml_ng::Value) -> Option<String> {
    use serde_yaml_ng::Value as Yaml;
    match key {
        Yaml::String(text) => Some(text),
        Yaml::Bool(flag) => Some(flag.to_string()),
        Yaml::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn from_toml(value: toml::Value) -> Value {
    match value {
        toml::Value::String(text) => Value::String(text),
        toml::Value::Integer(n) => Value::from(n),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map_or_else(|| Value::String(f.to_string()), Value::Number),
        toml::Value::Boolean(flag) => Value::Bool(flag),
        // `date = 2023-10-27` is a TOML date value; its text is the ISO date the reader parses.
        toml::Value::Datetime(datetime) => Value::String(datetime.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(from_toml).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(key, value)| (key, from_toml(value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_block_is_split_off() {
        let split = split("---\ntitle: Hi\n---\n# Body\n").unwrap();
        assert_eq!(split.front_matter, Some((Syntax::Yaml, "title: Hi\n")));
        assert_eq!(split.body, "# Body\n");
    }

    #[test]
    fn toml_block_and_crlf_line_ends() {
        let split = split("+++\r\ntitle = \"Hi\"\r\n+++\r\nBody").unwrap();
        assert_eq!(
            split.front_matter,
            Some((Syntax::Toml, "title = \"Hi\"\r\n"))
        );
        assert_eq!(split.body, "Body");
    }

    #[test]
    fn yaml_may_close_with_dots_and_be_empty() {
        let split = split("---\n...\nBody").unwrap();
        assert_eq!(split.front_matter, Some((Syntax::Yaml, "")));
        assert_eq!(parse(Syntax::Yaml, "").unwrap(), Map::new());
    }

    #[test]
    fn no_front_matter() {
        let text = "# Title\n\n---\n\ntext";
        assert_eq!(
            split(text).unwrap(),
            Split {
                front_matter: None,
                body: text
            }
        );
        assert_eq!(split("").unwrap().front_matter, None);
    }

    #[test]
    fn unclosed_block_is_an_error() {
        assert_eq!(
            split("---\ntitle: x\n\nBody").unwrap_err(),
            "front matter opened with `---` on line 1 is never closed"
        );
    }

    #[test]
    fn yaml_values_become_json() {
        let map = parse(
            Syntax::Yaml,
            "title: Hi\ndate: 2023-10-27\ntags: [a, b]\ncount: 3\n1: one\nx: !custom 5\n",
        )
        .unwrap();
        assert_eq!(
            Value::Object(map),
            json!({"title": "Hi", "date": "2023-10-27", "tags": ["a", "b"], "count": 3, "1": "one", "x": 5})
        );
    }

    #[test]
    fn toml_dates_become_iso_text() {
        let map = parse(
            Syntax::Toml,
            "date = 2023-10-27\nupdated = 2023-10-28T09:00:00Z\ntags = [\"a\"]\n",
        )
        .unwrap();
        assert_eq!(
            Value::Object(map),
            json!({"date": "2023-10-27", "updated": "2023-10-28T09:00:00Z", "tags": ["a"]})
        );
    }

    #[test]
    fn parse_errors_carry_the_parser_message() {
        let yaml = parse(Syntax::Yaml, "title: [unclosed\n").unwrap_err();
        assert!(
            yaml.starts_with("front matter is not valid YAML: "),
            "{yaml}"
        );
        let toml = parse(Syntax::Toml, "title = \n").unwrap_err();
        assert!(
            toml.starts_with("front matter is not valid TOML: "),
            "{toml}"
        );
        assert_eq!(
            parse(Syntax::Yaml, "- a\n- b\n").unwrap_err(),
            "front matter is not a set of `key: value` pairs"
        );
    }
}
