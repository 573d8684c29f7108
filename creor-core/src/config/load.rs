//! Placeholder loader; the real implementation replaces this file.

use std::path::PathBuf;

use super::{Layer, Level, ResolvedConfig, Rule};

/// How a session asks for its configuration.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Project directory (made canonical by the loader).
    pub project: PathBuf,
    /// `--profile` from the command line (beats `CREOR_PROFILE` and `profileSelect`).
    pub profile: Option<String>,
    /// CLI-layer overrides (`--network`, `--allow-host`, …) as a creor.json fragment.
    pub cli: Option<serde_json::Value>,
}

/// A configuration that cannot be used. Display names the file, line and key.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {key}: {message}")]
pub struct ConfigError {
    /// The file (or `<cli>`).
    pub file: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// JSON path of the offending key (`permissions.bash`).
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// Loads every layer for a session in `opts.project`. Placeholder: built-in defaults only.
pub fn load(opts: &LoadOptions) -> Result<ResolvedConfig, ConfigError> {
    let project = opts.project.canonicalize().map_err(|e| ConfigError {
        file: opts.project.clone(),
        line: 0,
        key: String::new(),
        message: format!("project directory: {e}"),
    })?;
    let rule = |tool: &str, level| Rule {
        tool: tool.into(),
        pattern: "*".into(),
        level,
        layer: Layer::Builtin,
        source: None,
    };
    Ok(ResolvedConfig {
        project,
        rules: vec![
            rule("*", Level::Ask),
            rule("read", Level::Allow),
            rule("glob", Level::Allow),
            rule("grep", Level::Allow),
            rule("ls", Level::Allow),
        ],
        ..ResolvedConfig::default()
    })
}
