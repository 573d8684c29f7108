//! creor's workload suite: real development work that must keep working inside the sandbox
//! (gcc, python with ssl/sqlite, git commit, a loopback server, make, tar, `/dev/null`, stdin,
//! exit codes). Runs once per identity like the escape suite; see
//! the README ("Sandbox test suites").
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod dev;
mod process;

fn main() {
    let mut cases = Vec::new();
    cases.extend(dev::cases());
    cases.extend(process::cases());
    support::runner::main("workload", cases);
}
