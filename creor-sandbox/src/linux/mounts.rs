//! The sandbox's filesystem: a tmpfs root built from an allowlist of mounts.
//!
//! [`plan_mounts`] is pure: from the policy and a few facts about the host (which system
//! directories exist, which are symlinks, which policy paths are files) it produces the ordered
//! list of [`MountOp`]s. [`apply_mounts`] performs them inside pid 1's mount namespace, then
//! `pivot_root`s into the result. Nothing is mounted that the plan does not list: no `/run`,
//! no host `/tmp`, no home beyond the explicit read-only binds.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::sys;
use crate::error::{Result, SandboxError};
use crate::policy::{SandboxPolicy, TmpDir};

/// System directories bound read-only when they exist (symlinks are recreated as symlinks).
pub const SYSTEM_DIRS: &[&str] = &[
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix",
];

/// Device nodes bound from the host `/dev`; the bool says whether the command may write it.
pub const DEV_NODES: &[(&str, bool)] = &[
    ("null", true),
    ("zero", true),
    ("full", true),
    ("random", false),
    ("urandom", false),
    ("tty", true),
];

/// `/proc` entries re-bound read-only over the fresh procfs (`/proc/sys` always).
pub const PROC_READ_ONLY: &[&str] = &["sys", "sysrq-trigger", "irq", "bus", "fs"];

/// Where the staging root is built inside pid 1's private mount namespace.
pub const STAGING: &str = "/tmp";

/// What a host path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeKind {
    /// A directory.
    Dir,
    /// Anything else that can be bind-mounted (regular file, device node, socket refused
    /// earlier).
    File,
}

/// What the parent found on the host; the only input of [`plan_mounts`] besides the policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostFacts {
    /// Top-level system directories: `Some(target)` for a symlink, `None` for a directory.
    pub system: Vec<(PathBuf, Option<PathBuf>)>,
    /// Kind of every policy path that exists (read-only, read-write, protected, hidden, tmp).
    pub kinds: BTreeMap<PathBuf, NodeKind>,
    /// Bind rw trees through an idmapped mount (running as root).
    pub idmap: bool,
}

/// One step of building the root. Paths are as seen inside the sandbox (same as on the host).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MountOp {
    /// Bind host `src` at `dst` (recursively).
    Bind {
        /// Host path.
        src: PathBuf,
        /// Path inside.
        dst: PathBuf,
        /// Directory or file.
        kind: NodeKind,
        /// Read-write (else read-only).
        writable: bool,
        /// Through an idmapped mount made by the helper (root only).
        idmap: bool,
        /// Keep device nodes usable (only for `/dev` nodes).
        dev: bool,
    },
    /// A fresh tmpfs.
    Tmpfs {
        /// Path inside.
        dst: PathBuf,
        /// Size cap in bytes.
        size: u64,
        /// Mode of its root directory.
        mode: u32,
    },
    /// An empty directory on the (later read-only) staging root.
    Dir {
        /// Path inside.
        dst: PathBuf,
    },
    /// A symlink.
    Symlink {
        /// Path inside.
        dst: PathBuf,
        /// Link target.
        target: PathBuf,
    },
    /// A fresh procfs for the sandbox's pid namespace at `/proc`.
    Proc,
    /// Re-bind a path below `/proc` read-only (skipped if the kernel lacks it).
    ProcReadOnly {
        /// Path inside.
        dst: PathBuf,
    },
    /// A private devpts instance at `/dev/pts`.
    Devpts,
    /// Cover a path with an empty read-only mount so it can never be seen.
    Hide {
        /// Path inside.
        dst: PathBuf,
        /// What is being covered.
        kind: NodeKind,
    },
    /// Make one mount read-only after it was populated.
    ReadOnly {
        /// Path inside.
        dst: PathBuf,
    },
}

fn depth(p: &Path) -> usize {
    p.components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .count()
}

