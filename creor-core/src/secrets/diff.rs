//! Parses `git diff -U<n>` output into sparse texts: per file, the hunk lines (added and
//! context) with their line numbers in the new file. Only added lines are reportable.

use super::engine::MappedLine;

/// The hunks of one file in a diff, as a text the scanner can run on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffFile {
    /// Repo-relative path in the new tree (the destination of a rename).
    pub path: String,
    /// The hunk lines joined with `\n` (hunks separated by an empty line).
    pub text: Vec<u8>,
    /// One entry per line of `text`.
    pub lines: Vec<MappedLine>,
}

impl DiffFile {
    fn push(&mut self, content: &[u8], line: usize, added: bool) {
        if !self.lines.is_empty() {
            self.text.push(b'\n');
        }
        self.text.extend_from_slice(content);
        self.lines.push(MappedLine { line, added });
    }

    /// Whether any line was added (files with only deletions need no scan).
    pub fn has_added(&self) -> bool {
        self.lines.iter().any(|l| l.added)
    }
}

/// Parses unified diff output (with `a/`/`b/` prefixes). Files without added lines (pure
/// deletions, pure renames, binary files) yield nothing.
pub fn parse_diff(out: &[u8]) -> Vec<DiffFile> {
    let mut files = Vec::new();
    let mut cur: Option<DiffFile> = None;
    let (mut old_left, mut new_left, mut new_line) = (0usize, 0usize, 0usize);
    let finish = |f: Option<DiffFile>, files: &mut Vec<DiffFile>| {
        if let Some(f) = f {
            if f.has_added() && !f.path.is_empty() {
                files.push(f);
            }
        }
    };
    for raw in out.split(|&b| b == b'\n') {
        if old_left > 0 || new_left > 0 {
            let Some(f) = cur.as_mut() else {
                old_left = 0;
                new_left = 0;
                continue;
            };
            match raw.first() {
                Some(b'+') => {
                    f.push(&raw[1..], new_line, true);
                    new_line += 1;
                    new_left = new_left.saturating_sub(1);
                }
                Some(b'-') => old_left = old_left.saturating_sub(1),
                Some(b'\\') => {}
                _ => {
                    f.push(raw.get(1..).unwrap_or_default(), new_line, false);
                    new_line += 1;
                    old_left = old_left.saturating_sub(1);
                    new_left = new_left.saturating_sub(1);
                }
            }
            continue;
        }
        if raw.starts_with(b"diff --git ") {
            finish(cur.take(), &mut files);
            cur = Some(DiffFile::default());
        } else if let Some(rest) = raw.strip_prefix(b"+++ ") {
            if let Some(f) = cur.as_mut() {
                f.path = parse_path(rest).unwrap_or_default();
            }
        } else if let Some(rest) = raw.strip_prefix(b"@@ ") {
            if let Some((o, n, start)) = parse_hunk_header(rest) {
                old_left = o;
                new_left = n;
                new_line = start;
                if let Some(f) = cur.as_mut() {
                    if !f.lines.is_empty() {
                        f.push(b"", 0, false);
                    }
                }
            }
        }
    }
    finish(cur, &mut files);
    files
}

/// `-a[,b] +c[,d] @@…` → (old count, new count, new start).
fn parse_hunk_header(rest: &[u8]) -> Option<(usize, usize, usize)> {
    let s = std::str::from_utf8(rest).ok()?;
    let mut it = s.split(' ');
    let old = it.next()?.strip_prefix('-')?;
    let new = it.next()?.strip_prefix('+')?;
    let count = |r: &str| -> Option<(usize, usize)> {
        match r.split_once(',') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let (_, o) = count(old)?;
    let (start, n) = count(new)?;
    Some((o, n, start))
}

/// The path after `+++ `: `b/x`, `"b/with\ttab"` (C-quoted), or `/dev/null`.
fn parse_path(rest: &[u8]) -> Option<String> {
    let rest = rest.strip_suffix(b"\t").unwrap_or(rest);
    let bytes = if rest.first() == Some(&b'"') {
        unquote(rest.get(1..rest.len().saturating_sub(1))?)
    } else {
        rest.to_vec()
    };
    let p = String::from_utf8_lossy(&bytes).into_owned();
    p.strip_prefix("b/").map(str::to_string)
}

/// Undoes git's C-style quoting (`\t`, `\n`, `\"`, `\\`, `\ooo`).
fn unquote(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'\\' || i + 1 >= s.len() {
            out.push(s[i]);
            i += 1;
            continue;
        }
        let c = s[i + 1];
        i += 2;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    if let Some(&d) = s.get(i).filter(|d| (b'0'..=b'7').contains(d)) {
                        v = v * 8 + u32::from(d - b'0');
                        i += 1;
                    }
                }
                out.push(u8::try_from(v & 0xff).unwrap_or(b'?'));
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Diff output is parsed from a subprocess fed by repository content: any bytes must
        /// parse without panicking, and every file's map must match its text.
        #[test]
        fn any_input_parses(lines in proptest::collection::vec(prop_oneof![
            Just("diff --git a/x b/x".to_string()),
            Just("+++ b/x".to_string()),
            Just("+++ \"b/\\303\\274\\\"".to_string()),
            "@@ -[0-9]{1,3}(,[0-9]{1,2})? \\+[0-9]{1,3}(,[0-9]{1,2})? @@".prop_map(|s| s),
            "[-+ \\\\][ -~]{0,12}",
            "\\PC{0,8}",
        ], 0..40)) {
            let text = lines.join("\n");
            for f in parse_diff(text.as_bytes()) {
                let n = f.text.iter().filter(|&&b| b == b'\n').count() + 1;
                prop_assert_eq!(n, f.lines.len());
            }
        }
    }

    const DIFF: &str = "diff --git a/old.txt b/new name.txt
similarity index 80%
rename from old.txt
rename to new name.txt
index 1111111..2222222 100644
--- a/old.txt
+++ b/new name.txt
@@ -2,2 +2,3 @@ ctx
 keep
-gone
+added one
+++added two
diff --git a/del.txt b/del.txt
deleted file mode 100644
--- a/del.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git \"a/t\\tab\" \"b/t\\tab\"
--- \"a/t\\tab\"
+++ \"b/t\\tab\"
@@ -0,0 +1 @@
+x
\\ No newline at end of file
@@ -10,0 +12 @@
+y
";

    #[test]
    fn parses_added_lines_renames_quoting() {
        let files = parse_diff(DIFF.as_bytes());
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, "new name.txt");
        assert_eq!(files[0].text, b"keep\nadded one\n++added two");
        assert_eq!(
            files[0].lines,
            vec![
                MappedLine {
                    line: 2,
                    added: false
                },
                MappedLine {
                    line: 3,
                    added: true
                },
                MappedLine {
                    line: 4,
                    added: true
                },
            ]
        );
        assert_eq!(files[1].path, "t\tab");
        assert_eq!(files[1].text, b"x\n\ny");
        assert_eq!(
            files[1].lines[2],
            MappedLine {
                line: 12,
                added: true
            }
        );
    }
}
