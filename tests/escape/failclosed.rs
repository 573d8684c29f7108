//! Fail closed: where namespaces cannot be created (container runtimes' default seccomp),
//! creor must refuse with exit 125 naming user namespaces, and never run the command.

use std::path::Path;
use std::process::Command;

use crate::support::{host, Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("failclosed", no_namespaces_means_no_run),
        case!("failclosed", no_mounts_means_no_run),
        case!("failclosed", no_seccomp_means_no_run),
    ]
}

const PY: &str = "/usr/bin/python3";

fn no_namespaces_means_no_run(r: &mut Run) -> Outcome {
    refuses_under(
        r,
        "userns",
        &["/usr/bin/unshare", "--user", "/bin/true"],
        &["namespace"],
    )
}

/// Namespaces work but mounts do not: a half-built root must not run the command.
fn no_mounts_means_no_run(r: &mut Run) -> Outcome {
    refuses_under(
        r,
        "mount",
        &[
            "/usr/bin/unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "/bin/mount",
            "-t",
            "tmpfs",
            "none",
            "/mnt",
        ],
        &["mount", "pivot", "tree"],
    )
}

/// The filter cannot be installed: running without it would silently drop a layer.
fn no_seccomp_means_no_run(r: &mut Run) -> Outcome {
    // Precondition command: python's own attempt to stack one more filter must fail.
    refuses_under(
        r,
        "seccomp",
        &[
            PY,
            "-c",
            "import seccomp; seccomp.SyscallFilter(defaction=seccomp.ALLOW).load()",
        ],
        &["seccomp", "filter"],
    )
}

/// Runs `creor exec` under `no_userns.py --deny MODE`. `control` must fail under the same
/// launcher (proof that the launcher blocks something); creor must then exit 125 with one
/// stderr line containing one of `words`, and the command must not have run.
fn refuses_under(r: &mut Run, mode: &str, control: &[&str], words: &[&str]) -> Outcome {
    let launcher = r.world.no_userns.display().to_string();
    let mut check = Command::new(PY);
    check
        .args([launcher.as_str(), "--deny", mode])
        .args(control);
    r.world.id.apply(&mut check);
    let pre = check
        .output()
        .map_err(|e| format!("{PY} not runnable: {e} (install python3)"))?;
    let pre_err = String::from_utf8_lossy(&pre.stderr);
    ensure!(
        !pre_err.contains("No module named 'seccomp'"),
        "python3-seccomp is missing: apt-get install python3-seccomp (.ci/run does)"
    );
    ensure!(
        !pre.status.success(),
        "precondition: {control:?} worked under `--deny {mode}`, so the launcher blocks nothing\n{pre_err}"
    );

    let marker = r.p("ran-unsandboxed");
    let out = r
        .exec(&["/bin/sh", "-c", &format!("echo ran > {marker}; echo RAN")])
        .launcher(&[PY, &launcher, "--deny", mode])
        .output();
    host::absent(Path::new(&marker))
        .map_err(|e| format!("ESCAPE: the command ran without a full sandbox\n{e}\n{out}"))?;
    ensure!(
        !out.stdout.contains("RAN"),
        "ESCAPE: the command ran without a full sandbox\n{out}"
    );
    out.exit_is(125)?;
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    ensure!(
        lines.len() == 1,
        "expected one line naming the failed step on stderr\n{out}"
    );
    let l = lines[0].to_lowercase();
    ensure!(
        words.iter().any(|w| l.contains(w)),
        "the error names none of {words:?}\n{out}"
    );
    Ok(())
}
