//! A finding: where a secret is and which rule found it, never the secret itself.

use std::ops::Range;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::{Result, SecretsError};
use super::rule::valid_id;

/// Hex digits of the secret hash kept in fingerprints and baselines (128 bits).
const HASH_HEX: usize = 32;

/// One secret found. Holds a hash and a masked form of the secret, never its bytes, so a
/// finding can be printed, logged and uploaded (SARIF) safely.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The path as the user gave it joined with the path below it (`""` for tool output).
    pub path: String,
    /// 1-based line of the secret's first byte.
    pub line: usize,
    /// 1-based column (Unicode scalar values) of the secret's first byte.
    pub column: usize,
    /// 1-based line of the secret's last byte.
    pub end_line: usize,
    /// 1-based column just past the secret (exclusive, like SARIF's `endColumn`).
    pub end_column: usize,
    /// The rule id.
    pub rule: String,
    /// The rule's description.
    pub description: String,
    /// `PATH:RULE:HASH`, stable across edits that move the secret; what `creor scan dismiss`
    /// takes.
    pub fingerprint: String,
    /// Truncated SHA-256 of the secret (hex).
    pub secret_hash: String,
    /// The secret with all but a short prefix replaced by `*`.
    pub masked: String,
    /// Byte range of the secret in the scanned text (for redaction; not serialised).
    #[serde(skip)]
    pub span: Range<usize>,
}

impl Finding {
    /// Sets the project-relative path the fingerprint is keyed on (the printed `path` may be
    /// `../x` or absolute; baselines need one spelling per file).
    pub fn set_key_path(&mut self, key_path: &str) {
        self.fingerprint = fingerprint(key_path, &self.rule, &self.secret_hash);
    }
}

/// Hex SHA-256 of a secret, truncated: what baselines store instead of the secret.
pub fn secret_hash(secret: &[u8]) -> String {
    let digest = Sha256::digest(secret);
    let mut s = String::with_capacity(HASH_HEX);
    for b in digest.iter().take(HASH_HEX / 2) {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Builds `PATH:RULE:HASH`.
pub fn fingerprint(path: &str, rule: &str, hash: &str) -> String {
    format!("{path}:{rule}:{hash}")
}

/// The parts of a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerprintParts {
    /// Project-relative path.
    pub path: String,
    /// Rule id.
    pub rule: String,
    /// Secret hash (hex).
    pub hash: String,
}

/// Splits `PATH:RULE:HASH` from the right (paths may contain `:`, rule ids and hashes do not).
pub fn parse_fingerprint(fp: &str) -> Result<FingerprintParts> {
    let bad = || SecretsError::Fingerprint(fp.to_string());
    let (rest, hash) = fp.rsplit_once(':').ok_or_else(bad)?;
    let (path, rule) = rest.rsplit_once(':').ok_or_else(bad)?;
    if path.is_empty()
        || !valid_id(rule)
        || hash.len() != HASH_HEX
        || !hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(bad());
    }
    Ok(FingerprintParts {
        path: path.into(),
        rule: rule.into(),
        hash: hash.into(),
    })
}

/// Masks a secret for display: a four-character prefix for long secrets (enough to recognise
/// `ghp_` or `AKIA`), stars for the rest, capped so a PEM block stays on one line.
pub fn mask(secret: &[u8]) -> String {
    let trimmed: Vec<u8> = secret
        .iter()
        .copied()
        .skip_while(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'\\'))
        .collect();
    let shown = if trimmed.len() >= 16 { 4 } else { 0 };
    let mut out: String = trimmed[..shown]
        .iter()
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect();
    let stars = (trimmed.len() - shown).clamp(4, 16);
    out.extend(std::iter::repeat_n('*', stars));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_round_trip_with_colons_in_path() {
        let h = secret_hash(b"s3cr3t");
        let fp = fingerprint("C:dir/a:b.env", "generic-secret", &h);
        let p = parse_fingerprint(&fp).expect("parses");
        assert_eq!(p.path, "C:dir/a:b.env");
        assert_eq!(p.rule, "generic-secret");
        assert_eq!(p.hash, h);
        assert!(parse_fingerprint("a.env:rule:xyz").is_err());
        assert!(parse_fingerprint(&format!(":rule:{h}")).is_err());
    }

    #[test]
    fn mask_never_shows_more_than_a_prefix() {
        assert_eq!(
            mask(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789"), // creor:allow
            "ghp_****************"
        );
        assert_eq!(mask(b"hunter22"), "********");
        assert!(!mask(b"\nMIIEabc\ndefghijklmnopqrstu").contains('\n'));
    }
}
