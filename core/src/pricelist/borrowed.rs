//! [`RowRef`]: a row borrowed from the reader, without allocation.

use std::fmt;

use rust_decimal::Decimal;

use super::cells::StrSpan;
use super::{Extra, Row};
use crate::carreta::{check_order_qty, Qty};
use crate::ValidationError;

/// One offer of a price list, borrowed from the reader: the same values as a [`Row`], but
/// the text lives in the reader's buffers (cells in place when they are ASCII, decoded into
/// one reused string otherwise), so reading a row allocates nothing. Valid until the next
/// row is read; [`RowRef::to_row`] makes an owned [`Row`].
///
/// Given by [`Reader::next_ref`](super::Reader::next_ref),
/// [`Reader::for_each_ref`](super::Reader::for_each_ref) and
/// [`par_for_each`](super::par_for_each).
///
/// ```
/// use logibridge::pricelist::{Options, Reader};
/// let csv = "Бренд;Артикул;Цена;Количество;Склад\nMANN; W 712/75 ;1 234,50;<10;Москва\n";
/// let mut reader = Reader::from_reader(csv.as_bytes(), Options::new())?;
/// let row = reader.next_ref().unwrap()?;
/// assert_eq!((row.line(), row.maker(), row.code()), (2, "MANN", "W 712/75"));
/// assert_eq!(row.price().to_string(), "1234.50");
/// assert_eq!(row.qty_raw(), "<10");
/// assert_eq!(row.qty().max_order(), Some(9));
/// assert_eq!(row.extra_get("Склад"), Some("Москва"));
/// let owned = row.to_row();
/// assert_eq!(owned.code, "W 712/75");
/// # Ok::<(), logibridge::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct RowRef<'a> {
    line: u64,
    /// code, maker, name, qty.
    text: [&'a str; 4],
    price: Decimal,
    min_qty: u32,
    period: (Option<u32>, Option<u32>),
    extra: ExtraRef<'a>,
}

/// The unknown columns of a [`RowRef`].
#[derive(Clone, Copy)]
pub(crate) enum ExtraRef<'a> {
    Spans { names: &'a [String], spans: &'a [StrSpan], buf: &'a [u8], scratch: &'a [u8], dec: &'a str },
    Owned(&'a Extra),
}

impl<'a> RowRef<'a> {
    /// A row from its values (the engine's borrowed-row state).
    pub(crate) fn from_parts(
        line: u64,
        text: [&'a str; 4],
        price: Decimal,
        min_qty: u32,
        period: (Option<u32>, Option<u32>),
        extra: ExtraRef<'a>,
    ) -> RowRef<'a> {
        RowRef { line, text, price, min_qty, period, extra }
    }

    /// A borrowed view of an owned row.
    ///
    /// ```
    /// use logibridge::pricelist::{Row, RowRef};
    /// let mut row = Row::default();
    /// row.code = "A1".into();
    /// assert_eq!(RowRef::from_row(&row).code(), "A1");
    /// ```
    pub fn from_row(row: &'a Row) -> RowRef<'a> {
        RowRef {
            line: row.line,
            text: [&row.code, &row.maker, &row.name, row.qty.raw()],
            price: row.price,
            min_qty: row.min_qty,
            period: (row.period_min, row.period_max),
            extra: ExtraRef::Owned(&row.extra),
        }
    }

    /// Line of the file the row starts on (the header is line 1).
    #[inline]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Part number, trimmed. Never empty.
    #[inline]
    pub fn code(&self) -> &'a str {
        self.text[0]
    }

    /// Brand, trimmed; empty when the list has no brand column.
    #[inline]
    pub fn maker(&self) -> &'a str {
        self.text[1]
    }

    /// Description, trimmed; empty when the list has no name column.
    #[inline]
    pub fn name(&self) -> &'a str {
        self.text[2]
    }

    /// Price, exact, with the scale written in the file.
    #[inline]
    pub fn price(&self) -> Decimal {
        self.price
    }

    /// The stock cell as written (empty when the list has no qty column).
    #[inline]
    pub fn qty_raw(&self) -> &'a str {
        self.text[3]
    }

    /// The stock, parsed as in Carreta offers (parsed on each call).
    pub fn qty(&self) -> Qty {
        Qty::parse(self.text[3])
    }

    /// Pack size: orders must be a multiple of it. 1 when the cell or column is absent.
    #[inline]
    pub fn min_qty(&self) -> u32 {
        self.min_qty
    }

    /// Shortest delivery time in days.
    #[inline]
    pub fn period_min(&self) -> Option<u32> {
        self.period.0
    }

    /// Longest delivery time in days.
    #[inline]
    pub fn period_max(&self) -> Option<u32> {
        self.period.1
    }

    /// The number of unknown columns.
    pub fn extra_len(&self) -> usize {
        match self.extra {
            ExtraRef::Spans { names, spans, .. } => names.len().min(spans.len()),
            ExtraRef::Owned(e) => e.len(),
        }
    }

    /// The value of the `i`-th unknown column.
    pub fn extra_value(&self, i: usize) -> Option<&'a str> {
        match self.extra {
            ExtraRef::Spans { spans, buf, scratch, dec, .. } => spans.get(i).map(|&s| s.resolve(buf, scratch, dec)),
            ExtraRef::Owned(e) => e.value(i),
        }
    }

    /// The value under `header` (the first, if the header repeats).
    pub fn extra_get(&self, header: &str) -> Option<&'a str> {
        self.extra_names().iter().position(|n| n == header).and_then(|i| self.extra_value(i))
    }

    /// The headers of the unknown columns.
    pub fn extra_names(&self) -> &'a [String] {
        match self.extra {
            ExtraRef::Spans { names, .. } => names,
            ExtraRef::Owned(e) => e.names(),
        }
    }

    /// `(header, value)` pairs of the unknown columns, in file order.
    pub fn extra_iter(&self) -> impl ExactSizeIterator<Item = (&'a str, &'a str)> + '_ {
        let names = self.extra_names();
        (0..self.extra_len()).map(move |i| (names[i].as_str(), self.extra_value(i).unwrap_or_default()))
    }

    /// Checks an order of `order_qty` pieces against stock and pack size, as
    /// [`Row::check_order`].
    pub fn check_order(&self, order_qty: i64) -> Result<(), ValidationError> {
        check_order_qty(&self.qty(), self.min_qty as i64, order_qty)
    }

    /// The row as an owned [`Row`] (allocates).
    pub fn to_row(&self) -> Row {
        Row {
            line: self.line,
            code: self.code().to_owned(),
            maker: self.maker().to_owned(),
            name: self.name().to_owned(),
            price: self.price,
            qty: self.qty(),
            min_qty: self.min_qty,
            period_min: self.period.0,
            period_max: self.period.1,
            extra: match self.extra {
                ExtraRef::Owned(e) => e.clone(),
                ExtraRef::Spans { names, .. } => {
                    let mut extra = Extra::with_names(names.into());
                    for i in 0..self.extra_len() {
                        extra.text_mut().push_str(self.extra_value(i).unwrap_or_default());
                        extra.end_value();
                    }
                    extra
                }
            },
        }
    }
}

impl fmt::Debug for RowRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowRef")
            .field("line", &self.line)
            .field("code", &self.code())
            .field("maker", &self.maker())
            .field("name", &self.name())
            .field("price", &self.price)
            .field("qty", &self.qty_raw())
            .field("min_qty", &self.min_qty)
            .field("period_min", &self.period.0)
            .field("period_max", &self.period.1)
            .field("extra", &self.extra_iter().collect::<Vec<_>>())
            .finish()
    }
}
