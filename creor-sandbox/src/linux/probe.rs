//! What this kernel offers the sandbox, for `creor doctor`: user namespaces (and what blocks
//! them), landlock ABI, seccomp, cgroup v2 delegation, idmapped-mount support, and an
//! end-to-end trial run. Each check says what creor does with it and how to fix a gap.

use std::path::Path;

use serde::Serialize;

use super::{idmap, landlock};
use crate::command::Command;
use crate::policy::SandboxPolicy;

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Short name (`user namespaces`, `landlock`, …).
    pub name: String,
    /// Whether creor can rely on it.
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// How to fix it, when not ok.
    pub fix: Option<String>,
}

fn check(name: &str, ok: bool, detail: String, fix: Option<&str>) -> Check {
    Check {
        name: name.into(),
        ok,
        detail,
        fix: if ok { None } else { fix.map(str::to_string) },
    }
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// Kernel facts that need no sandbox run.
pub fn kernel_checks() -> Vec<Check> {
    let root = nix::unistd::geteuid().is_root();
    let mut out = vec![check(
        "privileges",
        true,
        if root {
            format!(
                "running as root: the sandbox maps to host uid {} and binds writable trees \
                 through idmapped mounts",
                idmap::SANDBOX_HOST_ID
            )
        } else {
            "running as a normal user: the sandbox keeps your uid".into()
        },
        None,
    )];
    let max = read("/proc/sys/user/max_user_namespaces");
    let apparmor = read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
    let debian = read("/proc/sys/kernel/unprivileged_userns_clone");
    let mut detail = format!(
        "user.max_user_namespaces={}",
        max.as_deref().unwrap_or("missing")
    );
    if let Some(a) = &apparmor {
        detail.push_str(&format!(
            ", kernel.apparmor_restrict_unprivileged_userns={a}"
        ));
    }
    if let Some(d) = &debian {
        detail.push_str(&format!(", kernel.unprivileged_userns_clone={d}"));
    }
    let blocked_for_users = apparmor.as_deref() == Some("1") || debian.as_deref() == Some("0");
    let ok = max.as_deref().is_some_and(|m| m != "0") && (root || !blocked_for_users);
    out.push(check(
        "user namespaces (sysctls)",
        ok,
        detail,
        Some(
            "`sudo sysctl user.max_user_namespaces=15000`; on Ubuntu 24.04 also \
             `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` (or an AppArmor \
             profile allowing userns for creor)",
        ),
    ));
    let abi = landlock::abi_version();
    out.push(check(
        "landlock",
        abi > 0,
        if abi > 0 {
            format!(
                "ABI v{abi}: every filesystem right of this ABI is enforced{}",
                if abi >= 6 {
                    ", plus abstract-socket and signal scopes"
                } else {
                    ""
                }
            )
        } else {
            "not available".into()
        },
        Some("boot a kernel ≥ 5.13 with landlock in `lsm=` (e.g. lsm=landlock,lockdown,yama,…)"),
    ));
    let status = read("/proc/self/status").unwrap_or_default();
    let mode = status
        .lines()
        .find_map(|l| l.strip_prefix("Seccomp:"))
        .map(|s| s.trim().to_string());
    out.push(check(
        "seccomp",
        mode.is_some(),
        match mode.as_deref() {
            Some("0") => "available; creor itself runs unfiltered".into(),
            Some(m) => format!(
                "available; creor already runs under a seccomp filter (mode {m}: a container \
                 runtime?) which may refuse namespaces"
            ),
            None => "not available".into(),
        },
        Some("a kernel with CONFIG_SECCOMP_FILTER"),
    ));
    out.push(cgroup_check());
    out
}

fn cgroup_check() -> Check {
    let own = read("/proc/self/cgroup").unwrap_or_default();
    let v2 = own
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .map(str::to_string);
    let mount = if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
        Some("/sys/fs/cgroup")
    } else if Path::new("/sys/fs/cgroup/unified/cgroup.controllers").exists() {
        Some("/sys/fs/cgroup/unified")
    } else {
        None
    };
    let (ok, detail) = match (mount, v2) {
        (Some(m), Some(path)) => {
            let dir = Path::new(m).join(path.trim_start_matches('/'));
            let writable =
                nix::unistd::access(&dir.join("cgroup.procs"), nix::unistd::AccessFlags::W_OK)
                    .is_ok();
            (
                writable,
                format!(
                    "cgroup v2 at {m}, creor's cgroup {} is {}; creor uses rlimits \
                     (RLIMIT_NPROC per user namespace, RLIMIT_AS) for now",
                    dir.display(),
                    if writable {
                        "delegated (writable)"
                    } else {
                        "not delegated"
                    }
                ),
            )
        }
        _ => (
            false,
            "no cgroup v2 hierarchy; creor uses rlimits (RLIMIT_NPROC per user namespace, \
             RLIMIT_AS) instead of memory.max/pids.max"
                .into(),
        ),
    };
    Check {
        name: "cgroup v2 delegation".into(),
        ok,
        detail,
        fix: if ok {
            None
        } else {
            Some("optional: run creor in a systemd user scope with delegation (`systemd-run --user --scope -p Delegate=yes creor …`)".into())
        },
    }
}

/// Runs `true` in a real sandbox for `policy` (the end-to-end check, including idmapped
/// mounts of the project when root).
pub fn trial_run(policy: &SandboxPolicy, helper: Option<&Path>) -> Check {
    let mut cmd = Command::new("true")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(h) = helper {
        cmd = cmd.helper(h);
    }
    let fs = idmap::fs_type(&policy.project).unwrap_or_else(|| "unknown".into());
    match super::run(policy, cmd) {
        Ok(s) if s.success() => check(
            "sandbox trial (`true`)",
            true,
            format!(
                "namespaces, mounts, landlock, seccomp all applied; project on {fs}{}",
                if nix::unistd::geteuid().is_root() {
                    " (idmapped mount works)"
                } else {
                    ""
                }
            ),
            None,
        ),
        Ok(s) => check(
            "sandbox trial (`true`)",
            false,
            format!("`true` exited {}", s.code()),
            Some("report a bug"),
        ),
        Err(e) => Check {
            name: "sandbox trial (`true`)".into(),
            ok: false,
            detail: e.to_string(),
            fix: Some(if policy.allow_degraded {
                "fix the step named above; the degraded mode is opted in".into()
            } else {
                "fix the step named above (the reason says how), or opt in to the degraded \
                 landlock+seccomp mode with sandbox.allowDegraded"
                    .into()
            }),
        },
    }
}
