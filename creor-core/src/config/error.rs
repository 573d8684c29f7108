//! The one error type of configuration loading.

use std::path::PathBuf;

/// A configuration that cannot be used. Display names the file, line and key, the shape
/// `creor config validate` prints: `file:line: key: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {}: {message}", file.display(), if key.is_empty() { "(top level)" } else { key.as_str() })]
pub struct ConfigError {
    /// The file (or `<cli>`).
    pub file: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// JSON path of the offending key (`permissions.bash`).
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    /// An error about a file as a whole (unreadable, not a directory).
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.into(),
            line: 0,
            key: String::new(),
            message: message.into(),
        }
    }
}
