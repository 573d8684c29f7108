//! A compiled rule: one regex, the keywords that gate it, and the filters its candidates pass.

use std::sync::{Arc, OnceLock};

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};

use super::config::SecretRuleConfig;
use super::error::{Result, SecretsError};

/// Which part of a match is the secret (what gets hashed, masked and redacted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// A fixed capture group (0 = the whole match).
    Index(usize),
    /// The first of these groups that took part in the match; lets one regex accept a value
    /// bare or in quotes without a backreference. The first group listed is the bare value.
    AnyOf(&'static [usize]),
}

/// Extra checks some built-in rules run on the candidate secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Nothing beyond the entropy floor and placeholder filter.
    None,
    /// `name = value` assignments: the value must look random, not like code or a path.
    GenericValue,
    /// The password of a database URL: stock placeholders (`password`, `pass`) are not secrets.
    DbPassword,
}

/// A keyword of the prefilter. Matching is ASCII case-insensitive; a case-sensitive keyword
/// (provider prefixes such as `AKIA`) is re-checked byte for byte on each hit.
#[derive(Debug, Clone)]
pub(crate) struct Keyword {
    pub(crate) text: String,
    pub(crate) case_sensitive: bool,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id printed in findings and used in `[REDACTED:<id>]`.
    pub id: Arc<str>,
    /// Human description, printed in JSON and SARIF.
    pub description: Arc<str>,
    pub(crate) regex: Regex,
    /// The built-in regex without `\b` word boundaries, for redaction: tool output is
    /// attacker-shaped, and `echo x$TOKEN` must not slip a token past `\b(ghp_…)`.
    pub(crate) loose_src: Option<Box<str>>,
    pub(crate) loose: OnceLock<Option<Regex>>,
    pub(crate) keywords: Vec<Keyword>,
    pub(crate) group: Group,
    pub(crate) entropy: Option<f64>,
    pub(crate) paths: Option<GlobSet>,
    pub(crate) check: Check,
    /// Groups holding the name a value is assigned to (the first that matched is used).
    pub(crate) name_groups: &'static [usize],
    /// The regex may span lines (PEM blocks): it runs anchored on a bounded window starting at
    /// each keyword hit.
    pub(crate) multiline: bool,
    /// A catch-all rule: its finding is dropped where a specific rule found the same secret.
    pub(crate) generic: bool,
}

/// Compiles a regex the way every rule is compiled: bytes (files need not be UTF-8), ASCII
/// classes (faster, and every rule is about ASCII tokens), a size cap against pathological
/// user patterns.
pub(crate) fn compile_regex(id: &str, pattern: &str) -> Result<Regex> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(8 << 20)
        .build()
        .map_err(|e| SecretsError::Rule {
            id: id.to_string(),
            message: e.to_string(),
        })
}

/// Whether a rule id is usable in fingerprints (`PATH:RULE:HASH`) and redaction markers.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

impl Rule {
    /// Builds a rule from creor.json `secrets.rules[]`.
    pub(crate) fn from_config(c: &SecretRuleConfig) -> Result<Rule> {
        let err = |message: String| SecretsError::Rule {
            id: c.id.clone(),
            message,
        };
        if !valid_id(&c.id) {
            return Err(err("id must be letters, digits, '-', '_' or '.'".into()));
        }
        let regex = compile_regex(&c.id, &c.regex)?;
        if c.secret_group >= regex.captures_len() {
            return Err(err(format!(
                "secretGroup {} but the regex has {} group(s)",
                c.secret_group,
                regex.captures_len() - 1
            )));
        }
        if let Some(e) = c.entropy {
            if !(0.0..=8.0).contains(&e) {
                return Err(err(format!("entropy {e} is outside 0..=8 bits per byte")));
            }
        }
        if c.keywords.iter().any(|k| k.is_empty()) {
            return Err(err("empty keyword".into()));
        }
        let paths = if c.paths.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in &c.paths {
                b.add(Glob::new(p).map_err(|e| err(format!("paths: {p:?}: {e}")))?);
            }
            Some(b.build().map_err(|e| err(format!("paths: {e}")))?)
        };
        Ok(Rule {
            id: c.id.as_str().into(),
            description: if c.description.is_empty() {
                format!("user rule {}", c.id).into()
            } else {
                c.description.as_str().into()
            },
            regex,
            loose_src: None,
            loose: OnceLock::new(),
            keywords: c
                .keywords
                .iter()
                .map(|k| Keyword {
                    text: k.clone(),
                    case_sensitive: false,
                })
                .collect(),
            group: Group::Index(c.secret_group),
            entropy: c.entropy,
            paths,
            check: Check::None,
            name_groups: &[],
            multiline: false,
            generic: false,
        })
    }

    /// The regex to run: the loose variant when asked for and there is one.
    pub(crate) fn regex(&self, loose: bool) -> &Regex {
        match (&self.loose_src, loose) {
            (Some(src), true) => self
                .loose
                .get_or_init(|| compile_regex(&self.id, src).ok())
                .as_ref()
                .unwrap_or(&self.regex),
            _ => &self.regex,
        }
    }

    /// Whether the rule applies to a file at `path` (rules without `paths` apply everywhere,
    /// and so does every rule when there is no path, as for tool output).
    pub(crate) fn applies_to(&self, path: Option<&str>) -> bool {
        match (&self.paths, path) {
            (Some(set), Some(p)) => set.is_match(p),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(id: &str, regex: &str, group: usize) -> SecretRuleConfig {
        SecretRuleConfig {
            id: id.into(),
            description: String::new(),
            regex: regex.into(),
            keywords: vec!["acme".into()],
            secret_group: group,
            entropy: None,
            paths: vec!["**/*.tf".into()],
        }
    }

    #[test]
    fn user_rule_compiles_and_scopes_paths() {
        let r = Rule::from_config(&cfg("acme-key", r"acme_([a-z0-9]{16})", 1)).expect("compiles");
        assert!(r.applies_to(Some("infra/main.tf")));
        assert!(!r.applies_to(Some("src/main.rs")));
        assert!(r.applies_to(None));
    }

    #[test]
    fn bad_user_rules_name_the_rule() {
        let e = Rule::from_config(&cfg("acme", r"acme_(", 0)).expect_err("bad regex");
        assert!(e.to_string().contains("\"acme\""), "{e}");
        let e = Rule::from_config(&cfg("acme", r"acme_x", 2)).expect_err("bad group");
        assert!(e.to_string().contains("secretGroup 2"), "{e}");
        let e = Rule::from_config(&cfg("a:b", r"x", 0)).expect_err("bad id");
        assert!(e.to_string().contains("\"a:b\""), "{e}");
    }
}
