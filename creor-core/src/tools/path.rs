//! Turning a path the model wrote into the canonical path the engine judges and the anchor the
//! tools open it beneath.

use std::path::{Component, Path, PathBuf};

use super::{ToolEnv, ToolError};

/// A path ready for a decision and an fd-relative open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Canonical absolute path (existing part symlink-free; missing tail appended).
    pub path: PathBuf,
    /// Directory the open is anchored at (project, session tmp, or `/`).
    pub anchor: PathBuf,
    /// `path` relative to `anchor`.
    pub rel: PathBuf,
    /// How results name it: project-relative inside the project, absolute outside.
    pub shown: String,
}

impl Resolved {
    /// Whether the path is inside the project.
    pub fn in_project(&self, env: &ToolEnv) -> bool {
        self.path.starts_with(&env.project)
    }
}

/// Resolves `raw` (relative to the project, absolute, or `~/…`). `/tmp/…` maps to the
/// session's private tmp dir, never the host's, unless the project itself lives there.
pub fn resolve(env: &ToolEnv, raw: &str) -> Result<Resolved, ToolError> {
    let bad = |reason: &str| ToolError::Path {
        path: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let p = Path::new(raw);
    let mut abs = if raw == "~" {
        env.home.clone()
    } else if let Some(rest) = raw.strip_prefix("~/") {
        env.home.join(rest)
    } else if p.is_absolute() {
        p.to_path_buf()
    } else {
        env.project.join(p)
    };
    // Only a `/tmp` the model wrote literally is remapped (a home or project that happens to
    // live under the host's /tmp, as in test suites, keeps its path).
    if let Some(tmp) = &env.session_tmp {
        if p.is_absolute() && !abs.starts_with(&env.project) && !abs.starts_with(tmp) {
            if let Ok(rest) = abs.strip_prefix("/tmp") {
                abs = tmp.join(rest);
            }
        }
    }
    // Canonicalise the longest existing prefix; the missing tail must be plain names.
    let mut existing = abs.clone();
    let mut tail: Vec<std::ffi::OsString> = Vec::new();
    let canon = loop {
        match existing.canonicalize() {
            Ok(c) => break c,
            Err(_) => {
                let name = existing
                    .file_name()
                    .ok_or_else(|| bad("no existing parent directory"))?
                    .to_owned();
                if !existing.pop() {
                    return Err(bad("no existing parent directory"));
                }
                tail.push(name);
            }
        }
    };
    let mut path = canon;
    for name in tail.iter().rev() {
        match Path::new(name).components().next() {
            Some(Component::Normal(_)) => path.push(name),
            _ => return Err(bad("`..` or `.` through a missing directory")),
        }
    }
    // The engine reads any path under `/tmp` (outside the project and the session tmp) as the
    // session's tmp; one that only *resolves* there (via `~`, `..` or a symlink) would be judged
    // as one file and opened as another. The host's /tmp is never exposed: refuse.
    let in_session_tmp = env
        .session_tmp
        .as_ref()
        .is_some_and(|t| path.starts_with(t));
    if path.starts_with("/tmp") && !path.starts_with(&env.project) && !in_session_tmp {
        return Err(ToolError::Refused(format!(
            "{} is in the host's /tmp, which tools never touch (/tmp is the session's private tmp)",
            path.display()
        )));
    }
    let (anchor, rel) = anchor_of(env, &path);
    let shown = display(env, &path);
    Ok(Resolved {
        path,
        anchor,
        rel,
        shown,
    })
}

/// The directory to open `path` beneath.
pub fn anchor_of(env: &ToolEnv, path: &Path) -> (PathBuf, PathBuf) {
    let mut anchors: Vec<&Path> = vec![env.project.as_path()];
    if let Some(t) = &env.session_tmp {
        anchors.push(t.as_path());
    }
    for a in anchors {
        if let Ok(rel) = path.strip_prefix(a) {
            return (a.to_path_buf(), rel.to_path_buf());
        }
    }
    let rel = path.strip_prefix("/").unwrap_or(path).to_path_buf();
    (PathBuf::from("/"), rel)
}

/// How a path is shown to the model: project-relative inside the project, absolute outside.
pub fn display(env: &ToolEnv, path: &Path) -> String {
    match path.strip_prefix(&env.project) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn relative_home_tmp_and_missing_tails() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().canonicalize().unwrap();
        let proj = root.join("proj");
        std::fs::create_dir_all(proj.join("src")).unwrap();
        std::fs::create_dir_all(root.join("home")).unwrap();
        std::fs::create_dir_all(root.join("stmp")).unwrap();
        std::os::unix::fs::symlink(proj.join("src"), proj.join("link")).unwrap();
        let env = ToolEnv::for_tests(&proj, &root.join("home"), Some(root.join("stmp")));
        let r = resolve(&env, "src/new/file.rs").unwrap();
        assert_eq!(r.path, proj.join("src/new/file.rs"));
        assert_eq!(r.anchor, proj);
        assert_eq!(r.rel, Path::new("src/new/file.rs"));
        assert_eq!(resolve(&env, "link/a").unwrap().path, proj.join("src/a"));
        let r = resolve(&env, "/tmp/x").unwrap();
        assert_eq!(r.path, root.join("stmp/x"));
        assert_eq!(r.anchor, root.join("stmp"));
        assert_eq!(resolve(&env, "src/../../proj").unwrap().path, proj);
        assert!(resolve(&env, "nope/../../x").is_err());
        let r = resolve(&env, "/usr/bin").unwrap();
        assert_eq!(r.anchor, Path::new("/"));
    }
}

#[cfg(test)]
mod host_tmp_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_path_that_only_resolves_into_host_tmp_is_refused() {
        let t = tempfile::tempdir().unwrap(); // under the host's /tmp
        let root = t.path().canonicalize().unwrap();
        let proj = root.join("proj");
        let stmp = root.join("stmp");
        std::fs::create_dir_all(&proj).unwrap();
        std::fs::create_dir_all(&stmp).unwrap();
        std::fs::create_dir_all(root.join("home/.ssh")).unwrap();
        let env = ToolEnv::for_tests(&proj, &root.join("home"), Some(stmp));
        let e = resolve(&env, "~/.ssh/id_rsa").unwrap_err();
        assert!(e.to_string().starts_with("denied:"), "{e}");
        std::os::unix::fs::symlink(root.join("home"), proj.join("h")).unwrap();
        assert!(resolve(&env, "h/.ssh/id_rsa").is_err());
        assert!(resolve(&env, "src/x").is_ok());
        // Without a session tmp, /tmp is still never the host's.
        let bare = ToolEnv::for_tests(&proj, &root.join("home"), None);
        assert!(resolve(&bare, "/tmp/x")
            .unwrap_err()
            .to_string()
            .starts_with("denied:"));
    }
}
