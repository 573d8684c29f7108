//! The HTTP front door: `CONNECT host:port` tunnels and plain-HTTP absolute-form requests.
//! The head is parsed and judged here ([`plan`], pure); the bytes are moved by [`serve`].

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::dial::{self, ClientStream, Refusal};
use super::hook::{Protocol, ProxyEvent, Verdict};
use super::pattern::{Host, Target};
use super::server::Shared;

/// Largest request head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Relay buffer size per direction.
pub const RELAY_BUF: usize = 256 * 1024;

/// What a request head asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Tunnel to the target.
    Connect(Target),
    /// Send `head` (rewritten to origin-form, `Host` set to the target) to the target.
    Forward {
        /// Where to connect.
        target: Target,
        /// The rewritten request head, ending in a blank line.
        head: Vec<u8>,
    },
}

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The action.
    pub plan: Plan,
    /// `Proxy-Authorization: Basic` user and password, if sent.
    pub credentials: Option<(Vec<u8>, Vec<u8>)>,
    /// Length of the head in the input (body bytes follow).
    pub head_len: usize,
}

/// Headers never passed upstream: proxy credentials, hop-by-hop connection control, and
/// `Host` (replaced by the checked target).
const DROPPED: &[&str] = &[
    "proxy-authorization",
    "proxy-connection",
    "connection",
    "keep-alive",
    "host",
];

/// Parses a complete head. `Ok(None)`: incomplete. `Err`: a one-line reason for a 400.
pub fn plan(buf: &[u8]) -> Result<Option<Parsed>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 96];
    let mut req = httparse::Request::new(&mut headers);
    let head_len = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(format!("malformed request: {e}")),
    };
    let method = req.method.unwrap_or_default();
    let uri = req.path.unwrap_or_default();
    let credentials = req
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("proxy-authorization"))
        .and_then(|h| basic_credentials(h.value));
    let plan = if method.eq_ignore_ascii_case("CONNECT") {
        Plan::Connect(Target::parse_authority(uri).map_err(|e| e.to_string())?)
    } else {
        let url = url::Url::parse(uri).map_err(|_| {
            format!("not a proxy request (expected an absolute http:// URL, got {uri:?})")
        })?;
        if url.scheme() != "http" {
            return Err(format!(
                "scheme {:?} is not forwarded; use CONNECT for TLS",
                url.scheme()
            ));
        }
        let host_str = url.host_str().ok_or("URL without a host")?;
        let port = url.port_or_known_default().ok_or("URL without a port")?;
        let target = Target {
            host: Host::parse(host_str).map_err(|e| e.to_string())?,
            port,
        };
        let mut origin = url.path().to_string();
        if let Some(q) = url.query() {
            origin.push('?');
            origin.push_str(q);
        }
        let host_header = match url.port() {
            Some(p) => format!("{host_str}:{p}"),
            None => host_str.to_string(),
        };
        let mut head = format!(
            "{method} {origin} HTTP/1.{}\r\nHost: {host_header}\r\n",
            req.version.unwrap_or(1)
        )
        .into_bytes();
        for h in req.headers.iter() {
            if DROPPED.iter().any(|d| h.name.eq_ignore_ascii_case(d)) {
                continue;
            }
            head.extend_from_slice(h.name.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(h.value);
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"Connection: close\r\n\r\n");
        Plan::Forward { target, head }
    };
    Ok(Some(Parsed {
        plan,
        credentials,
        head_len,
    }))
}

fn basic_credentials(value: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let (scheme, b64) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let colon = raw.iter().position(|&b| b == b':')?;
    Some((raw[..colon].to_vec(), raw[colon + 1..].to_vec()))
}

/// A complete refusal response: status line, `X-Creor-Refused`, a text body, `close`.
pub fn refusal_response(status: u16, target: &str, reason: &str, extra: &str) -> Vec<u8> {
    let phrase = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        407 => "Proxy Authentication Required",
        _ => "Bad Gateway",
    };
    let clean = |s: &str| s.replace(|c: char| c.is_control(), " ");
    let (target, reason) = (clean(target), clean(reason));
    let body = format!("creor: refused {target}: {reason}\n");
    format!(
        "HTTP/1.1 {status} {phrase}\r\nX-Creor-Refused: {target}; {reason}\r\n{extra}\
         Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves one HTTP proxy connection; `buf` holds what was read so far.
pub async fn serve<S: ClientStream>(
    mut client: S,
    mut buf: Vec<u8>,
    shared: &Shared,
) -> std::io::Result<()> {
    let parsed = loop {
        match plan(&buf) {
            Ok(Some(p)) => break p,
            Ok(None) if buf.len() < MAX_HEAD => {
                if client.read_buf(&mut buf).await? == 0 {
                    return Ok(());
                }
            }
            Ok(None) => {
                let r = refusal_response(400, "-", "request head too large", "");
                return client.write_all(&r).await;
            }
            Err(reason) => {
                let r = refusal_response(400, "-", &reason, "");
                return client.write_all(&r).await;
            }
        }
    };
    let (protocol, target) = match &parsed.plan {
        Plan::Connect(t) => (Protocol::HttpConnect, t.clone()),
        Plan::Forward { target, .. } => (Protocol::HttpForward, target.clone()),
    };
    let authed = parsed
        .credentials
        .as_ref()
        .is_some_and(|(u, p)| shared.credentials_ok(u, p));
    if !authed {
        let reason = "missing or wrong proxy credentials (the sandbox's proxy URL carries them)";
        shared
            .record_refusal(ProxyEvent {
                protocol,
                target: target.to_string(),
                verdict: Verdict::Deny,
                reason: reason.to_string(),
                addr: None,
            })
            .await;
        let r = refusal_response(
            407,
            &target.to_string(),
            reason,
            "Proxy-Authenticate: Basic realm=\"creor\"\r\n",
        );
        return client.write_all(&r).await;
    }
    let mut upstream = match dial::open(shared, protocol, &target).await {
        Ok((s, _)) => s,
        Err(Refusal { status, reason, .. }) => {
            let r = refusal_response(status, &target.to_string(), &reason, "");
            return client.write_all(&r).await;
        }
    };
    let rest = &buf[parsed.head_len..];
    match &parsed.plan {
        Plan::Connect(_) => {
            client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await?;
        }
        Plan::Forward { head, .. } => upstream.write_all(head).await?,
    }
    upstream.write_all(rest).await?;
    drop(buf);
    dial::tunnel(client, upstream).await
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
