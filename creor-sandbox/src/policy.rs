//! The sandbox policy: plain data describing what a sandboxed command may see and do.
//!
//! This is the contract between `creor-core` (which builds it from configuration) and the OS
//! backends (which enforce it). Paths are absolute and canonical (symlinks resolved) by the
//! time they get here; backends re-check and refuse anything else.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Paths, relative to the project, that a sandboxed command must never change: they steer the
/// next session (creor's config) or run code on the host (git hooks and config). Every backend
/// write-protects them; the Linux one also removes them after the run when they were absent
/// and the command created them. `.git/commondir` and `.git/worktrees` are there because git
/// reads hooks and config through them: a `commondir` file makes the repository take both from
/// another directory, and each `worktrees/<name>/commondir` does the same for a linked worktree.
pub const PROTECTED_IN_PROJECT: &[&str] = &[
    ".git/hooks",
    ".git/config",
    ".git/commondir",
    ".git/worktrees",
    "creor.json",
    "creor.local.json",
    ".creor",
];

/// Directories under home that are never visible, whatever grants say (the floor).
pub const HIDDEN_IN_HOME: &[&str] = &[".ssh", ".aws", ".gnupg"];

/// Everything a backend needs to run one command isolated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxPolicy {
    /// The project directory: visible read-write at the same path.
    pub project: PathBuf,
    /// Working directory of the command (same path inside as outside).
    pub cwd: PathBuf,
    /// Extra paths visible read-only (toolchains, caches, read grants).
    pub read_only: Vec<PathBuf>,
    /// Extra paths visible read-write (external-directory grants, writable caches).
    pub read_write: Vec<PathBuf>,
    /// Paths inside writable trees that are re-bound read-only (`.git/hooks`, `.git/config`,
    /// `creor.json`, `creor.local.json`, `.creor/`).
    pub protected: Vec<PathBuf>,
    /// Paths that must never be visible even if a parent is bound (`~/.ssh`, `~/.aws`,
    /// `~/.gnupg`).
    pub hidden: Vec<PathBuf>,
    /// What backs the sandbox's `/tmp`.
    pub tmp: TmpDir,
    /// Network access.
    pub network: NetworkPolicy,
    /// The command's complete environment (already scrubbed by the caller).
    pub env: Vec<(OsString, OsString)>,
    /// Resource limits.
    pub limits: Limits,
    /// Allow a degraded landlock+seccomp-only mode when namespaces are unavailable. Only a
    /// profile that opts in sets this; the caller must report the degraded mode loudly.
    pub allow_degraded: bool,
    /// Per-user directory for revert journals ([`crate::linux::journal`]), outside every
    /// tree the sandbox can see: what lets the next run put aside what a SIGKILLed run
    /// planted at an absent protected path. `None`: no journal, so a killed run leaves no
    /// trace (only for callers with nowhere to keep one; creor always sets it when it can).
    #[serde(default)]
    pub revert_journal: Option<PathBuf>,
}

/// The backing of the sandbox's private `/tmp` (never the host's `/tmp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TmpDir {
    /// A fresh size-capped tmpfs, gone when the command ends (bare `creor exec`).
    Fresh {
        /// Size cap in bytes.
        size_bytes: u64,
    },
    /// A per-session host directory bound as `/tmp`, so build files survive between steps.
    Session {
        /// The host directory (under creor's state dir).
        host_dir: PathBuf,
        /// Size cap in bytes, enforced where the backend can.
        size_bytes: u64,
    },
}

/// Network access for the sandboxed command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetworkPolicy {
    /// Network namespace with only loopback.
    BlockAll,
    /// Only through creor's host-side proxy, reached via a forwarder inside the sandbox.
    AllowSpecific {
        /// Unix socket of the host-side proxy.
        proxy_socket: PathBuf,
        /// Loopback port the in-sandbox forwarder listens on.
        port: u16,
        /// Per-session token the proxy requires (exported inside the proxy URL).
        token: String,
    },
    /// The host's network (no network namespace). Callers warn about it.
    AllowAll,
}

/// Resource limits. `None` means the backend's safe default, never "unlimited".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Wall-clock timeout; on expiry the sandbox's pid 1 is killed.
    pub timeout: Option<Duration>,
    /// Max processes inside the sandbox (RLIMIT_NPROC / pids.max).
    pub max_processes: Option<u64>,
    /// Max open files per process (RLIMIT_NOFILE).
    pub max_open_files: Option<u64>,
    /// Max file size in bytes (RLIMIT_FSIZE).
    pub max_file_size: Option<u64>,
    /// Memory cap in bytes (cgroup `memory.max`, else RLIMIT_AS).
    pub max_memory: Option<u64>,
    /// Cap on captured output in bytes (when output is captured rather than passed through).
    pub max_output: Option<u64>,
}
