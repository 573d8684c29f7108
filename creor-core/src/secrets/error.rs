//! Errors of the secret scanner. Each names the rule, path or command that failed so a refusal
//! can be acted on.

use std::path::PathBuf;

/// Why the scanner could not do its job. A scan that cannot run is an error (exit 2), never a
/// silent "clean".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// A rule (built-in or from creor.json `secrets.rules`) does not compile.
    #[error("secret rule {id:?}: {message}")]
    Rule {
        /// The rule id.
        id: String,
        /// What is wrong with it.
        message: String,
    },
    /// An allowlist entry (`secrets.allowlist`) does not compile.
    #[error("secrets.allowlist.{field}: {value:?}: {message}")]
    Allowlist {
        /// `paths` or `regexes`.
        field: &'static str,
        /// The offending entry.
        value: String,
        /// What is wrong with it.
        message: String,
    },
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Walking a directory failed.
    #[error("walking {path}: {message}")]
    Walk {
        /// The path being walked.
        path: String,
        /// What failed.
        message: String,
    },
    /// A `git` subprocess failed or printed something we do not understand.
    #[error("git {args}: {message}")]
    Git {
        /// The git arguments, for the message.
        args: String,
        /// What failed (git's stderr when it has one).
        message: String,
    },
    /// The baseline file (`.creor/secrets-baseline.json`) is unreadable or malformed.
    #[error("{}: {message}", path.display())]
    Baseline {
        /// The baseline file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A fingerprint given to `creor scan dismiss` is not one creor printed.
    #[error("bad fingerprint {0:?}: expected PATH:RULE:HASH as printed by `creor scan`")]
    Fingerprint(String),
}

/// Result alias for the scanner.
pub type Result<T> = std::result::Result<T, SecretsError>;
