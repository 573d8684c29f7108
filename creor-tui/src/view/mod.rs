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
    let warning = status::warning(app);
    let status_h = if warning.is_some() { 2 } else { 1 };
    let [timeline, input, bar] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(prompt::height(app)),
        Constraint::Length(status_h),
    ])
    .areas(area);
    let lines = transcript::lines(app, timeline.width);
    let h = usize::from(timeline.height);
    let max_scroll = lines.len().saturating_sub(h);
    let scroll = app.scroll.min(max_scroll);
    let end = lines.len() - scroll;
    let start = end.saturating_sub(h);
    let shown: Vec<_> = lines[start..end].to_vec();
    frame.render_widget(Paragraph::new(shown), timeline);
    prompt::draw(frame, app, input);
    let mut bar_lines = Vec::new();
    if let Some(w) = warning {
        bar_lines.push(w);
    }
    bar_lines.push(status::line(app));
    frame.render_widget(Paragraph::new(bar_lines), bar);
}
