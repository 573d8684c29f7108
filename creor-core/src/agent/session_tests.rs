#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use super::*;
use crate::agent::{FnRedactor, NoAudit, Redaction};
use crate::config::ResolvedConfig;
use crate::permission::Context;
use crate::provider::{BoxFuture, Reply, StopReason, TextSink};
use crate::tools::{CommandOutput, CommandRequest, CommandRunner, RunnerError, ToolEnv};

/// A provider that plays back replies and records every request.
struct Scripted {
    replies: Mutex<Vec<Reply>>,
    seen: Arc<Mutex<Vec<ChatRequest>>>,
}

impl Provider for Scripted {
    fn complete<'a>(
        &'a self,
        req: &'a ChatRequest,
        on_text: TextSink<'a>,
        _cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Reply, ProviderError>> {
        self.seen.lock().unwrap().push(req.clone());
        let next = {
            let mut r = self.replies.lock().unwrap();
            if r.is_empty() {
                None
            } else {
                Some(r.remove(0))
            }
        };
        Box::pin(async move {
            let reply = next.unwrap_or(Reply {
                text: "done".into(),
                tool_calls: vec![],
                stop: StopReason::EndTurn,
            });
            on_text(&reply.text);
            Ok(reply)
        })
    }

    fn describe(&self) -> String {
        "scripted".into()
    }
}

/// Records commands and answers with canned output; never runs anything.
struct Recorder {
    ran: Arc<Mutex<Vec<String>>>,
    output: String,
}

impl CommandRunner for Recorder {
    fn run<'a>(
        &'a self,
        req: CommandRequest,
        _cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<CommandOutput, RunnerError>> {
        self.ran.lock().unwrap().push(req.command.clone());
        let out = self.output.clone();
        Box::pin(async move {
            Ok(CommandOutput {
                stdout: out.into_bytes(),
                exit_code: Some(0),
                ..Default::default()
            })
        })
    }
}

fn call(id: &str, name: &str, args: serde_json::Value) -> ToolCall {
    ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: args.to_string(),
    }
}

fn tools_reply(calls: Vec<ToolCall>) -> Reply {
    Reply {
        text: String::new(),
        tool_calls: calls,
        stop: StopReason::ToolUse,
    }
}

struct Harness {
    _dir: tempfile::TempDir,
    project: std::path::PathBuf,
    session: Session,
    seen: Arc<Mutex<Vec<ChatRequest>>>,
    ran: Arc<Mutex<Vec<String>>>,
}

fn harness(replies: Vec<Reply>, opts: SessionOptions, output: &str) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let project = root.join("proj");
    std::fs::create_dir_all(&project).unwrap();
    let config = Arc::new(ResolvedConfig {
        project: project.clone(),
        ..Default::default()
    });
    let engine = Engine::new(
        (*config).clone(),
        Context {
            project: project.clone(),
            home: root.clone(),
            session_tmp: None,
            headless: opts.headless,
        },
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let ran = Arc::new(Mutex::new(Vec::new()));
    let provider = Box::new(Scripted {
        replies: Mutex::new(replies),
        seen: seen.clone(),
    });
    let runner = Arc::new(Recorder {
        ran: ran.clone(),
        output: output.to_owned(),
    });
    let tools = Toolbox::new(ToolEnv::new(config, root, None), runner);
    let redactor = Arc::new(FnRedactor(|t: &str| Redaction {
        text: t.replace("SECRET-TOKEN-123", "[REDACTED:test-token]"),
        findings: if t.contains("SECRET-TOKEN-123") {
            vec!["test-token".into()]
        } else {
            vec![]
        },
    }));
    let session = Session::new(provider, engine, tools, redactor, Arc::new(NoAudit), opts);
    Harness {
        _dir: dir,
        project,
        session,
        seen,
        ran,
    }
}

/// Runs the session, answering approval requests from `answers` in order.
async fn run(h: &mut Harness, answers: Vec<Answer>) -> (Result<Outcome, SessionError>, Vec<Event>) {
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
    let (ans_tx, ans_rx) = mpsc::unbounded_channel();
    let mut io = SessionIo {
        events: ev_tx,
        answers: ans_rx,
        cancel: Cancel::never(),
    };
    let answerer = async {
        let mut answers = answers.into_iter();
        let mut events = Vec::new();
        while let Some(ev) = ev_rx.recv().await {
            if let Event::ApprovalRequested { id, .. } = &ev {
                match answers.next() {
                    Some(a) => ans_tx
                        .send(ApprovalAnswer {
                            id: id.clone(),
                            answer: a,
                        })
                        .unwrap(),
                    None => panic!("unexpected approval request {ev:?}"),
                }
            }
            let last = matches!(ev, Event::Done { .. });
            events.push(ev);
            if last {
                break;
            }
        }
        events
    };
    let (res, events) = tokio::join!(h.session.run("do it", &mut io), answerer);
    (res, events)
}

