//! Shared helpers for the CLI tests.

use std::process::Command;

/// A `Command` for the built `creor` binary with a scrubbed, predictable environment.
pub fn creor() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_creor"));
    cmd.env_remove("CREOR_PROFILE");
    cmd
}
