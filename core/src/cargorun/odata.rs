//! OData queries for CARGO.RUN's list calls, built from typed pieces so that they cannot be
//! malformed: `$filter`, `$orderby`, `$top`, `$skip` and `$count` (ENDPOINTS.md § CARGO.RUN;
//! `_overview.md` §4.3).
//!
//! ```
//! use logibridge::cargorun::odata::{Field, Query};
//! use logibridge::cargorun::BidStatus;
//! use chrono::{TimeZone, Utc};
//!
//! let since = Utc.with_ymd_and_hms(2019, 11, 20, 6, 0, 0).unwrap();
//! let q = Query::new()
//!     .filter(Field::new("status").eq(BidStatus::Done) & Field::new("updatedAt").gt(since))
//!     .orderby([Field::new("updatedAt").asc(), Field::new("id").asc()])
//!     .top(50)
//!     .skip(0);
//! let params = q.params().unwrap();
//! // examples-1c.md §2.2, with the keys the rows take:
//! assert_eq!(params["filter"], "status eq 'Done' and updatedAt gt 2019-11-20T06:00:00Z");
//! assert_eq!(params["orderby"], "updatedAt,id");
//! assert_eq!((params["top"].as_u64(), params["skip"].as_u64()), (Some(50), Some(0)));
//! ```
//!
//! # What is rendered, and why
//!
//! - Comparisons `eq ne gt ge lt le` of a property path (`updatedAt`, `car/number`) with a
//!   literal; `and`, `or`, `not`. Parentheses come from the tree: an `or` inside an `and` is
//!   bracketed, as is an `and` inside an `or` (for the reader; `and` binds tighter anyway),
//!   and `not` always brackets its operand, so `not (a eq 1)` means the same to every OData
//!   parser (OData 4 binds `not` tighter than `eq`).
//! - Literals: texts in single quotes with `'` doubled (`'O''Neil'`); date-times in UTC
//!   as `2026-01-23T21:00:00Z` (the pages' form; formats.md), with the fractional digits
//!   that were given, up to the 7 of the service's 100 ns ticks (`…00.1234567Z`), never
//!   more and never invented; a date-time without an offset is refused (`_overview.md`
//!   §4.2 asks for one); integers; decimals from [`rust_decimal::Decimal`] (never a float,
//!   so `0.1` stays `0.1`); `true`/`false`; `null`; enums by their name in quotes
//!   (`status eq 'Done'`, the pages' own example), and an enum's `Unknown(raw)` is refused:
//!   what is sent must be a name the service documents (formats.md §9).
//! - `in` is not offered: the pages document no `in` (OData 4.01) and nothing shows the
//!   service accepts it. [`Field::one_of`] writes the equivalent `or` of `eq`s, which every
//!   OData 4.0 service reads. String functions (`contains`, `startswith`, …) are not
//!   offered either: no page documents them. Both stay reachable as a raw filter string.
//! - `$orderby` is sent as the rows send it: under the lower-case name `$orderby` (the pages
//!   write it so; the service ignores case), keys joined by `,`, `desc` written and `asc`
//!   implied (`updatedAt,id desc`).
//! - The transport writes the query with `application/x-www-form-urlencoded` escaping (the
//!   `url` crate): a space is `+`, and `+ & # ' %` and every non-ASCII byte (Cyrillic) are
//!   percent-escaped, so no literal can end or split a parameter.
//!
//! A piece that cannot be sent (an `Unknown` enum, a path that is not a property name, a
//! time finer than 100 ns) does not panic where it is built: like `reqwest`'s request
//! builder, the query keeps the first such error and [`Query::params`] (or
//! [`Expr::render`]) returns it.
//!
//! # The JSON description (C, 1C, Python)
//!
//! Every OData list row takes a parameter `query`: one JSON object describing the query,
//! rendered here, so every face gets the same text; the object itself or its JSON text (1C
//! passes strings). Its keys (all optional):
//!
//! | key | value |
//! |---|---|
//! | `filter` | an expression (below) |
//! | `orderby` | a list of keys: `"updatedAt"` or `["updatedAt", "asc"]` / `["id", "desc"]` |
//! | `top`, `skip` | non-negative integers (`top` above 50 needs the row's `allow_large_top`) |
//! | `count` | `true`/`false` |
//!
//! An expression is a JSON array whose first item is the operator:
//! `["and", e1, e2, …]`, `["or", e1, e2, …]` (two operands or more), `["not", e]`, and
//! `["eq" | "ne" | "gt" | "ge" | "lt" | "le", "property/path", literal]`. A literal is
//! `null`, `true`/`false`, an integer JSON number, a JSON string (a text), or an object with
//! one key saying its type where JSON cannot: `{"text": "…"}`, `{"datetime":
//! "2026-01-23T21:00:00Z"}` (an offset is required), `{"decimal": "100.50"}` (a string, so
//! no float rounds it), `{"enum": "Done"}`. A JSON number with a fraction is refused (write
//! a decimal), and so is a bare string that spells a date-time (write `{"datetime": …}`, or
//! `{"text": …}` if a text is meant): the two would be sent differently.
//!
//! ```json
//! {"filter": ["and", ["ge", "updatedAt", {"datetime": "2026-01-23T21:00:00Z"}],
//!                    ["eq", "status", {"enum": "Done"}]],
//!  "orderby": [["updatedAt", "asc"], ["id", "asc"]], "top": 50, "skip": 0, "count": true}
//! ```
//!
//! An error names the JSON path of what is wrong (`query.filter[1][2].datetime: …`). The
//! raw string parameters `filter`, `orderby`, `top`, `skip`, `count` stay for power users;
//! a key given both raw and in `query` is refused.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDateTime, TimeZone, Timelike, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::wire::OpenEnum;
use crate::error::{Error, Result};

/// Why a piece of a query cannot be sent, kept until the query is rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Refusal {
    en: String,
    ru: String,
}

impl Refusal {
    fn new(en: impl Into<String>, ru: impl Into<String>) -> Refusal {
        Refusal { en: en.into(), ru: ru.into() }
    }

    fn into_error(self) -> Error {
        Error::invalid_argument(format!("OData query: {}", self.en), format!("запрос OData: {}", self.ru))
    }
}

// ------------------------------------------------------------------------------- paths

/// A property path of the listed model: names joined by `/` (`updatedAt`, `car/number`),
/// each a letter or `_` followed by letters, digits or `_`.
///
/// ```
/// use logibridge::cargorun::odata::Field;
/// assert_eq!(Field::new("car/number").eq("А001АА77").render().unwrap(), "car/number eq 'А001АА77'");
/// assert!(Field::new("updated At").eq(1).render().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    path: String,
    refusal: Option<Refusal>,
}

