//! Turning the bytes of one cell into text.
//!
//! The record splitter works on raw bytes: in every encoding it is given (UTF-8 and the
//! ASCII-compatible ones such as CP1251) `;`, `"`, CR and LF are single ASCII bytes that
//! never occur inside a multi-byte character. Only the cells that are kept are decoded,
//! straight into the row's `String`s.

use std::fmt;

use encoding_rs::Encoding as RsEncoding;

/// How cell bytes become text.
#[derive(Clone)]
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
#[derive(Clone)]
pub(crate) struct SingleByte {
    encoding: &'static RsEncoding,
    /// For each byte: its UTF-8 bytes in the low three bytes (little-endian order), their
    /// count in the low bits of the top byte and [`UNDEFINED`] for a byte the encoding
    /// leaves undefined.
    table: [u32; 256],
    /// Bytes the encoding leaves undefined (decoded as U+FFFD by `encoding_rs`).
    undefined: [bool; 256],
    /// The byte of the no-break space (U+00A0), if the encoding has one.
    nbsp: Option<u8>,
}

impl SingleByte {
    pub(crate) fn new(encoding: &'static RsEncoding) -> SingleByte {
        let mut t = SingleByte { encoding, table: [0; 256], undefined: [false; 256], nbsp: None };
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
            if text == "\u{A0}" && t.nbsp.is_none() {
                t.nbsp = Some(b);
            }
            if text == "\u{FFFD}" {
                t.table[b as usize] |= UNDEFINED;
                t.undefined[b as usize] = true;
            }
        }
        t
    }

    /// Appends the UTF-8 of `bytes` to `out` in one pass: eight ASCII bytes at a time where
    /// they are all ASCII, one table entry per byte otherwise.
    #[inline]
    fn decode_into(&self, bytes: &[u8], out: &mut String) -> Result<(), String> {
        // Room for the longest possible text (three bytes a character) and three spare
        // bytes, so every step may store a whole u32 or u64 without checking.
        let bound = bytes.len() * 3 + 8;
        if out.capacity() - out.len() < bound {
            // A fresh (or too small) string: size it exactly (plus the spare bytes), as
            // the rows handed out keep their strings.
            let total: usize = bytes.iter().map(|&b| ((self.table[b as usize] >> 24) & 7) as usize).sum();
            out.reserve(total + 8);
        }
        let table = &self.table;
        let n = bytes.len();
        let src = bytes.as_ptr();
        let start = out.len();
        let room = out.capacity() - start;
        let mut undefined = 0u32;
        // SAFETY: `room` is at least the decoded length plus 8 (checked above: either the
        // bound or the exact total plus 8 is reserved). Each 8-byte ASCII step writes the 8
        // bytes it keeps; each table step writes 4 bytes at `p` and advances by the
        // character's length (at most 3), so no write ends past `room`. Every table entry
        // is the complete UTF-8 of one character and ASCII is UTF-8, so the bytes kept are
        // valid UTF-8; on an undefined byte the string is cut back to where it was.
        unsafe {
            let v = out.as_mut_vec();
            let base = v.as_mut_ptr().add(start);
            let mut p = base;
            let mut i = 0;
            while i + 8 <= n {
                let w = (src.add(i) as *const u64).read_unaligned();
                if w & 0x8080_8080_8080_8080 == 0 {
                    (p as *mut u64).write_unaligned(w);
                    p = p.add(8);
                } else {
                    for k in 0..8 {
                        let e = *table.get_unchecked(*src.add(i + k) as usize);
                        undefined |= e;
                        (p as *mut u32).write_unaligned(e.to_le());
                        p = p.add(((e >> 24) & 7) as usize);
                    }
                }
                i += 8;
            }
            while i < n {
                let e = *table.get_unchecked(*src.add(i) as usize);
                undefined |= e;
                (p as *mut u32).write_unaligned(e.to_le());
                p = p.add(((e >> 24) & 7) as usize);
                i += 1;
            }
            let written = p.offset_from(base) as usize;
            debug_assert!(written + 3 <= room);
            if undefined & UNDEFINED == 0 {
                v.set_len(start + written);
                return Ok(());
            }
        }
        let b = bytes.iter().copied().find(|&b| self.undefined[b as usize]).expect("an undefined byte was seen");
        Err(format!("byte 0x{b:02X} is not defined in {}", self.encoding.name()))
    }
}

