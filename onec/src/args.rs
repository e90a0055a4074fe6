//! 1C values in: the parameters of a method call, copied into a small owned enum, then
//! converted into the JSON value a parameter of the endpoint table takes
//! ([`param_value`]) — by the parameter's type, never by the method. A wrong 1C type is an
//! [`Error::InvalidParameter`] naming the parameter and its Russian name, so BSL gets a
//! readable exception; everything else (ranges, models, required parameters) is the
//! core's check.

use addin1c::{ParamValue, Variant};
use logibridge::endpoints::{Param, Type};
use logibridge::Error;
use serde_json::{Number, Value};

/// One parameter of a call, copied out of the platform's `tVariant`.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// Not given, `Неопределено`, or a type the component does not read.
    Empty,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(String),
    /// A date or binary data: not accepted by any method; named in the error.
    Other(&'static str),
}

/// The argument at `i`, `Неопределено` when there is none.
pub fn get(args: &[Arg], i: usize) -> &Arg {
    args.get(i).unwrap_or(&Arg::Empty)
}

impl Arg {
    /// Copies a platform value.
    pub fn from_variant(v: &Variant) -> Arg {
        match v.get() {
            ParamValue::Empty => Arg::Empty,
            ParamValue::Bool(b) => Arg::Bool(b),
            ParamValue::I32(i) => Arg::Int(i as i64),
            ParamValue::F64(f) => Arg::Num(f),
            ParamValue::Str(s) => Arg::Str(String::from_utf16_lossy(s)),
            ParamValue::Date(_) => Arg::Other("Дата"),
            ParamValue::Blob(_) => Arg::Other("ДвоичныеДанные"),
        }
    }

    /// The 1C type's name, for messages.
    pub fn type_ru(&self) -> &'static str {
        match self {
            Arg::Empty => "Неопределено",
            Arg::Bool(_) => "Булево",
            Arg::Int(_) | Arg::Num(_) => "Число",
            Arg::Str(_) => "Строка",
            Arg::Other(t) => t,
        }
    }

    /// `Неопределено` or an empty string: "not given".
    pub fn is_absent(&self) -> bool {
        match self {
            Arg::Empty => true,
            Arg::Str(s) => s.is_empty(),
            _ => false,
        }
    }
}

fn wrong(name: &str, want: &str, got: &Arg) -> Error {
    Error::invalid_argument(
        format!("parameter «{name}» must be of type {want}, got a value of type {}", got.type_ru()),
        format!("параметр «{name}» должен быть типа {want}, передано значение типа {}", got.type_ru()),
    )
}

/// A number as JSON: whole numbers as integers, the rest as they are.
fn number(f: f64) -> Option<Value> {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Some(Value::from(f as i64))
    } else {
        Number::from_f64(f).map(Value::Number)
    }
}

fn number_text(f: f64) -> String {
    match number(f) {
        Some(v) => v.to_string(),
        None => f.to_string(),
    }
}

/// A string parameter; numbers are accepted and written as text. `Неопределено` is "".
pub fn string(args: &[Arg], i: usize, name: &str) -> Result<String, Error> {
    match get(args, i) {
        Arg::Str(s) => Ok(s.clone()),
        Arg::Empty => Ok(String::new()),
        Arg::Int(n) => Ok(n.to_string()),
        Arg::Num(f) => Ok(number_text(*f)),
        other => Err(wrong(name, "Строка", other)),
    }
}

/// A required non-empty string parameter.
pub fn required_string(args: &[Arg], i: usize, name: &str) -> Result<String, Error> {
    let s = string(args, i, name)?;
    if s.trim().is_empty() {
        return Err(Error::invalid_argument(
            format!("parameter «{name}» is required and cannot be empty"),
            format!("параметр «{name}» обязателен и не может быть пустым"),
        ));
    }
    Ok(s)
}

