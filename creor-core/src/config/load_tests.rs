#![allow(clippy::unwrap_used)]
//! Loading through every layer, against temp directories and a fixed environment.

use std::fs;
use std::path::{Path, PathBuf};

use super::*;
use crate::config::{parse_str, Layer, Level, MapEnv, NetworkMode, OnAsk, Rule};

struct World {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    project: PathBuf,
    home: PathBuf,
}

impl World {
    fn new() -> World {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let project = root.join("project");
        let home = root.join("home");
        fs::create_dir_all(&project).unwrap();
        fs::create_dir_all(home.join(".config/creor")).unwrap();
        World {
            _tmp: tmp,
            root,
            project,
            home,
        }
    }
    fn global(&self) -> PathBuf {
        self.home.join(".config/creor/creor.json")
    }
    fn managed(&self) -> PathBuf {
        self.root.join("managed.json")
    }
    fn write(&self, path: &Path, text: &str) -> &Self {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }
    fn env(&self, extra: &[(&str, &str)]) -> MapEnv {
        let mut env = MapEnv::new([
            ("HOME", self.home.to_str().unwrap()),
            ("CREOR_MANAGED_CONFIG", self.managed().to_str().unwrap()),
        ]);
        for (k, v) in extra {
            env.0.insert((*k).into(), (*v).into());
        }
        env
    }
    fn opts(&self) -> LoadOptions {
        LoadOptions {
            project: self.project.clone(),
            ..LoadOptions::default()
        }
    }
    fn load(&self) -> ResolvedConfig {
        load_with_env(&self.opts(), &self.env(&[])).unwrap()
    }
    fn load_err(&self, opts: &LoadOptions, extra: &[(&str, &str)]) -> ConfigError {
        load_with_env(opts, &self.env(extra)).unwrap_err()
    }
}

fn rules_of(c: &ResolvedConfig, layer: Layer) -> Vec<(String, String, Level)> {
    c.rules
        .iter()
        .filter(|r| r.layer == layer)
        .map(|r| (r.tool.clone(), r.pattern.clone(), r.level))
        .collect()
}

fn r(tool: &str, pattern: &str, level: Level) -> (String, String, Level) {
    (tool.into(), pattern.into(), level)
}

#[test]
fn builtin_defaults_only() {
    let w = World::new();
    let c = w.load();
    assert_eq!(c.project, w.project);
    assert_eq!(c.rules, crate::config::builtin_rules());
    assert_eq!(
        rules_of(&c, Layer::Builtin),
        vec![
            r("*", "*", Level::Ask),
            r("read", "*", Level::Allow),
            r("glob", "*", Level::Allow),
            r("grep", "*", Level::Allow),
            r("ls", "*", Level::Allow)
        ]
    );
    assert_eq!(c.on_ask, OnAsk::Ask);
    assert_eq!(c.sandbox.network.policy, NetworkMode::BlockAll);
    assert!(!c.sandbox.allow_degraded);
    assert_eq!(c.profile, None);
    assert!(c.layers.is_empty());
    assert!(c.notes.is_empty());
}

