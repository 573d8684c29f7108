//! The revert journal: what makes the revert of absent protected paths ([`super::protect`])
//! survive the helper being SIGKILLed.
//!
//! The revert runs in the helper after the sandbox is gone. If the helper is killed (`kill -9`,
//! the OOM killer, a supervisor's stop timeout), pid 1 and the whole sandbox die with it, but
//! nothing removes what the command planted (`.git/hooks/pre-commit`, `creor.json`), and the
//! next `git commit` or creor session on the host would use it. So before it clones pid 1 the
//! helper writes a journal naming itself (pid and start time, which together survive pid
//! reuse), the project and the absent paths, in a per-user directory outside the sandbox's
//! reach; it deletes the journal once the revert is done.
//!
//! A journal whose owner is no longer running marks a run that was killed before creor could
//! check it. [`recover`] (run before every sandbox is planned, by `spawn` and `exec_replace`;
//! the creor binary also runs it before it loads a project's configuration, and in
//! `creor doctor`) then renames whatever stands at each listed path to
//! `<name>.creor-quarantine-<unix-seconds>` instead of deleting it: by now the user may have
//! created it on purpose. Every step uses directory file descriptors and `*at` calls with
//! `O_NOFOLLOW`, so no symlink is followed, whoever placed it.

use std::ffi::{CString, OsStr, OsString};
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{openat, OFlag};
use nix::sys::stat::{fstat, fstatat, Mode, SFlag};
use nix::unistd::{unlinkat, UnlinkatFlags};
use serde::{Deserialize, Serialize};

use crate::error::{Result, SandboxError};

/// The format version written into every journal, so a later creor can tell an old one.
const VERSION: u32 = 1;

/// Suffix of a complete journal; a journal is first written under a dot-name ending in
/// [`TMP_SUFFIX`] and renamed, so a reader never sees half of one.
const SUFFIX: &str = ".json";
const TMP_SUFFIX: &str = ".tmp";

/// One journal: everything [`recover`] needs to find what a killed run may have left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// The helper's pid: while it runs, its sandbox may still be writing.
    pub pid: i32,
    /// The helper's start time (field 22 of `/proc/PID/stat`, clock ticks since boot), so a
    /// reused pid is not mistaken for the owner.
    pub start_time: u64,
    /// The project the paths belong to: the walk never judges the project's own path.
    pub project: PathBuf,
    /// Protected paths absent when the run started.
    pub paths: Vec<PathBuf>,
}

/// A written journal; dropping it deletes the file. Drop it only once the revert is done
/// (or nothing ran), never in a process that may still have sandboxed descendants. It holds
/// no descriptor: pid 1 is forked while it exists and must not inherit one to a host
/// directory.
#[derive(Debug)]
pub struct Pending {
    dir: PathBuf,
    name: String,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Ok(Some(fd)) = open_dir(&self.dir) {
            let _ = unlinkat(&fd, self.name.as_str(), UnlinkatFlags::NoRemoveDir);
        }
    }
}

fn journal_error(path: &Path, reason: impl std::fmt::Display) -> SandboxError {
    SandboxError::HelperSetup {
        step: format!("write the revert journal {}", path.display()),
        reason: format!(
            "{reason} (without it a killed run could leave planted files behind; fix the \
             directory or point XDG_STATE_HOME elsewhere)"
        ),
    }
}

