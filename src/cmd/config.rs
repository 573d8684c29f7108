//! `creor config validate|show`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

/// `creor config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a config file (default: every layer of the current project).
    Validate {
        /// The file to validate.
        file: Option<PathBuf>,
    },
    /// Show the merged configuration.
    Show {
        /// Annotate each value with the layer it came from.
        #[arg(long)]
        effective: bool,
        /// Project directory (default: current directory).
        #[arg(long)]
        project: Option<PathBuf>,
        /// Profile to select.
        #[arg(long)]
        profile: Option<String>,
    },
}

/// Runs `creor config`.
pub fn run(_cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    super::not_built("creor config")
}
