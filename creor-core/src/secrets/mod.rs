//! The secret scanner: keyword-prefiltered rules that find keys and tokens in files, staged
//! git blobs and tool output, and redact them before they reach a model or a log.
//!
//! ```
//! use creor_core::secrets::{Scanner, SecretsConfig};
//!
//! let scanner = Scanner::new(&SecretsConfig::default()).expect("built-in rules compile");
//! let text = b"GITHUB_TOKEN=ghp_Zk3q9XbLmN0pQ7rS2tUvW4xY8aBcDeF1gH6j\n"; // creor:allow
//! let found = scanner.scan(".env", text);
//! assert_eq!(found[0].rule, "github-token");
//! assert_eq!((found[0].line, found[0].column), (1, 14));
//!
//! let (clean, _) = creor_core::secrets::redact("token ghp_Zk3q9XbLmN0pQ7rS2tUvW4xY8aBcDeF1gH6j"); // creor:allow
//! assert_eq!(clean, "token [REDACTED:github-token]");
//! ```

mod baseline;
mod config;
mod diff;
mod engine;
mod entropy;
mod error;
mod filter;
mod finding;
mod git;
mod patterns;
mod redact;
mod report;
mod rule;
mod suppress;
mod walk;

pub use baseline::{Baseline, Dismissal, BASELINE_FILE};
pub use config::*;
pub use diff::{parse_diff, DiffFile};
pub use engine::{MappedLine, Scanner};
pub use entropy::shannon;
pub use error::{Result, SecretsError};
pub use finding::{fingerprint, mask, parse_fingerprint, secret_hash, Finding, FingerprintParts};
pub use git::{diff_files, scan_diff, toplevel, DiffTarget};
pub use patterns::builtin_rule_list;
pub use redact::redact;
pub use report::{render_json, render_sarif, render_text};
pub use rule::Rule;
pub use walk::{scan_paths, WalkOptions, WalkOutcome};
