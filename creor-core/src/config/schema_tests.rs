#![allow(clippy::unwrap_used)]
//! The schema and the Rust validation must agree: every fixture is judged by both, separately.

use std::path::{Path, PathBuf};

use super::check;
use super::de;
use super::jsonc::{self, render_path, Value};
use super::raw::RawConfig;
use super::*;

fn schema() -> serde_json::Value {
    serde_json::from_str(SCHEMA_TEXT).unwrap()
}

fn fixtures(kind: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/config/fixtures")
        .join(kind);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    out.sort();
    assert!(out.len() >= 8, "too few fixtures in {}", dir.display());
    out
}

/// `// error: LINE KEY` on the first line.
fn expected(text: &str) -> (usize, String) {
    let head = text
        .lines()
        .next()
        .unwrap()
        .strip_prefix("// error: ")
        .unwrap();
    let (line, key) = head.split_once(' ').unwrap();
    (line.parse().unwrap(), key.to_string())
}

/// The Rust side alone: syntax, typed deserialization, semantic checks — no schema.
fn rust_accepts(text: &str) -> Result<(), (usize, String, String)> {
    let tree = jsonc::parse(text).map_err(|e| (e.line, e.path, e.message))?;
    if !matches!(tree.value, Value::Object(_)) {
        return Err((tree.line, String::new(), "not an object".into()));
    }
    let raw: RawConfig = de::from_node(&tree).map_err(|e| {
        let (l, k) = e.at.clone().unwrap_or_default();
        (l, k, e.message)
    })?;
    check::check(&raw).map_err(|p| (tree.line_of(&p.path), render_path(&p.path), p.message))
}

/// The schema side alone, with a validator compiled here from the file at the repo root.
fn schema_accepts(text: &str) -> bool {
    let instance = jsonc::parse(text).unwrap().to_json();
    let v = jsonschema::draft202012::new(&schema()).unwrap();
    v.is_valid(&instance)
}

#[test]
fn schema_compiles_and_declares_itself() {
    schema_compiles().unwrap();
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert!(s["$id"].as_str().unwrap().starts_with("https://"));
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../creor.schema.json"))
            .unwrap();
    assert_eq!(
        text, SCHEMA_TEXT,
        "embedded schema is the repository's file"
    );
}

fn walk(node: &serde_json::Value, path: &str, defs: &serde_json::Value, bad: &mut Vec<String>) {
    let Some(obj) = node.as_object() else { return };
    if obj.get("type").and_then(|t| t.as_str()) == Some("object")
        && !obj.contains_key("additionalProperties")
    {
        bad.push(format!("{path}: object without additionalProperties"));
    }
    if let Some(props) = obj.get("properties").and_then(|p| p.as_object()) {
        for (name, sub) in props {
            let described = sub.get("description").is_some()
                || sub
                    .get("$ref")
                    .and_then(|r| r.as_str())
                    .and_then(|r| r.strip_prefix("#/$defs/"))
                    .is_some_and(|d| defs[d].get("description").is_some());
            if !described {
                bad.push(format!("{path}.{name}: no description"));
            }
        }
    }
    for (k, v) in obj {
        match v {
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}.{k}[{i}]"), defs, bad);
                }
            }
            _ => walk(v, &format!("{path}.{k}"), defs, bad),
        }
    }
}

#[test]
fn every_key_is_described_and_closed() {
    let s = schema();
    let mut bad = Vec::new();
    walk(&s, "", &s["$defs"], &mut bad);
    assert!(bad.is_empty(), "{bad:#?}");
    // The documented top-level keys, and no others.
    let mut keys: Vec<&str> = s["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "$schema",
            "onAsk",
            "permissions",
            "profileSelect",
            "profiles",
            "provider",
            "sandbox",
            "secrets"
        ]
    );
    // Tools and levels are the closed sets the loader uses.
    let tools = s["$defs"]["permissions"]["oneOf"][1]["properties"]
        .as_object()
        .unwrap();
    let mut names: Vec<&str> = tools.keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut want = TOOLS.to_vec();
    want.sort_unstable();
    assert_eq!(names, want);
    assert_eq!(
        s["$defs"]["level"]["enum"],
        serde_json::json!(["allow", "ask", "deny"])
    );
}

#[test]
fn shape_regexes_are_the_schema_patterns() {
    let text = SCHEMA_TEXT;
    for pattern in [
        shapes::PROFILE_NAME,
        shapes::ENV_NAME,
        shapes::HOST,
        shapes::SANDBOX_PATH,
        shapes::BASE_URL,
        shapes::RULE_ID,
    ] {
        let quoted = serde_json::Value::String(pattern.into()).to_string();
        assert!(
            text.contains(&format!("\"pattern\": {quoted}")),
            "schema lacks pattern {quoted}"
        );
    }
    assert!(text.contains(&format!("\"maximum\": {}", check::MAX_MB)));
}

#[test]
fn good_fixtures_pass_both() {
    for (path, text) in fixtures("good") {
        assert_eq!(
            rust_accepts(&text),
            Ok(()),
            "rust refused {}",
            path.display()
        );
        assert!(schema_accepts(&text), "schema refused {}", path.display());
        parse_str(&text, &path).unwrap();
    }
}

