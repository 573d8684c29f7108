//! Host-side observation: processes, files and sockets, checked before and after an attack.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// Host processes whose command line contains `token` (excluding the harness itself).
pub fn procs_with(token: &str) -> Vec<(u32, String)> {
    let me = std::process::id();
    let mut out = Vec::new();
    let Ok(dir) = fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if pid == me {
            continue;
        }
        if let Ok(raw) = fs::read(format!("/proc/{pid}/cmdline")) {
            let cmd = String::from_utf8_lossy(&raw).replace('\0', " ");
            if cmd.contains(token) {
                out.push((pid, cmd.trim_end().to_string()));
            }
        }
    }
    out
}

/// Polls `f` every 20 ms until it holds or `limit` passes; returns whether it held.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if f() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Host uids (real, effective, saved, fs) of a process, from `/proc/PID/status`.
pub fn proc_uids(pid: u32) -> Option<Vec<u32>> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    Some(
        line.split_whitespace()
            .skip(1)
            .filter_map(|s| s.parse().ok())
            .collect(),
    )
}

/// One id line (`Uid:` or `Gid:`: real, effective, saved, fs) of `/proc/PID/status`.
pub fn proc_ids(pid: u32, key: &str) -> Option<Vec<u32>> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    Some(
        line.split_whitespace()
            .skip(1)
            .filter_map(|s| s.parse().ok())
            .collect(),
    )
}

/// True if a process with this pid exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => !s
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
        Err(_) => false,
    }
}

/// Fails unless the file's content is exactly `before` (None = must not exist).
pub fn unchanged(p: &Path, before: &Option<Vec<u8>>) -> Result<(), String> {
    let now = fs::read(p).ok();
    if &now == before {
        Ok(())
    } else {
        Err(format!(
            "HOST STATE CHANGED: {} was {:?}, is now {:?}",
            p.display(),
            before
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            now.as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
        ))
    }
}

/// Fails if anything exists at `p` (not following a final symlink).
pub fn absent(p: &Path) -> Result<(), String> {
    match fs::symlink_metadata(p) {
        Err(_) => Ok(()),
        Ok(m) => Err(format!(
            "HOST STATE CHANGED: {} exists on the host ({:?})",
            p.display(),
            m.file_type()
        )),
    }
}

/// A non-loopback IPv4 address of this host (source address of the default route).
pub fn host_ip() -> Result<String, String> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").map_err(|e| e.to_string())?;
    // connect() on UDP sends nothing; it only selects a route and source address.
    s.connect("192.0.2.250:9")
        .or_else(|_| s.connect("10.255.255.254:9"))
        .map_err(|e| {
            format!("no IPv4 route on this host ({e}); the external-address test needs one")
        })?;
    let ip = s.local_addr().map_err(|e| e.to_string())?.ip();
    if ip.is_loopback() || ip.is_unspecified() {
        return Err(format!("host has no non-loopback IPv4 address (got {ip})"));
    }
    Ok(ip.to_string())
}
