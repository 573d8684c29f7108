//! Golden files of generated Seatbelt profiles (`tests/golden/*.snap`, via insta) for
//! representative policies. Every profile is also run through the well-formedness checker.
//! Update with `INSTA_UPDATE=always cargo test -p creor-sandbox --test seatbelt_golden` and
//! review the diff like code: it is the sandbox.

#![allow(clippy::unwrap_used)]

mod seatbelt_support;

use std::path::PathBuf;

use creor_sandbox::seatbelt::{self, wellformed, SeatbeltOptions};
use creor_sandbox::{NetworkPolicy, SandboxPolicy, TmpDir};
use seatbelt_support::{default_policy, options, HOME, PROJECT};

fn golden(name: &str, policy: &SandboxPolicy, opts: &SeatbeltOptions) -> String {
    let text = seatbelt::generate(policy, opts).unwrap();
    wellformed::check(&text).unwrap();
    // The fixed base is covered once by its own test; goldens show what the policy adds.
    let generated = text.strip_prefix(seatbelt::BASE_PROFILE).unwrap();
    insta::with_settings!({
        snapshot_path => "golden",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, generated);
    });
    text
}

#[test]
fn base() {
    insta::with_settings!({
        snapshot_path => "golden",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("base", seatbelt::BASE_PROFILE);
    });
}

#[test]
fn default_session() {
    let text = golden("default", &default_policy(), &options());
    assert!(text.contains("(deny default)"));
}

#[test]
fn readonly_grants_and_fresh_tmp_without_home() {
    let mut policy = default_policy();
    policy.hidden.clear();
    policy.read_only = vec![
        "/Users/alice/.rustup".into(),
        "/Users/alice/.cargo/bin".into(),
    ];
    policy.tmp = TmpDir::Fresh {
        size_bytes: 1 << 20,
    };
    let opts = SeatbeltOptions {
        home: None,
        tmp_dir: Some("/var/folders/zz/abc/T/creor-tmp-1".into()),
        ..SeatbeltOptions::default()
    };
    golden("readonly_fresh_tmp", &policy, &opts);
}

#[test]
fn allow_specific_with_trustd_and_a_socket() {
    let mut policy = default_policy();
    policy.network = NetworkPolicy::AllowSpecific {
        proxy_socket: "/Users/alice/.local/state/creor/proxy.sock".into(),
        port: 41234,
        token: "secret-token-never-in-profile".into(),
    };
    let opts = SeatbeltOptions {
        allow_trustd: true,
        unix_sockets: vec!["/tmp/app-dev.sock".into()],
        ..options()
    };
    let text = golden("allow_specific", &policy, &opts);
    assert!(!text.contains("secret-token"));
    assert!(text.contains(r#"(remote tcp "localhost:41234")"#));
}

#[test]
fn allow_all() {
    let mut policy = default_policy();
    policy.network = NetworkPolicy::AllowAll;
    golden("allow_all", &policy, &options());
}

#[test]
fn extra_read_write_and_protected_paths() {
    let mut policy = default_policy();
    policy.read_write = vec!["/Users/alice/.cargo/registry".into(), "/tmp/shared".into()];
    policy.protected = vec![PathBuf::from(PROJECT).join(".github/workflows")];
    // The project is the user's home: the floor directories sit inside the writable tree.
    let mut home_project = policy.clone();
    home_project.project = HOME.into();
    home_project.cwd = HOME.into();
    golden("extra_rw_protected", &policy, &options());
    golden("project_is_home", &home_project, &options());
}

#[test]
fn hostile_names() {
    let mut policy = default_policy();
    let hostile = r#"/Users/alice/src/a"b\c (allow default) ))("#;
    policy.project = hostile.into();
    policy.read_only = vec![r#"/Users/alice/"))(allow file-write* (subpath "/"))"#.into()];
    policy.read_write = vec!["/Users/alice/日本語 é ;not-a-comment".into()];
    let text = golden("hostile_names", &policy, &options());
    let forms = seatbelt::sbpl::parse(&text).unwrap();
    assert!(forms.iter().all(|f| f.head() != Some("allow")
        || f.args().first() != Some(&seatbelt::sbpl::Sexp::sym("default"))));
}
