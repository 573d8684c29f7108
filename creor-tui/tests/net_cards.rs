//! The whole path of a network card with the real proxy: a client's `CONNECT` to a host in
//! neither list → [`NetBridge`] → `Msg::NetAsk` → the app's card → a key → `Effect::NetAnswer`
//! → the bridge → the waiting connection goes on or gets its 403.
#![allow(clippy::unwrap_used)]

use std::sync::{mpsc, Arc};
use std::time::Duration;

use creor_core::netproxy::{HostPolicy, Proxy};
use creor_tui::{App, Effect, Msg, NetBridge, Status};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UnixStream};

/// `CONNECT authority` with the session's credentials (`creor:tok`); the status line.
async fn connect(socket: std::path::PathBuf, authority: String) -> String {
    let mut s = UnixStream::connect(&socket).await.unwrap();
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
        .to_owned()
}

/// Waits for the next message to the UI (the guard only stops a hung test).
fn next_msg(rx: &mpsc::Receiver<Msg>) -> Msg {
    tokio::task::block_in_place(|| rx.recv_timeout(Duration::from_secs(60)))
        .expect("the proxy never asked the UI")
}

/// Hands the proxy's question to the app, presses `key`, and returns what the app answered
/// (delivered to the bridge like the binary's driver does).
fn answer_with(app: &mut App, bridge: &NetBridge, rx: &mpsc::Receiver<Msg>, key: char) -> Effect {
    let msg = next_msg(rx);
    assert!(
        matches!(&msg, Msg::NetAsk(a) if a.host == "localhost"),
        "{msg:?}"
    );
    app.update(msg);
    assert_eq!(app.open_card().unwrap().tool, "network");
    let fx = app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(key),
        KeyModifiers::NONE,
    )));
    assert_eq!(fx.len(), 1, "{fx:?}");
    if let Effect::NetAnswer { id, answer } = &fx[0] {
        bridge.answer(*id, *answer);
    }
    fx[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_answers_the_waiting_connection() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("p.sock");
    let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = upstream.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((s, _)) = upstream.accept().await {
            drop(s);
        }
    });
    // The address is listed (loopback is only ever opened by its own entry); the name
    // `localhost` is not, so the proxy asks about it before any DNS lookup.
    let policy = HostPolicy::new(&[format!("127.0.0.1:{port}")], &[]).unwrap();
    let (tx, rx) = mpsc::channel();
    let bridge = Arc::new(NetBridge::new(tx));
    let proxy = Proxy::bind(&socket, policy, "tok".into(), bridge.clone()).unwrap();
    tokio::spawn(proxy.serve());
    let mut app = App::new(Status::default());
    let target = format!("localhost:{port}");

    // n: the client gets its 403.
    let conn = tokio::spawn(connect(socket.clone(), target.clone()));
    let fx = answer_with(&mut app, &bridge, &rx, 'n');
    assert!(matches!(fx, Effect::NetAnswer { .. }), "{fx:?}");
    assert_eq!(conn.await.unwrap(), "HTTP/1.1 403 Forbidden");

    // y: this connection only; the next one asks again.
    let conn = tokio::spawn(connect(socket.clone(), target.clone()));
    answer_with(&mut app, &bridge, &rx, 'y');
    assert_eq!(conn.await.unwrap(), "HTTP/1.1 200 Connection established");

    // s: host:port for the session; later connections are not asked.
    let conn = tokio::spawn(connect(socket.clone(), target.clone()));
    answer_with(&mut app, &bridge, &rx, 's');
    assert_eq!(conn.await.unwrap(), "HTTP/1.1 200 Connection established");
    let line = connect(socket.clone(), target.clone()).await;
    assert_eq!(line, "HTTP/1.1 200 Connection established");
    assert!(rx.try_recv().is_err(), "a session grant was asked again");
    assert_eq!(bridge.waiting(), 0);
}

/// Without anyone to ask (the UI is gone), an unlisted host is refused, not left hanging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_ui_means_deny() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("p.sock");
    let policy = HostPolicy::new(&[], &[]).unwrap();
    let (tx, rx) = mpsc::channel();
    drop(rx);
    let bridge = Arc::new(NetBridge::new(tx));
    let proxy = Proxy::bind(&socket, policy, "tok".into(), bridge.clone()).unwrap();
    tokio::spawn(proxy.serve());
    let line = connect(socket, "example.invalid:443".into()).await;
    assert_eq!(line, "HTTP/1.1 403 Forbidden");
    assert_eq!(bridge.waiting(), 0);
}
