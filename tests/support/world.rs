//! Who runs the tests, and the host-side world they run in.
//!
//! A [`World`] is one identity's sandbox playground: a base directory the identity can reach
//! (world-readable binaries, because the checkout may be 0700), a fake `$HOME` holding the
//! secrets an attacker wants (`~/.ssh`, `~/.aws`, `~/.gnupg`, another project), and
//! `home/src/<case>` project directories.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Name of the unprivileged account the harness uses when it runs as root.
pub const TEST_USER: &str = "creor-test";

/// Source of the attacker toolbox, compiled once per world.
const PROBE_C: &str = include_str!("probe.c");
/// Launcher that denies namespace creation with seccomp, for the fail-closed test.
const NO_USERNS_PY: &str = include_str!("no_userns.py");

/// The account a case runs as.
#[derive(Clone, Debug)]
pub struct Identity {
    /// `root` or `user`: the first component of every test name.
    pub label: &'static str,
    /// Host uid of the account.
    pub uid: u32,
    /// Host gid of the account.
    pub gid: u32,
    /// Whether the harness must switch to this account (it runs as root, the account is not).
    pub switch: bool,
}

impl Identity {
    /// The identities to test: root and `creor-test` when running as root, else the caller.
    pub fn all() -> Result<Vec<Identity>, String> {
        // SAFETY: geteuid/getegid cannot fail and touch no memory.
        let (euid, egid) = unsafe { (libc::geteuid(), libc::getegid()) };
        if euid != 0 {
            return Ok(vec![Identity {
                label: "user",
                uid: euid,
                gid: egid,
                switch: false,
            }]);
        }
        let wanted = std::env::var("CREOR_TEST_IDENTITIES").unwrap_or_else(|_| "root,user".into());
        let mut out = Vec::new();
        if wanted.split(',').any(|w| w.trim() == "root") {
            out.push(Identity {
                label: "root",
                uid: 0,
                gid: 0,
                switch: false,
            });
        }
        if wanted.split(',').any(|w| w.trim() == "user") {
            let (uid, gid) = ensure_test_user()?;
            out.push(Identity {
                label: "user",
                uid,
                gid,
                switch: true,
            });
        }
        if out.is_empty() {
            return Err(format!(
                "CREOR_TEST_IDENTITIES={wanted:?} selects no identity (root, user)"
            ));
        }
        Ok(out)
    }

    /// The label as an owned string (for maps and names).
    pub fn label(&self) -> String {
        self.label.to_string()
    }

    /// True when this identity is root on the host.
    pub fn is_root(&self) -> bool {
        self.uid == 0
    }

    /// Makes `cmd` run as this identity.
    pub fn apply(&self, cmd: &mut Command) {
        if self.switch {
            use std::os::unix::process::CommandExt;
            // std drops supplementary groups (setgroups(0)) when root sets a uid.
            cmd.uid(self.uid).gid(self.gid);
        }
    }
}

/// Creates the `creor-test` account if missing and returns its uid and gid.
fn ensure_test_user() -> Result<(u32, u32), String> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").arg(flag).arg(TEST_USER).output().ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    if id("-u").is_none() {
        let status = Command::new("useradd")
            .args([
                "--system",
                "--user-group",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
            ])
            .arg(TEST_USER)
            .status()
            .map_err(|e| format!("useradd {TEST_USER}: {e} (install passwd, or run .ci/run)"))?;
        if !status.success() {
            return Err(format!("useradd {TEST_USER} failed: {status}"));
        }
    }
    match (id("-u"), id("-g")) {
        (Some(u), Some(g)) if u != 0 => Ok((u, g)),
        _ => Err(format!("cannot resolve uid/gid of {TEST_USER}")),
    }
}

/// One identity's playground. Removed on drop unless `CREOR_TEST_KEEP` is set.
pub struct World {
    /// The account the cases of this world run as.
    pub id: Identity,
    /// Root of everything this world created.
    pub base: PathBuf,
    /// World-readable copy of the creor binary under test.
    pub creor: PathBuf,
    /// The compiled attacker toolbox (copied into each project).
    pub probe: PathBuf,
    /// Fail-closed launcher script.
    pub no_userns: PathBuf,
    /// The fake `$HOME` given to creor (0700, owned by the identity).
    pub home: PathBuf,
    /// Unique string embedded in every planted secret and secret env var.
    pub secret: String,
}

