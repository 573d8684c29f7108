//! The agent loop (in progress).
