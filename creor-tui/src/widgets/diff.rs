//! A small diff preview for write/edit cards: what would be removed and added, capped so a
//! huge file cannot push the card's keys off screen.

/// One preview line: `'-'`, `'+'` or `' '` (context / elision note) and its text.
pub type DiffLine = (char, String);

/// Preview of replacing `old` with `new` (an edit), or of writing `new` (`old` = `None`).
/// Common leading and trailing lines are dropped; at most `max` lines are kept.
pub fn preview(old: Option<&str>, new: &str, max: usize) -> Vec<DiffLine> {
    let new_lines: Vec<&str> = new.lines().collect();
    let old_lines: Vec<&str> = old.map(|o| o.lines().collect()).unwrap_or_default();
    let head = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(a, b)| a == b)
        .count();
    let tail = old_lines[head..]
        .iter()
        .rev()
        .zip(new_lines[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<DiffLine> = Vec::new();
    for l in &old_lines[head..old_lines.len() - tail] {
        out.push(('-', (*l).to_owned()));
    }
    for l in &new_lines[head..new_lines.len() - tail] {
        out.push(('+', (*l).to_owned()));
    }
    if out.len() > max {
        let more = out.len() - max + 1;
        out.truncate(max.saturating_sub(1));
        out.push((' ', format!("… {more} more lines")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::preview;

    #[test]
    fn edit_shows_only_changed_lines() {
        let p = preview(Some("a\nb\nc"), "a\nB\nc", 10);
        assert_eq!(p, vec![('-', "b".into()), ('+', "B".into())]);
    }

    #[test]
    fn write_shows_everything_added_and_caps_it() {
        let text = (0..20)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let p = preview(None, &text, 5);
        assert_eq!(p.len(), 5);
        assert_eq!(p[0], ('+', "0".into()));
        assert_eq!(p[4], (' ', "… 16 more lines".into()));
    }
}
