use super::*;

/// The inventory the project was given, read at run time: present beside the repository in
/// CI, absent in a user's clone (then the cross-check says so and passes).
pub(crate) fn inventory() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/ENDPOINTS.md");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!("skipped: ../shared/spec not present ({})", path.display());
            None
        }
    }
}

#[test]
fn ids_are_unique_prefixed_and_named_for_every_face() {
    let mut seen = std::collections::HashSet::new();
    for e in all() {
        assert!(seen.insert(e.id), "duplicate {}", e.id);
        assert!(e.id.starts_with(&format!("{}.", e.service)), "{}", e.id);
        assert_eq!(e.id.split('.').count(), 3, "{}", e.id);
        assert!(!e.names.python.is_empty() && !e.names.onec_en.is_empty() && !e.names.onec_ru.is_empty(), "{} lacks face names", e.id);
        if e.method == Method::Local {
            assert!(e.local.is_some(), "{}: a local row has its function", e.id);
        }
        for name in e.path_params() {
            let p = e.params.iter().find(|p| p.wire == name).unwrap_or_else(|| panic!("{}: no parameter for {{{name}}}", e.id));
            assert!(p.required && p.location == Location::Path, "{}: {name}", e.id);
        }
        let bodies = e.params.iter().filter(|p| p.location == Location::Body).count();
        match e.body {
            BodyKind::Whole | BodyKind::Array => assert_eq!(bodies, 1, "{}", e.id),
            _ => assert_eq!(bodies, 0, "{}", e.id),
        }
    }
}

#[test]
fn face_names_are_unique_within_a_service() {
    for s in services() {
        let mut seen = std::collections::HashSet::new();
        for e in s.endpoints {
            assert!(seen.insert(e.names.python), "{}: python name {}", e.id, e.names.python);
            assert!(seen.insert(e.names.onec_en), "{}: {}", e.id, e.names.onec_en);
            assert!(seen.insert(e.names.onec_ru), "{}: {}", e.id, e.names.onec_ru);
        }
    }
}

#[test]
fn the_table_matches_the_inventory() {
    let Some(inventory) = inventory() else { return };
    let mut checked = 0;
    for line in inventory.lines().filter(|l| l.starts_with("| carreta.")) {
        let id = line.split('|').nth(1).unwrap().trim();
        assert!(find(id).is_some(), "{id} missing from the endpoint table");
        checked += 1;
    }
    assert_eq!(checked, 7, "the inventory lists seven Carreta ids");
}

#[test]
fn unknown_id_names_the_alternatives() {
    let err = require("carreta.order.delete").unwrap_err().to_string();
    assert!(err.contains("carreta.order.get"), "{err}");
    let err = require("nosuch.thing.get").unwrap_err().to_string();
    assert!(err.contains("carreta"), "{err}");
}

