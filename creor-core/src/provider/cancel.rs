//! Cooperative cancellation shared by providers, tools and the agent loop.
//!
//! A front end (Ctrl-C in the TUI, a signal in headless mode) flips one switch and every
//! in-flight HTTP request, approval wait and sandboxed command notices at its next await.

use tokio::sync::watch;

/// The side that cancels. Dropping it does not cancel.
#[derive(Debug)]
pub struct CancelHandle(watch::Sender<bool>);

/// The side that is cancelled; cheap to clone.
#[derive(Debug, Clone)]
pub struct Cancel(watch::Receiver<bool>);

impl CancelHandle {
    /// Makes a new switch and its first receiver.
    pub fn new() -> (CancelHandle, Cancel) {
        let (tx, rx) = watch::channel(false);
        (CancelHandle(tx), Cancel(rx))
    }

    /// Cancels everything holding a receiver of this switch.
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }
}

impl Cancel {
    /// A receiver that is never cancelled (tests, one-shot calls).
    pub fn never() -> Cancel {
        let (tx, rx) = watch::channel(false);
        // Keep the sender alive forever so `cancelled` pends instead of seeing a closed channel.
        std::mem::forget(tx);
        Cancel(rx)
    }

    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once cancellation is requested (pends forever if its handle was dropped unfired).
    pub async fn cancelled(&self) {
        let mut rx = self.0.clone();
        loop {
            if *rx.borrow_and_update() {
                return;
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
