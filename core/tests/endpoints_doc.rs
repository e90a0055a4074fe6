//! `docs/endpoints.md` is generated from the endpoint table and committed, so users have the
//! list of every id with its parameters in the repository. This test fails when the
//! committed file is stale; `LB_BLESS=1 cargo test -p logibridge --test endpoints_doc`
//! rewrites it.

use std::fmt::Write;
use std::path::Path;

use logibridge::endpoints::{self, AuthSpec, Endpoint, Method, Paging, Param, ServiceSpec};

fn param_row(out: &mut String, p: &Param) {
    let mut notes = Vec::new();
    if p.wire != p.name {
        notes.push(format!("sent as `{}`", p.wire));
    }
    if p.repeated {
        notes.push("repeats".to_owned());
    }
    if let Some(d) = p.default {
        notes.push(format!("default `{d}`"));
    }
    if let Some(f) = p.fixed {
        notes.push(format!("always `{f}`"));
    }
    match (p.min, p.max) {
        (Some(a), Some(b)) => notes.push(format!("{a}..={b}")),
        (Some(a), None) => notes.push(format!("≥ {a}")),
        (None, Some(b)) => notes.push(format!("≤ {b}")),
        (None, None) => {}
    }
    let doc = if p.doc.is_empty() { String::new() } else { format!("{} ", p.doc) };
    let _ = writeln!(
        out,
        "| `{}` | {} | `{}` | {} | {}{} |",
        p.name,
        p.location.as_str(),
        p.ty,
        if p.required { "yes" } else { "" },
        doc,
        if notes.is_empty() { String::new() } else { format!("({})", notes.join("; ")) }
    );
}

fn endpoint_section(out: &mut String, s: &ServiceSpec, e: &Endpoint) {
    let _ = writeln!(out, "### `{}`\n", e.id);
    if !e.summary.is_empty() {
        let _ = writeln!(out, "{}\n", e.summary);
    }
    let how = if e.method == Method::Local { "library-side (no request)".to_owned() } else { format!("`{} {}`", e.method, e.path) };
    let paging = match e.paging {
        Paging::None => String::new(),
        Paging::PageNumber { param, first, size } => format!("; pages by `{param}` from {first}, {size} a page (`all: true` fetches every page)"),
        Paging::PageCount { page, count, size, max, .. } => format!("; pages by `{page}` and `{count}` (default {size}, at most {max})"),
        Paging::OData { size } => format!("; OData `$top`/`$skip`, {size} at a time"),
    };
    let result = match (e.response.model, e.response.shape.list, e.response.empty) {
        (_, _, true) => "nothing (204)".to_owned(),
        (Some(m), true, _) => format!("a list of `{}`", m.name),
        (Some(m), false, _) => format!("`{}`", m.name),
        (None, true, _) => "a list".to_owned(),
        (None, false, _) => "JSON".to_owned(),
    };
    let _ = writeln!(
        out,
        "{how}; returns {result}{paging}; {}; {}.\n",
        if e.idempotent { "retried on transient failures" } else { "never retried" },
        if e.auth { "needs credentials" } else { "no credentials" }
    );
    let _ = writeln!(out, "Python `client.{}(...)` · 1C `{}` / `{}`\n", e.names.python, e.names.onec_ru, e.names.onec_en);
    let common: &[Param] = if e.method == Method::Local { &[] } else { s.common_params };
    if e.params.is_empty() && common.is_empty() {
        let _ = writeln!(out, "No parameters.\n");
        return;
    }
    let _ = writeln!(out, "| parameter | in | type | required | notes |\n|---|---|---|---|---|");
    for p in e.params.iter().chain(common) {
        param_row(out, p);
    }
    out.push('\n');
}

fn generate() -> String {
    let mut out = String::from("# Endpoints\n\nEvery call the library makes, by its stable id, generated from the endpoint table\n(`core/src/endpoints/`); `make test` fails when this file is stale. Every face reaches\nevery id: Rust `Client::call`, Python `client.call(id, params)`, C `lb_call`, 1C\n`Вызвать`. Parameters are checked before anything is sent: an unknown, missing or\nmistyped one is an invalid-argument error naming it.\n\n");
    for s in endpoints::services() {
        let _ = writeln!(out, "## {} (`{}`)\n", s.name, s.prefix);
        let auth = match s.auth {
            AuthSpec::None => "none".to_owned(),
            AuthSpec::QueryParam { param, credential } => format!("`{credential}` in the query parameter `{param}`"),
            AuthSpec::Bearer { credential } => format!("`Authorization: Bearer <{credential}>`"),
            AuthSpec::Jwt { username, password, generate, refresh } => format!("a JWT from `{generate}` (`{username}`, `{password}`), renewed by `{refresh}`, as `Authorization: Bearer`"),
        };
        let _ = writeln!(out, "Base URL `{}`; auth: {auth}.", s.default_base_url);
        for p in s.common_params {
            let _ = writeln!(out, "Every call also takes `{}`: {}", p.name, p.doc);
        }
        out.push('\n');
        let _ = writeln!(out, "| id | method | path | summary |\n|---|---|---|---|");
        for e in s.endpoints {
            let path = if e.method == Method::Local { "—".to_owned() } else { format!("`{}`", e.path) };
            let _ = writeln!(out, "| [`{}`](#{}) | {} | {path} | {} |", e.id, e.id.replace('.', ""), e.method, e.summary);
        }
        out.push('\n');
        for e in s.endpoints {
            endpoint_section(&mut out, s, e);
        }
    }
    out
}

#[test]
fn committed_endpoint_list_is_fresh() {
    let fresh = generate();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/endpoints.md");
    if std::env::var_os("LB_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write docs/endpoints.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == fresh, "docs/endpoints.md is stale: run `LB_BLESS=1 cargo test -p logibridge --test endpoints_doc` and commit it");
}
