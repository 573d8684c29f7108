//! The exact `sandbox-exec` invocation for one command: argv, environment, working directory.
//! Pure apart from creating the fresh temp dir, so it is tested on every platform.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Result, SandboxError};
use crate::policy::{Limits, SandboxPolicy};

/// `sandbox-exec` by absolute path: never looked up through `PATH`, which the command's
/// environment (or a hostile project) could change.
pub const SANDBOX_EXEC: &str = "/usr/bin/sandbox-exec";

/// Environment variables that name the temp dir. macOS has no private mounts, so the
/// sandbox's `/tmp` cannot be swapped: these point tools at the granted temp dir instead.
const TMP_VARS: &[&str] = &["TMPDIR", "TMP", "TEMP"];

/// Everything needed to start the sandboxed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// Always [`SANDBOX_EXEC`].
    pub program: PathBuf,
    /// `-p PROFILE -- COMMAND ARGS…`.
    pub args: Vec<OsString>,
    /// The complete environment (the process starts from an empty one).
    pub env: Vec<(OsString, OsString)>,
    /// Working directory.
    pub cwd: PathBuf,
    /// Resource limits the child sets on itself before exec.
    pub rlimits: Vec<Rlimit>,
}

/// Open-file limit when the policy sets none (the policy never means "unlimited").
pub const DEFAULT_OPEN_FILES: u64 = 4096;

/// File-size limit when the policy sets none: room for build artefacts and disk images, but a
/// runaway write stops before it fills the disk.
pub const DEFAULT_FILE_SIZE: u64 = 16 << 30;

/// A resource the macOS child limits. Process count and memory are absent on purpose:
/// `RLIMIT_NPROC` counts every process of the user system-wide on macOS (no user namespace to
/// scope it), and XNU does not enforce `RLIMIT_AS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `RLIMIT_NOFILE`.
    OpenFiles,
    /// `RLIMIT_FSIZE`.
    FileSize,
    /// `RLIMIT_CORE`: always 0, a core dump would copy the command's memory to disk.
    CoreDump,
}

/// One limit: soft and hard are both set to `value` (capped at the current hard limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rlimit {
    /// Which resource.
    pub resource: Resource,
    /// The limit.
    pub value: u64,
}

/// The limits the macOS child applies for `limits`.
pub fn rlimits(limits: &Limits) -> Vec<Rlimit> {
    vec![
        Rlimit {
            resource: Resource::OpenFiles,
            value: limits.max_open_files.unwrap_or(DEFAULT_OPEN_FILES),
        },
        Rlimit {
            resource: Resource::FileSize,
            value: limits.max_file_size.unwrap_or(DEFAULT_FILE_SIZE),
        },
        Rlimit {
            resource: Resource::CoreDump,
            value: 0,
        },
    ]
}

/// Builds the invocation: the profile travels as one argv element (no shell, no file), the
/// command follows `--` so a program name starting with `-` is not read as an option, and the
/// environment is exactly the policy's (already scrubbed by the caller) with the temp-dir
/// variables pointed at `tmp_dir`.
pub fn plan(
    policy: &SandboxPolicy,
    profile: &str,
    tmp_dir: &Path,
    command: &[OsString],
) -> Result<Invocation> {
    if command.is_empty() {
        return Err(SandboxError::Setup {
            step: "sandbox-exec invocation",
            reason: "no command to run".into(),
        });
    }
    if profile.contains('\0') {
        return Err(SandboxError::Setup {
            step: "sandbox-exec invocation",
            reason: "profile contains NUL".into(),
        });
    }
    let mut args: Vec<OsString> = vec!["-p".into(), profile.into(), "--".into()];
    args.extend(command.iter().cloned());
    let mut env: Vec<(OsString, OsString)> = policy
        .env
        .iter()
        .filter(|(k, _)| !TMP_VARS.iter().any(|t| k == t))
        .cloned()
        .collect();
    for var in TMP_VARS {
        env.push(((*var).into(), tmp_dir.as_os_str().to_owned()));
    }
    Ok(Invocation {
        program: PathBuf::from(SANDBOX_EXEC),
        args,
        env,
        cwd: policy.cwd.clone(),
        rlimits: rlimits(&policy.limits),
    })
}

/// A fresh, private (0700) temp directory for one command, removed when dropped. Stands in
/// for the Linux backend's fresh tmpfs.
#[derive(Debug)]
pub struct FreshTmp {
    path: PathBuf,
}

