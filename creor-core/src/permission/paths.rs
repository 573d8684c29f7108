//! Path subjects: `~` expansion, the session `/tmp` mapping, and canonicalisation with
//! symlinks resolved, so a pattern is matched against the file that would really be touched.

use std::fs;
use std::path::{Component, Path, PathBuf};

use super::floor::under;

/// Symlink hops followed before giving up (as the kernel's ELOOP limit).
const MAX_LINKS: usize = 40;

/// The directories a path is resolved against.
#[derive(Debug, Clone)]
pub struct PathContext {
    /// Canonical project directory (relative paths are relative to it).
    pub project: PathBuf,
    /// The user's home as given.
    pub home: PathBuf,
    /// Canonical host directory backing the session's `/tmp`.
    pub session_tmp: Option<PathBuf>,
}

/// A path as the engine judges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPath {
    /// Canonical absolute path (symlinks resolved, `..` applied after resolution).
    pub absolute: PathBuf,
    /// The path before symlink resolution (home expanded, tmp mapped, lexically cleaned).
    pub lexical: PathBuf,
    /// Whether the canonical path is the project or below it.
    pub inside_project: bool,
    /// Project-relative inside the project (`.` for the project itself), absolute outside.
    pub named: String,
}

impl PathContext {
    /// Expands a leading `~` (alone or `~/…`) to home.
    pub fn expand_home(&self, path: &Path) -> PathBuf {
        let mut comps = path.components();
        match comps.next() {
            Some(Component::Normal(first)) if first == "~" => self.home.join(comps.as_path()),
            _ => path.to_path_buf(),
        }
    }

    /// Resolves a tool path: home expansion, project-relative paths, the `/tmp` mapping, then
    /// canonicalisation.
    pub fn resolve(&self, path: &Path) -> ResolvedPath {
        let from_home = matches!(path.components().next(), Some(Component::Normal(f)) if f == "~");
        let expanded = self.expand_home(path);
        let absolute = if expanded.is_absolute() {
            expanded
        } else {
            self.project.join(expanded)
        };
        let cleaned = lexical_clean(&absolute);
        // Only a path written as `/tmp/…` is the session's tmp; home is never remapped.
        let mapped = if from_home {
            None
        } else {
            self.tmp_rest(&cleaned, &absolute)
        };
        let (lexical, raw) = match mapped {
            Some((tmp, rest_clean, rest_raw)) => (tmp.join(rest_clean), tmp.join(rest_raw)),
            None => (cleaned, absolute),
        };
        // `..` is applied by canonicalisation, after the symlinks before it are resolved.
        let canonical = self.canonicalise(&raw);
        let inside_project = under(&canonical, &self.project);
        let named = if inside_project {
            match canonical.strip_prefix(&self.project) {
                Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
                Ok(rel) => rel.to_string_lossy().into_owned(),
                Err(_) => canonical.to_string_lossy().into_owned(),
            }
        } else {
            canonical.to_string_lossy().into_owned()
        };
        ResolvedPath {
            absolute: canonical,
            lexical,
            inside_project,
            named,
        }
    }

    /// Host-side tools see `/tmp/…` as the session's private tmp, except for a project that
    /// itself lives under `/tmp`, which keeps its own path.
    /// [`canonicalise`], starting from the project or session tmp when the path lies below
    /// one of them: they are canonical already, so only the components below need a look.
    fn canonicalise(&self, raw: &Path) -> PathBuf {
        let bases = std::iter::once(&self.project).chain(self.session_tmp.as_ref());
        for base in bases {
            if let Ok(rest) = raw.strip_prefix(base) {
                return walk_from(base.clone(), rest, 0);
            }
        }
        canonicalise(raw)
    }

    /// For a path under `/tmp` (judged on its cleaned form), the session tmp and the rest of
    /// the path, cleaned and as written.
    fn tmp_rest<'p>(
        &'p self,
        cleaned: &'p Path,
        raw: &'p Path,
    ) -> Option<(&'p Path, &'p Path, &'p Path)> {
        let tmp = self.session_tmp.as_deref()?;
        if under(cleaned, &self.project) || under(cleaned, tmp) {
            return None;
        }
        let rest_clean = cleaned.strip_prefix("/tmp").ok()?;
        let rest_raw = raw.strip_prefix("/tmp").ok()?;
        Some((tmp, rest_clean, rest_raw))
    }
}

