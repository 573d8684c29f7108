//! One proxy per session: private directory, token, listener task, and the endpoint the
//! sandbox policy needs. Dropping it stops the proxy and removes the socket.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use super::error::ProxyError;
use super::hook::ProxyHook;
use super::policy::HostPolicy;
use super::rundir::{new_token, RunDir};
use super::server::Proxy;

/// Port the in-sandbox forwarder listens on. The sandbox has its own network namespace, so
/// this cannot collide with anything on the host; 3128 is the conventional proxy port.
pub const FORWARD_PORT: u16 = 3128;

/// A running proxy.
pub struct ProxySession {
    dir: RunDir,
    token: String,
    task: JoinHandle<()>,
}

impl ProxySession {
    /// Creates the directory and token, binds the socket and starts serving on `rt`.
    pub fn start(
        rt: &Handle,
        policy: HostPolicy,
        hook: Arc<dyn ProxyHook>,
    ) -> Result<ProxySession, ProxyError> {
        let dir = RunDir::create()?;
        let socket = dir.socket();
        let token = new_token().map_err(|source| ProxyError::Socket {
            path: socket.clone(),
            source,
        })?;
        let proxy = {
            let _guard = rt.enter();
            Proxy::bind(&socket, policy, token.clone(), hook)?
        };
        let task = rt.spawn(proxy.serve());
        Ok(ProxySession { dir, token, task })
    }

    /// `(socket, port, token)`, as `sandbox_policy::PolicyOptions::proxy` takes it.
    pub fn endpoint(&self) -> (PathBuf, u16, String) {
        (self.dir.socket(), FORWARD_PORT, self.token.clone())
    }
}

impl Drop for ProxySession {
    fn drop(&mut self) {
        self.task.abort();
    }
}