/// An integer parameter; a whole `Число` or a string of digits.
pub fn integer(args: &[Arg], i: usize, name: &str) -> Result<i64, Error> {
    match get(args, i) {
        Arg::Int(n) => Ok(*n),
        Arg::Num(f) if f.fract() == 0.0 && f.is_finite() && f.abs() <= 9.0e15 => Ok(*f as i64),
        Arg::Num(f) => {
            // `{:.0}` writes a whole double's exact value (2^70 as 1180591620717411303424);
            // `Display` would round it to 17 digits and pad with zeros.
            let text = if f.is_finite() && f.fract() == 0.0 { format!("{f:.0}") } else { f.to_string() };
            let got = logibridge::shown_input(&text);
            Err(Error::invalid_argument(
                format!("parameter «{name}» must be a whole number within the 64-bit range, got {got}"),
                format!("параметр «{name}» должен быть целым числом в 64-битном диапазоне, передано {got}"),
            ))
        }
        Arg::Str(s) => s.trim().parse::<i64>().map_err(|_| {
            let got = logibridge::shown_input(s);
            Error::invalid_argument(
                format!("parameter «{name}» must be a whole number within the 64-bit range, got «{got}»"),
                format!("параметр «{name}» должен быть целым числом в 64-битном диапазоне, передано «{got}»"),
            )
        }),
        other => Err(wrong(name, "Число", other)),
    }
}

/// A boolean parameter; `Неопределено` is false, 0 and 1 are accepted.
pub fn boolean(args: &[Arg], i: usize, name: &str) -> Result<bool, Error> {
    match get(args, i) {
        Arg::Bool(b) => Ok(*b),
        Arg::Empty => Ok(false),
        Arg::Int(0) => Ok(false),
        Arg::Int(1) => Ok(true),
        other => Err(wrong(name, "Булево", other)),
    }
}

/// A 1C value as plain JSON, for an option given by name (`УстановитьПараметр`):
/// `Неопределено` is `null` ("the default"); the core checks the rest.
pub fn plain(arg: &Arg, name: &str) -> Result<Value, Error> {
    match arg {
        Arg::Empty => Ok(Value::Null),
        Arg::Bool(b) => Ok(Value::Bool(*b)),
        Arg::Int(n) => Ok(Value::from(*n)),
        Arg::Num(f) => number(*f).ok_or_else(|| wrong(name, "Число", arg)),
        Arg::Str(s) => Ok(Value::String(s.clone())),
        Arg::Other(_) => Err(wrong(name, "Строка, Число или Булево", arg)),
    }
}

/// The 1C type a parameter type wants, for messages: (English, Russian).
fn want(ty: Type) -> (&'static str, &'static str) {
    match ty {
        Type::Integer | Type::Decimal => ("a number", "Число"),
        Type::Bool | Type::Flag(_) => ("a boolean", "Булево"),
        Type::Model(_) | Type::Json | Type::Array(_) => ("JSON text", "Строка (JSON)"),
        _ => ("a string", "Строка"),
    }
}

/// Where a 1C value goes: the row (for the error's `endpoint`), the parameter, and the
/// name the 1C developer sees.
#[derive(Clone, Copy)]
pub struct Target<'a> {
    pub endpoint: &'a str,
    pub param: &'a Param,
    pub name_ru: &'a str,
}

