//! /proc and /sys: host pids invisible, pid 1's environment clean, kernel knobs read-only.

use std::fs;
use std::path::Path;

use crate::support::{host, Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("proc", host_pids_invisible),
        case!("proc", host_pid_entry_unreadable),
        case!("proc", pid1_environ_has_no_secrets),
        case!("proc", core_pattern_not_writable),
        case!("proc", modprobe_path_not_writable),
        case!("proc", proc_sys_vm_not_writable),
        case!("proc", sysrq_trigger_not_writable),
        case!("proc", pid1_mem_not_writable),
        case!("proc", kcore_unreadable),
        case!("proc", sys_uevent_helper_not_writable),
        case!("proc", oom_score_adj_cannot_go_negative),
        case!("proc", cgroup_control_files_not_writable),
    ]
}

fn host_pids_invisible(r: &mut Run) -> Outcome {
    let holder = r.host_holder(&crate::support::unique("pidvis"))?;
    let out = r.probe_in(&["ls", "/proc"]);
    out.succeeded()?;
    let pids: Vec<u32> = out.data().lines().filter_map(|l| l.parse().ok()).collect();
    ensure!(
        !pids.contains(&holder),
        "host pid {holder} is visible in the sandbox's /proc\n{out}"
    );
    ensure!(
        pids.len() < 20,
        "{} pids visible: the sandbox sees the host's processes\n{out}",
        pids.len()
    );
    Ok(())
}

fn host_pid_entry_unreadable(r: &mut Run) -> Outcome {
    let holder = r.host_holder(&crate::support::unique("pident"))?;
    r.probe_in(&["read", &format!("/proc/{holder}/cmdline")])
        .refused(&["ENOENT"])?;
    r.probe_in(&["read", &format!("/proc/{holder}/environ")])
        .refused(&["ENOENT"])
}

/// creor's own environment holds provider keys; the sandbox's pid 1 must not.
fn pid1_environ_has_no_secrets(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["read", "/proc/1/environ"]);
    if !out.first().starts_with("ok") {
        out.refused(&["EACCES", "EPERM", "ENOENT"])?;
    }
    out.lacks(&r.world.secrets())?;
    for name in [
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GITHUB_TOKEN",
        "SSH_AUTH_SOCK",
    ] {
        ensure!(
            !out.stdout.contains(name),
            "{name} is in pid 1's environment\n{out}"
        );
    }
    Ok(())
}

/// As root with a 0→0 mapping this open succeeds even with all caps dropped (DESIGN.md §5).
fn knob_not_writable(r: &Run, path: &str) -> Outcome {
    let before = fs::read(path).ok();
    let out = r.probe_in(&["openw", path]);
    out.refused(&["EROFS", "EACCES", "EPERM", "ENOENT"])?;
    host::unchanged(Path::new(path), &before)
}

fn core_pattern_not_writable(r: &mut Run) -> Outcome {
    knob_not_writable(r, "/proc/sys/kernel/core_pattern")
}

fn modprobe_path_not_writable(r: &mut Run) -> Outcome {
    knob_not_writable(r, "/proc/sys/kernel/modprobe")
}

fn proc_sys_vm_not_writable(r: &mut Run) -> Outcome {
    knob_not_writable(r, "/proc/sys/vm/overcommit_memory")
}

fn sysrq_trigger_not_writable(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["openw", "/proc/sysrq-trigger"]);
    out.refused(&["EROFS", "EACCES", "EPERM", "ENOENT"])
}

fn pid1_mem_not_writable(r: &mut Run) -> Outcome {
    r.probe_in(&["openw", "/proc/1/mem"])
        .refused(&["EACCES", "EPERM", "ENOENT"])
}

fn kcore_unreadable(r: &mut Run) -> Outcome {
    r.probe_in(&["read", "/proc/kcore"])
        .refused(&["EACCES", "EPERM", "ENOENT"])
}

fn sys_uevent_helper_not_writable(r: &mut Run) -> Outcome {
    knob_not_writable(r, "/sys/kernel/uevent_helper")
}

/// Making itself the last thing the OOM killer picks needs CAP_SYS_RESOURCE on the host.
fn oom_score_adj_cannot_go_negative(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["write", "/proc/self/oom_score_adj", "-1000"]);
    out.refused(&["EACCES", "EPERM", "EROFS"])
}

/// A writable cgroup root lets the command move itself out of its limits (or, on cgroup v1,
/// set a `release_agent` the host runs as root).
fn cgroup_control_files_not_writable(r: &mut Run) -> Outcome {
    // Every hierarchy the host has (v2 at the root, or v1 per controller) — found on the host.
    let mut dirs = vec![std::path::PathBuf::from("/sys/fs/cgroup")];
    if let Ok(rd) = fs::read_dir("/sys/fs/cgroup") {
        dirs.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
    }
    let mut tried = 0;
    for d in dirs {
        for name in ["cgroup.procs", "release_agent", "cgroup.subtree_control"] {
            let f = d.join(name);
            if f.exists() {
                tried += 1;
                let path = f.display().to_string();
                if name == "release_agent" {
                    knob_not_writable(r, &path)?;
                } else {
                    // Membership lists change all the time: only the refusal is compared.
                    let out = r.probe_in(&["openw", &path]);
                    out.refused(&["EROFS", "EACCES", "EPERM", "ENOENT"])?;
                }
            }
        }
    }
    ensure!(
        tried > 0,
        "no cgroup control file found on the host to attack"
    );
    Ok(())
}
