//! Filesystem: the floor (`~/.ssh`, `~/.aws`, `~/.gnupg`), home, other projects, system dirs.

use std::fs;
use std::path::Path;

use crate::support::{
    host, read_denied, unique, write_denied, Case, Outcome, Run, ABSENT, REFUSED_WRITE,
};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("fs", read_ssh_private_key),
        case!("fs", read_ssh_config),
        case!("fs", read_aws_credentials),
        case!("fs", read_gnupg_private_key),
        case!("fs", read_netrc_in_home),
        case!("fs", list_home_shows_no_floor),
        case!("fs", list_ssh_dir),
        case!("fs", read_other_project),
        case!("fs", write_other_project),
        case!("fs", read_root_home),
        case!("fs", read_etc_shadow),
        case!("fs", create_file_in_etc),
        case!("fs", open_etc_passwd_for_writing),
        case!("fs", create_file_in_usr_bin),
        case!("fs", create_file_in_usr_local_bin),
        case!("fs", write_host_run),
        case!("fs", host_tmp_file_invisible),
        case!("fs", tmp_write_does_not_reach_host),
        case!("fs", tmp_is_fresh_per_exec),
        case!("fs", open_host_block_device),
        case!("fs", open_dev_mem),
        case!("fs", hardlink_etc_shadow_into_project),
        case!("fs", toolchain_dir_in_home_read_only),
        case!("fs", project_is_home_floor_still_hidden),
        case!("fs", project_is_filesystem_root),
        case!("fs", path_entries_cannot_expose_floor),
        case!("fs", toolchain_caches_not_writable),
        case!("fs", credential_files_in_home_hidden),
    ]
}

fn read_ssh_private_key(r: &mut Run) -> Outcome {
    read_denied(r, &r.home(".ssh/id_ed25519"))
}

fn read_ssh_config(r: &mut Run) -> Outcome {
    read_denied(r, &r.home(".ssh/config"))
}

fn read_aws_credentials(r: &mut Run) -> Outcome {
    read_denied(r, &r.home(".aws/credentials"))
}

fn read_gnupg_private_key(r: &mut Run) -> Outcome {
    read_denied(r, &r.home(".gnupg/private-keys-v1.d/key.key"))
}

fn read_netrc_in_home(r: &mut Run) -> Outcome {
    read_denied(r, &r.home(".netrc"))
}

/// `ls ~`: either refused, or a listing without the floor directories and other projects.
fn list_home_shows_no_floor(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["ls", &r.home("")]);
    if out.first().starts_with("ok") {
        for name in [".ssh", ".aws", ".gnupg", ".netrc"] {
            ensure!(
                !out.data().lines().any(|l| l == name),
                "`{name}` is listed in $HOME inside the sandbox\n{out}"
            );
        }
        let src = r.probe_in(&["ls", &r.home("src")]);
        if src.first().starts_with("ok") {
            ensure!(
                !src.data().lines().any(|l| l == "other-project"),
                "another project is visible under ~/src\n{src}"
            );
        }
        Ok(())
    } else {
        out.refused(ABSENT)
    }
}

fn list_ssh_dir(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["ls", &r.home(".ssh")]);
    out.refused(ABSENT)?;
    ensure!(
        !out.stdout.contains("id_ed25519"),
        "key file name leaked\n{out}"
    );
    Ok(())
}

fn read_other_project(r: &mut Run) -> Outcome {
    read_denied(r, &r.home("src/other-project/secret.txt"))
}

fn write_other_project(r: &mut Run) -> Outcome {
    let target = r.home("src/other-project/evil.txt");
    write_denied(r, &target, REFUSED_WRITE)?;
    write_denied(r, &r.home("src/other-project/secret.txt"), REFUSED_WRITE)
}

/// Root's home is never mounted; as root the harness plants a marker there.
fn read_root_home(r: &mut Run) -> Outcome {
    let marker = Path::new("/root").join(format!(".{}", unique("root-marker")));
    if r.world.id.is_root() || unsafe_is_root() {
        fs::write(&marker, format!("{}-rootmarker", r.world.secret))
            .map_err(|e| format!("plant {}: {e}", marker.display()))?;
        r.cleanup_paths.push(marker.clone());
    }
    let out = r.probe_in(&["read", &marker.display().to_string()]);
    out.refused(ABSENT)?;
    ensure!(
        !out.stdout.contains("rootmarker"),
        "root's file leaked\n{out}"
    );
    Ok(())
}

