//! The OpenAI Chat Completions API with tools and SSE streaming. Ollama, llama.cpp's server,
//! vLLM and LM Studio speak the same dialect at their `/v1` base URL.

use serde_json::{json, Value};

use super::http::{self, ApiKey, RetryPolicy, Target};
use super::{
    BoxFuture, Cancel, ChatRequest, Message, Provider, ProviderError, Reply, StopReason, TextSink,
    ToolCall,
};

/// A Chat Completions endpoint.
#[derive(Debug)]
pub struct OpenAi {
    client: reqwest::Client,
    url: String,
    model: String,
    key: Option<ApiKey>,
    retry: RetryPolicy,
}

impl OpenAi {
    /// `base` is the API root including its version (`https://api.openai.com/v1`,
    /// `http://localhost:11434/v1`); requests go to `{base}/chat/completions`.
    pub fn new(
        base: &str,
        model: &str,
        key: Option<ApiKey>,
        retry: RetryPolicy,
    ) -> Result<Self, ProviderError> {
        let url = format!("{}/chat/completions", base.trim_end_matches('/'));
        reqwest::Url::parse(&url)
            .map_err(|e| ProviderError::Config(format!("provider.baseUrl {base:?}: {e}")))?;
        Ok(OpenAi {
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
            key: self.key.as_ref(),
        };
        let build = || {
            let b = self.client.post(&self.url).json(&body);
            match &self.key {
                Some(k) => b.bearer_auth(k.expose()),
                None => b,
            }
        };
        let resp = http::send(build, &self.retry, &target, cancel).await?;
        let mut acc = Accumulator::default();
        if !http::is_event_stream(&resp) {
            let v: Value = resp.json().await.map_err(|e| self.stream_err(e))?;
            acc.whole(&v, on_text).map_err(|r| self.stream_err(r))?;
            return acc.finish().map_err(|r| self.stream_err(r));
        }
        http::read_sse(resp, &self.url, cancel, |ev| {
            if ev.data.trim() == "[DONE]" {
                return Ok(false);
            }
            let v: Value = serde_json::from_str(&ev.data)
                .map_err(|e| self.stream_err(format!("bad chunk: {e}")))?;
            acc.chunk(&v, on_text).map_err(|r| self.stream_err(r))?;
            Ok(true)
        })
        .await?;
        acc.finish().map_err(|r| self.stream_err(r))
    }

    fn stream_err(&self, reason: impl ToString) -> ProviderError {
        ProviderError::stream(&self.url, reason)
    }
}

impl Provider for OpenAi {
    fn complete<'a>(
        &'a self,
        req: &'a ChatRequest,
        on_text: TextSink<'a>,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Reply, ProviderError>> {
        Box::pin(self.run(req, on_text, cancel))
    }

    fn describe(&self) -> String {
        format!("openai {}", self.model)
    }
}

/// The JSON body of one streaming request. No token limit is sent: OpenAI's newer models
/// refuse `max_tokens`, and local servers do not need one.
pub fn request_body(model: &str, req: &ChatRequest) -> Value {
    let mut messages = vec![json!({"role": "system", "content": req.system})];
    for m in &req.messages {
        messages.push(match m {
            Message::User(text) => json!({"role": "user", "content": text}),
            Message::Assistant { text, tool_calls } => {
                let mut v = json!({"role": "assistant", "content": text});
                if !tool_calls.is_empty() {
                    v["tool_calls"] = tool_calls
                        .iter()
                        .map(|c| {
                            json!({"id": c.id, "type": "function",
                                   "function": {"name": c.name, "arguments": c.arguments}})
                        })
                        .collect();
                }
                v
            }
            Message::ToolResult {
                call_id, content, ..
            } => json!({"role": "tool", "tool_call_id": call_id, "content": content}),
        });
    }
    let tools: Vec<Value> = req
        .tools
        .iter()
        .map(|t| {
            json!({"type": "function", "function": {
                "name": t.name, "description": t.description, "parameters": t.parameters}})
        })
        .collect();
    json!({
        "model": model,
        "messages": messages,
        "tools": tools,
        "stream": true,
    })
}

#[derive(Default)]
struct Accumulator {
    text: String,
    calls: Vec<(String, String, String)>,
    finish: Option<String>,
}

impl Accumulator {
    fn chunk(&mut self, v: &Value, on_text: TextSink<'_>) -> Result<(), String> {
        if let Some(err) = v.get("error") {
            return Err(format!("error event: {err}"));
        }
        let Some(choice) = v["choices"].get(0) else {
            return Ok(()); // usage-only chunks
        };
        let delta = &choice["delta"];
        if let Some(t) = delta["content"].as_str() {
            if !t.is_empty() {
                self.text.push_str(t);
                on_text(t);
            }
        }
        if let Some(calls) = delta["tool_calls"].as_array() {
            for c in calls {
                // Without `index` (some local servers), a new id starts a new call and a
                // delta without id continues the last one.
                let idx = match c["index"].as_u64().and_then(|i| usize::try_from(i).ok()) {
                    Some(i) => i,
                    None => match c["id"].as_str() {
                        Some(id) => self
                            .calls
                            .iter()
                            .position(|s| s.0 == id)
                            .unwrap_or(self.calls.len()),
                        None => self.calls.len().saturating_sub(1),
                    },
                };
                if idx > 256 {
                    return Err(format!("tool call index {idx} out of range"));
                }
                while self.calls.len() <= idx {
                    self.calls.push(Default::default());
                }
                let slot = &mut self.calls[idx];
                // OpenAI sends id and name once; some compatible servers repeat them in every
                // delta. Keep the first id; join name fragments but not repeats.
                if let Some(id) = c["id"].as_str() {
                    if slot.0.is_empty() {
                        slot.0 = id.to_owned();
                    }
                }
                if let Some(n) = c["function"]["name"].as_str() {
                    if slot.1 != n {
                        slot.1.push_str(n);
                    }
                }
                match &c["function"]["arguments"] {
                    Value::String(a) => slot.2.push_str(a),
                    Value::Null => {}
                    other => slot.2.push_str(&other.to_string()),
                }
            }
        }
        if let Some(f) = choice["finish_reason"].as_str() {
            self.finish = Some(f.to_owned());
        }
        Ok(())
    }

