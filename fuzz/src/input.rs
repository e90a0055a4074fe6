//! Reading structured values off the front of a fuzz input, so that libFuzzer's byte
//! mutations map onto small, meaningful changes (a selector, a number, a text).

/// The rest of an input, consumed from the front.
pub struct Input<'a> {
    rest: &'a [u8],
}

impl<'a> Input<'a> {
    /// Wraps the whole input.
    pub fn new(data: &'a [u8]) -> Input<'a> {
        Input { rest: data }
    }

    /// One byte (0 when the input is exhausted).
    pub fn byte(&mut self) -> u8 {
        match self.rest.split_first() {
            Some((&b, rest)) => {
                self.rest = rest;
                b
            }
            None => 0,
        }
    }

    /// A signed integer, biased towards the small values the rules are about: a tag byte
    /// below 0xC0 gives -8..=183; 0xC0..0xE0 reads two more bytes (0..=65535); from 0xE0
    /// on, eight more bytes (any `i64`, the edges included).
    pub fn int(&mut self) -> i64 {
        let tag = self.byte();
        match tag {
            0..=0xBF => tag as i64 - 8,
            0xC0..=0xDF => u16::from_le_bytes([self.byte(), self.byte()]) as i64,
            _ => {
                let mut b = [0u8; 8];
                for x in &mut b {
                    *x = self.byte();
                }
                i64::from_le_bytes(b)
            }
        }
    }

    /// Everything left.
    pub fn rest(self) -> &'a [u8] {
        self.rest
    }
}

/// The parts of `data` between NUL bytes, as the C strings they would be (each gets its
/// terminating NUL), at most `n` of them; missing parts are `None`.
pub fn c_strings(data: &[u8], n: usize) -> Vec<Option<std::ffi::CString>> {
    let mut parts: Vec<Option<std::ffi::CString>> = data
        .splitn(n, |&b| b == 0)
        .map(|p| {
            // splitn leaves NULs in the last part: cut it at the first one, as C would.
            let p = p.split(|&b| b == 0).next().unwrap_or(&[]);
            Some(std::ffi::CString::new(p).expect("no NUL inside a part"))
        })
        .collect();
    parts.resize_with(n, || None);
    parts
}