#[test]
fn a_description_registers_back_and_bad_ones_are_refused() {
    let mut d = describe_service(&carreta::SERVICE);
    d["prefix"] = "carreta_copy".into();
    d["name"] = "CarretaCopy".into();
    for e in d["endpoints"].as_array_mut().unwrap() {
        let id = e["id"].as_str().unwrap().replacen("carreta.", "carreta_copy.", 1);
        e["id"] = id.into();
        e["service"] = "carreta_copy".into();
    }
    // Library-side rows cannot be registered (they are Rust functions).
    let err = register(&d.to_string()).unwrap_err().to_string();
    assert!(err.contains("library-side"), "{err}");
    d["endpoints"].as_array_mut().unwrap().retain(|e| e["local"] != true);
    // Common parameters are written into each row's description; a registered copy keeps
    // them as the service's.
    for e in d["endpoints"].as_array_mut().unwrap() {
        e["params"].as_array_mut().unwrap().retain(|p| p["name"] != "account");
    }
    let spec = register(&d.to_string()).unwrap();
    assert_eq!(spec.endpoints.len(), 6);
    let copy = find("carreta_copy.order.list").unwrap();
    assert_eq!(copy.paging, carreta::ORDER_LIST.paging);
    assert_eq!(copy.params.len(), carreta::ORDER_LIST.params.len());
    assert!(copy.param("client_comment").unwrap().repeated);
    assert!(register(&d.to_string()).unwrap_err().to_string().contains("already known"));
    assert!(register(r#"{"prefix": "Bad Prefix", "name": "x", "endpoints": []}"#).is_err());
    let err = register(r#"{"prefix": "typo", "name": "x", "endpoints": [{"id": "typo.a.b", "method": "GET", "params": [{"name": "q", "in": "querry"}]}]}"#).unwrap_err();
    assert!(err.to_string().contains("querry"), "{err}");
}

#[test]
fn unsound_descriptions_are_refused_at_registration() {
    let row = |extra: serde_json::Value| {
        let mut e = serde_json::json!({"id": "unsound.a.b", "method": "GET", "path": "x/{id}", "params": [{"name": "id", "in": "path", "type": "integer", "required": true}]});
        for (k, v) in extra.as_object().unwrap() {
            e[k] = v.clone();
        }
        serde_json::json!({"prefix": "unsound", "name": "U", "endpoints": [e]}).to_string()
    };
    let cases = [
        (row(serde_json::json!({"params": []})), "has no parameter"),
        (row(serde_json::json!({"path": "x", "params": [{"name": "id", "in": "path", "required": true}]})), "has no {id}"),
        (row(serde_json::json!({"path": "http://127.0.0.1:9/elsewhere", "params": []})), "relative"),
        (row(serde_json::json!({"path": "../../admin", "params": []})), "climb"),
        (row(serde_json::json!({"path": "x", "params": [{"name": "k", "in": "body"}]})), "GET carries no body"),
        (row(serde_json::json!({"path": "x", "params": [{"name": "a", "in": "query"}, {"name": "a", "in": "query"}]})), "declared twice"),
        (row(serde_json::json!({"path": "x", "params": [{"name": "a", "in": "query", "type": "integer", "min": 5, "max": 1}]})), "above max"),
        (row(serde_json::json!({"path": "x", "params": [{"name": "a", "in": "query", "type": "enum:"}]})), "enum"),
        (row(serde_json::json!({"path": "x", "params": [{"name": "a", "in": "query", "type": "integer", "default": "abc"}]})), "default"),
        (row(serde_json::json!({"names": {"python": "a-b.c d"}})), "Python name"),
        (serde_json::json!({"prefix": "unsound", "name": "U", "default_base_url": "not a url?key=SECRET", "endpoints": []}).to_string(), "default_base_url"),
        (serde_json::json!({"prefix": "unsound", "name": "U", "endpoints": [{"id": "unsound.a.b", "method": "GET"}, {"id": "unsound.a.b", "method": "GET"}]}).to_string(), "twice"),
    ];
    for (description, why) in cases {
        let e = register(&description).unwrap_err().to_string();
        assert!(e.contains(why), "{description}\n→ {e}");
        assert!(!e.contains("SECRET"), "{e}");
        assert!(find("unsound.a.b").is_none(), "nothing of a refused description stays");
    }
    let huge = format!(r#"{{"prefix": "unsound", "name": "{}", "endpoints": []}}"#, "x".repeat(MAX_DESCRIPTION_BYTES));
    assert!(register(&huge).unwrap_err().to_string().contains("at most"));
    assert!(register(&row(serde_json::json!({}))).is_ok(), "the sound one is accepted");
}

#[test]
fn generic_rows_build_their_paths_and_take_one_body() {
    let rows = generic(&cargorun::SERVICE);
    assert!(rows.len() > 800, "{}", rows.len());
    for e in rows {
        assert!(e.is_generic() && e.id.starts_with("cargorun.swagger.") && !e.path.starts_with('/'), "{}", e.id);
        assert!(find(e.id).is_some_and(|f| std::ptr::eq(f, *e)), "{} is found by id", e.id);
        for name in e.path_params() {
            let p = e.params.iter().find(|p| p.wire == name).unwrap_or_else(|| panic!("{}: no parameter for {{{name}}}", e.id));
            assert!(p.required && p.location == Location::Path, "{}: {name}", e.id);
        }
        let bodies = e.params.iter().filter(|p| p.location == Location::Body).count();
        assert_eq!((bodies, e.body), if e.swagger.unwrap().body.is_some() { (1, BodyKind::Whole) } else { (0, BodyKind::None) }, "{}", e.id);
        assert_eq!(e.idempotent, e.method == Method::Get, "{}: only GET is retried", e.id);
    }
}