impl World {
    /// Builds the world for `id`: binaries, fake home with secrets, a sibling project.
    pub fn create(suite: &str, id: Identity) -> Result<World, String> {
        let pid = std::process::id();
        let base = match std::env::var_os("CREOR_TEST_BASE") {
            Some(b) => PathBuf::from(b).join(format!("creor-{suite}-{pid}-{}", id.label)),
            // Not under /tmp: the sandbox replaces /tmp, and real projects live under /home.
            None if id_is_root() => {
                PathBuf::from(format!("/home/creor-{suite}-{pid}-{}", id.label))
            }
            None => {
                let home = std::env::var_os("HOME").ok_or("HOME is not set")?;
                PathBuf::from(home).join(format!(".cache/creor-{suite}-{pid}-{}", id.label))
            }
        };
        let _ = fs::remove_dir_all(&base);
        let bin = base.join("bin");
        mkdir(&bin, 0o755)?;
        set_mode(&base, 0o755)?;

        let creor = bin.join("creor");
        // CREOR_TEST_BIN: test another build (a release binary, or a stand-in to check the suite).
        let original = std::env::var_os("CREOR_TEST_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_creor")));
        fs::copy(&original, &creor).map_err(|e| format!("copy {}: {e}", original.display()))?;
        set_mode(&creor, 0o755)?;

        let src = bin.join("probe.c");
        fs::write(&src, PROBE_C).map_err(|e| format!("write probe.c: {e}"))?;
        let probe = bin.join("probe");
        let ns = |n: &str| -> Result<u64, String> {
            use std::os::unix::fs::MetadataExt;
            fs::metadata(format!("/proc/self/ns/{n}"))
                .map(|m| m.ino())
                .map_err(|e| format!("stat /proc/self/ns/{n}: {e}"))
        };
        let out = Command::new("gcc")
            .arg(format!("-DHOST_PIDNS={}", ns("pid")?))
            .arg(format!("-DHOST_UTSNS={}", ns("uts")?))
            .args(["-O1", "-o"])
            .arg(&probe)
            .arg(&src)
            .output()
            .map_err(|e| format!("gcc not runnable ({e}): install gcc (.ci/run does)"))?;
        if !out.status.success() {
            return Err(format!(
                "gcc probe.c failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        set_mode(&probe, 0o755)?;
        let no_userns = bin.join("no_userns.py");
        fs::write(&no_userns, NO_USERNS_PY).map_err(|e| format!("write no_userns.py: {e}"))?;
        set_mode(&no_userns, 0o755)?;

        let secret = format!("CREOR-SECRET-{pid}-{}", id.label);
        let home = base.join("home");
        let plant: &[(&str, String)] = &[
            (
                ".ssh/id_ed25519",
                format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{secret}-ssh\n"),
            ),
            (".ssh/config", format!("Host *\n  # {secret}-sshconfig\n")),
            (
                ".aws/credentials",
                format!("[default]\naws_secret_access_key = {secret}-aws\n"),
            ),
            (
                ".gnupg/private-keys-v1.d/key.key",
                format!("{secret}-gpg\n"),
            ),
            (
                ".netrc",
                format!("machine example.com password {secret}-netrc\n"),
            ),
            ("src/other-project/secret.txt", format!("{secret}-other\n")),
        ];
        for (rel, content) in plant {
            let p = home.join(rel);
            if let Some(parent) = p.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| format!("mkdir {}: {e}", parent.display()))?;
            }
            fs::write(&p, content).map_err(|e| format!("write {}: {e}", p.display()))?;
        }
        if id.is_root() {
            // As root the sandbox runs as an unprivileged host uid, so 0700/0600 modes alone
            // would refuse it (EACCES) even if the floor were mounted. Open everything up, so
            // that only the sandbox stands between the command and the secrets.
            set_modes_open(&home)?;
        } else {
            set_mode(&home.join(".ssh"), 0o700)?;
            set_mode(&home.join(".ssh/id_ed25519"), 0o600)?;
            set_mode(&home, 0o700)?;
        }
        set_mode(&home.join("src"), 0o755)?;
        chown_tree(&home, id.uid, id.gid)?;
        Ok(World {
            id,
            base,
            creor,
            probe,
            no_userns,
            home,
            secret,
        })
    }

    /// All planted secrets (substrings that must never appear in sandboxed output).
    pub fn secrets(&self) -> Vec<String> {
        let s = &self.secret;
        [
            "ssh",
            "sshconfig",
            "aws",
            "gpg",
            "netrc",
            "other",
            "env-openai",
            "env-anthropic",
            "env-github",
            "env-aws",
            "env-canary",
        ]
        .iter()
        .map(|k| format!("{s}-{k}"))
        .collect()
    }

    /// The environment creor is started with: what an agent's process typically holds,
    /// provider keys included.
    pub fn env(&self) -> Vec<(String, String)> {
        let s = &self.secret;
        vec![
            (
                "PATH".into(),
                "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin".into(),
            ),
            ("HOME".into(), self.home.display().to_string()),
            (
                "USER".into(),
                if self.id.is_root() {
                    "root".into()
                } else {
                    TEST_USER.into()
                },
            ),
            ("LANG".into(), "C.UTF-8".into()),
            ("TERM".into(), "xterm".into()),
            ("OPENAI_API_KEY".into(), format!("{s}-env-openai")),
            ("ANTHROPIC_API_KEY".into(), format!("{s}-env-anthropic")),
            ("GITHUB_TOKEN".into(), format!("{s}-env-github")),
            ("AWS_SECRET_ACCESS_KEY".into(), format!("{s}-env-aws")),
            ("CREOR_TEST_CANARY".into(), format!("{s}-env-canary")),
            (
                "SSH_AUTH_SOCK".into(),
                self.base.join("agent.sock").display().to_string(),
            ),
        ]
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if std::env::var_os("CREOR_TEST_KEEP").is_none() {
            let _ = fs::remove_dir_all(&self.base);
        }
    }
}