fn is_name(segment: &str) -> bool {
    let mut chars = segment.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_path(path: &str) -> std::result::Result<(), Refusal> {
    if path.split('/').all(is_name) {
        Ok(())
    } else {
        let shown = crate::shown_input(path);
        Err(Refusal::new(
            format!("\"{shown}\" is not a property path (names of letters, digits and _ joined by /)"),
            format!("«{shown}» не является путём к свойству (имена из латинских букв, цифр и _ через /)"),
        ))
    }
}

impl Field {
    /// The property at `path`. A path that is not one is refused when the query is
    /// rendered.
    pub fn new(path: impl Into<String>) -> Field {
        let path = path.into();
        let refusal = check_path(&path).err();
        Field { path, refusal }
    }

    /// The path as written.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn compare(&self, op: Op, value: Literal) -> Expr {
        match &self.refusal {
            Some(r) => Expr(Node::Refused(r.clone())),
            None => Expr(Node::Compare(self.path.clone(), op, value)),
        }
    }

    /// `path eq value` (`status eq 'Done'`; `externalId eq null`).
    pub fn eq(&self, value: impl Into<Literal>) -> Expr {
        self.compare(Op::Eq, value.into())
    }
    /// `path ne value`.
    pub fn ne(&self, value: impl Into<Literal>) -> Expr {
        self.compare(Op::Ne, value.into())
    }
    /// `path gt value`.
    pub fn gt(&self, value: impl Into<Literal>) -> Expr {
        self.compare(Op::Gt, value.into())
    }
    /// `path ge value`.
    pub fn ge(&self, value: impl Into<Literal>) -> Expr {
        self.compare(Op::Ge, value.into())
    }
    /// `path lt value`.
    pub fn lt(&self, value: impl Into<Literal>) -> Expr {
        self.compare(Op::Lt, value.into())
    }
    /// `path le value`.
    pub fn le(&self, value: impl Into<Literal>) -> Expr {
        self.compare(Op::Le, value.into())
    }

    /// `path` equal to one of `values`, written as `eq`s joined by `or` (the pages document
    /// no `in`). No values at all is refused: it would match nothing, which is rarely meant.
    ///
    /// ```
    /// use logibridge::cargorun::odata::Field;
    /// assert_eq!(Field::new("id").one_of([3, 5]).render().unwrap(), "id eq 3 or id eq 5");
    /// ```
    pub fn one_of<L: Into<Literal>>(&self, values: impl IntoIterator<Item = L>) -> Expr {
        let nodes: Vec<Node> = values.into_iter().map(|v| self.eq(v).0).collect();
        match nodes.len() {
            0 => Expr(Node::Refused(Refusal::new(
                format!("one_of on {} has no values", self.path),
                format!("one_of для {} без значений", self.path),
            ))),
            1 => Expr(nodes.into_iter().next().expect("one node")),
            _ => Expr(Node::Or(nodes)),
        }
    }

    /// Sort by this property, ascending.
    pub fn asc(&self) -> OrderKey {
        OrderKey { field: self.clone(), descending: false }
    }
    /// Sort by this property, descending.
    pub fn desc(&self) -> OrderKey {
        OrderKey { field: self.clone(), descending: true }
    }
}

// ------------------------------------------------------------------------------- literals

/// A value compared with a property, typed, so it is written in the form OData reads.
///
/// ```
/// use logibridge::cargorun::odata::{Field, Literal};
/// use rust_decimal::Decimal;
/// let f = Field::new("x");
/// assert_eq!(f.eq("O'Neil").render().unwrap(), "x eq 'O''Neil'");
/// assert_eq!(f.eq(Decimal::new(10050, 2)).render().unwrap(), "x eq 100.50");
/// assert_eq!(f.eq(Literal::NULL).render().unwrap(), "x eq null");
/// assert_eq!(f.eq(None::<i64>).render().unwrap(), "x eq null");
/// assert_eq!(f.ne(false).render().unwrap(), "x ne false");
/// assert_eq!(f.eq(Literal::datetime("2026-01-23T21:00:00.1234567Z").unwrap()).render().unwrap(),
///            "x eq 2026-01-23T21:00:00.1234567Z");
/// assert!(Literal::datetime("2026-01-23T21:00:00").is_err(), "no offset");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Literal(Lit);

#[derive(Clone, Debug, PartialEq)]
enum Lit {
    Null,
    Bool(bool),
    Int(i64),
    Decimal(Decimal),
    Text(String),
    Enum(String),
    DateTime(Stamp),
    Refused(Refusal),
}

/// An instant and how many of its fractional digits to write (0 to 7).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    utc: DateTime<Utc>,
    digits: usize,
}

/// The service keeps 100 ns ticks (.NET `DateTime`): 7 fractional digits.
const MAX_DIGITS: usize = 7;

impl Stamp {
    fn render(&self, out: &mut String) {
        let _ = write!(out, "{}", self.utc.format("%Y-%m-%dT%H:%M:%S"));
        if self.digits > 0 {
            let nanos = format!("{:09}", self.utc.nanosecond());
            out.push('.');
            out.push_str(&nanos[..self.digits]);
        }
        out.push('Z');
    }

    /// The fewest digits that keep the instant; refused when it is finer than 100 ns.
    fn of<Tz: TimeZone>(t: &DateTime<Tz>) -> std::result::Result<Stamp, Refusal> {
        let utc = t.with_timezone(&Utc);
        let nanos = utc.nanosecond();
        if nanos >= 1_000_000_000 || nanos % 100 != 0 {
            return Err(Refusal::new(
                format!("{} is finer than the service's 100 ns (7 fractional digits)", utc.to_rfc3339()),
                format!("{} точнее 100 нс сервиса (7 знаков после запятой)", utc.to_rfc3339()),
            ));
        }
        let text = format!("{nanos:09}");
        let digits = text.trim_end_matches('0').len();
        Ok(Stamp { utc, digits })
    }

    fn parse(text: &str) -> std::result::Result<Stamp, Refusal> {
        let shown = crate::shown_input(text);
        let utc = match DateTime::parse_from_rfc3339(text.trim()) {
            Ok(t) => t.with_timezone(&Utc),
            Err(_) => {
                let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"].iter().any(|f| NaiveDateTime::parse_from_str(text.trim(), f).is_ok());
                return Err(if naive {
                    Refusal::new(
                        format!("the date-time \"{shown}\" has no time-zone offset: add Z or +03:00 (_overview.md §4.2)"),
                        format!("у даты-времени «{shown}» нет смещения часового пояса: добавьте Z или +03:00 (_overview.md §4.2)"),
                    )
                } else {
                    Refusal::new(
                        format!("\"{shown}\" is not an ISO 8601 date-time with an offset (2026-01-23T21:00:00Z)"),
                        format!("«{shown}» не является датой-временем ISO 8601 со смещением (2026-01-23T21:00:00Z)"),
                    )
                });
            }
        };
        // The digits as given: between the '.' after the seconds and the offset.
        let digits = text.trim().split_once('.').map(|(_, rest)| rest.chars().take_while(char::is_ascii_digit).count()).unwrap_or(0);
        if digits > MAX_DIGITS {
            return Err(Refusal::new(
                format!("\"{shown}\" has {digits} fractional digits; the service keeps 7 (100 ns)"),
                format!("в «{shown}» {digits} знаков после запятой; сервис хранит 7 (100 нс)"),
            ));
        }
        Ok(Stamp { utc, digits })
    }
}

