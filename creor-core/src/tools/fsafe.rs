//! Opening files so that a symlink swapped in after the permission decision cannot redirect
//! the open.
//!
//! The engine judges a canonical path (every symlink already resolved). The tools then open
//! that same path relative to a directory fd (the project, the session's `/tmp`, or `/`) with
//! `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`: a canonical path
//! contains no symlinks, so any symlink found at open time was put there afterwards and the
//! open fails instead of following it. Kernels without `openat2` (before 5.6) get the same
//! guarantee from a component-by-component walk with `O_NOFOLLOW`.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path};

/// Kernel ABI of `struct open_how` (linux/openat2.h).
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
const RESOLVE_NO_SYMLINKS: u64 = 0x04;
const RESOLVE_BENEATH: u64 = 0x08;

/// How to open the final component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Read only.
    Read,
    /// Create or truncate for writing (mode 0644 before umask).
    Write,
    /// A directory, for listing.
    Directory,
}

impl OpenMode {
    fn flags(self) -> libc::c_int {
        match self {
            // O_NONBLOCK: a FIFO planted by a command must not hang the open (callers then
            // refuse anything but a regular file); it has no effect on regular files.
            OpenMode::Read => libc::O_RDONLY | libc::O_NONBLOCK,
            OpenMode::Write => libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_NONBLOCK,
            OpenMode::Directory => libc::O_RDONLY | libc::O_DIRECTORY,
        }
    }
}

/// Opens `rel` beneath the directory `anchor`, refusing symlinks anywhere on the way and
/// anything that would leave `anchor`. `rel` must be relative with only normal components.
pub fn open_beneath(anchor: &Path, rel: &Path, mode: OpenMode) -> io::Result<File> {
    check_relative(rel)?;
    let dir = open_dir(anchor)?;
    match openat2(&dir, rel, mode) {
        Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => walk_open(&dir, rel, mode),
        other => other,
    }
}

/// Reads one line (through `\n`) into `buf`, keeping at most `cap` bytes of it and skipping
/// the rest, so a file with one enormous line cannot exhaust memory. Returns the bytes consumed.
pub fn read_line_capped(
    r: &mut impl std::io::BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<usize> {
    let mut consumed = 0;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(consumed);
        }
        let (used, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..used.min(room)]);
        r.consume(used);
        consumed += used;
        if done {
            return Ok(consumed);
        }
    }
}

/// Creates the directories of `rel` beneath `anchor` (like `mkdir -p`), never following a
/// symlink.
pub fn create_dirs_beneath(anchor: &Path, rel: &Path) -> io::Result<()> {
    check_relative(rel)?;
    let mut cur = open_dir(anchor)?;
    for comp in rel.components() {
        let name = cstr(comp.as_os_str().as_bytes())?;
        // SAFETY: `cur` is a valid directory fd and `name` a NUL-terminated string.
        let rc = unsafe { libc::mkdirat(cur.as_raw_fd(), name.as_ptr(), 0o755) };
        if rc != 0 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EEXIST) {
                return Err(e);
            }
        }
        cur = openat_raw(
            &cur,
            &name,
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
        )?;
    }
    Ok(())
}

fn check_relative(rel: &Path) -> io::Result<()> {
    if rel.as_os_str().is_empty() {
        return Ok(());
    }
    if rel
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a plain relative path", rel.display()),
        ))
    }
}

fn cstr(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in path"))
}

