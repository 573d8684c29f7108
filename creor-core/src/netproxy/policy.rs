//! The allow/deny decision, in two steps: the name (before any DNS lookup), then each address
//! the name resolved to. Pure: the proxy does the lookup and the dialing.

use std::net::{IpAddr, SocketAddr};

use super::addr::{classify, SpecialKind};
use super::error::{PatternError, ProxyError};
use super::pattern::{Host, HostPattern, Target};

/// `allowedHosts` and `deniedHosts`, parsed.
#[derive(Debug, Clone, Default)]
pub struct HostPolicy {
    allowed: Vec<HostPattern>,
    denied: Vec<HostPattern>,
    /// Grants made at run time; they pass the name check only, so a click on a card can
    /// never open a loopback, private or metadata address.
    session: Vec<HostPattern>,
}

/// The verdict on a target's name (or IP literal), before resolving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameVerdict {
    /// Listed in `allowedHosts` by this entry.
    Allowed(String),
    /// Listed in `deniedHosts` by this entry (denied beats allowed).
    Denied(String),
    /// In neither list: refused unless someone (a permission card) allows it.
    Unlisted,
}

/// Why a resolved address was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrRefusal {
    /// `deniedHosts` lists this address.
    Denied(String),
    /// The address is loopback/private/metadata/... and not itself listed.
    Special(SpecialKind),
}

impl HostPolicy {
    /// Parses both lists; the first bad entry is an error naming its list.
    pub fn new(allowed: &[String], denied: &[String]) -> Result<HostPolicy, ProxyError> {
        let parse = |list: &'static str, v: &[String]| {
            v.iter()
                .map(|s| HostPattern::parse(s))
                .collect::<Result<Vec<_>, PatternError>>()
                .map_err(|source| ProxyError::Pattern { list, source })
        };
        Ok(HostPolicy {
            allowed: parse("allowedHosts", allowed)?,
            denied: parse("deniedHosts", denied)?,
            session: Vec::new(),
        })
    }

    /// Adds an entry at run time (a permission card's "allow for this session"). It allows
    /// the name; it does not make a special address listed.
    pub fn allow(&mut self, pattern: HostPattern) {
        self.session.push(pattern);
    }

    /// Judges the target as the client named it. Denied entries win over allowed ones.
    pub fn check_name(&self, target: &Target) -> NameVerdict {
        if let Some(d) = self.denied.iter().find(|p| p.matches(target)) {
            return NameVerdict::Denied(d.source().to_string());
        }
        match self
            .allowed
            .iter()
            .chain(&self.session)
            .find(|p| p.matches(target))
        {
            Some(a) => NameVerdict::Allowed(a.source().to_string()),
            None => NameVerdict::Unlisted,
        }
    }

    /// Judges one resolved address of an already allowed target. An address listed in
    /// `deniedHosts` is refused; a special address passes only when `allowedHosts` lists that
    /// address (with or without the port) — never because its name was listed, and never
    /// through a session grant.
    pub fn check_addr(&self, addr: SocketAddr) -> Result<(), AddrRefusal> {
        let ip: IpAddr = addr.ip().to_canonical();
        let as_target = Target {
            host: Host::Ip(ip),
            port: addr.port(),
        };
        if let Some(d) = self.denied.iter().find(|p| p.matches(&as_target)) {
            return Err(AddrRefusal::Denied(d.source().to_string()));
        }
        match classify(ip) {
            None => Ok(()),
            Some(_) if self.allowed.iter().any(|p| p.matches(&as_target)) => Ok(()),
            Some(kind) => Err(AddrRefusal::Special(kind)),
        }
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
