//! `creor hook install`: a pre-commit hook that blocks commits adding secrets.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::scan::{creor_in, gh_token, git, repo, write};

fn commit(dir: &Path) -> std::process::Output {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .args(["commit", "-qm", "msg"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("XDG_STATE_HOME", dir.join(".state"));
    c.output().expect("git commit")
}

#[test]
fn installed_hook_blocks_secret_commits() {
    let dir = repo();
    let d = dir.path();
    let out = creor_in(d).args(["hook", "install"]).output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hook = d.join(".git/hooks/pre-commit");
    let mode = std::fs::metadata(&hook).expect("hook").permissions().mode();
    assert_eq!(mode & 0o111, 0o111);
    write(d, "x.env", &format!("T={}\n", gh_token()));
    git(d, &["add", "x.env"]);
    let out = commit(d);
    assert!(!out.status.success(), "commit with a secret went through");
    // git sends hook output to stderr.
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("x.env:1:3: github-token"), "{all}");
    write(d, "x.env", "T=${GITHUB_TOKEN}\n");
    git(d, &["add", "x.env"]);
    let out = commit(d);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Reinstalling over our own hook needs no --force.
    let out = creor_in(d).args(["hook", "install"]).output().expect("run");
    assert!(out.status.success());
}

#[test]
fn foreign_hook_needs_force_and_is_kept() {
    let dir = repo();
    let d = dir.path();
    let hook = d.join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").expect("write");
    let out = creor_in(d).args(["hook", "install"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&hook).expect("hook"),
        "#!/bin/sh\necho mine\n"
    );
    let out = creor_in(d)
        .args(["hook", "install", "--force"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&hook)
        .expect("hook")
        .contains("scan --staged"));
    let backup = d.join(".git/hooks/pre-commit.creor-backup");
    assert_eq!(
        std::fs::read_to_string(backup).expect("backup"),
        "#!/bin/sh\necho mine\n"
    );
}

#[test]
fn core_hooks_path_is_respected() {
    let dir = repo();
    let d = dir.path();
    git(d, &["config", "core.hooksPath", ".githooks"]);
    let out = creor_in(d).args(["hook", "install"]).output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(d.join(".githooks/pre-commit").exists());
    assert!(!d.join(".git/hooks/pre-commit").exists());
}

#[test]
fn outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = creor_in(dir.path())
        .args(["hook", "install"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}
