//! One module per subcommand. Each exposes its clap arguments and a `run` returning the exit
//! code; errors carry their exit code through [`Exit`].

use std::fmt;
use std::process::ExitCode;

pub mod audit;
pub mod config;
pub mod doctor;
pub mod exec;
pub mod hook;
pub mod policy;
pub mod proxy;
pub mod run;
pub mod sandbox;
pub mod sandbox_flags;
pub mod scan;
pub mod session;
pub mod tui;

/// Puts aside what sandboxed runs killed before their revert left at absent protected paths
/// ([`creor_sandbox::linux::journal`]), printing a line for each. Run before a project's
/// configuration is loaded: a planted `creor.json` must not steer the very run that finds it.
/// Every sandbox spawn checks again before it plans the run.
#[cfg(target_os = "linux")]
pub fn recover_killed_runs() -> creor_sandbox::linux::journal::Recovery {
    let env: Vec<(std::ffi::OsString, std::ffi::OsString)> = ["XDG_STATE_HOME", "HOME"]
        .iter()
        .filter_map(|k| std::env::var_os(k).map(|v| ((*k).into(), v)))
        .collect();
    let dir = creor_core::sandbox_policy::revert_journal_dir(&env);
    let recovery = creor_sandbox::linux::journal::recover(&dir);
    recovery.print();
    recovery
}

/// An error with the exit code it must produce (2: config/usage error, 125: sandbox setup).
#[derive(Debug)]
pub struct Exit {
    /// Process exit code.
    pub code: u8,
    /// One-line message for stderr.
    pub message: String,
}

impl Exit {
    /// A configuration or usage error: exit 2.
    pub fn config(message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Exit {
            code: 2,
            message: message.into(),
        })
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// Prints an error chain as `creor: …` and picks its exit code (1 unless it carries one).
pub fn report(err: &anyhow::Error) -> ExitCode {
    let code = err.downcast_ref::<Exit>().map_or(1, |e| e.code);
    eprintln!("creor: {err:#}");
    ExitCode::from(code)
}
