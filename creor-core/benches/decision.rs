//! Decision latency with 1,000 rules (issue 2 targets: path and tool decisions p50 ≤ 2 µs, bash
//! decisions including parsing p50 ≤ 50 µs for a ~100-character compound command).
//!
//! Criterion measures each case; a second pass then prints the p50 of each case next to a
//! baseline with 10 rules measured in the same run, as a ratio.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use creor_core::config::{Layer, Level, NetworkMode, ResolvedConfig, Rule};
use creor_core::permission::{Context, Engine, Request};
use criterion::{criterion_group, Criterion};

const BASH_CMD: &str =
    "git status && cargo test --all 2>&1 | tee build.log; FOO=1 timeout 60 npm run lint -- --fix || echo fail";

fn rule(tool: &str, pattern: String, level: Level) -> Rule {
    Rule {
        tool: tool.into(),
        pattern,
        level,
        layer: Layer::Project,
        source: Some(PathBuf::from("/p/creor.json")),
    }
}

/// `n` rules spread over the tools, with the catch-alls and a few that match the cases.
fn rules(n: usize) -> Vec<Rule> {
    let levels = [Level::Allow, Level::Ask, Level::Deny];
    let mut out = vec![
        rule("*", "*".into(), Level::Ask),
        rule("read", "*".into(), Level::Allow),
        rule("bash", "git *".into(), Level::Allow),
        rule("bash", "cargo test *".into(), Level::Allow),
        rule("bash", "npm run *".into(), Level::Allow),
        rule("edit", "docs/**".into(), Level::Allow),
        rule("webfetch", "domain:docs.rs".into(), Level::Allow),
    ];
    let mut i = 0;
    while out.len() < n {
        let level = levels[i % 3];
        let r = match i % 6 {
            0 => rule("bash", format!("tool{i} sub{i} *"), level),
            1 => rule("bash", format!("prog{i} *"), level),
            2 => rule("edit", format!("dir{i}/**/*.rs"), level),
            3 => rule("read", format!("*.ext{i}"), level),
            4 => rule("webfetch", format!("domain:*.host{i}.example"), level),
            _ => rule("external-directory", format!("~/src/proj{i}/**"), level),
        };
        out.push(r);
        i += 1;
    }
    out
}

struct Setup {
    engine: Engine,
    _project: tempfile::TempDir,
    _home: tempfile::TempDir,
}

fn setup(n: usize) -> Setup {
    let project = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(project.path().join("src")).unwrap();
    std::fs::write(project.path().join("src/main.rs"), "").unwrap();
    let mut config = ResolvedConfig {
        project: project.path().canonicalize().unwrap(),
        rules: rules(n),
        ..ResolvedConfig::default()
    };
    config.sandbox.network.policy = NetworkMode::AllowAll;
    let ctx = Context {
        project: config.project.clone(),
        home: home.path().to_path_buf(),
        session_tmp: None,
        headless: false,
    };
    Setup {
        engine: Engine::new(config, ctx),
        _project: project,
        _home: home,
    }
}

fn cases() -> Vec<(&'static str, Request)> {
    vec![
        ("path read src/main.rs", Request::Read("src/main.rs".into())),
        (
            "path edit docs/guide/x.md",
            Request::Edit("docs/guide/x.md".into()),
        ),
        (
            "tool websearch",
            Request::WebSearch("rust globset narrowness".into()),
        ),
        (
            "tool webfetch",
            Request::WebFetch("https://docs.rs/globset".into()),
        ),
        ("bash compound ~100 chars", Request::Bash(BASH_CMD.into())),
    ]
}

fn decisions(c: &mut Criterion) {
    let s = setup(1000);
    let mut g = c.benchmark_group("decide_1000_rules");
    for (name, req) in cases() {
        g.bench_function(name, |b| {
            b.iter(|| black_box(s.engine.decide(black_box(&req))))
        });
    }
    g.finish();
}

criterion_group!(benches, decisions);

/// Median of per-call times, each sample the mean of a small batch.
fn p50(engine: &Engine, req: &Request) -> f64 {
    const BATCH: u32 = 50;
    let mut samples: Vec<f64> = (0..400)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..BATCH {
                black_box(engine.decide(black_box(req)));
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(BATCH)
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

fn report() {
    let big = setup(1000);
    let small = setup(10);
    println!();
    println!("p50 per decision (µs), 1,000 rules vs a 10-rule baseline in the same run:");
    for (name, req) in cases() {
        let target = if name.starts_with("bash") { 50.0 } else { 2.0 };
        let (b, s) = (p50(&big.engine, &req), p50(&small.engine, &req));
        let verdict = if b <= target { "ok" } else { "OVER" };
        println!(
            "  {name:<28} {b:>8.2}   baseline {s:>8.2}   ratio {:>5.2}   target {target} {verdict}",
            b / s
        );
    }
    let paths = creor_core::permission::PathContext {
        project: big.engine.project().to_path_buf(),
        home: PathBuf::from("/nonexistent-home"),
        session_tmp: None,
    };
    let mut samples: Vec<f64> = (0..400)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..50 {
                black_box(paths.resolve(black_box(std::path::Path::new("src/main.rs"))));
            }
            t.elapsed().as_secs_f64() * 1e6 / 50.0
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    println!(
        "  reference: resolving src/main.rs alone (PathContext::resolve) {:.2}",
        samples[samples.len() / 2]
    );
    println!(
        "  reference: two lstat calls (resolving src/main.rs below the project) {:.2}",
        canonicalise_p50(&big)
    );
}

/// The filesystem work every path decision must do, for reference: resolving the path.
fn canonicalise_p50(setup: &Setup) -> f64 {
    let path = setup.engine.project().join("src/main.rs");
    let mut samples: Vec<f64> = (0..400)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..50 {
                black_box(std::fs::symlink_metadata(black_box(&path)).ok());
                black_box(std::fs::symlink_metadata(black_box(path.parent().unwrap())).ok());
            }
            t.elapsed().as_secs_f64() * 1e6 / 50.0
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    report();
}
