#![allow(clippy::unwrap_used)]
//! Key handling on `App::update`.
use super::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}
fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}
fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        assert!(app.update(ch(c)).is_empty());
    }
}
fn with_model() -> App {
    App::new(Status {
        model: Some("openai test".into()),
        ..Status::default()
    })
}
fn ask(app: &mut App, id: &str, scope: Option<&str>) {
    app.update(Msg::Core(Event::ToolCallProposed {
        id: id.into(),
        tool: "bash".into(),
        arguments: json!({"command": "echo hi"}),
    }));
    app.update(Msg::Core(Event::ApprovalRequested {
        id: id.into(),
        tool: "bash".into(),
        subject: "echo hi".into(),
        reason: "no rule matches".into(),
        session_scope: scope.map(str::to_owned),
    }));
}

#[test]
fn enter_sends_and_modified_enter_inserts_a_newline() {
    let mut app = with_model();
    typed(&mut app, "a");
    app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)));
    typed(&mut app, "b");
    app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::SHIFT)));
    typed(&mut app, "c");
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('j'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "d");
    assert_eq!(app.input.as_string(), "a\nb\nc\nd");
    let fx = app.update(key(KeyCode::Enter));
    assert_eq!(fx, vec![Effect::Prompt("a\nb\nc\nd".into())]);
    assert!(app.running);
    assert!(app.input.text.is_empty());
    assert_eq!(app.entries, vec![Entry::User("a\nb\nc\nd".into())]);
}

#[test]
fn history_recalls_older_and_newer_prompts() {
    let mut app = with_model();
    for p in ["one", "two"] {
        typed(&mut app, p);
        app.update(key(KeyCode::Enter));
        app.update(Msg::Core(Event::Done {
            reason: DoneReason::Finished,
            steps: 1,
        }));
    }
    app.update(key(KeyCode::Up));
    assert_eq!(app.input.as_string(), "two");
    app.update(key(KeyCode::Up));
    assert_eq!(app.input.as_string(), "one");
    app.update(key(KeyCode::Down));
    assert_eq!(app.input.as_string(), "two");
    app.update(key(KeyCode::Down));
    assert_eq!(app.input.as_string(), "");
}

#[test]
fn card_keys_answer_once_session_and_deny() {
    for (c, want) in [
        ('y', Answer::ApproveOnce),
        ('s', Answer::ApproveForSession),
        ('n', Answer::Deny { feedback: None }),
    ] {
        let mut app = with_model();
        ask(&mut app, "c1", Some("bash: exactly \"echo hi\""));
        assert!(app.card.is_some());
        let fx = app.update(ch(c));
        assert_eq!(
            fx,
            vec![Effect::Answer(ApprovalAnswer {
                id: "c1".into(),
                answer: want
            })]
        );
        assert!(app.card.is_none());
    }
}

