//! `read`, `write` and `edit`: host-side file tools. Every open goes through
//! [`super::fsafe`], anchored at the directory the decision was made for.

use std::io::{BufRead, BufReader, Read, Write};

use super::args::{EditArgs, ReadArgs, WriteArgs};
use super::fsafe::{create_dirs_beneath, open_beneath, read_line_capped, OpenMode};
use super::path::Resolved;
use super::ToolError;

/// Lines returned when `limit` is not given.
pub const DEFAULT_READ_LINES: u64 = 2000;
/// Longest line shown by `read`, in bytes.
pub const MAX_LINE: usize = 2000;
/// Largest file `edit` rewrites.
pub const MAX_EDIT_BYTES: u64 = 16 << 20;

fn io_err(r: &Resolved, e: std::io::Error) -> ToolError {
    let reason = match e.raw_os_error() {
        Some(libc::ELOOP) | Some(libc::EXDEV) => {
            "refused: the path changed into a symlink after it was checked".to_owned()
        }
        _ => e.to_string(),
    };
    ToolError::Path {
        path: r.shown.clone(),
        reason,
    }
}

/// Opens `r` for reading and refuses anything but a regular file (directories, FIFOs,
/// devices).
fn open_regular(r: &Resolved) -> Result<std::fs::File, ToolError> {
    let f = open_beneath(&r.anchor, &r.rel, OpenMode::Read).map_err(|e| io_err(r, e))?;
    let md = f.metadata().map_err(|e| io_err(r, e))?;
    if md.is_dir() {
        return Err(ToolError::Path {
            path: r.shown.clone(),
            reason: "is a directory (use ls)".into(),
        });
    }
    if !md.is_file() {
        return Err(ToolError::Path {
            path: r.shown.clone(),
            reason: "not a regular file; not read".into(),
        });
    }
    Ok(f)
}

