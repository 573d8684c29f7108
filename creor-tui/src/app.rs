//! The TUI's state and its one transition function. [`App::update`] takes a [`Msg`] and
//! returns [`Effect`]s for the runtime to carry out; it never touches the terminal, the
//! network or a file, so every key binding is unit-tested by calling it.

use std::collections::VecDeque;

use creor_core::agent::{Answer, ApprovalAnswer, DoneReason, Event};
use creor_core::config::Level;
use creor_core::netproxy::Answer as NetAnswer;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::event::Msg;
use crate::net::NetAsk;

/// How commands run, as the status bar must say it (DESIGN.md §5: never unsandboxed silently).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SandboxState {
    /// Namespaces, landlock and seccomp.
    #[default]
    Full,
    /// The profile opted into landlock+seccomp only; the text says why.
    Degraded(String),
    /// Commands cannot be sandboxed here (and are refused); the text says why.
    Unsandboxed(String),
}

/// The network policy commands get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkState {
    /// Loopback only.
    #[default]
    BlockAll,
    /// Only listed hosts, through the proxy; the number of host patterns.
    AllowSpecific(usize),
    /// The host network.
    AllowAll,
}

/// What the status bar shows; filled by the binary from the resolved config.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    /// `openai gpt-4o`; `None` when no provider is configured.
    pub model: Option<String>,
    /// Why there is no model (shown in the timeline so the user can fix it).
    pub model_problem: Option<String>,
    /// The pinned profile.
    pub profile: Option<String>,
    /// Sandbox state.
    pub sandbox: SandboxState,
    /// Network policy.
    pub network: NetworkState,
    /// The project directory.
    pub project: String,
}

/// Read-only views a slash command asks the front end for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// The pinned profile and where settings came from.
    Profile,
    /// Effective rules and session approvals.
    Permissions,
    /// Recent audit-log decisions.
    Audit,
}

/// Work for the runtime: everything with a side effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Start a model turn with this prompt.
    Prompt(String),
    /// Run a shell command through the engine and sandbox without the model (`!CMD`).
    Shell(String),
    /// Answer the open permission card.
    Answer(ApprovalAnswer),
    /// Answer the proxy's question `id` (a network card): the waiting connection goes on.
    NetAnswer {
        /// [`NetAsk::id`].
        id: u64,
        /// Allow once, for the session, or deny (the client gets a 403).
        answer: NetAnswer,
    },
    /// Cancel the running turn (kills a running sandbox).
    Cancel,
    /// Look something up and reply with [`Msg::Info`].
    Show(Show),
    /// Leave the TUI.
    Quit,
}

/// Where a tool call stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolState {
    /// Proposed, not judged yet.
    Proposed,
    /// Waiting for the user's answer on a card.
    Asking,
    /// Allowed and running.
    Running,
    /// Finished successfully.
    Done,
    /// Ran and failed.
    Failed,
    /// Refused (by a rule, the floor, or the user); the reason.
    Denied(String),
}

/// One tool call in the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolEntry {
    /// Call id.
    pub id: String,
    /// Tool name.
    pub tool: String,
    /// The model's arguments.
    pub args: serde_json::Value,
    /// Status.
    pub state: ToolState,
    /// Output (bash) or result text.
    pub output: String,
}

/// A permission card: what the engine asked about, and the answer once given.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Call id.
    pub id: String,
    /// Tool name.
    pub tool: String,
    /// Exact subject.
    pub subject: String,
    /// Why the engine asks.
    pub reason: String,
    /// What "approve for session" grants; `None` when only once is offered.
    pub session_scope: Option<String>,
    /// The model's arguments (for diff previews).
    pub args: serde_json::Value,
    /// The answer, once given (`approved once`, `denied: …`).
    pub answered: Option<String>,
    /// Set on a network card (the proxy asks, not the engine): there is no model to tell,
    /// so `f` is not offered.
    pub network: Option<NetAsk>,
}

impl Card {
    /// Whether `CHOICES[i]` is offered on this card.
    pub fn offers(&self, i: usize) -> bool {
        match i {
            1 => self.session_scope.is_some(),
            3 => self.network.is_none(),
            _ => true,
        }
    }
}

