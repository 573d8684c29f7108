//! The agent loop: a [`Session`] drives a model through tool calls and reports everything as a
//! stream of [`Event`]s; front ends (the TUI, `creor run`) render events and answer approval
//! requests with [`ApprovalAnswer`]s. It never draws and never reads a terminal.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use creor_core::agent::{Answer, ApprovalAnswer, CancelHandle, Event, Session, SessionIo, SessionOptions};
//! use creor_core::{config, permission, provider, secrets, audit, tools};
//!
//! let cfg = config::load(&config::LoadOptions { project: ".".into(), ..Default::default() })?;
//! let provider = provider::from_config(cfg.provider.as_ref().ok_or("no provider")?)?;
//! let ctx = permission::Context { project: cfg.project.clone(), home: "/home/me".into(),
//!                                 session_tmp: None, headless: false };
//! let engine = permission::Engine::new(cfg.clone(), ctx);
//! let redactor = Arc::new(secrets::Scanner::new(&cfg.secrets)?);
//! let audit = Arc::new(audit::AuditLog::for_project(&cfg.project)?);
//! let env = tools::ToolEnv::new(Arc::new(cfg), "/home/me".into(), None);
//! let tools = tools::Toolbox::new(env, Arc::new(tools::SandboxRunner::default()));
//! let mut session = Session::new(provider, engine, tools, redactor, audit, SessionOptions::default());
//!
//! let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
//! let (answers, answers_rx) = tokio::sync::mpsc::unbounded_channel();
//! let (_cancel, cancel) = CancelHandle::new();
//! let mut io = SessionIo { events: events_tx, answers: answers_rx, cancel };
//! tokio::spawn(async move {
//!     while let Some(ev) = events.recv().await {
//!         if let Event::ApprovalRequested { id, .. } = ev {
//!             let _ = answers.send(ApprovalAnswer { id, answer: Answer::ApproveOnce });
//!         }
//!     }
//! });
//! session.run("fix the failing test", &mut io).await?;
//! # Ok(()) }
//! ```
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
