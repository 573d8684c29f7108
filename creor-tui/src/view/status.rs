//! The status bar: model, profile, sandbox state and network policy. A degraded or missing
//! sandbox gets its own loud line above the bar.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::{App, NetworkState, SandboxState};
use crate::escape::escape;

/// The loud warning line, when the sandbox is not complete.
pub fn warning(app: &App) -> Option<Line<'static>> {
    let (text, style) = match &app.status.sandbox {
        SandboxState::Full => return None,
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
    Some(Line::from(Span::styled(text, style)))
}

/// The status bar line.
pub fn line(app: &App) -> Line<'static> {
    let dim = Style::default().fg(Color::DarkGray);
    let sep = || Span::styled(" │ ", dim);
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
    Line::from(vec![
        Span::raw(" "),
        model,
        sep(),
        Span::raw(profile),
        sep(),
        sandbox,
        sep(),
        Span::raw(net),
        sep(),
        state,
    ])
}
