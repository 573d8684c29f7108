//! Layering: contributions from every file (and the selected profile) → one
//! [`ResolvedConfig`], with the origin of each value.
//!
//! Permission rules are collected, never merged: the engine decides over all of them. Scalars
//! go to the highest layer, with one security exception: a value from a repository file
//! (creor.json, creor.local.json, or a profile defined there) may not be looser than one set by
//! a trusted layer below it (global, bundled profile, a profile defined in a trusted file), and
//! nothing may be looser than the managed config. On its own a repository may open the network
//! up to `allow_specific` but not `allow_all`, and may not enable degraded mode. Lists: `deniedHosts` is a union;
//! `allowedHosts` comes from the most trusted tier that set it (managed > other trusted >
//! repository); sandbox paths from repository files must stay inside the project.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::ConfigError;
use super::jsonc::{render_path, Node, Seg};
use super::paths;
use super::raw::{RawPermissions, RawProvider, RawSandbox, ToolRule};
use super::types::{
    Layer, Level, NetworkMode, OnAsk, Origin, ProviderConfig, Rule, SandboxSettings,
};
use crate::secrets::{SecretAllowlist, SecretsConfig};

/// The built-in rules: every tool asks, the read-only tools are allowed.
pub fn builtin_rules() -> Vec<Rule> {
    let rule = |tool: &str, level| Rule {
        tool: tool.into(),
        pattern: "*".into(),
        level,
        layer: Layer::Builtin,
        source: None,
    };
    vec![
        rule("*", Level::Ask),
        rule("read", Level::Allow),
        rule("glob", Level::Allow),
        rule("grep", Level::Allow),
        rule("ls", Level::Allow),
    ]
}

/// What one layer (a file, the selected profile, the CLI fragment) says.
#[derive(Debug, Clone)]
pub struct Contrib<'a> {
    /// Its layer.
    pub layer: Layer,
    /// Its file (`<cli>`, `bundled:profiles/ci.json`, a path).
    pub file: PathBuf,
    /// Whether the user or administrator controls it (not a repository file).
    pub trusted: bool,
    /// Tree of the object holding the settings (for lines).
    pub tree: &'a Node,
    /// Path of that object within its file (`profiles.work` for a profile).
    pub prefix: Vec<Seg>,
    /// `permissions`.
    pub permissions: Option<&'a RawPermissions>,
    /// `onAsk`.
    pub on_ask: Option<OnAsk>,
    /// `sandbox`.
    pub sandbox: Option<&'a RawSandbox>,
    /// `provider`.
    pub provider: Option<&'a RawProvider>,
    /// `secrets`.
    pub secrets: Option<&'a SecretsConfig>,
}

impl Contrib<'_> {
    fn origin(&self, rel: &[Seg]) -> Origin {
        Origin {
            layer: self.layer,
            file: Some(self.file.clone()),
            line: self.tree.line_of(rel),
            note: None,
        }
    }

    fn at(&self, rel: &[Seg]) -> String {
        let mut p = self.prefix.clone();
        p.extend_from_slice(rel);
        format!(
            "{} {}:{} {}",
            layer_name(self.layer),
            self.file.display(),
            self.tree.line_of(rel),
            render_path(&p)
        )
    }

    fn error(&self, rel: &[Seg], message: String) -> ConfigError {
        let mut p = self.prefix.clone();
        p.extend_from_slice(rel);
        ConfigError {
            file: self.file.clone(),
            line: self.tree.line_of(rel),
            key: render_path(&p),
            message,
        }
    }
}

/// The name of a layer as shown to users.
pub fn layer_name(layer: Layer) -> &'static str {
    match layer {
        Layer::Builtin => "builtin",
        Layer::Global => "global",
        Layer::Project => "project",
        Layer::Local => "local",
        Layer::Profile => "profile",
        Layer::Managed => "managed",
        Layer::Cli => "cli",
    }
}

/// The merged result (the parts of [`super::ResolvedConfig`] that come from layering).
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// Every rule of every layer, built-ins first.
    pub rules: Vec<Rule>,
    /// `onAsk`.
    pub on_ask: OnAsk,
    /// `sandbox`.
    pub sandbox: SandboxSettings,
    /// `provider`.
    pub provider: Option<ProviderConfig>,
    /// `secrets` (trusted allowlist).
    pub secrets: SecretsConfig,
    /// Repository allowlist.
    pub project_secret_allowlist: SecretAllowlist,
    /// Origins by setting path.
    pub origins: BTreeMap<String, Origin>,
    /// Settings not applied, and why.
    pub notes: Vec<String>,
}

