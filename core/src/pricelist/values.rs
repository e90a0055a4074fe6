//! Cell values: prices, pack sizes and delivery periods, read exactly.

use rust_decimal::Decimal;

/// White space around and inside numbers: space, tab, no-break space, narrow no-break
/// space, thin space.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{A0}' | '\u{202F}' | '\u{2009}')
}

/// Trims [`is_space`] characters (and any other Unicode white space) from both ends.
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || is_space(c))
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
    let s = trim(text);
    if s.is_empty() {
        return Err("price is empty".into());
    }
    let mut mantissa: u128 = 0;
    let mut significant = 0u32; // digits after the leading zeros
    let mut scale: Option<u32> = None; // digits after the decimal separator
    let mut group_len = 0u32; // integer digits since the last thousands separator
    let mut groups = 0u32; // thousands separators seen
    let group_error = || format!("price {s:?} has a digit group that is not three digits long");
    for c in s.chars() {
        match c {
            '0'..='9' => {
                let d = c as u32 - '0' as u32;
                if mantissa != 0 || d != 0 {
                    significant += 1;
                    if significant > 28 {
                        return Err(format!("price {s:?} has more than 28 significant digits"));
                    }
                }
                mantissa = mantissa * 10 + d as u128;
                match scale.as_mut() {
                    Some(sc) => *sc += 1,
                    None => group_len += 1,
                }
            }
            ',' | '.' => {
                if scale.is_some() {
                    return Err(format!("price {s:?} has more than one decimal separator"));
                }
                if group_len == 0 {
                    return Err(format!("price {s:?} has no digit before the decimal separator"));
                }
                if groups > 0 && group_len != 3 {
                    return Err(group_error());
                }
                scale = Some(0);
            }
            c if is_space(c) => {
                if scale.is_some() {
                    return Err(format!("price {s:?} has a space after the decimal separator"));
                }
                let ok = if groups == 0 { (1..=3).contains(&group_len) } else { group_len == 3 };
                if !ok {
                    return Err(group_error());
                }
                groups += 1;
                group_len = 0;
            }
            other => return Err(format!("price {s:?} is not a number (unexpected {other:?})")),
        }
    }
    match scale {
        Some(0) => return Err(format!("price {s:?} has no digit after the decimal separator")),
        Some(_) => {}
        None if groups > 0 && group_len != 3 => return Err(group_error()),
        None => {}
    }
    Decimal::try_from_i128_with_scale(mantissa as i128, scale.unwrap_or(0)).map_err(|e| format!("price {s:?} is out of range: {e}"))
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
    let s = trim(text);
    if s.is_empty() {
        return Ok(1);
    }
    parse_u32(s).ok_or_else(|| format!("min_qty {s:?} is not a whole number"))
}

fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
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
    let s = trim(text);
    if s.is_empty() {
        return Ok((None, None));
    }
    if let Some(n) = parse_u32(s) {
        return Ok((Some(n), Some(n)));
    }
    let bad = || format!("period {s:?} is neither a number of days nor a range like 7-9");
    let (a, b) = s.split_once(['-', '–', '—']).ok_or_else(bad)?;
    let (lo, hi) = (parse_u32(trim(a)).ok_or_else(bad)?, parse_u32(trim(b)).ok_or_else(bad)?);
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
