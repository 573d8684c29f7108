//! The whole Linux plan for one command, computed in the parent and sent to the helper as JSON
//! over its control socket (never on argv: the environment may hold secrets the caller chose
//! to pass). The helper only applies it.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::idmap::{plan_ids, IdPlan};
use super::landlock::{plan_rules, Rule};
use super::limits::{plan_rlimits, Rlimit};
use super::mounts::{plan_mounts, HostFacts, MountOp, NodeKind, DEV_NODES, SYSTEM_DIRS};
use super::namespaces::plan_flags;
use super::seccomp::{self, Insn};
use crate::error::{Result, SandboxError};
use crate::policy::{NetworkPolicy, SandboxPolicy, TmpDir};

/// Everything the helper needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinuxPlan {
    /// Id maps.
    pub ids: IdPlan,
    /// `clone` flags for pid 1.
    pub clone_flags: u64,
    /// Whether pid 1 has its own network namespace (bring `lo` up).
    pub own_netns: bool,
    /// The root, step by step.
    pub mounts: Vec<MountOp>,
    /// Landlock rules.
    pub landlock: Vec<Rule>,
    /// Seccomp programs, in install order.
    pub seccomp: Vec<Vec<Insn>>,
    /// Resource limits.
    pub rlimits: Vec<Rlimit>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Program (searched in the env's `PATH` when it has no `/`).
    pub program: OsString,
    /// Arguments (without argv[0]).
    pub args: Vec<OsString>,
    /// The command's complete environment.
    pub env: Vec<(OsString, OsString)>,
    /// Degraded-mode fallback (only present when the policy opts in).
    pub degraded: Option<DegradedPlan>,
    /// Wall-clock limit in milliseconds, enforced by the helper (kills pid 1 via its pidfd).
    pub timeout_ms: Option<u64>,
    /// Protected paths absent before the run: whatever appears there is removed by the helper
    /// once the sandbox is gone ([`super::protect`]).
    #[serde(default)]
    pub revert: Vec<PathBuf>,
    /// Where the helper records `revert` before the run, so a run killed before it could
    /// revert is caught later ([`super::journal`]). Only set when `revert` is not empty.
    #[serde(default)]
    pub journal: Option<JournalPlan>,
    /// Lines the helper prints on the command's stderr before it starts (what the recovery of
    /// killed runs did: [`super::journal::recover`]).
    #[serde(default)]
    pub notices: Vec<String>,
    /// `allow_specific`: the in-sandbox listener relayed to the host proxy ([`super::forwarder`]).
    #[serde(default)]
    pub forward: Option<super::forwarder::Forward>,
}

/// The revert journal's directory and the project it is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JournalPlan {
    /// The journal directory (from [`SandboxPolicy::revert_journal`]).
    pub dir: PathBuf,
    /// The project: a later recovery never renames the project itself.
    pub project: PathBuf,
}

/// What runs when namespaces cannot be made and the policy opted in: landlock as the filesystem
/// wall, seccomp with socket restrictions, no mount/pid/net isolation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DegradedPlan {
    /// Landlock rules on host paths.
    pub landlock: Vec<Rule>,
    /// Seccomp programs.
    pub seccomp: Vec<Vec<Insn>>,
}

fn kind(p: &Path) -> Option<NodeKind> {
    let md = std::fs::symlink_metadata(p).ok()?;
    if md.file_type().is_symlink() {
        return None;
    }
    Some(if md.is_dir() {
        NodeKind::Dir
    } else {
        NodeKind::File
    })
}

fn require_canonical(p: &Path) -> Result<()> {
    match std::fs::canonicalize(p) {
        Ok(c) if c == p => Ok(()),
        Ok(c) => Err(SandboxError::Path {
            path: p.to_path_buf(),
            reason: format!("not canonical (resolves to {})", c.display()),
        }),
        Err(e) => Err(SandboxError::Path {
            path: p.to_path_buf(),
            reason: e.to_string(),
        }),
    }
}

