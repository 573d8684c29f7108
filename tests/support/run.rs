//! One case's project, and the helpers to run `creor exec` (or the probe on the host) in it.

use std::fmt;
use std::fs;
use std::io::Read;
use std::os::fd::RawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::world::{chown_tree, mkdir, World};

/// How long the harness lets any single `creor` run before killing it (a hang is a failure).
const GUARD: Duration = Duration::from_secs(60);

/// A case's state: its project directory and whatever it started on the host.
pub struct Run<'w> {
    /// The identity's world.
    pub world: &'w World,
    /// `home/src/<case>`: fresh, owned by the identity, holds `.tools/probe`.
    pub project: PathBuf,
    /// Host processes to kill when the case ends.
    children: Vec<Child>,
    /// Host paths to remove when the case ends (outside the world's base).
    pub cleanup_paths: Vec<PathBuf>,
}

impl<'w> Run<'w> {
    /// Creates `home/src/<name>` with the probe inside, owned by the identity.
    pub fn new(world: &'w World, name: &str) -> Result<Run<'w>, String> {
        let project = world.home.join("src").join(name);
        let _ = fs::remove_dir_all(&project);
        mkdir(&project.join(".tools"), 0o755)?;
        let probe = project.join(".tools/probe");
        fs::copy(&world.probe, &probe).map_err(|e| format!("copy probe: {e}"))?;
        chown_tree(&project, world.id.uid, world.id.gid)?;
        Ok(Run {
            world,
            project,
            children: Vec::new(),
            cleanup_paths: Vec::new(),
        })
    }

    /// Kills what the case started and removes its stray host files.
    pub fn cleanup(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        // Anything still running this case's probe escaped its sandbox's lifetime (the lifetime
        // cases report it); kill it by pid so it cannot disturb later cases.
        let probe = self.probe();
        for (pid, cmd) in super::host::procs_with(&probe) {
            if cmd.starts_with(&probe) {
                // SAFETY: kill(2) on a specific pid whose command line is our probe.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            }
        }
        for p in &self.cleanup_paths {
            let _ = fs::remove_file(p).or_else(|_| fs::remove_dir_all(p));
        }
    }

    /// Path of the probe inside the project (same path inside the sandbox).
    pub fn probe(&self) -> String {
        self.project.join(".tools/probe").display().to_string()
    }

    /// A project-relative path as a string.
    pub fn p(&self, rel: &str) -> String {
        self.project.join(rel).display().to_string()
    }

    /// A path under the fake home as a string.
    pub fn home(&self, rel: &str) -> String {
        self.world.home.join(rel).display().to_string()
    }

    /// Writes a project file (creating parents) owned by the identity.
    pub fn write(&self, rel: &str, content: &str) -> Result<PathBuf, String> {
        let p = self.project.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("mkdir {}: {e}", parent.display()))?;
        }
        fs::write(&p, content).map_err(|e| format!("write {}: {e}", p.display()))?;
        chown_tree(&self.project, self.world.id.uid, self.world.id.gid)?;
        Ok(p)
    }

    /// Gives the whole project to the identity again (after host-side setup as root).
    pub fn own(&self) -> Result<(), String> {
        chown_tree(&self.project, self.world.id.uid, self.world.id.gid)
    }

    /// Starts building `creor exec -- ARGV`.
    pub fn exec<S: AsRef<str>>(&self, argv: &[S]) -> Exec<'_, 'w> {
        Exec {
            run: self,
            flags: Vec::new(),
            argv: argv.iter().map(|s| s.as_ref().to_string()).collect(),
            stdin: None,
            pass_fds: Vec::new(),
            ctty: None,
            launcher: Vec::new(),
            env: Vec::new(),
            project: None,
            guard: GUARD,
        }
    }

    /// `creor exec -- PROBE ARGS…`, run to completion.
    pub fn probe_in<S: AsRef<str>>(&self, args: &[S]) -> Out {
        let mut argv = vec![self.probe()];
        argv.extend(args.iter().map(|s| s.as_ref().to_string()));
        self.exec(&argv).output()
    }

    /// `creor exec -- sh -c SCRIPT`, run to completion.
    pub fn sh(&self, script: &str) -> Out {
        self.exec(&["/bin/sh", "-c", script]).output()
    }

