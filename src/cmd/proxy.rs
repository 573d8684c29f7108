//! The `allow_specific` proxy for a creor process: `creor exec` runs it on a small tokio
//! runtime of its own (the sandbox helper is a separate re-executed process, so these threads
//! never reach it); `creor run` and the TUI run it on their runtime for the whole session.
//! Decisions are appended to the project's audit log.

use std::sync::Arc;

use creor_core::audit::AuditLog;
use creor_core::config::{NetworkMode, ResolvedConfig};
use creor_core::netproxy::{AuditHook, DenyUnknown, HostPolicy, ProxyHook, ProxySession};
use tokio::runtime::Handle;

/// A running proxy and the runtime it runs on (dropped together, session first).
pub struct RunningProxy {
    /// The session (socket, token).
    pub session: ProxySession,
    _rt: tokio::runtime::Runtime,
}

/// Starts the proxy for `cfg`'s host lists on a runtime of its own.
pub fn start(cfg: &ResolvedConfig) -> Result<RunningProxy, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("creor-proxy")
        .enable_all()
        .build()
        .map_err(|e| format!("start the proxy runtime: {e}"))?;
    let session = start_on(
        rt.handle(),
        cfg,
        &format!("cli-{}", std::process::id()),
        None,
    )?;
    Ok(RunningProxy { session, _rt: rt })
}

/// Starts the proxy on `rt`, auditing under `session_id`; `ask` (if any) answers for hosts
/// in neither list, else they are denied. Errors are one line naming what failed.
pub fn start_on(
    rt: &Handle,
    cfg: &ResolvedConfig,
    session_id: &str,
    ask: Option<Arc<dyn ProxyHook>>,
) -> Result<ProxySession, String> {
    let net = &cfg.sandbox.network;
    let policy = HostPolicy::new(&net.allowed_hosts, &net.denied_hosts)
        .map_err(|e| format!("network policy allow_specific: {e}"))?;
    let hook: Arc<dyn ProxyHook> = match AuditLog::for_project(&cfg.project) {
        Ok(log) => Arc::new(AuditHook::new(log, session_id, ask)),
        Err(e) => {
            eprintln!("creor: warning: proxy decisions are not audited: {e}");
            ask.unwrap_or_else(|| Arc::new(DenyUnknown))
        }
    };
    ProxySession::start(rt, policy, hook).map_err(|e| format!("start the network proxy: {e}"))
}

/// For an agent session: a proxy when the policy is `allow_specific`, else `None`.
pub fn for_session(
    rt: &Handle,
    cfg: &ResolvedConfig,
    session_id: &str,
    ask: Option<Arc<dyn ProxyHook>>,
) -> anyhow::Result<Option<ProxySession>> {
    if cfg.sandbox.network.policy != NetworkMode::AllowSpecific {
        return Ok(None);
    }
    start_on(rt, cfg, session_id, ask).map(Some).map_err(|m| {
        anyhow::Error::new(super::Exit {
            code: 125,
            message: m,
        })
    })
}
