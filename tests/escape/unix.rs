//! Unix sockets: host daemons' sockets (docker.sock-like, ssh-agent, gpg-agent) and the host's
//! abstract socket namespace. A read-only bind still lets `connect()` through (DESIGN.md §5),
//! so these paths must not exist inside at all.

use std::io::ErrorKind;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener};
use std::path::{Path, PathBuf};

use crate::case;
use crate::support::world::set_mode;
use crate::support::{ignore, unique, Case, Outcome, Run};

pub fn cases() -> Vec<Case> {
    vec![
        case!("unix", docker_like_socket_in_run),
        case!("unix", socket_in_host_tmp),
        case!("unix", socket_in_var_tmp),
        case!("unix", socket_in_dev_shm),
        case!("unix", ssh_agent_socket),
        case!("unix", gpg_agent_socket_in_home),
        case!("unix", abstract_socket_of_host_listener),
        case!("unix", project_symlink_to_host_socket),
    ]
}

/// Binds a host listener the identity could reach outside the sandbox (mode 0777).
fn listen(r: &mut Run, path: PathBuf) -> Result<UnixListener, String> {
    let _ = std::fs::remove_file(&path);
    let l = UnixListener::bind(&path).map_err(|e| format!("bind {}: {e}", path.display()))?;
    set_mode(&path, 0o777)?;
    r.cleanup_paths.push(path);
    Ok(l)
}

fn no_accept(l: &UnixListener) -> Outcome {
    l.set_nonblocking(true).map_err(|e| e.to_string())?;
    match l.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(()),
        Ok(_) => Err("ESCAPE: the host unix listener accepted a connection".into()),
        Err(e) => Err(format!("accept: {e}")),
    }
}

fn attack(r: &mut Run, path: PathBuf) -> Outcome {
    let l = listen(r, path.clone())?;
    let out = r.probe_in(&["unix", &path.display().to_string()]);
    let verdict = out.refused(&["ENOENT", "EACCES", "ECONNREFUSED", "EPERM"]);
    no_accept(&l).map_err(|e| format!("{e}\n{out}"))?;
    verdict
}

fn docker_like_socket_in_run(r: &mut Run) -> Outcome {
    let dir = if r.world.id.is_root() || is_root() {
        PathBuf::from("/run")
    } else if let Some(x) = std::env::var_os("XDG_RUNTIME_DIR") {
        PathBuf::from(x)
    } else {
        return ignore("not root and no XDG_RUNTIME_DIR: cannot place a socket under /run");
    };
    attack(r, dir.join(format!("{}.sock", unique("docker"))))
}

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn socket_in_host_tmp(r: &mut Run) -> Outcome {
    attack(r, PathBuf::from(format!("/tmp/{}.sock", unique("tmp"))))
}

fn socket_in_var_tmp(r: &mut Run) -> Outcome {
    attack(
        r,
        PathBuf::from(format!("/var/tmp/{}.sock", unique("vartmp"))),
    )
}

fn socket_in_dev_shm(r: &mut Run) -> Outcome {
    if !Path::new("/dev/shm").is_dir() {
        return ignore("host has no /dev/shm");
    }
    attack(r, PathBuf::from(format!("/dev/shm/{}.sock", unique("shm"))))
}

/// `SSH_AUTH_SOCK` is set in creor's environment and points at a live agent socket.
fn ssh_agent_socket(r: &mut Run) -> Outcome {
    let path = r.world.base.join("agent.sock");
    attack(r, path)
}

fn gpg_agent_socket_in_home(r: &mut Run) -> Outcome {
    let path = r.world.home.join(".gnupg/S.gpg-agent");
    let out = attack(r, path);
    crate::support::world::chown_tree(
        &r.world.home.join(".gnupg"),
        r.world.id.uid,
        r.world.id.gid,
    )?;
    out
}

/// Abstract sockets are scoped by network namespace (and Landlock's scope where available).
fn abstract_socket_of_host_listener(r: &mut Run) -> Outcome {
    let name = unique("abstract");
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).map_err(|e| e.to_string())?;
    let l = UnixListener::bind_addr(&addr).map_err(|e| format!("bind @{name}: {e}"))?;
    let out = r.probe_in(&["abstract", &name]);
    let verdict = out.refused(&["ECONNREFUSED", "EPERM", "EACCES", "ENOENT"]);
    no_accept(&l).map_err(|e| format!("{e}\n{out}"))?;
    verdict
}

/// A link in the project pointing at a host daemon's socket (`ln -s /run/docker.sock .`): the
/// target is outside the sandbox, so the link dangles. (A socket *file* inside the project is
/// shared by design, like every project file.)
fn project_symlink_to_host_socket(r: &mut Run) -> Outcome {
    let dir = if is_root() {
        PathBuf::from("/run")
    } else if let Some(x) = std::env::var_os("XDG_RUNTIME_DIR") {
        PathBuf::from(x)
    } else {
        PathBuf::from("/tmp")
    };
    let sock = dir.join(format!("{}.sock", unique("linked")));
    let l = listen(r, sock.clone())?;
    let link = r.project.join("docker.sock");
    std::os::unix::fs::symlink(&sock, &link).map_err(|e| e.to_string())?;
    r.own()?;
    let out = r.probe_in(&["unix", &link.display().to_string()]);
    let verdict = out.refused(&["ENOENT", "EACCES", "ECONNREFUSED", "EPERM"]);
    no_accept(&l).map_err(|e| format!("{e}\n{out}"))?;
    verdict
}
