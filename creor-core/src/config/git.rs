//! The current git branch, read from `.git/HEAD` without running git (the agent controls the
//! project's git config and hooks; creor must not execute them to pick a profile).

use std::fs;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};

/// Compiles a `profileSelect.when.branch` glob: `*` stays within one `/`-separated segment,
/// `**` crosses segments (`release/*` matches `release/1.2`, not `release/1/hotfix`).
pub fn branch_glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g: Glob| g.compile_matcher())
}

/// What HEAD says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// On a branch (`refs/heads/<name>`; the name without the prefix).
    Branch(String),
    /// Detached at a commit, or HEAD points outside `refs/heads/`.
    Detached,
    /// No repository above the project.
    NoRepo,
}

/// Finds the repository holding `project` (walking up) and reads its HEAD. Handles a `.git`
/// file (`gitdir: …`, used by worktrees and submodules).
pub fn head(project: &Path) -> Head {
    let mut dir = Some(project);
    while let Some(d) = dir {
        let dotgit = d.join(".git");
        if let Ok(meta) = fs::symlink_metadata(&dotgit) {
            let gitdir = if meta.is_dir() {
                Some(dotgit)
            } else if meta.is_file() {
                gitdir_from_file(&dotgit, d)
            } else {
                None
            };
            return match gitdir {
                Some(g) => read_head(&g),
                None => Head::Detached,
            };
        }
        dir = d.parent();
    }
    Head::NoRepo
}

fn gitdir_from_file(dotgit: &Path, worktree: &Path) -> Option<PathBuf> {
    let text = fs::read_to_string(dotgit).ok()?;
    let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    if target.is_empty() {
        return None;
    }
    let target = Path::new(target);
    Some(if target.is_absolute() {
        target.to_path_buf()
    } else {
        worktree.join(target)
    })
}

fn read_head(gitdir: &Path) -> Head {
    let Ok(text) = fs::read_to_string(gitdir.join("HEAD")) else {
        return Head::Detached;
    };
    match text.trim_end().strip_prefix("ref:") {
        Some(r) => match r.trim().strip_prefix("refs/heads/") {
            Some(b) if !b.is_empty() => Head::Branch(b.to_string()),
            _ => Head::Detached,
        },
        None => Head::Detached,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn branch_from_plain_repo_and_subdirectory() {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir_all(t.path().join(".git")).unwrap();
        fs::write(t.path().join(".git/HEAD"), "ref: refs/heads/release/1.2\n").unwrap();
        fs::create_dir_all(t.path().join("sub/dir")).unwrap();
        assert_eq!(head(t.path()), Head::Branch("release/1.2".into()));
        assert_eq!(
            head(&t.path().join("sub/dir")),
            Head::Branch("release/1.2".into())
        );
    }

    #[test]
    fn detached_head_has_no_branch() {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir_all(t.path().join(".git")).unwrap();
        fs::write(
            t.path().join(".git/HEAD"),
            "3f786850e387550fdab836ed7e6dc881de23001b\n",
        )
        .unwrap();
        assert_eq!(head(t.path()), Head::Detached);
    }

    #[test]
    fn worktree_gitdir_file_relative_and_absolute() {
        let t = tempfile::tempdir().unwrap();
        let gd = t.path().join("main/.git/worktrees/wt");
        fs::create_dir_all(&gd).unwrap();
        fs::write(gd.join("HEAD"), "ref: refs/heads/feature/x\n").unwrap();
        let wt = t.path().join("wt");
        fs::create_dir_all(&wt).unwrap();
        fs::write(wt.join(".git"), format!("gitdir: {}\n", gd.display())).unwrap();
        assert_eq!(head(&wt), Head::Branch("feature/x".into()));
        fs::write(wt.join(".git"), "gitdir: ../main/.git/worktrees/wt\n").unwrap();
        assert_eq!(head(&wt), Head::Branch("feature/x".into()));
    }

    #[test]
    fn no_repository() {
        let t = tempfile::tempdir().unwrap();
        // Only meaningful where the temp dir is not itself inside a repository (TMPDIR could
        // point into a CI checkout); there the walk must find that repository instead.
        let in_repo = t.path().ancestors().any(|a| a.join(".git").exists());
        if in_repo {
            assert_ne!(head(t.path()), Head::NoRepo);
        } else {
            assert_eq!(head(t.path()), Head::NoRepo);
        }
    }

    #[test]
    fn globs_respect_segments() {
        let g = branch_glob("release/*").unwrap();
        assert!(g.is_match("release/1.2"));
        assert!(!g.is_match("release/1/hotfix"));
        assert!(!g.is_match("prerelease/1"));
        assert!(branch_glob("release/**")
            .unwrap()
            .is_match("release/1/hotfix"));
        assert!(branch_glob("main").unwrap().is_match("main"));
        assert!(!branch_glob("main").unwrap().is_match("main2"));
        assert!(branch_glob("release/[").is_err());
    }
}
