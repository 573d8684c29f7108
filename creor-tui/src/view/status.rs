//! The status bar: model, profile, sandbox state and network policy. A degraded or missing
//! sandbox gets its own loud line above the bar.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::{App, NetworkState, SandboxState};
use crate::escape::escape;

/// The loud warning, wrapped to `width`, when the sandbox is not complete.
pub fn warning(app: &App, width: u16) -> Vec<Line<'static>> {
    let (text, style) = match &app.status.sandbox {
        SandboxState::Full => return Vec::new(),
        SandboxState::Degraded(why) => (
            format!(
                " DEGRADED SANDBOX: landlock+seccomp only, no namespaces ({}) ",
                escape(why)
            ),
            Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ),
        SandboxState::Unsandboxed(why) => (
            format!(
                " UNSANDBOXED: shell commands are refused ({}) ",
                escape(why)
            ),
            Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        ),
    };
    crate::widgets::text::split_width(&text, usize::from(width).max(1))
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect()
}

/// The status bar, as one line when it fits `width`, else more.
pub fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let dim = Style::default().fg(Color::DarkGray);
    let model = match &app.status.model {
        Some(m) => Span::styled(escape(m), Style::default().fg(Color::Cyan)),
        None => Span::styled("no model", Style::default().fg(Color::Yellow)),
    };
    let profile = format!(
        "profile: {}",
        escape(app.status.profile.as_deref().unwrap_or("default"))
    );
    let sandbox = match &app.status.sandbox {
        SandboxState::Full => Span::styled(
            "sandbox: namespaces+landlock+seccomp",
            Style::default().fg(Color::Green),
        ),
        SandboxState::Degraded(_) => Span::styled(
            "sandbox: DEGRADED",
            Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ),
        SandboxState::Unsandboxed(_) => Span::styled(
            "UNSANDBOXED",
            Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        ),
    };
    let net = match app.status.network {
        NetworkState::BlockAll => "net: block_all".to_owned(),
        NetworkState::AllowSpecific(n) => format!(
            "net: allow_specific ({n} host{})",
            if n == 1 { "" } else { "s" }
        ),
        NetworkState::AllowAll => "net: allow_all".to_owned(),
    };
    let state = if app.card.is_some() {
        Span::styled(
            "card open",
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        )
    } else if app.running {
        Span::styled("working… Esc cancels", Style::default().fg(Color::Yellow))
    } else {
        Span::styled("/help", dim)
    };
    pack(
        vec![sandbox, Span::raw(net), model, Span::raw(profile), state],
        width,
    )
}

/// Packs segments into as few lines as fit `width`, separated by ` │ `; the sandbox and
/// network segments come first so they survive a narrow terminal.
fn pack(segments: Vec<Span<'static>>, width: u16) -> Vec<Line<'static>> {
    let room = usize::from(width);
    let dim = Style::default().fg(Color::DarkGray);
    let mut lines = Vec::new();
    let mut cur: Vec<Span<'static>> = vec![Span::raw(" ")];
    let mut used = 1usize;
    for seg in segments {
        let w = seg.width();
        if used > 1 && used + 3 + w > room {
            lines.push(Line::from(std::mem::take(&mut cur)));
            cur.push(Span::raw(" "));
            used = 1;
        }
        if used > 1 {
            cur.push(Span::styled(" │ ", dim));
            used += 3;
        }
        cur.push(seg);
        used += w;
    }
    lines.push(Line::from(cur));
    lines
}
