//! creor-core: configuration, the permission engine, the secret scanner and (later) tools, the
//! agent loop, providers and the audit log.
//!
//! Front ends (the TUI, headless runs, the CLI) are thin: they load a [`config::ResolvedConfig`],
//! ask the [`permission::Engine`] for decisions and render what core tells them.

pub mod agent;
pub mod audit;
pub mod config;
pub mod netproxy;
pub mod permission;
pub mod provider;
pub mod sandbox_policy;
pub mod secrets;
pub mod tools;
