//! The agent loop: a [`Session`] drives a model through tool calls and reports everything as a
//! stream of [`Event`]s; front ends (the TUI, `creor run`) render events and answer approval
//! requests with [`ApprovalAnswer`]s. It never draws and never reads a terminal.
//!
//! Seams, so each part can be swapped or tested alone: [`crate::provider::Provider`] (the
//! model), [`crate::tools::CommandRunner`] (the sandbox), [`Redactor`] (the secret scanner),
//! [`AuditSink`] (the audit log).

mod audit;
mod event;
mod live;
mod redact;
mod session;

pub use crate::provider::{Cancel, CancelHandle};
pub use audit::{AuditRecord, AuditSink, NoAudit};
pub use event::{Answer, ApprovalAnswer, DoneReason, Event};
pub use redact::{FnRedactor, Redaction, Redactor};
pub use session::{
    Outcome, Session, SessionError, SessionIo, SessionOptions, DEFAULT_SYSTEM_PROMPT,
    NEEDS_APPROVAL_HEADLESS,
};
