//! `creor run` end to end against a scripted model API on 127.0.0.1: the real config loader,
//! permission engine, sandbox, secret scanner and audit log, with a fake model.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

use crate::fake_model::{self as fm, Canned, FakeModel};
use crate::util;

struct Case {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    project: PathBuf,
    home: PathBuf,
}

impl Case {
    fn new() -> Case {
        // Not under /tmp: creor maps /tmp to the session's private tmp, and a real home or
        // project does not live there.
        let tmp = crate::util::scratch();
        let root = tmp.path().canonicalize().expect("canon");
        let project = root.join("proj");
        let home = root.join("home");
        for d in [&project, &home, &root.join("state"), &root.join("config")] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        Case {
            _tmp: tmp,
            root,
            project,
            home,
        }
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.project.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    fn cmd(&self, kind: &str, port: u16) -> Command {
        let mut c = util::creor();
        let base = match kind {
            "openai" => format!("http://127.0.0.1:{port}/v1"),
            _ => format!("http://127.0.0.1:{port}"),
        };
        c.args(["run", "--headless", "--json", "--project"])
            .arg(&self.project)
            .args([
                "--provider",
                kind,
                "--base-url",
                &base,
                "--model",
                "test-model",
            ])
            .env("HOME", &self.home)
            .env("XDG_STATE_HOME", self.root.join("state"))
            .env("XDG_CONFIG_HOME", self.root.join("config"))
            .env_remove("CI")
            .stdin(Stdio::null());
        c
    }

    /// Like [`Case::cmd`] for OpenAI, without `--headless` (stdin decides).
    fn interactive_cmd(&self, port: u16) -> Command {
        let mut c = util::creor();
        c.args(["run", "--json", "--project"])
            .arg(&self.project)
            .args([
                "--provider",
                "openai",
                "--base-url",
                &format!("http://127.0.0.1:{port}/v1"),
                "--model",
                "test-model",
            ])
            .env("HOME", &self.home)
            .env("XDG_STATE_HOME", self.root.join("state"))
            .env("XDG_CONFIG_HOME", self.root.join("config"))
            .env_remove("CI");
        c
    }

    fn run_openai(&self, script: Vec<Canned>, prompt: &str) -> (Output, FakeModel) {
        let model = FakeModel::start(script);
        let out = self
            .cmd("openai", model.port)
            .arg(prompt)
            .output()
            .expect("run creor");
        (out, model)
    }
}

fn events(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn dump(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The `tool` messages of an OpenAI request body.
fn openai_tool_results(body: &Value) -> Vec<String> {
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

fn project_config(case: &Case, cfg: Value) {
    case.write("creor.json", &cfg.to_string());
}

#[test]
fn json_events_and_exit_zero_on_a_finished_run() {
    let case = Case::new();
    let (out, model) = case.run_openai(vec![fm::openai_text("hello there")], "say hi");
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let evs = events(&out);
    assert_eq!(evs[0]["type"], "session_started", "{}", dump(&out));
    assert_eq!(evs[0]["headless"], true);
    let text: String = evs
        .iter()
        .filter(|e| e["type"] == "message_delta")
        .map(|e| e["text"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(text, "hello there");
    assert_eq!(evs.last().map(|e| e["type"].clone()), Some(json!("done")));
    assert_eq!(
        evs.last().map(|e| e["reason"].clone()),
        Some(json!("finished"))
    );
    let reqs = model.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, "/v1/chat/completions");
    assert_eq!(reqs[0].body["model"], "test-model");
    assert_eq!(reqs[0].body["stream"], true);
    assert_eq!(reqs[0].body["messages"][1]["content"], "say hi");
    let tools: Vec<&str> = reqs[0].body["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert_eq!(
        tools,
        [
            "read",
            "write",
            "edit",
            "glob",
            "grep",
            "ls",
            "bash",
            "webfetch",
            "websearch",
            "external-directory"
        ]
    );
}

#[test]
fn prompt_from_stdin() {
    let case = Case::new();
    let model = FakeModel::start(vec![fm::openai_text("ok")]);
    let mut child = case
        .cmd("openai", model.port)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"prompt from a pipe\n").expect("write");
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    assert_eq!(
        model.requests()[0].body["messages"][1]["content"],
        "prompt from a pipe\n"
    );
}

#[test]
fn headless_ask_is_denied_at_once_and_the_model_is_told() {
    let case = Case::new();
    // No rule for bash → ask → headless deny, without waiting for anyone.
    let (out, model) = case.run_openai(
        vec![
            fm::openai_tool_call("c1", "bash", json!({"command": "touch ran.txt"})),
            fm::openai_text("understood"),
        ],
        "build it",
    );
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    assert!(!case.project.join("ran.txt").exists());
    let evs = events(&out);
    assert!(!evs.iter().any(|e| e["type"] == "approval_requested"));
    let decision = evs
        .iter()
        .find(|e| e["type"] == "permission_decision")
        .expect("decision event");
    assert_eq!(decision["level"], "deny");
    assert_eq!(decision["reason"], "needs-approval-headless");
    let reqs = model.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        openai_tool_results(&reqs[1].body),
        ["denied: needs-approval-headless"]
    );
}

#[test]
fn denied_command_does_not_run_and_the_next_request_names_the_rule() {
    let case = Case::new();
    project_config(
        &case,
        json!({"permissions": {"*": "ask", "bash": {"*": "allow", "rm *": "deny"}}}),
    );
    let victim = case.write("keep/me.txt", "x");
    let (out, model) = case.run_openai(
        vec![
            fm::openai_tool_call("c1", "bash", json!({"command": "rm -rf keep"})),
            fm::openai_text("ok"),
        ],
        "clean up",
    );
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    assert!(victim.exists(), "the denied command ran");
    let results = openai_tool_results(&model.requests()[1].body);
    assert_eq!(results.len(), 1);
    assert!(results[0].starts_with("denied:"), "{results:?}");
    assert!(
        results[0].contains("rm *"),
        "the denial must name the rule (needs the engine and config branches): {results:?}"
    );
}

#[test]
fn floor_denied_read_returns_no_content() {
    let case = Case::new();
    project_config(&case, json!({"permissions": "allow"}));
    let ssh = case.home.join(".ssh");
    std::fs::create_dir_all(&ssh).expect("mkdir");
    std::fs::write(ssh.join("id_rsa"), "PRIVATE-KEY-MATERIAL-0xC0FFEE").expect("write");
    let (out, model) = case.run_openai(
        vec![
            fm::openai_tool_call("c1", "read", json!({"path": "~/.ssh/id_rsa"})),
            fm::openai_tool_call("c2", "read", json!({"path": ssh.join("id_rsa")})),
            fm::openai_text("ok"),
        ],
        "read my key",
    );
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let reqs = model.requests();
    let all =
        serde_json::to_string(&reqs.iter().map(|r| &r.body).collect::<Vec<_>>()).expect("json");
    assert!(!all.contains("PRIVATE-KEY-MATERIAL"), "{}", dump(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("PRIVATE-KEY-MATERIAL"));
    for r in openai_tool_results(&reqs[2].body) {
        assert!(r.starts_with("denied: floor"), "{r}");
    }
}

#[test]
fn grep_never_returns_read_denied_files() {
    let case = Case::new();
    project_config(
        &case,
        json!({"permissions": {"*": "ask", "grep": "allow", "read": {"*": "allow", ".env*": "deny"}}}),
    );
    case.write("src/app.txt", "needle in app\n");
    case.write(".env", "needle=SECRETVALUE\n");
    case.write("config/.env.local", "needle too\n");
    let (out, model) = case.run_openai(
        vec![
            fm::openai_tool_call("c1", "grep", json!({"pattern": "needle"})),
            fm::openai_text("ok"),
        ],
        "find needles",
    );
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let results = openai_tool_results(&model.requests()[1].body);
    assert_eq!(results.len(), 1);
    assert!(
        results[0].contains("src/app.txt:1:needle in app"),
        "grep must run and find the allowed file (needs the engine and config branches): {results:?}"
    );
    assert!(!results[0].contains(".env"), "{results:?}");
    assert!(!results[0].contains("SECRETVALUE"), "{results:?}");
}

const GH_TOKEN: &str = "ghp_Zk3q9XbLmN0pQ7rS2tUvW4xY8aBcDeF1gH6j";

#[test]
fn token_in_file_output_never_reaches_the_model() {
    let case = Case::new();
    project_config(&case, json!({"permissions": {"*": "ask", "read": "allow"}}));
    case.write("notes.txt", &format!("deploy with {GH_TOKEN}\n"));
    let (out, model) = case.run_openai(
        vec![
            fm::openai_tool_call("c1", "read", json!({"path": "notes.txt"})),
            fm::openai_text("ok"),
        ],
        "read notes",
    );
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let body = model.requests()[1].body.to_string();
    assert!(!body.contains(GH_TOKEN));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(GH_TOKEN));
    let results = openai_tool_results(&model.requests()[1].body);
    assert!(
        results[0].contains("[REDACTED:github-token]"),
        "the read must run and be redacted (needs engine, config, secrets): {results:?}"
    );
}

#[test]
fn token_in_command_output_never_reaches_the_model() {
    let case = Case::new();
    project_config(&case, json!({"permissions": {"*": "ask", "bash": "allow"}}));
    let (out, model) = case.run_openai(
        vec![
            fm::openai_tool_call("c1", "bash", json!({"command": format!("echo {GH_TOKEN}")})),
            fm::openai_text("ok"),
        ],
        "echo",
    );
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let body = model.requests()[1].body.to_string();
    let results = openai_tool_results(&model.requests()[1].body);
    // The command itself carries the token, so the model wrote it; what matters is that the
    // command's output does not echo it back unredacted.
    assert!(
        results[0].contains("[REDACTED:github-token]") && results[0].contains("[exit code 0]"),
        "bash must run in the sandbox and its output be redacted (needs sandbox, engine, config, secrets): {results:?}"
    );
    assert!(!results[0].contains(GH_TOKEN), "{body}");
    assert!(!String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("tool_output") || l.contains("tool_result"))
        .any(|l| l.contains(GH_TOKEN)));
}

#[test]
fn allowed_bash_runs_in_the_sandbox_and_its_effect_is_on_disk() {
    let case = Case::new();
    project_config(&case, json!({"permissions": {"*": "ask", "bash": "allow"}}));
    let (out, model) = case.run_openai(
        vec![
            fm::openai_tool_call(
                "c1",
                "bash",
                json!({"command": "echo built > out.txt && cat out.txt"}),
            ),
            fm::openai_text("done"),
        ],
        "build",
    );
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let results = openai_tool_results(&model.requests()[1].body);
    assert_eq!(
        std::fs::read_to_string(case.project.join("out.txt"))
            .ok()
            .as_deref(),
        Some("built\n"),
        "allowed bash must run (needs sandbox, engine, config): {results:?}"
    );
    assert!(results[0].contains("built"), "{results:?}");
}

#[test]
fn anthropic_tool_round_trip() {
    let case = Case::new();
    let model = FakeModel::start(vec![
        fm::anthropic_tool_call("toolu_1", "bash", json!({"command": "make"})),
        fm::anthropic_text("fine"),
    ]);
    let out = case
        .cmd("anthropic", model.port)
        .args(["--api-key-env", "CREOR_TEST_ANTHROPIC_KEY"])
        .env("CREOR_TEST_ANTHROPIC_KEY", "sk-ant-test-key-123456")
        .arg("make it")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let reqs = model.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].path, "/v1/messages");
    assert_eq!(reqs[0].header("x-api-key"), Some("sk-ant-test-key-123456"));
    assert_eq!(reqs[0].header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(reqs[0].body["tools"][6]["name"], "bash");
    assert!(reqs[0].body["tools"][6]["input_schema"]["properties"]["command"].is_object());
    let msgs = reqs[1].body["messages"].as_array().expect("messages");
    assert_eq!(msgs[1]["content"][1]["type"], "tool_use");
    assert_eq!(msgs[1]["content"][1]["input"]["command"], "make");
    assert_eq!(msgs[2]["content"][0]["type"], "tool_result");
    assert_eq!(msgs[2]["content"][0]["tool_use_id"], "toolu_1");
    assert_eq!(
        msgs[2]["content"][0]["content"],
        "denied: needs-approval-headless"
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("sk-ant-test-key-123456"));
}

#[test]
fn rate_limit_is_retried() {
    let case = Case::new();
    let mut busy = Canned::status(429, r#"{"error":"slow down"}"#);
    busy.extra_headers.push(("Retry-After", "0".into()));
    let (out, model) = case.run_openai(vec![busy, fm::openai_text("second try")], "hi");
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    assert_eq!(model.requests().len(), 2);
}

#[test]
fn wrong_key_is_a_clear_error_without_the_key() {
    let case = Case::new();
    let model = FakeModel::start(vec![Canned::status(
        401,
        r#"{"error":{"message":"Incorrect API key provided: sk-wrong-key-987"}}"#,
    )]);
    let out = case
        .cmd("openai", model.port)
        .args(["--api-key-env", "CREOR_TEST_OPENAI_KEY"])
        .env("CREOR_TEST_OPENAI_KEY", "sk-wrong-key-987")
        .arg("hi")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", dump(&out));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("rejected the API key"), "{all}");
    assert!(all.contains("CREOR_TEST_OPENAI_KEY"), "{all}");
    assert!(!all.contains("sk-wrong-key-987"), "{all}");
}

#[test]
fn unreachable_url_and_missing_key_and_model() {
    let case = Case::new();
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let out = case.cmd("openai", port).arg("hi").output().expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", dump(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("cannot reach the model API"),
        "{}",
        dump(&out)
    );

    let out = case
        .cmd("openai", port)
        .args(["--api-key-env", "CREOR_TEST_UNSET_KEY"])
        .env_remove("CREOR_TEST_UNSET_KEY")
        .arg("hi")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", dump(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CREOR_TEST_UNSET_KEY is not set"));

    let model = FakeModel::start(vec![Canned::status(
        404,
        r#"{"error":"model 'test-model' not found"}"#,
    )]);
    let out = case
        .cmd("openai", model.port)
        .arg("hi")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", dump(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("check provider.baseUrl and provider.model")
    );
}

