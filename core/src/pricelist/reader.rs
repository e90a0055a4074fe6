//! The streaming reader: blocks of bytes in, rows out, in constant memory.

use std::io::{self, Read};
use std::sync::Arc;

use memchr::{memchr, memchr2, memchr3, memchr_iter};

use super::columns::{ColumnMap, Field};
use super::decode::Text;
use super::options::{Encoding, Options};
use super::values::{parse_min_qty, parse_period, parse_price, parse_price_bytes, trim};
use super::{BadRow, Row, PARSE_ENDPOINT};
use crate::carreta::Qty;
use crate::error::{Error, Result};

/// Bytes asked of the source in one read.
const BLOCK: usize = 256 * 1024;
/// Bytes kept free at the end of the buffer so the splitter may load 16 bytes at a time
/// past the data.
const PAD: usize = 16;
/// Longest excerpt of a bad record kept in a report, in characters.
const EXCERPT_CHARS: usize = 200;

/// Where a cell's bytes are: in the read buffer, or (when quotes had to be undone) in the
/// record's scratch buffer.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    end: u32,
    scratch: bool,
}

impl Span {
    #[inline]
    fn buf(start: usize, end: usize) -> Span {
        Span { start: start as u32, end: end as u32, scratch: false }
    }
}

/// What the splitter found at the current position.
enum Step {
    Record,
    NeedMore,
    Eof,
    Unterminated,
}

/// What [`Reader::next_record`] hands on.
enum Next {
    Record,
    Eof,
    /// A record that could not be split; already skipped. `(reason, excerpt)`.
    Broken(String, String),
}

/// The byte source: the caller's reader, or that reader behind a transcoder to UTF-8
/// (for UTF-16 and other encodings whose bytes are not ASCII-compatible).
enum Source<R> {
    Plain(R),
    Transcode(Transcoder<R>),
    Taken,
}

struct Transcoder<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    raw_pos: usize,
    raw_len: usize,
    inner_eof: bool,
    done: bool,
    raw_bytes: u64,
}

impl<R: Read> Transcoder<R> {
    fn new(inner: R, decoder: encoding_rs::Decoder, pending: &[u8]) -> Transcoder<R> {
        let mut raw = vec![0u8; BLOCK.max(pending.len())];
        raw[..pending.len()].copy_from_slice(pending);
        Transcoder { inner, decoder, raw, raw_pos: 0, raw_len: pending.len(), inner_eof: false, done: false, raw_bytes: 0 }
    }
}

impl<R: Read> Read for Transcoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.done || out.is_empty() {
                return Ok(0);
            }
            if self.raw_pos == self.raw_len && !self.inner_eof {
                let n = read_retrying(&mut self.inner, &mut self.raw)?;
                self.raw_pos = 0;
                self.raw_len = n;
                self.raw_bytes += n as u64;
                self.inner_eof = n == 0;
            }
            let last = self.inner_eof;
            let (result, read, written, _) = self.decoder.decode_to_utf8(&self.raw[self.raw_pos..self.raw_len], out, last);
            self.raw_pos += read;
            if last && result == encoding_rs::CoderResult::InputEmpty {
                self.done = true;
            }
            if written > 0 {
                return Ok(written);
            }
            if result == encoding_rs::CoderResult::OutputFull {
                return Err(io::Error::other("transcoding buffer too small"));
            }
        }
    }
}

fn read_retrying<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

impl<R: Read> Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Plain(r) => read_retrying(r, buf),
            Source::Transcode(t) => t.read(buf),
            Source::Taken => Ok(0),
        }
    }
}

/// The single-threaded engine behind [`Reader`](super::Reader): splits, decodes and
/// converts; reports bad rows as events and leaves the policy to the caller.
pub(crate) struct Core<R: Read> {
    src: Source<R>,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    plain_bytes: u64,
    text: Text,
    delimiter: u8,
    max_record: usize,
    /// Line number of the next record.
    line: u64,
    rec_line: u64,
    rec_start: usize,
    rec_end: usize,
    fields: Vec<Span>,
    scratch: Vec<u8>,
    headers: Vec<String>,
    map: ColumnMap,
    tmp: String,
    qty_cache: QtyCache,
    /// The current record as a borrowed row (filled by [`Core::next_ref_event`]).
    refs: RefState,
}

