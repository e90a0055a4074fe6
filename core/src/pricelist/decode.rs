//! Turning the bytes of one cell into text.
//!
//! The record splitter works on raw bytes: in every encoding it is given (UTF-8 and the
//! ASCII-compatible ones such as CP1251) `;`, `"`, CR and LF are single ASCII bytes that
//! never occur inside a multi-byte character. Only the cells that are kept are decoded,
//! straight into the row's `String`s.

use std::fmt;

use encoding_rs::Encoding as RsEncoding;

/// How cell bytes become text.
pub(crate) enum Text {
    /// [`Encoding::Auto`](super::Encoding::Auto) before the first non-ASCII byte: ASCII is
    /// the same in both candidates, so nothing needs deciding yet.
    Undecided,
    /// UTF-8, validated cell by cell.
    Utf8,
    /// A single-byte encoding (CP1251, KOI8-R, …) through a 128-entry table.
    Single(Box<SingleByte>),
    /// Another ASCII-compatible encoding, decoded by `encoding_rs` cell by cell.
    Multi(&'static RsEncoding),
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Text::Undecided => f.write_str("Undecided"),
            Text::Utf8 => f.write_str("Utf8"),
            Text::Single(t) => write!(f, "Single({})", t.encoding.name()),
            Text::Multi(e) => write!(f, "Multi({})", e.name()),
        }
    }
}

/// The UTF-8 form of every byte of a single-byte encoding.
pub(crate) struct SingleByte {
    encoding: &'static RsEncoding,
    /// For each byte: its UTF-8 bytes in the low three bytes (little-endian order) and
    /// their count in the top byte.
    table: [u32; 256],
    /// Bytes the encoding leaves undefined (decoded as U+FFFD by `encoding_rs`).
    undefined: [bool; 256],
    any_undefined: bool,
}

impl SingleByte {
    pub(crate) fn new(encoding: &'static RsEncoding) -> SingleByte {
        let mut t = SingleByte { encoding, table: [0; 256], undefined: [false; 256], any_undefined: false };
        for b in 0u8..=0xFF {
            if b < 0x80 {
                t.table[b as usize] = b as u32 | 1 << 24;
                continue;
            }
            let one = [b];
            let (text, _) = encoding.decode_without_bom_handling(&one);
            let bytes = text.as_bytes();
            let n = bytes.len().min(3);
            let mut e = (n as u32) << 24;
            for (k, &byte) in bytes[..n].iter().enumerate() {
                e |= (byte as u32) << (8 * k);
            }
            t.table[b as usize] = e;
            if text == "\u{FFFD}" {
                t.undefined[b as usize] = true;
                t.any_undefined = true;
            }
        }
        t
    }

    #[inline]
    fn decode_into(&self, bytes: &[u8], out: &mut String) -> Result<(), String> {
        if self.any_undefined {
            if let Some(&b) = bytes.iter().find(|&&b| self.undefined[b as usize]) {
                return Err(format!("byte 0x{b:02X} is not defined in {}", self.encoding.name()));
            }
        }
        let total: usize = bytes.iter().map(|&b| (self.table[b as usize] >> 24) as usize).sum();
        // Three spare bytes let every step store a whole u32.
        out.reserve(total + 3);
        // SAFETY: each step writes 4 bytes (the character's UTF-8 and padding) at `p` and
        // advances by the character's length, so writes end at most 3 bytes past `total`,
        // inside the capacity reserved above. Every table entry is the complete UTF-8 of
        // one character, so the `total` bytes kept are valid UTF-8.
        unsafe {
            let v = out.as_mut_vec();
            let start = v.len();
            let base = v.as_mut_ptr().add(start);
            let mut p = base;
            for &b in bytes {
                let e = self.table[b as usize];
                (p as *mut u32).write_unaligned(e.to_le());
                p = p.add((e >> 24) as usize);
            }
            debug_assert_eq!(p.offset_from(base) as usize, total);
            v.set_len(start + total);
        }
        Ok(())
    }
}

impl Text {
    /// The decoder for an explicit encoding.
    pub(crate) fn for_encoding(encoding: &'static RsEncoding) -> Text {
        if encoding == encoding_rs::UTF_8 {
            Text::Utf8
        } else if encoding.is_single_byte() {
            Text::Single(Box::new(SingleByte::new(encoding)))
        } else {
            Text::Multi(encoding)
        }
    }

