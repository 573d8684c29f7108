//! A [`ProxyHook`] that appends every decision to creor's audit log.

use std::sync::Arc;

use serde_json::json;

use super::hook::{AskFuture, Protocol, ProxyEvent, ProxyHook, Verdict};
use super::pattern::Target;
use crate::audit::{AuditLog, BackgroundSync, NewEntry};

/// Writes `net.connect` entries; delegates unknown hosts to `inner` (default: deny).
///
/// Each entry is written before the connection goes on, and synced to disk in the background
/// ([`BackgroundSync`]): an `fsync` per connection would be most of what the proxy adds to
/// its latency. Dropping the hook syncs what is left.
pub struct AuditHook {
    log: AuditLog,
    session: String,
    inner: Option<Arc<dyn ProxyHook>>,
    /// `None` if the thread could not be started: then every entry is synced in place.
    sync: Option<BackgroundSync>,
}

impl AuditHook {
    /// Logs to `log` under `session`; `inner` (if any) answers unknown hosts and also sees
    /// every event.
    pub fn new(
        log: AuditLog,
        session: impl Into<String>,
        inner: Option<Arc<dyn ProxyHook>>,
    ) -> Self {
        let sync = BackgroundSync::start(log.clone()).ok();
        AuditHook {
            log,
            session: session.into(),
            inner,
            sync,
        }
    }
}

impl ProxyHook for AuditHook {
    fn record(&self, event: &ProxyEvent) -> Result<(), String> {
        let mut entry = NewEntry::new(
            self.session.clone(),
            "sandbox",
            "net.connect",
            event.target.clone(),
            match event.verdict {
                Verdict::Allow => "allow",
                Verdict::Deny => "deny",
            },
        );
        entry.rule = Some(event.reason.clone());
        entry.details = json!({
            "protocol": event.protocol.as_str(),
            "address": event.addr.map(|a| a.to_string()),
        });
        let written = match &self.sync {
            Some(sync) => self.log.append_unsynced(&entry).map(|_| sync.request()),
            None => self.log.append(&entry).map(|_| ()),
        };
        written.map_err(|e| format!("audit log: {e}"))?;
        match &self.inner {
            Some(inner) => inner.record(event),
            None => Ok(()),
        }
    }

    fn ask(&self, target: &Target) -> AskFuture<'_> {
        match &self.inner {
            Some(inner) => inner.ask(target),
            None => Box::pin(async { super::hook::Answer::Deny }),
        }
    }

    fn ask_via(&self, protocol: Protocol, target: &Target) -> AskFuture<'_> {
        match &self.inner {
            Some(inner) => inner.ask_via(protocol, target),
            None => Box::pin(async { super::hook::Answer::Deny }),
        }
    }
}
