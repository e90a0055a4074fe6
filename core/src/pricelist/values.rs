//! Cell values: prices, pack sizes and delivery periods, read exactly.

use rust_decimal::Decimal;

/// Length of the white space at the start of `b`: an ASCII space or tab, or the UTF-8 of
/// a no-break space, narrow no-break space or thin space; 0 when there is none.
#[inline]
fn space_len(b: &[u8]) -> usize {
    match b {
        [b' ' | b'\t', ..] => 1,
        [0xC2, 0xA0, ..] => 2,
        [0xE2, 0x80, 0xAF | 0x89, ..] => 3,
        _ => 0,
    }
}

#[inline]
fn space_len_back(b: &[u8]) -> usize {
    match b {
        [.., b' ' | b'\t'] => 1,
        [.., 0xC2, 0xA0] => 2,
        [.., 0xE2, 0x80, 0xAF | 0x89] => 3,
        _ => 0,
    }
}

/// Trims the white space [`space_len`] knows from both ends of a number's text.
#[inline]
fn trim_number(mut b: &[u8]) -> &[u8] {
    match b {
        [] => return b,
        [first, .., last] | [first @ last] if first.is_ascii_digit() && last.is_ascii_digit() => return b,
        _ => {}
    }
    loop {
        let n = space_len(b);
        if n == 0 {
            break;
        }
        b = &b[n..];
    }
    loop {
        let n = space_len_back(b);
        if n == 0 {
            break;
        }
        b = &b[..b.len() - n];
    }
    b
}

/// Trims Unicode white space (no-break spaces included) from both ends.
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{A0}' | '\u{202F}' | '\u{2009}'))
}

/// Parses a price: digits with an optional decimal comma or dot, and spaces, no-break
/// spaces or thin spaces between groups of three digits.
///
/// ```
/// use logibridge::pricelist::parse_price;
/// use rust_decimal::Decimal;
/// assert_eq!(parse_price("1 234,56").unwrap(), Decimal::new(123456, 2));
/// assert_eq!(parse_price("1\u{A0}234,56").unwrap(), Decimal::new(123456, 2));
/// assert_eq!(parse_price("152.02").unwrap().to_string(), "152.02");
/// assert_eq!(parse_price("500").unwrap(), Decimal::new(500, 0));
/// assert!(parse_price("1.234,56").is_err());
/// assert!(parse_price("12 34").is_err());
/// ```
pub fn parse_price(text: &str) -> Result<Decimal, String> {
    let b = trim_number(text.as_bytes());
    let shown = || String::from_utf8_lossy(b).into_owned();
    price_digits(b, space_len).map_err(|e| match e {
        PriceError::Empty => "price is empty".into(),
        PriceError::TooManyDigits => format!("price {:?} has more than 28 significant digits", shown()),
        PriceError::TwoSeparators => format!("price {:?} has more than one decimal separator", shown()),
        PriceError::NoDigitBefore => format!("price {:?} has no digit before the decimal separator", shown()),
        PriceError::Group => format!("price {:?} has a digit group that is not three digits long", shown()),
        PriceError::NotNumber(at) => {
            let unexpected = String::from_utf8_lossy(&b[at..]).chars().next().unwrap_or('?');
            format!("price {:?} is not a number (unexpected {unexpected:?})", shown())
        }
        PriceError::SpaceAfterSeparator => format!("price {:?} has a space after the decimal separator", shown()),
        PriceError::NoDigitAfter => format!("price {:?} has no digit after the decimal separator", shown()),
        PriceError::Range(e) => format!("price {:?} is out of range: {e}", shown()),
    })
}