impl Literal {
    /// `null`.
    pub const NULL: Literal = Literal(Lit::Null);

    /// A date-time from its ISO 8601 text with an offset (`2026-01-23T21:00:00Z`,
    /// `2026-01-24T00:00:00+03:00`), written in UTC with the fractional digits given (up to
    /// 7). A text without an offset, or with more than 7 digits, is an
    /// [`Error::InvalidArgument`].
    pub fn datetime(text: &str) -> Result<Literal> {
        Stamp::parse(text).map(|s| Literal(Lit::DateTime(s))).map_err(Refusal::into_error)
    }

    /// A text, even one that spells a date-time or a number (`'2026'`).
    pub fn text(text: impl Into<String>) -> Literal {
        Literal(Lit::Text(text.into()))
    }

    /// An enum value by its name, from an open enum of [`crate::cargorun::generated`]; an
    /// `Unknown(raw)` value is refused when rendered (only a documented name is sent).
    pub fn enum_name<E: OpenEnum>(value: &E) -> Literal {
        if value.is_unknown() {
            let (shown, names) = (crate::shown_input(value.as_str()), E::NAMES.join(", "));
            return Literal(Lit::Refused(Refusal::new(
                format!("\"{shown}\" is not one of the names the service lists ({names}): a value sent must be one of them (formats.md)"),
                format!("«{shown}» нет среди значений, которые перечисляет сервис ({names}): отправлять можно только их (formats.md)"),
            )));
        }
        Literal(Lit::Enum(value.as_str().to_owned()))
    }

    fn render(&self, out: &mut String) -> std::result::Result<(), Refusal> {
        match &self.0 {
            Lit::Null => out.push_str("null"),
            Lit::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Lit::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Lit::Decimal(d) => {
                let _ = write!(out, "{d}");
            }
            Lit::Text(t) | Lit::Enum(t) => {
                out.push('\'');
                out.push_str(&t.replace('\'', "''"));
                out.push('\'');
            }
            Lit::DateTime(s) => s.render(out),
            Lit::Refused(r) => return Err(r.clone()),
        }
        Ok(())
    }
}

impl From<&str> for Literal {
    fn from(v: &str) -> Literal {
        Literal::text(v)
    }
}
impl From<String> for Literal {
    fn from(v: String) -> Literal {
        Literal::text(v)
    }
}
impl From<&String> for Literal {
    fn from(v: &String) -> Literal {
        Literal::text(v.as_str())
    }
}
impl From<bool> for Literal {
    fn from(v: bool) -> Literal {
        Literal(Lit::Bool(v))
    }
}
impl From<i64> for Literal {
    fn from(v: i64) -> Literal {
        Literal(Lit::Int(v))
    }
}
impl From<i32> for Literal {
    fn from(v: i32) -> Literal {
        Literal(Lit::Int(v.into()))
    }
}
impl From<u32> for Literal {
    fn from(v: u32) -> Literal {
        Literal(Lit::Int(v.into()))
    }
}
impl From<u64> for Literal {
    /// Refused above `i64::MAX` (the service's ids are 64-bit signed).
    fn from(v: u64) -> Literal {
        match i64::try_from(v) {
            Ok(i) => Literal(Lit::Int(i)),
            Err(_) => Literal(Lit::Refused(Refusal::new(format!("{v} is beyond a 64-bit signed integer"), format!("{v} больше 64-битного целого со знаком")))),
        }
    }
}
impl From<Decimal> for Literal {
    fn from(v: Decimal) -> Literal {
        Literal(Lit::Decimal(v))
    }
}
impl<Tz: TimeZone> From<DateTime<Tz>> for Literal {
    /// In UTC, with the fewest fractional digits that keep the instant; finer than 100 ns is
    /// refused when rendered.
    fn from(v: DateTime<Tz>) -> Literal {
        Literal(Stamp::of(&v).map_or_else(Lit::Refused, Lit::DateTime))
    }
}
impl<T: Into<Literal>> From<Option<T>> for Literal {
    /// `None` is `null`.
    fn from(v: Option<T>) -> Literal {
        v.map_or(Literal::NULL, Into::into)
    }
}

impl<E: OpenEnum> From<E> for Literal {
    /// An enum of [`crate::cargorun::generated`] by its name ([`Literal::enum_name`]).
    fn from(v: E) -> Literal {
        Literal::enum_name(&v)
    }
}

// ------------------------------------------------------------------------------- expressions

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

impl Op {
    /// Every operator.
    pub const ALL: [Op; 6] = [Op::Eq, Op::Ne, Op::Gt, Op::Ge, Op::Lt, Op::Le];

    /// Its OData name (`eq`).
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Lt => "lt",
            Op::Le => "le",
        }
    }

    fn parse(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

/// A `$filter` expression: comparisons joined by `and`/`or`, negated by `not` (also `&`, `|`
/// and `!`). Parentheses follow from the tree.
///
/// ```
/// use logibridge::cargorun::odata::Field;
/// let (a, b, c) = (Field::new("a").eq(1), Field::new("b").eq(2), Field::new("c").eq(3));
/// assert_eq!((a.clone() & (b.clone() | c.clone())).render().unwrap(), "a eq 1 and (b eq 2 or c eq 3)");
/// assert_eq!((a.clone() | b.clone() & c.clone()).render().unwrap(), "a eq 1 or (b eq 2 and c eq 3)");
/// assert_eq!((!a).render().unwrap(), "not (a eq 1)");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Expr(Node);

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Compare(String, Op, Literal),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Refused(Refusal),
}

impl Expr {
    /// Both (`a and b`; a chain of `and`s stays flat).
    pub fn and(self, other: Expr) -> Expr {
        let mut items = match self.0 {
            Node::And(items) => items,
            node => vec![node],
        };
        match other.0 {
            Node::And(more) => items.extend(more),
            node => items.push(node),
        }
        Expr(Node::And(items))
    }

    /// Either (`a or b`; a chain of `or`s stays flat).
    pub fn or(self, other: Expr) -> Expr {
        let mut items = match self.0 {
            Node::Or(items) => items,
            node => vec![node],
        };
        match other.0 {
            Node::Or(more) => items.extend(more),
            node => items.push(node),
        }
        Expr(Node::Or(items))
    }

