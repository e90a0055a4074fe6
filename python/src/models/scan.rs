//! The pass again by hand, for bodies in the shape services write, and the byte helpers
//! it shares with the key lookup.

use logibridge::endpoints::Shape;
use serde::de::IgnoredAny;
use serde_json::{Map, Value};

use super::pass::{canonical_datetime, canonical_decimal, Cell, Pass};
use super::schema::{Kind, Slot, Spec};

/// The index of the first `"`, `\\` or control character (< 0x20) in `b`: eight bytes a
/// step (the usual SWAR test for a byte below a bound), then byte by byte.
fn special(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let mut i = 0;
    while i + 8 <= b.len() {
        let x = u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"));
        let hit = below(x ^ (ONES * u64::from(b'"')), 1) | below(x ^ (ONES * u64::from(b'\\')), 1) | below(x, 0x20);
        if hit != 0 {
            // The lowest flagged byte is a true hit (borrows only run upwards).
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|p| i + p)
}

/// Key comparison inlined for short keys (a call to `memcmp` costs more than the bytes).
#[inline]
pub(super) fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i + 8 <= a.len() {
        if a[i..i + 8] != b[i..i + 8] {
            return false;
        }
        i += 8;
    }
    a[i..].iter().zip(&b[i..]).all(|(x, y)| x == y)
}

/// The pass again, by hand, for bodies in the shape services write (plain strings, small
/// non-negative integers, `true`/`false`/`null`): about twice as fast as going through
/// serde, and it gives up (None) at anything else — an escape in a string, a float, a sign,
/// nesting in a field — which the serde pass then reads. It never accepts what the serde
/// pass would refuse: strings with control characters, leading zeros, bad literals,
/// trailing text and malformed skipped values all make it give up.
pub(super) struct Scan<'a> {
    pub(super) b: &'a [u8],
    pub(super) s: &'a str,
    pub(super) i: usize,
}