#[test]
fn feedback_is_typed_then_sent_with_the_denial() {
    let mut app = with_model();
    ask(&mut app, "c1", None);
    assert!(app.update(ch('f')).is_empty());
    typed(&mut app, "use ls ynsf");
    app.update(key(KeyCode::Backspace));
    let fx = app.update(key(KeyCode::Enter));
    assert_eq!(
        fx,
        vec![Effect::Answer(ApprovalAnswer {
            id: "c1".into(),
            answer: Answer::Deny {
                feedback: Some("use ls yns".into())
            }
        })]
    );
    match &app.entries[0] {
        Entry::Card(c) => assert_eq!(
            c.answered.as_deref(),
            Some("denied, told the model: use ls yns")
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn arrows_and_enter_choose_and_session_is_skipped_when_not_offered() {
    let mut app = with_model();
    ask(&mut app, "c1", None);
    app.update(key(KeyCode::Right));
    assert_eq!(app.card.as_ref().unwrap().selected, 2, "session skipped");
    // `s` does nothing when only once is offered.
    assert!(app.update(ch('s')).is_empty());
    let fx = app.update(key(KeyCode::Enter));
    assert_eq!(
        fx,
        vec![Effect::Answer(ApprovalAnswer {
            id: "c1".into(),
            answer: Answer::Deny { feedback: None }
        })]
    );
}

#[test]
fn an_open_card_swallows_other_keys() {
    let mut app = with_model();
    ask(&mut app, "c1", None);
    for c in ['x', '/', '!'] {
        assert!(app.update(ch(c)).is_empty());
    }
    assert!(app.update(key(KeyCode::Backspace)).is_empty());
    assert!(app.input.text.is_empty());
    assert!(app.card.is_some());
}

#[test]
fn ctrl_c_cancels_then_quits_and_esc_cancels() {
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    let mut app = with_model();
    typed(&mut app, "go");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.update(ctrl_c.clone()), vec![Effect::Cancel]);
    assert_eq!(app.update(ctrl_c.clone()), vec![Effect::Quit]);

    let mut app = with_model();
    typed(&mut app, "go");
    app.update(key(KeyCode::Enter));
    assert_eq!(app.update(key(KeyCode::Esc)), vec![Effect::Cancel]);
    // Idle: Esc does nothing, Ctrl-C needs a second press.
    app.update(Msg::Core(Event::Done {
        reason: DoneReason::Cancelled,
        steps: 1,
    }));
    assert!(app.update(key(KeyCode::Esc)).is_empty());
    assert!(app.update(ctrl_c.clone()).is_empty());
    assert_eq!(app.update(ctrl_c), vec![Effect::Quit]);
}

#[test]
fn commands_and_shell_escape() {
    let mut app = App::new(Status::default());
    typed(&mut app, "/permissions");
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Effect::Show(Show::Permissions)]
    );
    typed(&mut app, "/audit");
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Effect::Show(Show::Audit)]
    );
    typed(&mut app, "/profile");
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Effect::Show(Show::Profile)]
    );
    typed(&mut app, "/help");
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    assert!(matches!(app.entries.last(), Some(Entry::Info { .. })));
    typed(&mut app, "/clear");
    app.update(key(KeyCode::Enter));
    assert!(app.entries.is_empty());
    typed(&mut app, "!ls -la");
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Effect::Shell("ls -la".into())]
    );
    assert!(app.running);
}