    /// The negation, `not (…)`.
    pub fn negate(self) -> Expr {
        Expr(Node::Not(Box::new(self.0)))
    }

    /// The `$filter` text; the first piece that cannot be sent is an
    /// [`Error::InvalidArgument`] naming it.
    pub fn render(&self) -> Result<String> {
        let mut out = String::new();
        write_node(&self.0, &mut out).map_err(Refusal::into_error)?;
        Ok(out)
    }

    /// The expression as the JSON description reads it (module docs), or the first piece
    /// that cannot be sent.
    pub fn to_json(&self) -> Result<Value> {
        node_json(&self.0).map_err(Refusal::into_error)
    }

    /// Reads an expression of the JSON description (module docs); `at` is the JSON path
    /// of `value`, named in errors (`query.filter`).
    pub fn from_json(value: &Value, at: &str) -> Result<Expr> {
        parse_node(value, at).map(Expr).map_err(|(path, r)| path_error(&path, r))
    }
}

impl std::ops::BitAnd for Expr {
    type Output = Expr;
    /// [`Expr::and`].
    fn bitand(self, other: Expr) -> Expr {
        self.and(other)
    }
}
impl std::ops::BitOr for Expr {
    type Output = Expr;
    /// [`Expr::or`].
    fn bitor(self, other: Expr) -> Expr {
        self.or(other)
    }
}
impl std::ops::Not for Expr {
    type Output = Expr;
    /// [`Expr::negate`].
    fn not(self) -> Expr {
        self.negate()
    }
}

fn write_node(node: &Node, out: &mut String) -> std::result::Result<(), Refusal> {
    match node {
        Node::Compare(path, op, value) => {
            out.push_str(path);
            out.push(' ');
            out.push_str(op.as_str());
            out.push(' ');
            value.render(out)?;
        }
        Node::And(items) | Node::Or(items) => {
            let (joint, bracketed): (&str, fn(&Node) -> bool) = match node {
                Node::And(_) => (" and ", |n| matches!(n, Node::Or(_))),
                _ => (" or ", |n| matches!(n, Node::And(_))),
            };
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(joint);
                }
                if bracketed(item) {
                    out.push('(');
                    write_node(item, out)?;
                    out.push(')');
                } else {
                    write_node(item, out)?;
                }
            }
        }
        Node::Not(inner) => {
            out.push_str("not (");
            write_node(inner, out)?;
            out.push(')');
        }
        Node::Refused(r) => return Err(r.clone()),
    }
    Ok(())
}

// ------------------------------------------------------------------------------- order

/// One `$orderby` key: [`Field::asc`], [`Field::desc`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderKey {
    field: Field,
    descending: bool,
}

impl OrderKey {
    /// The property.
    pub fn field(&self) -> &Field {
        &self.field
    }
    /// Whether it sorts descending.
    pub fn is_descending(&self) -> bool {
        self.descending
    }
}

/// `$orderby`: keys ([`Field::asc`], [`Field::desc`]) or, for power users, a raw string.
///
/// ```
/// use logibridge::cargorun::odata::{Field, OrderBy};
/// let keys: OrderBy = vec![Field::new("updatedAt").asc(), Field::new("id").desc()].into();
/// assert_eq!(keys.render().unwrap(), "updatedAt,id desc");
/// assert_eq!(OrderBy::from("id desc").render().unwrap(), "id desc");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderBy {
    /// Typed keys, most significant first.
    Keys(Vec<OrderKey>),
    /// Sent as written.
    Raw(String),
}

impl OrderBy {
    /// The `$orderby` text.
    pub fn render(&self) -> Result<String> {
        match self {
            OrderBy::Raw(s) => Ok(s.clone()),
            OrderBy::Keys(keys) => {
                let mut out = String::new();
                for (i, k) in keys.iter().enumerate() {
                    if let Some(r) = &k.field.refusal {
                        return Err(r.clone().into_error());
                    }
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&k.field.path);
                    if k.descending {
                        out.push_str(" desc");
                    }
                }
                if keys.is_empty() {
                    return Err(Refusal::new("$orderby has no keys", "в $orderby нет ключей").into_error());
                }
                Ok(out)
            }
        }
    }
}

impl From<&str> for OrderBy {
    fn from(v: &str) -> OrderBy {
        OrderBy::Raw(v.to_owned())
    }
}
impl From<String> for OrderBy {
    fn from(v: String) -> OrderBy {
        OrderBy::Raw(v)
    }
}
impl From<OrderKey> for OrderBy {
    fn from(v: OrderKey) -> OrderBy {
        OrderBy::Keys(vec![v])
    }
}
impl From<Vec<OrderKey>> for OrderBy {
    fn from(v: Vec<OrderKey>) -> OrderBy {
        OrderBy::Keys(v)
    }
}
impl<const N: usize> From<[OrderKey; N]> for OrderBy {
    fn from(v: [OrderKey; N]) -> OrderBy {
        OrderBy::Keys(v.into())
    }
}

/// `$filter`: an [`Expr`] or, for power users, a raw string sent as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    /// A typed expression.
    Expr(Expr),
    /// Sent as written.
    Raw(String),
}

impl Filter {
    /// The `$filter` text.
    pub fn render(&self) -> Result<String> {
        match self {
            Filter::Expr(e) => e.render(),
            Filter::Raw(s) => Ok(s.clone()),
        }
    }
}

impl From<Expr> for Filter {
    fn from(v: Expr) -> Filter {
        Filter::Expr(v)
    }
}
impl From<&str> for Filter {
    fn from(v: &str) -> Filter {
        Filter::Raw(v.to_owned())
    }
}
impl From<String> for Filter {
    fn from(v: String) -> Filter {
        Filter::Raw(v)
    }
}

// ------------------------------------------------------------------------------- query

/// The OData options of a list call (ENDPOINTS.md § CARGO.RUN): `$filter`, `$orderby`, and
/// for one page `$top` (≤ 50 unless [`Query::allow_large_top`]) and `$skip`, and `$count`.
/// A walk of all pages ([`crate::cargorun::Directory::list`]) sets `$top`/`$skip` itself,
/// 50 at a time.
///
/// ```
/// use logibridge::cargorun::Query;
/// let q = Query::new().filter("updatedAt ge 2026-01-23T21:00:00Z").orderby("updatedAt, id");
/// let params = q.params().unwrap();
/// assert_eq!(params["$filter"], serde_json::Value::Null); // parameters use the rows' names
/// assert_eq!(params["filter"], "updatedAt ge 2026-01-23T21:00:00Z");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    filter: Option<Filter>,
    orderby: Option<OrderBy>,
    top: Option<u64>,
    skip: Option<u64>,
    count: Option<bool>,
    params: Map<String, Value>,
}

