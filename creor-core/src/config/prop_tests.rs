#![allow(clippy::unwrap_used)]
//! Properties of parsing: key order never matters, a duplicate anywhere is caught at its line,
//! and no input panics.

use std::path::Path;

use proptest::prelude::*;

use super::*;

/// A tool's value: a bare level (`Ok`) or pattern → level pairs (`Err`).
type ToolValue = Result<&'static str, Vec<(String, &'static str)>>;
/// A generated `permissions` object, tools in order.
type Perms = Vec<(&'static str, ToolValue)>;

fn level() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("allow"), Just("ask"), Just("deny")]
}

fn tool() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(TOOLS.to_vec())
}

/// tool → (bare level | pattern → level), unique keys.
fn permissions() -> impl Strategy<Value = Perms> {
    let value = prop_oneof![
        level().prop_map(Ok),
        proptest::collection::btree_map("[a-z*./ ~-]{1,8}", level(), 1..5)
            .prop_map(|m| Err(m.into_iter().collect::<Vec<_>>())),
    ];
    proptest::collection::btree_map(tool(), value, 0..6).prop_map(|m| m.into_iter().collect())
}

fn render(perms: &[(&'static str, ToolValue)], reverse: bool) -> String {
    let q = |s: &str| serde_json::Value::String(s.into()).to_string();
    let mut tools: Vec<String> = perms
        .iter()
        .map(|(t, v)| {
            let v = match v {
                Ok(l) => q(l),
                Err(ps) => {
                    let mut items: Vec<String> = ps
                        .iter()
                        .map(|(p, l)| format!("{}: {}", q(p), q(l)))
                        .collect();
                    if reverse {
                        items.reverse();
                    }
                    format!("{{{}}}", items.join(",\n"))
                }
            };
            format!("{}: {v}", q(t))
        })
        .collect();
    if reverse {
        tools.reverse();
    }
    format!("{{\"permissions\": {{\n{}\n}}}}", tools.join(",\n"))
}

fn triples(raw: &RawConfig) -> Vec<(String, String, Level)> {
    let mut out = Vec::new();
    match &raw.permissions {
        None => {}
        Some(RawPermissions::All(l)) => out.push(("*".into(), "*".into(), *l)),
        Some(RawPermissions::Tools(tools)) => {
            for (t, rule) in tools {
                match rule {
                    ToolRule::Level(l) => out.push((t.clone(), "*".into(), *l)),
                    ToolRule::Patterns(ps) => {
                        out.extend(ps.iter().map(|(p, l)| (t.clone(), p.clone(), *l)));
                    }
                }
            }
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn key_order_never_changes_the_rules(perms in permissions()) {
        let a = parse_str(&render(&perms, false), Path::new("a.json")).unwrap();
        let b = parse_str(&render(&perms, true), Path::new("b.json")).unwrap();
        prop_assert_eq!(triples(&a), triples(&b));
        let n: usize = perms.iter().map(|(_, v)| v.as_ref().map_or_else(Vec::len, |_| 1)).sum();
        prop_assert_eq!(triples(&a).len(), n);
    }

    #[test]
    fn a_duplicated_tool_is_caught_on_its_line(perms in permissions(), pick in any::<prop::sample::Index>()) {
        prop_assume!(!perms.is_empty());
        let mut dup = perms.clone();
        let i = pick.index(perms.len());
        dup.push(perms[i].clone());
        // render puts one tool per line after the opening line.
        let e = parse_str(&render(&dup, false), Path::new("d.json")).unwrap_err();
        prop_assert!(e.message.contains("duplicate key"), "{}", e);
        let t = perms[i].0;
        let want = if t == "*" { "permissions[\"*\"]".to_string() } else { format!("permissions.{t}") };
        prop_assert_eq!(e.key, want);
        // Line 1 opens the object; each earlier tool takes one line per pattern (or one).
        prop_assert_eq!(e.line, perms.len() + 2 + perms.iter().map(|(_, v)| v.as_ref().map_or_else(|ps| ps.len() - 1, |_| 0)).sum::<usize>());
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = parse_str(&text, Path::new("x.json"));
    }

    #[test]
    fn json_shaped_noise_never_panics(text in r#"[{}\[\]",: a-z0-9*/\\-]{0,120}"#) {
        let _ = parse_str(&text, Path::new("x.json"));
        let _ = parse_profile(&text, Path::new("x.json"));
    }
}
