//! The resolved configuration shared by every part of creor. These types are the contract
//! between the loader and its consumers (permission engine, sandbox translation, scanner).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::secrets::{SecretAllowlist, SecretsConfig};

/// A permission level. Ordered so that `max` is "the strictest": allow < ask < deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Runs without asking.
    Allow,
    /// Needs a user's approval (denied when headless).
    Ask,
    /// Never runs.
    Deny,
}

/// Where a setting came from, low → high precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// creor's built-in defaults.
    Builtin,
    /// The user's global file.
    Global,
    /// The project's `creor.json`.
    Project,
    /// The project's `creor.local.json`.
    Local,
    /// The selected profile.
    Profile,
    /// The managed `/etc/creor/creor.json`.
    Managed,
    /// Command-line flags.
    Cli,
}

impl Layer {
    /// Whether a deny from this layer holds against a narrower allow from the project
    /// (POLICY.md §3 "sticky denies").
    pub fn deny_is_sticky(self) -> bool {
        matches!(
            self,
            Layer::Global | Layer::Profile | Layer::Managed | Layer::Cli
        )
    }
}

/// One permission rule as written in some layer: `permissions.<tool>.<pattern> = <level>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rule {
    /// Tool name (`read`, `bash`, …) or `*` for every tool.
    pub tool: String,
    /// Pattern (`*` when the tool's value was a bare level).
    pub pattern: String,
    /// The level the rule assigns.
    pub level: Level,
    /// Which layer wrote it.
    pub layer: Layer,
    /// The file it came from (None for built-ins and CLI flags).
    pub source: Option<PathBuf>,
}

/// What happens to an `ask` when nobody can answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnAsk {
    /// Show a card (interactive) — headless still denies.
    #[default]
    Ask,
    /// Deny with reason `needs-approval-headless`.
    Deny,
    /// Abort the run non-zero.
    Fail,
}

/// `sandbox.network.policy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkMode {
    /// Only loopback inside the sandbox.
    #[default]
    BlockAll,
    /// Only `allowedHosts`, through creor's proxy.
    AllowSpecific,
    /// The host network.
    AllowAll,
}

/// The `sandbox.network` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkSettings {
    /// The policy.
    pub policy: NetworkMode,
    /// Host patterns allowed under `allow_specific`.
    pub allowed_hosts: Vec<String>,
    /// Host patterns always refused (beat allowed).
    pub denied_hosts: Vec<String>,
}

/// The `sandbox` section, resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxSettings {
    /// Network policy.
    pub network: NetworkSettings,
    /// Extra read-only paths (`~` expanded by the loader).
    pub read_only: Vec<PathBuf>,
    /// Extra read-write paths (`~` expanded by the loader).
    pub read_write: Vec<PathBuf>,
    /// Opt-in to the degraded landlock+seccomp-only mode where namespaces are unavailable.
    pub allow_degraded: bool,
    /// Timeout for one command, seconds.
    pub timeout_secs: Option<u64>,
    /// Max processes inside one sandbox.
    pub max_processes: Option<u64>,
    /// Memory cap in bytes.
    pub max_memory: Option<u64>,
    /// Max file size in bytes.
    pub max_file_size: Option<u64>,
    /// Size cap of the private `/tmp`, bytes.
    pub tmp_size: Option<u64>,
}

/// `provider`: the model endpoint. The API key is read from the env var it names, never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderConfig {
    /// `openai` or `anthropic`.
    pub kind: String,
    /// Base URL of the API.
    pub base_url: Option<String>,
    /// Model name.
    pub model: Option<String>,
    /// Name of the env var holding the key.
    pub api_key_env: Option<String>,
}

/// The merged configuration of one session, with the profile resolved and pinned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResolvedConfig {
    /// Canonical project directory.
    pub project: PathBuf,
    /// The selected profile, if any, and why it was selected.
    pub profile: Option<String>,
    /// Every permission rule of every layer (order carries no meaning).
    pub rules: Vec<Rule>,
    /// What to do with asks nobody can answer.
    pub on_ask: OnAsk,
    /// Sandbox settings.
    pub sandbox: SandboxSettings,
    /// Model provider.
    pub provider: Option<ProviderConfig>,
    /// Secret scanner extensions: rules from every layer; the allowlist from trusted layers only
    /// (global, profiles defined there or bundled, managed, CLI), so it may apply to redaction.
    pub secrets: SecretsConfig,
    /// Why the profile was selected (`--profile`, `CREOR_PROFILE=ci`, a `profileSelect` entry
    /// with its file and line). None when no profile is selected.
    #[serde(default)]
    pub profile_reason: Option<String>,
    /// The allowlist written by repository files (creor.json, creor.local.json): the scanner may
    /// honour it when scanning the repository, never when redacting tool output, because a
    /// repository must not be able to switch off redaction of the user's own secrets.
    #[serde(default)]
    pub project_secret_allowlist: SecretAllowlist,
    /// The files that were read, low → high (what `creor config validate` reports).
    #[serde(default)]
    pub layers: Vec<LayerFile>,
    /// Where each effective setting came from, keyed by its JSON path (`onAsk`,
    /// `sandbox.network.policy`, `sandbox.network.allowedHosts["x.com"]`, `permissions[3]` for
    /// `rules[3]`). Settings absent here are built-in defaults.
    #[serde(default)]
    pub origins: BTreeMap<String, Origin>,
    /// Settings that were read but not applied, and why (a repository file granting a path
    /// outside the project, say). Front ends print them at start; they are never silent.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A file that contributed a layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerFile {
    /// Its layer.
    pub layer: Layer,
    /// Its path (`bundled:profiles/ci.json` for bundled profiles, `<cli>` for flags).
    pub file: PathBuf,
}

/// Where one effective setting came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The layer that set it.
    pub layer: Layer,
    /// The file (None for built-ins).
    pub file: Option<PathBuf>,
    /// 1-based line in that file (0 when unknown).
    pub line: usize,
    /// Why a higher layer's value did not win, when that happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ResolvedConfig {
    /// Where `rules[index]` was written (layer, file, line). None for built-in rules, which
    /// have no file. The engine uses it to explain a decision down to the line.
    pub fn rule_origin(&self, index: usize) -> Option<&Origin> {
        self.origins.get(&format!("permissions[{index}]"))
    }

    /// A short label for `rules[index]` in messages: `project /p/creor.json:3`, `builtin`,
    /// `profile bundled:profiles/ci.json:12` (DESIGN.md §8: `denied: rule … (project …)`).
    pub fn rule_label(&self, index: usize) -> String {
        let Some(rule) = self.rules.get(index) else {
            return String::from("unknown rule");
        };
        let layer = super::merge::layer_name(rule.layer);
        match (self.rule_origin(index), &rule.source) {
            (Some(o), Some(file)) if o.line > 0 => {
                format!("{layer} {}:{}", file.display(), o.line)
            }
            (_, Some(file)) => format!("{layer} {}", file.display()),
            (_, None) => layer.to_string(),
        }
    }
}
