//! The SOCKS5 front door (RFC 1928 `CONNECT`, RFC 1929 username/password): `socks5h://`
//! clients send the name and the proxy resolves it, so names are judged before DNS.

use std::net::{Ipv4Addr, Ipv6Addr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::dial::{self, ClientStream, Refusal};
use super::hook::{Protocol, ProxyEvent, Verdict};
use super::pattern::{Host, Target};
use super::server::Shared;

/// The first byte of every SOCKS5 greeting.
pub const VERSION: u8 = 5;

/// Reply: connection not allowed by ruleset.
pub const NOT_ALLOWED: u8 = 2;

/// A reader over bytes already buffered, then the socket.
struct Input {
    buf: Vec<u8>,
    pos: usize,
}

impl Input {
    async fn take<S: ClientStream>(&mut self, s: &mut S, n: usize) -> std::io::Result<Vec<u8>> {
        while self.buf.len() - self.pos < n {
            if s.read_buf(&mut self.buf).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(out)
    }

    async fn byte<S: ClientStream>(&mut self, s: &mut S) -> std::io::Result<u8> {
        Ok(self.take(s, 1).await?[0])
    }
}

fn reply(code: u8) -> [u8; 10] {
    [VERSION, code, 0, 1, 0, 0, 0, 0, 0, 0]
}

/// Serves one SOCKS5 connection; `buf` holds what was read so far.
pub async fn serve<S: ClientStream>(
    mut s: S,
    buf: Vec<u8>,
    shared: &Shared,
) -> std::io::Result<()> {
    let mut input = Input { buf, pos: 0 };
    let _version = input.byte(&mut s).await?;
    let n = usize::from(input.byte(&mut s).await?);
    let methods = input.take(&mut s, n).await?;
    if !methods.contains(&2) {
        // Only username/password: the token is the password.
        return s.write_all(&[VERSION, 0xff]).await;
    }
    s.write_all(&[VERSION, 2]).await?;
    let _sub = input.byte(&mut s).await?;
    let ulen = usize::from(input.byte(&mut s).await?);
    let user = input.take(&mut s, ulen).await?;
    let plen = usize::from(input.byte(&mut s).await?);
    let pass = input.take(&mut s, plen).await?;
    let authed = shared.credentials_ok(&user, &pass);
    s.write_all(&[1, if authed { 0 } else { 1 }]).await?;
    let head = input.take(&mut s, 4).await?;
    let host = match head[3] {
        1 => {
            let a = input.take(&mut s, 4).await?;
            Host::Ip(Ipv4Addr::new(a[0], a[1], a[2], a[3]).into())
        }
        4 => {
            let a = input.take(&mut s, 16).await?;
            let mut o = [0u8; 16];
            o.copy_from_slice(&a);
            Host::Ip(Ipv6Addr::from(o).to_canonical())
        }
        3 => {
            let n = usize::from(input.byte(&mut s).await?);
            let name = input.take(&mut s, n).await?;
            match std::str::from_utf8(&name)
                .ok()
                .and_then(|n| Host::parse(n).ok())
            {
                Some(h) => h,
                None => return s.write_all(&reply(4)).await,
            }
        }
        _ => return s.write_all(&reply(8)).await,
    };
    let p = input.take(&mut s, 2).await?;
    let target = Target {
        host,
        port: u16::from_be_bytes([p[0], p[1]]),
    };
    if !authed {
        shared
            .record_refusal(ProxyEvent {
                protocol: Protocol::Socks5,
                target: target.to_string(),
                verdict: Verdict::Deny,
                reason: "missing or wrong proxy credentials".into(),
                addr: None,
            })
            .await;
        return Ok(());
    }
    if head[1] != 1 {
        // Only CONNECT; BIND and UDP ASSOCIATE are refused.
        return s.write_all(&reply(7)).await;
    }
    let mut upstream = match dial::open(shared, Protocol::Socks5, &target).await {
        Ok((u, _)) => u,
        Err(Refusal { socks, .. }) => return s.write_all(&reply(socks)).await,
    };
    s.write_all(&reply(0)).await?;
    upstream.write_all(&input.buf[input.pos..]).await?;
    dial::tunnel(s, upstream).await
}
