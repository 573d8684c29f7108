//! Errors of the audit log.

use std::path::PathBuf;

/// The log could not be written or read. Callers treat this as fail-closed: an action whose
/// audit entry cannot be written does not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// File system error on the log or its directory.
    #[error("audit log {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The log's last line is unusable (torn write or tampering): appending would chain onto
    /// garbage, so nothing is appended until a human looks.
    #[error("audit log {}: {}", .0.display(), .1)]
    Corrupt(PathBuf, VerifyError),
    /// Neither `$XDG_STATE_HOME` nor `$HOME` is set.
    #[error("audit log: neither XDG_STATE_HOME nor HOME is set")]
    NoStateDir,
    /// An entry could not be serialised.
    #[error("audit entry: {0}")]
    Encode(String),
}

/// The first line of a log that breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct VerifyError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong (bad JSON, wrong prev_hash, hash mismatch, partial line).
    pub reason: String,
}
