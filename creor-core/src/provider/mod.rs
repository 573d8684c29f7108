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
