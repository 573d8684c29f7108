//! Fail closed: where namespaces cannot be created (container runtimes' default seccomp),
//! creor must refuse with exit 125 naming user namespaces, and never run the command.

use std::path::Path;
use std::process::Command;

use crate::support::{host, Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![case!("failclosed", no_namespaces_means_no_run)]
}

const PY: &str = "/usr/bin/python3";

fn no_namespaces_means_no_run(r: &mut Run) -> Outcome {
    let launcher = r.world.no_userns.display().to_string();
    // Preconditions: python3-seccomp is there and the launcher really blocks namespaces.
    let mut check = Command::new(PY);
    check.args([launcher.as_str(), "/usr/bin/unshare", "--user", "/bin/true"]);
    r.world.id.apply(&mut check);
    let pre = check
        .output()
        .map_err(|e| format!("{PY} not runnable: {e} (install python3)"))?;
    let pre_err = String::from_utf8_lossy(&pre.stderr);
    ensure!(
        !pre_err.contains("No module named 'seccomp'"),
        "python3-seccomp is missing: apt-get install python3-seccomp (.ci/run does)"
    );
    ensure!(!pre.status.success(), "precondition: `unshare --user true` worked under the launcher, so it blocks nothing\n{pre_err}");

    let marker = r.p("ran-unsandboxed");
    let out = r
        .exec(&["/bin/sh", "-c", &format!("echo ran > {marker}; echo RAN")])
        .launcher(&[PY, &launcher])
        .output();
    host::absent(Path::new(&marker))
        .map_err(|e| format!("ESCAPE: the command ran without a sandbox\n{e}\n{out}"))?;
    ensure!(
        !out.stdout.contains("RAN"),
        "ESCAPE: the command ran without a sandbox\n{out}"
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
        l.contains("namespace"),
        "the error does not name user namespaces\n{out}"
    );
    Ok(())
}
