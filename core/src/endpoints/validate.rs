//! What makes a service description sound: checked for every registered service before it
//! is accepted, and by a test for the built-in ones, so a row that could never be called,
//! or could send its credentials elsewhere, never enters the table.

use std::collections::HashSet;

use super::types::*;

/// The largest description [`super::register`] reads.
pub const MAX_DESCRIPTION_BYTES: usize = 4 * 1024 * 1024;
/// The most rows one registered service may have.
pub const MAX_ENDPOINTS: usize = 5_000;

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_') && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A path relative to the base URL that stays under it: no scheme or host, no leading
/// `/`, no `.` or `..` segment, no query or fragment.
fn check_path(path: &str) -> Result<(), String> {
    if path.contains("://") || path.starts_with('/') || path.starts_with('\\') {
        return Err(format!("path {path:?} must be relative to the base URL (no scheme, host or leading /)"));
    }
    if path.contains('?') || path.contains('#') {
        return Err(format!("path {path:?} must not hold a query or fragment: declare query parameters"));
    }
    if path.split('/').any(|seg| seg == "." || seg == ".." || seg.contains('\\')) {
        return Err(format!("path {path:?} must not climb out of the base URL (no . or .. segments)"));
    }
    Ok(())
}

fn check_default(p: &Param) -> Result<(), String> {
    let Some(text) = p.default else { return Ok(()) };
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("parameter {:?}: the default {text} is not JSON: {e}", p.name))?;
    let fits = match p.ty {
        Type::String | Type::Date | Type::DateTime => v.is_string(),
        Type::Integer => v.as_i64().is_some_and(|n| p.min.is_none_or(|m| n >= m) && p.max.is_none_or(|m| n <= m)),
        Type::Decimal => v.is_number() || v.is_string(),
        Type::Bool | Type::Flag(_) => v.is_boolean(),
        Type::Enum(names) => v.as_str().is_some_and(|s| names.contains(&s)),
        Type::Array(_) => v.is_array(),
        Type::Model(_) | Type::Json => true,
    };
    if fits {
        Ok(())
    } else {
        Err(format!("parameter {:?}: the default {text} is not a valid {}", p.name, p.ty))
    }
}

fn check_param(p: &Param) -> Result<(), String> {
    if p.name.is_empty() || p.wire.is_empty() {
        return Err("a parameter has an empty name".into());
    }
    if let (Some(min), Some(max)) = (p.min, p.max) {
        if min > max {
            return Err(format!("parameter {:?}: min {min} is above max {max}", p.name));
        }
    }
    let mut ty = p.ty;
    while let Type::Array(inner) = ty {
        ty = *inner;
    }
    if let Type::Enum(names) = ty {
        if names.is_empty() || names.iter().any(|n| n.is_empty()) {
            return Err(format!("parameter {:?}: an enum needs at least one non-empty name", p.name));
        }
    }
    check_default(p)
}

/// Checks one row against its service's common parameters.
pub(crate) fn check_endpoint(e: &Endpoint, common: &[Param]) -> Result<(), String> {
    let at = |m: String| format!("endpoint {:?}: {m}", e.id);
    if e.method != Method::Local {
        check_path(e.path).map_err(at)?;
    }
    let mut names = HashSet::new();
    for p in e.params.iter().chain(if e.method == Method::Local { &[][..] } else { common }) {
        check_param(p).map_err(at)?;
        if !names.insert(p.name) {
            return Err(at(format!("parameter {:?} is declared twice", p.name)));
        }
    }
    let placeholders: Vec<&str> = e.path_params().collect();
    for name in &placeholders {
        match e.params.iter().find(|p| p.wire == *name) {
            Some(p) if p.location == Location::Path && p.required => {}
            Some(p) => return Err(at(format!("the path's {{{name}}} needs a required parameter in the path, but {:?} is not", p.name))),
            None => return Err(at(format!("the path's {{{name}}} has no parameter"))),
        }
    }
    for p in e.params.iter().filter(|p| p.location == Location::Path) {
        if !placeholders.contains(&p.wire) {
            return Err(at(format!("parameter {:?} goes in the path, which has no {{{}}}", p.name, p.wire)));
        }
    }
    let in_body = e.params.iter().any(|p| matches!(p.location, Location::Body | Location::BodyField));
    if in_body && e.method == Method::Get {
        return Err(at("a GET carries no body; put its parameters in the query".into()));
    }
    if e.params.iter().filter(|p| p.location == Location::Body).count() > 1 {
        return Err(at("at most one parameter can be the whole body".into()));
    }
    let segments: Vec<&str> = e.names.python.split('.').collect();
    if !e.names.python.is_empty() && (segments.len() != 2 || !segments.iter().all(|s| is_identifier(s))) {
        return Err(at(format!("the Python name {:?} must be resource.method, both lower-case identifiers", e.names.python)));
    }
    Ok(())
}

/// Checks a whole service: its base URL, its rows, no id or face name used twice.
pub(crate) fn check_service(s: &ServiceSpec) -> Result<(), String> {
    if !s.default_base_url.is_empty() {
        crate::transport::parse_base_url(s.default_base_url).map_err(|e| format!("default_base_url: {e}"))?;
    }
    if s.endpoints.len() > MAX_ENDPOINTS {
        return Err(format!("{} rows; at most {MAX_ENDPOINTS} per service", s.endpoints.len()));
    }
    for p in s.common_params {
        check_param(p)?;
        if matches!(p.location, Location::Path | Location::Body) {
            return Err(format!("common parameter {:?} must go in the query, a body field or the library", p.name));
        }
    }
    let (mut ids, mut python) = (HashSet::new(), HashSet::new());
    for e in s.endpoints {
        if !ids.insert(e.id) {
            return Err(format!("the id {:?} is declared twice", e.id));
        }
        if !e.names.python.is_empty() && !python.insert(e.names.python) {
            return Err(format!("the Python name {:?} is used twice", e.names.python));
        }
        check_endpoint(e, s.common_params)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_services_are_sound() {
        for s in super::super::services() {
            check_service(s).unwrap_or_else(|e| panic!("{}: {e}", s.prefix));
        }
    }

    #[test]
    fn paths_stay_under_the_base_url() {
        for bad in ["http://127.0.0.1/x", "/admin", "../../admin", "a/./b", "a/..", "a?x=1", "a\\b"] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        for good in ["", "things", "things/{id}", "api/v1/x/"] {
            assert!(check_path(good).is_ok(), "{good}");
        }
    }
}