#[test]
fn no_provider_is_a_config_error() {
    let case = Case::new();
    let out = util::creor()
        .args(["run", "--headless", "--project"])
        .arg(&case.project)
        .arg("hi")
        .env("HOME", &case.home)
        .env("XDG_CONFIG_HOME", case.root.join("config"))
        .env("XDG_STATE_HOME", case.root.join("state"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", dump(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no provider configured"));
}

fn audit(case: &Case, sub: &str) -> Output {
    util::creor()
        .args(["audit", sub, "--project"])
        .arg(&case.project)
        .env("HOME", &case.home)
        .env("XDG_STATE_HOME", case.root.join("state"))
        .output()
        .expect("run creor audit")
}

#[test]
fn decisions_are_audited_and_a_tampered_line_is_caught() {
    let case = Case::new();
    let (out, _model) = case.run_openai(
        vec![
            fm::openai_tool_call("c1", "bash", json!({"command": "make deploy"})),
            fm::openai_tool_call("c2", "bash", json!({"command": "make release"})),
            fm::openai_text("ok"),
        ],
        "ship it",
    );
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let path_out = audit(&case, "path");
    assert_eq!(path_out.status.code(), Some(0), "{}", dump(&path_out));
    let path = PathBuf::from(String::from_utf8_lossy(&path_out.stdout).trim_end());
    assert!(
        path.starts_with(case.root.join("state/creor/audit")),
        "{path:?}"
    );
    let text = std::fs::read_to_string(&path).expect("audit log exists");
    assert!(
        text.contains("make deploy") && text.contains("needs-approval-headless"),
        "{text}"
    );
    let ok = audit(&case, "verify");
    assert_eq!(ok.status.code(), Some(0), "{}", dump(&ok));
    let show = audit(&case, "show");
    assert!(String::from_utf8_lossy(&show.stdout).contains("make release"));
    let recent = util::creor()
        .args(["audit", "show", "--since", "1h", "--json", "--project"])
        .arg(&case.project)
        .env("HOME", &case.home)
        .env("XDG_STATE_HOME", case.root.join("state"))
        .output()
        .expect("run");
    let lines: Vec<Value> = String::from_utf8_lossy(&recent.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert!(lines.len() >= 2, "{}", dump(&recent));
    assert!(lines.iter().all(|l| l["hash"].is_string()));
    let future = util::creor()
        .args([
            "audit",
            "show",
            "--since",
            "2999-01-01T00:00:00Z",
            "--project",
        ])
        .arg(&case.project)
        .env("HOME", &case.home)
        .env("XDG_STATE_HOME", case.root.join("state"))
        .output()
        .expect("run");
    assert_eq!(future.status.code(), Some(0), "{}", dump(&future));
    assert!(future.stdout.is_empty(), "{}", dump(&future));

    // Turn the first recorded deny into an allow: verify must fail and name line 1.
    let tampered = text.replacen("\"deny\"", "\"allow\"", 1);
    assert_ne!(tampered, text);
    std::fs::write(&path, tampered).expect("tamper");
    let bad = audit(&case, "verify");
    assert_ne!(bad.status.code(), Some(0), "{}", dump(&bad));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("line 1"),
        "{}",
        dump(&bad)
    );
}

