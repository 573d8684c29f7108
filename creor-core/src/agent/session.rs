//! One agent session: the model proposes tool calls, the engine judges each, the user answers
//! asks (or headless mode denies them), allowed calls run, and redacted results go back to the
//! model until it stops, the step limit hits, or the session is cancelled.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::audit::{AuditRecord, AuditSink};
use super::event::{Answer, ApprovalAnswer, DoneReason, Event};
use super::redact::Redactor;
use crate::config::{Level, OnAsk};
use crate::permission::{describe_rule, Decision, Engine, Request};
use crate::provider::{Cancel, ChatRequest, Message, Provider, ProviderError, ToolCall};
use crate::tools::truncate::truncate;
use crate::tools::{tool_specs, Prepared, ToolArgs, ToolError, Toolbox};

/// The reason every headless ask is denied with.
pub const NEEDS_APPROVAL_HEADLESS: &str = "needs-approval-headless";

/// The default system prompt.
pub const DEFAULT_SYSTEM_PROMPT: &str = "You are a coding agent working in the user's project \
through tools. Every tool call is checked by creor's permission engine and shell commands run \
in a sandbox. A result starting with `denied:` means the call did not run: read the reason and \
choose another way, or stop and explain what you need. Paths are relative to the project \
directory. Keep answers short.";

/// Tunables of a session.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Session id (shown in events and the audit log).
    pub id: String,
    /// System prompt.
    pub system_prompt: String,
    /// Most model requests in one run.
    pub max_steps: u32,
    /// Nobody can answer a card: asks become denies.
    pub headless: bool,
    /// What to do with asks when headless (from the config's `onAsk`).
    pub on_ask: OnAsk,
    /// Largest tool result handed to the model, bytes.
    pub max_output: usize,
    /// Token limit per model turn.
    pub max_tokens: u32,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            id: String::from("session"),
            system_prompt: DEFAULT_SYSTEM_PROMPT.to_owned(),
            max_steps: 50,
            headless: false,
            on_ask: OnAsk::Ask,
            max_output: 30_000,
            max_tokens: 8192,
        }
    }
}

/// The channels between a session and its front end.
#[derive(Debug)]
pub struct SessionIo {
    /// Events out.
    pub events: mpsc::UnboundedSender<Event>,
    /// Approval answers in.
    pub answers: mpsc::UnboundedReceiver<ApprovalAnswer>,
    /// Stops the session.
    pub cancel: Cancel,
}

/// How a run ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The model finished.
    Finished,
    /// The step limit stopped it.
    StepLimit,
    /// It was cancelled.
    Cancelled,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The model API failed.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// `onAsk: "fail"` and a call needed approval.
    #[error("a call needed approval and onAsk is \"fail\": {subject}")]
    AskFailed {
        /// The call.
        subject: String,
    },
}

/// One agent session.
pub struct Session {
    provider: Box<dyn Provider>,
    engine: Engine,
    tools: Toolbox,
    redactor: Arc<dyn Redactor>,
    audit: Arc<dyn AuditSink>,
    history: Vec<Message>,
    opts: SessionOptions,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("provider", &self.provider.describe())
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

/// What one tool call came to.
struct CallResult {
    content: String,
    ok: bool,
}

impl Session {
    /// Assembles a session. Build `engine` with the same headless flag as `opts.headless`: the
    /// engine turns headless asks into `needs-approval-headless` denies (and flags `onAsk:
    /// "fail"`); the session also denies any ask that reaches it while headless.
    pub fn new(
        provider: Box<dyn Provider>,
        engine: Engine,
        tools: Toolbox,
        redactor: Arc<dyn Redactor>,
        audit: Arc<dyn AuditSink>,
        opts: SessionOptions,
    ) -> Self {
        Session {
            provider,
            engine,
            tools,
            redactor,
            audit,
            history: Vec::new(),
            opts,
        }
    }

    /// The session's permission engine: front ends show its session approvals (`/permissions`
    /// in the TUI) between turns.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The conversation so far.
    pub fn history(&self) -> &[Message] {
        &self.history
    }

