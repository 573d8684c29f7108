//! `creor` with no subcommand: the terminal UI.

use std::process::ExitCode;

/// Opens the TUI in the current project.
pub fn run() -> anyhow::Result<ExitCode> {
    super::not_built("creor (TUI)")
}