/// Opens `dir` without following a symlink at its last component. `Ok(None)`: it does not
/// exist.
fn open_dir(dir: &Path) -> std::result::Result<Option<OwnedFd>, Errno> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    match nix::fcntl::open(dir, flags, Mode::empty()) {
        Ok(fd) => Ok(Some(fd)),
        Err(Errno::ENOENT) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Opens (creating it 0700 if needed) the journal directory, refusing a symlink or a
/// directory another user owns, and narrowing a group- or world-accessible one to 0700.
fn open_own_dir(dir: &Path) -> Result<OwnedFd> {
    let fd = match open_dir(dir) {
        Ok(Some(fd)) => fd,
        Ok(None) => {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| journal_error(dir, e))?;
            open_dir(dir)
                .map_err(|e| journal_error(dir, describe_open(dir, e)))?
                .ok_or_else(|| journal_error(dir, "vanished after it was created"))?
        }
        Err(e) => return Err(journal_error(dir, describe_open(dir, e))),
    };
    let st = fstat(&fd).map_err(|e| journal_error(dir, e))?;
    let me = nix::unistd::geteuid().as_raw();
    if st.st_uid != me {
        return Err(journal_error(
            dir,
            format!("owned by uid {}, not by this user (uid {me})", st.st_uid),
        ));
    }
    if st.st_mode & 0o077 != 0 {
        nix::sys::stat::fchmod(&fd, Mode::from_bits_truncate(0o700))
            .map_err(|e| journal_error(dir, e))?;
    }
    Ok(fd)
}

/// Why `dir` could not be opened; `O_NOFOLLOW | O_DIRECTORY` reports a symlink as `ENOTDIR`,
/// so the link is told apart with `lstat`.
fn describe_open(dir: &Path, e: Errno) -> String {
    let link = std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink());
    match e {
        _ if link => "is a symlink; creor keeps its journals only in a real directory".into(),
        Errno::ENOTDIR => "not a directory".into(),
        e => e.to_string(),
    }
}

/// This process's pid and start time.
fn this_process() -> std::io::Result<(i32, u64)> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let (_, start) = parse_stat(&stat).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "unreadable /proc/self/stat",
        )
    })?;
    Ok((std::process::id() as i32, start))
}

/// The state (field 3) and start time (field 22) of a `/proc/PID/stat` line. The command name
/// (field 2) may hold spaces and parentheses, so fields are counted after its last `)`.
pub fn parse_stat(stat: &str) -> Option<(char, u64)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?.chars().next()?;
    // After the state (field 3), field 22 is the 19th.
    let start = fields.nth(18)?.parse().ok()?;
    Some((state, start))
}

/// Whether the process that wrote a journal still runs. A zombie has already exited (its
/// sandbox got SIGKILL when it did). When `/proc` cannot tell, it counts as alive: leaving a
/// journal for later is safe, renaming a live run's files is not.
fn owner_alive(pid: i32, start_time: u64) -> bool {
    if pid <= 0 {
        return false;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => match parse_stat(&s) {
            Some((state, start)) => start == start_time && state != 'Z',
            None => true,
        },
        Err(e) => e.kind() != std::io::ErrorKind::NotFound,
    }
}

/// The file name of the journal of process `pid` started at `start_time`.
pub fn journal_name(pid: i32, start_time: u64) -> String {
    format!("{pid}-{start_time}{SUFFIX}")
}

/// The pid and start time a temporary journal's name (`.PID-START.tmp`) encodes.
fn tmp_owner(name: &str) -> Option<(i32, u64)> {
    let (pid, start) = name
        .strip_prefix('.')?
        .strip_suffix(TMP_SUFFIX)?
        .split_once('-')?;
    Some((pid.parse().ok()?, start.parse().ok()?))
}

/// Writes the journal for a run of this process in `dir` (created 0700 if missing): a temp
/// file renamed into place, so [`recover`] never reads half of one. Any failure is an error
/// the caller must refuse to run on: without the journal, a kill would leave no trace.
pub fn write(dir: &Path, project: &Path, paths: &[PathBuf]) -> Result<Pending> {
    let fd = open_own_dir(dir)?;
    let (pid, start_time) = this_process().map_err(|e| journal_error(dir, e))?;
    let record = Record {
        version: VERSION,
        pid,
        start_time,
        project: project.to_path_buf(),
        paths: paths.to_vec(),
    };
    let name = journal_name(pid, start_time);
    let path = dir.join(&name);
    let body = serde_json::to_vec(&record).map_err(|e| journal_error(&path, e))?;
    let tmp = format!(".{pid}-{start_time}{TMP_SUFFIX}");
    let flags =
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_TRUNC | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let file = openat(&fd, tmp.as_str(), flags, Mode::from_bits_truncate(0o600))
        .map_err(|e| journal_error(&path, e))?;
    let written = std::fs::File::from(file).write_all(&body);
    let renamed = written.map_err(|e| e.to_string()).and_then(|()| {
        nix::fcntl::renameat(&fd, tmp.as_str(), &fd, name.as_str()).map_err(|e| e.to_string())
    });
    if let Err(e) = renamed {
        let _ = unlinkat(&fd, tmp.as_str(), UnlinkatFlags::NoRemoveDir);
        return Err(journal_error(&path, e));
    }
    Ok(Pending {
        dir: dir.to_path_buf(),
        name,
    })
}