    /// For [`Text::Undecided`]: picks UTF-8 when the text from the first non-ASCII byte of
    /// `sample` on starts as valid UTF-8 (at least one whole character), CP1251 otherwise.
    /// CP1251 Cyrillic is never valid UTF-8 at its first letter; UTF-8 text with a stray
    /// bad byte further on is still UTF-8 (the bad cell is then reported).
    pub(crate) fn decide(&mut self, sample: &[u8]) {
        if let Text::Undecided = self {
            let Some(first) = sample.iter().position(|&b| b >= 0x80) else {
                return;
            };
            let utf8 = match std::str::from_utf8(&sample[first..]) {
                Ok(_) => true,
                Err(e) => e.valid_up_to() > 0 || (e.error_len().is_none() && sample.len() - first < 4),
            };
            *self = if utf8 { Text::Utf8 } else { Text::for_encoding(encoding_rs::WINDOWS_1251) };
        }
    }

    pub(crate) fn is_undecided(&self) -> bool {
        matches!(self, Text::Undecided)
    }

    /// The encoding in use, when decided.
    pub(crate) fn encoding(&self) -> Option<&'static RsEncoding> {
        match self {
            Text::Undecided => None,
            Text::Utf8 => Some(encoding_rs::UTF_8),
            Text::Single(t) => Some(t.encoding),
            Text::Multi(e) => Some(e),
        }
    }

    /// Appends the text of `bytes` to `out`. Must be decided unless `bytes` is ASCII.
    #[inline]
    pub(crate) fn decode_into(&self, bytes: &[u8], out: &mut String) -> Result<(), String> {
        if bytes.is_ascii() {
            // SAFETY: ASCII is valid UTF-8.
            out.push_str(unsafe { std::str::from_utf8_unchecked(bytes) });
            return Ok(());
        }
        match self {
            Text::Utf8 | Text::Undecided => match std::str::from_utf8(bytes) {
                Ok(s) => {
                    out.push_str(s);
                    Ok(())
                }
                Err(e) => Err(format!("invalid UTF-8 at byte {} of the cell", e.valid_up_to() + 1)),
            },
            Text::Single(table) => table.decode_into(bytes, out),
            Text::Multi(enc) => match enc.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(s) => {
                    out.push_str(&s);
                    Ok(())
                }
                None => Err(format!("bytes that are not valid {}", enc.name())),
            },
        }
    }

    /// The text of `bytes` with anything undecodable replaced (for error excerpts).
    pub(crate) fn decode_lossy(&self, bytes: &[u8]) -> String {
        match self.encoding() {
            None => String::from_utf8_lossy(bytes).into_owned(),
            Some(enc) => enc.decode_without_bom_handling(bytes).0.into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp1251_table_matches_encoding_rs() {
        let text = Text::for_encoding(encoding_rs::WINDOWS_1251);
        let all: Vec<u8> = (0u8..=255).filter(|&b| b != 0).collect();
        let mut out = String::new();
        text.decode_into(&all, &mut out).unwrap();
        assert_eq!(out, encoding_rs::WINDOWS_1251.decode_without_bom_handling(&all).0);
        let mut out = String::from("x");
        text.decode_into(b"\xC5\xF1\xF2\xFC \xB9\xA05", &mut out).unwrap();
        assert_eq!(out, "xЕсть №\u{A0}5");
    }

    #[test]
    fn undefined_bytes_are_errors() {
        // windows-1253 leaves 0xAA undefined.
        let text = Text::for_encoding(encoding_rs::WINDOWS_1253);
        assert!(text.decode_into(b"a\xAA", &mut String::new()).is_err());
    }

    #[test]
    fn decide_between_utf8_and_cp1251() {
        let mut t = Text::Undecided;
        t.decide(b"abc");
        assert!(t.is_undecided());
        t.decide("Цена".as_bytes());
        assert!(matches!(t, Text::Utf8));
        let mut t = Text::Undecided;
        t.decide(b"\xD6\xE5\xED\xE0");
        assert_eq!(t.encoding(), Some(encoding_rs::WINDOWS_1251));
        // A sample cut in the middle of a character is still UTF-8.
        let mut t = Text::Undecided;
        t.decide(&"Цена".as_bytes()[..3]);
        assert!(matches!(t, Text::Utf8));
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert!(Text::Utf8.decode_into(b"\xC0\xFF", &mut String::new()).is_err());
        let koi = Text::for_encoding(encoding_rs::KOI8_R);
        let mut s = String::new();
        koi.decode_into(b"\xF0\xD2\xC9\xD7\xC5\xD4", &mut s).unwrap();
        assert_eq!(s, "Привет");
        let sjis = Text::for_encoding(encoding_rs::SHIFT_JIS);
        let mut s = String::new();
        sjis.decode_into(b"\x82\xa0", &mut s).unwrap();
        assert_eq!(s, "あ");
    }
}
