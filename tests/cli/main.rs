//! End-to-end tests of the `creor` binary. One test binary; one module per feature.

mod config;
mod doctor;
mod exec;
mod fake_model;
mod hook;
mod journal;
mod launcher;
mod network;
mod policy;
mod run;
mod sandbox;
mod scan;
mod tui;
mod util;

#[test]
fn prints_version() {
    let out = util::creor().arg("--version").output().expect("run creor");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("creor "));
}