    /// Runs the probe directly on the host as the identity (no sandbox): the baseline.
    pub fn probe_host<S: AsRef<str>>(&self, args: &[S]) -> Out {
        let mut cmd = Command::new(self.probe());
        cmd.args(args.iter().map(|s| s.as_ref()));
        cmd.current_dir(&self.project)
            .env_clear()
            .envs(self.world.env());
        self.world.id.apply(&mut cmd);
        let shown = format!("[host] {} {}", self.probe(), join(args));
        collect(shown, cmd, None, GUARD)
    }

    /// Starts a host process as the identity (`probe hold TOKEN`), killed at cleanup; returns
    /// its pid once it reported itself.
    pub fn host_holder(&mut self, token: &str) -> Result<u32, String> {
        let mut cmd = Command::new(self.probe());
        cmd.args(["hold", token])
            .stdout(Stdio::piped())
            .stdin(Stdio::null());
        self.world.id.apply(&mut cmd);
        let mut child = cmd.spawn().map_err(|e| format!("spawn host holder: {e}"))?;
        let mut buf = [0u8; 64];
        let n = child
            .stdout
            .as_mut()
            .ok_or("no stdout")?
            .read(&mut buf)
            .map_err(|e| format!("read holder: {e}"))?;
        let pid = child.id();
        self.children.push(child);
        let line = String::from_utf8_lossy(&buf[..n]).to_string();
        if !line.starts_with("ok") {
            return Err(format!("host holder did not start: {line:?}"));
        }
        Ok(pid)
    }

    /// The host uid and gid the sandboxed command runs as (found by running one and reading its
    /// `/proc/PID/status` from the host).
    pub fn sandbox_host_ids(&self) -> Result<(u32, u32), String> {
        let token = super::unique("ids");
        let probe = self.probe();
        let (mut child, shown) = self
            .exec(&[probe.clone(), "hold".into(), token.clone()])
            .spawn()?;
        let mut pid = None;
        super::host::wait_until(Duration::from_secs(10), || {
            pid = super::host::procs_with(&token)
                .into_iter()
                .find(|(_, c)| c.starts_with(&probe))
                .map(|(p, _)| p);
            pid.is_some()
        });
        let ids = pid.and_then(|p| {
            Some((
                super::host::proc_ids(p, "Uid:")?,
                super::host::proc_ids(p, "Gid:")?,
            ))
        });
        let _ = child.kill();
        let _ = child.wait();
        match ids {
            Some((u, g)) if !u.is_empty() && !g.is_empty() => Ok((u[0], g[0])),
            _ => Err(format!(
                "could not find the sandboxed process on the host\n  command: {shown}"
            )),
        }
    }

    /// Like [`Run::host_holder`], but the host process runs as `uid:gid` — e.g. the sandbox's
    /// own host uid, so that only the namespaces stand between it and the command.
    pub fn host_holder_as(&mut self, token: &str, uid: u32, gid: u32) -> Result<u32, String> {
        let mut cmd = Command::new(&self.world.probe);
        cmd.args(["hold", token])
            .stdout(Stdio::piped())
            .stdin(Stdio::null());
        cmd.uid(uid).gid(gid);
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("spawn host holder as {uid}:{gid}: {e}"))?;
        let mut buf = [0u8; 64];
        let n = child
            .stdout
            .as_mut()
            .ok_or("no stdout")?
            .read(&mut buf)
            .map_err(|e| format!("read holder: {e}"))?;
        let pid = child.id();
        self.children.push(child);
        let line = String::from_utf8_lossy(&buf[..n]).to_string();
        if !line.starts_with("ok") {
            return Err(format!("host holder did not start: {line:?}"));
        }
        Ok(pid)
    }

    /// Registers a host child to be killed at cleanup.
    pub fn adopt(&mut self, child: Child) {
        self.children.push(child);
    }
}

/// A `creor exec` invocation being built.
pub struct Exec<'r, 'w> {
    run: &'r Run<'w>,
    flags: Vec<String>,
    argv: Vec<String>,
    stdin: Option<Vec<u8>>,
    pass_fds: Vec<(RawFd, RawFd)>,
    ctty: Option<RawFd>,
    launcher: Vec<String>,
    env: Vec<(String, String)>,
    project: Option<PathBuf>,
    guard: Duration,
}

