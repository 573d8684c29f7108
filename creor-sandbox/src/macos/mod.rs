//! The macOS backend: run a command under `sandbox-exec` with a profile from
//! [`crate::seatbelt`].
//!
//! Split like the Linux backend into plan and apply: [`invocation`] (portable, tested
//! everywhere) decides the exact argv, environment and temp dir; `spawn` (macOS only) starts
//! the process in its own session, enforces the timeout and kills the whole process group.

pub mod invocation;

#[cfg(target_os = "macos")]
pub mod spawn;

pub use invocation::{plan, rlimits, FreshTmp, Invocation, Resource, Rlimit, SANDBOX_EXEC};
