//! Integration tests of the Linux sandbox: every case spawns a real sandboxed process through
//! the crate's API and asserts what the kernel refused and that the host is unchanged.
//!
//! `harness = false`: this binary is also the sandbox helper (`__sandbox-helper`), and has two
//! more hidden modes used by the cases (`__failclosed`, `__hold`). Run as root it re-runs every
//! case as an unprivileged user (uid 65534) from a world-readable copy of itself, because the
//! checkout may sit in a 0700 root-owned tree.
#![allow(clippy::unwrap_used)]

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {}

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::BTreeMap;
    use std::io::Read;
    use std::path::{Path, PathBuf};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    use creor_sandbox::{Command, Limits, NetworkPolicy, SandboxPolicy, TmpDir};

    type Case = (&'static str, fn() -> Result<(), String>);

    const CASES: &[Case] = &[
        ("exit_codes_pass_through", exit_codes_pass_through),
        (
            "project_is_writable_and_host_sees_it",
            project_is_writable_and_host_sees_it,
        ),
        (
            "protected_paths_are_read_only",
            protected_paths_are_read_only,
        ),
        (
            "hidden_and_unlisted_paths_are_invisible",
            hidden_and_unlisted_paths_are_invisible,
        ),
        ("tmp_is_private", tmp_is_private),
        (
            "run_and_docker_sockets_absent",
            run_and_docker_sockets_absent,
        ),
        ("proc_sys_is_read_only", proc_sys_is_read_only),
        ("never_host_root_and_no_caps", never_host_root_and_no_caps),
        ("seccomp_refuses_escapes", seccomp_refuses_escapes),
        ("network_is_loopback_only", network_is_loopback_only),
        ("inherited_fds_are_closed", inherited_fds_are_closed),
        (
            "environment_is_exactly_the_policy",
            environment_is_exactly_the_policy,
        ),
        ("dev_null_is_writable", dev_null_is_writable),
        ("nproc_caps_fork_bombs", nproc_caps_fork_bombs),
        (
            "timeout_kills_setsid_children",
            timeout_kills_setsid_children,
        ),
        (
            "sigkilled_parent_leaves_nothing",
            sigkilled_parent_leaves_nothing,
        ),
        (
            "fails_closed_without_namespaces",
            fails_closed_without_namespaces,
        ),
        (
            "degraded_mode_only_when_opted_in",
            degraded_mode_only_when_opted_in,
        ),
        ("missing_program_is_127", missing_program_is_127),
        (
            "allow_specific_forwards_and_nothing_else",
            allow_specific_forwards_and_nothing_else,
        ),
        (
            "session_tmp_persists_between_commands",
            session_tmp_persists_between_commands,
        ),
        ("idmap_refusal_is_named", idmap_refusal_is_named),
        ("describe_names_every_layer", describe_names_every_layer),
        (
            "stop_signal_ends_a_command_that_ignores_it",
            stop_signal_ends_a_command_that_ignores_it,
        ),
        (
            "protected_parent_cannot_be_renamed",
            protected_parent_cannot_be_renamed,
        ),
        (
            "worktree_git_file_is_read_only",
            worktree_git_file_is_read_only,
        ),
        (
            "symlinked_protected_path_refused",
            symlinked_protected_path_refused,
        ),
        (
            "absent_protected_paths_are_reverted",
            absent_protected_paths_are_reverted,
        ),
        (
            "killed_helpers_plants_are_quarantined_by_the_next_spawn",
            killed_helpers_plants_are_quarantined_by_the_next_spawn,
        ),
        (
            "stopped_sandbox_reverts_at_once",
            stopped_sandbox_reverts_at_once,
        ),
    ];

    pub fn main() {
        let args: Vec<String> = std::env::args().collect();
        match args.get(1).map(String::as_str) {
            Some("__sandbox-helper") => creor_sandbox::linux::helper_main(),
            Some("__failclosed") => failclosed_mode(args.get(2).map(String::as_str)),
            Some("__hold") => hold_mode(&args[2]),
            _ => {}
        }
        let filters: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with('-')).collect();
        let (mut passed, mut failed) = (0, 0);
        let who = if nix::unistd::geteuid().is_root() {
            "root"
        } else {
            "user"
        };
        for (name, case) in CASES {
            if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
                continue;
            }
            match case() {
                Ok(()) => {
                    passed += 1;
                    println!("test {name} ({who}) ... ok");
                }
                Err(e) => {
                    failed += 1;
                    println!("test {name} ({who}) ... FAILED: {e}");
                }
            }
        }
        // Each identity's pass prints its own libtest-style summary line.
        let verdict = if failed == 0 { "ok" } else { "FAILED" };
        println!("\ntest result: {verdict}. {passed} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out");
        if nix::unistd::geteuid().is_root() && std::env::var_os("CREOR_TEST_NO_UNPRIV").is_none() {
            failed += run_unprivileged(&args[1..]);
        }
        if failed > 0 {
            std::process::exit(1);
        }
    }

    /// Re-runs this binary as uid/gid 65534 from a world-readable copy.
    fn run_unprivileged(args: &[String]) -> usize {
        let dir = tempfile::Builder::new()
            .prefix("creor-test-bin")
            .tempdir()
            .unwrap();
        let copy = dir.path().join("linux_sandbox");
        std::fs::copy(std::env::current_exe().unwrap(), &copy).unwrap();
        set_mode(dir.path(), 0o755);
        set_mode(&copy, 0o755);
        let status = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&copy)
            .args(args)
            .env("CREOR_TEST_NO_UNPRIV", "1")
            .env("HOME", "/nonexistent")
            .current_dir("/")
            .status();
        match status {
            Ok(s) if s.success() => 0,
            Ok(_) => 1,
            Err(e) => {
                println!("unprivileged run: setpriv failed: {e}");
                1
            }
        }
    }

    fn set_mode(p: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        root: PathBuf,
        project: PathBuf,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("creor-sbx")
            .tempdir()
            .unwrap();
        let root = dir.path().canonicalize().unwrap();
        let project = root.join("project");
        std::fs::create_dir_all(project.join(".git/hooks")).unwrap();
        std::fs::write(project.join(".git/config"), "[core]\n").unwrap();
        std::fs::write(project.join("creor.json"), "{}\n").unwrap();
        std::fs::write(project.join("src.txt"), "source\n").unwrap();
        std::fs::create_dir_all(root.join("home/.ssh")).unwrap();
        std::fs::write(root.join("home/.ssh/id_ed25519"), "PRIVATE\n").unwrap();
        std::fs::create_dir_all(root.join("other-project")).unwrap();
        std::fs::write(root.join("other-project/secret"), "other\n").unwrap();
        Fixture {
            _dir: dir,
            root,
            project,
        }
    }

    fn policy(f: &Fixture) -> SandboxPolicy {
        SandboxPolicy {
            project: f.project.clone(),
            cwd: f.project.clone(),
            read_only: vec![],
            read_write: vec![],
            protected: [
                ".git/hooks",
                ".git/config",
                "creor.json",
                "creor.local.json",
                ".creor",
            ]
            .iter()
            .map(|p| f.project.join(p))
            .collect(),
            hidden: vec![f.root.join("home/.ssh")],
            tmp: TmpDir::Fresh {
                size_bytes: 64 << 20,
            },
            network: NetworkPolicy::BlockAll,
            env: vec![
                ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
                ("HOME".into(), f.root.join("home").into_os_string()),
                ("CREOR_TEST_MARK".into(), "visible".into()),
            ],
            limits: Limits {
                timeout: Some(Duration::from_secs(60)),
                ..Limits::default()
            },
            allow_degraded: false,
            revert_journal: None,
        }
    }

    struct Out {
        code: i32,
        stdout: String,
        stderr: String,
    }

    fn sh(p: &SandboxPolicy, script: &str) -> Result<Out, String> {
        run_cmd(p, Command::new("/bin/sh").arg("-c").arg(script))
    }

    fn run_cmd(p: &SandboxPolicy, cmd: Command) -> Result<Out, String> {
        let cmd = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = creor_sandbox::spawn(p, cmd).map_err(|e| format!("spawn: {e}"))?;
        let mut stdout = String::new();
        let mut stderr = String::new();
        let mut so = child.stdout.take().unwrap();
        let mut se = child.stderr.take().unwrap();
        let t = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = se.read_to_string(&mut s);
            s
        });
        let _ = so.read_to_string(&mut stdout);
        stderr.push_str(&t.join().unwrap());
        let status = child.wait().map_err(|e| format!("wait: {e}"))?;
        Ok(Out {
            code: status.code(),
            stdout,
            stderr,
        })
    }

    fn expect(cond: bool, what: impl FnOnce() -> String) -> Result<(), String> {
        if cond {
            Ok(())
        } else {
            Err(what())
        }
    }

    fn exit_codes_pass_through() -> Result<(), String> {
        let f = fixture();
        let p = policy(&f);
        let o = sh(&p, "exit 7")?;
        expect(o.code == 7, || format!("exit 7 gave {}", o.code))?;
        let o = sh(&p, "kill -TERM $$")?;
        expect(o.code == 128 + 15, || format!("SIGTERM gave {}", o.code))?;
        let o = sh(&p, "echo hello; echo err >&2")?;
        expect(o.stdout == "hello\n" && o.stderr == "err\n", || {
            format!("stdio: {:?} {:?}", o.stdout, o.stderr)
        })
    }

    fn project_is_writable_and_host_sees_it() -> Result<(), String> {
        let f = fixture();
        let o = sh(&policy(&f), "echo built > out.txt && cat src.txt")?;
        expect(o.code == 0 && o.stdout == "source\n", || {
            format!("{} {:?} {:?}", o.code, o.stdout, o.stderr)
        })?;
        let host = std::fs::read_to_string(f.project.join("out.txt")).map_err(|e| e.to_string())?;
        expect(host == "built\n", || format!("host sees {host:?}"))?;
        if nix::unistd::geteuid().is_root() {
            use std::os::unix::fs::MetadataExt;
            let md = std::fs::metadata(f.project.join("out.txt")).unwrap();
            expect(md.uid() == 0, || {
                format!("idmapped write landed as uid {}, not root", md.uid())
            })?;
        }
        Ok(())
    }

    fn protected_paths_are_read_only() -> Result<(), String> {
        let f = fixture();
        let o = sh(
            &policy(&f),
            "echo evil > .git/hooks/pre-commit; echo a=$?; echo '{\"x\":1}' > creor.json; \
             echo b=$?; echo '[x]' >> .git/config; echo c=$?; rm -f creor.json; echo d=$?",
        )?;
        expect(
            !o.stdout.contains("=0") && o.stderr.contains("Read-only file system"),
            || format!("{:?} {:?}", o.stdout, o.stderr),
        )?;
        expect(!f.project.join(".git/hooks/pre-commit").exists(), || {
            "hook created on host".into()
        })?;
        let cfg = std::fs::read_to_string(f.project.join("creor.json")).unwrap();
        expect(cfg == "{}\n", || format!("creor.json changed: {cfg:?}"))?;
        let gc = std::fs::read_to_string(f.project.join(".git/config")).unwrap();
        expect(gc == "[core]\n", || format!(".git/config changed: {gc:?}"))
    }

    fn hidden_and_unlisted_paths_are_invisible() -> Result<(), String> {
        let f = fixture();
        let script = format!(
            "cat {h}/.ssh/id_ed25519; echo a=$?; ls {h}/.ssh; echo b=$?; cat {o}/secret; \
             echo c=$?; ls /root /home /var 2>&1; echo d=$?",
            h = f.root.join("home").display(),
            o = f.root.join("other-project").display()
        );
        let o = sh(&policy(&f), &script)?;
        expect(
            !o.stdout.contains("PRIVATE") && !o.stdout.contains("other\n"),
            || format!("secret leaked: {:?}", o.stdout),
        )?;
        for k in ["a=0", "b=0", "c=0"] {
            expect(!o.stdout.contains(k), || format!("{k} in {:?}", o.stdout))?;
        }
        // Even a read-only grant of the whole home keeps the floor directory hidden.
        let mut p = policy(&f);
        p.read_only.push(f.root.join("home"));
        let o = sh(
            &p,
            &format!(
                "ls -A {}/.ssh; cat {}/.ssh/id_ed25519",
                f.root.join("home").display(),
                f.root.join("home").display()
            ),
        )?;
        expect(
            !o.stdout.contains("PRIVATE") && !o.stdout.contains("id_ed25519"),
            || format!("hidden dir visible under a granted parent: {:?}", o.stdout),
        )
    }

    fn tmp_is_private() -> Result<(), String> {
        let f = fixture();
        let marker = f.root.join("host-tmp-marker");
        std::fs::write(&marker, "host").unwrap();
        let host_tmp = tempfile::NamedTempFile::new().unwrap();
        let o = sh(
            &policy(&f),
            &format!(
                "ls {}; echo a=$?; echo x > /tmp/made-inside-{}; echo b=$?",
                host_tmp.path().display(),
                std::process::id()
            ),
        )?;
        expect(
            o.stdout.contains("a=2") || !o.stdout.contains("a=0"),
            || format!("host /tmp visible: {:?}", o.stdout),
        )?;
        expect(o.stdout.contains("b=0"), || {
            format!("/tmp not writable: {:?}", o.stderr)
        })?;
        expect(
            !Path::new(&format!("/tmp/made-inside-{}", std::process::id())).exists(),
            || "write to sandbox /tmp reached host /tmp".into(),
        )
    }

    fn run_and_docker_sockets_absent() -> Result<(), String> {
        let f = fixture();
        let o = sh(
            &policy(&f),
            "ls /run /var/run 2>&1; test -e /run/docker.sock && echo DOCKER; \
             test -e \"$XDG_RUNTIME_DIR\" && echo XDG; echo done",
        )?;
        expect(
            !o.stdout.contains("DOCKER") && o.stdout.contains("No such file"),
            || format!("{:?}", o.stdout),
        )
    }

    fn proc_sys_is_read_only() -> Result<(), String> {
        let f = fixture();
        let before = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap();
        let o = sh(
            &policy(&f),
            "echo '|/tmp/pwn' > /proc/sys/kernel/core_pattern; echo a=$?; \
             echo 1 > /proc/sys/vm/drop_caches; echo b=$?; echo h > /proc/sys/kernel/hostname; \
             echo c=$?; echo b > /proc/sysrq-trigger; echo d=$?",
        )?;
        for k in ["a=0", "b=0", "c=0", "d=0"] {
            expect(!o.stdout.contains(k), || format!("{k}: {:?}", o.stdout))?;
        }
        let after = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap();
        expect(before == after, || "core_pattern changed".into())
    }

    fn never_host_root_and_no_caps() -> Result<(), String> {
        let f = fixture();
        let o = sh(
            &policy(&f),
            "cat /proc/self/uid_map; grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' \
             /proc/self/status",
        )?;
        let map: Vec<&str> = o
            .stdout
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        expect(map.len() == 3 && map[1] != "0", || {
            format!("uid_map maps to host root: {map:?}")
        })?;
        for cap in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            expect(
                o.stdout.contains(&format!("{cap}:\t0000000000000000")),
                || format!("{cap} not empty: {}", o.stdout),
            )?;
        }
        expect(
            o.stdout.contains("NoNewPrivs:\t1") && o.stdout.contains("Seccomp:\t2"),
            || o.stdout.clone(),
        )
    }

    const PY_SYSCALLS: &str = r#"
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
def errno_of(f):
    try:
        r = f()
        return 0 if r is None or r >= 0 else ctypes.get_errno()
    except OSError as e:
        return e.errno
