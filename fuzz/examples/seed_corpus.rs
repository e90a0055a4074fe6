//! Writes the seed corpus, `fuzz/corpus/<target>/seed-*`, from the project's own inputs:
//! the Carreta fixtures (tests/fixtures/carreta), the sandbox's price-list generator, the
//! document's `qty` examples, the endpoint table's own description.
//!
//!     cargo run -p logibridge-fuzz --example seed_corpus
//!
//! Deterministic: rerunning it rewrites the same files. Inputs libFuzzer adds to the
//! corpus (any other name) are left alone.

use std::path::{Path, PathBuf};

use logibridge::endpoints;
use serde_json::Value;

fn main() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = fuzz.parent().unwrap();
    let mut written = 0;
    let mut put = |target: &str, name: &str, bytes: Vec<u8>| {
        let dir = fuzz.join("corpus").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
        written += 1;
    };

    // qty: the document's forms, its examples of each rule, edges.
    let cases: &[(&str, i64, i64)] = &[
        ("10", 1, 10), ("10", 1, 11), ("<10", 1, 9), ("<10", 1, 10), (">50", 1, 10_000), (">50", 1, 10_001),
        ("Есть", 2, 4), ("Есть", 2, 3), ("есть в наличии", 1, 1), (" 500 ", 5, 500), ("под заказ", 1, 1), ("<0", 1, 1),
        ("18446744073709551615", 1, i64::MAX), ("18446744073709551616", 1, 1), ("10", 0, 1), ("10", 1, -1), ("< 7", 3, 6),
    ];
    for (i, (qty, min, order)) in cases.iter().enumerate() {
        let mut bytes = int(*min);
        bytes.extend(int(*order));
        bytes.extend(qty.as_bytes());
        put("qty", &format!("{i:02}"), bytes);
    }

    // pricelist: the module's examples, English headers, CP1251 lists from the sandbox's
    // generator, the "Щё" case of issue 10.
    let utf8_lists = [
        "Бренд;Артикул;Наименование;Цена;Количество;Срок поставки\r\nMANN-FILTER;W 712/75;\"Фильтр масляный; Лада\";1 234,56;<10;7-9\r\n",
        "Артикул;Цена;Наименование\nA1;1,5;\"two\nlines\"\nA2;2;x\n;3;no code\nA4;4;y\n",
        "Артикул;Цена;Количество\nA1;1,5;>50\n;2;1\nA3;3;Есть\n",
        "\u{FEFF}Code;Price;Qty;Min qty;Delivery\nX-1;152.02;10;2;3\nX-2;1 234,50;Есть;1;1-2\nX-3;abc;1;1;1\n",
    ];
    for (i, text) in utf8_lists.iter().enumerate() {
        put("pricelist", &format!("utf8-{i}"), [&[0u8][..], text.as_bytes()].concat());
    }
    put("pricelist", "comma", [&[1u8][..], b"Code,Price,Name\nA1,\"1,5\",\"a, b\"\nA2,2,\"\"\"q\"\"\"\n"].concat());
    put("pricelist", "cp1251-shchyo", [&[0u8][..], &logibridge_sandbox::pricelist::to_cp1251("Code;Price;Name\nA1;1;Щё\nA2;2;ёлка\n")[..]].concat());
    let mut list = vec![logibridge_fuzz::pricelist::AMPLIFY];
    logibridge_sandbox::pricelist::write_pricelist(&mut list, 40, 4).unwrap();
    put("pricelist", "sandbox-amplified", list);
    for seed in 1..=3 {
        let mut list = vec![0u8];
        logibridge_sandbox::pricelist::write_pricelist(&mut list, 12, seed).unwrap();
        put("pricelist", &format!("sandbox-{seed}"), list);
    }

    // decode: each fixture for every row that reads it, as is, and with the key planted in
    // its first string value and in a value that does not decode.
    let rows = logibridge_fuzz::decode::rows();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(repo.join("tests/fixtures/carreta")).unwrap().flatten().map(|e| e.path()).collect();
    fixtures.sort();
    for path in &fixtures {
        let body = std::fs::read(path).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        for (i, ep) in rows.iter().enumerate() {
            if ep.response.empty || logibridge::call::decode(ep, &body).is_err() {
                continue;
            }
            put("decode", &format!("{stem}-{}", ep.id), [&[i as u8, 0][..], &body].concat());
            let text = String::from_utf8_lossy(&body);
            if let Some(at) = text.find(": \"") {
                let planted = format!("{}x$K{}", &text[..at + 3], &text[at + 3..]);
                put("decode", &format!("{stem}-{}-key", ep.id), [&[i as u8, 2][..], planted.as_bytes()].concat());
            }
        }
    }
    let profile = rows.iter().position(|ep| ep.response.model.is_some_and(|m| m.name == "Profile")).unwrap_or(0);
    put("decode", "balance-key", [&[profile as u8, 1][..], br#"{"balance": "x$K"}"#].concat());
    put("decode", "balance-key-lower", [&[profile as u8, 4][..], br#"{"balance": "x$K", "id": 1e20}"#].concat());

    // ffi_json: one input per entry point (selector byte, then NUL-separated strings).
    let ffi: &[(&str, &[u8])] = &[
        ("client-new", b"\x00carreta\x00{\"api_key\": \"SEEDKEY-0123456789\", \"base_url\": \"http://[::1/v1/?api_key=SEEDKEY-0123456789\"}"),
        ("client-new-limits", b"\x00carreta\x00{\"api_key\": \"k\", \"timeout_ms\": 4000000000, \"max_retries\": 101}"),
        ("client-new-unknown", b"\x00nosuch\x00{}"),
        ("call-search", b"\x01carreta.search.query\x00{\"q\": \"oc47\"}"),
        ("call-order-create", b"\x01carreta.order.create\x00{\"code\": \"OC47\", \"maker\": \"KNECHT\", \"qty\": \"<10\", \"min_qty\": 1, \"order_qty\": 10}"),
        ("call-table", b"\x09\x03\x00{\"id\": 1e20}"),
        ("call-bad-json", b"\x01carreta.order.get\x00{\"id\": "),
        ("pointer", b"\x03[{\"code\": \"OC47\", \"n\": [1, 2]}]\x00/0/n/1"),
        ("order-qty", b"\x04\x09\x12<10"),
        ("comment", "\x05ооооооооооооооооооооооооооооооооооооооооооооооооооо".as_bytes()),
    ];
    for (name, bytes) in ffi {
        put("ffi_json", name, bytes.to_vec());
    }
    let description = br#"{"prefix": "seedffi", "name": "S", "default_base_url": "http://127.0.0.1:9/", "endpoints": [{"id": "seedffi.x.get", "method": "GET", "path": "x/{id}", "params": [{"name": "id", "in": "path", "type": "integer", "required": true}]}]}"#;
    put("ffi_json", "register", [&[2u8][..], &description[..]].concat());

    // describe: the doctest's service, and the Carreta table's own description under
    // another prefix (every kind of parameter, model, envelope and paging).
    put("describe", "doctest", r#"{"prefix": "seed", "name": "Seed", "default_base_url": "http://127.0.0.1:9/", "auth": {"kind": "bearer", "credential": "token"}, "credentials": [{"name": "token", "onec_en": "Token", "onec_ru": "Токен"}], "endpoints": [{"id": "seed.things.get", "method": "GET", "path": "things/{id}", "params": [{"name": "id", "in": "path", "type": "integer", "required": true}]}]}"#.as_bytes().to_vec());
    let mut carreta = endpoints::describe_service(endpoints::service("carreta").unwrap());
    carreta["prefix"] = Value::from("seedcarreta");
    // A registered service has no library-side rows.
    carreta["endpoints"].as_array_mut().unwrap().retain(|row| row["local"] != Value::Bool(true));
    // lb_endpoints lists the common parameters with every row; a description declares
    // them once.
    let common: Vec<Value> = carreta["common_params"].as_array().unwrap().clone();
    for row in carreta["endpoints"].as_array_mut().unwrap() {
        row["params"].as_array_mut().unwrap().retain(|p| !common.contains(p));
        let id = row["id"].as_str().unwrap().replacen("carreta.", "seedcarreta.", 1);
        row["id"] = Value::from(id);
        row["service"] = Value::from("seedcarreta");
    }
    put("describe", "carreta", serde_json::to_vec_pretty(&carreta).unwrap());
    println!("wrote {written} seed inputs under {}", fuzz.join("corpus").display());
}

/// `n` as `logibridge_fuzz::input::Input::int` reads it.
fn int(n: i64) -> Vec<u8> {
    match n {
        -8..=183 => vec![(n + 8) as u8],
        184..=65_535 => [&[0xC0u8][..], &(n as u16).to_le_bytes()].concat(),
        _ => [&[0xE0u8][..], &n.to_le_bytes()].concat(),
    }
}