impl Query {
    /// No filter, the service's order.
    pub fn new() -> Query {
        Query::default()
    }
    /// `$filter`: an [`Expr`] or a raw OData string
    /// (`status eq 'New' and updatedAt ge 2026-01-23T21:00:00Z`).
    pub fn filter(mut self, filter: impl Into<Filter>) -> Query {
        self.filter = Some(filter.into());
        self
    }
    /// `$orderby`: keys (`[Field::new("updatedAt").asc(), Field::new("id").asc()]`) or a raw
    /// string (`updatedAt, id desc`).
    pub fn orderby(mut self, keys: impl Into<OrderBy>) -> Query {
        self.orderby = Some(keys.into());
        self
    }
    /// `$top` for one page: refused above 50 before sending unless
    /// [`Query::allow_large_top`].
    pub fn top(mut self, top: u64) -> Query {
        self.top = Some(top);
        self
    }
    /// `$skip` for one page.
    pub fn skip(mut self, skip: u64) -> Query {
        self.skip = Some(skip);
        self
    }
    /// `$count` (the total comes in `X-MetaCount` either way).
    pub fn count(mut self, count: bool) -> Query {
        self.count = Some(count);
        self
    }
    /// Lets `top` exceed 50: the pages warn that heavy queries get the user blocked.
    pub fn allow_large_top(mut self) -> Query {
        self.params.insert("allow_large_top".into(), Value::Bool(true));
        self
    }
    /// A parameter of the row itself (`with_deleted`, `counterparty_id`, `show_obsolete`).
    pub fn param(mut self, name: &str, value: impl Into<Value>) -> Query {
        self.params.insert(name.to_owned(), value.into());
        self
    }

    /// The parameters by the rows' names (`filter`, `orderby`, `top`, `skip`, `count` and
    /// those of [`Query::param`]), the filter and the order rendered; the first piece that
    /// cannot be sent is an [`Error::InvalidArgument`].
    pub fn params(&self) -> Result<Value> {
        let mut out = self.params.clone();
        if let Some(f) = &self.filter {
            out.insert("filter".into(), Value::String(f.render()?));
        }
        if let Some(o) = &self.orderby {
            out.insert("orderby".into(), Value::String(o.render()?));
        }
        if let Some(top) = self.top {
            out.insert("top".into(), top.into());
        }
        if let Some(skip) = self.skip {
            out.insert("skip".into(), skip.into());
        }
        if let Some(count) = self.count {
            out.insert("count".into(), count.into());
        }
        Ok(Value::Object(out))
    }

    /// The JSON description (module docs) of the OData part; a raw filter or order has no
    /// description and is an [`Error::InvalidArgument`], as is a piece that cannot be sent.
    pub fn to_json(&self) -> Result<Value> {
        let mut out = Map::new();
        match &self.filter {
            Some(Filter::Expr(e)) => {
                out.insert("filter".into(), e.to_json()?);
            }
            Some(Filter::Raw(_)) => return Err(Refusal::new("a raw filter has no JSON description", "у строки фильтра нет описания JSON").into_error()),
            None => {}
        }
        match &self.orderby {
            Some(OrderBy::Keys(keys)) => {
                let mut list = Vec::new();
                for k in keys {
                    if let Some(r) = &k.field.refusal {
                        return Err(r.clone().into_error());
                    }
                    list.push(serde_json::json!([k.field.path, if k.descending { "desc" } else { "asc" }]));
                }
                out.insert("orderby".into(), Value::Array(list));
            }
            Some(OrderBy::Raw(_)) => return Err(Refusal::new("a raw orderby has no JSON description", "у строки сортировки нет описания JSON").into_error()),
            None => {}
        }
        if let Some(top) = self.top {
            out.insert("top".into(), top.into());
        }
        if let Some(skip) = self.skip {
            out.insert("skip".into(), skip.into());
        }
        if let Some(count) = self.count {
            out.insert("count".into(), count.into());
        }
        Ok(Value::Object(out))
    }

    /// Reads a JSON description (module docs); `at` is its JSON path, named in errors
    /// (`query`).
    pub fn from_json(value: &Value, at: &str) -> Result<Query> {
        parse_query(value, at).map_err(|(path, r)| path_error(&path, r))
    }
}

// ------------------------------------------------------------------------------- JSON

type Parsed<T> = std::result::Result<T, (String, Refusal)>;

fn path_error(path: &str, r: Refusal) -> Error {
    Error::invalid_argument(format!("{path}: {}", r.en), format!("{path}: {}", r.ru))
}

fn bad(at: &str, en: impl Into<String>, ru: impl Into<String>) -> (String, Refusal) {
    (at.to_owned(), Refusal::new(en, ru))
}

fn shown_json(v: &Value) -> String {
    crate::shown_input(&v.to_string())
}

fn parse_query(value: &Value, at: &str) -> Parsed<Query> {
    let Value::Object(map) = value else {
        return Err(bad(at, format!("must be a JSON object with filter, orderby, top, skip, count; got {}", shown_json(value)), format!("должен быть объектом JSON с ключами filter, orderby, top, skip, count; передано {}", shown_json(value))));
    };
    let mut q = Query::new();
    for (key, v) in map {
        let here = format!("{at}.{key}");
        if v.is_null() {
            continue;
        }
        match key.as_str() {
            "filter" => q.filter = Some(Filter::Expr(Expr(parse_node(v, &here)?))),
            "orderby" => q.orderby = Some(OrderBy::Keys(parse_orderby(v, &here)?)),
            "top" | "skip" => {
                let n = v.as_u64().ok_or_else(|| bad(&here, format!("must be a non-negative integer, got {}", shown_json(v)), format!("должен быть неотрицательным целым, передано {}", shown_json(v))))?;
                if key == "top" {
                    q.top = Some(n);
                } else {
                    q.skip = Some(n);
                }
            }
            "count" => q.count = Some(v.as_bool().ok_or_else(|| bad(&here, format!("must be true or false, got {}", shown_json(v)), format!("должен быть true или false, передано {}", shown_json(v))))?),
            other => {
                let shown = crate::shown_input(other);
                return Err(bad(at, format!("\"{shown}\" is not a key of a query (filter, orderby, top, skip, count)"), format!("«{shown}» не является ключом запроса (filter, orderby, top, skip, count)")));
            }
        }
    }
    Ok(q)
}