#[test]
fn step_limit_stops_the_run_with_exit_3() {
    let case = Case::new();
    let model = FakeModel::start(vec![
        fm::openai_tool_call("c1", "ls", json!({})),
        fm::openai_tool_call("c2", "ls", json!({})),
        fm::openai_text("never reached"),
    ]);
    let out = case
        .cmd("openai", model.port)
        .args(["--max-steps", "2", "look around"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3), "{}", dump(&out));
    assert_eq!(model.requests().len(), 2);
    let last = events(&out).pop().expect("events");
    assert_eq!(last["reason"], "step-limit");
}

#[test]
fn on_ask_fail_aborts_non_zero() {
    let case = Case::new();
    project_config(&case, json!({"onAsk": "fail"}));
    let (out, model) = case.run_openai(
        vec![
            fm::openai_tool_call("c1", "bash", json!({"command": "make"})),
            fm::openai_text("never reached"),
        ],
        "build",
    );
    assert_eq!(out.status.code(), Some(4), "{}", dump(&out));
    assert_eq!(model.requests().len(), 1);
    assert_eq!(events(&out).pop().expect("events")["reason"], "ask-failed");
}

#[test]
fn webfetch_honours_the_network_policy_and_returns_text() {
    let case = Case::new();
    // The fake server answers the model and, in between, the page fetch.
    let page = Canned {
        status: 200,
        content_type: "text/html; charset=utf-8",
        extra_headers: vec![],
        body:
            "<html><body><h1>Docs</h1><p>Hello <b>world</b></p><script>x()</script></body></html>"
                .into(),
    };
    let server = FakeModel::start_with(|port| {
        vec![
            fm::openai_tool_call(
                "c1",
                "webfetch",
                json!({"url": format!("http://127.0.0.1:{port}/page")}),
            ),
            page.clone(),
            fm::openai_tool_call("c2", "webfetch", json!({"url": "http://example.invalid/"})),
            fm::openai_text("ok"),
        ]
    });
    project_config(
        &case,
        json!({
            "permissions": {"*": "ask", "webfetch": "allow"},
            "sandbox": {"network": {"policy": "allow_specific",
                                    "allowedHosts": [format!("127.0.0.1:{}", server.port)]}}
        }),
    );
    let out = case
        .cmd("openai", server.port)
        .arg("fetch the docs")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let reqs = server.requests();
    let model_reqs: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .collect();
    assert_eq!(model_reqs.len(), 3, "{reqs:?}");
    let results = openai_tool_results(&model_reqs[2].body);
    assert!(
        results[0].contains("Docs") && results[0].contains("world"),
        "{results:?}"
    );
    assert!(!results[0].contains("<b>"), "{results:?}");
    assert!(results[1].starts_with("denied:"), "{results:?}");
    assert!(results[1].contains("example.invalid"), "{results:?}");
}

