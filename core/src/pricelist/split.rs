//! Splitting records: the one implementation of the record rules, on raw bytes.
//!
//! * A record ends at a line feed, a CRLF or a lone CR, or at the end of the input.
//! * A quote opens a quoted field only at the start of a field; inside one, `""` is a quote
//!   and separators, CR and LF are text (every LF inside counts as a line of the file). Text
//!   after the closing quote (`"a"b`) is kept as part of the field; a quote anywhere else is
//!   text.
//! * A quoted field still open at the end of the input is unterminated.
//!
//! [`record`] applies these rules to the record at a position and tells a [`Sink`] where its
//! cells are: [`Cells`] keeps them (the reader's engine, which then converts them), [`Skip`]
//! keeps nothing (the parallel reader, which only needs to know where records end and how
//! many lines they span). [`count_records`] and [`quote_free_end`] are the same rules for a
//! stretch of input without quotes, counted in bulk.

use memchr::{memchr, memchr3, memchr_iter, memrchr2};

/// Bytes a buffer keeps past its data so the splitter may load 16 bytes at a time there.
pub(crate) const PAD: usize = 16;

/// Where a cell's bytes are: in the read buffer, or (when quotes had to be undone) in the
/// record's scratch buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) scratch: bool,
}

impl Span {
    /// A cell in the read buffer.
    #[inline]
    fn buf(start: usize, end: usize) -> Span {
        Span { start: start as u32, end: end as u32, scratch: false }
    }
}

/// What [`record`] found at a record start.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Split {
    /// A whole record: its text ends at `end` (where its line break is), the next record
    /// starts at `next`, and it spans `lines` lines (1 + the line feeds inside its quoted
    /// fields).
    Record { end: usize, next: usize, lines: u64 },
    /// More input is needed to find where the record ends.
    NeedMore,
    /// A quoted field is still open at the end of the input.
    Unterminated,
}

/// What the splitter tells about the cells of a record, left to right.
pub(crate) trait Sink {
    /// The quick pass over a record: from `from`, stops at the first quote, CR or LF (or at
    /// `to`) and returns where; may note the cells before that stop.
    fn line(&mut self, buf: &[u8], from: usize, to: usize, delimiter: u8) -> usize;
    /// The quick pass stopped at a quote: forget its cells, the general pass starts over.
    fn restart(&mut self);
    /// An unquoted cell, `buf[start..end]`.
    fn plain(&mut self, start: usize, end: usize);
    /// A quoted cell: the quote that opens it at `open`, the one that closes it at `close`,
    /// text after that up to `tail_end`; `escaped` when it holds a doubled quote.
    fn quoted(&mut self, buf: &[u8], open: usize, close: usize, tail_end: usize, escaped: bool);
}

/// Splits the record starting at `from` in `buf[..len]` (`from < len`), telling `sink` its
/// cells. `eof` says whether input may follow `len`.
#[inline(always)]
pub(crate) fn record<S: Sink>(buf: &[u8], from: usize, len: usize, eof: bool, delimiter: u8, sink: &mut S) -> Split {
    debug_assert!(from < len && len <= buf.len());
    let stop = sink.line(buf, from, len, delimiter);
    if stop < len && buf[stop] == b'"' {
        sink.restart();
        return quoted(buf, from, len, eof, delimiter, sink);
    }
    match line_break(&buf[..len], stop, eof) {
        Some(term) => Split::Record { end: stop, next: stop + term, lines: 1 },
        None => Split::NeedMore,
    }
}

/// The length of the line break at `at` (CRLF 2, LF or lone CR 1, the end of the input 0),
/// or `None` when only more input can tell. `data[at]` is CR, LF or past the end.
#[inline]
fn line_break(data: &[u8], at: usize, eof: bool) -> Option<usize> {
    match data.get(at) {
        None => eof.then_some(0),
        Some(b'\n') => Some(1),
        Some(_) => match data.get(at + 1) {
            Some(b'\n') => Some(2),
            Some(_) => Some(1),
            None => eof.then_some(1),
        },
    }
}

