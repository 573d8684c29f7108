//! The audit seam: every decision, approval, denial, sandbox refusal and network decision of a
//! session is handed to an [`AuditSink`] (the hash-chained JSONL log in production).

use serde::Serialize;

/// One audited fact. Text fields are already redacted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    /// Session id.
    pub session: String,
    /// `model`, `user`, `engine`, `sandbox`, `network`, `redactor`.
    pub actor: String,
    /// `decision`, `approval`, `tool-result`, `redaction`, …
    pub action: String,
    /// Tool and subject (`bash: make test`).
    pub target: String,
    /// allow / ask / deny / approve-once / …
    pub decision: Option<String>,
    /// The rule or reason that decided.
    pub rule: Option<String>,
    /// Anything else worth keeping.
    pub details: serde_json::Value,
}

/// Receives audit records. A sink that fails makes the session refuse the call it was
/// recording (no unaudited action runs).
pub trait AuditSink: Send + Sync {
    /// Appends one record durably.
    fn record(&self, rec: &AuditRecord) -> Result<(), String>;
}

/// A sink that keeps nothing (tests, embedders that audit elsewhere).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAudit;

impl AuditSink for NoAudit {
    fn record(&self, _rec: &AuditRecord) -> Result<(), String> {
        Ok(())
    }
}

/// The hash-chained JSONL log is the production sink.
impl AuditSink for crate::audit::AuditLog {
    fn record(&self, rec: &AuditRecord) -> Result<(), String> {
        let entry = crate::audit::NewEntry {
            session: rec.session.clone(),
            actor: rec.actor.clone(),
            action: rec.action.clone(),
            target: rec.target.clone(),
            decision: rec.decision.clone().unwrap_or_default(),
            rule: rec.rule.clone(),
            details: rec.details.clone(),
        };
        self.append(&entry).map(|_| ()).map_err(|e| e.to_string())
    }
}
