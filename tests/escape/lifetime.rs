//! Process lifetime: nothing the command starts may outlive it, its timeout, or creor itself.
//! A process-group kill misses `setsid` children; killing the sandbox's pid 1 ends them all.

use std::time::{Duration, Instant};

use crate::support::run::drain_child;
use crate::support::{host, unique, Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("lifetime", timeout_kills_setsid_daemon),
        case!("lifetime", sigkill_of_creor_leaves_no_process),
        case!("lifetime", daemon_does_not_outlive_command),
        case!("lifetime", sigterm_of_creor_leaves_no_process),
        case!("lifetime", sigint_of_creor_leaves_no_process),
    ]
}

fn sandboxed(token: &str, probe: &str) -> Vec<(u32, String)> {
    host::procs_with(token)
        .into_iter()
        .filter(|(_, c)| c.starts_with(probe))
        .collect()
}

/// `sh -c 'probe hold T daemon; probe hold T'`: a double-forked, setsid'ed, signal-ignoring
/// daemon plus a foreground holder.
fn script(r: &Run, token: &str) -> String {
    format!(
        "{p} hold {token} daemon >/dev/null; exec {p} hold {token}",
        p = r.probe()
    )
}

fn timeout_kills_setsid_daemon(r: &mut Run) -> Outcome {
    let token = unique("timeout");
    let probe = r.probe();
    let start = Instant::now();
    let (mut child, shown) = r
        .exec(&["/bin/sh", "-c", &script(r, &token)])
        .flags(&["--timeout", "2"])
        .spawn()?;
    let out_t = drain_child(child.stdout.take());
    let err_t = drain_child(child.stderr.take());
    let both = host::wait_until(Duration::from_secs(10), || {
        sandboxed(&token, &probe).len() >= 2
    });
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break Some(s);
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let report = format!(
        "  command: {shown}\n  status: {status:?}\n  stdout: {}\n  stderr: {}",
        out_t.join().unwrap_or_default(),
        err_t.join().unwrap_or_default()
    );
    ensure!(
        both,
        "the daemon and holder never both ran (precondition)\n{report}"
    );
    ensure!(
        status.is_some(),
        "creor --timeout 2 still running after 30 s\n{report}"
    );
    ensure!(
        !status.is_some_and(|s| s.success()),
        "timed-out command reported success\n{report}"
    );
    let gone = host::wait_until(Duration::from_secs(3), || {
        sandboxed(&token, &probe).is_empty()
    });
    ensure!(
        gone,
        "SURVIVORS after timeout: {:?}\n{report}",
        sandboxed(&token, &probe)
    );
    Ok(())
}

fn sigkill_of_creor_leaves_no_process(r: &mut Run) -> Outcome {
    let token = unique("sigkill");
    let probe = r.probe();
    let (mut child, shown) = r.exec(&["/bin/sh", "-c", &script(r, &token)]).spawn()?;
    let both = host::wait_until(Duration::from_secs(10), || {
        sandboxed(&token, &probe).len() >= 2
    });
    // SIGKILL creor itself (only its pid): no chance to clean up.
    let _ = child.kill();
    let _ = child.wait();
    ensure!(
        both,
        "the daemon and holder never both ran (precondition)\n  command: {shown}"
    );
    let creor = r.world.creor.display().to_string();
    let gone = host::wait_until(Duration::from_secs(5), || {
        sandboxed(&token, &probe).is_empty() && sandboxed(&token, &creor).is_empty()
    });
    ensure!(
        gone,
        "SURVIVORS after SIGKILL of creor: {:?} {:?}\n  command: {shown}",
        sandboxed(&token, &probe),
        sandboxed(&token, &creor)
    );
    Ok(())
}

/// The command exits at once, leaving a daemon: creor returns, and the daemon dies with it.
fn daemon_does_not_outlive_command(r: &mut Run) -> Outcome {
    let token = unique("orphan");
    let probe = r.probe();
    let out = r
        .exec(&[probe.clone(), "hold".into(), token.clone(), "daemon".into()])
        .guard(Duration::from_secs(20))
        .output();
    ensure!(
        !out.hung,
        "creor waited for the daemon instead of ending the sandbox\n{out}"
    );
    out.succeeded()?;
    let gone = host::wait_until(Duration::from_secs(3), || {
        sandboxed(&token, &probe).is_empty()
    });
    ensure!(
        gone,
        "SURVIVOR: {:?} outlived its command\n{out}",
        sandboxed(&token, &probe)
    );
    Ok(())
}

/// Ctrl-C / a supervisor's SIGTERM to creor: creor may exit as it likes, but the sandbox
/// (daemon included) must not outlive it.
fn signal_leaves_nothing(r: &mut Run, sig: libc::c_int, tag: &str) -> Outcome {
    let token = unique(tag);
    let probe = r.probe();
    let (mut child, shown) = r.exec(&["/bin/sh", "-c", &script(r, &token)]).spawn()?;
    let both = host::wait_until(Duration::from_secs(10), || {
        sandboxed(&token, &probe).len() >= 2
    });
    // SAFETY: kill(2) on the pid of the creor process this case spawned.
    unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    let exited = host::wait_until(Duration::from_secs(10), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    if !exited {
        let _ = child.kill();
    }
    let _ = child.wait();
    ensure!(
        both,
        "the daemon and holder never both ran (precondition)\n  command: {shown}"
    );
    ensure!(
        exited,
        "creor ignored signal {sig} for 10 s\n  command: {shown}"
    );
    let gone = host::wait_until(Duration::from_secs(5), || {
        sandboxed(&token, &probe).is_empty()
    });
    ensure!(
        gone,
        "SURVIVORS after signal {sig} to creor: {:?}\n  command: {shown}",
        sandboxed(&token, &probe)
    );
    Ok(())
}

fn sigterm_of_creor_leaves_no_process(r: &mut Run) -> Outcome {
    signal_leaves_nothing(r, libc::SIGTERM, "sigterm")
}

fn sigint_of_creor_leaves_no_process(r: &mut Run) -> Outcome {
    signal_leaves_nothing(r, libc::SIGINT, "sigint")
}
