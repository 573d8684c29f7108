//! Bash patterns (POLICY.md "Grammar"): matched against the normalised argv joined by single
//! spaces; `*` matches anything; a trailing ` *` also matches zero arguments; the space is a
//! word boundary, so `git *` does not match `gitk`.

use super::narrowness::Tok;

/// A bash pattern compiled into an anchored regex and narrowness tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BashPattern {
    /// Anchored regex source.
    pub regex: String,
    /// Tokens for the narrowness test.
    pub tokens: Vec<Tok>,
}

/// Compiles a bash pattern (never the bare `*`).
pub fn compile(pattern: &str) -> BashPattern {
    let (body, tail) = match pattern.strip_suffix(" *") {
        Some(b) => (b, true),
        None => (pattern, false),
    };
    let mut regex = String::from("(?s)^");
    let mut tokens = Vec::with_capacity(pattern.len());
    let mut lit = String::new();
    for c in body.chars() {
        if c == '*' {
            regex.push_str(&regex::escape(&lit));
            lit.clear();
            regex.push_str(".*");
            tokens.push(Tok::Any);
        } else {
            lit.push(c);
            tokens.push(Tok::Lit(c));
        }
    }
    regex.push_str(&regex::escape(&lit));
    if tail {
        regex.push_str("(?: .*)?");
        tokens.push(Tok::OptTail);
    }
    regex.push('$');
    BashPattern { regex, tokens }
}

/// Compiles a free-text pattern (`*` matches anything) for websearch queries and URL globs.
pub fn compile_text(pattern: &str) -> BashPattern {
    let mut regex = String::from("(?s)^");
    let mut tokens = Vec::with_capacity(pattern.len());
    for (i, part) in pattern.split('*').enumerate() {
        if i > 0 {
            regex.push_str(".*");
            tokens.push(Tok::Any);
        }
        regex.push_str(&regex::escape(part));
        tokens.extend(part.chars().map(Tok::Lit));
    }
    regex.push('$');
    BashPattern { regex, tokens }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        regex::Regex::new(&compile(p).regex).unwrap().is_match(s)
    }

    #[test]
    fn trailing_star_matches_zero_args() {
        assert!(m("git *", "git"));
        assert!(m("git *", "git status"));
        assert!(!m("git *", "gitk"));
        assert!(m("git push *", "git push"));
        assert!(!m("git push *", "git pushx"));
    }

    #[test]
    fn inner_star_matches_anything() {
        assert!(m("rm -rf build/*", "rm -rf build/x"));
        assert!(m("rm -rf build/*", "rm -rf build/x y"));
        assert!(!m("rm -rf build/*", "rm -rf src"));
        assert!(m("npm * test", "npm --x test"));
    }

    #[test]
    fn regex_metachars_are_literal() {
        assert!(m("echo (a)+", "echo (a)+"));
        assert!(!m("echo a.c", "echo abc"));
    }
}