/// The general pass: quoted fields with separators, `""` and line breaks inside.
#[inline(never)]
fn quoted<S: Sink>(buf: &[u8], from: usize, len: usize, eof: bool, d: u8, sink: &mut S) -> Split {
    let data = &buf[..len];
    let mut i = from;
    let mut newlines = 0u64;
    loop {
        if i < len && data[i] == b'"' {
            let mut j = i + 1;
            let mut escaped = false;
            let close = loop {
                let Some(k) = memchr(b'"', &data[j..]) else {
                    return if eof { Split::Unterminated } else { Split::NeedMore };
                };
                let q = j + k;
                newlines += memchr_iter(b'\n', &data[j..q]).count() as u64;
                if q + 1 >= len && !eof {
                    return Split::NeedMore; // the next byte may be a second quote
                }
                if q + 1 < len && data[q + 1] == b'"' {
                    escaped = true;
                    j = q + 2;
                    continue;
                }
                break q;
            };
            let after = close + 1;
            let tail_end = match memchr3(d, b'\r', b'\n', &data[after..]) {
                Some(k) => after + k,
                None if eof => len,
                None => return Split::NeedMore,
            };
            sink.quoted(data, i, close, tail_end, escaped);
            i = tail_end;
        } else {
            match memchr3(d, b'\r', b'\n', &data[i..]) {
                Some(k) => {
                    sink.plain(i, i + k);
                    i += k;
                }
                None if eof => {
                    sink.plain(i, len);
                    i = len;
                }
                None => return Split::NeedMore,
            }
        }
        if i < len && data[i] == d {
            i += 1; // the next field starts
            continue;
        }
        return match line_break(data, i, eof) {
            Some(term) => Split::Record { end: i, next: i + term, lines: 1 + newlines },
            None => Split::NeedMore,
        };
    }
}

/// A [`Sink`] that keeps the cells: spans into the read buffer, and the text of quoted cells
/// that had quotes undone in `scratch`. The buffer must have [`PAD`] bytes past the data.
pub(crate) struct Cells<'a> {
    pub(crate) spans: &'a mut Vec<Span>,
    pub(crate) scratch: &'a mut Vec<u8>,
}

impl Sink for Cells<'_> {
    #[inline]
    fn line(&mut self, buf: &[u8], from: usize, to: usize, delimiter: u8) -> usize {
        scan_line(buf, from, to, delimiter, self.spans)
    }

    #[inline]
    fn restart(&mut self) {
        self.spans.clear();
        self.scratch.clear();
    }

    #[inline]
    fn plain(&mut self, start: usize, end: usize) {
        self.spans.push(Span::buf(start, end));
    }

    #[inline]
    fn quoted(&mut self, buf: &[u8], open: usize, close: usize, tail_end: usize, escaped: bool) {
        let after = close + 1;
        if !escaped && tail_end == after {
            self.spans.push(Span::buf(open + 1, close));
            return;
        }
        let scratch = &mut *self.scratch;
        let start = scratch.len();
        let mut seg = open + 1;
        if escaped {
            // Inside the quotes every quote is the first of a doubled pair.
            while let Some(k) = memchr(b'"', &buf[seg..close]) {
                let q = seg + k;
                scratch.extend_from_slice(&buf[seg..=q]);
                seg = q + 2;
            }
        }
        scratch.extend_from_slice(&buf[seg..close]);
        scratch.extend_from_slice(&buf[after..tail_end]);
        self.spans.push(Span { start: start as u32, end: scratch.len() as u32, scratch: true });
    }
}

/// A [`Sink`] that keeps nothing: only where records end matters.
pub(crate) struct Skip;

impl Sink for Skip {
    #[inline]
    fn line(&mut self, buf: &[u8], from: usize, to: usize, _delimiter: u8) -> usize {
        memchr3(b'"', b'\r', b'\n', &buf[from..to]).map_or(to, |k| from + k)
    }

    #[inline]
    fn restart(&mut self) {}

    #[inline]
    fn plain(&mut self, _start: usize, _end: usize) {}

    #[inline]
    fn quoted(&mut self, _buf: &[u8], _open: usize, _close: usize, _tail_end: usize, _escaped: bool) {}
}

/// Splits the line starting at `from` on `delimiter` up to the first quote, CR or LF, or
/// `to`; pushes the fields before that stop and returns its position.
///
/// `buf` must have at least [`PAD`] bytes past `to`.
#[inline]
fn scan_line(buf: &[u8], from: usize, to: usize, delimiter: u8, fields: &mut Vec<Span>) -> usize {
    debug_assert!(buf.len() >= to + PAD);
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86_64 baseline; every 16-byte load starts below `to`
        // and `buf` extends at least 16 bytes past `to`.
        unsafe { scan_line_sse2(buf, from, to, delimiter, fields) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut start = from;
        for (k, &b) in buf[from..to].iter().enumerate() {
            let at = from + k;
            if b == delimiter {
                fields.push(Span::buf(start, at));
                start = at + 1;
            } else if matches!(b, b'"' | b'\r' | b'\n') {
                fields.push(Span::buf(start, at));
                return at;
            }
        }
        fields.push(Span::buf(start, to));
        to
    }
}

