//! The parent side: build the plan, start the helper with a clean environment and the plan on
//! fd 3, then wait for it (enforcing the timeout) and turn what it reports into a status or an
//! error. Safe to call from a multi-threaded process: the only post-fork code is one `dup2`.

use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{ChildStderr, ChildStdin, ChildStdout};
use std::time::{Duration, Instant};

use super::{plan, sys, wire};
use crate::command::{Command, ExitStatus};
use crate::error::{Result, SandboxError};
use crate::policy::SandboxPolicy;

/// A running sandbox.
#[derive(Debug)]
pub struct Child {
    helper: std::process::Child,
    pidfd: OwnedFd,
    control: UnixStream,
    deadline: Option<Instant>,
    /// The command's stdin, when piped.
    pub stdin: Option<ChildStdin>,
    /// The command's stdout, when piped.
    pub stdout: Option<ChildStdout>,
    /// The command's stderr, when piped.
    pub stderr: Option<ChildStderr>,
}

/// Starts `cmd` under `policy`.
pub fn spawn(policy: &SandboxPolicy, cmd: Command) -> Result<Child> {
    // allow_specific: the helper binary doubles as ssh's ProxyCommand ([`super::ssh_proxy`]).
    let exposed = super::ssh_proxy::expose_helper(policy, cmd.helper.as_deref());
    let policy = exposed.as_ref().map_or(policy, |(p, _)| p);
    let notices = recover_killed_runs(policy);
    let mut plan = plan::build(policy, &cmd.program, &cmd.args)?;
    plan.notices = notices;
    if let Some((_, git_ssh)) = &exposed {
        plan.env.push(("GIT_SSH_COMMAND".into(), git_ssh.clone()));
    }
    let body = serde_json::to_vec(&plan).map_err(|e| SandboxError::Setup {
        step: "encode plan",
        reason: e.to_string(),
    })?;
    let (mut ours, theirs) = UnixStream::pair()?;
    let exe = cmd
        .helper
        .clone()
        .unwrap_or_else(|| "/proc/self/exe".into());
    let mut c = std::process::Command::new(&exe);
    // Its own process group: a terminal's Ctrl-C reaches only the launcher, which decides
    // what to forward (see `Signaller`).
    c.arg0("creor")
        .arg("__sandbox-helper")
        .env_clear()
        .process_group(0);
    if let Some(s) = cmd.stdin {
        c.stdin(s);
    }
    if let Some(s) = cmd.stdout {
        c.stdout(s);
    }
    if let Some(s) = cmd.stderr {
        c.stderr(s);
    }
    let fd = theirs.as_raw_fd();
    // SAFETY: dup2 and fcntl are async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        c.pre_exec(move || {
            if fd == wire::CONTROL_FD {
                if libc::fcntl(fd, libc::F_SETFD, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            } else if libc::dup2(fd, wire::CONTROL_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut helper = c.spawn().map_err(|e| SandboxError::HelperSetup {
        step: format!("start the helper {}", exe.display()),
        reason: e.to_string(),
    })?;
    drop(theirs);
    let pidfd = match sys::pidfd_open(helper.id() as libc::pid_t) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = helper.kill();
            let _ = helper.wait();
            return Err(SandboxError::HelperSetup {
                step: "pidfd_open(helper)".into(),
                reason: e.to_string(),
            });
        }
    };
    if let Err(e) = wire::write_frame(&mut ours, &body) {
        let _ = helper.kill();
        let _ = helper.wait();
        return Err(e);
    }
    Ok(Child {
        stdin: helper.stdin.take(),
        stdout: helper.stdout.take(),
        stderr: helper.stderr.take(),
        helper,
        pidfd,
        control: ours,
        // The helper enforces the timeout; this later deadline is a backstop should it hang.
        deadline: policy
            .limits
            .timeout
            .map(|t| Instant::now() + t + Duration::from_secs(2)),
    })
}

impl Child {
    /// The helper's host pid (the sandbox's pid 1 is its child).
    pub fn id(&self) -> u32 {
        self.helper.id()
    }

