//! The test runner: runs each case once per identity and prints a libtest-compatible report.
//!
//! Arguments: any word filters cases by substring of their full name
//! (`root::fs::read_ssh_key`); `--list` lists them; libtest flags (`--nocapture`, `-q`,
//! `--test-threads N`, …) are accepted and ignored; `--skip WORD` excludes. The environment
//! variable `CREOR_TEST_IDENTITIES=root|user|root,user` restricts identities.

use std::io::Write;
use std::time::Instant;

use super::run::Run;
use super::world::{Identity, World};

/// What a case returns: `Ok` when the attack failed as it must (or the workload worked),
/// `Err(message)` with everything needed to understand the failure.
pub type Outcome = Result<(), String>;

/// One test case: a function run in a fresh project, once per identity.
pub struct Case {
    /// Group in the report name (`fs`, `net`, …).
    pub group: &'static str,
    /// Case name, unique within the suite.
    pub name: &'static str,
    /// The test body.
    pub run: fn(&mut Run) -> Outcome,
}

/// A case that cannot run for an identity (for example: needs root to set up) reports this
/// message prefix; the runner counts it as ignored and prints why, never silently.
pub const IGNORE_PREFIX: &str = "ignored: ";

/// Runs the suite named `suite` and exits the process with libtest's conventions.
pub fn main(suite: &str, cases: Vec<Case>) -> ! {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut filters = Vec::new();
    let mut skips = Vec::new();
    let mut list = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--list" => list = true,
            "--skip" => skips.extend(it.next().cloned()),
            "--test-threads" | "--color" | "--format" | "-Z" | "--logfile" => {
                it.next();
            }
            s if s.starts_with('-') => {}
            s => filters.push(s.to_string()),
        }
    }

    let identities = match Identity::all() {
        Ok(ids) => ids,
        Err(e) => {
            eprintln!("{suite}: cannot set up test identities: {e}");
            std::process::exit(101);
        }
    };
    let mut selected = Vec::new();
    for id in &identities {
        for case in &cases {
            let full = format!("{}::{}::{}", id.label(), case.group, case.name);
            let keep = (filters.is_empty() || filters.iter().any(|f| full.contains(f.as_str())))
                && !skips.iter().any(|s| full.contains(s.as_str()));
            if keep {
                selected.push((id.clone(), case, full));
            }
        }
    }
    let filtered_out = identities.len() * cases.len() - selected.len();
    if list {
        for (_, _, full) in &selected {
            println!("{full}: test");
        }
        std::process::exit(0);
    }

    println!("\nrunning {} tests", selected.len());
    let started = Instant::now();
    let mut worlds: Vec<(String, World)> = Vec::new();
    let (mut passed, mut ignored) = (0usize, 0usize);
    let mut failures: Vec<(String, String)> = Vec::new();
    for (id, case, full) in selected {
        print!("test {full} ... ");
        let _ = std::io::stdout().flush();
        let world = match worlds.iter().position(|(l, _)| *l == id.label()) {
            Some(i) => &worlds[i].1,
            None => match World::create(suite, id.clone()) {
                Ok(w) => {
                    worlds.push((id.label(), w));
                    &worlds[worlds.len() - 1].1
                }
                Err(e) => {
                    println!("FAILED");
                    failures.push((full, format!("cannot set up the test world: {e}")));
                    continue;
                }
            },
        };
        let t = Instant::now();
        let result = match Run::new(world, case.name) {
            Ok(mut run) => {
                let r = (case.run)(&mut run);
                run.cleanup();
                r
            }
            Err(e) => Err(format!("cannot set up the case: {e}")),
        };
        let secs = t.elapsed().as_secs_f64();
        match result {
            Ok(()) => {
                passed += 1;
                println!("ok ({secs:.2}s)");
            }
            Err(msg) if msg.starts_with(IGNORE_PREFIX) => {
                ignored += 1;
                println!("ignored, {}", &msg[IGNORE_PREFIX.len()..]);
            }
            Err(msg) => {
                println!("FAILED ({secs:.2}s)");
                failures.push((full, msg));
            }
        }
    }
    drop(worlds);

    if !failures.is_empty() {
        println!("\nfailures:\n");
        for (name, msg) in &failures {
            println!("---- {name} ----\n{msg}\n");
        }
        println!("failures:");
        for (name, _) in &failures {
            println!("    {name}");
        }
    }
    let status = if failures.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {status}. {passed} passed; {} failed; {ignored} ignored; 0 measured; \
         {filtered_out} filtered out; finished in {:.2}s\n",
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    std::process::exit(if failures.is_empty() { 0 } else { 101 });
}
