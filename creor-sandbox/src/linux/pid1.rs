//! The sandbox's pid 1: finishes the setup that must happen inside the new namespaces (ids,
//! mounts, `lo`), then forks the command child, reaps every orphan, forwards signals to the
//! command's session, and exits with the command's status. It runs with the clean environment
//! the helper was started with (its `/proc/1/environ` holds nothing), is non-dumpable and
//! stays outside the command's landlock domain.

use std::io::IoSliceMut;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;

use nix::sched::CloneFlags;
use nix::sys::signal::{SigSet, Signal};
use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use super::child::{self, ChildPlan};
use super::plan::LinuxPlan;
use super::{forwarder, mounts, net, sys, wire};
use crate::error::{Result, SandboxError};

/// Signals pid 1 passes on to the command's process group.
pub const FORWARDED: &[Signal] = &[
    Signal::SIGHUP,
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGTERM,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGWINCH,
];

/// Stack of the command child until it execs: the landlock and seccomp setup need a few
/// pages; generous, since an overflow would kill the spawn (guard page), not corrupt it.
const CHILD_STACK: usize = 1 << 20;

fn setup(what: &str, e: impl std::fmt::Display) -> SandboxError {
    SandboxError::HelperSetup {
        step: what.to_string(),
        reason: e.to_string(),
    }
}

/// Waits for the helper's go-ahead (ids mapped) and receives the idmapped trees it made.
fn receive_go(sync: &UnixStream) -> Result<Vec<OwnedFd>> {
    let mut byte = [0u8; 1];
    let mut iov = [IoSliceMut::new(&mut byte)];
    let mut space = nix::cmsg_space!([RawFd; 64]);
    let msg = recvmsg::<()>(
        sync.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )
    .map_err(|e| setup("wait for the helper", e))?;
    if msg.bytes == 0 {
        return Err(setup(
            "wait for the helper",
            "helper exited before mapping ids",
        ));
    }
    let mut fds = Vec::new();
    for c in msg
        .cmsgs()
        .map_err(|e| setup("receive idmapped trees", e))?
    {
        if let ControlMessageOwned::ScmRights(raw) = c {
            // SAFETY: the kernel installed these fds for us.
            fds.extend(
                raw.into_iter()
                    .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
            );
        }
    }
    Ok(fds)
}

/// Runs pid 1. Returns the exit code for the whole sandbox.
pub fn main(plan: &LinuxPlan, sync: UnixStream) -> i32 {
    match run(plan, sync) {
        Ok(code) => code,
        Err(e) => {
            wire::report_error(&e);
            125
        }
    }
}

fn run(plan: &LinuxPlan, sync: UnixStream) -> Result<i32> {
    let trees = receive_go(&sync)?;
    // Sources are opened with the launcher's host credentials (before the id switch), so a
    // root launcher can bind read-only toolchains from its 0700 home.
    mounts::make_private()?;
    let sources = mounts::open_sources(&plan.mounts, trees)?;
    let gid = nix::unistd::Gid::from_raw(plan.ids.inside_gid);
    let uid = nix::unistd::Uid::from_raw(plan.ids.inside_uid);
    nix::unistd::setresgid(gid, gid, gid).map_err(|e| setup("setresgid", e))?;
    nix::unistd::setresuid(uid, uid, uid).map_err(|e| setup("setresuid", e))?;
    // Credential changes reset both of these, so they come after the id switch.
    sys::prctl(libc::PR_SET_DUMPABLE, 0).map_err(|e| setup("prctl(PR_SET_DUMPABLE)", e))?;
    sys::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong)
        .map_err(|e| setup("prctl(PR_SET_PDEATHSIG)", e))?;
    // The helper never writes again: readable now means it died before PDEATHSIG was armed.
    let mut pfd = [libc::pollfd {
        fd: sync.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    }];
    // SAFETY: one valid pollfd, zero timeout.
    if unsafe { libc::poll(pfd.as_mut_ptr(), 1, 0) } != 0 {
        return Err(setup("wait for the helper", "helper is gone"));
    }
    mounts::apply_mounts(&plan.mounts, sources)?;
    if plan.own_netns {
        net::loopback_up().map_err(|e| setup("bring up lo (SIOCSIFFLAGS)", e))?;
    }
    if let Some(f) = &plan.forward {
        forwarder::listen_and_hand_over(f.port, &sync).map_err(|e| {
            setup(
                &format!("start the proxy forwarder on 127.0.0.1:{}", f.port),
                e,
            )
        })?;
    }
    nix::unistd::sethostname("creor").map_err(|e| setup("sethostname", e))?;

    let mut mask = SigSet::empty();
    mask.add(Signal::SIGCHLD);
    for s in FORWARDED {
        mask.add(*s);
    }
    mask.thread_block().map_err(|e| setup("block signals", e))?;

    let child_plan = ChildPlan {
        cwd: &plan.cwd,
        rlimits: &plan.rlimits,
        landlock: &plan.landlock,
        seccomp: &plan.seccomp,
        program: &plan.program,
        args: &plan.args,
        env: &plan.env,
    };
    // The command child shares pid 1's memory until it execs (vfork semantics): no page
    // tables to copy and no copy-on-write faults on the way to `execve`, about 0.1 ms of
    // every spawn. Its credentials, fd table, rlimits, signal handlers and seccomp/landlock
    // state are its own (no CLONE_THREAD, CLONE_FILES, CLONE_SIGHAND, CLONE_FS).
    let mut stack =
        sys::ChildStack::new(CHILD_STACK).map_err(|e| setup("map the child stack", e))?;
    // SAFETY: CLONE_VM + CLONE_VFORK: pid 1 (single-threaded) is suspended until the child
    // execs or exits, so nothing races the child's use of the shared heap; the child never
    // returns (`child::run` execs or `_exit`s) and runs on its own guarded stack.
    let child = unsafe {
        nix::sched::clone(
            Box::new(|| child::run(&child_plan)),
            stack.as_mut_slice(),
            CloneFlags::CLONE_VM | CloneFlags::CLONE_VFORK,
            Some(libc::SIGCHLD),
        )
    }
    .map_err(|e| setup("start the command", e))?;
    drop(stack);
    loop {
        let sig = mask.wait().map_err(|e| setup("sigwait", e))?;
        if sig != Signal::SIGCHLD {
            // The command called setsid(): its pid is its process group.
            let _ = nix::sys::signal::kill(Pid::from_raw(-child.as_raw()), sig);
            continue;
        }
        if let Some(code) = reap(child) {
            // Nothing of the command may outlive its report: the helper acts on it at once
            // (removing protected files the command created) without waiting for the kernel
            // to tear the namespaces down. kill(-1) from pid 1 reaches every other process of
            // this pid namespace; a fork racing it fails on the pending SIGKILL.
            let _ = nix::sys::signal::kill(Pid::from_raw(-1), Signal::SIGKILL);
            while waitpid(None, None).is_ok() {}
            let _ = std::io::Write::write_all(&mut &sync, &code.to_le_bytes());
            return Ok(code);
        }
    }
}

/// Reaps every exited process; returns the command's shell-style status once it has exited.
fn reap(command: Pid) -> Option<i32> {
    let mut result = None;
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(pid, code)) if pid == command => result = Some(code),
            Ok(WaitStatus::Signaled(pid, sig, _)) if pid == command => {
                result = Some(128 + sig as i32)
            }
            Ok(WaitStatus::StillAlive) | Err(_) => return result,
            Ok(_) => {}
        }
    }
}
