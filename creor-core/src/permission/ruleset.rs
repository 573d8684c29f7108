//! Rules compiled once per tool: glob sets, regex sets and narrowness tokens, so that a
//! decision is a few set lookups plus a comparison among the (few) rules that matched.

use std::path::Path;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use regex::RegexSet;

use crate::config::{Level, Rule};

use super::bash_pattern;
use super::domain::DomainPattern;
use super::narrowness::{subsumes, Tok};
use super::path_pattern;
use super::tool::{SubjectKind, Tool};

/// One rule as it applies to one tool.
#[derive(Debug, Clone)]
struct Entry {
    rule: Rule,
    /// Index of the rule's tool in [`Tool::scopes`]: 0 is the tool itself.
    rank: usize,
    /// The bare `*` pattern: matches every subject.
    any: bool,
    tokens: Vec<Tok>,
    domain: Option<DomainPattern>,
}

/// A subject in the forms patterns are matched against.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A path: `named` is project-relative inside the project and absolute outside;
    /// `absolute` is always absolute.
    Path {
        /// Project-relative or absolute.
        named: &'a str,
        /// Absolute.
        absolute: &'a str,
    },
    /// A bash unit form, a query or a URL, with the URL's host.
    Text {
        /// The text.
        text: &'a str,
        /// For URLs, the normalised host.
        host: Option<&'a str>,
    },
}

/// Which rules may take part in a verdict.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    /// Ignore rules whose pattern is the bare `*` (POLICY.md file subjects, step 2).
    pub named_only: bool,
    /// Ignore allows with a specific pattern (dynamic command names).
    pub no_specific_allow: bool,
}

/// The rules that decided, and their level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The level; `None` when no rule matched.
    pub level: Option<Level>,
    /// The winning rules.
    pub rules: Vec<Rule>,
    /// A deny from a sticky layer beat a narrower rule.
    pub sticky: bool,
}

/// Every rule that speaks for one tool, compiled.
#[derive(Debug, Clone)]
pub struct ToolRules {
    entries: Vec<Entry>,
    any: Vec<usize>,
    relative: GlobSet,
    relative_map: Vec<usize>,
    absolute: GlobSet,
    absolute_map: Vec<usize>,
    regex: RegexSet,
    regex_map: Vec<usize>,
    domains: Vec<usize>,
}

/// A pattern that cannot be compiled (the loader should have refused it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule {tool} {pattern:?}: {message}")]
pub struct PatternError {
    /// The rule's tool.
    pub tool: String,
    /// The pattern.
    pub pattern: String,
    /// What is wrong.
    pub message: String,
}

impl ToolRules {
    /// Compiles the rules of `rules` that speak for `tool`.
    pub fn compile(tool: Tool, rules: &[Rule], home: &Path) -> Result<ToolRules, PatternError> {
        let mut entries = Vec::new();
        let mut any = Vec::new();
        let mut rel = GlobSetBuilder::new();
        let mut relative_map = Vec::new();
        let mut abs = GlobSetBuilder::new();
        let mut absolute_map = Vec::new();
        let mut regexes = Vec::new();
        let mut regex_map = Vec::new();
        let mut domains = Vec::new();
        let scopes = tool.scopes();
        for rule in rules {
            let Some(rank) = scopes.iter().position(|s| *s == rule.tool) else {
                continue;
            };
            let idx = entries.len();
            let err = |message: String| PatternError {
                tool: rule.tool.clone(),
                pattern: rule.pattern.clone(),
                message,
            };
            let mut entry = Entry {
                rule: rule.clone(),
                rank,
                any: rule.pattern == "*",
                tokens: vec![Tok::Any],
                domain: None,
            };
            if entry.any {
                any.push(idx);
                entries.push(entry);
                continue;
            }
            match tool.kind() {
                SubjectKind::Path => {
                    let p = path_pattern::compile(&rule.pattern, home);
                    for g in &p.relative {
                        rel.add(glob(g).map_err(|e| err(e.to_string()))?);
                        relative_map.push(idx);
                    }
                    for g in &p.absolute {
                        abs.add(glob(g).map_err(|e| err(e.to_string()))?);
                        absolute_map.push(idx);
                    }
                    entry.tokens = p.tokens;
                }
                SubjectKind::Bash => {
                    let p = bash_pattern::compile(&rule.pattern);
                    regexes.push(p.regex);
                    regex_map.push(idx);
                    entry.tokens = p.tokens;
                }
                SubjectKind::Url if rule.pattern.starts_with("domain:") => {
                    let text = &rule.pattern["domain:".len()..];
                    let d = DomainPattern::parse(text)
                        .ok_or_else(|| err(format!("invalid host {text:?}")))?;
                    entry.tokens = d.tokens();
                    entry.domain = Some(d);
                    domains.push(idx);
                }
                SubjectKind::Url | SubjectKind::Text => {
                    let p = bash_pattern::compile_text(&rule.pattern);
                    regexes.push(p.regex);
                    regex_map.push(idx);
                    entry.tokens = p.tokens;
                }
            }
            entries.push(entry);
        }
        let relative = rel.build().map_err(|e| PatternError {
            tool: tool.name().into(),
            pattern: String::new(),
            message: e.to_string(),
        })?;
        let absolute = abs.build().map_err(|e| PatternError {
            tool: tool.name().into(),
            pattern: String::new(),
            message: e.to_string(),
        })?;
        let regex = RegexSet::new(&regexes).map_err(|e| PatternError {
            tool: tool.name().into(),
            pattern: String::new(),
            message: e.to_string(),
        })?;
        Ok(ToolRules {
            entries,
            any,
            relative,
            relative_map,
            absolute,
            absolute_map,
            regex,
            regex_map,
            domains,
        })
    }

