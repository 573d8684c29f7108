//! The command child: the last process before `execve`. Runs inside the finished root, cloned
//! by pid 1 sharing its memory until execve (pid 1 is single-threaded and suspended meanwhile,
//! so plain Rust is safe here). Order matters: fds, session,
//! working directory, rlimits, landlock, capabilities + no_new_privs, seccomp last, execve.

use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::landlock::Rule;
use super::limits::Rlimit;
use super::seccomp::Insn;
use super::{caps, landlock, limits, seccomp, sys, wire};

/// What the child applies.
pub struct ChildPlan<'a> {
    /// Working directory.
    pub cwd: &'a Path,
    /// Resource limits.
    pub rlimits: &'a [Rlimit],
    /// Landlock rules.
    pub landlock: &'a [Rule],
    /// Seccomp programs.
    pub seccomp: &'a [Vec<Insn>],
    /// Program.
    pub program: &'a OsStr,
    /// Arguments.
    pub args: &'a [OsString],
    /// Environment.
    pub env: &'a [(OsString, OsString)],
}

fn fail(step: &str, reason: &str) -> ! {
    wire::report(125, step, reason);
    // SAFETY: _exit is always safe; no destructors or atexit handlers must run in the child.
    unsafe { libc::_exit(125) }
}

fn c(s: &OsStr) -> CString {
    CString::new(s.as_bytes()).unwrap_or_else(|_| fail("exec", "argument contains NUL"))
}

/// Applies every restriction and executes the command. Never returns.
pub fn run(p: &ChildPlan<'_>) -> ! {
    // Signals: pid 1 blocked them and the launcher may have ignored some (dispositions
    // survive execve); the command starts with a clean mask and default handlers.
    for sig in nix::sys::signal::Signal::iterator() {
        if sig != nix::sys::signal::Signal::SIGKILL && sig != nix::sys::signal::Signal::SIGSTOP {
            // SAFETY: restoring the default disposition installs no Rust handler.
            let _ = unsafe { nix::sys::signal::signal(sig, nix::sys::signal::SigHandler::SigDfl) };
        }
    }
    let _ = nix::sys::signal::sigprocmask(
        nix::sys::signal::SigmaskHow::SIG_SETMASK,
        Some(&nix::sys::signal::SigSet::empty()),
        None,
    );
    if let Err(e) = sys::close_from(wire::CONTROL_FD as u32 + 1) {
        fail("close_range(4..)", &e.to_string());
    }
    // SAFETY: fd 3 is the control socket; FD_CLOEXEC closes it at execve.
    unsafe { libc::fcntl(wire::CONTROL_FD, libc::F_SETFD, libc::FD_CLOEXEC) };
    if let Err(e) = nix::unistd::setsid() {
        fail("setsid", &e.to_string());
    }
    if let Err(e) = nix::unistd::chdir(p.cwd) {
        fail(&format!("chdir {}", p.cwd.display()), &e.to_string());
    }
    if let Err(e) = limits::apply(p.rlimits) {
        fail("rlimits", &e);
    }
    if let Err(e) = landlock::apply(p.landlock) {
        fail("landlock", &e);
    }
    if let Err((step, e)) = caps::drop_all() {
        fail(step, &e);
    }
    let argv0 = c(p.program);
    let mut argv = vec![argv0.clone()];
    argv.extend(p.args.iter().map(|a| c(a)));
    let envp: Vec<CString> = p
        .env
        .iter()
        .map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            CString::new(kv).unwrap_or_else(|_| fail("exec", "environment contains NUL"))
        })
        .collect();
    let candidates = candidates(p.program, p.env);
    if let Err(e) = seccomp::install(p.seccomp) {
        fail("seccomp", &e.to_string());
    }
    let mut last = libc::ENOENT;
    for path in &candidates {
        let Err(e) = nix::unistd::execve(path, &argv, &envp);
        {
            match e as i32 {
                libc::ENOENT | libc::ENOTDIR => {}
                libc::EACCES => last = libc::EACCES,
                other => {
                    last = other;
                    break;
                }
            }
        }
    }
    let code = if last == libc::ENOENT { 127 } else { 126 };
    wire::report(
        code,
        &format!("exec {}", p.program.to_string_lossy()),
        &std::io::Error::from_raw_os_error(last).to_string(),
    );
    // SAFETY: see `fail`.
    unsafe { libc::_exit(code) }
}

/// The paths `execve` tries: the program itself if it has a `/`, else each `PATH` entry.
pub fn candidates(program: &OsStr, env: &[(OsString, OsString)]) -> Vec<CString> {
    if program.as_bytes().contains(&b'/') {
        return vec![c(program)];
    }
    let path = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    path.as_bytes()
        .split(|b| *b == b':')
        .map(|dir| {
            let dir = if dir.is_empty() { b".".as_slice() } else { dir };
            let mut full = dir.to_vec();
            full.push(b'/');
            full.extend_from_slice(program.as_bytes());
            CString::new(full).unwrap_or_else(|_| fail("exec", "PATH contains NUL"))
        })
        .collect()
}
