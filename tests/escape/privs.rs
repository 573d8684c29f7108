//! Privileges: capabilities, no_new_privs, setuid/file-capability binaries, the host uid of
//! sandboxed processes.

use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::support::world::set_mode;
use crate::support::{host, ignore, unique, Case, Out, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("privs", capabilities_dropped_and_no_new_privs),
        case!("privs", host_uid_of_sandboxed_process),
        case!("privs", setuid_root_binary_gains_nothing),
        case!("privs", file_capabilities_gain_nothing),
        case!("privs", setuid_zero_refused),
        case!("privs", sethostname_does_not_touch_host),
        case!("privs", mknod_device_refused),
        case!("privs", su_to_root_fails),
    ]
}

fn status_field<'a>(out: &'a Out, key: &str) -> Option<&'a str> {
    out.data()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .map(str::trim)
}

fn check_no_caps(out: &Out) -> Outcome {
    out.succeeded()?;
    for key in ["CapInh:", "CapPrm:", "CapEff:", "CapAmb:"] {
        let v = status_field(out, key).unwrap_or("?");
        ensure!(
            v == "0000000000000000",
            "{key} is {v}, expected 0000000000000000\n{out}"
        );
    }
    Ok(())
}

fn capabilities_dropped_and_no_new_privs(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["read", "/proc/self/status"]);
    check_no_caps(&out)?;
    let nnp = status_field(&out, "NoNewPrivs:").unwrap_or("?");
    ensure!(nnp == "1", "NoNewPrivs is {nnp}, expected 1\n{out}");
    let sc = status_field(&out, "Seccomp:").unwrap_or("?");
    ensure!(
        sc == "2",
        "Seccomp is {sc}, expected 2 (filter mode)\n{out}"
    );
    Ok(())
}

/// As root the sandbox must map to an unprivileged host uid (never 0→0); as a user, to itself.
fn host_uid_of_sandboxed_process(r: &mut Run) -> Outcome {
    let token = unique("uidcheck");
    let (mut child, shown) = r.exec(&[r.probe(), "hold".into(), token.clone()]).spawn()?;
    let probe = r.probe();
    let mut found = Vec::new();
    let seen = host::wait_until(Duration::from_secs(10), || {
        found = host::procs_with(&token)
            .into_iter()
            .filter(|(_, c)| c.starts_with(&probe))
            .collect();
        !found.is_empty()
    });
    let uids: Vec<_> = found
        .iter()
        .map(|(p, _)| (*p, host::proc_uids(*p)))
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    ensure!(
        seen,
        "the sandboxed process never appeared on the host\n  command: {shown}"
    );
    for (pid, u) in uids {
        let u = u.ok_or(format!("cannot read uids of host pid {pid}"))?;
        if r.world.id.is_root() {
            ensure!(
                u.iter().all(|&x| x != 0),
                "sandboxed pid {pid} runs as host uid {u:?}: root maps to root\n  command: {shown}"
            );
        } else {
            ensure!(
                u.iter().all(|&x| x == r.world.id.uid),
                "sandboxed pid {pid} runs as host uids {u:?}, expected {}\n  command: {shown}",
                r.world.id.uid
            );
        }
    }
    Ok(())
}

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn parse_ids(out: &Out) -> Result<(u32, u32), String> {
    out.succeeded()?;
    let field = |k: &str| -> Option<u32> {
        out.first()
            .split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .and_then(|v| v.parse().ok())
    };
    match (field("uid="), field("euid=")) {
        (Some(u), Some(e)) => Ok((u, e)),
        _ => Err(format!("cannot parse ids\n{out}")),
    }
}

