//! Syncing a log to disk off the caller's path, many appends per `fsync`.
//!
//! The proxy records a decision for every connection before the connection goes on. With an
//! `fsync` per entry that was about 1.2 ms of the ~1.3 ms the proxy added to each connection
//! on this project's VM. Entries appended with [`AuditLog::append_unsynced`] are already in
//! the kernel (a crash or kill of creor loses none); this thread makes them durable shortly
//! after, coalescing bursts into one `fsync`, the trade auditd's default `incremental_async`
//! flush makes. Dropping the handle syncs whatever is still pending, so a session's records
//! are on disk by the time it ends.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::AuditLog;

#[derive(Default)]
struct State {
    dirty: bool,
    closing: bool,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

/// A background thread that syncs one log after [`BackgroundSync::request`]s.
pub struct BackgroundSync {
    shared: Shared,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for BackgroundSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundSync").finish_non_exhaustive()
    }
}

impl BackgroundSync {
    /// Starts the thread for `log`.
    pub fn start(log: AuditLog) -> std::io::Result<BackgroundSync> {
        let shared: Shared = Arc::default();
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name("creor-audit-sync".into())
            .spawn(move || run(&log, &theirs))?;
        Ok(BackgroundSync {
            shared,
            thread: Some(thread),
        })
    }

    /// Asks for a sync of everything appended so far.
    pub fn request(&self) {
        let (lock, wake) = &*self.shared;
        lock.lock().unwrap_or_else(PoisonError::into_inner).dirty = true;
        wake.notify_one();
    }
}

impl Drop for BackgroundSync {
    fn drop(&mut self) {
        let (lock, wake) = &*self.shared;
        lock.lock().unwrap_or_else(PoisonError::into_inner).closing = true;
        wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(log: &AuditLog, shared: &Shared) {
    let (lock, wake) = &**shared;
    let mut state = lock.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        while !state.dirty && !state.closing {
            state = wake.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        if !state.dirty {
            return;
        }
        state.dirty = false;
        drop(state);
        if let Err(e) = log.sync() {
            eprintln!("creor: audit log: {e}");
        }
        state = lock.lock().unwrap_or_else(PoisonError::into_inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::NewEntry;

    #[test]
    fn unsynced_appends_chain_and_survive_the_handle() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = AuditLog::at(dir.path().join("a.jsonl"));
        let sync = BackgroundSync::start(log.clone()).expect("start");
        for i in 0..20 {
            log.append_unsynced(&NewEntry::new(
                "s",
                "sandbox",
                "net.connect",
                i.to_string(),
                "allow",
            ))
            .expect("append");
            sync.request();
        }
        drop(sync);
        assert_eq!(log.verify().expect("verify"), 20);
    }

    #[test]
    fn dropping_an_idle_handle_returns() {
        let dir = tempfile::tempdir().expect("tempdir");
        drop(BackgroundSync::start(AuditLog::at(dir.path().join("none.jsonl"))).expect("start"));
    }
}
