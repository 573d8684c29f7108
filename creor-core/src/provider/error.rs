//! Provider errors. Each says what to fix (the URL, the key's env var, the model) and never
//! contains the key itself.

/// Why a model request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// The provider section is unusable (unknown kind, missing model, bad URL).
    #[error("provider config: {0}")]
    Config(String),
    /// `provider.apiKeyEnv` names a variable that is not set.
    #[error(
        "provider API key: environment variable {var} is not set (named by provider.apiKeyEnv)"
    )]
    MissingKey {
        /// The variable's name.
        var: String,
    },
    /// Nothing answered at the URL (DNS, refused, TLS, timeout), after retries.
    #[error("cannot reach the model API at {url}: {reason} (check provider.baseUrl)")]
    Unreachable {
        /// The URL requested.
        url: String,
        /// The transport error.
        reason: String,
    },
    /// 401/403: the key is wrong, expired or lacks access.
    #[error("the model API at {url} rejected the API key (HTTP {status}): {body} (check the key in ${var})")]
    Auth {
        /// The URL requested.
        url: String,
        /// HTTP status.
        status: u16,
        /// The env var the key came from (or `-` without one).
        var: String,
        /// Start of the server's answer.
        body: String,
    },
    /// 404: the base URL has no such endpoint, or the model does not exist.
    #[error("the model API at {url} answered HTTP 404: {body} (check provider.baseUrl and provider.model {model:?})")]
    NotFound {
        /// The URL requested.
        url: String,
        /// The configured model.
        model: String,
        /// Start of the server's answer.
        body: String,
    },
    /// Any other non-success status, after retries where retrying made sense.
    #[error("the model API at {url} answered HTTP {status}: {body}")]
    Status {
        /// The URL requested.
        url: String,
        /// HTTP status.
        status: u16,
        /// Start of the server's answer.
        body: String,
    },
    /// The stream broke or carried something unparseable, or an error event.
    #[error("model stream from {url}: {reason}")]
    Stream {
        /// The URL requested.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The session was cancelled while the request was in flight.
    #[error("model request cancelled")]
    Cancelled,
}

impl ProviderError {
    /// A broken or unparseable stream from `url`: both providers report it the same way.
    pub fn stream(url: &str, reason: impl ToString) -> ProviderError {
        ProviderError::Stream {
            url: url.to_owned(),
            reason: reason.to_string(),
        }
    }
}
