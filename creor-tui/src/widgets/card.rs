//! The permission card's frame: a double rule on the left edge at column 0 (where no
//! untrusted text can appear), labelled rows, and the answer keys.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::text::wrap;

/// One labelled row of a card; `value` is untrusted and gets escaped.
#[derive(Debug, Clone)]
pub struct Row {
    /// Label (trusted).
    pub label: &'static str,
    /// Value (untrusted).
    pub value: String,
    /// How the value is drawn.
    pub style: Style,
}

/// Widest a card's top and bottom rules get.
const RULE: usize = 64;

/// The card's edge colour while it waits for an answer.
pub const EDGE: Color = Color::Yellow;

/// Draws a card: title rule, rows, then `footer` lines (keys, or the answer).
pub fn frame(
    title: &str,
    rows: &[Row],
    footer: Vec<Line<'static>>,
    edge: Style,
    width: u16,
) -> Vec<Line<'static>> {
    let w = usize::from(width);
    let mut out = Vec::new();
    let head = format!("╔═ {title} ");
    let fill = w.min(RULE).saturating_sub(head.chars().count());
    out.push(Line::from(Span::styled(
        format!("{head}{}", "═".repeat(fill)),
        edge.add_modifier(Modifier::BOLD),
    )));
    for row in rows {
        let first = Span::styled(format!("║ {:<10}", row.label), edge);
        let gutter = Span::styled(format!("║ {:<10}", ""), edge);
        out.extend(wrap(Some(first), gutter, &row.value, row.style, width));
    }
    for line in footer {
        let mut spans = vec![Span::styled("║ ", edge)];
        spans.extend(line.spans);
        out.push(Line::from(spans));
    }
    out.push(Line::from(Span::styled(
        format!("╚{}", "═".repeat(w.min(RULE).saturating_sub(1))),
        edge,
    )));
    out
}
