//! creor.json as written: one file, before layering. Every struct refuses unknown keys; levels,
//! policies and tool names are closed sets. Semantic checks that serde cannot express (regexes,
//! globs, ranges) live in [`super::check`].

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::types::{Level, NetworkMode, OnAsk};
use crate::secrets::SecretsConfig;

/// The tools a permission rule may name (`*` = every tool without its own rule).
pub const TOOLS: &[&str] = &[
    "*",
    "read",
    "write",
    "edit",
    "glob",
    "grep",
    "ls",
    "bash",
    "webfetch",
    "websearch",
    "external-directory",
];

/// Profiles shipped inside the binary; their names cannot be redefined by a file.
pub const BUNDLED_PROFILES: &[&str] = &["default", "strict", "ci", "readonly"];

/// One creor.json file (any layer) as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawConfig {
    /// The editor's schema reference; ignored by creor.
    #[serde(rename = "$schema", default)]
    pub schema: Option<String>,
    /// Permission rules.
    #[serde(default)]
    pub permissions: Option<RawPermissions>,
    /// What an unanswerable ask becomes.
    #[serde(default)]
    pub on_ask: Option<OnAsk>,
    /// Sandbox settings.
    #[serde(default)]
    pub sandbox: Option<RawSandbox>,
    /// Model endpoint.
    #[serde(default)]
    pub provider: Option<RawProvider>,
    /// Secret scanner extensions.
    #[serde(default)]
    pub secrets: Option<SecretsConfig>,
    /// Named profiles defined by this file.
    #[serde(default)]
    pub profiles: Option<BTreeMap<String, RawProfile>>,
    /// Automatic profile selection, first match wins.
    #[serde(default)]
    pub profile_select: Option<Vec<ProfileSelect>>,
}

/// A profile: the part of creor.json a profile may change.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawProfile {
    /// Human description (shown by `creor config show`).
    #[serde(default)]
    pub description: Option<String>,
    /// Permission rules.
    #[serde(default)]
    pub permissions: Option<RawPermissions>,
    /// What an unanswerable ask becomes.
    #[serde(default)]
    pub on_ask: Option<OnAsk>,
    /// Sandbox settings.
    #[serde(default)]
    pub sandbox: Option<RawSandbox>,
}

/// `permissions`: a bare level (`"ask"` = every tool, every subject) or tool → rule.
#[derive(Debug, Clone, PartialEq)]
pub enum RawPermissions {
    /// `"permissions": "ask"`.
    All(Level),
    /// `"permissions": { "bash": …, … }` in file order.
    Tools(Vec<(String, ToolRule)>),
}

/// A tool's value: a level, or pattern → level.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolRule {
    /// `"read": "allow"`.
    Level(Level),
    /// `"bash": { "*": "ask", "git *": "allow" }` in file order.
    Patterns(Vec<(String, Level)>),
}

fn parse_level<E: de::Error>(v: &str) -> Result<Level, E> {
    match v {
        "allow" => Ok(Level::Allow),
        "ask" => Ok(Level::Ask),
        "deny" => Ok(Level::Deny),
        _ => Err(E::custom(format!(
            "unknown level `{v}`, expected `allow`, `ask` or `deny`"
        ))),
    }
}

/// A tool name as a map key; unknown names are refused at the key's line.
struct ToolName(String);

impl<'de> Deserialize<'de> for ToolName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        if TOOLS.contains(&name.as_str()) {
            Ok(ToolName(name))
        } else {
            Err(de::Error::custom(format!(
                "unknown tool `{name}`, expected one of {}",
                TOOLS
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }
}

/// A rule pattern as a map key; empty patterns are refused.
struct Pattern(String);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = String::deserialize(d)?;
        if p.is_empty() {
            Err(de::Error::custom("empty pattern (use `*` for everything)"))
        } else {
            Ok(Pattern(p))
        }
    }
}

/// A level as a map value, with creor's own error message.
struct LevelValue(Level);

