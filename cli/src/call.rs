//! `logibridge endpoints` and `logibridge call`: the endpoint table, and any row of it
//! called through the core's generic entry. Nothing here knows a particular endpoint: the
//! row says where a call goes and what type each parameter has.

use std::io::Read;

use logibridge::endpoints::{self, Endpoint, Type};
use serde_json::{Map, Value};

use crate::args::{CallArgs, CallPathArgs, EndpointsArgs, Global, OutputFormat};
use crate::config;
use crate::fail::{Exit, Failure};
use crate::output;

/// Every row of the table: the typed ones of each service, and with `generic` CARGO.RUN's
/// Swagger rows too.
fn rows(service: Option<&str>, generic: bool) -> Result<Vec<&'static Endpoint>, Failure> {
    let services = match service {
        Some(s) => vec![endpoints::service(s).ok_or_else(|| {
            let known: Vec<&str> = endpoints::services().iter().map(|s| s.prefix).collect();
            Failure::usage(format!("--service {s:?}: unknown service; known: {}", known.join(", ")), format!("--service «{s}»: неизвестный сервис; известны: {}", known.join(", ")))
        })?],
        None => endpoints::services(),
    };
    Ok(services.into_iter().flat_map(|s| if generic { endpoints::rows_of(s) } else { s.endpoints.to_vec() }).collect())
}

/// A parameter as the list shows it: `name` (`name*` when required).
fn param_names(ep: &Endpoint) -> String {
    let all = ep.params.iter().filter(|p| p.fixed.is_none()).map(|p| if p.required { format!("{}*", p.name) } else { p.name.to_owned() }).collect::<Vec<_>>().join(" ");
    // The list stays readable; `logibridge endpoints <id>` shows them all.
    output::cut(&all, 60)
}

fn matches(ep: &Endpoint, word: &str) -> bool {
    let word = word.to_lowercase();
    [ep.id, ep.path, ep.summary, ep.names.onec_ru, ep.names.onec_en].iter().any(|t| t.to_lowercase().contains(&word)) || ep.params.iter().any(|p| p.name.to_lowercase().contains(&word) || p.name_ru.to_lowercase().contains(&word))
}

pub fn endpoints(g: &Global, a: EndpointsArgs) -> Result<(), Failure> {
    if let Some(id) = &a.id {
        let ep = find(id)?;
        let d = endpoints::describe_endpoint(ep);
        if g.output.is_machine() {
            return output::print(&d, g.output);
        }
        let mut text = format!("{}  ({} {})\n{}\n", ep.id, ep.method.as_str(), ep.path, ep.summary);
        if !ep.names.onec_ru.is_empty() {
            text.push_str(&format!("1C: {} / {}\n", ep.names.onec_ru, ep.names.onec_en));
        }
        text.push('\n');
        let headers: Vec<String> = ["parameter", "in", "type", "required", "1C (рус.)", "notes"].iter().map(|s| s.to_string()).collect();
        let rows: Vec<Vec<String>> = ep
            .params
            .iter()
            .filter(|p| p.fixed.is_none())
            .map(|p| {
                let notes = output::cut(p.doc, 70);
                vec![p.name.to_owned(), p.location.as_str().to_owned(), p.ty.to_string(), if p.required { "yes".into() } else { String::new() }, p.name_ru.to_owned(), notes]
            })
            .collect();
        text.push_str(&output::aligned(&headers, &rows));
        return output::print(&Value::String(text.trim_end().to_owned()), OutputFormat::Table);
    }
    let mut list = rows(a.service.as_deref(), a.generic || a.search.is_some())?;
    if let Some(word) = &a.search {
        list.retain(|ep| matches(ep, word));
    }
    if g.output.is_machine() {
        return output::print(&Value::Array(list.iter().map(|ep| endpoints::describe_endpoint(ep)).collect()), g.output);
    }
    if list.is_empty() {
        return output::print(&Value::Array(vec![]), OutputFormat::Table);
    }
    let headers: Vec<String> = ["id", "method", "parameters (* required)", "summary"].iter().map(|s| s.to_string()).collect();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|ep| {
            let summary = output::cut(ep.summary, 60);
            vec![ep.id.to_owned(), ep.method.as_str().to_owned(), param_names(ep), summary]
        })
        .collect();
    output::print(&Value::String(output::aligned(&headers, &rows).trim_end().to_owned()), OutputFormat::Table)
}

