//! The `secrets` section of creor.json: user rules and allowlists added to the built-in ones.

use serde::{Deserialize, Serialize};

/// `secrets` in creor.json.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretsConfig {
    /// Extra rules.
    #[serde(default)]
    pub rules: Vec<SecretRuleConfig>,
    /// Global allowlist.
    #[serde(default)]
    pub allowlist: SecretAllowlist,
}

/// A user-defined secret rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretRuleConfig {
    /// Stable rule id (`acme-api-key`).
    pub id: String,
    /// What the rule finds.
    #[serde(default)]
    pub description: String,
    /// The regex (Rust `regex` syntax).
    pub regex: String,
    /// Keywords for the prefilter; a rule without keywords runs on every line.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Capture group holding the secret (0 = whole match).
    #[serde(default)]
    pub secret_group: usize,
    /// Minimum Shannon entropy (bits/char) of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Path globs the rule applies to (empty = all).
    #[serde(default)]
    pub paths: Vec<String>,
}

/// Things never reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretAllowlist {
    /// Path globs never scanned.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes: a candidate secret matching one is not reported.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Substrings: a candidate secret containing one is not reported.
    #[serde(default)]
    pub stopwords: Vec<String>,
}
