//! From a cell's bytes to text: trimming, decoding only what is not ASCII, the spans a
//! borrowed row's text is kept as, and a cache of parsed stock cells.

use super::decode::Text;
use super::split::Span;
use super::values::trim;
use crate::carreta::Qty;

/// Trims ASCII spaces and tabs from both ends of a cell's bytes.
#[inline]
pub(crate) fn trim_bytes(mut b: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = b {
        b = rest;
    }
    b
}

/// A cell as text: ASCII cells are used in place, others are decoded into `tmp`.
#[inline]
pub(crate) fn cell_str<'a>(bytes: &'a [u8], text: &Text, tmp: &'a mut String) -> Result<&'a str, String> {
    if bytes.is_ascii() {
        // SAFETY: ASCII is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        tmp.clear();
        text.decode_into(bytes, tmp)?;
        Ok(tmp.as_str())
    }
}

/// Appends the text of a cell to `out`; a string without memory yet (a fresh row's) gets
/// exactly the memory the text needs, with one allocation.
#[inline]
pub(crate) fn decode_cell(text: &Text, bytes: &[u8], out: &mut String, tmp: &mut String) -> Result<(), String> {
    if out.capacity() != 0 || bytes.is_empty() {
        return text.decode_into(bytes, out);
    }
    if bytes.is_ascii() {
        // SAFETY: ASCII is valid UTF-8.
        let s = unsafe { std::str::from_utf8_unchecked(bytes) };
        let mut fresh = String::with_capacity(s.len());
        fresh.push_str(s);
        *out = fresh;
        return Ok(());
    }
    tmp.clear();
    text.decode_into(bytes, tmp)?;
    let mut fresh = String::with_capacity(tmp.len());
    fresh.push_str(tmp);
    *out = fresh;
    Ok(())
}

/// Replaces `s` by its trimmed self when decoding left white space (such as a no-break
/// space) at either end.
#[inline]
pub(crate) fn trim_in_place(s: &mut String) {
    // Most cells start and end with a byte that is plainly not white space.
    let plain = |b: u8| b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0B;
    if let (Some(&first), Some(&last)) = (s.as_bytes().first(), s.as_bytes().last()) {
        if plain(first) && plain(last) {
            return;
        }
    }
    let needs = s.chars().next().is_some_and(char::is_whitespace) || s.chars().next_back().is_some_and(char::is_whitespace);
    if needs {
        let t = trim(s).to_owned();
        *s = t;
    }
}

/// Where a borrowed row's text is: in the read buffer, the scratch buffer, or decoded into
/// the row's own string. The bytes are valid UTF-8 (ASCII or checked UTF-8, or decoded text).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct StrSpan {
    src: u8,
    start: u32,
    end: u32,
}

const SRC_BUF: u8 = 0;
const SRC_SCRATCH: u8 = 1;
const SRC_DEC: u8 = 2;

impl StrSpan {
    /// The text of the span, given the buffers it may point into.
    #[inline]
    pub(crate) fn resolve<'a>(self, buf: &'a [u8], scratch: &'a [u8], dec: &'a str) -> &'a str {
        let (a, b) = (self.start as usize, self.end as usize);
        match self.src {
            // SAFETY: buffer and scratch spans are made by `str_span` over bytes checked to
            // be ASCII or valid UTF-8, cut at character boundaries, and the buffers are not
            // changed while a row borrowing them lives.
            SRC_BUF => unsafe { std::str::from_utf8_unchecked(buf.get_unchecked(a..b)) },
            SRC_SCRATCH => unsafe { std::str::from_utf8_unchecked(scratch.get_unchecked(a..b)) },
            _ => &dec[a..b],
        }
    }

    /// Whether the span holds no text.
    #[inline]
    pub(crate) fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// The text of a cell for a borrowed row: ASCII (and, in UTF-8 lists, valid UTF-8) cells
/// in place, others decoded onto the end of `dec`; trimmed as owned rows are trimmed when
/// `trimmed`. Decoding errors are those of [`Text::decode_into`].
#[inline]
pub(crate) fn str_span(span: Span, bytes: &[u8], trimmed: bool, text: &Text, dec: &mut String) -> Result<StrSpan, String> {
    let cut = if trimmed { trim_bytes(bytes) } else { bytes };
    // Where `cut` starts within `bytes` (trim_bytes only drops bytes at the ends).
    let off = cut.as_ptr() as usize - bytes.as_ptr() as usize;
    let in_place = cut.is_ascii() || (matches!(text, Text::Utf8) && std::str::from_utf8(cut).is_ok());
    if in_place {
        // SAFETY: checked to be ASCII or valid UTF-8 just above.
        let s = unsafe { std::str::from_utf8_unchecked(cut) };
        let (a, len) = if trimmed { trimmed_range(s) } else { (0, s.len()) };
        let start = span.start + (off + a) as u32;
        return Ok(StrSpan { src: if span.scratch { SRC_SCRATCH } else { SRC_BUF }, start, end: start + len as u32 });
    }
    let from = dec.len();
    text.decode_into(cut, dec)?;
    let (a, len) = if trimmed { trimmed_range(&dec[from..]) } else { (0, dec.len() - from) };
    let start = (from + a) as u32;
    Ok(StrSpan { src: SRC_DEC, start, end: start + len as u32 })
}

/// The offset and length of [`trim`]`(s)` within `s`.
#[inline]
fn trimmed_range(s: &str) -> (usize, usize) {
    let plain = |b: u8| b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0B;
    // A character starting with any other lead byte than these is not white space (the
    // white space characters above ASCII are U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000).
    let plain_lead = |b: u8| if b < 0x80 { plain(b) } else { !matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3) };
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&f), Some(&l)) if plain_lead(f) && (plain(l) || (l >= 0x80 && !s.chars().next_back().is_some_and(char::is_whitespace))) => {
            (0, s.len())
        }
        (None, _) | (_, None) => (0, 0),
        _ => {
            let t = trim(s);
            (t.as_ptr() as usize - s.as_ptr() as usize, t.len())
        }
    }
}

/// A small cache of parsed `qty` cells: stock values repeat a lot, and a clone is cheaper
/// than parsing again.
pub(crate) struct QtyCache {
    slots: Vec<Option<Qty>>,
}

impl QtyCache {
    const SLOTS: usize = 256;

    /// An empty cache.
    pub(crate) fn new() -> QtyCache {
        QtyCache { slots: vec![None; Self::SLOTS] }
    }

    /// The parsed form of `raw`.
    #[inline]
    pub(crate) fn get(&mut self, raw: &str) -> Qty {
        let h = raw.bytes().fold(raw.len() as u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
        let slot = &mut self.slots[(h.wrapping_mul(0x9E37_79B9) >> 24) as usize % Self::SLOTS];
        match slot {
            Some(q) if q.raw() == raw => q.clone(),
            _ => {
                let q = Qty::parse(raw);
                *slot = Some(q.clone());
                q
            }
        }
    }
}
