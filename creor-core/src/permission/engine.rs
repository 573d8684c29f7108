//! The engine of one session: rules compiled once, then every request judged as POLICY.md
//! says — the floor first, the narrowest-then-strictest rules of every layer with sticky
//! denies, the home ground and `external-directory`, bash unit by unit, webfetch bound by
//! `sandbox.network`, session approvals, and the headless conversion last.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use crate::config::{Level, NetworkMode, OnAsk, ResolvedConfig, Rule};

use super::bash::{self, FileSubject, SubjectAccess, Unit};
use super::decision::{Cause, Check, Decision, Mode};
use super::domain::{host_listed, parse_url};
use super::floor::{self, Floor};
use super::home_ground::HomeGround;
use super::paths::{PathContext, ResolvedPath};
use super::ruleset::{Filter, PatternError, Subject, ToolRules, Verdict};
use super::session::{
    program_approvable, suggest_pattern, NotApprovable, SessionApprovals, SessionScope,
};
use super::tool::{Access, Tool};

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

/// A tool name `creor policy check` does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown tool {0:?} (expected read, write, edit, glob, grep, ls, bash, webfetch, websearch or external-directory)")]
pub struct UnknownTool(pub String);

impl Request {
    /// Builds a request from a tool name and its subject, as `creor policy check` takes them.
    pub fn from_tool(tool: &str, subject: &str) -> Result<Request, UnknownTool> {
        let t = Tool::from_name(tool).ok_or_else(|| UnknownTool(tool.to_string()))?;
        let p = || PathBuf::from(subject);
        Ok(match t {
            Tool::Read => Request::Read(p()),
            Tool::Write => Request::Write(p()),
            Tool::Edit => Request::Edit(p()),
            Tool::Glob => Request::Glob(p()),
            Tool::Grep => Request::Grep(p()),
            Tool::Ls => Request::Ls(p()),
            Tool::Bash => Request::Bash(subject.to_string()),
            Tool::WebFetch => Request::WebFetch(subject.to_string()),
            Tool::WebSearch => Request::WebSearch(subject.to_string()),
            Tool::ExternalDirectory => Request::ExternalDirectory(p()),
        })
    }

    /// The tool this request uses.
    pub fn tool(&self) -> Tool {
        match self {
            Request::Read(_) => Tool::Read,
            Request::Write(_) => Tool::Write,
            Request::Edit(_) => Tool::Edit,
            Request::Glob(_) => Tool::Glob,
            Request::Grep(_) => Tool::Grep,
            Request::Ls(_) => Tool::Ls,
            Request::Bash(_) => Tool::Bash,
            Request::WebFetch(_) => Tool::WebFetch,
            Request::WebSearch(_) => Tool::WebSearch,
            Request::ExternalDirectory(_) => Tool::ExternalDirectory,
        }
    }
}

/// Session-independent facts the engine needs.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Canonical project directory (empty: the config's project).
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
    config: ResolvedConfig,
    paths: PathContext,
    tmp: PathBuf,
    floor: Floor,
    tools: Vec<ToolRules>,
    mode: Mode,
    broken: Option<PatternError>,
    session: RwLock<SessionApprovals>,
}

impl Engine {
    /// Builds an engine from a resolved config. A pattern that does not compile makes every
    /// decision a deny naming it (fail closed); [`Engine::try_new`] reports it instead.
    pub fn new(config: ResolvedConfig, ctx: Context) -> Self {
        match Self::try_new(config.clone(), ctx.clone()) {
            Ok(e) => e,
            Err(err) => {
                let mut e = Self::build(config, ctx, Vec::new());
                e.broken = Some(err);
                e
            }
        }
    }

