//! Where a client's options come from: the config file's profile, then environment
//! variables, then flags (each overriding the one before). Every option is passed to the
//! core by the name every face uses ([`logibridge::ClientBuilder::option`]), so the core
//! checks it and names a wrong one; nothing here is written per service.
//!
//! The config file (TOML):
//!
//! ```toml
//! default_profile = "work"
//!
//! [profiles.work.carreta]
//! api_key = "…"
//! account = "1002"
//!
//! [profiles.work.ireca]
//! token = "…"
//!
//! [profiles.work.cargorun]
//! username = "integration@example.ru"
//! password = "…"
//! base_url = "https://…"
//! token_file = "/home/me/.cache/logibridge/tokens.json"
//! ```
//!
//! It holds secrets, so it is refused when group or others have any access to it (the
//! rule of the core's token file): `chmod 600`.
//!
//! Environment: `LOGIBRIDGE_<SERVICE>_<OPTION>` for each credential and common parameter
//! of the service (`LOGIBRIDGE_CARRETA_API_KEY`, `LOGIBRIDGE_IRECA_TOKEN`,
//! `LOGIBRIDGE_CARGORUN_USERNAME`, `LOGIBRIDGE_CARRETA_ACCOUNT`), and
//! `LOGIBRIDGE_<SERVICE>_URL` for the base URL.

use std::path::{Path, PathBuf};

use logibridge::endpoints::ServiceSpec;
use logibridge::{Client, ErrorKind};
use serde_json::{Map, Value};

use crate::args::Global;
use crate::fail::{Exit, Failure};

/// One option with where it came from (for `--verbose`).
struct Setting {
    name: String,
    value: Value,
    source: String,
}

/// The options of one service's client, merged from every source.
pub struct Resolved {
    spec: &'static ServiceSpec,
    settings: Vec<Setting>,
}

impl Resolved {
    /// The value in force of an option, if any source set it.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.settings.iter().rev().find(|s| s.name == name).map(|s| &s.value)
    }

    fn set(&mut self, name: &str, value: Value, source: String) {
        self.settings.push(Setting { name: name.to_owned(), value, source });
    }

    /// Whether the option is a secret of the service, or is named like one (`apikey`,
    /// `api-key`: a misspelt credential still holds the secret): never shown.
    fn secret(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        self.spec.credential(name).is_some_and(|c| c.secret) || ["key", "password", "token", "secret"].iter().any(|w| lower.contains(w))
    }

    /// An option's value as `--verbose` shows it: secrets masked, a URL without its
    /// user-info, query or fragment (they may hold a password or a key).
    fn shown(&self, s: &Setting) -> String {
        if self.secret(&s.name) {
            return "*** (secret, not shown)".to_owned();
        }
        match &s.value {
            Value::String(text) if text.contains("://") => format!("{:?}", logibridge::error_safe_url(text)),
            other => other.to_string(),
        }
    }

    /// The client. A required credential that no source set is a usage error naming
    /// every way to give it, before the core's own refusal.
    pub fn build(&self, verbose: bool) -> Result<Client, Failure> {
        self.build_with(verbose, false)
    }

    /// [`Resolved::build`] for a library-side row that sends nothing with the service's
    /// credentials (`carreta.order.check_qty`): a missing credential is filled with a
    /// placeholder the call never uses, since the core's builder wants one.
    pub fn build_with(&self, verbose: bool, credentials_unused: bool) -> Result<Client, Failure> {
        let mut options = Map::new();
        for s in &self.settings {
            options.insert(s.name.clone(), s.value.clone());
            if verbose {
                say!("{}.{} = {}  [{}]", self.spec.prefix, s.name, self.shown(s), s.source);
            }
        }
        for c in self.spec.credentials.iter().filter(|c| c.required) {
            if options.get(c.name).is_some_and(|v| !v.as_str().is_some_and(|s| s.trim().is_empty())) {
                continue;
            }
            if credentials_unused {
                options.insert(c.name.to_owned(), Value::from("unused"));
                continue;
            }
            let env = env_name(self.spec.prefix, c.name);
            let flag = format!("--{}-{}", self.spec.prefix, c.name.replace('_', "-"));
            return Err(Failure::usage(
                format!("the {} {} is not set: give {flag}, set {env}, or put `{}` in the [profiles.<name>.{}] table of the config file", self.spec.name, c.name, c.name, self.spec.prefix),
                format!("не задан параметр {} ({}) сервиса {}: укажите {flag}, переменную окружения {env} или `{}` в таблице [profiles.<имя>.{}] файла настроек", c.name, c.onec_ru, self.spec.name, c.name, self.spec.prefix),
            ));
        }
        Client::builder(self.spec).options(&options).build().map_err(|e| self.settings_failure(e))
    }

    /// What the core's builder refused: a setting (an option of the config file, an
    /// environment variable, a flag, `--set`) is usage or config (exit 2), but the token
    /// cache is a local file (exit 1) shown by its path, which is no secret: the core's
    /// message masks any run of the password's characters, and a path like
    /// `…/cargorun-tokens.json` shares some with the sandbox's password.
    fn settings_failure(&self, e: logibridge::Error) -> Failure {
        if let (logibridge::Error::InvalidParameter { code: "option.token_file", message, message_ru, .. }, Some(path)) = (&e, self.get("token_file").and_then(Value::as_str)) {
            // The core's texts are "<path>: <why>": the why is kept, the path given whole.
            let why = |text: &str| text.split_once(": ").map_or(text, |(_, why)| why).to_owned();
            return Failure::local(
                format!("the token cache {path} cannot be used: {}; delete it (it holds only tokens: the next command signs in again and writes a new one)", why(message)),
                format!("файл токенов {path} нельзя использовать: {}; удалите его (в нём только токены: следующая команда войдёт заново и запишет новый)", why(message_ru)),
            );
        }
        match e.kind() {
            ErrorKind::InvalidArgument | ErrorKind::Validation => Failure { exit: Exit::Usage, ..Failure::from(e) },
            _ => Failure::from(e),
        }
    }
}

