//! The helper: the process that clones pid 1 into new namespaces, writes its id maps from
//! outside (as root it maps to an unprivileged host uid, which only the parent namespace may
//! do), makes idmapped trees when needed, and then waits: it forwards signals to pid 1, and
//! kills it if the parent dies (its end of fd 3 closes).
//!
//! It is either `creor __sandbox-helper`, a fresh single-threaded process started with an
//! empty environment that reads the plan from fd 3 (what a multi-threaded caller such as the
//! agent gets), or `creor exec` itself when that process is single-threaded
//! ([`run_in_place`]: one start of the binary instead of two, its environment erased first).

use std::io::IoSlice;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;

use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;

use super::child::{self, ChildPlan};
use super::mounts::MountOp;
use super::plan::LinuxPlan;
use super::{forwarder, idmap, journal, namespaces, pid1, protect, sys, wire};
use crate::error::{Result, SandboxError};

/// Entry point of the hidden helper mode. Never returns.
pub fn helper_main() -> ! {
    let args: Vec<String> = std::env::args().skip(2).collect();
    if args.first().map(String::as_str) == Some(super::ssh_proxy::MODE) {
        std::process::exit(super::ssh_proxy::main(&args[1..]));
    }
    if std::env::args_os().any(|a| a == STANDALONE) {
        standalone_main();
    }
    let code = match run() {
        Ok(code) => code,
        Err(e) => {
            wire::report_error(&e);
            125
        }
    };
    std::process::exit(code)
}

/// Argument marking a helper that replaced `creor exec` itself (no parent waits for it).
pub const STANDALONE: &str = "--standalone";

/// The helper as `creor exec`'s own process image: the plan arrives in a memfd on fd 3, the
/// reports of pid 1 and the command child come back on a private socket, and the helper
/// prints them and exits with the CLI's status (one process fewer on every command).
fn standalone_main() -> ! {
    serve_and_exit(|| {
        // SAFETY: `creor exec` put the plan's memfd on fd 3 before replacing itself.
        let mut plan_fd = unsafe { std::fs::File::from_raw_fd(wire::CONTROL_FD) };
        let body = wire::read_frame(&mut plan_fd)?;
        // Not closed: the caller's dup2 replaces fd 3 atomically, so no other fd can take
        // its slot in between.
        std::mem::forget(plan_fd);
        serde_json::from_slice(&body).map_err(|e| setup("decode plan", e))
    })
}

/// Runs `plan` with the calling process as the helper, without an `execve`: what
/// `creor exec` does when it is single-threaded, saving a second start of the creor binary
/// (the largest part of the spawn cost). The environment is erased first, strings included,
/// and every fd above stdio closed, so pid 1, forked from this process, holds no more than a
/// re-executed helper would. Never returns.
///
/// # Safety
/// The process must be single-threaded (pid 1 is forked from it) and must need no fd above
/// stdio.
pub(super) unsafe fn run_in_place(plan: LinuxPlan) -> ! {
    // SAFETY: single-threaded, as the caller guarantees.
    unsafe { scrub_environment() };
    // What an exec would have done: nothing the launcher opened (config files, directory
    // handles) may follow pid 1 into the sandbox.
    if let Err(e) = sys::close_from(wire::CONTROL_FD as libc::c_uint) {
        eprintln!("creor: sandbox setup failed at close_range: {e}");
        std::process::exit(125)
    }
    serve_and_exit(move || Ok(plan))
}

/// Erases every environment string in place and empties `environ`. `/proc/PID/environ` reads
/// the original strings from memory, so clearing the pointer array alone would leave the
/// launcher's variables (API keys among them) readable in every process forked from here.
///
/// # Safety
/// Single-threaded callers only; every environment string must be writable (the kernel's
/// initial block and `setenv` copies are; nothing in creor uses `putenv`).
unsafe fn scrub_environment() {
    extern "C" {
        static mut environ: *mut *mut libc::c_char;
    }
    // SAFETY: walking the NULL-terminated array libc maintains; no other thread touches it.
    unsafe {
        let mut p = environ;
        while !p.is_null() && !(*p).is_null() {
            let s = *p;
            std::ptr::write_bytes(s, 0, libc::strlen(s));
            p = p.add(1);
        }
        libc::clearenv();
    }
}

