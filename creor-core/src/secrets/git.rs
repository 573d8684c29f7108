//! Staged and revision scans through `git` subprocesses: one `git diff` whose added lines are
//! read from the index (`--cached`), never from the working tree.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::diff::{parse_diff, DiffFile};
use super::engine::Scanner;
use super::error::{Result, SecretsError};
use super::finding::Finding;

/// What to diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffTarget {
    /// The index against `HEAD` (what `git commit` would record).
    Staged,
    /// A revision or range as `git diff` takes it (`origin/main`, `A..B`, `A...B`).
    Rev(String),
}

/// Runs `git` in `dir` and returns stdout; a failure names the arguments and git's stderr.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_PAGER", "cat")
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| SecretsError::Git {
            args: args.join(" "),
            message: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(SecretsError::Git {
            args: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// The top directory of the work tree containing `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])?;
    let s = String::from_utf8_lossy(&out);
    Ok(PathBuf::from(s.trim_end_matches(['\n', '\r'])))
}

/// The changed files of `target`, as sparse texts of their hunks.
pub fn diff_files(dir: &Path, target: &DiffTarget) -> Result<Vec<DiffFile>> {
    let rev;
    let what: &str = match target {
        DiffTarget::Staged => "--cached",
        DiffTarget::Rev(r) => {
            if r.starts_with('-') || r.is_empty() {
                return Err(SecretsError::Git {
                    args: format!("diff {r}"),
                    message: "a revision must not start with '-'".into(),
                });
            }
            rev = r.clone();
            &rev
        }
    };
    let out = git(
        dir,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            what,
            "-U1",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-relative",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "-M",
            "--diff-filter=ACMRT",
            "--ignore-submodules",
            "--",
        ],
    )?;
    Ok(parse_diff(&out))
}

/// Scans the added lines of `target` in the repository at `dir`. Paths in findings are
/// relative to the top of the work tree.
pub fn scan_diff(scanner: &Scanner, dir: &Path, target: &DiffTarget) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for f in diff_files(dir, target)? {
        if scanner.skips_path(&f.path) {
            continue;
        }
        findings.extend(scanner.scan_lines(&f.path, &f.text, Some(&f.lines), true));
    }
    Ok(findings)
}
