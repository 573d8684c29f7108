//! `creor scan`: find secrets in files, staged changes or a diff.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// Arguments of `creor scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories (default: current directory).
    pub paths: Vec<PathBuf>,
}

/// Runs `creor scan`.
pub fn run(_args: ScanArgs) -> anyhow::Result<ExitCode> {
    super::not_built("creor scan")
}
