//! Translation of the resolved configuration into a [`SandboxPolicy`]: the one place where
//! creor.json meets the sandbox.
//!
//! Defaults it adds on its own: the user's `PATH` entries under home and the toolchain roots
//! they need (`~/.rustup`, `~/.cargo/bin`, `~/.pyenv`, `~/.nvm`) read-only, package caches
//! (`~/.cargo/registry`, `~/.cargo/git`, `~/.npm`, `~/.cache/pip`) read-only unless the config
//! lists them read-write, the project's protected paths (`.git/hooks`, `.git/config`,
//! `creor.json`, `creor.local.json`, `.creor/`) re-bound read-only, and the floor directories
//! (`~/.ssh`, `~/.aws`, `~/.gnupg`) hidden. The environment is scrubbed to an allowlist, and
//! anything that looks like a credential is dropped even when allowlisted.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

use creor_sandbox::{Limits, NetworkPolicy, SandboxPolicy, TmpDir};

use crate::config::{NetworkMode, ResolvedConfig};

/// Per-invocation facts that are not configuration.
#[derive(Debug, Clone, Default)]
pub struct PolicyOptions {
    /// Working directory of the command (default: the project).
    pub cwd: Option<PathBuf>,
    /// Host directory of the session's `/tmp` (None: a fresh tmpfs).
    pub session_tmp: Option<PathBuf>,
    /// The proxy endpoint for `allow_specific` (socket, port, token), once one is running.
    pub proxy: Option<(PathBuf, u16, String)>,
    /// The host environment to scrub (None: this process's environment).
    pub env: Option<Vec<(OsString, OsString)>>,
}

/// Why a policy could not be built.
#[derive(Debug, thiserror::Error)]
#[error("sandbox policy: {0}")]
pub struct PolicyBuildError(pub String);

/// Protected paths, relative to the project (one list for every backend).
pub use creor_sandbox::PROTECTED_IN_PROJECT as PROTECTED;

/// Floor directories under home: never visible.
pub use creor_sandbox::HIDDEN_IN_HOME as HIDDEN;

/// Toolchain roots under home bound read-only when they exist.
pub const TOOLCHAINS: &[&str] = &[".rustup", ".cargo/bin", ".pyenv", ".nvm"];

/// Package caches under home: read-only unless the config makes them writable.
pub const CACHES: &[&str] = &[".cargo/registry", ".cargo/git", ".npm", ".cache/pip"];

/// Environment variables that pass (exact names), plus every `LC_*`.
pub const ENV_ALLOW: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "LANG",
    "LANGUAGE",
    "TZ",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "PYENV_ROOT",
    "NVM_DIR",
    "NVM_BIN",
    "NODE_PATH",
    "VIRTUAL_ENV",
    "JAVA_HOME",
    "GOROOT",
    "GOPATH",
    "CC",
    "CXX",
    "CFLAGS",
    "CXXFLAGS",
    "LDFLAGS",
    "MAKEFLAGS",
    "RUST_BACKTRACE",
    "RUST_LOG",
    "CI",
];

/// Name fragments that mark a credential: such variables never pass, even if allowlisted.
pub const ENV_SECRET_MARKERS: &[&str] = &[
    "KEY",
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "CREDENTIAL",
    "AUTH",
    "COOKIE",
    "SESSION",
    "SSH_",
    "PRIVATE",
];

/// Whether an environment variable may reach the sandboxed command.
pub fn env_passes(name: &OsStr) -> bool {
    let Some(n) = name.to_str() else {
        return false;
    };
    let upper = n.to_ascii_uppercase();
    if ENV_SECRET_MARKERS.iter().any(|m| upper.contains(m)) {
        return false;
    }
    ENV_ALLOW.contains(&n) || n.starts_with("LC_")
}

/// Scrubs `env` to the allowlist and pins `TMPDIR=/tmp` (the sandbox's private `/tmp`).
pub fn scrub_env(env: &[(OsString, OsString)]) -> Vec<(OsString, OsString)> {
    let mut out: Vec<(OsString, OsString)> =
        env.iter().filter(|(k, _)| env_passes(k)).cloned().collect();
    out.push(("TMPDIR".into(), "/tmp".into()));
    out
}

fn canonical_existing(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

fn get<'a>(env: &'a [(OsString, OsString)], key: &str) -> Option<&'a OsString> {
    env.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Read-only defaults under `home`: `PATH` entries there, toolchain roots and caches.
