//! The Carreta methods that need code. Everything else of the `Carreta` class
//! (`Профиль`, `Поиск`, `ПолучитьЗаказ`, `ИсторияЗаказа`, `ПроверитьКомментарий`,
//! `РазобратьПрайс`, and any row added later) is generated from the endpoint table
//! ([`crate::class`]).
//!
//! - `СоздатьЗаказ(ПредложениеJSON, Количество, Комментарий = "", Тестовый = Ложь)`: builds
//!   the order from a search row (override of `carreta.order.create`).
//! - `Заказы(Страница = 1, Комментарий = "", Все = Ложь)`: pages are numbered from 1, as
//!   in the core and the service; 0 or less is the core's `param.min` error naming
//!   «Страница» (override of `carreta.order.list`).
//! - `ПроверитьКоличество(Наличие, МинимальноеКоличество, Количество) → Булево`: the row
//!   `carreta.order.check_qty`, answering `Ложь` with the reason in `ПоследняяОшибка`
//!   instead of an exception.
//! - `ПрайсВJSONL(ПутьКФайлу, ПутьРезультата, ПропускатьОшибочные = Ложь)`: a whole price
//!   list to a JSON Lines file (no row: a file-to-file conversion of the face).
//!
//! Each override only builds the row's parameters; the call goes the same way as
//! `Вызвать`, with the core's checks and rules.

use logibridge::endpoints::carreta::{ORDER_CHECK_QTY, ORDER_CREATE, ORDER_LIST, SERVICE};
use logibridge::endpoints::Endpoint;
use logibridge::Error;
use serde_json::{json, Map, Value};

use crate::args::{self, Arg, Target};
use crate::class::{Extra, HookArg, HookDefault, Override, OverrideKind, Ret, ServiceHooks};

/// The Carreta hooks.
pub static HOOKS: ServiceHooks = ServiceHooks {
    service: &SERVICE,
    overrides: &[
        Override {
            row: ORDER_CREATE,
            kind: OverrideKind::Build {
                args: &[
                    HookArg::required("ПредложениеJSON"),
                    HookArg::required("Количество"),
                    HookArg::optional("Комментарий", HookDefault::Str("")),
                    HookArg::optional("Тестовый", HookDefault::Bool(false)).fills("test"),
                ],
                build: create_order,
            },
        },
        Override {
            row: ORDER_LIST,
            kind: OverrideKind::Build {
                args: &[
                    HookArg::optional("Страница", HookDefault::Int(1)).fills("page"),
                    HookArg::optional("Комментарий", HookDefault::Str("")).fills("client_comment"),
                    HookArg::optional("Все", HookDefault::Bool(false)).fills("all"),
                ],
                build: orders,
            },
        },
        Override {
            row: ORDER_CHECK_QTY,
            kind: OverrideKind::Verdict,
        },
    ],
    extras: &[Extra {
        en: "PricelistToJsonl",
        ru: "ПрайсВJSONL",
        args: &[
            HookArg::required("ПутьКФайлу"),
            HookArg::required("ПутьРезультата"),
            HookArg::optional("ПропускатьОшибочные", HookDefault::Bool(false)),
        ],
        run: pricelist_to_jsonl,
    }],
};

/// A parameter of the row, converted from a 1C value as a generated method would.
fn put(
    out: &mut Map<String, Value>,
    ep: &'static Endpoint,
    name: &str,
    name_ru: &str,
    arg: &Arg,
) -> Result<(), Error> {
    let param = ep
        .param(name)
        .ok_or_else(|| Error::Internal(format!("{}: no parameter {name:?}", ep.id)))?;
    let to = Target {
        endpoint: ep.id,
        param,
        name_ru,
    };
    if let Some(v) = args::param_value(arg, to)? {
        out.insert(param.name.to_owned(), v);
    }
    Ok(())
}