/// Looks at the host: which system directories exist (and which are symlinks), what each
/// policy path is. Refuses non-canonical paths that must exist.
pub fn gather_facts(policy: &SandboxPolicy, idmap: bool) -> Result<HostFacts> {
    let mut facts = HostFacts {
        idmap,
        ..HostFacts::default()
    };
    for d in SYSTEM_DIRS {
        let p = Path::new(d);
        let Ok(md) = std::fs::symlink_metadata(p) else {
            continue;
        };
        if md.file_type().is_symlink() {
            let target = std::fs::read_link(p)?;
            facts.system.push((p.to_path_buf(), Some(target)));
        } else if md.is_dir() {
            facts.system.push((p.to_path_buf(), None));
        }
    }
    let mut kinds = BTreeMap::new();
    let mut must: Vec<&PathBuf> = vec![&policy.project];
    must.extend(&policy.read_only);
    must.extend(&policy.read_write);
    if let TmpDir::Session { host_dir, .. } = &policy.tmp {
        must.push(host_dir);
    }
    for p in must {
        require_canonical(p)?;
        if let Some(k) = kind(p) {
            kinds.insert(p.clone(), k);
        }
    }
    // Protected and hidden paths may be absent; a symlink there is not the real thing and is
    // left alone (its parent is what the policy protects).
    for p in policy.protected.iter().chain(&policy.hidden) {
        if let Some(k) = kind(p) {
            kinds.insert(p.clone(), k);
        }
    }
    for (n, _) in DEV_NODES {
        let p = Path::new("/dev").join(n);
        if std::fs::metadata(&p).is_ok() {
            kinds.insert(p, NodeKind::File);
        }
    }
    facts.kinds = kinds;
    Ok(facts)
}

/// [`gather_facts`] plus the survey of protected paths: pins go into the facts, the absent
/// protected paths are returned for the helper to revert.
pub fn gather_all(policy: &SandboxPolicy, idmap: bool) -> Result<(HostFacts, Vec<PathBuf>)> {
    let mut facts = gather_facts(policy, idmap)?;
    let survey = super::protect::survey(policy)?;
    facts.pins = survey.pins;
    Ok((facts, survey.absent))
}

/// Builds the full plan for `program args` under `policy`.
pub fn build(policy: &SandboxPolicy, program: &OsString, args: &[OsString]) -> Result<LinuxPlan> {
    let own_netns = match &policy.network {
        NetworkPolicy::BlockAll => true,
        NetworkPolicy::AllowAll => false,
        NetworkPolicy::AllowSpecific { .. } => true,
    };
    let (forward, env) = super::forwarder::plan_forward(policy)?;
    let ids = plan_ids(
        nix::unistd::geteuid().as_raw(),
        nix::unistd::getegid().as_raw(),
    );
    let (facts, revert) = gather_all(policy, ids.needs_idmap())?;
    let journal = plan_journal(policy, &revert)?;
    let mounts = plan_mounts(policy, &facts)?;
    let landlock = plan_rules(&mounts);
    let degraded = if policy.allow_degraded {
        Some(DegradedPlan {
            landlock: plan_degraded_rules(&mounts),
            seccomp: seccomp::compile(&seccomp::degraded_extra(own_netns))?,
        })
    } else {
        None
    };
    Ok(LinuxPlan {
        ids,
        clone_flags: plan_flags(own_netns),
        own_netns,
        landlock,
        seccomp: seccomp::compile(&[])?,
        rlimits: plan_rlimits(&policy.limits, super::limits::default_address_space()),
        cwd: policy.cwd.clone(),
        program: program.clone(),
        args: args.to_vec(),
        env,
        forward,
        mounts,
        degraded,
        revert,
        journal,
        notices: Vec::new(),
        timeout_ms: policy
            .limits
            .timeout
            .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
    })
}

