//! `creor hook install`: the git pre-commit hook that runs `creor scan --staged`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::Context;
use clap::Subcommand;

use super::Exit;

/// Marks a hook creor wrote: only such a hook is replaced without `--force`.
const MARKER: &str = "# creor-pre-commit-hook";

/// `creor hook …`
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Install the pre-commit hook in the current repository.
    Install {
        /// Overwrite a hook creor did not write (it is kept as `pre-commit.creor-backup`).
        #[arg(long)]
        force: bool,
    },
}

/// Runs `creor hook`.
pub fn run(cmd: HookCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        HookCommand::Install { force } => install(force),
    }
}

/// The hooks directory git uses here (`core.hooksPath` respected).
fn hooks_dir() -> anyhow::Result<PathBuf> {
    let out = Command::new("git")
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .output()
        .context("running git")?;
    if !out.status.success() {
        return Err(Exit::config(format!(
            "not in a git repository: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim_end_matches(['\n', '\r']),
    ))
}

/// Quotes for `sh`: single quotes, `'` as `'\''`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn script(exe: &Path) -> String {
    format!(
        "#!/bin/sh\n{MARKER}: installed by `creor hook install`; blocks commits that add secrets.\n\
         # A finding that is not a secret: add `creor:allow` on its line, or\n\
         # `creor scan dismiss FINGERPRINT --reason TEXT`.\n\
         CREOR={}\n\
         if [ ! -x \"$CREOR\" ]; then CREOR=creor; fi\n\
         exec \"$CREOR\" scan --staged\n",
        sh_quote(&exe.to_string_lossy())
    )
}

fn install(force: bool) -> anyhow::Result<ExitCode> {
    let dir = hooks_dir()?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let hook = dir.join("pre-commit");
    match std::fs::read(&hook) {
        Ok(existing) => {
            let ours = String::from_utf8_lossy(&existing).contains(MARKER);
            if !ours && !force {
                return Err(Exit::config(format!(
                    "{}: a pre-commit hook creor did not write exists; rerun with --force to \
                     replace it (it is kept as pre-commit.creor-backup)",
                    hook.display()
                )));
            }
            if !ours {
                let backup = dir.join("pre-commit.creor-backup");
                std::fs::rename(&hook, &backup)
                    .with_context(|| format!("moving {} aside", hook.display()))?;
                eprintln!("creor: kept the previous hook as {}", backup.display());
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", hook.display())),
    }
    let exe = std::env::current_exe().context("locating the creor binary")?;
    let tmp = dir.join(format!("pre-commit.creor-tmp{}", std::process::id()));
    std::fs::write(&tmp, script(&exe)).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("chmod {}", tmp.display()))?;
    std::fs::rename(&tmp, &hook).with_context(|| format!("writing {}", hook.display()))?;
    println!("{}", hook.display());
    Ok(ExitCode::SUCCESS)
}