fn check_path(p: &Path) -> Result<()> {
    if !p.is_absolute() {
        return Err(SandboxError::Path {
            path: p.to_path_buf(),
            reason: "not absolute".into(),
        });
    }
    if p.components()
        .any(|c| matches!(c, Component::ParentDir | Component::CurDir))
    {
        return Err(SandboxError::Path {
            path: p.to_path_buf(),
            reason: "not canonical (contains . or ..)".into(),
        });
    }
    Ok(())
}

/// Builds the ordered mount list. Pure: no syscalls.
pub fn plan_mounts(policy: &SandboxPolicy, facts: &HostFacts) -> Result<Vec<MountOp>> {
    let mut ops = Vec::new();
    // Binds: system dirs, read-only extras, project, read-write extras, protected; parents first.
    let mut binds: Vec<(PathBuf, PathBuf, bool, bool)> = Vec::new(); // src, dst, writable, idmap
    let mut links = Vec::new();
    for (dir, link) in &facts.system {
        match link {
            Some(target) => links.push(MountOp::Symlink {
                dst: dir.clone(),
                target: target.clone(),
            }),
            None => binds.push((dir.clone(), dir.clone(), false, false)),
        }
    }
    let kind_of = |p: &Path| -> Result<NodeKind> {
        facts
            .kinds
            .get(p)
            .copied()
            .ok_or_else(|| SandboxError::Path {
                path: p.to_path_buf(),
                reason: "does not exist".into(),
            })
    };
    for p in &policy.read_only {
        check_path(p)?;
        binds.push((p.clone(), p.clone(), false, false));
    }
    check_path(&policy.project)?;
    binds.push((
        policy.project.clone(),
        policy.project.clone(),
        true,
        facts.idmap,
    ));
    for p in &policy.read_write {
        check_path(p)?;
        binds.push((p.clone(), p.clone(), true, facts.idmap));
    }
    for p in &policy.protected {
        check_path(p)?;
        // A protected path that does not exist has nothing to re-bind; one outside every bound
        // tree is invisible anyway.
        if facts.kinds.contains_key(p) && binds.iter().any(|(_, d, _, _)| p.starts_with(d)) {
            binds.push((p.clone(), p.clone(), false, false));
        }
    }
    for h in &policy.hidden {
        check_path(h)?;
        if let Some((_, d, _, _)) = binds.iter().find(|(_, d, _, _)| d.starts_with(h)) {
            return Err(SandboxError::Path {
                path: d.clone(),
                reason: format!("lies inside the hidden path {}", h.display()),
            });
        }
    }
    for (_, d, _, _) in &binds {
        if d == Path::new("/") || d.starts_with("/proc") || d.starts_with("/dev") {
            return Err(SandboxError::Path {
                path: d.clone(),
                reason: "cannot be bound (/, /proc and /dev are built by the sandbox)".into(),
            });
        }
    }
    binds.sort_by_key(|(_, d, _, _)| depth(d));
    links.sort_by_key(|op| match op {
        MountOp::Symlink { dst, .. } => dst.clone(),
        _ => PathBuf::new(),
    });
    ops.extend(links);
    if let Some(home) = env_path(&policy.env, "HOME") {
        if binds.iter().all(|(_, d, _, _)| !home.starts_with(d)) {
            ops.push(MountOp::Dir { dst: home });
        }
    }
    let tmp_op = match &policy.tmp {
        TmpDir::Fresh { size_bytes } => MountOp::Tmpfs {
            dst: "/tmp".into(),
            size: *size_bytes,
            mode: 0o1777,
        },
        TmpDir::Session { host_dir, .. } => {
            check_path(host_dir)?;
            kind_of(host_dir)?;
            MountOp::Bind {
                src: host_dir.clone(),
                dst: "/tmp".into(),
                kind: NodeKind::Dir,
                writable: true,
                idmap: facts.idmap,
                dev: false,
            }
        }
    };
    let mut tmp_op = Some(tmp_op);
    for (src, dst, writable, idmap) in binds {
        if dst == Path::new("/tmp") {
            return Err(SandboxError::Path {
                path: dst,
                reason: "the host /tmp is never bound; the sandbox has its own".into(),
            });
        }
        // The private /tmp goes in before anything below it (a project under /tmp).
        if depth(&dst) > 1 || dst.as_path() > Path::new("/tmp") {
            ops.extend(tmp_op.take());
        }

        let kind = if facts.system.iter().any(|(d, _)| *d == dst) {
            NodeKind::Dir
        } else {
            kind_of(&src)?
        };
        ops.push(MountOp::Bind {
            src,
            dst,
            kind,
            writable,
            idmap,
            dev: false,
        });
    }
    ops.extend(tmp_op.take());
    ops.push(MountOp::Tmpfs {
        dst: "/dev".into(),
        size: 64 << 10,
        mode: 0o755,
    });
    for (node, _) in DEV_NODES {
        let p = Path::new("/dev").join(node);
        if !facts.kinds.contains_key(&p) {
            continue;
        }
        ops.push(MountOp::Bind {
            src: p.clone(),
            dst: p,
            kind: NodeKind::File,
            writable: true,
            idmap: false,
            dev: true,
        });
    }
    for (name, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
        ("ptmx", "pts/ptmx"),
    ] {
        ops.push(MountOp::Symlink {
            dst: Path::new("/dev").join(name),
            target: target.into(),
        });
    }
    ops.push(MountOp::Devpts);
    ops.push(MountOp::Tmpfs {
        dst: "/dev/shm".into(),
        size: match &policy.tmp {
            TmpDir::Fresh { size_bytes } | TmpDir::Session { size_bytes, .. } => *size_bytes,
        },
        mode: 0o1777,
    });
    ops.push(MountOp::ReadOnly { dst: "/dev".into() });
    ops.push(MountOp::Proc);
    for p in PROC_READ_ONLY {
        ops.push(MountOp::ProcReadOnly {
            dst: Path::new("/proc").join(p),
        });
    }
    // A hidden host path is visible wherever a bind's source contains it.
    let bound: Vec<(PathBuf, PathBuf)> = ops
        .iter()
        .filter_map(|op| match op {
            MountOp::Bind { src, dst, .. } => Some((src.clone(), dst.clone())),
            _ => None,
        })
        .collect();
    for h in &policy.hidden {
        let Some(kind) = facts.kinds.get(h) else {
            continue;
        };
        for (src, dst) in &bound {
            if let Ok(rest) = h.strip_prefix(src) {
                let at = dst.join(rest);
                if !ops
                    .iter()
                    .any(|op| matches!(op, MountOp::Hide { dst, .. } if *dst == at))
                {
                    ops.push(MountOp::Hide {
                        dst: at,
                        kind: *kind,
                    });
                }
            }
        }
    }
    check_path(&policy.cwd)?;
    let visible = ops.iter().any(|op| match op {
        MountOp::Bind { dst, kind, .. } => *kind == NodeKind::Dir && policy.cwd.starts_with(dst),
        MountOp::Dir { dst } => policy.cwd == *dst,
        MountOp::Tmpfs { dst, .. } => policy.cwd.starts_with(dst),
        _ => false,
    });
    if !visible {
        return Err(SandboxError::Path {
            path: policy.cwd.clone(),
            reason: "the working directory is not visible inside the sandbox".into(),
        });
    }
    Ok(ops)
}

