//! `creor sandbox profile`: print the Seatbelt profile or the Linux plan creor would use.

use std::process::ExitCode;

use clap::Subcommand;

/// `creor sandbox …`
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Print the sandbox profile for a platform.
    Profile {
        /// `macos` or `linux`.
        #[arg(long, value_parser = ["macos", "linux"])]
        platform: Option<String>,
    },
}

/// Runs `creor sandbox`.
pub fn run(_cmd: SandboxCommand) -> anyhow::Result<ExitCode> {
    super::not_built("creor sandbox")
}