    /// Kills the whole sandbox: the helper dies, pid 1 follows (PDEATHSIG) and with it every
    /// process of the pid namespace, including `setsid` daemons.
    pub fn kill(&mut self) -> Result<()> {
        match sys::pidfd_send_signal(self.pidfd.as_raw_fd(), libc::SIGKILL) {
            Ok(()) => Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Sends `sig` to the command's process group (through the helper and pid 1).
    pub fn signal(&self, sig: i32) -> Result<()> {
        sys::pidfd_send_signal(self.pidfd.as_raw_fd(), sig)?;
        Ok(())
    }

    /// A handle another thread can use to signal the sandbox while this one waits.
    pub fn signaller(&self) -> Result<Signaller> {
        Ok(Signaller(self.pidfd.try_clone()?))
    }

    /// A handle another thread can use to cancel the sandbox while this one waits, the way a
    /// cancel should: unlike [`Child::kill`], the helper survives to clean up after the
    /// command (see [`Stopper::stop`]).
    pub fn stopper(&self) -> Result<Stopper> {
        Ok(Stopper {
            control: self.control.try_clone()?,
            pidfd: self.pidfd.try_clone()?,
        })
    }

    /// Waits for the command, enforcing the policy's timeout. A sandbox that could not be
    /// built, or a program that could not be executed, is an error naming the step.
    pub fn wait(&mut self) -> Result<ExitStatus> {
        let mut timed_out = false;
        loop {
            let timeout_ms = match self.deadline {
                None => -1,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left == Duration::ZERO {
                        timed_out = true;
                        self.kill()?;
                        break;
                    }
                    i32::try_from(left.as_millis().max(1)).unwrap_or(i32::MAX)
                }
            };
            let mut pfd = libc::pollfd {
                fd: self.pidfd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
            if n > 0 {
                break;
            }
        }
        let status = self.helper.wait()?;
        self.control.set_nonblocking(true)?;
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut self.control, &mut buf);
        if wire::is_timeout(&buf) {
            return Ok(ExitStatus {
                code: wire::TIMEOUT,
                timed_out: true,
            });
        }
        if let Some(err) = wire::parse_report(&buf) {
            return Err(err);
        }
        use std::os::unix::process::ExitStatusExt;
        let code = match (status.code(), status.signal()) {
            (Some(c), _) => c,
            (None, Some(s)) => 128 + s,
            _ => 125,
        };
        Ok(ExitStatus { code, timed_out })
    }
}

/// Cancels a running sandbox from another thread.
#[derive(Debug)]
pub struct Stopper {
    control: UnixStream,
    pidfd: OwnedFd,
}

impl Stopper {
    /// How long the helper gets to kill pid 1 and clean up before it is SIGKILLed itself.
    const GRACE: Duration = Duration::from_secs(2);