fn unsafe_is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn read_etc_shadow(r: &mut Run) -> Outcome {
    let out = r.probe_in(&["read", "/etc/shadow"]);
    out.refused(ABSENT)?;
    ensure!(
        !out.stdout.contains("root:"),
        "shadow content leaked\n{out}"
    );
    Ok(())
}

fn create_file_in_etc(r: &mut Run) -> Outcome {
    let p = format!("/etc/{}", unique("etc"));
    r.cleanup_paths.push(p.clone().into());
    write_denied(r, &p, &["EROFS", "EACCES", "EPERM"])?;
    host::absent(Path::new(&p))
}

/// Opening for write is enough to prove the refusal; nothing is written even if it succeeded.
fn open_etc_passwd_for_writing(r: &mut Run) -> Outcome {
    let before = fs::read("/etc/passwd").ok();
    let out = r.probe_in(&["openw", "/etc/passwd"]);
    out.refused(&["EROFS", "EACCES", "EPERM"])?;
    host::unchanged(Path::new("/etc/passwd"), &before)
}

fn create_file_in_usr_bin(r: &mut Run) -> Outcome {
    let p = format!("/usr/bin/{}", unique("usrbin"));
    r.cleanup_paths.push(p.clone().into());
    write_denied(r, &p, &["EROFS", "EACCES", "EPERM"])?;
    host::absent(Path::new(&p))
}

fn create_file_in_usr_local_bin(r: &mut Run) -> Outcome {
    let p = format!("/usr/local/bin/{}", unique("usrlocal"));
    r.cleanup_paths.push(p.clone().into());
    write_denied(r, &p, &["EROFS", "EACCES", "EPERM", "ENOENT"])?;
    host::absent(Path::new(&p))
}

/// `/run` holds sockets and PID files of host daemons; it is never mounted.
fn write_host_run(r: &mut Run) -> Outcome {
    let p = format!("/run/{}", unique("run"));
    r.cleanup_paths.push(p.clone().into());
    write_denied(r, &p, REFUSED_WRITE)?;
    host::absent(Path::new(&p))
}

fn host_tmp_file_invisible(r: &mut Run) -> Outcome {
    let p = format!("/tmp/{}", unique("hosttmp"));
    fs::write(&p, format!("{}-hosttmp", r.world.secret)).map_err(|e| e.to_string())?;
    r.cleanup_paths.push(p.clone().into());
    let out = r.probe_in(&["read", &p]);
    out.refused(&["ENOENT"])?;
    ensure!(
        !out.stdout.contains("-hosttmp"),
        "host /tmp content leaked\n{out}"
    );
    Ok(())
}

/// The sandbox's `/tmp` is private: a write there succeeds but never lands in the host's `/tmp`.
fn tmp_write_does_not_reach_host(r: &mut Run) -> Outcome {
    let p = format!("/tmp/{}", unique("tmpw"));
    r.cleanup_paths.push(p.clone().into());
    let out = r.probe_in(&["write", &p, "from-sandbox"]);
    out.succeeded()
        .map_err(|e| format!("writing the private /tmp must work: {e}"))?;
    host::absent(Path::new(&p)).map_err(|e| format!("{e}\n{out}"))
}

fn tmp_is_fresh_per_exec(r: &mut Run) -> Outcome {
    let p = format!("/tmp/{}", unique("fresh"));
    r.cleanup_paths.push(p.clone().into());
    r.probe_in(&["write", &p, "first-exec"]).succeeded()?;
    let out = r.probe_in(&["read", &p]);
    out.refused(&["ENOENT"])
        .map_err(|e| format!("a file from a previous exec survived in /tmp: {e}"))
}

fn open_host_block_device(r: &mut Run) -> Outcome {
    let dev = fs::read_dir("/sys/block")
        .ok()
        .and_then(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .find(|n| !n.starts_with("loop"))
        })
        .unwrap_or_else(|| "sda".into());
    let out = r.probe_in(&["read", &format!("/dev/{dev}")]);
    out.refused(&["ENOENT", "EACCES", "EPERM"])
}

