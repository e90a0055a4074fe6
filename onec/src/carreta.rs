//! The `Carreta` class (`Новый("AddIn.LogiBridge.Carreta")`).
//!
//! Every typed method only builds the JSON parameters of one endpoint id and goes through
//! the same generic call as `Вызвать/Call`; the rules are the core's.

use logibridge::carreta::{self, Qty};
use logibridge::{AnyClient, Error};
use serde_json::{json, Map, Value};

use crate::args::{self, Arg};
use crate::component::{
    self, Action, ClassSpec, DefaultValue, Local, MethodSpec, ParamSpec, Ret, Settings,
};
use crate::names;

const fn required(name: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        default: None,
    }
}
const fn optional(name: &'static str, default: DefaultValue) -> ParamSpec {
    ParamSpec {
        name,
        default: Some(default),
    }
}

/// The Carreta class.
pub static CARRETA: ClassSpec = ClassSpec {
    name: "Carreta",
    name_w: addin1c::name!("Carreta"),
    default_base_url: carreta::DEFAULT_BASE_URL,
    default_timeout_secs: 30.0,
    build,
    methods: &[
        MethodSpec {
            names: names!("Call", "Вызвать"),
            params: &[
                required("ИдентификаторМетода"),
                optional("ПараметрыJSON", DefaultValue::Str("")),
            ],
            action: Action::Call,
        },
        MethodSpec {
            names: names!("CallAsync", "ВызватьАсинх"),
            params: &[
                required("ИдентификаторМетода"),
                optional("ПараметрыJSON", DefaultValue::Str("")),
            ],
            action: Action::CallAsync,
        },
        MethodSpec {
            names: names!("CheckOrderQty", "ПроверитьКоличество"),
            params: &[
                required("Наличие"),
                required("МинимальноеКоличество"),
                required("Количество"),
            ],
            action: Action::Local(check_order_qty),
        },
        MethodSpec {
            names: names!("Profile", "Профиль"),
            params: &[],
            action: Action::Endpoint {
                id: "carreta.profile.get",
                params: profile,
            },
        },
        MethodSpec {
            names: names!("Search", "Поиск"),
            params: &[required("Строка")],
            action: Action::Endpoint {
                id: "carreta.search.query",
                params: search,
            },
        },
        MethodSpec {
            names: names!("CreateOrder", "СоздатьЗаказ"),
            params: &[
                required("ПредложениеJSON"),
                required("Количество"),
                optional("Комментарий", DefaultValue::Str("")),
                optional("Тестовый", DefaultValue::Bool(false)),
            ],
            action: Action::Endpoint {
                id: "carreta.order.create",
                params: create_order,
            },
        },
        MethodSpec {
            names: names!("Orders", "Заказы"),
            params: &[
                optional("Страница", DefaultValue::Int(0)),
                optional("Комментарий", DefaultValue::Str("")),
                optional("Все", DefaultValue::Bool(false)),
            ],
            action: Action::Endpoint {
                id: "carreta.order.list",
                params: orders,
            },
        },
        MethodSpec {
            names: names!("GetOrder", "ПолучитьЗаказ"),
            params: &[required("Идентификатор")],
            action: Action::Endpoint {
                id: "carreta.order.get",
                params: by_id,
            },
        },
        MethodSpec {
            names: names!("OrderHistory", "ИсторияЗаказа"),
            params: &[required("Идентификатор")],
            action: Action::Endpoint {
                id: "carreta.order.history",
                params: by_id,
            },
        },
        MethodSpec {
            names: names!("PricelistToJsonl", "ПрайсВJSONL"),
            params: &[
                required("ПутьКФайлу"),
                required("ПутьРезультата"),
                optional("ПропускатьОшибочные", DefaultValue::Bool(false)),
            ],
            action: Action::Local(pricelist_to_jsonl),
        },
    ],
};

fn build(s: &Settings) -> Result<AnyClient, Error> {
    let key = s.api_key.clone().unwrap_or_default();
    if key.trim().is_empty() {
        return Err(Error::InvalidArgument("не задан КлючAPI (ApiKey)".into()));
    }
    let mut b = carreta::Client::builder(key);
    if let Some(url) = &s.base_url {
        b = b.base_url(url.clone());
    }
    if let Some(acc) = &s.account {
        b = b.account(acc.clone());
    }
    if let Some(t) = component::timeout(s) {
        b = b.timeout(t);
    }
    Ok(AnyClient::from(b.build()?))
}