/// `LOGIBRIDGE_CARRETA_API_KEY`; the base URL is `LOGIBRIDGE_CARRETA_URL`.
fn env_name(prefix: &str, option: &str) -> String {
    let option = if option == "base_url" { "url" } else { option };
    format!("LOGIBRIDGE_{}_{}", prefix.to_ascii_uppercase(), option.to_ascii_uppercase())
}

/// The options of `prefix`'s client from every source.
pub fn resolve(g: &Global, prefix: &str) -> Result<Resolved, Failure> {
    let spec = logibridge::endpoints::service(prefix).ok_or_else(|| {
        let known: Vec<&str> = logibridge::endpoints::services().iter().map(|s| s.prefix).collect();
        Failure::usage(format!("unknown service {prefix:?}; known: {}", known.join(", ")), format!("неизвестный сервис «{prefix}»; известны: {}", known.join(", ")))
    })?;
    let mut r = Resolved { spec, settings: Vec::new() };
    if let Some((path, profile, table)) = profile_table(g)? {
        if let Some(service) = table.get(spec.prefix) {
            let Some(service) = service.as_table() else {
                return Err(Failure::usage(
                    format!("{}: [profiles.{profile}.{}] must be a table of options", path.display(), spec.prefix),
                    format!("{}: [profiles.{profile}.{}] должна быть таблицей настроек", path.display(), spec.prefix),
                ));
            };
            for (name, value) in service {
                let value = serde_json::to_value(value).map_err(|e| Failure::usage(format!("{}: {name}: {e}", path.display()), format!("{}: {name}: {e}", path.display())))?;
                r.set(name, value, format!("{} [profiles.{profile}.{}]", path.display(), spec.prefix));
            }
        }
    }
    let names = std::iter::once("base_url").chain(spec.credentials.iter().map(|c| c.name)).chain(spec.common_params.iter().map(|p| p.name));
    for name in names {
        let var = env_name(spec.prefix, name);
        if let Ok(v) = std::env::var(&var) {
            if !v.is_empty() {
                r.set(name, Value::from(v), var);
            }
        }
    }
    let flag = |name: &str, value: &Option<String>, r: &mut Resolved| {
        if let Some(v) = value {
            r.set(name, Value::from(v.clone()), format!("--{}-{}", spec.prefix, name.replace('_', "-")));
        }
    };
    match spec.prefix {
        "carreta" => flag("api_key", &g.carreta_api_key, &mut r),
        "ireca" => flag("token", &g.ireca_token, &mut r),
        "cargorun" => {
            flag("username", &g.cargorun_username, &mut r);
            flag("password", &g.cargorun_password, &mut r);
        }
        _ => {}
    }
    if let Some(url) = &g.base_url {
        r.set("base_url", Value::from(url.clone()), "--base-url".into());
    }
    for item in &g.set {
        let Some((name, value)) = item.split_once('=') else {
            return Err(Failure::usage(format!("--set {item:?}: expected NAME=VALUE"), format!("--set «{item}»: ожидается ИМЯ=ЗНАЧЕНИЕ")));
        };
        // Numbers and booleans as JSON (timeout=5, strict_schema=true), anything else as text.
        let value = serde_json::from_str::<Value>(value).ok().filter(|v| v.is_number() || v.is_boolean()).unwrap_or_else(|| Value::from(value));
        r.set(name.trim(), value, "--set".into());
    }
    // A JWT service signs in once per process otherwise, and CARGO.RUN answers 429 to
    // frequent sign-ins: each command would sign in anew. The core keeps the tokens (never
    // the password) in a file of mode 600 unless one is named.
    if matches!(spec.auth, logibridge::endpoints::AuthSpec::Jwt { .. }) && r.get("token_file").is_none() {
        if let Some(path) = default_token_file(spec.prefix)? {
            r.set("token_file", Value::from(path.display().to_string()), "default".into());
        }
    }
    Ok(r)
}

