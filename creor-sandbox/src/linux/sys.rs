//! Thin wrappers over the raw syscalls that neither `nix` nor `libc` wrap (the new mount API,
//! pidfds, a fork-like `clone` with namespace flags). Each returns `io::Result` so callers can
//! name the step that failed.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// `AT_RECURSIVE` (apply to the whole mount tree).
pub const AT_RECURSIVE: libc::c_uint = 0x8000;
/// `OPEN_TREE_CLONE`: detach a copy of the tree (a bind mount not yet attached).
pub const OPEN_TREE_CLONE: libc::c_uint = 1;
/// `MOVE_MOUNT_F_EMPTY_PATH`: the source is the fd itself.
pub const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 4;
/// Mount attributes for `mount_setattr`.
pub const MOUNT_ATTR_RDONLY: u64 = 0x1;
/// No setuid/setgid honoured.
pub const MOUNT_ATTR_NOSUID: u64 = 0x2;
/// No device nodes.
pub const MOUNT_ATTR_NODEV: u64 = 0x4;
/// Idmapped mount (needs `userns_fd`).
pub const MOUNT_ATTR_IDMAP: u64 = 0x0010_0000;

#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// Converts a path to a C string, refusing interior NULs.
pub fn cstr(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))
}

fn check(rc: libc::c_long) -> io::Result<libc::c_long> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// `open_tree(AT_FDCWD, path, OPEN_TREE_CLONE|AT_RECURSIVE|CLOEXEC)`: a detached copy of the
/// mount tree at `path`, to be adjusted and attached elsewhere.
pub fn open_tree_clone(path: &Path) -> io::Result<OwnedFd> {
    let c = cstr(path)?;
    // SAFETY: valid NUL-terminated path; the kernel returns a new fd or -1.
    let fd = check(unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            libc::AT_FDCWD,
            c.as_ptr(),
            OPEN_TREE_CLONE | AT_RECURSIVE | libc::O_CLOEXEC as libc::c_uint,
        )
    })?;
    // SAFETY: the kernel just returned this fd and nobody else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// `mount_setattr(fd, "", AT_EMPTY_PATH|AT_RECURSIVE, …)` on a detached or attached tree.
pub fn mount_setattr(fd: RawFd, set: u64, clear: u64, userns: Option<RawFd>) -> io::Result<()> {
    let attr = MountAttr {
        attr_set: set,
        attr_clr: clear,
        propagation: 0,
        userns_fd: userns.map_or(0, |u| u as u64),
    };
    // SAFETY: `attr` is a valid mount_attr of the size passed; "" is a valid C string.
    check(unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            fd,
            c"".as_ptr(),
            libc::AT_EMPTY_PATH as libc::c_uint | AT_RECURSIVE,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    })?;
    Ok(())
}

/// `mount_setattr` on a path (not recursive): used to make one mount read-only.
pub fn mount_setattr_path(path: &Path, set: u64) -> io::Result<()> {
    let c = cstr(path)?;
    let attr = MountAttr {
        attr_set: set,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: valid path and attr struct of the given size.
    check(unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            c.as_ptr(),
            0,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    })?;
    Ok(())
}

/// `move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)`: attach a detached tree.
pub fn move_mount(fd: &OwnedFd, target: &Path) -> io::Result<()> {
    let c = cstr(target)?;
    // SAFETY: valid fd and paths.
    check(unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            fd.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_FDCWD,
            c.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    })?;
    Ok(())
}

/// `pidfd_open(pid, 0)`.
pub fn pidfd_open(pid: libc::pid_t) -> io::Result<OwnedFd> {
    // SAFETY: plain syscall returning a new fd.
    let fd = check(unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) })?;
    // SAFETY: fresh fd owned by us.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// `pidfd_send_signal(pidfd, sig, NULL, 0)`.
pub fn pidfd_send_signal(pidfd: RawFd, sig: libc::c_int) -> io::Result<()> {
    // SAFETY: plain syscall; a NULL siginfo is allowed.
    check(unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd,
            sig,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    })?;
    Ok(())
}

/// Fork-like `clone(flags|SIGCHLD)` on the current stack. Returns 0 in the child.
///
/// # Safety
/// The caller must be single-threaded (the helper is), as with `fork`.
pub unsafe fn clone_fork(flags: u64) -> io::Result<libc::pid_t> {
    // SAFETY: with a NULL stack the child runs on a copy-on-write copy of ours, like fork(2);
    // the caller guarantees no other thread holds locks.
    let rc = check(unsafe {
        libc::syscall(
            libc::SYS_clone,
            flags | libc::SIGCHLD as u64,
            0usize,
            0usize,
            0usize,
            0usize,
        )
    })?;
    Ok(rc as libc::pid_t)
}

/// The stack of a child that shares its parent's memory (`CLONE_VM`): a private mapping
/// with an inaccessible page below it, so an overflow faults in the child instead of
/// writing over the parent's memory.
pub struct ChildStack {
    base: *mut libc::c_void,
    len: usize,
}

impl ChildStack {
    /// The inaccessible page at the bottom of the mapping.
    const GUARD: usize = 4096;

    /// Maps `len` usable bytes plus the guard page.
    pub fn new(len: usize) -> io::Result<Self> {
        let total = len + Self::GUARD;
        // SAFETY: a fresh anonymous mapping; checked below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                total,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let stack = ChildStack { base, len: total };
        // SAFETY: the lowest page of the mapping we own.
        check(unsafe { libc::mprotect(base, Self::GUARD, libc::PROT_NONE) }.into())?;
        Ok(stack)
    }

    /// The usable part (above the guard page); the stack grows down from its end.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: the mapping is `len` bytes long and lives as long as `self`.
        unsafe {
            std::slice::from_raw_parts_mut(
                self.base.cast::<u8>().add(Self::GUARD),
                self.len - Self::GUARD,
            )
        }
    }
}

impl Drop for ChildStack {
    fn drop(&mut self) {
        // SAFETY: unmapping the mapping this value owns.
        unsafe { libc::munmap(self.base, self.len) };
    }
}

/// `close_range(first, ~0, 0)`: close every fd from `first` up.
pub fn close_from(first: libc::c_uint) -> io::Result<()> {
    // SAFETY: plain syscall.
    check(unsafe { libc::syscall(libc::SYS_close_range, first, libc::c_uint::MAX, 0) })?;
    Ok(())
}

/// `prctl(option, arg)` returning an error on failure.
pub fn prctl(option: libc::c_int, arg: libc::c_ulong) -> io::Result<()> {
    // SAFETY: the options used take one integer argument.
    check(unsafe { libc::prctl(option, arg, 0, 0, 0) } as libc::c_long)?;
    Ok(())
}

/// Whether this process has exactly one thread, from `/proc/self/status`. Forking (or
/// cloning into new namespaces) is only sound then; an unreadable answer counts as "no".
pub fn single_threaded() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .is_some_and(|n| n.trim() == "1")
    })
}
