//! How to read a price list: encoding, separator, what to do with bad rows, column names.

use super::columns::Field;

/// The text encoding of a price list.
///
/// ```
/// use logibridge::pricelist::Encoding;
/// assert_eq!(Encoding::default(), Encoding::Auto);
/// assert_eq!(Encoding::from_label("windows-1251"), Some(Encoding::Cp1251));
/// assert_eq!(Encoding::from_label("UTF8"), Some(Encoding::Utf8));
/// assert!(matches!(Encoding::from_label("koi8-r"), Some(Encoding::Other(_))));
/// assert_eq!(Encoding::from_label("no-such-thing"), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// Detect: a UTF-8 BOM (or a UTF-16 BOM) decides; otherwise the 64 KiB of the list that
    /// start at its first non-ASCII byte (the whole rest when shorter) decide: UTF-8 when
    /// they are valid UTF-8 throughout (a character cut at the window's end excepted) and
    /// their characters are those of a price list (Cyrillic, Latin, Greek, punctuation;
    /// not Arabic or Hebrew, which is what CP1251 pairs such as `Щё` look like in UTF-8),
    /// CP1251 otherwise. ASCII reads the same either way, so nothing is decided before the
    /// first other byte; every reading mode decides on the same bytes, alike.
    #[default]
    Auto,
    /// Windows-1251, what Carreta publishes.
    Cp1251,
    /// UTF-8; a leading BOM is skipped.
    Utf8,
    /// Any encoding `encoding_rs` knows (KOI8-R, Windows-1252, UTF-16LE, Shift_JIS, …).
    Other(&'static encoding_rs::Encoding),
}

impl Encoding {
    /// Looks up an encoding by its WHATWG label (`"cp1251"`, `"windows-1251"`, `"utf-8"`,
    /// `"koi8-r"`, …) or `"auto"`. Case and surrounding spaces are ignored.
    pub fn from_label(label: &str) -> Option<Encoding> {
        let label = label.trim();
        if label.eq_ignore_ascii_case("auto") {
            return Some(Encoding::Auto);
        }
        let found = encoding_rs::Encoding::for_label_no_replacement(label.as_bytes())?;
        Some(Encoding::from_encoding_rs(found))
    }

    /// The variant for an `encoding_rs` encoding (CP1251 and UTF-8 get their own).
    pub fn from_encoding_rs(encoding: &'static encoding_rs::Encoding) -> Encoding {
        if encoding == encoding_rs::WINDOWS_1251 {
            Encoding::Cp1251
        } else if encoding == encoding_rs::UTF_8 {
            Encoding::Utf8
        } else {
            Encoding::Other(encoding)
        }
    }

    /// The `encoding_rs` encoding, or `None` for [`Encoding::Auto`].
    pub fn to_encoding_rs(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Encoding::Auto => None,
            Encoding::Cp1251 => Some(encoding_rs::WINDOWS_1251),
            Encoding::Utf8 => Some(encoding_rs::UTF_8),
            Encoding::Other(e) => Some(e),
        }
    }
}

/// What the reader does with a row it cannot read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnError {
    /// The iterator yields one `Err` (an [`Error::Decode`](crate::Error::Decode) naming the
    /// line and the column) and then ends. The safe default: nothing is skipped unnoticed.
    #[default]
    Stop,
    /// Bad rows are skipped, counted and kept (up to [`Options::max_errors_kept`]) in
    /// [`Reader::bad_rows`](super::Reader::bad_rows); reading goes on.
    Collect,
}

/// Settings of a [`Reader`](super::Reader), built in builder style.
///
/// ```
/// use logibridge::pricelist::{Encoding, Field, OnError, Options};
/// let options = Options::new()
///     .encoding(Encoding::Cp1251)
///     .delimiter(b';')
///     .on_error(OnError::Collect)
///     .column(Field::Price, "Стоимость")
///     .max_errors_kept(100);
/// assert_eq!(options.get_on_error(), OnError::Collect);
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    pub(crate) delimiter: u8,
    pub(crate) encoding: Encoding,
    pub(crate) on_error: OnError,
    pub(crate) overrides: Vec<(Field, String)>,
    pub(crate) max_errors_kept: usize,
    pub(crate) max_record_bytes: usize,
    pub(crate) background: bool,
    /// How the caller overrides a column, in English and Russian (`{field}` for the key).
    pub(crate) column_hint: (String, String),
}

