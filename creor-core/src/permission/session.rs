//! Session approvals (POLICY.md "Decision" §4): "Approve for session" turns later asks into
//! allows within a scope the card states before the key is pressed. An approval never lifts a
//! deny or the floor, and some asks (protected files, rm/sudo/interpreters, dynamic commands,
//! redirect-driven asks) can never be approved for the session.

use std::fmt;
use std::path::PathBuf;

use regex::Regex;
use serde::Serialize;

use super::bash::{basename, INTERPRETERS};
use super::bash_pattern;
use super::decision::Check;
use super::tool::Tool;

/// Programs whose asks are never approved for the session.
pub const NEVER_FOR_SESSION: [&str; 11] = [
    "rm", "rmdir", "shred", "unlink", "sudo", "doas", "su", "eval", "exec", "source", ".",
];

/// What one session approval covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "scope", rename_all = "kebab-case")]
pub enum SessionScope {
    /// read, glob, grep, ls, websearch: every call of the tool inside the project.
    Tool {
        /// The tool.
        tool: Tool,
    },
    /// edit, write: files inside the project, except the floor's protected files.
    ProjectFiles {
        /// The tool.
        tool: Tool,
    },
    /// webfetch: one host.
    Host {
        /// The normalised host.
        host: String,
    },
    /// external-directory: that directory and below.
    Directory {
        /// Canonical directory.
        path: PathBuf,
    },
    /// bash: exactly this command line (every unit of it).
    Command {
        /// The command line, trimmed.
        command: String,
    },
    /// bash: a single-unit pattern the user picked (`npm test *`).
    CommandPattern {
        /// The bash pattern.
        pattern: String,
    },
}

impl fmt::Display for SessionScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionScope::Tool { tool } => write!(f, "{tool} inside the project"),
            SessionScope::ProjectFiles { tool } => {
                write!(f, "{tool} of project files (protected files still ask)")
            }
            SessionScope::Host { host } => write!(f, "webfetch {host}"),
            SessionScope::Directory { path } => {
                write!(f, "external-directory {} and below", path.display())
            }
            SessionScope::Command { command } => write!(f, "bash {command:?} exactly"),
            SessionScope::CommandPattern { pattern } => write!(f, "bash {pattern:?}"),
        }
    }
}

/// Why a scope cannot be approved for the session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot approve for the session: {0}")]
pub struct NotApprovable(pub String);

/// The approvals of one session.
#[derive(Debug, Default)]
pub struct SessionApprovals {
    scopes: Vec<SessionScope>,
    patterns: Vec<(SessionScope, Regex)>,
}

impl SessionApprovals {
    /// Records an approval after checking it is one a card may offer.
    pub fn approve(&mut self, scope: SessionScope) -> Result<(), NotApprovable> {
        match &scope {
            SessionScope::Tool { tool }
                if !matches!(
                    tool,
                    Tool::Read | Tool::Glob | Tool::Grep | Tool::Ls | Tool::WebSearch
                ) =>
            {
                return Err(NotApprovable(format!(
                    "{tool} is not approved as a whole tool"
                )));
            }
            SessionScope::ProjectFiles { tool } if !matches!(tool, Tool::Edit | Tool::Write) => {
                return Err(NotApprovable(format!("{tool} has no project-files scope")));
            }
            SessionScope::CommandPattern { pattern } => {
                let regex = validate_pattern(pattern)?;
                if !self.scopes.contains(&scope) {
                    self.patterns.push((scope.clone(), regex));
                }
            }
            SessionScope::Command { command } if command.trim().is_empty() => {
                return Err(NotApprovable("empty command".into()));
            }
            _ => {}
        }
        if !self.scopes.contains(&scope) {
            self.scopes.push(scope);
        }
        Ok(())
    }

    /// Every approval so far.
    pub fn scopes(&self) -> &[SessionScope] {
        &self.scopes
    }

    /// The approval covering an ask check, if one does.
    pub fn covering(&self, check: &Check) -> Option<SessionScope> {
        let want = check.scope.as_ref()?;
        for s in &self.scopes {
            let ok = match (s, want) {
                (SessionScope::Directory { path }, SessionScope::Directory { path: p }) => {
                    p.starts_with(path)
                }
                (SessionScope::CommandPattern { .. }, _) => false,
                (a, b) => a == b,
            };
            if ok {
                return Some(s.clone());
            }
        }
        if matches!(want, SessionScope::Command { .. }) && !check.forms.is_empty() {
            for (s, re) in &self.patterns {
                if check.forms.iter().all(|f| re.is_match(f)) {
                    return Some(s.clone());
                }
            }
        }
        None
    }
}

/// A single-unit pattern may not be `*`, must name its program literally, and may not name a
/// program whose asks are never approved for the session.
fn validate_pattern(pattern: &str) -> Result<Regex, NotApprovable> {
    let program = pattern.split(' ').next().unwrap_or("");
    if program.is_empty() || program.contains('*') {
        return Err(NotApprovable(format!(
            "pattern {pattern:?} must start with a literal program name"
        )));
    }
    let base = basename(program);
    if NEVER_FOR_SESSION.contains(&base) || INTERPRETERS.contains(&base) {
        return Err(NotApprovable(format!(
            "{base} is never approved for the session"
        )));
    }
    Regex::new(&bash_pattern::compile(pattern).regex)
        .map_err(|e| NotApprovable(format!("pattern {pattern:?}: {e}")))
}

/// Whether asks of a unit running `program` may ever be approved for the session.
pub fn program_approvable(program: &str) -> bool {
    let base = basename(program);
    !(NEVER_FOR_SESSION.contains(&base) || INTERPRETERS.contains(&base))
}

/// The single-unit pattern a card may suggest for a unit (`npm test --watch` → `npm test *`),
/// if the unit's program may be approved for the session.
pub fn suggest_pattern(normalised: &str) -> Option<String> {
    let mut words = normalised.split(' ');
    let program = words.next().filter(|p| !p.is_empty())?;
    if !program_approvable(program) || program.contains('*') {
        return None;
    }
    match words.next() {
        Some(sub)
            if !sub.starts_with('-')
                && !sub.is_empty()
                && sub
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(&b)) =>
        {
            Some(format!("{program} {sub} *"))
        }
        _ => Some(format!("{program} *")),
    }
}
