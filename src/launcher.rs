//! The `creor` launcher: what runs before anything else on every sandboxed command.
//!
//! `creor exec` (and the sandbox helper it becomes) is the per-command path, so the `creor`
//! binary links only what it needs: the config loader and the sandbox. Every other command
//! (the TUI, `run`, `policy`, `scan`, …) is handed to `creor-agent`, the binary next to it
//! that links the agent, its providers and the TUI. Their start-up cost is what the split
//! saves: about a millisecond per command (README, "Cost").

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use clap::Parser;

use crate::cmd::{self, exec::ExecArgs, Exit};

/// The binary every command but `exec` runs in, found next to the launcher.
pub const AGENT: &str = "creor-agent";

/// Set by the launcher for the agent it starts: the version it was built as, so a
/// `creor-agent` of another release left next to the launcher (a partial upgrade) refuses to
/// run instead of acting on a configuration it reads differently. Builds of one version are
/// not told apart: `cargo run` rebuilds only the launcher, so developers use `cargo build`.
pub const LAUNCHER_VERSION_ENV: &str = "CREOR_LAUNCHER_VERSION";

/// `creor exec` alone: parsing its arguments needs none of the other subcommands' definitions.
#[derive(Debug, Parser)]
#[command(
    name = "creor exec",
    version,
    about = "Run a command inside the sandbox."
)]
struct ExecOnly {
    #[command(flatten)]
    args: ExecArgs,
}

/// The `creor` binary: `exec` and the sandbox helper run here; everything else replaces this
/// process with `creor-agent`.
pub fn main() -> ExitCode {
    let mut argv = std::env::args_os();
    let arg0 = argv.next().unwrap_or_else(|| OsString::from("creor"));
    let rest: Vec<OsString> = argv.collect();
    match rest.first().and_then(|a| a.to_str()) {
        #[cfg(target_os = "linux")]
        Some("__sandbox-helper") => creor_sandbox::linux::helper_main(),
        Some("exec") => run_exec(rest.into_iter().skip(1)),
        _ => run_agent(arg0, rest),
    }
}

fn run_exec(args: impl Iterator<Item = OsString>) -> ExitCode {
    let cli = ExecOnly::parse_from(std::iter::once(OsString::from("creor exec")).chain(args));
    #[cfg(target_os = "linux")]
    cmd::recover_killed_runs();
    match cmd::exec::run(cli.args) {
        Ok(code) => code,
        Err(err) => cmd::report(&err),
    }
}

/// Replaces this process with `creor-agent`, same arguments; returns only if that failed.
fn run_agent(arg0: OsString, args: Vec<OsString>) -> ExitCode {
    let agent = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(AGENT),
        Err(e) => {
            eprintln!("creor: cannot locate the creor binary to find {AGENT} next to it: {e}");
            return ExitCode::from(127);
        }
    };
    let err = std::process::Command::new(&agent)
        .arg0(arg0)
        .args(args)
        .env(LAUNCHER_VERSION_ENV, env!("CARGO_PKG_VERSION"))
        .exec();
    eprintln!(
        "creor: cannot start {}: {err}. Every command but `creor exec` runs in {AGENT}; build \
         or install both binaries (`cargo build --release`, `cargo install --path .`)",
        agent.display()
    );
    ExitCode::from(127)
}

/// In `creor-agent`: refuses to run when started by a launcher of another version (a partial
/// upgrade), and takes the marker out of the environment so nothing it starts inherits it.
pub fn check_started_by_same_build() -> anyhow::Result<()> {
    let Some(version) = std::env::var_os(LAUNCHER_VERSION_ENV) else {
        return Ok(());
    };
    // Single-threaded: this runs first thing in main.
    std::env::remove_var(LAUNCHER_VERSION_ENV);
    let ours = env!("CARGO_PKG_VERSION");
    if version != ours {
        return Err(anyhow::Error::new(Exit {
            code: 2,
            message: format!(
                "creor {} started {AGENT} {ours}: the two binaries come from different builds; \
                 reinstall both (`cargo install --path .`)",
                version.to_string_lossy()
            ),
        }));
    }
    Ok(())
}
