//! The TUI end to end: the real binary in a tmux pane against a scripted OpenAI-compatible
//! model on 127.0.0.1. A card appears for each ask; `y` runs the call once, `n` denies it and
//! the model is told (seen in the next request body), `s` approves the same call for the rest
//! of the session so a repeat runs without a card.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::fake_model::{self as fm, FakeModel};

/// A tmux server of our own (private socket) running one `creor` pane.
struct Pane {
    socket: PathBuf,
}

impl Pane {
    fn start(dir: &Path, project: &Path, env: &[(&str, String)], size: (u16, u16)) -> Pane {
        let socket = dir.join("tmux.sock");
        let mut cmd = String::from("env");
        for (k, v) in env {
            cmd.push_str(&format!(" {k}='{v}'"));
        }
        cmd.push_str(&format!(" '{}'", env!("CARGO_BIN_EXE_creor")));
        let st = Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(["-f", "/dev/null", "new-session", "-d", "-x"])
            .arg(size.0.to_string())
            .arg("-y")
            .arg(size.1.to_string())
            .arg("-c")
            .arg(project)
            .arg(cmd)
            .status()
            .expect("tmux is required for this test (apt-get install -y tmux)");
        assert!(st.success(), "tmux new-session failed");
        Pane { socket }
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&self.socket);
        c
    }

    fn capture(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", "0"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let st = self
            .tmux()
            .args(["send-keys", "-t", "0"])
            .args(keys)
            .status()
            .expect("send-keys");
        assert!(st.success());
    }

    /// Waits (bounded) until the pane shows every needle.
    fn wait_for(&self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.capture();
            if needles.iter().all(|n| screen.contains(n)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "pane never showed {needles:?}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

/// The `tool` messages of an OpenAI request body.
fn tool_results(body: &Value) -> Vec<String> {
    body["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter(|m| m["role"] == "tool")
                .map(|m| m["content"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn wait_requests(model: &FakeModel, n: usize) -> Vec<fm::Seen> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = model.requests();
        if r.len() >= n {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "only {} model requests arrived",
            r.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn cards_answer_once_deny_and_for_session() {
    let tmp = crate::util::scratch();
    let root = tmp.path().canonicalize().expect("canon");
    let (project, home, state, config) = (
        root.join("proj"),
        root.join("home"),
        root.join("state"),
        root.join("config"),
    );
    for d in [&project, &home, &state, &config.join("creor")] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let model = FakeModel::start(vec![
        fm::openai_tool_call("c1", "bash", json!({"command": "echo first-run"})),
        fm::openai_tool_call("c2", "bash", json!({"command": "echo second-call"})),
        fm::openai_tool_call("c3", "bash", json!({"command": "echo again-and-again"})),
        fm::openai_tool_call("c4", "bash", json!({"command": "echo again-and-again"})),
        fm::openai_text("all done here"),
    ]);
    // The provider lives in the user's global config: a project file may not pick the URL.
    std::fs::write(
        config.join("creor/creor.json"),
        json!({"provider": {"kind": "openai", "model": "test-model",
            "baseUrl": format!("http://127.0.0.1:{}/v1", model.port)}})
        .to_string(),
    )
    .expect("write config");
    let pane = Pane::start(
        &root,
        &project,
        &[
            ("HOME", home.display().to_string()),
            ("XDG_STATE_HOME", state.display().to_string()),
            ("XDG_CONFIG_HOME", config.display().to_string()),
            ("TERM", "xterm-256color".into()),
        ],
        (100, 40),
    );
    pane.wait_for(&[
        "Enter send",
        "openai test-model",
        "sandbox: namespaces+landlock+seccomp",
    ]);
    pane.keys(&["run the checks", "Enter"]);

    // 1. A card for the ask; `y` runs it once and the model gets its output.
    pane.wait_for(&["permission: bash", "echo first-run", "[y] approve once"]);
    pane.keys(&["y"]);
    let reqs = wait_requests(&model, 2);
    let r = tool_results(&reqs[1].body);
    assert!(r.last().is_some_and(|t| t.contains("first-run")), "{r:?}");

    // 2. `n` denies the next call; the model is told it was the user.
    pane.wait_for(&["echo second-call", "[n] deny"]);
    pane.keys(&["n"]);
    let reqs = wait_requests(&model, 3);
    let r = tool_results(&reqs[2].body);
    assert!(
        r.last()
            .is_some_and(|t| t.starts_with("denied: by the user")),
        "{r:?}"
    );

    // 3. `s` approves for the session; the identical fourth call runs with no card.
    let card = pane.wait_for(&["echo again-and-again", "[s] approve for session"]);
    // The card states exactly what `s` grants: this command, not a wider pattern.
    assert!(
        card.contains("s would allow: bash \"echo again-and-again\" exactly"),
        "{card}"
    );
    assert!(!card.contains("echo again-and-again *"), "{card}");
    pane.keys(&["s"]);
    let screen = pane.wait_for(&["all done here"]);
    let reqs = wait_requests(&model, 5);
    let r = tool_results(&reqs[4].body);
    assert_eq!(r.len(), 4, "{r:?}");
    assert!(
        r[2].contains("again-and-again") && r[3].contains("again-and-again"),
        "{r:?}"
    );
    assert!(!r[3].starts_with("denied"), "{r:?}");
    assert!(
        !screen.contains("[y] approve once"),
        "no card may be open:\n{screen}"
    );

    // The audit log has exactly three user answers: no card was shown for the fourth call.
    let audit_dir = state.join("creor/audit");
    let mut answers = Vec::new();
    for e in std::fs::read_dir(&audit_dir).expect("audit dir").flatten() {
        let text = std::fs::read_to_string(e.path()).expect("read audit");
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).expect("audit json");
            if v["action"] == "approval" {
                answers.push(v["decision"].as_str().unwrap_or("").to_owned());
            }
        }
    }
    assert_eq!(answers, ["approve-once", "deny", "approve-for-session"]);

    // Ctrl-C twice quits (idle: the first only arms it).
    pane.keys(&["C-c"]);
    pane.wait_for(&["press Ctrl-C again to quit"]);
    pane.keys(&["C-c"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while pane.capture().contains("Enter send") {
        assert!(Instant::now() < deadline, "creor did not quit");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn shell_escape_works_without_a_provider_and_output_is_escaped() {
    let tmp = crate::util::scratch();
    let root = tmp.path().canonicalize().expect("canon");
    let (project, home, state, config) = (
        root.join("proj"),
        root.join("home"),
        root.join("state"),
        root.join("config"),
    );
    for d in [&project, &home, &state, &config] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let pane = Pane::start(
        &root,
        &project,
        &[
            ("HOME", home.display().to_string()),
            ("XDG_STATE_HOME", state.display().to_string()),
            ("XDG_CONFIG_HOME", config.display().to_string()),
            ("TERM", "xterm-256color".into()),
        ],
        (100, 30),
    );
    pane.wait_for(&["no model provider configured", "\"provider\"", "no model"]);
    // A command that tries to retitle the window and write the clipboard.
    pane.keys(&[
        "-l",
        r#"!printf 'from-shell\033]0;pwned\007\033]52;c;eA==\007\n'"#,
    ]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["permission: bash", "[y] approve once"]);
    pane.keys(&["y"]);
    let screen = pane.wait_for(&["│ from-shell^[]0;pwned^G^[]52;c;eA==^G", "⚙ ok"]);
    assert!(!screen.contains("[y] approve once"), "{screen}");

    // Output streams in while the command runs.
    pane.keys(&["-l", "!echo tick-1; sleep 5; echo tick-2"]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["[y] approve once"]);
    pane.keys(&["y"]);
    let screen = pane.wait_for(&["│ tick-1"]);
    assert!(
        screen.contains("⚙ running") && !screen.contains("│ tick-2"),
        "tick-1 must show while the command still runs:\n{screen}"
    );
    pane.wait_for(&["│ tick-2"]);
    let title = pane
        .tmux()
        .args(["display-message", "-p", "-t", "0", "#{pane_title}"])
        .output()
        .expect("display-message");
    assert!(
        !String::from_utf8_lossy(&title.stdout).contains("pwned"),
        "the command retitled the pane"
    );
}

#[test]
fn a_sandbox_that_cannot_start_is_announced_loudly() {
    let tmp = crate::util::scratch();
    let root = tmp.path().canonicalize().expect("canon");
    let (project, home, state) = (root.join("proj"), root.join("home"), root.join("state"));
    for d in [&project, &home, &state] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    // allow_specific needs the proxy; one that cannot start (its runtime dir is a file) leaves
    // every command refused, and the status bar must say so from the start (the probe runs
    // the session's own policy).
    let not_a_dir = root.join("runtime-file");
    std::fs::write(&not_a_dir, "").expect("write");
    std::fs::write(
        project.join("creor.json"),
        json!({"sandbox": {"network": {"policy": "allow_specific",
            "allowedHosts": ["pkg.example.com", "*.example.org"]}}})
        .to_string(),
    )
    .expect("write config");
    let pane = Pane::start(
        &root,
        &project,
        &[
            ("HOME", home.display().to_string()),
            ("XDG_STATE_HOME", state.display().to_string()),
            ("XDG_CONFIG_HOME", root.join("config").display().to_string()),
            ("XDG_RUNTIME_DIR", not_a_dir.display().to_string()),
        ],
        (100, 24),
    );
    let screen = pane.wait_for(&[
        "UNSANDBOXED: shell commands are refused",
        "allow_specific (2 hosts)",
    ]);
    assert!(
        screen.contains("proxy"),
        "the reason names what is missing:\n{screen}"
    );
}

/// Answers every request on 127.0.0.1 with a fixed body; returns the port.
fn hello_server() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for conn in l.incoming().take(8) {
            let Ok(mut c) = conn else { continue };
            let mut buf = [0u8; 2048];
            let _ = std::io::Read::read(&mut c, &mut buf);
            let _ = std::io::Write::write_all(
                &mut c,
                b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\nnet-card-ok\n",
            );
        }
    });
    port
}

#[test]
fn an_unlisted_host_raises_a_network_card() {
    let tmp = crate::util::scratch();
    let root = tmp.path().canonicalize().expect("canon");
    let (project, home, state, config) = (
        root.join("proj"),
        root.join("home"),
        root.join("state"),
        root.join("config"),
    );
    for d in [&project, &home, &state, &config] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let port = hello_server();
    // The address is listed; the name `localhost` is not, so the proxy asks about it.
    std::fs::write(
        project.join("creor.json"),
        json!({"sandbox": {"network": {"policy": "allow_specific",
                   "allowedHosts": [format!("127.0.0.1:{port}")]}}})
        .to_string(),
    )
    .expect("write config");
    let pane = Pane::start(
        &root,
        &project,
        &[
            ("HOME", home.display().to_string()),
            ("XDG_STATE_HOME", state.display().to_string()),
            ("XDG_CONFIG_HOME", config.display().to_string()),
        ],
        (100, 30),
    );
    pane.wait_for(&["allow_specific (1 host)"]);
    let cmd = format!("!curl -sS -i http://localhost:{port}/ 2>&1 | head -1; echo rc=$?");
    pane.keys(&["-l", &cmd]);
    pane.keys(&["Enter"]);
    // The command itself is a tool card first; for the session, so the repeat has none.
    pane.wait_for(&["permission: bash", "[s] approve for session"]);
    pane.keys(&["s"]);
    pane.wait_for(&[
        "permission: network",
        &format!("localhost:{port}"),
        "[n] deny",
    ]);
    pane.keys(&["n"]);
    pane.wait_for(&["HTTP/1.1 403", "⚙ ok"]);
    pane.keys(&["-l", &cmd]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["[y] approve once"]);
    pane.keys(&["y"]);
    pane.wait_for(&["HTTP/1.1 200 OK", "approved once: this connection"]);
}