#[test]
fn the_provider_key_never_reaches_a_sandboxed_command() {
    let case = Case::new();
    project_config(&case, json!({"permissions": {"*": "ask", "bash": "allow"}}));
    let model = FakeModel::start(vec![
        fm::openai_tool_call("c1", "bash", json!({"command": "env"})),
        fm::openai_text("ok"),
    ]);
    let out = case
        .cmd("openai", model.port)
        .args(["--api-key-env", "CREOR_TEST_LLM"])
        .env("CREOR_TEST_LLM", "llm-key-must-stay-outside-4242")
        .arg("show env")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let reqs = model.requests();
    assert_eq!(
        reqs[0].header("authorization"),
        Some("Bearer llm-key-must-stay-outside-4242")
    );
    let results = openai_tool_results(&reqs[1].body);
    assert!(
        results[0].contains("PATH="),
        "the command must run: {results:?}"
    );
    assert!(
        !results[0].contains("llm-key-must-stay-outside-4242"),
        "{results:?}"
    );
    assert!(!results[0].contains("CREOR_TEST_LLM"), "{results:?}");
}

/// With a terminal on stdin the session asks: `s` approves the stated scope for the rest of
/// the session, `f` denies with feedback that reaches the model.
#[test]
fn interactive_approvals_from_a_terminal() {
    use std::io::Write;
    let case = Case::new();
    let model = FakeModel::start(vec![
        fm::openai_tool_call("c1", "write", json!({"path": "a.txt", "content": "A"})),
        fm::openai_tool_call("c2", "write", json!({"path": "b.txt", "content": "B"})),
        fm::openai_tool_call("c3", "bash", json!({"command": "make deploy"})),
        fm::openai_text("ok"),
    ]);
    let pty = nix::pty::openpty(None, None).expect("openpty");
    // Answers are typed ahead; the terminal buffers them until creor reads each line.
    let mut master = std::fs::File::from(pty.master);
    master
        .write_all(b"s\nf\nno deploys from here\n")
        .expect("type answers");
    let out = case
        .interactive_cmd(model.port)
        .arg("write two files")
        .stdin(Stdio::from(pty.slave))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let evs = events(&out);
    assert_eq!(evs[0]["headless"], false);
    let asked: Vec<&str> = evs
        .iter()
        .filter(|e| e["type"] == "approval_requested")
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(asked, ["c1", "c3"], "c2 is covered by the session approval");
    assert_eq!(
        std::fs::read_to_string(case.project.join("a.txt"))
            .ok()
            .as_deref(),
        Some("A")
    );
    assert_eq!(
        std::fs::read_to_string(case.project.join("b.txt"))
            .ok()
            .as_deref(),
        Some("B")
    );
    let reqs = model.requests();
    assert_eq!(reqs.len(), 4);
    assert_eq!(
        openai_tool_results(&reqs[3].body)
            .last()
            .map(String::as_str),
        Some("denied: by the user: no deploys from here")
    );
}

