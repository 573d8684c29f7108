//! `glob`, `grep` and `ls`. Results are filtered through a visibility predicate the session
//! backs with the permission engine, so read-denied files never show up; file contents are
//! read through [`super::fsafe`].

use std::io::{BufRead, BufReader};
use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};
use regex::Regex;

use super::fsafe::{open_beneath, read_line_capped, OpenMode};
use super::path::{anchor_of, display, Resolved};
use super::{ToolEnv, ToolError};

/// Whether a path may be shown (glob/ls: not read-denied; grep: read-allowed).
pub type Visible<'a> = &'a (dyn Fn(&Path) -> bool + Send + Sync);

/// Most paths `glob` returns.
pub const MAX_GLOB: usize = 500;
/// Most matching lines `grep` returns.
pub const MAX_GREP: usize = 500;
/// Most entries `ls` returns.
pub const MAX_LS: usize = 1000;
/// Files larger than this are skipped by `grep`.
pub const MAX_GREP_FILE: u64 = 8 << 20;

fn walker(root: &Path) -> ignore::Walk {
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
}

fn matcher(pattern: &str) -> Result<GlobMatcher, ToolError> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| ToolError::InvalidArgs {
            tool: "glob".into(),
            reason: e.to_string(),
        })
}

fn matches(m: &GlobMatcher, pattern: &str, rel: &Path) -> bool {
    m.is_match(rel) || (!pattern.contains('/') && rel.file_name().is_some_and(|n| m.is_match(n)))
}

/// Runs `glob`: files under `root` matching `pattern`, sorted.
pub fn glob(
    env: &ToolEnv,
    root: &Resolved,
    pattern: &str,
    visible: Visible<'_>,
) -> Result<String, ToolError> {
    let m = matcher(pattern)?;
    let mut found = Vec::new();
    let mut more = false;
    for entry in walker(&root.path).flatten() {
        let p = entry.path();
        if entry.depth() == 0 || entry.file_type().is_some_and(|t| t.is_dir()) {
            continue;
        }
        let rel = p.strip_prefix(&root.path).unwrap_or(p);
        if !matches(&m, pattern, rel) || !visible(p) {
            continue;
        }
        if found.len() == MAX_GLOB {
            more = true;
            break;
        }
        found.push(display(env, p));
    }
    found.sort();
    if found.is_empty() {
        return Ok("no files found".into());
    }
    let mut out = found.join("\n");
    if more {
        out.push_str(&format!(
            "\n[more than {MAX_GLOB} files; narrow the pattern]"
        ));
    }
    Ok(out)
}

/// Runs `grep`: `path:line:text` for each matching line of each visible file.
pub fn grep(
    env: &ToolEnv,
    root: &Resolved,
    re: &Regex,
    glob: Option<&str>,
    visible: Visible<'_>,
) -> Result<String, ToolError> {
    let m = glob.map(matcher).transpose()?;
    let mut out = Vec::new();
    let mut files: Vec<std::path::PathBuf> = walker(&root.path)
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    'files: for p in files {
        if let (Some(m), Some(g)) = (&m, glob) {
            let rel = p.strip_prefix(&root.path).unwrap_or(&p);
            if !matches(m, g, rel) {
                continue;
            }
        }
        if !visible(&p) {
            continue;
        }
        let (anchor, rel) = anchor_of(env, &p);
        let Ok(f) = open_beneath(&anchor, &rel, OpenMode::Read) else {
            continue;
        };
        if f.metadata()
            .map_or(true, |md| !md.is_file() || md.len() > MAX_GREP_FILE)
        {
            continue;
        }
        let mut reader = BufReader::new(f);
        if reader
            .fill_buf()
            .map_or(true, |b| b.iter().take(8192).any(|&c| c == 0))
        {
            continue;
        }
        let shown = display(env, &p);
        let mut line = Vec::new();
        let mut n = 0u64;
        loop {
            line.clear();
            match read_line_capped(&mut reader, &mut line, 64 * 1024) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            n += 1;
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\n', '\r']);
            if re.is_match(text) {
                if out.len() == MAX_GREP {
                    out.push(format!(
                        "[more than {MAX_GREP} matches; narrow the pattern or path]"
                    ));
                    break 'files;
                }
                let text: String = text.chars().take(500).collect();
                out.push(format!("{shown}:{n}:{text}"));
            }
        }
    }
    if out.is_empty() {
        return Ok("no matches".into());
    }
    Ok(out.join("\n"))
}

