//! `creor audit path|show|verify`: find, read and check the hash-chained audit log of a
//! project (`$XDG_STATE_HOME/creor/audit/<project-id>.jsonl`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use creor_core::audit::{AuditError, AuditLog};

use super::Exit;

/// `creor audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the log's path alone on stdout.
    Path(ProjectArg),
    /// Print the log's entries.
    Show(ShowArgs),
    /// Check the hash chain; non-zero naming the first bad line.
    Verify(ProjectArg),
}

/// The project whose log is meant.
#[derive(Debug, Args)]
pub struct ProjectArg {
    /// Project directory (default: current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
}

/// Arguments of `creor audit show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Project directory (default: current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Only entries at or after this time: a duration ago (`2h`, `30m`) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Print the raw JSON lines.
    #[arg(long)]
    pub json: bool,
}

fn log_for(project: &Option<PathBuf>) -> anyhow::Result<AuditLog> {
    let dir = match project {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("current directory")?,
    };
    let dir = dir
        .canonicalize()
        .map_err(|e| Exit::config(format!("project {}: {e}", dir.display())))?;
    AuditLog::for_project(&dir).map_err(|e| Exit::config(e.to_string()))
}

fn parse_since(s: &str) -> anyhow::Result<SystemTime> {
    if let Ok(t) = humantime::parse_rfc3339_weak(s) {
        return Ok(t);
    }
    let d: Duration = humantime::parse_duration(s).map_err(|_| {
        Exit::config(format!(
            "--since {s:?}: expected a duration (2h, 30m) or an RFC 3339 time"
        ))
    })?;
    Ok(SystemTime::now()
        .checked_sub(d)
        .unwrap_or(SystemTime::UNIX_EPOCH))
}

/// Runs `creor audit`.
pub fn run(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Path(a) => {
            println!("{}", log_for(&a.project)?.path().display());
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify(a) => {
            let log = log_for(&a.project)?;
            match log.verify() {
                Ok(n) => {
                    println!("ok: {n} entries, chain intact ({})", log.path().display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(AuditError::Corrupt(path, bad)) => {
                    eprintln!("creor: audit log {}: {bad}", path.display());
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e.into()),
            }
        }
        AuditCommand::Show(a) => {
            let log = log_for(&a.project)?;
            let since = a.since.as_deref().map(parse_since).transpose()?;
            for e in log.entries()? {
                if let Some(since) = since {
                    match humantime::parse_rfc3339_weak(&e.time) {
                        Ok(t) if t >= since => {}
                        _ => continue,
                    }
                }
                if a.json {
                    println!("{}", serde_json::to_string(&e)?);
                } else {
                    println!(
                        "{} {} {:<8} {:<12} {} -> {}{}",
                        e.time,
                        e.session,
                        e.actor,
                        e.action,
                        e.target.replace(char::is_control, "\u{FFFD}"),
                        e.decision,
                        e.rule
                            .as_deref()
                            .map(|r| format!(" ({})", r.replace(char::is_control, "\u{FFFD}")))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