impl Target<'_> {
    fn wrong_type(&self, arg: &Arg, ty: Type) -> Error {
        let (en, ru) = want(ty);
        Error::invalid_param(
            self.endpoint,
            self.param.name,
            "param.type",
            format!("must be {en}, got a 1C value of type {}", arg.type_ru()),
            format!(
                "параметр «{}» должен быть типа {ru}, передано значение типа {}",
                self.name_ru,
                arg.type_ru()
            ),
        )
    }

    fn json_text(&self, text: &str) -> Result<Value, Error> {
        serde_json::from_str(text).map_err(|e| {
            Error::invalid_param(
                self.endpoint,
                self.param.name,
                "param.json",
                format!("is not valid JSON text: {e}"),
                format!("параметр «{}»: текст не является JSON: {e}", self.name_ru),
            )
        })
    }

    /// One value of type `ty` (not a list).
    fn scalar(&self, arg: &Arg, ty: Type) -> Result<Value, Error> {
        match (ty, arg) {
            (Type::Model(_) | Type::Json, Arg::Str(s)) => self.json_text(s),
            (Type::Json, Arg::Bool(b)) => Ok(Value::Bool(*b)),
            (Type::Json | Type::Integer | Type::Decimal, Arg::Int(n)) => Ok(Value::from(*n)),
            (Type::Json | Type::Integer | Type::Decimal, Arg::Num(f)) => {
                number(*f).ok_or_else(|| self.wrong_type(arg, ty))
            }
            // Digits in a string: the core parses and checks them.
            (Type::Integer | Type::Decimal, Arg::Str(s)) => Ok(Value::String(s.clone())),
            (Type::Bool | Type::Flag(_), Arg::Bool(b)) => Ok(Value::Bool(*b)),
            (Type::Bool | Type::Flag(_), Arg::Int(n @ (0 | 1))) => Ok(Value::Bool(*n == 1)),
            (Type::Bool | Type::Flag(_), Arg::Str(s)) => match s.trim().to_lowercase().as_str() {
                "true" | "истина" => Ok(Value::Bool(true)),
                "false" | "ложь" => Ok(Value::Bool(false)),
                _ => Err(self.wrong_type(arg, ty)),
            },
            (Type::String | Type::Enum(_) | Type::Date | Type::DateTime, Arg::Str(s)) => {
                Ok(Value::String(s.clone()))
            }
            (Type::String | Type::Enum(_), Arg::Int(n)) => Ok(Value::String(n.to_string())),
            (Type::String | Type::Enum(_), Arg::Num(f)) => Ok(Value::String(number_text(*f))),
            (Type::Array(inner), _) => Ok(Value::Array(vec![self.scalar(arg, *inner)?])),
            _ => Err(self.wrong_type(arg, ty)),
        }
    }
}

