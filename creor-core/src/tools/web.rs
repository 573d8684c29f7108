//! `webfetch` and `websearch`: host-side HTTP. `webfetch` obeys `sandbox.network` (block_all
//! refuses, allow_specific needs the host listed), refuses private and loopback addresses the
//! user did not list, pins the checked address for the connection (no DNS rebinding), re-checks
//! every redirect, and turns HTML into plain text.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::Url;

use super::ToolError;
use crate::config::{NetworkMode, NetworkSettings};
use crate::provider::Cancel;

/// Largest body read, bytes.
pub const MAX_BODY: usize = 5 << 20;
/// Redirects followed.
pub const MAX_REDIRECTS: usize = 5;
const TIMEOUT: Duration = Duration::from_secs(30);

/// Whether `host:port` matches a pattern: `example.com`, `*.example.com` (subdomains only),
/// either with an optional `:port`.
pub fn host_matches(pattern: &str, host: &str, port: u16) -> bool {
    let (pat_host, pat_port) = match pattern.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => {
            (h, p.parse::<u16>().ok())
        }
        _ => (pattern, None),
    };
    if pat_port.is_some_and(|p| p != port) {
        return false;
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let pat = pat_host.trim_end_matches('.').to_ascii_lowercase();
    match pat.strip_prefix("*.") {
        Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
        None => host == pat,
    }
}

/// Checks a URL's host against the network policy.
pub fn check_network(net: &NetworkSettings, url: &Url) -> Result<(), ToolError> {
    let host = url.host_str().unwrap_or("");
    let port = url.port_or_known_default().unwrap_or(0);
    let refuse = |why: String| ToolError::Refused(format!("network policy: {why}"));
    if net.denied_hosts.iter().any(|p| host_matches(p, host, port)) {
        return Err(refuse(format!("{host} is in sandbox.network.deniedHosts")));
    }
    match net.policy {
        NetworkMode::BlockAll => Err(refuse(format!(
            "block_all refuses {host} (sandbox.network.policy)"
        ))),
        NetworkMode::AllowSpecific => {
            if net
                .allowed_hosts
                .iter()
                .any(|p| host_matches(p, host, port))
            {
                Ok(())
            } else {
                Err(refuse(format!(
                    "{host} is not in sandbox.network.allowedHosts (allow_specific)"
                )))
            }
        }
        NetworkMode::AllowAll => Ok(()),
    }
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves the URL's host and picks an address allowed to be dialled: a public one, or any
/// address when the host itself is listed exactly in `allowedHosts`.
async fn pick_addr(net: &NetworkSettings, url: &Url) -> Result<SocketAddr, ToolError> {
    let host = url.host_str().unwrap_or("");
    let port = url.port_or_known_default().unwrap_or(80);
    let listed = net
        .allowed_hosts
        .iter()
        .any(|p| !p.starts_with("*.") && host_matches(p, host, port));
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| ToolError::Network(format!("cannot resolve {host}: {e}")))?
            .collect(),
    };
    let first = addrs
        .first()
        .copied()
        .ok_or_else(|| ToolError::Network(format!("{host} has no address")))?;
    if listed {
        return Ok(first);
    }
    if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
        return Err(ToolError::Refused(format!(
            "network policy: {host} resolves to non-public address {} (list the host in sandbox.network.allowedHosts to allow it)",
            bad.ip()
        )));
    }
    Ok(first)
}

/// Runs `webfetch`.
/// Judges a redirect target as if the model had asked for it (the permission engine's webfetch
/// rules); `Err` carries the reason.
pub type UrlGate<'a> = &'a (dyn Fn(&str) -> Result<(), String> + Send + Sync);

/// Runs `webfetch`. The first URL was already judged; every redirect target is judged by
/// `gate` and the network policy again before it is requested.
pub async fn fetch(
    net: &NetworkSettings,
    url: &str,
    gate: UrlGate<'_>,
    cancel: &Cancel,
) -> Result<String, ToolError> {
    let mut url = Url::parse(url).map_err(|e| ToolError::Network(format!("url: {e}")))?;
    for hop in 0..=MAX_REDIRECTS {
        if hop > 0 {
            gate(url.as_str())
                .map_err(|why| ToolError::Refused(format!("redirect to {url}: {why}")))?;
        }
        check_network(net, &url)?;
        let addr = pick_addr(net, &url).await?;
        let resp = get(&url, Some(addr), cancel).await?;
        if resp.status().is_redirection() {
            let loc = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| ToolError::Network("redirect without Location".into()))?;
            url = url
                .join(loc)
                .map_err(|e| ToolError::Network(format!("redirect target: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(ToolError::Refused(format!(
                    "redirect to non-http URL {url}"
                )));
            }
            continue;
        }
        return body_text(resp, cancel).await;
    }
    Err(ToolError::Network(format!(
        "more than {MAX_REDIRECTS} redirects"
    )))
}

