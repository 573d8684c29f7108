//! creor.json: loading the layers, validating them against `creor.schema.json`, choosing the
//! profile, and producing a [`ResolvedConfig`] the rest of creor consumes.
//!
//! Layers, low → high: built-in defaults < global (`$XDG_CONFIG_HOME/creor/creor.json`) <
//! project `creor.json` < `creor.local.json` < selected profile < managed
//! `/etc/creor/creor.json` < CLI flags. A broken file is an error, never a silent default.
//!
//! ```
//! use std::path::Path;
//! let raw = creor_core::config::parse_str(
//!     r#"{ "permissions": { "bash": { "*": "ask", "git *": "allow" } } } // JSONC"#,
//!     Path::new("creor.json"),
//! ).expect("valid");
//! assert!(raw.permissions.is_some());
//! let err = creor_core::config::parse_str(
//!     "{\n  \"onAsk\": \"deny\",\n  \"onAsk\": \"ask\"\n}",
//!     Path::new("creor.json"),
//! ).unwrap_err();
//! assert_eq!((err.line, err.key.as_str()), (3, "onAsk"));
//! ```

mod check;
mod de;
mod env;
mod error;
mod git;
pub mod jsonc;
mod load;
mod merge;
mod parse;
mod paths;
mod profiles;
mod raw;
mod schema;
pub mod schema_cache;
mod show;
mod sources;
mod types;

pub use env::{Env, MapEnv, ProcessEnv};
pub use error::ConfigError;
pub use git::{branch_glob, head as git_head, Head};
pub use load::{load, load_with_env, read_layers, LoadOptions};
pub use merge::{builtin_rules, layer_name};
pub use parse::{parse_file, parse_str, parse_text, parse_value, ParsedFile};
pub use profiles::{bundled_label, parse_profile, BUNDLED as BUNDLED_PROFILE_FILES};
pub use raw::{
    ProfileSelect, ProviderKind, RawConfig, RawFilesystem, RawLimits, RawNetwork, RawPermissions,
    RawProfile, RawProvider, RawSandbox, ToolRule, When, BUNDLED_PROFILES, TOOLS,
};
pub use schema::{schema_compiles, SCHEMA_TEXT};
pub use show::render as render_config;
pub use sources::{global_path, managed_paths, MANAGED_ENV, MANAGED_PATH, PROFILE_ENV};
pub use types::*;

/// The check regexes shared with the schema (tests keep them equal).
pub mod shapes {
    pub use super::check::{BASE_URL, ENV_NAME, HOST, PROFILE_NAME, RULE_ID, SANDBOX_PATH};
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod schema_tests;

#[cfg(test)]
#[path = "prop_tests.rs"]
mod prop_tests;
