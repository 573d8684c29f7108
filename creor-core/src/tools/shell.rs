//! `bash`: the one tool that runs code. It always runs inside `creor-sandbox` with the policy
//! built from the session's configuration; the [`CommandRunner`] seam lets front ends and tests
//! supply the runner, and the only runner that does not need a sandbox is one that refuses.

use std::sync::Arc;
use std::time::Duration;

use creor_sandbox::SandboxPolicy;

use super::{ToolEnv, ToolError};
use crate::provider::{BoxFuture, Cancel};
use crate::sandbox_policy::{self, PolicyOptions};

/// Which stream a live chunk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Receives a running command's output as it arrives: raw and unredacted, so the receiver
/// must redact before showing it. The captured [`CommandOutput`] stays the authoritative
/// result; this only lets a front end show progress.
#[derive(Clone)]
pub struct OutputSink(pub Arc<OutputFn>);

/// The function behind an [`OutputSink`].
pub type OutputFn = dyn Fn(Stream, &[u8]) + Send + Sync;

impl std::fmt::Debug for OutputSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutputSink")
    }
}

/// One command to run in the sandbox.
#[derive(Debug, Clone)]
pub struct CommandRequest {
    /// The shell command (run as `bash -c COMMAND` inside the sandbox).
    pub command: String,
    /// The policy to enforce (its `limits.timeout` is set).
    pub policy: SandboxPolicy,
    /// Wall-clock limit.
    pub timeout: Duration,
    /// Live output, if a front end wants it (runners may ignore it).
    pub on_output: Option<OutputSink>,
}

/// What a finished command produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandOutput {
    /// Captured stdout.
    pub stdout: Vec<u8>,
    /// Captured stderr.
    pub stderr: Vec<u8>,
    /// Exit code (None when killed by a signal).
    pub exit_code: Option<i32>,
    /// Killed because the timeout expired.
    pub timed_out: bool,
}

/// Why a command did not run (or did not finish).
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// No sandbox can be built here; the command was not run.
    #[error("sandbox unavailable: {0}")]
    Unavailable(String),
    /// The sandbox refused or failed during setup; the command was not run.
    #[error("sandbox: {0}")]
    Sandbox(String),
    /// The session was cancelled.
    #[error("cancelled")]
    Cancelled,
}

/// Runs shell commands inside a sandbox.
pub trait CommandRunner: Send + Sync {
    /// Runs one command under `req.policy`, honouring `cancel`.
    fn run<'a>(
        &'a self,
        req: CommandRequest,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<CommandOutput, RunnerError>>;
}

/// The runner used when no sandbox is available: refuses every command, naming why. creor
/// never falls back to running a command unsandboxed.
#[derive(Debug, Clone)]
pub struct NoSandbox {
    /// Shown to the model and the user.
    pub reason: String,
}

impl CommandRunner for NoSandbox {
    fn run<'a>(
        &'a self,
        _req: CommandRequest,
        _cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<CommandOutput, RunnerError>> {
        let reason = self.reason.clone();
        Box::pin(async move { Err(RunnerError::Unavailable(reason)) })
    }
}

/// Default timeout of one command.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Builds the request for `command` from the session's configuration.
pub fn request(
    env: &ToolEnv,
    command: &str,
    timeout: Option<u64>,
) -> Result<CommandRequest, ToolError> {
    let timeout = timeout
        .map(Duration::from_secs)
        .or(env.config.sandbox.timeout_secs.map(Duration::from_secs))
        .unwrap_or(DEFAULT_TIMEOUT);
    let mut policy = sandbox_policy::build(
        &env.config,
        &PolicyOptions {
            cwd: None,
            session_tmp: env.session_tmp.clone(),
            proxy: env.proxy.clone(),
            ..PolicyOptions::default()
        },
    )
    .map_err(|e| ToolError::Refused(e.to_string()))?;
    policy.limits.timeout = Some(timeout);
    // The scrubbed environment is an allowlist already; the provider's key variable is removed
    // by name as well, whatever it is called.
    if let Some(var) = env
        .config
        .provider
        .as_ref()
        .and_then(|p| p.api_key_env.as_ref())
    {
        policy.env.retain(|(k, _)| k.to_str() != Some(var.as_str()));
    }
    Ok(CommandRequest {
        command: command.to_owned(),
        policy,
        timeout,
        on_output: None,
    })
}

/// Formats a command's output for the model (before redaction and truncation).
pub fn format_output(out: &CommandOutput, timeout: Duration) -> String {
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.stderr.is_empty() {
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
        s.push_str("[stderr]\n");
        s.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    if out.timed_out {
        s.push_str(&format!("[killed: timed out after {}s]", timeout.as_secs()));
    } else {
        match out.exit_code {
            Some(c) => s.push_str(&format!("[exit code {c}]")),
            None => s.push_str("[killed by a signal]"),
        }
    }
    s
}