/// The JSON value of a 1C argument for a parameter of the table, or `None` when it is not
/// given (`Неопределено` or an empty string). A list parameter (`array<…>`, or one that may
/// repeat) also takes JSON array text (`["A","B"]`); a single value is a list of one.
pub fn param_value(arg: &Arg, to: Target<'_>) -> Result<Option<Value>, Error> {
    if arg.is_absent() {
        return Ok(None);
    }
    let p = to.param;
    let list = p.repeated || matches!(p.ty, Type::Array(_));
    if let (true, Arg::Str(s)) = (list, arg) {
        if s.trim_start().starts_with('[') {
            return to.json_text(s).map(Some);
        }
    }
    to.scalar(arg, p.ty).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use logibridge::endpoints::{carreta, Location};
    use serde_json::json;

    #[test]
    fn conversions() {
        let args = vec![
            Arg::Str("oc47".into()),
            Arg::Int(3),
            Arg::Num(2.0),
            Arg::Bool(true),
            Arg::Empty,
            Arg::Other("Дата"),
        ];
        assert_eq!(string(&args, 0, "q").unwrap(), "oc47");
        assert_eq!(string(&args, 1, "q").unwrap(), "3");
        assert_eq!(string(&args, 2, "q").unwrap(), "2");
        assert_eq!(integer(&args, 1, "n").unwrap(), 3);
        assert_eq!(integer(&args, 2, "n").unwrap(), 2);
        assert!(integer(&args, 0, "n").is_err());
        assert!(boolean(&args, 3, "b").unwrap());
        assert!(!boolean(&args, 4, "b").unwrap());
        assert!(!boolean(&args, 99, "b").unwrap());
        let e = string(&args, 5, "Строка").unwrap_err();
        assert!(e.message_ru().contains("Дата"), "{}", e.message_ru());
        assert!(required_string(&args, 4, "Строка").is_err());
        assert!(integer(&[Arg::Num(1.5)], 0, "Количество")
            .unwrap_err()
            .message_ru()
            .contains("целым"));
    }

    #[test]
    fn integers_outside_64_bits_are_refused_quoting_the_real_value() {
        let e = integer(&[Arg::Num(2f64.powi(70))], 0, "Количество").unwrap_err();
        assert!(e.to_string().ends_with("got 1180591620717411303424"), "{e}");
        assert!(e.message_ru().contains("передано 1180591620717411303424"), "{}", e.message_ru());
        let e = integer(&[Arg::Str("1180591620717411303424".into())], 0, "Количество").unwrap_err();
        assert!(e.to_string().contains("«1180591620717411303424»"), "{e}");
    }

    #[test]
    fn a_huge_text_is_quoted_in_part() {
        let e = integer(&[Arg::Str("9".repeat(10_000_000))], 0, "Количество").unwrap_err();
        assert!(e.to_string().len() < 500, "{} bytes", e.to_string().len());
        assert!(e.message_ru().len() < 800);
        assert!(e.to_string().contains("… (10000000 characters)"));
    }

    fn to<'a>(p: &'a Param) -> Target<'a> {
        Target {
            endpoint: "x.y.z",
            param: p,
            name_ru: p.name_ru,
        }
    }

    #[test]
    fn values_follow_the_parameter_type() {
        let q = carreta::SEARCH_QUERY.param("q").unwrap();
        assert_eq!(
            param_value(&Arg::Str("oc47".into()), to(q)).unwrap(),
            Some(json!("oc47"))
        );
        assert_eq!(
            param_value(&Arg::Int(47), to(q)).unwrap(),
            Some(json!("47"))
        );
        assert_eq!(param_value(&Arg::Str(String::new()), to(q)).unwrap(), None);
        assert_eq!(param_value(&Arg::Empty, to(q)).unwrap(), None);
        let e = param_value(&Arg::Bool(true), to(q)).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("q"), "param.type"));
        assert!(
            e.message_ru().contains("«Строка»") && e.message_ru().contains("Булево"),
            "{}",
            e.message_ru()
        );

        let id = carreta::ORDER_GET.param("id").unwrap();
        assert_eq!(param_value(&Arg::Num(7.0), to(id)).unwrap(), Some(json!(7)));
        assert_eq!(
            param_value(&Arg::Num(7.5), to(id)).unwrap(),
            Some(json!(7.5))
        );
        assert_eq!(
            param_value(&Arg::Str("12".into()), to(id)).unwrap(),
            Some(json!("12"))
        );

        let comment = carreta::ORDER_LIST.param("client_comment").unwrap();
        assert_eq!(
            param_value(&Arg::Str(r#"["A","B"]"#.into()), to(comment)).unwrap(),
            Some(json!(["A", "B"]))
        );
        assert_eq!(
            param_value(&Arg::Str("A".into()), to(comment)).unwrap(),
            Some(json!("A"))
        );
        assert_eq!(
            param_value(&Arg::Str("[oops".into()), to(comment))
                .unwrap_err()
                .code(),
            "param.json"
        );

        let all = carreta::ORDER_LIST.param("all").unwrap();
        assert_eq!(
            param_value(&Arg::Int(1), to(all)).unwrap(),
            Some(json!(true))
        );
        assert_eq!(
            param_value(&Arg::Str("Ложь".into()), to(all)).unwrap(),
            Some(json!(false))
        );

        let order = carreta::ORDER_CREATE.param("order").unwrap();
        assert_eq!(
            param_value(&Arg::Str(r#"{"a":1}"#.into()), to(order)).unwrap(),
            Some(json!({"a": 1}))
        );

        static TAGS: Param = Param::new("tags", Location::Query, Type::Array(&Type::Integer));
        assert_eq!(
            param_value(&Arg::Int(5), to(&TAGS)).unwrap(),
            Some(json!([5]))
        );
        assert_eq!(
            param_value(&Arg::Str("[1,2]".into()), to(&TAGS)).unwrap(),
            Some(json!([1, 2]))
        );
    }

    #[test]
    fn plain_values_for_options() {
        assert_eq!(plain(&Arg::Empty, "x").unwrap(), Value::Null);
        assert_eq!(plain(&Arg::Num(2.0), "x").unwrap(), json!(2));
        assert_eq!(plain(&Arg::Num(0.5), "x").unwrap(), json!(0.5));
        assert!(plain(&Arg::Other("Дата"), "x").is_err());
    }
}
