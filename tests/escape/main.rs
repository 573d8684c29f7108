//! creor's escape suite: attacks a sandboxed command would try, run against the real binary.
//!
//! Every case runs `creor exec` on an attacker toolbox (`tests/support/probe.c`) and passes only
//! if the kernel refused the attempt with the expected errno AND host state is unchanged (file
//! contents, no new file, no surviving process, no connection received). Runs once per identity:
//! as root and as the unprivileged `creor-test` user when started as root. See
//! the README ("Sandbox test suites").
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod failclosed;
mod fs;
mod ipc;
mod leaks;
mod lifetime;
mod limits;
mod net;
mod persistence;
mod privs;
mod procfs;
mod symlinks;
mod syscalls;
mod tty;
mod unix;

fn main() {
    let mut cases = Vec::new();
    cases.extend(fs::cases());
    cases.extend(symlinks::cases());
    cases.extend(procfs::cases());
    cases.extend(net::cases());
    cases.extend(unix::cases());
    cases.extend(ipc::cases());
    cases.extend(tty::cases());
    cases.extend(syscalls::cases());
    cases.extend(privs::cases());
    cases.extend(limits::cases());
    cases.extend(lifetime::cases());
    cases.extend(leaks::cases());
    cases.extend(persistence::cases());
    cases.extend(failclosed::cases());
    support::runner::main("escape", cases);
}
