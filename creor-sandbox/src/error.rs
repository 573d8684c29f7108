//! Errors of the sandbox crate: each names the step that failed, so a refusal to run can say
//! what to fix.

use std::path::PathBuf;

/// Why a sandbox could not be built or run. Any of these means the command did not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// A path in the policy is unusable (missing, not absolute, not canonical).
    #[error("sandbox path {path}: {reason}")]
    Path {
        /// The offending path as given in the policy.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A kernel facility the policy needs is missing or refused.
    #[error("sandbox setup failed at {step}: {reason}")]
    Setup {
        /// The setup step (e.g. `unshare(CLONE_NEWUSER)`, `landlock`, `seccomp`).
        step: &'static str,
        /// What the kernel said and how to fix it.
        reason: String,
    },
    /// An I/O error while talking to the helper or the command.
    #[error("sandbox i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, SandboxError>;
