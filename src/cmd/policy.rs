//! `creor policy check`: the decision a session would make, with the winning rules.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

/// `creor policy …`
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the decision for TOOL on SUBJECT.
    Check(CheckArgs),
}

/// Arguments of `creor policy check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Project directory (default: current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Profile to select.
    #[arg(long)]
    pub profile: Option<String>,
    /// Decide as a headless run would (ask → deny).
    #[arg(long)]
    pub headless: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Tool name (read, write, edit, glob, grep, ls, bash, webfetch, websearch,
    /// external-directory).
    pub tool: String,
    /// The subject: a path, a command, a URL or a query.
    pub subject: String,
}

/// Runs `creor policy`.
pub fn run(cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Check(_) => super::not_built("creor policy check"),
    }
}
