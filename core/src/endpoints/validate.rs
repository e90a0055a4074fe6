//! What makes a service description sound: checked for every registered service before it
//! is accepted, and by a test for the built-in ones, so a row that could never be called,
//! or could send its credentials elsewhere, never enters the table.

use std::collections::HashSet;

use super::types::*;

/// The largest description [`super::register`] reads.
pub const MAX_DESCRIPTION_BYTES: usize = 4 * 1024 * 1024;
/// The most rows one registered service may have.
pub const MAX_ENDPOINTS: usize = 5_000;

/// What is wrong with a description, in English and Russian.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) en: String,
    pub(crate) ru: String,
}

fn problem(en: impl Into<String>, ru: impl Into<String>) -> Problem {
    Problem { en: en.into(), ru: ru.into() }
}

impl Problem {
    /// The same problem, said of `where_en` / `where_ru` (`endpoint "x.y.z"`).
    fn at(self, where_en: &str, where_ru: &str) -> Problem {
        problem(format!("{where_en}: {}", self.en), format!("{where_ru}: {}", self.ru))
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_') && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A path relative to the base URL that stays under it: no scheme or host, no leading
/// `/`, no `.` or `..` segment, no query or fragment.
fn check_path(path: &str) -> Result<(), Problem> {
    if path.contains("://") || path.starts_with('/') || path.starts_with('\\') {
        return Err(problem(
            format!("path {path:?} must be relative to the base URL (no scheme, host or leading /)"),
            format!("путь {path:?} должен быть относительным к адресу сервиса (без схемы, хоста и начального /)"),
        ));
    }
    if path.contains('?') || path.contains('#') {
        return Err(problem(
            format!("path {path:?} must not hold a query or fragment: declare query parameters"),
            format!("путь {path:?} не должен содержать запрос или фрагмент: объявите параметры запроса"),
        ));
    }
    if path.split('/').any(|seg| seg == "." || seg == ".." || seg.contains('\\')) {
        return Err(problem(
            format!("path {path:?} must not climb out of the base URL (no . or .. segments)"),
            format!("путь {path:?} не должен выходить за адрес сервиса (без сегментов . и ..)"),
        ));
    }
    Ok(())
}

fn check_default(p: &Param) -> Result<(), Problem> {
    let Some(text) = p.default else { return Ok(()) };
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        problem(format!("parameter {:?}: the default {text} is not JSON: {e}", p.name), format!("параметр {:?}: значение по умолчанию {text} — не JSON", p.name))
    })?;
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
        Err(problem(
            format!("parameter {:?}: the default {text} is not a valid {}", p.name, p.ty),
            format!("параметр {:?}: значение по умолчанию {text} не подходит к типу {}", p.name, p.ty),
        ))
    }
}

fn check_param(p: &Param) -> Result<(), Problem> {
    if p.name.is_empty() || p.wire.is_empty() {
        return Err(problem("a parameter has an empty name", "у параметра пустое имя"));
    }
    if let (Some(min), Some(max)) = (p.min, p.max) {
        if min > max {
            return Err(problem(format!("parameter {:?}: min {min} is above max {max}", p.name), format!("параметр {:?}: min {min} больше max {max}", p.name)));
        }
    }
    let mut ty = p.ty;
    while let Type::Array(inner) = ty {
        ty = *inner;
    }
    if let Type::Enum(names) = ty {
        if names.is_empty() || names.iter().any(|n| n.is_empty()) {
            return Err(problem(
                format!("parameter {:?}: an enum needs at least one non-empty name", p.name),
                format!("параметр {:?}: у перечисления должно быть хотя бы одно непустое значение", p.name),
            ));
        }
    }
    check_default(p)
}