/// The row of an id; an unknown one is a usage error listing the service's ids.
pub fn find(id: &str) -> Result<&'static Endpoint, Failure> {
    endpoints::require(id).map_err(|e| {
        let f = Failure::from(e);
        Failure { exit: crate::fail::Exit::Usage, ..f }
    })
}

/// The value of `NAME=VALUE` as the parameter's type reads it: text stays text (a code
/// `0047`, an amount `679.570` keep every character), `true`/`false` are booleans for a
/// boolean, and a JSON-typed parameter (a model, a list, any JSON) is parsed as JSON.
fn typed_value(ty: Option<Type>, text: &str) -> Result<Value, String> {
    match ty {
        Some(Type::Bool | Type::Flag(_)) if text == "true" || text == "false" => Ok(Value::Bool(text == "true")),
        Some(Type::Json | Type::Model(_)) => serde_json::from_str(text).map_err(|e| e.to_string()),
        Some(Type::Array(inner)) => match serde_json::from_str::<Value>(text) {
            Ok(list @ Value::Array(_)) => Ok(list),
            // One item of a list of scalars: `-p ids=5 -p ids=7`.
            _ => typed_value(Some(*inner), text).map(|v| Value::Array(vec![v])),
        },
        _ => Ok(Value::String(text.to_owned())),
    }
}

/// The parameters of a call from `--json` and `-p` (which override its members).
pub fn params(ep: &Endpoint, json: Option<&str>, pairs: &[String], all: bool) -> Result<Map<String, Value>, Failure> {
    let mut params = match json {
        None => Map::new(),
        Some(source) => {
            let text = read_source(source)?;
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(m)) => m,
                Ok(_) => return Err(Failure::new(crate::fail::Exit::Validation, format!("--json {source}: the parameters must be one JSON object"), format!("--json {source}: параметры должны быть одним объектом JSON"))),
                Err(e) => return Err(Failure::from(logibridge::Error::invalid_json(&format!("--json {source}"), &e))),
            }
        }
    };
    let mut seen: Vec<String> = Vec::new();
    for pair in pairs {
        let (name, value) = if let Some((n, v)) = pair.split_once(":=") {
            let v = serde_json::from_str(v).map_err(|e| Failure::from(logibridge::Error::invalid_json(&format!("-p {n}"), &e)))?;
            (n.trim(), v)
        } else if let Some((n, v)) = pair.split_once('=') {
            // `-p q=` is most often a shell variable that was empty: refused rather than
            // sent as an empty text (which a search answers with nothing, an order with
            // another field's error).
            if v.is_empty() {
                return Err(Failure::new(
                    crate::fail::Exit::Validation,
                    format!("{}: parameter {:?} is empty; leave it out, or send an empty text with -p '{}:=\"\"'", ep.id, n.trim(), n.trim()),
                    format!("{}: параметр «{}» пуст; не указывайте его или передайте пустую строку так: -p '{}:=\"\"'", ep.id, n.trim(), n.trim()),
                ));
            }
            let ty = ep.param(n.trim()).map(|p| p.ty).or_else(|| (n.trim() == "all").then_some(Type::Bool));
            let v = typed_value(ty, v).map_err(|why| {
                Failure::new(crate::fail::Exit::Validation, format!("{}: parameter {:?} is not valid JSON: {why}", ep.id, n.trim()), format!("{}: параметр «{}» — не JSON: {why}", ep.id, n.trim()))
            })?;
            (n.trim(), v)
        } else {
            return Err(Failure::usage(format!("-p {pair:?}: expected NAME=VALUE or NAME:=JSON"), format!("-p «{pair}»: ожидается ИМЯ=ЗНАЧЕНИЕ или ИМЯ:=JSON")));
        };
        // A name given again makes a list (a repeated query parameter).
        match params.get_mut(name) {
            Some(existing) if seen.iter().any(|r| r == name) => match existing {
                Value::Array(items) if !matches!(value, Value::Array(_)) || ep.param(name).is_some_and(|p| p.repeated) => items.push(value),
                Value::Array(items) => items.extend(value.as_array().cloned().unwrap_or_default()),
                other => *other = Value::Array(vec![other.take(), value]),
            },
            _ => {
                params.insert(name.to_owned(), value);
                seen.push(name.to_owned());
            }
        }
    }
    if all {
        params.insert("all".into(), Value::Bool(true));
    }
    Ok(params)
}