/// Where a borrowed row's text is: in the read buffer, the scratch buffer, or decoded into
/// [`RefState::dec`]. The bytes are valid UTF-8 (ASCII or checked UTF-8, or decoded text).
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
}

/// The values of the current record for a [`RowRef`](super::RowRef): numbers parsed, text
/// kept as spans, decoded text (non-ASCII cells only) in one reused string.
#[derive(Default)]
struct RefState {
    line: u64,
    price: rust_decimal::Decimal,
    min_qty: u32,
    period: (Option<u32>, Option<u32>),
    /// code, maker, name, qty, then the unknown columns.
    spans: Vec<StrSpan>,
    dec: String,
}

/// What [`Core::next_event`] found.
pub(crate) enum Got {
    Row,
    Bad(BadRow),
    End,
}

/// Maps an I/O error to the crate's error; a download's own error travels inside it.
pub(crate) fn io_error(e: io::Error) -> Error {
    if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        if let Ok(inner) = e.into_inner().expect("checked above").downcast::<Error>() {
            return *inner;
        }
        unreachable!("checked above");
    }
    Error::transport(PARSE_ENDPOINT, format!("cannot read the price list: {e}"))
}

fn header_error(message: String, excerpt: String) -> Error {
    Error::Decode { endpoint: PARSE_ENDPOINT.into(), path: "header".into(), message, excerpt }
}

