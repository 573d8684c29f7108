//! creor-sandbox turns a [`SandboxPolicy`] into an isolated process.
//!
//! It knows nothing of `creor.json`, permissions or models: `creor-core` translates the user's
//! configuration into a policy, and this crate enforces it with the operating system
//! (Linux: user/mount/pid/net/ipc/uts namespaces, landlock and seccomp; macOS: a generated
//! Seatbelt profile). The policy is plain data so it can be shown, diffed and tested anywhere.
//!
//! On Linux the running binary must dispatch the hidden helper mode to
//! [`linux::helper_main`] (the sandbox re-executes `/proc/self/exe __sandbox-helper`):
//!
//! ```no_run
//! # #[cfg(target_os = "linux")] {
//! use creor_sandbox::{Command, SandboxPolicy};
//! if std::env::args().nth(1).as_deref() == Some("__sandbox-helper") {
//!     creor_sandbox::linux::helper_main();
//! }
//! # fn policy() -> SandboxPolicy { unimplemented!() }
//! let status = creor_sandbox::run(&policy(), Command::new("make").arg("test"))?;
//! std::process::exit(status.code());
//! # }
//! # Ok::<(), creor_sandbox::SandboxError>(())
//! ```

pub mod command;
pub mod error;
#[cfg(target_os = "linux")]
pub mod linux;
pub mod macos;
pub mod policy;
pub mod proxy_env;
pub mod seatbelt;

pub use command::{Command, ExitStatus};
pub use error::{Result, SandboxError};
#[cfg(target_os = "linux")]
pub use linux::{run, spawn, Child, Signaller, Stopper};
pub use policy::{
    Limits, NetworkPolicy, SandboxPolicy, TmpDir, HIDDEN_IN_HOME, PROTECTED_IN_PROJECT,
};
