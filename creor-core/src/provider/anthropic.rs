//! The Anthropic Messages API with tools and streaming (`/v1/messages`, `stream: true`).

use serde_json::{json, Value};

use super::http::{self, ApiKey, RetryPolicy, Target};
use super::{
    BoxFuture, Cancel, ChatRequest, Message, Provider, ProviderError, Reply, StopReason, TextSink,
    ToolCall,
};

/// The API version header this client speaks.
pub const API_VERSION: &str = "2023-06-01";

/// A Messages API endpoint.
#[derive(Debug)]
pub struct Anthropic {
    client: reqwest::Client,
    url: String,
    model: String,
    key: ApiKey,
    retry: RetryPolicy,
}

impl Anthropic {
    /// `base` is the API root (`https://api.anthropic.com`); requests go to `{base}/v1/messages`.
    pub fn new(
        base: &str,
        model: &str,
        key: ApiKey,
        retry: RetryPolicy,
    ) -> Result<Self, ProviderError> {
        let base = base.trim_end_matches('/');
        let base = base.strip_suffix("/v1").unwrap_or(base);
        let url = format!("{base}/v1/messages");
        reqwest::Url::parse(&url)
            .map_err(|e| ProviderError::Config(format!("provider.baseUrl {base:?}: {e}")))?;
        Ok(Anthropic {
            client: http::client()?,
            url,
            model: model.to_owned(),
            key,
            retry,
        })
    }

    async fn run(
        &self,
        req: &ChatRequest,
        on_text: TextSink<'_>,
        cancel: &Cancel,
    ) -> Result<Reply, ProviderError> {
        let body = request_body(&self.model, req);
        let target = Target {
            url: &self.url,
            model: &self.model,
            key: Some(&self.key),
        };
        let build = || {
            self.client
                .post(&self.url)
                .header("x-api-key", self.key.expose())
                .header("anthropic-version", API_VERSION)
                .json(&body)
        };
        let resp = http::send(build, &self.retry, &target, cancel).await?;
        let mut acc = Accumulator::default();
        if !http::is_event_stream(&resp) {
            let v: Value = resp.json().await.map_err(|e| self.stream_err(e))?;
            acc.whole(&v, on_text).map_err(|r| self.stream_err(r))?;
            return acc.finish().map_err(|r| self.stream_err(r));
        }
        http::read_sse(resp, &self.url, cancel, |ev| {
            let v: Value = serde_json::from_str(&ev.data)
                .map_err(|e| self.stream_err(format!("bad event: {e}")))?;
            acc.event(&v, on_text).map_err(|r| self.stream_err(r))
        })
        .await?;
        acc.finish().map_err(|r| self.stream_err(r))
    }

    fn stream_err(&self, reason: impl ToString) -> ProviderError {
        ProviderError::stream(&self.url, reason)
    }
}

impl Provider for Anthropic {
    fn complete<'a>(
        &'a self,
        req: &'a ChatRequest,
        on_text: TextSink<'a>,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Reply, ProviderError>> {
        Box::pin(self.run(req, on_text, cancel))
    }

    fn describe(&self) -> String {
        format!("anthropic {}", self.model)
    }
}

/// The JSON body of one streaming request. Consecutive tool results are merged into one user
/// message, as the API requires.
pub fn request_body(model: &str, req: &ChatRequest) -> Value {
    let mut messages: Vec<Value> = Vec::new();
    for m in &req.messages {
        match m {
            Message::User(text) => messages.push(json!({"role": "user", "content": text})),
            Message::Assistant { text, tool_calls } => {
                let mut blocks = Vec::new();
                if !text.is_empty() {
                    blocks.push(json!({"type": "text", "text": text}));
                }
                for c in tool_calls {
                    let input: Value = serde_json::from_str(&c.arguments)
                        .ok()
                        .filter(Value::is_object)
                        .unwrap_or_else(|| json!({}));
                    blocks.push(
                        json!({"type": "tool_use", "id": c.id, "name": c.name, "input": input}),
                    );
                }
                // The API refuses empty content; an empty turn carries nothing anyway.
                if !blocks.is_empty() {
                    messages.push(json!({"role": "assistant", "content": blocks}));
                }
            }
            Message::ToolResult {
                call_id,
                content,
                is_error,
                ..
            } => {
                let block = json!({"type": "tool_result", "tool_use_id": call_id,
                                   "content": content, "is_error": is_error});
                match messages.last_mut() {
                    Some(last) if last["role"] == "user" && last["content"].is_array() => {
                        if let Some(arr) = last["content"].as_array_mut() {
                            arr.push(block);
                        }
                    }
                    _ => messages.push(json!({"role": "user", "content": [block]})),
                }
            }
        }
    }
    let tools: Vec<Value> = req
        .tools
        .iter()
        .map(
            |t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}),
        )
        .collect();
    json!({
        "model": model,
        "system": req.system,
        "messages": messages,
        "tools": tools,
        "max_tokens": req.max_tokens,
        "stream": true,
    })
}

#[derive(Default)]
struct Accumulator {
    text: String,
    // content block index -> (id, name, partial json)
    calls: Vec<(usize, String, String, String)>,
    stop: Option<String>,
}

