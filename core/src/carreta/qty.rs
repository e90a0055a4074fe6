//! The `qty` field of a Carreta offer: how many pieces are in stock, as the shop writes it.
//!
//! The shop sends a string that is a number (`"10"`), a bound (`"<10"`, `">50"`) or a word
//! (`"Есть"`, "in stock"). Anything else is kept as it came so nothing is lost.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest `order_qty` the shop accepts when stock is unbounded (`>N` or `Есть`).
pub const UNBOUNDED_ORDER_MAX: u32 = 10_000;

/// Stock quantity of an offer, parsed from the shop's `qty` string.
///
/// The original text is always kept: [`Qty::raw`] returns it and serialising writes it back
/// unchanged, so an offer round-trips byte for byte into an order request.
///
/// ```
/// use logibridge::carreta::{Qty, QtyKind};
/// assert_eq!(Qty::parse("<10").kind(), QtyKind::LessThan(10));
/// assert_eq!(Qty::parse(">50").kind(), QtyKind::MoreThan(50));
/// assert_eq!(Qty::parse("Есть").kind(), QtyKind::InStock);
/// assert_eq!(Qty::parse("10").kind(), QtyKind::Exactly(10));
/// assert_eq!(Qty::parse("под заказ").raw(), "под заказ");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Qty {
    raw: String,
    kind: QtyKind,
}

/// What a `qty` string means for ordering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QtyKind {
    /// `"10"`: exactly this many in stock; order at most this many.
    Exactly(u64),
    /// `"<10"`: fewer than this many; order strictly fewer.
    LessThan(u64),
    /// `">50"`: more than this many; any order up to [`UNBOUNDED_ORDER_MAX`].
    MoreThan(u64),
    /// Contains the word `"Есть"` ("available"); any order up to [`UNBOUNDED_ORDER_MAX`].
    InStock,
    /// A form the document does not describe; kept raw, never silently accepted.
    Unknown,
}

impl Qty {
    /// Parses the shop's text. Surrounding white space is ignored for the meaning but kept
    /// in [`Qty::raw`].
    ///
    /// ```
    /// use logibridge::carreta::{Qty, QtyKind};
    /// assert_eq!(Qty::parse(" 500 ").kind(), QtyKind::Exactly(500));
    /// ```
    pub fn parse(raw: &str) -> Qty {
        Qty { raw: raw.to_owned(), kind: QtyKind::of(raw) }
    }

    /// The text exactly as the shop sent it.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The parsed meaning.
    pub fn kind(&self) -> QtyKind {
        self.kind
    }

    /// The largest order this stock allows, or `None` when the form is unknown.
    ///
    /// ```
    /// use logibridge::carreta::Qty;
    /// assert_eq!(Qty::parse("<10").max_order(), Some(9));
    /// assert_eq!(Qty::parse("Есть").max_order(), Some(10_000));
    /// ```
    pub fn max_order(&self) -> Option<u64> {
        match self.kind {
            QtyKind::Exactly(n) => Some(n),
            QtyKind::LessThan(n) => Some(n.saturating_sub(1)),
            QtyKind::MoreThan(_) | QtyKind::InStock => Some(UNBOUNDED_ORDER_MAX as u64),
            QtyKind::Unknown => None,
        }
    }
}

impl QtyKind {
    /// What the shop's `qty` text means, without keeping the text (what [`Qty::parse`]
    /// stores as [`Qty::kind`]).
    ///
    /// ```
    /// use logibridge::carreta::QtyKind;
    /// assert_eq!(QtyKind::of("<10"), QtyKind::LessThan(10));
    /// ```
    pub fn of(raw: &str) -> QtyKind {
        classify(raw)
    }
}

fn classify(raw: &str) -> QtyKind {
    let text = raw.trim();
    // Price lists call this once per row: only non-ASCII text can hold the word, and the
    // case-insensitive search allocates, so plain numbers skip it.
    if !text.is_ascii() && contains_yest(text) {
        return QtyKind::InStock;
    }
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    if let Some(rest) = text.strip_prefix('<') {
        return number(rest).map_or(QtyKind::Unknown, QtyKind::LessThan);
    }
    if let Some(rest) = text.strip_prefix('>') {
        return number(rest).map_or(QtyKind::Unknown, QtyKind::MoreThan);
    }
    number(text).map_or(QtyKind::Unknown, QtyKind::Exactly)
}

/// Whether the text contains "есть" in any letter case.
fn contains_yest(text: &str) -> bool {
    if text.contains("Есть") || text.contains("есть") {
        return true;
    }
    text.to_lowercase().contains("есть")
}

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Qty({:?}, {:?})", self.raw, self.kind)
    }
}

impl From<&str> for Qty {
    fn from(raw: &str) -> Qty {
        Qty::parse(raw)
    }
}

impl std::str::FromStr for Qty {
    type Err = std::convert::Infallible;
    fn from_str(raw: &str) -> Result<Qty, Self::Err> {
        Ok(Qty::parse(raw))
    }
}

impl Serialize for Qty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Qty {
    /// Accepts the documented string and, tolerantly, a bare JSON number.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Qty, D::Error> {
        let raw = crate::serde_ext::string_or_number(deserializer)?;
        Ok(Qty::parse(&raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_forms() {
        assert_eq!(Qty::parse("10").kind(), QtyKind::Exactly(10));
        assert_eq!(Qty::parse("<10").kind(), QtyKind::LessThan(10));
        assert_eq!(Qty::parse(">50").kind(), QtyKind::MoreThan(50));
        assert_eq!(Qty::parse("Есть").kind(), QtyKind::InStock);
        assert_eq!(Qty::parse("Есть в наличии").kind(), QtyKind::InStock);
        assert_eq!(Qty::parse("ЕСТЬ").kind(), QtyKind::InStock);
    }

    #[test]
    fn unknown_forms_are_kept_raw() {
        for raw in ["", "-5", "1.5", "<", ">x", "10 шт", "много"] {
            let q = Qty::parse(raw);
            assert_eq!(q.kind(), QtyKind::Unknown, "{raw:?}");
            assert_eq!(q.raw(), raw);
        }
    }

    #[test]
    fn serde_round_trip_keeps_text() {
        let q: Qty = serde_json::from_str(r#""<10""#).unwrap();
        assert_eq!(serde_json::to_string(&q).unwrap(), r#""<10""#);
        let n: Qty = serde_json::from_str("500").unwrap();
        assert_eq!(n.kind(), QtyKind::Exactly(500));
    }
}
