//! Price lists: a row iterator over a file, rows as JSON, bad rows reported.

use std::ffi::c_char;
use std::fs::File;
use std::sync::Mutex;

use lbcore::pricelist::{Encoding, Field, OnError, Options, Reader};
use lbcore::Error;
use serde_json::Value;

use crate::error::lb_error_t;
use crate::{arg_out, arg_ref, arg_str, c_string, guard, invalid, lb_status, not_an_object, not_json, opt_str, reset_out};

/// An open price list, read row by row in constant memory. Opaque; made by
/// `lb_pricelist_open`, freed by `lb_pricelist_free`.
///
/// Thread safety: it may be handed between threads; calls on one price list from several
/// threads at once are serialised (each row goes to exactly one caller).
pub struct lb_pricelist_t {
    reader: Mutex<Reader<File>>,
}

fn parse_options(json: Option<&str>) -> Result<Options, Error> {
    // A header without a required column points at this face's own option.
    let mut options = Options::new().column_hint(
        "name it in options_json: {\"columns\": {\"{field}\": \"<header>\"}}",
        "укажите её в options_json: {\"columns\": {\"{field}\": \"<заголовок>\"}}",
    );
    let Some(json) = json.filter(|j| !j.trim().is_empty()) else {
        return Ok(options);
    };
    let value: Value = serde_json::from_str(json)
        .map_err(|e| not_json("options_json", &e))?;
    let Value::Object(map) = value else {
        return Err(not_an_object("options_json"));
    };
    let bad = |name: &str, want: &str, want_ru: &str| invalid(format!("options_json: {name:?} must be {want}"), format!("options_json: {name:?} должен быть: {want_ru}"));
    for (name, v) in map {
        match (name.as_str(), v) {
            (_, Value::Null) => {}
            ("encoding", Value::String(label)) => {
                let enc = Encoding::from_label(&label).ok_or_else(|| invalid(format!("options_json: unknown encoding {label:?}"), format!("options_json: неизвестная кодировка {label:?}")))?;
                options = options.encoding(enc);
            }
            ("delimiter", Value::String(d)) if d.len() == 1 => options = options.delimiter(d.as_bytes()[0]),
            ("delimiter", _) => return Err(bad("delimiter", "a one-byte string such as \";\"", "строка из одного байта, например \";\"")),
            ("on_error", Value::String(s)) if s == "stop" => options = options.on_error(OnError::Stop),
            ("on_error", Value::String(s)) if s == "collect" => options = options.on_error(OnError::Collect),
            ("on_error", _) => return Err(bad("on_error", "\"stop\" or \"collect\"", "\"stop\" или \"collect\"")),
            ("max_errors_kept", Value::Number(n)) if n.as_u64().is_some() => {
                options = options.max_errors_kept(usize::try_from(n.as_u64().unwrap_or(0)).unwrap_or(usize::MAX))
            }
            ("max_errors_kept", _) => return Err(bad("max_errors_kept", "a non-negative integer", "целое неотрицательное число")),
            ("columns", Value::Object(cols)) => {
                for (key, header) in cols {
                    let field = Field::ALL.into_iter().find(|f| f.key() == key).ok_or_else(|| {
                        let keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
                        invalid(
                            format!("options_json: unknown column field {key:?}; known: {}", keys.join(", ")),
                            format!("options_json: неизвестное поле колонки {key:?}; известны: {}", keys.join(", ")),
                        )
                    })?;
                    let Value::String(header) = header else { return Err(bad("columns", "an object of header names", "объект с названиями колонок")) };
                    options = options.column(field, header);
                }
            }
            ("encoding", _) => return Err(bad("encoding", "a string", "строка")),
            ("columns", _) => return Err(bad("columns", "an object like {\"price\": \"Стоимость\"}", "объект вида {\"price\": \"Стоимость\"}")),
            (other, _) => {
                return Err(invalid(
                    format!("options_json: unknown option {other:?} (known: encoding, delimiter, on_error, columns, max_errors_kept)"),
                    format!("options_json: неизвестная настройка {other:?} (известны: encoding, delimiter, on_error, columns, max_errors_kept)"),
                ))
            }
        }
    }
    Ok(options)
}