/// `СоздатьЗаказ(ПредложениеJSON, Количество, Комментарий = "", Тестовый = Ложь)`: the
/// offer is one row of `Поиск` as JSON text, sent back unchanged with the quantity.
fn create_order(ep: &'static Endpoint, a: &[Arg]) -> Result<Map<String, Value>, Error> {
    let offer_text = args::required_string(a, 0, "ПредложениеJSON")?;
    let mut offer: Map<String, Value> = match serde_json::from_str::<Value>(&offer_text) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return Err(Error::invalid_argument(
                "ПредложениеJSON must be a JSON object: a row of the result of Поиск",
                "ПредложениеJSON должно быть JSON-объектом — строкой результата Поиск",
            ))
        }
        Err(e) => {
            return Err(Error::invalid_json("ПредложениеJSON", &e))
        }
    };
    offer.insert(
        "order_qty".into(),
        json!(args::integer(a, 1, "Количество")?),
    );
    let comment = args::string(a, 2, "Комментарий")?;
    if !comment.is_empty() {
        offer.insert("client_comment".into(), json!(comment));
    }
    let mut out = Map::new();
    out.insert("order".into(), Value::Object(offer));
    put(&mut out, ep, "test", "Тестовый", args::get(a, 3))?;
    Ok(out)
}

/// `Заказы(Страница = 1, Комментарий = "", Все = Ложь)`: pages are numbered from 1, the
/// page goes to the core unchanged (0 or less is its `param.min` error, never "the first
/// page"); a comment given as a JSON array (`["A","B"]`) matches any of them.
fn orders(ep: &'static Endpoint, a: &[Arg]) -> Result<Map<String, Value>, Error> {
    let mut out = Map::new();
    put(&mut out, ep, "page", "Страница", args::get(a, 0))?;
    put(
        &mut out,
        ep,
        "client_comment",
        "Комментарий",
        args::get(a, 1),
    )?;
    put(&mut out, ep, "all", "Все", args::get(a, 2))?;
    Ok(out)
}

/// `ПрайсВJSONL(ПутьКФайлу, ПутьРезультата, ПропускатьОшибочные = Ложь) → Строка JSON`:
/// converts a supplier price list (CSV, CP1251 or UTF-8) into UTF-8 JSON Lines with the
/// core's reader, in one pass and constant memory. Returns the summary
/// `{"rows_ok", "rows_bad", "bytes", "bad_rows": [{"line", "column", "reason", "reason_ru",
/// "raw"}]}`. A file that cannot be opened (missing, a directory) is an invalid argument.
/// A bad row stops the conversion (an exception naming line and column) unless
/// `ПропускатьОшибочные` is true; then it is skipped and listed in `bad_rows`.
fn pricelist_to_jsonl(a: &[Arg]) -> Result<Ret, Error> {
    use logibridge::pricelist::{self, OnError, Options};
    let input = args::required_string(a, 0, "ПутьКФайлу")?;
    let output = args::required_string(a, 1, "ПутьРезультата")?;
    let skip = args::boolean(a, 2, "ПропускатьОшибочные")?;
    let options = Options::new()
        .on_error(if skip {
            OnError::Collect
        } else {
            OnError::Stop
        })
        // ПрайсВJSONL takes no column names: the file's header must say them.
        .column_hint(
            "ПрайсВJSONL takes no column names: name the column in the header of ПутьКФайлу",
            "ПрайсВJSONL не принимает названий колонок: назовите колонку в заголовке файла ПутьКФайлу",
        );
    let mut reader = pricelist::open_with(&input, options)?;
    if same_file(&input, &output) {
        return Err(Error::invalid_argument(
            format!("ПутьРезультата «{output}» is the same file as ПутьКФайлу «{input}»: the price list would be overwritten; name another result file"),
            format!(
                "ПутьРезультата «{output}» — это тот же файл, что ПутьКФайлу «{input}»: прайс-лист \
                 был бы перезаписан; укажите другой файл результата"
            ),
        ));
    }
    // The result is written next to the output under a temporary name and renamed over it
    // on success: a failure leaves neither a half-written result nor a damaged old one.
    let temp = temp_path(&output);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .map_err(|e| Error::file(("create", "создать"), &output, &e))?;
    let mut buf = std::io::BufWriter::new(file);
    let written = pricelist::write_jsonl(&mut reader, &mut buf).and_then(|s| {
        use std::io::Write;
        buf.flush()
            .and_then(|()| buf.get_ref().sync_all())
            .map_err(|e| Error::file(("write", "записать"), &output, &e))?;
        Ok(s)
    });
    drop(buf);
    let summary = match written.and_then(|s| {
        std::fs::rename(&temp, &output)
            .map_err(|e| Error::file(("write", "записать"), &output, &e))?;
        Ok(s)
    }) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    let out = json!({
        "rows_ok": summary.rows_ok,
        "rows_bad": summary.rows_bad,
        "bytes": summary.bytes,
        "bad_rows": reader.bad_rows(),
    });
    Ok(Ret::Str(out.to_string()))
}