/// What one [`recover`] pass did.
#[derive(Debug, Default)]
pub struct Recovery {
    /// Paths renamed aside: (where it stood, where it is now, the killed run's pid).
    pub quarantined: Vec<(PathBuf, PathBuf, i32)>,
    /// Problems worth a line each (an unreadable journal, a path that could not be renamed).
    pub warnings: Vec<String>,
}

impl Recovery {
    /// One `creor: …` line per finding, for stderr.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .quarantined
            .iter()
            .map(|(from, to, pid)| {
                format!(
                    "creor: QUARANTINED {} -> {}: a sandboxed run (creor pid {pid}) was killed \
                     before creor could check this protected path; inspect it before using it",
                    from.display(),
                    to.display()
                )
            })
            .collect();
        out.extend(self.warnings.iter().map(|w| format!("creor: warning: {w}")));
        out
    }

    /// Prints [`Recovery::lines`] on stderr.
    pub fn print(&self) {
        for l in self.lines() {
            eprintln!("{l}");
        }
    }
}

/// Handles the journals in `dir` whose owner no longer runs: every listed path that now exists
/// is renamed aside ([`quarantine`]), then the journal is deleted. Journals of running owners
/// are left alone; an unreadable one is left too, with a warning. A missing `dir` is the
/// normal case and costs one failed `open`. Concurrent callers take turns (`flock` on the
/// directory).
pub fn recover(dir: &Path) -> Recovery {
    let mut out = Recovery::default();
    let fd = match open_dir(dir) {
        Ok(Some(fd)) => fd,
        // No directory there (or a link, never written through): no journal either.
        Ok(None) | Err(Errno::ENOTDIR | Errno::ELOOP) => return out,
        Err(e) => {
            out.warnings.push(format!(
                "revert journals {}: {}; not checked",
                dir.display(),
                describe_open(dir, e)
            ));
            return out;
        }
    };
    // One recovery at a time: two creor processes started together after a crash would
    // otherwise both act on one journal, and the second could put aside what the first one's
    // run has just made (an empty `.git/hooks`). Uncontended, this costs one system call.
    // SAFETY: flock on a descriptor we own; the lock goes when `fd` closes, at the end here.
    if unsafe { libc::flock(fd.as_raw_fd(), libc::LOCK_EX) } != 0 {
        out.warnings.push(format!(
            "revert journals {}: cannot lock: {}; not checked",
            dir.display(),
            std::io::Error::last_os_error()
        ));
        return out;
    }
    let entries = match nix::dir::Dir::openat(
        &fd,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    ) {
        Ok(d) => d,
        Err(e) => {
            out.warnings.push(format!(
                "revert journals {}: {e}; not checked",
                dir.display()
            ));
            return out;
        }
    };
    let mut names: Vec<OsString> = Vec::new();
    for entry in entries.into_iter().flatten() {
        let name = OsStr::from_bytes(entry.file_name().to_bytes());
        if name != "." && name != ".." {
            names.push(name.to_os_string());
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for name in names {
        let shown = dir.join(&name);
        let Some(text) = name.to_str() else {
            out.warnings.push(format!(
                "{} is not a revert journal; left alone",
                shown.display()
            ));
            continue;
        };
        if let Some((pid, start)) = tmp_owner(text) {
            // A journal that was never completed: its run never started.
            if !owner_alive(pid, start) {
                let _ = unlinkat(&fd, text, UnlinkatFlags::NoRemoveDir);
            }
            continue;
        }
        let record = match read_record(&fd, text) {
            Ok(r) => r,
            Err(e) => {
                out.warnings.push(format!(
                    "cannot read the revert journal {}: {e}; left alone (remove it once you \
                     have checked the paths it lists)",
                    shown.display()
                ));
                continue;
            }
        };
        if owner_alive(record.pid, record.start_time) {
            continue;
        }
        let mut done = true;
        for p in &record.paths {
            match quarantine(p, &record.project, now) {
                Ok(Some((from, to))) => out.quarantined.push((from, to, record.pid)),
                Ok(None) => {}
                Err(e) => {
                    done = false;
                    out.warnings.push(format!(
                        "a sandboxed run (creor pid {}) was killed before creor could check {}, \
                         and it could not be renamed aside: {e}; journal {} kept",
                        record.pid,
                        p.display(),
                        shown.display()
                    ));
                }
            }
        }
        if done {
            let _ = unlinkat(&fd, text, UnlinkatFlags::NoRemoveDir);
        }
    }
    out
}

fn read_record(dir: &OwnedFd, name: &str) -> std::result::Result<Record, String> {
    let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
    let fd = openat(dir, name, flags, Mode::empty()).map_err(|e| e.to_string())?;
    let st = fstat(&fd).map_err(|e| e.to_string())?;
    if SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits()) != SFlag::S_IFREG {
        return Err("not a regular file".into());
    }
    let mut body = Vec::new();
    std::fs::File::from(fd)
        .take(1 << 20)
        .read_to_end(&mut body)
        .map_err(|e| e.to_string())?;
    let record: Record = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    if record.version != VERSION {
        return Err(format!("unknown version {}", record.version));
    }
    Ok(record)
}

/// The name a quarantined `name` gets: `<name>.creor-quarantine-<secs>`, with `-<n>` added
/// when an earlier one took that name in the same second.
pub fn quarantine_name(name: &OsStr, secs: u64, attempt: u32) -> OsString {
    let mut out = name.to_os_string();
    out.push(format!(".creor-quarantine-{secs}"));
    if attempt > 0 {
        out.push(format!("-{attempt}"));
    }
    out
}

/// Renames aside what stands at the protected path `path` (absent when the killed run began),
/// never following a symlink. Like [`super::protect::revert_created`], the first thing on the
/// way that could not have been there is what gets moved: a symlink, a file where a directory
/// should be, or the path itself. The components of `project` itself must still be real
/// directories (else nothing is touched: the project moved). Returns (what was moved, its new
/// name).
pub fn quarantine(
    path: &Path,
    project: &Path,
    now: u64,
) -> std::io::Result<Option<(PathBuf, PathBuf)>> {
    let invalid =
        |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, why.to_string());
    if !path.is_absolute() || path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(invalid("not an absolute canonical path"));
    }
    // Components that belong to the project (kept as they are) and those below it (judged).
    let fixed = if path.starts_with(project) && project.is_absolute() {
        project.components().count()
    } else {
        1
    };
    let comps: Vec<&OsStr> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect();
    let walk = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut dir: OwnedFd = nix::fcntl::open("/", walk, Mode::empty())?;
    let mut at = PathBuf::from("/");
    for (i, name) in comps.iter().enumerate() {
        at.push(name);
        let judged = i + 1 >= fixed;
        let last = i + 1 == comps.len();
        let st = match fstatat(&dir, *name, nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            Err(Errno::ENOENT) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let kind = SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits());
        if !judged {
            if kind != SFlag::S_IFDIR {
                return Ok(None);
            }
        } else if last || kind != SFlag::S_IFDIR {
            let to = rename_aside(&dir, name, now)?;
            let moved = at.with_file_name(&to);
            return Ok(Some((at, moved)));
        }
        dir = openat(&dir, *name, walk, Mode::empty())?;
    }
    Ok(None)
}

