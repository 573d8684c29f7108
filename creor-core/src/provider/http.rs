//! The HTTP plumbing shared by providers: the key holder, retries with backoff, error
//! classification and reading an SSE body chunk by chunk under cancellation.

use std::fmt;
use std::time::Duration;

use super::sse::{SseEvent, SseParser};
use super::{Cancel, ProviderError};

/// An API key. `Debug`/`Display` print only the variable it came from.
#[derive(Clone)]
pub struct ApiKey {
    var: String,
    value: String,
}

impl ApiKey {
    /// Wraps a key read from `var`.
    pub fn new(var: &str, value: String) -> Self {
        ApiKey {
            var: var.to_owned(),
            value,
        }
    }

    /// The variable it came from (for error messages).
    pub fn var(&self) -> &str {
        &self.var
    }

    pub(crate) fn expose(&self) -> &str {
        &self.value
    }

    /// Removes the key from text that may echo it (server error bodies).
    pub(crate) fn scrub(&self, text: &str) -> String {
        if self.value.len() >= 4 {
            text.replace(&self.value, "[REDACTED]")
        } else {
            text.to_owned()
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey(${})", self.var)
    }
}

/// How often and how patiently to retry 429/5xx and connection failures.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in total (1 = no retry).
    pub attempts: u32,
    /// First backoff; doubled each retry.
    pub base_delay: Duration,
    /// Upper bound on one wait (also caps `Retry-After`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(16)));
        retry_after.unwrap_or(exp).min(self.max_delay)
    }
}

/// What a provider needs to classify failures.
pub(crate) struct Target<'a> {
    pub url: &'a str,
    pub model: &'a str,
    pub key: Option<&'a ApiKey>,
}

/// Sends `build()` until it succeeds or retrying stops making sense.
pub(crate) async fn send(
    build: impl Fn() -> reqwest::RequestBuilder,
    retry: &RetryPolicy,
    target: &Target<'_>,
    cancel: &Cancel,
) -> Result<reqwest::Response, ProviderError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = attempt >= retry.attempts.max(1);
        let sent = tokio::select! {
            r = build().send() => r,
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
        };
        let (err, retry_after) = match sent {
            Ok(resp) if resp.status().is_success() => return Ok(resp),
            Ok(resp) => {
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let body = read_error_body(resp, target).await;
                let err = classify(status, body, target);
                if !(status == 429 || status >= 500) {
                    return Err(err);
                }
                (err, retry_after)
            }
            Err(e) => {
                let err = ProviderError::Unreachable {
                    url: target.url.to_owned(),
                    reason: error_chain(&e),
                };
                if e.is_builder() {
                    return Err(err);
                }
                (err, None)
            }
        };
        if last {
            return Err(err);
        }
        let wait = retry.delay(attempt - 1, retry_after);
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
        }
    }
}

async fn read_error_body(resp: reqwest::Response, target: &Target<'_>) -> String {
    let text = resp.text().await.unwrap_or_default();
    let text = match target.key {
        Some(k) => k.scrub(&text),
        None => text,
    };
    let mut short: String = text.trim().chars().take(400).collect();
    if short.is_empty() {
        short = "(empty body)".into();
    }
    short
}

fn classify(status: u16, body: String, target: &Target<'_>) -> ProviderError {
    let url = target.url.to_owned();
    match status {
        401 | 403 => ProviderError::Auth {
            url,
            status,
            var: target
                .key
                .map_or_else(|| "-".to_owned(), |k| k.var().to_owned()),
            body,
        },
        404 => ProviderError::NotFound {
            url,
            model: target.model.to_owned(),
            body,
        },
        _ => ProviderError::Status { url, status, body },
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Reads an SSE body, handing each event to `on_event` until it returns `false` or the body
/// ends. Cancellation stops the read.
pub(crate) async fn read_sse(
    mut resp: reqwest::Response,
    url: &str,
    cancel: &Cancel,
    mut on_event: impl FnMut(SseEvent) -> Result<bool, ProviderError>,
) -> Result<(), ProviderError> {
    let mut parser = SseParser::new();
    loop {
        let chunk = tokio::select! {
            c = resp.chunk() => c,
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
        };
        let chunk = chunk.map_err(|e| ProviderError::stream(url, error_chain(&e)))?;
        let Some(bytes) = chunk else {
            if let Some(ev) = parser.finish() {
                on_event(ev)?;
            }
            return Ok(());
        };
        for ev in parser.feed(&bytes) {
            if !on_event(ev)? {
                return Ok(());
            }
        }
    }
}

/// Whether the response is an event stream (some servers ignore `stream: true`).
pub(crate) fn is_event_stream(resp: &reqwest::Response) -> bool {
    resp.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

/// A client with sane timeouts and no redirects (a redirecting API endpoint is a config error).
pub(crate) fn client() -> Result<reqwest::Client, ProviderError> {
    reqwest::Client::builder()
        .connect_timeout(super::CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ProviderError::Config(format!("http client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_hidden_from_debug() {
        let k = ApiKey::new("MY_KEY", "sk-secret-value".into());
        assert_eq!(format!("{k:?}"), "ApiKey($MY_KEY)");
        assert_eq!(k.scrub("echo sk-secret-value back"), "echo [REDACTED] back");
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
        };
        assert_eq!(p.delay(0, None), Duration::from_millis(100));
        assert_eq!(p.delay(1, None), Duration::from_millis(200));
        assert_eq!(p.delay(2, None), Duration::from_millis(350));
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(60))),
            Duration::from_millis(350)
        );
    }
}
