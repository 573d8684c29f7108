//! How the proxy tells the rest of creor what it did, and asks about hosts nobody listed.
//!
//! The agent writes each event to the audit log; a TUI can turn [`ProxyHook::ask`] into a
//! permission card. Without a user the answer is [`Answer::Deny`]: nothing defaults to allow.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use super::pattern::Target;

/// Which front door a connection came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `CONNECT host:port` (HTTPS, git over HTTPS, anything tunnelled).
    HttpConnect,
    /// A plain-HTTP absolute-form request (`GET http://host/...`).
    HttpForward,
    /// SOCKS5 `CONNECT`.
    Socks5,
}

impl Protocol {
    /// A short name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::HttpConnect => "http-connect",
            Protocol::HttpForward => "http",
            Protocol::Socks5 => "socks5",
        }
    }
}

/// The outcome of one connection attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The proxy dialed the target.
    Allow,
    /// The proxy refused (policy, bad token, unreachable).
    Deny,
}

/// One allow or deny, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyEvent {
    /// How the client asked.
    pub protocol: Protocol,
    /// `host:port` as the client named it (normalised), or a description when unparseable.
    pub target: String,
    /// What happened.
    pub verdict: Verdict,
    /// The entry that allowed, or why it was refused.
    pub reason: String,
    /// The address dialed, when one was.
    pub addr: Option<SocketAddr>,
}

/// The answer to an unknown host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// This connection only.
    AllowOnce,
    /// This `host:port` for the rest of the session.
    AllowSession,
    /// Refuse (the default).
    Deny,
}

/// A boxed future returned by [`ProxyHook::ask`].
pub type AskFuture<'a> = Pin<Box<dyn Future<Output = Answer> + Send + 'a>>;

/// Observer and decision point for the proxy. Implementations must be quick in
/// [`ProxyHook::record`] (the connection waits for it).
pub trait ProxyHook: Send + Sync + 'static {
    /// Called once per connection attempt with its outcome, before the connection goes on.
    /// An error (the audit log cannot be written) refuses an allowed connection: a decision
    /// that leaves no record must not take effect.
    fn record(&self, event: &ProxyEvent) -> Result<(), String>;

    /// Called for a host in neither list. The connection waits for the answer, so a UI may
    /// take its time; a refusal still names the host. Default: deny.
    fn ask(&self, target: &Target) -> AskFuture<'_> {
        let _ = target;
        Box::pin(async { Answer::Deny })
    }

    /// [`ProxyHook::ask`], also told which front door the connection came through, so a
    /// card can show it. Default: [`ProxyHook::ask`].
    fn ask_via(&self, protocol: Protocol, target: &Target) -> AskFuture<'_> {
        let _ = protocol;
        self.ask(target)
    }
}

/// A hook that records nothing and denies unknown hosts.
#[derive(Debug, Clone, Copy, Default)]
pub struct DenyUnknown;

impl ProxyHook for DenyUnknown {
    fn record(&self, _event: &ProxyEvent) -> Result<(), String> {
        Ok(())
    }
}
