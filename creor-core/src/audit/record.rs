//! One audit entry and its hash. The hash covers every other field in a fixed order plus the
//! previous entry's hash, so editing, dropping or reordering a line breaks the chain.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The current time as the log writes it (RFC 3339 UTC, milliseconds); also used by other
/// records that must line up with the log (baseline dismissals).
pub fn timestamp() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

/// An entry before it is chained: what the caller knows.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// Session id (`cli-<pid>` for one-off commands).
    pub session: String,
    /// Who acted: `user`, `agent`, `policy`, …
    pub actor: String,
    /// What happened, dotted (`secret.dismiss`, `tool.bash`).
    pub action: String,
    /// What it happened to (a path, a command, a host).
    pub target: String,
    /// The outcome (`allow`, `deny`, `dismissed`, …).
    pub decision: String,
    /// The rule that decided, if any.
    pub rule: Option<String>,
    /// Anything else, already redacted by the caller.
    pub details: Value,
}

impl NewEntry {
    /// An entry with no rule and no details.
    pub fn new(
        session: impl Into<String>,
        actor: impl Into<String>,
        action: impl Into<String>,
        target: impl Into<String>,
        decision: impl Into<String>,
    ) -> NewEntry {
        NewEntry {
            session: session.into(),
            actor: actor.into(),
            action: action.into(),
            target: target.into(),
            decision: decision.into(),
            rule: None,
            details: Value::Null,
        }
    }
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// RFC 3339 UTC time with milliseconds.
    pub time: String,
    /// Session id.
    pub session: String,
    /// Who acted.
    pub actor: String,
    /// What happened.
    pub action: String,
    /// What it happened to.
    pub target: String,
    /// The outcome.
    pub decision: String,
    /// The deciding rule.
    pub rule: Option<String>,
    /// Extra data.
    pub details: Value,
    /// Hash of the previous line ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// SHA-256 (hex) over this entry's other fields.
    pub hash: String,
}

/// The hashed fields, in a fixed order.
#[derive(Serialize)]
struct Hashed<'a> {
    time: &'a str,
    session: &'a str,
    actor: &'a str,
    action: &'a str,
    target: &'a str,
    decision: &'a str,
    rule: &'a Option<String>,
    details: &'a Value,
    prev_hash: &'a str,
}

impl Entry {
    /// Chains a new entry after `prev_hash` at `time`.
    pub fn chain(new: &NewEntry, time: String, prev_hash: &str) -> Result<Entry, String> {
        let mut e = Entry {
            time,
            session: new.session.clone(),
            actor: new.actor.clone(),
            action: new.action.clone(),
            target: new.target.clone(),
            decision: new.decision.clone(),
            rule: new.rule.clone(),
            details: new.details.clone(),
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        e.hash = e.compute_hash()?;
        Ok(e)
    }

    /// The hash this entry should carry.
    pub fn compute_hash(&self) -> Result<String, String> {
        let bytes = serde_json::to_vec(&Hashed {
            time: &self.time,
            session: &self.session,
            actor: &self.actor,
            action: &self.action,
            target: &self.target,
            decision: &self.decision,
            rule: &self.rule,
            details: &self.details,
            prev_hash: &self.prev_hash,
        })
        .map_err(|e| e.to_string())?;
        Ok(Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_covers_fields_and_chain() {
        let n = NewEntry::new("s", "user", "secret.dismiss", "a.py", "dismissed");
        let a = Entry::chain(&n, "t".into(), GENESIS_HASH).expect("hash");
        let b = Entry::chain(&n, "t".into(), &a.hash).expect("hash");
        assert_ne!(a.hash, b.hash);
        let mut c = a.clone();
        c.target = "b.py".into();
        assert_ne!(c.compute_hash().expect("hash"), a.hash);
        assert_eq!(a.compute_hash().expect("hash"), a.hash);
    }
}
