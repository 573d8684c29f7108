//! `creor`: the launcher (see [`creor::launcher`]). Runs `creor exec` and the sandbox helper,
//! hands every other command to `creor-agent`.

fn main() -> std::process::ExitCode {
    creor::launcher::main()
}
