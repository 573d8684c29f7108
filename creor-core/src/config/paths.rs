//! Sandbox paths as written (`~/x`, `build/cache`, `/opt/sdk`) → absolute paths, and the test
//! for "inside the project" that decides what a repository file may grant.

use std::path::{Component, Path, PathBuf};

/// Expands `~` / `~/…` with `home`, resolves a relative path against `project`, removes `.`
/// and `..` lexically, then resolves symlinks of the longest existing prefix, so a symlink
/// inside the project that points at `$HOME` is seen for what it is.
pub fn resolve(written: &str, home: Option<&Path>, project: &Path) -> Result<PathBuf, String> {
    if written.contains('\0') {
        return Err("path contains a NUL byte".into());
    }
    let joined = if written == "~" || written.starts_with("~/") {
        let home = home.ok_or("`~` needs HOME to be set")?;
        let rest = written.trim_start_matches('~').trim_start_matches('/');
        home.join(rest)
    } else if written.starts_with('~') {
        return Err("`~user` is not supported; use `~/…` or an absolute path".into());
    } else if Path::new(written).is_absolute() {
        PathBuf::from(written)
    } else {
        project.join(written)
    };
    Ok(canonical_prefix(&normalise(&joined)))
}

/// Removes `.` and resolves `..` without touching the filesystem (`/a/../..` stays at `/`).
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Canonicalises the longest existing ancestor and appends the rest unchanged.
fn canonical_prefix(path: &Path) -> PathBuf {
    let mut tail = Vec::new();
    let mut cur = path.to_path_buf();
    loop {
        if let Ok(c) = cur.canonicalize() {
            let mut out = c;
            for t in tail.iter().rev() {
                out.push(t);
            }
            return out;
        }
        match (cur.file_name().map(|n| n.to_os_string()), cur.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name);
                cur = parent.to_path_buf();
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Whether `path` is the project or below it (both already canonical).
pub fn inside(path: &Path, project: &Path) -> bool {
    path.starts_with(project)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tilde_forms() {
        let home = Path::new("/nonexistent-home/u");
        let project = Path::new("/nonexistent-project");
        assert_eq!(
            resolve("~", Some(home), project).unwrap(),
            PathBuf::from("/nonexistent-home/u")
        );
        assert_eq!(
            resolve("~/.cargo/registry", Some(home), project).unwrap(),
            PathBuf::from("/nonexistent-home/u/.cargo/registry")
        );
        assert!(resolve("~root/x", Some(home), project).is_err());
        assert!(resolve("~/x", None, project).is_err());
    }

    #[test]
    fn relative_and_dotdot() {
        let project = Path::new("/nonexistent-project/p");
        assert_eq!(
            resolve("build/cache", None, project).unwrap(),
            PathBuf::from("/nonexistent-project/p/build/cache")
        );
        assert_eq!(
            resolve("../other", None, project).unwrap(),
            PathBuf::from("/nonexistent-project/other")
        );
        assert!(!inside(
            &resolve("../other", None, project).unwrap(),
            project
        ));
        assert!(!inside(Path::new("/nonexistent-project/p2"), project));
        assert!(inside(Path::new("/nonexistent-project/p/x"), project));
    }

    #[test]
    fn symlink_out_of_the_project_is_resolved() {
        let t = tempfile::tempdir().unwrap();
        let project = t.path().join("p").canonicalize().unwrap_or_else(|_| {
            std::fs::create_dir(t.path().join("p")).unwrap();
            t.path().join("p").canonicalize().unwrap()
        });
        let outside = t.path().join("secret");
        std::fs::create_dir(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, project.join("link")).unwrap();
        let r = resolve("link/sub", None, &project).unwrap();
        assert!(!inside(&r, &project), "{r:?}");
        assert!(r.ends_with("secret/sub"));
    }
}
