//! The checks a value passes before it is sent: the JSON-Schema keywords CARGO.RUN's
//! Swagger uses (`type`, `format`, `nullable`, `enum`, `items`, `properties`,
//! `additionalProperties`, `$ref`, `minLength`; `required`, `readOnly`, `deprecated`,
//! `description` are not checks, and the Swagger has no composition).
//!
//! - `null` is accepted where the schema says `nullable: true`, where it is a `$ref`
//!   (OpenAPI 3.0 cannot mark a reference nullable, and the service's optional objects are),
//!   and where the schema is `{}`; refused elsewhere.
//! - `integer` is a JSON integer (`int32` within its range), `number` any JSON number,
//!   `boolean` `true`/`false`, `string` a string; `date-time` must carry its zone (RFC
//!   3339: a time without one is not guessed), `date` is `YYYY-MM-DD`, `uuid` the 8-4-4-4-12
//!   hex form, `binary` (a multipart file) `{"filename", "content_base64", "content_type"?}`.
//! - `enum` values are the listed names.
//! - A property the schema does not list is reported in [`Checked::unknown`] (the caller
//!   warns and sends it), or refused in strict mode; `additionalProperties` given as a
//!   schema checks every value of a dictionary.
//!
//! ```
//! use logibridge::cargorun::swagger::validate;
//! use serde_json::json;
//! let schema = json!({"type": "object", "properties": {"points": {"type": "array", "items": {"$ref": "BidPointType"}}}});
//! let err = validate(&schema, &json!({"points": ["LoadPoint", "Somewhere"]}), "body", false).unwrap_err();
//! assert_eq!((err.path.as_str(), err.rule), ("body.points[1]", "schema.enum"));
//! ```

use serde_json::{Map, Value};

use super::table;

/// What a value that passed the checks still carries: the properties no schema lists
/// (their JSON paths), sent as given.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// JSON paths of unknown properties (`body.points[0].colour`).
    pub unknown: Vec<String>,
}

/// Why a value is refused: where, which rule, and the reason in English and Russian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The JSON path (`body.points[2].type`).
    pub path: String,
    /// The rule: `schema.type`, `schema.null`, `schema.enum`, `schema.format`,
    /// `schema.min_length`, `schema.unknown`, `schema.depth`.
    pub rule: &'static str,
    /// The reason in English.
    pub en: String,
    /// The reason in Russian.
    pub ru: String,
}

/// How deep a value may nest (the JSON parser's own limit is 128).
const MAX_DEPTH: usize = 128;

/// Checks `value` against `schema` (the table's pruned form; `$ref` names a schema of
/// [`table`]); `at` names the value's root in errors (`body`, `query.id`). In `strict`
/// mode an unknown property is a [`Violation`] `schema.unknown`.
pub fn validate(schema: &Value, value: &Value, at: &str, strict: bool) -> Result<Checked, Violation> {
    validate_body(schema, value, at, strict, false)
}

/// [`validate`], with `files`: a multipart body, whose `binary` fields are files
/// (`{"filename", "content_base64", "content_type"?}`); in a JSON body such a field is text.
pub(crate) fn validate_body(schema: &Value, value: &Value, at: &str, strict: bool, files: bool) -> Result<Checked, Violation> {
    let lookup = |name: &str| table().schema(name);
    let mut v = Validator { lookup: &lookup, strict, files, unknown: Vec::new() };
    v.check(schema, value, at, 0)?;
    Ok(Checked { unknown: v.unknown })
}

struct Validator<'a> {
    lookup: &'a dyn Fn(&str) -> Option<&'a Value>,
    strict: bool,
    files: bool,
    unknown: Vec<String>,
}

fn shown(v: &Value) -> String {
    crate::shown_input(&v.to_string())
}