fn id_is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `mkdir -p` then chmod.
pub fn mkdir(p: &Path, mode: u32) -> Result<(), String> {
    fs::create_dir_all(p).map_err(|e| format!("mkdir {}: {e}", p.display()))?;
    set_mode(p, mode)
}

/// chmod with a readable error.
pub fn set_mode(p: &Path, mode: u32) -> Result<(), String> {
    fs::set_permissions(p, fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {mode:o} {}: {e}", p.display()))
}

/// `chmod -R a+rX`-like: directories 0755, files 0644.
fn set_modes_open(p: &Path) -> Result<(), String> {
    let meta = fs::symlink_metadata(p).map_err(|e| format!("stat {}: {e}", p.display()))?;
    if meta.is_dir() {
        set_mode(p, 0o755)?;
        for entry in fs::read_dir(p).map_err(|e| format!("readdir {}: {e}", p.display()))? {
            let entry = entry.map_err(|e| format!("readdir {}: {e}", p.display()))?;
            set_modes_open(&entry.path())?;
        }
    } else if meta.is_file() {
        set_mode(p, 0o644)?;
    }
    Ok(())
}

/// `chown -R` without following symlinks; a no-op when not root.
pub fn chown_tree(p: &Path, uid: u32, gid: u32) -> Result<(), String> {
    if !id_is_root() {
        return Ok(());
    }
    let meta = fs::symlink_metadata(p).map_err(|e| format!("stat {}: {e}", p.display()))?;
    std::os::unix::fs::lchown(p, Some(uid), Some(gid))
        .map_err(|e| format!("chown {}: {e}", p.display()))?;
    if meta.is_dir() {
        for entry in fs::read_dir(p).map_err(|e| format!("readdir {}: {e}", p.display()))? {
            let entry = entry.map_err(|e| format!("readdir {}: {e}", p.display()))?;
            chown_tree(&entry.path(), uid, gid)?;
        }
    }
    Ok(())
}
