//! `creor policy check`: decisions, explanations, JSON, exit codes.

use std::path::Path;
use std::process::Output;

use crate::util;

/// A project and a home directory for one case.
struct Case {
    project: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        let c = Case {
            project: tempfile::tempdir().expect("project dir"),
            home: tempfile::tempdir().expect("home dir"),
        };
        std::fs::create_dir_all(c.project.path().join("src")).expect("src");
        std::fs::write(c.project.path().join("src/main.rs"), "fn main() {}").expect("main.rs");
        std::fs::create_dir_all(c.home.path().join(".ssh")).expect(".ssh");
        c
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.project.path().join(name), text).expect("write config");
    }

    fn check(&self, args: &[&str]) -> Output {
        util::creor()
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env_remove("XDG_STATE_HOME")
            .env_remove("CI")
            .arg("policy")
            .arg("check")
            .arg("--project")
            .arg(self.project.path())
            .args(args)
            .output()
            .expect("run creor")
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.check(&all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("one JSON object")
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn read_inside_the_project_is_allowed_by_the_defaults() {
    let c = Case::new();
    let out = c.check(&["read", "src/main.rs"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("allow: read src/main.rs"), "{text}");
    assert!(
        text.contains("rule read \"*\" = allow (built-in)"),
        "{text}"
    );
    assert!(text.contains("mode:   interactive"), "{text}");
}

#[test]
fn json_has_decision_reason_rules_and_units() {
    let c = Case::new();
    let v = c.json(&["bash", "git status && make"]);
    assert_eq!(v["decision"], "ask");
    assert!(
        v["reason"]
            .as_str()
            .is_some_and(|r| r.contains("\"*\" = ask")),
        "{v}"
    );
    assert_eq!(v["rules"][0]["tool"], "*");
    assert_eq!(v["rules"][0]["layer"], "builtin");
    let units: Vec<&str> = v["units"]
        .as_array()
        .expect("units")
        .iter()
        .filter_map(|u| u["unit"].as_str())
        .collect();
    assert_eq!(units, ["git status", "make"]);
    assert_eq!(v["mode"], "interactive");
}

#[test]
fn headless_turns_ask_into_deny() {
    let c = Case::new();
    let v = c.json(&["--headless", "bash", "cargo build"]);
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["reason"], "needs-approval-headless");
    assert_eq!(v["interactive_decision"], "ask");
    assert_eq!(v["mode"], "headless");
}

#[test]
fn floor_denies_ssh_whatever_the_rules() {
    let c = Case::new();
    let v = c.json(&["read", "~/.ssh/id_rsa"]);
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["reason"], "floor ~/.ssh");
    let v = c.json(&["bash", "cat $HOME/.ssh/id_rsa"]);
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["reason"], "floor ~/.ssh");
}

#[test]
fn protected_files_are_named() {
    let c = Case::new();
    let v = c.json(&["edit", "creor.json"]);
    assert_eq!(v["decision"], "ask");
    assert!(
        v["reason"]
            .as_str()
            .is_some_and(|r| r.contains("creor.json")),
        "{v}"
    );
}

#[test]
fn unparsable_bash_asks_and_names_the_failure() {
    let c = Case::new();
    let v = c.json(&["bash", "echo \"unterminated"]);
    assert_eq!(v["decision"], "ask");
    assert!(
        v["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("unparsable command")),
        "{v}"
    );
}

#[test]
fn outside_the_project_needs_external_directory() {
    let c = Case::new();
    std::fs::create_dir_all(c.home.path().join("notes")).expect("notes");
    let v = c.json(&["read", "~/notes/todo.txt"]);
    assert_eq!(v["decision"], "ask");
    let checks = v["checks"].as_array().expect("checks");
    assert!(
        checks.iter().any(|ch| ch["tool"] == "external-directory"),
        "{v}"
    );
}

#[test]
fn unknown_tool_exits_2() {
    let c = Case::new();
    let out = c.check(&["rmrf", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown tool \"rmrf\""));
}

#[test]
fn missing_project_exits_2() {
    let out = util::creor()
        .args(["policy", "check", "--project"])
        .arg(Path::new("/nonexistent/creor-project"))
        .args(["read", "x"])
        .output()
        .expect("run creor");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn project_rules_decide_with_layer_and_source() {
    let c = Case::new();
    c.write(
        "creor.json",
        r#"{ "permissions": { "bash": { "*": "allow", "rm *": "deny" } } }"#,
    );
    let v = c.json(&["bash", "sudo rm -rf x"]);
    assert_eq!(v["decision"], "deny");
    assert_eq!(
        v["reason"],
        "rule bash \"rm *\" = deny (project creor.json)"
    );
    assert_eq!(v["rules"][0]["layer"], "project");
}

#[test]
fn broken_config_exits_2_naming_the_file() {
    let c = Case::new();
    c.write(
        "creor.json",
        r#"{ "permissions": { "edit": "deny", "edit": "allow" } }"#,
    );
    let out = c.check(&["edit", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("creor.json"));
}
