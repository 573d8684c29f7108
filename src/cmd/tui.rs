//! `creor` with no subcommand: the terminal UI. This file wires a [`Session`] to the
//! `creor-tui` app: core events become messages, card answers go back on the approval
//! channel, and `!CMD` runs through the same session (engine, sandbox, audit, redaction)
//! without asking the model.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{mpsc as std_mpsc, Arc, Mutex as StdMutex};

use anyhow::Context as _;
use creor_core::agent::{ApprovalAnswer, CancelHandle, Session, SessionIo, SessionOptions};
use creor_core::config::{self, LoadOptions, NetworkMode, ResolvedConfig};
use creor_core::permission::describe_rule;
use creor_core::provider::{
    BoxFuture, Cancel, ChatRequest, Provider, ProviderError, Reply, StopReason, TextSink, ToolCall,
};
use creor_core::tools::{CommandRunner, ToolEnv, Toolbox};
use creor_tui::{App, Driver, Effect, Msg, NetBridge, NetworkState, SandboxState, Show, Status};
use tokio::sync::{mpsc, Mutex};

use super::Exit;

/// Opens the TUI in the current project.
pub fn run() -> anyhow::Result<ExitCode> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Exit::config(
            "the TUI needs a terminal; use `creor run --headless PROMPT` in scripts and CI",
        ));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let project = std::env::current_dir().context("current directory")?;
    let config = config::load(&LoadOptions {
        project,
        profile: std::env::var("CREOR_PROFILE")
            .ok()
            .filter(|p| !p.is_empty()),
        cli: None,
    })
    .map_err(|e| Exit::config(e.to_string()))?;
    let (model, model_problem) = match &config.provider {
        Some(p) => match creor_core::provider::from_config(p) {
            Ok(m) => (Some(m), None),
            Err(e) => (None, Some(format!("the model provider cannot start: {e}"))),
        },
        None => (None, None),
    };
    let status = Status {
        model: model.as_ref().map(|m| m.describe()),
        model_problem,
        profile: config.profile.clone(),
        sandbox: SandboxState::Full,
        network: match config.sandbox.network.policy {
            NetworkMode::BlockAll => NetworkState::BlockAll,
            NetworkMode::AllowSpecific => {
                NetworkState::AllowSpecific(config.sandbox.network.allowed_hosts.len())
            }
            NetworkMode::AllowAll => NetworkState::AllowAll,
        },
        project: config.project.display().to_string(),
    };
    let (tx, rx) = std_mpsc::channel();
    // A host in neither list raises a network card; the connection waits for its answer.
    let net = Arc::new(NetBridge::new(tx.clone()));
    let setup = super::session::prepare(
        rt.handle(),
        config,
        super::session::Options {
            headless: false,
            net_hook: Some(net.clone()),
        },
    )?;
    let super::session::SessionSetup {
        id,
        config,
        engine,
        env,
        runner,
        redactor,
        proxy: session_proxy,
        proxy_problem,
        tmp: session_tmp,
    } = setup;
    let notes = config.notes.clone();
    let mut status = status;
    status.sandbox = rt.block_on(probe_sandbox(&env, runner.as_ref(), &config));
    let tools = Toolbox::new(env, runner);
    let audit = creor_core::audit::AuditLog::for_project(&config.project)
        .map_err(|e| Exit::config(e.to_string()))?;
    let audit_path = audit.path().to_path_buf();
    let shell = Arc::new(StdMutex::new(ShellState::default()));
    let provider = Routing {
        model,
        shell: shell.clone(),
    };
    let opts = SessionOptions {
        id,
        headless: false,
        on_ask: config::OnAsk::Ask,
        ..SessionOptions::default()
    };
    let session = Session::new(
        Box::new(provider),
        engine,
        tools,
        redactor,
        Arc::new(audit),
        opts,
    );
    for n in notes {
        let _ = tx.send(Msg::Notice(format!("config: {n}")));
    }
    if let Some(p) = proxy_problem {
        let _ = tx.send(Msg::Notice(p));
    }
    let mut driver = TuiDriver {
        rt: rt.handle().clone(),
        session: Arc::new(Mutex::new(session)),
        tx: tx.clone(),
        answers: None,
        cancel: None,
        shell,
        config: config.clone(),
        audit_path,
        net,
    };
    let result = creor_tui::run(App::new(status), &mut driver, tx, rx);
    if let Some(c) = driver.cancel.take() {
        c.cancel();
    }
    drop(driver);
    drop(session_proxy);
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    drop(session_tmp);
    result.map_err(|e| anyhow::anyhow!(e))?;
    Ok(ExitCode::SUCCESS)
}

