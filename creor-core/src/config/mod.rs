//! creor.json: loading the layers, validating them against `creor.schema.json`, choosing the
//! profile, and producing a [`ResolvedConfig`] the rest of creor consumes.
//!
//! Layers, low → high: built-in defaults < global (`$XDG_CONFIG_HOME/creor/creor.json`) <
//! project `creor.json` < `creor.local.json` < selected profile < managed
//! `/etc/creor/creor.json` < CLI flags. A broken file is an error, never a silent default.

mod load;
mod types;

pub use load::{load, ConfigError, LoadOptions};
pub use types::*;
