#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use creor_core::config::{load_with_env, Level, LoadOptions, MapEnv};
use creor_core::permission::Request;

use super::*;

/// A project allowing everything, loaded without the process environment.
fn allow_all(project: &Path, home: &Path) -> ResolvedConfig {
    std::fs::write(project.join("creor.json"), r#"{"permissions": "allow"}"#).unwrap();
    let home = home.to_str().unwrap();
    load_with_env(
        &LoadOptions {
            project: project.to_path_buf(),
            profile: None,
            cli: None,
        },
        &MapEnv::new([("HOME", home)]),
    )
    .unwrap()
}

/// Both front ends get their engine here: a HOME that is a symlink must not open the floor
/// (`creor run` had this; the TUI had lost it).
#[test]
fn floor_holds_when_home_is_a_symlink() {
    // Not under /tmp: tools refuse the host's /tmp before the engine is even asked. The
    // checkout itself may sit there (a CI clone), so its target dir is only the fallback.
    let base = [
        PathBuf::from("/var/tmp"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
    ]
    .into_iter()
    .find(|b| !b.starts_with("/tmp") && std::fs::create_dir_all(b).is_ok())
    .expect("a scratch directory outside /tmp");
    let root = tempfile::tempdir_in(&base).unwrap();
    let home = root.path().join("home");
    let project = root.path().join("project");
    std::fs::create_dir_all(home.join(".ssh")).unwrap();
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(home.join(".ssh/id_rsa"), "KEY").unwrap();
    let link = root.path().join("homelink");
    std::os::unix::fs::symlink(&home, &link).unwrap();
    let config = allow_all(&project, &link);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let state = root.path().join("state");
    let setup = prepare_with(
        rt.handle(),
        config,
        Options::default(),
        Inputs {
            home: Some(link.clone().into_os_string()),
            state_dir: Some(state.clone()),
            websearch_url: None,
        },
    )
    .unwrap();
    assert_eq!(setup.env.home, home.canonicalize().unwrap());
    let tools = creor_core::tools::Toolbox::new(setup.env.clone(), setup.runner.clone());
    let keys = [
        "~/.ssh/id_rsa".to_owned(),
        link.join(".ssh/id_rsa").display().to_string(),
        home.join(".ssh/id_rsa").display().to_string(),
    ];
    for path in keys {
        let args = serde_json::json!({ "path": path }).to_string();
        let call = tools.prepare("read", &args).unwrap();
        let d = setup.engine.decide(&call.request);
        assert_eq!(d.level, Level::Deny, "{path}: {}", d.reason);
        assert!(d.reason.starts_with("floor"), "{path}: {}", d.reason);
    }
    // A plain project file is allowed: the denial above is the floor, not a broken engine.
    let ok = setup
        .engine
        .decide(&Request::Read(project.join("creor.json")));
    assert_eq!(ok.level, Level::Allow, "{}", ok.reason);
    let tmp = setup.tmp.path().unwrap().clone();
    assert!(tmp.is_dir());
    drop(setup);
    assert!(!tmp.exists(), "the session tmp dir outlived the session");
}
