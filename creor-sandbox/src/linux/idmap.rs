//! User and group id mapping.
//!
//! As a normal user the sandbox maps the user's own uid/gid to itself: nothing changes. As root
//! it never maps 0→0 (a uid-0 sandbox can write host `/proc/sys` files with no capabilities):
//! inside uid 0 is host uid [`SANDBOX_HOST_ID`], an id no host account uses. The project and
//! other writable trees, often root-owned, are then bound through idmapped mounts that show
//! host root's files as owned by the sandbox uid; files it creates land on disk owned by root.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::sys;
use crate::error::{Result, SandboxError};

/// The unprivileged host uid/gid a root-launched sandbox runs as.
pub const SANDBOX_HOST_ID: u32 = 100_000;

/// The id maps of the sandbox's user namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdPlan {
    /// uid inside the sandbox.
    pub inside_uid: u32,
    /// gid inside the sandbox.
    pub inside_gid: u32,
    /// Host uid it maps to.
    pub host_uid: u32,
    /// Host gid it maps to.
    pub host_gid: u32,
}

/// Plans the maps for a launcher running as `euid`/`egid`.
pub fn plan_ids(euid: u32, egid: u32) -> IdPlan {
    if euid == 0 {
        IdPlan {
            inside_uid: 0,
            inside_gid: 0,
            host_uid: SANDBOX_HOST_ID,
            host_gid: SANDBOX_HOST_ID,
        }
    } else {
        IdPlan {
            inside_uid: euid,
            inside_gid: egid,
            host_uid: euid,
            host_gid: egid,
        }
    }
}

impl IdPlan {
    /// Whether the launcher is root, so writable trees need idmapped mounts.
    pub fn needs_idmap(&self) -> bool {
        self.host_uid != self.inside_uid
    }

    /// The `uid_map` line.
    pub fn uid_map(&self) -> String {
        format!("{} {} 1\n", self.inside_uid, self.host_uid)
    }

    /// The `gid_map` line.
    pub fn gid_map(&self) -> String {
        format!("{} {} 1\n", self.inside_gid, self.host_gid)
    }
}

fn write_proc(pid: libc::pid_t, file: &str, data: &str) -> Result<()> {
    let path = format!("/proc/{pid}/{file}");
    std::fs::write(&path, data).map_err(|e| SandboxError::HelperSetup {
        step: format!("write {file}"),
        reason: format!("{e} (writing {data:?} to {path})"),
    })
}

/// Writes `setgroups deny`, then the gid and uid maps of `pid`'s user namespace.
pub fn write_maps(pid: libc::pid_t, ids: &IdPlan) -> Result<()> {
    write_proc(pid, "setgroups", "deny")?;
    write_proc(pid, "gid_map", &ids.gid_map())?;
    write_proc(pid, "uid_map", &ids.uid_map())
}

/// Makes a detached, idmapped copy of the tree at `src`, using the user namespace of `pid`
/// (which maps inside 0 to the sandbox uid). Needs host `CAP_SYS_ADMIN`: runs in the helper.
pub fn idmapped_tree(src: &Path, userns: &OwnedFd) -> Result<OwnedFd> {
    let fd = sys::open_tree_clone(src).map_err(|e| SandboxError::HelperSetup {
        step: format!("open_tree {}", src.display()),
        reason: e.to_string(),
    })?;
    sys::mount_setattr(
        fd.as_raw_fd(),
        sys::MOUNT_ATTR_IDMAP,
        0,
        Some(userns.as_raw_fd()),
    )
    .map_err(|e| refused(src, e))?;
    Ok(fd)
}

fn refused(src: &Path, e: io::Error) -> SandboxError {
    let fs = fs_type(src).unwrap_or_else(|| "unknown".into());
    SandboxError::HelperSetup {
        step: format!("idmapped mount of {}", src.display()),
        reason: format!(
            "the {fs} filesystem refuses idmapped mounts ({e}); as root creor only runs with the \
             project on a filesystem that supports them (ext4, xfs, btrfs, tmpfs, overlayfs); \
             fix: move the project there, or run creor as a normal user"
        ),
    }
}

/// The filesystem type holding `path`, from `/proc/self/mountinfo` (best effort, for messages).
pub fn fs_type(path: &Path) -> Option<String> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mut best: Option<(usize, String)> = None;
    for line in info.lines() {
        let mut halves = line.splitn(2, " - ");
        let left: Vec<&str> = halves.next()?.split(' ').collect();
        let fstype = halves.next()?.split(' ').next()?.to_string();
        let mnt = Path::new(left.get(4)?);
        if path.starts_with(mnt) {
            let len = mnt.as_os_str().len();
            if best.as_ref().is_none_or(|(l, _)| len >= *l) {
                best = Some((len, fstype));
            }
        }
    }
    best.map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_never_maps_to_host_root() {
        let ids = plan_ids(0, 0);
        assert_eq!(ids.uid_map(), format!("0 {SANDBOX_HOST_ID} 1\n"));
        assert_eq!(ids.gid_map(), format!("0 {SANDBOX_HOST_ID} 1\n"));
        assert!(ids.needs_idmap());
    }

    #[test]
    fn normal_user_maps_to_itself() {
        let ids = plan_ids(1000, 1001);
        assert_eq!(ids.uid_map(), "1000 1000 1\n");
        assert_eq!(ids.gid_map(), "1001 1001 1\n");
        assert!(!ids.needs_idmap());
    }
}
