//! Placeholder API of the engine; the real implementation replaces this file.

use std::path::PathBuf;

use crate::config::{Level, ResolvedConfig, Rule};

/// One tool call to judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Read a file.
    Read(PathBuf),
    /// Write (create/overwrite) a file.
    Write(PathBuf),
    /// Edit a file.
    Edit(PathBuf),
    /// Glob under a root.
    Glob(PathBuf),
    /// Grep under a root.
    Grep(PathBuf),
    /// List a directory.
    Ls(PathBuf),
    /// Run a shell command.
    Bash(String),
    /// Fetch a URL.
    WebFetch(String),
    /// Search the web.
    WebSearch(String),
    /// Open a directory outside the home ground.
    ExternalDirectory(PathBuf),
}

/// The verdict with its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// allow / ask / deny (after headless conversion).
    pub level: Level,
    /// Human-readable reason (`rule bash "rm *" = deny (project creor.json)`).
    pub reason: String,
    /// The winning rules.
    pub rules: Vec<Rule>,
}

/// Session-independent facts the engine needs.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Canonical project directory.
    pub project: PathBuf,
    /// The user's home directory.
    pub home: PathBuf,
    /// Host directory backing the session's `/tmp`.
    pub session_tmp: Option<PathBuf>,
    /// Nobody can answer a card.
    pub headless: bool,
}

/// The permission engine of one session.
#[derive(Debug)]
pub struct Engine {
    #[allow(dead_code)]
    config: ResolvedConfig,
    #[allow(dead_code)]
    ctx: Context,
}

impl Engine {
    /// Builds an engine from a resolved config.
    pub fn new(config: ResolvedConfig, ctx: Context) -> Self {
        Engine { config, ctx }
    }

    /// Judges one request. Placeholder: always asks (denies when headless).
    pub fn decide(&self, _req: &Request) -> Decision {
        let level = if self.ctx.headless {
            Level::Deny
        } else {
            Level::Ask
        };
        Decision {
            level,
            reason: "engine not implemented".into(),
            rules: vec![],
        }
    }
}
