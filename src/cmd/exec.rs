//! `creor exec`: run a command in the sandbox; and the hidden helper mode it re-executes.

use std::ffi::OsString;

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use creor_core::config::NetworkMode;
use creor_core::sandbox_policy::{self, PolicyOptions};

use super::sandbox_flags::SandboxFlags;
use super::Exit;

/// Arguments of `creor exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Project, profile and network.
    #[command(flatten)]
    pub flags: SandboxFlags,
    /// Kill the command after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// The command and its arguments.
    #[arg(last = true, required = true)]
    pub command: Vec<OsString>,
}

/// Arguments of the hidden helper mode.
#[derive(Debug, Args)]
pub struct HelperArgs {
    /// Opaque arguments passed by the parent.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<OsString>,
}

/// A sandbox that could not be built: exit 125 with one line.
fn setup_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Exit {
        code: 125,
        message: message.into(),
    })
}

/// Runs `creor exec`.
pub fn run(args: ExecArgs) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("current directory")?;
    let project = args.flags.project.clone().unwrap_or_else(|| cwd.clone());
    // Checked before the config loader, whose error for a missing project reads as a config
    // error (exit 2): a project that is not a directory is a sandbox setup failure.
    match std::fs::metadata(&project) {
        Ok(md) if md.is_dir() => {}
        Ok(_) => {
            return Err(setup_error(format!(
                "project {}: not a directory",
                project.display()
            )))
        }
        Err(e) => {
            return Err(setup_error(format!(
                "project directory {}: {e}",
                project.display()
            )))
        }
    }
    let cfg = args.flags.load(project, args.timeout)?;
    // The command runs in the current directory when it lies inside the project (same path
    // inside), else in the project.
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let run_cwd = if cwd.starts_with(&cfg.project) {
        cwd
    } else {
        cfg.project.clone()
    };
    // allow_specific: the proxy runs on a runtime in this process for the command's life.
    let proxy = match cfg.sandbox.network.policy {
        NetworkMode::AllowSpecific => {
            // Before the runtime starts its threads, so every thread inherits the mask.
            let forwarded = block_forwarded_signals();
            Some((super::proxy::start(&cfg).map_err(setup_error)?, forwarded))
        }
        _ => None,
    };
    let policy = sandbox_policy::build(
        &cfg,
        &PolicyOptions {
            cwd: Some(run_cwd),
            proxy: proxy.as_ref().map(|(p, _)| p.session.endpoint()),
            ..PolicyOptions::default()
        },
    )
    .map_err(|e| setup_error(e.to_string()))?;
    if matches!(cfg.sandbox.network.policy, NetworkMode::AllowAll) {
        eprintln!(
            "creor: warning: network allow_all: the command shares the host network \
             (host loopback services and cloud metadata endpoints are reachable)"
        );
    }
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| Exit::config("no command given"))?;
    let cmd = creor_sandbox::Command::new(program.clone()).args(rest.iter().cloned());
    let Some((proxy, forwarded)) = proxy else {
        // `creor exec` becomes the helper: one process fewer between the caller and the
        // command. Only a failure to do so returns here.
        let e = creor_sandbox::linux::exec_replace(&policy, cmd);
        return Err(anyhow::Error::new(Exit {
            code: e.exit_code(),
            message: e.to_string(),
        }));
    };
    // allow_specific: the proxy lives in this process, so creor stays the command's parent.
    let timeout = policy.limits.timeout;
    let result = creor_sandbox::spawn(&policy, cmd).and_then(|mut child| {
        if let Ok(sig) = child.signaller() {
            forward_signals(forwarded, sig);
        }
        child.wait()
    });
    drop(proxy);
    match result {
        Ok(status) => {
            if status.timed_out() {
                eprintln!(
                    "creor: timed out after {}s; the sandbox was killed",
                    timeout.map_or(0, |t| t.as_secs())
                );
            }
            Ok(ExitCode::from(u8::try_from(status.code()).unwrap_or(255)))
        }
        Err(e) => Err(anyhow::Error::new(Exit {
            code: e.exit_code(),
            message: e.to_string(),
        })),
    }
}

/// Signals creor passes on to the command instead of dying of them (dying would SIGKILL the
/// sandbox before the command could react, and lose its exit status).
const FORWARDED: &[libc::c_int] = &[
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGWINCH,
];

/// Blocks the forwarded signals in this (still single-threaded) process; a thread started
/// later waits for them with `sigwait`.
fn block_forwarded_signals() -> libc::sigset_t {
    // SAFETY: sigset manipulation on a local, zero-initialised set; pthread_sigmask on self.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in FORWARDED {
            libc::sigaddset(&mut set, *s);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    }
}

/// Forwards every blocked signal creor receives to the sandbox (Ctrl-C at the terminal, a
/// `kill -TERM` from a script).
fn forward_signals(set: libc::sigset_t, to: creor_sandbox::Signaller) {
    std::thread::spawn(move || loop {
        let mut sig: libc::c_int = 0;
        // SAFETY: valid set and out-pointer.
        if unsafe { libc::sigwait(&set, &mut sig) } == 0 {
            let _ = to.signal(sig);
        }
    });
}

/// Runs the helper mode: never returns.
#[cfg(target_os = "linux")]
pub fn helper(_args: HelperArgs) -> anyhow::Result<ExitCode> {
    creor_sandbox::linux::helper_main()
}

/// The helper mode exists only on Linux.
#[cfg(not(target_os = "linux"))]
pub fn helper(_args: HelperArgs) -> anyhow::Result<ExitCode> {
    super::not_built("creor __sandbox-helper")
}
