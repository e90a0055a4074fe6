//! The OData subset the list calls take (`_overview.md` §4.3, sync.md): `$filter`,
//! `$orderby`, `$top`, `$skip` and `$count`, evaluated on JSON objects.
//!
//! A list is given as [`Row`]s borrowed from the emulator's tables: filtering, sorting and
//! skipping look at them in place and only the page answered is copied, so walking a list
//! of N objects page by page costs N·(N / page) lookups, not as many deep copies.
//!
//! `$filter` grammar (OData 4 URL conventions, the part the pages use):
//!
//! ```text
//! or      := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | compare
//! compare := operand (("eq"|"ne"|"gt"|"ge"|"lt"|"le") operand)?
//! operand := "(" or ")" | literal | function "(" args ")" | property ("/" property)*
//! literal := 'text' (a quote doubled inside) | number | true | false | null
//!          | date-time (2026-01-23T21:00:00Z, offset or none) | date (2026-01-23)
//! ```
//!
//! Functions: `contains`, `startswith`, `endswith` (two arguments), `tolower`, `toupper`.
//! Keywords and functions are read in any case; properties are matched by name, exactly
//! first, then without regard to case (the service's camelCase names either way). An
//! enum is compared by its name as a string (`status eq 'Started'`). A date-time literal
//! compared with a text property compares instants, whatever zone either side is in, to
//! the nanosecond (the service's `updatedAt` has 7 fractional digits: `eq` and `gt` on such
//! a value must not round to milliseconds). Numbers are compared as decimals, never as
//! floats, so `price eq 0.1` matches the JSON `0.1` and a 64-bit id compares exactly.
//! Anything else (an unknown function, an operator without its operand, a quote left
//! open) is an [`Error`] naming what and where: the emulator answers it with a 400.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// A `$filter`, `$orderby`, `$top`, `$skip` or `$count` that cannot be read, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parsed `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal value; date-times are kept as instants.
    Literal(Literal),
    /// A property path (`updatedAt`, `car/number`).
    Property(Vec<String>),
    /// A comparison.
    Compare(Box<Expr>, Op, Box<Expr>),
    /// `and`.
    And(Box<Expr>, Box<Expr>),
    /// `or`.
    Or(Box<Expr>, Box<Expr>),
    /// `not`.
    Not(Box<Expr>),
    /// A function call (name in lower case).
    Call(String, Vec<Expr>),
}

/// A literal of `$filter`.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, exactly as written.
    Number(Decimal),
    /// A quoted text.
    Text(String),
    /// A date-time or date, as an instant (a date is its midnight UTC).
    Time(DateTime<Utc>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Comma,
    Slash,
    Text(String),
    Word(String),
    Number(Decimal),
    Time(DateTime<Utc>),
}

fn tokenize(input: &str) -> Result<Vec<(usize, Token)>, Error> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push((start, Token::Open));
                i += 1;
            }
            ')' => {
                tokens.push((start, Token::Close));
                i += 1;
            }
            ',' => {
                tokens.push((start, Token::Comma));
                i += 1;
            }
            '/' => {
                tokens.push((start, Token::Slash));
                i += 1;
            }
            '\'' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(Error(format!(
                                "$filter: the text opened at {start} is not closed."
                            )))
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            text.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            text.push(ch);
                            i += 1;
                        }
                    }
                }
                tokens.push((start, Token::Text(text)));
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let mut end = i + 1;
                while end < chars.len()
                    && (chars[end].is_ascii_alphanumeric()
                        || matches!(chars[end], '.' | ':' | '-' | '+'))
                {
                    end += 1;
                }
                let word: String = chars[i..end].iter().collect();
                let token = if let Some(t) = parse_time(&word) {
                    Token::Time(t)
                } else {
                    let number = word.trim_end_matches(['m', 'M', 'd', 'D', 'l', 'L', 'f', 'F']);
                    Token::Number(decimal(number).ok_or_else(|| {
                        Error(format!(
                            "$filter: '{word}' at {start} is not a number or a date-time."
                        ))
                    })?)
                };
                tokens.push((start, token));
                i = end;
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                tokens.push((start, Token::Word(chars[i..end].iter().collect())));
                i = end;
            }
            other => {
                return Err(Error(format!(
                    "$filter: unexpected character '{other}' at {start}."
                )))
            }
        }
    }
    Ok(tokens)
}