impl Exec<'_, '_> {
    /// Adds creor flags before `--` (e.g. `--timeout 2`).
    pub fn flags(mut self, f: &[&str]) -> Self {
        self.flags.extend(f.iter().map(|s| s.to_string()));
        self
    }

    /// Feeds these bytes on stdin (default: /dev/null).
    pub fn stdin(mut self, data: &[u8]) -> Self {
        self.stdin = Some(data.to_vec());
        self
    }

    /// Makes host fd `src` appear as fd `dst` in creor (inherited, not close-on-exec).
    pub fn pass_fd(mut self, src: RawFd, dst: RawFd) -> Self {
        self.pass_fds.push((src, dst));
        self
    }

    /// Makes the terminal `fd` creor's stdin and controlling terminal (new session).
    pub fn ctty(mut self, fd: RawFd) -> Self {
        self.ctty = Some(fd);
        self
    }

    /// Runs creor through a launcher (`[python3, no_userns.py]`).
    pub fn launcher(mut self, l: &[&str]) -> Self {
        self.launcher = l.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Sets (or overrides) one variable of creor's environment.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Uses another `--project` (and working directory) than the case's project.
    pub fn project(mut self, dir: &Path) -> Self {
        self.project = Some(dir.to_path_buf());
        self
    }

    /// Overrides the harness guard.
    pub fn guard(mut self, d: Duration) -> Self {
        self.guard = d;
        self
    }

    fn command(&self) -> (Command, String) {
        let run = self.run;
        let creor = run.world.creor.display().to_string();
        let mut words: Vec<String> = self.launcher.clone();
        words.push(creor);
        let project = self.project.clone().unwrap_or_else(|| run.project.clone());
        words.extend([
            "exec".into(),
            "--project".into(),
            project.display().to_string(),
        ]);
        words.extend(self.flags.iter().cloned());
        words.push("--".into());
        words.extend(self.argv.iter().cloned());
        let mut cmd = Command::new(&words[0]);
        cmd.args(&words[1..]);
        cmd.current_dir(&project)
            .env_clear()
            .envs(run.world.env())
            .envs(self.env.iter().cloned());
        run.world.id.apply(&mut cmd);
        let fds = self.pass_fds.clone();
        let ctty = self.ctty;
        if !fds.is_empty() || ctty.is_some() {
            // SAFETY: only async-signal-safe calls (dup2, setsid, ioctl) between fork and exec.
            unsafe {
                cmd.pre_exec(move || {
                    for &(src, dst) in &fds {
                        if libc::dup2(src, dst) < 0 {
                            return Err(std::io::Error::last_os_error());
                        }
                    }
                    if let Some(t) = ctty {
                        libc::setsid();
                        if libc::ioctl(t, libc::TIOCSCTTY, 0) < 0 {
                            return Err(std::io::Error::last_os_error());
                        }
                        libc::dup2(t, 0);
                    }
                    Ok(())
                });
            }
        }
        let shown = format!(
            "{}{}",
            if run.world.id.switch {
                format!("[as uid {}] ", run.world.id.uid)
            } else {
                String::new()
            },
            words
                .iter()
                .map(|w| shell_quote(w))
                .collect::<Vec<_>>()
                .join(" ")
        );
        (cmd, shown)
    }

    /// Runs to completion (or the guard) and collects everything.
    pub fn output(self) -> Out {
        let (cmd, shown) = self.command();
        collect(shown, cmd, self.stdin.clone(), self.guard)
    }

    /// Starts creor and returns the child (stdout/stderr piped, stdin null) and the shown line.
    pub fn spawn(self) -> Result<(Child, String), String> {
        let (mut cmd, shown) = self.command();
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd.spawn().map_err(|e| format!("spawn `{shown}`: {e}"))?;
        Ok((child, shown))
    }
}

/// Everything a finished run produced, printable as a failure report.
pub struct Out {
    /// The command line, shell-quoted.
    pub shown: String,
    /// Exit status (None if the harness could not wait).
    pub status: Option<ExitStatus>,
    /// Captured stdout (lossy UTF-8).
    pub stdout: String,
    /// Captured stderr (lossy UTF-8).
    pub stderr: String,
    /// The harness guard expired and killed creor.
    pub hung: bool,
    /// Spawning failed.
    pub spawn_error: Option<String>,
}

impl Out {
    /// Exit code the way a shell reports it (128+N for signal N; -1 unknown).
    pub fn code(&self) -> i32 {
        match self.status {
            Some(s) => s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0)),
            None => -1,
        }
    }

    /// First line of stdout (the probe's verdict).
    pub fn first(&self) -> &str {
        self.stdout.lines().next().unwrap_or("").trim()
    }

    /// Stdout after the verdict line (data the probe read).
    pub fn data(&self) -> &str {
        self.stdout.split_once('\n').map(|(_, d)| d).unwrap_or("")
    }

    /// The probe reported `err E` with E in `allowed`.
    pub fn refused(&self, allowed: &[&str]) -> Result<(), String> {
        match self.first().strip_prefix("err ") {
            Some(e) if allowed.contains(&e.trim()) => Ok(()),
            Some(e) => Err(format!(
                "the kernel refused, but with {e}; expected one of {allowed:?}\n{self}"
            )),
            None if self.first().starts_with("ok") => Err(format!(
                "ESCAPE: the attempt succeeded; expected one of {allowed:?}\n{self}"
            )),
            None => Err(format!(
                "the probe did not report (sandbox did not run it?)\n{self}"
            )),
        }
    }

    /// The probe reported success.
    pub fn succeeded(&self) -> Result<(), String> {
        if self.first().starts_with("ok") {
            Ok(())
        } else {
            Err(format!("expected the operation to succeed\n{self}"))
        }
    }

    /// creor exited with `code`.
    pub fn exit_is(&self, code: i32) -> Result<(), String> {
        if self.code() == code && !self.hung {
            Ok(())
        } else {
            Err(format!(
                "expected exit status {code}, got {}\n{self}",
                self.code()
            ))
        }
    }

    /// Fails if any of `needles` occurs in stdout or stderr.
    pub fn lacks(&self, needles: &[String]) -> Result<(), String> {
        for n in needles {
            if self.stdout.contains(n.as_str()) || self.stderr.contains(n.as_str()) {
                return Err(format!("LEAK: `{n}` reached the sandboxed command\n{self}"));
            }
        }
        Ok(())
    }
}

