//! The component loaded by a second, independent host: `addin1c-test` (crates.io), which
//! dlopens the built `liblogibridge_1c.so` and calls it through C++ vtables. It calls
//! neither `Init` nor `CallAsProc` (the C++ harness in tests/onec/ covers the full flow);
//! without `Init` the component has no platform connection, so errors reach only
//! `LastError` — which is what this test also shows: nothing depends on `AddError`.
//!
//! This host passes exactly `GetNParams` arguments (it does not ask `GetParamDefValue`),
//! so the optional trailing `Аккаунт` of the generated methods is given as `Неопределено`.

use addin1c_test::{name, TestAddinLib, Variant};

fn component_path() -> std::path::PathBuf {
    // target/debug/deps/second_host-<hash> → target/debug/liblogibridge_1c.so
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("liblogibridge_1c.so")
}

fn s(v: &Variant) -> String {
    String::from_utf16(v.get_str().expect("a string")).unwrap()
}

fn w(text: &str) -> Vec<u16> {
    text.encode_utf16().collect()
}

#[test]
fn carreta_through_addin1c_test() {
    let sandbox = logibridge_sandbox::Sandbox::start().unwrap();
    let lib = TestAddinLib::new(component_path()).expect("the component loads");
    let obj = lib.new_addin("Carreta").expect("class Carreta");

    obj.set_property(
        name!("АдресСервиса"),
        &Variant::new_str(&w(&sandbox.carreta_url())),
    )
    .unwrap();
    obj.set_property(
        name!("ApiKey"),
        &Variant::new_str(&w(sandbox.carreta_api_key())),
    )
    .unwrap();
    assert!(
        obj.get_property(name!("КлючAPI")).is_err(),
        "the key is write-only"
    );
    assert_eq!(
        s(&obj.get_property(name!("BaseUrl")).unwrap()),
        sandbox.carreta_url()
    );

    let found = obj
        .call_as_func(
            name!("Поиск"),
            &mut [Variant::new_str(&w("oc47")), Variant::new()],
        )
        .unwrap();
    let offers: serde_json::Value = serde_json::from_str(&s(&found)).unwrap();
    assert!(!offers.as_array().unwrap().is_empty());

    let same = obj
        .call_as_func(
            name!("Call"),
            &mut [
                Variant::new_str(&w("carreta.search.query")),
                Variant::new_str(&w(r#"{"q":"oc47"}"#)),
            ],
        )
        .unwrap();
    assert_eq!(s(&same), s(&found));

    let ok = obj
        .call_as_func(
            name!("CheckOrderQty"),
            &mut [
                Variant::new_str(&w("<10")),
                Variant::new_i32(1),
                Variant::new_i32(10),
            ],
        )
        .unwrap();
    assert_eq!(ok.get_bool(), Some(false));
    let err: serde_json::Value =
        serde_json::from_str(&s(&obj.get_property(name!("ПоследняяОшибка")).unwrap())).unwrap();
    assert_eq!(err["code"], "order_qty.not_less_than_qty");
    assert_eq!(err["field"], "order_qty");

    let offer = offers[0].to_string();
    let qty = offers[0]["qty"].as_str().unwrap().to_owned();
    let min = offers[0]["min_qty"].as_i64().unwrap() as i32;
    let too_many = obj.call_as_func(
        name!("СоздатьЗаказ"),
        &mut [
            Variant::new_str(&w(&offer)),
            Variant::new_i32(1_000_000),
            Variant::new_str(&w("")),
            Variant::new_bool(false),
            Variant::new(),
        ],
    );
    assert!(
        too_many.is_err(),
        "a broken rule fails the call ({qty}, min {min})"
    );
    let err: serde_json::Value =
        serde_json::from_str(&s(&obj.get_property(name!("LastError")).unwrap())).unwrap();
    assert!(
        err["code"].as_str().unwrap().starts_with("order_qty."),
        "{err}"
    );
    assert!(
        err["message_ru"].as_str().unwrap().contains("количество"),
        "{err}"
    );

    obj.set_property(name!("КлючAPI"), &Variant::new_str(&w("wrong")))
        .unwrap();
    assert!(obj
        .call_as_func(name!("Profile"), &mut [Variant::new()])
        .is_err());
    let err: serde_json::Value =
        serde_json::from_str(&s(&obj.get_property(name!("LastError")).unwrap())).unwrap();
    assert_eq!(err["status"], 401);

    // A generated library-side row: its JSON result.
    let ok = obj
        .call_as_func(
            name!("ПроверитьКомментарий"),
            &mut [Variant::new_str(&w("PO-17"))],
        )
        .unwrap();
    assert_eq!(s(&ok), "true");

    drop(obj);

    // The generic class: a service by its prefix, options by their core names.
    let client = lib.new_addin("Client").expect("class Client");
    client
        .set_property(name!("Сервис"), &Variant::new_str(&w("carreta")))
        .unwrap();
    client
        .set_property(
            name!("BaseUrl"),
            &Variant::new_str(&w(&sandbox.carreta_url())),
        )
        .unwrap();
    client
        .call_as_func(
            name!("УстановитьПараметр"),
            &mut [
                Variant::new_str(&w("api_key")),
                Variant::new_str(&w(sandbox.carreta_api_key())),
            ],
        )
        .unwrap();
    let same = client
        .call_as_func(
            name!("Вызвать"),
            &mut [
                Variant::new_str(&w("carreta.search.query")),
                Variant::new_str(&w(r#"{"q":"oc47"}"#)),
            ],
        )
        .unwrap();
    assert_eq!(s(&same), s(&found));
    drop(client);
    sandbox.stop();
}