/// Parses a price cell straight from the bytes of a single-byte encoding (or ASCII), with
/// `nbsp` the byte of its no-break space, if any: the same value [`parse_price`] gives
/// the decoded text, or `None` when that would fail (the caller then decodes the cell and
/// calls [`parse_price`] for the report) or when a byte is not one the price can hold.
#[inline]
pub(crate) fn parse_price_bytes(b: &[u8], nbsp: Option<u8>) -> Option<Decimal> {
    let nbsp = nbsp.unwrap_or(b' ');
    let is_space = |c: u8| c == b' ' || c == b'\t' || c == nbsp;
    let mut b = b;
    while let [first, rest @ ..] = b {
        if !is_space(*first) {
            break;
        }
        b = rest;
    }
    while let [rest @ .., last] = b {
        if !is_space(*last) {
            break;
        }
        b = rest;
    }
    price_digits(b, |s: &[u8]| usize::from(is_space(s[0]))).ok()
}

/// Why [`price_digits`] refused a price (the message is made by [`parse_price`]).
enum PriceError {
    Empty,
    TooManyDigits,
    TwoSeparators,
    NoDigitBefore,
    Group,
    /// At this byte.
    NotNumber(usize),
    SpaceAfterSeparator,
    NoDigitAfter,
    Range(rust_decimal::Error),
}

/// The digits of a trimmed price; `space_len` gives the length of a thousands separator
/// at the start of a (non-empty) slice, 0 for none.
#[inline(always)]
fn price_digits(b: &[u8], space_len: impl Fn(&[u8]) -> usize) -> Result<Decimal, PriceError> {
    if b.is_empty() {
        return Err(PriceError::Empty);
    }
    // At most 19 digits fit a u64 whatever they are; more go to a u128.
    let mut mantissa: u64 = 0;
    let mut wide: u128 = 0;
    let mut significant = 0u32; // digits after the leading zeros
    let mut scale: Option<u32> = None; // digits after the decimal separator
    let mut group_len = 0u32; // integer digits since the last thousands separator
    let mut groups = 0u32; // thousands separators seen
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            let d = c - b'0';
            if significant != 0 || d != 0 {
                significant += 1;
                if significant > 28 {
                    return Err(PriceError::TooManyDigits);
                }
            }
            if significant <= 19 {
                mantissa = mantissa * 10 + d as u64;
            } else {
                if significant == 20 {
                    wide = mantissa as u128;
                }
                wide = wide * 10 + d as u128;
            }
            match scale.as_mut() {
                Some(sc) => *sc += 1,
                None => group_len += 1,
            }
            i += 1;
        } else if c == b',' || c == b'.' {
            if scale.is_some() {
                return Err(PriceError::TwoSeparators);
            }
            if group_len == 0 {
                return Err(PriceError::NoDigitBefore);
            }
            if groups > 0 && group_len != 3 {
                return Err(PriceError::Group);
            }
            scale = Some(0);
            i += 1;
        } else {
            let n = space_len(&b[i..]);
            if n == 0 {
                return Err(PriceError::NotNumber(i));
            }
            if scale.is_some() {
                return Err(PriceError::SpaceAfterSeparator);
            }
            let ok = if groups == 0 { (1..=3).contains(&group_len) } else { group_len == 3 };
            if !ok {
                return Err(PriceError::Group);
            }
            groups += 1;
            group_len = 0;
            i += n;
        }
    }
    match scale {
        Some(0) => return Err(PriceError::NoDigitAfter),
        Some(_) => {}
        None if groups > 0 && group_len != 3 => return Err(PriceError::Group),
        None => {}
    }
    let mantissa = if significant <= 19 { mantissa as i128 } else { wide as i128 };
    Decimal::try_from_i128_with_scale(mantissa, scale.unwrap_or(0)).map_err(PriceError::Range)
}

/// Parses the pack size (`Кратность`): a whole number; empty means 1.
///
/// ```
/// use logibridge::pricelist::parse_min_qty;
/// assert_eq!(parse_min_qty(""), Ok(1));
/// assert_eq!(parse_min_qty(" 4 "), Ok(4));
/// assert!(parse_min_qty("4 шт").is_err());
/// ```
pub fn parse_min_qty(text: &str) -> Result<u32, String> {
    let b = trim_number(text.as_bytes());
    if b.is_empty() {
        return Ok(1);
    }
    parse_u32(b).ok_or_else(|| format!("min_qty {:?} is not a whole number", String::from_utf8_lossy(b)))
}