    /// Indices of the entries matching `subject`, sorted and unique.
    fn matching(&self, subject: Subject<'_>) -> Vec<usize> {
        let mut out: Vec<usize> = self.any.clone();
        match subject {
            Subject::Path { named, absolute } => {
                if !self.relative_map.is_empty() {
                    for i in self.relative.matches(named) {
                        out.push(self.relative_map[i]);
                    }
                }
                if !self.absolute_map.is_empty() {
                    for i in self.absolute.matches(absolute) {
                        out.push(self.absolute_map[i]);
                    }
                }
            }
            Subject::Text { text, host } => {
                if !self.regex_map.is_empty() {
                    for i in self.regex.matches(text).iter() {
                        out.push(self.regex_map[i]);
                    }
                }
                if let Some(host) = host {
                    for &i in &self.domains {
                        if self.entries[i]
                            .domain
                            .as_ref()
                            .is_some_and(|d| d.matches(host))
                        {
                            out.push(i);
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A is at least as narrow as B: A's tool scope is within B's and B's pattern matches A's
    /// pattern text.
    fn narrower_eq(&self, a: usize, b: usize) -> bool {
        let (a, b) = (&self.entries[a], &self.entries[b]);
        a.rank <= b.rank && (b.any || (!a.any && subsumes(&b.tokens, &a.tokens)))
    }

    fn strictly_narrower(&self, a: usize, b: usize) -> bool {
        self.narrower_eq(a, b) && !self.narrower_eq(b, a)
    }

    /// The verdict for `subject`: the minimal matching rules, strictest among them, then
    /// sticky denies (POLICY.md "Decision" §2–3). Independent of rule order.
    pub fn judge(&self, subject: Subject<'_>, filter: Filter) -> Verdict {
        let matched: Vec<usize> = self
            .matching(subject)
            .into_iter()
            .filter(|&i| {
                let e = &self.entries[i];
                let unnamed = filter.named_only && e.any;
                let specific_allow = !e.any && e.rule.level == Level::Allow;
                let excluded = unnamed || (filter.no_specific_allow && specific_allow);
                !excluded
            })
            .collect();
        if matched.is_empty() {
            return Verdict {
                level: None,
                rules: vec![],
                sticky: false,
            };
        }
        let minimal: Vec<usize> = matched
            .iter()
            .copied()
            .filter(|&m| {
                !matched
                    .iter()
                    .any(|&n| n != m && self.strictly_narrower(n, m))
            })
            .collect();
        let level = minimal
            .iter()
            .map(|&i| self.entries[i].rule.level)
            .max()
            .unwrap_or(Level::Ask);
        if level != Level::Deny {
            let sticky: Vec<usize> = matched
                .iter()
                .copied()
                .filter(|&d| {
                    let e = &self.entries[d];
                    e.rule.level == Level::Deny
                        && e.rule.layer.deny_is_sticky()
                        && !matched.iter().any(|&n| {
                            let layer = self.entries[n].rule.layer;
                            layer.deny_is_sticky()
                                && layer >= e.rule.layer
                                && self.strictly_narrower(n, d)
                        })
                })
                .collect();
            if !sticky.is_empty() {
                return Verdict {
                    level: Some(Level::Deny),
                    rules: self.rules_of(&sticky),
                    sticky: true,
                };
            }
        }
        let winners: Vec<usize> = minimal
            .into_iter()
            .filter(|&i| self.entries[i].rule.level == level)
            .collect();
        Verdict {
            level: Some(level),
            rules: self.rules_of(&winners),
            sticky: false,
        }
    }

    fn rules_of(&self, idx: &[usize]) -> Vec<Rule> {
        let mut rules: Vec<Rule> = idx.iter().map(|&i| self.entries[i].rule.clone()).collect();
        // Deterministic order whatever the input order was.
        rules.sort_by(|a, b| {
            (a.layer, &a.tool, &a.pattern, &a.source)
                .cmp(&(b.layer, &b.tool, &b.pattern, &b.source))
        });
        rules.dedup();
        rules
    }
}

fn glob(text: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(text)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}