res = {}
res["vsock"] = errno_of(lambda: socket.socket(40, socket.SOCK_STREAM).close())
res["packet"] = errno_of(lambda: socket.socket(17, socket.SOCK_RAW).close())
res["raw"] = errno_of(lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, 1).close())
res["unix"] = errno_of(lambda: socket.socket(socket.AF_UNIX).close())
res["unshare"] = errno_of(lambda: libc.unshare(0x10000000))
res["io_uring"] = errno_of(lambda: libc.syscall(425, 8, ctypes.create_string_buffer(120)))
res["keyctl"] = errno_of(lambda: libc.syscall(250, 0, -3))
res["bpf"] = errno_of(lambda: libc.syscall(321, 0, 0, 0))
res["ptrace"] = errno_of(lambda: libc.ptrace(16, 1, 0, 0))
res["tiocsti64"] = errno_of(lambda: libc.ioctl(0, ctypes.c_ulong(0x5412 | (1 << 32)), ctypes.c_char_p(b"x")))
res["personality"] = errno_of(lambda: libc.personality(ctypes.c_ulong(0x0400000)))
res["mount"] = errno_of(lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
print(" ".join("%s=%d" % kv for kv in sorted(res.items())))
"#;

    fn seccomp_refuses_escapes() -> Result<(), String> {
        let f = fixture();
        std::fs::write(f.project.join("sys.py"), PY_SYSCALLS).unwrap();
        let o = run_cmd(&policy(&f), Command::new("python3").arg("sys.py"))?;
        let got: BTreeMap<&str, &str> = o
            .stdout
            .split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .collect();
        expect(got.len() == 12, || {
            format!("python output: {:?} {:?}", o.stdout, o.stderr)
        })?;
        for k in [
            "vsock",
            "packet",
            "raw",
            "unshare",
            "io_uring",
            "keyctl",
            "bpf",
            "ptrace",
            "tiocsti64",
            "personality",
            "mount",
        ] {
            expect(got.get(k) == Some(&"1"), || {
                format!("{k}: expected EPERM (1), got {:?}", got.get(k))
            })?;
        }
        expect(got.get("unix") == Some(&"0"), || {
            "unix sockets must work".into()
        })
    }

    const PY_NET: &str = r#"
import socket, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
port = s.getsockname()[1]
def serve():
    c, _ = s.accept(); c.sendall(b"pong"); c.close()
threading.Thread(target=serve).start()
c = socket.create_connection(("127.0.0.1", port), timeout=5)
print("local", c.recv(4).decode())
try:
    socket.create_connection(("1.1.1.1", 53), timeout=3)
    print("external connected")
except OSError as e:
    print("external", e.errno)
print("ifaces", sorted(n for _, n in socket.if_nameindex()))
"#;

    fn network_is_loopback_only() -> Result<(), String> {
        let f = fixture();
        std::fs::write(f.project.join("net.py"), PY_NET).unwrap();
        let o = run_cmd(&policy(&f), Command::new("python3").arg("net.py"))?;
        expect(o.stdout.contains("local pong"), || {
            format!("{:?} {:?}", o.stdout, o.stderr)
        })?;
        expect(o.stdout.contains("external 101"), || {
            format!("external network reachable: {:?}", o.stdout)
        })?;
        expect(o.stdout.contains("ifaces ['lo']"), || o.stdout.clone())
    }

    fn inherited_fds_are_closed() -> Result<(), String> {
        let f = fixture();
        // An fd without CLOEXEC in the launcher, as a careless parent would leak it.
        let file = std::fs::File::open(f.project.join("src.txt")).unwrap();
        let raw = std::os::fd::AsRawFd::as_raw_fd(&file);
        // SAFETY: clearing FD_CLOEXEC on an fd we own.
        unsafe { libc::fcntl(raw, libc::F_SETFD, 0) };
        let o = sh(&policy(&f), "ls /proc/self/fd")?;
        let fds: Vec<&str> = o.stdout.split_whitespace().collect();
        drop(file);
        expect(
            fds.iter().all(|fd| ["0", "1", "2", "3"].contains(fd)),
            || format!("extra fds inside: {fds:?}"),
        )
    }

    fn environment_is_exactly_the_policy() -> Result<(), String> {
        let f = fixture();
        // SAFETY: single-threaded at this point of the harness.
        unsafe { std::env::set_var("CREOR_TEST_SECRET_KEY", "sk-test-123") };
        let o = sh(
            &policy(&f),
            "env; echo ---; tr '\\0' '\\n' < /proc/1/environ; echo r=$?",
        )?;
        unsafe { std::env::remove_var("CREOR_TEST_SECRET_KEY") };
        expect(!o.stdout.contains("sk-test-123"), || "secret leaked".into())?;
        expect(o.stdout.contains("CREOR_TEST_MARK=visible"), || {
            o.stdout.clone()
        })?;
        expect(!o.stdout.contains("r=0"), || {
            format!("/proc/1/environ readable: {:?}", o.stdout)
        })
    }

    fn dev_null_is_writable() -> Result<(), String> {
        let f = fixture();
        let o = sh(
            &policy(&f),
            "echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c \
             && echo x > /dev/urandom; echo r=$?",
        )?;
        expect(
            o.stdout.starts_with("4\n4\n") && !o.stdout.contains("r=0"),
            || format!("{:?} {:?}", o.stdout, o.stderr),
        )
    }

    const PY_FORKS: &str = r#"
import os, time
n = 0
err = 0
for i in range(100):
    try:
        pid = os.fork()
    except OSError as e:
        err = e.errno
        break
    if pid == 0:
        time.sleep(5)
        os._exit(0)
    n += 1
print("forked", n, "errno", err)
"#;

    fn nproc_caps_fork_bombs() -> Result<(), String> {
        let f = fixture();
        std::fs::write(f.project.join("forks.py"), PY_FORKS).unwrap();
        let mut p = policy(&f);
        p.limits.max_processes = Some(20);
        let o = run_cmd(&p, Command::new("python3").arg("forks.py"))?;
        let words: Vec<&str> = o.stdout.split_whitespace().collect();
        let n: usize = words.get(1).and_then(|w| w.parse().ok()).unwrap_or(999);
        expect(n < 20 && words.get(3) == Some(&"11"), || {
            format!("fork cap of 20 not enforced: {:?} {:?}", o.stdout, o.stderr)
        })
    }

    fn host_has(needle: &str) -> bool {
        std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
            std::fs::read(e.path().join("cmdline"))
                .map(|c| {
                    String::from_utf8_lossy(&c)
                        .replace('\0', " ")
                        .contains(needle)
                })
                .unwrap_or(false)
        })
    }

    fn wait_gone(needle: &str) -> bool {
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if !host_has(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    fn timeout_kills_setsid_children() -> Result<(), String> {
        let f = fixture();
        let mut p = policy(&f);
        p.limits.timeout = Some(Duration::from_secs(1));
        let tag = format!(
            "{}.{}",
            3000 + std::process::id() % 1000,
            std::process::id() % 97
        );
        let o = sh(&p, &format!("setsid sleep {tag} & sleep {tag}"))?;
        expect(o.code == 124, || format!("timeout gave {}", o.code))?;
        expect(wait_gone(&format!("sleep {tag}")), || {
            "a setsid child survived".into()
        })
    }

    fn hold_mode(tag: &str) -> ! {
        let f = fixture();
        let p = policy(&f);
        let _ = sh(&p, &format!("setsid sleep {tag} & sleep {tag}"));
        std::process::exit(0)
    }

    fn sigkilled_parent_leaves_nothing() -> Result<(), String> {
        let tag = format!(
            "{}.{}",
            4000 + std::process::id() % 1000,
            std::process::id() % 89
        );
        let mut holder = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["__hold", &tag])
            .spawn()
            .map_err(|e| e.to_string())?;
        let end = Instant::now() + Duration::from_secs(20);
        while !host_has(&format!("sleep {tag}")) && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(20));
        }
        expect(host_has(&format!("sleep {tag}")), || {
            "sandbox never started".into()
        })?;
        holder.kill().map_err(|e| e.to_string())?;
        let _ = holder.wait();
        expect(wait_gone(&format!("sleep {tag}")), || {
            "processes survived a SIGKILLed launcher".into()
        })
    }

    /// Runs the sandbox under a seccomp filter that refuses namespace creation the way
    /// container runtimes do (unshare/setns/clone(CLONE_NEW*) → EPERM, clone3 → ENOSYS).
    fn failclosed_mode(arg: Option<&str>) -> ! {
        use seccompiler::{
            SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
            SeccompRule,
        };
        let ns = [
            libc::CLONE_NEWUSER,
            libc::CLONE_NEWNS,
            libc::CLONE_NEWPID,
            libc::CLONE_NEWNET,
        ];
        let mut rules = BTreeMap::new();
        rules.insert(libc::SYS_unshare, vec![]);
        rules.insert(libc::SYS_setns, vec![]);
        rules.insert(
            libc::SYS_clone,
            ns.iter()
                .map(|f| {
                    SeccompRule::new(vec![SeccompCondition::new(
                        0,
                        SeccompCmpArgLen::Qword,
                        SeccompCmpOp::MaskedEq(*f as u64),
                        *f as u64,
                    )
                    .unwrap()])
                    .unwrap()
                })
                .collect(),
        );
        let arch = seccompiler::TargetArch::x86_64;
        let deny = SeccompFilter::new(
            rules,
            SeccompAction::Allow,
            SeccompAction::Errno(libc::EPERM as u32),
            arch,
        )
        .unwrap();
        let mut c3 = BTreeMap::new();
        c3.insert(libc::SYS_clone3, vec![]);
        let enosys = SeccompFilter::new(
            c3,
            SeccompAction::Allow,
            SeccompAction::Errno(libc::ENOSYS as u32),
            arch,
        )
        .unwrap();
        for f in [deny, enosys] {
            let prog: seccompiler::BpfProgram = f.try_into().unwrap();
            seccompiler::apply_filter(&prog).unwrap();
        }
        let fx = fixture();
        let mut p = policy(&fx);
        p.allow_degraded = arg == Some("degraded");
        let script = format!(
            "cat {}/.ssh/id_ed25519; echo ran; echo w > out.txt; echo w=$?",
            fx.root.join("home").display()
        );
        match sh(&p, &script) {
            Ok(o) => {
                println!(
                    "OK code={} stdout={:?} stderr={:?}",
                    o.code, o.stdout, o.stderr
                );
                std::process::exit(0)
            }
            Err(e) => {
                println!("ERR {e}");
                std::process::exit(3)
            }
        }
    }

    fn failclosed(arg: &str) -> Result<(i32, String), String> {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["__failclosed", arg])
            .output()
            .map_err(|e| e.to_string())?;
        Ok((
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ))
    }

    fn fails_closed_without_namespaces() -> Result<(), String> {
        let (code, out) = failclosed("strict")?;
        expect(
            code == 3 && out.contains("namespaces") && out.contains("fix"),
            || format!("expected a refusal naming namespaces and a fix, got {code}: {out}"),
        )?;
        expect(!out.contains("ran"), || {
            "the command ran unsandboxed".into()
        })
    }

    fn degraded_mode_only_when_opted_in() -> Result<(), String> {
        let (code, out) = failclosed("degraded")?;
        expect(
            code == 0 && out.contains("ran") && out.contains("DEGRADED"),
            || format!("degraded run: {code}: {out}"),
        )?;
        expect(!out.contains("PRIVATE"), || {
            format!("home readable in degraded mode: {out}")
        })?;
        expect(out.contains("w=0"), || {
            format!("project not writable in degraded mode: {out}")
        })
    }

    fn missing_program_is_127() -> Result<(), String> {
        let f = fixture();
        match run_cmd(&policy(&f), Command::new("creor-no-such-program")) {
            Err(e) if e.contains("creor-no-such-program") => Ok(()),
            Err(e) => Err(e),
            Ok(o) => Err(format!("ran: {}", o.code)),
        }
    }

    /// allow_specific: the only way out is 127.0.0.1:PORT, whose connections the helper
    /// passes (as fds) to the proxy socket; a fake proxy answers on the passed socket.
    fn allow_specific_forwards_and_nothing_else() -> Result<(), String> {
        use std::io::{IoSliceMut, Write};
        use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
        use std::os::unix::net::UnixListener;
        let f = fixture();
        let socket = f.root.join("proxy.sock");
        let listener = UnixListener::bind(&socket).map_err(|e| e.to_string())?;
        let fake_proxy = std::thread::spawn(move || -> Result<(), String> {
            let (conn, _) = listener.accept().map_err(|e| e.to_string())?;
            let mut byte = [0u8; 1];
            let mut iov = [IoSliceMut::new(&mut byte)];
            let mut space = nix::cmsg_space!([std::os::fd::RawFd; 1]);
            let msg = nix::sys::socket::recvmsg::<()>(
                conn.as_raw_fd(),
                &mut iov,
                Some(&mut space),
                nix::sys::socket::MsgFlags::empty(),
            )
            .map_err(|e| e.to_string())?;
            for c in msg.cmsgs().map_err(|e| e.to_string())? {
                if let nix::sys::socket::ControlMessageOwned::ScmRights(fds) = c {
                    // SAFETY: the kernel installed this fd for us.
                    let fd = unsafe { OwnedFd::from_raw_fd(fds[0]) };
                    let mut tcp = std::net::TcpStream::from(fd);
                    tcp.write_all(b"hello from the proxy\n")
                        .map_err(|e| e.to_string())?;
                    return Ok(());
                }
            }
            Err("no fd passed".into())
        });
        let mut p = policy(&f);
        p.network = NetworkPolicy::AllowSpecific {
            proxy_socket: socket,
            port: 3128,
            token: "t0k".into(),
        };
        let o = run_cmd(
            &p,
            Command::new("/bin/bash").arg("-c").arg(
                "echo \"$HTTP_PROXY\"; exec 3<>/dev/tcp/127.0.0.1/3128 && head -1 <&3; \
                 (echo x > /dev/tcp/1.1.1.1/80) 2>/dev/null && echo ESCAPED; true",
            ),
        )?;
        fake_proxy
            .join()
            .map_err(|_| "fake proxy panicked".to_string())??;
        expect(
            o.stdout == "http://creor:t0k@127.0.0.1:3128\nhello from the proxy\n",
            || format!("{:?} {:?}", o.stdout, o.stderr),
        )
    }

    fn session_tmp_persists_between_commands() -> Result<(), String> {
        let f = fixture();
        let session = f.root.join("session-tmp");
        std::fs::create_dir(&session).unwrap();
        let mut p = policy(&f);
        p.tmp = TmpDir::Session {
            host_dir: session.clone(),
            size_bytes: 64 << 20,
        };
        let o = sh(&p, "echo step1 > /tmp/build.o && echo ok")?;
        expect(o.stdout == "ok\n", || {
            format!("{:?} {:?}", o.stdout, o.stderr)
        })?;
        let o = sh(&p, "cat /tmp/build.o")?;
        expect(o.stdout == "step1\n", || {
            format!("second step saw {:?}", o.stdout)
        })?;
        expect(session.join("build.o").exists(), || {
            "not in the session dir".into()
        })
    }

    fn idmap_refusal_is_named() -> Result<(), String> {
        // cgroup2 refuses idmapped mounts; as root a project there must be refused by name.
        let cg = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
            .into_iter()
            .find(|p| Path::new(p).join("cgroup.controllers").exists())
            .ok_or("no cgroup2 mount to test with")?;
        let f = fixture();
        let mut p = policy(&f);
        p.project = cg.into();
        p.cwd = cg.into();
        p.protected.clear();
        let r = run_cmd(&p, Command::new("true"));
        if nix::unistd::geteuid().is_root() {
            match r {
                Err(e) if e.contains("idmapped") && e.contains("cgroup2") => Ok(()),
                Err(e) => Err(format!("unexpected error: {e}")),
                Ok(o) => Err(format!("ran with code {} instead of refusing", o.code)),
            }
        } else {
            // A normal user needs no idmap: the same project must not fail on it.
            match r {
                Err(e) if e.contains("idmapped") => Err(e),
                _ => Ok(()),
            }
        }
    }

    fn describe_names_every_layer() -> Result<(), String> {
        let f = fixture();
        let text = creor_sandbox::linux::describe(&policy(&f));
        for needle in [
            "namespaces: user, mount, pid, net, ipc, uts, cgroup",
            &format!("bind rw  {}", f.project.display()),
            &format!("bind ro  {}/.git/hooks", f.project.display()),
            "proc   /proc",
            &format!(
                "absent {}/creor.local.json (protected; removed after the run",
                f.project.display()
            ),
            "network: block_all",
            "landlock",
            "io_uring_setup",
            "RLIMIT_NPROC",
        ] {
            expect(text.contains(needle), || {
                format!("{needle:?} missing from:\n{text}")
            })?;
        }
        Ok(())
    }

    /// `mv .git .git-old` would take the read-only `.git/hooks` with it and let a fresh
    /// `.git/hooks/pre-commit` land on the host: `.git` is pinned (a mount point), so the
    /// rename fails and git inside still works.
    fn protected_parent_cannot_be_renamed() -> Result<(), String> {
        let f = fixture();
        let o = sh(
            &policy(&f),
            "mv .git .git-old; echo a=$?; mkdir -p .git/hooks; \
             echo evil > .git/hooks/pre-commit; echo b=$?; rm -rf .git; echo c=$?; \
             echo x > .git/HEAD; echo d=$?",
        )?;
        expect(!o.stdout.contains("a=0"), || {
            format!("rename of .git succeeded: {:?} {:?}", o.stdout, o.stderr)
        })?;
        expect(!o.stdout.contains("b=0"), || {
            format!("hook planted: {:?} {:?}", o.stdout, o.stderr)
        })?;
        expect(o.stdout.contains("d=0"), || {
            format!(
                ".git no longer writable inside: {:?} {:?}",
                o.stdout, o.stderr
            )
        })?;
        expect(!f.project.join(".git-old").exists(), || {
            ".git renamed on the host".into()
        })?;
        expect(!f.project.join(".git/hooks/pre-commit").exists(), || {
            "hook created on host".into()
        })?;
        expect(f.project.join(".git/config").exists(), || {
            ".git/config gone on the host".into()
        })?;
        if nix::unistd::geteuid().is_root() {
            use std::os::unix::fs::MetadataExt;
            let md = std::fs::metadata(f.project.join(".git/HEAD")).unwrap();
            expect(md.uid() == 0, || {
                format!("write in pinned .git landed as uid {}", md.uid())
            })?;
        }
        Ok(())
    }

    /// A worktree's `.git` is a file redirecting git elsewhere; rewriting it would point git
    /// at a directory with the command's hooks. It is read-only.
    fn worktree_git_file_is_read_only() -> Result<(), String> {
        let f = fixture();
        std::fs::remove_dir_all(f.project.join(".git")).unwrap();
        std::fs::write(f.project.join(".git"), "gitdir: /elsewhere\n").unwrap();
        let o = sh(
            &policy(&f),
            "echo 'gitdir: evil' > .git; echo a=$?; mv .git g2; echo b=$?; rm -f .git; echo c=$?",
        )?;
        expect(!o.stdout.contains("=0"), || {
            format!("{:?} {:?}", o.stdout, o.stderr)
        })?;
        let host = std::fs::read_to_string(f.project.join(".git")).unwrap();
        expect(host == "gitdir: /elsewhere\n", || {
            format!(".git now {host:?}")
        })
    }

    /// A protected name that is a symlink (or lies under one) cannot be kept read-only:
    /// creor refuses to run, naming it, and runs nothing.
    fn symlinked_protected_path_refused() -> Result<(), String> {
        let refused = |f: &Fixture, name: &str| -> Result<(), String> {
            match sh(&policy(f), "touch ran") {
                Err(e) => expect(e.contains(name) && e.contains("symlink"), || {
                    format!("{name}: refusal does not name it: {e}")
                })?,
                Ok(o) => expect(
                    o.code == 125 && o.stderr.contains(name) && o.stderr.contains("symlink"),
                    || format!("{name}: {} {:?}", o.code, o.stderr),
                )?,
            }
            expect(!f.project.join("ran").exists(), || format!("{name}: ran"))
        };
        for (name, target) in [("creor.local.json", "creor.json"), (".creor", "/usr")] {
            let f = fixture();
            std::os::unix::fs::symlink(target, f.project.join(name)).unwrap();
            refused(&f, name)?;
        }
        // A symlinked parent (`.git -> real-git`) is refused too.
        let f = fixture();
        std::fs::rename(f.project.join(".git"), f.project.join("real-git")).unwrap();
        std::os::unix::fs::symlink("real-git", f.project.join(".git")).unwrap();
        refused(&f, ".git")
    }

    /// Protected paths absent before the run (`creor.local.json`, `.creor/`, `.git/config`,
    /// `.git/hooks`) are removed after it, whatever the command made there, links included,
    /// without following a link; each removal is reported on stderr.
    fn absent_protected_paths_are_reverted() -> Result<(), String> {
        let f = fixture();
        std::fs::remove_file(f.project.join(".git/config")).unwrap();
        std::fs::remove_dir(f.project.join(".git/hooks")).unwrap();
        let decoy = f.root.join("decoy");
        std::fs::create_dir(&decoy).unwrap();
        std::fs::write(decoy.join("keep"), "keep\n").unwrap();
        set_mode(&f.root, 0o755);
        set_mode(&decoy, 0o755);
        let o = sh(
            &policy(&f),
            &format!(
                "echo '{{}}' > creor.local.json && mkdir -p .creor/d && echo x > .creor/d/x && chmod 555 .creor/d .creor && \
                 echo '[core]' > .git/config && mkdir .git/hooks && \
                 echo evil > .git/hooks/pre-commit && ln -s {} creor-link && echo made",
                decoy.display()
            ),
        )?;
        expect(o.stdout.contains("made") && o.code == 0, || {
            format!("precondition: {} {:?} {:?}", o.code, o.stdout, o.stderr)
        })?;
        for rel in ["creor.local.json", ".creor", ".git/config", ".git/hooks"] {
            expect(
                std::fs::symlink_metadata(f.project.join(rel)).is_err(),
                || format!("{rel} left on the host"),
            )?;
            expect(
                o.stderr.contains(&format!(
                    "creor: removed {}: protected path created inside the sandbox",
                    f.project.join(rel).display()
                )),
                || format!("{rel} not reported: {:?}", o.stderr),
            )?;
        }
        expect(f.project.join("creor-link").exists(), || {
            "an unprotected link was removed".into()
        })?;
        // A link planted at a protected name (and under one) is removed, its target kept.
        let f = fixture();
        let decoy = f.root.join("decoy");
        std::fs::create_dir_all(decoy.join("hooks")).unwrap();
        std::fs::write(decoy.join("hooks/keep"), "keep\n").unwrap();
        std::fs::remove_dir_all(f.project.join(".git")).unwrap();
        let o = sh(
            &policy(&f),
            &format!(
                "ln -s {d} .git && ln -s {d} .creor && ln -s /etc/passwd creor.local.json && echo made",
                d = decoy.display()
            ),
        )?;
        expect(o.stdout.contains("made"), || {
            format!("precondition: {:?} {:?}", o.stdout, o.stderr)
        })?;
        for rel in [".git", ".creor", "creor.local.json"] {
            expect(
                std::fs::symlink_metadata(f.project.join(rel)).is_err(),
                || format!("link {rel} left on the host: {:?}", o.stderr),
            )?;
        }
        expect(decoy.join("hooks/keep").exists(), || {
            "revert followed a planted link".into()
        })
    }

    /// `Child::kill` SIGKILLs the helper, so the revert never runs: the journal it wrote
    /// outlives it, and the next spawn renames the planted hook aside (not deleting it) and
    /// says so on that command's stderr. The journal is gone afterwards.
    /// A sandbox (journal under the fixture's state dir) whose command, ignoring every
    /// catchable signal, has planted `.git/hooks/pre-commit` where there was no `.git/hooks`.
    fn planted_hook(f: &Fixture) -> Result<(SandboxPolicy, creor_sandbox::Child, PathBuf), String> {
        use std::io::BufRead;
        std::fs::remove_dir(f.project.join(".git/hooks")).unwrap();
        let journals = f.root.join("state/pending-revert");
        let mut p = policy(f);
        p.revert_journal = Some(journals.clone());
        let cmd = Command::new("/bin/sh")
            .arg("-c")
            .arg(
                "trap '' INT TERM HUP; mkdir .git/hooks && echo evil > .git/hooks/pre-commit \
                 && echo made && sleep 30",
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = creor_sandbox::spawn(&p, cmd).map_err(|e| format!("spawn: {e}"))?;
        let mut line = String::new();
        let out = child.stdout.take().unwrap();
        let _ = std::io::BufReader::new(out).read_line(&mut line);
        expect(line == "made\n", || format!("precondition: {line:?}"))?;
        Ok((p, child, journals))
    }

    fn killed_helpers_plants_are_quarantined_by_the_next_spawn() -> Result<(), String> {
        let f = fixture();
        let (p, mut child, journals) = planted_hook(&f)?;
        child.kill().map_err(|e| format!("kill: {e}"))?;
        let _ = child.wait();
        let hook = f.project.join(".git/hooks/pre-commit");
        expect(hook.exists(), || "the kill reverted the hook?".into())?;
        let left = std::fs::read_dir(&journals).map_or(0, |d| d.count());
        expect(left == 1, || format!("{left} journals after the kill"))?;

        let o = sh(&p, "true")?;
        let hooks = f.project.join(".git/hooks");
        expect(std::fs::symlink_metadata(&hooks).is_err(), || {
            format!("hooks still in place: {:?}", o.stderr)
        })?;
        let aside: Vec<PathBuf> = std::fs::read_dir(f.project.join(".git"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("hooks.creor-quarantine-"))
            .collect();
        expect(aside.len() == 1, || format!("quarantined: {aside:?}"))?;
        expect(
            std::fs::read_to_string(aside[0].join("pre-commit")).is_ok_and(|s| s == "evil\n"),
            || "quarantined hook lost its content".into(),
        )?;
        expect(
            o.stderr.contains(&format!(
                "QUARANTINED {} -> {}",
                hooks.display(),
                aside[0].display()
            )),
            || format!("not reported: {:?}", o.stderr),
        )?;
        let left = std::fs::read_dir(&journals).map_or(0, |d| d.count());
        expect(left == 0, || format!("{left} journals after recovery"))
    }

    /// A cancel through `Stopper::stop` (what the agent does) ends a command that ignores
    /// every catchable signal, and the helper, still alive, removes the hook the command
    /// planted at once and deletes its journal: nothing is left for a later recovery.
    fn stopped_sandbox_reverts_at_once() -> Result<(), String> {
        let f = fixture();
        let (_, mut child, journals) = planted_hook(&f)?;
        let stopper = child.stopper().map_err(|e| format!("stopper: {e}"))?;
        stopper.stop().map_err(|e| format!("stop: {e}"))?;
        let status = child.wait().map_err(|e| format!("wait: {e}"))?;
        expect(status.code() == 137, || format!("status {}", status.code()))?;
        let hooks = f.project.join(".git/hooks");
        expect(std::fs::symlink_metadata(&hooks).is_err(), || {
            "the planted hooks directory outlived the cancel".into()
        })?;
        let left = std::fs::read_dir(&journals).map_or(0, |d| d.count());
        expect(left == 0, || format!("{left} journals after the cancel"))
    }

    /// A command that ignores SIGTERM cannot make itself uncancellable: after the grace period
    /// the whole sandbox is killed and the status says which signal stopped it (143), not the
    /// policy timeout (124) that would end it otherwise.
    fn stop_signal_ends_a_command_that_ignores_it() -> Result<(), String> {
        let f = fixture();
        let mut p = policy(&f);
        p.limits.timeout = Some(Duration::from_secs(40));
        let cmd = Command::new("/bin/sh")
            .arg("-c")
            .arg("trap '' INT TERM HUP; echo ready; sleep 100; echo survived")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = creor_sandbox::spawn(&p, cmd).map_err(|e| format!("spawn: {e}"))?;
        let mut out = child.stdout.take().unwrap();
        let mut first = [0u8; 6];
        out.read_exact(&mut first).map_err(|e| e.to_string())?;
        child
            .signal(libc::SIGTERM)
            .map_err(|e| format!("signal: {e}"))?;
        let status = child.wait().map_err(|e| format!("wait: {e}"))?;
        let mut rest = String::new();
        let _ = out.read_to_string(&mut rest);
        expect(status.code() == 128 + libc::SIGTERM, || {
            format!(
                "exit {} (124 = only the policy timeout ended it)",
                status.code()
            )
        })?;
        expect(!rest.contains("survived"), || format!("{rest:?}"))
    }
}
