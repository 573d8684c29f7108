//! Host patterns from `allowedHosts` / `deniedHosts` and the targets they are matched against.
//!
//! A name pattern only ever matches a name and an IP pattern only an IP: listing `localhost`
//! does not list `127.0.0.1`, so a name that resolves somewhere private never borrows a grant
//! meant for the name.

use std::fmt;
use std::net::IpAddr;

use super::error::PatternError;

/// The host part of a connection target, normalised for matching.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A DNS name: lower case, no trailing dot.
    Name(String),
    /// An IP literal (IPv4-mapped IPv6 folded to IPv4).
    Ip(IpAddr),
}

impl Host {
    /// Normalises a host as a client wrote it (a name, an IPv4 literal, an IPv6 literal with
    /// or without brackets). Refuses empty names and characters no DNS name has, so a
    /// refusal message can quote the host safely.
    pub fn parse(raw: &str) -> Result<Host, PatternError> {
        let bare = raw
            .strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .unwrap_or(raw);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(Host::Ip(ip.to_canonical()));
        }
        let name = raw.strip_suffix('.').unwrap_or(raw).to_ascii_lowercase();
        let valid = !name.is_empty()
            && name.len() <= 253
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if !valid {
            return Err(PatternError::BadHost(raw.to_string()));
        }
        Ok(Host::Name(name))
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(n) => f.write_str(n),
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// Where a client asked to connect: a host and a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The host, normalised.
    pub host: Host,
    /// The TCP port.
    pub port: u16,
}

impl Target {
    /// Parses an authority `host:port` (`[v6]:port` for IPv6), as in a `CONNECT` line.
    pub fn parse_authority(raw: &str) -> Result<Target, PatternError> {
        let (host, port) = split_port(raw).map_err(|_| PatternError::BadHost(raw.to_string()))?;
        let port = port.ok_or_else(|| PatternError::BadHost(raw.to_string()))?;
        Ok(Target {
            host: Host::parse(host)?,
            port,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// The host part of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PatternHost {
    /// Exactly this name.
    Exact(String),
    /// Any name strictly below this suffix (`*.example.com` -> `example.com`).
    Subdomains(String),
    /// Exactly this address.
    Ip(IpAddr),
}

/// One `allowedHosts` / `deniedHosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern {
    host: PatternHost,
    port: Option<u16>,
    source: String,
}

impl HostPattern {
    /// Parses an entry: `example.com`, `*.example.com`, `1.2.3.4`, `[::1]`, each with an
    /// optional `:port`. A bare IPv6 literal (`::1`) is accepted without a port.
    pub fn parse(raw: &str) -> Result<HostPattern, PatternError> {
        let bad = || PatternError::BadPattern(raw.to_string());
        let trimmed = raw.trim();
        if let Ok(ip) = trimmed.parse::<IpAddr>() {
            return Ok(HostPattern {
                host: PatternHost::Ip(ip.to_canonical()),
                port: None,
                source: raw.to_string(),
            });
        }
        let (host, port) = split_port(trimmed).map_err(|_| bad())?;
        let host = match host.strip_prefix("*.") {
            Some(suffix) => match Host::parse(suffix).map_err(|_| bad())? {
                Host::Name(n) => PatternHost::Subdomains(n),
                Host::Ip(_) => return Err(bad()),
            },
            None => match Host::parse(host).map_err(|_| bad())? {
                Host::Name(n) => PatternHost::Exact(n),
                Host::Ip(ip) => PatternHost::Ip(ip),
            },
        };
        Ok(HostPattern {
            host,
            port,
            source: raw.to_string(),
        })
    }

    /// The entry as the user wrote it (for refusal reasons and the audit log).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether this pattern lists `target` (host and, when the pattern names one, port).
    pub fn matches(&self, target: &Target) -> bool {
        if self.port.is_some_and(|p| p != target.port) {
            return false;
        }
        match (&self.host, &target.host) {
            (PatternHost::Exact(p), Host::Name(n)) => p == n,
            (PatternHost::Subdomains(s), Host::Name(n)) => n
                .strip_suffix(s.as_str())
                .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
            (PatternHost::Ip(p), Host::Ip(ip)) => p == ip,
            _ => false,
        }
    }
}

/// Splits `host[:port]`, honouring `[v6]` brackets. Errors on a bad port or stray brackets.
fn split_port(raw: &str) -> Result<(&str, Option<u16>), ()> {
    if let Some(rest) = raw.strip_prefix('[') {
        let end = rest.find(']').ok_or(())?;
        let host = &raw[..end + 2];
        return match &rest[end + 1..] {
            "" => Ok((host, None)),
            p => Ok((host, Some(parse_port(p.strip_prefix(':').ok_or(())?)?))),
        };
    }
    match raw.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Ok((h, Some(parse_port(p)?))),
        Some(_) => Err(()),
        None => Ok((raw, None)),
    }
}

fn parse_port(p: &str) -> Result<u16, ()> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(()),
        Ok(n) => Ok(n),
    }
}

#[cfg(test)]
#[path = "pattern_tests.rs"]
mod tests;