/// A number's text as a decimal (`12`, `-0.5`, `1e3`).
pub fn decimal(text: &str) -> Option<Decimal> {
    text.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

/// A date-time with a zone, without one (read as UTC), or a date (midnight UTC).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if !text.contains('-') || text.len() < 10 {
        return None;
    }
    if let Ok(t) = DateTime::<FixedOffset>::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for form in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, form) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.tokens
            .get(self.pos)
            .map(|(p, _)| *p)
            .unwrap_or(self.len)
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, token: Token, what: &str) -> Result<(), Error> {
        if self.peek() == Some(&token) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Error(format!("$filter: {what} expected at {}.", self.at())))
        }
    }

    fn or(&mut self) -> Result<Expr, Error> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, Error> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Expr, Error> {
        let left = self.operand()?;
        let op = match self.peek() {
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "eq" => Some(Op::Eq),
                "ne" => Some(Op::Ne),
                "gt" => Some(Op::Gt),
                "ge" => Some(Op::Ge),
                "lt" => Some(Op::Lt),
                "le" => Some(Op::Le),
                "and" | "or" => None,
                other => {
                    return Err(Error(format!(
                        "$filter: unknown operator '{other}' at {}.",
                        self.at()
                    )))
                }
            },
            _ => None,
        };
        match op {
            Some(op) => {
                self.pos += 1;
                let right = self.operand()?;
                Ok(Expr::Compare(Box::new(left), op, Box::new(right)))
            }
            None => Ok(left),
        }
    }

    fn operand(&mut self) -> Result<Expr, Error> {
        let at = self.at();
        let Some(token) = self.peek().cloned() else {
            return Err(Error(format!("$filter: an operand expected at {at}.")));
        };
        self.pos += 1;
        match token {
            Token::Open => {
                let inner = self.or()?;
                self.expect(Token::Close, "')'")?;
                Ok(inner)
            }
            Token::Text(t) => Ok(Expr::Literal(Literal::Text(t))),
            Token::Number(n) => Ok(Expr::Literal(Literal::Number(n))),
            Token::Time(t) => Ok(Expr::Literal(Literal::Time(t))),
            Token::Word(w) => {
                let lower = w.to_ascii_lowercase();
                match lower.as_str() {
                    "null" => return Ok(Expr::Literal(Literal::Null)),
                    "true" => return Ok(Expr::Literal(Literal::Bool(true))),
                    "false" => return Ok(Expr::Literal(Literal::Bool(false))),
                    "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "and" | "or" => {
                        return Err(Error(format!(
                            "$filter: an operand expected at {at}, found '{w}'."
                        )))
                    }
                    _ => {}
                }
                if self.peek() == Some(&Token::Open) {
                    self.pos += 1;
                    let arity = match lower.as_str() {
                        "contains" | "startswith" | "endswith" => 2,
                        "tolower" | "toupper" => 1,
                        _ => {
                            return Err(Error(format!("$filter: unknown function '{w}' at {at}.")))
                        }
                    };
                    let mut args = vec![self.or()?];
                    while self.peek() == Some(&Token::Comma) {
                        self.pos += 1;
                        args.push(self.or()?);
                    }
                    self.expect(Token::Close, "')'")?;
                    if args.len() != arity {
                        return Err(Error(format!(
                            "$filter: {lower} takes {arity} argument(s), got {}.",
                            args.len()
                        )));
                    }
                    return Ok(Expr::Call(lower, args));
                }
                let mut path = vec![w];
                while self.peek() == Some(&Token::Slash) {
                    self.pos += 1;
                    match self.peek().cloned() {
                        Some(Token::Word(next)) => {
                            self.pos += 1;
                            path.push(next);
                        }
                        _ => {
                            return Err(Error(format!(
                                "$filter: a property name expected after '/' at {}.",
                                self.at()
                            )))
                        }
                    }
                }
                Ok(Expr::Property(path))
            }
            _ => Err(Error(format!("$filter: an operand expected at {at}."))),
        }
    }
}