impl fmt::Display for Out {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  command: {}", self.shown)?;
        if let Some(e) = &self.spawn_error {
            writeln!(f, "  spawn error: {e}")?;
        }
        let status = match self.status {
            Some(s) => format!("{} ({s})", self.code()),
            None => "none".into(),
        };
        writeln!(
            f,
            "  exit: {status}{}",
            if self.hung {
                " [killed by harness guard]"
            } else {
                ""
            }
        )?;
        writeln!(f, "  stdout: {}", indent(&self.stdout))?;
        write!(f, "  stderr: {}", indent(&self.stderr))
    }
}

fn indent(s: &str) -> String {
    if s.is_empty() {
        return "(empty)".into();
    }
    let t: String = s.chars().take(4000).collect();
    format!("\n    {}", t.trim_end().replace('\n', "\n    "))
}

fn join<S: AsRef<str>>(args: &[S]) -> String {
    args.iter()
        .map(|s| shell_quote(s.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Spawns `cmd`, feeds stdin, drains stdout/stderr on threads, enforces the guard.
fn collect(shown: String, mut cmd: Command, stdin: Option<Vec<u8>>, guard: Duration) -> Out {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Out {
                shown,
                status: None,
                stdout: String::new(),
                stderr: String::new(),
                hung: false,
                spawn_error: Some(e.to_string()),
            }
        }
    };
    if let (Some(data), Some(mut w)) = (stdin, child.stdin.take()) {
        std::thread::spawn(move || {
            use std::io::Write;
            let _ = w.write_all(&data);
        });
    }
    let out_t = drain(child.stdout.take());
    let err_t = drain(child.stderr.take());
    let start = Instant::now();
    let mut hung = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() > guard => {
                hung = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    Out {
        shown,
        status,
        stdout,
        stderr,
        hung,
        spawn_error: None,
    }
}

fn drain<R: Read + Send + 'static>(r: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut r) = r {
            let _ = r.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Reads a whole pipe into a string on a thread (for spawned children).
pub fn drain_child(r: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    drain(r)
}

/// Reads a file if present: for before/after comparisons of host state.
pub fn snapshot(p: &Path) -> Option<Vec<u8>> {
    fs::read(p).ok()
}
