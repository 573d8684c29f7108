//! The resolved configuration as JSON for `creor config show`, optionally with every value
//! annotated by the layer, file and line it came from (`--effective`).
//!
//! Annotated form: each leaf becomes `{"value": …, "layer": "project", "file": "…", "line": 3}`
//! (`"layer": "builtin"` and no file for defaults; `"note"` when a looser higher value was
//! refused). List elements are annotated one by one; permission rules carry their own layer.

use serde_json::{json, Map, Value};

use super::merge::layer_name;
use super::types::{Origin, ResolvedConfig};

const MIB: u64 = 1024 * 1024;

/// Renders `config` as JSON; `effective` adds origins.
pub fn render(config: &ResolvedConfig, effective: bool) -> Value {
    let leaf = |key: &str, value: Value| -> Value {
        if !effective {
            return value;
        }
        annotate(value, config.origins.get(key))
    };
    let list = |prefix: &str, items: Vec<String>| -> Value {
        Value::Array(
            items
                .into_iter()
                .map(|s| {
                    let key = format!("{prefix}[{}]", Value::String(s.clone()));
                    leaf(&key, Value::String(s))
                })
                .collect(),
        )
    };
    let rules: Vec<Value> = config
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut o = json!({
                "tool": r.tool,
                "pattern": r.pattern,
                "level": r.level,
                "layer": layer_name(r.layer),
            });
            if effective {
                let origin = config.origins.get(&format!("permissions[{i}]"));
                o["file"] = json!(r.source.as_ref().map(|p| p.display().to_string()));
                o["line"] = json!(origin.map(|o| o.line));
            }
            o
        })
        .collect();
    let s = &config.sandbox;
    let mut limits = Map::new();
    for (name, value, unit) in [
        ("timeoutSecs", s.timeout_secs, 1),
        ("maxProcesses", s.max_processes, 1),
        ("maxMemoryMb", s.max_memory, MIB),
        ("maxFileSizeMb", s.max_file_size, MIB),
        ("tmpSizeMb", s.tmp_size, MIB),
    ] {
        let v = value.map_or(Value::Null, |v| json!(v / unit));
        limits.insert(name.into(), leaf(&format!("sandbox.limits.{name}"), v));
    }
    let paths = |v: &[std::path::PathBuf]| v.iter().map(|p| p.display().to_string()).collect();
    let provider = config.provider.as_ref().map_or(Value::Null, |p| {
        json!({
            "kind": leaf("provider.kind", json!(p.kind)),
            "baseUrl": leaf("provider.baseUrl", json!(p.base_url)),
            "model": leaf("provider.model", json!(p.model)),
            "apiKeyEnv": leaf("provider.apiKeyEnv", json!(p.api_key_env)),
        })
    });
    let secret_rules: Vec<Value> = config
        .secrets
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| leaf(&format!("secrets.rules[{i}]"), json!(r)))
        .collect();
    json!({
        "project": config.project.display().to_string(),
        "profile": config.profile.as_ref().map(|name| json!({
            "name": name,
            "reason": config.profile_reason,
        })),
        "layers": config.layers.iter().map(|l| json!({
            "layer": layer_name(l.layer),
            "file": l.file.display().to_string(),
        })).collect::<Vec<_>>(),
        "permissions": rules,
        "onAsk": leaf("onAsk", json!(config.on_ask)),
        "sandbox": {
            "network": {
                "policy": leaf("sandbox.network.policy", json!(s.network.policy)),
                "allowedHosts": list("sandbox.network.allowedHosts", s.network.allowed_hosts.clone()),
                "deniedHosts": list("sandbox.network.deniedHosts", s.network.denied_hosts.clone()),
            },
            "filesystem": {
                "readOnly": list("sandbox.filesystem.readOnly", paths(&s.read_only)),
                "readWrite": list("sandbox.filesystem.readWrite", paths(&s.read_write)),
            },
            "limits": limits,
            "allowDegraded": leaf("sandbox.allowDegraded", json!(s.allow_degraded)),
        },
        "provider": provider,
        "secrets": {
            "rules": secret_rules,
            "allowlist": config.secrets.allowlist,
            "repositoryAllowlist": config.project_secret_allowlist,
        },
        "notes": config.notes,
    })
}

fn annotate(value: Value, origin: Option<&Origin>) -> Value {
    match origin {
        None => json!({ "value": value, "layer": "builtin" }),
        Some(o) => {
            let mut v = json!({
                "value": value,
                "layer": layer_name(o.layer),
                "file": o.file.as_ref().map(|f| f.display().to_string()),
                "line": o.line,
            });
            if let Some(note) = &o.note {
                v["note"] = json!(note);
            }
            v
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::path::PathBuf;

    use super::*;
    use crate::config::{builtin_rules, Layer, NetworkMode, OnAsk};

    fn sample() -> ResolvedConfig {
        let mut c = ResolvedConfig {
            project: PathBuf::from("/p"),
            rules: builtin_rules(),
            on_ask: OnAsk::Deny,
            ..ResolvedConfig::default()
        };
        c.sandbox.network.policy = NetworkMode::AllowSpecific;
        c.sandbox.network.allowed_hosts = vec!["a.com".into()];
        c.sandbox.max_memory = Some(512 * MIB);
        c.origins.insert(
            "onAsk".into(),
            Origin {
                layer: Layer::Project,
                file: Some(PathBuf::from("/p/creor.json")),
                line: 2,
                note: None,
            },
        );
        c.origins.insert(
            "sandbox.network.allowedHosts[\"a.com\"]".into(),
            Origin {
                layer: Layer::Global,
                file: Some(PathBuf::from("/h/creor.json")),
                line: 7,
                note: None,
            },
        );
        c
    }

    #[test]
    fn plain_form_has_values_only() {
        let v = render(&sample(), false);
        assert_eq!(v["onAsk"], "deny");
        assert_eq!(v["sandbox"]["network"]["policy"], "allow_specific");
        assert_eq!(v["sandbox"]["network"]["allowedHosts"], json!(["a.com"]));
        assert_eq!(v["sandbox"]["limits"]["maxMemoryMb"], 512);
        assert_eq!(v["sandbox"]["limits"]["timeoutSecs"], Value::Null);
        assert_eq!(
            v["permissions"][0],
            json!({"tool": "*", "pattern": "*", "level": "ask", "layer": "builtin"})
        );
        assert_eq!(v["profile"], Value::Null);
    }

    #[test]
    fn effective_form_annotates_each_value() {
        let v = render(&sample(), true);
        assert_eq!(
            v["onAsk"],
            json!({"value": "deny", "layer": "project", "file": "/p/creor.json", "line": 2})
        );
        assert_eq!(
            v["sandbox"]["network"]["allowedHosts"][0],
            json!({"value": "a.com", "layer": "global", "file": "/h/creor.json", "line": 7})
        );
        assert_eq!(
            v["sandbox"]["network"]["policy"],
            json!({"value": "allow_specific", "layer": "builtin"})
        );
        assert_eq!(v["permissions"][1]["file"], Value::Null);
    }
}
