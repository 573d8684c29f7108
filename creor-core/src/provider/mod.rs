//! Model providers: one neutral conversation format, translated to each vendor's streaming API.
//!
//! * [`openai`]: the Chat Completions API with tools and SSE streaming. It also covers the local
//!   servers people run (Ollama, llama.cpp, vLLM, LM Studio), which speak the same dialect.
//! * [`anthropic`]: the Messages API with tools and streaming.
//!
//! API keys are read from the environment variable named by `provider.apiKeyEnv` when the
//! provider is built, held in a type whose `Debug` hides them, and never logged. Requests retry
//! with backoff on 429 and 5xx; errors name what to fix.

pub mod anthropic;
mod cancel;
mod error;
mod http;
mod message;
pub mod openai;
pub mod sse;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub use cancel::{Cancel, CancelHandle};
pub use error::ProviderError;
pub use http::{ApiKey, RetryPolicy};
pub use message::{ChatRequest, Message, Reply, StopReason, ToolCall, ToolSpec};

use crate::config::ProviderConfig;

/// A boxed future, so providers can sit behind `dyn Provider`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Receives streamed assistant text as it arrives.
pub type TextSink<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// A model endpoint that streams one assistant turn per request.
pub trait Provider: Send + Sync {
    /// Sends the conversation, streams text deltas to `on_text`, and returns the whole turn
    /// (text and tool calls). Pending work stops when `cancel` fires.
    fn complete<'a>(
        &'a self,
        req: &'a ChatRequest,
        on_text: TextSink<'a>,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, Result<Reply, ProviderError>>;

    /// A short label for logs and the status bar (`openai gpt-4o`).
    fn describe(&self) -> String;
}

/// Builds the provider a config names, reading its key from the environment.
pub fn from_config(cfg: &ProviderConfig) -> Result<Box<dyn Provider>, ProviderError> {
    from_config_with(cfg, RetryPolicy::default(), |var| std::env::var(var).ok())
}

/// [`from_config`] with an explicit retry policy and environment lookup (tests, embedders).
pub fn from_config_with(
    cfg: &ProviderConfig,
    retry: RetryPolicy,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Box<dyn Provider>, ProviderError> {
    let model = cfg
        .model
        .clone()
        .filter(|m| !m.is_empty())
        .ok_or_else(|| ProviderError::Config("provider.model is required".into()))?;
    let key = match &cfg.api_key_env {
        Some(var) => match env(var) {
            Some(v) if !v.is_empty() => Some(ApiKey::new(var, v)),
            _ => return Err(ProviderError::MissingKey { var: var.clone() }),
        },
        None => None,
    };
    match cfg.kind.as_str() {
        "openai" => {
            let base = cfg
                .base_url
                .clone()
                .unwrap_or_else(|| "https://api.openai.com/v1".into());
            Ok(Box::new(openai::OpenAi::new(&base, &model, key, retry)?))
        }
        "anthropic" => {
            let base = cfg
                .base_url
                .clone()
                .unwrap_or_else(|| "https://api.anthropic.com".into());
            let key = key.ok_or_else(|| {
                ProviderError::Config("provider.apiKeyEnv is required for anthropic".into())
            })?;
            Ok(Box::new(anthropic::Anthropic::new(
                &base, &model, key, retry,
            )?))
        }
        other => Err(ProviderError::Config(format!(
            "provider.kind {other:?} is not one of \"openai\", \"anthropic\""
        ))),
    }
}

/// Default per-request timeout for establishing a connection.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Serves one canned HTTP response per connection (after reading the request head).
    async fn serve(responses: Vec<String>) -> u16 {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            for r in responses {
                let (mut s, _) = l.accept().await.unwrap();
                let mut buf = vec![0u8; 65536];
                let _ = s.read(&mut buf).await;
                if r.is_empty() {
                    // Hold the connection open without answering.
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                }
                for piece in r.as_bytes().chunks(5) {
                    let _ = s.write_all(piece).await;
                }
            }
        });
        port
    }

    fn cfg(port: u16) -> ProviderConfig {
        ProviderConfig {
            kind: "openai".into(),
            base_url: Some(format!("http://127.0.0.1:{port}/v1")),
            model: Some("m".into()),
            api_key_env: None,
        }
    }

    fn req() -> ChatRequest {
        ChatRequest {
            system: "s".into(),
            messages: vec![Message::User("hi".into())],
            tools: vec![],
            max_tokens: 10,
        }
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            attempts: 3,
            base_delay: std::time::Duration::ZERO,
            max_delay: std::time::Duration::ZERO,
        }
    }

    #[tokio::test]
    async fn retries_5xx_then_streams() {
        let err = "HTTP/1.1 503 X\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy".to_owned();
        let body = "data: {\"choices\":[{\"delta\":{\"content\":\"he\"}}]}\r\n\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"llo\"},\"finish_reason\":\"stop\"}]}\r\n\r\ndata: [DONE]\r\n\r\n";
        let ok = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let port = serve(vec![err, ok]).await;
        let p = from_config_with(&cfg(port), fast(), |_| None).unwrap();
        let seen = std::sync::Mutex::new(String::new());
        let sink = |t: &str| seen.lock().unwrap().push_str(t);
        let r = p.complete(&req(), &sink, &Cancel::never()).await.unwrap();
        assert_eq!(r.text, "hello");
        assert_eq!(*seen.lock().unwrap(), "hello");
        assert_eq!(r.stop, StopReason::EndTurn);
    }

    #[tokio::test]
    async fn cancellation_stops_a_hanging_request() {
        let port = serve(vec![String::new()]).await;
        let p = from_config_with(&cfg(port), fast(), |_| None).unwrap();
        let (handle, cancel) = CancelHandle::new();
        let sink = |_: &str| {};
        let req = req();
        let fut = p.complete(&req, &sink, &cancel);
        handle.cancel();
        assert!(matches!(fut.await, Err(ProviderError::Cancelled)));
    }

    #[test]
    fn config_errors_name_what_to_fix() {
        let mut c = cfg(1);
        c.api_key_env = Some("NOPE_KEY".into());
        let e = from_config_with(&c, fast(), |_| None).err().unwrap();
        assert!(e.to_string().contains("NOPE_KEY is not set"), "{e}");
        c.kind = "gemini".into();
        let e = from_config_with(&c, fast(), |_| Some("k".into()))
            .err()
            .unwrap();
        assert!(e.to_string().contains("\"gemini\""), "{e}");
        c.kind = "openai".into();
        c.model = None;
        let e = from_config_with(&c, fast(), |_| Some("k".into()))
            .err()
            .unwrap();
        assert!(e.to_string().contains("provider.model"), "{e}");
    }
}