/// Runs `read`: numbered lines from `offset` on, at most `limit` of them.
pub fn read(r: &Resolved, args: &ReadArgs) -> Result<String, ToolError> {
    let f = open_regular(r)?;
    let mut reader = BufReader::new(f);
    let head = reader.fill_buf().map_err(|e| io_err(r, e))?;
    if head.iter().take(8192).any(|&b| b == 0) {
        return Ok(format!("{}: binary file, not shown", r.shown));
    }
    let first = args.offset.unwrap_or(1);
    let limit = args.limit.unwrap_or(DEFAULT_READ_LINES);
    let mut out = String::new();
    let mut line = Vec::new();
    let mut n: u64 = 0;
    let mut shown: u64 = 0;
    loop {
        line.clear();
        let got =
            read_line_capped(&mut reader, &mut line, MAX_LINE + 4).map_err(|e| io_err(r, e))?;
        if got == 0 {
            break;
        }
        n += 1;
        if n < first {
            continue;
        }
        if shown == limit {
            out.push_str(&format!(
                "[file continues; read again with offset {n} to see more]\n"
            ));
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        let cut = if text.len() > MAX_LINE {
            let mut i = MAX_LINE;
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            format!("{} [line truncated]", &text[..i])
        } else {
            text.to_owned()
        };
        out.push_str(&format!("{n:>6}\t{cut}\n"));
        shown += 1;
    }
    if n == 0 {
        return Ok("(empty file)".into());
    }
    if shown == 0 {
        return Ok(format!(
            "(the file has {n} lines; offset {first} is past the end)"
        ));
    }
    Ok(out)
}

/// Runs `write`: creates missing parent directories, then replaces the file.
pub fn write(r: &Resolved, args: &WriteArgs) -> Result<String, ToolError> {
    if let Some(parent) = r.rel.parent() {
        if !parent.as_os_str().is_empty() {
            create_dirs_beneath(&r.anchor, parent).map_err(|e| io_err(r, e))?;
        }
    }
    let mut f = open_beneath(&r.anchor, &r.rel, OpenMode::Write).map_err(|e| io_err(r, e))?;
    if !f.metadata().map_err(|e| io_err(r, e))?.is_file() {
        return Err(ToolError::Path {
            path: r.shown.clone(),
            reason: "not a regular file; not written".into(),
        });
    }
    f.write_all(args.content.as_bytes())
        .map_err(|e| io_err(r, e))?;
    Ok(format!("wrote {} bytes to {}", args.content.len(), r.shown))
}

/// Runs `edit`: exact replacement, exactly once unless `replace_all`.
pub fn edit(r: &Resolved, args: &EditArgs) -> Result<String, ToolError> {
    let f = open_regular(r)?;
    let mut text = String::new();
    f.take(MAX_EDIT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| io_err(r, e))?;
    if text.len() as u64 > MAX_EDIT_BYTES {
        return Err(ToolError::Path {
            path: r.shown.clone(),
            reason: format!("larger than {MAX_EDIT_BYTES} bytes; not edited"),
        });
    }
    let count = text.matches(&args.old_string).count();
    let fail = |reason: String| ToolError::Path {
        path: r.shown.clone(),
        reason,
    };
    if count == 0 {
        return Err(fail("old_string not found; nothing changed".into()));
    }
    if count > 1 && !args.replace_all {
        return Err(fail(format!(
            "old_string occurs {count} times; add surrounding context or set replace_all"
        )));
    }
    let new = if args.replace_all {
        text.replace(&args.old_string, &args.new_string)
    } else {
        text.replacen(&args.old_string, &args.new_string, 1)
    };
    let mut f = open_beneath(&r.anchor, &r.rel, OpenMode::Write).map_err(|e| io_err(r, e))?;
    f.write_all(new.as_bytes()).map_err(|e| io_err(r, e))?;
    Ok(format!(
        "edited {}: {count} replacement{}",
        r.shown,
        if count == 1 { "" } else { "s" }
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::tools::path::resolve;
    use crate::tools::ToolEnv;

    fn env() -> (tempfile::TempDir, ToolEnv) {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("p")).unwrap();
        let env = ToolEnv::for_tests(&root.join("p"), &root, None);
        (t, env)
    }

    fn read_args(path: &str, offset: Option<u64>, limit: Option<u64>) -> ReadArgs {
        ReadArgs {
            path: path.into(),
            offset,
            limit,
        }
    }

    #[test]
    fn read_numbers_lines_and_pages() {
        let (_t, env) = env();
        std::fs::write(env.project.join("f.txt"), "a\nb\nc\nd\n").unwrap();
        let r = resolve(&env, "f.txt").unwrap();
        assert_eq!(
            read(&r, &read_args("f.txt", None, None)).unwrap(),
            "     1\ta\n     2\tb\n     3\tc\n     4\td\n"
        );
        let page = read(&r, &read_args("f.txt", Some(2), Some(2))).unwrap();
        assert_eq!(
            page,
            "     2\tb\n     3\tc\n[file continues; read again with offset 4 to see more]\n"
        );
        assert!(read(&r, &read_args("f.txt", Some(9), None))
            .unwrap()
            .contains("past the end"));
        std::fs::write(env.project.join("bin"), b"\x7fELF\0\0\x01").unwrap();
        let rb = resolve(&env, "bin").unwrap();
        assert!(read(&rb, &read_args("bin", None, None))
            .unwrap()
            .contains("binary file"));
    }

    #[test]
    fn write_creates_parents_and_edit_requires_a_unique_match() {
        let (_t, env) = env();
        let r = resolve(&env, "new/dir/f.rs").unwrap();
        write(
            &r,
            &WriteArgs {
                path: "new/dir/f.rs".into(),
                content: "let a = 1;\nlet a = 1;\n".into(),
            },
        )
        .unwrap();
        let e = |old: &str, all: bool| EditArgs {
            path: "new/dir/f.rs".into(),
            old_string: old.into(),
            new_string: "let b = 2;".into(),
            replace_all: all,
        };
        let err = edit(&r, &e("let a = 1;", false)).unwrap_err().to_string();
        assert!(err.contains("occurs 2 times"), "{err}");
        assert!(edit(&r, &e("missing", false))
            .unwrap_err()
            .to_string()
            .contains("not found"));
        assert_eq!(
            edit(&r, &e("let a = 1;", true)).unwrap(),
            "edited new/dir/f.rs: 2 replacements"
        );
        assert_eq!(
            std::fs::read_to_string(&r.path).unwrap(),
            "let b = 2;\nlet b = 2;\n"
        );
    }

    #[test]
    fn write_through_a_swapped_symlink_is_refused() {
        let (t, env) = env();
        let outside = t.path().canonicalize().unwrap().join("outside.txt");
        std::fs::write(&outside, "keep").unwrap();
        let r = resolve(&env, "f.txt").unwrap();
        // After resolution (and the decision) the file becomes a symlink to outside.
        std::os::unix::fs::symlink(&outside, env.project.join("f.txt")).unwrap();
        let err = write(
            &r,
            &WriteArgs {
                path: "f.txt".into(),
                content: "pwned".into(),
            },
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("refused"), "{err}");
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
    }
}
