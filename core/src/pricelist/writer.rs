//! Writing rows back out as UTF-8 CSV or JSON Lines, for one-pass conversion.

use std::io::{self, Read, Write};

use super::{Reader, Row, Summary};
use crate::error::{Error, Result};

/// The endpoint name write errors carry.
const WRITE_ENDPOINT: &str = "carreta.pricelist.write";

/// The fixed columns of the CSV output, before the unknown ones.
pub const CSV_COLUMNS: [&str; 9] = ["line", "code", "maker", "name", "price", "qty", "min_qty", "period_min", "period_max"];

/// Output format of a [`Writer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// UTF-8 CSV (RFC 4180 quoting, CRLF), header `line,code,maker,name,price,qty,min_qty,
    /// period_min,period_max` then the unknown columns; price with a decimal dot.
    Csv,
    /// One JSON object per line, as [`Row`]'s `Serialize` writes it.
    JsonLines,
}

/// Writes rows as UTF-8 CSV or JSON Lines. Buffers internally: `out` need not be buffered.
///
/// ```
/// use logibridge::pricelist::{Options, Reader, Writer};
/// let csv = "Артикул;Цена;Склад\nA1;1 234,5;Москва\n";
/// let mut reader = Reader::from_reader(csv.as_bytes(), Options::new())?;
/// let mut writer = Writer::csv(Vec::new(), reader.extra_columns());
/// for row in reader.by_ref() {
///     writer.write(&row?)?;
/// }
/// let out = String::from_utf8(writer.finish()?).unwrap();
/// assert_eq!(out, "line,code,maker,name,price,qty,min_qty,period_min,period_max,Склад\r\n2,A1,,,1234.5,,1,,,Москва\r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    format: Format,
    delimiter: u8,
    extra: Vec<String>,
    header_done: bool,
    buf: Vec<u8>,
    rows: u64,
}

const FLUSH_AT: usize = 64 * 1024;

impl<W: Write> Writer<W> {
    /// A CSV writer; `extra_columns` are the unknown columns to write after the fixed ones,
    /// usually [`Reader::extra_columns`].
    pub fn csv(out: W, extra_columns: &[String]) -> Writer<W> {
        Writer { out, format: Format::Csv, delimiter: b',', extra: extra_columns.to_vec(), header_done: false, buf: Vec::with_capacity(FLUSH_AT + 4096), rows: 0 }
    }