/// One item of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// The user's prompt.
    User(String),
    /// A `!CMD` the user ran.
    Shell(String),
    /// Model text; `done` once the turn's text is complete.
    Assistant {
        /// Text so far.
        text: String,
        /// Whether it is still streaming.
        streaming: bool,
    },
    /// A tool call.
    Tool(ToolEntry),
    /// A permission card.
    Card(Card),
    /// A note from creor.
    Notice(String),
    /// An error.
    Error(String),
    /// The reply to `/permissions`, `/audit`, `/profile`, `/help`.
    Info {
        /// Heading.
        title: String,
        /// Body.
        body: String,
    },
}

/// The four answers a card offers, in display order.
pub const CHOICES: [&str; 4] = [
    "y approve once",
    "s approve for session",
    "n deny",
    "f deny with feedback",
];

/// The open card's focus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCard {
    /// Index of the card in the timeline.
    pub entry: usize,
    /// Highlighted choice (index into [`CHOICES`]).
    pub selected: usize,
    /// Feedback being typed after `f`.
    pub feedback: Option<String>,
}

/// The multi-line input box with history.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Input {
    /// The text, newlines included.
    pub text: Vec<char>,
    /// Cursor, a char index into `text`.
    pub cursor: usize,
    history: Vec<String>,
    recall: Option<usize>,
}

impl Input {
    /// The text as a string.
    pub fn as_string(&self) -> String {
        self.text.iter().collect()
    }

    fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += 1;
        self.recall = None;
    }

    fn insert_str(&mut self, s: &str) {
        for c in s.chars() {
            match c {
                '\r' => {}
                c => self.insert(c),
            }
        }
    }

    fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            self.text.remove(self.cursor);
        }
    }

    fn take(&mut self) -> String {
        let s = self.as_string();
        self.text.clear();
        self.cursor = 0;
        self.recall = None;
        if !s.trim().is_empty() && self.history.last() != Some(&s) {
            self.history.push(s.clone());
        }
        s
    }

    fn set(&mut self, s: &str) {
        self.text = s.chars().collect();
        self.cursor = self.text.len();
    }

    fn is_multiline(&self) -> bool {
        self.text.contains(&'\n')
    }

    fn recall_older(&mut self) {
        let next = match self.recall {
            None => self.history.len().checked_sub(1),
            Some(i) => i.checked_sub(1).or(Some(i)),
        };
        if let Some(i) = next {
            if let Some(h) = self.history.get(i).cloned() {
                self.set(&h);
                self.recall = Some(i);
            }
        }
    }

    fn recall_newer(&mut self) {
        if let Some(i) = self.recall {
            if let Some(h) = self.history.get(i + 1).cloned() {
                self.set(&h);
                self.recall = Some(i + 1);
            } else {
                self.set("");
                self.recall = None;
            }
        }
    }

    /// (line, column) of the cursor, in chars.
    pub fn cursor_line_col(&self) -> (usize, usize) {
        let before = &self.text[..self.cursor.min(self.text.len())];
        let line = before.iter().filter(|c| **c == '\n').count();
        let col = before.iter().rev().take_while(|c| **c != '\n').count();
        (line, col)
    }
}

/// The whole TUI state.
#[derive(Debug, Clone, PartialEq)]
pub struct App {
    /// Status bar contents.
    pub status: Status,
    /// The timeline.
    pub entries: Vec<Entry>,
    /// The input box.
    pub input: Input,
    /// The open card, if any: it holds the focus.
    pub card: Option<OpenCard>,
    /// A model turn or `!CMD` is running.
    pub running: bool,
    /// Lines scrolled up from the bottom (0 follows new output).
    pub scroll: usize,
    /// Ctrl-C was pressed once; a second press quits.
    pub quit_armed: bool,
    /// Terminal size, for paging.
    pub size: (u16, u16),
    /// Network questions that arrived while another card was open, oldest first.
    pub net_queue: VecDeque<NetAsk>,
}

/// The `/help` text.
pub const HELP: &str = "Enter send · Alt-Enter / Shift-Enter / Ctrl-J newline · Up/Down history
PgUp/PgDn scroll · Esc or Ctrl-C cancel the running tool · Ctrl-C twice quit
Cards: y approve once · s approve for session · n deny · f deny with feedback
       ←/→ choose, Enter confirm
Network cards (unlisted host): y this connection · s host:port for the session · n deny
/help  this text            /profile      the pinned profile
/permissions  rules and session approvals
/audit  recent decisions    /clear  clear the timeline    /quit  leave
!CMD   run CMD through the permission engine and sandbox, without the model";

