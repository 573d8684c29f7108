//! Tools (in progress).