/// `$XDG_CACHE_HOME/logibridge/<service>-tokens.json` (else `~/.cache/…`), its folder made
/// owner-only when it is new; `None` without a home.
fn default_token_file(prefix: &str) -> Result<Option<PathBuf>, Failure> {
    let Some(base) = std::env::var_os("XDG_CACHE_HOME").filter(|p| !p.is_empty()).map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache"))) else {
        return Ok(None);
    };
    let dir = base.join("logibridge");
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir).map_err(|e| Failure::file(("create", "создать"), &dir, &e))?;
    }
    Ok(Some(dir.join(format!("{prefix}-tokens.json"))))
}

/// The config file named by --config or $LOGIBRIDGE_CONFIG (which must exist), else the
/// default one if it exists.
fn config_path(g: &Global) -> Option<(PathBuf, bool)> {
    if let Some(p) = &g.config {
        return Some((p.clone(), true));
    }
    if let Some(p) = std::env::var_os("LOGIBRIDGE_CONFIG").filter(|p| !p.is_empty()) {
        return Some((PathBuf::from(p), true));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()).map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some((base.join("logibridge").join("config.toml"), false))
}

/// The 1-based line and column (in characters) of a byte offset of `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The selected profile's table: (file, profile name, table), or `None` without a file.
fn profile_table(g: &Global) -> Result<Option<(PathBuf, String, toml::Table)>, Failure> {
    let explicit = g.profile.as_ref().map(|p| (p.clone(), "--profile")).or_else(|| std::env::var("LOGIBRIDGE_PROFILE").ok().filter(|p| !p.is_empty()).map(|p| (p, "LOGIBRIDGE_PROFILE")));
    let found = config_path(g).filter(|(path, named)| *named || path.exists());
    let Some((path, _)) = found else {
        // A profile asked for by name and silently not used would send the command with
        // other credentials (the environment's, or none): refused.
        if let Some((name, source)) = &explicit {
            let looked = config_path(g).map_or_else(|| "no default place: neither XDG_CONFIG_HOME nor HOME is set".to_owned(), |(p, _)| p.display().to_string());
            let looked_ru = config_path(g).map_or_else(|| "места по умолчанию нет: не заданы ни XDG_CONFIG_HOME, ни HOME".to_owned(), |(p, _)| p.display().to_string());
            return Err(Failure::usage(
                format!("{source} {name}: there is no config file to take the profile from (looked for {looked}); name one with --config FILE or LOGIBRIDGE_CONFIG"),
                format!("{source} {name}: нет файла настроек, из которого взять профиль (искали {looked_ru}); укажите его в --config ФАЙЛ или LOGIBRIDGE_CONFIG"),
            ));
        }
        return Ok(None);
    };
    let text = read_private(&path)?;
    let mut doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        // toml's Display quotes the offending line, which may hold a secret: only where, and
        // toml's short description (which names no value).
        let (line, column) = e.span().map_or((0, 0), |span| line_and_column(&text, span.start));
        let what = e.message().lines().next().unwrap_or_default();
        Failure::usage(
            format!("{} is not valid TOML: line {line}, column {column}: {what} (the line is not shown: it may hold a secret)", path.display()),
            format!("{} — не TOML: строка {line}, позиция {column}: {what} (строка не показана: в ней может быть секрет)", path.display()),
        )
    })?;
    for key in doc.keys() {
        if key != "default_profile" && key != "profiles" {
            return Err(Failure::usage(
                format!("{}: unknown key {key:?} (the file takes: default_profile, profiles)", path.display()),
                format!("{}: неизвестный ключ «{key}» (допустимы: default_profile, profiles)", path.display()),
            ));
        }
    }
    let explicit = explicit.map(|(name, _)| name);
    let default = doc.get("default_profile").and_then(|v| v.as_str()).map(str::to_owned);
    let (name, must_exist) = match (explicit, default) {
        (Some(p), _) | (None, Some(p)) => (p, true),
        (None, None) => ("default".to_owned(), false),
    };
    let mut profiles = match doc.remove("profiles") {
        Some(toml::Value::Table(t)) => t,
        None => toml::Table::new(),
        Some(_) => return Err(Failure::usage(format!("{}: `profiles` must be a table", path.display()), format!("{}: `profiles` должен быть таблицей", path.display()))),
    };
    match profiles.remove(&name) {
        Some(toml::Value::Table(t)) => {
            for key in t.keys() {
                if logibridge::endpoints::service(key).is_none() {
                    return Err(Failure::usage(
                        format!("{}: [profiles.{name}.{key}]: {key:?} is not a service (carreta, ireca, cargorun)", path.display()),
                        format!("{}: [profiles.{name}.{key}]: «{key}» — не сервис (carreta, ireca, cargorun)", path.display()),
                    ));
                }
            }
            Ok(Some((path, name, t)))
        }
        Some(_) => Err(Failure::usage(format!("{}: profile {name:?} must be a table", path.display()), format!("{}: профиль «{name}» должен быть таблицей", path.display()))),
        None if must_exist => {
            let known: Vec<String> = profiles.keys().cloned().collect();
            Err(Failure::usage(
                format!("{}: no profile {name:?} (the file has: {})", path.display(), known.join(", ")),
                format!("{}: нет профиля «{name}» (в файле есть: {})", path.display(), known.join(", ")),
            ))
        }
        None => Ok(None),
    }
}

