//! From a split record to a row: an owned [`Row`] filled in place, or the state a borrowed
//! [`RowRef`] is lent from. Both make the same checks in the same order, so the same rows
//! are good and the same reports are made whichever is used.

use rust_decimal::Decimal;

use super::borrowed::ExtraRef;
use super::cells::{cell_str, decode_cell, str_span, trim_bytes, trim_in_place, QtyCache, StrSpan};
use super::columns::{ColumnMap, Field};
use super::decode::Text;
use super::split::Span;
use super::values::{parse_min_qty, parse_period, parse_price, parse_price_bytes};
use super::{Row, RowRef};
use crate::carreta::Qty;

/// Why a record is not a row: the column to blame (by index), if one is, and the reason.
pub(crate) type Fault = (Option<usize>, String);

/// A record as the splitter left it: its cells' spans and the buffers they point into.
pub(crate) struct Record<'a> {
    /// Line the record starts on.
    pub(crate) line: u64,
    pub(crate) fields: &'a [Span],
    pub(crate) buf: &'a [u8],
    pub(crate) scratch: &'a [u8],
}

impl<'a> Record<'a> {
    /// The bytes of the `i`-th cell (`i` below the number of cells).
    #[inline]
    fn cell(&self, i: usize) -> &'a [u8] {
        let s = self.fields[i];
        let src = if s.scratch { self.scratch } else { self.buf };
        // SAFETY: spans are made by the splitter within the data of `buf` or `scratch`.
        unsafe { src.get_unchecked(s.start as usize..s.end as usize) }
    }

    /// Fails unless the record has a cell for every header (empty cells past the last
    /// header are allowed).
    #[inline]
    pub(crate) fn check_width(&self, want: usize) -> Result<(), Fault> {
        let n = self.fields.len();
        if n < want || (n > want && (want..n).any(|i| !self.cell(i).is_empty())) {
            return Err((None, format!("the row has {n} fields where the header has {want}")));
        }
        Ok(())
    }
}

/// The values of the current record for a [`RowRef`]: numbers parsed, text kept as spans,
/// decoded text (non-ASCII cells only) in one reused string.
#[derive(Default)]
struct RefState {
    line: u64,
    price: Decimal,
    min_qty: u32,
    period: (Option<u32>, Option<u32>),
    /// code, maker, name, qty, then the unknown columns.
    spans: Vec<StrSpan>,
    dec: String,
}

/// What turning records into rows keeps from one record to the next.
pub(crate) struct Builder {
    /// Decoded text of a cell that is parsed, not kept.
    tmp: String,
    qty_cache: QtyCache,
    /// The last record built for a borrowed row.
    refs: RefState,
}

impl Builder {
    /// A builder with nothing kept yet.
    pub(crate) fn new() -> Builder {
        Builder { tmp: String::new(), qty_cache: QtyCache::new(), refs: RefState::default() }
    }

    /// Fills `row` from `rec` (whose width is checked), or says which column is wrong and
    /// why.
    #[inline]
    pub(crate) fn row(&mut self, rec: &Record<'_>, map: &ColumnMap, text: &Text, row: &mut Row) -> Result<(), Fault> {
        let tmp = &mut self.tmp;
        let cell = |i: usize| rec.cell(i);
        let err_at = |i: usize| move |r: String| (Some(i), r);

        row.line = rec.line;
        for (field, out) in [(Field::Code, &mut row.code), (Field::Maker, &mut row.maker), (Field::Name, &mut row.name)] {
            out.clear();
            if let Some(i) = map.get(field) {
                decode_cell(text, trim_bytes(cell(i)), out, tmp).map_err(err_at(i))?;
                trim_in_place(out);
            }
        }
        if row.code.is_empty() {
            return Err((map.get(Field::Code), "code is empty".into()));
        }

        let i = map.get(Field::Price).expect("the price column is required");
        row.price = match parse_price_bytes(cell(i), text.nbsp()) {
            Some(price) => price,
            None => parse_price(cell_str(cell(i), text, tmp).map_err(err_at(i))?).map_err(err_at(i))?,
        };

        match map.get(Field::Qty) {
            Some(i) => {
                let raw = cell_str(cell(i), text, tmp).map_err(err_at(i))?;
                if row.qty.raw() != raw {
                    row.qty = self.qty_cache.get(raw);
                }
            }
            None => {
                if !row.qty.raw().is_empty() {
                    row.qty = Qty::parse("");
                }
            }
        }
        row.min_qty = match map.get(Field::MinQty) {
            Some(i) => parse_min_qty(cell_str(cell(i), text, tmp).map_err(err_at(i))?).map_err(err_at(i))?,
            None => 1,
        };
        (row.period_min, row.period_max) = match map.get(Field::Period) {
            Some(i) => parse_period(cell_str(cell(i), text, tmp).map_err(err_at(i))?).map_err(err_at(i))?,
            None => (None, None),
        };

        let extra = &mut row.extra;
        extra.reset(&map.extra_names);
        for &i in &map.extra {
            decode_cell(text, cell(i), extra.text_mut(), tmp).map_err(err_at(i))?;
            extra.end_value();
        }
        Ok(())
    }