impl App {
    /// A fresh session.
    pub fn new(status: Status) -> Self {
        App {
            status,
            entries: Vec::new(),
            input: Input::default(),
            card: None,
            running: false,
            scroll: 0,
            quit_armed: false,
            size: (80, 24),
            net_queue: VecDeque::new(),
        }
    }

    /// The one transition function.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Paste(s) => {
                match &mut self.card {
                    Some(OpenCard {
                        feedback: Some(f), ..
                    }) => f.push_str(&s.replace(['\r', '\n'], " ")),
                    Some(_) => {}
                    None => self.input.insert_str(&s),
                }
                Vec::new()
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Msg::Core(ev) => self.on_event(ev),
            Msg::NetAsk(ask) => {
                if self.card.is_some() {
                    self.net_queue.push_back(ask);
                } else {
                    self.open_net_card(ask);
                }
                Vec::new()
            }
            Msg::Info { title, body } => {
                self.push(Entry::Info { title, body });
                Vec::new()
            }
            Msg::Notice(n) => {
                self.push(Entry::Notice(n));
                Vec::new()
            }
        }
    }

    fn push(&mut self, e: Entry) {
        self.entries.push(e);
    }

    fn on_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if k.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && k.code == KeyCode::Char('c') {
            return self.on_ctrl_c();
        }
        self.quit_armed = false;
        match k.code {
            KeyCode::PageUp => {
                self.scroll = self
                    .scroll
                    .saturating_add(usize::from(self.size.1 / 2).max(1));
                return Vec::new();
            }
            KeyCode::PageDown => {
                self.scroll = self
                    .scroll
                    .saturating_sub(usize::from(self.size.1 / 2).max(1));
                return Vec::new();
            }
            _ => {}
        }
        if self.card.is_some() {
            return self.on_card_key(k);
        }
        if k.code == KeyCode::Esc {
            return if self.running {
                vec![Effect::Cancel]
            } else {
                Vec::new()
            };
        }
        let newline = (k.code == KeyCode::Enter
            && k.modifiers
                .intersects(KeyModifiers::SHIFT | KeyModifiers::ALT))
            || (ctrl && k.code == KeyCode::Char('j'));
        if newline {
            self.input.insert('\n');
            return Vec::new();
        }
        match k.code {
            KeyCode::Enter => return self.submit(),
            KeyCode::Char(c) if !ctrl => self.input.insert(c),
            KeyCode::Char('u') if ctrl => {
                self.input.set("");
            }
            KeyCode::Backspace => self.input.backspace(),
            KeyCode::Delete if self.input.cursor < self.input.text.len() => {
                self.input.text.remove(self.input.cursor);
            }
            KeyCode::Left => self.input.cursor = self.input.cursor.saturating_sub(1),
            KeyCode::Right => {
                self.input.cursor = (self.input.cursor + 1).min(self.input.text.len())
            }
            KeyCode::Home => self.input.cursor = 0,
            KeyCode::End => self.input.cursor = self.input.text.len(),
            KeyCode::Up if !self.input.is_multiline() => self.input.recall_older(),
            KeyCode::Down if !self.input.is_multiline() => self.input.recall_newer(),
            _ => {}
        }
        Vec::new()
    }

    fn on_ctrl_c(&mut self) -> Vec<Effect> {
        if self.quit_armed {
            return vec![Effect::Quit];
        }
        self.quit_armed = true;
        if self.running || self.card.is_some() {
            self.push(Entry::Notice("cancelling… (Ctrl-C again quits)".to_owned()));
            // Network questions may come from outside a turn: refuse them here, not at Done.
            let mut fx = self.withdraw_network("denied: cancelled");
            fx.push(Effect::Cancel);
            fx
        } else {
            self.push(Entry::Notice("press Ctrl-C again to quit".to_owned()));
            Vec::new()
        }
    }

    fn on_card_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Some(open) = self.card.as_mut() else {
            return Vec::new();
        };
        if let Some(fb) = open.feedback.as_mut() {
            match k.code {
                KeyCode::Enter => {
                    let text = fb.trim().to_owned();
                    return self.answer(Answer::Deny {
                        feedback: Some(text),
                    });
                }
                KeyCode::Esc => open.feedback = None,
                KeyCode::Backspace => {
                    fb.pop();
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => fb.push(c),
                _ => {}
            }
            return Vec::new();
        }
        let offered: [bool; 4] = match self.open_card() {
            Some(c) => [0, 1, 2, 3].map(|i| c.offers(i)),
            None => return Vec::new(),
        };
        let Some(open) = self.card.as_mut() else {
            return Vec::new();
        };
        // 0 and 2 are always offered, so each walk ends within four steps.
        let step = |from: usize, by: usize| {
            let mut i = from;
            for _ in 0..4 {
                i = (i + by) % 4;
                if offered[i] {
                    break;
                }
            }
            i
        };
        let pick = match k.code {
            KeyCode::Char('y' | 'Y') => Some(0),
            KeyCode::Char('s' | 'S') => Some(1),
            KeyCode::Char('n' | 'N') => Some(2),
            KeyCode::Char('f' | 'F') => Some(3),
            KeyCode::Enter => Some(open.selected),
            KeyCode::Left | KeyCode::Up | KeyCode::BackTab => {
                open.selected = step(open.selected, 3);
                None
            }
            KeyCode::Right | KeyCode::Down | KeyCode::Tab => {
                open.selected = step(open.selected, 1);
                None
            }
            _ => None,
        };
        match pick {
            Some(i) if !offered[i] => Vec::new(),
            Some(0) => self.answer(Answer::ApproveOnce),
            Some(1) => self.answer(Answer::ApproveForSession),
            Some(2) => self.answer(Answer::Deny { feedback: None }),
            Some(_) => {
                open.feedback = Some(String::new());
                open.selected = 3;
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// The card that holds the focus.
    pub fn open_card(&self) -> Option<&Card> {
        let open = self.card.as_ref()?;
        match self.entries.get(open.entry) {
            Some(Entry::Card(c)) => Some(c),
            _ => None,
        }
    }

    fn answer(&mut self, answer: Answer) -> Vec<Effect> {
        let Some(open) = self.card.take() else {
            return Vec::new();
        };
        let Some(Entry::Card(card)) = self.entries.get_mut(open.entry) else {
            return Vec::new();
        };
        card.answered = Some(match &answer {
            Answer::ApproveOnce if card.network.is_some() => {
                "approved once: this connection".to_owned()
            }
            Answer::ApproveOnce => "approved once".to_owned(),
            Answer::ApproveForSession => match &card.network {
                Some(ask) => format!("approved for this session: {} (by name)", ask.target()),
                None => format!(
                    "approved for this session: {}",
                    card.session_scope.as_deref().unwrap_or("")
                ),
            },
            Answer::Deny { feedback: Some(f) } if !f.is_empty() => {
                format!("denied, told the model: {f}")
            }
            Answer::Deny { .. } if card.network.is_some() => {
                "denied: the client gets 403 (SOCKS: not allowed)".to_owned()
            }
            Answer::Deny { .. } => "denied".to_owned(),
        });
        let effect = match &card.network {
            Some(ask) => Effect::NetAnswer {
                id: ask.id,
                answer: match answer {
                    Answer::ApproveOnce => NetAnswer::AllowOnce,
                    Answer::ApproveForSession => NetAnswer::AllowSession,
                    Answer::Deny { .. } => NetAnswer::Deny,
                },
            },
            None => Effect::Answer(ApprovalAnswer {
                id: card.id.clone(),
                answer,
            }),
        };
        if let Some(next) = self.net_queue.pop_front() {
            self.open_net_card(next);
        }
        vec![effect]
    }

    /// Shows a network card and gives it the focus.
    fn open_net_card(&mut self, ask: NetAsk) {
        let target = ask.target();
        self.push(Entry::Card(Card {
            id: format!("net-{}", ask.id),
            tool: "network".into(),
            subject: target.clone(),
            reason: format!(
                "{target} is in neither allowedHosts nor deniedHosts (network policy \
                 allow_specific); the connection waits for this answer"
            ),
            session_scope: Some(format!(
                "{target} by name; an address in a loopback, private or metadata range \
                 stays refused"
            )),
            args: serde_json::Value::Null,
            answered: None,
            network: Some(ask),
        }));
        self.scroll = 0;
        self.card = Some(OpenCard {
            entry: self.entries.len() - 1,
            selected: 0,
            feedback: None,
        });
    }

    /// Refuses the open network card (if that is what is open) and every queued question.
    fn withdraw_network(&mut self, why: &str) -> Vec<Effect> {
        let mut fx = Vec::new();
        let open_net = self
            .card
            .as_ref()
            .and_then(|o| match self.entries.get(o.entry) {
                Some(Entry::Card(c)) => c.network.clone(),
                _ => None,
            });
        if let Some(ask) = open_net {
            if let Some(open) = self.card.take() {
                if let Some(Entry::Card(c)) = self.entries.get_mut(open.entry) {
                    c.answered = Some(why.to_owned());
                }
            }
            fx.push(Effect::NetAnswer {
                id: ask.id,
                answer: NetAnswer::Deny,
            });
        }
        for ask in self.net_queue.drain(..) {
            fx.push(Effect::NetAnswer {
                id: ask.id,
                answer: NetAnswer::Deny,
            });
        }
        fx
    }

    fn submit(&mut self) -> Vec<Effect> {
        self.scroll = 0;
        let text = self.input.as_string();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Vec::new();
        }
        if let Some(cmd) = trimmed.strip_prefix('/') {
            let cmd = cmd.split_whitespace().next().unwrap_or("");
            let effect = match cmd {
                "help" => {
                    self.push(Entry::Info {
                        title: "help".into(),
                        body: HELP.into(),
                    });
                    None
                }
                "quit" | "exit" => Some(Effect::Quit),
                "clear" => {
                    if self.running {
                        self.push(Entry::Notice(
                            "busy: /clear waits for the turn to end".into(),
                        ));
                        return Vec::new();
                    }
                    self.entries.clear();
                    self.scroll = 0;
                    None
                }
                "profile" => Some(Effect::Show(Show::Profile)),
                "permissions" => Some(Effect::Show(Show::Permissions)),
                "audit" => Some(Effect::Show(Show::Audit)),
                other => {
                    self.push(Entry::Notice(format!(
                        "unknown command /{other}: try /help"
                    )));
                    return Vec::new();
                }
            };
            self.input.take();
            return effect.into_iter().collect();
        }
        if self.running {
            self.push(Entry::Notice(
                "busy: wait for the turn to end, or press Esc to cancel it".into(),
            ));
            return Vec::new();
        }
        if let Some(cmd) = trimmed.strip_prefix('!') {
            let cmd = cmd.trim().to_owned();
            self.input.take();
            if cmd.is_empty() {
                return Vec::new();
            }
            self.push(Entry::Shell(cmd.clone()));
            self.running = true;
            return vec![Effect::Shell(cmd)];
        }
        if self.status.model.is_none() {
            self.input.take();
            self.push(Entry::User(text.clone()));
            self.push(Entry::Notice(no_model_text(&self.status)));
            return Vec::new();
        }
        let prompt = self.input.take();
        self.push(Entry::User(prompt.clone()));
        self.running = true;
        vec![Effect::Prompt(prompt)]
    }

    fn tool_mut(&mut self, id: &str) -> Option<&mut ToolEntry> {
        self.entries.iter_mut().rev().find_map(|e| match e {
            Entry::Tool(t) if t.id == id => Some(t),
            _ => None,
        })
    }

    fn end_streaming(&mut self) {
        if let Some(Entry::Assistant { streaming, .. }) = self.entries.last_mut() {
            *streaming = false;
        }
    }

    fn on_event(&mut self, ev: Event) -> Vec<Effect> {
        match ev {
            Event::SessionStarted { .. } => self.running = true,
            Event::MessageDelta { text } => {
                if let Some(Entry::Assistant {
                    text: t,
                    streaming: true,
                }) = self.entries.last_mut()
                {
                    t.push_str(&text);
                    return Vec::new();
                }
                self.push(Entry::Assistant {
                    text,
                    streaming: true,
                });
            }
            Event::Message { text } => match self.entries.last_mut() {
                Some(Entry::Assistant { streaming, .. }) if *streaming => *streaming = false,
                _ => self.push(Entry::Assistant {
                    text,
                    streaming: false,
                }),
            },
            Event::ToolCallProposed {
                id,
                tool,
                arguments,
            } => {
                self.end_streaming();
                self.push(Entry::Tool(ToolEntry {
                    id,
                    tool,
                    args: arguments,
                    state: ToolState::Proposed,
                    output: String::new(),
                }));
            }
            Event::ApprovalRequested {
                id,
                tool,
                subject,
                reason,
                session_scope,
            } => {
                // One card holds the focus: a network question still open cannot be left
                // without an answer, so it is refused.
                let fx = self.withdraw_network("denied: a tool card took the focus");
                // The card goes where the call was proposed; the call (and later its output)
                // moves below the card, so the timeline reads ask → answer → result.
                let pos = self
                    .entries
                    .iter()
                    .rposition(|e| matches!(e, Entry::Tool(t) if t.id == id));
                let tool_entry = pos.map(|i| self.entries.remove(i));
                let args = match &tool_entry {
                    Some(Entry::Tool(t)) => t.args.clone(),
                    _ => serde_json::Value::Null,
                };
                self.push(Entry::Card(Card {
                    id,
                    tool,
                    subject,
                    reason,
                    session_scope: session_scope.clone(),
                    args,
                    answered: None,
                    network: None,
                }));
                // A card must be seen: jump back to the bottom, where it is.
                self.scroll = 0;
                self.card = Some(OpenCard {
                    entry: self.entries.len() - 1,
                    selected: 0,
                    feedback: None,
                });
                if let Some(Entry::Tool(mut t)) = tool_entry {
                    t.state = ToolState::Asking;
                    self.push(Entry::Tool(t));
                }
                return fx;
            }
            Event::PermissionDecision {
                id, level, reason, ..
            } => {
                if let Some(t) = self.tool_mut(&id) {
                    t.state = match level {
                        Level::Allow => ToolState::Running,
                        _ => ToolState::Denied(reason),
                    };
                }
            }
            Event::ToolOutputDelta { id, text } => {
                if let Some(t) = self.tool_mut(&id) {
                    t.output.push_str(&text);
                }
            }
            // The whole redacted output replaces the live lines: it is authoritative (and
            // includes anything held back, like a private key, now redacted).
            Event::ToolOutput { id, text } => {
                if let Some(t) = self.tool_mut(&id) {
                    t.output = text;
                }
            }
            Event::ToolResult {
                id, ok, content, ..
            } => {
                if let Some(t) = self.tool_mut(&id) {
                    match &t.state {
                        ToolState::Denied(_) => {}
                        _ if content.starts_with("denied:") => {
                            if t.output.trim() == content.trim() {
                                t.output.clear();
                            }
                            t.state = ToolState::Denied(
                                content.trim_start_matches("denied:").trim().to_owned(),
                            )
                        }
                        _ => {
                            t.state = if ok {
                                ToolState::Done
                            } else {
                                ToolState::Failed
                            };
                            if t.output.is_empty() {
                                t.output = content;
                            }
                        }
                    }
                }
            }
            Event::Error { message } => self.push(Entry::Error(message)),
            Event::Done { reason, .. } => {
                self.end_streaming();
                self.running = false;
                // The command that wanted the connection is gone with the turn.
                let fx = self.withdraw_network("withdrawn: the turn ended");
                if let Some(open) = self.card.take() {
                    if let Some(Entry::Card(c)) = self.entries.get_mut(open.entry) {
                        c.answered = Some("withdrawn: the turn ended".into());
                    }
                }
                match reason {
                    DoneReason::Finished | DoneReason::Error => {}
                    DoneReason::Cancelled => self.push(Entry::Notice("cancelled".into())),
                    DoneReason::StepLimit => {
                        self.push(Entry::Notice("stopped at the step limit".into()))
                    }
                    DoneReason::AskFailed => {
                        self.push(Entry::Notice("stopped: a call needed approval".into()))
                    }
                }
                return fx;
            }
        }
        Vec::new()
    }
}

/// What the timeline says when there is no model to talk to.
pub fn no_model_text(status: &Status) -> String {
    let why = status
        .model_problem
        .as_deref()
        .unwrap_or("no model provider configured");
    format!(
        "{why}. To talk to a model add to creor.json: \
         \"provider\": {{ \"kind\": \"openai\", \"model\": \"gpt-4o\", \"apiKeyEnv\": \"OPENAI_API_KEY\" }} \
         (or \"kind\": \"anthropic\"; \"baseUrl\" for compatible servers). \
         Meanwhile !CMD runs a command in the sandbox."
    )
}

#[cfg(test)]
#[path = "app_tests.rs"]
mod tests;