fn env_path(env: &[(OsString, OsString)], key: &str) -> Option<PathBuf> {
    env.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| PathBuf::from(v))
        .filter(|p| p.is_absolute() && depth(p) > 0)
}

fn staged(dst: &Path) -> PathBuf {
    let rel = dst.strip_prefix("/").unwrap_or(dst);
    Path::new(STAGING).join(rel)
}

fn step(what: &str, path: &Path, e: io::Error) -> SandboxError {
    SandboxError::HelperSetup {
        step: format!("{what} {}", path.display()),
        reason: e.to_string(),
    }
}

/// Opens every bind source as a detached tree (before the staging tmpfs hides anything) and
/// sets its flags. `idmapped` holds the trees the helper already idmapped, in plan order.
pub fn open_sources(ops: &[MountOp], mut idmapped: Vec<OwnedFd>) -> Result<Vec<Option<OwnedFd>>> {
    idmapped.reverse();
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let MountOp::Bind {
            src,
            writable,
            idmap,
            dev,
            ..
        } = op
        else {
            out.push(None);
            continue;
        };
        let fd = if *idmap {
            idmapped.pop().ok_or_else(|| SandboxError::HelperSetup {
                step: format!("idmapped mount of {}", src.display()),
                reason: "the helper sent fewer idmapped trees than planned".into(),
            })?
        } else {
            sys::open_tree_clone(src).map_err(|e| step("open_tree", src, e))?
        };
        let mut set = sys::MOUNT_ATTR_NOSUID;
        if !writable {
            set |= sys::MOUNT_ATTR_RDONLY;
        }
        if !dev {
            set |= sys::MOUNT_ATTR_NODEV;
        }
        sys::mount_setattr(fd.as_raw_fd(), set, 0, None)
            .map_err(|e| step("mount_setattr (read-only/nosuid/nodev)", src, e))?;
        out.push(Some(fd));
    }
    Ok(out)
}

