//! Errors of the network proxy.

use std::path::PathBuf;

/// A host or pattern that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// An `allowedHosts` / `deniedHosts` entry that is not a host pattern.
    #[error("bad host pattern {0:?}: expected NAME, *.NAME, IPv4 or [IPv6], each with an optional :PORT")]
    BadPattern(String),
    /// A host a client asked for that is not a DNS name or IP literal.
    #[error("bad host {0:?}")]
    BadHost(String),
}

/// The proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// A host pattern in the configuration is invalid.
    #[error("{list}: {source}")]
    Pattern {
        /// `allowedHosts` or `deniedHosts`.
        list: &'static str,
        /// What was wrong.
        #[source]
        source: PatternError,
    },
    /// The socket directory or socket could not be created.
    #[error("proxy socket {path}: {source}")]
    Socket {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}
