//! `creor config validate|show` against temp directories. HOME, XDG_CONFIG_HOME and
//! CREOR_MANAGED_CONFIG point into the temp dir so the host's files never leak in.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Env {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    project: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().canonicalize().expect("canonical tempdir");
        let project = root.join("project");
        fs::create_dir_all(&project).expect("mkdir project");
        fs::create_dir_all(root.join("home")).expect("mkdir home");
        Env {
            _tmp: tmp,
            root,
            project,
        }
    }
    fn global(&self) -> PathBuf {
        self.root.join("xdg/creor/creor.json")
    }
    fn managed(&self) -> PathBuf {
        self.root.join("managed.json")
    }
    fn write(&self, path: &Path, text: &str) {
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    fn creor(&self) -> Command {
        let mut c = super::util::creor();
        c.current_dir(&self.project)
            .env("HOME", self.root.join("home"))
            .env("XDG_CONFIG_HOME", self.root.join("xdg"))
            .env("CREOR_MANAGED_CONFIG", self.managed())
            .env_remove("CI");
        c
    }
    fn run(&self, args: &[&str]) -> Output {
        self.creor().args(args).output().expect("run creor")
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn validate_with_no_files_is_ok() {
    let e = Env::new();
    let o = e.run(&["config", "validate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("ok: no config files"), "{}", stdout(&o));
}

#[test]
fn validate_lists_every_layer() {
    let e = Env::new();
    e.write(&e.global(), r#"{"onAsk": "deny"}"#);
    e.write(
        &e.project.join("creor.json"),
        "// project\n{\"permissions\": {\"bash\": {\"git *\": \"allow\"}}}",
    );
    e.write(&e.project.join("creor.local.json"), "{}");
    e.write(&e.managed(), "{}");
    let o = e.run(&["config", "validate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for f in [
        e.global(),
        e.project.join("creor.json"),
        e.project.join("creor.local.json"),
        e.managed(),
    ] {
        assert!(out.contains(&format!("ok: {}", f.display())), "{out}");
    }
}

#[test]
fn validate_names_file_line_and_key_and_exits_2() {
    let e = Env::new();
    let f = e.project.join("creor.json");
    e.write(
        &f,
        "{\n  \"permissions\": {\n    \"edit\": \"deny\",\n    \"edit\": \"allow\"\n  }\n}\n",
    );
    let o = e.run(&["config", "validate"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{}:4: permissions.edit: duplicate key",
            f.display()
        )),
        "{err}"
    );
    // `show` refuses too: never a fallback to defaults.
    let o = e.run(&["config", "show"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
}

#[test]
fn validate_a_single_file() {
    let e = Env::new();
    let good = e.root.join("good.json");
    e.write(&good, r#"{"sandbox": {"network": {"policy": "allow_specific", "allowedHosts": ["pkg.example.com"]}}}"#);
    let o = e.run(&["config", "validate", good.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), format!("ok: {}\n", good.display()));

    let bad = e.root.join("bad.json");
    e.write(&bad, "{\n\"onAsk\": \"sometimes\"\n}");
    let o = e.run(&["config", "validate", bad.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!(
            "{}:2: onAsk: unknown variant `sometimes`",
            bad.display()
        )),
        "{}",
        stderr(&o)
    );

    let o = e.run(&[
        "config",
        "validate",
        e.root.join("missing.json").to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
}

#[test]
fn validate_reports_the_managed_file_and_unknown_profiles() {
    let e = Env::new();
    e.write(
        &e.managed(),
        "{\"sandbox\": {\n\"network\": {\"policy\": \"open\"}}}",
    );
    let o = e.run(&["config", "validate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(&format!(
            "{}:2: sandbox.network.policy",
            e.managed().display()
        )),
        "{}",
        stderr(&o)
    );
    fs::remove_file(e.managed()).expect("rm");
    let o = e
        .creor()
        .args(["config", "validate"])
        .env("CREOR_PROFILE", "nope")
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown profile `nope`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn show_prints_the_merged_config() {
    let e = Env::new();
    e.write(&e.global(), r#"{"permissions": {"bash": {"rm *": "deny"}}, "sandbox": {"network": {"policy": "block_all"}}}"#);
    e.write(
        &e.project.join("creor.json"),
        r#"{"onAsk": "deny", "sandbox": {"network": {"policy": "allow_all"}}}"#,
    );
    let o = e.run(&["config", "show"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["onAsk"], "deny");
    assert_eq!(v["sandbox"]["network"]["policy"], "block_all");
    assert_eq!(v["project"], e.project.display().to_string());
    let rules = v["permissions"].as_array().expect("rules");
    assert!(rules
        .iter()
        .any(|r| r["pattern"] == "rm *" && r["level"] == "deny" && r["layer"] == "global"));
    // The refused loosening is reported, not silent.
    assert!(stderr(&o).contains("note: not applied"), "{}", stderr(&o));
}

#[test]
fn show_effective_annotates_values_with_their_layer() {
    let e = Env::new();
    e.write(&e.project.join("creor.json"), "{\n  \"onAsk\": \"fail\"\n}");
    let other = e.root.join("elsewhere");
    fs::create_dir_all(&other).expect("mkdir");
    let o = e.run(&[
        "config",
        "show",
        "--effective",
        "--project",
        e.project.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["onAsk"]["value"], "fail");
    assert_eq!(v["onAsk"]["layer"], "project");
    assert_eq!(v["onAsk"]["line"], 2);
    assert_eq!(
        v["onAsk"]["file"],
        e.project.join("creor.json").display().to_string()
    );
    assert_eq!(v["sandbox"]["network"]["policy"]["layer"], "builtin");
    assert_eq!(v["permissions"][0]["layer"], "builtin");
}

#[test]
fn show_with_profile_flag_and_env() {
    let e = Env::new();
    let o = e.run(&["config", "show", "--profile", "ci"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["profile"]["name"], "ci");
    assert_eq!(v["profile"]["reason"], "--profile flag");
    assert_eq!(v["onAsk"], "deny");
    let o = e
        .creor()
        .args(["config", "show"])
        .env("CREOR_PROFILE", "readonly")
        .output()
        .expect("run");
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["profile"]["name"], "readonly");
    let o = e.run(&["config", "show", "--profile", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--profile: unknown profile `nope`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn show_selects_by_branch() {
    let e = Env::new();
    e.write(
        &e.project.join("creor.json"),
        r#"{"profileSelect": [{"when": {"branch": "release/*"}, "profile": "strict"}]}"#,
    );
    e.write(
        &e.project.join(".git/HEAD"),
        "ref: refs/heads/release/1.0\n",
    );
    let o = e.run(&["config", "show"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["profile"]["name"], "strict");
    assert!(v["profile"]["reason"]
        .as_str()
        .expect("reason")
        .contains("release/1.0"));
}

#[test]
fn show_missing_project_exits_2() {
    let e = Env::new();
    let o = e.run(&[
        "config",
        "show",
        "--project",
        e.root.join("nope").to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// A document that passed the schema is remembered by content (the validator takes
/// milliseconds to build, on every `creor exec`); an edit misses the memo and is checked
/// afresh.
#[test]
fn schema_passes_are_remembered_by_content_only() {
    let e = Env::new();
    let cache = e.root.join("cache");
    let memo = cache.join("creor/schema-valid");
    let entries = || fs::read_dir(&memo).map_or(0, |d| d.count());
    let validate = || {
        e.creor()
            .env("XDG_CACHE_HOME", &cache)
            .args(["config", "validate"])
            .output()
            .expect("run creor")
    };
    let file = e.project.join("creor.json");
    e.write(&file, r#"{"permissions": {"bash": "ask"}}"#);
    assert!(validate().status.success());
    assert_eq!(entries(), 1, "the pass is recorded");
    assert!(validate().status.success());
    assert_eq!(entries(), 1, "the same content hits the memo");
    e.write(&file, r#"{"permissions": {"bash": "deny"}}"#);
    assert!(validate().status.success());
    assert_eq!(entries(), 2, "an edit is validated and recorded anew");
}