/// Parses a `$filter` expression.
pub fn parse_filter(input: &str) -> Result<Expr, Error> {
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Err(Error("$filter is empty.".into()));
    }
    let mut p = Parser {
        tokens,
        pos: 0,
        len: input.chars().count(),
    };
    let expr = p.or()?;
    if p.pos < p.tokens.len() {
        return Err(Error(format!("$filter: unexpected text at {}.", p.at())));
    }
    Ok(expr)
}

/// One object of a listed collection: borrowed from the emulator's tables, or made for this
/// answer (a summary, an item of a catalog).
#[derive(Debug, Clone)]
pub enum Row<'a> {
    /// An object held in a table.
    Held(&'a Map<String, Value>),
    /// A value made for the answer.
    Made(Value),
}

impl Row<'_> {
    fn object(&self) -> Option<&Map<String, Value>> {
        match self {
            Row::Held(o) => Some(o),
            Row::Made(v) => v.as_object(),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Row::Held(o) => Value::Object(o.clone()),
            Row::Made(v) => v,
        }
    }
}

impl<'a> From<&'a Map<String, Value>> for Row<'a> {
    fn from(object: &'a Map<String, Value>) -> Self {
        Row::Held(object)
    }
}

impl From<Value> for Row<'_> {
    fn from(value: Value) -> Self {
        Row::Made(value)
    }
}

/// The value of a property path in an object: exact name first, then any case; missing is
/// `null`.
pub fn lookup<'a>(object: Option<&'a Map<String, Value>>, path: &[String]) -> &'a Value {
    let mut object = object;
    let mut current = &Value::Null;
    for name in path {
        let Some(obj) = object else {
            return &Value::Null;
        };
        current = obj
            .get(name)
            .or_else(|| {
                obj.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            })
            .unwrap_or(&Value::Null);
        object = current.as_object();
    }
    current
}

/// An evaluated operand.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null,
    Bool(bool),
    Number(Decimal),
    Text(String),
    Time(DateTime<Utc>),
}

fn of_json(v: &Value) -> Val {
    match v {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        // serde_json writes a float's shortest exact text, so 0.1 reads as the decimal 0.1.
        Value::Number(n) => decimal(&n.to_string()).map(Val::Number).unwrap_or(Val::Null),
        Value::String(s) => Val::Text(s.clone()),
        // Arrays and objects compare as their JSON text: equal only to themselves.
        other => Val::Text(other.to_string()),
    }
}

fn eval(expr: &Expr, item: &Row<'_>) -> Val {
    match expr {
        Expr::Literal(l) => match l {
            Literal::Null => Val::Null,
            Literal::Bool(b) => Val::Bool(*b),
            Literal::Number(n) => Val::Number(*n),
            Literal::Text(t) => Val::Text(t.clone()),
            Literal::Time(t) => Val::Time(*t),
        },
        Expr::Property(path) => of_json(lookup(item.object(), path)),
        Expr::Compare(l, op, r) => Val::Bool(compare(&eval(l, item), *op, &eval(r, item))),
        Expr::And(l, r) => Val::Bool(truth(&eval(l, item)) && truth(&eval(r, item))),
        Expr::Or(l, r) => Val::Bool(truth(&eval(l, item)) || truth(&eval(r, item))),
        Expr::Not(e) => Val::Bool(!truth(&eval(e, item))),
        Expr::Call(name, args) => {
            let vals: Vec<Val> = args.iter().map(|a| eval(a, item)).collect();
            let text = |v: &Val| match v {
                Val::Text(t) => Some(t.clone()),
                _ => None,
            };
            match (name.as_str(), vals.as_slice()) {
                ("tolower", [v]) => text(v)
                    .map(|t| Val::Text(t.to_lowercase()))
                    .unwrap_or(Val::Null),
                ("toupper", [v]) => text(v)
                    .map(|t| Val::Text(t.to_uppercase()))
                    .unwrap_or(Val::Null),
                (f, [a, b]) => match (text(a), text(b)) {
                    (Some(a), Some(b)) => Val::Bool(match f {
                        "contains" => a.contains(&b),
                        "startswith" => a.starts_with(&b),
                        _ => a.ends_with(&b),
                    }),
                    _ => Val::Bool(false),
                },
                _ => Val::Null,
            }
        }
    }
}

fn truth(v: &Val) -> bool {
    matches!(v, Val::Bool(true))
}

