//! The flags `creor exec` and `creor sandbox profile` share. One definition, one translation
//! into the CLI config layer, so the profile printed is the policy `creor exec` would run with.

use std::path::PathBuf;

use clap::Args;
use creor_core::config::{self, LoadOptions, ResolvedConfig};
use serde_json::{json, Map, Value};

use super::Exit;

/// Project, profile and network flags of the sandboxing commands.
#[derive(Debug, Args)]
pub struct SandboxFlags {
    /// Project directory (default: current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Profile to select.
    #[arg(long)]
    pub profile: Option<String>,
    /// Network policy (overrides the config).
    #[arg(long, value_parser = ["block_all", "allow_specific", "allow_all"])]
    pub network: Option<String>,
    /// Host allowed under allow_specific (repeatable).
    #[arg(long = "allow-host", value_name = "HOST[:PORT]")]
    pub allow_host: Vec<String>,
}

impl SandboxFlags {
    /// The flags (and an optional timeout) as a creor.json fragment: the `Cli` layer, which
    /// the loader merges under the managed config's ceiling — a flag may tighten, never loosen
    /// what an administrator set, so nothing is re-applied after loading.
    pub fn cli_layer(&self, timeout_secs: Option<u64>) -> Option<Value> {
        let mut network = Map::new();
        if let Some(n) = &self.network {
            network.insert("policy".into(), json!(n));
        }
        if !self.allow_host.is_empty() {
            network.insert("allowedHosts".into(), json!(self.allow_host));
        }
        let mut sandbox = Map::new();
        if !network.is_empty() {
            sandbox.insert("network".into(), network.into());
        }
        if let Some(t) = timeout_secs {
            sandbox.insert("limits".into(), json!({ "timeoutSecs": t }));
        }
        (!sandbox.is_empty()).then(|| json!({ "sandbox": sandbox }))
    }

    /// Loads every layer for `project` with these flags on top (config errors exit 2).
    pub fn load(
        &self,
        project: PathBuf,
        timeout_secs: Option<u64>,
    ) -> anyhow::Result<ResolvedConfig> {
        config::load(&LoadOptions {
            project,
            profile: self.profile.clone(),
            cli: self.cli_layer(timeout_secs),
        })
        .map_err(|e| Exit::config(e.to_string()))
    }
}
