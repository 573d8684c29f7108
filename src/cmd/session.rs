//! What `creor run` and the TUI both need before a [`Session`](creor_core::agent::Session)
//! can start: one id, the canonical HOME, a private session tmp dir, the permission engine,
//! the tool environment, the sandbox runner, the redactor and the network proxy.
//!
//! Kept in one place because the two front ends had already drifted apart on a security
//! detail: the floor (~/.ssh, ~/.aws, ~/.gnupg) is matched against canonical paths, so HOME
//! must be canonicalised before the engine and the tools see it, whichever front end runs.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use creor_core::agent::Redactor;
use creor_core::config::ResolvedConfig;
use creor_core::netproxy::{ProxyHook, ProxySession};
use creor_core::permission::{Context, Engine};
use creor_core::tools::{CommandRunner, ToolEnv};
use tokio::runtime::Handle;

use super::Exit;

/// What differs between the front ends.
#[derive(Default)]
pub struct Options {
    /// Nobody can answer a card (the engine turns asks into denials).
    pub headless: bool,
    /// Answers the proxy's questions about unlisted hosts; `None` denies them.
    pub net_hook: Option<Arc<dyn ProxyHook>>,
}

/// The parts of the process environment the setup reads, so tests can supply their own.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `$HOME` as given (it may be a symlink).
    pub home: Option<OsString>,
    /// creor's state directory (`$XDG_STATE_HOME/creor` or `~/.local/state/creor`).
    pub state_dir: Option<PathBuf>,
    /// `$CREOR_WEBSEARCH_URL`, when set and non-empty.
    pub websearch_url: Option<String>,
}

impl Inputs {
    /// Reads the real environment.
    pub fn from_process() -> Inputs {
        Inputs {
            home: std::env::var_os("HOME").filter(|h| !h.is_empty()),
            state_dir: std::env::var_os("XDG_STATE_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
                .map(|d| d.join("creor")),
            websearch_url: std::env::var("CREOR_WEBSEARCH_URL")
                .ok()
                .filter(|v| !v.is_empty()),
        }
    }
}

/// The session's private `/tmp` backing directory, removed when this is dropped.
#[derive(Debug)]
pub struct SessionTmp(Option<PathBuf>);

impl SessionTmp {
    /// The directory, when there is a state dir to put it in.
    pub fn path(&self) -> Option<&PathBuf> {
        self.0.as_ref()
    }
}

impl Drop for SessionTmp {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Everything a front end needs to build its [`Session`](creor_core::agent::Session).
pub struct SessionSetup {
    /// The session id (audit log, proxy, tmp dir name).
    pub id: String,
    /// The config, shared with the tools.
    pub config: Arc<ResolvedConfig>,
    /// The permission engine, built on the canonical HOME.
    pub engine: Engine,
    /// The tools' environment, with the proxy endpoint filled in.
    pub env: ToolEnv,
    /// How bash commands run (the sandbox).
    pub runner: Arc<dyn CommandRunner>,
    /// Secret redaction for tool output.
    pub redactor: Arc<dyn Redactor>,
    /// The `allow_specific` proxy; it must live as long as the session.
    pub proxy: Option<ProxySession>,
    /// Why there is no proxy although the policy needs one (shell commands are refused).
    pub proxy_problem: Option<String>,
    /// Removed on drop: keep it until the session has ended.
    pub tmp: SessionTmp,
}

/// Prepares a session from the real environment.
pub fn prepare(rt: &Handle, config: ResolvedConfig, opts: Options) -> anyhow::Result<SessionSetup> {
    prepare_with(rt, config, opts, Inputs::from_process())
}

/// Prepares a session from `inputs`.
pub fn prepare_with(
    rt: &Handle,
    config: ResolvedConfig,
    opts: Options,
    inputs: Inputs,
) -> anyhow::Result<SessionSetup> {
    let home = inputs
        .home
        .map(PathBuf::from)
        .ok_or_else(|| Exit::config("HOME is not set"))?;
    // The floor (~/.ssh, ~/.aws, ~/.gnupg) is matched against canonical paths.
    let home = home.canonicalize().unwrap_or(home);
    let id = session_id();
    let tmp = match inputs.state_dir {
        Some(d) => {
            let dir = d.join("tmp").join(&id);
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("creating the session tmp dir {}", dir.display()))?;
            let canon = dir.canonicalize().with_context(|| {
                let _ = std::fs::remove_dir_all(&dir);
                format!("resolving the session tmp dir {}", dir.display())
            })?;
            SessionTmp(Some(canon))
        }
        None => SessionTmp(None),
    };
    let engine = Engine::new(
        config.clone(),
        Context {
            project: config.project.clone(),
            home: home.clone(),
            session_tmp: tmp.path().cloned(),
            headless: opts.headless,
        },
    );
    let redactor = redactor(&config)?;
    let config = Arc::new(config);
    let mut env = ToolEnv::new(config.clone(), home, tmp.path().cloned());
    env.websearch_url = inputs.websearch_url;
    let (proxy, proxy_problem) = match super::proxy::for_session(rt, &config, &id, opts.net_hook) {
        Ok(p) => (p, None),
        Err(e) => (None, Some(format!("{e}; shell commands will be refused"))),
    };
    env.proxy = proxy.as_ref().map(|p| p.endpoint());
    Ok(SessionSetup {
        id,
        config,
        engine,
        env,
        runner: runner(),
        redactor,
        proxy,
        proxy_problem,
        tmp,
    })
}

fn session_id() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{secs:x}-{}", std::process::id())
}

/// The runner for bash: the sandbox.
#[cfg(target_os = "linux")]
fn runner() -> Arc<dyn CommandRunner> {
    Arc::new(creor_core::tools::SandboxRunner::default())
}

/// No sandbox backend for this OS in this build: every command is refused.
#[cfg(not(target_os = "linux"))]
fn runner() -> Arc<dyn CommandRunner> {
    Arc::new(creor_core::tools::NoSandbox {
        reason: "this creor build has no sandbox backend for this OS; shell commands are refused"
            .into(),
    })
}

fn redactor(config: &ResolvedConfig) -> anyhow::Result<Arc<dyn Redactor>> {
    let scanner = creor_core::secrets::Scanner::new(&config.secrets)
        .map_err(|e| Exit::config(format!("secrets: {e}")))?;
    Ok(Arc::new(scanner))
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
