//! The floor (POLICY.md "Decision" §1): built-in limits no configuration, session approval or
//! profile can lift. Reads and writes under `~/.ssh`, `~/.aws`, `~/.gnupg` are denied; writes to
//! creor's own config and to git's hooks and config are at least `ask`.

use std::path::{Component, Path, PathBuf};

/// Directories under home that are never read or written.
pub const DENIED_DIRS: [&str; 3] = [".ssh", ".aws", ".gnupg"];

/// The floor for one user.
#[derive(Debug, Clone)]
pub struct Floor {
    /// `(directory, label)` — both the lexical and the canonical form of each directory.
    denied: Vec<(PathBuf, &'static str)>,
}

impl Floor {
    /// Builds the floor for `home` (both as given and canonicalised, in case home or one of
    /// the directories is a symlink).
    pub fn new(home: &Path) -> Floor {
        let mut denied = Vec::new();
        let canon_home = home.canonicalize().ok();
        for (dir, label) in DENIED_DIRS.iter().zip(["~/.ssh", "~/.aws", "~/.gnupg"]) {
            let plain = home.join(dir);
            if let Ok(c) = plain.canonicalize() {
                denied.push((c, label));
            }
            if let Some(h) = &canon_home {
                denied.push((h.join(dir), label));
            }
            denied.push((plain, label));
        }
        Floor { denied }
    }

    /// The label of the denied directory holding any of `paths` (`~/.ssh`), if one does.
    pub fn denied(&self, paths: &[&Path]) -> Option<&'static str> {
        paths.iter().find_map(|p| {
            self.denied
                .iter()
                .find(|(d, _)| under(p, d))
                .map(|(_, label)| *label)
        })
    }
}

/// `path` is `dir` or below it, compared on bytes (both are absolute and clean).
pub fn under(path: &Path, dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let (p, d) = (path.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
    let d = d.strip_suffix(b"/").unwrap_or(d);
    p.starts_with(d) && (p.len() == d.len() || p[d.len()] == b'/' || d.is_empty())
}

/// The protected file a write to `path` would touch (`creor.json`, `.creor/`, `.git/hooks/`,
/// `.git/config`), at any depth: writes there are at least `ask` and never session-approved.
pub fn protected(path: &Path) -> Option<&'static str> {
    let names: Vec<&std::ffi::OsStr> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect();
    if let Some(last) = names.last() {
        if *last == "creor.json" {
            return Some("creor.json");
        }
        if *last == "creor.local.json" {
            return Some("creor.local.json");
        }
    }
    for (i, n) in names.iter().enumerate() {
        if *n == ".creor" {
            return Some(".creor/");
        }
        if *n == ".git" {
            match names.get(i + 1) {
                Some(next) if *next == "hooks" => return Some(".git/hooks/"),
                Some(next) if *next == "config" && i + 2 == names.len() => {
                    return Some(".git/config")
                }
                // git takes hooks and config from wherever these point.
                Some(next) if *next == "commondir" && i + 2 == names.len() => {
                    return Some(".git/commondir")
                }
                Some(next) if *next == "worktrees" => return Some(".git/worktrees/"),
                // Writing `.git` itself (a file or the whole directory) reaches both.
                None => return Some(".git/"),
                _ => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denied_dirs_cover_their_contents() {
        let f = Floor::new(Path::new("/nonexistent-home"));
        assert_eq!(
            f.denied(&[Path::new("/nonexistent-home/.ssh/id_rsa")]),
            Some("~/.ssh")
        );
        assert_eq!(
            f.denied(&[Path::new("/nonexistent-home/.aws")]),
            Some("~/.aws")
        );
        assert_eq!(f.denied(&[Path::new("/nonexistent-home/.sshx")]), None);
    }

    #[test]
    fn under_respects_component_boundaries() {
        assert!(under(Path::new("/a/b"), Path::new("/a")));
        assert!(under(Path::new("/a"), Path::new("/a")));
        assert!(under(Path::new("/a"), Path::new("/")));
        assert!(!under(Path::new("/ab"), Path::new("/a")));
        assert!(!under(Path::new("/a"), Path::new("/a/b")));
    }

    #[test]
    fn protected_files() {
        assert_eq!(protected(Path::new("/p/creor.json")), Some("creor.json"));
        assert_eq!(protected(Path::new("/p/.creor/state")), Some(".creor/"));
        assert_eq!(
            protected(Path::new("/p/.git/hooks/pre-commit")),
            Some(".git/hooks/")
        );
        assert_eq!(protected(Path::new("/p/.git/config")), Some(".git/config"));
        assert_eq!(
            protected(Path::new("/p/.git/commondir")),
            Some(".git/commondir")
        );
        assert_eq!(
            protected(Path::new("/p/.git/worktrees/w/commondir")),
            Some(".git/worktrees/")
        );
        assert_eq!(protected(Path::new("/p/.git/HEAD")), None);
        assert_eq!(protected(Path::new("/p/src/creor.json.bak")), None);
    }
}