#[cfg(target_arch = "x86_64")]
#[inline]
unsafe fn scan_line_sse2(buf: &[u8], from: usize, to: usize, delimiter: u8, fields: &mut Vec<Span>) -> usize {
    // SAFETY: the caller's contract: SSE2 is present and `buf` extends at least 16 bytes
    // past `to`, so every 16-byte load below is in bounds.
    unsafe {
        use std::arch::x86_64::*;
        let d = _mm_set1_epi8(delimiter as i8);
        let q = _mm_set1_epi8(b'"' as i8);
        let cr = _mm_set1_epi8(b'\r' as i8);
        let lf = _mm_set1_epi8(b'\n' as i8);
        let ptr = buf.as_ptr();
        let mut start = from;
        let mut i = from;
        while i < to {
            let v = _mm_loadu_si128(ptr.add(i) as *const __m128i);
            let mut md = _mm_movemask_epi8(_mm_cmpeq_epi8(v, d)) as u32;
            let special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, cr)), _mm_cmpeq_epi8(v, lf));
            let mut ms = _mm_movemask_epi8(special) as u32;
            if to - i < 16 {
                let valid = (1u32 << (to - i)) - 1;
                md &= valid;
                ms &= valid;
            }
            if ms != 0 {
                let stop = ms.trailing_zeros();
                md &= (1u32 << stop) - 1;
                while md != 0 {
                    let at = i + md.trailing_zeros() as usize;
                    fields.push(Span::buf(start, at));
                    start = at + 1;
                    md &= md - 1;
                }
                let at = i + stop as usize;
                fields.push(Span::buf(start, at));
                return at;
            }
            while md != 0 {
                let at = i + md.trailing_zeros() as usize;
                fields.push(Span::buf(start, at));
                start = at + 1;
                md &= md - 1;
            }
            i += 16;
        }
        fields.push(Span::buf(start, to));
        to
    }
}

/// Where the whole records of `data[from..to]`, a stretch without quotes, end: after its
/// last line break, except that a CR at the very end of `data` may be the first half of a
/// CRLF unless `eof`. `from` when no record ends in the stretch.
#[inline]
pub(crate) fn quote_free_end(data: &[u8], from: usize, to: usize, eof: bool) -> usize {
    let Some(x) = memrchr2(b'\r', b'\n', &data[from..to]) else { return from };
    let end = from + x + 1;
    if end == data.len() && data[end - 1] == b'\r' && !eof {
        return match memrchr2(b'\r', b'\n', &data[from..end - 1]) {
            Some(y) => from + y + 1,
            None => from,
        };
    }
    end
}

