//! Turning policy paths into the paths Seatbelt compares against.
//!
//! Seatbelt matches the *resolved* path of the vnode an operation touches, so a rule for
//! `/tmp/x` never matches: the kernel sees `/private/tmp/x`. Two mechanisms resolve:
//!
//! 1. A table of macOS's root-level symlinks (`/tmp`, `/var`, `/etc` → `/private/…`), applied
//!    first, so a profile generated on Linux names what a Mac's kernel will see (and Linux's own
//!    symlinks there, such as `/var/run` → `/run`, never leak into a macOS profile).
//! 2. Real canonicalisation of the deepest existing ancestor (symlinks anywhere in the path),
//!    then the table again for targets that land in an aliased root. On a Mac step 1 is exactly
//!    what canonicalisation would do for those roots.
//!
//! For paths that must be *denied* (protected, hidden) the symlink node itself matters as much
//! as its target: unlinking or renaming a symlink acts on the link, writing through it acts on
//! the target. [`node_and_target`] returns both.

use std::path::{Component, Path, PathBuf};

use crate::error::{Result, SandboxError};

use super::sbpl;

/// macOS's root-level symlinks into `/private` (firmlinks and `/System/Volumes/Data` are not
/// visible as different paths to Seatbelt, so they need no entry).
pub const ROOT_ALIASES: &[(&str, &str)] = &[
    ("/tmp", "/private/tmp"),
    ("/var", "/private/var"),
    ("/etc", "/private/etc"),
];

fn refuse(path: &Path, reason: impl Into<String>) -> SandboxError {
    SandboxError::Path {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Checks that a policy path can be put in a profile: absolute, UTF-8, no `..`, no control
/// characters. Returns it lexically cleaned (no `.` components, no trailing `/`).
pub fn validate(path: &Path) -> Result<String> {
    let text = path
        .to_str()
        .ok_or_else(|| refuse(path, "not valid UTF-8; Seatbelt profiles are UTF-8 text"))?;
    if !path.is_absolute() {
        return Err(refuse(path, "not absolute"));
    }
    sbpl::check_string(text).map_err(|e| refuse(path, e.to_string()))?;
    let mut clean = String::new();
    for component in path.components() {
        match component {
            Component::RootDir | Component::CurDir => {}
            Component::Normal(name) => {
                clean.push('/');
                // Components of a UTF-8 path are UTF-8.
                clean.push_str(&name.to_string_lossy());
            }
            Component::ParentDir => return Err(refuse(path, "contains '..'")),
            Component::Prefix(_) => return Err(refuse(path, "has a drive prefix")),
        }
    }
    if clean.is_empty() {
        clean.push('/');
    }
    Ok(clean)
}

/// Applies [`ROOT_ALIASES`] to a clean absolute path (component-wise: `/tmpfoo` is untouched).
pub fn apply_aliases(clean: &str) -> String {
    for (alias, target) in ROOT_ALIASES {
        if let Some(rest) = clean.strip_prefix(alias) {
            if rest.is_empty() || rest.starts_with('/') {
                return format!("{target}{rest}");
            }
        }
    }
    clean.to_owned()
}

/// Applies the alias table, canonicalises the deepest existing ancestor and re-appends the rest,
/// then applies the table again. Paths that do not exist yet (a `creor.local.json` nobody wrote)
/// still get their symlinked parents resolved.
fn resolve_clean(original: &Path, clean: &str) -> Result<String> {
    let aliased = apply_aliases(clean);
    let clean = aliased.as_str();
    let mut existing = PathBuf::from(clean);
    let mut rest: Vec<String> = Vec::new();
    let resolved = loop {
        if let Ok(real) = std::fs::canonicalize(&existing) {
            let mut real = real;
            for name in rest.iter().rev() {
                real.push(name);
            }
            break real;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_string_lossy().into_owned());
                existing = parent.to_path_buf();
            }
            // `/` itself failed to canonicalise: keep the path as written.
            _ => break PathBuf::from(clean),
        }
    };
    // The resolved form came from the filesystem (symlink targets): validate it again.
    let clean_resolved = validate(&resolved)
        .map_err(|e| refuse(original, format!("resolves to an unusable path: {e}")))?;
    Ok(apply_aliases(&clean_resolved))
}

/// The path Seatbelt will see for `path`: validated, symlinks resolved, root aliases applied.
pub fn resolve(path: &Path) -> Result<String> {
    let clean = validate(path)?;
    resolve_clean(path, &clean)
}

