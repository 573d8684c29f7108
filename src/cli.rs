//! The full command line (`creor-agent`): parses every subcommand, wires core and sandbox
//! together, maps errors to exit codes. Business logic lives in the crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::cmd;
use crate::launcher;

/// creor: a local sandbox and permission runtime for AI coding agents.
#[derive(Debug, Parser)]
#[command(name = "creor", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Explain the permission decision a session would make for one tool call.
    #[command(subcommand)]
    Policy(cmd::policy::PolicyCommand),
    /// Validate or show creor.json configuration.
    #[command(subcommand)]
    Config(cmd::config::ConfigCommand),
    /// Run the agent on one prompt without the TUI (`--headless` for CI).
    Run(cmd::run::RunArgs),
    /// Run a command inside the sandbox.
    Exec(cmd::exec::ExecArgs),
    /// Report which kernel features creor can use here, and how to fix what is missing.
    Doctor(cmd::doctor::DoctorArgs),
    /// Scan files or staged changes for secrets.
    Scan(cmd::scan::ScanArgs),
    /// Install git hooks.
    #[command(subcommand)]
    Hook(cmd::hook::HookCommand),
    /// Find, show or verify the audit log.
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    /// Show the sandbox profile creor would use.
    #[command(subcommand)]
    Sandbox(cmd::sandbox::SandboxCommand),
    /// Internal: the sandbox helper process (re-exec of creor). Not for humans.
    #[command(name = "__sandbox-helper", hide = true)]
    SandboxHelper(cmd::exec::HelperArgs),
}

/// The full command line: parses every subcommand and runs it.
pub fn main() -> ExitCode {
    // The sandbox helper is on every command's critical path: skip argument parsing.
    #[cfg(target_os = "linux")]
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "__sandbox-helper")
    {
        creor_sandbox::linux::helper_main();
    }
    if let Err(e) = launcher::check_started_by_same_build() {
        return cmd::report(&e);
    }
    let cli = Cli::parse();
    #[cfg(target_os = "linux")]
    if matches!(
        cli.command,
        None | Some(Command::Run(_)) | Some(Command::Exec(_))
    ) {
        cmd::recover_killed_runs();
    }
    let result = match cli.command {
        None => cmd::tui::run(),
        Some(Command::Policy(c)) => cmd::policy::run(c),
        Some(Command::Config(c)) => cmd::config::run(c),
        Some(Command::Run(a)) => cmd::run::run(a),
        Some(Command::Exec(a)) => cmd::exec::run(a),
        Some(Command::Doctor(a)) => cmd::doctor::run(a),
        Some(Command::Scan(a)) => cmd::scan::run(a),
        Some(Command::Hook(c)) => cmd::hook::run(c),
        Some(Command::Audit(c)) => cmd::audit::run(c),
        Some(Command::Sandbox(c)) => cmd::sandbox::run(c),
        Some(Command::SandboxHelper(a)) => cmd::exec::helper(a),
    };
    match result {
        Ok(code) => code,
        Err(err) => cmd::report(&err),
    }
}
