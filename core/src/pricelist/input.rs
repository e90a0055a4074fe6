//! The bytes of a price list: the caller's source (behind a transcoder to UTF-8 when its
//! encoding is not ASCII-compatible), read in blocks into one buffer that the splitter
//! works in.

use std::io::{self, Read};

use memchr::memchr;

use super::decode::{detect, Text, DETECT_WINDOW};
use super::options::Encoding;
use super::split::PAD;
use super::PARSE_ENDPOINT;
use crate::error::Error;

/// Bytes asked of the source in one read.
pub(crate) const BLOCK: usize = 256 * 1024;

/// Maps an I/O error to the crate's error; a download's own error travels inside it.
pub(crate) fn io_error(e: io::Error) -> Error {
    if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        if let Ok(inner) = e.into_inner().expect("checked above").downcast::<Error>() {
            return *inner;
        }
        unreachable!("checked above");
    }
    Error::transport(PARSE_ENDPOINT, format!("cannot read the price list: {e}"), format!("не удалось прочитать прайс-лист: {}", crate::error::russian::io_failure(&e)))
}

fn read_retrying<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// The byte source: the caller's reader, or that reader behind a transcoder to UTF-8 (for
/// UTF-16 and other encodings whose bytes are not ASCII-compatible). Counts the bytes it
/// takes from the caller's reader.
///
/// Under [`Encoding::Auto`] without a BOM it also makes the encoding decision, as the
/// bytes pass: at the first non-ASCII byte it reads ahead to [`DETECT_WINDOW`] bytes from
/// there (handing them out later as if just read) and decides on exactly those. Every
/// reading mode takes its bytes from here, so every mode decides alike.
pub(crate) struct Source<R> {
    kind: Kind<R>,
    /// Bytes read from a plain source (a transcoder counts its own).
    plain_bytes: u64,
    auto: Auto,
    /// Bytes read ahead for the decision, not yet handed out (from `ahead_pos`).
    ahead: Vec<u8>,
    ahead_pos: usize,
    /// The caller's reader ended while reading ahead.
    ahead_eof: bool,
    /// An error met while reading ahead, returned once the bytes before it are out.
    ahead_err: Option<io::Error>,
}

/// The encoding decision of [`Encoding::Auto`].
#[derive(Clone, Copy)]
enum Auto {
    /// An explicit encoding or a BOM decided.
    Off,
    /// Only ASCII so far.
    Waiting,
    Decided(&'static encoding_rs::Encoding),
}

enum Kind<R> {
    Plain(R),
    Transcode(Transcoder<R>),
    Taken,
}

impl<R: Read> Source<R> {
    fn new(kind: Kind<R>) -> Source<R> {
        Source { kind, plain_bytes: 0, auto: Auto::Off, ahead: Vec::new(), ahead_pos: 0, ahead_eof: false, ahead_err: None }
    }

    /// Reads more bytes (UTF-8 for a transcoded source).
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ahead_pos < self.ahead.len() {
            let n = buf.len().min(self.ahead.len() - self.ahead_pos);
            buf[..n].copy_from_slice(&self.ahead[self.ahead_pos..self.ahead_pos + n]);
            self.ahead_pos += n;
            return Ok(n);
        }
        if let Some(e) = self.ahead_err.take() {
            return Err(e);
        }
        if self.ahead_eof {
            return Ok(0);
        }
        match &mut self.kind {
            Kind::Plain(r) => {
                let n = read_retrying(r, buf)?;
                self.plain_bytes += n as u64;
                self.watch(&buf[..n]);
                Ok(n)
            }
            Kind::Transcode(t) => t.read(buf),
            Kind::Taken => Ok(0),
        }
    }

    /// Under [`Auto::Waiting`], looks for the first non-ASCII byte in `got` (bytes just
    /// read and handed out); there, reads ahead to fill the detection window and decides.
    fn watch(&mut self, got: &[u8]) {
        if !matches!(self.auto, Auto::Waiting) {
            return;
        }
        let Some(first) = got.iter().position(|&b| b >= 0x80) else { return };
        let mut window = got[first..].to_vec();
        let mut at_end = false;
        if let Kind::Plain(r) = &mut self.kind {
            // One byte past the window tells whether the list ends inside it.
            while window.len() <= DETECT_WINDOW {
                let have = window.len();
                window.resize(DETECT_WINDOW + 1, 0);
                match read_retrying(r, &mut window[have..]) {
                    Ok(0) => {
                        window.truncate(have);
                        at_end = true;
                        self.ahead_eof = true;
                        break;
                    }
                    Ok(n) => {
                        window.truncate(have + n);
                        self.plain_bytes += n as u64;
                    }
                    Err(e) => {
                        window.truncate(have);
                        self.ahead_err = Some(e);
                        break;
                    }
                }
            }
            self.ahead = window[got.len() - first..].to_vec();
            self.ahead_pos = 0;
        }
        let end = window.len().min(DETECT_WINDOW);
        self.auto = Auto::Decided(detect(&window[..end], at_end && window.len() <= DETECT_WINDOW));
    }