fn k(s: &str) -> Seg {
    Seg::Key(s.into())
}

/// Merges contributions given low → high.
pub fn merge(
    contribs: &[Contrib<'_>],
    project: &Path,
    home: Option<&Path>,
) -> Result<Merged, ConfigError> {
    let mut m = Merged {
        rules: builtin_rules(),
        ..Merged::default()
    };
    collect_rules(contribs, &mut m);

    // onAsk: ask < deny < fail in strictness.
    let on_ask = contribs
        .iter()
        .filter_map(|c| c.on_ask.map(|v| (c, v, vec![k("onAsk")])))
        .collect::<Vec<_>>();
    if let Some(v) = pick(&on_ask, |v: &OnAsk| *v as u8, None, "onAsk", &mut m) {
        m.on_ask = v;
    }

    fn sandbox<'a>(c: &Contrib<'a>) -> Option<&'a RawSandbox> {
        c.sandbox
    }
    let net_policy: Vec<_> = contribs
        .iter()
        .filter_map(|c| {
            let p = sandbox(c)?.network.as_ref()?.policy?;
            Some((c, p, vec![k("sandbox"), k("network"), k("policy")]))
        })
        .collect();
    let strict_net = |p: &NetworkMode| match p {
        NetworkMode::AllowAll => 0u8,
        NetworkMode::AllowSpecific => 1,
        NetworkMode::BlockAll => 2,
    };
    if let Some(v) = pick(
        &net_policy,
        strict_net,
        Some(NetworkMode::AllowSpecific),
        "sandbox.network.policy",
        &mut m,
    ) {
        m.sandbox.network.policy = v;
    }

    let degraded: Vec<_> = contribs
        .iter()
        .filter_map(|c| {
            let v = sandbox(c)?.allow_degraded?;
            Some((c, v, vec![k("sandbox"), k("allowDegraded")]))
        })
        .collect();
    if let Some(v) = pick(
        &degraded,
        |v: &bool| u8::from(!*v),
        Some(false),
        "sandbox.allowDegraded",
        &mut m,
    ) {
        m.sandbox.allow_degraded = v;
    }

    const MIB: u64 = 1024 * 1024;
    type Getter = fn(&super::raw::RawLimits) -> Option<u64>;
    let limits: [(&str, Getter, u64); 5] = [
        ("timeoutSecs", |l| l.timeout_secs, 1),
        ("maxProcesses", |l| l.max_processes, 1),
        ("maxMemoryMb", |l| l.max_memory_mb, MIB),
        ("maxFileSizeMb", |l| l.max_file_size_mb, MIB),
        ("tmpSizeMb", |l| l.tmp_size_mb, MIB),
    ];
    for (name, get, unit) in limits {
        let cands: Vec<_> = contribs
            .iter()
            .filter_map(|c| {
                let v = get(sandbox(c)?.limits.as_ref()?)?;
                Some((c, v, vec![k("sandbox"), k("limits"), k(name)]))
            })
            .collect();
        let key = format!("sandbox.limits.{name}");
        if let Some(v) = pick(&cands, |v: &u64| std::cmp::Reverse(*v), None, &key, &mut m) {
            // check.rs bounds MiB values so the product fits; saturate rather than trust it.
            let value = Some(v.saturating_mul(unit));
            match name {
                "timeoutSecs" => m.sandbox.timeout_secs = value,
                "maxProcesses" => m.sandbox.max_processes = value,
                "maxMemoryMb" => m.sandbox.max_memory = value,
                "maxFileSizeMb" => m.sandbox.max_file_size = value,
                _ => m.sandbox.tmp_size = value,
            }
        }
    }

    merge_hosts(contribs, &mut m);
    merge_paths(contribs, project, home, &mut m)?;
    merge_provider(contribs, &mut m);
    merge_secrets(contribs, &mut m);
    Ok(m)
}

