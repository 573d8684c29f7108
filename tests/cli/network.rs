//! `creor exec --network allow_specific`: the proxy, the forwarder and the refusals, against
//! servers on the host's loopback, through the real binary and sandbox.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::util;

/// A loopback HTTP server on a free port, counting connections.
struct Server {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Server {
    /// Answers every request with `handler(request head)` -> (status, body).
    fn start(handler: fn(&str) -> (u16, Vec<u8>)) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                counter.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || serve(conn, handler));
            }
        });
        Server { port, hits }
    }

    /// Echoes the request head as the body (shows what the proxy sent upstream).
    fn echo() -> Server {
        Server::start(|head| (200, head.as_bytes().to_vec()))
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn serve(mut conn: TcpStream, handler: fn(&str) -> (u16, Vec<u8>)) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match conn.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let (status, body) = handler(&String::from_utf8_lossy(&head));
    let _ = write!(
        conn,
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(&body);
}

struct Case {
    _dir: tempfile::TempDir,
    project: PathBuf,
    home: PathBuf,
    runtime: PathBuf,
}

fn case() -> Case {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("project");
    let home = dir.path().join("home");
    let runtime = dir.path().join("run");
    for d in [&project, &home, &runtime] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let project = project.canonicalize().expect("canonical");
    Case {
        _dir: dir,
        project,
        home,
        runtime,
    }
}

impl Case {
    /// `creor exec --network allow_specific --allow-host H... -- sh -c SCRIPT`.
    fn exec(&self, hosts: &[String], script: &str) -> Output {
        let mut cmd = util::creor();
        cmd.arg("exec").arg("--project").arg(&self.project).args([
            "--network",
            "allow_specific",
            "--timeout",
            "60",
        ]);
        for h in hosts {
            cmd.args(["--allow-host", h]);
        }
        cmd.args(["--", "sh", "-c", script])
            .current_dir(&self.project)
            .env("HOME", &self.home)
            .env("XDG_STATE_HOME", self.home.join("state"))
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .output()
            .expect("run creor")
    }

    fn audit(&self) -> String {
        let dir = self.home.join("state/creor/audit");
        let mut all = String::new();
        for e in std::fs::read_dir(&dir).expect("audit dir").flatten() {
            all.push_str(&std::fs::read_to_string(e.path()).expect("read audit"));
        }
        all
    }
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(out: &Output) -> String {
    let (stdout, stderr) = text(out);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {stderr}",
        out.status
    );
    stdout
}

#[test]
fn a_listed_ip_port_works_through_http_and_connect_and_is_audited() {
    let c = case();
    let s = Server::echo();
    let url = format!("http://127.0.0.1:{}/x?y=1", s.port);
    let out = ok(&c.exec(
        &[format!("127.0.0.1:{}", s.port)],
        &format!("curl -sS --fail '{url}' && echo ==== && curl -sS --fail -p '{url}'"),
    ));
    let (plain, tunnel) = out.split_once("====").expect("both requests ran");
    // Forwarded: origin-form, Host set to the checked target, no proxy credentials upstream.
    assert!(plain.starts_with("GET /x?y=1 HTTP/1.1\r\n"), "{plain}");
    assert!(
        plain.contains(&format!("Host: 127.0.0.1:{}\r\n", s.port)),
        "{plain}"
    );
    assert!(!plain.to_ascii_lowercase().contains("proxy-"), "{plain}");
    // Tunnelled: the client's own request arrives untouched.
    assert!(tunnel.contains("GET /x?y=1 HTTP/1.1\r\n"), "{tunnel}");
    assert_eq!(s.hits(), 2);
    let audit = c.audit();
    assert!(audit.contains("\"action\":\"net.connect\""), "{audit}");
    assert!(
        audit.contains(&format!(
            "\"target\":\"127.0.0.1:{}\",\"decision\":\"allow\"",
            s.port
        )),
        "{audit}"
    );
    assert!(audit.contains("http-connect"), "{audit}");
}

#[test]
fn another_port_is_refused_with_403_naming_host_and_reason() {
    let c = case();
    let allowed = Server::echo();
    let denied = Server::echo();
    let out = ok(&c.exec(
        &[format!("127.0.0.1:{}", allowed.port)],
        &format!(
            "curl -sS -i http://127.0.0.1:{0}/; echo ====; curl -sS -p http://127.0.0.1:{0}/ \
             2>&1; echo rc=$?",
            denied.port
        ),
    ));
    let (plain, tunnel) = out.split_once("====").expect("both ran");
    assert!(plain.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{plain}");
    assert!(
        plain.contains(&format!(
            "X-Creor-Refused: 127.0.0.1:{}; not in allowedHosts",
            denied.port
        )),
        "{plain}"
    );
    assert!(plain.contains("creor: refused 127.0.0.1:"), "{plain}");
    assert!(tunnel.contains("response 403"), "{tunnel}");
    assert!(!tunnel.contains("rc=0"), "{tunnel}");
    assert_eq!(denied.hits(), 0, "the refused server was reached");
    assert!(
        c.audit().contains(&format!(
            "\"target\":\"127.0.0.1:{}\",\"decision\":\"deny\"",
            denied.port
        )),
        "{}",
        c.audit()
    );
}

#[test]
fn bypassing_the_proxy_fails_fast_no_route_no_dns_no_udp() {
    let c = case();
    let s = Server::echo();
    let url = format!("http://127.0.0.1:{}/", s.port);
    // `timeout 10` turns a hang into 124; every attempt must fail on its own, quickly.
    let script = format!(
        "timeout 10 curl -sS --noproxy '*' {url}; echo noproxy=$?; \
         env -u HTTP_PROXY -u http_proxy -u ALL_PROXY -u all_proxy timeout 10 curl -sS {url}; \
         echo unset=$?; \
         timeout 10 getent hosts example.com; echo dns=$?; \
         timeout 10 bash -c 'echo x > /dev/udp/1.1.1.1/53'; echo udp=$?; \
         timeout 10 bash -c 'echo x > /dev/tcp/1.1.1.1/80'; echo tcp=$?"
    );
    let out = ok(&c.exec(&[format!("127.0.0.1:{}", s.port)], &script));
    for what in ["noproxy", "unset", "dns", "udp", "tcp"] {
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{what}=")))
            .unwrap_or_else(|| panic!("{what} missing: {out}"));
        assert!(line != "0" && line != "124", "{what} exited {line}: {out}");
    }
    assert_eq!(s.hits(), 0, "a bypass reached the server");
}

#[test]
fn a_name_resolving_to_loopback_is_refused_unless_its_address_is_listed() {
    let c = case();
    let s = Server::echo();
    let url = format!("http://localhost:{}/", s.port);
    let out = ok(&c.exec(
        &[format!("localhost:{}", s.port)],
        &format!("curl -sS -i {url}"),
    ));
    assert!(out.starts_with("HTTP/1.1 403"), "{out}");
    assert!(out.contains("loopback"), "{out}");
    assert!(
        out.contains("listing a name never opens its address"),
        "{out}"
    );
    assert_eq!(s.hits(), 0);
    let out = ok(&c.exec(
        &[
            format!("localhost:{}", s.port),
            format!("127.0.0.1:{}", s.port),
        ],
        &format!("curl -sS --fail {url}"),
    ));
    assert!(out.starts_with("GET / HTTP/1.1"), "{out}");
    assert_eq!(s.hits(), 1);
}

#[test]
fn host_header_spoofing_does_not_reach_a_denied_host() {
    let c = case();
    let allowed = Server::echo();
    let denied = Server::echo();
    let out = ok(&c.exec(
        &[format!("127.0.0.1:{}", allowed.port)],
        &format!(
            "curl -sS -H 'Host: 127.0.0.1:{d}' http://127.0.0.1:{a}/; echo ====; \
             bash -c 'c=${{HTTP_PROXY#http://}}; c=$(printf %s \"${{c%@*}}\" | base64 -w0); \
             exec 3<>/dev/tcp/127.0.0.1/3128; \
             printf \"CONNECT 127.0.0.1:{d} HTTP/1.1\\r\\nHost: 127.0.0.1:{a}\\r\\n\
             Proxy-Authorization: Basic %s\\r\\n\\r\\n\" \"$c\" >&3; head -1 <&3'",
            a = allowed.port,
            d = denied.port
        ),
    ));
    let (spoofed, connect) = out.split_once("====").expect("both ran");
    assert!(
        spoofed.contains(&format!("Host: 127.0.0.1:{}\r\n", allowed.port)),
        "{spoofed}"
    );
    assert!(!spoofed.contains(&format!(":{}", denied.port)), "{spoofed}");
    assert!(
        connect.trim_start().starts_with("HTTP/1.1 403 Forbidden"),
        "{connect}"
    );
    assert_eq!(denied.hits(), 0, "the denied server was reached");
}

#[test]
fn socks5_connects_listed_targets_and_refuses_others() {
    let c = case();
    let allowed = Server::echo();
    let denied = Server::echo();
    let out = ok(&c.exec(
        &[format!("127.0.0.1:{}", allowed.port)],
        &format!(
            "unset HTTP_PROXY http_proxy; \
             curl -sS --fail --socks5-hostname \"${{ALL_PROXY#socks5h://}}\" http://127.0.0.1:{a}/; \
             echo ====; curl -sS http://127.0.0.1:{d}/ 2>&1; echo rc=$?",
            a = allowed.port,
            d = denied.port
        ),
    ));
    let (good, bad) = out.split_once("====").expect("both ran");
    assert!(good.starts_with("GET / HTTP/1.1"), "{good}");
    assert!(bad.contains("rc=97"), "curl's SOCKS refusal: {bad}");
    assert_eq!(denied.hits(), 0);
    let audit = c.audit();
    assert!(audit.contains("\"protocol\":\"socks5\""), "{audit}");
}

#[test]
fn a_wrong_token_is_refused_with_407() {
    let c = case();
    let s = Server::echo();
    let out = ok(&c.exec(
        &[format!("127.0.0.1:{}", s.port)],
        &format!(
            "curl -sS -i -x http://creor:wrong@127.0.0.1:3128 http://127.0.0.1:{}/",
            s.port
        ),
    ));
    assert!(out.starts_with("HTTP/1.1 407"), "{out}");
    assert_eq!(s.hits(), 0);
}

/// A static file server over `root` (git's dumb HTTP protocol needs nothing more).
fn file_server(root: &'static Path) -> Server {
    let _ = FILE_ROOT.set(root.to_path_buf());
    Server::start(|head| {
        let path = head.split(' ').nth(1).unwrap_or("/");
        let path = path.split('?').next().unwrap_or("/");
        let root = FILE_ROOT.get().expect("root set");
        match std::fs::read(root.join(path.trim_start_matches('/'))) {
            Ok(body) if !path.contains("..") => (200, body),
            _ => (404, Vec::new()),
        }
    })
}

static FILE_ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

#[test]
fn git_clones_over_dumb_http_from_a_listed_server() {
    let c = case();
    let root: &'static Path = Box::leak(Box::new(c.home.join("srv")));
    let git = |args: &[&str], dir: &Path| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    std::fs::create_dir_all(root).expect("mkdir");
    let work = c.home.join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    git(&["init", "-q", "--bare", "-b", "main", "repo.git"], root);
    git(&["init", "-q", "-b", "main"], &work);
    std::fs::write(work.join("hello.txt"), "hello through the proxy\n").expect("write");
    git(&["add", "hello.txt"], &work);
    git(
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "one",
        ],
        &work,
    );
    git(
        &[
            "push",
            "-q",
            root.join("repo.git").to_str().expect("utf-8"),
            "main",
        ],
        &work,
    );
    git(&["update-server-info"], &root.join("repo.git"));
    let s = file_server(root);
    let out = ok(&c.exec(
        &[format!("127.0.0.1:{}", s.port)],
        &format!(
            "cd /tmp && git clone -q http://127.0.0.1:{}/repo.git c && cat c/hello.txt",
            s.port
        ),
    ));
    assert_eq!(out, "hello through the proxy\n");
}

#[test]
fn the_proxy_socket_is_gone_after_the_command() {
    let c = case();
    let s = Server::echo();
    let out = ok(&c.exec(
        &[format!("127.0.0.1:{}", s.port)],
        "echo $HTTP_PROXY | grep -c 'http://creor:[0-9a-f]\\{32\\}@127.0.0.1:3128'",
    ));
    assert_eq!(out, "1\n");
    let left: Vec<_> = std::fs::read_dir(c.runtime.join("creor"))
        .expect("runtime dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_bad_host_pattern_refuses_to_start() {
    let c = case();
    let out = c.exec(&["exa mple.com".into()], "true");
    let (_, stderr) = text(&out);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("exa mple.com"), "{stderr}");
}

#[test]
fn the_agents_bash_reaches_allowed_hosts_through_the_session_proxy() {
    use crate::fake_model::{self as fm, FakeModel};
    use serde_json::json;
    // Not under /tmp: the session's private /tmp would hide a project there.
    let tmp = crate::util::scratch();
    let root = tmp.path().canonicalize().expect("canon");
    let project = root.join("proj");
    let home = root.join("home");
    for d in [&project, &home] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let allowed = Server::echo();
    let denied = Server::echo();
    std::fs::write(
        project.join("creor.json"),
        json!({
            "permissions": {"*": "ask", "bash": "allow"},
            "sandbox": {"network": {"policy": "allow_specific",
                "allowedHosts": [format!("127.0.0.1:{}", allowed.port)]}}
        })
        .to_string(),
    )
    .expect("write config");
    let command = format!(
        "curl -sS http://127.0.0.1:{}/agent; curl -sS -i http://127.0.0.1:{}/",
        allowed.port, denied.port
    );
    let model = FakeModel::start(vec![
        fm::openai_tool_call("c1", "bash", json!({ "command": command })),
        fm::openai_text("done"),
    ]);
    let out = util::creor()
        .args(["run", "--headless", "--json", "--project"])
        .arg(&project)
        .args(["--provider", "openai", "--base-url"])
        .arg(format!("http://127.0.0.1:{}/v1", model.port))
        .args(["--model", "test-model", "fetch"])
        .env("HOME", &home)
        .env("XDG_STATE_HOME", root.join("state"))
        .env("XDG_CONFIG_HOME", root.join("config"))
        .env("XDG_RUNTIME_DIR", root.join("run"))
        .env_remove("CI")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run creor");
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let body = &model.requests()[1].body;
    let result = body["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["role"] == "tool"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(result.contains("GET /agent HTTP/1.1"), "{result}");
    assert!(result.contains("403 Forbidden"), "{result}");
    assert!(result.contains("X-Creor-Refused"), "{result}");
    assert_eq!(denied.hits(), 0);
}

#[test]
fn git_ssh_goes_through_the_proxy_via_creors_own_proxy_command() {
    let c = case();
    // A fake SSH server: sends its banner, keeps the client's first line.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let got = Arc::new(std::sync::Mutex::new(String::new()));
    let seen = Arc::clone(&got);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.write_all(b"SSH-2.0-fake\r\n");
            let mut buf = [0u8; 64];
            let n = conn.read(&mut buf).unwrap_or(0);
            seen.lock()
                .expect("lock")
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let denied = Server::echo();
    let out = c.exec(
        &[format!("127.0.0.1:{port}")],
        &format!(
            "echo \"$GIT_SSH_COMMAND\"; \
             GIT_TERMINAL_PROMPT=0 timeout 20 git ls-remote ssh://git@127.0.0.1:{port}/x.git; \
             echo ====; \
             eval \"$GIT_SSH_COMMAND -o BatchMode=yes -p {} git@127.0.0.1 true\"",
            denied.port
        ),
    );
    let (stdout, stderr) = text(&out);
    assert!(
        stdout.contains("__sandbox-helper net-connect %h %p"),
        "{stdout}"
    );
    assert!(
        got.lock().expect("lock").starts_with("SSH-2.0-OpenSSH"),
        "the server never saw ssh's banner: {stdout}\n{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "creor net-connect: refused: 127.0.0.1:{}; not in allowedHosts",
            denied.port
        )),
        "{stderr}"
    );
}
