//! `creor sandbox profile`: print the Seatbelt profile or the Linux plan creor would use for a
//! project, on any platform, so users and reviewers can read what the sandbox enforces.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use creor_core::sandbox_policy::{self, PolicyOptions};
use creor_sandbox::seatbelt::SeatbeltOptions;
use creor_sandbox::seatbelt::{self, profile::FLOOR_HIDDEN};
use creor_sandbox::{NetworkPolicy, SandboxPolicy, TmpDir};

use super::sandbox_flags::SandboxFlags;
use super::Exit;

/// Proxy port shown for `allow_specific` when no proxy runs: `creor exec` uses the port the
/// session's proxy bound. 3128 is the conventional HTTP proxy port.
pub const PLACEHOLDER_PROXY_PORT: u16 = 3128;

/// Proxy socket shown for `allow_specific` (Linux plan) when no proxy runs.
pub const PLACEHOLDER_PROXY_SOCKET: &str = "<state-dir>/proxy.sock";

/// Name of the fresh temp dir shown in the macOS profile: `creor exec` creates a new private
/// directory with a unique name under `$TMPDIR` for every command.
pub const PLACEHOLDER_TMP_NAME: &str = "creor-tmp-XXXXXX";

/// `creor sandbox …`
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Print the sandbox profile (macOS) or plan (Linux) `creor exec` would use.
    Profile(ProfileArgs),
}

/// Arguments of `creor sandbox profile`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// `macos` (Seatbelt profile) or `linux` (mounts, landlock, seccomp). Default: this OS.
    #[arg(long, value_parser = ["macos", "linux"])]
    pub platform: Option<String>,
    /// Project, profile and network, as for `creor exec`.
    #[command(flatten)]
    pub flags: SandboxFlags,
    /// macOS: let commands reach trustd, which Go tools need to verify TLS certificates.
    #[arg(long)]
    pub allow_trustd: bool,
    /// macOS: a unix socket commands may connect to (repeatable); all others are refused.
    #[arg(long = "allow-unix-socket", value_name = "PATH")]
    pub allow_unix_socket: Vec<PathBuf>,
}

/// Runs `creor sandbox`.
pub fn run(cmd: SandboxCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SandboxCommand::Profile(args) => profile(&args),
    }
}