#[test]
fn floor_holds_through_a_symlinked_home_and_a_project_symlink() {
    let case = Case::new();
    project_config(&case, json!({"permissions": "allow"}));
    let ssh = case.home.join(".ssh");
    std::fs::create_dir_all(&ssh).expect("mkdir");
    std::fs::write(ssh.join("id_rsa"), "PRIVATE-KEY-MATERIAL-0xBEEF").expect("write");
    let link_home = case.root.join("homelink");
    std::os::unix::fs::symlink(&case.home, &link_home).expect("symlink");
    std::os::unix::fs::symlink(&ssh, case.project.join("keys")).expect("symlink");
    let model = FakeModel::start(vec![
        fm::openai_tool_call("c1", "read", json!({"path": "~/.ssh/id_rsa"})),
        fm::openai_tool_call("c2", "read", json!({"path": "keys/id_rsa"})),
        fm::openai_tool_call("c3", "grep", json!({"pattern": "PRIVATE"})),
        fm::openai_text("ok"),
    ]);
    let out = case
        .cmd("openai", model.port)
        .env("HOME", &link_home)
        .arg("read keys")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let reqs = model.requests();
    let all = reqs.iter().map(|r| r.body.to_string()).collect::<String>();
    assert!(!all.contains("PRIVATE-KEY-MATERIAL"), "{}", dump(&out));
    let results = openai_tool_results(&reqs[3].body);
    assert!(results[0].starts_with("denied: floor"), "{results:?}");
    assert!(results[1].starts_with("denied: floor"), "{results:?}");
    assert_eq!(results[2], "no matches", "{results:?}");
}

