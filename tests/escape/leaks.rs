//! Environment and file-descriptor leaks from creor's own process into the command.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

use crate::support::{Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("leaks", env_has_no_provider_keys),
        case!("leaks", proc_self_environ_has_no_secrets),
        case!("leaks", ssh_auth_sock_not_passed),
        case!("leaks", inherited_secret_file_fd_closed),
        case!("leaks", inherited_home_dir_fd_closed),
        case!("leaks", inherited_socket_fd_closed),
        case!("leaks", only_stdio_fds_open),
    ]
}

const SECRET_VARS: &[&str] = &[
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GITHUB_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "SSH_AUTH_SOCK",
    "CREOR_TEST_CANARY",
];

fn env_has_no_provider_keys(r: &mut Run) -> Outcome {
    let out = r.exec(&["/usr/bin/env"]).output();
    out.exit_is(0)?;
    out.lacks(&r.world.secrets())?;
    for v in SECRET_VARS {
        ensure!(
            !out.stdout.lines().any(|l| l.starts_with(&format!("{v}="))),
            "LEAK: {v} is set inside\n{out}"
        );
    }
    Ok(())
}

fn proc_self_environ_has_no_secrets(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["read", "/proc/self/environ"]);
    out.succeeded()?;
    out.lacks(&r.world.secrets())
}

fn ssh_auth_sock_not_passed(r: &mut Run) -> Outcome {
    let out = r.sh("echo \"agent=[${SSH_AUTH_SOCK}]\"");
    out.exit_is(0)?;
    ensure!(
        out.stdout.contains("agent=[]"),
        "LEAK: SSH_AUTH_SOCK reached the command\n{out}"
    );
    Ok(())
}

fn inherited_secret_file_fd_closed(r: &mut Run) -> Outcome {
    let f = File::open(r.world.home.join(".ssh/id_ed25519")).map_err(|e| e.to_string())?;
    let out = r
        .exec(&[r.probe(), "readfd".into(), "7".into()])
        .pass_fd(f.as_raw_fd(), 7)
        .output();
    out.refused(&["EBADF"])?;
    out.lacks(&r.world.secrets())
}

/// The classic: a directory fd from outside plus `openat(fd, "..")`-style relative opens.
fn inherited_home_dir_fd_closed(r: &mut Run) -> Outcome {
    let d = File::open(&r.world.home).map_err(|e| e.to_string())?;
    let out = r
        .exec(&[
            r.probe(),
            "openat".into(),
            "8".into(),
            ".ssh/id_ed25519".into(),
        ])
        .pass_fd(d.as_raw_fd(), 8)
        .output();
    out.refused(&["EBADF"])?;
    out.lacks(&r.world.secrets())
}

fn inherited_socket_fd_closed(r: &mut Run) -> Outcome {
    let (a, _b) = UnixStream::pair().map_err(|e| e.to_string())?;
    let out = r
        .exec(&[r.probe(), "fds".into()])
        .pass_fd(a.as_raw_fd(), 9)
        .output();
    out.succeeded()?;
    ensure!(
        !out.data().lines().any(|l| l == "9"),
        "LEAK: inherited socket fd 9 is open inside\n{out}"
    );
    Ok(())
}

fn only_stdio_fds_open(r: &mut Run) -> Outcome {
    let f = File::open("/etc/hostname")
        .or_else(|_| File::open("/etc/passwd"))
        .map_err(|e| e.to_string())?;
    let out = r
        .exec(&[r.probe(), "fds".into()])
        .pass_fd(f.as_raw_fd(), 5)
        .pass_fd(f.as_raw_fd(), 42)
        .output();
    out.succeeded()?;
    let fds: Vec<&str> = out.data().lines().collect();
    ensure!(
        fds == ["0", "1", "2"],
        "open fds inside: {fds:?}, expected [0, 1, 2]\n{out}"
    );
    Ok(())
}