/// The most a JSON argument read from a file or stdin may hold: far more than any body a
/// service takes, and a bound on memory for `@/dev/zero` or a wrong file (read whole, it
/// would take all of it).
pub const MAX_SOURCE_BYTES: u64 = 64 << 20;

/// The text of `-` (stdin), `@FILE` or FILE, at most [`MAX_SOURCE_BYTES`] (more is a local
/// failure naming the file and the limit).
pub fn read_source(source: &str) -> Result<String, Failure> {
    let (name, reader): (String, Box<dyn Read>) = if source == "-" {
        ("stdin".to_owned(), Box::new(std::io::stdin()))
    } else {
        let path = std::path::Path::new(source.strip_prefix('@').unwrap_or(source));
        let file = std::fs::File::open(path).map_err(|e| Failure::file(("read", "прочитать"), path, &e))?;
        (path.display().to_string(), Box::new(file))
    };
    let mut bytes = Vec::new();
    reader.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Failure::local(format!("cannot read {name}: {e}"), format!("не удалось прочитать {name}: {e}")))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        let mib = MAX_SOURCE_BYTES >> 20;
        return Err(Failure::local(format!("{name} holds more than {mib} MiB, the most a JSON argument may be; refused"), format!("{name} больше {mib} МиБ — предела для аргумента JSON; не принят")));
    }
    String::from_utf8(bytes).map_err(|e| Failure::local(format!("cannot read {name}: not UTF-8 text ({e})"), format!("не удалось прочитать {name}: это не текст UTF-8 ({e})")))
}

/// Calls a row with its parameters through the core's generic entry and prints the result.
pub fn run_endpoint(g: &Global, ep: &'static Endpoint, params: Map<String, Value>) -> Result<Value, Failure> {
    let resolved = config::resolve(g, ep.service)?;
    let unused = ep.local.is_some() && !ep.auth;
    let client = resolved.build_with(g.verbose, unused)?;
    let call = client.call_endpoint(ep, Value::Object(params));
    if ep.idempotent {
        return Ok(logibridge::blocking::runtime().block_on(call)?);
    }
    // Ctrl-C while a change may be on its way (a create sent, its answer awaited) must not
    // end the process without a word: the user is told what exit 6 tells a script.
    logibridge::blocking::runtime().block_on(async {
        tokio::select! {
            result = call => result.map_err(Failure::from),
            _ = tokio::signal::ctrl_c() => Err(Failure::new(
                Exit::OutcomeUnknown,
                format!("interrupted during {}: the request may have been sent and applied; look it up (an order by its comment: carreta orders --comment …) before sending it again", ep.id),
                format!("прервано во время {}: запрос мог быть отправлен и выполнен; найдите результат (заказ — по комментарию: carreta orders --comment …), прежде чем отправлять снова", ep.id),
            )),
        }
    })
}