#[test]
fn without_a_model_a_prompt_explains_how_to_configure_one() {
    let mut app = App::new(Status::default());
    typed(&mut app, "hello");
    assert!(app.update(key(KeyCode::Enter)).is_empty());
    assert!(!app.running);
    match app.entries.last() {
        Some(Entry::Notice(n)) => assert!(n.contains("\"provider\""), "{n}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn streamed_text_accumulates_and_tool_states_follow_events() {
    let mut app = with_model();
    for t in ["Hel", "lo"] {
        app.update(Msg::Core(Event::MessageDelta { text: t.into() }));
    }
    app.update(Msg::Core(Event::Message {
        text: "Hello".into(),
    }));
    assert_eq!(
        app.entries,
        vec![Entry::Assistant {
            text: "Hello".into(),
            streaming: false
        }]
    );
    ask(&mut app, "c1", None);
    app.update(ch('y'));
    app.update(Msg::Core(Event::PermissionDecision {
        id: "c1".into(),
        tool: "bash".into(),
        subject: "echo hi".into(),
        level: Level::Allow,
        reason: "approved once by the user".into(),
        rules: vec![],
    }));
    app.update(Msg::Core(Event::ToolOutputDelta {
        id: "c1".into(),
        text: "h".into(),
    }));
    match &app.entries[2] {
        Entry::Tool(t) => assert_eq!((&t.state, t.output.as_str()), (&ToolState::Running, "h")),
        other => panic!("{other:?}"),
    }
    app.update(Msg::Core(Event::ToolOutput {
        id: "c1".into(),
        text: "hi\n".into(),
    }));
    app.update(Msg::Core(Event::ToolResult {
        id: "c1".into(),
        tool: "bash".into(),
        ok: true,
        content: "hi\n".into(),
    }));
    match &app.entries[2] {
        Entry::Tool(t) => {
            assert_eq!(t.state, ToolState::Done);
            assert_eq!(t.output, "hi\n");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn paste_goes_into_the_input_not_to_a_card() {
    let mut app = with_model();
    app.update(Msg::Paste("y\ns".into()));
    assert_eq!(app.input.as_string(), "y\ns");
    let mut app = with_model();
    ask(&mut app, "c1", None);
    assert!(app.update(Msg::Paste("y".into())).is_empty());
    assert!(app.card.is_some());
}

#[test]
fn scrolling_stays_put_until_a_card_needs_the_bottom() {
    let mut app = with_model();
    app.update(Msg::Resize(80, 24));
    app.update(key(KeyCode::PageUp));
    assert_eq!(app.scroll, 12);
    app.update(Msg::Core(Event::MessageDelta {
        text: "more".into(),
    }));
    assert_eq!(app.scroll, 12, "new output does not yank the view");
    app.update(key(KeyCode::PageDown));
    assert_eq!(app.scroll, 0);
    app.update(key(KeyCode::PageUp));
    ask(&mut app, "c1", None);
    assert_eq!(app.scroll, 0, "an open card is always on screen");
}

fn net_ask(id: u64, host: &str) -> Msg {
    Msg::NetAsk(crate::net::NetAsk {
        id,
        host: host.into(),
        port: 443,
        protocol: None,
    })
}

#[test]
fn network_card_keys_answer_the_proxy() {
    let mut app = with_model();
    app.update(net_ask(1, "a.example"));
    let card = app.open_card().unwrap();
    assert_eq!(card.tool, "network");
    assert_eq!(card.subject, "a.example:443");
    // No model to tell: f is not offered, and the arrows skip it.
    assert!(app.update(ch('f')).is_empty());
    assert!(app.card.as_ref().unwrap().feedback.is_none());
    app.update(key(KeyCode::Left));
    assert_eq!(app.card.as_ref().unwrap().selected, 2);
    app.update(key(KeyCode::Right));
    assert_eq!(app.card.as_ref().unwrap().selected, 0);
    assert_eq!(
        app.update(ch('y')),
        vec![Effect::NetAnswer {
            id: 1,
            answer: NetAnswer::AllowOnce
        }]
    );
    app.update(net_ask(2, "b.example"));
    assert_eq!(
        app.update(ch('s')),
        vec![Effect::NetAnswer {
            id: 2,
            answer: NetAnswer::AllowSession
        }]
    );
    app.update(net_ask(3, "c.example"));
    assert_eq!(
        app.update(ch('n')),
        vec![Effect::NetAnswer {
            id: 3,
            answer: NetAnswer::Deny
        }]
    );
    assert!(app.card.is_none());
    let answers: Vec<_> = app
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Card(c) => c.answered.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(answers.len(), 3);
    assert!(
        answers[1].contains("b.example:443 (by name)"),
        "{answers:?}"
    );
    assert!(answers[2].contains("403"), "{answers:?}");
}

#[test]
fn network_questions_wait_their_turn_and_end_with_the_turn() {
    let mut app = with_model();
    ask(&mut app, "c1", None);
    // A tool card is open: the question queues instead of stealing the focus.
    app.update(net_ask(1, "a.example"));
    assert_eq!(app.open_card().unwrap().tool, "bash");
    let fx = app.update(ch('y'));
    assert!(matches!(fx.as_slice(), [Effect::Answer(_)]), "{fx:?}");
    assert_eq!(app.open_card().unwrap().subject, "a.example:443");
    app.update(net_ask(2, "b.example"));
    // The turn ends (cancelled): every question still waiting is refused, none left hanging.
    let fx = app.update(Msg::Core(Event::Done {
        reason: DoneReason::Cancelled,
        steps: 1,
    }));
    assert_eq!(
        fx,
        vec![
            Effect::NetAnswer {
                id: 1,
                answer: NetAnswer::Deny
            },
            Effect::NetAnswer {
                id: 2,
                answer: NetAnswer::Deny
            },
        ]
    );
    assert!(app.card.is_none() && app.net_queue.is_empty());
}