#[test]
fn bad_fixtures_fail_both_at_the_stated_line_and_key() {
    for (path, text) in fixtures("bad") {
        let (line, key) = expected(&text);
        let Err(got) = rust_accepts(&text) else {
            panic!("rust accepted {}", path.display());
        };
        assert_eq!(
            (got.0, got.1.as_str()),
            (line, key.as_str()),
            "{}: {}",
            path.display(),
            got.2
        );
        assert!(!schema_accepts(&text), "schema accepted {}", path.display());
        let e = parse_str(&text, &path).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (line, key.as_str()), "{e}");
        assert_eq!(e.file, path);
    }
}

#[test]
fn syntax_fixtures_fail_the_loader_at_the_stated_line_and_key() {
    for (path, text) in fixtures("syntax") {
        let (line, key) = expected(&text);
        let e = parse_str(&text, &path).unwrap_err();
        assert_eq!(
            (e.line, e.key.as_str()),
            (line, key.as_str()),
            "{}: {e}",
            path.display()
        );
    }
}

#[test]
fn error_messages_say_what_is_wrong() {
    let msg = |t: &str| parse_str(t, Path::new("c.json")).unwrap_err().message;
    assert!(msg(r#"{"permissions": {"bash": "alow"}}"#).contains("unknown level `alow`"));
    assert!(msg(r#"{"permissions": {"shell": "ask"}}"#).contains("unknown tool `shell`"));
    assert!(msg(r#"{"permisions": {}}"#).contains("unknown field `permisions`"));
    assert!(msg(r#"{"provider": {}}"#).contains("missing field `kind`"));
    assert!(msg(r#"{"onAsk": 1}"#).contains("invalid type"));
    assert!(msg(r#"{"onAsk": null}"#).contains("`null` is not allowed"));
    assert!(
        msg(r#"{"sandbox": {"network": {"policy": "none"}}}"#).contains("unknown variant `none`")
    );
}

#[test]
fn schema_errors_map_to_lines() {
    // Accepted by the Rust checks only because it bypasses them: validate a tree directly.
    let tree = jsonc::parse("{\n\"sandbox\": {\n\"limits\": {\n\"timeoutSecs\": 0}}}").unwrap();
    let p = schema::validate(&tree).unwrap_err();
    assert_eq!(render_path(&p.path), "sandbox.limits.timeoutSecs");
    assert_eq!(tree.line_of(&p.path), 4);
    assert!(p.message.starts_with("schema: "), "{}", p.message);
}

#[test]
fn bundled_profiles_are_valid_and_say_what_they_promise() {
    assert_eq!(BUNDLED_PROFILE_FILES.len(), BUNDLED_PROFILES.len());
    let v = jsonschema::draft202012::new(&schema()).unwrap();
    for (name, text) in BUNDLED_PROFILE_FILES {
        let (profile, tree) = parse_profile(text, &bundled_label(name)).unwrap();
        let wrapped = serde_json::json!({ "profiles": { "x": tree.to_json() } });
        assert!(v.is_valid(&wrapped), "schema refused bundled {name}");
        assert!(profile.description.is_some(), "{name} has no description");
        let on_disk = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../profiles/{name}.json")),
        )
        .unwrap();
        assert_eq!(&on_disk, text);
    }
    let get = |n: &str| {
        let text = BUNDLED_PROFILE_FILES
            .iter()
            .find(|(k, _)| *k == n)
            .unwrap()
            .1;
        parse_profile(text, Path::new(n)).unwrap().0
    };
    let rules = |p: &RawProfile| -> Vec<(String, String, Level)> {
        let mut out = Vec::new();
        match p.permissions.as_ref().unwrap() {
            RawPermissions::All(l) => out.push(("*".into(), "*".into(), *l)),
            RawPermissions::Tools(tools) => {
                for (tool, rule) in tools {
                    match rule {
                        ToolRule::Level(l) => out.push((tool.clone(), "*".into(), *l)),
                        ToolRule::Patterns(ps) => {
                            for (pat, l) in ps {
                                out.push((tool.clone(), pat.clone(), *l));
                            }
                        }
                    }
                }
            }
        }
        out
    };
    // default describes the built-ins exactly and holds no deny.
    let builtin: Vec<_> = builtin_rules()
        .into_iter()
        .map(|r| (r.tool, r.pattern, r.level))
        .collect();
    assert_eq!(rules(&get("default")), builtin);
    assert!(get("default").on_ask.is_none() && get("default").sandbox.is_none());
    // ci never waits and never publishes.
    let ci = get("ci");
    assert_eq!(ci.on_ask, Some(OnAsk::Deny));
    for (tool, pat) in [
        ("bash", "git push *"),
        ("bash", "cargo publish *"),
        ("bash", "npm publish *"),
    ] {
        assert!(
            rules(&ci).contains(&(tool.into(), pat.into(), Level::Deny)),
            "{pat}"
        );
    }
    assert!(!rules(&ci)
        .iter()
        .any(|(t, p, l)| t == "bash" && p == "*" && *l == Level::Allow));
    // readonly refuses edits and writes.
    let ro = rules(&get("readonly"));
    assert!(ro.contains(&("edit".into(), "*".into(), Level::Deny)));
    assert!(ro.contains(&("write".into(), "*".into(), Level::Deny)));
    assert!(ro.contains(&("bash".into(), "rm *".into(), Level::Deny)));
    // strict blocks the network and external directories.
    let strict = get("strict");
    let net = strict
        .sandbox
        .as_ref()
        .unwrap()
        .network
        .as_ref()
        .unwrap()
        .policy;
    assert_eq!(net, Some(NetworkMode::BlockAll));
    assert!(rules(&strict).contains(&("external-directory".into(), "*".into(), Level::Deny)));
}
