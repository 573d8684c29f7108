//! `creor sandbox profile`.

use std::path::{Path, PathBuf};
use std::process::Output;

use creor_sandbox::seatbelt::{sbpl, wellformed};

use crate::util;

fn run(args: &[&str], home: &Path) -> Output {
    util::creor()
        .args(["sandbox", "profile"])
        .args(args)
        .env("HOME", home)
        .env("TMPDIR", "/var/tmp")
        .output()
        .expect("run creor")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

/// The path a Mac's kernel would see for a Linux temp dir (`/tmp` → `/private/tmp`).
fn seatbelt_path(p: &Path) -> String {
    let real = p.canonicalize().expect("canonical");
    let s = real.to_str().expect("utf-8").to_owned();
    for (alias, target) in [("/tmp", "/private/tmp"), ("/var", "/private/var")] {
        if let Some(rest) = s.strip_prefix(alias) {
            if rest.is_empty() || rest.starts_with('/') {
                return format!("{target}{rest}");
            }
        }
    }
    s
}

fn strings(forms: &[sbpl::Sexp]) -> Vec<String> {
    fn walk(f: &sbpl::Sexp, out: &mut Vec<String>) {
        match f {
            sbpl::Sexp::Str(s) => out.push(s.clone()),
            sbpl::Sexp::Sym(_) => {}
            sbpl::Sexp::List(items) => items.iter().for_each(|i| walk(i, out)),
        }
    }
    let mut out = Vec::new();
    forms.iter().for_each(|f| walk(f, &mut out));
    out
}

struct Case {
    _dir: tempfile::TempDir,
    project: PathBuf,
    home: PathBuf,
}

fn case() -> Case {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("project");
    let home = dir.path().join("home");
    std::fs::create_dir_all(project.join(".git/hooks")).expect("mkdir");
    std::fs::create_dir_all(home.join(".ssh")).expect("mkdir");
    Case {
        _dir: dir,
        project,
        home,
    }
}

#[test]
fn macos_profile_is_wellformed_and_grants_the_project() {
    let c = case();
    let out = run(
        &[
            "--platform",
            "macos",
            "--project",
            c.project.to_str().unwrap_or_default(),
        ],
        &c.home,
    );
    let text = stdout(&out);
    wellformed::check(&text).expect("well-formed");
    let atoms = strings(&sbpl::parse(&text).expect("parses"));
    let project = seatbelt_path(&c.project);
    assert!(atoms.contains(&project), "{project} missing:\n{text}");
    assert!(atoms.contains(&format!("{project}/.git/hooks")));
    assert!(atoms.contains(&format!("{}/.ssh", seatbelt_path(&c.home))));
    assert!(text.contains("(deny default)"));
    let outbound = sbpl::Sexp::sym("network-outbound");
    let forms = sbpl::parse(&text).expect("parses");
    assert!(
        !forms.iter().any(|f| f.args().contains(&outbound)),
        "block_all has no network rule"
    );
}

#[test]
fn macos_allow_specific_shows_the_placeholder_proxy_port_only() {
    let c = case();
    let out = run(
        &[
            "--platform",
            "macos",
            "--project",
            c.project.to_str().unwrap_or_default(),
            "--network",
            "allow_specific",
            "--allow-host",
            "pkg.example.com",
        ],
        &c.home,
    );
    let text = stdout(&out);
    wellformed::check(&text).expect("well-formed");
    assert!(text.contains(r#"(allow network-outbound (remote tcp "localhost:3128"))"#));
    assert!(text.contains("; placeholder: port 3128"));
    assert!(
        !text.contains("pkg.example.com"),
        "hosts are the proxy's business"
    );
    assert!(
        !text.contains("placeholder\""),
        "the proxy token never appears"
    );
}

#[test]
fn macos_allow_all_and_opt_ins() {
    let c = case();
    let out = run(
        &[
            "--platform",
            "macos",
            "--project",
            c.project.to_str().unwrap_or_default(),
            "--network",
            "allow_all",
            "--allow-trustd",
            "--allow-unix-socket",
            "/tmp/dev.sock",
        ],
        &c.home,
    );
    let text = stdout(&out);
    wellformed::check(&text).expect("well-formed");
    assert!(text.contains(r#"(remote ip "*:*")"#));
    assert!(text.contains(r#"(global-name "com.apple.trustd.agent")"#));
    assert!(text.contains(r#"(literal "/private/tmp/dev.sock")"#));
}

#[test]
fn hostile_project_name_stays_one_string() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join(r#"p"(allow default)\;x"#);
    std::fs::create_dir(&project).expect("mkdir");
    let out = run(
        &[
            "--platform",
            "macos",
            "--project",
            project.to_str().unwrap_or_default(),
        ],
        dir.path(),
    );
    let text = stdout(&out);
    wellformed::check(&text).expect("well-formed");
    let forms = sbpl::parse(&text).expect("parses");
    assert!(strings(&forms).contains(&seatbelt_path(&project)));
    let allow_default = sbpl::Sexp::list("allow", [sbpl::Sexp::sym("default")]);
    assert!(
        text.contains("(allow default)"),
        "the name is in the profile"
    );
    assert!(!forms.contains(&allow_default), "but only inside strings");
}

#[test]
fn linux_plan_describes_mounts_and_network() {
    let c = case();
    let out = run(
        &[
            "--platform",
            "linux",
            "--project",
            c.project.to_str().unwrap_or_default(),
        ],
        &c.home,
    );
    let text = stdout(&out);
    let project = c.project.canonicalize().expect("canonical");
    assert!(
        text.contains(&format!("bind rw  {}", project.display())),
        "{text}"
    );
    assert!(text.contains(&format!("{}/.git/hooks", project.display())));
    assert!(text.contains(&format!("absent      {}/.ssh", c.home.display())));
    assert!(text.contains("network: block_all"));
    assert!(text.contains("pid, net, ipc"));

    let all = run(
        &[
            "--platform",
            "linux",
            "--project",
            c.project.to_str().unwrap_or_default(),
            "--network",
            "allow_all",
        ],
        &c.home,
    );
    let text = stdout(&all);
    assert!(text.contains("network: allow_all"), "{text}");
    assert!(
        !text.contains("net, "),
        "allow_all has no network namespace"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn platform_defaults_to_this_os() {
    let c = case();
    let out = run(
        &["--project", c.project.to_str().unwrap_or_default()],
        &c.home,
    );
    assert!(stdout(&out).starts_with("Linux sandbox plan"));
}

#[test]
fn missing_project_is_a_config_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope");
    let out = run(
        &[
            "--platform",
            "macos",
            "--project",
            missing.to_str().unwrap_or_default(),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_socket_inside_a_floor_directory_is_refused_naming_it() {
    let c = case();
    let socket = c.home.join(".ssh/agent.sock");
    let out = run(
        &[
            "--platform",
            "macos",
            "--project",
            c.project.to_str().unwrap_or_default(),
            "--allow-unix-socket",
            socket.to_str().unwrap_or_default(),
        ],
        &c.home,
    );
    assert_eq!(out.status.code(), Some(125));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("agent.sock") && err.contains("hidden path"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no partial profile");
}

#[test]
fn unknown_network_mode_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(&["--network", "sometimes"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn flags_cannot_loosen_the_managed_network_policy() {
    let c = case();
    let managed = c.home.join("managed.json");
    std::fs::write(
        &managed,
        r#"{"sandbox": {"network": {"policy": "block_all"}}}"#,
    )
    .expect("write managed config");
    let out = util::creor()
        .args([
            "sandbox",
            "profile",
            "--platform",
            "linux",
            "--network",
            "allow_all",
        ])
        .args(["--project", c.project.to_str().unwrap_or_default()])
        .env("HOME", &c.home)
        .env("CREOR_MANAGED_CONFIG", &managed)
        .output()
        .expect("run creor");
    let text = stdout(&out);
    assert!(text.contains("network: block_all"), "{text}");
    assert!(!text.contains("allow_all - host network"), "{text}");
}
