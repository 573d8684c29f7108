//! `creor doctor`: kernel features, what creor will do with them, and fixes.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use creor_core::config::{self, LoadOptions};
use creor_core::sandbox_policy::{self, PolicyOptions};
use creor_sandbox::linux::probe::{self, Check};
use serde::Serialize;

use super::Exit;

/// Arguments of `creor doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// The whole report, as printed with `--json`.
#[derive(Debug, Serialize)]
struct Report {
    checks: Vec<Check>,
    /// What `creor exec` will do here.
    verdict: String,
    /// Read-only binds under home (toolchains, PATH entries, caches).
    home_read_only: Vec<String>,
    /// Paths never visible.
    hidden: Vec<String>,
    /// Protected (read-only) paths in the project that exist.
    protected: Vec<String>,
    /// Protected paths that do not exist yet: removed after each run if a command creates
    /// them (nothing to bind read-only over).
    removed_if_created: Vec<String>,
}

/// Runs `creor doctor`. Exit 0 when the full sandbox works, 1 otherwise.
pub fn run(args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir().context("current directory")?;
    // Before the config load, as for `creor exec`: a planted creor.json is put aside first.
    let recovery = super::recover_killed_runs();
    let cfg = config::load(&LoadOptions {
        project: cwd,
        ..LoadOptions::default()
    })
    .map_err(|e| Exit::config(e.to_string()))?;
    let mut checks = probe::kernel_checks();
    checks.push(journal_check(&recovery));
    let mut home_read_only = Vec::new();
    let mut hidden = Vec::new();
    let mut protected = Vec::new();
    let mut removed_if_created = Vec::new();
    let full_ok = match sandbox_policy::build(&cfg, &PolicyOptions::default()) {
        Ok(mut policy) => {
            home_read_only = policy
                .read_only
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            hidden = policy
                .hidden
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            let absent = creor_sandbox::linux::protect::survey(&policy)
                .map(|s| s.absent)
                .unwrap_or_default();
            for p in &policy.protected {
                let shown = p.display().to_string();
                if absent.contains(p) {
                    removed_if_created.push(shown);
                } else {
                    protected.push(shown);
                }
            }
            // The trial checks the full sandbox; degraded mode is reported separately.
            policy.allow_degraded = false;
            let trial = probe::trial_run(&policy, None);
            let ok = trial.ok;
            checks.push(trial);
            ok
        }
        Err(e) => {
            checks.push(Check {
                name: "sandbox policy".into(),
                ok: false,
                detail: e.to_string(),
                fix: Some("fix the configuration named above".into()),
            });
            false
        }
    };
    let verdict = if full_ok {
        "creor exec runs commands in the full sandbox: user/mount/pid/net/ipc/uts/cgroup \
         namespaces, allowlisted root, landlock, seccomp, no capabilities, rlimits"
            .to_string()
    } else if cfg.sandbox.allow_degraded {
        "namespaces unavailable: creor exec runs DEGRADED (landlock + seccomp only), as the \
         configuration opted in; fix the failing checks for the full sandbox"
            .to_string()
    } else {
        "creor exec refuses to run (exit 125) until the failing checks are fixed, or the \
         configuration opts in to the degraded mode (sandbox.allowDegraded)"
            .to_string()
    };
    let report = Report {
        checks,
        verdict,
        home_read_only,
        hidden,
        protected,
        removed_if_created,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report);
    }
    Ok(if full_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What the recovery of killed runs found: not a kernel check, but something to look at.
fn journal_check(r: &creor_sandbox::linux::journal::Recovery) -> Check {
    let lines = r.lines();
    Check {
        name: "killed runs".into(),
        ok: lines.is_empty(),
        detail: if lines.is_empty() {
            "no sandboxed run was killed before creor could check its protected paths".into()
        } else {
            lines.join("; ")
        },
        fix: (!lines.is_empty()).then(|| {
            "inspect each quarantined path; delete it, or rename it back if you made it".into()
        }),
    }
}

fn print_text(r: &Report) {
    for c in &r.checks {
        println!(
            "[{}] {}: {}",
            if c.ok { " ok " } else { "FAIL" },
            c.name,
            c.detail
        );
        if let Some(fix) = &c.fix {
            println!("       fix: {fix}");
        }
    }
    println!();
    println!("read-only under home: {}", list(&r.home_read_only));
    println!("never visible: {}", list(&r.hidden));
    println!("read-only in the project: {}", list(&r.protected));
    println!(
        "protected but absent (removed after each run if created): {}",
        list(&r.removed_if_created)
    );
    println!();
    println!("=> {}", r.verdict);
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join(", ")
    }
}
