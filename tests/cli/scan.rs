//! `creor scan`: directories, staged changes in real git repos, formats, suppression,
//! dismissals.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::util::creor;

/// A GitHub token assembled at run time, so this file holds no literal token.
pub fn gh_token() -> String {
    ["gh", "p_", "Zk3q9XbLmN0pQ7rS2tUvW4xY8aBcDeF1gH6j"].concat()
}

/// An AWS access key id, assembled at run time.
pub fn aws_id() -> String {
    ["AK", "IA", "Q3EGUJK7ZN2XHW4Y"].concat()
}

/// `creor` in `dir`, with the audit log under `dir/.state` and git isolated from the host.
pub fn creor_in(dir: &Path) -> Command {
    let mut c = creor();
    c.current_dir(dir);
    c.env("XDG_STATE_HOME", dir.join(".state"));
    isolate_git(&mut c);
    c
}

fn isolate_git(c: &mut Command) {
    c.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid");
}

/// Runs git in `dir`, panicking on failure.
pub fn git(dir: &Path, args: &[&str]) -> Output {
    let mut c = Command::new("git");
    c.current_dir(dir).args(args);
    isolate_git(&mut c);
    let out = c.output().expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A fresh repository with one commit.
pub fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(dir.path(), "README.md", "hello\n");
    git(dir.path(), &["add", "README.md"]);
    git(dir.path(), &["commit", "-qm", "init"]);
    dir
}

/// Writes a file, creating parent directories.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, text).expect("write");
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("json output")
}

#[test]
fn directory_scan_reports_hidden_files_and_prints_paths_like_ripgrep() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "proj/.env", &format!("GITHUB_TOKEN={}\n", gh_token()));
    write(
        d,
        "proj/src/app.py",
        &format!("x = 1\n\naws_key_id = \"{}\"\n", aws_id()),
    );
    write(
        d,
        "proj/src/clean.rs",
        "fn main() { let key = map.get(\"k\"); }\n",
    );
    write(d, "proj/.git/config", &format!("token = {}\n", gh_token()));
    let out = creor_in(d).args(["scan", "proj"]).output().expect("run");
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("proj/.env:1:14: github-token ghp_****"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("proj/src/app.py:3:15: aws-access-key-id AKIA"),
        "{text}"
    );
    assert!(
        !text.contains(&gh_token()[4..]),
        "raw secret printed: {text}"
    );
    // Without arguments: the current directory, no `./` prefix.
    let out = creor_in(&d.join("proj")).arg("scan").output().expect("run");
    assert!(stdout(&out).starts_with(".env:1:14:"), "{}", stdout(&out));
    // A single file argument prints as given.
    let out = creor_in(d)
        .args(["scan", "./proj/.env"])
        .output()
        .expect("run");
    assert!(
        stdout(&out).starts_with("./proj/.env:1:14:"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn gitignore_is_honoured_unless_no_ignore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, ".gitignore", "build/\n");
    write(d, "build/out.txt", &format!("t = {}\n", gh_token()));
    let out = creor_in(d).arg("scan").output().expect("run");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = creor_in(d)
        .args(["scan", "--no-ignore"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).starts_with("build/out.txt:1:5:"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn clean_tree_exits_zero_and_errors_exit_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "a.txt", "nothing to see\npassword = os.environ['PW']\n");
    write(
        d,
        "package-lock.json",
        &format!("{{\"token\": \"{}\"}}\n", gh_token()),
    );
    let mut bin = format!("{}\n", gh_token()).into_bytes();
    bin.insert(0, 0);
    std::fs::write(d.join("blob.dat"), bin).expect("write");
    let out = creor_in(d).arg("scan").output().expect("run");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(out.stdout.is_empty());
    let out = creor_in(d)
        .args(["scan", "missing.txt"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.txt"));
}

#[test]
fn json_output_has_fields_and_no_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "cfg.yml", &format!("deploy:\n  token: {}\n", gh_token()));
    let out = creor_in(d)
        .args(["scan", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 1);
    assert!(!stdout(&out).contains(&gh_token()));
    let v = json(&out);
    let f = &v["findings"][0];
    assert_eq!(f["path"], "cfg.yml");
    assert_eq!(f["line"], 2);
    assert_eq!(f["column"], 10);
    assert_eq!(f["rule"], "github-token");
    assert!(f["description"]
        .as_str()
        .is_some_and(|s| s.contains("GitHub")));
    let fp = f["fingerprint"].as_str().expect("fingerprint");
    assert!(fp.starts_with("cfg.yml:github-token:"), "{fp}");
}

#[test]
fn sarif_output_is_2_1_0_with_one_rule_per_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "a b.env", &format!("X={}\nY={}\n", gh_token(), aws_id()));
    let out = creor_in(d)
        .args(["scan", "--format", "sarif"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 1);
    let v = json(&out);
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let mut ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    for r in results {
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startColumn"].as_u64().expect("col") >= 1);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "a%20b.env"
        );
    }
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startColumn"],
        3
    );
    assert!(!stdout(&out).contains(&gh_token()));
}

