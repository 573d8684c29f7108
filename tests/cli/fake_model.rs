//! A scripted model API on 127.0.0.1 for end-to-end tests of `creor run`: each request gets
//! the next canned response; every request (headers and body) is recorded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A canned HTTP response.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub content_type: &'static str,
    pub extra_headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Canned {
    pub fn sse(body: String) -> Self {
        Canned {
            status: 200,
            content_type: "text/event-stream",
            extra_headers: vec![],
            body,
        }
    }

    pub fn status(status: u16, body: &str) -> Self {
        Canned {
            status,
            content_type: "application/json",
            extra_headers: vec![],
            body: body.to_owned(),
        }
    }
}

pub struct FakeModel {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeModel {
    /// Serves `script` in order; after it runs out, answers 500.
    pub fn start(script: Vec<Canned>) -> FakeModel {
        FakeModel::start_with(|_| script)
    }

    /// Like [`FakeModel::start`], for a script that needs the server's own port.
    pub fn start_with(script: impl FnOnce(u16) -> Vec<Canned>) -> FakeModel {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let script = script(port);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let rec = seen.clone();
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("")
                    .to_owned();
                let mut headers = Vec::new();
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        let (k, v) = (k.trim().to_owned(), v.trim().to_owned());
                        if k.eq_ignore_ascii_case("content-length") {
                            len = v.parse().unwrap_or(0);
                        }
                        headers.push((k, v));
                    }
                }
                let mut body = vec![0u8; len];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                rec.lock().expect("lock").push(Seen {
                    path,
                    headers,
                    body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
                });
                let c = script
                    .next()
                    .unwrap_or_else(|| Canned::status(500, r#"{"error":"script ran out"}"#));
                let mut head = format!(
                    "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                    c.status,
                    c.content_type,
                    c.body.len()
                );
                for (k, v) in &c.extra_headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                // Dribble the body in small pieces so SSE events straddle TCP writes.
                for piece in c.body.as_bytes().chunks(7) {
                    let _ = stream.write_all(piece);
                    let _ = stream.flush();
                }
            }
        });
        FakeModel { port, seen }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

/// OpenAI SSE for one tool call (arguments split across two chunks).
pub fn openai_tool_call(id: &str, name: &str, args: serde_json::Value) -> Canned {
    let a = args.to_string();
    let (x, y) = a.split_at(a.len() / 2);
    let chunk = |v: serde_json::Value| format!("data: {v}\n\n");
    let mut s = chunk(
        serde_json::json!({"choices":[{"delta":{"role":"assistant","content":null,
        "tool_calls":[{"index":0,"id":id,"type":"function","function":{"name":name,"arguments":x}}]}}]}),
    );
    s += &chunk(
        serde_json::json!({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":y}}]}}]}),
    );
    s += &chunk(serde_json::json!({"choices":[{"delta":{},"finish_reason":"tool_calls"}]}));
    s += "data: [DONE]\n\n";
    Canned::sse(s)
}

/// OpenAI SSE for a plain text answer.
pub fn openai_text(text: &str) -> Canned {
    let mut s = format!(
        "data: {}\n\n",
        serde_json::json!({"choices":[{"delta":{"content":text}}]})
    );
    s += &format!(
        "data: {}\n\n",
        serde_json::json!({"choices":[{"delta":{},"finish_reason":"stop"}]})
    );
    s += "data: [DONE]\n\n";
    Canned::sse(s)
}

/// Anthropic SSE for text then one tool call.
pub fn anthropic_tool_call(id: &str, name: &str, args: serde_json::Value) -> Canned {
    let a = args.to_string();
    let (x, y) = a.split_at(a.len() / 2);
    let ev = |name: &str, v: serde_json::Value| format!("event: {name}\ndata: {v}\n\n");
    let mut s = ev(
        "message_start",
        serde_json::json!({"type":"message_start","message":{"id":"m1","role":"assistant","content":[]}}),
    );
    s += &ev(
        "content_block_start",
        serde_json::json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
    );
    s += &ev(
        "content_block_delta",
        serde_json::json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Looking."}}),
    );
    s += &ev(
        "content_block_stop",
        serde_json::json!({"type":"content_block_stop","index":0}),
    );
    s += &ev(
        "content_block_start",
        serde_json::json!({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":id,"name":name,"input":{}}}),
    );
    s += &ev(
        "content_block_delta",
        serde_json::json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":x}}),
    );
    s += &ev(
        "content_block_delta",
        serde_json::json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":y}}),
    );
    s += &ev(
        "content_block_stop",
        serde_json::json!({"type":"content_block_stop","index":1}),
    );
    s += &ev(
        "message_delta",
        serde_json::json!({"type":"message_delta","delta":{"stop_reason":"tool_use"}}),
    );
    s += &ev("message_stop", serde_json::json!({"type":"message_stop"}));
    Canned::sse(s)
}

/// Anthropic SSE for a plain text answer.
pub fn anthropic_text(text: &str) -> Canned {
    let ev = |name: &str, v: serde_json::Value| format!("event: {name}\ndata: {v}\n\n");
    let mut s = ev(
        "message_start",
        serde_json::json!({"type":"message_start","message":{}}),
    );
    s += &ev(
        "content_block_start",
        serde_json::json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
    );
    s += &ev(
        "content_block_delta",
        serde_json::json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":text}}),
    );
    s += &ev(
        "message_delta",
        serde_json::json!({"type":"message_delta","delta":{"stop_reason":"end_turn"}}),
    );
    s += &ev("message_stop", serde_json::json!({"type":"message_stop"}));
    Canned::sse(s)
}
