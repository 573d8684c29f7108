//! Scanning files and directories: `ignore`'s parallel walker (honours `.gitignore` unless
//! told not to, scans hidden files such as `.env`, skips `.git/`), one read per file, binary
//! files skipped by a NUL sniff.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use memchr::memchr;

use super::engine::Scanner;
use super::error::SecretsError;
use super::filter::SKIP_DIRS;
use super::finding::Finding;

/// Bytes sniffed for a NUL to call a file binary (as git and ripgrep do).
const SNIFF: usize = 8 * 1024;

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Do not honour `.gitignore`/`.ignore` files.
    pub no_ignore: bool,
    /// Worker threads (0: one per CPU).
    pub threads: usize,
    /// Project root: fingerprints use paths relative to it.
    pub root: Option<PathBuf>,
}

/// The result of a walk: findings (sorted by path, line, column) and the errors met on the
/// way. Errors do not stop the walk, but a scan with errors is not a clean scan.
#[derive(Debug, Default)]
pub struct WalkOutcome {
    /// Secrets found.
    pub findings: Vec<Finding>,
    /// Paths that could not be read or walked.
    pub errors: Vec<SecretsError>,
    /// Files scanned.
    pub files: usize,
    /// Bytes scanned.
    pub bytes: u64,
}

/// Scans files and directories. Paths print as given joined with the path below them; with
/// the single implicit argument `.` the `./` prefix is dropped, as ripgrep does.
pub fn scan_paths(scanner: &Scanner, paths: &[PathBuf], opts: &WalkOptions) -> WalkOutcome {
    let implicit = paths.is_empty();
    let default = [PathBuf::from(".")];
    let paths: &[PathBuf] = if implicit { &default } else { paths };
    let outcome = Mutex::new(WalkOutcome::default());
    let root = opts
        .root
        .as_ref()
        .map(|r| r.canonicalize().unwrap_or_else(|_| r.clone()));
    for p in paths {
        if let Err(source) = std::fs::symlink_metadata(p) {
            lock(&outcome).errors.push(SecretsError::Io {
                path: p.clone(),
                source,
            });
        }
    }
    let mut b = WalkBuilder::new(&paths[0]);
    for p in &paths[1..] {
        b.add(p);
    }
    b.hidden(false)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .parents(!opts.no_ignore)
        .require_git(false)
        .threads(opts.threads)
        .filter_entry(|e| {
            !(e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIP_DIRS.contains(&n)))
        });
    b.build_parallel().run(|| {
        let outcome = &outcome;
        let root = root.as_deref();
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    if !is_not_found(&e) {
                        lock(outcome).errors.push(SecretsError::Walk {
                            path: String::new(),
                            message: e.to_string(),
                        });
                    }
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let path = entry.path();
            let shown = display(path, implicit);
            if scanner.skips_path(&shown) {
                return WalkState::Continue;
            }
            let data = match read_reusing(path) {
                Ok(d) => d,
                Err(source) => {
                    lock(outcome).errors.push(SecretsError::Io {
                        path: path.to_path_buf(),
                        source,
                    });
                    return WalkState::Continue;
                }
            };
            if memchr(0, &data[..data.len().min(SNIFF)]).is_some() {
                READ_BUF.with(|b| b.replace(data));
                return WalkState::Continue;
            }
            let mut found = scanner.scan(&shown, &data);
            if !found.is_empty() {
                let key = key_path(path, &shown, root);
                for f in &mut found {
                    f.set_key_path(&key);
                }
            }
            let len = data.len() as u64;
            READ_BUF.with(|b| b.replace(data));
            let mut o = lock(outcome);
            o.files += 1;
            o.bytes += len;
            o.findings.extend(found);
            WalkState::Continue
        })
    });
    let mut o = outcome.into_inner().unwrap_or_else(|p| p.into_inner());
    o.findings.sort_by(|a, b| {
        (a.path.as_str(), a.line, a.column).cmp(&(b.path.as_str(), b.line, b.column))
    });
    o
}

thread_local! {
    /// Each walker thread reads files into one buffer it keeps.
    static READ_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads a file into this thread's reused buffer (hand it back with `READ_BUF.replace`).
fn read_reusing(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut buf = READ_BUF.with(|b| b.take());
    buf.clear();
    std::fs::File::open(path)?.read_to_end(&mut buf)?;
    Ok(buf)
}

fn lock(m: &Mutex<WalkOutcome>) -> std::sync::MutexGuard<'_, WalkOutcome> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn is_not_found(e: &ignore::Error) -> bool {
    e.io_error()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
}

/// The printed path: as walked, minus `./` for the implicit `.` argument.
fn display(path: &Path, implicit: bool) -> String {
    let s = path.to_string_lossy();
    if implicit {
        s.strip_prefix("./").unwrap_or(&s).to_string()
    } else {
        s.into_owned()
    }
}

/// The path fingerprints are keyed on: relative to the project root when the file is inside
/// it, else the canonical absolute path.
fn key_path(path: &Path, shown: &str, root: Option<&Path>) -> String {
    let Some(root) = root else {
        return shown.strip_prefix("./").unwrap_or(shown).to_string();
    };
    match path.canonicalize() {
        Ok(c) => match c.strip_prefix(root) {
            Ok(rel) => rel.to_string_lossy().into_owned(),
            Err(_) => c.to_string_lossy().into_owned(),
        },
        Err(_) => shown.to_string(),
    }
}