    /// Runs one user prompt to completion. Events (including a final `done`) go to `io.events`.
    /// Call it again with the next prompt to continue the conversation; `session_started` is
    /// sent on the first run only.
    pub async fn run(&mut self, prompt: &str, io: &mut SessionIo) -> Result<Outcome, SessionError> {
        if self.history.is_empty() {
            let cfg = &self.tools.env.config;
            emit(
                io,
                Event::SessionStarted {
                    session: self.opts.id.clone(),
                    provider: self.provider.describe(),
                    project: self.tools.env.project.display().to_string(),
                    profile: cfg.profile.clone(),
                    headless: self.opts.headless,
                },
            );
        }
        self.history.push(Message::User(prompt.to_owned()));
        let mut steps = 0u32;
        loop {
            if io.cancel.is_cancelled() {
                return Ok(done(io, DoneReason::Cancelled, steps, Outcome::Cancelled));
            }
            if steps >= self.opts.max_steps {
                emit(
                    io,
                    Event::Error {
                        message: format!(
                            "step limit of {} model requests reached; stopping",
                            self.opts.max_steps
                        ),
                    },
                );
                return Ok(done(io, DoneReason::StepLimit, steps, Outcome::StepLimit));
            }
            steps += 1;
            let req = ChatRequest {
                system: self.opts.system_prompt.clone(),
                messages: self.history.clone(),
                tools: tool_specs(),
                max_tokens: self.opts.max_tokens,
            };
            let events = io.events.clone();
            let on_text = move |t: &str| {
                let _ = events.send(Event::MessageDelta { text: t.to_owned() });
            };
            let reply = match self.provider.complete(&req, &on_text, &io.cancel).await {
                Ok(r) => r,
                Err(ProviderError::Cancelled) => {
                    return Ok(done(io, DoneReason::Cancelled, steps, Outcome::Cancelled))
                }
                Err(e) => {
                    emit(
                        io,
                        Event::Error {
                            message: e.to_string(),
                        },
                    );
                    done(io, DoneReason::Error, steps, ());
                    return Err(e.into());
                }
            };
            if !reply.text.is_empty() {
                emit(
                    io,
                    Event::Message {
                        text: reply.text.clone(),
                    },
                );
            }
            self.history.push(Message::Assistant {
                text: reply.text.clone(),
                tool_calls: reply.tool_calls.clone(),
            });
            if reply.tool_calls.is_empty() {
                return Ok(done(io, DoneReason::Finished, steps, Outcome::Finished));
            }
            for (i, call) in reply.tool_calls.iter().enumerate() {
                let result = match self.handle_call(call, io).await {
                    Ok(r) => r,
                    Err(e) => {
                        self.close_calls(&reply.tool_calls[i..], "not run: the run was aborted");
                        emit(
                            io,
                            Event::Error {
                                message: e.to_string(),
                            },
                        );
                        done(io, DoneReason::AskFailed, steps, ());
                        return Err(e);
                    }
                };
                emit(
                    io,
                    Event::ToolResult {
                        id: call.id.clone(),
                        tool: call.name.clone(),
                        ok: result.ok,
                        content: result.content.clone(),
                    },
                );
                self.history.push(Message::ToolResult {
                    call_id: call.id.clone(),
                    name: call.name.clone(),
                    content: result.content,
                    is_error: !result.ok,
                });
                if io.cancel.is_cancelled() {
                    self.close_calls(
                        &reply.tool_calls[i + 1..],
                        "not run: the session was cancelled",
                    );
                    return Ok(done(io, DoneReason::Cancelled, steps, Outcome::Cancelled));
                }
            }
        }
    }

    /// Gives every call that will not run a result, so the history stays a valid conversation
    /// if the front end continues the session with another prompt.
    fn close_calls(&mut self, calls: &[ToolCall], why: &str) {
        for call in calls {
            self.history.push(Message::ToolResult {
                call_id: call.id.clone(),
                name: call.name.clone(),
                content: why.to_owned(),
                is_error: true,
            });
        }
    }

    async fn handle_call(
        &mut self,
        call: &ToolCall,
        io: &mut SessionIo,
    ) -> Result<CallResult, SessionError> {
        let shown_args = self.redactor.redact(&call.arguments).text;
        emit(
            io,
            Event::ToolCallProposed {
                id: call.id.clone(),
                tool: call.name.clone(),
                arguments: serde_json::from_str(&shown_args)
                    .unwrap_or(serde_json::Value::String(shown_args)),
            },
        );
        let prepared = match self.tools.prepare(&call.name, &call.arguments) {
            Ok(p) => p,
            Err(e) => {
                let text = e.to_string();
                let text = if text.starts_with("denied:") {
                    text
                } else {
                    format!("error: {text}")
                };
                let content = self.finish_text(&text);
                self.audit_or_note(
                    io,
                    "model",
                    "invalid-call",
                    &call.name,
                    None,
                    None,
                    serde_json::json!({ "error": content }),
                );
                return Ok(CallResult { content, ok: false });
            }
        };
        let subject = self.redactor.redact(&self.subject(&prepared)).text;
        let decision = self.engine.decide(&prepared.request);
        let (level, reason) = match self.resolve_level(call, &subject, &decision, io).await? {
            Some(v) => v,
            None => return Ok(self.refused("denied: session cancelled while waiting for approval")),
        };
        emit(
            io,
            Event::PermissionDecision {
                id: call.id.clone(),
                tool: call.name.clone(),
                subject: subject.clone(),
                level,
                reason: reason.clone(),
                rules: decision.rules.iter().map(describe_rule).collect(),
            },
        );
        if let Err(e) = self.audit.record(&AuditRecord {
            session: self.opts.id.clone(),
            actor: "engine".into(),
            action: "decision".into(),
            target: format!("{}: {subject}", call.name),
            decision: Some(level_str(level).into()),
            rule: Some(reason.clone()),
            details: serde_json::json!({ "call": call.id,
                "rules": decision.rules.iter().map(describe_rule).collect::<Vec<_>>() }),
        }) {
            let msg = format!("audit log unavailable, call refused: {e}");
            emit(
                io,
                Event::Error {
                    message: msg.clone(),
                },
            );
            return Ok(self.refused(&format!("denied: {msg}")));
        }
        if level != Level::Allow {
            let reason = reason.strip_prefix("denied: ").unwrap_or(&reason);
            return Ok(self.refused(&format!("denied: {reason}")));
        }
        self.execute(call, &prepared, io).await
    }

