//! placeholder
#[path = "../support/mod.rs"]
mod support;
fn main() { support::runner::main("workload", Vec::new()); }