#[test]
fn every_layer_contributes_rules_with_layer_and_source() {
    let w = World::new();
    w.write(
        &w.global(),
        r#"{"permissions": {"bash": {"rm *": "deny"}}}"#,
    )
    .write(
        &w.project.join("creor.json"),
        r#"{"permissions": {"bash": {"*": "ask", "git *": "allow"}}}"#,
    )
    .write(
        &w.project.join("creor.local.json"),
        r#"{"permissions": {"edit": "allow"}}"#,
    )
    .write(
        &w.managed(),
        r#"{"permissions": {"webfetch": {"domain:evil.com": "deny"}}}"#,
    );
    let opts = LoadOptions {
        cli: Some(serde_json::json!({"permissions": {"websearch": "deny"}})),
        ..w.opts()
    };
    let c = load_with_env(&opts, &w.env(&[])).unwrap();
    assert_eq!(
        rules_of(&c, Layer::Global),
        vec![r("bash", "rm *", Level::Deny)]
    );
    assert_eq!(
        rules_of(&c, Layer::Project),
        vec![r("bash", "*", Level::Ask), r("bash", "git *", Level::Allow)]
    );
    assert_eq!(
        rules_of(&c, Layer::Local),
        vec![r("edit", "*", Level::Allow)]
    );
    assert_eq!(
        rules_of(&c, Layer::Managed),
        vec![r("webfetch", "domain:evil.com", Level::Deny)]
    );
    assert_eq!(
        rules_of(&c, Layer::Cli),
        vec![r("websearch", "*", Level::Deny)]
    );
    let src = |layer| {
        c.rules
            .iter()
            .find(|r: &&Rule| r.layer == layer)
            .and_then(|r| r.source.clone())
            .unwrap()
    };
    assert_eq!(src(Layer::Global), w.global());
    assert_eq!(src(Layer::Project), w.project.join("creor.json"));
    assert_eq!(src(Layer::Local), w.project.join("creor.local.json"));
    assert_eq!(src(Layer::Managed), w.managed());
    assert_eq!(src(Layer::Cli), PathBuf::from("<cli>"));
    let layers: Vec<Layer> = c.layers.iter().map(|l| l.layer).collect();
    assert_eq!(
        layers,
        vec![
            Layer::Global,
            Layer::Project,
            Layer::Local,
            Layer::Managed,
            Layer::Cli
        ]
    );
    // Origins carry the line of each rule.
    let idx = c.rules.iter().position(|r| r.pattern == "git *").unwrap();
    let o = &c.origins[&format!("permissions[{idx}]")];
    assert_eq!((o.layer, o.line), (Layer::Project, 1));
}

