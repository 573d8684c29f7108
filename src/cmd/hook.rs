//! `creor hook install`: the git pre-commit hook that runs `creor scan --staged`.

use std::process::ExitCode;

use clap::Subcommand;

/// `creor hook …`
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Install the pre-commit hook in the current repository.
    Install {
        /// Overwrite a hook creor did not write.
        #[arg(long)]
        force: bool,
    },
}

/// Runs `creor hook`.
pub fn run(_cmd: HookCommand) -> anyhow::Result<ExitCode> {
    super::not_built("creor hook")
}
