//! The revert journal: a `creor exec` killed with SIGKILL cannot remove what its command
//! planted at an absent protected path, so the next run puts it aside.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A project (no `.git`: creor makes `.git/hooks` itself in a repository, so in a project
/// without one `.git/hooks` is a protected path that is absent) and a state directory
/// outside it.
struct Case {
    _dir: tempfile::TempDir,
    project: PathBuf,
    state: PathBuf,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        let project = root.join("proj");
        std::fs::create_dir(&project).expect("mkdir");
        Case {
            _dir: dir,
            project,
            state: root.join("state"),
        }
    }

    fn journals(&self) -> PathBuf {
        self.state.join("creor/pending-revert")
    }

    fn exec(&self, args: &[&str]) -> Command {
        let mut c = super::util::creor();
        c.current_dir(&self.project)
            .env("XDG_STATE_HOME", &self.state)
            .arg("exec")
            .arg("--")
            .args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.exec(args).output().expect("run creor")
    }

    /// Starts `script` under `creor exec`, waits until `planted` exists, then SIGKILLs creor.
    fn kill_while_planted(&self, script: &str, planted: &Path) {
        let mut child = self
            .exec(&["/bin/sh", "-c", script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start creor");
        // Bounded so a broken build fails instead of hanging; the command sleeps far longer.
        let mut seen = false;
        for _ in 0..1500 {
            if planted.exists() {
                seen = true;
                break;
            }
            if child.try_wait().expect("try_wait").is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = child.kill();
        let status = child.wait().expect("wait");
        assert!(
            seen,
            "the command never planted {} ({status})",
            planted.display()
        );
    }
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn quarantined(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    entries(dir)
        .into_iter()
        .filter(|n| n.starts_with(&format!("{prefix}.creor-quarantine-")))
        .map(|n| dir.join(n))
        .collect()
}

/// The gap and its fix: after a `kill -9`, the planted hook is still on the host (nothing
/// could remove it), and the next `creor exec` renames it aside, loudly, and clears the
/// journal.
#[test]
fn a_hook_planted_by_a_killed_run_is_quarantined_by_the_next() {
    let case = Case::new();
    let hook = case.project.join(".git/hooks/pre-commit");
    case.kill_while_planted(
        "mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit && sleep 30",
        &hook,
    );
    assert_eq!(
        std::fs::read_to_string(&hook).expect("the hook outlived the kill"),
        "evil\n"
    );
    assert_eq!(
        entries(&case.journals()).len(),
        1,
        "one journal left behind"
    );

    let out = case.run(&["true"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!hook.exists(), "planted hook still in place: {stderr}");
    let aside = quarantined(&case.project.join(".git"), "hooks");
    assert_eq!(aside.len(), 1, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(aside[0].join("pre-commit")).expect("quarantined hook"),
        "evil\n"
    );
    let hooks = case.project.join(".git/hooks").display().to_string();
    assert!(
        stderr.contains(&format!("{hooks} -> {}", aside[0].display())) && stderr.contains("killed"),
        "{stderr}"
    );
    assert!(entries(&case.journals()).is_empty(), "journal not removed");
}

/// A planted `creor.local.json` is put aside before the next run loads its configuration:
/// loaded first, this one (not JSON) would be a configuration error (exit 2).
#[test]
fn a_planted_config_is_quarantined_before_the_config_is_loaded() {
    let case = Case::new();
    let planted = case.project.join("creor.local.json");
    case.kill_while_planted("echo evil > creor.local.json && sleep 30", &planted);
    assert!(planted.exists());
    let out = case.run(&["true"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "config loaded first? {stderr}");
    assert!(!planted.exists());
    assert_eq!(quarantined(&case.project, "creor.local.json").len(), 1);
}

/// This process's start time (field 22 of /proc/self/stat).
fn own_start_time() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("stat");
    let rest = &stat[stat.rfind(')').expect(")") + 1..];
    rest.split_whitespace()
        .nth(19)
        .expect("field 22")
        .parse()
        .expect("number")
}

/// A journal whose owner still runs (here: this test process) is not touched, nor are the
/// paths it lists; the same journal with another start time (a reused pid) is acted on.
#[test]
fn a_live_owners_journal_is_left_alone() {
    let case = Case::new();
    let listed = case.project.join(".creor");
    std::fs::create_dir(&listed).expect("mkdir");
    std::fs::create_dir_all(case.journals()).expect("mkdir");
    let pid = std::process::id();
    let start = own_start_time();
    let write = |start: u64| {
        let body = serde_json::json!({
            "version": 1,
            "pid": pid,
            "start_time": start,
            "project": case.project,
            "paths": [listed],
        });
        let file = case.journals().join(format!("{pid}-{start}.json"));
        std::fs::write(&file, body.to_string()).expect("write journal");
        file
    };
    let journal = write(start);
    let out = case.run(&["true"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        journal.exists(),
        "a live run's journal was removed: {stderr}"
    );
    assert!(listed.is_dir(), "a live run's path was moved: {stderr}");
    assert!(!stderr.contains("QUARANTINED"), "{stderr}");

    std::fs::remove_file(&journal).expect("rm");
    let journal = write(start + 1);
    let out = case.run(&["true"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!journal.exists(), "{stderr}");
    assert!(!listed.exists(), "{stderr}");
    assert_eq!(quarantined(&case.project, ".creor").len(), 1, "{stderr}");
}

/// A journal that cannot be written means a kill would leave no trace: creor refuses to run
/// (125), naming the directory.
#[test]
fn an_unwritable_journal_dir_refuses_to_run() {
    let case = Case::new();
    std::fs::write(&case.state, "a file, not a directory").expect("write");
    let out = case.run(&["/bin/sh", "-c", "echo ran"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("ran"));
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(
        stderr.contains(&case.journals().display().to_string()),
        "{stderr}"
    );
}

/// A state directory inside the project (as when the project is `$HOME`) still works, but
/// creor's state is protected: the command can neither empty nor move the journal directory,
/// nor touch the audit logs beside it, nor plant a schema pass in creor's cache.
#[test]
fn a_journal_dir_inside_the_project_is_out_of_the_commands_reach() {
    let case = Case::new();
    let state = case.project.join(".state");
    let cache = case.project.join(".cache");
    let journals = state.join("creor/pending-revert");
    let out = super::util::creor()
        .current_dir(&case.project)
        .env("XDG_STATE_HOME", &state)
        .env("XDG_CACHE_HOME", &cache)
        .args(["exec", "--", "/bin/sh", "-c"])
        .arg(format!(
            "touch {j}/1-1.json; echo a=$?; mv {s}/creor {s}/moved; echo b=$?; \
             rm -rf {s}; echo c=$?; mkdir {s}/creor/audit; echo d=$?; \
             mkdir -p {c}/creor/schema-valid && touch {c}/creor/schema-valid/forged; echo e=$?",
            j = journals.display(),
            s = state.display(),
            c = cache.display()
        ))
        .output()
        .expect("run creor");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for step in ["a=0", "b=0", "c=0", "d=0", "e=0"] {
        assert!(!stdout.contains(step), "{step}: {stdout} {stderr}");
    }
    assert!(journals.is_dir(), "{stderr}");
    assert!(entries(&journals).is_empty(), "{:?}", entries(&journals));
}

/// A service account with no home (CI users: `HOME` missing or pointing nowhere) still gets
/// a journal, in its own 0700 directory straight under `/tmp`, instead of a refusal to run.
#[test]
fn a_user_without_a_home_journals_under_tmp() {
    let case = Case::new();
    let out = super::util::creor()
        .current_dir(&case.project)
        .env_remove("XDG_STATE_HOME")
        .env("HOME", case.project.join("no-such-home"))
        .args(["exec", "--", "/bin/true"])
        .output()
        .expect("run creor");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // SAFETY: geteuid cannot fail.
    let dir = PathBuf::from(format!("/tmp/creor-pending-revert-{}", unsafe {
        libc::geteuid()
    }));
    let md = std::fs::symlink_metadata(&dir).expect("the fallback journal directory exists");
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    assert!(md.is_dir(), "{dir:?} is a real directory");
    assert_eq!(md.permissions().mode() & 0o777, 0o700);
    // SAFETY: geteuid cannot fail.
    assert_eq!(md.uid(), unsafe { libc::geteuid() });
}
