//! 1C values in: the parameters of a method call, read into a small owned enum and then
//! into the Rust types a method needs. A wrong type is an [`Error::InvalidArgument`] with
//! a Russian text, so BSL gets a readable exception.

use addin1c::{ParamValue, Variant};
use logibridge::Error;

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

    fn type_ru(&self) -> &'static str {
        match self {
            Arg::Empty => "Неопределено",
            Arg::Bool(_) => "Булево",
            Arg::Int(_) | Arg::Num(_) => "Число",
            Arg::Str(_) => "Строка",
            Arg::Other(t) => t,
        }
    }
}

fn wrong(name: &str, want: &str, got: &Arg) -> Error {
    Error::InvalidArgument(format!(
        "параметр «{name}» должен быть типа {want}, передано значение типа {}",
        got.type_ru()
    ))
}

fn get(args: &[Arg], i: usize) -> &Arg {
    args.get(i).unwrap_or(&Arg::Empty)
}

/// A string parameter; numbers are accepted and written as text. `Неопределено` is "".
pub fn string(args: &[Arg], i: usize, name: &str) -> Result<String, Error> {
    match get(args, i) {
        Arg::Str(s) => Ok(s.clone()),
        Arg::Empty => Ok(String::new()),
        Arg::Int(n) => Ok(n.to_string()),
        Arg::Num(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(format!("{}", *f as i64)),
        Arg::Num(f) => Ok(f.to_string()),
        other => Err(wrong(name, "Строка", other)),
    }
}

/// A required non-empty string parameter.
pub fn required_string(args: &[Arg], i: usize, name: &str) -> Result<String, Error> {
    let s = string(args, i, name)?;
    if s.trim().is_empty() {
        return Err(Error::InvalidArgument(format!(
            "параметр «{name}» обязателен и не может быть пустым"
        )));
    }
    Ok(s)
}

/// An integer parameter; a whole `Число` or a string of digits.
pub fn integer(args: &[Arg], i: usize, name: &str) -> Result<i64, Error> {
    match get(args, i) {
        Arg::Int(n) => Ok(*n),
        Arg::Num(f) if f.fract() == 0.0 && f.is_finite() && f.abs() <= 9.0e15 => Ok(*f as i64),
        Arg::Num(f) => Err(Error::InvalidArgument(format!(
            "параметр «{name}» должен быть целым числом, передано {f}"
        ))),
        Arg::Str(s) => s.trim().parse::<i64>().map_err(|_| {
            Error::InvalidArgument(format!(
                "параметр «{name}» должен быть целым числом, передано «{s}»"
            ))
        }),
        other => Err(wrong(name, "Число", other)),
    }
}

/// A number parameter (seconds and the like).
pub fn number(args: &[Arg], i: usize, name: &str) -> Result<f64, Error> {
    match get(args, i) {
        Arg::Int(n) => Ok(*n as f64),
        Arg::Num(f) if f.is_finite() => Ok(*f),
        Arg::Str(s) => s.trim().replace(',', ".").parse::<f64>().map_err(|_| {
            Error::InvalidArgument(format!(
                "параметр «{name}» должен быть числом, передано «{s}»"
            ))
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(number(&args, 1, "t").unwrap(), 3.0);
        assert!(boolean(&args, 3, "b").unwrap());
        assert!(!boolean(&args, 4, "b").unwrap());
        assert!(!boolean(&args, 99, "b").unwrap());
        let e = string(&args, 5, "Строка").unwrap_err();
        assert!(e.message_ru().contains("Дата"), "{}", e.message_ru());
        assert!(required_string(&args, 4, "Строка").is_err());
    }

    #[test]
    fn fractional_numbers_are_not_integers() {
        let e = integer(&[Arg::Num(1.5)], 0, "Количество").unwrap_err();
        assert!(e.message_ru().contains("целым"));
    }
}