/// Runs `websearch` against the configured endpoint (the query is added as `q=`).
pub async fn search(
    endpoint: Option<&str>,
    query: &str,
    cancel: &Cancel,
) -> Result<String, ToolError> {
    let endpoint = endpoint.ok_or_else(|| {
        ToolError::NotConfigured(
            "websearch: no search endpoint is configured (set CREOR_WEBSEARCH_URL, e.g. a SearxNG \
             https://searx.example/search?format=json); use webfetch on a known URL instead"
                .into(),
        )
    })?;
    let mut url = Url::parse(endpoint)
        .map_err(|e| ToolError::NotConfigured(format!("websearch endpoint {endpoint:?}: {e}")))?;
    url.query_pairs_mut().append_pair("q", query);
    let resp = get(&url, None, cancel).await?;
    if !resp.status().is_success() {
        return Err(ToolError::Network(format!(
            "search endpoint answered HTTP {}",
            resp.status().as_u16()
        )));
    }
    body_text(resp, cancel).await
}

async fn get(
    url: &Url,
    pin: Option<SocketAddr>,
    cancel: &Cancel,
) -> Result<reqwest::Response, ToolError> {
    let mut b = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("creor-webfetch");
    if let (Some(addr), Some(host)) = (pin, url.host_str()) {
        b = b.resolve(host, addr);
    }
    let client = b
        .build()
        .map_err(|e| ToolError::Network(format!("http client: {e}")))?;
    tokio::select! {
        r = client.get(url.clone()).send() => r.map_err(|e| ToolError::Network(format!("{url}: {e}"))),
        () = cancel.cancelled() => Err(ToolError::Cancelled),
    }
}

async fn body_text(mut resp: reqwest::Response, cancel: &Cancel) -> Result<String, ToolError> {
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut body = Vec::new();
    let mut cut = false;
    loop {
        let chunk = tokio::select! {
            c = resp.chunk() => c.map_err(|e| ToolError::Network(e.to_string()))?,
            () = cancel.cancelled() => return Err(ToolError::Cancelled),
        };
        let Some(chunk) = chunk else { break };
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BODY {
            body.truncate(MAX_BODY);
            cut = true;
            break;
        }
    }
    let mut text = if ctype.contains("html") || (ctype.is_empty() && looks_like_html(&body)) {
        html2text::from_read(body.as_slice(), 100)
            .unwrap_or_else(|_| String::from_utf8_lossy(&body).into_owned())
    } else if ctype.starts_with("text/")
        || ctype.contains("json")
        || ctype.contains("xml")
        || ctype.is_empty()
    {
        String::from_utf8_lossy(&body).into_owned()
    } else {
        format!("[{ctype} content, {} bytes, not shown]", body.len())
    };
    if status >= 400 {
        text = format!("HTTP {status}\n{text}");
    }
    if cut {
        text.push_str(&format!("\n[body cut at {MAX_BODY} bytes]"));
    }
    Ok(text)
}

fn looks_like_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    head.contains("<html") || head.contains("<!doctype html")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn host_patterns() {
        assert!(host_matches("docs.rs", "docs.rs", 443));
        assert!(host_matches("docs.rs", "DOCS.RS.", 443));
        assert!(!host_matches("docs.rs", "docs.rs.evil.com", 443));
        assert!(host_matches("*.github.com", "api.github.com", 443));
        assert!(!host_matches("*.github.com", "github.com", 443));
        assert!(host_matches("localhost:8080", "localhost", 8080));
        assert!(!host_matches("localhost:8080", "localhost", 80));
        assert!(!host_matches("localhost:8080", "127.0.0.1", 8080));
    }

    #[test]
    fn network_policy_is_enforced() {
        let url = |u: &str| Url::parse(u).unwrap();
        let mut net = NetworkSettings::default();
        assert!(check_network(&net, &url("https://docs.rs/")).is_err());
        net.policy = NetworkMode::AllowSpecific;
        net.allowed_hosts = vec!["docs.rs".into()];
        assert!(check_network(&net, &url("https://docs.rs/x")).is_ok());
        assert!(check_network(&net, &url("http://docs.rs@evil.com/")).is_err());
        net.policy = NetworkMode::AllowAll;
        net.denied_hosts = vec!["evil.com".into()];
        assert!(check_network(&net, &url("https://evil.com/")).is_err());
    }

    #[test]
    fn private_addresses_are_not_public() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "169.254.169.254",
            "192.168.0.1",
            "::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "100.64.0.1",
        ] {
            assert!(!is_public(a.parse().unwrap()), "{a}");
        }
        assert!(is_public("93.184.216.34".parse().unwrap()));
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_listed() {
        let mut net = NetworkSettings {
            policy: NetworkMode::AllowAll,
            ..Default::default()
        };
        let u = Url::parse("http://127.0.0.1:9/").unwrap();
        let e = pick_addr(&net, &u).await.unwrap_err();
        assert!(e.to_string().contains("non-public"), "{e}");
        net.allowed_hosts = vec!["127.0.0.1:9".into()];
        assert!(pick_addr(&net, &u).await.is_ok());
    }

    #[tokio::test]
    async fn websearch_without_endpoint_says_so() {
        let e = search(None, "x", &Cancel::never()).await.unwrap_err();
        assert!(e.to_string().contains("no search endpoint is configured"));
    }
}