#[test]
fn inline_suppressions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let t = gh_token();
    write(
        d,
        "s.py",
        &format!(
            "a = '{t}'  # creor:allow\n# creor:allow-next-line\nb = '{t}'\nc = '{t}'  # gitleaks:allow\nd = '{t}'  # pragma: allowlist secret\ne = '{t}'\n"
        ),
    );
    let out = creor_in(d)
        .args(["scan", "--format", "json"])
        .output()
        .expect("run");
    let v = json(&out);
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["line"].as_u64())
        .collect();
    assert_eq!(lines, vec![6]);
}

#[test]
fn dismiss_records_baseline_and_audit_entry() {
    let dir = repo();
    let d = dir.path();
    write(
        d,
        "src/settings.py",
        &format!("\n\nGITHUB = \"{}\"\n", gh_token()),
    );
    let out = creor_in(d)
        .args(["scan", "--format", "json"])
        .output()
        .expect("run");
    let fp = json(&out)["findings"][0]["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();
    // Dismissing from a subdirectory still keys on the project-relative path.
    let out = creor_in(&d.join("src"))
        .env("XDG_STATE_HOME", d.join(".state"))
        .args(["scan", "dismiss", &fp, "--reason", "revoked test token"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let out = creor_in(d).arg("scan").output().expect("run");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    // Moving the secret down does not resurrect it: no line numbers in the key.
    write(
        d,
        "src/settings.py",
        &format!("\n\n\n\n\nGITHUB = \"{}\"\n", gh_token()),
    );
    let out = creor_in(&d.join("src"))
        .args(["scan", "."])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let baseline =
        std::fs::read_to_string(d.join(".creor/secrets-baseline.json")).expect("baseline");
    assert!(!baseline.contains(&gh_token()[4..]));
    assert!(!baseline.contains("\"line\""));
    assert!(baseline.contains("revoked test token"));
    // The audit log holds one verifiable entry.
    let logs: Vec<_> = std::fs::read_dir(d.join(".state/creor/audit"))
        .expect("audit dir")
        .collect();
    assert_eq!(logs.len(), 1);
    let path = logs[0].as_ref().expect("entry").path();
    let log = creor_core::audit::AuditLog::at(&path);
    assert_eq!(log.verify().expect("verifies"), 1);
    let e = &log.entries().expect("entries")[0];
    assert_eq!(e.action, "secret.dismiss");
    assert_eq!(e.target, "src/settings.py");
    assert_eq!(e.rule.as_deref(), Some("github-token"));
    // Bad fingerprints are refused.
    let out = creor_in(d)
        .args(["scan", "dismiss", "nonsense", "--reason", "x"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
}

#[test]
fn staged_reads_the_index_not_the_working_tree() {
    let dir = repo();
    let d = dir.path();
    // In the working tree only: not reported.
    write(d, "config.env", &format!("A=1\nTOKEN={}\n", gh_token()));
    let out = creor_in(d)
        .args(["scan", "--staged"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    // Staged, then removed from the working tree: still reported, at its index line.
    git(d, &["add", "config.env"]);
    write(d, "config.env", "A=1\n");
    let out = creor_in(d)
        .args(["scan", "--staged"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).starts_with("config.env:2:7: github-token"),
        "{}",
        stdout(&out)
    );
    // Only added lines: a staged edit elsewhere in a file that already holds a secret passes.
    git(d, &["commit", "-qm", "secret", "--no-verify"]);
    write(d, "config.env", &format!("A=2\nTOKEN={}\n", gh_token()));
    git(d, &["add", "config.env"]);
    let out = creor_in(d)
        .args(["scan", "--staged"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn staged_removal_is_not_blocked_and_renames_are_handled() {
    let dir = repo();
    let d = dir.path();
    let body: String = (0..12).map(|i| format!("line_{i} = {i}\n")).collect();
    write(
        d,
        "old.py",
        &format!("x = 1\nkey = \"{}\"\n{body}", aws_id()),
    );
    git(d, &["add", "old.py"]);
    git(d, &["commit", "-qm", "add"]);
    // Pure rename: nothing added.
    git(d, &["mv", "old.py", "new.py"]);
    let out = creor_in(d)
        .args(["scan", "--staged"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    git(d, &["commit", "-qm", "rename"]);
    // Rename with an added secret: reported under the new name and line.
    git(d, &["mv", "new.py", "newer.py"]);
    write(
        d,
        "newer.py",
        &format!(
            "x = 1\nkey = \"{}\"\ntok = '{}'\n{body}",
            aws_id(),
            gh_token()
        ),
    );
    git(d, &["add", "newer.py"]);
    let out = creor_in(d)
        .args(["scan", "--staged"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("newer.py:3:8: github-token"), "{text}");
    git(d, &["commit", "-qm", "rename+secret", "--no-verify"]);
    // Removing the secrets: not blocked.
    write(d, "newer.py", "x = 1\n");
    git(d, &["add", "newer.py"]);
    let out = creor_in(d)
        .args(["scan", "--staged"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn diff_rev_scans_added_lines_since_rev() {
    let dir = repo();
    let d = dir.path();
    write(d, "a.txt", &format!("t = {}\n", gh_token()));
    git(d, &["add", "a.txt"]);
    git(d, &["commit", "-qm", "secret"]);
    let out = creor_in(d)
        .args(["scan", "--diff", "HEAD~1"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).starts_with("a.txt:1:5:"), "{}", stdout(&out));
    let out = creor_in(d)
        .args(["scan", "--diff", "HEAD"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 0);
    let out = creor_in(d)
        .args(["scan", "--diff", "--output=x"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
    let out = creor_in(d)
        .args(["scan", "--diff", "no-such-rev"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
}

#[test]
fn staged_outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = creor_in(dir.path())
        .args(["scan", "--staged"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 2);
}

#[test]
fn staged_ignores_diff_config_and_works_from_subdirs_and_unborn_branches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    for (k, v) in [
        ("diff.relative", "true"),
        ("diff.noprefix", "true"),
        ("color.diff", "always"),
        ("diff.external", "false"),
        ("core.quotePath", "true"),
    ] {
        git(d, &["config", k, v]);
    }
    write(d, "top dir/ü.env", &format!("T={}\n", gh_token()));
    std::fs::create_dir_all(d.join("sub")).expect("mkdir");
    git(d, &["add", "-A"]);
    let out = creor_in(&d.join("sub"))
        .args(["scan", "--staged"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout(&out).starts_with("top dir/ü.env:1:3: github-token"),
        "{}",
        stdout(&out)
    );
}
