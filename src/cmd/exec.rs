//! `creor exec`: run a command in the sandbox; and the hidden helper mode it re-executes.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// Arguments of `creor exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Project directory (default: current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Profile to select.
    #[arg(long)]
    pub profile: Option<String>,
    /// Network policy (overrides the config).
    #[arg(long, value_parser = ["block_all", "allow_specific", "allow_all"])]
    pub network: Option<String>,
    /// Host allowed under allow_specific (repeatable).
    #[arg(long = "allow-host", value_name = "HOST[:PORT]")]
    pub allow_host: Vec<String>,
    /// Kill the command after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// The command and its arguments.
    #[arg(last = true, required = true)]
    pub command: Vec<OsString>,
}

/// Arguments of the hidden helper mode.
#[derive(Debug, Args)]
pub struct HelperArgs {
    /// Opaque arguments passed by the parent.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<OsString>,
}

/// Runs `creor exec`.
pub fn run(_args: ExecArgs) -> anyhow::Result<ExitCode> {
    super::not_built("creor exec")
}

/// Runs the helper mode.
pub fn helper(_args: HelperArgs) -> anyhow::Result<ExitCode> {
    super::not_built("creor __sandbox-helper")
}