/// Renames `name` in `dir` to its quarantine name, never replacing anything there.
fn rename_aside(dir: &impl AsFd, name: &OsStr, now: u64) -> std::io::Result<OsString> {
    let from = CString::new(name.as_bytes())?;
    for attempt in 0..100 {
        let to = quarantine_name(name, now, attempt);
        let to_c = CString::new(to.clone().into_vec())?;
        let fd = dir.as_fd().as_raw_fd();
        // SAFETY: valid fd and NUL-terminated names; renameat2 writes no memory of ours.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                fd,
                from.as_ptr(),
                fd,
                to_c.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(to);
        }
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EEXIST) {
            return Err(e);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "every quarantine name is taken",
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        let line = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 \
                    987654 1000 100";
        assert_eq!(parse_stat(line), Some(('S', 987654)));
        assert_eq!(parse_stat("12 (x) Z 1"), None);
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn this_process_is_alive_and_a_changed_start_time_is_not() {
        let (pid, start) = this_process().unwrap();
        assert!(owner_alive(pid, start));
        assert!(
            !owner_alive(pid, start + 1),
            "a reused pid counted as the owner"
        );
        assert!(!owner_alive(0, start));
    }

    #[test]
    fn names() {
        assert_eq!(journal_name(12, 34), "12-34.json");
        assert_eq!(tmp_owner(".12-34.tmp"), Some((12, 34)));
        assert_eq!(tmp_owner("12-34.json"), None);
        assert_eq!(
            quarantine_name(OsStr::new("hooks"), 1700000000, 0),
            "hooks.creor-quarantine-1700000000"
        );
        assert_eq!(
            quarantine_name(OsStr::new("creor.json"), 5, 2),
            "creor.json.creor-quarantine-5-2"
        );
    }

    /// A journal in `dir` for `project`, owned by this process, or by a process that died
    /// (this pid with another start time: what a reused pid looks like).
    fn plant_journal(dir: &Path, project: &Path, paths: &[PathBuf], alive: bool) -> PathBuf {
        let (pid, start) = this_process().unwrap();
        let start = if alive { start } else { start + 1 };
        std::fs::create_dir_all(dir).unwrap();
        let record = Record {
            version: VERSION,
            pid,
            start_time: start,
            project: project.to_path_buf(),
            paths: paths.to_vec(),
        };
        let file = dir.join(journal_name(pid, start));
        std::fs::write(&file, serde_json::to_vec(&record).unwrap()).unwrap();
        file
    }

    fn project() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().canonicalize().unwrap();
        let proj = root.join("p");
        std::fs::create_dir(&proj).unwrap();
        (d, root.join("state"), proj)
    }

    #[test]
    fn a_live_owners_journal_is_left_alone() {
        let (_d, state, proj) = project();
        std::fs::write(proj.join("creor.json"), "{}").unwrap();
        let j = plant_journal(&state, &proj, &[proj.join("creor.json")], true);
        let r = recover(&state);
        assert!(r.lines().is_empty(), "{:?}", r.lines());
        assert!(proj.join("creor.json").exists());
        assert!(j.exists(), "a live run's journal was removed");
    }

    #[test]
    fn a_dead_owners_paths_are_quarantined_not_deleted() {
        let (_d, state, proj) = project();
        std::fs::create_dir_all(proj.join(".git/hooks")).unwrap();
        std::fs::write(proj.join(".git/hooks/pre-commit"), "evil").unwrap();
        let paths = [proj.join(".git/hooks"), proj.join("creor.json")];
        let j = plant_journal(&state, &proj, &paths, false);
        let r = recover(&state);
        assert_eq!(r.quarantined.len(), 1, "{:?}", r.lines());
        let (from, to, _) = &r.quarantined[0];
        assert_eq!(from, &proj.join(".git/hooks"));
        assert!(to
            .to_string_lossy()
            .contains(".git/hooks.creor-quarantine-"));
        assert_eq!(
            std::fs::read_to_string(to.join("pre-commit")).unwrap(),
            "evil"
        );
        assert!(!proj.join(".git/hooks").exists());
        assert!(!j.exists(), "journal kept after recovery");
        assert!(r.lines()[0].contains(&from.display().to_string()));
    }

    #[test]
    fn a_planted_link_is_what_moves_never_its_target() {
        let (d, state, proj) = project();
        let outside = d.path().join("outside");
        std::fs::create_dir_all(outside.join("hooks")).unwrap();
        std::os::unix::fs::symlink(&outside, proj.join(".git")).unwrap();
        plant_journal(&state, &proj, &[proj.join(".git/hooks")], false);
        let r = recover(&state);
        assert_eq!(r.quarantined.len(), 1, "{:?}", r.lines());
        assert_eq!(r.quarantined[0].0, proj.join(".git"));
        assert!(outside.join("hooks").is_dir(), "followed the link");
        assert!(std::fs::symlink_metadata(&r.quarantined[0].1)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn a_project_that_became_a_link_is_not_touched() {
        let (d, state, proj) = project();
        let moved = d.path().join("moved");
        std::fs::rename(&proj, &moved).unwrap();
        std::fs::write(moved.join("creor.json"), "{}").unwrap();
        std::os::unix::fs::symlink(&moved, &proj).unwrap();
        plant_journal(&state, &proj, &[proj.join("creor.json")], false);
        let r = recover(&state);
        assert!(r.quarantined.is_empty(), "{:?}", r.lines());
        assert!(moved.join("creor.json").exists());
    }

    #[test]
    fn an_unreadable_journal_is_named_and_kept() {
        let (_d, state, _proj) = project();
        std::fs::create_dir_all(&state).unwrap();
        std::fs::write(state.join("1-2.json"), "not json").unwrap();
        let r = recover(&state);
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].contains(&state.join("1-2.json").display().to_string()));
        assert!(state.join("1-2.json").exists());
    }

    #[test]
    fn an_existing_quarantine_is_never_replaced() {
        let (_d, state, proj) = project();
        std::fs::write(proj.join("creor.json"), "new").unwrap();
        let now = 1_700_000_000;
        let first = proj.join(quarantine_name(OsStr::new("creor.json"), now, 0));
        std::fs::write(&first, "old").unwrap();
        let (_, to) = quarantine(&proj.join("creor.json"), &proj, now)
            .unwrap()
            .unwrap();
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "old");
        assert_eq!(std::fs::read_to_string(to).unwrap(), "new");
        drop(state);
    }

    #[test]
    fn write_then_drop_leaves_nothing_and_the_dir_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, state, proj) = project();
        let pending = write(&state, &proj, &[proj.join("creor.json")]).unwrap();
        let names: Vec<_> = std::fs::read_dir(&state).unwrap().collect();
        assert_eq!(names.len(), 1);
        let mode = std::fs::metadata(&state).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        drop(pending);
        assert_eq!(std::fs::read_dir(&state).unwrap().count(), 0);
    }

    #[test]
    fn write_refuses_a_linked_or_unusable_dir_naming_it() {
        let (d, state, proj) = project();
        std::fs::create_dir(d.path().join("real")).unwrap();
        std::os::unix::fs::symlink(d.path().join("real"), &state).unwrap();
        let e = write(&state, &proj, &[]).unwrap_err().to_string();
        assert!(
            e.contains(&state.display().to_string()) && e.contains("symlink"),
            "{e}"
        );
        let file = d.path().join("file");
        std::fs::write(&file, "").unwrap();
        let e = write(&file.join("pending-revert"), &proj, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains(&file.display().to_string()), "{e}");
    }

    #[test]
    fn record_round_trips() {
        let r = Record {
            version: VERSION,
            pid: 7,
            start_time: 8,
            project: "/p".into(),
            paths: vec!["/p/creor.json".into()],
        };
        let back: Record = serde_json::from_slice(&serde_json::to_vec(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }
}
