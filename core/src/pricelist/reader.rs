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
    Error::Transport { endpoint: PARSE_ENDPOINT.into(), message: format!("cannot read the price list: {e}") }
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

