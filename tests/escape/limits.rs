//! Resource exhaustion: fork bombs, huge files, core dumps.

use std::fs;
use std::process::Command;
use std::time::Duration;

use crate::support::{host, Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("limits", fork_bomb_is_capped),
        case!("limits", huge_file_is_capped),
        case!("limits", core_dumps_disabled),
        case!("limits", tmp_is_size_capped),
        case!("limits", nproc_limit_cannot_be_raised),
        case!("limits", fsize_limit_cannot_be_raised),
    ]
}

/// Children past this many mean "no cap": the probe stops there rather than hurt the host.
const BOMB_CEILING: &str = "3000";

fn fork_bomb_is_capped(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["forkbomb", BOMB_CEILING]);
    let first = out.first().to_string();
    let mut words = first.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("err"), Some("EAGAIN"), Some(n)) => {
            let n: u32 = n.parse().map_err(|_| format!("bad count\n{out}"))?;
            ensure!(n > 0, "not even one fork worked\n{out}");
        }
        (Some("ok"), _, _) => {
            return Err(format!(
                "ESCAPE: {BOMB_CEILING} processes forked without hitting a cap\n{out}"
            ))
        }
        _ => return Err(format!("expected the fork to fail with EAGAIN\n{out}")),
    }
    let probe = r.probe();
    let gone = host::wait_until(Duration::from_secs(5), || {
        host::procs_with(&probe).is_empty()
    });
    ensure!(
        gone,
        "bomb processes survive on the host: {:?}",
        host::procs_with(&probe).len()
    );
    let st = Command::new("true")
        .status()
        .map_err(|e| format!("host cannot fork after the bomb: {e}"))?;
    ensure!(st.success(), "host `true` failed after the bomb");
    Ok(())
}

fn huge_file_is_capped(r: &mut Run) -> Outcome {
    let p = r.p("huge.bin");
    let out = r.probe_in(&["bigfile", &p]);
    let size = fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
    let _ = fs::remove_file(&p);
    out.refused(&["EFBIG"])?;
    ensure!(
        size < 1 << 40,
        "a {size}-byte file landed on the host\n{out}"
    );
    Ok(())
}

fn core_dumps_disabled(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["read", "/proc/self/limits"]);
    out.succeeded()?;
    let line = out
        .data()
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or("");
    let soft = line.split_whitespace().nth(4).unwrap_or("?");
    ensure!(
        soft == "0",
        "RLIMIT_CORE soft limit is {soft}, expected 0\n{out}"
    );
    Ok(())
}

/// The private `/tmp` is RAM (tmpfs): uncapped, it lets a command eat half the host's memory.
/// Its size must be explicitly smaller than tmpfs's default (half of RAM).
fn tmp_is_size_capped(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["statfs", "/tmp"]);
    out.succeeded()?;
    let size: u64 = out
        .first()
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .ok_or(format!("bad statfs answer\n{out}"))?;
    let meminfo = fs::read_to_string("/proc/meminfo").map_err(|e| e.to_string())?;
    let mem_kb: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or("cannot read MemTotal")?;
    // tmpfs's default is half of RAM, rounded down to pages: demand clearly less.
    let half = mem_kb * 1024 / 2 / 10 * 9;
    ensure!(
        size > 0 && size < half,
        "/tmp inside is {size} bytes; expected an explicit cap below 90% of tmpfs's default ({half})\n{out}"
    );
    Ok(())
}

/// The caps are only worth something if the command cannot lift its hard limits.
fn nproc_limit_cannot_be_raised(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["raise-rlimit", "nproc"]);
    ensure!(
        out.first() != "unlimited",
        "RLIMIT_NPROC hard limit is unlimited inside\n{out}"
    );
    out.refused(&["EPERM"])
}

fn fsize_limit_cannot_be_raised(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["raise-rlimit", "fsize"]);
    ensure!(
        out.first() != "unlimited",
        "RLIMIT_FSIZE hard limit is unlimited inside\n{out}"
    );
    out.refused(&["EPERM"])
}
