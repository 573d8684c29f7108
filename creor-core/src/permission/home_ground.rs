//! The home ground (POLICY.md "Home ground"): where a tool may read or write without an
//! `external-directory` grant. It mirrors the sandbox's default access table, so the engine
//! asks exactly where the sandbox would refuse.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::floor::under;
use super::tool::Access;

/// System directories readable without a grant (world-readable files only).
const SYSTEM: [&str; 5] = ["/usr", "/bin", "/sbin", "/etc", "/opt"];

/// The project and tmp directories that make up the ground.
#[derive(Debug, Clone)]
pub struct HomeGround<'a> {
    /// Canonical project directory.
    pub project: &'a Path,
    /// The session tmp, or `/tmp` when the session has none.
    pub tmp: &'a Path,
}

impl HomeGround<'_> {
    /// Whether `path` (canonical) is inside the ground for `access`. `listing` is true for
    /// `ls`-like access, which may also list `/` itself.
    pub fn contains(&self, path: &Path, access: Access, listing: bool) -> bool {
        if under(path, self.project) || under(path, self.tmp) {
            return true;
        }
        if access == Access::Write {
            return false;
        }
        if listing && path == Path::new("/") {
            return true;
        }
        if !is_system(path) {
            return false;
        }
        match std::fs::metadata(path) {
            Ok(m) => m.permissions().mode() & 0o004 != 0,
            // A file that does not exist yet reveals nothing.
            Err(_) => true,
        }
    }
}

fn is_system(path: &Path) -> bool {
    if SYSTEM.iter().any(|s| path.starts_with(s)) {
        return true;
    }
    let mut comps = path.components();
    comps.next();
    matches!(comps.next(), Some(std::path::Component::Normal(n)) if n.to_string_lossy().starts_with("lib"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let g = HomeGround {
            project: Path::new("/work/p"),
            tmp: Path::new("/state/tmp1"),
        };
        assert!(g.contains(Path::new("/work/p/src"), Access::Write, false));
        assert!(g.contains(Path::new("/state/tmp1/x"), Access::Write, false));
        assert!(g.contains(Path::new("/usr/include/nothing.h"), Access::Read, false));
        assert!(g.contains(Path::new("/lib64/nothing"), Access::Read, false));
        assert!(!g.contains(Path::new("/usr/include/nothing.h"), Access::Write, false));
        assert!(!g.contains(Path::new("/home/u/x"), Access::Read, false));
        assert!(g.contains(Path::new("/"), Access::Read, true));
        assert!(!g.contains(Path::new("/"), Access::Read, false));
        assert!(!g.contains(Path::new("/work/other"), Access::Read, false));
    }

    #[test]
    fn unreadable_system_files_are_outside() {
        // /etc/shadow is 0640 or stricter on every distribution that has it.
        if Path::new("/etc/shadow").exists() {
            let g = HomeGround {
                project: Path::new("/work/p"),
                tmp: Path::new("/tmp"),
            };
            assert!(!g.contains(Path::new("/etc/shadow"), Access::Read, false));
        }
    }
}
