//! Where a project's audit log lives: `$XDG_STATE_HOME/creor/audit/<project-id>.jsonl`, or
//! `~/.local/state/creor/audit/…`. Outside the project, so the agent cannot edit its own log.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::AuditError;

/// A short stable id for a project: the first 16 hex digits of SHA-256 of its canonical path
/// (the path as given when it cannot be canonicalised).
pub fn project_id(project: &Path) -> String {
    let canon = project
        .canonicalize()
        .unwrap_or_else(|_| project.to_path_buf());
    let digest = Sha256::digest(canon.as_os_str().as_encoded_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The default log path for `project`, from the environment.
pub fn default_log_path(project: &Path) -> Result<PathBuf, AuditError> {
    let state = match std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        Some(s) if Path::new(&s).is_absolute() => PathBuf::from(s),
        _ => {
            let home = std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .ok_or(AuditError::NoStateDir)?;
            PathBuf::from(home).join(".local").join("state")
        }
    };
    Ok(state
        .join("creor")
        .join("audit")
        .join(format!("{}.jsonl", project_id(project))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_id_is_short_and_stable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = project_id(dir.path());
        assert_eq!(a.len(), 16);
        assert_eq!(a, project_id(&dir.path().join(".")));
        assert_ne!(a, project_id(Path::new("/")));
    }
}
