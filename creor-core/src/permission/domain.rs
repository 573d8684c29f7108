//! Hosts for `webfetch`: `domain:` patterns and the `sandbox.network` binding. Hosts are
//! compared after the URL parser strips userinfo and port, lower-cases and IDNA-normalises
//! them; a trailing dot is dropped so `docs.rs.` is `docs.rs`.

use super::narrowness::Tok;

/// A `domain:` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainPattern {
    /// `domain:x.com`: exactly that host.
    Exact(String),
    /// `domain:*.x.com`: any subdomain of `x.com`, never `x.com` itself.
    Subdomains(String),
}

impl DomainPattern {
    /// Parses the text after `domain:`; `None` when the host is not a valid DNS name.
    pub fn parse(text: &str) -> Option<DomainPattern> {
        match text.strip_prefix("*.") {
            Some(rest) => normalise_host(rest).map(DomainPattern::Subdomains),
            None => normalise_host(text).map(DomainPattern::Exact),
        }
    }

    /// Whether the (normalised) host matches.
    pub fn matches(&self, host: &str) -> bool {
        match self {
            DomainPattern::Exact(h) => host == h,
            DomainPattern::Subdomains(s) => is_strict_subdomain(host, s),
        }
    }

    /// Tokens for the narrowness test, prefixed so they never mix with URL globs.
    pub fn tokens(&self) -> Vec<Tok> {
        let mut t: Vec<Tok> = "domain:".chars().map(Tok::Lit).collect();
        match self {
            DomainPattern::Exact(h) => t.extend(h.chars().map(Tok::Lit)),
            DomainPattern::Subdomains(s) => {
                t.push(Tok::Any);
                t.push(Tok::Lit('.'));
                t.extend(s.chars().map(Tok::Lit));
            }
        }
        t
    }
}

fn is_strict_subdomain(host: &str, parent: &str) -> bool {
    host.len() > parent.len() + 1
        && host.ends_with(parent)
        && host.as_bytes()[host.len() - parent.len() - 1] == b'.'
}

/// Lower-cases and IDNA-normalises a bare host name, dropping a trailing dot.
pub fn normalise_host(host: &str) -> Option<String> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    match url::Host::parse(host).ok()? {
        url::Host::Domain(d) => Some(d.trim_end_matches('.').to_string()),
        url::Host::Ipv4(a) => Some(a.to_string()),
        url::Host::Ipv6(a) => Some(format!("[{a}]")),
    }
}

/// A URL as the engine judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The serialised URL (used by non-`domain:` patterns).
    pub text: String,
    /// The scheme, lower case.
    pub scheme: String,
    /// The normalised host.
    pub host: String,
    /// The port, explicit or the scheme's default.
    pub port: Option<u16>,
}

/// Why a URL cannot be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not a URL at all.
    #[error("invalid url: {0}")]
    Invalid(String),
    /// No host to judge (`data:`, `file:///x`).
    #[error("url has no host")]
    NoHost,
}

/// Parses a URL for webfetch.
pub fn parse_url(text: &str) -> Result<ParsedUrl, UrlError> {
    let url = url::Url::parse(text.trim()).map_err(|e| UrlError::Invalid(e.to_string()))?;
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => format!("[{a}]"),
        None => return Err(UrlError::NoHost),
    };
    if host.is_empty() {
        return Err(UrlError::NoHost);
    }
    Ok(ParsedUrl {
        text: url.to_string(),
        scheme: url.scheme().to_string(),
        host,
        port: url.port_or_known_default(),
    })
}

/// Whether `host:port` is listed by one of `sandbox.network` host patterns (`x.com`,
/// `*.x.com`, either with an optional `:port`).
pub fn host_listed(patterns: &[String], host: &str, port: Option<u16>) -> bool {
    patterns.iter().any(|p| {
        let (name, want_port) = split_port(p);
        if let Some(want) = want_port {
            if Some(want) != port {
                return false;
            }
        }
        DomainPattern::parse(name).is_some_and(|d| d.matches(host))
    })
}

fn split_port(p: &str) -> (&str, Option<u16>) {
    if p.starts_with('[') {
        return (p, None);
    }
    match p.rsplit_once(':') {
        Some((name, port)) => match port.parse::<u16>() {
            Ok(n) => (name, Some(n)),
            Err(_) => (p, None),
        },
        None => (p, None),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn userinfo_port_and_trailing_dot_are_stripped() {
        assert_eq!(
            parse_url("http://docs.rs@evil.com/").unwrap().host,
            "evil.com"
        );
        assert_eq!(
            parse_url("https://docs.rs.:8443/x").unwrap().host,
            "docs.rs"
        );
        assert_eq!(parse_url("https://DOCS.rs/").unwrap().host, "docs.rs");
    }

    #[test]
    fn idna_hosts_are_normalised() {
        let u = parse_url("https://bücher.example/").unwrap();
        assert_eq!(u.host, "xn--bcher-kva.example");
        let p = DomainPattern::parse("BÜCHER.example").unwrap();
        assert!(p.matches(&u.host));
    }

    #[test]
    fn subdomain_pattern_excludes_apex() {
        let p = DomainPattern::parse("*.github.com").unwrap();
        assert!(p.matches("api.github.com"));
        assert!(!p.matches("github.com"));
        assert!(!p.matches("evilgithub.com"));
    }

    #[test]
    fn allowed_hosts_with_ports() {
        let hosts = vec!["pkg.example.com".to_string(), "*.corp.net:8443".into()];
        assert!(host_listed(&hosts, "pkg.example.com", Some(443)));
        assert!(host_listed(&hosts, "a.corp.net", Some(8443)));
        assert!(!host_listed(&hosts, "a.corp.net", Some(443)));
        assert!(!host_listed(&hosts, "corp.net", Some(8443)));
    }
}