    fn whole(&mut self, v: &Value, on_text: TextSink<'_>) -> Result<(), String> {
        if let Some(err) = v.get("error") {
            return Err(format!("error: {err}"));
        }
        let choice = v["choices"]
            .get(0)
            .ok_or_else(|| "response has no choices".to_owned())?;
        let msg = &choice["message"];
        let as_delta = json!({"choices": [{
            "delta": {"content": msg["content"], "tool_calls": msg["tool_calls"]},
            "finish_reason": choice["finish_reason"],
        }]});
        self.chunk(&as_delta, on_text)
    }

    fn finish(self) -> Result<Reply, String> {
        let mut tool_calls = Vec::new();
        for (i, (id, name, args)) in self.calls.into_iter().enumerate() {
            if name.is_empty() {
                return Err(format!("tool call #{i} has no function name"));
            }
            let id = if id.is_empty() {
                format!("call_{i}")
            } else {
                id
            };
            let arguments = if args.trim().is_empty() {
                "{}".to_owned()
            } else {
                args
            };
            tool_calls.push(ToolCall {
                id,
                name,
                arguments,
            });
        }
        let stop = match self.finish.as_deref() {
            _ if !tool_calls.is_empty() => StopReason::ToolUse,
            Some("stop") | None => StopReason::EndTurn,
            Some("length") => StopReason::MaxTokens,
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
    fn tool_call_fragments_are_joined_by_index() {
        let mut acc = Accumulator::default();
        let sink = |_: &str| {};
        let chunks = [
            json!({"choices":[{"delta":{"content":"Hi"}}]}),
            json!({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"bash","arguments":"{\"comm"}}]}}]}),
            json!({"choices":[{"delta":{"tool_calls":[{"index":1,"id":"c2","function":{"name":"read","arguments":"{}"}}]}}]}),
            json!({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"and\":\"ls\"}"}}]}}]}),
            json!({"choices":[{"delta":{},"finish_reason":"tool_calls"}]}),
        ];
        for c in &chunks {
            acc.chunk(c, &sink).expect("chunk");
        }
        let r = acc.finish().expect("finish");
        assert_eq!(r.text, "Hi");
        assert_eq!(r.stop, StopReason::ToolUse);
        assert_eq!(r.tool_calls.len(), 2);
        assert_eq!(r.tool_calls[0].arguments, "{\"command\":\"ls\"}");
        assert_eq!(r.tool_calls[1].name, "read");
    }

    #[test]
    fn repeated_ids_and_names_are_not_doubled() {
        let mut acc = Accumulator::default();
        let sink = |_: &str| {};
        for part in ["{\"path\":", "\"a\"}"] {
            let c = json!({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c9",
                "function":{"name":"read","arguments":part}}]}}]});
            acc.chunk(&c, &sink).expect("chunk");
        }
        let r = acc.finish().expect("finish");
        assert_eq!(r.tool_calls[0].id, "c9");
        assert_eq!(r.tool_calls[0].name, "read");
        assert_eq!(r.tool_calls[0].arguments, "{\"path\":\"a\"}");
    }

    #[test]
    fn calls_without_index_are_told_apart_by_id() {
        let mut acc = Accumulator::default();
        let sink = |_: &str| {};
        let chunks = [
            json!({"choices":[{"delta":{"tool_calls":[{"id":"a","function":{"name":"ls","arguments":"{}"}}]}}]}),
            json!({"choices":[{"delta":{"tool_calls":[{"id":"b","function":{"name":"read","arguments":"{\"path\":"}}]}}]}),
            json!({"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"\"x\"}"}}]}}]}),
        ];
        for c in &chunks {
            acc.chunk(c, &sink).expect("chunk");
        }
        let r = acc.finish().expect("finish");
        assert_eq!(r.tool_calls.len(), 2);
        assert_eq!(r.tool_calls[1].arguments, "{\"path\":\"x\"}");
    }

    #[test]
    fn error_chunk_is_an_error() {
        let mut acc = Accumulator::default();
        let sink = |_: &str| {};
        assert!(acc
            .chunk(&json!({"error":{"message":"model not found"}}), &sink)
            .is_err());
    }

    #[test]
    fn body_carries_tool_results_and_tools() {
        let req = ChatRequest {
            system: "sys".into(),
            messages: vec![
                Message::User("hi".into()),
                Message::Assistant {
                    text: String::new(),
                    tool_calls: vec![ToolCall {
                        id: "c1".into(),
                        name: "ls".into(),
                        arguments: "{}".into(),
                    }],
                },
                Message::ToolResult {
                    call_id: "c1".into(),
                    name: "ls".into(),
                    content: "denied: by the user".into(),
                    is_error: true,
                },
            ],
            tools: vec![],
            max_tokens: 100,
        };
        let b = request_body("m", &req);
        assert_eq!(b["messages"][3]["role"], "tool");
        assert_eq!(b["messages"][3]["tool_call_id"], "c1");
        assert_eq!(b["messages"][2]["tool_calls"][0]["function"]["name"], "ls");
        assert_eq!(b["stream"], true);
    }
}
