//! Dismissed findings: `.creor/secrets-baseline.json` keyed on hash(secret) + path + rule.
//! Never line numbers (a dismissal survives edits above it), never the secret.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::{Result, SecretsError};
use super::finding::{fingerprint, FingerprintParts};

/// Where the baseline lives, relative to the project root.
pub const BASELINE_FILE: &str = ".creor/secrets-baseline.json";

/// One dismissed finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dismissal {
    /// Project-relative path.
    pub path: String,
    /// Rule id.
    pub rule: String,
    /// Truncated SHA-256 of the secret.
    pub secret_hash: String,
    /// Why it is not a secret (or is accepted).
    pub reason: String,
    /// Who dismissed it (`$USER`).
    pub by: String,
    /// When (RFC 3339).
    pub time: String,
}

/// The baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// Dismissed findings.
    pub dismissed: Vec<Dismissal>,
    #[serde(skip)]
    index: HashSet<String>,
}

impl Baseline {
    /// The baseline path for a project root.
    pub fn path(root: &Path) -> PathBuf {
        root.join(BASELINE_FILE)
    }

    /// Loads the baseline; a missing file is an empty baseline, a malformed one an error (a
    /// broken baseline must not silently un-dismiss or dismiss anything).
    pub fn load(root: &Path) -> Result<Baseline> {
        let path = Baseline::path(root);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Baseline {
                    version: 1,
                    ..Baseline::default()
                })
            }
            Err(source) => return Err(SecretsError::Io { path, source }),
        };
        let mut b: Baseline = serde_json::from_str(&text).map_err(|e| SecretsError::Baseline {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if b.version != 1 {
            return Err(SecretsError::Baseline {
                path,
                message: format!("unsupported version {}", b.version),
            });
        }
        b.reindex();
        Ok(b)
    }

    fn reindex(&mut self) {
        self.index = self
            .dismissed
            .iter()
            .map(|d| fingerprint(&d.path, &d.rule, &d.secret_hash))
            .collect();
    }

    /// Whether a finding with this fingerprint was dismissed.
    pub fn is_dismissed(&self, fingerprint: &str) -> bool {
        self.index.contains(fingerprint)
    }

    /// Adds a dismissal; false if it was already there.
    pub fn dismiss(&mut self, fp: &FingerprintParts, reason: &str, by: &str, time: &str) -> bool {
        let key = fingerprint(&fp.path, &fp.rule, &fp.hash);
        if !self.index.insert(key) {
            return false;
        }
        self.version = 1;
        self.dismissed.push(Dismissal {
            path: fp.path.clone(),
            rule: fp.rule.clone(),
            secret_hash: fp.hash.clone(),
            reason: reason.to_string(),
            by: by.to_string(),
            time: time.to_string(),
        });
        true
    }

    /// Writes the baseline atomically (temp file + rename), creating `.creor/`.
    pub fn save(&self, root: &Path) -> Result<()> {
        let path = Baseline::path(root);
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| SecretsError::Io { path: p, source }
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        let mut text = serde_json::to_string_pretty(self).map_err(|e| SecretsError::Baseline {
            path: path.clone(),
            message: e.to_string(),
        })?;
        text.push('\n');
        let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
        std::fs::write(&tmp, text).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_lookup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut b = Baseline::load(dir.path()).expect("empty");
        let fp = FingerprintParts {
            path: "src/a.py".into(),
            rule: "generic-secret".into(),
            hash: "0123456789abcdef0123456789abcdef".into(),
        };
        assert!(b.dismiss(&fp, "test fixture", "me", "2026-01-01T00:00:00Z"));
        assert!(!b.dismiss(&fp, "again", "me", "2026-01-01T00:00:00Z"));
        b.save(dir.path()).expect("save");
        let b = Baseline::load(dir.path()).expect("load");
        assert!(b.is_dismissed("src/a.py:generic-secret:0123456789abcdef0123456789abcdef")); // creor:allow
        assert!(!b.is_dismissed("src/b.py:generic-secret:0123456789abcdef0123456789abcdef")); // creor:allow
        let text = std::fs::read_to_string(Baseline::path(dir.path())).expect("read");
        assert!(!text.contains("\"line\""));
    }

    #[test]
    fn malformed_baseline_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(".creor")).expect("mkdir");
        std::fs::write(
            Baseline::path(dir.path()),
            "{\"version\":1,\"dismissed\":[{}]}",
        )
        .expect("write");
        let e = Baseline::load(dir.path()).expect_err("malformed");
        assert!(e.to_string().contains("secrets-baseline.json"), "{e}");
    }
}