/// Removes `.` and applies `..` textually (used only before the `/tmp` mapping and for the
/// floor's lexical check; the judged path is [`canonicalise`]d).
pub fn lexical_clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// Canonicalises an absolute path: symlinks resolved; for a missing leaf the deepest existing
/// ancestor is resolved and the rest appended, with `..` applied only after resolution.
pub fn canonicalise(path: &Path) -> PathBuf {
    if let Ok(c) = fs::canonicalize(path) {
        return c;
    }
    walk(path, 0)
}

fn walk(path: &Path, depth: usize) -> PathBuf {
    walk_from(PathBuf::from("/"), path, depth)
}

/// Resolves `path` component by component below `cur`, which must be canonical.
fn walk_from(mut cur: PathBuf, path: &Path, depth: usize) -> PathBuf {
    let mut missing = false;
    for c in path.components() {
        match c {
            Component::RootDir | Component::Prefix(_) | Component::CurDir => {}
            Component::ParentDir => {
                cur.pop();
            }
            Component::Normal(n) => {
                let next = cur.join(n);
                if missing {
                    cur = next;
                    continue;
                }
                match fs::symlink_metadata(&next) {
                    Ok(m) if m.file_type().is_symlink() => {
                        cur = match fs::canonicalize(&next) {
                            Ok(t) => t,
                            // A dangling link: writing through it creates its target, so the
                            // target is the subject.
                            Err(_) if depth < MAX_LINKS => match fs::read_link(&next) {
                                Ok(target) => walk(&cur.join(target), depth + 1),
                                Err(_) => next,
                            },
                            Err(_) => next,
                        };
                    }
                    Ok(_) => cur = next,
                    Err(_) => {
                        missing = true;
                        cur = next;
                    }
                }
            }
        }
    }
    cur
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ctx(dir: &Path) -> PathContext {
        PathContext {
            project: dir.canonicalize().unwrap(),
            home: PathBuf::from("/home/u"),
            session_tmp: None,
        }
    }

    #[test]
    fn relative_paths_are_project_relative() {
        let d = tempfile::tempdir().unwrap();
        let r = ctx(d.path()).resolve(Path::new("src/new.rs"));
        assert!(r.inside_project);
        assert_eq!(r.named, "src/new.rs");
    }

    #[test]
    fn dotdot_leaves_the_project() {
        let d = tempfile::tempdir().unwrap();
        let c = ctx(d.path());
        let r = c.resolve(Path::new("../elsewhere/x"));
        assert!(!r.inside_project);
        assert!(r.named.starts_with('/'));
    }

    #[test]
    fn symlink_out_of_the_project_is_outside() {
        let d = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(out.path(), d.path().join("link")).unwrap();
        let r = ctx(d.path()).resolve(Path::new("link/file-to-create"));
        assert!(!r.inside_project);
        assert!(r.absolute.starts_with(out.path().canonicalize().unwrap()));
    }

    #[test]
    fn dotdot_after_symlink_follows_the_target() {
        let d = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        std::fs::create_dir(out.path().join("inner")).unwrap();
        std::os::unix::fs::symlink(out.path().join("inner"), d.path().join("l")).unwrap();
        let r = ctx(d.path()).resolve(Path::new("l/../missing"));
        assert_eq!(
            r.absolute,
            out.path().canonicalize().unwrap().join("missing")
        );
    }

    #[test]
    fn dangling_symlink_resolves_to_its_target() {
        let d = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let target = out.path().canonicalize().unwrap().join("new");
        std::os::unix::fs::symlink(&target, d.path().join("dangling")).unwrap();
        let r = ctx(d.path()).resolve(Path::new("dangling"));
        assert_eq!(r.absolute, target);
    }

    #[test]
    fn tmp_maps_to_session_tmp() {
        let d = tempfile::tempdir().unwrap();
        let t = tempfile::tempdir().unwrap();
        let mut c = ctx(d.path());
        c.session_tmp = Some(t.path().canonicalize().unwrap());
        let r = c.resolve(Path::new("/tmp/out"));
        assert_eq!(r.absolute, t.path().canonicalize().unwrap().join("out"));
    }
}