/// Orders two values of the same kind; a text meets a date-time as the instant it spells.
fn order(a: &Val, b: &Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Number(x), Val::Number(y)) => Some(x.cmp(y)),
        (Val::Text(x), Val::Text(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Time(x), Val::Time(y)) => Some(x.cmp(y)),
        (Val::Text(x), Val::Time(y)) => parse_time(x).map(|x| x.cmp(y)),
        (Val::Time(x), Val::Text(y)) => parse_time(y).map(|y| x.cmp(&y)),
        _ => None,
    }
}

fn compare(a: &Val, op: Op, b: &Val) -> bool {
    if matches!(a, Val::Null) || matches!(b, Val::Null) {
        let both = matches!(a, Val::Null) && matches!(b, Val::Null);
        return match op {
            Op::Eq => both,
            Op::Ne => !both,
            // OData: an ordering with null is false.
            _ => false,
        };
    }
    // A number sent as text (ids in some examples are strings): compare as numbers.
    let ordering = order(a, b).or_else(|| match (a, b) {
        (Val::Number(x), Val::Text(y)) => decimal(y).map(|y| x.cmp(&y)),
        (Val::Text(x), Val::Number(y)) => decimal(x).map(|x| x.cmp(y)),
        _ => None,
    });
    match (op, ordering) {
        (Op::Eq, o) => o == Some(Ordering::Equal),
        (Op::Ne, o) => o != Some(Ordering::Equal),
        (_, None) => false,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
    }
}

/// Whether `item` passes the filter.
pub fn matches(expr: &Expr, item: &Row<'_>) -> bool {
    truth(&eval(expr, item))
}

/// One `$orderby` key.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderKey {
    /// The property path.
    pub path: Vec<String>,
    /// `desc`.
    pub descending: bool,
}

/// Parses `$orderby`: keys separated by commas, each a property path and an optional
/// `asc`/`desc`.
pub fn parse_orderby(input: &str) -> Result<Vec<OrderKey>, Error> {
    let mut keys = Vec::new();
    for part in input.split(',') {
        let words: Vec<&str> = part.split_whitespace().collect();
        let (path, descending) = match words.as_slice() {
            [p] => (*p, false),
            [p, d] if d.eq_ignore_ascii_case("asc") => (*p, false),
            [p, d] if d.eq_ignore_ascii_case("desc") => (*p, true),
            _ => {
                return Err(Error(format!(
                    "$orderby: '{}' is not a property with an optional asc or desc.",
                    part.trim()
                )))
            }
        };
        let path: Vec<String> = path.split('/').map(str::to_string).collect();
        if path
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_alphanumeric() || c == '_'))
        {
            return Err(Error(format!(
                "$orderby: '{}' is not a property.",
                part.trim()
            )));
        }
        keys.push(OrderKey { path, descending });
    }
    Ok(keys)
}

/// A total order for sorting: nulls first, then booleans, numbers, then texts (a text that
/// spells a date-time sorts as its instant among other date-times).
fn sort_cmp(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            _ => 3,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => decimal(&x.to_string())
            .zip(decimal(&y.to_string()))
            .map(|(x, y)| x.cmp(&y))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => match (parse_time(x), parse_time(y)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => x.cmp(y),
        },
        (Value::Null, Value::Null) => Ordering::Equal,
        _ if rank(a) != rank(b) => rank(a).cmp(&rank(b)),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// The query options of one list call.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `$filter`.
    pub filter: Option<Expr>,
    /// `$orderby`.
    pub orderby: Vec<OrderKey>,
    /// `$top`.
    pub top: Option<usize>,
    /// `$skip`.
    pub skip: usize,
    /// `$select`: the top-level properties kept (only where a page documents it).
    pub select: Option<Vec<String>>,
}