/// For a path that must be denied: the node itself (parent resolved, last component kept, so
/// rules catch unlinking or replacing a symlink) and the fully resolved target. Equal unless the
/// last component is a symlink.
pub fn node_and_target(path: &Path) -> Result<(String, String)> {
    let clean = validate(path)?;
    let target = resolve_clean(path, &clean)?;
    let node = match clean.rfind('/') {
        Some(0) if clean.len() == 1 => target.clone(),
        Some(cut) => {
            let parent = if cut == 0 { "/" } else { &clean[..cut] };
            let parent = resolve_clean(path, parent)?;
            let name = &clean[cut + 1..];
            if parent == "/" {
                format!("/{name}")
            } else {
                format!("{parent}/{name}")
            }
        }
        None => target.clone(),
    };
    // `/tmp` as a protected path: the node is the `/tmp` symlink, which the alias table maps.
    Ok((apply_aliases(&node), target))
}

/// Whether `path` is `root` or lies below it (component-wise).
pub fn is_within(path: &str, root: &str) -> bool {
    if root == "/" {
        return path.starts_with('/');
    }
    match path.strip_prefix(root) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// The proper ancestors of a clean absolute path, nearest first, ending with `/`.
pub fn ancestors(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = path;
    while let Some(cut) = current.rfind('/') {
        if current == "/" {
            break;
        }
        let parent = if cut == 0 { "/" } else { &current[..cut] };
        out.push(parent.to_owned());
        current = parent;
    }
    out
}

/// A scratch directory for tests that need real symlinks, outside `/tmp`, `/var` and `/etc`
/// (which the alias table maps to macOS paths before canonicalising): the target dir, or
/// `/dev/shm` when the checkout itself sits under one of them (a CI clone in `/tmp`).
#[cfg(test)]
pub(crate) fn scratch() -> tempfile::TempDir {
    let aliased = |p: &Path| {
        ["/tmp", "/var", "/etc", "/private"]
            .iter()
            .any(|a| p.starts_with(a))
    };
    let base = [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/seatbelt-scratch"),
        PathBuf::from("/dev/shm/creor-seatbelt-scratch"),
    ]
    .into_iter()
    .filter_map(|b| {
        std::fs::create_dir_all(&b).ok()?;
        b.canonicalize().ok()
    })
    .find(|b| !aliased(b))
    .expect("a scratch directory outside /tmp, /var and /etc");
    tempfile::tempdir_in(base).expect("scratch dir")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn validate_cleans_and_refuses() {
        assert_eq!(validate(Path::new("/a/./b/")).unwrap(), "/a/b");
        assert_eq!(validate(Path::new("/")).unwrap(), "/");
        for (bad, why) in [
            ("rel/x", "not absolute"),
            ("/a/../b", "'..'"),
            ("/a\nb", "control character"),
            ("/a\0b", "control character"),
        ] {
            let err = validate(Path::new(bad)).unwrap_err().to_string();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }

    #[test]
    fn aliases_are_component_wise() {
        assert_eq!(apply_aliases("/tmp"), "/private/tmp");
        assert_eq!(apply_aliases("/tmp/x"), "/private/tmp/x");
        assert_eq!(apply_aliases("/var/folders/ab"), "/private/var/folders/ab");
        assert_eq!(apply_aliases("/etc/hosts"), "/private/etc/hosts");
        assert_eq!(apply_aliases("/tmpfoo"), "/tmpfoo");
        assert_eq!(apply_aliases("/private/tmp"), "/private/tmp");
    }

    #[test]
    fn resolve_follows_real_symlinks_and_keeps_missing_tails() {
        let dir = scratch();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
        let got = resolve(&dir.path().join("link/not/yet")).unwrap();
        let want = format!("{}/not/yet", real.canonicalize().unwrap().display());
        assert_eq!(got, want);
        assert!(!got.contains("/link/"), "{got}");
    }

    #[test]
    fn node_and_target_differ_for_a_symlinked_leaf() {
        let dir = scratch();
        let target = dir.path().join("target.json");
        std::fs::write(&target, "{}").unwrap();
        let link = dir.path().join("creor.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let (node, resolved) = node_and_target(&link).unwrap();
        assert!(node.ends_with("/creor.json"), "{node}");
        assert!(resolved.ends_with("/target.json"), "{resolved}");
        assert_eq!(
            Path::new(&node).parent(),
            Path::new(&resolved).parent(),
            "same resolved parent"
        );
    }

    #[test]
    fn linux_symlinks_in_aliased_roots_do_not_leak_into_macos_paths() {
        // On Linux /var/run is a symlink to /run; a Mac has /private/var/run.
        assert_eq!(
            resolve(Path::new("/var/run/docker.sock")).unwrap(),
            "/private/var/run/docker.sock"
        );
        assert_eq!(resolve(Path::new("/tmp/x")).unwrap(), "/private/tmp/x");
    }

    #[test]
    fn ancestors_and_within() {
        assert_eq!(ancestors("/a/b/c"), vec!["/a/b", "/a", "/"]);
        assert_eq!(ancestors("/"), Vec::<String>::new());
        assert!(is_within("/a/b", "/a"));
        assert!(is_within("/a", "/a"));
        assert!(!is_within("/ab", "/a"));
        assert!(is_within("/x", "/"));
    }
}
