//! creor-sandbox turns a [`SandboxPolicy`] into an isolated process.
//!
//! It knows nothing of `creor.json`, permissions or models: `creor-core` translates the user's
//! configuration into a policy, and this crate enforces it with the operating system
//! (Linux: user/mount/pid/net/ipc/uts namespaces, landlock and seccomp; macOS: a generated
//! Seatbelt profile). The policy is plain data so it can be shown, diffed and tested anywhere.

pub mod error;
pub mod macos;
pub mod policy;
pub mod seatbelt;

pub use error::{Result, SandboxError};
pub use policy::{Limits, NetworkPolicy, SandboxPolicy, TmpDir};
