//! Printing a result: a table for people, JSON or JSON Lines for scripts.

use std::io::Write;

use serde_json::Value;

use crate::args::OutputFormat;
use crate::fail::Failure;

/// Longest cell of a table, in characters; the JSON output has every value whole.
const CELL_CHARS: usize = 48;

/// Writes `value` to stdout in `format`. A closed pipe (`| head`) ends the output quietly.
pub fn print(value: &Value, format: OutputFormat) -> Result<(), Failure> {
    write_stdout(render(value, format).as_bytes())
}

/// Writes and flushes `bytes` to stdout. A closed pipe (`| head`) ends the output quietly
/// (its reader has what it wanted); any other failure (a full disk, `> /dev/full`) is a
/// local failure (exit 1).
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::local(format!("cannot write to stdout: {e}"), format!("не удалось вывести результат: {e}"))),
        _ => Ok(()),
    }
}

/// The text `print` writes.
pub fn render(value: &Value, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => format!("{}\n", serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())),
        OutputFormat::Jsonl => match value {
            Value::Array(items) => items.iter().map(|v| format!("{v}\n")).collect(),
            other => format!("{other}\n"),
        },
        OutputFormat::Table => table(value),
    }
}

/// A cell: text as is (line breaks as spaces), numbers and booleans as written, nested
/// values as compact JSON, cut at [`CELL_CHARS`].
fn cell(v: &Value) -> String {
    let text = match v {
        Value::Null => String::new(),
        Value::String(s) => s.replace(['\r', '\n', '\t'], " "),
        other => other.to_string(),
    };
    cut(&text, CELL_CHARS)
}

/// `text` cut to `chars` characters, the cut shown by a final `…` (a table or a line for
/// people; JSON keeps every value whole).
pub fn cut(text: &str, chars: usize) -> String {
    if text.chars().count() > chars {
        format!("{}…", text.chars().take(chars.saturating_sub(1)).collect::<String>())
    } else {
        text.to_owned()
    }
}

fn table(value: &Value) -> String {
    match value {
        Value::Array(items) if items.is_empty() => "(no items)\n".into(),
        Value::Array(items) if items.iter().all(Value::is_object) => {
            let mut columns: Vec<&str> = Vec::new();
            for item in items {
                // `_`-prefixed members are for machines (Carreta's offer signature, which
                // an order sends back): in the JSON output, not in the table.
                for k in item.as_object().into_iter().flat_map(|o| o.keys()).filter(|k| !k.starts_with('_')) {
                    if !columns.contains(&k.as_str()) {
                        columns.push(k);
                    }
                }
            }
            let rows: Vec<Vec<String>> = items.iter().map(|item| columns.iter().map(|c| item.get(*c).map(cell).unwrap_or_default()).collect()).collect();
            let headers: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
            aligned(&headers, &rows)
        }
        Value::Array(items) => items.iter().map(|v| format!("{}\n", cell(v))).collect(),
        Value::Object(map) if map.is_empty() => "(empty)\n".into(),
        Value::Object(map) => {
            let width = map.keys().map(|k| k.chars().count()).max().unwrap_or(0);
            map.iter().map(|(k, v)| format!("{k:<width$}  {}\n", cell(v))).collect()
        }
        Value::Null => "(no content)\n".into(),
        Value::String(s) => format!("{s}\n"),
        other => format!("{other}\n"),
    }
}

/// Columns padded to their widest cell (counted in characters: Cyrillic is one each).
pub fn aligned(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            s.extend(std::iter::repeat_n(' ', w - c.chars().count()));
        }
        format!("{}\n", s.trim_end())
    };
    let mut out = line(headers);
    out.push_str(&line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>()));
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_list_of_objects_is_a_table_with_every_key() {
        let v = json!([{"code": "OC47", "price": "152.02"}, {"code": "OC90", "maker": "Кнехт"}]);
        let t = render(&v, OutputFormat::Table);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "code  price   maker");
        assert_eq!(lines[2], "OC47  152.02");
        assert_eq!(lines[3], "OC90          Кнехт");
    }

    #[test]
    fn members_for_machines_stay_out_of_the_table() {
        let v = json!([{"_": "signature", "code": "OC47"}]);
        assert!(!render(&v, OutputFormat::Table).contains("signature"));
        assert!(render(&v, OutputFormat::Jsonl).contains("signature"));
    }

    #[test]
    fn jsonl_writes_one_item_a_line() {
        let v = json!([{"a": 1}, {"a": 2}]);
        assert_eq!(render(&v, OutputFormat::Jsonl), "{\"a\":1}\n{\"a\":2}\n");
        assert_eq!(render(&json!({"a": 1}), OutputFormat::Jsonl), "{\"a\":1}\n");
    }

    #[test]
    fn long_cells_are_cut_in_the_table_only() {
        let long = "я".repeat(100);
        let t = render(&json!({"name": long}), OutputFormat::Table);
        assert_eq!(t.trim_end().chars().count(), "name  ".len() + CELL_CHARS);
        assert!(render(&json!({"name": long}), OutputFormat::Json).contains(&long));
    }
}
