//! The tree-sitter walk: every simple command anywhere in a command line becomes a raw unit
//! (lists, pipelines, subshells, groups, compound statements, function bodies, `$(…)`,
//! backticks, process substitutions, substitutions in redirect targets and in unquoted
//! heredocs). Comments are skipped; quoted heredoc bodies are text.

use std::cell::RefCell;

use tree_sitter::{Node, Parser, Tree};

use super::normalise::{dangerous_env, normalise, RawUnit};
use super::subjects;
use super::units::{Analysis, FileSubject, Word};
use super::words::word;

/// Deepest syntax nesting walked; deeper input is reported as a problem (forces `ask`).
const MAX_NESTING: usize = 200;
/// Deepest re-parse (`bash -c`, `eval`, backticks inside backticks).
pub const MAX_REPARSE: usize = 8;
/// Longest command analysed.
pub const MAX_LEN: usize = 100_000;

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses with this thread's reusable parser.
fn parse(src: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&tree_sitter_bash::LANGUAGE.into()).ok()?;
            *slot = Some(p);
        }
        slot.as_mut()?.parse(src, None)
    })
}

/// Analyses `src` into `out`; `depth` counts re-parses.
pub fn analyse_into(src: &str, depth: usize, out: &mut Analysis) {
    if depth > MAX_REPARSE {
        out.problems.push("command nested too deeply".into());
        return;
    }
    if src.len() > MAX_LEN {
        out.problems
            .push(format!("command longer than {MAX_LEN} bytes"));
        return;
    }
    let Some(tree) = parse(src) else {
        out.problems.push("the bash parser failed".into());
        return;
    };
    let mut w = Walker {
        src: src.as_bytes(),
        depth,
        out,
    };
    w.walk(tree.root_node(), &[], 0);
}

struct Walker<'s, 'o> {
    src: &'s [u8],
    depth: usize,
    out: &'o mut Analysis,
}

impl Walker<'_, '_> {
    fn problem(&mut self, node: Node<'_>, what: &str) {
        let p = node.start_position();
        let near: String = node
            .utf8_text(self.src)
            .unwrap_or("")
            .chars()
            .take(24)
            .collect();
        self.out.problems.push(format!(
            "{what} at {}:{} near {near:?}",
            p.row + 1,
            p.column + 1
        ));
    }

    fn walk(&mut self, node: Node<'_>, redirects: &[FileSubject], level: usize) {
        if level > MAX_NESTING {
            self.problem(node, "nesting too deep");
            return;
        }
        if node.is_missing() {
            let what = format!("missing `{}`", node.kind());
            self.problem(node, &what);
            return;
        }
        if node.is_error() {
            self.problem(node, "syntax error");
        }
        match node.kind() {
            "comment" => {}
            "command" => self.command(node, redirects, level),
            "declaration_command" => self.declaration(node, redirects, level),
            "variable_assignment" => {
                self.bare_assignment(node);
                self.walk_children(node, &[], level);
            }
            "redirected_statement" => self.redirected(node, redirects, level),
            "heredoc_redirect" => {
                let quoted = child_of_kind(node, "heredoc_start").is_some_and(|s| {
                    s.utf8_text(self.src)
                        .is_ok_and(|t| t.contains(['\'', '"', '\\']))
                });
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
                for child in children {
                    if quoted && child.kind() == "heredoc_body" {
                        continue;
                    }
                    self.walk(child, &[], level + 1);
                }
            }
            "command_substitution" if self.text(node).starts_with('`') => {
                self.backticks(node);
            }
            _ => self.walk_children(node, redirects, level),
        }
    }

    fn walk_children(&mut self, node: Node<'_>, redirects: &[FileSubject], level: usize) {
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
        for child in children {
            self.walk(child, redirects, level + 1);
        }
    }

    fn text(&self, node: Node<'_>) -> &str {
        node.utf8_text(self.src).unwrap_or("")
    }

