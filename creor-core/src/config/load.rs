//! Loading a session's configuration: find the layer files, parse each strictly, choose the
//! profile once, merge.

use std::path::{Path, PathBuf};

use super::env::{Env, ProcessEnv};
use super::error::ConfigError;
use super::merge::{self, Contrib};
use super::parse::{self, ParsedFile};
use super::profiles::{self, ProfileDef};
use super::sources;
use super::types::{Layer, LayerFile, ResolvedConfig};

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

/// Loads every layer for a session in `opts.project`, reading the process environment
/// (`HOME`, `XDG_CONFIG_HOME`, `CREOR_MANAGED_CONFIG`, `CREOR_PROFILE`, `profileSelect` vars).
pub fn load(opts: &LoadOptions) -> Result<ResolvedConfig, ConfigError> {
    load_with_env(opts, &ProcessEnv)
}

/// The layer files that exist for `project`, low → high, each already parsed. A file that is
/// missing is skipped; one that exists but cannot be read or parsed is an error.
pub fn read_layers(project: &Path, env: &dyn Env) -> Result<Vec<(Layer, ParsedFile)>, ConfigError> {
    let mut out = Vec::new();
    let (proj, local) = sources::project_paths(project);
    let mut candidates: Vec<(Layer, PathBuf)> = Vec::new();
    if let Some(g) = sources::global_path(env) {
        candidates.push((Layer::Global, g));
    }
    candidates.push((Layer::Project, proj));
    candidates.push((Layer::Local, local));
    for m in sources::managed_paths(env) {
        candidates.push((Layer::Managed, m));
    }
    for (layer, path) in candidates {
        // Project files are repository content: a sandboxed command may have planted one as a
        // symlink to a secret, so they are never followed (and never quoted from).
        let in_repo = matches!(layer, Layer::Project | Layer::Local);
        let meta = if in_repo {
            std::fs::symlink_metadata(&path)
        } else {
            std::fs::metadata(&path)
        };
        match meta {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(ConfigError::file(&path, format!("cannot read: {e}"))),
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(ConfigError::file(
                    &path,
                    "is a symlink; project config files are never followed (replace it with a regular file)",
                ))
            }
            Ok(meta) if !meta.is_file() => {
                return Err(ConfigError::file(&path, "not a regular file"))
            }
            Ok(_) if in_repo => out.push((layer, parse::parse_file_nofollow(&path)?)),
            Ok(_) => out.push((layer, parse::parse_file(&path)?)),
        }
    }
    Ok(out)
}

/// [`load`] with an explicit environment (tests, embedding).
pub fn load_with_env(opts: &LoadOptions, env: &dyn Env) -> Result<ResolvedConfig, ConfigError> {
    let project = opts
        .project
        .canonicalize()
        .map_err(|e| ConfigError::file(&opts.project, format!("project directory: {e}")))?;
    if !project.is_dir() {
        return Err(ConfigError::file(&project, "project is not a directory"));
    }
    let mut files = read_layers(&project, env)?;
    if let Some(cli) = &opts.cli {
        files.push((Layer::Cli, parse::parse_value(cli, Path::new("<cli>"))?));
    }
    let refs: Vec<(Layer, &ParsedFile)> = files.iter().map(|(l, p)| (*l, p)).collect();
    let defs = profiles::collect(&refs)?;
    let selection = profiles::select(opts.profile.as_deref(), env, &refs, &defs, &project)?;
    let selected: Option<ProfileDef> = match &selection {
        Some(s) => profiles::definition(&defs, &s.name)?,
        None => None,
    };

    let mut contribs: Vec<Contrib<'_>> = Vec::new();
    let mut layers = Vec::new();
    fn file_contrib(layer: Layer, p: &ParsedFile) -> Contrib<'_> {
        Contrib {
            layer,
            file: p.file.clone(),
            trusted: !matches!(layer, Layer::Project | Layer::Local),
            tree: &p.tree,
            prefix: Vec::new(),
            permissions: p.raw.permissions.as_ref(),
            on_ask: p.raw.on_ask,
            sandbox: p.raw.sandbox.as_ref(),
            provider: p.raw.provider.as_ref(),
            secrets: p.raw.secrets.as_ref(),
        }
    }
    for (layer, p) in &refs {
        if *layer < Layer::Profile {
            contribs.push(file_contrib(*layer, p));
            layers.push(LayerFile {
                layer: *layer,
                file: p.file.clone(),
            });
        }
    }
    if let Some(def) = &selected {
        contribs.push(Contrib {
            layer: Layer::Profile,
            file: def.file.clone(),
            trusted: def.trusted(),
            tree: &def.tree,
            prefix: def.prefix.clone(),
            permissions: def.profile.permissions.as_ref(),
            on_ask: def.profile.on_ask,
            sandbox: def.profile.sandbox.as_ref(),
            provider: None,
            secrets: None,
        });
        layers.push(LayerFile {
            layer: Layer::Profile,
            file: def.file.clone(),
        });
    }
    for (layer, p) in &refs {
        if *layer > Layer::Profile {
            contribs.push(file_contrib(*layer, p));
            layers.push(LayerFile {
                layer: *layer,
                file: p.file.clone(),
            });
        }
    }
    let home = sources::home(env);
    let merged = merge::merge(&contribs, &project, home.as_deref())?;
    Ok(ResolvedConfig {
        project,
        profile: selection.as_ref().map(|s| s.name.clone()),
        profile_reason: selection.map(|s| s.reason),
        rules: merged.rules,
        on_ask: merged.on_ask,
        sandbox: merged.sandbox,
        provider: merged.provider,
        secrets: merged.secrets,
        project_secret_allowlist: merged.project_secret_allowlist,
        layers,
        origins: merged.origins,
        notes: merged.notes,
    })
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