fn parse_orderby(value: &Value, at: &str) -> Parsed<Vec<OrderKey>> {
    let not_list = || bad(at, format!("must be a list of keys (\"updatedAt\" or [\"id\", \"desc\"]), got {}", shown_json(value)), format!("должен быть списком ключей (\"updatedAt\" или [\"id\", \"desc\"]), передано {}", shown_json(value)));
    let items = value.as_array().filter(|a| !a.is_empty()).ok_or_else(not_list)?;
    let mut keys = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let (path, direction) = match item {
            Value::String(p) => (p.as_str(), None),
            Value::Array(pair) => match pair.as_slice() {
                [Value::String(p)] => (p.as_str(), None),
                [Value::String(p), d] => (p.as_str(), Some(d)),
                _ => return Err(bad(&here, "must be a property or [property, \"asc\" | \"desc\"]", "должен быть свойством или [свойство, \"asc\" | \"desc\"]")),
            },
            _ => return Err(bad(&here, "must be a property or [property, \"asc\" | \"desc\"]", "должен быть свойством или [свойство, \"asc\" | \"desc\"]")),
        };
        let descending = match direction.map(|d| d.as_str()) {
            None | Some(Some("asc")) => false,
            Some(Some("desc")) => true,
            Some(_) => return Err(bad(&format!("{here}[1]"), "must be \"asc\" or \"desc\"", "должен быть \"asc\" или \"desc\"")),
        };
        check_path(path).map_err(|r| (here.clone(), r))?;
        keys.push(OrderKey { field: Field::new(path), descending });
    }
    Ok(keys)
}

fn parse_node(value: &Value, at: &str) -> Parsed<Node> {
    let not_expr = || bad(at, format!("an expression is a list [operator, …] with and, or, not, eq, ne, gt, ge, lt, le; got {}", shown_json(value)), format!("выражение — это список [оператор, …] с and, or, not, eq, ne, gt, ge, lt, le; передано {}", shown_json(value)));
    let items = value.as_array().ok_or_else(not_expr)?;
    let Some(Value::String(op)) = items.first() else { return Err(not_expr()) };
    let args = &items[1..];
    match op.as_str() {
        "and" | "or" => {
            if args.len() < 2 {
                return Err(bad(at, format!("{op} takes two operands or more, got {}", args.len()), format!("{op} принимает два операнда или больше, передано {}", args.len())));
            }
            let nodes = args.iter().enumerate().map(|(i, a)| parse_node(a, &format!("{at}[{}]", i + 1))).collect::<Parsed<Vec<_>>>()?;
            Ok(if op == "and" { Node::And(nodes) } else { Node::Or(nodes) })
        }
        "not" => match args {
            [inner] => Ok(Node::Not(Box::new(parse_node(inner, &format!("{at}[1]"))?))),
            _ => Err(bad(at, format!("not takes one operand, got {}", args.len()), format!("not принимает один операнд, передано {}", args.len()))),
        },
        name => {
            let Some(op) = Op::parse(name) else {
                let shown = crate::shown_input(name);
                return Err(bad(&format!("{at}[0]"), format!("\"{shown}\" is not an operator (and, or, not, eq, ne, gt, ge, lt, le; `in` and functions are not offered: the pages document none)"), format!("«{shown}» не является оператором (and, or, not, eq, ne, gt, ge, lt, le; `in` и функции не поддерживаются: документация их не описывает)")));
            };
            let [Value::String(path), literal] = args else {
                return Err(bad(at, format!("{name} takes a property path and a literal: [\"{name}\", \"updatedAt\", …]"), format!("{name} принимает путь к свойству и значение: [\"{name}\", \"updatedAt\", …]")));
            };
            check_path(path).map_err(|r| (format!("{at}[1]"), r))?;
            Ok(Node::Compare(path.clone(), op, parse_literal(literal, &format!("{at}[2]"))?))
        }
    }
}

fn parse_literal(value: &Value, at: &str) -> Parsed<Literal> {
    Ok(match value {
        Value::Null => Literal::NULL,
        Value::Bool(b) => Literal::from(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Literal::from(i),
            None => return Err(bad(at, format!("{n} is not a 64-bit integer: write a decimal as {{\"decimal\": \"{n}\"}} (a JSON number with a fraction is a float)"), format!("{n} не является 64-битным целым: дробное число пишите как {{\"decimal\": \"{n}\"}} (число JSON с дробью — это float)"))),
        },
        Value::String(s) => {
            if Stamp::parse(s).is_ok() {
                let shown = crate::shown_input(s);
                return Err(bad(at, format!("\"{shown}\" spells a date-time: write {{\"datetime\": \"{shown}\"}}, or {{\"text\": \"{shown}\"}} if a text is meant"), format!("«{shown}» похоже на дату-время: пишите {{\"datetime\": \"{shown}\"}} или {{\"text\": \"{shown}\"}}, если имеется в виду строка")));
            }
            Literal::text(s.as_str())
        }
        Value::Object(map) if map.len() == 1 => {
            let (kind, inner) = map.iter().next().expect("one key");
            let here = format!("{at}.{kind}");
            let text = inner.as_str().ok_or_else(|| bad(&here, format!("must be a string, got {}", shown_json(inner)), format!("должен быть строкой, передано {}", shown_json(inner))))?;
            match kind.as_str() {
                "text" => Literal::text(text),
                "datetime" => Literal(Lit::DateTime(Stamp::parse(text).map_err(|r| (here.clone(), r))?)),
                "decimal" => {
                    let d = Decimal::from_str_exact(text.trim()).map_err(|_| {
                        let shown = crate::shown_input(text);
                        bad(&here, format!("\"{shown}\" is not a decimal number (100.50)"), format!("«{shown}» не является десятичным числом (100.50)"))
                    })?;
                    Literal::from(d)
                }
                "enum" => {
                    if !is_name(text) {
                        let shown = crate::shown_input(text);
                        return Err(bad(&here, format!("\"{shown}\" is not an enum name (letters, digits, _)"), format!("«{shown}» не является именем значения перечисления (буквы, цифры, _)")));
                    }
                    Literal(Lit::Enum(text.to_owned()))
                }
                other => {
                    let shown = crate::shown_input(other);
                    return Err(bad(at, format!("\"{shown}\" is not a literal type (text, datetime, decimal, enum)"), format!("«{shown}» не является типом значения (text, datetime, decimal, enum)")));
                }
            }
        }
        other => return Err(bad(at, format!("a literal is null, true/false, an integer, a string or {{\"text\"|\"datetime\"|\"decimal\"|\"enum\": \"…\"}}; got {}", shown_json(other)), format!("значение — это null, true/false, целое, строка или {{\"text\"|\"datetime\"|\"decimal\"|\"enum\": \"…\"}}; передано {}", shown_json(other)))),
    })
}

fn literal_json(l: &Literal) -> std::result::Result<Value, Refusal> {
    Ok(match &l.0 {
        Lit::Null => Value::Null,
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Int(i) => Value::from(*i),
        Lit::Decimal(d) => serde_json::json!({"decimal": d.to_string()}),
        Lit::Text(t) => serde_json::json!({"text": t}),
        Lit::Enum(e) => serde_json::json!({"enum": e}),
        Lit::DateTime(s) => {
            let mut out = String::new();
            s.render(&mut out);
            serde_json::json!({"datetime": out})
        }
        Lit::Refused(r) => return Err(r.clone()),
    })
}

