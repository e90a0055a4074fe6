//! Russian texts for the messages other libraries write into our errors: serde's decode
//! messages, and the network and file errors of reqwest and the operating system.
//!
//! The 1C face shows `message_ru` only, so a message left in English there is a message
//! its user cannot read (issue 10, item 24). Our own messages are written in both languages
//! where they are raised; the texts here are the ones we do not write ourselves. Values
//! quoted from the input (a field name, a wrong value) are kept as they were.

use std::io;

/// serde's and serde_json's message in Russian: `invalid type: string "x", expected u64`
/// reads `неверный тип: строка "x", ожидалось u64`. Phrases serde does not document stay
/// as they are, so the text is never lost, only left untranslated.
pub(crate) fn serde_message(en: &str) -> String {
    if let Some((_, ru)) = en.split_once(crate::serde_ext::BILINGUAL) {
        // A message our own adapters wrote in both languages.
        return ru.to_owned();
    }
    // Longest phrases first: several share a prefix ("invalid type" / "invalid value").
    const PHRASES: &[(&str, &str)] = &[
        ("EOF while parsing a value", "JSON оборвался посреди значения"),
        ("EOF while parsing a list", "JSON оборвался посреди списка"),
        ("EOF while parsing an object", "JSON оборвался посреди объекта"),
        ("EOF while parsing a string", "JSON оборвался посреди строки"),
        ("control character (\\u0000-\\u001F) found while parsing a string", "управляющий символ внутри строки"),
        ("lone leading surrogate in hex escape", "непарный суррогат в escape-последовательности"),
        ("unexpected end of hex escape", "оборванная escape-последовательность"),
        ("recursion limit exceeded", "слишком глубокая вложенность"),
        ("number out of range", "число вне допустимого диапазона"),
        ("invalid unicode code point", "недопустимый код символа Unicode"),
        ("trailing characters", "лишние символы после JSON"),
        ("trailing comma", "лишняя запятая"),
        ("key must be a string", "ключ объекта должен быть строкой"),
        ("expected `,` or `]`", "ожидалась «,» или «]»"),
        ("expected `,` or `}`", "ожидалась «,» или «}»"),
        ("expected `:`", "ожидалось «:»"),
        ("expected value", "ожидалось значение JSON"),
        ("expected ident", "ожидалось true, false или null"),
        ("invalid escape", "недопустимая escape-последовательность"),
        ("invalid number", "недопустимое число"),
        ("invalid type: ", "неверный тип: "),
        ("invalid value: ", "неверное значение: "),
        ("invalid length ", "неверная длина "),
        ("unknown variant ", "неизвестное значение "),
        ("unknown field ", "неизвестное поле "),
        ("missing field ", "нет обязательного поля "),
        ("duplicate field ", "поле повторяется: "),
        ("there are no variants", "значений нет"),
        (", expected one of ", ", ожидалось одно из: "),
        (", expected ", ", ожидалось "),
        (" at line ", " в строке "),
        (" column ", ", позиция "),
        // What serde says it received (`serde::de::Unexpected`).
        ("string \"", "строка \""),
        ("integer `", "целое число `"),
        ("floating point `", "дробное число `"),
        ("boolean `", "логическое значение `"),
        ("null,", "null,"),
        ("map,", "объект,"),
        ("sequence,", "массив,"),
        // Our own visitors and custom messages (core/src/serde_ext.rs, the models).
        ("a string or a number", "строка или число"),
        ("an id (a whole number from 0 to 18446744073709551615, or its text)", "идентификатор (целое число от 0 до 18446744073709551615 или его текст)"),
        (" (out of range, fractional, or too large to be exact)", " (вне диапазона, дробное или слишком большое для точного представления)"),
        ("not a decimal: ", "не десятичное число: "),
        ("not a non-negative integer: ", "не целое неотрицательное число: "),
        ("not an integer: ", "не целое число: "),
        ("not an id: ", "не идентификатор: "),
        ("not a boolean: ", "не логическое значение: "),
        ("not a time stamp: ", "не дата и время: "),
        ("not a status code: ", "не код статуса: "),
        ("a sequence", "массив"),
        ("a map", "объект"),
        ("a string", "строка"),
        ("a boolean", "логическое значение"),
    ];
    let mut out = String::with_capacity(en.len() + en.len() / 2);
    let mut rest = en;
    'outer: while !rest.is_empty() {
        for (from, to) in PHRASES {
            if let Some(after) = rest.strip_prefix(from) {
                out.push_str(to);
                rest = after;
                // `string "` and the like open a quoted value: copy it through its close.
                if let Some(quote) = from.chars().last().filter(|c| *c == '"' || *c == '`') {
                    let end = rest.find(quote).map_or(rest.len(), |i| i + 1);
                    out.push_str(&rest[..end]);
                    rest = &rest[end..];
                }
                continue 'outer;
            }
        }
        // Quoted values (`"…"`, `` `…` ``) are copied whole: a phrase inside a value is data.
        let mut chars = rest.char_indices();
        let (_, c) = chars.next().expect("rest is not empty");
        if c == '"' || c == '`' {
            let end = rest[1..].find(c).map_or(rest.len(), |i| i + 2);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// What went wrong on the wire, in Russian, from reqwest's classification; `cause` (the
/// chain of causes as the lower layers wrote it) follows in parentheses.
pub(crate) fn network_failure(e: &reqwest::Error, cause: &str) -> String {
    let what = if e.is_connect() {
        connect_failure(cause)
    } else if e.is_redirect() {
        "ошибка перенаправления"
    } else if e.is_body() || e.is_decode() {
        "соединение оборвалось или ответ пришёл повреждённым при чтении тела ответа"
    } else if e.is_request() {
        // reqwest says "error sending request" also when the request went out and the
        // answer was lost: the text must not claim it was not sent.
        "сбой при обмене данными с сервером"
    } else if e.is_builder() {
        "не удалось построить запрос"
    } else {
        "сбой соединения"
    };
    format!("{what} ({cause})")
}

/// The connect failure a Russian reader needs to act on: address not found, refused, TLS.
fn connect_failure(cause: &str) -> &'static str {
    let c = cause.to_ascii_lowercase();
    if c.contains("dns") || c.contains("failed to lookup") || c.contains("name or service not known") || c.contains("no such host") {
        "не удалось найти адрес сервера (DNS)"
    } else if c.contains("refused") {
        "сервер отклонил соединение"
    } else if c.contains("certificate") || c.contains("tls") || c.contains("handshake") {
        "не удалось установить защищённое соединение (TLS)"
    } else if c.contains("unreachable") {
        "сеть или сервер недоступны"
    } else {
        "не удалось соединиться с сервером"
    }
}

/// Why a text is not a URL, in Russian (`url::ParseError`).
pub(crate) fn url_failure(e: url::ParseError) -> &'static str {
    use url::ParseError as P;
    match e {
        P::EmptyHost => "не указан хост",
        P::IdnaError => "недопустимое доменное имя",
        P::InvalidPort => "недопустимый номер порта",
        P::InvalidIpv4Address => "недопустимый адрес IPv4",
        P::InvalidIpv6Address => "недопустимый адрес IPv6",
        P::InvalidDomainCharacter => "недопустимый символ в имени хоста",
        P::RelativeUrlWithoutBase => "нет схемы (http:// или https://)",
        P::RelativeUrlWithCannotBeABaseBase | P::SetHostOnCannotBeABaseUrl => "адрес не может служить базовым",
        P::Overflow => "адрес слишком длинный",
        _ => "недопустимый адрес",
    }
}

