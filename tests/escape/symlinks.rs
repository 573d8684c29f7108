//! Symlink and path tricks: links planted by the host, `..`, `/proc/*/root`, `/proc/*/cwd`.

use std::os::unix::fs::symlink;
use std::path::Path;

use crate::support::{host, read_denied, write_denied, Case, Outcome, Run, ABSENT, REFUSED_WRITE};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("symlink", project_link_to_ssh_key),
        case!("symlink", project_link_to_ssh_dir),
        case!("symlink", project_link_to_etc_shadow),
        case!("symlink", project_link_to_aws_dir),
        case!("symlink", write_through_link_to_other_project),
        case!("symlink", dotdot_to_ssh_key),
        case!("symlink", dotdot_to_other_project),
        case!("symlink", proc_self_root_to_ssh_key),
        case!("symlink", proc_1_root_to_ssh_key),
        case!("symlink", proc_1_cwd_walk_up),
        case!("symlink", link_made_inside_to_ssh_key),
        case!("symlink", write_through_link_to_git_hook),
        case!("symlink", protected_names_planted_as_links_to_floor),
        case!("symlink", protected_git_hooks_planted_as_link_to_home),
    ]
}

fn plant_link(r: &Run, target: &str, name: &str) -> Result<String, String> {
    let link = r.project.join(name);
    symlink(target, &link).map_err(|e| format!("symlink {}: {e}", link.display()))?;
    r.own()?;
    Ok(link.display().to_string())
}

fn project_link_to_ssh_key(r: &mut Run) -> Outcome {
    let link = plant_link(r, &r.home(".ssh/id_ed25519"), "key")?;
    read_denied(r, &link)
}

fn project_link_to_ssh_dir(r: &mut Run) -> Outcome {
    let link = plant_link(r, &r.home(".ssh"), "sshdir")?;
    read_denied(r, &format!("{link}/id_ed25519"))?;
    let out = r.probe_in(&["ls", &link]);
    out.refused(ABSENT)?;
    ensure!(!out.stdout.contains("id_ed25519"), "listing leaked\n{out}");
    Ok(())
}

fn project_link_to_etc_shadow(r: &mut Run) -> Outcome {
    let link = plant_link(r, "/etc/shadow", "shadow")?;
    let out = r.probe_in(&["read", &link]);
    out.refused(ABSENT)?;
    ensure!(!out.stdout.contains("root:"), "shadow leaked\n{out}");
    Ok(())
}

fn project_link_to_aws_dir(r: &mut Run) -> Outcome {
    let link = plant_link(r, &r.home(".aws"), "aws")?;
    read_denied(r, &format!("{link}/credentials"))
}

fn write_through_link_to_other_project(r: &mut Run) -> Outcome {
    let link = plant_link(r, &r.home("src/other-project"), "other")?;
    write_denied(r, &format!("{link}/evil.txt"), REFUSED_WRITE)?;
    host::absent(&r.world.home.join("src/other-project/evil.txt"))?;
    write_denied(r, &format!("{link}/secret.txt"), REFUSED_WRITE)
}

/// The project is `~/src/<case>`: `../../.ssh` names the real key on the host.
fn dotdot_to_ssh_key(r: &mut Run) -> Outcome {
    read_denied(r, &format!("{}/../../.ssh/id_ed25519", r.project.display()))
}

fn dotdot_to_other_project(r: &mut Run) -> Outcome {
    read_denied(
        r,
        &format!("{}/../other-project/secret.txt", r.project.display()),
    )
}

fn proc_self_root_to_ssh_key(r: &mut Run) -> Outcome {
    read_denied(r, &format!("/proc/self/root{}", r.home(".ssh/id_ed25519")))
}

fn proc_1_root_to_ssh_key(r: &mut Run) -> Outcome {
    let out = r.probe_in(&[
        "read",
        &format!("/proc/1/root{}", r.home(".ssh/id_ed25519")),
    ]);
    out.refused(&["ENOENT", "EACCES", "EPERM"])?;
    out.lacks(&r.world.secrets())
}

/// Walk up from pid 1's working directory far past `/`, then down into the floor.
fn proc_1_cwd_walk_up(r: &mut Run) -> Outcome {
    let up = "/..".repeat(16);
    let out = r.probe_in(&[
        "read",
        &format!("/proc/1/cwd{up}{}", r.home(".ssh/id_ed25519")),
    ]);
    out.refused(&["ENOENT", "EACCES", "EPERM"])?;
    out.lacks(&r.world.secrets())
}

fn link_made_inside_to_ssh_key(r: &mut Run) -> Outcome {
    let script = format!(
        "ln -s {key} {p}/inner-key && {probe} read {p}/inner-key",
        key = r.home(".ssh/id_ed25519"),
        p = r.project.display(),
        probe = r.probe()
    );
    let out = r.sh(&script);
    out.refused(ABSENT)?;
    out.lacks(&r.world.secrets())
}

fn write_through_link_to_git_hook(r: &mut Run) -> Outcome {
    let hook = r.write(".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n")?;
    r.write(".git/config", "[core]\n\trepositoryformatversion = 0\n")?;
    r.write(".git/HEAD", "ref: refs/heads/main\n")?;
    let link = plant_link(r, &hook.display().to_string(), "hooklink")?;
    let before = crate::support::run::snapshot(&hook);
    let out = r.probe_in(&["write", &link, "#!/bin/sh\necho pwned\n"]);
    let verdict = out.refused(REFUSED_WRITE);
    host::unchanged(Path::new(&hook), &before).map_err(|e| format!("{e}\n{out}"))?;
    verdict
}

/// Two-step attack on the sandbox's own setup: one command replaces the names creor re-binds
/// read-only (`.creor`, `creor.json`, `creor.local.json`) with symlinks into the floor; the next
/// `creor exec` must not follow them when it binds, or the floor appears inside the project.
fn protected_names_planted_as_links_to_floor(r: &mut Run) -> Outcome {
    let plant = r.sh(&format!(
        "cd {p} && ln -s {ssh} .creor && ln -s {aws} creor.json && ln -s {gpg} creor.local.json && echo planted",
        p = r.project.display(),
        ssh = r.home(".ssh"),
        aws = r.home(".aws/credentials"),
        gpg = r.home(".gnupg/private-keys-v1.d/key.key"),
    ));
    ensure!(
        plant.stdout.contains("planted"),
        "could not plant the links (precondition)\n{plant}"
    );
    for rel in [".creor/id_ed25519", "creor.json", "creor.local.json"] {
        let out = r.probe_in(&["read", &r.p(rel)]);
        if out.first().is_empty() && out.code() == 125 {
            continue; // creor refused to set up around a planted link: fine, fail-closed
        }
        out.refused(ABSENT)?;
        out.lacks(&r.world.secrets())?;
    }
    Ok(())
}

/// Same with `.git/hooks` pointing at `$HOME`: a read-only bind that follows the link would
/// expose home (and its floor) under `.git/hooks`.
fn protected_git_hooks_planted_as_link_to_home(r: &mut Run) -> Outcome {
    r.write(".git/HEAD", "ref: refs/heads/main\n")?;
    r.write(".git/config", "[core]\n")?;
    symlink(&r.world.home, r.project.join(".git/hooks")).map_err(|e| e.to_string())?;
    r.own()?;
    let out = r.probe_in(&["read", &r.p(".git/hooks/.ssh/id_ed25519")]);
    if out.first().is_empty() && out.code() == 125 {
        return Ok(());
    }
    out.refused(ABSENT)?;
    out.lacks(&r.world.secrets())
}
