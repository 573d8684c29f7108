#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use super::*;
use crate::policy::{Limits, NetworkPolicy};

fn policy(project: &str) -> SandboxPolicy {
    SandboxPolicy {
        project: project.into(),
        cwd: project.into(),
        read_only: vec![],
        read_write: vec![],
        protected: vec![
            Path::new(project).join(".git/hooks"),
            Path::new(project).join("creor.json"),
        ],
        hidden: vec!["/home/u/.ssh".into()],
        tmp: TmpDir::Fresh {
            size_bytes: 1 << 20,
        },
        network: NetworkPolicy::BlockAll,
        env: vec![("HOME".into(), "/home/u".into())],
        limits: Limits::default(),
        allow_degraded: false,
        revert_journal: None,
    }
}

fn facts(paths: &[(&str, NodeKind)]) -> HostFacts {
    HostFacts {
        system: vec![
            ("/usr".into(), None),
            ("/etc".into(), None),
            ("/bin".into(), Some("usr/bin".into())),
        ],
        kinds: paths.iter().map(|(p, k)| (PathBuf::from(p), *k)).collect(),
        idmap: false,
        pins: vec![],
    }
}

fn binds(ops: &[MountOp]) -> Vec<(PathBuf, bool)> {
    ops.iter()
        .filter_map(|op| match op {
            MountOp::Bind { dst, writable, .. } => Some((dst.clone(), *writable)),
            _ => None,
        })
        .collect()
}

#[test]
fn root_is_an_allowlist() {
    let ops = plan_mounts(&policy("/work/p"), &facts(&[("/work/p", NodeKind::Dir)])).unwrap();
    let b = binds(&ops);
    assert!(b.contains(&("/usr".into(), false)));
    assert!(b.contains(&("/work/p".into(), true)));
    for never in ["/run", "/var/run", "/home/u", "/root", "/var"] {
        assert!(
            !b.iter().any(|(d, _)| d == Path::new(never)),
            "{never} bound"
        );
    }
    assert!(ops.contains(&MountOp::Symlink {
        dst: "/bin".into(),
        target: "usr/bin".into()
    }));
    assert!(ops.contains(&MountOp::ProcReadOnly {
        dst: "/proc/sys".into()
    }));
    assert!(ops.contains(&MountOp::Dir {
        dst: "/home/u".into()
    }));
}

#[test]
fn protected_paths_are_rebound_read_only_after_the_project() {
    let ops = plan_mounts(
        &policy("/work/p"),
        &facts(&[
            ("/work/p", NodeKind::Dir),
            ("/work/p/.git/hooks", NodeKind::Dir),
            ("/work/p/creor.json", NodeKind::File),
        ]),
    )
    .unwrap();
    let b = binds(&ops);
    let project = b
        .iter()
        .position(|(d, _)| d == Path::new("/work/p"))
        .unwrap();
    let hooks = b
        .iter()
        .position(|(d, _)| d == Path::new("/work/p/.git/hooks"))
        .unwrap();
    assert!(hooks > project);
    assert!(!b[hooks].1, "hooks must be read-only");
    assert!(b.contains(&("/work/p/creor.json".into(), false)));
}

#[test]
fn pinned_parents_keep_the_project_mount_and_precede_protected_children() {
    let mut f = facts(&[
        ("/work/p", NodeKind::Dir),
        ("/work/p/.git/hooks", NodeKind::Dir),
    ]);
    f.idmap = true;
    f.pins = vec![("/work/p/.git".into(), NodeKind::Dir)];
    let ops = plan_mounts(&policy("/work/p"), &f).unwrap();
    let at = |p: &str| {
        ops.iter()
            .position(|op| matches!(op, MountOp::Bind { dst, .. } if dst == Path::new(p)))
            .unwrap()
    };
    let (project, git, hooks) = (at("/work/p"), at("/work/p/.git"), at("/work/p/.git/hooks"));
    assert!(project < git && git < hooks);
    assert!(matches!(
        &ops[git],
        MountOp::Bind {
            writable: true,
            idmap: true,
            kind: NodeKind::Dir,
            ..
        }
    ));
    // A pinned file (a worktree's `.git`) is read-only and never idmapped.
    let mut f = facts(&[("/work/p", NodeKind::Dir)]);
    f.idmap = true;
    f.pins = vec![("/work/p/.git".into(), NodeKind::File)];
    let ops = plan_mounts(&policy("/work/p"), &f).unwrap();
    assert!(ops.iter().any(|op| matches!(
        op,
        MountOp::Bind { dst, writable: false, idmap: false, kind: NodeKind::File, .. }
            if dst == Path::new("/work/p/.git")
    )));
}

#[test]
fn private_tmp_goes_under_a_project_in_tmp() {
    let ops = plan_mounts(&policy("/tmp/p"), &facts(&[("/tmp/p", NodeKind::Dir)])).unwrap();
    let tmp = ops
        .iter()
        .position(|op| matches!(op, MountOp::Tmpfs { dst, .. } if dst == Path::new("/tmp")))
        .unwrap();
    let project = ops
        .iter()
        .position(|op| matches!(op, MountOp::Bind { dst, .. } if dst == Path::new("/tmp/p")))
        .unwrap();
    assert!(tmp < project);
}

#[test]
fn hidden_dirs_under_a_granted_parent_are_covered() {
    let mut p = policy("/work/p");
    p.read_only.push("/home/u".into());
    let ops = plan_mounts(
        &p,
        &facts(&[
            ("/work/p", NodeKind::Dir),
            ("/home/u", NodeKind::Dir),
            ("/home/u/.ssh", NodeKind::Dir),
        ]),
    )
    .unwrap();
    assert!(ops.contains(&MountOp::Hide {
        dst: "/home/u/.ssh".into(),
        kind: NodeKind::Dir
    }));
}

#[test]
fn refuses_relative_host_tmp_and_hidden_grants() {
    let f = facts(&[("/work/p", NodeKind::Dir), ("/tmp", NodeKind::Dir)]);
    let mut p = policy("/work/p");
    p.read_write.push("relative/x".into());
    assert!(plan_mounts(&p, &f).is_err());
    let mut p = policy("/work/p");
    p.read_write.push("/tmp".into());
    assert!(plan_mounts(&p, &f).is_err());
    let mut p = policy("/work/p");
    p.read_only.push("/home/u/.ssh".into());
    assert!(plan_mounts(&p, &f).is_err());
    let mut p = policy("/work/p");
    p.cwd = "/elsewhere".into();
    assert!(plan_mounts(&p, &f).is_err());
}

#[test]
fn idmap_only_on_writable_trees() {
    let mut f = facts(&[
        ("/work/p", NodeKind::Dir),
        ("/work/p/creor.json", NodeKind::File),
    ]);
    f.idmap = true;
    let ops = plan_mounts(&policy("/work/p"), &f).unwrap();
    for op in &ops {
        if let MountOp::Bind {
            dst,
            writable,
            idmap,
            dev,
            ..
        } = op
        {
            assert_eq!(*idmap, *writable && !dev, "{}", dst.display());
        }
    }
}