pub fn home_read_only(home: &Path, path_var: Option<&OsStr>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(path) = path_var {
        for entry in std::env::split_paths(path) {
            if entry.is_absolute() && entry.starts_with(home) {
                out.extend(canonical_existing(&entry));
            }
        }
    }
    for rel in TOOLCHAINS.iter().chain(CACHES) {
        out.extend(canonical_existing(&home.join(rel)));
    }
    out
}

/// A protected path that does not exist cannot be re-bound read-only, so the command could
/// create it. For a repository without `.git/hooks` creor creates the empty directory (as
/// `git init` does) so that the read-only bind exists and no hook can be planted.
fn ensure_hooks_dir(project: &Path) {
    let git = project.join(".git");
    let is_real_dir = std::fs::symlink_metadata(&git).is_ok_and(|m| m.is_dir());
    if is_real_dir && std::fs::symlink_metadata(git.join("hooks")).is_err() {
        let _ = std::fs::create_dir(git.join("hooks"));
    }
}

/// Where revert journals live: `$XDG_STATE_HOME/creor/pending-revert`, or
/// `~/.local/state/creor/pending-revert` (a relative `XDG_STATE_HOME` is ignored, as the XDG
/// spec says). Per user and outside the project, so no sandboxed command can reach it.
///
/// A user with no usable home (service accounts in CI: `HOME` unset or a directory that does
/// not exist) gets `/tmp/creor-pending-revert-<uid>` instead, so creor still runs: one
/// directory straight under the sticky `/tmp`, which the journal writer opens without
/// following a link and accepts only if this user owns it (host `/tmp` is never visible in a
/// sandbox). It does not survive a reboot, which a killed run's planted files do.
pub fn revert_journal_dir(env: &[(OsString, OsString)]) -> PathBuf {
    if let Some(s) = get(env, "XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|s| s.is_absolute())
    {
        return s.join("creor").join("pending-revert");
    }
    match get(env, "HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute() && h.is_dir())
    {
        Some(home) => home.join(".local/state/creor/pending-revert"),
        // SAFETY: geteuid cannot fail.
        None => PathBuf::from(format!("/tmp/creor-pending-revert-{}", unsafe {
            libc::geteuid()
        })),
    }
}

/// One of creor's own directories (the revert journals; the schema memo) that the sandbox
/// could write (the project is `$HOME`, or a read-write grant covers it) would let a command
/// delete its own journal or forge one, rewrite the audit log next to it, or plant schema
/// passes. Such a directory is made now (0700) and, with its `creor` parent (journals and
/// audit logs; the whole cache), protected like `.creor/`: bound read-only, its parents
/// pinned. Returned canonical, as the sandbox compares it; if it cannot be made, the sandbox
/// refuses the run naming it.
fn guard_state_dir(dir: PathBuf, writable: &[PathBuf], protected: &mut Vec<PathBuf>) -> PathBuf {
    // Canonical through its deepest existing ancestor (the directories may not exist yet).
    let Some(c) = dir.ancestors().find_map(|a| {
        let rest = dir.strip_prefix(a).ok()?;
        canonical_existing(a).map(|c| c.join(rest))
    }) else {
        return dir;
    };
    if !inside_any(&c, writable) {
        return dir;
    }
    use std::os::unix::fs::DirBuilderExt;
    let made = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&c);
    if made.is_ok() && canonical_existing(&c).as_ref() == Some(&c) {
        // creor's state root (`…/creor`) when the journal sits in one, else the journal
        // directory alone (the `/tmp` fallback: its parent is `/tmp` itself).
        let state_root = c
            .parent()
            .filter(|p| p.file_name() == Some("creor".as_ref()));
        protected.push(state_root.map_or_else(|| c.clone(), Path::to_path_buf));
    }
    c
}

fn inside_any(p: &Path, roots: &[PathBuf]) -> bool {
    roots.iter().any(|r| p.starts_with(r))
}

/// Builds the sandbox policy for one command of a session.
pub fn build(
    config: &ResolvedConfig,
    opts: &PolicyOptions,
) -> Result<SandboxPolicy, PolicyBuildError> {
    let network =
        match config.sandbox.network.policy {
            NetworkMode::BlockAll => NetworkPolicy::BlockAll,
            NetworkMode::AllowAll => NetworkPolicy::AllowAll,
            NetworkMode::AllowSpecific => match &opts.proxy {
                Some((socket, port, token)) => NetworkPolicy::AllowSpecific {
                    proxy_socket: socket.clone(),
                    port: *port,
                    token: token.clone(),
                },
                None => return Err(PolicyBuildError(
                    "network policy allow_specific needs creor's proxy, which is not available \
                     in this build; refusing rather than running with open network (use \
                     block_all, or allow_all knowingly)"
                        .into(),
                )),
            },
        };
    let host_env: Vec<(OsString, OsString)> = match &opts.env {
        Some(e) => e.clone(),
        None => std::env::vars_os().collect(),
    };
    let project = canonical_existing(&config.project).ok_or_else(|| {
        PolicyBuildError(format!(
            "project {} does not exist",
            config.project.display()
        ))
    })?;
    let cwd = match &opts.cwd {
        Some(c) => canonical_existing(c)
            .ok_or_else(|| PolicyBuildError(format!("cwd {} does not exist", c.display())))?,
        None => project.clone(),
    };
    let home = get(&host_env, "HOME")
        .map(PathBuf::from)
        .filter(|h| h.is_absolute() && h != Path::new("/"));
    let mut hidden = Vec::new();
    if let Some(h) = &home {
        for rel in HIDDEN {
            hidden.push(h.join(rel));
            if let Some(c) = canonical_existing(&h.join(rel)) {
                if !hidden.contains(&c) {
                    hidden.push(c);
                }
            }
        }
    }
    let canon_list = |list: &[PathBuf], what: &str| -> Result<Vec<PathBuf>, PolicyBuildError> {
        list.iter()
            .map(|p| {
                canonical_existing(p).ok_or_else(|| {
                    PolicyBuildError(format!("sandbox.{what}: {} does not exist", p.display()))
                })
            })
            .collect()
    };
    let read_write = canon_list(&config.sandbox.read_write, "readWrite")?;
    let mut writable_roots = read_write.clone();
    writable_roots.push(project.clone());
    let mut read_only = canon_list(&config.sandbox.read_only, "readOnly")?;
    if let Some(h) = &home {
        if let Some(hc) = canonical_existing(h) {
            read_only.extend(home_read_only(
                &hc,
                get(&host_env, "PATH").map(|s| s.as_os_str()),
            ));
        }
    }
    for p in read_only.iter().chain(&read_write) {
        if let Some(h) = hidden.iter().find(|h| p.starts_with(h)) {
            return Err(PolicyBuildError(format!(
                "{} lies inside {}, which is never visible in the sandbox",
                p.display(),
                h.display()
            )));
        }
    }
    // Read-only defaults inside a writable tree would make part of it read-only; caches the
    // config made writable are not read-only.
    let mut ro: Vec<PathBuf> = Vec::new();
    for p in read_only {
        if !inside_any(&p, &writable_roots) && !inside_any(&p, &ro) {
            ro.retain(|q| !q.starts_with(&p));
            ro.push(p);
        }
    }
    ensure_hooks_dir(&project);
    let mut protected: Vec<PathBuf> = PROTECTED.iter().map(|rel| project.join(rel)).collect();
    let revert_journal = Some(guard_state_dir(
        revert_journal_dir(&host_env),
        &writable_roots,
        &mut protected,
    ));
    if let Some(memo) = crate::config::schema_cache::dir() {
        guard_state_dir(memo, &writable_roots, &mut protected);
    }
    let tmp_size = config.sandbox.tmp_size.unwrap_or(1 << 30);
    Ok(SandboxPolicy {
        project,
        cwd,
        read_only: ro,
        read_write,
        protected,
        hidden,
        tmp: match &opts.session_tmp {
            Some(dir) => TmpDir::Session {
                host_dir: dir.clone(),
                size_bytes: tmp_size,
            },
            None => TmpDir::Fresh {
                size_bytes: tmp_size,
            },
        },
        network,
        env: scrub_env(&host_env),
        limits: Limits {
            timeout: config.sandbox.timeout_secs.map(Duration::from_secs),
            max_processes: config.sandbox.max_processes,
            max_open_files: None,
            max_file_size: config.sandbox.max_file_size,
            max_memory: config.sandbox.max_memory,
            max_output: None,
        },
        allow_degraded: config.sandbox.allow_degraded,
        revert_journal,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect()
    }

    #[test]
    fn credentials_never_pass() {
        let scrubbed = scrub_env(&env(&[
            ("PATH", "/usr/bin"),
            ("ANTHROPIC_API_KEY", "sk-ant-x"),
            ("OPENAI_API_KEY", "sk-x"),
            ("SSH_AUTH_SOCK", "/run/user/1000/ssh"),
            ("GITHUB_TOKEN", "ghp_x"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
            ("LC_ALL", "C"),
            ("RANDOM_THING", "x"),
            ("TMPDIR", "/home/u/tmp"),
        ]));
        let names: Vec<String> = scrubbed
            .iter()
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["PATH", "LC_ALL", "TMPDIR"]);
        assert_eq!(scrubbed[2].1, "/tmp");
    }

    #[test]
    fn allow_specific_without_proxy_refuses() {
        let mut cfg = ResolvedConfig {
            project: std::env::temp_dir(),
            ..ResolvedConfig::default()
        };
        cfg.sandbox.network.policy = NetworkMode::AllowSpecific;
        assert!(build(&cfg, &PolicyOptions::default()).is_err());
    }

    #[test]
    fn home_toolchains_are_read_only_and_floors_hidden() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().canonicalize().unwrap();
        for d in [
            ".cargo/bin",
            ".rustup",
            ".ssh",
            ".local/bin",
            "proj/.git/hooks",
        ] {
            std::fs::create_dir_all(h.join(d)).unwrap();
        }
        let cfg = ResolvedConfig {
            project: h.join("proj"),
            ..ResolvedConfig::default()
        };
        let path = format!(
            "{}:{}:/usr/bin",
            h.join(".local/bin").display(),
            h.join(".cargo/bin").display()
        );
        let opts = PolicyOptions {
            env: Some(env(&[("HOME", h.to_str().unwrap()), ("PATH", &path)])),
            ..PolicyOptions::default()
        };
        let p = build(&cfg, &opts).unwrap();
        assert!(p.read_only.contains(&h.join(".local/bin")));
        assert!(p.read_only.contains(&h.join(".cargo/bin")));
        assert!(p.read_only.contains(&h.join(".rustup")));
        assert!(!p.read_only.iter().any(|r| r.starts_with(h.join(".ssh"))));
        assert!(p.hidden.contains(&h.join(".ssh")));
        assert!(p.protected.contains(&h.join("proj/.git/hooks")));
        assert!(p.protected.contains(&h.join("proj/creor.json")));
        assert_eq!(
            p.revert_journal,
            Some(h.join(".local/state/creor/pending-revert"))
        );
    }

    #[test]
    fn revert_journals_follow_xdg_state_home_when_absolute() {
        let dir = |pairs: &[(&str, &str)]| revert_journal_dir(&env(pairs));
        let home = tempfile::tempdir().expect("tempdir");
        let h = home.path().to_str().expect("utf-8 temp path");
        assert_eq!(
            dir(&[("HOME", h), ("XDG_STATE_HOME", "/s")]),
            PathBuf::from("/s/creor/pending-revert")
        );
        assert_eq!(
            dir(&[("HOME", h), ("XDG_STATE_HOME", "rel")]),
            home.path().join(".local/state/creor/pending-revert")
        );
        // SAFETY: geteuid cannot fail.
        let fallback = PathBuf::from(format!("/tmp/creor-pending-revert-{}", unsafe {
            libc::geteuid()
        }));
        assert_eq!(dir(&[]), fallback);
        assert_eq!(dir(&[("HOME", "/no/such/home")]), fallback);
    }

    #[test]
    fn read_grants_inside_hidden_dirs_are_refused() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().canonicalize().unwrap();
        std::fs::create_dir_all(h.join(".ssh")).unwrap();
        std::fs::create_dir_all(h.join("p")).unwrap();
        let mut cfg = ResolvedConfig {
            project: h.join("p"),
            ..ResolvedConfig::default()
        };
        cfg.sandbox.read_only = vec![h.join(".ssh")];
        let opts = PolicyOptions {
            env: Some(env(&[("HOME", h.to_str().unwrap())])),
            ..PolicyOptions::default()
        };
        let err = build(&cfg, &opts).unwrap_err();
        assert!(err.to_string().contains(".ssh"), "{err}");
    }
}
