//! `creor scan`: find secrets in files, staged changes or a diff; `creor scan dismiss`.
//!
//! Exit codes: 0 clean, 1 secrets found, 2 error (an incomplete scan is never "clean").

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use creor_core::audit::{timestamp, AuditLog, NewEntry};
use creor_core::config::{load, LoadOptions};
use creor_core::secrets::{
    builtin_rule_list, parse_fingerprint, render_json, render_sarif, render_text, scan_diff,
    scan_paths, Baseline, DiffTarget, Finding, Scanner, WalkOptions,
};

use super::Exit;

/// Arguments of `creor scan`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ScanArgs {
    /// `dismiss`: record a finding as accepted.
    #[command(subcommand)]
    pub action: Option<ScanAction>,
    /// Files or directories (default: current directory).
    pub paths: Vec<PathBuf>,
    /// Scan only lines added in the index (what `git commit` would record).
    #[arg(long, conflicts_with_all = ["paths", "diff"])]
    pub staged: bool,
    /// Scan only lines added since REV (`origin/main`, `A..B`, `A...B`).
    #[arg(long, value_name = "REV", conflicts_with = "paths")]
    pub diff: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Do not honour .gitignore/.ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Worker threads (default: one per CPU).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Print the rule ids and descriptions, then exit.
    #[arg(long)]
    pub list_rules: bool,
}

/// `creor scan <action>`.
#[derive(Debug, Subcommand)]
pub enum ScanAction {
    /// Accept a finding: records hash(secret)+path+rule in .creor/secrets-baseline.json and
    /// writes an audit entry.
    Dismiss {
        /// The fingerprint printed with the finding (PATH:RULE:HASH).
        fingerprint: String,
        /// Why this is acceptable (kept in the baseline and the audit log).
        #[arg(long)]
        reason: String,
    },
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: rule masked  [fingerprint]`.
    Text,
    /// `{"findings":[…]}`.
    Json,
    /// SARIF 2.1.0 for code-scanning uploads.
    Sarif,
}

/// Runs `creor scan`. Every error exits 2.
pub fn run(args: ScanArgs) -> anyhow::Result<ExitCode> {
    run_inner(args).map_err(|e| match e.downcast_ref::<Exit>() {
        Some(_) => e,
        None => Exit::config(format!("{e:#}")),
    })
}

fn run_inner(args: ScanArgs) -> anyhow::Result<ExitCode> {
    if args.list_rules {
        let mut out = std::io::stdout().lock();
        for (id, description) in builtin_rule_list() {
            writeln!(out, "{id:28} {description}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let cwd = std::env::current_dir().context("current directory")?;
    let root = project_root(&cwd);
    let config = load(&LoadOptions {
        project: root.clone(),
        ..LoadOptions::default()
    })?;
    if let Some(ScanAction::Dismiss {
        fingerprint,
        reason,
    }) = &args.action
    {
        return dismiss(&root, fingerprint, reason);
    }
    let scanner = Scanner::new(&config.secrets)?;
    let baseline = Baseline::load(&root)?;
    let (mut findings, errors) = if args.staged || args.diff.is_some() {
        let target = match &args.diff {
            Some(rev) => DiffTarget::Rev(rev.clone()),
            None => DiffTarget::Staged,
        };
        (scan_diff(&scanner, &cwd, &target)?, Vec::new())
    } else {
        let outcome = scan_paths(
            &scanner,
            &args.paths,
            &WalkOptions {
                no_ignore: args.no_ignore,
                threads: args.threads.unwrap_or(0),
                root: Some(root.clone()),
            },
        );
        (outcome.findings, outcome.errors)
    };
    findings.retain(|f| !baseline.is_dismissed(&f.fingerprint));
    print(&findings, &scanner, args.format)?;
    for e in &errors {
        eprintln!("creor: {e}");
    }
    if !errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    if findings.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    if args.format == Format::Text {
        let files: std::collections::BTreeSet<&str> =
            findings.iter().map(|f| f.path.as_str()).collect();
        eprintln!(
            "creor: {} secret(s) in {} file(s). Remove and rotate them; if one is not a secret, \
             add `creor:allow` on its line or run `creor scan dismiss FINGERPRINT --reason TEXT`.",
            findings.len(),
            files.len()
        );
    }
    Ok(ExitCode::from(1))
}

fn print(findings: &[Finding], scanner: &Scanner, format: Format) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Text => out.write_all(render_text(findings).as_bytes())?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &render_json(findings))?;
            out.write_all(b"\n")?;
        }
        Format::Sarif => {
            let log = render_sarif(findings, scanner.rules(), env!("CARGO_PKG_VERSION"));
            serde_json::to_writer_pretty(&mut out, &log)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The project root: the nearest ancestor holding `.git` (a directory, or a file in worktrees
/// and submodules), else the current directory.
fn project_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}

fn dismiss(root: &Path, fingerprint: &str, reason: &str) -> anyhow::Result<ExitCode> {
    let parts = parse_fingerprint(fingerprint)?;
    if reason.trim().is_empty() {
        return Err(Exit::config(
            "--reason must say why the finding is acceptable",
        ));
    }
    let by = std::env::var("USER").unwrap_or_else(|_| "user".into());
    let mut baseline = Baseline::load(root)?;
    let time = timestamp();
    if !baseline.dismiss(&parts, reason, &by, &time) {
        println!("already dismissed: {fingerprint}");
        return Ok(ExitCode::SUCCESS);
    }
    // The audit entry comes first: a dismissal that cannot be logged does not happen.
    let log = AuditLog::for_project(root)?;
    let mut entry = NewEntry::new(
        format!("cli-{}", std::process::id()),
        by,
        "secret.dismiss",
        parts.path.clone(),
        "dismissed",
    );
    entry.rule = Some(parts.rule.clone());
    entry.details = serde_json::json!({ "reason": reason, "secretHash": parts.hash });
    log.append(&entry)?;
    baseline.save(root)?;
    println!(
        "dismissed {fingerprint} in {}",
        Baseline::path(root).display()
    );
    Ok(ExitCode::SUCCESS)
}
