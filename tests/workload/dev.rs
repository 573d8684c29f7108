//! Builds, interpreters, version control, servers: the tools an agent runs all day.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::process::Command;

use crate::support::{Case, Outcome, Run};
use crate::{case, ensure};

pub fn cases() -> Vec<Case> {
    vec![
        case!("dev", gcc_build_and_run),
        case!("dev", python_ssl_and_sqlite),
        case!("dev", git_init_and_commit),
        case!("dev", git_commit_in_existing_repo_with_readonly_hooks),
        case!("dev", http_server_and_client_on_loopback),
        case!("dev", make_builds_target),
        case!("dev", tar_round_trip),
        case!("dev", created_files_owned_by_project_owner),
        case!("dev", existing_project_file_editable),
        case!("dev", project_under_host_tmp),
        case!("dev", cargo_build_with_toolchain_from_home),
    ]
}

fn gcc_build_and_run(r: &mut Run) -> Outcome {
    r.write(
        "hello.c",
        "#include <stdio.h>\nint main(void){puts(\"hello from the sandbox\");return 0;}\n",
    )?;
    let out = r.sh("gcc -O1 -o hello hello.c && ./hello");
    out.exit_is(0)?;
    ensure!(
        out.stdout.contains("hello from the sandbox"),
        "unexpected output\n{out}"
    );
    ensure!(
        r.project.join("hello").exists(),
        "the built binary is not in the host project\n{out}"
    );
    Ok(())
}

fn python_ssl_and_sqlite(r: &mut Run) -> Outcome {
    let py = "import ssl, sqlite3\n\
              ctx = ssl.create_default_context()\n\
              db = sqlite3.connect('data.sqlite')\n\
              db.execute('create table t(x)')\n\
              db.execute('insert into t values (42)')\n\
              db.commit()\n\
              print('ssl', ssl.OPENSSL_VERSION.split()[0], 'value', db.execute('select x from t').fetchone()[0])\n";
    r.write("check.py", py)?;
    let out = r.exec(&["python3", "check.py"]).output();
    out.exit_is(0)?;
    ensure!(
        out.stdout.contains("ssl OpenSSL value 42"),
        "unexpected output\n{out}"
    );
    ensure!(
        r.project.join("data.sqlite").exists(),
        "sqlite file not written to the project\n{out}"
    );
    Ok(())
}