/// The body shared by both in-process helper forms: reports of pid 1 and the command child
/// come back on a private socket placed on fd 3, are printed as `creor: …`, and the process
/// exits with the CLI's status (the command's, 124 on timeout, 125 on setup failure).
fn serve_and_exit(load: impl FnOnce() -> Result<LinuxPlan>) -> ! {
    let pair = UnixStream::pair().and_then(|(rx, tx)| Ok((above_control(rx)?, above_control(tx)?)));
    let (rx, tx) = match pair {
        Ok(p) => p,
        Err(e) => {
            eprintln!("creor: sandbox setup failed at socketpair: {e}");
            std::process::exit(125)
        }
    };
    let result = load().and_then(|plan| {
        // SAFETY: dup2 onto fd 3, which nothing else owns any more.
        if unsafe { libc::dup2(tx.as_raw_fd(), wire::CONTROL_FD) } < 0 {
            return Err(setup("dup2 report socket", std::io::Error::last_os_error()));
        }
        run_decoded(&plan, None)
    });
    drop(tx);
    let mut buf = Vec::new();
    let _ = rx.set_nonblocking(true);
    let _ = std::io::Read::read_to_end(&mut &rx, &mut buf);
    let code = match result {
        Ok(_) if wire::is_timeout(&buf) => {
            eprintln!("creor: timed out; the sandbox was killed");
            wire::TIMEOUT
        }
        Ok(code) => match wire::parse_report(&buf) {
            Some(e) => {
                eprintln!("creor: {e}");
                i32::from(e.exit_code())
            }
            None => code,
        },
        Err(e) => {
            eprintln!("creor: {e}");
            i32::from(e.exit_code())
        }
    };
    std::process::exit(code)
}

/// `sock` moved above fd 3 if it landed on or below it: fd 3 is about to become the report
/// channel (a `dup2` onto it would silently close a socket that had taken that number, as
/// happens when `creor exec` runs the helper in place with fd 3 free).
fn above_control(sock: UnixStream) -> std::io::Result<UnixStream> {
    if sock.as_raw_fd() > wire::CONTROL_FD {
        return Ok(sock);
    }
    // SAFETY: F_DUPFD_CLOEXEC returns a new fd we own, or -1.
    let fd = unsafe {
        libc::fcntl(
            sock.as_raw_fd(),
            libc::F_DUPFD_CLOEXEC,
            wire::CONTROL_FD + 1,
        )
    };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is fresh and ours; `sock` (the old number) closes when dropped here.
    Ok(unsafe { UnixStream::from_raw_fd(fd) })
}

fn setup(what: &str, e: impl std::fmt::Display) -> SandboxError {
    SandboxError::HelperSetup {
        step: what.to_string(),
        reason: e.to_string(),
    }
}

fn run() -> Result<i32> {
    // SAFETY: the parent placed the control socket on fd 3; we own it from here on.
    let mut control = unsafe { UnixStream::from_raw_fd(wire::CONTROL_FD) };
    let body = wire::read_frame(&mut control)?;
    // Keep fd 3 open under its number: pid 1 and the command child report through it.
    let control = OwnedFd::from(control);
    let control_fd = control.as_raw_fd();
    std::mem::forget(control);
    let plan: LinuxPlan = serde_json::from_slice(&body).map_err(|e| setup("decode plan", e))?;
    run_decoded(&plan, Some(control_fd))
}