/// A setuid-root binary in the project: with no_new_privs, exec must not change the euid.
fn setuid_root_binary_gains_nothing(r: &mut Run) -> Outcome {
    if !is_root() {
        return ignore("needs root to create a setuid-root binary");
    }
    let suid = r.project.join(".tools/suid-probe");
    fs::copy(&r.world.probe, &suid).map_err(|e| e.to_string())?;
    std::os::unix::fs::chown(&suid, Some(0), Some(0)).map_err(|e| e.to_string())?;
    set_mode(&suid, 0o4755)?;
    let s = suid.display().to_string();
    let out = r.exec(&[s.as_str(), "ids"]).output();
    let (uid, euid) = parse_ids(&out)?;
    ensure!(
        uid == euid,
        "ESCAPE: setuid binary changed euid {uid} -> {euid}\n{out}"
    );
    let st = r.exec(&[s.as_str(), "read", "/proc/self/status"]).output();
    check_no_caps(&st)
}

/// A binary carrying `security.capability` (CAP_DAC_OVERRIDE|CAP_SYS_ADMIN, effective).
fn file_capabilities_gain_nothing(r: &mut Run) -> Outcome {
    if !is_root() {
        return ignore("needs root to set file capabilities");
    }
    let capbin = r.project.join(".tools/cap-probe");
    fs::copy(&r.world.probe, &capbin).map_err(|e| e.to_string())?;
    set_mode(&capbin, 0o755)?;
    // vfs_cap_data v2: magic_etc, then (permitted, inheritable) for words 0 and 1.
    let perm: u32 = (1 << 1) | (1 << 21);
    let mut data = Vec::new();
    for w in [0x0200_0001u32, perm, 0, 0, 0] {
        data.extend_from_slice(&w.to_le_bytes());
    }
    let path = std::ffi::CString::new(capbin.display().to_string()).map_err(|e| e.to_string())?;
    // SAFETY: valid C strings and a buffer of the given length.
    let rc = unsafe {
        libc::setxattr(
            path.as_ptr(),
            c"security.capability".as_ptr(),
            data.as_ptr().cast(),
            data.len(),
            0,
        )
    };
    ensure!(
        rc == 0,
        "setxattr security.capability: {}",
        std::io::Error::last_os_error()
    );
    let out = r
        .exec(&[
            capbin.display().to_string(),
            "read".into(),
            "/proc/self/status".into(),
        ])
        .output();
    check_no_caps(&out)
}

fn setuid_zero_refused(r: &mut Run) -> Outcome {
    let ids = r.probe_in(&["ids"]);
    let (uid, _) = parse_ids(&ids)?;
    if uid == 0 {
        // Root inside a user namespace: setuid(0) is a no-op; what matters is that no
        // capability is held (checked here through the same process image).
        return check_no_caps(&r.probe_in(&["read", "/proc/self/status"]));
    }
    // EINVAL: uid 0 is not even mapped in the sandbox's user namespace.
    r.probe_in(&["sys", "setuid0"])
        .refused(&["EPERM", "EINVAL"])
}

fn sethostname_does_not_touch_host(r: &mut Run) -> Outcome {
    let path = Path::new("/proc/sys/kernel/hostname");
    let before = fs::read(path).ok();
    let out = r.probe_in(&["sys", "sethostname"]);
    let verdict = out.refused(&["EPERM"]);
    host::unchanged(path, &before).map_err(|e| format!("{e}\n{out}"))?;
    verdict
}

fn mknod_device_refused(r: &mut Run) -> Outcome {
    let p = r.p("mem-node");
    let out = r.probe_in(&["mknod", &p]);
    out.refused(&["EPERM", "EACCES"])?;
    host::absent(Path::new(&p))
}

fn su_to_root_fails(r: &mut Run) -> Outcome {
    let su = ["/usr/bin/su", "/bin/su"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(su) = su else {
        return ignore("no su binary on this host");
    };
    let marker = r.p("su-ran");
    let out = r
        .exec(&[su, "-c", &format!("touch {marker}"), "root"])
        .output();
    ensure!(out.code() != 0, "su succeeded inside the sandbox\n{out}");
    host::absent(Path::new(&marker)).map_err(|e| format!("{e}\n{out}"))
}
