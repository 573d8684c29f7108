//! Appending to and verifying a log file. Appends take an exclusive `flock`, read the last
//! line's hash, write one line and `fsync`, so concurrent sessions keep one valid chain.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::error::{AuditError, VerifyError};
use super::path::default_log_path;
use super::record::{timestamp, Entry, NewEntry, GENESIS_HASH};

/// An audit log file.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

/// Holds an exclusive `flock` until dropped.
struct Locked(File);

impl Locked {
    fn new(file: File, path: &Path) -> Result<Locked, AuditError> {
        // SAFETY: flock on a valid, owned fd; no memory is shared with the kernel.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if rc != 0 {
            return Err(AuditError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::last_os_error(),
            });
        }
        Ok(Locked(file))
    }
}

impl Drop for Locked {
    fn drop(&mut self) {
        // SAFETY: unlocking the fd we locked; closing would also release it.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

impl AuditLog {
    /// A log at an explicit path (tests, `--audit-log`).
    pub fn at(path: impl Into<PathBuf>) -> AuditLog {
        AuditLog { path: path.into() }
    }

    /// The project's log at its default path ([`default_log_path`]).
    pub fn for_project(project: &Path) -> Result<AuditLog, AuditError> {
        Ok(AuditLog::at(default_log_path(project)?))
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self) -> impl FnOnce(std::io::Error) -> AuditError + '_ {
        move |source| AuditError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends an entry chained to the last line and syncs it to disk. Creates the directory
    /// (mode 0700) and file (0600) if needed. Refuses to append after a torn or invalid last
    /// line.
    pub fn append(&self, new: &NewEntry) -> Result<Entry, AuditError> {
        self.append_inner(new, true)
    }

    /// [`AuditLog::append`] without the `fsync`: the line is in the kernel when this returns
    /// (a crash of creor loses nothing), on disk once [`AuditLog::sync`] runs. For decisions
    /// on a latency path, such as each proxied connection, where an `fsync` (about a
    /// millisecond) per entry would be most of the cost; see [`super::BackgroundSync`].
    pub fn append_unsynced(&self, new: &NewEntry) -> Result<Entry, AuditError> {
        self.append_inner(new, false)
    }

    /// Syncs everything appended so far to disk.
    pub fn sync(&self) -> Result<(), AuditError> {
        let file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(self.io())?;
        file.sync_data().map_err(self.io())
    }

    fn append_inner(&self, new: &NewEntry, sync: bool) -> Result<Entry, AuditError> {
        if let Some(dir) = self.path.parent() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(self.io())?;
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&self.path)
            .map_err(self.io())?;
        let mut locked = Locked::new(file, &self.path)?;
        let prev = self.last_hash(&mut locked.0)?;
        let time = timestamp();
        let entry = Entry::chain(new, time, &prev).map_err(AuditError::Encode)?;
        let mut line = serde_json::to_vec(&entry).map_err(|e| AuditError::Encode(e.to_string()))?;
        line.push(b'\n');
        locked.0.write_all(&line).map_err(self.io())?;
        if sync {
            locked.0.sync_data().map_err(self.io())?;
        }
        Ok(entry)
    }

    /// The hash of the last entry ([`GENESIS_HASH`] for an empty file), read from the tail.
    fn last_hash(&self, file: &mut File) -> Result<String, AuditError> {
        let len = file.seek(SeekFrom::End(0)).map_err(self.io())?;
        if len == 0 {
            return Ok(GENESIS_HASH.to_string());
        }
        let corrupt = |reason: &str| {
            AuditError::Corrupt(
                self.path.clone(),
                VerifyError {
                    line: 0,
                    reason: format!("last line: {reason}"),
                },
            )
        };
        let mut chunk = 4096u64;
        loop {
            let start = len.saturating_sub(chunk);
            file.seek(SeekFrom::Start(start)).map_err(self.io())?;
            let mut buf = Vec::new();
            Read::by_ref(file)
                .take(len - start)
                .read_to_end(&mut buf)
                .map_err(self.io())?;
            if buf.last() != Some(&b'\n') {
                return Err(corrupt("partial line (no trailing newline)"));
            }
            let body = &buf[..buf.len() - 1];
            match body.iter().rposition(|&b| b == b'\n') {
                Some(i) => return self.hash_of(&body[i + 1..]).map_err(|r| corrupt(&r)),
                None if start == 0 => return self.hash_of(body).map_err(|r| corrupt(&r)),
                None => chunk *= 4,
            }
        }
    }

    fn hash_of(&self, line: &[u8]) -> Result<String, String> {
        let e: Entry = serde_json::from_slice(line).map_err(|e| e.to_string())?;
        if e.compute_hash()? != e.hash {
            return Err("hash does not match its contents".into());
        }
        Ok(e.hash)
    }

    /// Checks the whole chain. Returns the number of entries, or the first bad line. A missing
    /// file is an empty, valid log.
    pub fn verify(&self) -> Result<usize, AuditError> {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(self.io()(e)),
        };
        let mut reader = BufReader::new(file);
        let mut prev = GENESIS_HASH.to_string();
        let mut n = 0;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let read = reader.read_until(b'\n', &mut buf).map_err(self.io())?;
            if read == 0 {
                return Ok(n);
            }
            n += 1;
            let bad = |reason: String| {
                AuditError::Corrupt(self.path.clone(), VerifyError { line: n, reason })
            };
            if buf.last() != Some(&b'\n') {
                return Err(bad("partial line (no trailing newline)".into()));
            }
            let e: Entry = serde_json::from_slice(&buf[..buf.len() - 1])
                .map_err(|e| bad(format!("not an audit entry: {e}")))?;
            if e.prev_hash != prev {
                return Err(bad("prev_hash does not match the previous line".into()));
            }
            if e.compute_hash().map_err(bad)? != e.hash {
                return Err(bad("hash does not match its contents".into()));
            }
            prev = e.hash;
        }
    }

    /// Reads every entry (no verification; call [`AuditLog::verify`] first when it matters).
    pub fn entries(&self) -> Result<Vec<Entry>, AuditError> {
        let text = match std::fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io()(e)),
        };
        text.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_slice(l).map_err(|e| {
                    AuditError::Corrupt(
                        self.path.clone(),
                        VerifyError {
                            line: i + 1,
                            reason: e.to_string(),
                        },
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn log_with(n: usize) -> (tempfile::TempDir, AuditLog) {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::at(dir.path().join("a/b/log.jsonl"));
        for i in 0..n {
            let mut e = NewEntry::new("s1", "user", "secret.dismiss", format!("f{i}"), "dismissed");
            e.details = serde_json::json!({"reason": "fixture", "n": i});
            log.append(&e).unwrap();
        }
        (dir, log)
    }

    #[test]
    fn appends_chain_and_verify() {
        let (_d, log) = log_with(3);
        assert_eq!(log.verify().unwrap(), 3);
        let entries = log.entries().unwrap();
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        assert_eq!(entries[2].target, "f2");
        let mode = std::fs::metadata(log.path()).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
    }

    #[test]
    fn verify_reports_first_bad_line() {
        let (_d, log) = log_with(4);
        let text = std::fs::read_to_string(log.path()).unwrap();
        let tampered = text.replacen("\"target\":\"f1\"", "\"target\":\"fX\"", 1);
        std::fs::write(log.path(), &tampered).unwrap();
        match log.verify() {
            Err(AuditError::Corrupt(_, v)) => {
                assert_eq!(v.line, 2);
                assert!(v.reason.contains("hash"), "{}", v.reason);
            }
            other => panic!("expected corruption, got {other:?}"),
        }
        // Dropping a line breaks the next one's prev_hash.
        let lines: Vec<&str> = text.lines().collect();
        let dropped = format!("{}\n{}\n{}\n", lines[0], lines[2], lines[3]);
        std::fs::write(log.path(), dropped).unwrap();
        match log.verify() {
            Err(AuditError::Corrupt(_, v)) => assert_eq!(v.line, 2),
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    #[test]
    fn torn_tail_refuses_append() {
        let (_d, log) = log_with(2);
        let mut f = OpenOptions::new().append(true).open(log.path()).unwrap();
        f.write_all(b"{\"time\":").unwrap();
        let e = log
            .append(&NewEntry::new("s", "user", "x", "y", "z"))
            .unwrap_err();
        assert!(e.to_string().contains("partial line"), "{e}");
        match log.verify() {
            Err(AuditError::Corrupt(_, v)) => assert_eq!(v.line, 3),
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    #[test]
    fn long_last_line_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::at(dir.path().join("log.jsonl"));
        let mut e = NewEntry::new("s", "user", "x", "y", "z");
        e.details = serde_json::json!({"big": "q".repeat(20_000)});
        log.append(&e).unwrap();
        log.append(&e).unwrap();
        assert_eq!(log.verify().unwrap(), 2);
    }
}