impl Default for Options {
    fn default() -> Options {
        Options {
            delimiter: b';',
            encoding: Encoding::Auto,
            on_error: OnError::Stop,
            overrides: Vec::new(),
            max_errors_kept: 1000,
            max_record_bytes: 1 << 20,
            background: false,
            column_hint: (RUST_COLUMN_HINT.0.into(), RUST_COLUMN_HINT.1.into()),
        }
    }
}

/// The hint of the Rust API: [`Options::column`].
const RUST_COLUMN_HINT: (&str, &str) = (
    "name the column with Options::column(Field::…, \"<header>\") (field {field})",
    "укажите колонку через Options::column(Field::…, \"<заголовок>\") (поле {field})",
);

impl Options {
    /// The defaults: `;`, [`Encoding::Auto`], [`OnError::Stop`], the built-in column
    /// synonyms, 1000 bad-row reports kept, records up to 1 MiB.
    pub fn new() -> Options {
        Options::default()
    }

    /// The field separator (one ASCII byte; default `;`).
    pub fn delimiter(mut self, delimiter: u8) -> Options {
        self.delimiter = delimiter;
        self
    }

    /// The text encoding (default [`Encoding::Auto`]).
    pub fn encoding(mut self, encoding: Encoding) -> Options {
        self.encoding = encoding;
        self
    }

    /// Stop at the first bad row or collect them and go on (default [`OnError::Stop`]).
    pub fn on_error(mut self, on_error: OnError) -> Options {
        self.on_error = on_error;
        self
    }

    /// Reads `field` from the column headed `header` (compared ignoring case, spaces and
    /// punctuation) instead of the built-in synonyms. Call it again for the same field to
    /// add alternatives, tried in the order given.
    pub fn column(mut self, field: Field, header: impl Into<String>) -> Options {
        self.overrides.push((field, header.into()));
        self
    }

    /// How the caller names a column, for the error of a header that lacks a required
    /// column; `{field}` stands for the field's key (`price`). Each face says it in its own
    /// terms, in English and Russian (default: this API's [`Options::column`]).
    ///
    /// ```
    /// use logibridge::pricelist::{Options, Reader};
    /// let options = Options::new().column_hint(
    ///     "pass columns={\"{field}\": \"<header>\"}",
    ///     "передайте columns={\"{field}\": \"<заголовок>\"}",
    /// );
    /// let e = Reader::from_reader("Артикул;Стоимость\n".as_bytes(), options).unwrap_err();
    /// assert!(e.to_string().contains("pass columns={\"price\": \"<header>\"}"), "{e}");
    /// assert!(!e.to_string().contains("Options::column"), "{e}");
    /// assert!(e.message_ru().contains("передайте columns={\"price\""), "{}", e.message_ru());
    /// ```
    pub fn column_hint(mut self, en: impl Into<String>, ru: impl Into<String>) -> Options {
        self.column_hint = (en.into(), ru.into());
        self
    }

    /// How many bad-row reports are kept in memory (default 1000); the count in
    /// [`Summary::rows_bad`](super::Summary::rows_bad) goes on past it.
    pub fn max_errors_kept(mut self, n: usize) -> Options {
        self.max_errors_kept = n;
        self
    }

    /// The longest record accepted, in bytes (default 1 MiB, at least 4 KiB, at most
    /// 1 GiB). A longer one, such as what an unclosed quote makes of the rest of a file,
    /// is reported as a bad row and reading resumes at the next line. It also bounds the
    /// reader's memory.
    pub fn max_record_bytes(mut self, n: usize) -> Options {
        self.max_record_bytes = n.clamp(4096, 1 << 30);
        self
    }

    /// Whether [`open_with`](super::open_with) and [`download`](super::download) parse on a
    /// background thread (default `false`); see
    /// [`Reader::in_background`](super::Reader::in_background). Rows, reports and their
    /// order are the same either way. Worth it when the caller does real work per row (a
    /// Python or 1C face building objects) and a core is free; a Rust loop that only reads
    /// is faster without it (rows then allocate and free on one thread).
    pub fn background(mut self, background: bool) -> Options {
        self.background = background;
        self
    }

    /// The field separator.
    pub fn get_delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The encoding.
    pub fn get_encoding(&self) -> Encoding {
        self.encoding
    }

    /// The bad-row policy.
    pub fn get_on_error(&self) -> OnError {
        self.on_error
    }
}