/// Applies a plan. `lifeline` is the parent's control socket (EOF = the parent died), absent
/// when the helper is `creor exec` itself.
fn run_decoded(plan: &LinuxPlan, lifeline: Option<RawFd>) -> Result<i32> {
    let control_fd = lifeline.unwrap_or(-1);

    if nix::unistd::geteuid().is_root() {
        // Root's supplementary groups (gid 0) would otherwise follow it into the sandbox:
        // `setgroups deny` forbids dropping them later.
        nix::unistd::setgroups(&[]).map_err(|e| setup("setgroups([])", e))?;
    }
    let mut forwarded = SigSet::empty();
    for s in pid1::FORWARDED {
        forwarded.add(*s);
    }
    forwarded
        .thread_block()
        .map_err(|e| setup("block signals", e))?;
    for s in pid1::FORWARDED {
        // A launcher that ignores SIGINT (as `creor exec` does while it waits) must not make
        // the sandbox deaf to it: blocked + default lets signalfd see every forwarded signal.
        // SAFETY: restoring the default disposition installs no handler.
        let _ = unsafe { nix::sys::signal::signal(*s, nix::sys::signal::SigHandler::SigDfl) };
    }

    // What the parent's recovery of killed runs found goes on the command's stderr, where a
    // person or the agent sees it (the parent may be drawing a terminal UI).
    for line in &plan.notices {
        eprintln!("{line}");
    }
    // Dropping `_journal` (every return below comes after the sandbox is gone) deletes it.
    // The plan carries one only when there is something to revert.
    let _journal = match &plan.journal {
        Some(j) => Some(journal::write(&j.dir, &j.project, &plan.revert)?),
        None => None,
    };
    let (ours, theirs) = UnixStream::pair().map_err(|e| setup("socketpair", e))?;
    // SAFETY: the helper is single-threaded.
    let pid = match unsafe { sys::clone_fork(plan.clone_flags) } {
        Ok(0) => {
            drop(ours);
            std::process::exit(pid1::main(plan, theirs));
        }
        Ok(pid) => pid,
        Err(e) => {
            let errno = e.raw_os_error().unwrap_or(0);
            return match &plan.degraded {
                Some(_) => degraded(plan),
                None => Err(SandboxError::HelperSetup {
                    step: format!(
                        "clone into new {} namespaces",
                        namespaces::flag_names(plan.clone_flags).join("+")
                    ),
                    reason: format!("{e}: {}", namespaces::explain(errno)),
                }),
            };
        }
    };
    drop(theirs);
    let child = Pid::from_raw(pid);
    if let Err(e) = map_and_release(pid, plan, &ours) {
        let _ = nix::sys::signal::kill(child, Signal::SIGKILL);
        let _ = waitpid(child, None);
        return Err(e);
    }
    if let Some(f) = &plan.forward {
        // No listener means pid 1 failed its setup; its own report and exit status follow.
        if let Ok(listener) = forwarder::receive(&ours) {
            forwarder::serve(listener, f.socket.clone());
        }
    }
    let result = wait(child, &ours, control_fd, &forwarded, plan.timeout_ms);
    if !plan.revert.is_empty() {
        // Revert only once no sandboxed process is left to race us: pid 1 kills and reaps
        // every other process before it reports a status, and every other way out of `wait`
        // reaps pid 1 itself (the kernel reaps a pid namespace's init last).
        if result.is_err() {
            let _ = nix::sys::signal::kill(child, Signal::SIGKILL);
            let _ = waitpid(child, None);
        }
        protect::revert_all(&plan.revert);
    }
    result
}

fn map_and_release(pid: libc::pid_t, plan: &LinuxPlan, sync: &UnixStream) -> Result<()> {
    idmap::write_maps(pid, &plan.ids)?;
    let mut trees = Vec::new();
    if plan.ids.needs_idmap() {
        let userns: OwnedFd = std::fs::File::open(format!("/proc/{pid}/ns/user"))
            .map_err(|e| setup("open the sandbox user namespace", e))?
            .into();
        for op in &plan.mounts {
            if let MountOp::Bind {
                src, idmap: true, ..
            } = op
            {
                trees.push(idmap::idmapped_tree(src, &userns)?);
            }
        }
    }
    let raw: Vec<RawFd> = trees.iter().map(|f| f.as_raw_fd()).collect();
    let cmsg = [ControlMessage::ScmRights(&raw)];
    let iov = [IoSlice::new(b"g")];
    let cmsgs: &[ControlMessage] = if raw.is_empty() { &[] } else { &cmsg };
    sendmsg::<()>(sync.as_raw_fd(), &iov, cmsgs, MsgFlags::empty(), None)
        .map_err(|e| setup("release pid 1", e))?;
    Ok(())
}

