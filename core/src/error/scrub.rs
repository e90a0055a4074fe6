//! Finding a secret in text that came from outside, in whatever form an echo gives it.
//!
//! A server echoing a request, a body that failed to decode or a proxy's error page can
//! hold the key encoded in any mixture: `CANARY%2Bab/12%3D` (Python's `quote`, which leaves
//! `/`), `CANARY+ab%2F12=` (only `/` encoded), `%252B` (encoded twice), `\u002b` (JSON),
//! `&#43;` (HTML), `+` read back as a space. Listing whole forms misses the mixtures, so
//! the secret is matched character by character, each character in any of its forms
//! (issue 10, items 2 and 5). Encodings of the whole key as bytes (base64, hex) are
//! matched as whole forms.

/// `text` with every occurrence of each secret (of 4 characters or more) replaced by `***`.
pub(crate) fn scrub<S: AsRef<str>>(text: &str, secrets: &[S]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().map(AsRef::as_ref).filter(|s| s.chars().count() >= 4) {
        for form in byte_forms(secret) {
            if out.contains(&form) {
                out = out.replace(&form, "***");
            }
        }
        out = replace_echoes(&out, secret);
        out = replace_fragments(&out, secret);
    }
    out
}

/// The shortest run of a secret's characters masked on its own: a decode error quotes a
/// value cut short (`invalid value: "x8f3a…` of a 64-character token), so most of a secret
/// can appear without the whole of it. Shorter runs are too likely to be ordinary text.
const FRAGMENT_CHARS: usize = 8;

