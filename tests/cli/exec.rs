//! `creor exec`: setup failures that happen before any sandbox is built.

/// A missing `--project` is a setup failure (125) reported as one line naming the path, not a
/// configuration error (2) with a garbled location.
#[test]
fn missing_project_exits_125_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-dir/deeper");
    let out = super::util::creor()
        .arg("exec")
        .arg("--project")
        .arg(&missing)
        .args(["--", "true"])
        .output()
        .expect("run creor");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(
        stderr.contains(&missing.display().to_string()) && !stderr.contains(":0:"),
        "names the path plainly: {stderr:?}"
    );
}

/// A project that is a file, not a directory, is refused the same way.
#[test]
fn project_that_is_a_file_exits_125() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("file");
    std::fs::write(&file, "x").expect("write");
    let out = super::util::creor()
        .arg("exec")
        .arg("--project")
        .arg(&file)
        .args(["--", "true"])
        .output()
        .expect("run creor");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "stderr: {stderr}");
    assert!(stderr.contains("not a directory"), "{stderr:?}");
}

/// `--timeout` reaches the sandbox through the config's CLI layer (`sandbox.limits`): the
/// command is killed and creor exits 124.
#[cfg(target_os = "linux")]
#[test]
fn timeout_flag_kills_the_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().canonicalize().expect("canonical");
    let out = super::util::creor()
        .current_dir(&project)
        .arg("exec")
        .args([
            "--timeout",
            "1",
            "--",
            "/bin/sh",
            "-c",
            "sleep 30; echo finished",
        ])
        .output()
        .expect("run creor");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(124), "stderr: {stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("finished"));
}

/// git takes hooks from wherever `.git/commondir` (and a linked worktree's
/// `.git/worktrees/<name>/commondir`) points: a command must not be able to leave either
/// behind, or the next `git commit` on the host runs its hook. Also the `.git` swap.
#[cfg(target_os = "linux")]
#[test]
fn git_redirects_and_swaps_do_not_persist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().canonicalize().expect("canonical");
    std::fs::create_dir_all(project.join(".git/hooks")).expect("mkdir");
    std::fs::create_dir_all(project.join(".git/worktrees/wt")).expect("mkdir");
    std::fs::write(project.join(".git/worktrees/wt/commondir"), "../..\n").expect("write");
    std::fs::write(project.join(".git/config"), "[core]\n").expect("write");
    let out = super::util::creor()
        .current_dir(&project)
        .arg("exec")
        .args([
            "--",
            "/bin/sh",
            "-c",
            "mkdir -p evil/hooks && echo evil > evil/hooks/pre-commit; \
             echo \"$PWD/evil\" > .git/commondir; echo a=$?; \
             echo \"$PWD/evil\" > .git/worktrees/wt/commondir; echo b=$?; \
             mv .git .git-old; echo c=$?",
        ])
        .output()
        .expect("run creor");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("a=0"),
        "precondition (creatable inside): {stdout} {stderr}"
    );
    assert!(
        !stdout.contains("b=0") && !stdout.contains("c=0"),
        "{stdout}"
    );
    assert!(
        !project.join(".git/commondir").exists(),
        "commondir left on the host: {stderr}"
    );
    assert!(
        stderr.contains("protected path created inside the sandbox"),
        "{stderr}"
    );
    let wt = std::fs::read_to_string(project.join(".git/worktrees/wt/commondir")).expect("read");
    assert_eq!(wt, "../..\n");
    assert!(!project.join(".git-old").exists());
}

/// `creor exec` runs the helper in its own process (no second exec of the binary), so the
/// sandbox's pid 1 is forked from a process that held the caller's environment. Read from
/// the host (root may read any `/proc/PID/environ`), neither that process nor pid 1 may
/// still hold a variable's value: the environment is erased in memory, not just unlinked.
#[cfg(target_os = "linux")]
#[test]
fn helper_and_pid1_memory_hold_no_environment() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: reading another process's environ needs root");
        return;
    }
    let secret = "creor-env-canary-5f1d2c";
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().canonicalize().expect("canonical");
    let mut child = super::util::creor()
        .current_dir(&project)
        .env("CREOR_TEST_CANARY", secret)
        .args(["exec", "--", "/bin/sleep", "20"])
        .spawn()
        .expect("run creor");
    let creor = child.id();
    // pid 1 is creor's only child; wait for it to exist and for the command to start.
    let children = format!("/proc/{creor}/task/{creor}/children");
    let mut pid1 = None;
    for _ in 0..200 {
        if let Some(p) = std::fs::read_to_string(&children)
            .ok()
            .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        {
            let grandchildren = format!("/proc/{p}/task/{p}/children");
            if std::fs::read_to_string(&grandchildren).is_ok_and(|s| !s.trim().is_empty()) {
                pid1 = Some(p);
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let environ = |pid: &str| std::fs::read(format!("/proc/{pid}/environ"));
    let helper_env = environ(&creor.to_string());
    let pid1_env = pid1.as_deref().map(environ);
    let _ = child.kill();
    let _ = child.wait();
    let pid1 = pid1.expect("the sandbox's pid 1 and its command appeared");
    for (who, env) in [("helper", helper_env), ("pid 1", pid1_env.expect("read"))] {
        let env = env.unwrap_or_else(|e| panic!("read {who} environ: {e}"));
        let text = String::from_utf8_lossy(&env);
        assert!(
            !text.contains(secret) && !text.contains("CREOR_TEST_CANARY"),
            "{who} (pid {pid1}) still holds the caller's environment: {text:?}"
        );
    }
}
