//! The single-threaded engine behind every reader: reads the header, then splits records
//! out of the input and turns them into rows, reporting bad rows as events and leaving the
//! policy to the caller ([`Reader`](super::Reader) and [`par_for_each`](super::par_for_each)).

use std::io::{self, Read};
use std::sync::Arc;

use memchr::memchr2;

use super::build::{Builder, Fault, Record};
use super::columns::ColumnMap;
use super::decode::Text;
use super::input::{io_error, Input, Source};
use super::options::Options;
use super::report::{excerpt_of, EXCERPT_CHARS};
use super::split::{self, Cells, Span, Split};
use super::values::trim;
use super::{BadRow, Row, RowRef, PARSE_ENDPOINT};
use crate::error::{Error, Result};

/// What [`Engine::next_record`] hands on.
enum Next {
    Record,
    Eof,
    /// A record that could not be split; already skipped. `(reason, excerpt)`.
    Broken(String, String),
}

/// What [`Engine::next_event`] found.
pub(crate) enum Got {
    Row,
    Bad(BadRow),
    End,
}

/// An error of the header line, in English and Russian.
fn header_error((message, message_ru): (String, String), excerpt: String) -> Error {
    Error::Decode { endpoint: PARSE_ENDPOINT.into(), path: "header".into(), message, message_ru: format!("заголовок: {message_ru}"), excerpt }
}

/// Splits, decodes and converts, on the caller's thread.
pub(crate) struct Engine<R: Read> {
    input: Input<R>,
    text: Text,
    delimiter: u8,
    /// Line number of the next record.
    line: u64,
    /// Line, start and end (before the line break) of the current record.
    rec_line: u64,
    rec_start: usize,
    rec_end: usize,
    /// The current record's cells, in `input.buf` or `scratch`.
    fields: Vec<Span>,
    scratch: Vec<u8>,
    headers: Vec<String>,
    map: ColumnMap,
    builder: Builder,
}

impl<R: Read> Engine<R> {
    /// Reads the header of a price list from any `Read` and returns the engine positioned
    /// on the first row.
    ///
    /// Fails when the source cannot be read, when it is empty, when the header cannot be
    /// decoded, or when the code or price column is missing.
    pub(crate) fn new(source: R, options: &Options) -> Result<Engine<R>> {
        let d = options.delimiter;
        if !d.is_ascii() || matches!(d, b'"' | b'\r' | b'\n') {
            return Err(Error::invalid_argument(
                format!("the delimiter must be an ASCII byte other than a quote or a line break, got 0x{d:02X}"),
                format!("разделитель должен быть ASCII-символом, кроме кавычки и перевода строки; передан 0x{d:02X}"),
            ));
        }
        let map = ColumnMap { fields: [None; 7], extra: Vec::new(), extra_names: Arc::from(Vec::new()) };
        let mut engine = Engine::with(Input::new(source, options.max_record_bytes), Text::Undecided, d, 1, Vec::new(), map);
        engine.text = engine.input.start(options.encoding, d).map_err(io_error)?;
        engine.read_header(options)?;
        Ok(engine)
    }

    fn with(input: Input<R>, text: Text, delimiter: u8, line: u64, headers: Vec<String>, map: ColumnMap) -> Engine<R> {
        Engine {
            input,
            text,
            delimiter,
            line,
            rec_line: 0,
            rec_start: 0,
            rec_end: 0,
            fields: Vec::with_capacity(16),
            scratch: Vec::new(),
            headers,
            map,
            builder: Builder::new(),
        }
    }

    fn read_header(&mut self, options: &Options) -> Result<()> {
        loop {
            match self.next_record().map_err(io_error)? {
                Next::Eof => {
                    let why = ("the price list is empty: there is no header line".into(), "прайс-лист пуст: нет строки заголовка".into());
                    return Err(header_error(why, String::new()));
                }
                Next::Broken(reason, excerpt) => {
                    let ru = super::report::reason_ru(&reason);
                    return Err(header_error((reason, ru), excerpt));
                }
                Next::Record if self.is_blank() => continue,
                Next::Record => break,
            }
        }
        self.decide_encoding();
        let mut headers = Vec::with_capacity(self.fields.len());
        for (i, span) in self.fields.iter().enumerate() {
            let src = if span.scratch { &self.scratch } else { &self.input.buf };
            let mut name = String::new();
            if let Err(reason) = self.text.decode_into(&src[span.start as usize..span.end as usize], &mut name) {
                let why = (format!("column {}: {reason}", i + 1), format!("колонка {}: {}", i + 1, super::report::reason_ru(&reason)));
                return Err(header_error(why, self.excerpt()));
            }
            headers.push(trim(&name).to_owned());
        }
        while headers.last().is_some_and(|h| h.is_empty()) {
            headers.pop();
        }
        let map = ColumnMap::new(&headers, &options.overrides, &options.column_hint).map_err(|m| header_error(m, self.excerpt()))?;
        self.headers = headers;
        self.map = map;
        Ok(())
    }

