//! gitignore-like path patterns (POLICY.md "Grammar"): `*` and `?` stay within a segment,
//! `**` crosses; a pattern without `/` matches a basename at any depth; `~/` is home; a leading
//! `/` is absolute; anything else with a `/` is anchored at the project root. A trailing `/`
//! names a directory and everything below it.

use std::path::Path;

use super::narrowness::Tok;

/// A path pattern rewritten into globs over the subject forms the engine produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    /// Globs matched against the subject as the engine names it: project-relative inside the
    /// project, absolute outside.
    pub relative: Vec<String>,
    /// Globs matched against the absolute canonical path.
    pub absolute: Vec<String>,
    /// The normalised pattern text, for narrowness.
    pub tokens: Vec<Tok>,
}

/// Rewrites `pattern` (never the bare `*`, which matches everything) for a user whose home is
/// `home`.
pub fn compile(pattern: &str, home: &Path) -> PathPattern {
    let (body, dir) = match pattern.strip_suffix('/') {
        Some(b) if !b.is_empty() => (b, true),
        _ => (pattern, false),
    };
    let (glob, absolute) = if body == "~" {
        (globset::escape(&home.to_string_lossy()), true)
    } else if let Some(rest) = body.strip_prefix("~/") {
        let home = globset::escape(home.to_string_lossy().trim_end_matches('/'));
        (format!("{home}/{rest}"), true)
    } else if body.starts_with('/') {
        (body.to_string(), true)
    } else if let Some(rest) = body.strip_prefix("./") {
        (rest.to_string(), false)
    } else if body.contains('/') {
        (body.to_string(), false)
    } else {
        (format!("**/{body}"), false)
    };
    let mut globs = vec![glob.clone()];
    if dir {
        globs.push(format!("{glob}/**"));
    }
    if let Some(stem) = glob.strip_suffix("/**") {
        if !stem.is_empty() {
            globs.push(stem.to_string());
        }
    }
    let text = if dir { format!("{glob}/**") } else { glob };
    let tokens = tokens(&text);
    if absolute {
        PathPattern {
            relative: vec![],
            absolute: globs,
            tokens,
        }
    } else {
        PathPattern {
            relative: globs,
            absolute: vec![],
            tokens,
        }
    }
}

/// Tokenises a normalised glob text for the narrowness test.
pub fn tokens(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                if chars.get(i + 2) == Some(&'/') {
                    out.push(Tok::AnyDirs);
                    i += 3;
                    continue;
                }
                if i + 2 == chars.len() && out.last() == Some(&Tok::Lit('/')) {
                    out.pop();
                    out.push(Tok::AnySuffix);
                } else {
                    out.push(Tok::Any);
                }
                i += 2;
                continue;
            }
            '*' => out.push(Tok::Seg),
            '?' => out.push(Tok::One),
            '[' => {
                // A character class: one character within a segment.
                match chars[i..].iter().position(|&x| x == ']') {
                    Some(end) if end > 1 => {
                        out.push(Tok::One);
                        i += end + 1;
                        continue;
                    }
                    _ => out.push(Tok::Lit('[')),
                }
            }
            '\\' if i + 1 < chars.len() => {
                out.push(Tok::Lit(chars[i + 1]));
                i += 2;
                continue;
            }
            c => out.push(Tok::Lit(c)),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::narrowness::subsumes;

    #[test]
    fn basename_pattern_matches_any_depth() {
        let p = compile(".env*", Path::new("/home/u"));
        assert_eq!(p.relative, vec!["**/.env*".to_string()]);
    }

    #[test]
    fn home_and_absolute_patterns() {
        let p = compile("~/src/shared/**", Path::new("/home/u"));
        assert_eq!(
            p.absolute,
            vec![
                "/home/u/src/shared/**".to_string(),
                "/home/u/src/shared".into()
            ]
        );
        assert!(compile("/etc/x", Path::new("/h")).relative.is_empty());
    }

    #[test]
    fn directory_pattern_covers_below() {
        let p = compile("build/", Path::new("/h"));
        assert_eq!(
            p.relative,
            vec!["**/build".to_string(), "**/build/**".into()]
        );
    }

    #[test]
    fn narrowness_of_paths() {
        let h = Path::new("/h");
        let docs = compile("docs/**", h).tokens;
        let md = compile("docs/a/*.md", h).tokens;
        assert!(subsumes(&docs, &md));
        assert!(!subsumes(&md, &docs));
        let env = compile("*.env", h).tokens;
        let cfg = compile("config/*", h).tokens;
        assert!(!subsumes(&env, &cfg));
        assert!(!subsumes(&cfg, &env));
    }
}
