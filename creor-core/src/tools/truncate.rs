//! Caps tool output so one huge result cannot flood the model's context. The note says how
//! much was cut so the model can narrow its request.

/// Keeps the head and tail of `text` within `max` bytes (on char boundaries) and says what was
/// dropped. Short text is returned unchanged.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let head_len = floor_boundary(text, max * 2 / 3);
    let tail_start = ceil_boundary(text, text.len() - (max - head_len));
    let omitted = tail_start - head_len;
    format!(
        "{}\n[... {omitted} bytes omitted: output truncated to {max} bytes; narrow the request (offset/limit, a tighter pattern) to see more ...]\n{}",
        &text[..head_len],
        &text[tail_start..]
    )
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn long_text_keeps_head_and_tail_and_says_so() {
        let s = format!("HEAD{}TAIL", "é".repeat(1000));
        let t = truncate(&s, 100);
        assert!(t.starts_with("HEAD"));
        assert!(t.ends_with("TAIL"));
        assert!(t.contains("bytes omitted"));
        assert!(t.len() < 300);
    }
}