fn mkdirs(p: &Path) -> Result<()> {
    std::fs::create_dir_all(p).map_err(|e| step("mkdir", p, e))
}

fn mkfile(p: &Path) -> Result<()> {
    if let Some(parent) = p.parent() {
        mkdirs(parent)?;
    }
    if std::fs::symlink_metadata(p).is_err() {
        std::fs::File::create(p).map_err(|e| step("create mount point", p, e))?;
    }
    Ok(())
}

fn tmpfs(target: &Path, size: u64, mode: u32) -> Result<()> {
    use nix::mount::{mount, MsFlags};
    let data = format!("size={size},mode={mode:o}");
    mount(
        Some("tmpfs"),
        target,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(data.as_str()),
    )
    .map_err(|e| step("mount tmpfs", target, e.into()))
}

/// Builds the root at [`STAGING`] and pivots into it. Runs in pid 1, inside the new user,
/// mount and pid namespaces, single-threaded.
pub fn apply_mounts(ops: &[MountOp], sources: Vec<Option<OwnedFd>>) -> Result<()> {
    use nix::mount::{mount, umount2, MntFlags, MsFlags};
    let staging = Path::new(STAGING);
    tmpfs(staging, 1 << 20, 0o755)?;
    for (op, fd) in ops.iter().zip(sources) {
        match op {
            MountOp::Bind { dst, kind, .. } => {
                let target = staged(dst);
                match kind {
                    NodeKind::Dir => mkdirs(&target)?,
                    NodeKind::File => mkfile(&target)?,
                }
                let fd = fd.ok_or_else(|| SandboxError::HelperSetup {
                    step: format!("bind {}", dst.display()),
                    reason: "source tree missing".into(),
                })?;
                sys::move_mount(&fd, &target).map_err(|e| step("move_mount", dst, e))?;
            }
            MountOp::Tmpfs { dst, size, mode } => {
                let target = staged(dst);
                mkdirs(&target)?;
                tmpfs(&target, *size, *mode)?;
            }
            MountOp::Dir { dst } => mkdirs(&staged(dst))?,
            MountOp::Symlink { dst, target } => {
                let at = staged(dst);
                if let Some(parent) = at.parent() {
                    mkdirs(parent)?;
                }
                std::os::unix::fs::symlink(target, &at).map_err(|e| step("symlink", dst, e))?;
            }
            MountOp::Proc => {
                let target = staged(Path::new("/proc"));
                mkdirs(&target)?;
                mount(
                    Some("proc"),
                    &target,
                    Some("proc"),
                    MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
                    None::<&str>,
                )
                .map_err(|e| step("mount proc", &target, e.into()))?;
            }
            MountOp::ProcReadOnly { dst } => {
                let target = staged(dst);
                if std::fs::symlink_metadata(&target).is_err() {
                    continue;
                }
                let fd = sys::open_tree_clone(&target).map_err(|e| step("open_tree", dst, e))?;
                sys::mount_setattr(
                    fd.as_raw_fd(),
                    sys::MOUNT_ATTR_RDONLY | sys::MOUNT_ATTR_NOSUID | sys::MOUNT_ATTR_NODEV,
                    0,
                    None,
                )
                .map_err(|e| step("mount_setattr read-only", dst, e))?;
                sys::move_mount(&fd, &target).map_err(|e| step("move_mount", dst, e))?;
            }
            MountOp::Devpts => {
                let target = staged(Path::new("/dev/pts"));
                mkdirs(&target)?;
                mount(
                    Some("devpts"),
                    &target,
                    Some("devpts"),
                    MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
                    Some("newinstance,ptmxmode=0666,mode=620"),
                )
                .map_err(|e| step("mount devpts", &target, e.into()))?;
            }
            MountOp::Hide { dst, kind } => {
                let target = staged(dst);
                match kind {
                    NodeKind::Dir => {
                        tmpfs(&target, 4096, 0)?;
                        sys::mount_setattr_path(&target, sys::MOUNT_ATTR_RDONLY)
                            .map_err(|e| step("hide (read-only)", dst, e))?;
                    }
                    NodeKind::File => {
                        let empty = staging.join(".creor-empty");
                        mkfile(&empty)?;
                        let fd = sys::open_tree_clone(&empty)
                            .map_err(|e| step("open_tree", &empty, e))?;
                        sys::mount_setattr(fd.as_raw_fd(), sys::MOUNT_ATTR_RDONLY, 0, None)
                            .map_err(|e| step("hide (read-only)", dst, e))?;
                        sys::move_mount(&fd, &target).map_err(|e| step("hide", dst, e))?;
                    }
                }
            }
            MountOp::ReadOnly { dst } => {
                let target = staged(dst);
                mount(
                    None::<&str>,
                    &target,
                    None::<&str>,
                    MsFlags::MS_REMOUNT
                        | MsFlags::MS_BIND
                        | MsFlags::MS_RDONLY
                        | MsFlags::MS_NOSUID,
                    None::<&str>,
                )
                .map_err(|e| step("remount read-only", dst, e.into()))?;
            }
        }
    }
    nix::unistd::chdir(staging).map_err(|e| step("chdir", staging, e.into()))?;
    nix::unistd::pivot_root(".", ".").map_err(|e| step("pivot_root", staging, e.into()))?;
    umount2(".", MntFlags::MNT_DETACH)
        .map_err(|e| step("detach old root", Path::new("/"), e.into()))?;
    nix::unistd::chdir("/").map_err(|e| step("chdir", Path::new("/"), e.into()))?;
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REMOUNT
            | MsFlags::MS_BIND
            | MsFlags::MS_RDONLY
            | MsFlags::MS_NOSUID
            | MsFlags::MS_NODEV,
        None::<&str>,
    )
    .map_err(|e| step("remount read-only", Path::new("/"), e.into()))?;
    Ok(())
}

/// Makes every mount private so nothing propagates back to the host.
pub fn make_private() -> Result<()> {
    use nix::mount::{mount, MsFlags};
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .map_err(|e| step("make mounts private", Path::new("/"), e.into()))
}

#[cfg(test)]
#[path = "mounts_tests.rs"]
mod tests;