    /// The header cells, trimmed.
    pub(crate) fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Where the known fields and the unknown columns are.
    pub(crate) fn map(&self) -> &ColumnMap {
        &self.map
    }

    /// The encoding in use, once decided.
    pub(crate) fn encoding(&self) -> Option<&'static encoding_rs::Encoding> {
        self.text.encoding()
    }

    /// Bytes read from the source so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.input.src.bytes()
    }

    /// Reads the next record into `row` (reusing its memory): a good row, a bad one (with
    /// its report; `row` is then unspecified), or the end. Errors are I/O errors only.
    #[inline]
    pub(crate) fn next_event(&mut self, row: &mut Row) -> Result<Got> {
        self.next_with(|builder, map, text, rec| builder.row(rec, map, text, row))
    }

    /// Like [`Engine::next_event`], but leaves a good row for [`Engine::row_ref`] without
    /// building a [`Row`].
    #[inline]
    pub(crate) fn next_ref_event(&mut self) -> Result<Got> {
        self.next_with(|builder, map, text, rec| builder.borrowed(rec, map, text))
    }

    /// The row [`Engine::next_ref_event`] last reported as good.
    #[inline]
    pub(crate) fn row_ref(&self) -> RowRef<'_> {
        self.builder.row_ref(&self.input.buf, &self.scratch, &self.map.extra_names)
    }

    /// The next record that is not blank, handed to `build` after the width check and the
    /// encoding decision.
    #[inline]
    fn next_with<F>(&mut self, mut build: F) -> Result<Got>
    where
        F: FnMut(&mut Builder, &ColumnMap, &Text, &Record<'_>) -> std::result::Result<(), Fault>,
    {
        loop {
            match self.next_record().map_err(io_error)? {
                Next::Eof => return Ok(Got::End),
                Next::Broken(reason, excerpt) => {
                    return Ok(Got::Bad(BadRow::new(self.rec_line, None, reason, excerpt)));
                }
                Next::Record if self.is_blank() => continue,
                Next::Record => {
                    // Decided before any check: a bad row's excerpt is decoded in the list's
                    // encoding, as par_for_each (decided per block) decodes it.
                    decide(&mut self.text, self.input.src.decision(), &self.input.buf[self.rec_start..self.rec_end]);
                    let rec = Record { line: self.rec_line, fields: &self.fields, buf: &self.input.buf, scratch: &self.scratch };
                    let built = rec.check_width(self.headers.len()).and_then(|()| build(&mut self.builder, &self.map, &self.text, &rec));
                    return match built {
                        Ok(()) => Ok(Got::Row),
                        Err((column, reason)) => {
                            let column = column.map(|i| self.headers.get(i).cloned().unwrap_or_else(|| format!("#{}", i + 1)));
                            Ok(Got::Bad(BadRow::new(self.rec_line, column, reason, self.excerpt())))
                        }
                    };
                }
            }
        }
    }

    /// The current record's text, shortened, for a report.
    fn excerpt(&self) -> String {
        let end = self.rec_end.min(self.rec_start + EXCERPT_CHARS * 4);
        excerpt_of(&self.text.decode_lossy(&self.input.buf[self.rec_start..end]))
    }

    fn is_blank(&self) -> bool {
        self.fields.iter().all(|s| s.start == s.end)
    }

    #[inline]
    fn decide_encoding(&mut self) {
        decide(&mut self.text, self.input.src.decision(), &self.input.buf[self.rec_start..self.rec_end]);
    }

    /// Splits the next record, reading more input as needed.
    fn next_record(&mut self) -> io::Result<Next> {
        loop {
            let input = &mut self.input;
            let (pos, len, eof) = (input.pos, input.len, input.eof);
            let split = if pos >= len {
                if eof {
                    return Ok(Next::Eof);
                }
                Split::NeedMore
            } else {
                self.fields.clear();
                let mut cells = Cells { spans: &mut self.fields, scratch: &mut self.scratch };
                split::record(&input.buf, pos, len, eof, self.delimiter, &mut cells)
            };
            match split {
                Split::Record { end, next, lines } => {
                    self.rec_start = pos;
                    self.rec_end = end;
                    self.rec_line = self.line;
                    self.line += lines;
                    self.input.pos = next;
                    return Ok(Next::Record);
                }
                Split::NeedMore => {
                    if !self.input.fill()? {
                        let reason = format!(
                            "the record is longer than {} bytes (a quote left open?); skipped to the next line",
                            self.input.max_record
                        );
                        return self.skip_broken(reason);
                    }
                }
                Split::Unterminated => {
                    return self.skip_broken("a quoted field is not closed before the end of the file; skipped to the next line".into());
                }
            }
        }
    }

    /// Reports the record at the read position as broken and skips its first line.
    fn skip_broken(&mut self, reason: String) -> io::Result<Next> {
        let input = &self.input;
        let end = input.len.min(input.pos + EXCERPT_CHARS);
        let bytes = &input.buf[input.pos..end];
        let line_end = memchr2(b'\r', b'\n', bytes).unwrap_or(bytes.len());
        decide(&mut self.text, input.src.decision(), &bytes[..line_end]);
        let excerpt = excerpt_of(&self.text.decode_lossy(&bytes[..line_end]));
        self.rec_line = self.line;
        self.input.skip_line()?;
        self.line += 1;
        Ok(Next::Broken(reason, excerpt))
    }
}

