//! The listener: a unix socket only creor and its sandbox forwarder can reach, one task per
//! connection, dispatching on the first byte (SOCKS5 starts with 5, HTTP with a method).

use std::path::Path;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use tokio::io::AsyncReadExt;
use tokio::net::{UnixListener, UnixStream};

use super::error::ProxyError;
use super::hook::ProxyHook;
use super::pattern::HostPattern;
use super::policy::HostPolicy;
use super::{http, socks};

/// Login name inside the proxy credentials (`creor:TOKEN`).
pub const PROXY_USER: &str = "creor";

/// State every connection shares.
pub struct Shared {
    policy: RwLock<HostPolicy>,
    token: String,
    /// Observer and decision point for unknown hosts.
    pub hook: Arc<dyn ProxyHook>,
}

impl Shared {
    /// The current policy (session grants included).
    pub fn policy(&self) -> RwLockReadGuard<'_, HostPolicy> {
        self.policy.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a session grant.
    pub fn allow_for_session(&self, p: HostPattern) {
        self.policy
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .allow(p);
    }

    /// Whether `user`/`password` are this session's credentials (compared without an early
    /// exit, so timing does not leak the token).
    pub fn credentials_ok(&self, user: &[u8], password: &[u8]) -> bool {
        let want = self.token.as_bytes();
        let mut diff = u8::from(password.len() != want.len());
        for (i, w) in want.iter().enumerate() {
            diff |= w ^ password.get(i).copied().unwrap_or(0);
        }
        diff == 0 && user == PROXY_USER.as_bytes()
    }
}

/// A bound proxy, ready to [`Proxy::serve`].
pub struct Proxy {
    listener: UnixListener,
    shared: Arc<Shared>,
}

impl Proxy {
    /// Binds `socket` (mode 0600; its directory should be private, see
    /// [`super::rundir::RunDir`]). Must be called inside a tokio runtime.
    pub fn bind(
        socket: &Path,
        policy: HostPolicy,
        token: String,
        hook: Arc<dyn ProxyHook>,
    ) -> Result<Proxy, ProxyError> {
        use std::os::unix::fs::PermissionsExt;
        let err = |source| ProxyError::Socket {
            path: socket.to_path_buf(),
            source,
        };
        let listener = UnixListener::bind(socket).map_err(err)?;
        std::fs::set_permissions(socket, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
        Ok(Proxy {
            listener,
            shared: Arc::new(Shared {
                policy: RwLock::new(policy),
                token,
                hook,
            }),
        })
    }

    /// Accepts connections until the task is dropped or the runtime shuts down.
    pub async fn serve(self) {
        loop {
            let Ok((stream, _)) = self.listener.accept().await else {
                continue;
            };
            let shared = Arc::clone(&self.shared);
            tokio::spawn(async move {
                let _ = handle(stream, &shared).await;
            });
        }
    }
}

async fn handle(mut stream: UnixStream, shared: &Shared) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    if stream.read_buf(&mut buf).await? == 0 {
        return Ok(());
    }
    if buf.first() == Some(&socks::VERSION) {
        socks::serve(stream, buf, shared).await
    } else {
        http::serve(stream, buf, shared).await
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