/// Signals that ask the sandbox to stop (Ctrl-C, a supervisor's cancel, a closed terminal).
const STOP_SIGNALS: &[i32] = &[libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// How long a command may take to exit after a stop signal before pid 1 (and with it every
/// process of the sandbox) is killed: enough for a cooperative tool to clean up, short enough
/// that a command ignoring the signal cannot make itself uncancellable.
pub const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

fn wait(
    child: Pid,
    status: &UnixStream,
    control_fd: RawFd,
    forwarded: &SigSet,
    timeout_ms: Option<u64>,
) -> Result<i32> {
    let deadline =
        timeout_ms.map(|ms| std::time::Instant::now() + std::time::Duration::from_millis(ms));
    // Set by the first stop signal (SIGINT/SIGTERM/SIGHUP): the signal it was and when pid 1
    // gets SIGKILL if the command ignores it.
    let mut stopping: Option<(i32, std::time::Instant)> = None;
    let pidfd = sys::pidfd_open(child.as_raw()).map_err(|e| setup("pidfd_open(pid 1)", e))?;
    let mut status_fd = status.as_raw_fd();
    let sfd =
        SignalFd::with_flags(forwarded, SfdFlags::SFD_CLOEXEC).map_err(|e| setup("signalfd", e))?;
    loop {
        let mut fds = [
            libc::pollfd {
                fd: status_fd,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: pidfd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: control_fd,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: sfd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        if let Some((sig, at)) = stopping {
            if std::time::Instant::now() >= at {
                // The command ignored the stop signal: a cancel must still cancel.
                let _ = sys::pidfd_send_signal(pidfd.as_raw_fd(), libc::SIGKILL);
                let _ = waitpid(child, None);
                return Ok(128 + sig);
            }
        }
        let wake = match (deadline, stopping.map(|(_, at)| at)) {
            (Some(d), Some(s)) => Some(d.min(s)),
            (d, s) => d.or(s),
        };
        let wait_ms = match wake {
            None => -1,
            Some(d) if Some(d) != deadline => {
                let left = d.saturating_duration_since(std::time::Instant::now());
                i32::try_from(left.as_millis().max(1)).unwrap_or(i32::MAX)
            }
            Some(d) => {
                let left = d.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    // Killing pid 1 ends the whole pid namespace, setsid children included.
                    let _ = sys::pidfd_send_signal(pidfd.as_raw_fd(), libc::SIGKILL);
                    let _ = waitpid(child, None);
                    wire::report(wire::TIMEOUT, "timeout", "the sandbox's pid 1 was killed");
                    return Ok(wire::TIMEOUT);
                }
                i32::try_from(left.as_millis().max(1)).unwrap_or(i32::MAX)
            }
        };
        // SAFETY: four pollfds (a negative fd is ignored by poll).
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 4, wait_ms) };
        if n < 0 {
            continue;
        }
        if fds[0].revents != 0 {
            // pid 1 reports the command's status before it exits; EOF means it died without
            // one (setup failure, killed): then its own exit status is the answer.
            let mut code = [0u8; 4];
            match std::io::Read::read(&mut &*status, &mut code) {
                Ok(4) => return Ok(i32::from_le_bytes(code)),
                _ => status_fd = -1,
            }
            continue;
        }
        if fds[1].revents != 0 {
            return Ok(match waitpid(child, None) {
                Ok(WaitStatus::Exited(_, code)) => code,
                Ok(WaitStatus::Signaled(_, sig, _)) => 128 + sig as i32,
                _ => 125,
            });
        }
        if fds[2].revents != 0 {
            // The parent is gone (or broke protocol): nothing may outlive it.
            let _ = sys::pidfd_send_signal(pidfd.as_raw_fd(), libc::SIGKILL);
            let _ = waitpid(child, None);
            return Ok(137);
        }
        if fds[3].revents != 0 {
            if let Ok(Some(info)) = sfd.read_signal() {
                let sig = info.ssi_signo as i32;
                let _ = sys::pidfd_send_signal(pidfd.as_raw_fd(), sig);
                if stopping.is_none() && STOP_SIGNALS.contains(&sig) {
                    stopping = Some((sig, std::time::Instant::now() + STOP_GRACE));
                }
            }
        }
    }
}

/// Degraded mode: no namespaces. Landlock is the filesystem wall, seccomp also refuses new
/// sockets that a network namespace would have confined. Announced on stderr.
fn degraded(plan: &LinuxPlan) -> Result<i32> {
    let Some(d) = &plan.degraded else {
        return Err(setup("degraded mode", "not allowed by the policy"));
    };
    eprintln!(
        "creor: WARNING: user namespaces are unavailable; running DEGRADED (landlock + seccomp \
         only): no private /tmp, /proc or /dev, host processes visible, protected paths inside \
         the project are NOT read-only, unix sockets refused. Fix the kernel setting \
         (`creor doctor`) to get the full sandbox."
    );
    // SAFETY: single-threaded helper.
    match unsafe { nix::unistd::fork() }.map_err(|e| setup("fork command", e))? {
        nix::unistd::ForkResult::Child => {
            let _ = sys::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
            child::run(&ChildPlan {
                cwd: &plan.cwd,
                rlimits: &plan.rlimits,
                landlock: &d.landlock,
                seccomp: &d.seccomp,
                program: &plan.program,
                args: &plan.args,
                env: &plan.env,
            })
        }
        nix::unistd::ForkResult::Parent { child } => Ok(match waitpid(child, None) {
            Ok(WaitStatus::Exited(_, code)) => code,
            Ok(WaitStatus::Signaled(_, sig, _)) => 128 + sig as i32,
            _ => 125,
        }),
    }
}