fn tool_results(req: &ChatRequest) -> Vec<(String, String)> {
    req.messages
        .iter()
        .filter_map(|m| match m {
            Message::ToolResult {
                call_id, content, ..
            } => Some((call_id.clone(), content.clone())),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn approve_once_runs_the_call_and_the_result_goes_back() {
    let replies = vec![tools_reply(vec![call(
        "c1",
        "write",
        serde_json::json!({"path": "out.txt", "content": "hello"}),
    )])];
    let mut h = harness(replies, SessionOptions::default(), "");
    let (res, events) = run(&mut h, vec![Answer::ApproveOnce]).await;
    assert_eq!(res.unwrap(), Outcome::Finished);
    assert_eq!(
        std::fs::read_to_string(h.project.join("out.txt")).unwrap(),
        "hello"
    );
    let seen = h.seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    let results = tool_results(&seen[1]);
    assert_eq!(results.len(), 1);
    assert!(results[0].1.starts_with("wrote 5 bytes"), "{results:?}");
    assert!(events.iter().any(|e| matches!(e,
        Event::PermissionDecision { level: Level::Allow, reason, .. } if reason.contains("approved once"))));
    assert!(matches!(
        events.last(),
        Some(Event::Done {
            reason: DoneReason::Finished,
            steps: 2
        })
    ));
}

#[tokio::test]
async fn user_denial_with_feedback_reaches_the_model_and_nothing_runs() {
    let replies = vec![tools_reply(vec![call(
        "c1",
        "bash",
        serde_json::json!({"command": "make deploy"}),
    )])];
    let mut h = harness(replies, SessionOptions::default(), "");
    let (res, _events) = run(
        &mut h,
        vec![Answer::Deny {
            feedback: Some("run the tests instead".into()),
        }],
    )
    .await;
    assert_eq!(res.unwrap(), Outcome::Finished);
    assert!(h.ran.lock().unwrap().is_empty());
    let seen = h.seen.lock().unwrap();
    let results = tool_results(&seen[1]);
    assert_eq!(results[0].1, "denied: by the user: run the tests instead");
}

#[tokio::test]
async fn headless_asks_are_denied_without_waiting() {
    let replies = vec![tools_reply(vec![call(
        "c1",
        "bash",
        serde_json::json!({"command": "cargo build"}),
    )])];
    let opts = SessionOptions {
        headless: true,
        ..Default::default()
    };
    let mut h = harness(replies, opts, "");
    // No answers supplied: an approval request would panic the answerer.
    let (res, events) = run(&mut h, vec![]).await;
    assert_eq!(res.unwrap(), Outcome::Finished);
    assert!(h.ran.lock().unwrap().is_empty());
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::ApprovalRequested { .. })));
    let seen = h.seen.lock().unwrap();
    assert_eq!(
        tool_results(&seen[1])[0].1,
        "denied: needs-approval-headless"
    );
}

#[tokio::test]
async fn on_ask_fail_aborts_the_run() {
    let replies = vec![tools_reply(vec![call(
        "c1",
        "bash",
        serde_json::json!({"command": "cargo build"}),
    )])];
    let opts = SessionOptions {
        headless: true,
        on_ask: OnAsk::Fail,
        ..Default::default()
    };
    let mut h = harness(replies, opts, "");
    let (res, events) = run(&mut h, vec![]).await;
    assert!(matches!(res, Err(SessionError::AskFailed { .. })));
    assert!(matches!(
        events.last(),
        Some(Event::Done {
            reason: DoneReason::AskFailed,
            ..
        })
    ));
    assert!(h.ran.lock().unwrap().is_empty());
}

