//! [`Row`]: one offer of a price list, owned.

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::Extra;
use crate::carreta::{check_order_qty, Qty};
use crate::ValidationError;

/// One offer of a price list.
///
/// Serialises (to JSON) as
/// `{"line":2,"code":"W 712/75","maker":"MANN-FILTER","name":"…","price":"152.02","qty":"<10","min_qty":1,"period_min":7,"period_max":9,"extra":{"Склад":"Москва"}}`:
/// the price as an exact decimal string, the qty as the supplier wrote it.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Line of the file the row starts on (the header is line 1).
    pub line: u64,
    /// Part number, trimmed. Never empty.
    pub code: String,
    /// Brand, trimmed; empty when the list has no brand column.
    pub maker: String,
    /// Description, trimmed; empty when the list has no name column.
    pub name: String,
    /// Price, exact, with the scale written in the file (`1 234,50` is `1234.50`).
    pub price: Decimal,
    /// Stock, parsed as in Carreta offers; [`Qty::raw`] is the cell as written (empty
    /// when the list has no qty column).
    pub qty: Qty,
    /// Pack size: orders must be a multiple of it. 1 when the cell or column is absent.
    pub min_qty: u32,
    /// Shortest delivery time in days (`7` of `7-9`).
    pub period_min: Option<u32>,
    /// Longest delivery time in days (`9` of `7-9`; equal to `period_min` for `7`).
    pub period_max: Option<u32>,
    /// Unknown columns by header name, in file order.
    pub extra: Extra,
}

impl Default for Row {
    fn default() -> Row {
        Row::with_extra_names(Arc::from(Vec::new()))
    }
}

impl Row {
    /// An empty row whose unknown columns are `names`.
    pub(crate) fn with_extra_names(names: Arc<[String]>) -> Row {
        Row {
            line: 0,
            code: String::new(),
            maker: String::new(),
            name: String::new(),
            price: Decimal::ZERO,
            qty: Qty::parse(""),
            min_qty: 1,
            period_min: None,
            period_max: None,
            extra: Extra::with_names(names),
        }
    }

    /// Checks an order of `order_qty` pieces of this offer against its stock and pack
    /// size, with the same rules as a Carreta order
    /// ([`check_order_qty`]).
    ///
    /// ```
    /// use logibridge::pricelist::Row;
    /// let mut row = Row::default();
    /// row.qty = ">50".into();
    /// row.min_qty = 4;
    /// assert!(row.check_order(8).is_ok());
    /// assert_eq!(row.check_order(6).unwrap_err().code, "order_qty.not_multiple_of_min_qty");
    /// ```
    pub fn check_order(&self, order_qty: i64) -> Result<(), ValidationError> {
        check_order_qty(&self.qty, self.min_qty as i64, order_qty)
    }
}

impl Serialize for Row {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Row", 10)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("maker", &self.maker)?;
        s.serialize_field("name", &self.name)?;
        s.serialize_field("price", &DisplayStr(&self.price))?;
        s.serialize_field("qty", self.qty.raw())?;
        s.serialize_field("min_qty", &self.min_qty)?;
        s.serialize_field("period_min", &self.period_min)?;
        s.serialize_field("period_max", &self.period_max)?;
        s.serialize_field("extra", &self.extra)?;
        s.end()
    }
}

/// Serialises a value's `Display` form as a string, without an intermediate `String`.
struct DisplayStr<'a, T: fmt::Display>(&'a T);

impl<T: fmt::Display> Serialize for DisplayStr<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}
