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
    /// A setup step failed inside the helper, pid 1 or the command child (reported back over
    /// the control socket, so the step is only known at run time).
    #[error("sandbox setup failed at {step}: {reason}")]
    HelperSetup {
        /// The setup step, often with the path it was working on.
        step: String,
        /// What the kernel said and how to fix it.
        reason: String,
    },
    /// The sandbox was built but the command could not be executed (not found, not
    /// executable). `code` is the shell-style status: 127 not found, 126 not executable.
    #[error("cannot execute {program}: {reason}")]
    Exec {
        /// The program as given.
        program: String,
        /// What `execve` said.
        reason: String,
        /// 126 or 127.
        code: i32,
    },
    /// The policy asks for something this build cannot enforce yet; refusing is the only
    /// safe answer (e.g. `allow_specific` before the proxy exists).
    #[error("sandbox refuses {what}: {reason}")]
    Unsupported {
        /// The requested feature.
        what: String,
        /// Why, and what to use instead.
        reason: String,
    },
    /// An I/O error while talking to the helper or the command.
    #[error("sandbox i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl SandboxError {
    /// The exit code `creor exec` uses for this error: 125 for setup failures, 126/127 when
    /// the program could not be executed.
    pub fn exit_code(&self) -> u8 {
        match self {
            SandboxError::Exec { code, .. } => u8::try_from(*code).unwrap_or(125),
            _ => 125,
        }
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, SandboxError>;
