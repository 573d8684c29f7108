//! "Approve for session": the scope a card states before the key is pressed (POLICY.md §4).
//! A session approval only ever turns a later *ask* into allow; it never lifts a deny or the
//! floor, because the session consults it only when the engine answered ask.

use std::path::{Path, PathBuf};

use crate::tools::{Prepared, ToolArgs, ToolEnv};

/// One granted scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The tool for subjects inside the project (read, glob, grep, ls, edit, write).
    ToolInProject(&'static str),
    /// The whole tool (websearch).
    Tool(&'static str),
    /// webfetch to this host.
    Host(String),
    /// external-directory for this directory and below.
    Dir(PathBuf),
    /// bash: exactly this command.
    Command(String),
}

impl Scope {
    /// What the card shows for "approve for session".
    pub fn describe(&self) -> String {
        match self {
            Scope::ToolInProject(t) => format!("all {t} calls inside the project"),
            Scope::Tool(t) => format!("all {t} calls"),
            Scope::Host(h) => format!("webfetch to {h}"),
            Scope::Dir(d) => format!("{} and below", d.display()),
            Scope::Command(c) => format!("exactly the command `{c}`"),
        }
    }
}

/// Files that ask every time even inside a session approval (the floor's protected set).
pub fn is_protected(project: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(project) else {
        return false;
    };
    let s = rel.to_string_lossy();
    s == "creor.json"
        || s == "creor.local.json"
        || s == ".creor"
        || s.starts_with(".creor/")
        || s == ".git/config"
        || s == ".git/hooks"
        || s.starts_with(".git/hooks/")
}

/// Words that make a bash command unfit for a session approval (POLICY.md §4: never for
/// `rm`, `sudo`, interpreters, dynamic or redirect-driven commands).
const NO_SESSION_WORDS: &[&str] = &[
    "rm", "sudo", "doas", "su", "eval", "exec", "source", ".", "bash", "sh", "zsh", "dash", "fish",
    "python", "python3", "python2", "node", "deno", "bun", "perl", "ruby", "php", "lua", "env",
    "xargs", "dd", "chmod", "chown",
];

fn bash_session_ok(command: &str) -> bool {
    if command.contains(['$', '`', '>', '<', '\n']) {
        return false;
    }
    command
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '{' | '}'))
        .filter(|w| !w.is_empty())
        .all(|w| {
            let base = w.rsplit('/').next().unwrap_or(w);
            !NO_SESSION_WORDS.contains(&base)
        })
}

/// The scope "approve for session" would grant for this call, or `None` when only "approve
/// once" may be offered.
pub fn scope_for(env: &ToolEnv, call: &Prepared) -> Option<Scope> {
    let inside = call
        .path
        .as_ref()
        .is_some_and(|r| r.path.starts_with(&env.project));
    match &call.args {
        ToolArgs::Read(_) | ToolArgs::Glob(_) | ToolArgs::Grep(_) | ToolArgs::Ls(_) => {
            inside.then_some(Scope::ToolInProject(call.args.name()))
        }
        ToolArgs::Edit(_) | ToolArgs::Write(_) => {
            let protected = call
                .path
                .as_ref()
                .is_some_and(|r| is_protected(&env.project, &r.path));
            (inside && !protected).then_some(Scope::ToolInProject(call.args.name()))
        }
        ToolArgs::WebSearch(_) => Some(Scope::Tool("websearch")),
        ToolArgs::WebFetch(a) => reqwest::Url::parse(&a.url)
            .ok()
            .and_then(|u| u.host_str().map(|h| Scope::Host(h.to_ascii_lowercase()))),
        ToolArgs::ExternalDirectory(_) => call.path.as_ref().map(|r| Scope::Dir(r.path.clone())),
        ToolArgs::Bash(a) => bash_session_ok(&a.command).then(|| Scope::Command(a.command.clone())),
    }
}

/// The session approvals granted so far.
#[derive(Debug, Clone, Default)]
pub struct Approvals {
    granted: Vec<Scope>,
}

impl Approvals {
    /// Records a grant.
    pub fn grant(&mut self, scope: Scope) {
        if !self.granted.contains(&scope) {
            self.granted.push(scope);
        }
    }

    /// Whether an earlier grant covers this call.
    pub fn covers(&self, env: &ToolEnv, call: &Prepared) -> bool {
        let Some(want) = scope_for(env, call) else {
            return false;
        };
        self.granted.iter().any(|g| match (g, &want) {
            (Scope::Dir(d), Scope::Dir(w)) => w.starts_with(d),
            (a, b) => a == b,
        })
    }

    /// Whether reads of `path` are covered (used to filter search results).
    pub fn covers_read(&self, env: &ToolEnv, path: &Path) -> bool {
        path.starts_with(&env.project) && self.granted.contains(&Scope::ToolInProject("read"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::tools::{NoSandbox, Toolbox};
    use std::sync::Arc;

    fn toolbox() -> (tempfile::TempDir, Toolbox) {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("p/.git/hooks")).unwrap();
        let env = ToolEnv::for_tests(&root.join("p"), &root, None);
        let runner = Arc::new(NoSandbox {
            reason: "test".into(),
        });
        (t, Toolbox::new(env, runner))
    }

    #[test]
    fn bash_session_scope_is_the_exact_command_and_never_rm() {
        let (_t, tb) = toolbox();
        let call = |c: &str| {
            tb.prepare("bash", &serde_json::json!({ "command": c }).to_string())
                .unwrap()
        };
        let mut a = Approvals::default();
        a.grant(scope_for(&tb.env, &call("git status")).unwrap());
        assert!(a.covers(&tb.env, &call("git status")));
        assert!(!a.covers(&tb.env, &call("git status && curl x | sh")));
        assert!(scope_for(&tb.env, &call("rm -rf build")).is_none());
        assert!(scope_for(&tb.env, &call("git status && /bin/rm x")).is_none());
        assert!(scope_for(&tb.env, &call("echo $(id)")).is_none());
        assert!(scope_for(&tb.env, &call("python3 x.py")).is_none());
        assert!(scope_for(&tb.env, &call("echo hi > f")).is_none());
    }

    #[test]
    fn edit_scope_skips_protected_files_and_outside() {
        let (_t, tb) = toolbox();
        let edit = |p: &str| {
            tb.prepare(
                "edit",
                &serde_json::json!({"path": p, "old_string": "a", "new_string": "b"}).to_string(),
            )
            .unwrap()
        };
        let mut a = Approvals::default();
        a.grant(scope_for(&tb.env, &edit("src/x.rs")).unwrap());
        assert!(a.covers(&tb.env, &edit("src/y.rs")));
        assert!(!a.covers(&tb.env, &edit("creor.json")));
        assert!(!a.covers(&tb.env, &edit(".git/hooks/pre-commit")));
        assert!(!a.covers(&tb.env, &edit("../outside.txt")));
    }
}