    /// Inside backticks, `` \` ``, `\\` and `\$` are unescaped and the result parsed again, as
    /// bash does; tree-sitter alone would see nested backticks as a plain word.
    fn backticks(&mut self, node: Node<'_>) {
        let t = self.text(node);
        let inner = t.strip_prefix('`').unwrap_or(t);
        let inner = inner.strip_suffix('`').unwrap_or(inner);
        let mut s = String::with_capacity(inner.len());
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' && matches!(chars.peek(), Some('`' | '\\' | '$')) {
                if let Some(n) = chars.next() {
                    s.push(n);
                }
            } else {
                s.push(c);
            }
        }
        if node.has_error() {
            self.problem(node, "syntax error");
        }
        analyse_into(&s, self.depth + 1, self.out);
    }

    fn redirected(&mut self, node: Node<'_>, inherited: &[FileSubject], level: usize) {
        let mut subjects = inherited.to_vec();
        let mut cursor = node.walk();
        let redirects: Vec<Node<'_>> = node
            .children_by_field_name("redirect", &mut cursor)
            .collect();
        for r in &redirects {
            subjects::of_redirect(*r, self.src, &mut subjects);
        }
        match node.child_by_field_name("body") {
            Some(body) => self.walk(body, &subjects, level + 1),
            None => {
                // `> file` alone still truncates a file.
                let raw = RawUnit {
                    text: self.text(node).to_string(),
                    words: vec![],
                    assignments: vec![],
                    subjects,
                };
                normalise(raw, self.depth, self.out);
            }
        }
        for r in redirects {
            self.walk(r, &[], level + 1);
        }
    }

    fn command(&mut self, node: Node<'_>, inherited: &[FileSubject], level: usize) {
        let mut words: Vec<Word> = Vec::new();
        let mut assignments = Vec::new();
        let mut subjects = inherited.to_vec();
        let mut cursor = node.walk();
        let children: Vec<(Option<&'static str>, Node<'_>)> = {
            let mut v = Vec::new();
            if cursor.goto_first_child() {
                loop {
                    v.push((cursor.field_name(), cursor.node()));
                    if !cursor.goto_next_sibling() {
                        break;
                    }
                }
            }
            v
        };
        for (field, child) in &children {
            match (*field, child.kind()) {
                (_, "variable_assignment") => {
                    if let Some(name) = child.child_by_field_name("name") {
                        assignments.push(self.text(name).to_string());
                    }
                }
                (Some("name"), _) | (Some("argument"), _) => words.push(word(*child, self.src)),
                (Some("redirect"), _) => subjects::of_redirect(*child, self.src, &mut subjects),
                _ => {}
            }
        }
        let raw = RawUnit {
            text: self.text(node).to_string(),
            words,
            assignments,
            subjects,
        };
        normalise(raw, self.depth, self.out);
        // Substitutions inside arguments, assignment values and redirect targets.
        for (_, child) in children {
            if child.kind() == "variable_assignment" {
                if let Some(v) = child.child_by_field_name("value") {
                    self.walk(v, &[], level + 1);
                }
            } else {
                self.walk(child, &[], level + 1);
            }
        }
    }

    /// `export A=1`, `declare -x B`, `local c`: a unit of its own (it is a builtin command),
    /// with dangerous assignments raising it.
    fn declaration(&mut self, node: Node<'_>, inherited: &[FileSubject], level: usize) {
        let mut words = Vec::new();
        let mut assignments = Vec::new();
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
        for child in &children {
            if child.kind() == "variable_assignment" {
                if let Some(name) = child.child_by_field_name("name") {
                    assignments.push(self.text(name).to_string());
                }
            }
            let t = self.text(*child).to_string();
            words.push(Word {
                raw: t.clone(),
                text: t,
                ..Word::default()
            });
        }
        let raw = RawUnit {
            text: self.text(node).to_string(),
            words,
            assignments,
            subjects: inherited.to_vec(),
        };
        normalise(raw, self.depth, self.out);
        for child in children {
            if child.kind() == "variable_assignment" {
                if let Some(v) = child.child_by_field_name("value") {
                    self.walk(v, &[], level + 1);
                }
            } else {
                self.walk(child, &[], level + 1);
            }
        }
    }

    /// `PATH=/x` as a statement changes what later units run: dangerous names become a unit
    /// that asks.
    fn bare_assignment(&mut self, node: Node<'_>) {
        let Some(name) = node.child_by_field_name("name") else {
            return;
        };
        let name = self.text(name).to_string();
        if dangerous_env(&name) {
            let raw = RawUnit {
                text: self.text(node).to_string(),
                words: vec![],
                assignments: vec![name],
                subjects: vec![],
            };
            normalise(raw, self.depth, self.out);
        }
    }
}

fn child_of_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).find(|c| c.kind() == kind);
    found
}