impl FreshTmp {
    /// Creates `creor-tmp-<pid>-<n>` under `parent`, refusing to reuse anything that exists.
    pub fn create(parent: &Path) -> Result<FreshTmp> {
        use std::os::unix::fs::DirBuilderExt;
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = parent.join(format!("creor-tmp-{}-{nanos:x}-{n}", std::process::id()));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(FreshTmp { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(SandboxError::Path {
                        path,
                        reason: format!("cannot create fresh temp dir: {e}"),
                    })
                }
            }
        }
        Err(SandboxError::Path {
            path: parent.to_path_buf(),
            reason: "cannot find an unused name for a fresh temp dir".into(),
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FreshTmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::policy::{Limits, NetworkPolicy, TmpDir};

    fn policy() -> SandboxPolicy {
        SandboxPolicy {
            project: "/p".into(),
            cwd: "/p/sub".into(),
            read_only: vec![],
            read_write: vec![],
            protected: vec![],
            hidden: vec![],
            tmp: TmpDir::Fresh { size_bytes: 1 },
            network: NetworkPolicy::BlockAll,
            env: vec![
                ("PATH".into(), "/usr/bin:/bin".into()),
                ("TMPDIR".into(), "/var/folders/xx/T/".into()),
                ("HOME".into(), "/Users/a".into()),
            ],
            limits: Limits::default(),
            allow_degraded: false,
            revert_journal: None,
        }
    }

    #[test]
    fn argv_puts_profile_in_one_element_and_command_after_dashdash() {
        let cmd: Vec<OsString> = vec!["-rf".into(), "a b".into()];
        let inv = plan(
            &policy(),
            "(version 1)\n(deny default)",
            Path::new("/t"),
            &cmd,
        )
        .unwrap();
        assert_eq!(inv.program, Path::new("/usr/bin/sandbox-exec"));
        assert_eq!(
            inv.args,
            ["-p", "(version 1)\n(deny default)", "--", "-rf", "a b"]
                .map(OsString::from)
                .to_vec()
        );
        assert_eq!(inv.cwd, Path::new("/p/sub"));
    }

    #[test]
    fn env_is_the_policys_with_tmp_vars_replaced() {
        let inv = plan(&policy(), "x", Path::new("/t/fresh"), &["true".into()]).unwrap();
        let get = |k: &str| {
            inv.env
                .iter()
                .filter(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("TMPDIR"), vec![OsString::from("/t/fresh")]);
        assert_eq!(get("TMP"), vec![OsString::from("/t/fresh")]);
        assert_eq!(get("PATH"), vec![OsString::from("/usr/bin:/bin")]);
        assert_eq!(inv.env.len(), 5);
    }

    #[test]
    fn rlimits_default_safely_and_follow_the_policy() {
        let mut limits = Limits::default();
        let get = |l: &Limits, r: Resource| {
            rlimits(l)
                .into_iter()
                .find(|x| x.resource == r)
                .map(|x| x.value)
        };
        assert_eq!(get(&limits, Resource::OpenFiles), Some(DEFAULT_OPEN_FILES));
        assert_eq!(get(&limits, Resource::FileSize), Some(DEFAULT_FILE_SIZE));
        assert_eq!(get(&limits, Resource::CoreDump), Some(0));
        limits.max_open_files = Some(64);
        limits.max_file_size = Some(1 << 20);
        assert_eq!(get(&limits, Resource::OpenFiles), Some(64));
        assert_eq!(get(&limits, Resource::FileSize), Some(1 << 20));
        let inv = plan(&policy(), "x", Path::new("/t"), &["true".into()]).unwrap();
        assert_eq!(inv.rlimits, rlimits(&Limits::default()));
    }

    #[test]
    fn refuses_empty_command() {
        let err = plan(&policy(), "x", Path::new("/t"), &[]).unwrap_err();
        assert!(err.to_string().contains("no command"), "{err}");
    }

    #[test]
    fn fresh_tmp_is_private_unique_and_removed() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let a = FreshTmp::create(parent.path()).unwrap();
        let b = FreshTmp::create(parent.path()).unwrap();
        assert_ne!(a.path(), b.path());
        let mode = std::fs::metadata(a.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        std::fs::write(a.path().join("f"), "x").unwrap();
        let kept = a.path().to_path_buf();
        drop(a);
        assert!(!kept.exists());
    }
}