fn open_dir(anchor: &Path) -> io::Result<OwnedFd> {
    let p = cstr(anchor.as_os_str().as_bytes())?;
    // SAFETY: `p` is NUL-terminated; the returned fd is checked before being owned.
    let fd = unsafe {
        libc::open(
            p.as_ptr(),
            libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC | libc::O_NOFOLLOW,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by open(2) and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn openat_raw(dir: &OwnedFd, name: &CString, flags: libc::c_int) -> io::Result<OwnedFd> {
    // SAFETY: valid dir fd, NUL-terminated name; the mode argument is read only with O_CREAT.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            name.as_ptr(),
            flags | libc::O_CLOEXEC,
            0o644 as libc::c_uint,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by openat(2) and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn openat2(dir: &OwnedFd, rel: &Path, mode: OpenMode) -> io::Result<File> {
    let target = if rel.as_os_str().is_empty() {
        cstr(b".")?
    } else {
        cstr(rel.as_os_str().as_bytes())?
    };
    let how = OpenHow {
        flags: (mode.flags() | libc::O_CLOEXEC | libc::O_NOFOLLOW) as u64,
        mode: if mode == OpenMode::Write { 0o644 } else { 0 },
        resolve: RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    // SAFETY: openat2(2) with a valid dir fd, a NUL-terminated path and a correctly sized
    // `open_how`; the result is checked before being owned.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            dir.as_raw_fd(),
            target.as_ptr(),
            &how as *const OpenHow,
            std::mem::size_of::<OpenHow>(),
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = libc::c_int::try_from(fd).map_err(|_| io::Error::other("fd out of range"))?;
    // SAFETY: `fd` was just returned by openat2(2) and is owned by nobody else.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}

/// The pre-openat2 fallback: one `openat(O_NOFOLLOW)` per component.
pub(crate) fn walk_open(dir: &OwnedFd, rel: &Path, mode: OpenMode) -> io::Result<File> {
    let comps: Vec<&[u8]> = rel
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .map(|c| c.as_os_str().as_bytes())
        .collect();
    let Some((last, parents)) = comps.split_last() else {
        let dot = cstr(b".")?;
        return openat_raw(dir, &dot, mode.flags()).map(File::from);
    };
    let mut cur: Option<OwnedFd> = None;
    for p in parents {
        let name = cstr(p)?;
        let base = cur.as_ref().unwrap_or(dir);
        cur = Some(openat_raw(
            base,
            &name,
            libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW,
        )?);
    }
    let name = cstr(last)?;
    let base = cur.as_ref().unwrap_or(dir);
    openat_raw(base, &name, mode.flags() | libc::O_NOFOLLOW).map(File::from)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::{Read, Write};
    use std::os::unix::fs::symlink;

    fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("proj/sub")).unwrap();
        std::fs::write(root.join("proj/sub/a.txt"), "inside").unwrap();
        std::fs::create_dir_all(root.join("secret")).unwrap();
        std::fs::write(root.join("secret/a.txt"), "outside").unwrap();
        (t, root)
    }

    fn read(f: io::Result<File>) -> io::Result<String> {
        let mut s = String::new();
        f?.read_to_string(&mut s)?;
        Ok(s)
    }

    #[test]
    fn opens_plain_file() {
        let (_t, root) = setup();
        let s = read(open_beneath(
            &root.join("proj"),
            Path::new("sub/a.txt"),
            OpenMode::Read,
        ));
        assert_eq!(s.unwrap(), "inside");
    }

    #[test]
    fn directory_swapped_for_symlink_is_refused() {
        let (_t, root) = setup();
        let proj = root.join("proj");
        // The decision was made on proj/sub/a.txt; now `sub` becomes a symlink out.
        std::fs::rename(proj.join("sub"), proj.join("old")).unwrap();
        symlink(root.join("secret"), proj.join("sub")).unwrap();
        let err = read(open_beneath(&proj, Path::new("sub/a.txt"), OpenMode::Read)).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ELOOP), "{err}");
        let dir = open_dir(&proj).unwrap();
        let err = read(walk_open(&dir, Path::new("sub/a.txt"), OpenMode::Read)).unwrap_err();
        assert!(
            matches!(err.raw_os_error(), Some(libc::ENOTDIR) | Some(libc::ELOOP)),
            "{err}"
        );
    }

    #[test]
    fn file_swapped_for_symlink_is_refused_even_inside() {
        let (_t, root) = setup();
        let proj = root.join("proj");
        std::fs::write(proj.join("env"), "TOKEN").unwrap();
        std::fs::remove_file(proj.join("sub/a.txt")).unwrap();
        symlink(proj.join("env"), proj.join("sub/a.txt")).unwrap();
        assert!(read(open_beneath(&proj, Path::new("sub/a.txt"), OpenMode::Read)).is_err());
        let dir = open_dir(&proj).unwrap();
        let err = read(walk_open(&dir, Path::new("sub/a.txt"), OpenMode::Read)).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ELOOP), "{err}");
        // And writing through it does not touch the target.
        assert!(open_beneath(&proj, Path::new("sub/a.txt"), OpenMode::Write).is_err());
        assert_eq!(std::fs::read_to_string(proj.join("env")).unwrap(), "TOKEN");
    }

    #[test]
    fn long_lines_are_capped_but_fully_consumed() {
        let data = format!("{}\nnext\n", "x".repeat(100_000));
        let mut r = std::io::BufReader::new(data.as_bytes());
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut buf, 10).unwrap(), 100_001);
        assert_eq!(buf, b"xxxxxxxxxx");
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 10).unwrap(), 5);
        assert_eq!(buf, b"next\n");
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 10).unwrap(), 0);
    }

    #[test]
    fn a_fifo_does_not_hang_the_open() {
        let (_t, root) = setup();
        let proj = root.join("proj");
        let name = std::ffi::CString::new(proj.join("pipe").as_os_str().as_bytes()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        let f = open_beneath(&proj, Path::new("pipe"), OpenMode::Read).unwrap();
        assert!(!f.metadata().unwrap().is_file());
        drop(f);
        // No reader: a non-blocking write open fails at once (ENXIO) instead of waiting.
        let err = open_beneath(&proj, Path::new("pipe"), OpenMode::Write).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENXIO), "{err}");
    }

    #[test]
    fn dotdot_is_rejected() {
        let (_t, root) = setup();
        let err = open_beneath(
            &root.join("proj"),
            Path::new("../secret/a.txt"),
            OpenMode::Read,
        )
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn creates_dirs_and_writes() {
        let (_t, root) = setup();
        let proj = root.join("proj");
        create_dirs_beneath(&proj, Path::new("n1/n2")).unwrap();
        let mut f = open_beneath(&proj, Path::new("n1/n2/f.txt"), OpenMode::Write).unwrap();
        f.write_all(b"hi").unwrap();
        assert_eq!(
            std::fs::read_to_string(proj.join("n1/n2/f.txt")).unwrap(),
            "hi"
        );
    }

    #[test]
    fn create_dirs_refuses_symlinked_component() {
        let (_t, root) = setup();
        let proj = root.join("proj");
        symlink(root.join("secret"), proj.join("link")).unwrap();
        assert!(create_dirs_beneath(&proj, Path::new("link/x")).is_err());
        assert!(!root.join("secret/x").exists());
    }
}
