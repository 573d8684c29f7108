//! The process contract: stdio, exit statuses, cwd, /dev, /tmp, setup failures, network modes.

use std::io::ErrorKind;
use std::net::TcpListener;

use crate::support::{Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("process", dev_null_zero_full),
        case!("process", stdin_is_piped_through),
        case!("process", exit_status_passed_through),
        case!("process", sigkill_of_command_is_137),
        case!("process", sigterm_of_command_is_143),
        case!("process", cwd_is_project_and_home_kept),
        case!("process", private_tmp_is_writable),
        case!("process", setup_failure_exits_125_with_one_line),
        case!("process", allow_all_reaches_host_loopback),
        case!("process", stdout_and_stderr_separate),
    ]
}

fn dev_null_zero_full(r: &mut Run) -> Outcome {
    let out = r.sh("echo hidden > /dev/null && echo shown; head -c 16 /dev/zero | wc -c; echo x > /dev/full || echo full-refused");
    out.exit_is(0)?;
    ensure!(!out.stdout.contains("hidden"), "/dev/null printed\n{out}");
    ensure!(out.stdout.contains("shown"), "`> /dev/null` failed\n{out}");
    ensure!(
        out.stdout.lines().any(|l| l.trim() == "16"),
        "/dev/zero unreadable\n{out}"
    );
    ensure!(
        out.stdout.contains("full-refused"),
        "/dev/full should answer ENOSPC\n{out}"
    );
    Ok(())
}

fn stdin_is_piped_through(r: &mut Run) -> Outcome {
    let out = r.exec(&["cat"]).stdin(b"hi\nthere\n").output();
    out.exit_is(0)?;
    ensure!(
        out.stdout == "hi\nthere\n",
        "stdin not passed through\n{out}"
    );
    Ok(())
}

fn exit_status_passed_through(r: &mut Run) -> Outcome {
    r.sh("exit 3").exit_is(3)?;
    r.sh("exit 0").exit_is(0)?;
    r.exec(&["false"]).output().exit_is(1)
}

fn sigkill_of_command_is_137(r: &mut Run) -> Outcome {
    r.sh("kill -9 $$").exit_is(137)
}

fn sigterm_of_command_is_143(r: &mut Run) -> Outcome {
    r.sh("kill -15 $$").exit_is(143)
}

fn cwd_is_project_and_home_kept(r: &mut Run) -> Outcome {
    let out = r.sh("pwd; echo \"home=$HOME\"");
    out.exit_is(0)?;
    let want = format!("{}\nhome={}\n", r.project.display(), r.world.home.display());
    ensure!(out.stdout == want, "expected {want:?}\n{out}");
    Ok(())
}

fn private_tmp_is_writable(r: &mut Run) -> Outcome {
    let out =
        r.sh("f=$(mktemp) && echo data > \"$f\" && cat \"$f\" && mkdir -p /tmp/a/b && echo ok");
    out.exit_is(0)?;
    ensure!(
        out.stdout.contains("data") && out.stdout.contains("ok"),
        "/tmp unusable\n{out}"
    );
    Ok(())
}

fn setup_failure_exits_125_with_one_line(r: &mut Run) -> Outcome {
    let missing = r.p("no-such-dir/deeper");
    let mut cmd = std::process::Command::new(&r.world.creor);
    cmd.args(["exec", "--project", &missing, "--", "/bin/true"])
        .current_dir(&r.project)
        .env_clear()
        .envs(r.world.env());
    r.world.id.apply(&mut cmd);
    let out = cmd.output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let shown = format!(
        "  command: creor exec --project {missing} -- /bin/true\n  exit: {}\n  stderr: {stderr}",
        out.status
    );
    ensure!(out.status.code() == Some(125), "expected exit 125\n{shown}");
    let lines = stderr.lines().filter(|l| !l.trim().is_empty()).count();
    ensure!(lines == 1, "expected one line on stderr\n{shown}");
    Ok(())
}

/// Positive control for the network escape cases: with `allow_all` the same probe reaches the
/// same kind of host listener, so their "not reached" verdicts are not an artefact.
fn allow_all_reaches_host_loopback(r: &mut Run) -> Outcome {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = l
        .local_addr()
        .map_err(|e| e.to_string())?
        .port()
        .to_string();
    let out = r
        .exec(&[r.probe(), "tcp".into(), "127.0.0.1".into(), port])
        .flags(&["--network", "allow_all"])
        .output();
    out.succeeded()?;
    l.set_nonblocking(true).map_err(|e| e.to_string())?;
    match l.accept() {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::WouldBlock => {
            Err(format!("allow_all: host listener got nothing\n{out}"))
        }
        Err(e) => Err(e.to_string()),
    }
}

fn stdout_and_stderr_separate(r: &mut Run) -> Outcome {
    let out = r.sh("echo to-out; echo to-err >&2");
    out.exit_is(0)?;
    ensure!(
        out.stdout == "to-out\n" && out.stderr == "to-err\n",
        "streams mixed up\n{out}"
    );
    Ok(())
}
