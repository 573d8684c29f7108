//! The Linux backend: a helper process builds user, mount, pid, net, ipc, uts and cgroup
//! namespaces, a root from an allowlist of mounts, and runs the command under landlock,
//! seccomp, no capabilities and rlimits.
//!
//! Stages, in order (DESIGN.md §5): the parent validates paths and compiles seccomp
//! ([`plan`], [`spawn`]) → the helper clones pid 1 into new namespaces and writes its id maps
//! ([`helper`], [`namespaces`], [`idmap`]) → pid 1 builds the root and pivots ([`pid1`],
//! [`mounts`]), brings `lo` up ([`net`]) → the command child applies rlimits, landlock, drops
//! capabilities, installs seccomp last and executes ([`child`], [`limits`], [`landlock`],
//! [`caps`], [`seccomp`]). Each stage has a pure `plan_*` function, unit-tested, and a short
//! function that makes the syscalls.

pub mod caps;
pub mod child;
pub mod forwarder;
pub mod helper;
pub mod idmap;
pub mod journal;
pub mod landlock;
pub mod limits;
pub mod mounts;
pub mod namespaces;
pub mod net;
pub mod pid1;
pub mod plan;
pub mod probe;
pub mod protect;
pub mod relay;
pub mod seccomp;
pub mod spawn;
pub mod ssh_proxy;
pub mod sys;
pub mod wire;

use std::fmt::Write;

pub use helper::helper_main;
pub use spawn::{exec_replace, run, spawn, Child, Signaller, Stopper};

use crate::policy::SandboxPolicy;
use mounts::MountOp;

/// The Linux plan for `policy`, as text: namespaces, id maps, every mount, landlock rules,
/// seccomp table and limits. What `creor sandbox profile --platform linux` prints.
pub fn describe(policy: &SandboxPolicy) -> String {
    let plan = match plan::build(policy, &"COMMAND".into(), &[]) {
        Ok(p) => p,
        Err(e) => return format!("# this policy cannot run: {e}\n"),
    };
    let mut out = String::new();
    let _ = writeln!(out, "# creor Linux sandbox plan");
    let _ = writeln!(
        out,
        "namespaces: {}",
        namespaces::flag_names(plan.clone_flags).join(", ")
    );
    let _ = writeln!(
        out,
        "ids: inside uid {} gid {} = host uid {} gid {}{}",
        plan.ids.inside_uid,
        plan.ids.inside_gid,
        plan.ids.host_uid,
        plan.ids.host_gid,
        if plan.ids.needs_idmap() {
            " (writable trees through idmapped mounts)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "root: tmpfs, read-only after setup; pivot_root; old root detached"
    );
    for op in &plan.mounts {
        let line = match op {
            MountOp::Bind {
                src,
                dst,
                writable,
                idmap,
                dev,
                ..
            } => format!(
                "  bind {:<3} {}{}{}{}",
                if *writable && !dev { "rw" } else { "ro" },
                dst.display(),
                if src != dst {
                    format!(" <- {}", src.display())
                } else {
                    String::new()
                },
                if *idmap { " (idmapped)" } else { "" },
                if *dev { " (device)" } else { "" }
            ),
            MountOp::Tmpfs { dst, size, mode } => {
                format!("  tmpfs  {} size={size} mode={mode:o}", dst.display())
            }
            MountOp::Dir { dst } => format!("  dir    {} (empty, read-only)", dst.display()),
            MountOp::Symlink { dst, target } => {
                format!("  link   {} -> {}", dst.display(), target.display())
            }
            MountOp::Proc => "  proc   /proc (fresh, this pid namespace)".into(),
            MountOp::ProcReadOnly { dst } => format!("  bind ro {}", dst.display()),
            MountOp::Devpts => "  devpts /dev/pts (new instance)".into(),
            MountOp::Hide { dst, .. } => format!("  hide   {}", dst.display()),
            MountOp::ReadOnly { dst } => format!("  ro     {}", dst.display()),
        };
        let _ = writeln!(out, "{line}");
    }
    for p in &plan.revert {
        let _ = writeln!(
            out,
            "  absent {} (protected; removed after the run if the command creates it)",
            p.display()
        );
    }
    if let Some(j) = &plan.journal {
        let _ = writeln!(
            out,
            "revert journal: {} (if creor is killed before the removal, the next run renames \
             those paths aside)",
            j.dir.display()
        );
    }
    let _ = writeln!(
        out,
        "network: {}",
        match (&plan.forward, plan.own_netns) {
            (Some(f), _) => format!(
                "allow_specific - own namespace, lo only; forwarder 127.0.0.1:{} -> {} (creor's \
                 proxy, run by the helper outside the sandbox); proxy variables set",
                f.port,
                f.socket.display()
            ),
            (None, true) => "block_all - own namespace, lo only".to_string(),
            (None, false) => {
                "allow_all - host network (host loopback and metadata reachable)".to_string()
            }
        }
    );
    let _ = writeln!(
        out,
        "landlock (all rights of the running ABI handled; scopes: abstract unix sockets, signals):"
    );
    for r in &plan.landlock {
        let _ = writeln!(out, "  {:?} {}", r.grant, r.path.display());
    }
    out.push_str(&seccomp::describe());
    let _ = writeln!(out, "rlimits:");
    for l in &plan.rlimits {
        let _ = writeln!(out, "  {} = {}", l.name, l.value);
    }
    let _ = writeln!(
        out,
        "command child: close_range(3..), setsid, rlimits, landlock, drop all capabilities + \
         no_new_privs, seccomp, execve; {} environment variables",
        plan.env.len()
    );
    out
}