impl<'a> Scan<'a> {
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string with no escape and no control character (the cursor on its quote).
    fn plain_str(&mut self) -> Option<&'a str> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let end = start + special(&self.b[start..])?;
        if self.b[end] != b'"' {
            return None; // an escape or a control character
        }
        self.i = end + 1;
        Some(&self.s[start..end])
    }

    /// A non-negative integer below 2³¹ in JSON's form, not followed by a fraction or an
    /// exponent.
    fn small_uint(&mut self) -> Option<i64> {
        let start = self.i;
        let mut v: i64 = 0;
        while let Some(&c) = self.b.get(self.i) {
            if !c.is_ascii_digit() {
                break;
            }
            v = v * 10 + i64::from(c - b'0');
            if v > i64::from(i32::MAX) {
                return None;
            }
            self.i += 1;
        }
        let len = self.i - start;
        if len == 0 || (len > 1 && self.b[start] == b'0') || matches!(self.b.get(self.i), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(v)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// One JSON value read by serde_json (checked as it would be), the cursor moved past it.
    fn value<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        self.ws();
        let mut stream = serde_json::Deserializer::from_str(&self.s[self.i..]).into_iter::<T>();
        let v = stream.next()?.ok()?;
        self.i += stream.byte_offset();
        Some(v)
    }

    fn cell(&mut self, kind: Kind, nullable: bool, text: &mut String) -> Option<Cell> {
        match self.peek()? {
            b'"' => {
                let v = self.plain_str()?;
                let ok = match kind {
                    Kind::Str => true,
                    Kind::Decimal => canonical_decimal(v),
                    Kind::DateTime => canonical_datetime(v),
                    _ => false,
                };
                let start = text.len();
                if !ok || start + v.len() > u32::MAX as usize {
                    return None;
                }
                text.push_str(v);
                Some(Cell::Text(start as u32, text.len() as u32))
            }
            b'0'..=b'9' if matches!(kind, Kind::Int | Kind::Enum) => self.small_uint().map(Cell::Int),
            b't' if kind == Kind::Bool => self.literal(b"true").map(|()| Cell::Bool(true)),
            b'f' if kind == Kind::Bool => self.literal(b"false").map(|()| Cell::Bool(false)),
            b'n' if nullable => self.literal(b"null").map(|()| Cell::Null),
            _ => None,
        }
    }

    /// Whether the key at the cursor is `spec.keys[guess]` exactly (`"` key `"`); if so the
    /// cursor moves past it. Keys holding a quote, a backslash or a control character are
    /// never matched this way (their JSON form differs from their text).
    fn expected_key(&mut self, spec: &Spec, guess: usize) -> Option<usize> {
        let (k, _) = spec.keys.get(guess)?;
        let k = k.as_bytes();
        self.ws();
        let at = self.i;
        let end = at + k.len() + 2;
        let b = self.b.get(at..end)?;
        (spec.plain[guess] && b[0] == b'"' && b[end - at - 1] == b'"' && same_bytes(&b[1..end - at - 1], k)).then(|| {
            self.i = end;
            guess
        })
    }

    fn record(&mut self, pass: &mut Pass<'_>) -> Option<()> {
        let spec = pass.spec;
        let n = spec.fields.len();
        self.eat(b'{')?;
        let base = pass.page.cells.len();
        pass.page.cells.resize(base + n, Cell::Null);
        let mut seen = 0u64;
        let mut extra: Option<Box<Map<String, Value>>> = None;
        let mut position = 0;
        if self.peek()? == b'}' {
            self.i += 1;
        } else {
            loop {
                let guess = pass.memo.get(position).copied().unwrap_or(usize::MAX);
                // The key the previous record had here, matched in place (quotes included):
                // no scan for its end, no lookup.
                let (key, found) = match self.expected_key(spec, guess) {
                    Some(slot) => ("", Some(slot)),
                    None => {
                        let key = self.plain_str()?;
                        (key, spec.lookup(key, guess))
                    }
                };
                self.eat(b':')?;
                match found {
                    Some(slot) => {
                        if position < pass.memo.len() {
                            pass.memo[position] = slot;
                        } else {
                            pass.memo.push(slot);
                        }
                        match spec.keys[slot].1 {
                            Slot::Field(i) => {
                                if seen & (1 << i) != 0 {
                                    return None;
                                }
                                seen |= 1 << i;
                                let f = &spec.fields[i];
                                pass.page.cells[base + i] = self.cell(f.kind, f.nullable && pass.allow_null, &mut pass.page.text)?;
                            }
                            Slot::Skip => {
                                self.value::<IgnoredAny>()?;
                            }
                        }
                    }
                    None => {
                        let v: Value = self.value()?;
                        let m = extra.get_or_insert_with(Default::default);
                        if m.contains_key(key) {
                            return None;
                        }
                        m.insert(key.to_owned(), v);
                    }
                }
                position += 1;
                match self.peek()? {
                    b',' => self.i += 1,
                    b'}' => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        if seen != spec.full_mask() {
            return None;
        }
        pass.page.extras.push(extra);
        pass.page.count += 1;
        Some(())
    }

    fn list(&mut self, pass: &mut Pass<'_>) -> Option<()> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.record(pass)?;
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn result(&mut self, pass: &mut Pass<'_>, list: bool) -> Option<()> {
        if list {
            self.list(pass)
        } else {
            self.record(pass)
        }
    }

    pub(super) fn body(&mut self, pass: &mut Pass<'_>, shape: Shape) -> Option<()> {
        match shape.envelope {
            None => self.result(pass, shape.list)?,
            Some(field) => {
                self.eat(b'{')?;
                let mut found = false;
                if self.peek()? == b'}' {
                    self.i += 1;
                } else {
                    loop {
                        let key = self.plain_str()?;
                        self.eat(b':')?;
                        if !found && key == field {
                            found = true;
                            self.result(pass, shape.list)?;
                        } else {
                            self.value::<IgnoredAny>()?;
                        }
                        match self.peek()? {
                            b',' => self.i += 1,
                            b'}' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                if !found {
                    return None;
                }
            }
        }
        self.ws();
        (self.i == self.b.len()).then_some(())
    }
}