fn excerpt_of(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// Trims ASCII spaces and tabs from both ends of a cell's bytes.
#[inline]
fn trim_bytes(mut b: &[u8]) -> &[u8] {
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
fn cell_str<'a>(bytes: &'a [u8], text: &Text, tmp: &'a mut String) -> std::result::Result<&'a str, String> {
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
fn decode_cell(text: &Text, bytes: &[u8], out: &mut String, tmp: &mut String) -> std::result::Result<(), String> {
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

/// The text of a cell for a borrowed row: ASCII (and, in UTF-8 lists, valid UTF-8) cells
/// in place, others decoded onto the end of `dec`; trimmed as [`Core::build`] trims when
/// `trimmed`. Decoding errors are those of [`Text::decode_into`].
#[inline]
fn str_span(span: Span, bytes: &[u8], trimmed: bool, text: &Text, dec: &mut String) -> std::result::Result<StrSpan, String> {
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
struct QtyCache {
    slots: Vec<Option<Qty>>,
}

impl QtyCache {
    const SLOTS: usize = 256;

    fn new() -> QtyCache {
        QtyCache { slots: vec![None; Self::SLOTS] }
    }

    #[inline]
    fn get(&mut self, raw: &str) -> Qty {
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

/// Replaces `s` by its trimmed self when decoding left white space (such as a no-break
/// space) at either end.
#[inline]
fn trim_in_place(s: &mut String) {
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

impl<R: Read> Core<R> {
    /// Reads the header of a price list from any `Read` (a file, a socket, a decompressor,
    /// a byte slice) and returns the reader positioned on the first row.
    ///
    /// Fails when the source cannot be read, when it is empty, when the header cannot be
    /// decoded, or when the code or price column is missing.
    pub(crate) fn new(source: R, options: &Options) -> Result<Core<R>> {
        let d = options.delimiter;
        if !d.is_ascii() || matches!(d, b'"' | b'\r' | b'\n') {
            return Err(Error::InvalidArgument(format!("the delimiter must be an ASCII byte other than a quote or a line break, got 0x{d:02X}")));
        }
        let mut reader = Core {
            src: Source::Plain(source),
            buf: vec![0u8; BLOCK + PAD],
            pos: 0,
            len: 0,
            eof: false,
            plain_bytes: 0,
            text: Text::Undecided,
            delimiter: d,
            max_record: options.max_record_bytes,
            line: 1,
            rec_line: 0,
            rec_start: 0,
            rec_end: 0,
            fields: Vec::with_capacity(16),
            scratch: Vec::new(),
            headers: Vec::new(),
            map: ColumnMap { fields: [None; 7], extra: Vec::new(), extra_names: Arc::from(Vec::new()) },
            tmp: String::new(),
            qty_cache: QtyCache::new(),
            refs: RefState::default(),
        };
        reader.start(options.encoding).map_err(io_error)?;
        reader.read_header(options)?;
        Ok(reader)
    }

    /// Looks at the first bytes for a byte-order mark and sets up decoding.
    fn start(&mut self, encoding: Encoding) -> io::Result<()> {
        while self.len < 4 && !self.eof {
            self.fill()?;
        }
        let head = &self.buf[..self.len];
        let bom = encoding_rs::Encoding::for_bom(head);
        let chosen = match encoding {
            Encoding::Auto => bom.map(|(enc, _)| enc),
            other => other.to_encoding_rs(),
        };
        let Some(enc) = chosen else {
            self.text = Text::Undecided;
            return Ok(());
        };
        let ascii_safe = enc.is_ascii_compatible() && (enc.is_single_byte() || enc == encoding_rs::UTF_8 || self.delimiter < 0x40);
        if ascii_safe {
            if enc == encoding_rs::UTF_8 && head.starts_with(b"\xEF\xBB\xBF") {
                self.pos = 3;
            }
            self.text = Text::for_encoding(enc);
            return Ok(());
        }
        // Decode the whole stream to UTF-8 first; the BOM (if it names this encoding) goes.
        let decoder = match bom {
            Some((b, _)) if b == enc => enc.new_decoder_with_bom_removal(),
            _ => enc.new_decoder_without_bom_handling(),
        };
        let pending = self.buf[self.pos..self.len].to_vec();
        let inner = match std::mem::replace(&mut self.src, Source::Taken) {
            Source::Plain(r) => r,
            _ => unreachable!("start runs once, on a plain source"),
        };
        self.src = Source::Transcode(Transcoder::new(inner, decoder, &pending));
        self.pos = 0;
        self.len = 0;
        self.eof = false;
        self.text = Text::Utf8;
        Ok(())
    }

    fn read_header(&mut self, options: &Options) -> Result<()> {
        loop {
            match self.next_record().map_err(io_error)? {
                Next::Eof => return Err(header_error("the price list is empty: there is no header line".into(), String::new())),
                Next::Broken(reason, excerpt) => return Err(header_error(reason, excerpt)),
                Next::Record if self.is_blank() => continue,
                Next::Record => break,
            }
        }
        self.decide_encoding();
        let mut headers = Vec::with_capacity(self.fields.len());
        for i in 0..self.fields.len() {
            let bytes = self.cell(i);
            let mut name = String::new();
            if let Err(reason) = self.text.decode_into(bytes, &mut name) {
                return Err(header_error(format!("column {}: {reason}", i + 1), self.excerpt()));
            }
            headers.push(trim(&name).to_owned());
        }
        while headers.last().is_some_and(|h| h.is_empty()) {
            headers.pop();
        }
        let map = ColumnMap::new(&headers, &options.overrides).map_err(|m| header_error(m, self.excerpt()))?;
        self.headers = headers;
        self.map = map;
        Ok(())
    }

    pub(crate) fn headers(&self) -> &[String] {
        &self.headers
    }

    pub(crate) fn map(&self) -> &ColumnMap {
        &self.map
    }

    pub(crate) fn encoding(&self) -> Option<&'static encoding_rs::Encoding> {
        self.text.encoding()
    }

    /// Bytes read from the source so far.
    pub(crate) fn bytes(&self) -> u64 {
        let transcoded = match &self.src {
            Source::Transcode(t) => t.raw_bytes,
            _ => 0,
        };
        self.plain_bytes + transcoded
    }

    /// Reads the next record into `row` (reusing its memory): a good row, a bad one (with
    /// its report; `row` is then unspecified), or the end. Errors are I/O errors only.
    pub(crate) fn next_event(&mut self, row: &mut Row) -> Result<Got> {
        loop {
            match self.next_record().map_err(io_error)? {
                Next::Eof => return Ok(Got::End),
                Next::Broken(reason, excerpt) => {
                    return Ok(Got::Bad(BadRow { line: self.rec_line, column: None, reason, raw: excerpt }));
                }
                Next::Record => {
                    if self.is_blank() {
                        continue;
                    }
                    return match self.build(row) {
                        Ok(()) => Ok(Got::Row),
                        Err((column, reason)) => {
                            let column = column.map(|i| self.headers.get(i).cloned().unwrap_or_else(|| format!("#{}", i + 1)));
                            Ok(Got::Bad(BadRow { line: self.rec_line, column, reason, raw: self.excerpt() }))
                        }
                    };
                }
            }
        }
    }

    /// The current record's text, shortened, for a report.
    fn excerpt(&self) -> String {
        let end = self.rec_end.min(self.rec_start + EXCERPT_CHARS * 4);
        excerpt_of(&self.text.decode_lossy(&self.buf[self.rec_start..end]))
    }

    #[inline]
    fn cell(&self, i: usize) -> &[u8] {
        let s = self.fields[i];
        let src = if s.scratch { &self.scratch } else { &self.buf };
        &src[s.start as usize..s.end as usize]
    }

    fn is_blank(&self) -> bool {
        self.fields.iter().all(|s| s.start == s.end)
    }

    /// With [`Encoding::Auto`], decides UTF-8 or CP1251 at the first record holding a
    /// non-ASCII byte.
    #[inline]
    fn decide_encoding(&mut self) {
        if self.text.is_undecided() {
            let record = &self.buf[self.rec_start..self.rec_end];
            if !record.is_ascii() {
                self.text.decide(record);
            }
        }
    }

    /// Fills `row` from the current record, or says which column is wrong and why.
    #[inline]
    fn build(&mut self, row: &mut Row) -> std::result::Result<(), (Option<usize>, String)> {
        let n = self.fields.len();
        let want = self.headers.len();
        if n < want || (n > want && (want..n).any(|i| !self.cell(i).is_empty())) {
            return Err((None, format!("the row has {n} fields where the header has {want}")));
        }
        self.decide_encoding();
        let map = &self.map;
        let text = &self.text;
        let fields = &self.fields;
        let (buf, scratch) = (&self.buf[..], &self.scratch[..]);
        let tmp = &mut self.tmp;
        let cell = |i: usize| -> &[u8] {
            let s = fields[i];
            let src = if s.scratch { scratch } else { buf };
            // SAFETY: spans are made by the splitter within the data of `buf` or `scratch`.
            unsafe { src.get_unchecked(s.start as usize..s.end as usize) }
        };
        let err_at = |i: usize| move |r: String| (Some(i), r);

        row.line = self.rec_line;
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

    /// Like [`Core::next_event`], but leaves a good row in the borrowed-row state (see
    /// [`Core::row_ref`]) without building a [`Row`].
    pub(crate) fn next_ref_event(&mut self) -> Result<Got> {
        loop {
            match self.next_record().map_err(io_error)? {
                Next::Eof => return Ok(Got::End),
                Next::Broken(reason, excerpt) => {
                    return Ok(Got::Bad(BadRow { line: self.rec_line, column: None, reason, raw: excerpt }));
                }
                Next::Record => {
                    if self.is_blank() {
                        continue;
                    }
                    return match self.build_ref() {
                        Ok(()) => Ok(Got::Row),
                        Err((column, reason)) => {
                            let column = column.map(|i| self.headers.get(i).cloned().unwrap_or_else(|| format!("#{}", i + 1)));
                            Ok(Got::Bad(BadRow { line: self.rec_line, column, reason, raw: self.excerpt() }))
                        }
                    };
                }
            }
        }
    }

    /// The row [`Core::next_ref_event`] last reported as good.
    #[inline]
    pub(crate) fn row_ref(&self) -> super::RowRef<'_> {
        let r = &self.refs;
        let (buf, scratch, dec) = (&self.buf[..], &self.scratch[..], r.dec.as_str());
        let s = |sp: StrSpan| sp.resolve(buf, scratch, dec);
        super::RowRef::from_parts(
            r.line,
            [s(r.spans[0]), s(r.spans[1]), s(r.spans[2]), s(r.spans[3])],
            r.price,
            r.min_qty,
            r.period,
            super::ExtraRef::Spans { names: &self.map.extra_names, spans: &r.spans[4..], buf, scratch, dec },
        )
    }

    /// Fills the borrowed-row state from the current record, with the same checks, in the
    /// same order, as [`Core::build`] (so the same rows are good and the same reports made).
    #[inline]
    fn build_ref(&mut self) -> std::result::Result<(), (Option<usize>, String)> {
        let n = self.fields.len();
        let want = self.headers.len();
        if n < want || (n > want && (want..n).any(|i| !self.cell(i).is_empty())) {
            return Err((None, format!("the row has {n} fields where the header has {want}")));
        }
        self.decide_encoding();
        let map = &self.map;
        let text = &self.text;
        let fields = &self.fields;
        let (buf, scratch) = (&self.buf[..], &self.scratch[..]);
        let tmp = &mut self.tmp;
        let r = &mut self.refs;
        r.dec.clear();
        if r.dec.capacity() < 4096 {
            // Room for the decoded cells of most records, so the decoder's fast path (no
            // exact sizing pass) applies from the first row on.
            r.dec.reserve(4096);
        }
        r.spans.clear();
        let cell = |i: usize| -> &[u8] {
            let s = fields[i];
            let src = if s.scratch { scratch } else { buf };
            // SAFETY: spans are made by the splitter within the data of `buf` or `scratch`.
            unsafe { src.get_unchecked(s.start as usize..s.end as usize) }
        };
        let err_at = |i: usize| move |r: String| (Some(i), r);

        r.line = self.rec_line;
        for field in [Field::Code, Field::Maker, Field::Name] {
            let span = match map.get(field) {
                Some(i) => str_span(fields[i], cell(i), true, text, &mut r.dec).map_err(err_at(i))?,
                None => StrSpan::default(),
            };
            r.spans.push(span);
        }
        if r.spans[0].start == r.spans[0].end {
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

    /// Moves unread bytes to the front, grows the buffer when a record needs it, and reads
    /// more. `Ok(false)` means the pending record is already as long as allowed.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(true);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
        }
        if self.len >= self.max_record {
            return Ok(false);
        }
        let room = self.buf.len() - PAD;
        if room - self.len < BLOCK / 2 && room < self.max_record + BLOCK {
            let grown = (room * 2).min(self.max_record + BLOCK);
            self.buf.resize(grown + PAD, 0);
        }
        let end = self.buf.len() - PAD;
        let n = self.src.read(&mut self.buf[self.len..end])?;
        if let Source::Plain(_) = self.src {
            self.plain_bytes += n as u64;
        }
        self.len += n;
        self.eof = n == 0;
        Ok(true)
    }

    /// Drops input up to and including the next line feed (or to the end).
    fn skip_line(&mut self) -> io::Result<()> {
        loop {
            if let Some(i) = memchr(b'\n', &self.buf[self.pos..self.len]) {
                self.pos += i + 1;
                break;
            }
            self.pos = self.len;
            if self.eof {
                break;
            }
            self.fill()?;
        }
        self.line += 1;
        Ok(())
    }

    /// Splits the next record, reading more input as needed.
    fn next_record(&mut self) -> io::Result<Next> {
        loop {
            match self.split() {
                Step::Record => return Ok(Next::Record),
                Step::Eof => return Ok(Next::Eof),
                Step::NeedMore => {
                    if !self.fill()? {
                        let excerpt = self.broken_excerpt();
                        self.rec_line = self.line;
                        self.skip_line()?;
                        let reason = format!(
                            "the record is longer than {} bytes (a quote left open?); skipped to the next line",
                            self.max_record
                        );
                        return Ok(Next::Broken(reason, excerpt));
                    }
                }
                Step::Unterminated => {
                    let excerpt = self.broken_excerpt();
                    self.rec_line = self.line;
                    self.skip_line()?;
                    return Ok(Next::Broken("a quoted field is not closed before the end of the file; skipped to the next line".into(), excerpt));
                }
            }
        }
    }

    fn broken_excerpt(&self) -> String {
        let end = self.len.min(self.pos + EXCERPT_CHARS);
        let bytes = &self.buf[self.pos..end];
        let line_end = memchr2(b'\r', b'\n', bytes).unwrap_or(bytes.len());
        excerpt_of(&self.text.decode_lossy(&bytes[..line_end]))
    }

    /// Splits one record at `pos`: the fast path for a line without quotes, the general
    /// one otherwise.
    #[inline]
    fn split(&mut self) -> Step {
        let (pos, len) = (self.pos, self.len);
        if pos >= len {
            return if self.eof { Step::Eof } else { Step::NeedMore };
        }
        self.fields.clear();
        let stop = scan_line(&self.buf, pos, len, self.delimiter, &mut self.fields);
        let term = if stop == len {
            if !self.eof {
                return Step::NeedMore;
            }
            0
        } else {
            match self.buf[stop] {
                b'\n' => 1,
                b'\r' => {
                    if stop + 1 < len {
                        if self.buf[stop + 1] == b'\n' {
                            2
                        } else {
                            1
                        }
                    } else if self.eof {
                        1
                    } else {
                        return Step::NeedMore;
                    }
                }
                _ => return self.split_quoted(),
            }
        };
        self.rec_start = pos;
        self.rec_end = stop;
        self.rec_line = self.line;
        self.line += 1;
        self.pos = stop + term;
        Step::Record
    }

    /// The general splitter: quoted fields with separators, `""` and line breaks inside.
    /// Text after a closing quote (`"a"b`) is kept as part of the field.
    fn split_quoted(&mut self) -> Step {
        let (pos, len, eof, d) = (self.pos, self.len, self.eof, self.delimiter);
        let data = &self.buf[pos..len];
        let fields = &mut self.fields;
        let scratch = &mut self.scratch;
        fields.clear();
        scratch.clear();
        let mut i = 0;
        let mut newlines = 0u64;
        let term;
        loop {
            if i < data.len() && data[i] == b'"' {
                let mut j = i + 1;
                let mut seg = j;
                let mut unquoted = false;
                let scratch_start = scratch.len();
                let close = loop {
                    let Some(k) = memchr(b'"', &data[j..]) else {
                        return if eof { Step::Unterminated } else { Step::NeedMore };
                    };
                    let q = j + k;
                    newlines += memchr_iter(b'\n', &data[j..q]).count() as u64;
                    if q + 1 >= data.len() && !eof {
                        return Step::NeedMore;
                    }
                    if q + 1 < data.len() && data[q + 1] == b'"' {
                        unquoted = true;
                        scratch.extend_from_slice(&data[seg..=q]);
                        j = q + 2;
                        seg = j;
                        continue;
                    }
                    break q;
                };
                let after = close + 1;
                let tail_end = match memchr3(d, b'\r', b'\n', &data[after..]) {
                    Some(k) => after + k,
                    None if eof => data.len(),
                    None => return Step::NeedMore,
                };
                if unquoted || tail_end > after {
                    scratch.extend_from_slice(&data[seg..close]);
                    scratch.extend_from_slice(&data[after..tail_end]);
                    fields.push(Span { start: scratch_start as u32, end: scratch.len() as u32, scratch: true });
                } else {
                    fields.push(Span::buf(pos + i + 1, pos + close));
                }
                i = tail_end;
            } else {
                match memchr3(d, b'\r', b'\n', &data[i..]) {
                    Some(k) => {
                        fields.push(Span::buf(pos + i, pos + i + k));
                        i += k;
                    }
                    None if eof => {
                        fields.push(Span::buf(pos + i, len));
                        i = data.len();
                    }
                    None => return Step::NeedMore,
                }
            }
            if i >= data.len() {
                term = 0;
                break;
            }
            match data[i] {
                b'\n' => {
                    term = 1;
                    break;
                }
                b'\r' => {
                    term = if i + 1 < data.len() {
                        if data[i + 1] == b'\n' {
                            2
                        } else {
                            1
                        }
                    } else if eof {
                        1
                    } else {
                        return Step::NeedMore;
                    };
                    break;
                }
                _ => i += 1, // the delimiter: the next field starts
            }
        }
        self.rec_start = pos;
        self.rec_end = pos + i;
        self.rec_line = self.line;
        self.line += 1 + newlines;
        self.pos = pos + i + term;
        Step::Record
    }
}

/// Splits the line starting at `from` on `delimiter` up to the first quote, CR or LF, or
/// `to`; pushes the fields before that stop and returns its position.
///
/// `buf` must have at least 16 bytes past `to` (the reader keeps [`PAD`] spare bytes).
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


/// What [`scan_record`] found at a record start.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Scan {
    /// A whole record: the next record starts at `next`, and it
    /// spans `lines` lines (1 + the line feeds inside its quoted fields).
    Record { next: usize, lines: u64 },
    /// More input is needed to find where the record ends.
    NeedMore,
    /// A quoted field is still open at the end of the input.
    Unterminated,
}

/// Finds where the record starting at `from` ends, with exactly the rules of
/// [`Core::split`] and [`Core::split_quoted`] (a quote opens a quoted field only at the
/// start of a field, `""` inside one is a quote, a lone CR ends a line), without keeping
/// the fields. `from` must be below `data.len()`.
pub(crate) fn scan_record(data: &[u8], from: usize, eof: bool, d: u8) -> Scan {
    let rest = &data[from..];
    let (stop, term) = match memchr3(b'"', b'\r', b'\n', rest) {
        None if eof => (rest.len(), 0),
        None => return Scan::NeedMore,
        Some(k) => match rest[k] {
            b'\n' => (k, 1),
            b'\r' => match rest.get(k + 1) {
                Some(b'\n') => (k, 2),
                Some(_) => (k, 1),
                None if eof => (k, 1),
                None => return Scan::NeedMore,
            },
            _ => return scan_quoted(rest, eof, d, from),
        },
    };
    Scan::Record { next: from + stop + term, lines: 1 }
}

fn scan_quoted(data: &[u8], eof: bool, d: u8, base: usize) -> Scan {
    let mut i = 0;
    let mut newlines = 0u64;
    let term;
    loop {
        if i < data.len() && data[i] == b'"' {
            let mut j = i + 1;
            let close = loop {
                let Some(k) = memchr(b'"', &data[j..]) else {
                    return if eof { Scan::Unterminated } else { Scan::NeedMore };
                };
                let q = j + k;
                newlines += memchr_iter(b'\n', &data[j..q]).count() as u64;
                if q + 1 >= data.len() && !eof {
                    return Scan::NeedMore;
                }
                if q + 1 < data.len() && data[q + 1] == b'"' {
                    j = q + 2;
                    continue;
                }
                break q;
            };
            let after = close + 1;
            i = match memchr3(d, b'\r', b'\n', &data[after..]) {
                Some(k) => after + k,
                None if eof => data.len(),
                None => return Scan::NeedMore,
            };
        } else {
            match memchr3(d, b'\r', b'\n', &data[i..]) {
                Some(k) => i += k,
                None if eof => i = data.len(),
                None => return Scan::NeedMore,
            }
        }
        if i >= data.len() {
            term = 0;
            break;
        }
        match data[i] {
            b'\n' => {
                term = 1;
                break;
            }
            b'\r' => {
                term = match data.get(i + 1) {
                    Some(b'\n') => 2,
                    Some(_) => 1,
                    None if eof => 1,
                    None => return Scan::NeedMore,
                };
                break;
            }
            _ => i += 1,
        }
    }
    Scan::Record { next: base + i + term, lines: 1 + newlines }
}

/// What a parallel reading takes over from a [`Core`] that has read the header.
pub(crate) struct Handover<R> {
    src: Source<R>,
    /// The bytes read past the header, not yet split.
    pub(crate) pending: Vec<u8>,
    pub(crate) eof: bool,
    /// Line number of the next record.
    pub(crate) line: u64,
    pub(crate) text: Text,
    pub(crate) headers: Vec<String>,
    pub(crate) map: ColumnMap,
    pub(crate) delimiter: u8,
    pub(crate) max_record: usize,
    /// Bytes read from the source so far.
    pub(crate) bytes: u64,
}

impl<R: Read> Handover<R> {
    /// Reads more bytes of the list (after decoding to UTF-8 for a transcoded source).
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let before = self.raw_bytes();
        let n = self.src.read(buf).map_err(io_error)?;
        if let Source::Plain(_) = self.src {
            self.bytes += n as u64;
        } else {
            self.bytes += self.raw_bytes() - before;
        }
        Ok(n)
    }

    pub(crate) fn raw_bytes(&self) -> u64 {
        match &self.src {
            Source::Transcode(t) => t.raw_bytes,
            _ => 0,
        }
    }

    /// A single-threaded engine going on from a record start: `data` (the bytes from there
    /// that were already read), then the rest of the source, the next record on `line`.
    pub(crate) fn resume(self, data: &[u8], eof: bool, line: u64, text: Text) -> Core<R> {
        let mut buf = vec![0u8; (data.len() + BLOCK).max(BLOCK) + PAD];
        buf[..data.len()].copy_from_slice(data);
        Core {
            src: self.src,
            buf,
            pos: 0,
            len: data.len(),
            eof,
            plain_bytes: 0,
            text,
            delimiter: self.delimiter,
            max_record: self.max_record,
            line,
            rec_line: 0,
            rec_start: 0,
            rec_end: 0,
            fields: Vec::with_capacity(16),
            scratch: Vec::new(),
            headers: self.headers,
            map: self.map,
            tmp: String::new(),
            qty_cache: QtyCache::new(),
            refs: RefState::default(),
        }
    }
}

impl<R: Read> Core<R> {
    /// Hands the source and what was read past the header to a parallel reading.
    pub(crate) fn hand_over(self) -> Handover<R> {
        let bytes = self.bytes();
        Handover {
            pending: self.buf[self.pos..self.len].to_vec(),
            eof: self.eof,
            line: self.line,
            text: self.text,
            headers: self.headers,
            map: self.map,
            delimiter: self.delimiter,
            max_record: self.max_record,
            bytes,
            src: self.src,
        }
    }
}

/// Bytes a block buffer keeps past its data (the splitter's 16-byte loads).
pub(crate) const BLOCK_PAD: usize = PAD;

impl Core<io::Empty> {
    /// An engine that parses whole blocks of records handed to it ([`Core::load_block`]).
    pub(crate) fn for_blocks(headers: Vec<String>, map: ColumnMap, delimiter: u8, max_record: usize) -> Core<io::Empty> {
        Core {
            src: Source::Taken,
            buf: Vec::new(),
            pos: 0,
            len: 0,
            eof: true,
            plain_bytes: 0,
            text: Text::Undecided,
            delimiter,
            max_record,
            line: 1,
            rec_line: 0,
            rec_start: 0,
            rec_end: 0,
            fields: Vec::with_capacity(16),
            scratch: Vec::new(),
            headers,
            map,
            tmp: String::new(),
            qty_cache: QtyCache::new(),
            refs: RefState::default(),
        }
    }

    /// Starts on a block: `buf[..len]` holds whole records (the first one on `line`), and
    /// `buf` has [`BLOCK_PAD`] bytes past `len`. Returns the previous block's buffer.
    pub(crate) fn load_block(&mut self, mut buf: Vec<u8>, len: usize, line: u64, text: Text) -> Vec<u8> {
        debug_assert!(buf.len() >= len + PAD);
        std::mem::swap(&mut self.buf, &mut buf);
        self.pos = 0;
        self.len = len;
        self.eof = true;
        self.line = line;
        self.text = text;
        buf
    }

    /// Takes the current block's buffer back (to be reused).
    pub(crate) fn take_block(&mut self) -> Vec<u8> {
        self.pos = 0;
        self.len = 0;
        std::mem::take(&mut self.buf)
    }
}

impl<R: Read> Core<R> {
    /// The encoding state (decided at the first non-ASCII row).
    pub(crate) fn text(&self) -> &Text {
        &self.text
    }
}

/// The number of records in `data`, a stretch of whole records without quotes: each line
/// feed, lone CR and CRLF ends one.
pub(crate) fn count_records(data: &[u8]) -> u64 {
    let (mut lf, mut cr, mut crlf) = (0u64, 0u64, 0u64);
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
mod scan_tests {
    use super::*;

    /// Records of `data` counted one by one with `scan_record`.
    fn by_scan(data: &[u8]) -> u64 {
        let (mut at, mut n) = (0, 0);
        while at < data.len() {
            match scan_record(data, at, true, b';') {
                Scan::Record { next, lines } => {
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
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    [b'a', b';', b'\r', b'\n', b'x'][(state >> 60) as usize % 5]
                })
                .collect();
            // Whole records only: cut after the last terminator.
            let end = data.iter().rposition(|&b| b == b'\r' || b == b'\n').map_or(0, |i| i + 1);
            assert_eq!(count_records(&data[..end]), by_scan(&data[..end]), "{:?}", &data[..end]);
        }
    }
}