    /// Turns the engine's verdict into allow/deny: headless handling, or a question to the
    /// user whose "approve for session" goes to the engine's session approvals. `None` when
    /// cancelled while waiting.
    async fn resolve_level(
        &mut self,
        call: &ToolCall,
        subject: &str,
        decision: &Decision,
        io: &mut SessionIo,
    ) -> Result<Option<(Level, String)>, SessionError> {
        let headless_ask = decision.level == Level::Ask
            && (self.opts.headless || self.opts.on_ask != OnAsk::Ask)
            || decision.level == Level::Deny && decision.reason == NEEDS_APPROVAL_HEADLESS;
        let fail = decision.abort || (headless_ask && self.opts.on_ask == OnAsk::Fail);
        if fail {
            return Err(SessionError::AskFailed {
                subject: format!("{}: {subject}", call.name),
            });
        }
        match decision.level {
            Level::Allow | Level::Deny => {
                return Ok(Some((decision.level, decision.reason.clone())))
            }
            Level::Ask => {}
        }
        if self.opts.headless || self.opts.on_ask != OnAsk::Ask {
            return Ok(Some((Level::Deny, NEEDS_APPROVAL_HEADLESS.into())));
        }
        // The card states what "approve for session" grants: the asks' own scopes, exactly
        // what `approve_for_session` records (not the wider single-unit suggestions).
        let approvable = !self.engine.session_suggestions(decision).is_empty();
        let mut granted: Vec<String> = Vec::new();
        for scope in decision.asks().filter_map(|c| c.scope.as_ref()) {
            let text = scope.to_string();
            if !granted.contains(&text) {
                granted.push(text);
            }
        }
        let scope_text = (approvable && !granted.is_empty()).then(|| granted.join("; "));
        emit(
            io,
            Event::ApprovalRequested {
                id: call.id.clone(),
                tool: call.name.clone(),
                subject: subject.to_owned(),
                reason: decision.reason.clone(),
                session_scope: scope_text.clone(),
            },
        );
        let answer = loop {
            let got = tokio::select! {
                a = io.answers.recv() => a,
                () = io.cancel.cancelled() => return Ok(None),
            };
            match got {
                Some(a) if a.id == call.id => break Some(a.answer),
                Some(_) => continue, // stale answer for another call
                None => break None,
            }
        };
        let answer_text = match &answer {
            Some(Answer::ApproveOnce) => "approve-once",
            Some(Answer::ApproveForSession) => "approve-for-session",
            Some(Answer::Deny { .. }) => "deny",
            None => "no-answer",
        };
        let resolved = match answer {
            Some(Answer::ApproveOnce) => (Level::Allow, "approved once by the user".into()),
            Some(Answer::ApproveForSession) => match self.engine.approve_for_session(decision) {
                Ok(granted) => (
                    Level::Allow,
                    format!(
                        "approved by the user for this session ({})",
                        granted
                            .iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                ),
                Err(e) => (
                    Level::Allow,
                    format!("approved once by the user (not approvable for the session: {e})"),
                ),
            },
            Some(Answer::Deny { feedback }) => {
                let fb = feedback.map(|f| self.redactor.redact(&f).text);
                match fb.filter(|f| !f.trim().is_empty()) {
                    Some(f) => (Level::Deny, format!("by the user: {f}")),
                    None => (Level::Deny, "by the user".into()),
                }
            }
            None => (
                Level::Deny,
                "no one answered the approval request (approval channel closed)".into(),
            ),
        };
        if let Err(e) = self.audit.record(&AuditRecord {
            session: self.opts.id.clone(),
            actor: "user".into(),
            action: "approval".into(),
            target: format!("{}: {subject}", call.name),
            decision: Some(answer_text.into()),
            rule: Some(resolved.1.clone()),
            details: serde_json::json!({ "call": call.id, "offered": scope_text }),
        }) {
            let msg = format!("audit log unavailable, call refused: {e}");
            emit(
                io,
                Event::Error {
                    message: msg.clone(),
                },
            );
            return Ok(Some((Level::Deny, msg)));
        }
        Ok(Some(resolved))
    }

    async fn execute(
        &mut self,
        call: &ToolCall,
        prepared: &Prepared,
        io: &mut SessionIo,
    ) -> Result<CallResult, SessionError> {
        let engine = &self.engine;
        let needs_allow = matches!(prepared.args, ToolArgs::Grep(_));
        // glob/ls show names: hide read-denied files. grep shows contents: only files a read
        // would be allowed for right now.
        let visible = move |p: &Path| {
            if needs_allow {
                engine.decide(&Request::Read(p.to_path_buf())).level == Level::Allow
            } else {
                engine.visible_in_results(p)
            }
        };
        // A redirect is a new request the model did not make: it must pass the engine as if it
        // had (no asking: only an allow lets it through).
        let gate = move |url: &str| {
            let d = engine.decide(&Request::WebFetch(url.to_owned()));
            if d.level == Level::Allow {
                Ok(())
            } else {
                Err(d.reason)
            }
        };
        let live = matches!(prepared.args, ToolArgs::Bash(_))
            .then(|| super::live::sink(call.id.clone(), io.events.clone(), self.redactor.clone()));
        let outcome = self
            .tools
            .execute_live(prepared, &visible, &gate, &io.cancel, live)
            .await;
        let (raw, ok) = match outcome {
            Ok(text) => (text, true),
            Err(e @ (ToolError::Refused(_) | ToolError::Runner(_))) => {
                let text = e.to_string();
                let _ = self.audit.record(&AuditRecord {
                    session: self.opts.id.clone(),
                    actor: if matches!(prepared.args, ToolArgs::Bash(_)) {
                        "sandbox".into()
                    } else {
                        "network".into()
                    },
                    action: "refusal".into(),
                    target: call.name.clone(),
                    decision: Some("deny".into()),
                    rule: Some(self.redactor.redact(&text).text),
                    details: serde_json::json!({ "call": call.id }),
                });
                (text, false)
            }
            Err(e) => (format!("error: {e}"), false),
        };
        let red = self.redactor.redact(&raw);
        if !red.findings.is_empty() {
            let _ = self.audit.record(&AuditRecord {
                session: self.opts.id.clone(),
                actor: "redactor".into(),
                action: "redaction".into(),
                target: call.name.clone(),
                decision: None,
                rule: Some(red.findings.join(",")),
                details: serde_json::json!({ "call": call.id, "count": red.findings.len() }),
            });
        }
        if matches!(prepared.args, ToolArgs::Bash(_)) {
            emit(
                io,
                Event::ToolOutput {
                    id: call.id.clone(),
                    text: truncate(&red.text, self.opts.max_output.saturating_mul(8)),
                },
            );
        }
        Ok(CallResult {
            content: truncate(&red.text, self.opts.max_output),
            ok,
        })
    }

    fn refused(&self, text: &str) -> CallResult {
        CallResult {
            content: self.finish_text(text),
            ok: false,
        }
    }

    fn finish_text(&self, text: &str) -> String {
        truncate(&self.redactor.redact(text).text, self.opts.max_output)
    }

    #[allow(clippy::too_many_arguments)]
    fn audit_or_note(
        &self,
        io: &SessionIo,
        actor: &str,
        action: &str,
        target: &str,
        decision: Option<&str>,
        rule: Option<&str>,
        details: serde_json::Value,
    ) {
        if let Err(e) = self.audit.record(&AuditRecord {
            session: self.opts.id.clone(),
            actor: actor.into(),
            action: action.into(),
            target: target.into(),
            decision: decision.map(str::to_owned),
            rule: rule.map(str::to_owned),
            details,
        }) {
            emit(
                io,
                Event::Error {
                    message: format!("audit log: {e}"),
                },
            );
        }
    }

    fn subject(&self, p: &Prepared) -> String {
        match &p.request {
            Request::Read(x)
            | Request::Write(x)
            | Request::Edit(x)
            | Request::Glob(x)
            | Request::Grep(x)
            | Request::Ls(x)
            | Request::ExternalDirectory(x) => self.tools.display(x),
            Request::Bash(c) => c.clone(),
            Request::WebFetch(u) => u.clone(),
            Request::WebSearch(q) => q.clone(),
        }
    }
}

fn emit(io: &SessionIo, ev: Event) {
    let _ = io.events.send(ev);
}

fn done<T>(io: &SessionIo, reason: DoneReason, steps: u32, out: T) -> T {
    emit(io, Event::Done { reason, steps });
    out
}

fn level_str(l: Level) -> &'static str {
    match l {
        Level::Allow => "allow",
        Level::Ask => "ask",
        Level::Deny => "deny",
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
