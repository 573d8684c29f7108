//! The listener: a unix socket only creor and its sandbox forwarder can reach, one task per
//! connection, dispatching on the first byte (SOCKS5 starts with 5, HTTP with a method).

use std::path::Path;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use std::io::IoSliceMut;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use nix::sys::socket::{
    getsockopt, recvmsg, sockopt, AddressFamily, ControlMessageOwned, MsgFlags, SockType,
    SockaddrLike, SockaddrStorage,
};
use tokio::io::{AsyncReadExt, Interest};
use tokio::net::{TcpStream, UnixListener, UnixStream};

use super::dial::ClientStream;

use super::error::ProxyError;
use super::hook::{ProxyEvent, ProxyHook};
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
    /// Reports a decision to the hook before the connection goes on. The audit hook locks,
    /// reads and appends to its log file (its `fsync` runs later, off this path), so it runs
    /// on a blocking thread rather than stalling an async worker that other connections
    /// share. An error means the decision was not recorded.
    pub async fn record(&self, event: ProxyEvent) -> Result<(), String> {
        let hook = self.hook.clone();
        match tokio::task::spawn_blocking(move || hook.record(&event)).await {
            Ok(recorded) => recorded,
            Err(e) => Err(format!("the audit hook failed: {e}")),
        }
    }

    /// [`Shared::record`] for a refusal: the connection is refused either way, so a failure
    /// to record it is reported on stderr rather than changing the outcome.
    pub async fn record_refusal(&self, event: ProxyEvent) {
        if let Err(e) = self.record(event).await {
            eprintln!("creor: proxy: {e}");
        }
    }

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
                // Out of fds or memory: back off instead of spinning.
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            };
            let shared = Arc::clone(&self.shared);
            tokio::spawn(async move {
                let _ = handle(stream, &shared).await;
            });
        }
    }
}

async fn handle(stream: UnixStream, shared: &Shared) -> std::io::Result<()> {
    let (first, passed) = loop {
        stream.readable().await?;
        match stream.try_io(Interest::READABLE, || receive(stream.as_raw_fd())) {
            Ok(got) => break got,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    };
    match passed {
        // The sandbox forwarder handed over the command's own TCP connection: serve it
        // directly (one hop fewer), and drop the unix connection that carried it.
        Some(fd) => {
            let std = std::net::TcpStream::from(fd);
            std.set_nonblocking(true)?;
            let mut client = TcpStream::from_std(std)?;
            let _ = client.set_nodelay(true);
            let mut buf = Vec::with_capacity(4096);
            if client.read_buf(&mut buf).await? == 0 {
                return Ok(());
            }
            dispatch(client, buf, shared).await
        }
        None if first.is_empty() => Ok(()),
        None => dispatch(stream, first, shared).await,
    }
}

async fn dispatch<S: ClientStream>(
    stream: S,
    buf: Vec<u8>,
    shared: &Shared,
) -> std::io::Result<()> {
    if buf.first() == Some(&socks::VERSION) {
        socks::serve(stream, buf, shared).await
    } else {
        http::serve(stream, buf, shared).await
    }
}

/// One `recvmsg`: the bytes, and a passed fd if it is a TCP stream socket (anything else that
/// arrives is closed).
fn receive(fd: RawFd) -> std::io::Result<(Vec<u8>, Option<OwnedFd>)> {
    let mut data = vec![0u8; 4096];
    let mut iov = [IoSliceMut::new(&mut data)];
    let mut space = nix::cmsg_space!([RawFd; 4]);
    let msg = recvmsg::<()>(
        fd,
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC | MsgFlags::MSG_DONTWAIT,
    )
    .map_err(std::io::Error::from)?;
    let n = msg.bytes;
    let mut passed = None;
    for c in msg.cmsgs().map_err(std::io::Error::from)? {
        if let ControlMessageOwned::ScmRights(raw) = c {
            for r in raw {
                // SAFETY: the kernel installed this fd for us; we own it from here.
                let owned = unsafe { OwnedFd::from_raw_fd(r) };
                let is_stream =
                    matches!(getsockopt(&owned, sockopt::SockType), Ok(SockType::Stream));
                let family = nix::sys::socket::getsockname::<SockaddrStorage>(owned.as_raw_fd())
                    .ok()
                    .and_then(|a| a.family());
                let is_inet = matches!(family, Some(AddressFamily::Inet | AddressFamily::Inet6));
                if passed.is_none() && is_stream && is_inet {
                    passed = Some(owned);
                }
            }
        }
    }
    data.truncate(n);
    Ok((data, passed))
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