/// With [`Encoding::Auto`](super::Encoding::Auto), takes the source's decision (see
/// [`DETECT_WINDOW`](super::decode::DETECT_WINDOW)) at the first record holding a non-ASCII
/// byte. An engine on blocks has its decision from the block; should one ever lack it, the
/// record alone decides rather than nothing.
#[inline]
fn decide(text: &mut Text, decision: Option<&'static encoding_rs::Encoding>, record: &[u8]) {
    if text.is_undecided() && !record.is_ascii() {
        debug_assert!(decision.is_some(), "a non-ASCII byte went by the source undecided");
        *text = Text::for_encoding(decision.unwrap_or_else(|| super::decode::detect(record, false)));
    }
}

/// What a parallel reading takes over from an [`Engine`] that has read the header.
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
}

impl<R: Read> Handover<R> {
    /// Reads more bytes of the list (after decoding to UTF-8 for a transcoded source).
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.src.read(buf).map_err(io_error)
    }

    /// Bytes read from the source so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.src.bytes()
    }

    /// The encoding [`Encoding::Auto`](super::Encoding::Auto) decided on, once a non-ASCII
    /// byte was read.
    pub(crate) fn decision(&self) -> Option<&'static encoding_rs::Encoding> {
        self.src.decision()
    }

    /// A single-threaded engine going on from a record start: `data` (the bytes from there
    /// that were already read), then the rest of the source, the next record on `line`.
    pub(crate) fn resume(self, data: &[u8], eof: bool, line: u64, text: Text) -> Engine<R> {
        let input = Input::resume(self.src, data, eof, self.max_record);
        Engine::with(input, text, self.delimiter, line, self.headers, self.map)
    }
}

impl<R: Read> Engine<R> {
    /// Hands the source and what was read past the header to a parallel reading.
    pub(crate) fn hand_over(self) -> Handover<R> {
        let max_record = self.input.max_record;
        let (src, pending, eof) = self.input.into_parts();
        Handover {
            src,
            pending,
            eof,
            line: self.line,
            text: self.text,
            headers: self.headers,
            map: self.map,
            delimiter: self.delimiter,
            max_record,
        }
    }
}

impl Engine<io::Empty> {
    /// An engine that parses whole blocks of records handed to it ([`Engine::load_block`]).
    pub(crate) fn for_blocks(headers: Vec<String>, map: ColumnMap, delimiter: u8, max_record: usize) -> Engine<io::Empty> {
        Engine::with(Input::for_blocks(max_record), Text::Undecided, delimiter, 1, headers, map)
    }

    /// Starts on a block: `buf[..len]` holds whole records (the first one on `line`), and
    /// `buf` has [`split::PAD`] bytes past `len`. Returns the previous block's buffer.
    pub(crate) fn load_block(&mut self, buf: Vec<u8>, len: usize, line: u64, text: Text) -> Vec<u8> {
        self.line = line;
        self.text = text;
        self.input.load_block(buf, len)
    }

    /// Takes the current block's buffer back (to be reused).
    pub(crate) fn take_block(&mut self) -> Vec<u8> {
        self.input.take_block()
    }
}
