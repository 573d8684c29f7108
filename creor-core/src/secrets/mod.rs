//! The secret scanner: keyword-prefiltered rules that find keys and tokens in files, staged
//! git blobs and tool output, and redact them before they reach a model or a log.

mod config;

pub use config::*;
