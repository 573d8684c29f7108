//! Keeping the project's protected paths (`.git/hooks`, `.git/config`, `creor.json`, …) what
//! they were, beyond the read-only binds over them.
//!
//! A read-only bind protects the dentry it covers, not the name: renaming an unprotected
//! parent (`mv .git .git-old; mkdir -p .git/hooks`) or creating a protected name that did not
//! exist yet would let a command plant a git hook or loosen the next session's policy.
//! Two measures close that:
//!
//! - **Pins.** Every real directory between a writable root (the project, a read-write grant)
//!   and an existing protected path is bound onto itself, read-write. A mount point cannot be
//!   renamed or removed (EBUSY), so `.git` stays where it is and its read-only children stay
//!   with it. A regular file standing where a protected path's parent should be (a worktree's
//!   `.git` file, which redirects git to another directory) is bound read-only instead.
//!   A symlink anywhere on that walk is refused: creor cannot keep a link's target in place.
//! - **Revert.** A protected path absent before the run has nothing to bind over. The helper,
//!   back in the host mount namespace after the sandbox's pid namespace is gone (so no
//!   sandboxed process can race it), removes whatever appeared there without following
//!   symlinks, and says so on stderr. Should the helper be killed first, the journal it wrote
//!   before the run ([`super::journal`]) lets the next run rename those paths aside.

use std::io;
use std::path::{Component, Path, PathBuf};

use super::mounts::NodeKind;
use crate::error::{Result, SandboxError};
use crate::policy::SandboxPolicy;

/// What [`survey`] found on the host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Survey {
    /// Paths to bind onto themselves: directories read-write (through the root's mount, so
    /// they stay writable), files read-only.
    pub pins: Vec<(PathBuf, NodeKind)>,
    /// Protected paths that do not exist yet (reverted after the run).
    pub absent: Vec<PathBuf>,
}

/// The writable root `p` lies under (the deepest one), if any.
fn writable_root<'a>(policy: &'a SandboxPolicy, p: &Path) -> Option<&'a PathBuf> {
    std::iter::once(&policy.project)
        .chain(&policy.read_write)
        .filter(|r| p.starts_with(r) && p != r.as_path())
        .max_by_key(|r| r.components().count())
}

fn refuse(path: &Path, reason: &str) -> SandboxError {
    SandboxError::Path {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Walks from each writable root down to each protected path below it, without following
/// symlinks. Refuses a symlink on the way (or at the protected path itself).
pub fn survey(policy: &SandboxPolicy) -> Result<Survey> {
    let mut out = Survey::default();
    for p in &policy.protected {
        let Some(root) = writable_root(policy, p) else {
            continue;
        };
        let Ok(rest) = p.strip_prefix(root) else {
            continue;
        };
        let names: Vec<_> = rest.components().collect();
        if names.iter().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(refuse(p, "not canonical (contains . or ..)"));
        }
        let mut at = root.clone();
        for (i, name) in names.iter().enumerate() {
            at.push(name);
            let last = i + 1 == names.len();
            let md = match std::fs::symlink_metadata(&at) {
                Ok(md) => md,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    out.absent.push(p.clone());
                    break;
                }
                Err(e) => return Err(refuse(&at, &e.to_string())),
            };
            if md.file_type().is_symlink() {
                return Err(refuse(
                    &at,
                    &format!(
                        "is a symlink on the way to the protected path {}; creor cannot keep it \
                         read-only — replace the link with the real directory or file",
                        p.display()
                    ),
                ));
            }
            if last {
                break;
            }
            let kind = if md.is_dir() {
                NodeKind::Dir
            } else {
                NodeKind::File
            };
            if !out.pins.iter().any(|(q, _)| *q == at) {
                out.pins.push((at.clone(), kind));
            }
            if kind == NodeKind::File {
                // Nothing can exist below a file; the file itself is now read-only.
                break;
            }
        }
    }
    Ok(out)
}

/// Removes whatever appeared at `path` (absent before the run), never following a symlink:
/// each parent is checked with `lstat`, and a symlink parent that appeared is what gets
/// removed. Returns the path removed, if any. Call only when no sandboxed process is left.
pub fn revert_created(path: &Path) -> io::Result<Option<PathBuf>> {
    let mut at = PathBuf::new();
    let mut comps = path.components().peekable();
    while let Some(c) = comps.next() {
        at.push(c);
        if matches!(c, Component::RootDir) {
            continue;
        }
        let md = match std::fs::symlink_metadata(&at) {
            Ok(md) => md,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let last = comps.peek().is_none();
        if md.file_type().is_symlink() {
            // A parent that is a link now was absent before (existing parents were pinned
            // real directories): the link itself is the planted thing.
            std::fs::remove_file(&at)?;
            return Ok(Some(at));
        }
        if last {
            if md.is_dir() {
                remove_dir_tree(&at)?;
            } else {
                std::fs::remove_file(&at)?;
            }
            return Ok(Some(at));
        }
        if !md.is_dir() {
            // A file where a protected path's parent should be (a planted `.git` gitdir
            // redirect): existing ones were bound read-only, so this one is new.
            std::fs::remove_file(&at)?;
            return Ok(Some(at));
        }
    }
    Ok(None)
}

/// Removes a directory tree the command made, even one it made unwritable (`chmod 555`):
/// on failure every directory in it is made owner-writable (links never followed) and the
/// removal retried; if that fails too (a tree deeper than `PATH_MAX`), the directory is
/// renamed aside, which frees the protected name whatever it holds.
fn remove_dir_tree(dir: &Path) -> io::Result<()> {
    if std::fs::remove_dir_all(dir).is_ok() {
        return Ok(());
    }
    let _ = make_dirs_writable(dir);
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) => {
            let mut aside = dir.as_os_str().to_owned();
            aside.push(format!(".creor-removed-{}", std::process::id()));
            std::fs::rename(dir, &aside).map_err(|_| e)?;
            eprintln!(
                "creor: could not delete {}; moved it aside to {}",
                dir.display(),
                Path::new(&aside).display()
            );
            Ok(())
        }
    }
}

fn make_dirs_writable(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            let _ = make_dirs_writable(&entry.path());
        }
    }
    Ok(())
}

/// Reverts every path in `absent` and reports each removal (or failure) on stderr.
pub fn revert_all(absent: &[PathBuf]) {
    for p in absent {
        match revert_created(p) {
            Ok(Some(removed)) => eprintln!(
                "creor: removed {}: protected path created inside the sandbox",
                removed.display()
            ),
            Ok(None) => {}
            Err(e) => eprintln!(
                "creor: could not remove {} (protected path created inside the sandbox): {e}",
                p.display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn revert_removes_a_link_parent_not_its_target() {
        let d = tempfile::tempdir().unwrap();
        let outside = d.path().join("outside");
        std::fs::create_dir_all(outside.join("hooks")).unwrap();
        let proj = d.path().join("p");
        std::fs::create_dir(&proj).unwrap();
        std::os::unix::fs::symlink(&outside, proj.join(".git")).unwrap();
        let removed = revert_created(&proj.join(".git/hooks")).unwrap();
        assert_eq!(removed, Some(proj.join(".git")));
        assert!(outside.join("hooks").is_dir(), "followed the link");
    }

    #[test]
    fn revert_ignores_what_did_not_appear() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(revert_created(&d.path().join("a/b")).unwrap(), None);
    }
}
