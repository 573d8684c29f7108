//! The input box. While a card is open it says so, because keys go to the card.

use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthChar;

use crate::app::App;

/// Most input lines shown at once.
pub const MAX_LINES: usize = 6;

/// Rows the box needs (borders included).
pub fn height(app: &App) -> u16 {
    let n = app.input.text.iter().filter(|c| **c == '\n').count() + 1;
    u16::try_from(n.min(MAX_LINES)).unwrap_or(1) + 2
}

/// Draws the box and places the cursor.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let (title, style) = if app.open_card().is_some_and(|c| c.network.is_some()) {
        (
            " a network card has the keys: y this connection · s session · n deny ",
            Style::default().fg(Color::Yellow),
        )
    } else if app.card.is_some() {
        (
            " a permission card has the keys: y once · s session · n deny · f feedback ",
            Style::default().fg(Color::Yellow),
        )
    } else {
        (
            " Enter send · Alt-Enter newline · /help ",
            Style::default().fg(Color::DarkGray),
        )
    };
    let block = Block::default()
        .borders(Borders::TOP | Borders::BOTTOM)
        .border_style(style)
        .title(Span::styled(title, style));
    let text = app.input.as_string();
    let (cur_line, cur_col) = app.input.cursor_line_col();
    let skip = (cur_line + 1).saturating_sub(MAX_LINES);
    let lines: Vec<Line> = text
        .split('\n')
        .enumerate()
        .skip(skip)
        .take(MAX_LINES)
        .map(|(i, l)| {
            let lead = if i == 0 { "› " } else { "  " };
            Line::from(vec![
                Span::styled(
                    lead,
                    Style::default()
                        .fg(Color::Cyan)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::raw(crate::escape::escape(l)),
            ])
        })
        .collect();
    let inner = block.inner(area);
    let para = Paragraph::new(lines).block(block);
    frame.render_widget(para, area);
    if app.card.is_none() {
        let line: String = text.split('\n').nth(cur_line).unwrap_or("").to_owned();
        let col: usize = line
            .chars()
            .take(cur_col)
            .map(|c| c.width().unwrap_or(0))
            .sum::<usize>()
            + 2;
        let x = inner.x
            + u16::try_from(col)
                .unwrap_or(u16::MAX)
                .min(inner.width.saturating_sub(1));
        let y = inner.y + u16::try_from(cur_line - skip).unwrap_or(0);
        frame.set_cursor_position(Position::new(x, y));
    }
}
