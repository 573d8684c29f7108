//! `creor-agent`: every creor command (TUI, `run`, `policy`, `config`, `scan`, …). The `creor`
//! launcher starts it for everything but `exec` and the sandbox helper.

fn main() -> std::process::ExitCode {
    creor::cli::main()
}