    /// Keeps `rec` (whose width is checked) for [`Builder::row_ref`], with the checks of
    /// [`Builder::row`].
    #[inline]
    pub(crate) fn borrowed(&mut self, rec: &Record<'_>, map: &ColumnMap, text: &Text) -> Result<(), Fault> {
        let tmp = &mut self.tmp;
        let r = &mut self.refs;
        r.dec.clear();
        if r.dec.capacity() < 4096 {
            // Room for the decoded cells of most records, so the decoder's fast path (no
            // exact sizing pass) applies from the first row on.
            r.dec.reserve(4096);
        }
        r.spans.clear();
        let fields = rec.fields;
        let cell = |i: usize| rec.cell(i);
        let err_at = |i: usize| move |r: String| (Some(i), r);

        r.line = rec.line;
        for field in [Field::Code, Field::Maker, Field::Name] {
            let span = match map.get(field) {
                Some(i) => str_span(fields[i], cell(i), true, text, &mut r.dec).map_err(err_at(i))?,
                None => StrSpan::default(),
            };
            r.spans.push(span);
        }
        if r.spans[0].is_empty() {
            return Err((map.get(Field::Code), "code is empty".into()));
        }

        let i = map.get(Field::Price).expect("the price column is required");
        r.price = match parse_price_bytes(cell(i), text.nbsp()) {
            Some(price) => price,
            None => parse_price(cell_str(cell(i), text, tmp).map_err(err_at(i))?).map_err(err_at(i))?,
        };
        let qty = match map.get(Field::Qty) {
            Some(i) => str_span(fields[i], cell(i), false, text, &mut r.dec).map_err(err_at(i))?,
            None => StrSpan::default(),
        };
        r.spans.push(qty);
        r.min_qty = match map.get(Field::MinQty) {
            Some(i) => parse_min_qty(cell_str(cell(i), text, tmp).map_err(err_at(i))?).map_err(err_at(i))?,
            None => 1,
        };
        r.period = match map.get(Field::Period) {
            Some(i) => parse_period(cell_str(cell(i), text, tmp).map_err(err_at(i))?).map_err(err_at(i))?,
            None => (None, None),
        };
        for &i in &map.extra {
            let span = str_span(fields[i], cell(i), false, text, &mut r.dec).map_err(err_at(i))?;
            r.spans.push(span);
        }
        Ok(())
    }

    /// The row [`Builder::borrowed`] last kept, given the buffers of its record and the
    /// names of the unknown columns.
    #[inline]
    pub(crate) fn row_ref<'a>(&'a self, buf: &'a [u8], scratch: &'a [u8], names: &'a [String]) -> RowRef<'a> {
        let r = &self.refs;
        let dec = r.dec.as_str();
        let s = |sp: StrSpan| sp.resolve(buf, scratch, dec);
        RowRef::from_parts(
            r.line,
            [s(r.spans[0]), s(r.spans[1]), s(r.spans[2]), s(r.spans[3])],
            r.price,
            r.min_qty,
            r.period,
            ExtraRef::Spans { names, spans: &r.spans[4..], buf, scratch, dec },
        )
    }
}
