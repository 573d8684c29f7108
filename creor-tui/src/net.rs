//! Network permission cards: the proxy's question about a host in neither `allowedHosts`
//! nor `deniedHosts` becomes a [`Msg::NetAsk`] for the app, and the card's answer comes back
//! through [`NetBridge::answer`]. The connection waits meanwhile; anything that goes wrong
//! (the UI is gone, the answer is lost) is a denial.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex};

use creor_core::netproxy::hook::AskFuture;
use creor_core::netproxy::{Answer, Protocol, ProxyEvent, ProxyHook, Target};
use tokio::sync::oneshot;

use crate::event::Msg;

/// One question from the proxy, as a card shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetAsk {
    /// Matches the answer to the waiting connection.
    pub id: u64,
    /// The host as the client named it (normalised; a name, or an IP literal with IPv6 in
    /// brackets).
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// The front door it came through, when the proxy says.
    pub protocol: Option<Protocol>,
}

impl NetAsk {
    /// `host:port`, as the proxy and the audit log write it.
    pub fn target(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// A [`ProxyHook`] that asks the TUI. It only answers questions: auditing is the
/// [`AuditHook`](creor_core::netproxy::AuditHook) it is wrapped in.
pub struct NetBridge {
    ui: Mutex<mpsc::Sender<Msg>>,
    waiting: Mutex<HashMap<u64, oneshot::Sender<Answer>>>,
    next: AtomicU64,
}

impl NetBridge {
    /// Questions go to the app's message channel.
    pub fn new(ui: mpsc::Sender<Msg>) -> NetBridge {
        NetBridge {
            ui: Mutex::new(ui),
            waiting: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
        }
    }

    /// Delivers a card's answer to the connection waiting on question `id`. An unknown id
    /// (already answered, or the connection gave up) is ignored.
    pub fn answer(&self, id: u64, answer: Answer) {
        let waiter = match self.waiting.lock() {
            Ok(mut w) => w.remove(&id),
            Err(_) => None,
        };
        if let Some(w) = waiter {
            let _ = w.send(answer);
        }
    }

    /// How many connections are waiting for an answer.
    pub fn waiting(&self) -> usize {
        self.waiting.lock().map_or(0, |w| w.len())
    }

    fn question(&self, protocol: Option<Protocol>, target: &Target) -> AskFuture<'_> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        let ask = NetAsk {
            id,
            host: target.host.to_string(),
            port: target.port,
            protocol,
        };
        let registered = match self.waiting.lock() {
            Ok(mut w) => {
                w.insert(id, tx);
                true
            }
            Err(_) => false,
        };
        let sent = registered
            && self
                .ui
                .lock()
                .is_ok_and(|ui| ui.send(Msg::NetAsk(ask)).is_ok());
        if !sent {
            if let Ok(mut w) = self.waiting.lock() {
                w.remove(&id);
            }
            return Box::pin(async { Answer::Deny });
        }
        Box::pin(async move { rx.await.unwrap_or(Answer::Deny) })
    }
}

impl ProxyHook for NetBridge {
    fn record(&self, _event: &ProxyEvent) -> Result<(), String> {
        Ok(())
    }

    fn ask(&self, target: &Target) -> AskFuture<'_> {
        self.question(None, target)
    }

    fn ask_via(&self, protocol: Protocol, target: &Target) -> AskFuture<'_> {
        self.question(Some(protocol), target)
    }
}