#[test]
fn bare_level_is_a_star_star_rule() {
    let w = World::new();
    w.write(&w.project.join("creor.json"), r#"{"permissions": "deny"}"#);
    assert_eq!(
        rules_of(&w.load(), Layer::Project),
        vec![r("*", "*", Level::Deny)]
    );
}

#[test]
fn xdg_config_home_beats_dot_config_and_relative_is_ignored() {
    let w = World::new();
    let xdg = w.root.join("xdg");
    w.write(&xdg.join("creor/creor.json"), r#"{"onAsk": "fail"}"#)
        .write(&w.global(), r#"{"onAsk": "deny"}"#);
    let c = load_with_env(
        &w.opts(),
        &w.env(&[("XDG_CONFIG_HOME", xdg.to_str().unwrap())]),
    )
    .unwrap();
    assert_eq!(c.on_ask, OnAsk::Fail);
    let c = load_with_env(&w.opts(), &w.env(&[("XDG_CONFIG_HOME", "relative/xdg")])).unwrap();
    assert_eq!(c.on_ask, OnAsk::Deny);
}

#[test]
fn scalar_precedence_higher_layer_wins_when_stricter_or_trusted() {
    let w = World::new();
    w.write(&w.global(), r#"{"onAsk": "ask"}"#)
        .write(&w.project.join("creor.json"), r#"{"onAsk": "fail"}"#)
        .write(&w.project.join("creor.local.json"), r#"{"onAsk": "deny"}"#);
    // local (higher) wins over project even though looser: both are repository files.
    let c = w.load();
    assert_eq!(c.on_ask, OnAsk::Deny);
    assert_eq!(c.origins["onAsk"].layer, Layer::Local);
    // CLI (trusted) loosens the global.
    let opts = LoadOptions {
        cli: Some(serde_json::json!({"onAsk": "ask"})),
        ..w.opts()
    };
    assert_eq!(
        load_with_env(&opts, &w.env(&[])).unwrap().on_ask,
        OnAsk::Ask
    );
}

#[test]
fn a_repository_file_cannot_loosen_the_global_file() {
    let w = World::new();
    w.write(
        &w.global(),
        "{\n \"onAsk\": \"deny\",\n \"sandbox\": {\"network\": {\"policy\": \"block_all\"},\n \"allowDegraded\": false,\n \"limits\": {\"timeoutSecs\": 100}}}",
    )
    .write(
        &w.project.join("creor.json"),
        r#"{"onAsk": "ask", "sandbox": {"network": {"policy": "allow_all"}, "allowDegraded": true, "limits": {"timeoutSecs": 1000, "maxMemoryMb": 512}}}"#,
    );
    let c = w.load();
    assert_eq!(c.on_ask, OnAsk::Deny);
    assert_eq!(c.sandbox.network.policy, NetworkMode::BlockAll);
    assert!(!c.sandbox.allow_degraded);
    assert_eq!(c.sandbox.timeout_secs, Some(100));
    assert_eq!(c.sandbox.max_memory, Some(512 * 1024 * 1024));
    let o = &c.origins["sandbox.network.policy"];
    assert_eq!((o.layer, o.line), (Layer::Global, 3));
    assert!(
        o.note.as_deref().unwrap().contains("cannot loosen"),
        "{o:?}"
    );
    assert_eq!(c.notes.len(), 4, "{:#?}", c.notes);
    // Tightening is fine.
    w.write(
        &w.project.join("creor.json"),
        r#"{"sandbox": {"limits": {"timeoutSecs": 10}}}"#,
    );
    assert_eq!(w.load().sandbox.timeout_secs, Some(10));
}

#[test]
fn nothing_loosens_the_managed_config() {
    let w = World::new();
    w.write(
        &w.managed(),
        r#"{"sandbox": {"network": {"policy": "allow_specific"}}}"#,
    );
    let opts = LoadOptions {
        cli: Some(serde_json::json!({"sandbox": {"network": {"policy": "allow_all"}}})),
        ..w.opts()
    };
    let c = load_with_env(&opts, &w.env(&[])).unwrap();
    assert_eq!(c.sandbox.network.policy, NetworkMode::AllowSpecific);
    assert_eq!(c.origins["sandbox.network.policy"].layer, Layer::Managed);
    // But the CLI may tighten it.
    let opts = LoadOptions {
        cli: Some(serde_json::json!({"sandbox": {"network": {"policy": "block_all"}}})),
        ..w.opts()
    };
    let c = load_with_env(&opts, &w.env(&[])).unwrap();
    assert_eq!(c.sandbox.network.policy, NetworkMode::BlockAll);
}

#[test]
fn project_may_set_network_when_nobody_trusted_did() {
    let w = World::new();
    w.write(
        &w.project.join("creor.json"),
        r#"{"permissions": {"*": "ask"}, "sandbox": {"network": {"policy": "allow_specific", "allowedHosts": ["pkg.example.com"]}}}"#,
    );
    let c = w.load();
    assert_eq!(c.sandbox.network.policy, NetworkMode::AllowSpecific);
    assert_eq!(c.sandbox.network.allowed_hosts, vec!["pkg.example.com"]);
}

#[test]
fn allowed_hosts_come_from_the_most_trusted_tier() {
    let w = World::new();
    w.write(&w.global(), r#"{"sandbox": {"network": {"allowedHosts": ["crates.io", "*.github.com"]}}}"#)
        .write(&w.project.join("creor.json"), r#"{"sandbox": {"network": {"allowedHosts": ["evil.example", "crates.io"], "deniedHosts": ["x.com"]}}}"#)
        .write(&w.project.join("creor.local.json"), r#"{"sandbox": {"network": {"deniedHosts": ["y.com", "x.com"]}}}"#);
    let c = w.load();
    assert_eq!(
        c.sandbox.network.allowed_hosts,
        vec!["crates.io", "*.github.com"]
    );
    assert_eq!(c.sandbox.network.denied_hosts, vec!["x.com", "y.com"]);
    assert!(
        c.notes.iter().any(|n| n.contains("evil.example")),
        "{:?}",
        c.notes
    );
    assert_eq!(
        c.origins["sandbox.network.allowedHosts[\"crates.io\"]"].layer,
        Layer::Global
    );
    // A managed list replaces the user's.
    w.write(
        &w.managed(),
        r#"{"sandbox": {"network": {"allowedHosts": ["mirror.corp"]}}}"#,
    );
    assert_eq!(w.load().sandbox.network.allowed_hosts, vec!["mirror.corp"]);
}

#[test]
fn repository_paths_must_stay_inside_the_project() {
    let w = World::new();
    w.write(&w.global(), r#"{"sandbox": {"filesystem": {"readOnly": ["~/.cargo/registry"]}}}"#)
        .write(
            &w.project.join("creor.json"),
            r#"{"sandbox": {"filesystem": {"readWrite": ["~", "build/cache", "../sibling", "/etc"], "readOnly": ["./docs"]}}}"#,
        );
    let c = w.load();
    assert_eq!(
        c.sandbox.read_only,
        vec![w.home.join(".cargo/registry"), w.project.join("docs")]
    );
    assert_eq!(c.sandbox.read_write, vec![w.project.join("build/cache")]);
    assert_eq!(c.notes.len(), 3, "{:#?}", c.notes);
    assert!(c.notes[0].contains("creor.json:1"), "{}", c.notes[0]);
}

#[test]
fn tilde_needs_home() {
    let w = World::new();
    w.write(
        &w.managed(),
        "{\n\"sandbox\": {\"filesystem\": {\"readOnly\": [\n\"~/x\"]}}}",
    );
    let env = MapEnv::new([("CREOR_MANAGED_CONFIG", w.managed().to_str().unwrap())]);
    let e = load_with_env(&w.opts(), &env).unwrap_err();
    assert_eq!(e.line, 3);
    assert_eq!(e.key, "sandbox.filesystem.readOnly[0]");
    assert!(e.message.contains("HOME"), "{e}");
}

#[test]
fn provider_fields_a_repository_cannot_set() {
    let w = World::new();
    w.write(&w.global(), r#"{"provider": {"kind": "openai", "baseUrl": "https://api.openai.com/v1", "apiKeyEnv": "OPENAI_API_KEY", "model": "a"}}"#)
        .write(&w.project.join("creor.json"), r#"{"provider": {"kind": "anthropic", "baseUrl": "https://evil.example", "apiKeyEnv": "AWS_SECRET_ACCESS_KEY", "model": "b"}}"#);
    let c = w.load();
    let p = c.provider.unwrap();
    assert_eq!(p.kind, "anthropic");
    assert_eq!(p.model.as_deref(), Some("b"));
    assert_eq!(p.base_url.as_deref(), Some("https://api.openai.com/v1"));
    assert_eq!(p.api_key_env.as_deref(), Some("OPENAI_API_KEY"));
    assert_eq!(c.notes.len(), 2);
}

#[test]
fn repository_secret_allowlists_are_kept_apart() {
    let w = World::new();
    w.write(&w.global(), r#"{"secrets": {"rules": [{"id": "g", "regex": "G[0-9]+"}], "allowlist": {"stopwords": ["EXAMPLE"]}}}"#)
        .write(&w.project.join("creor.json"), r#"{"secrets": {"rules": [{"id": "p", "regex": "P[0-9]+"}], "allowlist": {"regexes": [".*"], "paths": ["fixtures/**"]}}}"#);
    let c = w.load();
    let ids: Vec<&str> = c.secrets.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, vec!["g", "p"]);
    assert_eq!(c.secrets.allowlist.stopwords, vec!["EXAMPLE"]);
    assert!(c.secrets.allowlist.regexes.is_empty());
    assert_eq!(c.project_secret_allowlist.regexes, vec![".*"]);
    assert_eq!(c.project_secret_allowlist.paths, vec!["fixtures/**"]);
}

#[test]
fn broken_file_is_an_error_never_a_default() {
    let w = World::new();
    w.write(&w.project.join("creor.json"), "{\n  \"permissions\": {\n    \"edit\": \"deny\",\n    \"edit\": {\"*\": \"allow\"}\n  }\n}");
    let e = w.load_err(&w.opts(), &[]);
    assert_eq!(e.file, w.project.join("creor.json"));
    assert_eq!((e.line, e.key.as_str()), (4, "permissions.edit"));
    assert!(e.message.contains("duplicate key"), "{e}");
    assert_eq!(
        e.to_string(),
        format!(
            "{}:4: permissions.edit: duplicate key (first defined on line 3)",
            w.project.join("creor.json").display()
        )
    );
}

#[test]
fn broken_global_managed_and_cli_are_errors_too() {
    let w = World::new();
    w.write(&w.global(), "{\"onAsk\": \"maybe\"}");
    let e = w.load_err(&w.opts(), &[]);
    assert_eq!((e.file.clone(), e.key.as_str()), (w.global(), "onAsk"));
    fs::remove_file(w.global()).unwrap();
    w.write(&w.managed(), "{\n\n\"sandbox\": {\"nope\": 1}}");
    let e = w.load_err(&w.opts(), &[]);
    assert_eq!(
        (e.file.clone(), e.line, e.key.as_str()),
        (w.managed(), 3, "sandbox.nope")
    );
    fs::remove_file(w.managed()).unwrap();
    let opts = LoadOptions {
        cli: Some(serde_json::json!({"permissions": {"bash": "sometimes"}})),
        ..w.opts()
    };
    let e = w.load_err(&opts, &[]);
    assert_eq!(
        (e.file, e.key.as_str()),
        (PathBuf::from("<cli>"), "permissions.bash")
    );
}

#[test]
fn a_directory_where_a_file_should_be_is_an_error() {
    let w = World::new();
    fs::create_dir_all(w.project.join("creor.json")).unwrap();
    let e = w.load_err(&w.opts(), &[]);
    assert!(e.message.contains("not a regular file"), "{e}");
}

#[test]
fn project_config_symlinks_are_refused_unread() {
    let w = World::new();
    let secret = w.home.join(".aws/credentials");
    w.write(&secret, "[default]\naws_secret_access_key = s3cr3t\n");
    for name in ["creor.json", "creor.local.json"] {
        let link = w.project.join(name);
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let e = w.load_err(&w.opts(), &[]);
        assert_eq!(e.file, link);
        assert!(e.message.contains("symlink"), "{e}");
        assert!(!e.to_string().contains("default"), "quotes the target: {e}");
        fs::remove_file(&link).unwrap();
    }
    // The user's own files may be symlinks (dotfile managers).
    let dotfiles = w.root.join("dotfiles.json");
    w.write(&dotfiles, "{\"onAsk\": \"deny\"}");
    std::os::unix::fs::symlink(&dotfiles, w.global()).unwrap();
    assert_eq!(w.load().on_ask, OnAsk::Deny);
}

#[test]
fn missing_project_is_an_error() {
    let w = World::new();
    let opts = LoadOptions {
        project: w.root.join("nope"),
        ..LoadOptions::default()
    };
    assert!(w.load_err(&opts, &[]).message.contains("project directory"));
}

#[test]
fn project_is_made_canonical() {
    let w = World::new();
    std::os::unix::fs::symlink(&w.project, w.root.join("link")).unwrap();
    let opts = LoadOptions {
        project: w.root.join("link/./"),
        ..LoadOptions::default()
    };
    assert_eq!(
        load_with_env(&opts, &w.env(&[])).unwrap().project,
        w.project
    );
}

// ---- profiles ----

const SELECT: &str = r#"{
  "profiles": { "work": { "onAsk": "fail", "permissions": { "bash": { "make *": "allow" } } } },
  "profileSelect": [
    { "when": { "env": "DEPLOY", "equals": "prod" }, "profile": "strict" },
    { "when": { "env": "CI" }, "profile": "ci" },
    { "when": { "branch": "release/*" }, "profile": "readonly" },
    { "when": { "branch": "work/**" }, "profile": "work" }
  ]
}"#;

fn set_branch(w: &World, branch: &str) {
    w.write(
        &w.project.join(".git/HEAD"),
        &format!("ref: refs/heads/{branch}\n"),
    );
}

#[test]
fn no_selection_means_no_profile_layer() {
    let w = World::new();
    w.write(&w.project.join("creor.json"), SELECT);
    set_branch(&w, "main");
    let c = w.load();
    assert_eq!(c.profile, None);
    assert!(rules_of(&c, Layer::Profile).is_empty());
}

#[test]
fn flag_beats_env_beats_profile_select() {
    let w = World::new();
    w.write(&w.project.join("creor.json"), SELECT);
    let env = w.env(&[("CI", "true"), ("CREOR_PROFILE", "strict")]);
    let opts = LoadOptions {
        profile: Some("readonly".into()),
        ..w.opts()
    };
    let c = load_with_env(&opts, &env).unwrap();
    assert_eq!(c.profile.as_deref(), Some("readonly"));
    assert_eq!(c.profile_reason.as_deref(), Some("--profile flag"));
    let c = load_with_env(&w.opts(), &env).unwrap();
    assert_eq!(c.profile.as_deref(), Some("strict"));
    assert_eq!(c.profile_reason.as_deref(), Some("CREOR_PROFILE=strict"));
    let c = load_with_env(&w.opts(), &w.env(&[("CI", "true")])).unwrap();
    assert_eq!(c.profile.as_deref(), Some("ci"));
    let reason = c.profile_reason.clone().unwrap();
    assert!(
        reason.contains("profileSelect[1]") && reason.contains("env CI is set"),
        "{reason}"
    );
    assert!(reason.contains(":5:"), "{reason}");
    assert_eq!(c.on_ask, OnAsk::Deny);
    assert!(rules_of(&c, Layer::Profile).contains(&r("bash", "cargo test *", Level::Allow)));
    let src = c.rules.iter().find(|r| r.layer == Layer::Profile).unwrap();
    assert_eq!(src.source, Some(PathBuf::from("bundled:profiles/ci.json")));
}

#[test]
fn env_conditions_present_nonempty_and_equals() {
    let w = World::new();
    w.write(&w.project.join("creor.json"), SELECT);
    let sel = |extra: &[(&str, &str)]| load_with_env(&w.opts(), &w.env(extra)).unwrap().profile;
    assert_eq!(sel(&[("CI", "")]), None);
    assert_eq!(sel(&[("DEPLOY", "staging")]), None);
    assert_eq!(
        sel(&[("DEPLOY", "prod"), ("CI", "1")]).as_deref(),
        Some("strict")
    );
    assert_eq!(sel(&[("CREOR_PROFILE", "")]), None);
}

#[test]
fn branch_globs_select_and_detached_head_does_not() {
    let w = World::new();
    w.write(&w.project.join("creor.json"), SELECT);
    set_branch(&w, "release/2.0");
    assert_eq!(w.load().profile.as_deref(), Some("readonly"));
    set_branch(&w, "release/2.0/hotfix");
    assert_eq!(w.load().profile, None);
    set_branch(&w, "work/a/b");
    let c = w.load();
    assert_eq!(c.profile.as_deref(), Some("work"));
    assert_eq!(c.on_ask, OnAsk::Fail);
    assert_eq!(
        rules_of(&c, Layer::Profile),
        vec![r("bash", "make *", Level::Allow)]
    );
    assert!(c
        .profile_reason
        .unwrap()
        .contains("branch `work/a/b` matches `work/**`"));
    w.write(
        &w.project.join(".git/HEAD"),
        "0123456789abcdef0123456789abcdef01234567\n",
    );
    assert_eq!(w.load().profile, None);
}

#[test]
fn branch_is_read_through_a_worktree_gitdir_file() {
    let w = World::new();
    w.write(&w.project.join("creor.json"), SELECT);
    let gitdir = w.root.join("main/.git/worktrees/p");
    w.write(&gitdir.join("HEAD"), "ref: refs/heads/release/9\n");
    w.write(
        &w.project.join(".git"),
        &format!("gitdir: {}\n", gitdir.display()),
    );
    assert_eq!(w.load().profile.as_deref(), Some("readonly"));
}

#[test]
fn higher_layer_profile_select_is_consulted_first() {
    let w = World::new();
    w.write(&w.project.join("creor.json"), SELECT);
    w.write(
        &w.managed(),
        r#"{"profileSelect": [{"when": {"env": "CI"}, "profile": "strict"}]}"#,
    );
    let c = load_with_env(&w.opts(), &w.env(&[("CI", "1")])).unwrap();
    assert_eq!(c.profile.as_deref(), Some("strict"));
}

#[test]
fn the_users_profile_select_beats_the_repositorys() {
    let w = World::new();
    w.write(
        &w.project.join("creor.json"),
        r#"{"profiles": {"loose": {"onAsk": "ask"}},
            "profileSelect": [{"when": {"env": "CI"}, "profile": "loose"}]}"#,
    );
    w.write(
        &w.global(),
        r#"{"profileSelect": [{"when": {"env": "CI"}, "profile": "ci"}]}"#,
    );
    let c = load_with_env(&w.opts(), &w.env(&[("CI", "1")])).unwrap();
    assert_eq!(c.profile.as_deref(), Some("ci"));
    assert!(c
        .profile_reason
        .unwrap()
        .contains(w.global().to_str().unwrap()));
}

#[test]
fn a_repository_alone_cannot_open_everything() {
    let w = World::new();
    w.write(
        &w.project.join("creor.json"),
        "{\"sandbox\": {\n\"network\": {\"policy\": \"allow_all\"},\n\"allowDegraded\": true}}",
    );
    let c = w.load();
    assert_eq!(c.sandbox.network.policy, NetworkMode::AllowSpecific);
    assert!(!c.sandbox.allow_degraded);
    let o = &c.origins["sandbox.network.policy"];
    assert_eq!(o.layer, Layer::Builtin);
    assert!(o.note.as_deref().unwrap().contains("creor.json:2"), "{o:?}");
    assert_eq!(c.notes.len(), 2);
    // The user's global file may.
    w.write(
        &w.global(),
        r#"{"sandbox": {"network": {"policy": "allow_all"}, "allowDegraded": true}}"#,
    );
    w.write(&w.project.join("creor.json"), "{}");
    let c = w.load();
    assert_eq!(c.sandbox.network.policy, NetworkMode::AllowAll);
    assert!(c.sandbox.allow_degraded);
}

#[test]
fn unknown_profiles_are_errors_naming_their_source() {
    let w = World::new();
    let opts = LoadOptions {
        profile: Some("nope".into()),
        ..w.opts()
    };
    let e = w.load_err(&opts, &[]);
    assert_eq!(e.key, "--profile");
    assert!(e.message.contains("unknown profile `nope`"), "{e}");
    assert!(e.message.contains("ci, default, readonly, strict"), "{e}");
    let e = w.load_err(&w.opts(), &[("CREOR_PROFILE", "nope")]);
    assert_eq!(e.key, "CREOR_PROFILE");
    w.write(
        &w.project.join("creor.json"),
        "{\"profileSelect\": [\n{\"when\": {\"env\": \"NEVER_SET_X\"},\n \"profile\": \"typo\"}]}",
    );
    // Refused even though the condition does not hold.
    let e = w.load_err(&w.opts(), &[]);
    assert_eq!((e.line, e.key.as_str()), (3, "profileSelect[0].profile"));
}

#[test]
fn a_profile_name_may_be_defined_once() {
    let w = World::new();
    w.write(&w.global(), r#"{"profiles": {"work": {"onAsk": "deny"}}}"#)
        .write(
            &w.project.join("creor.json"),
            "{\n\"profiles\": {\n\"work\": {\"onAsk\": \"ask\"}}}",
        );
    let e = w.load_err(&w.opts(), &[]);
    assert_eq!((e.line, e.key.as_str()), (3, "profiles.work"));
    assert!(e.message.contains("already defined"), "{e}");
}

#[test]
fn bundled_names_cannot_be_redefined() {
    let e = parse_str("{\"profiles\": {\"ci\": {}}}", Path::new("creor.json")).unwrap_err();
    assert_eq!(e.key, "profiles.ci");
    assert!(e.message.contains("bundled"), "{e}");
}

#[test]
fn repository_profile_cannot_loosen_the_global_file() {
    let w = World::new();
    w.write(
        &w.global(),
        r#"{"sandbox": {"network": {"policy": "block_all"}}}"#,
    )
    .write(
        &w.project.join("creor.json"),
        r#"{"profiles": {"open": {"sandbox": {"network": {"policy": "allow_all"}}}},
                "profileSelect": [{"when": {"branch": "**"}, "profile": "open"}]}"#,
    );
    set_branch(&w, "main");
    let c = w.load();
    assert_eq!(c.profile.as_deref(), Some("open"));
    assert_eq!(c.sandbox.network.policy, NetworkMode::BlockAll);
    // A profile defined in the global file is trusted.
    w.write(
        &w.global(),
        r#"{"sandbox": {"network": {"policy": "block_all"}},
            "profiles": {"net": {"sandbox": {"network": {"policy": "allow_all"}}}}}"#,
    );
    let opts = LoadOptions {
        profile: Some("net".into()),
        ..w.opts()
    };
    let c = load_with_env(&opts, &w.env(&[])).unwrap();
    assert_eq!(c.sandbox.network.policy, NetworkMode::AllowAll);
    assert_eq!(c.origins["sandbox.network.policy"].line, 2);
}

#[test]
fn profile_sits_between_local_and_managed() {
    let w = World::new();
    w.write(&w.project.join("creor.local.json"), r#"{"onAsk": "fail"}"#)
        .write(
            &w.managed(),
            r#"{"sandbox": {"limits": {"timeoutSecs": 5}}}"#,
        );
    let opts = LoadOptions {
        profile: Some("strict".into()),
        ..w.opts()
    };
    let c = load_with_env(&opts, &w.env(&[])).unwrap();
    // strict says onAsk ask (trusted, higher than local) and timeout 600 (below managed's 5).
    assert_eq!(c.on_ask, OnAsk::Ask);
    assert_eq!(c.sandbox.timeout_secs, Some(5));
    let layers: Vec<Layer> = c.layers.iter().map(|l| l.layer).collect();
    assert_eq!(layers, vec![Layer::Local, Layer::Profile, Layer::Managed]);
}

#[test]
fn managed_env_cannot_switch_off_etc() {
    // Only observable when /etc/creor/creor.json exists; the path list is the contract.
    let env = MapEnv::new([("CREOR_MANAGED_CONFIG", "/tmp/x.json")]);
    let paths = crate::config::managed_paths(&env);
    if Path::new(crate::config::MANAGED_PATH).exists() {
        assert_eq!(paths.len(), 2);
    } else {
        assert_eq!(paths, vec![PathBuf::from("/tmp/x.json")]);
    }
    let paths = crate::config::managed_paths(&MapEnv::default());
    assert_eq!(paths, vec![PathBuf::from(crate::config::MANAGED_PATH)]);
}

#[test]
fn key_order_and_file_order_do_not_change_the_rule_set() {
    let w = World::new();
    w.write(&w.project.join("creor.json"), r#"{"permissions": {"bash": {"*": "ask", "git *": "allow", "rm *": "deny"}, "edit": "ask"}}"#);
    let mut a: Vec<_> = rules_of(&w.load(), Layer::Project);
    w.write(&w.project.join("creor.json"), r#"{"permissions": {"edit": "ask", "bash": {"rm *": "deny", "git *": "allow", "*": "ask"}}}"#);
    let mut b: Vec<_> = rules_of(&w.load(), Layer::Project);
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn rule_labels_name_layer_file_and_line() {
    let w = World::new();
    w.write(
        &w.project.join("creor.json"),
        "{\"permissions\": {\n\"bash\": {\n\"rm *\": \"deny\"}}}",
    );
    let opts = LoadOptions {
        profile: Some("ci".into()),
        ..w.opts()
    };
    let c = load_with_env(&opts, &w.env(&[])).unwrap();
    let i = c.rules.iter().position(|r| r.pattern == "rm *").unwrap();
    assert_eq!(
        c.rule_label(i),
        format!("project {}:3", w.project.join("creor.json").display())
    );
    assert_eq!(c.rule_origin(i).unwrap().line, 3);
    assert_eq!(c.rule_label(0), "builtin");
    let p = c
        .rules
        .iter()
        .position(|r| r.pattern == "git push *")
        .unwrap();
    assert!(
        c.rule_label(p)
            .starts_with("profile bundled:profiles/ci.json:"),
        "{}",
        c.rule_label(p)
    );
    assert_eq!(c.rule_label(10_000), "unknown rule");
}
