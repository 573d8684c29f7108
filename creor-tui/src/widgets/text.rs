//! Wrapping escaped text into lines behind a trusted gutter. Untrusted text never starts at
//! column 0: the gutter is creor's, so a model or a command cannot draw a card's left edge.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use crate::escape::escape;

/// Wraps untrusted `text` (escaped here) to `width` columns. Every line starts with `gutter`
/// (the first with `first` if given) and is drawn in `style`.
pub fn wrap(
    first: Option<Span<'static>>,
    gutter: Span<'static>,
    text: &str,
    style: Style,
    width: u16,
) -> Vec<Line<'static>> {
    let gw = gutter.width();
    let room = usize::from(width).saturating_sub(gw).max(1);
    let mut out = Vec::new();
    let mut first = first;
    for raw in escape(text).split('\n') {
        for piece in split_width(raw, room) {
            let lead = first.take().unwrap_or_else(|| gutter.clone());
            out.push(Line::from(vec![lead, Span::styled(piece, style)]));
        }
    }
    out
}

/// Splits one line into pieces no wider than `room` columns, preferring word boundaries.
pub fn split_width(line: &str, room: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut w = 0usize;
    let mut last_space: Option<usize> = None;
    for c in line.chars() {
        let cw = c.width().unwrap_or(0);
        if c == ' ' && w + cw > room {
            out.push(std::mem::take(&mut cur));
            w = 0;
            last_space = None;
            continue;
        }
        if w + cw > room && !cur.is_empty() {
            match last_space.filter(|&i| i > 0) {
                Some(i) => {
                    let rest = cur.split_off(i + 1);
                    out.push(cur.trim_end().to_owned());
                    cur = rest;
                }
                None => out.push(std::mem::take(&mut cur)),
            }
            w = cur.chars().map(|c| c.width().unwrap_or(0)).sum();
            last_space = None;
        }
        if c == ' ' {
            last_space = Some(cur.len());
        }
        cur.push(c);
        w += cw;
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_words_and_hard_breaks_long_words() {
        assert_eq!(split_width("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(split_width("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(split_width("", 4), [""]);
    }

    #[test]
    fn escape_sequences_never_reach_the_line() {
        let lines = wrap(
            None,
            Span::raw("  "),
            "\x1b]0;title\x07ok",
            Style::default(),
            40,
        );
        let text: String = lines[0]
            .spans
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(text, "  ^[]0;title^Gok");
    }
}
