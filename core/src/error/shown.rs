//! How much of a caller's input an error message may quote.
//!
//! Messages quote what the caller gave so the mistake can be found, but a message is copied
//! into `message`, `message_ru`, `Display`, a face's repr and logs: a 100 MB id must not
//! become a 100 MB message three times over. Every quote of input in a rule or parameter
//! error goes through [`shown_input`].

/// The most characters of input a message quotes.
pub const SHOWN_CHARS: usize = 100;

/// `text` as an error message may quote it: whole when it has at most [`SHOWN_CHARS`]
/// characters, otherwise its first [`SHOWN_CHARS`] characters, `…` and the full length in
/// characters, so the reader knows it was cut and by how much. At most about 130 bytes
/// beyond the kept characters, whatever the input's size; costs O([`SHOWN_CHARS`]) plus one
/// count of the characters.
///
/// ```
/// use logibridge::shown_input;
/// assert_eq!(shown_input("<10"), "<10");
/// let long = "9".repeat(1_000);
/// assert_eq!(shown_input(&long), format!("{}… (1000 characters)", "9".repeat(100)));
/// ```
pub fn shown_input(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}… ({} characters)", &text[..cut], text.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_quoted_whole() {
        assert_eq!(shown_input(""), "");
        let exactly = "ж".repeat(SHOWN_CHARS);
        assert_eq!(shown_input(&exactly), exactly);
    }

    #[test]
    fn long_text_keeps_a_bounded_head_and_says_its_length() {
        let text = "я".repeat(10_000_000);
        let s = shown_input(&text);
        assert!(s.starts_with(&"я".repeat(SHOWN_CHARS)));
        assert!(s.ends_with("… (10000000 characters)"), "{}", &s[s.len() - 40..]);
        assert!(s.chars().count() < SHOWN_CHARS + 30);
    }
}
