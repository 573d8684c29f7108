#![allow(clippy::unwrap_used)]

use std::sync::Mutex;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UnixStream};

use super::*;
use crate::netproxy::hook::{Answer, AskFuture, ProxyEvent, Verdict};
use crate::netproxy::pattern::Target;

/// Records events and questions; answers every question with `answer`. With `broken` set,
/// recording fails (an audit log that cannot be written).
struct Recorder {
    answer: Answer,
    asked: Mutex<Vec<String>>,
    events: Mutex<Vec<ProxyEvent>>,
    broken: bool,
}

impl ProxyHook for Recorder {
    fn record(&self, event: &ProxyEvent) -> Result<(), String> {
        self.events.lock().unwrap().push(event.clone());
        if self.broken {
            return Err("disk full".into());
        }
        Ok(())
    }
    fn ask(&self, target: &Target) -> AskFuture<'_> {
        self.asked.lock().unwrap().push(target.to_string());
        let a = self.answer;
        Box::pin(async move { a })
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    socket: std::path::PathBuf,
    hook: Arc<Recorder>,
    upstream: u16,
}

async fn fixture(allowed: &[&str], answer: Answer) -> Fixture {
    fixture_with(allowed, answer, false).await
}

async fn fixture_with(allowed: &[&str], answer: Answer, broken: bool) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("p.sock");
    let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = upstream.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = upstream.accept().await {
            tokio::spawn(async move {
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
                    .await;
            });
        }
    });
    let hook = Arc::new(Recorder {
        answer,
        asked: Mutex::new(Vec::new()),
        events: Mutex::new(Vec::new()),
        broken,
    });
    let allowed: Vec<String> = allowed
        .iter()
        .map(|a| a.replace("UP", &port.to_string()))
        .collect();
    let policy = HostPolicy::new(&allowed, &[]).unwrap();
    let proxy = Proxy::bind(&socket, policy, "tok".into(), hook.clone()).unwrap();
    tokio::spawn(proxy.serve());
    Fixture {
        _dir: dir,
        socket,
        hook,
        upstream: port,
    }
}

/// Sends a CONNECT with the right credentials; returns the status line.
async fn connect(f: &Fixture, authority: &str) -> String {
    let mut s = UnixStream::connect(&f.socket).await.unwrap();
    let req =
        format!("CONNECT {authority} HTTP/1.1\r\nProxy-Authorization: Basic Y3Jlb3I6dG9r\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 512];
    while !out.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&out)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn unknown_hosts_are_denied_by_default_and_recorded() {
    let f = fixture(&[], Answer::Deny).await;
    let line = connect(&f, &format!("127.0.0.1:{}", f.upstream)).await;
    assert_eq!(line, "HTTP/1.1 403 Forbidden");
    assert_eq!(f.hook.asked.lock().unwrap().len(), 1);
    let events = f.hook.events.lock().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].verdict, Verdict::Deny);
    assert!(events[0].reason.contains("not in allowedHosts"));
}

// The upstream is on loopback, which only an IP entry opens: `127.0.0.1` (any port) is
// listed, and the card is asked about the port-specific name check in front of it.
#[tokio::test]
async fn allow_for_session_is_asked_once() {
    let f = fixture(&["127.0.0.1:1"], Answer::AllowSession).await;
    let target = format!("127.0.0.1:{}", f.upstream);
    // Name allowed by the card, address refused: loopback needs its own entry.
    assert_eq!(connect(&f, &target).await, "HTTP/1.1 403 Forbidden");
    assert_eq!(connect(&f, &target).await, "HTTP/1.1 403 Forbidden");
    assert_eq!(f.hook.asked.lock().unwrap().len(), 1);
    let events = f.hook.events.lock().unwrap();
    assert!(events[1].reason.contains("loopback"), "{events:?}");
}

/// An allow that cannot be recorded does not take effect: the same target goes through
/// while the log works and is refused, naming the reason, once it does not.
#[tokio::test]
async fn an_unrecorded_allow_is_refused() {
    for (broken, expected) in [
        (false, "HTTP/1.1 200 Connection established"),
        (true, "HTTP/1.1 403 Forbidden"),
    ] {
        let f = fixture_with(&["127.0.0.1"], Answer::Deny, broken).await;
        let line = connect(&f, &format!("127.0.0.1:{}", f.upstream)).await;
        assert_eq!(line, expected, "broken log: {broken}");
        assert_eq!(f.hook.events.lock().unwrap()[0].verdict, Verdict::Allow);
    }
}

#[tokio::test]
async fn allow_once_asks_every_time() {
    let f = fixture(&[], Answer::AllowOnce).await;
    connect(&f, "example.invalid:443").await;
    connect(&f, "example.invalid:443").await;
    assert_eq!(f.hook.asked.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_card_cannot_open_the_metadata_service_or_loopback() {
    for answer in [Answer::AllowOnce, Answer::AllowSession] {
        let f = fixture(&[], answer).await;
        let line = connect(&f, "169.254.169.254:80").await;
        assert_eq!(line, "HTTP/1.1 403 Forbidden");
        let line = connect(&f, &format!("127.0.0.1:{}", f.upstream)).await;
        assert_eq!(line, "HTTP/1.1 403 Forbidden");
        let events = f.hook.events.lock().unwrap();
        assert!(events[0].reason.contains("cloud metadata"), "{events:?}");
        assert!(events[1].reason.contains("loopback"), "{events:?}");
    }
}

#[tokio::test]
async fn listed_hosts_are_not_asked() {
    let f = fixture(&["127.0.0.1:UP"], Answer::Deny).await;
    let target = format!("127.0.0.1:{}", f.upstream);
    assert_eq!(
        connect(&f, &target).await,
        "HTTP/1.1 200 Connection established"
    );
    assert!(f.hook.asked.lock().unwrap().is_empty());
}

#[tokio::test]
async fn socks_without_password_auth_is_refused() {
    let f = fixture(&["127.0.0.1:UP"], Answer::Deny).await;
    let mut s = UnixStream::connect(&f.socket).await.unwrap();
    s.write_all(&[5, 1, 0]).await.unwrap();
    let mut reply = [0u8; 2];
    s.read_exact(&mut reply).await.unwrap();
    assert_eq!(reply, [5, 0xff]);
}

#[tokio::test]
async fn socks_refusal_is_not_allowed_by_ruleset() {
    let f = fixture(&[], Answer::Deny).await;
    let mut s = UnixStream::connect(&f.socket).await.unwrap();
    s.write_all(&[5, 1, 2]).await.unwrap();
    let mut r = [0u8; 2];
    s.read_exact(&mut r).await.unwrap();
    assert_eq!(r, [5, 2]);
    s.write_all(&[1, 5, b'c', b'r', b'e', b'o', b'r', 3, b't', b'o', b'k'])
        .await
        .unwrap();
    s.read_exact(&mut r).await.unwrap();
    assert_eq!(r, [1, 0]);
    let mut req = vec![5, 1, 0, 3, 11];
    req.extend_from_slice(b"example.com");
    req.extend_from_slice(&443u16.to_be_bytes());
    s.write_all(&req).await.unwrap();
    let mut reply = [0u8; 10];
    s.read_exact(&mut reply).await.unwrap();
    assert_eq!(reply[1], socks::NOT_ALLOWED);
    // Judged by name, before any DNS lookup.
    assert_eq!(f.hook.asked.lock().unwrap().as_slice(), ["example.com:443"]);
}
