//! macOS only: start the planned `sandbox-exec` invocation and supervise it.
//!
//! - The child calls `setsid()` before exec: it leads a new session and process group, has no
//!   controlling terminal (so `TIOCSTI` keystroke injection into the user's shell fails with
//!   EACCES in XNU), and the whole group can be signalled at once.
//! - On timeout, and after the command exits, the group is SIGKILLed, so background children
//!   do not outlive the command. The leader is detected with `waitid(WNOWAIT)` and killed
//!   *before* it is reaped, so its pid (the group id) cannot have been reused when `killpg`
//!   runs.
//! - Before exec the child marks every descriptor above 2 close-on-exec (inherited descriptors
//!   would otherwise pass into the sandbox) and sets the planned rlimits.
//! - Known gap (no pid namespace on macOS): a descendant that calls `setsid()` itself leaves
//!   the group and survives; so does everything if creor is SIGKILLed (no PDEATHSIG).

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use crate::error::{Result, SandboxError};
use crate::policy::{SandboxPolicy, TmpDir};
use crate::seatbelt::{self, SeatbeltOptions};

use super::invocation::{self, FreshTmp, Invocation, Resource, Rlimit};

/// How a supervised command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It exited (or was killed by a signal) on its own.
    Exited(ExitStatus),
    /// The timeout expired and the process group was killed.
    TimedOut(ExitStatus),
}

/// A running sandboxed command. Keeps the fresh temp dir alive until dropped.
#[derive(Debug)]
pub struct SeatbeltChild {
    child: Child,
    _tmp: Option<FreshTmp>,
}

/// Builds the `std::process::Command` for an invocation: empty environment plus the planned
/// one, the planned cwd; in the child `setsid()`, close-on-exec for descriptors above 2, and the
/// rlimits. Stdio is left for the caller to set.
pub fn command(inv: &Invocation) -> Command {
    let mut cmd = Command::new(&inv.program);
    cmd.args(&inv.args)
        .env_clear()
        .envs(inv.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&inv.cwd);
    let rlimits: Vec<Rlimit> = inv.rlimits.clone();
    // SAFETY: the closure only makes async-signal-safe system calls (setsid, getrlimit, fcntl,
    // setrlimit) on values computed before fork; it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            cloexec_above_stderr()?;
            for limit in &rlimits {
                set_rlimit(*limit)?;
            }
            Ok(())
        });
    }
    cmd
}

/// Marks descriptors 3.. close-on-exec, up to the current open-file limit (no descriptor can be
/// numbered above it unless the limit was lowered after it was opened), capped at 65536.
fn cloexec_above_stderr() -> std::io::Result<()> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the valid `lim`.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == -1 {
        return Err(std::io::Error::last_os_error());
    }
    let top = libc::c_int::try_from(lim.rlim_cur.min(65536)).unwrap_or(65536);
    for fd in 3..top {
        // SAFETY: fcntl on a descriptor number that may not be open; EBADF is harmless.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags != -1 {
                libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
            }
        }
    }
    Ok(())
}

fn set_rlimit(limit: Rlimit) -> std::io::Result<()> {
    let resource = match limit.resource {
        Resource::OpenFiles => libc::RLIMIT_NOFILE,
        Resource::FileSize => libc::RLIMIT_FSIZE,
        Resource::CoreDump => libc::RLIMIT_CORE,
    };
    let mut current = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the valid local `rlimit` values.
    unsafe {
        if libc::getrlimit(resource, &mut current) == -1 {
            return Err(std::io::Error::last_os_error());
        }
        let value = limit.value.min(current.rlim_max);
        let new = libc::rlimit {
            rlim_cur: value,
            rlim_max: value,
        };
        if libc::setrlimit(resource, &new) == -1 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Generates the profile for `policy`, plans the invocation and starts it. `configure` sets
/// stdio (or anything else) on the command before it is spawned.
pub fn spawn(
    policy: &SandboxPolicy,
    opts: &SeatbeltOptions,
    argv: &[OsString],
    configure: impl FnOnce(&mut Command),
) -> Result<SeatbeltChild> {
    let (tmp_dir, fresh) = match &policy.tmp {
        TmpDir::Session { host_dir, .. } => (host_dir.clone(), None),
        TmpDir::Fresh { .. } => {
            let fresh = FreshTmp::create(&std::env::temp_dir())?;
            (fresh.path().to_path_buf(), Some(fresh))
        }
    };
    let mut opts = opts.clone();
    opts.tmp_dir = Some(tmp_dir.clone());
    let profile = seatbelt::generate(policy, &opts)?;
    let inv = invocation::plan(policy, &profile, &tmp_dir, argv)?;
    let mut cmd = command(&inv);
    configure(&mut cmd);
    let child = cmd.spawn().map_err(|e| SandboxError::Setup {
        step: "spawn sandbox-exec",
        reason: e.to_string(),
    })?;
    Ok(SeatbeltChild { child, _tmp: fresh })
}

impl SeatbeltChild {
    /// The process id of the command (also its process-group id).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILLs the command's whole process group.
    pub fn kill(&mut self) -> Result<()> {
        kill_group(self.child.id())
    }

    /// Waits for the command, killing its process group when `timeout` expires; after a normal
    /// exit the group is killed too, so no background child survives.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<Outcome> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let pid = self.child.id();
        loop {
            if exited_unreaped(pid)? {
                kill_group(pid)?;
                return Ok(Outcome::Exited(self.child.wait()?));
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                kill_group(pid)?;
                return Ok(Outcome::TimedOut(self.child.wait()?));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Whether `pid` has exited, without reaping it (the zombie keeps the pid and group id).
fn exited_unreaped(pid: u32) -> Result<bool> {
    let id = libc::id_t::from(pid);
    // SAFETY: an all-zero siginfo_t is a valid value for waitid to fill.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is a valid, writable siginfo_t; WNOWAIT leaves the child reapable.
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            id,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    if rc == -1 {
        return Err(std::io::Error::last_os_error().into());
    }
    Ok(info.si_pid != 0)
}

fn kill_group(pid: u32) -> Result<()> {
    let pgid = libc::pid_t::try_from(pid).map_err(|_| SandboxError::Setup {
        step: "killpg",
        reason: format!("pid {pid} out of range"),
    })?;
    // SAFETY: killpg only sends a signal; the group is ours (created by setsid in the child).
    let rc = unsafe { libc::killpg(pgid, libc::SIGKILL) };
    if rc == -1 {
        let err = std::io::Error::last_os_error();
        // ESRCH: the group is already empty. EPERM: XNU can answer it for a group whose only
        // member is the unreaped (zombie) leader. Nothing is left running in either case,
        // unless a member turned setuid (a sandboxed `sudo`), which this cannot kill either.
        if !matches!(err.raw_os_error(), Some(libc::ESRCH) | Some(libc::EPERM)) {
            return Err(err.into());
        }
    }
    Ok(())
}