/// A file or stream error in Russian (`io::ErrorKind`), with the system's own text after it.
///
/// ```ignore
/// io_failure(&io::Error::from(io::ErrorKind::NotFound)) // "файл не найден (entity not found)"
/// ```
pub(crate) fn io_failure(e: &io::Error) -> String {
    let what = match e.kind() {
        io::ErrorKind::NotFound => "файл не найден",
        io::ErrorKind::PermissionDenied => "нет прав доступа",
        io::ErrorKind::AlreadyExists => "файл уже существует",
        io::ErrorKind::IsADirectory => "это каталог, а не файл",
        io::ErrorKind::NotADirectory => "часть пути не является каталогом",
        io::ErrorKind::StorageFull => "нет места на диске",
        io::ErrorKind::ReadOnlyFilesystem => "файловая система только для чтения",
        io::ErrorKind::InvalidData => "данные повреждены или в неверной кодировке",
        io::ErrorKind::UnexpectedEof => "данные оборвались раньше времени",
        io::ErrorKind::TimedOut => "истекло время ожидания",
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe => "соединение оборвалось",
        io::ErrorKind::Interrupted => "операция прервана",
        _ => "ошибка ввода-вывода",
    };
    format!("{what} ({e})")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages serde_json really writes for the usual mismatches, translated whole:
    /// no English word of serde's is left, the quoted values are kept.
    #[test]
    fn serde_messages_read_in_russian() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Order {
            id: u64,
            kind: Kind,
        }
        #[derive(serde::Deserialize, Debug)]
        enum Kind {
            Plain,
        }
        let cases = [
            (r#"{"id": "x", "kind": "Plain"}"#, "неверный тип: строка \"x\", ожидалось u64 в строке 1, позиция 10"),
            (r#"{"kind": "Plain"}"#, "нет обязательного поля `id` в строке 1, позиция 17"),
            (r#"{"id": 1, "kind": "Odd"}"#, "неизвестное значение `Odd`, ожидалось `Plain` в строке 1, позиция 23"),
            (r#"{"id": 1, "kind": "Plain"} x"#, "лишние символы после JSON в строке 1, позиция 28"),
            (r#"{"id": 1, "#, "JSON оборвался посреди значения в строке 1, позиция 10"),
            (r#"{"id": -1, "kind": "Plain"}"#, "неверное значение: целое число `-1`, ожидалось u64 в строке 1, позиция 9"),
        ];
        for (json, want) in cases {
            let e = serde_json::from_str::<Order>(json).unwrap_err().to_string();
            assert_eq!(serde_message(&e), want, "from {e:?}");
        }
    }

    #[test]
    fn a_phrase_inside_a_quoted_value_is_data() {
        assert_eq!(serde_message(r#"invalid type: string "missing field x", expected u64"#), r#"неверный тип: строка "missing field x", ожидалось u64"#);
        // An unterminated quote (a cut excerpt) is copied to the end, not dropped.
        assert_eq!(serde_message("not a decimal: \"12"), "не десятичное число: \"12");
    }

    #[test]
    fn io_errors_name_the_situation() {
        let e = std::fs::File::open("/nonexistent/logibridge/x.csv").unwrap_err();
        assert!(io_failure(&e).starts_with("файл не найден ("), "{}", io_failure(&e));
        let e = std::fs::read("/").unwrap_err();
        assert!(io_failure(&e).starts_with("это каталог, а не файл ("), "{}", io_failure(&e));
    }
}