fn profile(args: &ProfileArgs) -> anyhow::Result<ExitCode> {
    let project = match &args.flags.project {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("current directory")?,
    };
    let config = args.flags.load(project, None)?;
    let policy = sandbox_policy::build(
        &config,
        &PolicyOptions {
            cwd: None,
            session_tmp: None,
            proxy: Some((
                PathBuf::from(PLACEHOLDER_PROXY_SOCKET),
                PLACEHOLDER_PROXY_PORT,
                "placeholder".into(),
            )),
            ..PolicyOptions::default()
        },
    )
    .map_err(|e| Exit::config(e.to_string()))?;
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    let platform = args
        .platform
        .as_deref()
        .unwrap_or(if cfg!(target_os = "macos") {
            "macos"
        } else {
            "linux"
        });
    let text = if platform == "macos" {
        macos_profile(args, &policy, home)?
    } else {
        describe_linux(&policy, home.as_deref())
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn macos_profile(
    args: &ProfileArgs,
    policy: &SandboxPolicy,
    home: Option<PathBuf>,
) -> anyhow::Result<String> {
    let opts = SeatbeltOptions {
        home,
        tmp_dir: Some(std::env::temp_dir().join(PLACEHOLDER_TMP_NAME)),
        allow_trustd: args.allow_trustd,
        unix_sockets: args.allow_unix_socket.clone(),
    };
    let profile = seatbelt::generate(policy, &opts).map_err(|e| Exit {
        code: 125,
        message: e.to_string(),
    })?;
    // Comments only: creor's own text, never a path (a path could carry a newline).
    let mut out = String::from("; Seatbelt profile `creor exec` passes to `sandbox-exec -p`.\n");
    if matches!(policy.tmp, TmpDir::Fresh { .. }) {
        let _ = writeln!(
            out,
            "; placeholder: {PLACEHOLDER_TMP_NAME} stands for the fresh temp dir created per command."
        );
    }
    if matches!(policy.network, NetworkPolicy::AllowSpecific { .. }) {
        let _ = writeln!(
            out,
            "; placeholder: port {PLACEHOLDER_PROXY_PORT} stands for the port of the session's proxy."
        );
    }
    out.push('\n');
    out.push_str(&profile);
    Ok(out)
}

/// A path for display: control characters escaped, so a hostile name cannot forge lines.
fn show(path: &Path) -> String {
    path.to_string_lossy()
        .chars()
        .flat_map(|c| -> Box<dyn Iterator<Item = char>> {
            if c.is_control() {
                Box::new(c.escape_debug())
            } else {
                Box::new(std::iter::once(c))
            }
        })
        .collect()
}

/// The Linux plan `creor exec` would run for `policy`: the backend's own description (every
/// mount, landlock rule, seccomp entry and limit, from the same plan the helper applies), plus
/// the home floor paths that no bind exposes and so appear nowhere in that plan.
#[cfg(target_os = "linux")]
pub fn describe_linux(policy: &SandboxPolicy, home: Option<&Path>) -> String {
    let mut out = String::from("Linux sandbox plan for `creor exec`\n\n");
    out.push_str(&creor_sandbox::linux::describe(policy));
    out.push_str("hidden (never mounted):\n");
    for p in hidden_paths(policy, home) {
        let _ = writeln!(out, "  absent      {}  (hidden, never mounted)", show(&p));
    }
    out
}

/// Every hidden path: the policy's plus the home floor.
fn hidden_paths(policy: &SandboxPolicy, home: Option<&Path>) -> Vec<PathBuf> {
    let mut hidden: Vec<PathBuf> = policy.hidden.clone();
    if let Some(home) = home {
        for p in FLOOR_HIDDEN.iter().map(|d| home.join(d)) {
            if !hidden.contains(&p) {
                hidden.push(p);
            }
        }
    }
    hidden
}

/// Off Linux the backend is not built: a summary of the Linux plan written from the policy's
/// fields, for reviewers on other systems.
#[cfg(not(target_os = "linux"))]
pub fn describe_linux(policy: &SandboxPolicy, home: Option<&Path>) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line("Linux sandbox plan for `creor exec`".into());
    line(String::new());
    line(format!(
        "namespaces: user (mapped to an unprivileged uid), mount, pid, {}ipc, uts",
        if matches!(policy.network, NetworkPolicy::AllowAll) {
            ""
        } else {
            "net, "
        }
    ));
    line(match &policy.network {
        NetworkPolicy::BlockAll => {
            "network: block_all - own network namespace, loopback only".into()
        }
        NetworkPolicy::AllowSpecific {
            port, proxy_socket, ..
        } => format!(
            "network: allow_specific - own network namespace; 127.0.0.1:{port} forwards to \
             creor's proxy at {} (allowed hosts only)",
            show(proxy_socket)
        ),
        NetworkPolicy::AllowAll => {
            "network: allow_all - host network (host loopback and metadata reachable)".into()
        }
    });
    line(String::new());
    line("mounts (a new root built from an allowlist):".into());
    for dir in ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/opt"] {
        line(format!("  read-only   {dir}  (system, if present)"));
    }
    line(format!(
        "  read-write  {}  (project)",
        show(&policy.project)
    ));
    for p in &policy.read_write {
        line(format!("  read-write  {}  (grant)", show(p)));
    }
    for p in &policy.read_only {
        line(format!("  read-only   {}  (grant)", show(p)));
    }
    let mut protected: Vec<PathBuf> = policy.protected.clone();
    for p in seatbelt::profile::FLOOR_PROTECTED
        .iter()
        .map(|d| policy.project.join(d))
    {
        if !protected.contains(&p) {
            protected.push(p);
        }
    }
    for p in &protected {
        line(format!(
            "  read-only   {}  (protected, re-bound over the project)",
            show(p)
        ));
    }
    for p in &hidden_paths(policy, home) {
        line(format!(
            "  absent      {}  (hidden, never mounted)",
            show(p)
        ));
    }
    line(match &policy.tmp {
        TmpDir::Fresh { size_bytes } => {
            format!("  tmpfs       /tmp  (fresh, {size_bytes} bytes)")
        }
        TmpDir::Session {
            host_dir,
            size_bytes,
        } => format!(
            "  bind        /tmp  <- {} (session, {size_bytes} bytes)",
            show(host_dir)
        ),
    });
    line("  devices     /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty".into());
    line("  proc        fresh /proc, /proc/sys read-only".into());
    line(String::new());
    line(
        "landlock: write only the project, read-write grants, /tmp and /dev/{null,zero,full}; \
          read and execute the mounted trees"
            .into(),
    );
    line(
        "seccomp: refuses new namespaces, io_uring, keyring calls, TIOCSTI, \
          AF_VSOCK/AF_PACKET/raw sockets, personality changes"
            .into(),
    );
    line("process: new session (setsid), no capabilities, no_new_privs, fds above 2 closed".into());
    out
}
