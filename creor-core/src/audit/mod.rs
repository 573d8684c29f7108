//! The audit log: one hash-chained JSON line per decision (permission verdicts, dismissed
//! secrets, …), appended with fsync (network decisions: written at once, synced in the
//! background by [`BackgroundSync`]), verifiable offline.
//!
//! ```
//! use creor_core::audit::{AuditLog, NewEntry};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let log = AuditLog::at(dir.path().join("audit.jsonl"));
//! log.append(&NewEntry::new("session-1", "user", "secret.dismiss", "src/a.py", "dismissed"))
//!     .unwrap();
//! assert_eq!(log.verify().unwrap(), 1);
//! ```

mod background_sync;
mod error;
mod path;
mod record;
mod sink;

pub use background_sync::BackgroundSync;
pub use error::{AuditError, VerifyError};
pub use path::{default_log_path, project_id};
pub use record::{timestamp, Entry, NewEntry, GENESIS_HASH};
pub use sink::AuditLog;
