//! `creor run`: one agent session without the TUI. Headless (or without a TTY) every ask is
//! denied at once with `needs-approval-headless`; with `--json` every event is one JSON line.
//!
//! Exit codes: 0 finished, 1 provider error, 2 config/usage error, 3 step limit, 4 an ask under
//! `onAsk: "fail"`, 130 cancelled.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use creor_core::agent::{
    Answer, ApprovalAnswer, CancelHandle, DoneReason, Event, Outcome, Session, SessionError,
    SessionIo, SessionOptions,
};
use creor_core::config::{self, Level, LoadOptions, ProviderConfig};
use creor_core::tools::Toolbox;
use tokio::sync::mpsc;

use super::Exit;

/// Arguments of `creor run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Never wait for approvals: every ask is denied with `needs-approval-headless`.
    #[arg(long)]
    pub headless: bool,
    /// Print one JSON event per line on stdout.
    #[arg(long)]
    pub json: bool,
    /// Profile to select (e.g. `ci`).
    #[arg(long)]
    pub profile: Option<String>,
    /// Project directory (default: current directory).
    #[arg(long)]
    pub project: Option<PathBuf>,
    /// Most model requests before stopping.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub max_steps: u32,
    /// Provider kind, overriding `provider.kind`.
    #[arg(long, value_parser = ["openai", "anthropic"])]
    pub provider: Option<String>,
    /// Overrides `provider.baseUrl`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Overrides `provider.model`.
    #[arg(long)]
    pub model: Option<String>,
    /// Overrides `provider.apiKeyEnv` (the NAME of the variable holding the key).
    #[arg(long, value_name = "NAME")]
    pub api_key_env: Option<String>,
    /// The prompt; `-` reads it from stdin.
    pub prompt: String,
}

/// Runs `creor run`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = rt.block_on(run_async(args));
    // A terminal read for an approval may still be blocked after Ctrl-C; do not wait for it.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    result
}

fn read_prompt(arg: &str) -> anyhow::Result<String> {
    let prompt = if arg == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading the prompt from stdin")?;
        s
    } else {
        arg.to_owned()
    };
    if prompt.trim().is_empty() {
        return Err(Exit::config("the prompt is empty"));
    }
    Ok(prompt)
}

fn provider_config(
    args: &RunArgs,
    from_file: Option<ProviderConfig>,
) -> anyhow::Result<ProviderConfig> {
    let any_flag = args.provider.is_some()
        || args.base_url.is_some()
        || args.model.is_some()
        || args.api_key_env.is_some();
    let mut cfg = match (from_file, &args.provider) {
        (Some(c), _) => c,
        (None, Some(kind)) => ProviderConfig {
            kind: kind.clone(),
            base_url: None,
            model: None,
            api_key_env: None,
        },
        (None, None) if any_flag => {
            return Err(Exit::config(
                "no provider configured: add --provider openai|anthropic or a \"provider\" section to creor.json",
            ))
        }
        (None, None) => {
            return Err(Exit::config(
                "no provider configured: add a \"provider\" section to creor.json (see `creor run --help`)",
            ))
        }
    };
    if let Some(k) = &args.provider {
        cfg.kind = k.clone();
    }
    if let Some(u) = &args.base_url {
        cfg.base_url = Some(u.clone());
    }
    if let Some(m) = &args.model {
        cfg.model = Some(m.clone());
    }
    if let Some(e) = &args.api_key_env {
        cfg.api_key_env = Some(e.clone());
    }
    Ok(cfg)
}

