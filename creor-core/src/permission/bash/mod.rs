//! Shell-command analysis: a command line becomes every simple command it would run, each
//! normalised into the forms bash patterns are matched against, with the files it touches.
//!
//! ```
//! use creor_core::permission::bash::analyse;
//! let a = analyse("sudo rm -rf x && echo $(curl -s example.com) > out.txt");
//! let forms: Vec<&str> = a.units.iter().map(|u| u.normalised()).collect();
//! assert_eq!(forms, ["rm -rf x", "echo $(curl -s example.com)", "curl -s example.com"]);
//! assert!(a.problems.is_empty());
//! ```

mod normalise;
mod parse;
mod subjects;
mod units;
mod words;

pub use normalise::{basename, dangerous_env, INTERPRETERS};
pub use units::{Analysis, FileSubject, SubjectAccess, Unit, Word};

/// Analyses one command line. Never panics; anything it cannot understand is reported in
/// [`Analysis::problems`] (which the engine turns into `ask`).
pub fn analyse(command: &str) -> Analysis {
    let mut out = Analysis::default();
    parse::analyse_into(command, 0, &mut out);
    out
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
