//! File subjects of a unit (POLICY.md "File subjects of a unit"): redirect targets are write
//! subjects, `<` sources read subjects, and path-like arguments access subjects.

use tree_sitter::Node;

use super::units::{FileSubject, SubjectAccess, Word};
use super::words::word;

/// Device files every command may use; never subjects.
const EXEMPT: [&str; 10] = [
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/stdin",
    "/dev/stdout",
    "/dev/stderr",
    "/dev/tty",
    "-",
];

fn exempt(path: &str) -> bool {
    EXEMPT.contains(&path)
        || path
            .strip_prefix("/dev/fd/")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The file subjects of one redirect node (`file_redirect`, or a `heredoc_redirect` holding
/// further redirects). Heredocs and here-strings read no file.
pub fn of_redirect(node: Node<'_>, src: &[u8], out: &mut Vec<FileSubject>) {
    match node.kind() {
        "file_redirect" => file_redirect(node, src, out),
        "heredoc_redirect" => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                if child.kind() == "file_redirect" {
                    file_redirect(child, src, out);
                }
            }
        }
        _ => {}
    }
}

fn file_redirect(node: Node<'_>, src: &[u8], out: &mut Vec<FileSubject>) {
    let mut op = "";
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if !child.is_named() {
            op = child.kind();
            break;
        }
    }
    let Some(dest) = node.child_by_field_name("destination") else {
        return;
    };
    let w = word(dest, src);
    let dup = matches!(op, ">&" | "<&" | ">&-" | "<&-");
    if dup && (w.text == "-" || (!w.text.is_empty() && w.text.bytes().all(|b| b.is_ascii_digit())))
    {
        return;
    }
    let access = if op == "<" || op == "<&" {
        SubjectAccess::Read
    } else {
        SubjectAccess::Write
    };
    if w.path.as_deref().is_some_and(exempt) {
        return;
    }
    out.push(FileSubject {
        raw: w.raw,
        path: w.path,
        access,
    });
}

/// The access subject of an argument (not argv\[0\]), if it is path-like once `~`, `$HOME` and
/// `${HOME}` are expanded: absolute, `~`-prefixed, or leaving the project through `..`.
/// `--opt=PATH` is judged by its value.
pub fn of_argument(w: &Word) -> Option<FileSubject> {
    let path = w.path.as_deref()?;
    let value = match path.split_once('=') {
        Some((opt, v)) if opt.starts_with('-') => v,
        _ => path,
    };
    if value.is_empty() || exempt(value) {
        return None;
    }
    let path_like = value.starts_with('/')
        || value == "~"
        || value.starts_with("~/")
        || leaves_by_dotdot(value);
    path_like.then(|| FileSubject {
        raw: w.raw.clone(),
        path: Some(value.to_string()),
        access: SubjectAccess::Argument,
    })
}

/// Whether a relative path climbs above its starting directory.
fn leaves_by_dotdot(rel: &str) -> bool {
    let mut depth: i64 = 0;
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(path: &str) -> Word {
        Word {
            raw: path.into(),
            text: path.into(),
            path: Some(path.into()),
            ..Word::default()
        }
    }

    #[test]
    fn path_like_arguments() {
        assert!(of_argument(&w("/etc/passwd")).is_some());
        assert!(of_argument(&w("~/x")).is_some());
        assert!(of_argument(&w("../x")).is_some());
        assert!(of_argument(&w("a/../../x")).is_some());
        assert!(of_argument(&w("a/../x")).is_none());
        assert!(of_argument(&w("src/main.rs")).is_none());
        assert!(of_argument(&w("/dev/null")).is_none());
        assert_eq!(
            of_argument(&w("--output=/etc/x")).and_then(|s| s.path),
            Some("/etc/x".into())
        );
    }
}