fn open_dev_mem(r: &mut Run) -> Outcome {
    r.probe_in(&["read", "/dev/mem"])
        .refused(&["ENOENT", "EACCES", "EPERM"])?;
    r.probe_in(&["read", "/dev/kmsg"])
        .refused(&["ENOENT", "EACCES", "EPERM"])
}

fn hardlink_etc_shadow_into_project(r: &mut Run) -> Outcome {
    let link = r.p("shadow-link");
    let out = r.probe_in(&["link", "/etc/shadow", &link]);
    out.refused(&["EXDEV", "EPERM", "EACCES", "ENOENT"])?;
    host::absent(Path::new(&link))
}

/// Toolchains on `PATH` under home (`~/.local/bin`, `~/.cargo/bin`) may be bound so they keep
/// working, but only read-only: a writable one lets the command trojan the user's tools.
fn toolchain_dir_in_home_read_only(r: &mut Run) -> Outcome {
    let bin = r.world.home.join(".local/bin");
    std::fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
    std::fs::write(bin.join("mytool"), "#!/bin/sh\necho tool\n").map_err(|e| e.to_string())?;
    crate::support::world::chown_tree(
        &r.world.home.join(".local"),
        r.world.id.uid,
        r.world.id.gid,
    )?;
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display());
    let target = bin.join("mytool");
    let before = crate::support::run::snapshot(&target);
    let evil = bin.join("git");
    let out = r
        .exec(&[
            r.probe(),
            "write".into(),
            evil.display().to_string(),
            "#!/bin/sh\necho trojan\n".into(),
        ])
        .env("PATH", &path)
        .output();
    let out2 = r
        .exec(&[
            r.probe(),
            "write".into(),
            target.display().to_string(),
            "trojan".into(),
        ])
        .env("PATH", &path)
        .output();
    host::absent(&evil).map_err(|e| format!("{e}\n{out}"))?;
    host::unchanged(&target, &before).map_err(|e| format!("{e}\n{out2}"))?;
    out.refused(REFUSED_WRITE)?;
    out2.refused(REFUSED_WRITE)
}

/// An agent started in `$HOME` makes home the project: the floor must stay invisible anyway.
fn project_is_home_floor_still_hidden(r: &mut Run) -> Outcome {
    let home = r.world.home.clone();
    let key = r.home(".ssh/id_ed25519");
    let out = r
        .exec(&[r.probe(), "read".into(), key])
        .project(&home)
        .output();
    if out.first().is_empty() && out.code() != 0 {
        return Ok(()); // creor refused to use $HOME as a project: also fine
    }
    out.refused(ABSENT)?;
    out.lacks(&r.world.secrets())?;
    let aws = r.home(".aws/credentials");
    let out = r
        .exec(&[r.probe(), "read".into(), aws])
        .project(&home)
        .output();
    out.refused(ABSENT)?;
    out.lacks(&r.world.secrets())
}

/// `--project /` must not turn the whole host read-write (as root: idmapped to the sandbox uid).
fn project_is_filesystem_root(r: &mut Run) -> Outcome {
    let p = format!("/etc/{}", unique("rootproj"));
    r.cleanup_paths.push(p.clone().into());
    let key = r.home(".ssh/id_ed25519");
    let out = r
        .exec(&[r.probe(), "write".into(), p.clone(), "pwned".into()])
        .project(Path::new("/"))
        .output();
    host::absent(Path::new(&p)).map_err(|e| format!("ESCAPE via --project /: {e}\n{out}"))?;
    if out.first().is_empty() {
        ensure!(out.code() != 0, "creor ran nothing yet exited 0\n{out}");
    } else {
        out.refused(&["EROFS", "EACCES", "EPERM"])?;
    }
    let out = r
        .exec(&[r.probe(), "read".into(), key])
        .project(Path::new("/"))
        .output();
    if out.first().is_empty() {
        return Ok(());
    }
    out.refused(ABSENT)?;
    out.lacks(&r.world.secrets())
}

