//! The landlock layer: a second wall behind the mount namespace.
//!
//! Every filesystem right the running kernel's ABI knows is handled; the plan grants read and
//! execute on `/` (the mount tree already limits what exists), full rights on the writable
//! trees, and write on the character devices commands expect to write (`/dev/null`, `/dev/zero`,
//! `/dev/full`, terminals). Scopes (abstract unix sockets, signals) confine the command to its
//! own domain where the ABI has them. A kernel that enforces nothing is an error.

use std::path::PathBuf;

use landlock::{
    Access, AccessFs, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, Scope, ABI,
};
use serde::{Deserialize, Serialize};

use super::mounts::{MountOp, NodeKind, DEV_NODES};

/// The newest ABI this build knows; older kernels get the subset they support.
const TARGET: ABI = ABI::V10;

/// What one rule grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grant {
    /// Read files, list directories, execute.
    ReadExec,
    /// Every right.
    ReadWrite,
    /// Read, write, truncate and ioctl on a device file.
    Device,
}

/// One landlock rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Path inside the sandbox.
    pub path: PathBuf,
    /// What it grants.
    pub grant: Grant,
    /// A file (only file rights apply) rather than a directory.
    pub file: bool,
}

/// Derives the rules from the mount plan. Pure.
pub fn plan_rules(mounts: &[MountOp]) -> Vec<Rule> {
    let mut rules = vec![Rule {
        path: "/".into(),
        grant: Grant::ReadExec,
        file: false,
    }];
    for op in mounts {
        match op {
            MountOp::Bind {
                dst,
                kind,
                writable: true,
                dev: false,
                ..
            } => rules.push(Rule {
                path: dst.clone(),
                grant: Grant::ReadWrite,
                file: *kind == NodeKind::File,
            }),
            MountOp::Bind { dst, dev: true, .. } => {
                let writable = DEV_NODES
                    .iter()
                    .any(|(n, w)| *w && dst.file_name().is_some_and(|f| f == *n));
                if writable {
                    rules.push(Rule {
                        path: dst.clone(),
                        grant: Grant::Device,
                        file: true,
                    });
                }
            }
            MountOp::Tmpfs { dst, .. } if dst != &PathBuf::from("/dev") => rules.push(Rule {
                path: dst.clone(),
                grant: Grant::ReadWrite,
                file: false,
            }),
            MountOp::Devpts => rules.push(Rule {
                path: "/dev/pts".into(),
                grant: Grant::Device,
                file: false,
            }),
            _ => {}
        }
    }
    rules
}

fn access(grant: Grant, file: bool) -> landlock::BitFlags<AccessFs> {
    let all = AccessFs::from_all(TARGET);
    let set = match grant {
        Grant::ReadExec => AccessFs::ReadFile | AccessFs::ReadDir | AccessFs::Execute,
        Grant::ReadWrite => all,
        Grant::Device => {
            AccessFs::ReadFile
                | AccessFs::WriteFile
                | AccessFs::Truncate
                | AccessFs::IoctlDev
                | AccessFs::ReadDir
        }
    };
    if file {
        set & AccessFs::from_file(TARGET)
    } else {
        set
    }
}

/// Restricts the calling (single-threaded) process. Errors if landlock enforces nothing.
pub fn apply(rules: &[Rule]) -> Result<RulesetStatus, String> {
    let mut created = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(TARGET))
        .map_err(|e| e.to_string())?
        .scope(Scope::AbstractUnixSocket | Scope::Signal)
        .map_err(|e| e.to_string())?
        .create()
        .map_err(|e| e.to_string())?;
    for r in rules {
        let fd = PathFd::new(&r.path).map_err(|e| format!("{}: {e}", r.path.display()))?;
        created = created
            .add_rule(PathBeneath::new(fd, access(r.grant, r.file)))
            .map_err(|e| format!("{}: {e}", r.path.display()))?;
    }
    let status = created.restrict_self().map_err(|e| e.to_string())?;
    match status.ruleset {
        RulesetStatus::NotEnforced => Err(
            "landlock is not enforced by this kernel; fix: boot with lsm=…,landlock (Linux ≥ 5.13) \
             or opt in to the degraded mode"
                .into(),
        ),
        s => Ok(s),
    }
}

/// The running kernel's landlock ABI version (0 when unsupported), for `creor doctor`.
pub fn abi_version() -> i64 {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: the version query takes a NULL attr and size 0.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    v.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn dev_null_is_writable_and_random_is_not() {
        let ops = vec![
            MountOp::Bind {
                src: "/dev/null".into(),
                dst: "/dev/null".into(),
                kind: NodeKind::File,
                writable: true,
                idmap: false,
                dev: true,
            },
            MountOp::Bind {
                src: "/dev/urandom".into(),
                dst: "/dev/urandom".into(),
                kind: NodeKind::File,
                writable: true,
                idmap: false,
                dev: true,
            },
        ];
        let rules = plan_rules(&ops);
        assert!(rules
            .iter()
            .any(|r| r.path == Path::new("/dev/null") && r.grant == Grant::Device));
        assert!(!rules.iter().any(|r| r.path == Path::new("/dev/urandom")));
    }

    #[test]
    fn read_only_binds_get_no_write_rule() {
        let ops = vec![MountOp::Bind {
            src: "/usr".into(),
            dst: "/usr".into(),
            kind: NodeKind::Dir,
            writable: false,
            idmap: false,
            dev: false,
        }];
        let rules = plan_rules(&ops);
        assert_eq!(rules.len(), 1, "only the read/execute rule on /");
        assert_eq!(rules[0].grant, Grant::ReadExec);
    }

    #[test]
    fn file_rules_carry_only_file_rights() {
        let a = access(Grant::ReadWrite, true);
        assert!(!a.contains(AccessFs::MakeDir));
        assert!(a.contains(AccessFs::WriteFile));
    }
}
