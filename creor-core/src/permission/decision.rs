//! A decision and its explanation: every check that took part (bash unit, file subject,
//! external directory, floor, network), the winning rules with their layer and source, and the
//! mode. The reason strings are what the model and the user are told (DESIGN.md §8).

use serde::Serialize;

use crate::config::{Layer, Level, Rule};

use super::session::SessionScope;
use super::tool::Tool;

/// Whether somebody can answer an `ask`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A user sees a card.
    Interactive,
    /// Nobody can answer (`--headless`, no TTY, `onAsk: deny|fail`): ask becomes deny.
    Headless,
}

/// Why one check came out the way it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "kebab-case")]
pub enum Cause {
    /// Matching rules decided; `sticky` when a deny from a sticky layer beat a narrower rule.
    Rule {
        /// Whether a sticky deny decided.
        sticky: bool,
    },
    /// No rule matched: ask.
    NoRule,
    /// Under a floor directory (`~/.ssh`): deny, never lifted.
    Floor(String),
    /// A write to a protected file (`creor.json`, `.git/hooks/`): at least ask, every time.
    Protected(String),
    /// The command could not be fully parsed.
    Unparsable(String),
    /// The program that would run cannot be known before running.
    Dynamic(String),
    /// An assignment that changes what later code runs (`LD_PRELOAD=`).
    DangerousEnv(String),
    /// A file subject whose path cannot be known before running.
    UnknownPath(String),
    /// Inside the home ground with that access: the unit's own command rule decides.
    HomeGround,
    /// `sandbox.network` forbids the host.
    Network(String),
    /// The subject is not valid for the tool.
    InvalidSubject(String),
    /// An ask turned into allow by a session approval.
    Session(SessionScope),
}

/// One judgement that took part in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The bash unit this check belongs to (its normalised form), if any.
    pub unit: Option<String>,
    /// The tool whose rules judged (`bash`, `read`, `edit`, `external-directory`, …).
    pub tool: Tool,
    /// The subject as judged (canonical path, unit form, URL, directory).
    pub subject: String,
    /// The level of this check.
    pub level: Level,
    /// Why.
    pub cause: Cause,
    /// The winning rules, when rules decided.
    pub rules: Vec<Rule>,
    /// The session approval that would turn this ask into allow; `None` when it may never be
    /// approved for the session (floor, rm/sudo/interpreters, dynamic, redirect-driven).
    pub scope: Option<SessionScope>,
    /// For bash command checks: every form of the unit (a single-unit session pattern must
    /// match them all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
}

impl Check {
    /// The user-facing reason of this check.
    pub fn reason(&self) -> String {
        match &self.cause {
            Cause::Rule { sticky } => {
                let mut parts: Vec<String> = self.rules.iter().map(describe_rule).collect();
                parts.dedup();
                let mut s = parts.join("; ");
                if *sticky {
                    s.push_str(" [sticky deny]");
                }
                s
            }
            Cause::NoRule => format!("no rule matches {} {:?}", self.tool, self.subject),
            Cause::Floor(label) => format!("floor {label}"),
            Cause::Protected(label) => format!("floor {label} (protected file, asks every time)"),
            Cause::Unparsable(what) => format!("unparsable command: {what}"),
            Cause::Dynamic(what) => what.clone(),
            Cause::DangerousEnv(name) => format!("assignment to {name} changes what runs"),
            Cause::UnknownPath(raw) => {
                format!("file {raw} cannot be known before the command runs")
            }
            Cause::HomeGround => format!("{} is inside the home ground", self.subject),
            Cause::Network(what) => what.clone(),
            Cause::InvalidSubject(what) => what.clone(),
            Cause::Session(scope) => format!("approved for this session: {scope}"),
        }
    }
}

/// `rule bash "rm *" = deny (project creor.json)`.
pub fn describe_rule(rule: &Rule) -> String {
    let layer = match rule.layer {
        Layer::Builtin => "built-in",
        Layer::Global => "global",
        Layer::Project => "project",
        Layer::Local => "local",
        Layer::Profile => "profile",
        Layer::Managed => "managed",
        Layer::Cli => "cli",
    };
    let level = match rule.level {
        Level::Allow => "allow",
        Level::Ask => "ask",
        Level::Deny => "deny",
    };
    let source = rule
        .source
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| format!(" {}", n.to_string_lossy()))
        .unwrap_or_default();
    format!(
        "rule {} {:?} = {level} ({layer}{source})",
        rule.tool, rule.pattern
    )
}

/// The verdict on one request, with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// allow / ask / deny (after the headless conversion).
    pub level: Level,
    /// Human-readable reason (`rule bash "rm *" = deny (project creor.json)`,
    /// `floor ~/.ssh`, `needs-approval-headless`).
    pub reason: String,
    /// The winning rules.
    pub rules: Vec<Rule>,
    /// Interactive or headless.
    pub mode: Mode,
    /// What an interactive session would decide (differs from `level` only for a headless
    /// ask).
    pub interactive_level: Level,
    /// `onAsk: "fail"` and this decision needed an approval: the caller must abort the run
    /// with a non-zero exit.
    pub abort: bool,
    /// Every check that took part, in order (bash: unit by unit).
    pub checks: Vec<Check>,
}

impl Decision {
    /// The stricter of a parent's and a subagent's decision on the same call (POLICY.md
    /// "Decision" §6); the parent's on a tie.
    pub fn stricter(self, other: Decision) -> Decision {
        if other.level > self.level {
            other
        } else {
            self
        }
    }

    /// The checks that ask.
    pub fn asks(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.level == Level::Ask)
    }
}