    /// A JSON Lines writer.
    ///
    /// ```
    /// use logibridge::pricelist::{Options, Reader, Writer};
    /// let mut reader = Reader::from_reader("Артикул;Цена;Количество;Срок\nA1;152,02;<10;7-9\n".as_bytes(), Options::new())?;
    /// let mut writer = Writer::jsonl(Vec::new());
    /// writer.write(&reader.next().unwrap()?)?;
    /// let out = String::from_utf8(writer.finish()?).unwrap();
    /// assert_eq!(out, "{\"line\":2,\"code\":\"A1\",\"maker\":\"\",\"name\":\"\",\"price\":\"152.02\",\"qty\":\"<10\",\"min_qty\":1,\"period_min\":7,\"period_max\":9,\"extra\":{}}\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn jsonl(out: W) -> Writer<W> {
        Writer { out, format: Format::JsonLines, delimiter: b',', extra: Vec::new(), header_done: true, buf: Vec::with_capacity(FLUSH_AT + 4096), rows: 0 }
    }

    /// A writer of the given format (`extra_columns` matter for CSV only).
    pub fn new(out: W, format: Format, extra_columns: &[String]) -> Writer<W> {
        match format {
            Format::Csv => Writer::csv(out, extra_columns),
            Format::JsonLines => Writer::jsonl(out),
        }
    }

    /// The CSV field separator (default `,`). Ignored for JSON Lines.
    pub fn delimiter(mut self, delimiter: u8) -> Writer<W> {
        self.delimiter = delimiter;
        self
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    fn header(&mut self) {
        if self.header_done {
            return;
        }
        self.header_done = true;
        let names: Vec<String> = CSV_COLUMNS.iter().map(|s| s.to_string()).chain(self.extra.iter().cloned()).collect();
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                self.buf.push(self.delimiter);
            }
            push_csv_field(&mut self.buf, name, self.delimiter);
        }
        self.buf.extend_from_slice(b"\r\n");
    }

    /// Writes one row.
    pub fn write(&mut self, row: &Row) -> io::Result<()> {
        match self.format {
            Format::JsonLines => {
                serde_json::to_writer(&mut self.buf, row).map_err(io::Error::other)?;
                self.buf.push(b'\n');
            }
            Format::Csv => {
                self.header();
                let d = self.delimiter;
                let b = &mut self.buf;
                write!(b, "{}", row.line)?;
                b.push(d);
                push_csv_field(b, &row.code, d);
                b.push(d);
                push_csv_field(b, &row.maker, d);
                b.push(d);
                push_csv_field(b, &row.name, d);
                b.push(d);
                write!(b, "{}", row.price)?;
                b.push(d);
                push_csv_field(b, row.qty.raw(), d);
                b.push(d);
                write!(b, "{}", row.min_qty)?;
                b.push(d);
                if let Some(p) = row.period_min {
                    write!(b, "{p}")?;
                }
                b.push(d);
                if let Some(p) = row.period_max {
                    write!(b, "{p}")?;
                }
                for name in &self.extra {
                    b.push(d);
                    if let Some(v) = row.extra.get(name) {
                        push_csv_field(b, v, d);
                    }
                }
                b.extend_from_slice(b"\r\n");
            }
        }
        self.rows += 1;
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes what is buffered (and the CSV header, if no row came), flushes, and returns
    /// the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.header();
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Appends a CSV field, quoted when it holds the separator, a quote or a line break.
fn push_csv_field(out: &mut Vec<u8>, text: &str, delimiter: u8) {
    let bytes = text.as_bytes();
    if !bytes.iter().any(|&b| b == delimiter || b == b'"' || b == b'\r' || b == b'\n') {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for &b in bytes {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

fn write_error(e: io::Error) -> Error {
    Error::transport(WRITE_ENDPOINT, format!("cannot write the converted price list: {e}"), format!("не удалось записать преобразованный прайс-лист: {}", crate::error::russian::io_failure(&e)))
}

fn convert<R: Read, W: Write>(reader: &mut Reader<R>, mut writer: Writer<W>) -> Result<Summary> {
    let mut row = Row::default();
    while reader.read_into(&mut row)? {
        writer.write(&row).map_err(write_error)?;
    }
    writer.finish().map_err(write_error)?;
    Ok(reader.summary())
}

/// Converts the rest of a price list to JSON Lines in one pass; returns the counts.
/// Bad rows follow the reader's [`OnError`](super::OnError) policy and stay in
/// [`Reader::bad_rows`].
///
/// ```
/// use logibridge::pricelist::{write_jsonl, Options, Reader};
/// let mut reader = Reader::from_reader("Артикул;Цена\nA1;1\nA2;2\n".as_bytes(), Options::new())?;
/// let mut out = Vec::new();
/// let summary = write_jsonl(&mut reader, &mut out)?;
/// assert_eq!(summary.rows_ok, 2);
/// assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 2);
/// # Ok::<(), logibridge::Error>(())
/// ```
pub fn write_jsonl<R: Read, W: Write>(reader: &mut Reader<R>, out: W) -> Result<Summary> {
    convert(reader, Writer::jsonl(out))
}

/// Converts the rest of a price list to UTF-8 CSV (see [`Format::Csv`]) in one pass;
/// returns the counts.
///
/// ```
/// use logibridge::pricelist::{write_csv_utf8, Options, Reader};
/// let mut reader = Reader::from_reader("Артикул;Наименование;Цена\nA1;\"Фильтр, масляный\";1,5\n".as_bytes(), Options::new())?;
/// let mut out = Vec::new();
/// write_csv_utf8(&mut reader, &mut out)?;
/// assert!(String::from_utf8(out).unwrap().ends_with("2,A1,,\"Фильтр, масляный\",1.5,,1,,\r\n"));
/// # Ok::<(), logibridge::Error>(())
/// ```
pub fn write_csv_utf8<R: Read, W: Write>(reader: &mut Reader<R>, out: W) -> Result<Summary> {
    let extra = reader.extra_columns().to_vec();
    convert(reader, Writer::csv(out, &extra))
}
