//! Policies shared by the Seatbelt integration tests. Paths live under `/Users/alice`, which
//! exists on no CI machine, so resolution is purely the alias table and the output is the same
//! on Linux and macOS.

#![allow(dead_code)]

use std::path::PathBuf;

use creor_sandbox::seatbelt::SeatbeltOptions;
use creor_sandbox::{Limits, NetworkPolicy, SandboxPolicy, TmpDir};

pub const HOME: &str = "/Users/alice";
pub const PROJECT: &str = "/Users/alice/src/app";

/// The policy creor builds for an ordinary session: project read-write, session tmp, no network.
pub fn default_policy() -> SandboxPolicy {
    SandboxPolicy {
        project: PROJECT.into(),
        cwd: PROJECT.into(),
        read_only: vec![],
        read_write: vec![],
        protected: vec![],
        hidden: vec![
            PathBuf::from(HOME).join(".ssh"),
            PathBuf::from(HOME).join(".aws"),
            PathBuf::from(HOME).join(".gnupg"),
        ],
        tmp: TmpDir::Session {
            host_dir: "/Users/alice/.local/state/creor/tmp/s-1".into(),
            size_bytes: 1 << 30,
        },
        network: NetworkPolicy::BlockAll,
        env: vec![],
        limits: Limits::default(),
        allow_degraded: false,
        revert_journal: None,
    }
}

pub fn options() -> SeatbeltOptions {
    SeatbeltOptions {
        home: Some(HOME.into()),
        ..SeatbeltOptions::default()
    }
}