/// Every name the call does not take, named at once: the core's check stops at the first
/// one, and reports a missing required parameter before it (`-p Q=oc47` read "q is
/// required", never naming the misspelt `Q`).
fn refuse_unknown(ep: &Endpoint, params: &Map<String, Value>) -> Result<(), Failure> {
    let common = endpoints::service(ep.service).map_or(&[][..], |s| s.common_params);
    let mut known: Vec<&str> = ep.params.iter().chain(common).filter(|p| p.fixed.is_none()).map(|p| p.name).collect();
    if ep.paging != endpoints::Paging::None && !known.contains(&"all") {
        known.push("all");
    }
    let unknown: Vec<&str> = params.keys().map(String::as_str).filter(|name| !known.contains(name)).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let list = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
    let (en, ru) = if unknown.len() == 1 { ("is not a parameter of this call", "не является параметром этого вызова") } else { ("are not parameters of this call", "не являются параметрами этого вызова") };
    Err(Failure::from(logibridge::Error::invalid_param(ep.id, &unknown.join(", "), "param.unknown", format!("{en} (it takes: {list})"), format!("{ru} (допустимы: {list})"))))
}

pub fn call(g: &Global, a: CallArgs) -> Result<(), Failure> {
    let ep = find(&a.id)?;
    let params = params(ep, a.json.as_deref(), &a.params, a.all)?;
    refuse_unknown(ep, &params)?;
    let result = run_endpoint(g, ep, params)?;
    output::print(&result, g.output)
}

/// `call-path`: the core's [`logibridge::Client::call_path`], whose checks (method, path,
/// the Swagger's schemas) name what is wrong.
pub fn call_path(g: &Global, a: CallPathArgs) -> Result<(), Failure> {
    let mut query = Map::new();
    for pair in &a.query {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(Failure::usage(format!("-q {pair:?}: expected NAME=VALUE"), format!("-q «{pair}»: ожидается ИМЯ=ЗНАЧЕНИЕ")));
        };
        match query.get_mut(name) {
            Some(Value::Array(items)) => items.push(Value::from(value)),
            Some(one) => *one = Value::Array(vec![one.take(), Value::from(value)]),
            None => {
                query.insert(name.to_owned(), Value::from(value));
            }
        }
    }
    let mut params = Map::new();
    params.insert("query".into(), Value::Object(query));
    if let Some(source) = &a.body {
        let text = if source.starts_with('@') || source == "-" { read_source(source)? } else { source.clone() };
        let body = serde_json::from_str(&text).map_err(|e| Failure::from(logibridge::Error::invalid_json("--body", &e)))?;
        params.insert("body".into(), body);
    }
    let client = config::resolve(g, &a.service)?.build(g.verbose)?;
    let result = logibridge::blocking::runtime().block_on(client.call_path(&a.method, &a.path, Value::Object(params)))?;
    output::print(&result, g.output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_parameters_keep_every_character() {
        let ep = endpoints::require("carreta.search.query").unwrap();
        let p = params(ep, None, &["q=0047".into()], false).unwrap();
        assert_eq!(p["q"], json!("0047"));
    }

    #[test]
    fn a_repeated_name_makes_a_list_and_json_stays_json() {
        let ep = endpoints::require("carreta.order.list").unwrap();
        let p = params(ep, None, &["client_comment=A".into(), "client_comment=B".into(), "page:=2".into()], true).unwrap();
        assert_eq!(p["client_comment"], json!(["A", "B"]));
        assert_eq!((p["page"].clone(), p["all"].clone()), (json!(2), json!(true)));
    }

    #[test]
    fn a_model_parameter_is_read_as_json() {
        let ep = endpoints::require("carreta.order.create").unwrap();
        let p = params(ep, None, &[r#"order={"code":"OC47","order_qty":1}"#.into(), "test=true".into()], false).unwrap();
        assert_eq!((p["order"]["code"].clone(), p["test"].clone()), (json!("OC47"), json!(true)));
        assert!(params(ep, None, &["order={bad".into()], false).is_err());
    }
}
