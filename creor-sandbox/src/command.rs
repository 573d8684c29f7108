//! The command to run and the running sandbox, mirroring `std::process` so callers (the bash
//! tool, `creor exec`) need not learn a new shape.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;

/// A command to run inside the sandbox.
#[derive(Debug)]
pub struct Command {
    pub(crate) program: OsString,
    pub(crate) args: Vec<OsString>,
    pub(crate) stdin: Option<Stdio>,
    pub(crate) stdout: Option<Stdio>,
    pub(crate) stderr: Option<Stdio>,
    pub(crate) helper: Option<PathBuf>,
}

impl Command {
    /// A command running `program` (searched in the policy environment's `PATH` inside the
    /// sandbox when it contains no `/`). Stdio is inherited unless set.
    pub fn new(program: impl Into<OsString>) -> Self {
        Command {
            program: program.into(),
            args: Vec::new(),
            stdin: None,
            stdout: None,
            stderr: None,
            helper: None,
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.args.push(a.into());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// The command's stdin.
    pub fn stdin(mut self, s: impl Into<Stdio>) -> Self {
        self.stdin = Some(s.into());
        self
    }

    /// The command's stdout.
    pub fn stdout(mut self, s: impl Into<Stdio>) -> Self {
        self.stdout = Some(s.into());
        self
    }

    /// The command's stderr.
    pub fn stderr(mut self, s: impl Into<Stdio>) -> Self {
        self.stderr = Some(s.into());
        self
    }

    /// The executable that serves the hidden helper mode (default `/proc/self/exe`, i.e. the
    /// running binary, which must dispatch `__sandbox-helper` to the backend's helper main).
    pub fn helper(mut self, exe: impl Into<PathBuf>) -> Self {
        self.helper = Some(exe.into());
        self
    }
}

/// How a sandboxed command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitStatus {
    pub(crate) code: i32,
    pub(crate) timed_out: bool,
}

impl ExitStatus {
    /// Shell-style status: the exit code, or 128+N for a command killed by signal N.
    /// A timeout reports 124 (as `timeout(1)` does).
    pub fn code(&self) -> i32 {
        if self.timed_out {
            124
        } else {
            self.code
        }
    }

    /// Exited with 0.
    pub fn success(&self) -> bool {
        !self.timed_out && self.code == 0
    }

    /// The policy's timeout expired and the sandbox was killed.
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }
}