/// Whether two paths name the same file once links are resolved (symbolic links by
/// following them, hard links by the device and inode). A path that does not exist is
/// nobody's file.
fn same_file(a: &str, b: &str) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (ma.dev(), ma.ino()) == (mb.dev(), mb.ino()) {
            return true;
        }
    }
    let _ = (ma, mb);
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(ca), Ok(cb)) => ca == cb,
        _ => false,
    }
}

/// A fresh temporary name in the directory of `output` (so the rename stays on one file
/// system).
fn temp_path(output: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let path = std::path::Path::new(output);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "result".into());
    let temp = format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(temp),
        _ => std::path::PathBuf::from(temp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_order_keeps_the_row_and_adds_the_quantity() {
        let p = create_order(
            ORDER_CREATE,
            &[
                Arg::Str(r#"{"_":"sig","code":"OC47","qty":"<10"}"#.into()),
                Arg::Int(2),
                Arg::Str("PO-1".into()),
                Arg::Bool(true),
            ],
        )
        .unwrap();
        assert_eq!(p["order"]["_"], "sig");
        assert_eq!(p["order"]["order_qty"], 2);
        assert_eq!(p["order"]["client_comment"], "PO-1");
        assert_eq!(p["test"], true);
        assert!(create_order(ORDER_CREATE, &[Arg::Str("[1]".into()), Arg::Int(1)]).is_err());
        let p = create_order(ORDER_CREATE, &[Arg::Str("{}".into()), Arg::Int(1)]).unwrap();
        assert!(!p.contains_key("test"), "{p:?}");
    }

    #[test]
    fn orders_params() {
        let call = |a: &[Arg]| Value::Object(orders(ORDER_LIST, a).unwrap());
        assert_eq!(
            call(&[Arg::Int(1), Arg::Str(String::new()), Arg::Bool(false)]),
            json!({"page": 1, "all": false})
        );
        // Page 0 is not "the first page": it reaches the core, which refuses it.
        assert_eq!(call(&[Arg::Int(0)]), json!({"page": 0}));
        assert_eq!(
            call(&[Arg::Int(2), Arg::Str("A".into()), Arg::Bool(true)]),
            json!({"page": 2, "client_comment": "A", "all": true})
        );
        assert_eq!(
            call(&[Arg::Int(1), Arg::Str(r#"["A","B"]"#.into())]),
            json!({"page": 1, "client_comment": ["A", "B"]})
        );
        let e = orders(ORDER_LIST, &[Arg::Bool(true)]).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("page"), "param.type"));
        assert!(e.message_ru().contains("«Страница»"), "{}", e.message_ru());
    }

    #[test]
    fn pricelist_to_jsonl_converts_and_reports_bad_rows() {
        let dir = std::env::temp_dir().join(format!("lb1c-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("price.csv");
        std::fs::write(
            &src,
            cp1251("Бренд;Артикул;Наименование;Цена;Количество\r\nMANN;W 712/75;Фильтр;1 234,56;<10\r\nMANN;X1;Фильтр;не цена;5\r\n"),
        )
        .unwrap();
        let out = dir.join("price.jsonl");
        let args = [
            Arg::Str(src.display().to_string()),
            Arg::Str(out.display().to_string()),
            Arg::Bool(true),
        ];
        let Ret::Str(summary) = pricelist_to_jsonl(&args).unwrap() else {
            panic!()
        };
        let v: Value = serde_json::from_str(&summary).unwrap();
        assert_eq!(v["rows_ok"], 1, "{v}");
        assert_eq!(v["rows_bad"], 1, "{v}");
        assert_eq!(v["bad_rows"][0]["line"], 3, "{v}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(text.contains("W 712/75"));
        // Without skipping, the bad row is an error; the previous result stays as it was
        // and nothing half-written is left.
        let strict = [args[0].clone(), args[1].clone()];
        assert!(pricelist_to_jsonl(&strict).is_err());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
        std::fs::remove_file(&out).unwrap();
        assert!(pricelist_to_jsonl(&strict).is_err());
        assert!(!out.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn pricelist_to_jsonl_never_overwrites_its_input() {
        let dir = std::env::temp_dir().join(format!("lb1c-same-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("price.csv");
        let original = cp1251("Бренд;Артикул;Наименование;Цена;Количество\r\nMANN;W 712/75;Фильтр;1 234,56;<10\r\n");
        std::fs::write(&src, &original).unwrap();
        let s = |p: &std::path::Path| Arg::Str(p.display().to_string());
        let sym = dir.join("link.csv");
        std::os::unix::fs::symlink(&src, &sym).unwrap();
        let hard = dir.join("hard.csv");
        std::fs::hard_link(&src, &hard).unwrap();
        let dotted = dir.join(".").join("price.csv");
        for out in [&src, &sym, &hard, &dotted] {
            let e = pricelist_to_jsonl(&[s(&src), s(out)]).unwrap_err();
            assert_eq!(e.kind(), logibridge::ErrorKind::InvalidArgument, "{out:?}");
            assert!(e.message_ru().contains("тот же файл"), "{}", e.message_ru());
            assert_eq!(std::fs::read(&src).unwrap(), original, "{out:?} damaged the input");
        }
        // The other way round too: the input reached through a link.
        assert!(pricelist_to_jsonl(&[s(&sym), s(&src)]).is_err());
        assert_eq!(std::fs::read(&src).unwrap(), original);
        // A failed conversion keeps the previous result and leaves no temporary file.
        let out = dir.join("price.jsonl");
        std::fs::write(&out, "old\n").unwrap();
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, cp1251("Бренд;Артикул;Наименование;Цена;Количество\r\nMANN;X1;Фильтр;не цена;5\r\n")).unwrap();
        assert!(pricelist_to_jsonl(&[s(&bad), s(&out)]).is_err());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old\n");
        // A good one replaces it.
        pricelist_to_jsonl(&[s(&src), s(&out)]).unwrap();
        assert!(std::fs::read_to_string(&out).unwrap().contains("W 712/75"));
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Issue 10, items 23-24: "cannot open" is one classification, messages name this
    /// method (not Rust's `Options::column`) and read in Russian, bad rows carry `reason_ru`.
    #[test]
    fn pricelist_to_jsonl_errors_speak_1c() {
        let dir = std::env::temp_dir().join(format!("lb1c-err-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let s = |p: &std::path::Path| Arg::Str(p.display().to_string());
        let out = dir.join("out.jsonl");
        for input in [dir.join("nope.csv"), dir.clone()] {
            let e = pricelist_to_jsonl(&[s(&input), s(&out)]).unwrap_err();
            assert_eq!(e.kind(), logibridge::ErrorKind::InvalidArgument, "{input:?}: {e}");
        }
        let noprice = dir.join("noprice.csv");
        std::fs::write(&noprice, cp1251("Артикул;Стоимость\r\nA1;5\r\n")).unwrap();
        let e = pricelist_to_jsonl(&[s(&noprice), s(&out)]).unwrap_err();
        assert!(!e.to_string().contains("Options::column"), "{e}");
        assert!(e.message_ru().contains("нет колонки price"), "{}", e.message_ru());
        assert!(e.message_ru().contains("ПрайсВJSONL не принимает названий колонок"), "{}", e.message_ru());
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, cp1251("Артикул;Цена\r\nA1;5\r\n;6\r\n")).unwrap();
        let e = pricelist_to_jsonl(&[s(&bad), s(&out)]).unwrap_err();
        assert_eq!(e.message_ru(), "Не удалось прочитать прайс-лист: строка 3, колонка «Артикул»: артикул не указан");
        let Ret::Str(summary) = pricelist_to_jsonl(&[s(&bad), s(&out), Arg::Bool(true)]).unwrap() else { panic!() };
        let v: Value = serde_json::from_str(&summary).unwrap();
        assert_eq!(v["bad_rows"][0]["reason_ru"], "артикул не указан", "{v}");
        assert_eq!(v["rows_ok"], 1, "{v}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// CP1251 bytes of a text (Cyrillic and ASCII only), as Carreta publishes price lists.
    fn cp1251(text: &str) -> Vec<u8> {
        text.chars()
            .map(|c| match c {
                'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
                'ё' => 0xB8,
                'Ё' => 0xA8,
                c if c.is_ascii() => c as u8,
                other => panic!("not in the test alphabet: {other}"),
            })
            .collect()
    }
}
