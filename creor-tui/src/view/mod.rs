//! Drawing the app: timeline on top, input box, then the status bar. Pure functions of
//! [`App`]; snapshot-tested with ratatui's `TestBackend`.

pub mod approval;
pub mod prompt;
pub mod status;
pub mod transcript;

use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::App;

/// Draws one frame.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let mut bar_lines = status::warning(app, area.width);
    bar_lines.extend(status::lines(app, area.width));
    let status_h = u16::try_from(bar_lines.len()).unwrap_or(1);
    let [timeline, input, bar] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(prompt::height(app)),
        Constraint::Length(status_h),
    ])
    .areas(area);
    let (lines, anchor) = transcript::lines_and_anchor(app, timeline.width);
    let h = usize::from(timeline.height);
    let max_scroll = lines.len().saturating_sub(h);
    let scroll = app.scroll.min(max_scroll);
    let mut start = lines.len().saturating_sub(h + scroll);
    if let (Some(a), 0) = (anchor, app.scroll) {
        start = start.min(a);
    }
    let end = (start + h).min(lines.len());
    let shown: Vec<_> = lines[start..end].to_vec();
    frame.render_widget(Paragraph::new(shown), timeline);
    prompt::draw(frame, app, input);
    frame.render_widget(Paragraph::new(bar_lines), bar);
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod snapshot_tests;