fn host_git(r: &Run, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-c")
        .arg("safe.directory=*")
        .arg("-C")
        .arg(&r.project)
        .args(args)
        .output()
        .map_err(|e| format!("host git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "host git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

const GIT_ID: &str = "git -c user.name=creor-test -c user.email=creor-test@example.invalid";

fn git_init_and_commit(r: &mut Run) -> Outcome {
    r.write("README", "hello\n")?;
    let out = r.sh(&format!("git init -q -b main . && git add README && {GIT_ID} commit -q -m first && git log --oneline"));
    out.exit_is(0)?;
    ensure!(out.stdout.contains("first"), "commit not in log\n{out}");
    let log = host_git(r, &["log", "--oneline"])?;
    ensure!(
        log.contains("first"),
        "the host repository has no commit: {log}\n{out}"
    );
    Ok(())
}

fn git_commit_in_existing_repo_with_readonly_hooks(r: &mut Run) -> Outcome {
    host_git(r, &["init", "-q", "-b", "main", "."])?;
    r.write("src.txt", "v1\n")?;
    r.own()?;
    let hook = r.project.join(".git/hooks/pre-commit");
    let out = r.sh(&format!(
        "git add src.txt && {GIT_ID} commit -q -m from-sandbox && \
         (echo evil > {hook} && echo HOOK-WRITTEN || echo hook-refused)",
        hook = hook.display()
    ));
    out.exit_is(0)?;
    ensure!(
        out.stdout.contains("hook-refused"),
        "the hooks dir is writable inside\n{out}"
    );
    ensure!(!hook.exists(), "a hook landed on the host\n{out}");
    let log = host_git(r, &["log", "--oneline"])?;
    ensure!(
        log.contains("from-sandbox"),
        "commit missing on the host: {log}\n{out}"
    );
    Ok(())
}

fn http_server_and_client_on_loopback(r: &mut Run) -> Outcome {
    let py = "import http.server, threading, urllib.request\n\
              class H(http.server.BaseHTTPRequestHandler):\n\
              \x20   def do_GET(self):\n\
              \x20       self.send_response(200); self.end_headers(); self.wfile.write(b'pong')\n\
              \x20   def log_message(self, *a): pass\n\
              s = http.server.HTTPServer(('127.0.0.1', 0), H)\n\
              threading.Thread(target=s.serve_forever, daemon=True).start()\n\
              url = 'http://127.0.0.1:%d/' % s.server_address[1]\n\
              print('body', urllib.request.urlopen(url, timeout=10).read().decode())\n";
    r.write("server.py", py)?;
    let out = r.exec(&["python3", "server.py"]).output();
    out.exit_is(0)?;
    ensure!(
        out.stdout.contains("body pong"),
        "loopback server unreachable inside\n{out}"
    );
    Ok(())
}

fn make_builds_target(r: &mut Run) -> Outcome {
    r.write(
        "Makefile",
        "out.txt: in.txt\n\ttr a-z A-Z < in.txt > out.txt\n",
    )?;
    r.write("in.txt", "made by make\n")?;
    let out = r.exec(&["make"]).output();
    out.exit_is(0)?;
    let made = fs::read_to_string(r.project.join("out.txt")).unwrap_or_default();
    ensure!(
        made == "MADE BY MAKE\n",
        "out.txt on the host is {made:?}\n{out}"
    );
    Ok(())
}

fn tar_round_trip(r: &mut Run) -> Outcome {
    r.write("pkg/a.txt", "alpha\n")?;
    r.write("pkg/b/c.txt", "gamma\n")?;
    let out = r.sh("tar czf pkg.tgz pkg && mkdir -p unpacked && tar xzf pkg.tgz -C unpacked && cat unpacked/pkg/b/c.txt");
    out.exit_is(0)?;
    ensure!(
        out.stdout.contains("gamma"),
        "unpacked content wrong\n{out}"
    );
    Ok(())
}

/// As root the project is bound through an idmapped mount: files land owned by root on disk;
/// as a user, by that user.
fn created_files_owned_by_project_owner(r: &mut Run) -> Outcome {
    let out = r.sh("mkdir -p made/dir && echo x > made/dir/file");
    out.exit_is(0)?;
    for rel in ["made", "made/dir", "made/dir/file"] {
        let m = fs::metadata(r.project.join(rel)).map_err(|e| format!("{rel}: {e}\n{out}"))?;
        ensure!(
            m.uid() == r.world.id.uid && m.gid() == r.world.id.gid,
            "{rel} is owned by {}:{} on the host, expected {}:{}\n{out}",
            m.uid(),
            m.gid(),
            r.world.id.uid,
            r.world.id.gid
        );
    }
    Ok(())
}

fn existing_project_file_editable(r: &mut Run) -> Outcome {
    r.write("notes.txt", "line1\n")?;
    let out = r.sh("echo line2 >> notes.txt && sed -i s/line1/LINE1/ notes.txt && cat notes.txt");
    out.exit_is(0)?;
    let now = fs::read_to_string(r.project.join("notes.txt")).unwrap_or_default();
    ensure!(now == "LINE1\nline2\n", "host file is {now:?}\n{out}");
    Ok(())
}

/// The sandbox mounts a private /tmp; a project that itself lives under the host's /tmp must
/// still be bound at its own path (tempdir-based projects are common).
fn project_under_host_tmp(r: &mut Run) -> Outcome {
    let dir = tempfile::Builder::new()
        .prefix("creor-workload-")
        .tempdir_in("/tmp")
        .map_err(|e| e.to_string())?;
    crate::support::world::set_mode(dir.path(), 0o755)?;
    crate::support::world::chown_tree(dir.path(), r.world.id.uid, r.world.id.gid)?;
    let mut cmd = Command::new(&r.world.creor);
    cmd.arg("exec").arg("--project").arg(dir.path()).args([
        "--",
        "/bin/sh",
        "-c",
        "echo inside > made-in-tmp && pwd",
    ]);
    cmd.current_dir(dir.path()).env_clear().envs(r.world.env());
    r.world.id.apply(&mut cmd);
    let out = cmd.output().map_err(|e| e.to_string())?;
    let shown = format!(
        "  command: creor exec --project {} -- sh -c ...\n  exit: {}\n  stdout: {}\n  stderr: {}",
        dir.path().display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(out.status.success(), "failed\n{shown}");
    let made = fs::read_to_string(dir.path().join("made-in-tmp")).unwrap_or_default();
    ensure!(made == "inside\n", "file not on the host\n{shown}");
    ensure!(
        String::from_utf8_lossy(&out.stdout).trim() == dir.path().display().to_string(),
        "cwd is not the project\n{shown}"
    );
    Ok(())
}

/// rustup installs into home; with home hidden, creor binds the toolchain dirs on `PATH`
/// read-only so `cargo` keeps working. Uses the harness's own toolchain (root's home), so the
/// unprivileged identity cannot reach it and is reported as ignored.
fn cargo_build_with_toolchain_from_home(r: &mut Run) -> Outcome {
    let Some(home) = std::env::var_os("HOME").map(std::path::PathBuf::from) else {
        return crate::support::ignore("HOME unset: no toolchain to find");
    };
    let cargo_bin = home.join(".cargo/bin");
    if !cargo_bin.join("cargo").exists() {
        return crate::support::ignore("no rustup toolchain in the harness's home");
    }
    if r.world.id.switch {
        return crate::support::ignore("the harness's toolchain lives in root's 0700 home");
    }
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", cargo_bin.display());
    let out = r
        .exec(&[
            "/bin/sh",
            "-c",
            "cargo new -q --vcs none hello && cd hello && CARGO_TARGET_DIR=$PWD/target cargo build -q --offline && ./target/debug/hello",
        ])
        .env("HOME", &home.display().to_string())
        .env("PATH", &path)
        .output();
    out.exit_is(0)?;
    ensure!(
        out.stdout.contains("Hello, world!"),
        "unexpected output\n{out}"
    );
    ensure!(
        r.project.join("hello/target/debug/hello").exists(),
        "binary not in the host project\n{out}"
    );
    Ok(())
}
