//! The production [`CommandRunner`]: `bash -c COMMAND` inside `creor-sandbox` with the
//! session's policy. Output is captured (capped); cancellation kills the sandbox.

use std::io::Read;
use std::path::PathBuf;
use std::process::Stdio;

use super::shell::{CommandOutput, CommandRequest, CommandRunner, OutputSink, RunnerError, Stream};
use crate::provider::{BoxFuture, Cancel};

/// Most bytes kept from each of stdout and stderr; the rest is read and dropped.
pub const MAX_CAPTURE: usize = 8 << 20;

/// Runs commands through the sandbox crate.
#[derive(Debug, Clone, Default)]
pub struct SandboxRunner {
    /// The executable serving the sandbox helper mode (default: the running binary, which
    /// must dispatch `__sandbox-helper`).
    pub helper: Option<PathBuf>,
}

fn capture(mut r: impl Read, live: Option<(OutputSink, Stream)>) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = MAX_CAPTURE.saturating_sub(kept.len());
                if let Some((sink, stream)) = &live {
                    if room > 0 {
                        (sink.0)(*stream, &buf[..n.min(room)]);
                    }
                }
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    kept
}

impl CommandRunner for SandboxRunner {
    fn run<'a>(
        &'a self,
        req: CommandRequest,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<CommandOutput, RunnerError>> {
        let helper = self.helper.clone();
        Box::pin(async move {
            let mut cmd = creor_sandbox::Command::new("bash")
                .arg("-c")
                .arg(req.command.clone())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            if let Some(h) = helper {
                cmd = cmd.helper(h);
            }
            let mut child = creor_sandbox::spawn(&req.policy, cmd)
                .map_err(|e| RunnerError::Sandbox(e.to_string()))?;
            // Cancelling through the helper (not a SIGKILL of it) lets it clean up after the
            // command, as when the command ends by itself.
            let stopper = child
                .stopper()
                .map_err(|e| RunnerError::Sandbox(e.to_string()))?;
            let out = child.stdout.take();
            let err = child.stderr.take();
            let live = req.on_output.clone();
            let waiter = tokio::task::spawn_blocking(move || {
                let live_out = live.clone().map(|s| (s, Stream::Stdout));
                let live_err = live.map(|s| (s, Stream::Stderr));
                let out_t = out.map(|o| std::thread::spawn(move || capture(o, live_out)));
                let err_t = err.map(|e| std::thread::spawn(move || capture(e, live_err)));
                let status = child.wait();
                let stdout = out_t.and_then(|t| t.join().ok()).unwrap_or_default();
                let stderr = err_t.and_then(|t| t.join().ok()).unwrap_or_default();
                (status, stdout, stderr)
            });
            tokio::pin!(waiter);
            let (status, stdout, stderr) = tokio::select! {
                r = &mut waiter => r.map_err(|e| RunnerError::Sandbox(format!("wait: {e}")))?,
                () = cancel.cancelled() => {
                    let _ = tokio::task::spawn_blocking(move || stopper.stop()).await;
                    let _ = waiter.await;
                    return Err(RunnerError::Cancelled);
                }
            };
            let status = status.map_err(|e| RunnerError::Sandbox(e.to_string()))?;
            Ok(CommandOutput {
                stdout,
                stderr,
                exit_code: Some(status.code()),
                timed_out: status.timed_out(),
            })
        })
    }
}
