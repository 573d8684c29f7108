//! Redaction of tool output: every secret the scanner finds is replaced by
//! `[REDACTED:<rule>]` before the text reaches the model, the event stream or the audit log.

use std::sync::OnceLock;

use super::config::SecretsConfig;
use super::engine::Scanner;
use super::finding::Finding;

/// Passes before giving up: a replacement can expose a new match (two secrets glued together);
/// the loop runs until a pass finds nothing, which is what makes redaction idempotent.
const MAX_PASSES: usize = 8;

/// What replaces the whole text if redaction does not settle (fail closed).
const UNSTABLE: &str = "[REDACTED:redaction-unstable]";

impl Scanner {
    /// Replaces every secret in `text` by `[REDACTED:<rule>]` and returns the findings (paths
    /// empty). Inline suppression markers are ignored: tool output is attacker-controlled.
    /// Idempotent: `redact(redact(t).0).0 == redact(t).0`.
    pub fn redact(&self, text: &str) -> (String, Vec<Finding>) {
        let mut current = text.to_string();
        let mut all = Vec::new();
        for _ in 0..MAX_PASSES {
            let found = self.scan_lines("", current.as_bytes(), None, false);
            if found.is_empty() {
                return (current, all);
            }
            current = replace(&current, &found);
            all.extend(found);
        }
        (UNSTABLE.to_string(), all)
    }
}

/// Replaces the findings' spans (merged where they overlap) in one pass.
fn replace(text: &str, found: &[Finding]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = found
        .iter()
        .map(|f| {
            let mut s = f.span.start.min(text.len());
            let mut e = f.span.end.min(text.len());
            while !text.is_char_boundary(s) {
                s -= 1;
            }
            while !text.is_char_boundary(e) {
                e += 1;
            }
            (s, e, f.rule.as_str())
        })
        .collect();
    spans.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (s, e, rule) in spans {
        if e <= pos {
            continue;
        }
        if s >= pos {
            out.push_str(&text[pos..s]);
            out.push_str("[REDACTED:");
            out.push_str(rule);
            out.push(']');
        }
        pos = e;
    }
    out.push_str(&text[pos..]);
    out
}

/// Redacts with the built-in rules only (the agent passes its session scanner to
/// [`Scanner::redact`] when creor.json adds rules). If the built-in rules failed to compile,
/// which the tests rule out, the whole text is withheld rather than passed through.
pub fn redact(text: &str) -> (String, Vec<Finding>) {
    static BUILTIN: OnceLock<Option<Scanner>> = OnceLock::new();
    match BUILTIN.get_or_init(|| Scanner::new(&SecretsConfig::default()).ok()) {
        Some(s) => s.redact(text),
        None => ("[REDACTED:scanner-unavailable]".to_string(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GH: &str = "ghp_Zk3q9XbLmN0pQ7rS2tUvW4xY8aBcDeF1gH6j"; // creor:allow (test token)

    #[test]
    fn replaces_secret_keeps_the_rest() {
        let text = format!("export GITHUB_TOKEN={GH}\necho ok\n");
        let (out, found) = redact(&text);
        assert_eq!(
            out,
            "export GITHUB_TOKEN=[REDACTED:github-token]\necho ok\n"
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "github-token");
    }

    #[test]
    fn suppression_markers_do_not_protect_tool_output() {
        let text = format!("{GH} # creor:allow");
        assert!(redact(&text).0.starts_with("[REDACTED:github-token]"));
    }

    #[test]
    fn pem_body_is_redacted() {
        let body: String = (0..20)
            .map(|i| format!("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo{i:02}abcXyz+/\n"))
            .collect();
        let text =
            format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n");
        let (out, found) = redact(&text);
        assert_eq!(found.len(), 1, "{out}");
        assert!(out.contains("[REDACTED:private-key]"));
        assert!(!out.contains("QUJDREVG"));
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(GH.to_string()),
            Just("AKIAQ3EGUJK7ZN2XHW4Y".to_string()), // creor:allow
            Just("password = \"Tr0ub4dor&3xyzQ\"".to_string()),
            Just("postgres://app:s3cretPw9@db:5432/x".to_string()), // creor:allow
            Just("Authorization: Bearer abcDEF123456ghiJKL789mno".to_string()), // creor:allow
            Just("[REDACTED:jwt]".to_string()),
            Just("token=".to_string()),
            Just("\n".to_string()),
            Just(" ".to_string()),
            "[a-zA-Z0-9_=:\"' ./+-]{0,12}",
            "\\PC{0,6}",
        ]
    }

    proptest! {
        #[test]
        fn redaction_is_idempotent(parts in proptest::collection::vec(piece(), 0..12)) {
            let text: String = parts.concat();
            let (once, _) = redact(&text);
            let (twice, found) = redact(&once);
            prop_assert_eq!(&twice, &once);
            prop_assert!(found.is_empty());
        }
    }
}