#[test]
fn webfetch_redirects_are_judged_like_new_requests() {
    let case = Case::new();
    let server = FakeModel::start_with(|port| {
        let mut redirect = Canned::status(302, "");
        redirect
            .extra_headers
            .push(("Location", format!("http://localhost:{port}/secret")));
        vec![
            fm::openai_tool_call(
                "c1",
                "webfetch",
                json!({"url": format!("http://127.0.0.1:{port}/page")}),
            ),
            redirect,
            fm::openai_text("ok"),
        ]
    });
    project_config(
        &case,
        json!({
            "permissions": {"*": "ask", "webfetch": {"*": "ask", "domain:127.0.0.1": "allow"}},
            "sandbox": {"network": {"policy": "allow_specific", "allowedHosts": [
                format!("127.0.0.1:{}", server.port), format!("localhost:{}", server.port)]}}
        }),
    );
    let out = case
        .cmd("openai", server.port)
        .arg("fetch")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", dump(&out));
    let reqs = server.requests();
    assert!(!reqs.iter().any(|r| r.path == "/secret"), "{reqs:?}");
    let results = openai_tool_results(&reqs.last().expect("requests").body);
    assert!(
        results[0].starts_with("denied: redirect to http://localhost:"),
        "{results:?}"
    );
}

#[test]
fn invalid_config_refuses_to_start() {
    let case = Case::new();
    case.write("creor.json", r#"{"permissions": {"bash": "sometimes"}}"#);
    let model = FakeModel::start(vec![fm::openai_text("never")]);
    let out = case
        .cmd("openai", model.port)
        .arg("hi")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", dump(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("creor.json"),
        "{}",
        dump(&out)
    );
    assert!(model.requests().is_empty());
}
