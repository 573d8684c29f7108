//! Seatbelt (macOS `sandbox-exec`) profiles generated from a [`SandboxPolicy`].
//!
//! Pure, portable Rust: the profile is text, built and checked on any platform, so Linux CI
//! tests exactly what a Mac will run. Only [`crate::macos`]'s spawn code is macOS-specific.
//!
//! ```
//! use std::path::PathBuf;
//! use creor_sandbox::seatbelt::{self, SeatbeltOptions};
//! use creor_sandbox::{Limits, NetworkPolicy, SandboxPolicy, TmpDir};
//!
//! let policy = SandboxPolicy {
//!     project: PathBuf::from("/Users/alice/src/app"),
//!     cwd: PathBuf::from("/Users/alice/src/app"),
//!     read_only: vec![],
//!     read_write: vec![],
//!     protected: vec![],
//!     hidden: vec![],
//!     tmp: TmpDir::Session { host_dir: PathBuf::from("/Users/alice/.local/state/creor/tmp/s1"), size_bytes: 1 << 30 },
//!     network: NetworkPolicy::BlockAll,
//!     env: vec![],
//!     limits: Limits::default(),
//!     allow_degraded: false,
//!     revert_journal: None,
//! };
//! let opts = SeatbeltOptions { home: Some(PathBuf::from("/Users/alice")), ..Default::default() };
//! let profile = seatbelt::generate(&policy, &opts).expect("profile");
//! assert!(profile.contains("(deny default)"));
//! assert!(profile.contains(r#"(subpath "/Users/alice/.ssh")"#));
//! ```
//!
//! How a profile is put together:
//! - `base.sb`: `(version 1)`, `(deny default)`, processes, the documented mach services and
//!   sysctls. Fixed text, no paths.
//! - [`profile`]: the policy's paths, resolved ([`paths`]) and written as string atoms
//!   ([`sbpl`]); the network rules; opt-in services.
//! - [`wellformed`]: every generated profile is parsed back and checked before it is returned,
//!   so a profile creor cannot read itself never reaches `sandbox-exec`.

use std::path::PathBuf;

use crate::error::{Result, SandboxError};
use crate::policy::SandboxPolicy;

pub mod paths;
pub mod profile;
pub mod sbpl;
pub mod wellformed;

/// The fixed head of every profile.
pub const BASE_PROFILE: &str = include_str!("base.sb");

/// Facts about the host the policy does not carry, and macOS-only opt-ins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeatbeltOptions {
    /// The user's home. Its floor directories (`.ssh`, `.aws`, `.gnupg`) are denied even if
    /// the policy's `hidden` list forgot them.
    pub home: Option<PathBuf>,
    /// The directory backing a [`crate::TmpDir::Fresh`] temp dir: macOS has no private mounts,
    /// so the spawn creates a fresh directory and the profile grants it. Unused for
    /// `TmpDir::Session`.
    pub tmp_dir: Option<PathBuf>,
    /// Let the command reach `com.apple.trustd.agent`. Go programs (and anything verifying TLS
    /// through Security.framework) fail certificate checks without it; it is opt-in because
    /// trustd fetches OCSP/CRL/intermediate URLs on the caller's behalf.
    pub allow_trustd: bool,
    /// Unix sockets the command may connect to. All others are refused, in every network
    /// mode: a socket (docker, ssh-agent, a database) is a door out of the sandbox.
    pub unix_sockets: Vec<PathBuf>,
}

/// Generates the complete Seatbelt profile for `policy`, checked by [`wellformed::check`].
///
/// Errors name the path that could not be used (not absolute, not UTF-8, contains `..` or a
/// control character, or a grant inside a denied path), or the self-check that failed.
pub fn generate(policy: &SandboxPolicy, opts: &SeatbeltOptions) -> Result<String> {
    let mut text = String::from(BASE_PROFILE);
    for section in profile::sections(policy, opts)? {
        text.push_str("\n; ");
        text.push_str(section.comment);
        text.push('\n');
        for form in &section.forms {
            let rendered = sbpl::render(form).map_err(|e| SandboxError::Setup {
                step: "seatbelt profile",
                reason: e.to_string(),
            })?;
            text.push_str(&rendered);
            text.push('\n');
        }
    }
    wellformed::check(&text).map_err(|e| SandboxError::Setup {
        step: "seatbelt profile self-check",
        reason: e.to_string(),
    })?;
    Ok(text)
}