/// The journal for `revert` (none when nothing can need reverting or the policy keeps none).
/// Refuses a journal directory the sandbox could write: a command could delete its own
/// journal, or write one that makes the next run rename files it names.
pub fn plan_journal(policy: &SandboxPolicy, revert: &[PathBuf]) -> Result<Option<JournalPlan>> {
    let Some(dir) = &policy.revert_journal else {
        return Ok(None);
    };
    if revert.is_empty() {
        return Ok(None);
    }
    let mut writable: Vec<&PathBuf> = vec![&policy.project];
    writable.extend(&policy.read_write);
    if let TmpDir::Session { host_dir, .. } = &policy.tmp {
        writable.push(host_dir);
    }
    if !dir.is_absolute() {
        return Err(SandboxError::Path {
            path: dir.clone(),
            reason: "revert journal directory is not absolute".into(),
        });
    }
    // Compared canonically where the directory exists (the roots are canonical already).
    let real = std::fs::canonicalize(dir).ok();
    let canon = real.clone().unwrap_or_else(|| dir.clone());
    // Inside a writable tree, only a directory that exists and is protected (bound
    // read-only, parents pinned), itself or through an ancestor, will do.
    let guarded = real.as_ref() == Some(dir)
        && policy
            .protected
            .iter()
            .any(|p| dir.starts_with(p) && !revert.contains(p));
    if let Some(root) = writable
        .iter()
        .find(|r| !guarded && (dir.starts_with(r) || canon.starts_with(r)))
    {
        return Err(SandboxError::Path {
            path: dir.clone(),
            reason: format!(
                "revert journal directory lies inside {}, which the sandbox can write; point \
                 XDG_STATE_HOME outside the project and granted directories",
                root.display()
            ),
        });
    }
    Ok(Some(JournalPlan {
        dir: dir.clone(),
        project: policy.project.clone(),
    }))
}

/// Landlock rules for the degraded mode, where landlock is the only filesystem wall: read and
/// execute only on bound trees (never `/`), write where the plan writes, `/proc` readable.
pub fn plan_degraded_rules(mounts: &[MountOp]) -> Vec<Rule> {
    use super::landlock::Grant;
    let mut rules = Vec::new();
    for op in mounts {
        if let MountOp::Bind {
            src,
            kind,
            writable,
            dev,
            ..
        } = op
        {
            let grant = match (dev, writable) {
                (true, _) => Grant::Device,
                (false, true) => Grant::ReadWrite,
                (false, false) => Grant::ReadExec,
            };
            rules.push(Rule {
                path: src.clone(),
                grant,
                file: *kind == NodeKind::File,
            });
        }
    }
    rules.push(Rule {
        path: "/proc".into(),
        grant: Grant::ReadExec,
        file: false,
    });
    rules
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::policy::Limits;

    fn policy(journal: &str) -> SandboxPolicy {
        SandboxPolicy {
            project: "/p".into(),
            cwd: "/p".into(),
            read_only: vec![],
            read_write: vec!["/grant".into()],
            protected: vec![],
            hidden: vec![],
            tmp: TmpDir::Session {
                host_dir: "/state/tmp/s1".into(),
                size_bytes: 1,
            },
            network: NetworkPolicy::BlockAll,
            env: vec![],
            limits: Limits::default(),
            allow_degraded: false,
            revert_journal: Some(journal.into()),
        }
    }

    #[test]
    fn a_journal_the_sandbox_could_write_is_refused() {
        let revert = [PathBuf::from("/p/creor.json")];
        for inside in ["/p/.state/j", "/grant/j", "/state/tmp/s1/j", "relative/j"] {
            let err = plan_journal(&policy(inside), &revert).unwrap_err();
            assert!(err.to_string().contains(inside), "{err}");
        }
        let ok = plan_journal(&policy("/state/creor/pending-revert"), &revert).unwrap();
        assert_eq!(
            ok.map(|j| (j.dir, j.project)),
            Some(("/state/creor/pending-revert".into(), "/p".into()))
        );
        assert!(plan_journal(&policy("/p/j"), &[]).unwrap().is_none());
        // Protected, but absent (so it would be reverted) or not real: still refused.
        let mut p = policy("/p/.local/j");
        p.protected.push("/p/.local/j".into());
        assert!(plan_journal(&p, &[PathBuf::from("/p/.local/j")]).is_err());
        assert!(
            plan_journal(&p, &revert).is_err(),
            "/p/.local/j does not exist"
        );
        let d = tempfile::tempdir().unwrap();
        let root = d.path().canonicalize().unwrap();
        let j = root.join("state/j");
        std::fs::create_dir_all(&j).unwrap();
        let mut p = policy(j.to_str().unwrap());
        p.project = root.clone();
        p.protected.push(j.clone());
        assert!(plan_journal(&p, &revert).unwrap().is_some());
    }
}
