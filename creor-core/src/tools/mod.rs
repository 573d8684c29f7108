//! The tools the model can call: `read`, `write`, `edit`, `glob`, `grep`, `ls`, `bash`,
//! `webfetch`, `websearch`, `external-directory`.
//!
//! A call goes through three steps, each its own function so the agent loop can put the
//! permission engine between them:
//! 1. [`ToolArgs::parse`] validates the model's JSON (exact argument names, ranges);
//! 2. [`Toolbox::prepare`] resolves paths to canonical form and produces the engine
//!    [`Request`];
//! 3. [`Toolbox::execute`] runs the allowed call. File tools open fd-relative
//!    ([`fsafe`]); `bash` runs only through a [`CommandRunner`] (a sandbox); searches drop
//!    what the visibility predicate hides.
//!
//! Redaction and truncation of the result are the agent loop's job, so no tool result can
//! skip them.

pub mod args;
pub mod files;
pub mod fsafe;
pub mod path;
#[cfg(target_os = "linux")]
pub mod sandboxed;
pub mod schema;
pub mod search;
pub mod shell;
pub mod truncate;
pub mod web;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use args::ToolArgs;
pub use path::Resolved;
#[cfg(target_os = "linux")]
pub use sandboxed::SandboxRunner;
pub use schema::tool_specs;
pub use search::Visible;
pub use shell::{
    CommandOutput, CommandRequest, CommandRunner, NoSandbox, OutputSink, RunnerError, Stream,
};
pub use web::UrlGate;

use crate::config::ResolvedConfig;
use crate::permission::Request;
use crate::provider::Cancel;

/// Why a tool call failed. The message goes to the model (after redaction).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolError {
    /// The model named a tool that does not exist.
    #[error("unknown tool {0:?}")]
    UnknownTool(String),
    /// The arguments did not validate.
    #[error("invalid arguments for {tool}: {reason}")]
    InvalidArgs {
        /// The tool.
        tool: String,
        /// What is wrong.
        reason: String,
    },
    /// A path could not be resolved, opened or changed.
    #[error("{path}: {reason}")]
    Path {
        /// The path.
        path: String,
        /// What failed.
        reason: String,
    },
    /// A policy refused the call at execution time (network, sandbox).
    #[error("denied: {0}")]
    Refused(String),
    /// A network error.
    #[error("network: {0}")]
    Network(String),
    /// A feature the call needs is not configured.
    #[error("{0}")]
    NotConfigured(String),
    /// The sandbox could not run the command.
    #[error("denied: {0}")]
    Runner(#[from] RunnerError),
    /// The session was cancelled.
    #[error("cancelled")]
    Cancelled,
}

/// What the tools know about the session.
#[derive(Debug, Clone)]
pub struct ToolEnv {
    /// Canonical project directory.
    pub project: PathBuf,
    /// The user's home.
    pub home: PathBuf,
    /// Host directory behind the session's `/tmp`.
    pub session_tmp: Option<PathBuf>,
    /// The session's configuration (network policy, sandbox settings).
    pub config: Arc<ResolvedConfig>,
    /// The websearch endpoint, if any.
    pub websearch_url: Option<String>,
    /// The session's `allow_specific` proxy endpoint (socket, port, token), if one runs;
    /// without it an `allow_specific` command is refused.
    pub proxy: Option<(PathBuf, u16, String)>,
}

impl ToolEnv {
    /// An environment for `config` (its project must be canonical).
    pub fn new(config: Arc<ResolvedConfig>, home: PathBuf, session_tmp: Option<PathBuf>) -> Self {
        ToolEnv {
            project: config.project.clone(),
            home,
            session_tmp,
            config,
            websearch_url: None,
            proxy: None,
        }
    }

    #[cfg(test)]
    pub(crate) fn for_tests(project: &Path, home: &Path, session_tmp: Option<PathBuf>) -> Self {
        let config = ResolvedConfig {
            project: project.to_path_buf(),
            ..Default::default()
        };
        ToolEnv::new(Arc::new(config), home.to_path_buf(), session_tmp)
    }
}

/// A validated call with its paths resolved: what the engine judges and the tool then runs.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The arguments.
    pub args: ToolArgs,
    /// The resolved path (file tools, search roots, external-directory).
    pub path: Option<Resolved>,
    /// What to ask the permission engine.
    pub request: Request,
}

/// The tools of one session.
#[derive(Clone)]
pub struct Toolbox {
    /// Session facts.
    pub env: ToolEnv,
    runner: Arc<dyn CommandRunner>,
}

impl std::fmt::Debug for Toolbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Toolbox").field("env", &self.env).finish()
    }
}

impl Toolbox {
    /// Tools over `env`, running shell commands with `runner`.
    pub fn new(env: ToolEnv, runner: Arc<dyn CommandRunner>) -> Self {
        Toolbox { env, runner }
    }

