//! Untrusted text (model output, tool output, file contents) made safe to draw: no byte of it
//! may drive the user's terminal (OSC 52 clipboard writes, window titles, cursor moves) or
//! reorder what is shown (bidi overrides). Control characters become visible caret or
//! `<U+XXXX>` notation; tabs become spaces; newlines stay line breaks.

/// Escapes one piece of untrusted text. Keeps `\n`; everything else that is a control or
/// invisible reordering character is shown, never interpreted.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            '\r' => out.push_str("^M"),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(b'@' + c as u8));
            }
            '\u{7f}' => out.push_str("^?"),
            c if is_hidden(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// C1 controls, bidi embeddings/overrides/isolates, and zero-width characters that could hide
/// or reorder text.
fn is_hidden(c: char) -> bool {
    matches!(c as u32,
        0x80..=0x9f
        | 0x200b..=0x200f
        | 0x202a..=0x202e
        | 0x2066..=0x2069
        | 0xfeff)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn terminal_sequences_are_shown_not_sent() {
        let osc52 = "\x1b]52;c;ZWNobyBoaQ==\x07";
        let e = escape(osc52);
        assert!(!e.chars().any(|c| c.is_control()), "{e:?}");
        assert_eq!(e, "^[]52;c;ZWNobyBoaQ==^G");
        assert_eq!(escape("\x1b[2J\x1b[H"), "^[[2J^[[H");
        assert_eq!(escape("\u{9b}31m"), "<U+009B>31m");
    }

    #[test]
    fn bidi_overrides_are_visible_and_plain_text_is_kept() {
        assert_eq!(escape("a\u{202e}b"), "a<U+202E>bc".trim_end_matches('c'));
        assert_eq!(escape("héllo\nwörld\tx"), "héllo\nwörld    x");
        assert_eq!(escape("a\rb\x7f"), "a^Mb^?");
    }
}
