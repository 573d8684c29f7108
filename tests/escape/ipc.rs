//! IPC and signals: host SysV objects, POSIX shm, host processes of the same uid.

use std::path::Path;

use crate::support::{host, unique, Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("ipc", sysv_shm_of_host_invisible),
        case!("ipc", sysv_msg_queue_of_host_invisible),
        case!("ipc", posix_shm_file_of_host_invisible),
        case!("ipc", kill_host_process_by_pid),
        case!("ipc", kill_minus_one_spares_host),
        case!("ipc", concurrent_sandboxes_are_isolated),
    ]
}

fn key() -> libc::key_t {
    0x4352_0000 | (std::process::id() as libc::key_t & 0xffff)
}

fn sysv_shm_of_host_invisible(r: &mut Run) -> Outcome {
    let k = key();
    // SAFETY: plain syscall; the segment is removed below.
    let id = unsafe { libc::shmget(k, 4096, libc::IPC_CREAT | 0o666) };
    ensure!(
        id >= 0,
        "host shmget failed: {}",
        std::io::Error::last_os_error()
    );
    let out = r.probe_in(&["shm", &k.to_string()]);
    // SAFETY: removes the segment created above.
    unsafe { libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()) };
    out.refused(&["ENOENT"])
}

fn sysv_msg_queue_of_host_invisible(r: &mut Run) -> Outcome {
    let k = key() + 1;
    // SAFETY: plain syscall; the queue is removed below.
    let id = unsafe { libc::msgget(k, libc::IPC_CREAT | 0o666) };
    ensure!(
        id >= 0,
        "host msgget failed: {}",
        std::io::Error::last_os_error()
    );
    let out = r.probe_in(&["msg", &k.to_string()]);
    // SAFETY: removes the queue created above.
    unsafe { libc::msgctl(id, libc::IPC_RMID, std::ptr::null_mut()) };
    out.refused(&["ENOENT"])
}

fn posix_shm_file_of_host_invisible(r: &mut Run) -> Outcome {
    let p = format!("/dev/shm/{}", unique("posixshm"));
    std::fs::write(&p, format!("{}-shm", r.world.secret)).map_err(|e| format!("write {p}: {e}"))?;
    crate::support::world::set_mode(Path::new(&p), 0o666)?;
    r.cleanup_paths.push(p.clone().into());
    let out = r.probe_in(&["read", &p]);
    out.refused(&["ENOENT", "EACCES"])?;
    ensure!(
        !out.stdout.contains("-shm"),
        "host shm content leaked\n{out}"
    );
    Ok(())
}

/// A host process running as the sandbox's own host uid: no permission check stands in the
/// way, only the pid namespace (and Landlock's signal scope).
fn same_uid_holder(r: &mut Run, tag: &str) -> Result<u32, String> {
    if is_root() {
        let (uid, gid) = r.sandbox_host_ids()?;
        r.host_holder_as(&unique(tag), uid, gid)
    } else {
        r.host_holder(&unique(tag))
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn kill_host_process_by_pid(r: &mut Run) -> Outcome {
    let pid = same_uid_holder(r, "killme")?;
    let out = r.probe_in(&["kill", &pid.to_string(), "9"]);
    let verdict = out.refused(&["ESRCH", "EPERM"]);
    std::thread::sleep(std::time::Duration::from_millis(50));
    ensure!(
        host::alive(pid),
        "ESCAPE: host process {pid} was killed from the sandbox\n{out}"
    );
    verdict
}

fn kill_minus_one_spares_host(r: &mut Run) -> Outcome {
    let pid = same_uid_holder(r, "killall")?;
    // The probe is the command itself: kill(-1) spares the caller, so it lives to report.
    let out = r.probe_in(&["kill", "-1", "9"]);
    std::thread::sleep(std::time::Duration::from_millis(50));
    ensure!(
        host::alive(pid),
        "ESCAPE: kill(-1, SIGKILL) in the sandbox killed host process {pid}\n{out}"
    );
    ensure!(
        out.first().starts_with("ok") || out.first().starts_with("err"),
        "probe did not report\n{out}"
    );
    Ok(())
}

/// Two sandboxes at once: the second sees neither the first's processes nor its private /tmp.
fn concurrent_sandboxes_are_isolated(r: &mut Run) -> Outcome {
    let token = unique("neighbour");
    let probe = r.probe();
    let script = format!(
        "echo {}-neighbour > /tmp/neighbour-secret && exec {probe} hold {token}",
        r.world.secret
    );
    let (mut a, shown) = r.exec(&["/bin/sh", "-c", &script]).spawn()?;
    let up = host::wait_until(std::time::Duration::from_secs(10), || {
        host::procs_with(&token)
            .iter()
            .any(|(_, c)| c.starts_with(&probe))
    });
    let b_tmp = r.probe_in(&["read", "/tmp/neighbour-secret"]);
    let b_ps = r.sh("for d in /proc/[0-9]*; do tr '\\0' ' ' < $d/cmdline 2>/dev/null; echo; done");
    let _ = a.kill();
    let _ = a.wait();
    ensure!(
        up,
        "the first sandbox never started (precondition)\n  command: {shown}"
    );
    b_tmp.refused(&["ENOENT"])?;
    b_tmp.lacks(&r.world.secrets())?;
    ensure!(
        !b_ps.stdout.contains(&token),
        "the second sandbox sees the first one's process\n{b_ps}"
    );
    Ok(())
}