impl Options {
    /// Reads the options from `(name, value)` pairs (names compared without regard to
    /// case, as the service binds them). `$expand` is refused, and so is `$select` unless
    /// `select_allowed`: ENDPOINTS.md says the service takes neither, but etrn.md lists
    /// `$select` for `1c/bills/gettitles`.
    pub fn read<'a>(
        get: impl Fn(&str) -> Option<&'a str>,
        select_allowed: bool,
    ) -> Result<Options, Error> {
        if get("$expand").is_some() {
            return Err(Error("$expand is not supported.".into()));
        }
        if get("$select").is_some() && !select_allowed {
            return Err(Error("$select is not supported.".into()));
        }
        let select = match get("$select") {
            None => None,
            Some(list) => {
                let names: Vec<String> = list.split(',').map(|n| n.trim().to_string()).collect();
                if names
                    .iter()
                    .any(|n| n.is_empty() || !n.chars().all(|c| c.is_alphanumeric() || c == '_'))
                {
                    return Err(Error(format!(
                        "$select: '{list}' is not a list of properties."
                    )));
                }
                Some(names)
            }
        };
        let number = |name: &str| -> Result<Option<usize>, Error> {
            get(name)
                .map(|v| {
                    v.trim().parse::<usize>().map_err(|_| {
                        Error(format!("{name} must be a non-negative integer, got '{v}'."))
                    })
                })
                .transpose()
        };
        if let Some(count) = get("$count") {
            if !count.eq_ignore_ascii_case("true") && !count.eq_ignore_ascii_case("false") {
                return Err(Error(format!(
                    "$count must be true or false, got '{count}'."
                )));
            }
        }
        Ok(Options {
            filter: get("$filter").map(parse_filter).transpose()?,
            orderby: get("$orderby")
                .map(parse_orderby)
                .transpose()?
                .unwrap_or_default(),
            top: number("$top")?,
            skip: number("$skip")?.unwrap_or(0),
            select,
        })
    }

    /// Filters, sorts (a stable sort: equal keys keep their order), then pages; answers the
    /// page and the count after the filter (`X-MetaCount`). Only the page is copied.
    pub fn apply<'a, R: Into<Row<'a>>>(
        &self,
        items: impl IntoIterator<Item = R>,
    ) -> (Vec<Value>, usize) {
        let mut rows: Vec<Row<'a>> = items
            .into_iter()
            .map(Into::into)
            .filter(|row| self.filter.as_ref().is_none_or(|f| matches(f, row)))
            .collect();
        let total = rows.len();
        if !self.orderby.is_empty() {
            rows.sort_by(|a, b| {
                for key in &self.orderby {
                    let o = sort_cmp(lookup(a.object(), &key.path), lookup(b.object(), &key.path));
                    let o = if key.descending { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
        }
        let page = rows
            .into_iter()
            .skip(self.skip)
            .take(self.top.unwrap_or(usize::MAX))
            .map(|row| match (&self.select, row.object()) {
                (Some(names), Some(o)) => Value::Object(
                    o.iter()
                        .filter(|(k, _)| names.iter().any(|n| n.eq_ignore_ascii_case(k)))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ),
                _ => row.into_value(),
            })
            .collect();
        (page, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows() -> Vec<Value> {
        vec![
            json!({"id": 1, "name": "O'Neil", "status": "New", "price": 100.5, "isDeleted": false,
                   "updatedAt": "2026-01-23T20:00:00Z", "car": {"number": "A001AA"}}),
            json!({"id": 2, "name": "Иванов", "status": "Started", "price": 200, "isDeleted": true,
                   "updatedAt": "2026-01-23T21:00:00Z", "car": {"number": "B002BB"}}),
            json!({"id": 3, "name": "Петров", "status": "Done", "price": null, "isDeleted": false,
                   "updatedAt": "2026-01-24T00:30:00+03:00", "car": null}),
        ]
    }

    fn ids(filter: &str) -> Vec<i64> {
        let f = parse_filter(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        rows()
            .iter()
            .filter(|r| matches(&f, &Row::from((*r).clone())))
            .map(|r| r["id"].as_i64().unwrap())
            .collect()
    }

    #[test]
    fn the_six_comparisons_on_numbers() {
        assert_eq!(ids("id eq 2"), [2]);
        assert_eq!(ids("id ne 2"), [1, 3]);
        assert_eq!(ids("id gt 2"), [3]);
        assert_eq!(ids("id ge 2"), [2, 3]);
        assert_eq!(ids("id lt 2"), [1]);
        assert_eq!(ids("id le 2"), [1, 2]);
        assert_eq!(ids("price ge 100.5"), [1, 2]);
    }

    #[test]
    fn logic_with_precedence_and_parentheses() {
        // and binds tighter than or.
        assert_eq!(ids("id eq 1 or id eq 2 and isDeleted eq false"), [1]);
        assert_eq!(ids("(id eq 1 or id eq 2) and isDeleted eq true"), [2]);
        assert_eq!(ids("not (id eq 1) and not isDeleted"), [3]);
        assert_eq!(ids("NOT isDeleted AND status EQ 'Done'"), [3]);
    }

    #[test]
    fn texts_enums_and_doubled_quotes() {
        assert_eq!(ids("name eq 'O''Neil'"), [1]);
        assert_eq!(ids("status eq 'Started'"), [2]);
        assert_eq!(ids("name eq 'Иванов'"), [2]);
        assert_eq!(ids("contains(name, 'ов')"), [2, 3]);
        assert_eq!(ids("startswith(tolower(name), 'o''')"), [1]);
    }

    #[test]
    fn nulls_booleans_and_nested_properties() {
        assert_eq!(ids("price eq null"), [3]);
        assert_eq!(ids("price ne null"), [1, 2]);
        // An ordering against null is false both ways.
        assert_eq!(ids("price gt null"), Vec::<i64>::new());
        assert_eq!(ids("isDeleted eq true"), [2]);
        assert_eq!(ids("car/number eq 'B002BB'"), [2]);
        assert_eq!(ids("car/number eq null"), [3]);
        assert_eq!(ids("missing eq null"), [1, 2, 3]);
    }

    #[test]
    fn date_times_compare_as_instants_across_zones() {
        // The sync.md example literal; 2026-01-24T00:30:00+03:00 is 21:30Z.
        assert_eq!(ids("updatedAt ge 2026-01-23T21:00:00Z"), [2, 3]);
        assert_eq!(ids("updatedAt gt 2026-01-23T21:00:00Z"), [3]);
        assert_eq!(ids("updatedAt lt 2026-01-23T21:00:00+00:00"), [1]);
        assert_eq!(ids("updatedAt ge 2026-01-24"), Vec::<i64>::new());
    }

    /// The sync's keyset: `updatedAt` with 7 fractional digits, two values in the same
    /// millisecond, `eq` and `gt` exact, and `$orderby=updatedAt,id` ordering the ties by id.
    #[test]
    fn seven_digit_date_times_compare_exactly_and_order_with_their_ties() {
        let rows = vec![
            json!({"id": 5, "updatedAt": "2026-01-23T21:00:00.1234568Z"}),
            json!({"id": 4, "updatedAt": "2026-01-23T21:00:00.1234567Z"}),
            json!({"id": 3, "updatedAt": "2026-01-24T00:00:00.1234567+03:00"}),
            json!({"id": 2, "updatedAt": "2026-01-23T21:00:00.123Z"}),
        ];
        let ids = |filter: &str, order: Option<&str>| -> Vec<i64> {
            let opts = Options::read(
                |n| match n {
                    "$filter" => Some(filter),
                    "$orderby" => order,
                    _ => None,
                },
                false,
            )
            .unwrap();
            opts.apply(rows.clone())
                .0
                .iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect()
        };
        let x = "2026-01-23T21:00:00.1234567Z";
        assert_eq!(ids(&format!("updatedAt eq {x}"), None), [4, 3]);
        assert_eq!(ids(&format!("updatedAt gt {x}"), None), [5]);
        assert_eq!(
            ids(
                &format!("updatedAt gt {x} or (updatedAt eq {x} and id gt 3)"),
                None
            ),
            [5, 4]
        );
        assert_eq!(
            ids("updatedAt ge 2026-01-23T21:00:00.123Z", Some("updatedAt,id")),
            [2, 3, 4, 5]
        );
    }

    #[test]
    fn numbers_compare_as_decimals_not_floats() {
        let rows = [
            json!({"id": 9007199254740993_i64, "price": 0.1}),
            json!({"id": 9007199254740992_i64, "price": 0.30000000000000004}),
        ];
        let ids = |filter: &str| -> Vec<i64> {
            let f = parse_filter(filter).unwrap();
            rows.iter()
                .filter(|r| matches(&f, &Row::from((*r).clone())))
                .map(|r| r["id"].as_i64().unwrap())
                .collect()
        };
        assert_eq!(ids("id eq 9007199254740993"), [9007199254740993]);
        assert_eq!(ids("price eq 0.1"), [9007199254740993]);
        assert_eq!(ids("price gt 0.3"), [9007199254740992]);
    }

    #[test]
    fn property_names_in_another_case_still_match() {
        assert_eq!(ids("UpdatedAt ge 2026-01-23T21:00:00Z and ID le 2"), [2]);
    }

    #[test]
    fn malformed_filters_are_refused_naming_the_problem() {
        for (bad, says) in [
            ("id eq", "operand expected"),
            ("name eq 'open", "not closed"),
            ("id eqq 1", "unknown operator"),
            ("(id eq 1", "')' expected"),
            ("id eq 1)", "unexpected text"),
            ("foo(id)", "unknown function"),
            ("id eq 1 and", "operand expected"),
            ("id # 1", "unexpected character"),
            ("", "empty"),
            ("id eq 12abc", "not a number"),
            ("contains(name)", "takes 2"),
        ] {
            let err = parse_filter(bad).expect_err(bad);
            assert!(err.0.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn orderby_several_keys_then_skip_and_top() {
        let opts = Options::read(
            |name| match name {
                "$orderby" => Some("isDeleted desc, id desc"),
                "$skip" => Some("1"),
                "$top" => Some("1"),
                _ => None,
            },
            false,
        )
        .unwrap();
        let (page, total) = opts.apply(rows());
        assert_eq!(total, 3);
        // isDeleted desc: 2 first; then 3, 1 by id desc; skip 1, take 1 → 3.
        assert_eq!(page, vec![rows()[2].clone()]);
    }

    #[test]
    fn orderby_date_times_by_instant_and_nulls_first() {
        let opts = Options::read(
            |name| (name == "$orderby").then_some("updatedAt desc"),
            false,
        )
        .unwrap();
        let (page, _) = opts.apply(rows());
        let order: Vec<i64> = page.iter().map(|r| r["id"].as_i64().unwrap()).collect();
        assert_eq!(order, [3, 2, 1]);
        let opts = Options::read(|name| (name == "$orderby").then_some("price"), false).unwrap();
        let order: Vec<i64> = opts
            .apply(rows())
            .0
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        assert_eq!(order, [3, 1, 2]);
    }

    #[test]
    fn the_count_is_taken_after_the_filter_before_the_page() {
        let opts = Options::read(
            |name| match name {
                "$filter" => Some("isDeleted eq false"),
                "$top" => Some("1"),
                _ => None,
            },
            false,
        )
        .unwrap();
        let (page, total) = opts.apply(rows());
        assert_eq!((page.len(), total), (1, 2));
    }

    #[test]
    fn bad_paging_and_unsupported_options_are_refused() {
        for (name, value, says) in [
            ("$top", "-1", "$top"),
            ("$skip", "x", "$skip"),
            ("$count", "yes", "$count"),
            ("$select", "id", "not supported"),
            ("$expand", "car", "not supported"),
            ("$orderby", "id sideways", "$orderby"),
            ("$orderby", "", "$orderby"),
        ] {
            let err = Options::read(|n| (n == name).then_some(value), false).expect_err(name);
            assert!(err.0.contains(says), "{name}={value}: {err}");
        }
    }

    #[test]
    fn select_keeps_the_named_properties_where_allowed() {
        let get = |n: &str| (n == "$select").then_some("id, Status");
        let opts = Options::read(get, true).unwrap();
        let (page, _) = opts.apply(rows());
        assert_eq!(page[0], json!({"id": 1, "status": "New"}));
        assert!(Options::read(|n| (n == "$select").then_some("id,,x"), true).is_err());
    }

    #[test]
    fn rows_held_in_a_table_answer_as_rows_made_for_the_answer() {
        let held: Vec<Map<String, Value>> =
            rows().into_iter().map(|r| r.as_object().unwrap().clone()).collect();
        for (name, value) in [
            ("$filter", "isDeleted eq false or car/number eq 'B002BB'"),
            ("$orderby", "updatedAt desc"),
            ("$skip", "1"),
            ("$select", "id,car"),
        ] {
            let opts = Options::read(|n| (n == name).then_some(value), true).unwrap();
            assert_eq!(opts.apply(&held), opts.apply(rows()), "{name}={value}");
        }
    }
}