    /// Builds an engine, refusing a config whose patterns do not compile.
    pub fn try_new(config: ResolvedConfig, ctx: Context) -> Result<Self, PatternError> {
        let home = canonical_or(&ctx.home);
        let tools = Tool::ALL
            .iter()
            .map(|t| ToolRules::compile(*t, &config.rules, &home))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::build(config, ctx, tools))
    }

    fn build(config: ResolvedConfig, ctx: Context, tools: Vec<ToolRules>) -> Self {
        let project = if ctx.project.as_os_str().is_empty() {
            canonical_or(&config.project)
        } else {
            canonical_or(&ctx.project)
        };
        let session_tmp = ctx.session_tmp.as_deref().map(canonical_or);
        let tmp = session_tmp.clone().unwrap_or_else(|| PathBuf::from("/tmp"));
        let mode = if ctx.headless || config.on_ask != OnAsk::Ask {
            Mode::Headless
        } else {
            Mode::Interactive
        };
        Engine {
            floor: Floor::new(&ctx.home),
            paths: PathContext {
                project,
                home: ctx.home,
                session_tmp,
            },
            tmp,
            tools,
            mode,
            broken: None,
            session: RwLock::new(SessionApprovals::default()),
            config,
        }
    }

    /// Interactive or headless.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// What happens to asks nobody answers (`fail`: abort the run non-zero).
    pub fn on_ask(&self) -> OnAsk {
        self.config.on_ask
    }

    /// The canonical project directory.
    pub fn project(&self) -> &Path {
        &self.paths.project
    }

    fn rules(&self, tool: Tool) -> Option<&ToolRules> {
        self.tools.get(Tool::ALL.iter().position(|t| *t == tool)?)
    }

    fn ground(&self) -> HomeGround<'_> {
        HomeGround {
            project: &self.paths.project,
            tmp: &self.tmp,
        }
    }

    /// Judges one request.
    pub fn decide(&self, req: &Request) -> Decision {
        let tool = req.tool();
        let mut checks = Vec::new();
        if let Some(err) = &self.broken {
            checks.push(Check {
                unit: None,
                tool,
                subject: String::new(),
                level: Level::Deny,
                cause: Cause::InvalidSubject(format!("config: {err}")),
                rules: vec![],
                scope: None,
                forms: vec![],
            });
            return self.finish(checks);
        }
        match req {
            Request::Read(p)
            | Request::Write(p)
            | Request::Edit(p)
            | Request::Glob(p)
            | Request::Grep(p)
            | Request::Ls(p)
            | Request::ExternalDirectory(p) => self.path_checks(tool, p, &mut checks),
            Request::Bash(cmd) => self.bash_checks(cmd, &mut checks),
            Request::WebFetch(url) => self.webfetch_checks(url, &mut checks),
            Request::WebSearch(q) => {
                let v = self.judge(
                    tool,
                    Subject::Text {
                        text: q,
                        host: None,
                    },
                    Filter::default(),
                );
                checks.push(rule_check(
                    None,
                    tool,
                    q.clone(),
                    v,
                    Some(SessionScope::Tool { tool }),
                ));
            }
        }
        self.finish(checks)
    }

    /// Whether a file found by glob/grep/ls may appear in results: read-denied files (by a
    /// rule or the floor) are filtered out (POLICY.md examples table).
    pub fn visible_in_results(&self, path: &Path) -> bool {
        self.decide(&Request::Read(path.to_path_buf()))
            .interactive_level
            != Level::Deny
    }

    fn judge(&self, tool: Tool, subject: Subject<'_>, filter: Filter) -> Verdict {
        match self.rules(tool) {
            Some(r) => r.judge(subject, filter),
            None => Verdict {
                level: None,
                rules: vec![],
                sticky: false,
            },
        }
    }

    fn path_checks(&self, tool: Tool, path: &Path, checks: &mut Vec<Check>) {
        let r = self.paths.resolve(path);
        let access = tool.access();
        if let Some(label) = self.floor.denied(&[&r.lexical, &r.absolute]) {
            checks.push(simple(
                None,
                tool,
                r.named.clone(),
                Level::Deny,
                Cause::Floor(label.into()),
            ));
            return;
        }
        let protected = if access == Access::Write {
            floor::protected(&r.absolute).or_else(|| floor::protected(&r.lexical))
        } else {
            None
        };
        if let Some(label) = protected {
            checks.push(simple(
                None,
                tool,
                r.named.clone(),
                Level::Ask,
                Cause::Protected(label.into()),
            ));
        }
        let abs = r.absolute.to_string_lossy();
        let v = self.judge(
            tool,
            Subject::Path {
                named: &r.named,
                absolute: &abs,
            },
            Filter::default(),
        );
        let scope = match tool {
            _ if !r.inside_project => None,
            Tool::Read | Tool::Glob | Tool::Grep | Tool::Ls => Some(SessionScope::Tool { tool }),
            Tool::Edit | Tool::Write if protected.is_none() => {
                Some(SessionScope::ProjectFiles { tool })
            }
            _ => None,
        };
        let scope = if tool == Tool::ExternalDirectory {
            Some(SessionScope::Directory {
                path: r.absolute.clone(),
            })
        } else {
            scope
        };
        checks.push(rule_check(None, tool, r.named.clone(), v, scope));
        if tool != Tool::ExternalDirectory
            && !self
                .ground()
                .contains(&r.absolute, access, tool == Tool::Ls)
        {
            let dir = holding_dir(&r);
            checks.push(self.external_check(None, &dir, true));
        }
    }

    fn external_check(&self, unit: Option<&str>, dir: &Path, approvable: bool) -> Check {
        let text = dir.to_string_lossy();
        let v = self.judge(
            Tool::ExternalDirectory,
            Subject::Path {
                named: &text,
                absolute: &text,
            },
            Filter::default(),
        );
        let scope = approvable.then(|| SessionScope::Directory {
            path: dir.to_path_buf(),
        });
        rule_check(
            unit.map(str::to_string),
            Tool::ExternalDirectory,
            text.into_owned(),
            v,
            scope,
        )
    }

    fn bash_checks(&self, cmd: &str, checks: &mut Vec<Check>) {
        let analysis = bash::analyse(cmd);
        for p in &analysis.problems {
            checks.push(simple(
                None,
                Tool::Bash,
                cmd.to_string(),
                Level::Ask,
                Cause::Unparsable(p.clone()),
            ));
        }
        if analysis.units.is_empty() && analysis.problems.is_empty() {
            let what = if cmd.trim().is_empty() {
                "empty command"
            } else {
                "no command found"
            };
            checks.push(simple(
                None,
                Tool::Bash,
                cmd.to_string(),
                Level::Ask,
                Cause::Unparsable(what.into()),
            ));
        }
        let call = cmd.trim().to_string();
        for unit in &analysis.units {
            self.unit_checks(unit, &call, checks);
        }
    }

    fn unit_checks(&self, unit: &Unit, call: &str, checks: &mut Vec<Check>) {
        let name = unit.normalised().to_string();
        let filter = Filter {
            named_only: false,
            no_specific_allow: unit.dynamic.is_some(),
        };
        // The strictest verdict over every form (raw and normalised).
        let mut level: Option<Level> = None;
        let mut rules: Vec<Rule> = Vec::new();
        let mut sticky = false;
        let mut subject = name.clone();
        for form in &unit.forms {
            let v = self.judge(
                Tool::Bash,
                Subject::Text {
                    text: form,
                    host: None,
                },
                filter,
            );
            let l = v.level.unwrap_or(Level::Ask);
            match level {
                Some(cur) if l < cur => {}
                Some(cur) if l == cur => {
                    for r in v.rules {
                        if !rules.contains(&r) {
                            rules.push(r);
                        }
                    }
                    sticky |= v.sticky;
                }
                _ => {
                    level = Some(l);
                    rules = v.rules;
                    sticky = v.sticky;
                    subject = form.clone();
                }
            }
        }
        let approvable = unit.dynamic.is_none()
            && unit.dangerous_env.is_empty()
            && unit.programs.iter().all(|p| program_approvable(p));
        let level = level.unwrap_or(Level::Ask);
        checks.push(Check {
            unit: Some(name.clone()),
            tool: Tool::Bash,
            subject,
            level,
            cause: if rules.is_empty() {
                Cause::NoRule
            } else {
                Cause::Rule { sticky }
            },
            rules,
            scope: approvable.then(|| SessionScope::Command {
                command: call.to_string(),
            }),
            forms: unit.forms.clone(),
        });
        if let Some(why) = &unit.dynamic {
            checks.push(simple(
                Some(&name),
                Tool::Bash,
                name.clone(),
                Level::Ask,
                Cause::Dynamic(why.clone()),
            ));
        }
        for env in &unit.dangerous_env {
            checks.push(simple(
                Some(&name),
                Tool::Bash,
                name.clone(),
                Level::Ask,
                Cause::DangerousEnv(env.clone()),
            ));
        }
        for s in &unit.subjects {
            checks.push(self.subject_check(&name, s));
        }
    }

    /// POLICY.md "File subjects of a unit", steps 1–4.
    fn subject_check(&self, unit: &str, s: &FileSubject) -> Check {
        let Some(path) = &s.path else {
            return simple(
                Some(unit),
                Tool::Bash,
                s.raw.clone(),
                Level::Ask,
                Cause::UnknownPath(s.raw.clone()),
            );
        };
        let r = self.paths.resolve(Path::new(path));
        let (tool, access) = match s.access {
            SubjectAccess::Write => (Tool::Write, Access::Write),
            SubjectAccess::Read | SubjectAccess::Argument => (Tool::Read, Access::Read),
        };
        // 1. the floor
        if let Some(label) = self.floor.denied(&[&r.lexical, &r.absolute]) {
            return simple(
                Some(unit),
                tool,
                r.named.clone(),
                Level::Deny,
                Cause::Floor(label.into()),
            );
        }
        let protected = (access == Access::Write)
            .then(|| floor::protected(&r.absolute).or_else(|| floor::protected(&r.lexical)))
            .flatten();
        // 2. rules that name the path
        let abs = r.absolute.to_string_lossy();
        let v = self.judge(
            tool,
            Subject::Path {
                named: &r.named,
                absolute: &abs,
            },
            Filter {
                named_only: true,
                no_specific_allow: false,
            },
        );
        if let Some(level) = v.level {
            let mut c = rule_check(Some(unit.to_string()), tool, r.named.clone(), v, None);
            if protected.is_some() && level < Level::Ask {
                c.level = Level::Ask;
                c.cause = Cause::Protected(protected.unwrap_or_default().into());
            }
            return c;
        }
        if let Some(label) = protected {
            return simple(
                Some(unit),
                tool,
                r.named.clone(),
                Level::Ask,
                Cause::Protected(label.into()),
            );
        }
        // 3. the home ground: the unit's own command rule decides
        if self
            .ground()
            .contains(&r.absolute, access, s.access == SubjectAccess::Argument)
        {
            return simple(
                Some(unit),
                tool,
                r.named.clone(),
                Level::Allow,
                Cause::HomeGround,
            );
        }
        // 4. external-directory for the directory holding it
        self.external_check(
            Some(unit),
            &holding_dir(&r),
            s.access == SubjectAccess::Argument,
        )
    }

    fn webfetch_checks(&self, url: &str, checks: &mut Vec<Check>) {
        let tool = Tool::WebFetch;
        let u = match parse_url(url) {
            Ok(u) => u,
            Err(e) => {
                checks.push(simple(
                    None,
                    tool,
                    url.to_string(),
                    Level::Deny,
                    Cause::InvalidSubject(e.to_string()),
                ));
                return;
            }
        };
        if u.scheme != "http" && u.scheme != "https" {
            checks.push(simple(
                None,
                tool,
                u.text.clone(),
                Level::Deny,
                Cause::InvalidSubject(format!(
                    "webfetch fetches http and https only, not {}",
                    u.scheme
                )),
            ));
            return;
        }
        let net = &self.config.sandbox.network;
        let refused = match net.policy {
            NetworkMode::BlockAll => Some("sandbox.network is block_all".to_string()),
            _ if host_listed(&net.denied_hosts, &u.host, u.port) => {
                Some(format!("host {} is in sandbox.network.deniedHosts", u.host))
            }
            NetworkMode::AllowSpecific if !host_listed(&net.allowed_hosts, &u.host, u.port) => {
                Some(format!(
                    "host {} is not in sandbox.network.allowedHosts",
                    u.host
                ))
            }
            _ => None,
        };
        if let Some(why) = refused {
            checks.push(simple(
                None,
                tool,
                u.text.clone(),
                Level::Deny,
                Cause::Network(why),
            ));
        }
        let v = self.judge(
            tool,
            Subject::Text {
                text: &u.text,
                host: Some(&u.host),
            },
            Filter::default(),
        );
        checks.push(rule_check(
            None,
            tool,
            u.text.clone(),
            v,
            Some(SessionScope::Host {
                host: u.host.clone(),
            }),
        ));
    }

    /// Session approvals, then the decision's level, reason and rules, then headless.
    fn finish(&self, mut checks: Vec<Check>) -> Decision {
        if let Ok(session) = self.session.read() {
            if !session.scopes().is_empty() {
                for c in checks.iter_mut().filter(|c| c.level == Level::Ask) {
                    if let Some(scope) = session.covering(c) {
                        c.level = Level::Allow;
                        c.cause = Cause::Session(scope);
                    }
                }
            }
        }
        let level = checks.iter().map(|c| c.level).max().unwrap_or(Level::Ask);
        let winners: Vec<&Check> = checks.iter().filter(|c| c.level == level).collect();
        let lead = winners
            .iter()
            .find(|c| matches!(c.cause, Cause::Floor(_)))
            .or_else(|| winners.first());
        let mut reason = lead.map_or_else(|| "no checks".to_string(), |c| c.reason());
        let mut rules: Vec<Rule> = Vec::new();
        for c in &winners {
            for r in &c.rules {
                if !rules.contains(r) {
                    rules.push(r.clone());
                }
            }
        }
        let mut final_level = level;
        let mut abort = false;
        if level == Level::Ask && self.mode == Mode::Headless {
            final_level = Level::Deny;
            reason = "needs-approval-headless".into();
            abort = self.config.on_ask == OnAsk::Fail;
        }
        Decision {
            level: final_level,
            reason,
            rules,
            mode: self.mode,
            interactive_level: level,
            abort,
            checks,
        }
    }

    /// The scopes a card may offer for "Approve for session" on this decision: the scope of
    /// every approvable ask, plus a single-unit pattern per bash unit (`npm test *`). Empty
    /// when some ask may never be approved for the session.
    pub fn session_suggestions(&self, decision: &Decision) -> Vec<SessionScope> {
        let asks: Vec<&Check> = decision.asks().collect();
        if asks.is_empty() || asks.iter().any(|c| c.scope.is_none()) {
            return vec![];
        }
        let mut out: Vec<SessionScope> = Vec::new();
        for c in &asks {
            if let Some(s) = &c.scope {
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
        }
        for c in asks
            .iter()
            .filter(|c| c.tool == Tool::Bash && !c.forms.is_empty())
        {
            if let Some(p) = suggest_pattern(c.unit.as_deref().unwrap_or("")) {
                let s = SessionScope::CommandPattern { pattern: p };
                let fits = regex::Regex::new(
                    &super::bash_pattern::compile(match &s {
                        SessionScope::CommandPattern { pattern } => pattern,
                        _ => "",
                    })
                    .regex,
                )
                .is_ok_and(|re| c.forms.iter().all(|f| re.is_match(f)));
                if fits && !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    }

    /// "Approve for session" with the default scopes of a decision (every ask's own scope).
    /// All or nothing: fails, approving nothing, when some ask may never be approved.
    pub fn approve_for_session(
        &self,
        decision: &Decision,
    ) -> Result<Vec<SessionScope>, NotApprovable> {
        let mut scopes = Vec::new();
        for c in decision.asks() {
            match &c.scope {
                Some(s) => {
                    if !scopes.contains(s) {
                        scopes.push(s.clone());
                    }
                }
                None => return Err(NotApprovable(c.reason())),
            }
        }
        if scopes.is_empty() {
            return Err(NotApprovable("nothing asks".into()));
        }
        for s in &scopes {
            self.approve(s.clone())?;
        }
        Ok(scopes)
    }

    /// Records one approval (a suggestion the user picked).
    pub fn approve(&self, scope: SessionScope) -> Result<(), NotApprovable> {
        let mut s = self
            .session
            .write()
            .map_err(|_| NotApprovable("session state poisoned".into()))?;
        s.approve(scope)
    }

    /// Every session approval so far.
    pub fn session_approvals(&self) -> Vec<SessionScope> {
        self.session
            .read()
            .map(|s| s.scopes().to_vec())
            .unwrap_or_default()
    }
}

fn canonical_or(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// The directory an `external-directory` grant is asked for: the path itself when it is a
/// directory, else its parent.
fn holding_dir(r: &ResolvedPath) -> PathBuf {
    if r.absolute.is_dir() {
        r.absolute.clone()
    } else {
        r.absolute
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf)
    }
}

fn simple(unit: Option<&str>, tool: Tool, subject: String, level: Level, cause: Cause) -> Check {
    Check {
        unit: unit.map(str::to_string),
        tool,
        subject,
        level,
        cause,
        rules: vec![],
        scope: None,
        forms: vec![],
    }
}

fn rule_check(
    unit: Option<String>,
    tool: Tool,
    subject: String,
    v: Verdict,
    scope: Option<SessionScope>,
) -> Check {
    let (level, cause) = match v.level {
        Some(l) => (l, Cause::Rule { sticky: v.sticky }),
        None => (Level::Ask, Cause::NoRule),
    };
    Check {
        unit,
        tool,
        subject,
        level,
        cause,
        rules: v.rules,
        scope,
        forms: vec![],
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