fn node_json(node: &Node) -> std::result::Result<Value, Refusal> {
    Ok(match node {
        Node::Compare(path, op, l) => serde_json::json!([op.as_str(), path, literal_json(l)?]),
        Node::And(items) | Node::Or(items) => {
            let op = if matches!(node, Node::And(_)) { "and" } else { "or" };
            let mut out = vec![Value::from(op)];
            for item in items {
                out.push(node_json(item)?);
            }
            // A one-item chain (one_of with one value is a plain eq, so only a caller's
            // own tree gets here) is written as its item: the description needs two.
            if out.len() == 2 {
                return Ok(out.pop().expect("two"));
            }
            Value::Array(out)
        }
        Node::Not(inner) => serde_json::json!(["not", node_json(inner)?]),
        Node::Refused(r) => return Err(r.clone()),
    })
}

/// Spreads a row's `query` parameter (the JSON description, or its JSON text) into the row's own `filter`,
/// `orderby`, `top`, `skip`, `count`, rendered; a key given both ways is refused. Called by
/// the parameter check of every OData row ([`crate::endpoints::Paging::OData`]).
pub fn spread_query(endpoint: &str, given: &mut Map<String, Value>) -> Result<()> {
    let Some(value) = given.remove("query").filter(|v| !v.is_null()) else { return Ok(()) };
    let invalid = |en: String, ru: String| Error::invalid_param(endpoint, "query", "param.query", en, ru);
    // 1C passes every argument as a string: the description may come as its JSON text.
    let value = match value {
        Value::String(text) => serde_json::from_str(&text).map_err(|e| invalid(format!("query: the text is not JSON ({e})"), format!("query: текст не является JSON ({e})")))?,
        other => other,
    };
    let query = parse_query(&value, "query").map_err(|(path, r)| invalid(format!("{path}: {}", r.en), format!("{path}: {}", r.ru)))?;
    let rendered = query.params().map_err(|e| match e {
        Error::InvalidArgument { message, message_ru } => invalid(message, message_ru),
        other => other,
    })?;
    let Value::Object(rendered) = rendered else { return Ok(()) };
    for (key, v) in rendered {
        if given.get(&key).is_some_and(|raw| !raw.is_null()) {
            return Err(invalid(
                format!("query.{key} and the raw parameter {key} are both given: use one"),
                format!("заданы и query.{key}, и параметр {key}: используйте что-то одно"),
            ));
        }
        given.insert(key, v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cargorun::BidStatus;
    use chrono::{FixedOffset, TimeZone};
    use serde_json::json;

    fn at(text: &str) -> Literal {
        Literal::datetime(text).unwrap()
    }

    /// The pages' own queries, built from typed pieces, read as the pages write them.
    #[test]
    fn the_pages_examples_render_as_the_pages_write_them() {
        // examples-1c.md §2.2
        let f = Field::new("Status").eq(BidStatus::Done) & Field::new("updatedAt").gt(at("2019-11-20T06:00:00Z"));
        assert_eq!(f.render().unwrap(), "Status eq 'Done' and updatedAt gt 2019-11-20T06:00:00Z");
        // scenario-cr-to-external.md
        let f = Field::new("updatedAt").ge(at("2024-01-23T21:00:00Z")) & Field::new("updatedAt").le(at("2024-01-25T20:59:59Z")) & Field::new("createdAt").ge(at("2022-09-30T21:00:00Z"));
        assert_eq!(f.render().unwrap(), "updatedAt ge 2024-01-23T21:00:00Z and updatedAt le 2024-01-25T20:59:59Z and createdAt ge 2022-09-30T21:00:00Z");
        // sync.md (CHANGES.md): ?$filter=externalId eq null&$orderby=id desc
        let q = Query::new().filter(Field::new("externalId").eq(Literal::NULL)).orderby(Field::new("id").desc());
        let p = q.params().unwrap();
        assert_eq!((p["filter"].as_str(), p["orderby"].as_str()), (Some("externalId eq null"), Some("id desc")));
        // trackers.md, custom-catalogs.md, etrn.md
        assert_eq!(Field::new("deviceNumber").eq("1234567890").render().unwrap(), "deviceNumber eq '1234567890'");
        assert_eq!(Field::new("id").eq(129619121).render().unwrap(), "id eq 129619121");
        assert_eq!(Field::new("status").eq("ReceivedOrCreated").render().unwrap(), "status eq 'ReceivedOrCreated'");
        assert_eq!(OrderBy::from(Field::new("statusDate").desc()).render().unwrap(), "statusDate desc");
    }

    #[test]
    fn the_sync_keyset_filter_brackets_the_and_inside_the_or() {
        let (x, y) = (at("2026-01-23T21:00:00.1234567Z"), 42);
        let keyset = Field::new("updatedAt").gt(x.clone()) | (Field::new("updatedAt").eq(x) & Field::new("id").gt(y));
        assert_eq!(keyset.render().unwrap(), "updatedAt gt 2026-01-23T21:00:00.1234567Z or (updatedAt eq 2026-01-23T21:00:00.1234567Z and id gt 42)");
        let nested = (Field::new("a").eq(1) | Field::new("b").eq(2)) & !(Field::new("c").eq(3) & Field::new("d").eq(4));
        assert_eq!(nested.render().unwrap(), "(a eq 1 or b eq 2) and not (c eq 3 and d eq 4)");
    }

    #[test]
    fn date_times_are_utc_with_the_digits_given_and_an_offset_is_required() {
        assert_eq!(Field::new("t").eq(at("2026-01-24T00:00:00+03:00")).render().unwrap(), "t eq 2026-01-23T21:00:00Z");
        assert_eq!(Field::new("t").eq(at("2026-01-23T21:00:00.1230000Z")).render().unwrap(), "t eq 2026-01-23T21:00:00.1230000Z", "digits as given");
        assert_eq!(Field::new("t").eq(at("2026-01-23T21:00:00.5Z")).render().unwrap(), "t eq 2026-01-23T21:00:00.5Z", "none invented");
        let chrono_value = FixedOffset::east_opt(3 * 3600).unwrap().with_ymd_and_hms(2026, 1, 24, 0, 0, 0).unwrap() + chrono::Duration::nanoseconds(120_000_000);
        assert_eq!(Field::new("t").eq(chrono_value).render().unwrap(), "t eq 2026-01-23T21:00:00.12Z");
        let err = Literal::datetime("2026-01-23T21:00:00").unwrap_err();
        assert!(err.to_string().contains("no time-zone offset"), "{err}");
        assert!(Literal::datetime("2026-01-23T21:00:00.12345678Z").unwrap_err().to_string().contains("8 fractional digits"));
        let too_fine = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::nanoseconds(5);
        assert!(Field::new("t").eq(too_fine).render().unwrap_err().to_string().contains("100 ns"));
    }

    #[test]
    fn numbers_texts_and_enums() {
        assert_eq!(Field::new("p").eq(Decimal::new(1, 1)).render().unwrap(), "p eq 0.1");
        assert_eq!(Field::new("p").lt(Decimal::new(-25, 0)).render().unwrap(), "p lt -25");
        assert_eq!(Field::new("p").ge(-7).render().unwrap(), "p ge -7");
        assert!(Field::new("p").eq(u64::MAX).render().is_err());
        assert_eq!(Field::new("n").eq("it's 'quoted'").render().unwrap(), "n eq 'it''s ''quoted'''");
        let err = Field::new("status").eq(BidStatus::Unknown("Lost".into())).render().unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { ref message_ru, .. } if message_ru.contains("Lost")), "{err:?}");
        assert!(err.to_string().contains("New, Planned"), "{err}");
        assert!(Field::new("id").one_of(Vec::<i64>::new()).render().is_err());
        assert_eq!(Field::new("id").one_of([7]).render().unwrap(), "id eq 7");
    }

    #[test]
    fn the_json_description_renders_the_same_text_as_the_builder() {
        let built = Query::new()
            .filter(Field::new("updatedAt").ge(at("2026-01-23T21:00:00Z")) & Field::new("status").eq(BidStatus::Done) & !(Field::new("price").gt(Decimal::new(10050, 2)) | Field::new("name").eq("O'Neil")))
            .orderby([Field::new("updatedAt").asc(), Field::new("id").desc()])
            .top(50)
            .skip(0)
            .count(true);
        let description = built.to_json().unwrap();
        assert_eq!(description["filter"][2], json!(["eq", "status", {"enum": "Done"}]));
        let read = Query::from_json(&description, "query").unwrap();
        assert_eq!(read.params().unwrap(), built.params().unwrap());
        let by_hand = json!({"filter": ["and", ["ge", "updatedAt", {"datetime": "2026-01-23T21:00:00Z"}], ["eq", "status", {"enum": "Done"}],
                                          ["not", ["or", ["gt", "price", {"decimal": "100.50"}], ["eq", "name", "O'Neil"]]]],
                             "orderby": [["updatedAt", "asc"], ["id", "desc"]], "top": 50, "skip": 0, "count": true});
        assert_eq!(Query::from_json(&by_hand, "query").unwrap().params().unwrap(), built.params().unwrap());
    }

    #[test]
    fn a_wrong_description_is_refused_naming_its_json_path() {
        for (bad, path, says) in [
            (json!({"filter": ["and", ["eq", "a", 1], ["ge", "t", {"datetime": "2026-01-23T21:00:00"}]]}), "query.filter[2][2].datetime", "offset"),
            (json!({"filter": ["eq", "t", "2026-01-23T21:00:00Z"]}), "query.filter[2]", "{\"datetime\""),
            (json!({"filter": ["eq", "p", 1.5]}), "query.filter[2]", "decimal"),
            (json!({"filter": ["in", "id", [1, 2]]}), "query.filter[0]", "not an operator"),
            (json!({"filter": ["or", ["eq", "a", 1]]}), "query.filter", "two operands"),
            (json!({"filter": ["not", ["eq", "a b", 1]]}), "query.filter[1][1]", "property path"),
            (json!({"filter": ["eq", "s", {"enum": "Do ne"}]}), "query.filter[2].enum", "enum name"),
            (json!({"filter": ["eq", "s", {"decimal": "1e5x"}]}), "query.filter[2].decimal", "decimal"),
            (json!({"filter": ["eq", "s", {"float": "1"}]}), "query.filter[2]", "literal type"),
            (json!({"filter": "id eq 1"}), "query.filter", "expression"),
            (json!({"orderby": [["id", "down"]]}), "query.orderby[0][1]", "asc"),
            (json!({"orderby": "id"}), "query.orderby", "list of keys"),
            (json!({"top": -1}), "query.top", "non-negative"),
            (json!({"count": "yes"}), "query.count", "true or false"),
            (json!({"select": ["id"]}), "query", "not a key"),
        ] {
            let err = Query::from_json(&bad, "query").expect_err(&bad.to_string());
            let Error::InvalidArgument { message, message_ru } = &err else { panic!("{err:?}") };
            assert!(message.starts_with(&format!("{path}: ")) && message.contains(says), "{bad}: {message}");
            assert!(message_ru.starts_with(&format!("{path}: ")) && message_ru != message, "{bad}: {message_ru}");
        }
        // A bare string that is no date-time is a text; {"text": …} says so explicitly.
        let q = Query::from_json(&json!({"filter": ["and", ["eq", "n", "Иванов"], ["eq", "d", {"text": "2026-01-23T21:00:00Z"}]]}), "query").unwrap();
        assert_eq!(q.params().unwrap()["filter"], "n eq 'Иванов' and d eq '2026-01-23T21:00:00Z'");
    }

    #[test]
    fn a_row_takes_the_description_as_query_and_refuses_a_key_given_twice() {
        use crate::endpoints::cargorun::{BIDS_LIST_FOR_EXTERNAL as ROW, SERVICE};
        let check = |p: Value| crate::call::check(ROW, &SERVICE, &Map::new(), p);
        let args = check(json!({"query": {"filter": ["eq", "status", {"enum": "Done"}], "orderby": ["updatedAt", "id"], "top": 50, "count": true}})).unwrap();
        let req = crate::call::request(ROW, &SERVICE, &args).unwrap();
        let q: Vec<(&str, &str)> = req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        for pair in [("$filter", "status eq 'Done'"), ("$orderby", "updatedAt,id"), ("$top", "50"), ("$count", "true")] {
            assert!(q.contains(&pair), "{pair:?} in {q:?}");
        }
        let err = check(json!({"filter": "id eq 1", "query": {"filter": ["eq", "id", 2]}})).unwrap_err();
        assert_eq!((err.field(), err.code()), (Some("query"), "param.query"), "{err}");
        assert!(err.to_string().contains("both given"), "{err}");
        let err = check(json!({"query": {"top": 51}})).unwrap_err();
        assert!(err.to_string().contains("50"), "the top rule still holds: {err}");
        let err = check(json!({"query": {"filter": ["eq", "t", {"datetime": "2026-01-01T00:00:00"}]}})).unwrap_err();
        assert!(err.to_string().contains("query.filter[2].datetime"), "{err}");
        // The raw parameters stay.
        assert!(check(json!({"filter": "contains(name, 'x')", "query": {"orderby": ["id"]}})).is_ok());
        // As JSON text (1C's strings), the same.
        let args = check(json!({"query": "{\"filter\": [\"eq\", \"status\", {\"enum\": \"Done\"}]}"})).unwrap();
        assert_eq!(args.values["filter"], "status eq 'Done'");
        assert!(check(json!({"query": "{filter"})).unwrap_err().to_string().contains("not JSON"));
    }
}