fn collect_rules(contribs: &[Contrib<'_>], m: &mut Merged) {
    for c in contribs {
        let Some(perms) = c.permissions else { continue };
        let mut push = |tool: &str, pattern: &str, level: Level, rel: Vec<Seg>| {
            m.origins
                .insert(format!("permissions[{}]", m.rules.len()), c.origin(&rel));
            m.rules.push(Rule {
                tool: tool.into(),
                pattern: pattern.into(),
                level,
                layer: c.layer,
                source: Some(c.file.clone()),
            });
        };
        match perms {
            RawPermissions::All(level) => push("*", "*", *level, vec![k("permissions")]),
            RawPermissions::Tools(tools) => {
                for (tool, rule) in tools {
                    match rule {
                        ToolRule::Level(level) => {
                            push(tool, "*", *level, vec![k("permissions"), k(tool)]);
                        }
                        ToolRule::Patterns(patterns) => {
                            for (pattern, level) in patterns {
                                push(
                                    tool,
                                    pattern,
                                    *level,
                                    vec![k("permissions"), k(tool), k(pattern)],
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Picks a scalar: the highest layer's value, unless a guard below it is stricter. Guards of
/// the winner are every managed value, and — when the winner comes from a repository file —
/// every trusted value and `repo_floor`, the loosest value a repository may choose on its own
/// (`allow_specific` for the network, `false` for degraded mode).
fn pick<T: Clone + serde::Serialize, S: Ord>(
    cands: &[(&Contrib<'_>, T, Vec<Seg>)],
    strictness: impl Fn(&T) -> S,
    repo_floor: Option<T>,
    key: &str,
    m: &mut Merged,
) -> Option<T> {
    let (winner, rest) = cands.split_last()?;
    let shown = |v: &T| serde_json::to_string(v).unwrap_or_default();
    let mut best = winner;
    for c in rest {
        let guards = c.0.layer == Layer::Managed || (!winner.0.trusted && c.0.trusted);
        if guards && strictness(&c.1) > strictness(&best.1) {
            best = c;
        }
    }
    let mut value = best.1.clone();
    let mut origin = best.0.origin(&best.2);
    if !std::ptr::eq(best, winner) {
        let note = format!(
            "{} sets {} but {} sets the stricter {}; {}",
            winner.0.at(&winner.2),
            shown(&winner.1),
            best.0.at(&best.2),
            shown(&best.1),
            if best.0.layer == Layer::Managed {
                "nothing loosens the managed config"
            } else {
                "a repository file cannot loosen it"
            }
        );
        m.notes.push(format!("not applied: {note}"));
        origin.note = Some(note);
    } else if let Some(floor) = repo_floor.filter(|_| !winner.0.trusted) {
        if strictness(&floor) > strictness(&winner.1) {
            let note = format!(
                "{} sets {}, looser than a repository file may choose ({} at most); set it in \
                 the global file or pick a profile",
                winner.0.at(&winner.2),
                shown(&winner.1),
                shown(&floor)
            );
            m.notes.push(format!("not applied: {note}"));
            value = floor;
            origin = Origin {
                layer: Layer::Builtin,
                file: None,
                line: 0,
                note: Some(note),
            };
        }
    }
    m.origins.insert(key.to_string(), origin);
    Some(value)
}

/// 2 = managed, 1 = other trusted, 0 = repository.
fn tier(c: &Contrib<'_>) -> u8 {
    if c.layer == Layer::Managed {
        2
    } else if c.trusted {
        1
    } else {
        0
    }
}

fn merge_hosts(contribs: &[Contrib<'_>], m: &mut Merged) {
    let rel = |field: &str, i: usize| vec![k("sandbox"), k("network"), k(field), Seg::Index(i)];
    // deniedHosts: every layer adds.
    for c in contribs {
        let list = c
            .sandbox
            .and_then(|s| s.network.as_ref()?.denied_hosts.as_ref());
        for (i, h) in list.into_iter().flatten().enumerate() {
            if !m.sandbox.network.denied_hosts.contains(h) {
                m.sandbox.network.denied_hosts.push(h.clone());
                m.origins.insert(
                    format!("sandbox.network.deniedHosts[{}]", quoted(h)),
                    c.origin(&rel("deniedHosts", i)),
                );
            }
        }
    }
    // allowedHosts: the most trusted tier that set a list decides.
    let lists: Vec<(&Contrib<'_>, &Vec<String>)> = contribs
        .iter()
        .filter_map(|c| Some((c, c.sandbox?.network.as_ref()?.allowed_hosts.as_ref()?)))
        .collect();
    let Some(top) = lists.iter().map(|(c, _)| tier(c)).max() else {
        return;
    };
    for (c, list) in &lists {
        for (i, h) in list.iter().enumerate() {
            if tier(c) == top {
                if !m.sandbox.network.allowed_hosts.contains(h) {
                    m.sandbox.network.allowed_hosts.push(h.clone());
                    m.origins.insert(
                        format!("sandbox.network.allowedHosts[{}]", quoted(h)),
                        c.origin(&rel("allowedHosts", i)),
                    );
                }
            } else {
                m.notes.push(format!(
                    "not applied: {} adds host `{h}`, but {} sets the allowed hosts",
                    c.at(&rel("allowedHosts", i)),
                    if top == 2 {
                        "the managed config"
                    } else {
                        "a trusted layer (global file, profile or CLI)"
                    }
                ));
            }
        }
    }
}

fn merge_paths(
    contribs: &[Contrib<'_>],
    project: &Path,
    home: Option<&Path>,
    m: &mut Merged,
) -> Result<(), ConfigError> {
    for field in ["readOnly", "readWrite"] {
        for c in contribs {
            let Some(fs) = c.sandbox.and_then(|s| s.filesystem.as_ref()) else {
                continue;
            };
            let list = if field == "readOnly" {
                &fs.read_only
            } else {
                &fs.read_write
            };
            for (i, written) in list.iter().flatten().enumerate() {
                let rel = vec![k("sandbox"), k("filesystem"), k(field), Seg::Index(i)];
                let path = paths::resolve(written, home, project)
                    .map_err(|e| c.error(&rel, format!("`{written}`: {e}")))?;
                if !c.trusted && !paths::inside(&path, project) {
                    m.notes.push(format!(
                        "not applied: {} grants `{}` outside the project; only the global file, \
                         the managed config, a profile defined there or the CLI may",
                        c.at(&rel),
                        path.display()
                    ));
                    continue;
                }
                let target = if field == "readOnly" {
                    &mut m.sandbox.read_only
                } else {
                    &mut m.sandbox.read_write
                };
                if !target.contains(&path) {
                    m.origins.insert(
                        format!(
                            "sandbox.filesystem.{field}[{}]",
                            quoted(&path.display().to_string())
                        ),
                        c.origin(&rel),
                    );
                    target.push(path);
                }
            }
        }
    }
    Ok(())
}

fn merge_provider(contribs: &[Contrib<'_>], m: &mut Merged) {
    let mut out: Option<ProviderConfig> = None;
    for c in contribs {
        let Some(p) = c.provider else { continue };
        let rel = |f: &str| vec![k("provider"), k(f)];
        let cfg = out.get_or_insert_with(|| ProviderConfig {
            kind: p.kind.as_str().into(),
            base_url: None,
            model: None,
            api_key_env: None,
        });
        cfg.kind = p.kind.as_str().into();
        m.origins
            .insert("provider.kind".into(), c.origin(&rel("kind")));
        if let Some(model) = &p.model {
            cfg.model = Some(model.clone());
            m.origins
                .insert("provider.model".into(), c.origin(&rel("model")));
        }
        for (field, value, slot) in [
            ("baseUrl", &p.base_url, &mut cfg.base_url),
            ("apiKeyEnv", &p.api_key_env, &mut cfg.api_key_env),
        ] {
            let Some(v) = value else { continue };
            if c.trusted {
                *slot = Some(v.clone());
                m.origins
                    .insert(format!("provider.{field}"), c.origin(&rel(field)));
            } else {
                m.notes.push(format!(
                    "not applied: {} sets {field}; a repository file cannot choose where your \
                     API key is sent or which variable it is read from",
                    c.at(&rel(field))
                ));
            }
        }
    }
    m.provider = out;
}

fn merge_secrets(contribs: &[Contrib<'_>], m: &mut Merged) {
    for c in contribs {
        let Some(s) = c.secrets else { continue };
        for (i, r) in s.rules.iter().enumerate() {
            m.origins.insert(
                format!("secrets.rules[{}]", m.secrets.rules.len()),
                c.origin(&[k("secrets"), k("rules"), Seg::Index(i)]),
            );
            m.secrets.rules.push(r.clone());
        }
        let target = if c.trusted {
            &mut m.secrets.allowlist
        } else {
            &mut m.project_secret_allowlist
        };
        target.paths.extend(s.allowlist.paths.iter().cloned());
        target.regexes.extend(s.allowlist.regexes.iter().cloned());
        target
            .stopwords
            .extend(s.allowlist.stopwords.iter().cloned());
    }
}

fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}