/// The file's text, refused when group or others have any access to it: it holds keys
/// and passwords, and another user of the machine must not be able to read them.
/// Only a regular file is opened: opening a FIFO would wait for a writer forever, and a
/// directory's mode says nothing about a file.
fn read_private(path: &Path) -> Result<String, Failure> {
    let meta = std::fs::metadata(path).map_err(|e| Failure::usage(format!("cannot read the config file {}: {e}", path.display()), format!("не удалось прочитать файл настроек {}: {e}", path.display())))?;
    if meta.is_dir() {
        return Err(Failure::usage(
            format!("the config file {} is a directory; name the TOML file (e.g. {}/config.toml)", path.display(), path.display()),
            format!("файл настроек {} — это каталог; укажите сам файл TOML (например, {}/config.toml)", path.display(), path.display()),
        ));
    }
    if !meta.is_file() {
        return Err(Failure::usage(
            format!("the config file {} is not a regular file (a FIFO, a device or a socket); name a TOML file", path.display()),
            format!("файл настроек {} — не обычный файл (канал, устройство или сокет); укажите файл TOML", path.display()),
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Failure::usage(
                format!("the config file {} holds secrets but its mode is {mode:03o}: group or others may access it; run `chmod 600 {}`", path.display(), path.display()),
                format!("файл настроек {} содержит секреты, но его права {mode:03o}: его могут читать группа или другие пользователи; выполните `chmod 600 {}`", path.display(), path.display()),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    std::fs::read_to_string(path).map_err(|e| Failure::usage(format!("cannot read the config file {}: {e}", path.display()), format!("не удалось прочитать файл настроек {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_follow_the_option_names() {
        assert_eq!(env_name("carreta", "api_key"), "LOGIBRIDGE_CARRETA_API_KEY");
        assert_eq!(env_name("ireca", "token"), "LOGIBRIDGE_IRECA_TOKEN");
        assert_eq!(env_name("cargorun", "username"), "LOGIBRIDGE_CARGORUN_USERNAME");
        assert_eq!(env_name("cargorun", "base_url"), "LOGIBRIDGE_CARGORUN_URL");
    }
}