impl Accumulator {
    fn event(&mut self, v: &Value, on_text: TextSink<'_>) -> Result<bool, String> {
        let index = v["index"]
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .unwrap_or(0);
        match v["type"].as_str().unwrap_or("") {
            "content_block_start" => {
                let b = &v["content_block"];
                match b["type"].as_str() {
                    Some("tool_use") => self.calls.push((
                        index,
                        b["id"].as_str().unwrap_or("").to_owned(),
                        b["name"].as_str().unwrap_or("").to_owned(),
                        String::new(),
                    )),
                    Some("text") => {
                        if let Some(t) = b["text"].as_str().filter(|t| !t.is_empty()) {
                            self.text.push_str(t);
                            on_text(t);
                        }
                    }
                    _ => {}
                }
            }
            "content_block_delta" => {
                let d = &v["delta"];
                match d["type"].as_str() {
                    Some("text_delta") => {
                        if let Some(t) = d["text"].as_str() {
                            self.text.push_str(t);
                            on_text(t);
                        }
                    }
                    Some("input_json_delta") => {
                        let part = d["partial_json"].as_str().unwrap_or("");
                        match self.calls.iter_mut().find(|c| c.0 == index) {
                            Some(c) => c.3.push_str(part),
                            None => return Err(format!("input delta for unknown block {index}")),
                        }
                    }
                    _ => {}
                }
            }
            "message_delta" => {
                if let Some(s) = v["delta"]["stop_reason"].as_str() {
                    self.stop = Some(s.to_owned());
                }
            }
            "message_stop" => return Ok(false),
            "error" => return Err(format!("error event: {}", v["error"])),
            _ => {}
        }
        Ok(true)
    }

    fn whole(&mut self, v: &Value, on_text: TextSink<'_>) -> Result<(), String> {
        if v["type"] == "error" {
            return Err(format!("error: {}", v["error"]));
        }
        let blocks = v["content"]
            .as_array()
            .ok_or_else(|| "response has no content".to_owned())?;
        for (i, b) in blocks.iter().enumerate() {
            match b["type"].as_str() {
                Some("text") => {
                    let t = b["text"].as_str().unwrap_or("");
                    self.text.push_str(t);
                    on_text(t);
                }
                Some("tool_use") => self.calls.push((
                    i,
                    b["id"].as_str().unwrap_or("").to_owned(),
                    b["name"].as_str().unwrap_or("").to_owned(),
                    b["input"].to_string(),
                )),
                _ => {}
            }
        }
        self.stop = v["stop_reason"].as_str().map(str::to_owned);
        Ok(())
    }

    fn finish(self) -> Result<Reply, String> {
        let mut tool_calls = Vec::new();
        for (i, (_, id, name, args)) in self.calls.into_iter().enumerate() {
            if name.is_empty() {
                return Err(format!("tool_use block #{i} has no name"));
            }
            tool_calls.push(ToolCall {
                id: if id.is_empty() {
                    format!("toolu_{i}")
                } else {
                    id
                },
                name,
                arguments: if args.trim().is_empty() {
                    "{}".into()
                } else {
                    args
                },
            });
        }
        let stop = match self.stop.as_deref() {
            _ if !tool_calls.is_empty() => StopReason::ToolUse,
            Some("end_turn") | Some("stop_sequence") | None => StopReason::EndTurn,
            Some("max_tokens") => StopReason::MaxTokens,
            Some(_) => StopReason::Other,
        };
        Ok(Reply {
            text: self.text,
            tool_calls,
            stop,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_tool_use_is_assembled() {
        let mut acc = Accumulator::default();
        let sink = |_: &str| {};
        let evs = [
            json!({"type":"message_start","message":{}}),
            json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
            json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}}),
            json!({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t1","name":"bash","input":{}}}),
            json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"command\":"}}),
            json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"ls\"}"}}),
            json!({"type":"message_delta","delta":{"stop_reason":"tool_use"}}),
        ];
        for e in &evs {
            assert!(acc.event(e, &sink).expect("event"));
        }
        assert!(!acc
            .event(&json!({"type":"message_stop"}), &sink)
            .expect("stop"));
        let r = acc.finish().expect("finish");
        assert_eq!(r.text, "ok");
        assert_eq!(r.tool_calls[0].arguments, "{\"command\":\"ls\"}");
        assert_eq!(r.stop, StopReason::ToolUse);
    }

    #[test]
    fn tool_results_merge_into_one_user_message() {
        let call = |id: &str| ToolCall {
            id: id.into(),
            name: "ls".into(),
            arguments: "{}".into(),
        };
        let res = |id: &str| Message::ToolResult {
            call_id: id.into(),
            name: "ls".into(),
            content: "x".into(),
            is_error: false,
        };
        let req = ChatRequest {
            system: "s".into(),
            messages: vec![
                Message::User("hi".into()),
                Message::Assistant {
                    text: String::new(),
                    tool_calls: vec![call("a"), call("b")],
                },
                res("a"),
                res("b"),
            ],
            tools: vec![],
            max_tokens: 10,
        };
        let b = request_body("m", &req);
        let msgs = b["messages"].as_array().expect("messages");
        assert_eq!(msgs.len(), 3);
        assert_eq!(msgs[2]["content"].as_array().map(Vec::len), Some(2));
    }
}