/// Home `PATH` entries are bound read-only so toolchains keep working; a `PATH` that names
/// `$HOME` itself or a floor directory must still leave the floor invisible.
fn path_entries_cannot_expose_floor(r: &mut Run) -> Outcome {
    let path = format!(
        "{}:{}:{}:{}:/usr/local/bin:/usr/bin:/bin",
        r.home(".ssh"),
        r.home(".aws"),
        r.home(".gnupg"),
        r.world.home.display()
    );
    for rel in [
        ".ssh/id_ed25519",
        ".aws/credentials",
        ".gnupg/private-keys-v1.d/key.key",
        ".netrc",
    ] {
        let out = r
            .exec(&[r.probe(), "read".into(), r.home(rel)])
            .env("PATH", &path)
            .output();
        if out.first().is_empty() && out.code() == 125 {
            continue; // refusing to run with such a PATH is fail-closed too
        }
        out.refused(ABSENT)?;
        out.lacks(&r.world.secrets())?;
    }
    Ok(())
}

/// Plants a toolchain layout in the fake home (owned by the identity) and returns a `PATH`
/// naming its bin dirs, the way a rustup/npm user's shell does.
fn plant_toolchains(r: &Run) -> Result<String, String> {
    let files: &[(&str, String)] = &[
        (".cargo/bin/cargo-fake", "#!/bin/sh\necho cargo\n".into()),
        (".cargo/registry/index/config.json", "{}\n".into()),
        (
            ".cargo/credentials.toml",
            format!("[registry]\ntoken = \"{}-cargo\"\n", r.world.secret),
        ),
        (".npm/_cacache/index-v5/entry", "cache\n".into()),
        (
            ".npmrc",
            format!(
                "//registry.npmjs.org/:_authToken={}-npmrc\n",
                r.world.secret
            ),
        ),
        (
            ".pypirc",
            format!("[pypi]\npassword = {}-pypirc\n", r.world.secret),
        ),
        (
            ".git-credentials",
            format!("https://u:{}-gitcred@github.com\n", r.world.secret),
        ),
        (
            ".config/gh/hosts.yml",
            format!("github.com:\n  oauth_token: {}-gh\n", r.world.secret),
        ),
        (
            ".docker/config.json",
            format!(
                "{{\"auths\":{{\"x\":{{\"auth\":\"{}-docker\"}}}}}}\n",
                r.world.secret
            ),
        ),
        (
            ".kube/config",
            format!("users:\n- user:\n    token: {}-kube\n", r.world.secret),
        ),
        (".local/bin/tool", "#!/bin/sh\n".into()),
    ];
    for (rel, content) in files {
        let p = r.world.home.join(rel);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d).map_err(|e| e.to_string())?;
        }
        fs::write(&p, content).map_err(|e| e.to_string())?;
    }
    crate::support::world::chown_tree(&r.world.home, r.world.id.uid, r.world.id.gid)?;
    Ok(format!(
        "{}:{}:/usr/local/bin:/usr/bin:/bin",
        r.home(".cargo/bin"),
        r.home(".local/bin")
    ))
}

/// A writable shared cache lets one project poison the next (DESIGN.md §5).
fn toolchain_caches_not_writable(r: &mut Run) -> Outcome {
    let path = plant_toolchains(r)?;
    for rel in [
        ".cargo/registry/index/evil.json",
        ".npm/_cacache/evil",
        ".cargo/bin/cargo-evil",
        ".cargo/bin/cargo-fake",
    ] {
        let target = r.world.home.join(rel);
        let before = crate::support::run::snapshot(&target);
        let out = r
            .exec(&[
                r.probe(),
                "write".into(),
                target.display().to_string(),
                "poison".into(),
            ])
            .env("PATH", &path)
            .output();
        host::unchanged(&target, &before).map_err(|e| format!("{e}\n{out}"))?;
        out.refused(REFUSED_WRITE)?;
    }
    Ok(())
}

/// Toolchain binds must not drag credentials along: registry tokens, git/gh/docker/kube auth.
fn credential_files_in_home_hidden(r: &mut Run) -> Outcome {
    let path = plant_toolchains(r)?;
    let mut secrets = r.world.secrets();
    for k in [
        "cargo", "npmrc", "pypirc", "gitcred", "gh", "docker", "kube",
    ] {
        secrets.push(format!("{}-{k}", r.world.secret));
    }
    for rel in [
        ".cargo/credentials.toml",
        ".npmrc",
        ".pypirc",
        ".git-credentials",
        ".config/gh/hosts.yml",
        ".docker/config.json",
        ".kube/config",
    ] {
        let out = r
            .exec(&[r.probe(), "read".into(), r.home(rel)])
            .env("PATH", &path)
            .output();
        out.refused(ABSENT)?;
        out.lacks(&secrets)?;
    }
    Ok(())
}