/// The number of records in `data`, a stretch of whole records without quotes: each line
/// feed, lone CR and CRLF ends one.
pub(crate) fn count_records(data: &[u8]) -> u64 {
    let (mut lf, mut cr, mut crlf) = (0u64, 0u64, 0u64);
    // Only the SSE2 loop below moves `i` past 0 before the byte loop.
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86_64 baseline; every load reads 16 bytes inside
        // `data` (the second one starts a byte later, so the loop stops 17 bytes before the
        // end). Byte counters are added up before they can reach 255.
        unsafe {
            let (vcr, vlf, zero) = (_mm_set1_epi8(b'\r' as i8), _mm_set1_epi8(b'\n' as i8), _mm_setzero_si128());
            let sum = |acc: __m128i| -> u64 {
                let s = _mm_sad_epu8(acc, zero);
                (_mm_cvtsi128_si64(s) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(s, s))) as u64
            };
            while i + 17 <= data.len() {
                let (mut alf, mut acr, mut apair) = (zero, zero, zero);
                let mut steps = 0;
                while steps < 255 && i + 17 <= data.len() {
                    let v = _mm_loadu_si128(data.as_ptr().add(i) as *const __m128i);
                    let next = _mm_loadu_si128(data.as_ptr().add(i + 1) as *const __m128i);
                    let is_cr = _mm_cmpeq_epi8(v, vcr);
                    alf = _mm_sub_epi8(alf, _mm_cmpeq_epi8(v, vlf));
                    acr = _mm_sub_epi8(acr, is_cr);
                    apair = _mm_sub_epi8(apair, _mm_and_si128(is_cr, _mm_cmpeq_epi8(next, vlf)));
                    steps += 1;
                    i += 16;
                }
                lf += sum(alf);
                cr += sum(acr);
                crlf += sum(apair);
            }
        }
    }
    for (k, &b) in data[i..].iter().enumerate() {
        match b {
            b'\n' => lf += 1,
            b'\r' => {
                cr += 1;
                if data.get(i + k + 1) == Some(&b'\n') {
                    crlf += 1;
                }
            }
            _ => {}
        }
    }
    lf + cr - crlf
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random bytes over an alphabet of the bytes that matter.
    fn noise(state: &mut u64, len: usize, alphabet: &[u8]) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                alphabet[(*state >> 59) as usize % alphabet.len()]
            })
            .collect()
    }

    /// Records of `data` counted one by one with [`record`].
    fn by_split(data: &[u8]) -> u64 {
        let (mut at, mut n) = (0, 0);
        while at < data.len() {
            match record(data, at, data.len(), true, b';', &mut Skip) {
                Split::Record { next, lines, .. } => {
                    n += lines;
                    at = next;
                }
                other => panic!("{other:?}"),
            }
        }
        n
    }

    #[test]
    fn counting_quote_free_records_agrees_with_splitting() {
        let mut state = 7u64;
        for len in 0..300 {
            let data = noise(&mut state, len, b"a;\r\nx");
            let last_break = |d: &[u8]| d.iter().rposition(|&b| b == b'\r' || b == b'\n').map_or(0, |i| i + 1);
            // Whole records only: cut after the last terminator.
            let end = last_break(&data);
            assert_eq!(count_records(&data[..end]), by_split(&data[..end]), "{:?}", &data[..end]);
            // The whole records of the stretch, when more input may follow it.
            let cut = quote_free_end(&data, 0, data.len(), false);
            let want = if data.last() == Some(&b'\r') { last_break(&data[..data.len() - 1]) } else { end };
            assert_eq!(cut, want, "{data:?}");
            assert_eq!(quote_free_end(&data, 0, data.len(), true), end);
        }
    }

    /// What [`reference`] found.
    #[derive(Debug)]
    enum Want {
        /// The cells, where the next record starts, the lines.
        Record(Vec<Vec<u8>>, usize, u64),
        NeedMore,
        Unterminated,
    }

    /// The record rules written out plainly, byte by byte.
    fn reference(data: &[u8], eof: bool) -> Want {
        let mut cells = Vec::new();
        let mut i = 0;
        let mut lines = 1;
        loop {
            let mut cell = Vec::new();
            if data.get(i) == Some(&b'"') {
                i += 1;
                loop {
                    match data.get(i) {
                        None if eof => return Want::Unterminated,
                        None => return Want::NeedMore,
                        Some(b'"') => match data.get(i + 1) {
                            Some(b'"') => {
                                cell.push(b'"');
                                i += 2;
                            }
                            None if !eof => return Want::NeedMore,
                            _ => {
                                i += 1;
                                break;
                            }
                        },
                        Some(&b) => {
                            lines += (b == b'\n') as u64;
                            cell.push(b);
                            i += 1;
                        }
                    }
                }
            }
            while let Some(&b) = data.get(i) {
                if matches!(b, b';' | b'\r' | b'\n') {
                    break;
                }
                cell.push(b);
                i += 1;
            }
            cells.push(cell);
            let next = match data.get(i) {
                Some(b';') => {
                    i += 1;
                    continue;
                }
                None if eof => i,
                None => return Want::NeedMore,
                Some(b'\n') => i + 1,
                Some(_) => match data.get(i + 1) {
                    Some(b'\n') => i + 2,
                    Some(_) => i + 1,
                    None if eof => i + 1,
                    None => return Want::NeedMore,
                },
            };
            return Want::Record(cells, next, lines);
        }
    }

    #[test]
    fn both_sinks_follow_the_record_rules() {
        let mut state = 11u64;
        for round in 0..20_000 {
            let len = 1 + round % 40;
            let data = noise(&mut state, len, b"a;\"\r\n\"b");
            for eof in [false, true] {
                let want = reference(&data, eof);
                let mut buf = data.clone();
                buf.resize(len + PAD, 0);
                let (mut spans, mut scratch) = (Vec::new(), Vec::new());
                let kept = record(&buf, 0, len, eof, b';', &mut Cells { spans: &mut spans, scratch: &mut scratch });
                let skipped = record(&data, 0, len, eof, b';', &mut Skip);
                let ctx = format!("{:?} eof={eof}", String::from_utf8_lossy(&data));
                match (&want, &kept) {
                    (Want::NeedMore, Split::NeedMore) | (Want::Unterminated, Split::Unterminated) => {}
                    (Want::Record(cells, next, lines), Split::Record { next: n, lines: l, end }) => {
                        assert_eq!((next, lines), (n, l), "{ctx}");
                        assert!(*end <= *n, "{ctx}");
                        let got: Vec<Vec<u8>> = spans
                            .iter()
                            .map(|s| (if s.scratch { &scratch } else { &buf })[s.start as usize..s.end as usize].to_vec())
                            .collect();
                        assert_eq!(&got, cells, "{ctx}");
                    }
                    _ => panic!("{ctx}: {want:?} but {kept:?}"),
                }
                assert_eq!(kept, skipped, "{ctx}");
            }
        }
    }
}
