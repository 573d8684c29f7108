//! `creor policy check`: the decision a session would make, with the winning rules.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use creor_core::config::{self, LoadOptions};
use creor_core::permission::{describe_rule, Context, Decision, Engine, Request};

use super::Exit;

/// `creor policy …`
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the decision for TOOL on SUBJECT.
    Check(CheckArgs),
}

/// Arguments of `creor policy check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Project directory (default: current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Profile to select.
    #[arg(long)]
    pub profile: Option<String>,
    /// Decide as a headless run would (ask → deny).
    #[arg(long)]
    pub headless: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Tool name (read, write, edit, glob, grep, ls, bash, webfetch, websearch,
    /// external-directory).
    pub tool: String,
    /// The subject: a path, a command, a URL or a query.
    pub subject: String,
}

/// Runs `creor policy`.
pub fn run(cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Check(args) => check(args),
    }
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let request =
        Request::from_tool(&args.tool, &args.subject).map_err(|e| Exit::config(e.to_string()))?;
    let project = match args.project {
        Some(p) => p,
        None => std::env::current_dir().context("current directory")?,
    };
    let opts = LoadOptions {
        project,
        profile: args.profile,
        cli: None,
    };
    let config = config::load(&opts).map_err(|e| Exit::config(e.to_string()))?;
    let home = std::env::var_os("HOME").map(PathBuf::from).ok_or_else(|| {
        Exit::config("HOME is not set: the floor (~/.ssh, ~/.aws, ~/.gnupg) needs it")
    })?;
    // A session maps `/tmp/…` to its private tmp under the state dir; judge as one would.
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".local/state"));
    let ctx = Context {
        project: config.project.clone(),
        session_tmp: Some(state.join("creor/policy-check/tmp")),
        home,
        headless: args.headless,
    };
    let engine = Engine::try_new(config, ctx).map_err(|e| Exit::config(e.to_string()))?;
    let decision = engine.decide(&request);
    if args.json {
        let value = serde_json::json!({
            "tool": args.tool,
            "subject": args.subject,
            "decision": decision.level,
            "reason": decision.reason,
            "rules": decision.rules,
            "mode": decision.mode,
            "interactive_decision": decision.interactive_level,
            "abort": decision.abort,
            "units": units(&decision),
            "checks": decision.checks,
        });
        emit(&(serde_json::to_string_pretty(&value)? + "\n"))?;
    } else {
        emit(&render_text(&args.tool, &args.subject, &decision))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The bash units (or the single subject) in order, each with its strictest check.
fn units(decision: &Decision) -> Vec<serde_json::Value> {
    let mut out: Vec<(String, creor_core::config::Level)> = Vec::new();
    for c in &decision.checks {
        let name = c.unit.clone().unwrap_or_else(|| c.subject.clone());
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, level)) => *level = (*level).max(c.level),
            None => out.push((name, c.level)),
        }
    }
    out.into_iter()
        .map(|(unit, level)| serde_json::json!({ "unit": unit, "decision": level }))
        .collect()
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout"),
    }
}

fn render_text(tool: &str, subject: &str, d: &Decision) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let level = format!("{:?}", d.level).to_lowercase();
    let shown = if color {
        let code = match d.level {
            creor_core::config::Level::Allow => "32",
            creor_core::config::Level::Ask => "33",
            creor_core::config::Level::Deny => "31",
        };
        format!("\x1b[1;{code}m{level}\x1b[0m")
    } else {
        level
    };
    let _ = writeln!(out, "{shown}: {tool} {}", escape(subject));
    let _ = writeln!(out, "  reason: {}", escape(&d.reason));
    let mode = format!("{:?}", d.mode).to_lowercase();
    let _ = writeln!(out, "  mode:   {mode}");
    if !d.rules.is_empty() {
        let _ = writeln!(out, "  rules:");
        for r in &d.rules {
            let source = r
                .source
                .as_ref()
                .map(|p| format!(" [{}]", p.display()))
                .unwrap_or_default();
            let _ = writeln!(out, "    {}{}", escape(&describe_rule(r)), escape(&source));
        }
    }
    let _ = writeln!(out, "  checks:");
    for c in &d.checks {
        let level = format!("{:?}", c.level).to_lowercase();
        let unit = c
            .unit
            .as_ref()
            .map(|u| format!("[{}] ", escape(u)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    {level:<5} {unit}{} {}: {}",
            c.tool,
            escape(&c.subject),
            escape(&c.reason())
        );
    }
    out
}

/// Terminal-escapes untrusted text (subjects, paths) before printing.
fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}