/// `ПроверитьКоличество(Наличие, МинимальноеКоличество, Количество) → Булево`: the core's
/// `check_order_qty`; on `Ложь` the reason is in `ПоследняяОшибка`.
fn check_order_qty(a: &[Arg]) -> Result<Local, Error> {
    let qty = args::string(a, 0, "Наличие")?;
    let min_qty = args::integer(a, 1, "МинимальноеКоличество")?;
    let order_qty = args::integer(a, 2, "Количество")?;
    Ok(
        match carreta::check_order_qty(&Qty::parse(&qty), min_qty, order_qty) {
            Ok(()) => Local::Value(Ret::Bool(true)),
            Err(v) => Local::Rejected(v.into()),
        },
    )
}

/// `ПрайсВJSONL(ПутьКФайлу, ПутьРезультата, ПропускатьОшибочные = Ложь) → Строка JSON`:
/// converts a supplier price list (CSV, CP1251 or UTF-8) into UTF-8 JSON Lines with the
/// core's reader, in one pass and constant memory. Returns the summary
/// `{"rows_ok", "rows_bad", "bytes", "bad_rows": [{"line", "column", "reason", "raw"}]}`.
/// A bad row stops the conversion (an exception naming line and column) unless
/// `ПропускатьОшибочные` is true; then it is skipped and listed in `bad_rows`.
fn pricelist_to_jsonl(a: &[Arg]) -> Result<Local, Error> {
    use logibridge::pricelist::{self, OnError, Options};
    let input = args::required_string(a, 0, "ПутьКФайлу")?;
    let output = args::required_string(a, 1, "ПутьРезультата")?;
    let skip = args::boolean(a, 2, "ПропускатьОшибочные")?;
    let options = Options::new().on_error(if skip {
        OnError::Collect
    } else {
        OnError::Stop
    });
    let mut reader = pricelist::open_with(&input, options)?;
    let file = std::fs::File::create(&output)
        .map_err(|e| Error::InvalidArgument(format!("не удалось создать файл «{output}»: {e}")))?;
    let written = pricelist::write_jsonl(&mut reader, std::io::BufWriter::new(file));
    let summary = match written {
        Ok(s) => s,
        Err(e) => {
            // No half-written result is left behind.
            let _ = std::fs::remove_file(&output);
            return Err(e);
        }
    };
    let out = json!({
        "rows_ok": summary.rows_ok,
        "rows_bad": summary.rows_bad,
        "bytes": summary.bytes,
        "bad_rows": reader.bad_rows(),
    });
    Ok(Local::Value(Ret::Str(out.to_string())))
}

fn profile(_: &[Arg]) -> Result<Value, Error> {
    Ok(json!({}))
}

fn search(a: &[Arg]) -> Result<Value, Error> {
    Ok(json!({ "q": args::required_string(a, 0, "Строка")? }))
}

/// `СоздатьЗаказ(ПредложениеJSON, Количество, Комментарий = "", Тестовый = Ложь)`: the
/// offer is one row of `Поиск` as JSON text, sent back unchanged with the quantity.
fn create_order(a: &[Arg]) -> Result<Value, Error> {
    let offer_text = args::required_string(a, 0, "ПредложениеJSON")?;
    let mut offer: Map<String, Value> = match serde_json::from_str::<Value>(&offer_text) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return Err(Error::InvalidArgument(
                "ПредложениеJSON должно быть JSON-объектом — строкой результата Поиск".into(),
            ))
        }
        Err(e) => {
            return Err(Error::InvalidArgument(format!(
                "ПредложениеJSON не является корректным JSON: {e}"
            )))
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
    Ok(json!({ "order": offer, "test": args::boolean(a, 3, "Тестовый")? }))
}

/// `Заказы(Страница = 0, Комментарий = "", Все = Ложь)`: page 0 is the first; a comment
/// given as a JSON array (`["A","B"]`) matches any of them.
fn orders(a: &[Arg]) -> Result<Value, Error> {
    let mut p = Map::new();
    let page = args::integer(a, 0, "Страница")?;
    if page < 0 {
        return Err(Error::InvalidArgument(format!(
            "параметр «Страница» не может быть отрицательным: {page}"
        )));
    }
    if page > 0 {
        p.insert("page".into(), json!(page));
    }
    let comment = args::string(a, 1, "Комментарий")?;
    if comment.trim_start().starts_with('[') {
        let list: Value = serde_json::from_str(&comment).map_err(|e| {
            Error::InvalidArgument(format!("Комментарий: список в JSON не разобран: {e}"))
        })?;
        p.insert("client_comment".into(), list);
    } else if !comment.is_empty() {
        p.insert("client_comment".into(), json!(comment));
    }
    if args::boolean(a, 2, "Все")? {
        p.insert("all".into(), json!(true));
    }
    Ok(Value::Object(p))
}