/// Runs `ls`: one directory level, sorted, directories marked with `/`.
pub fn ls(dir: &Resolved, visible: Visible<'_>) -> Result<String, ToolError> {
    let fail = |reason: String| ToolError::Path {
        path: dir.path.display().to_string(),
        reason,
    };
    let f = open_beneath(&dir.anchor, &dir.rel, OpenMode::Directory).map_err(|e| {
        fail(match e.raw_os_error() {
            Some(libc::ELOOP) | Some(libc::EXDEV) => {
                "refused: the path changed into a symlink after it was checked".into()
            }
            _ => e.to_string(),
        })
    })?;
    let mut d = nix::dir::Dir::from_fd(f.into()).map_err(|e| fail(e.to_string()))?;
    let mut names = Vec::new();
    for entry in d.iter().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "." || name == ".." {
            continue;
        }
        if !visible(&dir.path.join(&name)) {
            continue;
        }
        let is_dir = matches!(entry.file_type(), Some(nix::dir::Type::Directory));
        names.push(if is_dir { format!("{name}/") } else { name });
    }
    names.sort();
    if names.is_empty() {
        return Ok("(empty directory)".into());
    }
    let total = names.len();
    names.truncate(MAX_LS);
    let mut out = names.join("\n");
    if total > MAX_LS {
        out.push_str(&format!("\n[{} more entries not shown]", total - MAX_LS));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::tools::path::resolve;

    fn setup() -> (tempfile::TempDir, ToolEnv) {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().canonicalize().unwrap();
        let p = root.join("p");
        std::fs::create_dir_all(p.join("src/deep")).unwrap();
        std::fs::write(p.join("src/a.rs"), "fn needle() {}\n").unwrap();
        std::fs::write(p.join("src/deep/b.rs"), "// needle\n").unwrap();
        std::fs::write(p.join(".env"), "NEEDLE=needle\n").unwrap();
        std::fs::write(p.join("ignored.log"), "needle\n").unwrap();
        std::fs::write(p.join(".gitignore"), "*.log\n").unwrap();
        std::os::unix::fs::symlink(root.join("elsewhere"), p.join("link")).unwrap();
        (t, ToolEnv::for_tests(&p, &root, None))
    }

    fn hide_env(p: &Path) -> bool {
        p.file_name().is_none_or(|n| n != ".env")
    }

    #[test]
    fn grep_drops_hidden_files_and_honours_gitignore() {
        let (_t, env) = setup();
        let root = resolve(&env, ".").unwrap();
        let re = Regex::new("needle").unwrap();
        let out = grep(&env, &root, &re, None, &hide_env).unwrap();
        assert_eq!(out, "src/a.rs:1:fn needle() {}\nsrc/deep/b.rs:1:// needle");
        let only = grep(&env, &root, &re, Some("**/deep/*.rs"), &hide_env).unwrap();
        assert_eq!(only, "src/deep/b.rs:1:// needle");
        let everything = |_: &Path| true;
        assert!(grep(&env, &root, &re, None, &everything)
            .unwrap()
            .contains(".env:1:"));
    }

    #[test]
    fn glob_and_ls_drop_hidden_files() {
        let (_t, env) = setup();
        let root = resolve(&env, ".").unwrap();
        assert_eq!(
            glob(&env, &root, "*.rs", &hide_env).unwrap(),
            "src/a.rs\nsrc/deep/b.rs"
        );
        assert_eq!(
            glob(&env, &root, ".env*", &hide_env).unwrap(),
            "no files found"
        );
        let listing = ls(&root, &hide_env).unwrap();
        assert!(!listing.contains(".env"), "{listing}");
        assert!(
            listing.contains("src/") && listing.contains(".gitignore"),
            "{listing}"
        );
    }
}
