//! The allow / ask / deny permission engine (POLICY.md is the specification).
//!
//! Decisions are order-independent: among the rules that match a subject the narrowest win and
//! ties go to the strictest. A floor no configuration can lift comes first; headless sessions
//! turn every ask into a deny. The engine decides intent; the sandbox enforces.

pub mod bash;
mod bash_pattern;
mod decision;
mod domain;
mod engine;
mod floor;
mod home_ground;
mod narrowness;
mod path_pattern;
mod paths;
mod ruleset;
mod session;
mod tool;

pub use decision::*;
pub use domain::{parse_url, DomainPattern, ParsedUrl, UrlError};
pub use engine::*;
pub use paths::{PathContext, ResolvedPath};
pub use ruleset::PatternError;
pub use session::*;
pub use tool::{Access, SubjectKind, Tool};
