//! The timeline: prompts, streamed model text, tool calls with status and output, cards.
//! Everything untrusted goes through [`crate::widgets::text::wrap`] behind a gutter.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::app::{no_model_text, App, Entry, ToolEntry, ToolState};
use crate::escape::escape;
use crate::widgets::text::wrap;

use super::approval;

/// Most output lines shown per tool call (the tail; the model gets the full result).
const OUTPUT_TAIL: usize = 12;

fn gutter() -> Span<'static> {
    Span::raw("  ")
}

/// The one-line summary of a call's arguments.
pub fn summary(t: &ToolEntry) -> String {
    let a = &t.args;
    let get = |k: &str| a.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let s = match t.tool.as_str() {
        "bash" => get("command"),
        "read" | "write" | "edit" => get("path"),
        "ls" => get("path").or(Some(".".into())),
        "glob" | "grep" => get("pattern"),
        "webfetch" => get("url"),
        "websearch" => get("query"),
        _ => None,
    };
    s.unwrap_or_else(|| a.to_string())
}

/// All timeline lines for `width` columns.
pub fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    lines_and_anchor(app, width).0
}

/// The timeline lines and the index of the open card's first line, if a card is open: the
/// view keeps that line on screen so the subject is never scrolled away.
pub fn lines_and_anchor(app: &App, width: u16) -> (Vec<Line<'static>>, Option<usize>) {
    let mut anchor = None;
    let mut out = Vec::new();
    if app.entries.is_empty() {
        welcome(app, width, &mut out);
    }
    for (i, e) in app.entries.iter().enumerate() {
        match e {
            Entry::User(t) => out.extend(wrap(
                Some(Span::styled(
                    "› ",
                    Style::default()
                        .fg(Color::Cyan)
                        .add_modifier(Modifier::BOLD),
                )),
                gutter(),
                t,
                Style::default().add_modifier(Modifier::BOLD),
                width,
            )),
            Entry::Shell(t) => out.extend(wrap(
                Some(Span::styled(
                    "! ",
                    Style::default()
                        .fg(Color::Magenta)
                        .add_modifier(Modifier::BOLD),
                )),
                gutter(),
                t,
                Style::default().add_modifier(Modifier::BOLD),
                width,
            )),
            Entry::Assistant { text, streaming } => {
                let mut l = wrap(
                    Some(Span::styled("◇ ", Style::default().fg(Color::Blue))),
                    gutter(),
                    text,
                    Style::default(),
                    width,
                );
                if *streaming {
                    if let Some(last) = l.last_mut() {
                        last.spans
                            .push(Span::styled("▍", Style::default().fg(Color::Blue)));
                    }
                }
                out.extend(l);
            }
            Entry::Tool(t) => tool(t, width, &mut out),
            Entry::Card(c) => {
                let open = app.card.as_ref().filter(|o| o.entry == i);
                if open.is_some() {
                    anchor = Some(out.len());
                }
                out.extend(approval::lines(c, open, width));
            }
            Entry::Notice(n) => out.extend(wrap(
                Some(Span::styled("· ", Style::default().fg(Color::DarkGray))),
                gutter(),
                n,
                Style::default().fg(Color::DarkGray),
                width,
            )),
            Entry::Error(m) => out.extend(wrap(
                Some(Span::styled(
                    "✗ ",
                    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
                )),
                gutter(),
                &format!("error: {m}"),
                Style::default().fg(Color::Red),
                width,
            )),
            Entry::Info { title, body } => {
                out.push(Line::from(Span::styled(
                    format!("■ {}", escape(title)),
                    Style::default().add_modifier(Modifier::BOLD),
                )));
                out.extend(wrap(None, gutter(), body, Style::default(), width));
            }
        }
    }
    (out, anchor)
}

fn welcome(app: &App, width: u16, out: &mut Vec<Line<'static>>) {
    out.push(Line::from(vec![
        Span::styled("creor", Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(" — "),
        Span::raw(escape(&app.status.project)),
    ]));
    out.extend(wrap(
        None,
        gutter(),
        "Type a message and press Enter. !CMD runs a command in the sandbox; /help lists commands and keys.",
        Style::default().fg(Color::DarkGray),
        width,
    ));
    if app.status.model.is_none() {
        out.extend(wrap(
            Some(Span::styled("! ", Style::default().fg(Color::Yellow))),
            gutter(),
            &no_model_text(&app.status),
            Style::default().fg(Color::Yellow),
            width,
        ));
    }
}

fn tool(t: &ToolEntry, width: u16, out: &mut Vec<Line<'static>>) {
    let (label, style) = match &t.state {
        ToolState::Proposed => ("…", Style::default().fg(Color::DarkGray)),
        ToolState::Asking => ("asking", Style::default().fg(Color::Yellow)),
        ToolState::Running => ("running", Style::default().fg(Color::Yellow)),
        ToolState::Done => ("ok", Style::default().fg(Color::Green)),
        ToolState::Failed => ("failed", Style::default().fg(Color::Red)),
        ToolState::Denied(_) => (
            "denied",
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
    };
    let head = Span::styled(format!("⚙ {label:<7} "), style);
    out.extend(wrap(
        Some(head),
        Span::raw("          "),
        &format!("{} {}", t.tool, summary(t)),
        Style::default(),
        width,
    ));
    if let ToolState::Denied(reason) = &t.state {
        out.extend(wrap(
            None,
            Span::styled("  ✗ ", Style::default().fg(Color::Red)),
            &format!("denied: {reason}"),
            Style::default().fg(Color::Red),
            width,
        ));
    }
    if !t.output.is_empty() {
        let text = t.output.trim_end_matches('\n');
        let all: Vec<&str> = text.split('\n').collect();
        let skip = all.len().saturating_sub(OUTPUT_TAIL);
        if skip > 0 {
            out.push(Line::from(Span::styled(
                format!("  │ … {skip} earlier lines"),
                Style::default().fg(Color::DarkGray),
            )));
        }
        out.extend(wrap(
            None,
            Span::styled("  │ ", Style::default().fg(Color::DarkGray)),
            &all[skip..].join("\n"),
            Style::default().fg(Color::Gray),
            width,
        ));
    }
}
