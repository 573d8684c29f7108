//! `creor doctor`: kernel features, what creor will do with them, and fixes.

use std::process::ExitCode;

use clap::Args;

/// Arguments of `creor doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `creor doctor`.
pub fn run(_args: DoctorArgs) -> anyhow::Result<ExitCode> {
    super::not_built("creor doctor")
}
