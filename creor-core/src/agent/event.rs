//! What a session tells its front end, and what the front end answers. With `creor run --json`
//! each [`Event`] is printed as one JSON object per line, tagged by `"type"`.

use serde::{Deserialize, Serialize};

use crate::config::Level;

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DoneReason {
    /// The model finished its answer.
    Finished,
    /// The step limit stopped a runaway loop.
    StepLimit,
    /// The session was cancelled.
    Cancelled,
    /// A provider or configuration error ended it (an `error` event came first).
    Error,
    /// `onAsk: "fail"` aborted the run on its first ask.
    AskFailed,
}

/// One thing that happened in a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The session started.
    SessionStarted {
        /// Session id (also in the audit log).
        session: String,
        /// `openai gpt-4o`, …
        provider: String,
        /// Canonical project directory.
        project: String,
        /// Selected profile.
        profile: Option<String>,
        /// Whether asks are denied instead of shown.
        headless: bool,
    },
    /// A piece of the model's text, as it streams.
    MessageDelta {
        /// The new text.
        text: String,
    },
    /// The model's complete text for one turn (after its deltas).
    Message {
        /// The whole text.
        text: String,
    },
    /// The model proposed a tool call.
    ToolCallProposed {
        /// Call id.
        id: String,
        /// Tool name.
        tool: String,
        /// Arguments (the model's JSON; a string if it was not valid JSON).
        arguments: serde_json::Value,
    },
    /// The permission verdict for a call (after approvals and headless conversion).
    PermissionDecision {
        /// Call id.
        id: String,
        /// Tool name.
        tool: String,
        /// What was judged (`bash: rm -rf x`, `read: src/main.rs`).
        subject: String,
        /// allow / ask / deny.
        level: Level,
        /// Why (`rule bash "rm *" = deny (project creor.json)`, `needs-approval-headless`).
        reason: String,
        /// The winning rules, as `tool pattern = level (layer)`.
        rules: Vec<String>,
    },
    /// The session waits for an [`ApprovalAnswer`] with this id.
    ApprovalRequested {
        /// Call id (answer with it).
        id: String,
        /// Tool name.
        tool: String,
        /// What would run or be touched.
        subject: String,
        /// Why the engine asks.
        reason: String,
        /// What "approve for session" would grant; `None` when only "once" is offered.
        session_scope: Option<String>,
    },
    /// Live output of a running bash command: whole lines as they arrive, each redacted on its
    /// own (lines after a PEM `BEGIN` are held back, as a key spans lines). Progress for a
    /// front end; the [`Event::ToolOutput`] that follows is the authoritative text.
    ToolOutputDelta {
        /// Call id.
        id: String,
        /// One or more complete lines.
        text: String,
    },
    /// Output of a running tool (bash), already redacted.
    ToolOutput {
        /// Call id.
        id: String,
        /// Output text.
        text: String,
    },
    /// The result handed back to the model: redacted and truncated.
    ToolResult {
        /// Call id.
        id: String,
        /// Tool name.
        tool: String,
        /// False when the call failed or was denied.
        ok: bool,
        /// Exactly what the model receives.
        content: String,
    },
    /// Something went wrong (provider, audit, approval channel).
    Error {
        /// What happened.
        message: String,
    },
    /// The session ended.
    Done {
        /// Why.
        reason: DoneReason,
        /// Model requests made.
        steps: u32,
    },
}

/// The user's answer to an approval request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum Answer {
    /// Run this call only.
    ApproveOnce,
    /// Run it and allow the stated scope for the rest of the session.
    ApproveForSession,
    /// Do not run it; the model is told, with the feedback if any.
    Deny {
        /// Optional words for the model.
        feedback: Option<String>,
    },
}

/// An [`Answer`] addressed to one approval request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalAnswer {
    /// The call id from [`Event::ApprovalRequested`].
    pub id: String,
    /// The answer.
    #[serde(flatten)]
    pub answer: Answer,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The documented JSON shapes (the README, "JSON events") stay true.
    #[test]
    fn json_shapes_are_stable() {
        let cases: Vec<(Event, &str)> = vec![
            (
                Event::MessageDelta { text: "hi".into() },
                r#"{"type":"message_delta","text":"hi"}"#,
            ),
            (
                Event::PermissionDecision {
                    id: "c1".into(),
                    tool: "bash".into(),
                    subject: "git push".into(),
                    level: Level::Deny,
                    reason: "needs-approval-headless".into(),
                    rules: vec![],
                },
                r#"{"type":"permission_decision","id":"c1","tool":"bash","subject":"git push","level":"deny","reason":"needs-approval-headless","rules":[]}"#,
            ),
            (
                Event::ApprovalRequested {
                    id: "c1".into(),
                    tool: "bash".into(),
                    subject: "make".into(),
                    reason: "no rule".into(),
                    session_scope: None,
                },
                r#"{"type":"approval_requested","id":"c1","tool":"bash","subject":"make","reason":"no rule","session_scope":null}"#,
            ),
            (
                Event::Done {
                    reason: DoneReason::StepLimit,
                    steps: 3,
                },
                r#"{"type":"done","reason":"step-limit","steps":3}"#,
            ),
        ];
        for (ev, want) in cases {
            assert_eq!(serde_json::to_string(&ev).unwrap(), want);
            assert_eq!(serde_json::from_str::<Event>(want).unwrap(), ev);
        }
    }

    #[test]
    fn approval_answers_parse_as_documented() {
        let a: ApprovalAnswer =
            serde_json::from_str(r#"{"id":"c1","answer":"deny","feedback":"no"}"#).unwrap();
        assert_eq!(
            a,
            ApprovalAnswer {
                id: "c1".into(),
                answer: Answer::Deny {
                    feedback: Some("no".into())
                }
            }
        );
        let a: ApprovalAnswer =
            serde_json::from_str(r#"{"id":"c2","answer":"approve-for-session"}"#).unwrap();
        assert_eq!(a.answer, Answer::ApproveForSession);
        let a: ApprovalAnswer =
            serde_json::from_str(r#"{"id":"c3","answer":"approve-once"}"#).unwrap();
        assert_eq!(a.answer, Answer::ApproveOnce);
    }
}