    /// Ends the sandbox now. Shutting down the control socket is the helper's "parent gone"
    /// signal: it SIGKILLs pid 1 (so every process of the sandbox), removes what the command
    /// created at absent protected paths, deletes its revert journal and exits 137. A SIGKILL
    /// of the helper would leave that clean-up to the next run's journal recovery. Should the
    /// helper not be gone within [`Stopper::GRACE`], it is SIGKILLed. Blocks until one of the
    /// two happened. A sandbox that already ended is not an error.
    pub fn stop(&self) -> Result<()> {
        let _ = self.control.shutdown(std::net::Shutdown::Both);
        let mut pfd = libc::pollfd {
            fd: self.pidfd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(Self::GRACE.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut pfd, 1, ms) } > 0 {
            return Ok(());
        }
        match sys::pidfd_send_signal(self.pidfd.as_raw_fd(), libc::SIGKILL) {
            Err(e) if e.raw_os_error() != Some(libc::ESRCH) => Err(e.into()),
            _ => Ok(()),
        }
    }
}

/// Signals a running sandbox from another thread (the helper forwards SIGHUP, SIGINT,
/// SIGQUIT, SIGTERM, SIGUSR1/2 and SIGWINCH to the command's process group; SIGKILL kills the
/// whole sandbox).
#[derive(Debug)]
pub struct Signaller(OwnedFd);

impl Signaller {
    /// Sends `sig`. A sandbox that already ended is not an error.
    pub fn signal(&self, sig: i32) -> Result<()> {
        match sys::pidfd_send_signal(self.0.as_raw_fd(), sig) {
            Ok(()) => Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// Turns the current process into the helper running `cmd` under `policy` (what
/// `creor exec` does: one process fewer than [`spawn`]). A single-threaded caller becomes the
/// helper in place, without an `execve` (each start of the creor binary costs more than a
/// millisecond); any other re-executes the helper binary with the plan in a memfd. The helper
/// prints setup errors as `creor: …` and exits with the command's status, 124 on timeout, 125
/// on setup failure, 126/127 when the program cannot be executed. Returns only if that
/// replacement failed.
///
/// The calling process must be single-threaded or about to end anyway: fd 3 is overwritten.
pub fn exec_replace(policy: &SandboxPolicy, cmd: Command) -> SandboxError {
    match exec_replace_inner(policy, cmd) {
        Ok(never) => match never {},
        Err(e) => e,
    }
}

fn exec_replace_inner(policy: &SandboxPolicy, cmd: Command) -> Result<std::convert::Infallible> {
    use std::io::{Seek, Write};
    let notices = recover_killed_runs(policy);
    let mut plan = plan::build(policy, &cmd.program, &cmd.args)?;
    plan.notices = notices;
    if cmd.helper.is_none() && sys::single_threaded() {
        // SAFETY: single-threaded, checked above; fd 3 is about to be overwritten, as this
        // function's contract says.
        unsafe { super::helper::run_in_place(plan) }
    }
    let body = serde_json::to_vec(&plan).map_err(|e| SandboxError::Setup {
        step: "encode plan",
        reason: e.to_string(),
    })?;
    // SAFETY: valid name; the kernel returns a new fd or -1.
    let raw = unsafe { libc::memfd_create(c"creor-plan".as_ptr(), libc::MFD_CLOEXEC) };
    if raw < 0 {
        return Err(SandboxError::Setup {
            step: "memfd_create",
            reason: std::io::Error::last_os_error().to_string(),
        });
    }
    // SAFETY: a fresh fd we own.
    let mut file = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(raw) };
    let mut frame = Vec::with_capacity(body.len() + 4);
    wire::write_frame(&mut frame, &body)?;
    file.write_all(&frame)?;
    file.rewind()?;
    let fd = file.as_raw_fd();
    // SAFETY: plain fd manipulation in this process, right before execve.
    unsafe {
        if fd == wire::CONTROL_FD {
            libc::fcntl(fd, libc::F_SETFD, 0);
        } else if libc::dup2(fd, wire::CONTROL_FD) < 0 {
            return Err(std::io::Error::last_os_error().into());
        }
    }
    let exe = cmd
        .helper
        .clone()
        .unwrap_or_else(|| "/proc/self/exe".into());
    let exe_c = super::sys::cstr(&exe)?;
    let argv = [c"creor", c"__sandbox-helper", c"--standalone"];
    let env: [&std::ffi::CStr; 0] = [];
    let Err(e) = nix::unistd::execve(&exe_c, &argv, &env);
    Err(SandboxError::HelperSetup {
        step: format!("exec the helper {}", exe.display()),
        reason: e.to_string(),
    })
}

/// Puts aside what earlier runs, killed before their revert, left at protected paths
/// ([`super::journal::recover`]), and returns the lines that say so. Before the plan is built:
/// the plan's survey must see the project as it will be when the sandbox starts.
fn recover_killed_runs(policy: &SandboxPolicy) -> Vec<String> {
    policy
        .revert_journal
        .as_deref()
        .map(|dir| super::journal::recover(dir).lines())
        .unwrap_or_default()
}

/// Runs `cmd` to completion.
pub fn run(policy: &SandboxPolicy, cmd: Command) -> Result<ExitStatus> {
    spawn(policy, cmd)?.wait()
}