    /// Parses and resolves one call.
    pub fn prepare(&self, name: &str, arguments: &str) -> Result<Prepared, ToolError> {
        let args = ToolArgs::parse(name, arguments)?;
        let root = |p: &Option<String>| path::resolve(&self.env, p.as_deref().unwrap_or("."));
        let (path, request) = match &args {
            ToolArgs::Read(a) => {
                let r = path::resolve(&self.env, &a.path)?;
                let req = Request::Read(r.path.clone());
                (Some(r), req)
            }
            ToolArgs::Write(a) => {
                let r = path::resolve(&self.env, &a.path)?;
                let req = Request::Write(r.path.clone());
                (Some(r), req)
            }
            ToolArgs::Edit(a) => {
                let r = path::resolve(&self.env, &a.path)?;
                let req = Request::Edit(r.path.clone());
                (Some(r), req)
            }
            ToolArgs::Glob(a) => {
                let r = root(&a.path)?;
                let req = Request::Glob(r.path.clone());
                (Some(r), req)
            }
            ToolArgs::Grep(a) => {
                let r = root(&a.path)?;
                let req = Request::Grep(r.path.clone());
                (Some(r), req)
            }
            ToolArgs::Ls(a) => {
                let r = root(&a.path)?;
                let req = Request::Ls(r.path.clone());
                (Some(r), req)
            }
            ToolArgs::Bash(a) => (None, Request::Bash(a.command.clone())),
            ToolArgs::WebFetch(a) => (None, Request::WebFetch(a.url.clone())),
            ToolArgs::WebSearch(a) => (None, Request::WebSearch(a.query.clone())),
            ToolArgs::ExternalDirectory(a) => {
                let r = path::resolve(&self.env, &a.path)?;
                let req = Request::ExternalDirectory(r.path.clone());
                (Some(r), req)
            }
        };
        Ok(Prepared {
            args,
            path,
            request,
        })
    }

    /// Runs an allowed call. `visible` hides paths from glob/grep/ls results; `gate` judges
    /// webfetch redirect targets.
    pub async fn execute(
        &self,
        call: &Prepared,
        visible: Visible<'_>,
        gate: UrlGate<'_>,
        cancel: &Cancel,
    ) -> Result<String, ToolError> {
        self.execute_live(call, visible, gate, cancel, None).await
    }

    /// [`Toolbox::execute`], handing a bash command's output to `on_output` as it arrives
    /// (raw: the receiver redacts). Other tools ignore it.
    pub async fn execute_live(
        &self,
        call: &Prepared,
        visible: Visible<'_>,
        gate: UrlGate<'_>,
        cancel: &Cancel,
        on_output: Option<OutputSink>,
    ) -> Result<String, ToolError> {
        let env = &self.env;
        let p = || {
            call.path.as_ref().ok_or_else(|| ToolError::Path {
                path: String::new(),
                reason: "missing resolved path".into(),
            })
        };
        match &call.args {
            ToolArgs::Read(a) => files::read(p()?, a),
            ToolArgs::Write(a) => files::write(p()?, a),
            ToolArgs::Edit(a) => files::edit(p()?, a),
            ToolArgs::Glob(a) => search::glob(env, p()?, &a.pattern, visible),
            ToolArgs::Grep(a) => {
                let re = regex::RegexBuilder::new(&a.pattern)
                    .size_limit(1 << 22)
                    .build()
                    .map_err(|e| ToolError::InvalidArgs {
                        tool: "grep".into(),
                        reason: e.to_string(),
                    })?;
                search::grep(env, p()?, &re, a.glob.as_deref(), visible)
            }
            ToolArgs::Ls(_) => search::ls(p()?, visible),
            ToolArgs::Bash(a) => {
                let mut req = shell::request(env, &a.command, a.timeout)?;
                req.on_output = on_output;
                let timeout = req.timeout;
                let out = self.runner.run(req, cancel).await?;
                Ok(shell::format_output(&out, timeout))
            }
            ToolArgs::WebFetch(a) => {
                web::fetch(&env.config.sandbox.network, &a.url, gate, cancel).await
            }
            ToolArgs::WebSearch(a) => {
                web::search(env.websearch_url.as_deref(), &a.query, cancel).await
            }
            ToolArgs::ExternalDirectory(_) => {
                let r = p()?;
                if !r.path.is_dir() {
                    return Err(ToolError::Path {
                        path: r.path.display().to_string(),
                        reason: "not an existing directory".into(),
                    });
                }
                Ok(format!("granted: {}", r.path.display()))
            }
        }
    }

    /// Shows a path the way results do (project-relative inside the project).
    pub fn display(&self, p: &Path) -> String {
        path::display(&self.env, p)
    }
}