impl<'de> Deserialize<'de> for LevelValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Level;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a level (`allow`, `ask` or `deny`)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Level, E> {
                parse_level(v)
            }
        }
        d.deserialize_str(V).map(LevelValue)
    }
}

impl<'de> Deserialize<'de> for RawPermissions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawPermissions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a level or an object of tool → level or pattern map")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPermissions, E> {
                parse_level(v).map(RawPermissions::All)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPermissions, A::Error> {
                let mut tools = Vec::new();
                while let Some(ToolName(name)) = map.next_key()? {
                    let rule: ToolRule = map.next_value()?;
                    tools.push((name, rule));
                }
                Ok(RawPermissions::Tools(tools))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ToolRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ToolRule;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a level or an object of pattern → level")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ToolRule, E> {
                parse_level(v).map(ToolRule::Level)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ToolRule, A::Error> {
                let mut patterns = Vec::new();
                while let Some(Pattern(p)) = map.next_key()? {
                    let LevelValue(level) = map.next_value()?;
                    patterns.push((p, level));
                }
                Ok(ToolRule::Patterns(patterns))
            }
        }
        d.deserialize_any(V)
    }
}

/// `sandbox`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSandbox {
    /// `sandbox.network`.
    #[serde(default)]
    pub network: Option<RawNetwork>,
    /// `sandbox.filesystem`.
    #[serde(default)]
    pub filesystem: Option<RawFilesystem>,
    /// `sandbox.limits`.
    #[serde(default)]
    pub limits: Option<RawLimits>,
    /// `sandbox.allowDegraded`.
    #[serde(default)]
    pub allow_degraded: Option<bool>,
}

/// `sandbox.network`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawNetwork {
    /// `block_all | allow_specific | allow_all`.
    #[serde(default)]
    pub policy: Option<NetworkMode>,
    /// Hosts reachable under `allow_specific`.
    #[serde(default)]
    pub allowed_hosts: Option<Vec<String>>,
    /// Hosts never reachable.
    #[serde(default)]
    pub denied_hosts: Option<Vec<String>>,
}

/// `sandbox.filesystem`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawFilesystem {
    /// Extra paths bound read-only.
    #[serde(default)]
    pub read_only: Option<Vec<String>>,
    /// Extra paths bound read-write.
    #[serde(default)]
    pub read_write: Option<Vec<String>>,
}

/// `sandbox.limits` (sizes in MiB as written; the resolved config holds bytes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawLimits {
    /// Seconds one command may run.
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// Processes inside one sandbox.
    #[serde(default)]
    pub max_processes: Option<u64>,
    /// Memory, MiB.
    #[serde(default)]
    pub max_memory_mb: Option<u64>,
    /// Largest file a command may write, MiB.
    #[serde(default)]
    pub max_file_size_mb: Option<u64>,
    /// Size of the private `/tmp`, MiB.
    #[serde(default)]
    pub tmp_size_mb: Option<u64>,
}

/// `provider.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI-compatible chat completions.
    Openai,
    /// Anthropic messages API.
    Anthropic,
}

impl ProviderKind {
    /// The name as written in creor.json.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Openai => "openai",
            ProviderKind::Anthropic => "anthropic",
        }
    }
}

/// `provider`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawProvider {
    /// API flavour.
    pub kind: ProviderKind,
    /// Endpoint base URL.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Model name.
    #[serde(default)]
    pub model: Option<String>,
    /// Name of the env var holding the API key.
    #[serde(default)]
    pub api_key_env: Option<String>,
}

/// One `profileSelect` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSelect {
    /// The condition.
    pub when: When,
    /// The profile to select when it holds.
    pub profile: String,
}

/// A `profileSelect` condition: exactly one of `env` (with optional `equals`) or `branch`
/// (checked in [`super::check`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Environment variable that must be set (non-empty), or equal `equals`.
    #[serde(default)]
    pub env: Option<String>,
    /// Exact value `env` must have.
    #[serde(default)]
    pub equals: Option<String>,
    /// Glob over the current git branch (`release/*`).
    #[serde(default)]
    pub branch: Option<String>,
}