fn by_id(a: &[Arg]) -> Result<Value, Error> {
    let id = args::integer(a, 0, "Идентификатор")?;
    if id < 0 {
        return Err(Error::InvalidArgument(format!(
            "параметр «Идентификатор» не может быть отрицательным: {id}"
        )));
    }
    Ok(json!({ "id": id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_method_names_a_carreta_id() {
        for m in CARRETA.methods {
            if let Action::Endpoint { id, .. } = m.action {
                let ep = logibridge::endpoints::require(id).unwrap();
                assert_eq!(ep.service, logibridge::endpoints::Service::Carreta);
            }
        }
    }

    #[test]
    fn method_names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for m in CARRETA.methods {
            assert!(seen.insert(m.names.en.to_lowercase()));
            assert!(seen.insert(m.names.ru.to_lowercase()));
        }
    }

    #[test]
    fn check_order_qty_is_the_core_rule() {
        let ok = check_order_qty(&[Arg::Str("<10".into()), Arg::Int(1), Arg::Int(9)]).unwrap();
        assert!(matches!(ok, Local::Value(Ret::Bool(true))));
        let Local::Rejected(e) =
            check_order_qty(&[Arg::Str("<10".into()), Arg::Int(1), Arg::Int(10)]).unwrap()
        else {
            panic!()
        };
        assert_eq!(e.code(), "order_qty.not_less_than_qty");
    }

    #[test]
    fn create_order_keeps_the_row_and_adds_the_quantity() {
        let p = create_order(&[
            Arg::Str(r#"{"_":"sig","code":"OC47","qty":"<10"}"#.into()),
            Arg::Int(2),
            Arg::Str("PO-1".into()),
            Arg::Bool(true),
        ])
        .unwrap();
        assert_eq!(p["order"]["_"], "sig");
        assert_eq!(p["order"]["order_qty"], 2);
        assert_eq!(p["order"]["client_comment"], "PO-1");
        assert_eq!(p["test"], true);
        assert!(create_order(&[Arg::Str("[1]".into()), Arg::Int(1)]).is_err());
    }

    #[test]
    fn orders_params() {
        assert_eq!(
            orders(&[Arg::Int(0), Arg::Str(String::new()), Arg::Bool(false)]).unwrap(),
            json!({})
        );
        assert_eq!(
            orders(&[Arg::Int(2), Arg::Str("A".into()), Arg::Bool(true)]).unwrap(),
            json!({"page": 2, "client_comment": "A", "all": true})
        );
        assert_eq!(
            orders(&[Arg::Int(0), Arg::Str(r#"["A","B"]"#.into())]).unwrap(),
            json!({"client_comment": ["A", "B"]})
        );
    }

    #[test]
    fn pricelist_to_jsonl_converts_and_reports_bad_rows() {
        let dir = std::env::temp_dir().join(format!("lb1c-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("price.csv");
        let (bytes, _, _) = encoding_rs_like_cp1251("Бренд;Артикул;Наименование;Цена;Количество\r\nMANN;W 712/75;Фильтр;1 234,56;<10\r\nMANN;X1;Фильтр;не цена;5\r\n");
        std::fs::write(&src, bytes).unwrap();
        let out = dir.join("price.jsonl");
        let args = [
            Arg::Str(src.display().to_string()),
            Arg::Str(out.display().to_string()),
            Arg::Bool(true),
        ];
        let Local::Value(Ret::Str(summary)) = pricelist_to_jsonl(&args).unwrap() else {
            panic!()
        };
        let v: Value = serde_json::from_str(&summary).unwrap();
        assert_eq!(v["rows_ok"], 1, "{v}");
        assert_eq!(v["rows_bad"], 1, "{v}");
        assert_eq!(v["bad_rows"][0]["line"], 3, "{v}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(text.contains("W 712/75"));
        // Without skipping, the bad row is an error and no output is left.
        let strict = [args[0].clone(), args[1].clone()];
        assert!(pricelist_to_jsonl(&strict).is_err());
        assert!(!out.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// CP1251 bytes of a text (Cyrillic and ASCII only), as Carreta publishes price lists.
    fn encoding_rs_like_cp1251(text: &str) -> (Vec<u8>, (), ()) {
        let bytes = text
            .chars()
            .map(|c| match c {
                'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
                'ё' => 0xB8,
                'Ё' => 0xA8,
                c if c.is_ascii() => c as u8,
                other => panic!("not in the test alphabet: {other}"),
            })
            .collect();
        (bytes, (), ())
    }

    #[test]
    fn building_without_a_key_is_a_russian_error() {
        let e = build(&Settings::default()).unwrap_err();
        assert!(e.message_ru().contains("КлючAPI"));
    }
}
