//! The creor command line, shared by its two binaries.
//!
//! `creor` (`src/main.rs`) is the launcher: it runs `creor exec` and the sandbox helper itself
//! and hands every other command to `creor-agent` (`src/bin/creor-agent.rs`), which links the
//! TUI, the agent loop and the model providers. The split exists for speed: `creor exec` starts
//! once per sandboxed command, and a binary without the agent's dependencies starts in half
//! the time (README, "Cost").

pub mod cli;
pub mod cmd;
pub mod launcher;