fn violation(path: &str, rule: &'static str, en: String, ru: String) -> Violation {
    Violation { path: path.to_owned(), rule, en, ru }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36 && b.iter().enumerate().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

impl<'a> Validator<'a> {
    fn check(&mut self, schema: &'a Value, value: &Value, at: &str, depth: usize) -> Result<(), Violation> {
        if depth > MAX_DEPTH {
            return Err(violation(at, "schema.depth", format!("nests deeper than {MAX_DEPTH} levels"), format!("вложенность глубже {MAX_DEPTH} уровней")));
        }
        if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
            if value.is_null() {
                return Ok(());
            }
            return match (self.lookup)(name) {
                Some(target) => self.check(target, value, at, depth + 1),
                None => Ok(()),
            };
        }
        let ty = schema.get("type").and_then(Value::as_str);
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        if value.is_null() {
            let nullable = schema.get("nullable").and_then(Value::as_bool).unwrap_or(false);
            if nullable || (ty.is_none() && schema.get("enum").is_none() && schema.get("properties").is_none()) {
                return Ok(());
            }
            return Err(violation(at, "schema.null", "must not be null (the schema is not nullable)".into(), "не может быть null (схема не допускает null)".into()));
        }
        let wrong = |en: &str, ru: &str| violation(at, "schema.type", format!("must be {en}, got {}", shown(value)), format!("должно быть {ru}, передано {}", shown(value)));
        if format == "binary" && self.files {
            return self.file(value, at);
        }
        match ty {
            Some("integer") => {
                let n = value.as_i64().map(i128::from).or_else(|| value.as_u64().map(i128::from));
                let Some(n) = n else { return Err(wrong("a whole number (a JSON integer)", "целым числом (целое число JSON)")) };
                if format == "int32" && (n < i32::MIN as i128 || n > i32::MAX as i128) {
                    return Err(violation(at, "schema.format", format!("must be a 32-bit integer (int32), got {n}"), format!("должно быть 32-битным целым (int32), передано {n}")));
                }
            }
            Some("number") if !value.is_number() => return Err(wrong("a number", "числом")),
            Some("boolean") if !value.is_boolean() => return Err(wrong("true or false", "булевым (true или false)")),
            Some("string") => {
                let Some(s) = value.as_str() else { return Err(wrong("a string", "строкой")) };
                self.string(schema, s, format, at)?;
            }
            Some("array") => {
                let Some(items) = value.as_array() else { return Err(wrong("a list (a JSON array)", "списком (массив JSON)")) };
                if let Some(item) = schema.get("items") {
                    for (i, v) in items.iter().enumerate() {
                        self.check(item, v, &format!("{at}[{i}]"), depth + 1)?;
                    }
                }
            }
            Some("object") => {
                let Some(obj) = value.as_object() else { return Err(wrong("an object", "объектом")) };
                self.object(schema, obj, at, depth)?;
            }
            None if schema.get("properties").is_some() => {
                let Some(obj) = value.as_object() else { return Err(wrong("an object", "объектом")) };
                self.object(schema, obj, at, depth)?;
            }
            _ => {}
        }
        // An enum without a type (none in this Swagger, but the keyword stands alone).
        if ty != Some("string") {
            if let Some(names) = schema.get("enum").and_then(Value::as_array) {
                if !names.contains(value) {
                    return Err(self.enum_violation(names, value, at));
                }
            }
        }
        Ok(())
    }

    fn enum_violation(&self, names: &[Value], value: &Value, at: &str) -> Violation {
        let list = names.iter().map(|n| n.as_str().map(str::to_owned).unwrap_or_else(|| n.to_string())).collect::<Vec<_>>().join(", ");
        violation(at, "schema.enum", format!("must be one of {list} (names, not codes), got {}", shown(value)), format!("должно быть одним из: {list} (имена, а не коды); передано {}", shown(value)))
    }

    fn string(&self, schema: &Value, s: &str, format: &str, at: &str) -> Result<(), Violation> {
        if let Some(names) = schema.get("enum").and_then(Value::as_array) {
            if !names.iter().any(|n| n.as_str() == Some(s)) {
                return Err(self.enum_violation(names, &Value::String(s.to_owned()), at));
            }
        }
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
            let n = s.chars().count() as u64;
            if n < min {
                return Err(violation(at, "schema.min_length", format!("must have at least {min} characters, got {n}"), format!("должно содержать не меньше {min} символов, передано {n}")));
            }
        }
        let shown_s = crate::shown_input(s);
        match format {
            "date-time" if chrono::DateTime::parse_from_rfc3339(s.trim()).is_err() => Err(violation(
                at,
                "schema.format",
                format!("must be a date-time with a zone (RFC 3339, e.g. 2026-06-30T12:00:00Z; a time without a zone is not guessed), got {shown_s:?}"),
                format!("должно быть датой со временем и часовым поясом (RFC 3339, например 2026-06-30T12:00:00Z; время без пояса не угадывается), передано {shown_s:?}"),
            )),
            "date" if chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").is_err() => {
                Err(violation(at, "schema.format", format!("must be a date (YYYY-MM-DD), got {shown_s:?}"), format!("должно быть датой (ГГГГ-ММ-ДД), передано {shown_s:?}")))
            }
            "uuid" if !is_uuid(s.trim()) => Err(violation(
                at,
                "schema.format",
                format!("must be a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got {shown_s:?}"),
                format!("должно быть UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), передано {shown_s:?}"),
            )),
            _ => Ok(()),
        }
    }

    fn object(&mut self, schema: &'a Value, obj: &Map<String, Value>, at: &str, depth: usize) -> Result<(), Violation> {
        let props = schema.get("properties").and_then(Value::as_object);
        let extra = schema.get("additionalProperties");
        for (key, v) in obj {
            let path = format!("{at}.{key}");
            // ASP.NET binds property names case-insensitively.
            let prop = props.and_then(|p| p.get(key).or_else(|| p.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, s)| s)));
            match (prop, extra) {
                (Some(s), _) => self.check(s, v, &path, depth + 1)?,
                (None, Some(s @ Value::Object(_))) => self.check(s, v, &path, depth + 1)?,
                (None, Some(Value::Bool(true))) => {}
                (None, _) if props.is_none() && extra.is_none() => {}
                (None, _) => {
                    if self.strict {
                        let known = props.map(|p| p.keys().map(String::as_str).collect::<Vec<_>>().join(", ")).unwrap_or_default();
                        return Err(violation(
                            &path,
                            "schema.unknown",
                            format!("is not a property of the schema (strict mode; it has: {known})"),
                            format!("не является свойством схемы (строгий режим; в ней есть: {known})"),
                        ));
                    }
                    self.unknown.push(path);
                }
            }
        }
        Ok(())
    }

    fn file(&self, value: &Value, at: &str) -> Result<(), Violation> {
        let bad = || {
            violation(
                at,
                "schema.format",
                format!("must be a file: {{\"filename\": \"name.ext\", \"content_base64\": \"…\", \"content_type\": \"optional/type\"}}, got {}", shown(value)),
                format!("должно быть файлом: {{\"filename\": \"имя.расш\", \"content_base64\": \"…\", \"content_type\": \"необязательный/тип\"}}, передано {}", shown(value)),
            )
        };
        match super::multipart::FilePart::from_value(value) {
            Some(Ok(_)) => Ok(()),
            Some(Err(())) | None => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(schemas: &Value, schema: &Value, value: &Value, strict: bool) -> Result<Checked, Violation> {
        let lookup = |name: &str| schemas.get(name);
        let mut v = Validator { lookup: &lookup, strict, files: true, unknown: Vec::new() };
        v.check(schema, value, "body", 0)?;
        Ok(Checked { unknown: v.unknown })
    }

    fn schemas() -> Value {
        json!({
            "PointType": {"enum": ["LoadPoint", "UnloadPoint"], "type": "string"},
            "Point": {"type": "object", "properties": {
                "id": {"type": "integer", "format": "int64"},
                "order": {"type": "integer", "format": "int32"},
                "type": {"$ref": "PointType"},
                "arrival": {"type": "string", "format": "date-time", "nullable": true},
                "date": {"type": "string", "format": "date"},
                "guid": {"type": "string", "format": "uuid"},
                "code": {"type": "string", "minLength": 2},
                "weight": {"type": "number", "format": "double"},
                "done": {"type": "boolean"},
                "tags": {"type": "object", "additionalProperties": {"type": "string"}, "nullable": true}
            }, "additionalProperties": false},
            "Bid": {"type": "object", "properties": {"points": {"type": "array", "items": {"$ref": "Point"}, "nullable": true}, "name": {"type": "string"}}, "additionalProperties": false}
        })
    }

    fn refused(value: Value) -> Violation {
        run(&schemas(), &json!({"$ref": "Bid"}), &value, false).unwrap_err()
    }

    #[test]
    fn a_valid_body_passes_and_unknown_properties_are_reported() {
        let ok = json!({"points": [{"id": 1, "order": 2, "type": "LoadPoint", "arrival": "2026-01-23T21:00:00Z", "date": "2026-06-30", "guid": "0f8fad5b-d9cb-469f-a165-70867728950e", "code": "ab", "weight": 1.5, "done": true, "tags": {"a": "b"}}], "name": "x"});
        assert_eq!(run(&schemas(), &json!({"$ref": "Bid"}), &ok, false).unwrap(), Checked::default());
        let extra = json!({"points": [{"id": 1, "colour": "red"}], "Name": "case-insensitive", "extra": 1});
        assert_eq!(run(&schemas(), &json!({"$ref": "Bid"}), &extra, false).unwrap().unknown, ["body.points[0].colour", "body.extra"]);
        let e = run(&schemas(), &json!({"$ref": "Bid"}), &extra, true).unwrap_err();
        assert_eq!((e.path.as_str(), e.rule), ("body.points[0].colour", "schema.unknown"));
        assert!(e.en.contains("strict") && e.ru.contains("строгий"), "{e:?}");
    }

    #[test]
    fn each_rule_names_the_path_in_both_languages() {
        let cases = [
            (json!({"points": [{}, {}, {"type": "Middle"}]}), "body.points[2].type", "schema.enum"),
            (json!({"points": [{"type": 0}]}), "body.points[0].type", "schema.type"),
            (json!({"points": [{"id": "12"}]}), "body.points[0].id", "schema.type"),
            (json!({"points": [{"id": 1.5}]}), "body.points[0].id", "schema.type"),
            (json!({"points": [{"order": 3_000_000_000u64}]}), "body.points[0].order", "schema.format"),
            (json!({"points": [{"arrival": "2026-01-23T21:00:00"}]}), "body.points[0].arrival", "schema.format"),
            (json!({"points": [{"date": "30.06.2026"}]}), "body.points[0].date", "schema.format"),
            (json!({"points": [{"guid": "not-a-guid"}]}), "body.points[0].guid", "schema.format"),
            (json!({"points": [{"code": "a"}]}), "body.points[0].code", "schema.min_length"),
            (json!({"points": [{"weight": "1.5"}]}), "body.points[0].weight", "schema.type"),
            (json!({"points": [{"done": 1}]}), "body.points[0].done", "schema.type"),
            (json!({"points": [{"id": null}]}), "body.points[0].id", "schema.null"),
            (json!({"points": [{"tags": {"a": 1}}]}), "body.points[0].tags.a", "schema.type"),
            (json!({"points": {"id": 1}}), "body.points", "schema.type"),
            (json!({"name": null}), "body.name", "schema.null"),
            (json!([1]), "body", "schema.type"),
        ];
        for (value, path, rule) in cases {
            let e = refused(value.clone());
            assert_eq!((e.path.as_str(), e.rule), (path, rule), "{value}: {e:?}");
            assert!(!e.en.is_empty() && e.ru.chars().any(|c| ('а'..='я').contains(&c)), "{e:?}");
        }
    }

    #[test]
    fn nullable_and_references_accept_null() {
        for ok in [json!({"points": null}), json!({"points": [null]}), json!({"points": [{"type": null, "arrival": null, "tags": null}]})] {
            assert!(run(&schemas(), &json!({"$ref": "Bid"}), &ok, true).is_ok(), "{ok}");
        }
        assert!(run(&schemas(), &json!({}), &json!(null), true).is_ok(), "{{}} is any value");
    }

    #[test]
    fn files_are_objects_with_base64_content() {
        let schema = json!({"type": "object", "properties": {"File": {"type": "string", "format": "binary"}}});
        assert!(run(&schemas(), &schema, &json!({"File": {"filename": "a.txt", "content_base64": "aGk="}}), false).is_ok());
        for bad in [json!({"File": "aGk="}), json!({"File": {"filename": "a.txt", "content_base64": "***"}}), json!({"File": {"content_base64": "aGk="}})] {
            let e = run(&schemas(), &schema, &bad, false).unwrap_err();
            assert_eq!((e.path.as_str(), e.rule), ("body.File", "schema.format"), "{bad}");
        }
    }

    #[test]
    fn deep_values_are_refused_not_overflowing() {
        let mut v = json!(1);
        for _ in 0..200 {
            v = json!({"x": v});
        }
        let schema = json!({"type": "object", "additionalProperties": {"$ref": "Deep"}});
        let schemas = json!({"Deep": {"type": "object", "additionalProperties": {"$ref": "Deep"}}});
        assert_eq!(run(&schemas, &schema, &v, false).unwrap_err().rule, "schema.depth");
    }
}