#[tokio::test]
async fn several_calls_in_one_turn_run_in_order_and_session_approval_sticks() {
    let replies = vec![tools_reply(vec![
        call("a", "bash", serde_json::json!({"command": "git status"})),
        call("b", "bash", serde_json::json!({"command": "git status"})),
        call("c", "bash", serde_json::json!({"command": "git log"})),
    ])];
    let mut h = harness(replies, SessionOptions::default(), "clean");
    // a: approve for session; b: covered (no card); c: a different command asks again.
    let (res, events) = run(&mut h, vec![Answer::ApproveForSession, Answer::ApproveOnce]).await;
    assert_eq!(res.unwrap(), Outcome::Finished);
    assert_eq!(
        *h.ran.lock().unwrap(),
        vec!["git status", "git status", "git log"]
    );
    let asked: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::ApprovalRequested { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(asked, vec!["a", "c"]);
    let seen = h.seen.lock().unwrap();
    let ids: Vec<String> = tool_results(&seen[1]).into_iter().map(|r| r.0).collect();
    assert_eq!(ids, vec!["a", "b", "c"]);
}

#[tokio::test]
async fn secrets_in_command_output_never_reach_the_model() {
    let replies = vec![tools_reply(vec![call(
        "c1",
        "bash",
        serde_json::json!({"command": "printenv"}),
    )])];
    let mut h = harness(replies, SessionOptions::default(), "API=SECRET-TOKEN-123\n");
    let (res, events) = run(&mut h, vec![Answer::ApproveOnce]).await;
    assert_eq!(res.unwrap(), Outcome::Finished);
    let seen = h.seen.lock().unwrap();
    let body = format!("{:?}", seen[1].messages);
    assert!(!body.contains("SECRET-TOKEN-123"));
    assert!(body.contains("[REDACTED:test-token]"));
    let all = format!("{events:?}");
    assert!(!all.contains("SECRET-TOKEN-123"));
}

#[tokio::test]
async fn step_limit_stops_a_runaway_loop() {
    let replies: Vec<Reply> = (0..10)
        .map(|i| {
            tools_reply(vec![call(
                &format!("c{i}"),
                "read",
                serde_json::json!({"path": "nope"}),
            )])
        })
        .collect();
    let opts = SessionOptions {
        max_steps: 3,
        headless: true,
        ..Default::default()
    };
    let mut h = harness(replies, opts, "");
    let (res, events) = run(&mut h, vec![]).await;
    assert_eq!(res.unwrap(), Outcome::StepLimit);
    assert_eq!(h.seen.lock().unwrap().len(), 3);
    assert!(matches!(
        events.last(),
        Some(Event::Done {
            reason: DoneReason::StepLimit,
            steps: 3
        })
    ));
}

#[tokio::test]
async fn invalid_arguments_are_an_error_result_without_a_decision() {
    let replies = vec![tools_reply(vec![call(
        "c1",
        "read",
        serde_json::json!({"file": "x"}),
    )])];
    let mut h = harness(replies, SessionOptions::default(), "");
    let (res, events) = run(&mut h, vec![]).await;
    assert_eq!(res.unwrap(), Outcome::Finished);
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::PermissionDecision { .. })));
    let seen = h.seen.lock().unwrap();
    assert!(tool_results(&seen[1])[0].1.contains("unknown field `file`"));
}

#[tokio::test]
async fn cancel_while_waiting_for_approval_ends_the_session_with_a_valid_history() {
    let replies = vec![tools_reply(vec![
        call("a", "bash", serde_json::json!({"command": "make"})),
        call("b", "bash", serde_json::json!({"command": "make install"})),
    ])];
    let mut h = harness(replies, SessionOptions::default(), "");
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
    let (_ans_tx, ans_rx) = mpsc::unbounded_channel();
    let (handle, cancel) = crate::provider::CancelHandle::new();
    let mut io = SessionIo {
        events: ev_tx,
        answers: ans_rx,
        cancel,
    };
    let watcher = async {
        let mut events = Vec::new();
        while let Some(ev) = ev_rx.recv().await {
            if matches!(ev, Event::ApprovalRequested { .. }) {
                handle.cancel();
            }
            let last = matches!(ev, Event::Done { .. });
            events.push(ev);
            if last {
                break;
            }
        }
        events
    };
    let (res, events) = tokio::join!(h.session.run("go", &mut io), watcher);
    assert_eq!(res.unwrap(), Outcome::Cancelled);
    assert!(matches!(
        events.last(),
        Some(Event::Done {
            reason: DoneReason::Cancelled,
            ..
        })
    ));
    assert!(h.ran.lock().unwrap().is_empty());
    let results: Vec<&str> = h
        .session
        .history()
        .iter()
        .filter_map(|m| match m {
            Message::ToolResult { call_id, .. } => Some(call_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(results, ["a", "b"]);
}

/// Front ends spawn sessions on tokio: the run future must be `Send` (checked at compile time).
#[allow(dead_code)]
fn run_future_is_send(s: &mut Session, io: &mut SessionIo) {
    fn is_send<T: Send>(_: &T) {}
    let f = s.run("x", io);
    is_send(&f);
}

#[tokio::test]
async fn a_second_prompt_continues_the_conversation() {
    let mut h = harness(vec![], SessionOptions::default(), "");
    let (res, first) = run(&mut h, vec![]).await;
    assert_eq!(res.unwrap(), Outcome::Finished);
    assert!(matches!(first[0], Event::SessionStarted { .. }));
    let (res, second) = run(&mut h, vec![]).await;
    assert_eq!(res.unwrap(), Outcome::Finished);
    assert!(!second
        .iter()
        .any(|e| matches!(e, Event::SessionStarted { .. })));
    let seen = h.seen.lock().unwrap();
    assert_eq!(seen[1].messages.len(), 3, "{:?}", seen[1].messages);
}