/// `text` with every run of at least [`FRAGMENT_CHARS`] consecutive characters of `secret`
/// (each in any of its forms, as for whole echoes) replaced by `***`.
fn replace_fragments(text: &str, secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < FRAGMENT_CHARS {
        return text.to_owned();
    }
    let t = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < t.len() {
        if !text.is_char_boundary(i) {
            i += 1;
            continue;
        }
        // Only the secret's positions whose character can start here: every form but the
        // literal one begins with `%`, `\`, `&` or is `+`/space, so ordinary text tries a
        // handful of starts instead of all of them (error texts are scrubbed against
        // 300-character tokens on every failed call).
        let here = text[i..].chars().next().unwrap_or_default();
        let escaped = matches!(t[i], b'%' | b'\\' | b'&');
        let starts = (0..chars.len()).filter(|&j| escaped || chars[j] == here || matches!((chars[j], here), ('+', ' ') | (' ', '+')));
        let longest = starts.map(|j| fragment_len(&t[i..], &chars[j..])).max_by_key(|&(_, n)| n);
        match longest {
            Some((bytes, n)) if n >= FRAGMENT_CHARS => {
                out.push_str(&text[copied..i]);
                out.push_str("***");
                i += bytes;
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// How much of `chars` (from its start) is echoed at the start of `t`: (bytes, characters),
/// taking the first form of each character that fits.
fn fragment_len(t: &[u8], chars: &[char]) -> (usize, usize) {
    let (mut at, mut n) = (0, 0);
    for &ch in chars {
        match first_form_len(&t[at..], ch) {
            Some(k) => {
                at += k;
                n += 1;
            }
            None => break,
        }
    }
    (at, n)
}

/// The length of the first of `ch`'s forms (in [`char_form_lens`]'s order) at the start of
/// `t`, trying the literal form before computing the others.
fn first_form_len(t: &[u8], ch: char) -> Option<usize> {
    let mut buf = [0u8; 4];
    if t.starts_with(ch.encode_utf8(&mut buf).as_bytes()) {
        return Some(ch.len_utf8());
    }
    match t.first() {
        Some(b'%' | b'\\' | b'&' | b' ' | b'+') => char_form_lens(t, ch).into_iter().flatten().next(),
        _ => None,
    }
}

/// The key's bytes as base64 (standard and URL-safe, padded or not) and hex.
fn byte_forms(secret: &str) -> Vec<String> {
    use base64::Engine as _;
    let mut forms: Vec<String> = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ]
    .iter()
    .map(|engine| engine.encode(secret))
    .collect();
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    forms.push(hex.to_uppercase());
    forms.push(hex);
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

fn replace_echoes(text: &str, secret: &str) -> String {
    let t = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < t.len() {
        match echo_len(&t[i..], secret) {
            Some(n) => {
                out.push_str(&text[copied..i]);
                out.push_str("***");
                i += n;
                copied = i;
            }
            None => i += 1,
        }
    }
    // Matches start and end on character boundaries: every form is ASCII or the
    // character's own UTF-8, so the slices above are whole characters.
    out.push_str(&text[copied..]);
    out
}

/// The length of the echo of `secret` at the start of `t`, if there is one. A character
/// may have several forms that fit here (`%` as is, or `%25` its encoding): each is tried.
fn echo_len(t: &[u8], secret: &str) -> Option<usize> {
    let mut chars = secret.chars();
    let Some(ch) = chars.next() else { return Some(0) };
    let rest = chars.as_str();
    char_form_lens(t, ch).into_iter().flatten().find_map(|n| echo_len(&t[n..], rest).map(|m| n + m))
}

/// The lengths of the forms of `ch` at the start of `t`: as is; `+` and space for each other
/// (a form decoder's reading); JSON's `\/` and `\uXXXX`; an HTML character reference; its
/// UTF-8 bytes percent-encoded once or twice, in either case of hex digits.
fn char_form_lens(t: &[u8], ch: char) -> [Option<usize>; 5] {
    let mut buf = [0u8; 4];
    let bytes = ch.encode_utf8(&mut buf).as_bytes();
    let literal = t.starts_with(bytes).then_some(bytes.len());
    let swapped = match (ch, t.first()) {
        ('+', Some(b' ')) | (' ', Some(b'+')) => Some(1),
        ('/', Some(b'\\')) if t.get(1) == Some(&b'/') => Some(2),
        _ => None,
    };
    let percent = |twice: bool| {
        let mut at = 0;
        for &b in bytes {
            at += percent_len(&t[at..], b, twice)?;
        }
        Some(at)
    };
    [literal, swapped, json_escape_len(t, ch).or_else(|| html_reference_len(t, ch)), percent(false), percent(true)]
}

/// `%2B` or `%2b`; `twice`: encoded once more, `%252B`.
fn percent_len(t: &[u8], byte: u8, twice: bool) -> Option<usize> {
    let prefix: &[u8] = if twice { b"%25" } else { b"%" };
    let digits = std::str::from_utf8(t.strip_prefix(prefix)?.get(..2)?).ok()?;
    (u8::from_str_radix(digits, 16).ok()? == byte).then_some(prefix.len() + 2)
}

/// `\u002b` / `\u002B` (characters of the basic plane).
fn json_escape_len(t: &[u8], ch: char) -> Option<usize> {
    let digits = std::str::from_utf8(t.strip_prefix(b"\\u")?.get(..4)?).ok()?;
    (u32::from_str_radix(digits, 16).ok()? == ch as u32).then_some(6)
}

/// `&#43;`, `&#x2b;`, or the named `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`.
fn html_reference_len(t: &[u8], ch: char) -> Option<usize> {
    let rest = t.strip_prefix(b"&")?;
    let end = rest.iter().take(10).position(|&b| b == b';')?;
    let name = std::str::from_utf8(&rest[..end]).ok()?;
    let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()?
    } else if let Some(dec) = name.strip_prefix('#') {
        dec.parse().ok()?
    } else {
        match name {
            "amp" => '&' as u32,
            "lt" => '<' as u32,
            "gt" => '>' as u32,
            "quot" => '"' as u32,
            "apos" => '\'' as u32,
            _ => return None,
        }
    };
    (code == ch as u32).then_some(end + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "CANARY+ab/12=3%4Fz";

    /// The forms the reviewer found leaking, and the whole-key forms: each is scrubbed
    /// wherever it sits in a text.
    #[test]
    fn every_mixture_of_encodings_is_scrubbed() {
        let python_quote = "CANARY%2Bab/12%3D3%254Fz"; // urllib.parse.quote: `/` left
        let encode_uri = "CANARY+ab/12=3%254Fz"; // JS encodeURI: only `%` encoded
        let only_slash = "CANARY+ab%2F12=3%4Fz";
        let twice = "CANARY%252Bab%252F12%253D3%25254Fz";
        let json_u = "CANARY\\u002bab\\/12\\u003D3%4Fz";
        let html = "CANARY&#43;ab&#x2F;12&#61;3&#37;4Fz";
        let form_read = "CANARY ab/12=3%4Fz";
        let all_bytes: String = KEY.bytes().map(|b| format!("%{b:02x}")).collect();
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(KEY);
        for form in [KEY, python_quote, encode_uri, only_slash, twice, json_u, html, form_read, &all_bytes, &b64] {
            let text = format!("bad key {form}, really");
            assert_eq!(scrub(&text, &[KEY]), "bad key ***, really", "{form}");
        }
    }

    #[test]
    fn a_secret_cut_short_is_scrubbed_too() {
        let token = "8f3a0c1d9e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f";
        let cut = format!("invalid value: \"x{}, expected a decimal (near: {}", &token[..58], &token[20..]);
        assert_eq!(scrub(&cut, &[token]), "invalid value: \"x***, expected a decimal (near: ***");
        assert_eq!(scrub("CANARY+ab/12=3%4F and", &[KEY]), "*** and");
        // Seven characters in a row are left: too short to tell from ordinary text.
        assert_eq!(scrub(&format!("id {}", &token[..7]), &[token]), format!("id {}", &token[..7]));
    }

    #[test]
    fn other_text_is_left_alone() {
        let text = "CANARY+ and Привет «мир» &amp; 100%";
        assert_eq!(scrub(text, &[KEY]), text);
        // A short secret would mask ordinary words: not scrubbed.
        assert_eq!(scrub("abc abc", &["abc"]), "abc abc");
        // Non-ASCII secrets, literal and percent-encoded.
        let ru = "ключ-секрет";
        let encoded: String = url::form_urlencoded::byte_serialize(ru.as_bytes()).collect();
        assert_eq!(scrub(&format!("{ru} / {encoded}"), &[ru]), "*** / ***");
    }
}
