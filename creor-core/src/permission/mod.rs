//! The allow / ask / deny permission engine (POLICY.md is the specification).
//!
//! Decisions are order-independent: among the rules that match a subject the narrowest win and
//! ties go to the strictest. A floor no configuration can lift comes first; headless sessions
//! turn every ask into a deny. The engine decides intent; the sandbox enforces.

mod engine;

pub use engine::*;
