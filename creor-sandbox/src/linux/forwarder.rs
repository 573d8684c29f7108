//! The `allow_specific` forwarder. Pid 1 binds `127.0.0.1:PORT` inside the sandbox's network
//! namespace and hands the listening socket to the helper over their sync socket; the helper,
//! which lives outside every sandbox layer and in the host's mount namespace, accepts on it
//! and passes each accepted connection (`SCM_RIGHTS`) to creor's proxy over the proxy's unix
//! socket. The proxy then serves the command's TCP connection directly: one hop, no copy in
//! between.
//!
//! So nothing inside the sandbox ever holds a path or descriptor leading out: the only door
//! is a listening socket whose accepted connections land in a process the command cannot
//! see, signal or ptrace (another pid namespace, non-dumpable), and that process only ever
//! connects to one fixed unix socket. The proxy's directory is never bound into the sandbox.

use std::io::{IoSlice, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use nix::sys::socket::{recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags};
use serde::{Deserialize, Serialize};

/// Where the forwarder listens (inside) and relays to (outside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forward {
    /// Loopback port inside the sandbox.
    pub port: u16,
    /// The proxy's unix socket on the host.
    pub socket: PathBuf,
}

/// Pid 1: binds the listener inside the netns (after `lo` is up) and sends it to the helper.
pub fn listen_and_hand_over(port: u16, sync: &UnixStream) -> std::io::Result<()> {
    let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))?;
    let fds = [listener.as_raw_fd()];
    let cmsg = [ControlMessage::ScmRights(&fds)];
    let iov = [IoSlice::new(b"l")];
    sendmsg::<()>(sync.as_raw_fd(), &iov, &cmsg, MsgFlags::empty(), None)?;
    Ok(())
}

/// Helper: receives the listener from pid 1. Fails if pid 1 died or sent none.
pub fn receive(sync: &UnixStream) -> std::io::Result<TcpListener> {
    let mut byte = [0u8; 1];
    let mut iov = [IoSliceMut::new(&mut byte)];
    let mut space = nix::cmsg_space!([RawFd; 1]);
    let msg = recvmsg::<()>(
        sync.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )?;
    for c in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(raw) = c {
            if let Some(&fd) = raw.first() {
                // SAFETY: the kernel installed this fd for us; we take sole ownership.
                let owned = unsafe { OwnedFd::from_raw_fd(fd) };
                return Ok(TcpListener::from(owned));
            }
        }
    }
    Err(std::io::Error::other(
        "pid 1 sent no listening socket (it failed before the forwarder started)",
    ))
}

/// Helper: accepts forever on a thread. Each connection is handed to the proxy as it is:
/// the helper connects to the proxy's socket and passes the accepted socket over it
/// (`SCM_RIGHTS`), so the proxy reads the command's connection directly and no byte is
/// copied here.
pub fn serve(listener: TcpListener, socket: PathBuf) {
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else {
                // Out of fds or memory: back off instead of spinning.
                std::thread::sleep(std::time::Duration::from_millis(10));
                continue;
            };
            // A proxy that is gone: dropping the connection closes it, a refusal to the client.
            let _ = hand_over(&conn, &socket);
        }
    });
}

fn hand_over(conn: &TcpStream, socket: &Path) -> std::io::Result<()> {
    let _ = conn.set_nodelay(true);
    let proxy = UnixStream::connect(socket)?;
    let fds = [conn.as_raw_fd()];
    let cmsg = [ControlMessage::ScmRights(&fds)];
    let iov = [IoSlice::new(b"F")];
    sendmsg::<()>(proxy.as_raw_fd(), &iov, &cmsg, MsgFlags::empty(), None)?;
    Ok(())
}

/// A command environment.
pub type Env = Vec<(std::ffi::OsString, std::ffi::OsString)>;

/// The forwarder and the command's environment for `policy`: `None` and the policy's env
/// unless the network is `allow_specific`. Refuses ports below 1024 (pid 1 binds after
/// dropping to the sandbox uid).
pub fn plan_forward(
    policy: &crate::policy::SandboxPolicy,
) -> crate::error::Result<(Option<Forward>, Env)> {
    use crate::error::SandboxError;
    use crate::policy::NetworkPolicy;
    let NetworkPolicy::AllowSpecific {
        proxy_socket,
        port,
        token,
    } = &policy.network
    else {
        return Ok((None, policy.env.clone()));
    };
    if *port < 1024 {
        return Err(SandboxError::Unsupported {
            what: "network policy allow_specific".into(),
            reason: format!("the forwarder needs a port >= 1024, got {port}"),
        });
    }
    Ok((
        Some(Forward {
            port: *port,
            socket: proxy_socket.clone(),
        }),
        crate::proxy_env::with_proxy_env(&policy.env, *port, token),
    ))
}
