//! Translation of the resolved configuration into a [`SandboxPolicy`]: the one place where
//! creor.json meets the sandbox. Placeholder; the real implementation replaces this file.

use std::path::PathBuf;

use creor_sandbox::{Limits, NetworkPolicy, SandboxPolicy, TmpDir};

use crate::config::{NetworkMode, ResolvedConfig};

/// Per-invocation facts that are not configuration.
#[derive(Debug, Clone, Default)]
pub struct PolicyOptions {
    /// Working directory of the command (default: the project).
    pub cwd: Option<PathBuf>,
    /// Host directory of the session's `/tmp` (None: a fresh tmpfs).
    pub session_tmp: Option<PathBuf>,
    /// The proxy endpoint for `allow_specific` (socket, port, token), once one is running.
    pub proxy: Option<(PathBuf, u16, String)>,
}

/// Why a policy could not be built.
#[derive(Debug, thiserror::Error)]
#[error("sandbox policy: {0}")]
pub struct PolicyBuildError(pub String);

/// Builds the sandbox policy for one command of a session.
pub fn build(
    config: &ResolvedConfig,
    opts: &PolicyOptions,
) -> Result<SandboxPolicy, PolicyBuildError> {
    let network = match config.sandbox.network.policy {
        NetworkMode::BlockAll => NetworkPolicy::BlockAll,
        NetworkMode::AllowAll => NetworkPolicy::AllowAll,
        NetworkMode::AllowSpecific => match &opts.proxy {
            Some((socket, port, token)) => NetworkPolicy::AllowSpecific {
                proxy_socket: socket.clone(),
                port: *port,
                token: token.clone(),
            },
            None => return Err(PolicyBuildError("allow_specific needs the proxy".into())),
        },
    };
    Ok(SandboxPolicy {
        project: config.project.clone(),
        cwd: opts.cwd.clone().unwrap_or_else(|| config.project.clone()),
        read_only: config.sandbox.read_only.clone(),
        read_write: config.sandbox.read_write.clone(),
        protected: vec![],
        hidden: vec![],
        tmp: match &opts.session_tmp {
            Some(dir) => TmpDir::Session {
                host_dir: dir.clone(),
                size_bytes: 1 << 30,
            },
            None => TmpDir::Fresh {
                size_bytes: 1 << 30,
            },
        },
        network,
        env: vec![],
        limits: Limits::default(),
        allow_degraded: config.sandbox.allow_degraded,
    })
}