/// Checks one row against its service's common parameters.
pub(crate) fn check_endpoint(e: &Endpoint, common: &[Param]) -> Result<(), Problem> {
    let (where_en, where_ru) = (format!("endpoint {:?}", e.id), format!("вызов {:?}", e.id));
    let at = |p: Problem| p.at(&where_en, &where_ru);
    if e.method != Method::Local {
        check_path(e.path).map_err(at)?;
    }
    let mut names = HashSet::new();
    for p in e.params.iter().chain(if e.method == Method::Local { &[][..] } else { common }) {
        check_param(p).map_err(at)?;
        if !names.insert(p.name) {
            return Err(at(problem(format!("parameter {:?} is declared twice", p.name), format!("параметр {:?} объявлен дважды", p.name))));
        }
    }
    let placeholders: Vec<&str> = e.path_params().collect();
    for name in &placeholders {
        match e.params.iter().find(|p| p.wire == *name) {
            Some(p) if p.location == Location::Path && p.required => {}
            Some(p) => {
                return Err(at(problem(
                    format!("the path's {{{name}}} needs a required parameter in the path, but {:?} is not", p.name),
                    format!("для {{{name}}} в пути нужен обязательный параметр пути, а {:?} не такой", p.name),
                )))
            }
            None => return Err(at(problem(format!("the path's {{{name}}} has no parameter"), format!("для {{{name}}} в пути нет параметра")))),
        }
    }
    for p in e.params.iter().filter(|p| p.location == Location::Path) {
        if !placeholders.contains(&p.wire) {
            return Err(at(problem(
                format!("parameter {:?} goes in the path, which has no {{{}}}", p.name, p.wire),
                format!("параметр {:?} идёт в путь, но в пути нет {{{}}}", p.name, p.wire),
            )));
        }
    }
    let in_body = e.params.iter().any(|p| matches!(p.location, Location::Body | Location::BodyField));
    if in_body && e.method == Method::Get {
        return Err(at(problem("a GET carries no body; put its parameters in the query", "у GET нет тела; передавайте его параметры в строке запроса")));
    }
    if e.params.iter().filter(|p| p.location == Location::Body).count() > 1 {
        return Err(at(problem("at most one parameter can be the whole body", "телом целиком может быть не больше одного параметра")));
    }
    let segments: Vec<&str> = e.names.python.split('.').collect();
    if !e.names.python.is_empty() && (segments.len() != 2 || !segments.iter().all(|s| is_identifier(s))) {
        return Err(at(problem(
            format!("the Python name {:?} must be resource.method, both lower-case identifiers", e.names.python),
            format!("имя для Python {:?} должно иметь вид ресурс.метод, оба — идентификаторы в нижнем регистре", e.names.python),
        )));
    }
    Ok(())
}

/// Checks a whole service: its base URL, its rows, no id or face name used twice.
pub(crate) fn check_service(s: &ServiceSpec) -> Result<(), Problem> {
    if !s.default_base_url.is_empty() {
        crate::transport::parse_base_url(s.default_base_url).map_err(|e| problem(format!("default_base_url: {e}"), format!("default_base_url: {}", e.message_ru())))?;
    }
    if s.endpoints.len() > MAX_ENDPOINTS {
        return Err(problem(format!("{} rows; at most {MAX_ENDPOINTS} per service", s.endpoints.len()), format!("{} вызовов; у сервиса их может быть не больше {MAX_ENDPOINTS}", s.endpoints.len())));
    }
    for p in s.common_params {
        check_param(p)?;
        if matches!(p.location, Location::Path | Location::Body) {
            return Err(problem(
                format!("common parameter {:?} must go in the query, a body field or the library", p.name),
                format!("общий параметр {:?} должен идти в строку запроса, в поле тела или в библиотеку", p.name),
            ));
        }
    }
    let (mut ids, mut python) = (HashSet::new(), HashSet::new());
    for e in s.endpoints {
        if !ids.insert(e.id) {
            return Err(problem(format!("the id {:?} is declared twice", e.id), format!("идентификатор {:?} объявлен дважды", e.id)));
        }
        if !e.names.python.is_empty() && !python.insert(e.names.python) {
            return Err(problem(format!("the Python name {:?} is used twice", e.names.python), format!("имя для Python {:?} использовано дважды", e.names.python)));
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
            check_service(s).unwrap_or_else(|e| panic!("{}: {}", s.prefix, e.en));
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