/// Opens a price list file (Carreta's CSV: CP1251, `;`, a header row; columns are found by
/// their Russian or English header names).
///
/// - `path`: the file, UTF-8.
/// - `options_json`: NULL / `""` for the defaults, or a JSON object with any of
///   `"encoding"` (`"auto"` (default), `"cp1251"`, `"utf-8"`, or another WHATWG label),
///   `"delimiter"` (default `";"`), `"on_error"` (`"stop"` (default): the first bad row is
///   an error and ends the reading; `"collect"`: bad rows are skipped and kept for
///   `lb_pricelist_bad_rows`), `"columns"` (header names that override the built-in
///   synonyms, e.g. `{"price": "Стоимость"}`; fields `code`, `maker`, `name`, `price`,
///   `qty`, `min_qty`, `period`), `"max_errors_kept"` (default 1000).
/// - `*pricelist_out`: on success the open list (free it with `lb_pricelist_free`).
///
/// Fails with `LB_INVALID_ARGUMENT` when the file cannot be opened (missing, a directory, no
/// permission) or for bad options, `LB_DECODE` when its header lacks a required column
/// (code, price; the message names the `"columns"` option).
#[no_mangle]
pub unsafe extern "C" fn lb_pricelist_open(
    path: *const c_char,
    options_json: *const c_char,
    pricelist_out: *mut *mut lb_pricelist_t,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(pricelist_out);
    guard(error_out, || {
        let path = arg_str(path, "path")?;
        let options = parse_options(opt_str(options_json, "options_json")?)?;
        let out = arg_out(pricelist_out, "pricelist_out")?;
        let reader = lbcore::pricelist::open_with(path, options)?;
        *out = Box::into_raw(Box::new(lb_pricelist_t {
            reader: Mutex::new(reader),
        }));
        Ok(())
    })
}

fn lock(p: &lb_pricelist_t) -> std::sync::MutexGuard<'_, Reader<File>> {
    p.reader
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads the next good row. On `LB_OK`, `*row_json_out` is the row as a JSON object
/// (free it with `lb_string_free`), or NULL at the end of the list:
/// `{"line": 2, "code": "W 712/75", "maker": "MANN-FILTER", "name": "...",
/// "price": "1234.56", "qty": "<10", "min_qty": 1, "period_min": 7, "period_max": 9,
/// "extra": {"Склад": "Москва"}}` (price an exact decimal string, qty as written).
///
/// With `"on_error": "stop"` a bad row is returned once as `LB_DECODE` (the message names
/// the line and column), and the list ends there. Other failures: `LB_TRANSPORT` (a read
/// error).
#[no_mangle]
pub unsafe extern "C" fn lb_pricelist_next(
    pricelist: *mut lb_pricelist_t,
    row_json_out: *mut *mut c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(row_json_out);
    guard(error_out, || {
        let p = arg_ref(pricelist, "pricelist")?;
        let out = arg_out(row_json_out, "row_json_out")?;
        let mut reader = lock(p);
        match reader.next() {
            None => Ok(()),
            Some(Err(e)) => Err(e),
            Some(Ok(row)) => {
                let json = serde_json::to_string(&row)
                    .map_err(|e| Error::Internal(format!("cannot encode a row: {e}")))?;
                *out = c_string(json).into_raw();
                Ok(())
            }
        }
    })
}

/// Takes the bad rows reported since the last call (with `"on_error": "collect"`), as a
/// JSON array of `{"line", "column" (or null), "reason", "reason_ru" (the reason in
/// Russian), "raw"}`; `"[]"` when there are
/// none. Free the string with `lb_string_free`. Taking them keeps memory bounded on huge
/// lists; `lb_pricelist_summary` still counts them all.
#[no_mangle]
pub unsafe extern "C" fn lb_pricelist_bad_rows(
    pricelist: *mut lb_pricelist_t,
    bad_rows_json_out: *mut *mut c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(bad_rows_json_out);
    guard(error_out, || {
        let p = arg_ref(pricelist, "pricelist")?;
        let out = arg_out(bad_rows_json_out, "bad_rows_json_out")?;
        let bad = lock(p).take_bad_rows();
        let json = serde_json::to_string(&bad)
            .map_err(|e| Error::Internal(format!("cannot encode bad rows: {e}")))?;
        *out = c_string(json).into_raw();
        Ok(())
    })
}

/// Counts so far, final once `lb_pricelist_next` has reached the end, plus what the
/// reader found in the header: `{"rows_ok", "rows_bad", "bytes", "headers": [...],
/// "columns": {"code": "Артикул", ...}, "extra_columns": [...], "encoding": "windows-1251"
/// (or null while undecided)}`. Free the string with `lb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lb_pricelist_summary(
    pricelist: *const lb_pricelist_t,
    summary_json_out: *mut *mut c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(summary_json_out);
    guard(error_out, || {
        let p = arg_ref(pricelist, "pricelist")?;
        let out = arg_out(summary_json_out, "summary_json_out")?;
        let reader = lock(p);
        let s = reader.summary();
        let columns: serde_json::Map<String, Value> = Field::ALL
            .into_iter()
            .filter_map(|f| {
                reader
                    .column(f)
                    .map(|h| (f.key().to_owned(), Value::from(h)))
            })
            .collect();
        let json = serde_json::json!({
            "rows_ok": s.rows_ok,
            "rows_bad": s.rows_bad,
            "bytes": s.bytes,
            "headers": reader.headers(),
            "columns": columns,
            "extra_columns": reader.extra_columns(),
            "encoding": reader.encoding().map(|e| e.name().to_ascii_lowercase()),
        });
        *out = c_string(json.to_string()).into_raw();
        Ok(())
    })
}

/// Closes a price list. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn lb_pricelist_free(pricelist: *mut lb_pricelist_t) {
    if !pricelist.is_null() {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            drop(Box::from_raw(pricelist))
        }));
    }
}
