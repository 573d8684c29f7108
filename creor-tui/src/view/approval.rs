//! A permission card's contents: the tool, the exact subject (with each analysed bash unit, a
//! diff preview for write/edit, the host for webfetch), why the engine asks, risk notes, and
//! what "approve for session" would grant. A network card (the proxy asking about an unlisted
//! host) shows the host, the port and the protocol instead.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use creor_core::netproxy::Protocol;

use crate::app::{Card, OpenCard, CHOICES};
use crate::escape::escape;
use crate::risk;
use crate::widgets::card::{frame, Row, EDGE};
use crate::widgets::diff;

/// Most diff preview lines on a card.
const PREVIEW_LINES: usize = 8;

fn row(label: &'static str, value: impl Into<String>, style: Style) -> Row {
    Row {
        label,
        value: value.into(),
        style,
    }
}

fn arg<'a>(args: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    args.get(key).and_then(|v| v.as_str())
}

/// The rows describing what the card asks about.
pub fn rows(card: &Card) -> Vec<Row> {
    let plain = Style::default();
    let strong = Style::default().add_modifier(Modifier::BOLD);
    let mut rows = Vec::new();
    match card.tool.as_str() {
        "bash" => {
            rows.push(row("command", &card.subject, strong));
            let (units, _) = risk::bash_units(&card.subject);
            for (i, u) in units.iter().enumerate() {
                rows.push(row(
                    if i == 0 { "units" } else { "" },
                    format!("• {u}"),
                    plain,
                ));
            }
        }
        "write" | "edit" => {
            rows.push(row("file", &card.subject, strong));
            let preview = if card.tool == "edit" {
                diff::preview(
                    arg(&card.args, "old_string"),
                    arg(&card.args, "new_string").unwrap_or(""),
                    PREVIEW_LINES,
                )
            } else {
                diff::preview(
                    None,
                    arg(&card.args, "content").unwrap_or(""),
                    PREVIEW_LINES,
                )
            };
            for (i, (mark, text)) in preview.into_iter().enumerate() {
                let style = match mark {
                    '+' => Style::default().fg(Color::Green),
                    '-' => Style::default().fg(Color::Red),
                    _ => Style::default().add_modifier(Modifier::DIM),
                };
                rows.push(row(
                    if i == 0 { "change" } else { "" },
                    format!("{mark} {text}"),
                    style,
                ));
            }
        }
        "webfetch" => {
            rows.push(row("url", &card.subject, strong));
            if let Some(h) = risk::host_of(&card.subject) {
                rows.push(row("host", h, strong));
            }
        }
        "network" => {
            let ask = card.network.as_ref();
            rows.push(row("host", ask.map_or("", |a| a.host.as_str()), strong));
            rows.push(row(
                "port",
                ask.map_or_else(String::new, |a| a.port.to_string()),
                strong,
            ));
            rows.push(row(
                "via",
                match ask.and_then(|a| a.protocol) {
                    Some(Protocol::HttpConnect) => "HTTP CONNECT (https, git, any tunnel)",
                    Some(Protocol::HttpForward) => "plain HTTP request",
                    Some(Protocol::Socks5) => "SOCKS5",
                    None => "the session proxy",
                },
                plain,
            ));
        }
        _ => rows.push(row("subject", &card.subject, strong)),
    }
    let path_tool = matches!(
        card.tool.as_str(),
        "read" | "write" | "edit" | "ls" | "glob" | "grep" | "external-directory"
    );
    if path_tool && (card.subject.starts_with('/') || card.subject.starts_with('~')) {
        let dir = if card.tool == "external-directory" || card.tool == "ls" {
            card.subject.clone()
        } else {
            std::path::Path::new(&card.subject)
                .parent()
                .map_or_else(|| card.subject.clone(), |p| p.display().to_string())
        };
        rows.push(row(
            "directory",
            format!("{dir} (outside the project: needs an external-directory grant)"),
            Style::default().fg(Color::Yellow),
        ));
    }
    rows.push(row("why", &card.reason, plain));
    for note in risk::notes(&card.tool, &card.subject) {
        rows.push(row(
            "risk",
            format!("! {note}"),
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    rows.push(row(
        "session",
        match &card.session_scope {
            Some(s) => format!("s would allow: {s}"),
            None => "not offered: this call can only be approved once".to_owned(),
        },
        plain,
    ));
    rows
}

/// The whole card as timeline lines; `open` is set while it holds the focus.
pub fn lines(card: &Card, open: Option<&OpenCard>, width: u16) -> Vec<Line<'static>> {
    let edge = match (&card.answered, open) {
        (None, Some(_)) => Style::default().fg(EDGE),
        (Some(a), _) if a.starts_with("approved") => Style::default().fg(Color::Green),
        (Some(_), _) => Style::default().fg(Color::Red),
        (None, None) => Style::default().fg(Color::DarkGray),
    };
    let footer = match (&card.answered, open) {
        (Some(a), _) => vec![Line::from(Span::styled(
            format!("→ {}", escape(a).replace('\n', " ")),
            edge.add_modifier(Modifier::BOLD),
        ))],
        (
            None,
            Some(OpenCard {
                feedback: Some(fb), ..
            }),
        ) => vec![
            Line::from(vec![
                Span::styled("feedback for the model: ", Style::default().fg(EDGE)),
                Span::raw(escape(fb).replace('\n', " ")),
                Span::styled("▏", Style::default().fg(EDGE)),
            ]),
            Line::from(Span::styled(
                "Enter deny and send · Esc back",
                Style::default().add_modifier(Modifier::DIM),
            )),
        ],
        (None, Some(o)) => {
            // Greedy packing, so narrow terminals still show every key.
            let room = usize::from(width).saturating_sub(2);
            let mut lines = Vec::new();
            let mut spans: Vec<Span<'static>> = Vec::new();
            let mut used = 0usize;
            for (i, c) in CHOICES.iter().enumerate() {
                if !card.offers(i) {
                    continue;
                }
                let (key, rest) = c.split_at(1);
                let w = rest.chars().count() + 5;
                if used + w > room && !spans.is_empty() {
                    lines.push(Line::from(std::mem::take(&mut spans)));
                    used = 0;
                }
                let mut style = Style::default();
                if i == o.selected {
                    style = style.add_modifier(Modifier::REVERSED);
                }
                spans.push(Span::styled(
                    format!("[{key}]"),
                    style.fg(EDGE).add_modifier(Modifier::BOLD),
                ));
                spans.push(Span::styled(format!("{rest}  "), style));
                used += w;
            }
            lines.push(Line::from(spans));
            lines
        }
        (None, None) => vec![Line::from("waiting")],
    };
    frame(
        &format!("permission: {}", escape(&card.tool)),
        &rows(card),
        footer,
        edge,
        width,
    )
}