#[inline]
fn parse_u32(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 10 {
        return None;
    }
    let mut n: u64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as u64;
    }
    u32::try_from(n).ok()
}

/// Parses the delivery period in days: `7` gives `(7, 7)`, `7-9` gives `(7, 9)` (a dash,
/// en dash or em dash, spaces allowed), empty gives `(None, None)`.
///
/// ```
/// use logibridge::pricelist::parse_period;
/// assert_eq!(parse_period("7-9"), Ok((Some(7), Some(9))));
/// assert_eq!(parse_period("7"), Ok((Some(7), Some(7))));
/// assert_eq!(parse_period(""), Ok((None, None)));
/// assert!(parse_period("9-7").is_err());
/// ```
pub fn parse_period(text: &str) -> Result<(Option<u32>, Option<u32>), String> {
    let b = trim_number(text.as_bytes());
    if b.is_empty() {
        return Ok((None, None));
    }
    if let Some(n) = parse_u32(b) {
        return Ok((Some(n), Some(n)));
    }
    // `7-9` in ASCII digits: the common form, without the general path's character
    // handling (which gives the same answer, and the reports).
    if let Some(k) = memchr::memchr(b'-', b) {
        if let (Some(lo), Some(hi)) = (parse_u32(trim_number(&b[..k])), parse_u32(trim_number(&b[k + 1..]))) {
            if lo <= hi {
                return Ok((Some(lo), Some(hi)));
            }
        }
    }
    let s = trim(text);
    let bad = || format!("period {s:?} is neither a number of days nor a range like 7-9");
    let (lo, hi) = s.split_once(['-', '–', '—']).ok_or_else(bad)?;
    let lo = parse_u32(trim_number(lo.as_bytes())).ok_or_else(bad)?;
    let hi = parse_u32(trim_number(hi.as_bytes())).ok_or_else(bad)?;
    if lo > hi {
        return Err(format!("period {s:?} ends before it starts"));
    }
    Ok((Some(lo), Some(hi)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> String {
        parse_price(s).unwrap().to_string()
    }

    #[test]
    fn price_forms() {
        assert_eq!(dec("152,02"), "152.02");
        assert_eq!(dec("152.02"), "152.02");
        assert_eq!(dec("1 234,56"), "1234.56");
        assert_eq!(dec("1\u{A0}234,56"), "1234.56");
        assert_eq!(dec("1\u{202F}234\u{202F}567,5"), "1234567.5");
        assert_eq!(dec(" 500 "), "500");
        assert_eq!(dec("0,10"), "0.10");
        assert_eq!(dec("007"), "7");
        assert_eq!(dec("1234,00"), "1234.00");
        assert_eq!(dec("123 456"), "123456");
        assert_eq!(dec("0"), "0");
    }

    #[test]
    fn bad_prices() {
        for s in ["", " ", "abc", "1,2,3", "1.234,56", "12 34", "1234 567", "1 234 56", ",5", "5,", "1 234,5 6", "-5", "152 руб", "1e5", "99999999999999999999999999999"] {
            assert!(parse_price(s).is_err(), "{s:?} should be rejected");
        }
    }

    #[test]
    fn periods_and_min_qty() {
        assert_eq!(parse_period("7 - 9"), Ok((Some(7), Some(9))));
        assert_eq!(parse_period("7–9"), Ok((Some(7), Some(9))));
        assert_eq!(parse_period("0"), Ok((Some(0), Some(0))));
        assert!(parse_period("до 5").is_err());
        assert!(parse_period("7-").is_err());
        assert_eq!(parse_min_qty("10"), Ok(10));
        assert!(parse_min_qty("1,5").is_err());
        assert!(parse_min_qty("99999999999").is_err());
    }
}