async fn run_async(args: RunArgs) -> anyhow::Result<ExitCode> {
    let prompt = read_prompt(&args.prompt)?;
    let project = match &args.project {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("current directory")?,
    };
    let config = config::load(&LoadOptions {
        project,
        profile: args.profile.clone(),
        cli: None,
    })
    .map_err(|e| Exit::config(e.to_string()))?;
    let pcfg = provider_config(&args, config.provider.clone())?;
    let provider =
        creor_core::provider::from_config(&pcfg).map_err(|e| Exit::config(e.to_string()))?;
    let headless = args.headless || !std::io::stdin().is_terminal() || args.prompt == "-";
    let setup = super::session::prepare(
        &tokio::runtime::Handle::current(),
        config,
        super::session::Options {
            headless,
            net_hook: None,
        },
    )?;
    let super::session::SessionSetup {
        id,
        config,
        engine,
        env,
        runner,
        redactor,
        proxy: _session_proxy,
        proxy_problem,
        tmp: _session_tmp,
    } = setup;
    if let Some(p) = proxy_problem {
        eprintln!("creor: {p}");
    }
    if config.sandbox.network.policy == creor_core::config::NetworkMode::AllowAll {
        eprintln!(
            "creor: warning: network allow_all: sandboxed commands share the host network \
             (host loopback services and cloud metadata endpoints are reachable)"
        );
    }
    let on_ask = config.on_ask;
    let tools = Toolbox::new(env, runner);
    let opts = SessionOptions {
        id,
        max_steps: args.max_steps,
        headless,
        on_ask,
        ..SessionOptions::default()
    };
    let audit = creor_core::audit::AuditLog::for_project(&config.project)
        .map_err(|e| Exit::config(e.to_string()))?;
    let mut session = Session::new(provider, engine, tools, redactor, Arc::new(audit), opts);

    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
    let (ans_tx, ans_rx) = mpsc::unbounded_channel();
    let (cancel_handle, cancel) = CancelHandle::new();
    let mut io = SessionIo {
        events: ev_tx,
        answers: ans_rx,
        cancel,
    };
    let json = args.json;
    let printer = tokio::spawn(async move {
        let mut printer = Printer::new(json);
        while let Some(ev) = ev_rx.recv().await {
            printer.print(&ev);
            if let Event::ApprovalRequested { id, .. } = &ev {
                let answer = tokio::task::spawn_blocking(ask_user)
                    .await
                    .unwrap_or(Answer::Deny { feedback: None });
                let _ = ans_tx.send(ApprovalAnswer {
                    id: id.clone(),
                    answer,
                });
            }
        }
    });
    let result = {
        let run = session.run(&prompt, &mut io);
        tokio::pin!(run);
        let mut interrupted = false;
        loop {
            tokio::select! {
                r = &mut run => break r,
                _ = tokio::signal::ctrl_c(), if !interrupted => {
                    // First Ctrl-C: cancel cooperatively (in-flight requests and sandboxes
                    // are stopped); the session then ends with `done: cancelled`.
                    interrupted = true;
                    cancel_handle.cancel();
                }
            }
        }
    };
    drop(io);
    drop(session);
    // The printer drains the remaining events; only a pending terminal read (after Ctrl-C)
    // can hold it, and that must not keep creor alive.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), printer).await;
    Ok(match result {
        Ok(Outcome::Finished) => ExitCode::SUCCESS,
        Ok(Outcome::StepLimit) => ExitCode::from(3),
        Ok(Outcome::Cancelled) => ExitCode::from(130),
        Err(SessionError::AskFailed { .. }) => ExitCode::from(4),
        Err(SessionError::Provider(e)) => {
            if !json {
                eprintln!("creor: {e}");
            }
            ExitCode::from(1)
        }
    })
}

/// Reads one approval answer from the terminal: y once, s session, n deny, f deny+feedback.
fn ask_user() -> Answer {
    let mut err = std::io::stderr();
    let _ = write!(err, "approve? [y]es once / [s]ession / [n]o / [f]eedback: ");
    let _ = err.flush();
    let mut line = String::new();
    if std::io::stdin().read_line(&mut line).is_err() {
        return Answer::Deny { feedback: None };
    }
    match line.trim() {
        "y" | "Y" => Answer::ApproveOnce,
        "s" | "S" => Answer::ApproveForSession,
        "f" | "F" => {
            let _ = write!(err, "feedback for the model: ");
            let _ = err.flush();
            let mut fb = String::new();
            let _ = std::io::stdin().read_line(&mut fb);
            Answer::Deny {
                feedback: Some(fb.trim().to_owned()),
            }
        }
        _ => Answer::Deny { feedback: None },
    }
}

/// Renders events: JSON lines, or model text on stdout and tool activity on stderr.
struct Printer {
    json: bool,
    mid_line: bool,
}

impl Printer {
    fn new(json: bool) -> Self {
        Printer {
            json,
            mid_line: false,
        }
    }

    fn print(&mut self, ev: &Event) {
        if self.json {
            if let Ok(line) = serde_json::to_string(ev) {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            }
            return;
        }
        let mut out = std::io::stdout().lock();
        match ev {
            Event::MessageDelta { text } => {
                let _ = write!(out, "{}", sanitize(text));
                let _ = out.flush();
                self.mid_line = !text.ends_with('\n');
                return;
            }
            Event::Message { .. } | Event::SessionStarted { .. } => return,
            _ => {}
        }
        if self.mid_line {
            let _ = writeln!(out);
            self.mid_line = false;
        }
        drop(out);
        let line = match ev {
            Event::ToolCallProposed {
                tool, arguments, ..
            } => format!("→ {tool} {arguments}"),
            Event::PermissionDecision { level, reason, .. } => {
                let level = match level {
                    Level::Allow => "allow",
                    Level::Ask => "ask",
                    Level::Deny => "deny",
                };
                format!("  {level} ({reason})")
            }
            Event::ApprovalRequested {
                tool,
                subject,
                reason,
                session_scope,
                ..
            } => format!(
                "? {tool}: {subject}\n  asks because: {reason}\n  for session: {}",
                session_scope.as_deref().unwrap_or("(only once offered)")
            ),
            Event::ToolOutput { .. } => return,
            Event::ToolResult { ok, content, .. } => {
                let first: String = content.lines().take(8).collect::<Vec<_>>().join("\n    ");
                format!("  {} {first}", if *ok { "✓" } else { "✗" })
            }
            Event::Error { message } => format!("error: {message}"),
            Event::Done { reason, steps } => match reason {
                DoneReason::Finished => return,
                other => format!(
                    "stopped: {} after {steps} steps",
                    serde_json::to_string(other).unwrap_or_default()
                ),
            },
            _ => return,
        };
        eprintln!("{}", sanitize(&line));
    }
}

/// Removes terminal control sequences (model and tool text is untrusted).
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}