/// What the status bar says about the sandbox: runs `true` through the session's own runner
/// and policy (so a container's seccomp profile or an AppArmor userns restriction shows up
/// here, not at the first command), then reads whether namespaces are available.
async fn probe_sandbox(
    env: &ToolEnv,
    runner: &dyn CommandRunner,
    config: &ResolvedConfig,
) -> SandboxState {
    let (_handle, cancel) = CancelHandle::new();
    let req = match creor_core::tools::shell::request(env, "true", Some(10)) {
        Ok(r) => r,
        Err(e) => return SandboxState::Unsandboxed(e.to_string()),
    };
    match runner.run(req, &cancel).await {
        Ok(out) if out.exit_code == Some(0) => sandbox_state(config),
        Ok(out) => SandboxState::Unsandboxed(format!(
            "the sandbox probe `true` exited with {:?}: {}",
            out.exit_code,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => SandboxState::Unsandboxed(e.to_string()),
    }
}

/// Full or degraded, from what this kernel allows and the config.
fn sandbox_state(config: &ResolvedConfig) -> SandboxState {
    if !cfg!(target_os = "linux") {
        return SandboxState::Unsandboxed("no sandbox backend for this OS in this build".into());
    }
    let max_userns = std::fs::read_to_string("/proc/sys/user/max_user_namespaces")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    match max_userns {
        Some(0) | None => {
            let why = "user namespaces are unavailable (user.max_user_namespaces)".to_owned();
            if config.sandbox.allow_degraded {
                SandboxState::Degraded(why)
            } else {
                SandboxState::Unsandboxed(why)
            }
        }
        Some(_) => SandboxState::Full,
    }
}

/// A `!CMD` waiting to be handed to the session as if the model had proposed it.
#[derive(Debug, Default)]
struct ShellState {
    pending: Option<String>,
    finishing: bool,
    count: u32,
}

/// The session's provider: the configured model, except while a `!CMD` runs, when it answers
/// with exactly that bash call and then ends the turn. So `!CMD` goes through the same engine,
/// cards, sandbox, redaction and audit log as the model's calls.
struct Routing {
    model: Option<Box<dyn Provider>>,
    shell: Arc<StdMutex<ShellState>>,
}

impl Provider for Routing {
    fn complete<'a>(
        &'a self,
        req: &'a ChatRequest,
        on_text: TextSink<'a>,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Reply, ProviderError>> {
        let scripted = match self.shell.lock() {
            Ok(mut s) => {
                if let Some(cmd) = s.pending.take() {
                    s.finishing = true;
                    s.count += 1;
                    Some(Reply {
                        text: String::new(),
                        tool_calls: vec![ToolCall {
                            id: format!("user-shell-{}", s.count),
                            name: "bash".into(),
                            arguments: serde_json::json!({ "command": cmd }).to_string(),
                        }],
                        stop: StopReason::ToolUse,
                    })
                } else if s.finishing {
                    s.finishing = false;
                    Some(Reply {
                        text: String::new(),
                        tool_calls: Vec::new(),
                        stop: StopReason::EndTurn,
                    })
                } else {
                    None
                }
            }
            Err(_) => Some(Reply {
                text: String::new(),
                tool_calls: Vec::new(),
                stop: StopReason::EndTurn,
            }),
        };
        if let Some(reply) = scripted {
            return Box::pin(async move { Ok(reply) });
        }
        match &self.model {
            Some(m) => m.complete(req, on_text, cancel),
            None => Box::pin(async {
                Err(ProviderError::Config(
                    "no model provider configured (add a \"provider\" section to creor.json)"
                        .into(),
                ))
            }),
        }
    }

    fn describe(&self) -> String {
        self.model
            .as_ref()
            .map_or_else(|| "no model".to_owned(), |m| m.describe())
    }
}

/// Carries out the app's effects on the tokio runtime.
struct TuiDriver {
    rt: tokio::runtime::Handle,
    session: Arc<Mutex<Session>>,
    tx: std_mpsc::Sender<Msg>,
    answers: Option<mpsc::UnboundedSender<ApprovalAnswer>>,
    cancel: Option<CancelHandle>,
    shell: Arc<StdMutex<ShellState>>,
    config: Arc<ResolvedConfig>,
    audit_path: PathBuf,
    net: Arc<NetBridge>,
}

impl TuiDriver {
    fn start(&mut self, prompt: String) {
        let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
        let (ans_tx, ans_rx) = mpsc::unbounded_channel();
        let (handle, cancel) = CancelHandle::new();
        self.answers = Some(ans_tx);
        self.cancel = Some(handle);
        let session = self.session.clone();
        let tx = self.tx.clone();
        self.rt.spawn(async move {
            let forward = tokio::spawn(async move {
                while let Some(ev) = ev_rx.recv().await {
                    if tx.send(Msg::Core(ev)).is_err() {
                        break;
                    }
                }
            });
            let mut io = SessionIo {
                events: ev_tx,
                answers: ans_rx,
                cancel,
            };
            {
                let mut s = session.lock().await;
                let _ = s.run(&prompt, &mut io).await;
            }
            drop(io);
            let _ = forward.await;
        });
    }

    fn show(&self, what: Show) -> (String, String) {
        match what {
            Show::Profile => {
                let c = &self.config;
                let mut body = format!(
                    "profile: {} ({})\nonAsk: {:?}\n",
                    c.profile.as_deref().unwrap_or("none (built-in defaults)"),
                    c.profile_reason
                        .as_deref()
                        .unwrap_or("nothing selected one"),
                    c.on_ask
                );
                body.push_str("layers, low → high:\n");
                for l in &c.layers {
                    body.push_str(&format!("  {:?}  {}\n", l.layer, l.file.display()));
                }
                ("/profile".into(), body.trim_end().to_owned())
            }
            Show::Permissions => {
                let mut body =
                    String::from("rules (the narrowest match wins; ties: deny > ask > allow):\n");
                for r in &self.config.rules {
                    body.push_str(&format!("  {}\n", describe_rule(r)));
                }
                body.push_str("session approvals:\n");
                match self.session.try_lock() {
                    Ok(s) => {
                        let scopes = s.engine().session_approvals();
                        if scopes.is_empty() {
                            body.push_str("  none\n");
                        }
                        for sc in scopes {
                            body.push_str(&format!("  {sc}\n"));
                        }
                    }
                    Err(_) => body.push_str("  (a turn is running; ask again when it ends)\n"),
                }
                ("/permissions".into(), body.trim_end().to_owned())
            }
            Show::Audit => {
                let log = creor_core::audit::AuditLog::at(&self.audit_path);
                let body = match log.entries() {
                    Ok(entries) => {
                        let skip = entries.len().saturating_sub(15);
                        let mut b = format!(
                            "{} (last {} of {}):\n",
                            self.audit_path.display(),
                            entries.len() - skip,
                            entries.len()
                        );
                        for e in &entries[skip..] {
                            b.push_str(&format!(
                                "  {}  {:<8} {:<9} {:<20} {}  {}\n",
                                e.time.get(11..19).unwrap_or(&e.time),
                                e.actor,
                                e.action,
                                e.decision,
                                e.target,
                                e.rule.as_deref().unwrap_or("")
                            ));
                        }
                        b
                    }
                    Err(e) => format!("cannot read the audit log: {e}"),
                };
                ("/audit".into(), body.trim_end().to_owned())
            }
        }
    }
}

impl Driver for TuiDriver {
    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::Prompt(p) => self.start(p),
            Effect::Shell(cmd) => {
                if let Ok(mut s) = self.shell.lock() {
                    s.pending = Some(cmd.clone());
                }
                self.start(format!(
                    "(the user ran a shell command through creor: {cmd})"
                ));
            }
            Effect::Answer(a) => {
                if let Some(tx) = &self.answers {
                    let _ = tx.send(a);
                }
            }
            Effect::NetAnswer { id, answer } => self.net.answer(id, answer),
            Effect::Cancel => {
                if let Some(c) = &self.cancel {
                    c.cancel();
                }
            }
            Effect::Show(what) => {
                let (title, body) = self.show(what);
                let _ = self.tx.send(Msg::Info { title, body });
            }
            Effect::Quit => {}
        }
    }
}
