//! Shared harness for creor's sandbox suites (`tests/escape`, `tests/workload`).
//!
//! Each suite is a `harness = false` test binary: it lists [`runner::Case`]s and hands them to
//! [`runner::main`], which runs every case once per [`world::Identity`] (as root *and* as the
//! unprivileged `creor-test` user when the harness runs as root; once otherwise) and prints a
//! libtest-style report. A case gets a fresh project directory owned by the identity, a compiled
//! attacker toolbox (`probe`, see `probe.c`) inside it, and helpers to run `creor exec` and to
//! inspect host state before and after.
#![allow(dead_code, unused_imports)]

pub mod host;
pub mod run;
pub mod runner;
pub mod world;

pub use run::{Out, Run};
pub use runner::{Case, Outcome};

/// Errnos the kernel gives when a path is simply not there or not reachable.
pub const ABSENT: &[&str] = &["ENOENT", "EACCES"];
/// Errnos that mean "the write was refused" (read-only mount, landlock, busy mount point, …).
pub const REFUSED_WRITE: &[&str] = &["EROFS", "EACCES", "EPERM", "EBUSY", "EXDEV", "ENOENT"];

/// Builds a `Case` list entry: `case!(group, name)` refers to the function `name` in scope.
#[macro_export]
macro_rules! case {
    ($group:literal, $name:ident) => {
        $crate::support::Case {
            group: $group,
            name: stringify!($name),
            run: $name,
        }
    };
}

/// Fails the case with a formatted message unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// Reads `path` in the sandbox: must be refused as absent/unreadable, and no planted secret may
/// appear in the output.
pub fn read_denied(r: &Run, path: &str) -> Outcome {
    let out = r.probe_in(&["read", path]);
    out.refused(ABSENT)?;
    out.lacks(&r.world.secrets())
}

/// Writes `path` in the sandbox: must be refused, and the host file must be as before.
pub fn write_denied(r: &Run, path: &str, allowed: &[&str]) -> Outcome {
    let p = std::path::Path::new(path);
    let before = run::snapshot(p);
    let out = r.probe_in(&["write", path, "creor-pwned"]);
    let verdict = out.refused(allowed);
    host::unchanged(p, &before).map_err(|e| format!("{e}\n{out}"))?;
    verdict
}

/// The case is not applicable to this identity; reported as ignored with the reason.
pub fn ignore(reason: &str) -> Outcome {
    Err(format!("{}{reason}", runner::IGNORE_PREFIX))
}

/// A name unique to this harness process, for host-side markers.
pub fn unique(tag: &str) -> String {
    format!("creor-esc-{}-{tag}", std::process::id())
}
