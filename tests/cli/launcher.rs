//! The `creor` launcher: `exec` runs in it, every other command in `creor-agent` next to it.

use std::process::Command;

use crate::util::creor;

/// A copy of the launcher alone in a directory: no `creor-agent` beside it.
fn lone_launcher(dir: &std::path::Path) -> std::path::PathBuf {
    let copy = dir.join("creor");
    std::fs::copy(env!("CARGO_BIN_EXE_creor"), &copy).expect("copy creor");
    copy
}

#[test]
fn other_commands_run_in_the_agent_binary() {
    let out = creor()
        .args(["config", "--help"])
        .output()
        .expect("run creor");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The agent sees the launcher's argv[0]: usage lines name `creor`, not `creor-agent`.
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Usage: creor"), "{help}");
    assert!(!help.contains("creor-agent"), "{help}");
}

#[test]
fn exec_runs_without_the_agent_binary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let launcher = lone_launcher(dir.path());
    let out = Command::new(&launcher)
        .args(["exec", "--", "sh", "-c", "echo inside; exit 7"])
        .current_dir(dir.path())
        .output()
        .expect("run creor exec");
    assert_eq!(
        out.status.code(),
        Some(7),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "inside\n");
}

#[test]
fn a_missing_agent_binary_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let launcher = lone_launcher(dir.path());
    let out = Command::new(&launcher)
        .arg("doctor")
        .output()
        .expect("run creor doctor");
    assert_eq!(out.status.code(), Some(127));
    let err = String::from_utf8_lossy(&out.stderr);
    let expected = dir.path().join("creor-agent");
    assert!(err.contains(&*expected.to_string_lossy()), "{err}");
}

#[test]
fn an_agent_from_another_build_refuses_to_run() {
    let out = Command::new(env!("CARGO_BIN_EXE_creor-agent"))
        .arg("--version")
        .env("CREOR_LAUNCHER_VERSION", "0.0.0-other")
        .output()
        .expect("run creor-agent");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("different builds"));
    // Started by its own launcher, the same command works.
    let ok = creor().arg("--version").output().expect("run creor");
    assert!(ok.status.success());
}

#[test]
fn exec_help_is_the_exec_subcommand_help() {
    let out = creor()
        .args(["exec", "--help"])
        .output()
        .expect("run creor");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("Usage: creor exec [OPTIONS] -- <COMMAND>..."),
        "{help}"
    );
    assert!(help.contains("--network"), "{help}");
}

/// Defined symbols of a binary whose names contain `needle` (`nm`, from binutils).
fn symbols_with(binary: &str, needle: &str) -> usize {
    let out = Command::new("nm")
        .args(["--defined-only", binary])
        .output()
        .expect("nm (binutils) is needed for this test");
    assert!(out.status.success(), "nm {binary} failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

/// The launcher's speed comes from what it does not link: nothing of the TUI, the model
/// providers or the web tools may creep back into the per-command binary.
#[test]
fn the_launcher_links_neither_the_tui_nor_the_providers() {
    for krate in [
        "creor_tui",
        "ratatui",
        "crossterm",
        "reqwest",
        "hyper",
        "html2text",
    ] {
        assert_eq!(
            symbols_with(env!("CARGO_BIN_EXE_creor"), krate),
            0,
            "the creor launcher links {krate}"
        );
        // Control: the agent does, so the search itself works.
        assert!(
            symbols_with(env!("CARGO_BIN_EXE_creor-agent"), krate) > 0,
            "{krate}"
        );
    }
}
