//! Shared helpers for the CLI tests.

use std::process::Command;

/// A `Command` for the built `creor` binary with a scrubbed, predictable environment.
pub fn creor() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_creor"));
    cmd.env_remove("CREOR_PROFILE");
    cmd
}

/// A scratch directory outside the host's `/tmp`, which creor's tools refuse to touch (inside
/// a session, `/tmp` is the sandbox's private one): cargo's target tmp dir, or `/var/tmp` when
/// the checkout itself sits under `/tmp` (a CI clone).
pub fn scratch() -> tempfile::TempDir {
    let target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let base = if target.starts_with("/tmp") {
        std::path::Path::new("/var/tmp")
    } else {
        target
    };
    tempfile::tempdir_in(base).expect("scratch dir")
}
