//! Judge, resolve, re-judge, dial: the one path every protocol goes through, so a name is
//! checked before DNS and the address dialed is exactly the address checked.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;

use super::hook::{Answer, Protocol, ProxyEvent, Verdict};
use super::pattern::{Host, HostPattern, Target};
use super::policy::{AddrRefusal, NameVerdict};
use super::server::Shared;

/// How long one TCP connect may take before the next address is tried.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A refused connection: what the client is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status: 403 for policy, 502 when the target could not be reached.
    pub status: u16,
    /// SOCKS5 reply code: 2 (not allowed by ruleset), 4 (host unreachable), 5 (refused).
    pub socks: u8,
    /// One line naming the rule or the failure.
    pub reason: String,
}

impl Refusal {
    fn policy(reason: String) -> Refusal {
        Refusal {
            status: 403,
            socks: 2,
            reason,
        }
    }

    fn unreachable(reason: String, socks: u8) -> Refusal {
        Refusal {
            status: 502,
            socks,
            reason,
        }
    }
}

/// Decides on `target`, dials it if allowed, and reports the outcome to the hook.
pub async fn open(
    shared: &Shared,
    protocol: Protocol,
    target: &Target,
) -> Result<(TcpStream, SocketAddr), Refusal> {
    let result = judge_and_dial(shared, protocol, target).await;
    let (verdict, reason, addr) = match &result {
        Ok((_, addr, rule)) => (Verdict::Allow, rule.clone(), Some(*addr)),
        Err(r) => (Verdict::Deny, r.reason.clone(), None),
    };
    let event = ProxyEvent {
        protocol,
        target: target.to_string(),
        verdict,
        reason,
        addr,
    };
    match result {
        Ok((s, a, _)) => match shared.record(event).await {
            Ok(()) => Ok((s, a)),
            // Unrecorded, an allow must not take effect; the dialed stream closes here.
            Err(e) => Err(Refusal::policy(format!(
                "{target}: not recorded, so not allowed ({e})"
            ))),
        },
        Err(r) => {
            shared.record_refusal(event).await;
            Err(r)
        }
    }
}

async fn judge_and_dial(
    shared: &Shared,
    protocol: Protocol,
    target: &Target,
) -> Result<(TcpStream, SocketAddr, String), Refusal> {
    let verdict = shared.policy().check_name(target);
    let rule = match verdict {
        NameVerdict::Denied(entry) => {
            return Err(Refusal::policy(format!(
                "denied by deniedHosts entry {entry:?}"
            )))
        }
        NameVerdict::Allowed(entry) => format!("allowedHosts entry {entry:?}"),
        NameVerdict::Unlisted => match shared.hook.ask_via(protocol, target).await {
            Answer::AllowOnce => "allowed once by the user".to_string(),
            Answer::AllowSession => {
                if let Ok(p) = HostPattern::parse(&target.to_string()) {
                    shared.allow_for_session(p);
                }
                "allowed for the session by the user".to_string()
            }
            Answer::Deny => {
                return Err(Refusal::policy(
                    "not in allowedHosts (network policy allow_specific)".to_string(),
                ))
            }
        },
    };
    let candidates: Vec<SocketAddr> = match &target.host {
        Host::Ip(ip) => vec![SocketAddr::new(*ip, target.port)],
        Host::Name(name) => tokio::net::lookup_host((name.as_str(), target.port))
            .await
            .map_err(|e| Refusal::unreachable(format!("DNS lookup failed: {e}"), 4))?
            .collect(),
    };
    let mut refused = Vec::new();
    let mut last_err = None;
    for addr in candidates {
        if let Err(why) = shared.policy().check_addr(addr) {
            refused.push((addr, why));
            continue;
        }
        match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                return Ok((stream, addr, rule));
            }
            Ok(Err(e)) => last_err = Some(format!("connect to {addr} failed: {e}")),
            Err(_) => last_err = Some(format!("connect to {addr} timed out")),
        }
    }
    if let Some(e) = last_err {
        return Err(Refusal::unreachable(e, 5));
    }
    match refused.first() {
        Some((addr, AddrRefusal::Denied(entry))) => Err(Refusal::policy(format!(
            "resolves to {}, denied by deniedHosts entry {entry:?}",
            addr.ip()
        ))),
        Some((addr, AddrRefusal::Special(kind))) => Err(Refusal::policy(format!(
            "resolves to {} ({} address), which is not itself in allowedHosts; listing a name \
             never opens its address, list \"{}\" to allow it",
            addr.ip(),
            kind.describe(),
            Target {
                host: Host::Ip(addr.ip().to_canonical()),
                port: addr.port()
            }
        ))),
        None => Err(Refusal::unreachable(
            "the name resolved to no address".to_string(),
            4,
        )),
    }
}

/// A client connection: the unix socket itself, or the sandbox's TCP connection that the
/// forwarder passed over it.
pub trait ClientStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {
    /// The socket as a blocking fd, for the splice relay.
    fn into_blocking(self) -> std::io::Result<std::os::fd::OwnedFd>;
}

impl ClientStream for tokio::net::UnixStream {
    fn into_blocking(self) -> std::io::Result<std::os::fd::OwnedFd> {
        let s = self.into_std()?;
        s.set_nonblocking(false)?;
        Ok(s.into())
    }
}

impl ClientStream for TcpStream {
    fn into_blocking(self) -> std::io::Result<std::os::fd::OwnedFd> {
        let s = self.into_std()?;
        s.set_nonblocking(false)?;
        Ok(s.into())
    }
}

/// Relays an established tunnel until both sides are done. On Linux the bytes move with
/// `splice(2)` on a blocking thread (no user-space copy); elsewhere through tokio buffers.
pub async fn tunnel<S: ClientStream>(client: S, upstream: TcpStream) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let c = client.into_blocking()?;
        let u = upstream.into_blocking()?;
        tokio::task::spawn_blocking(move || creor_sandbox::linux::relay::relay(c, u))
            .await
            .map_err(std::io::Error::other)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let (mut client, mut upstream) = (client, upstream);
        tokio::io::copy_bidirectional_with_sizes(
            &mut client,
            &mut upstream,
            super::http::RELAY_BUF,
            super::http::RELAY_BUF,
        )
        .await
        .map(|_| ())
    }
}