/// The flag a table entry of an undefined byte carries (above its length).
const UNDEFINED: u32 = 1 << 31;

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

    /// The byte that is a no-break space in a single-byte encoding (0xA0 in CP1251).
    #[inline]
    pub(crate) fn nbsp(&self) -> Option<u8> {
        match self {
            Text::Single(t) => t.nbsp,
            _ => None,
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

/// How many bytes of a list [`Encoding::Auto`](super::Encoding::Auto) looks at without a
/// BOM: the 64 KiB that start at the list's first non-ASCII byte (fewer when the list ends
/// sooner). Both the iterator and [`par_for_each`](super::par_for_each) take the decision
/// from the source (`input::Source`) on exactly these bytes, whatever their own reads.
pub(crate) const DETECT_WINDOW: usize = 64 * 1024;

/// The encoding of `window` (the bytes from the first non-ASCII byte of a list, see
/// [`DETECT_WINDOW`]; `at_end` when the list ends inside it): UTF-8 only when the whole
/// window is valid UTF-8 (a character cut by the window's end excepted) *and* its
/// characters are those of a price list, CP1251 otherwise.
///
/// Why both: every CP1251 capital from `В` to `Я` followed by one of `ё Ё № « » NBSP`
/// and most other signs of 0x80–0xBF is also a valid two-byte UTF-8 character (`Щё`,
/// D9 B8, is the Arabic letter U+0678), so a first character that happens to be valid
/// proves nothing; real CP1251 text soon breaks UTF-8's rules (a lowercase letter is a lead
/// byte that wants continuation bytes). What remains is a window whose only non-ASCII
/// characters are such pairs: a two-byte character counts for UTF-8 only when it is
/// Latin-1, Latin Extended-A, Greek, Cyrillic (or a combining mark right after a letter);
/// Arabic, Hebrew, Armenian, C1 controls and the like are CP1251 pairs read wrongly. UTF-8
/// wins when the window holds at least one sensible character and at most one odd one for
/// every twenty sensible ones. Three- and four-byte characters
/// (`€ № — “”`, CJK) count as sensible: CP1251 text practically never forms them.
pub(crate) fn detect(window: &[u8], at_end: bool) -> &'static RsEncoding {
    let valid = match std::str::from_utf8(window) {
        Ok(text) => text,
        // A character cut by the window's end is only cut when the list goes on.
        Err(e) if e.error_len().is_none() && !at_end => {
            std::str::from_utf8(&window[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return encoding_rs::WINDOWS_1251,
    };
    let (mut sensible, mut odd) = (0usize, 0usize);
    let mut prev_letter = false;
    for c in valid.chars() {
        let u = c as u32;
        if u >= 0x80 {
            let fits = match c.len_utf8() {
                2 => matches!(u, 0xA0..=0x17F | 0x391..=0x3C9 | 0x400..=0x4FF) || (matches!(u, 0x300..=0x36F) && prev_letter),
                _ => true,
            };
            if fits {
                sensible += 1;
            } else {
                odd += 1;
            }
        }
        prev_letter = c.is_alphabetic();
    }
    if sensible > 0 && odd * 20 <= sensible {
        encoding_rs::UTF_8
    } else {
        encoding_rs::WINDOWS_1251
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
    fn detect_between_utf8_and_cp1251() {
        let cp = |s: &str| encoding_rs::WINDOWS_1251.encode(s).0.into_owned();
        assert_eq!(detect("Цена".as_bytes(), true), encoding_rs::UTF_8);
        assert_eq!(detect(&cp("Цена"), true), encoding_rs::WINDOWS_1251);
        // A character cut by the window's end is still UTF-8 when the list goes on, not at
        // its end.
        assert_eq!(detect(&"Цена".as_bytes()[..3], false), encoding_rs::UTF_8);
        assert_eq!(detect(&"Цена".as_bytes()[..3], true), encoding_rs::WINDOWS_1251);
        // The list: "Щётка" in CP1251 starts with a valid UTF-8 character (U+0678).
        assert_eq!(detect(&cp("Щётка;5\r\nA;Фильтр\r\n"), true), encoding_rs::WINDOWS_1251);
        // Even alone, an Arabic letter in a price list is a CP1251 pair read wrongly.
        assert_eq!(detect(&cp("Щё"), true), encoding_rs::WINDOWS_1251);
        assert_eq!(std::str::from_utf8(&cp("Щё")).unwrap(), "\u{678}");
        // A combining accent counts after a letter only.
        assert_eq!(detect("ме\u{301}сто".as_bytes(), true), encoding_rs::UTF_8);
        assert_eq!(detect(";\u{301}".as_bytes(), true), encoding_rs::WINDOWS_1251);
        // Three-byte characters are UTF-8's own.
        assert_eq!(detect("€ — №".as_bytes(), true), encoding_rs::UTF_8);
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
