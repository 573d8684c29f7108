//! The bash analyser and the engine's bash decision must not panic on any input.
#![no_main]

use std::sync::OnceLock;

use creor_core::config::{Layer, Level, ResolvedConfig, Rule};
use creor_core::permission::{bash, Context, Engine, Request};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<(Engine, tempfile::TempDir)> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp project");
            let project = dir.path().canonicalize().expect("canonical project");
            let rule = |tool: &str, pattern: &str, level| Rule {
                tool: tool.into(),
                pattern: pattern.into(),
                level,
                layer: Layer::Project,
                source: None,
            };
            let config = ResolvedConfig {
                project: project.clone(),
                rules: vec![
                    rule("bash", "*", Level::Ask),
                    rule("bash", "git *", Level::Allow),
                    rule("bash", "rm *", Level::Deny),
                    rule("edit", ".env*", Level::Deny),
                    rule("read", "*", Level::Allow),
                ],
                ..ResolvedConfig::default()
            };
            let ctx = Context {
                project,
                home: dir.path().join("home"),
                session_tmp: None,
                headless: false,
            };
            (Engine::new(config, ctx), dir)
        })
        .0
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let analysis = bash::analyse(&text);
    for unit in &analysis.units {
        let _ = unit.normalised();
    }
    let _ = engine().decide(&Request::Bash(text.into_owned()));
});
