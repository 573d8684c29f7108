//! A memo of documents that already passed the schema, so the schema pass costs microseconds
//! instead of the ~2.5 ms it takes to build the validator, on every `creor exec` (and so every
//! bash tool call) in a project with a creor.json.
//!
//! An entry is an empty file named by SHA-256 of the schema text and the document's canonical
//! JSON, under `$XDG_CACHE_HOME/creor/schema-valid/` (else `~/.cache/creor/schema-valid/`).
//! Only passes are recorded, and the key covers the schema, so an entry can only ever repeat
//! the verdict the validator gave the same bytes; a schema change or any edit to the
//! document misses. The directory lives in the home directory, which no sandboxed command
//! can see. Every failure to read or write the memo just means validating again.

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Where the memo lives for this process (`None` without `XDG_CACHE_HOME` or `HOME`). The
/// sandbox policy protects it when a sandboxed command could otherwise write it (a project
/// that is `$HOME`): a planted entry would skip the schema pass for a document.
pub fn dir() -> Option<PathBuf> {
    let from_xdg = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = match from_xdg {
        Some(p) => p,
        None => PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?).join(".cache"),
    };
    Some(base.join("creor").join("schema-valid"))
}

/// The entry name for `document` under `schema`.
pub fn key(schema: &str, document: &serde_json::Value) -> String {
    let mut h = Sha256::new();
    h.update(schema.as_bytes());
    h.update([0]);
    // serde_json writes a Value deterministically (objects keep their order).
    h.update(document.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `key` was recorded as a pass (a regular file, not a link, in the memo directory).
pub fn passed(key: &str) -> bool {
    dir().is_some_and(|d| passed_in(&d, key))
}

/// Records `key` as a pass. Best effort.
pub fn record(key: &str) {
    if let Some(d) = dir() {
        record_in(&d, key);
    }
}

fn passed_in(dir: &Path, key: &str) -> bool {
    std::fs::symlink_metadata(dir.join(key)).is_ok_and(|m| m.file_type().is_file())
}

fn record_in(dir: &Path, key: &str) {
    let _ = DirBuilder::new().recursive(true).mode(0o700).create(dir);
    // O_EXCL|O_NOFOLLOW: never writes through a link planted at the entry's name.
    let _ = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(dir.join(key));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_changes_with_schema_and_document() {
        let doc = serde_json::json!({"a": 1});
        let k = key("S", &doc);
        assert_eq!(k.len(), 64);
        assert_eq!(k, key("S", &doc));
        assert_ne!(k, key("S2", &doc));
        assert_ne!(k, key("S", &serde_json::json!({"a": 2})));
    }

    #[test]
    fn a_recorded_pass_is_found_and_a_link_is_not() {
        let d = tempfile::tempdir().expect("tempdir");
        let memo = d.path().join("creor/schema-valid");
        assert!(!passed_in(&memo, "k1"));
        record_in(&memo, "k1");
        assert!(passed_in(&memo, "k1"));
        std::os::unix::fs::symlink(memo.join("k1"), memo.join("k2")).expect("symlink");
        assert!(!passed_in(&memo, "k2"), "a link is not an entry");
    }
}