    /// The encoding [`Encoding::Auto`] decided on, once a non-ASCII byte went by.
    pub(crate) fn decision(&self) -> Option<&'static encoding_rs::Encoding> {
        match self.auto {
            Auto::Decided(e) => Some(e),
            _ => None,
        }
    }

    /// Bytes taken from the caller's reader so far.
    pub(crate) fn bytes(&self) -> u64 {
        let transcoded = match &self.kind {
            Kind::Transcode(t) => t.raw_bytes,
            _ => 0,
        };
        self.plain_bytes + transcoded
    }
}

/// Decodes another encoding to UTF-8 as it is read.
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

/// The read buffer: `buf[pos..len]` is read and not yet split, and `buf` keeps [`PAD`]
/// bytes past its data. It grows only for a record longer than a block, up to
/// `max_record` bytes.
pub(crate) struct Input<R> {
    pub(crate) src: Source<R>,
    pub(crate) buf: Vec<u8>,
    pub(crate) pos: usize,
    pub(crate) len: usize,
    /// The source has nothing more.
    pub(crate) eof: bool,
    pub(crate) max_record: usize,
}

impl<R: Read> Input<R> {
    /// A buffer over the caller's reader.
    pub(crate) fn new(source: R, max_record: usize) -> Input<R> {
        Input::resume(Source::new(Kind::Plain(source)), &[], false, max_record)
    }

    /// A buffer going on with `source` after `data`, bytes already read from it.
    pub(crate) fn resume(src: Source<R>, data: &[u8], eof: bool, max_record: usize) -> Input<R> {
        let mut buf = vec![0u8; data.len() + BLOCK + PAD];
        buf[..data.len()].copy_from_slice(data);
        Input { src, buf, pos: 0, len: data.len(), eof, max_record }
    }

    /// Looks at the first bytes for a byte-order mark and sets up decoding: skips a UTF-8
    /// BOM, or puts a transcoder to UTF-8 behind an encoding the splitter cannot work on
    /// directly, or (no BOM under [`Encoding::Auto`]) leaves the decision to the source.
    /// Returns how cells are to be decoded.
    pub(crate) fn start(&mut self, encoding: Encoding, delimiter: u8) -> io::Result<Text> {
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
            // No BOM: the source decides at the first non-ASCII byte, these ones included.
            self.src.auto = Auto::Waiting;
            let got = self.buf[..self.len].to_vec();
            self.src.watch(&got);
            return Ok(Text::Undecided);
        };
        let ascii_safe = enc.is_ascii_compatible() && (enc.is_single_byte() || enc == encoding_rs::UTF_8 || delimiter < 0x40);
        if ascii_safe {
            if enc == encoding_rs::UTF_8 && head.starts_with(b"\xEF\xBB\xBF") {
                self.pos = 3;
            }
            return Ok(Text::for_encoding(enc));
        }
        // Decode the whole stream to UTF-8 first; the BOM (if it names this encoding) goes.
        let decoder = match bom {
            Some((b, _)) if b == enc => enc.new_decoder_with_bom_removal(),
            _ => enc.new_decoder_without_bom_handling(),
        };
        let pending = self.buf[self.pos..self.len].to_vec();
        let inner = match std::mem::replace(&mut self.src.kind, Kind::Taken) {
            Kind::Plain(r) => r,
            _ => unreachable!("start runs once, on a plain source"),
        };
        self.src.kind = Kind::Transcode(Transcoder::new(inner, decoder, &pending));
        self.pos = 0;
        self.len = 0;
        self.eof = false;
        Ok(Text::Utf8)
    }

    /// Moves unread bytes to the front, grows the buffer when a record needs it, and reads
    /// more. `Ok(false)` means the pending record is already as long as allowed.
    pub(crate) fn fill(&mut self) -> io::Result<bool> {
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
        self.len += n;
        self.eof = n == 0;
        Ok(true)
    }

    /// Drops input up to and including the next line feed (or to the end).
    pub(crate) fn skip_line(&mut self) -> io::Result<()> {
        loop {
            if let Some(i) = memchr(b'\n', &self.buf[self.pos..self.len]) {
                self.pos += i + 1;
                return Ok(());
            }
            self.pos = self.len;
            if self.eof {
                return Ok(());
            }
            self.fill()?;
        }
    }

    /// The source, and the bytes read from it but not yet split.
    pub(crate) fn into_parts(self) -> (Source<R>, Vec<u8>, bool) {
        let pending = self.buf[self.pos..self.len].to_vec();
        (self.src, pending, self.eof)
    }
}

impl Input<io::Empty> {
    /// A buffer without a source, for whole blocks of records handed to it.
    pub(crate) fn for_blocks(max_record: usize) -> Input<io::Empty> {
        Input { src: Source::new(Kind::Taken), buf: Vec::new(), pos: 0, len: 0, eof: true, max_record }
    }

    /// Starts on a block: `buf[..len]` holds whole records and `buf` has [`PAD`] bytes past
    /// `len`. Returns the previous block's buffer.
    pub(crate) fn load_block(&mut self, mut buf: Vec<u8>, len: usize) -> Vec<u8> {
        debug_assert!(buf.len() >= len + PAD);
        std::mem::swap(&mut self.buf, &mut buf);
        self.pos = 0;
        self.len = len;
        self.eof = true;
        buf
    }

    /// Takes the current block's buffer back (to be reused).
    pub(crate) fn take_block(&mut self) -> Vec<u8> {
        self.pos = 0;
        self.len = 0;
        std::mem::take(&mut self.buf)
    }
}
