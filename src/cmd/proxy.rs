//! The `allow_specific` proxy for one `creor exec`: a small tokio runtime in this process
//! (the sandbox helper is a separate re-executed process, so these threads never reach it),
//! decisions appended to the project's audit log.

use std::sync::Arc;

use creor_core::audit::AuditLog;
use creor_core::config::ResolvedConfig;
use creor_core::netproxy::{AuditHook, DenyUnknown, HostPolicy, ProxyHook, ProxySession};

/// A running proxy and the runtime it runs on (dropped together, session first).
pub struct RunningProxy {
    /// The session (socket, token).
    pub session: ProxySession,
    _rt: tokio::runtime::Runtime,
}

/// Starts the proxy for `cfg`'s host lists. Errors are one line naming what failed.
pub fn start(cfg: &ResolvedConfig) -> Result<RunningProxy, String> {
    let net = &cfg.sandbox.network;
    let policy = HostPolicy::new(&net.allowed_hosts, &net.denied_hosts)
        .map_err(|e| format!("network policy allow_specific: {e}"))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("creor-proxy")
        .enable_all()
        .build()
        .map_err(|e| format!("start the proxy runtime: {e}"))?;
    let hook: Arc<dyn ProxyHook> = match AuditLog::for_project(&cfg.project) {
        Ok(log) => Arc::new(AuditHook::new(
            log,
            format!("cli-{}", std::process::id()),
            None,
        )),
        Err(e) => {
            eprintln!("creor: warning: proxy decisions are not audited: {e}");
            Arc::new(DenyUnknown)
        }
    };
    let session = ProxySession::start(rt.handle(), policy, hook)
        .map_err(|e| format!("start the network proxy: {e}"))?;
    Ok(RunningProxy { session, _rt: rt })
}
