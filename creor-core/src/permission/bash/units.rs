//! What the analyser produces: command units with their normalised forms and file subjects.

/// One shell word after quote removal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    /// The word as written.
    pub raw: String,
    /// Quotes and backslashes removed; expansions kept as written (`$HOME`, `$(…)`).
    pub text: String,
    /// Contains an expansion or substitution whose value is unknown.
    pub dynamic: bool,
    /// Contains unquoted glob or brace characters (`*`, `?`, `[`, `{a,b}`).
    pub glob: bool,
    /// The word as a path, with home written as a leading `~` (`$HOME`, `${HOME}` and `~`
    /// expanded); `None` when it depends on anything else.
    pub path: Option<String>,
}

/// How a unit touches a file subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectAccess {
    /// `<` source.
    Read,
    /// `>`, `>>`, `&>`, `<>` target.
    Write,
    /// A path-like argument: judged by read rules.
    Argument,
}

/// A file a unit touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSubject {
    /// As written.
    pub raw: String,
    /// As a path (`~` for home); `None` when it cannot be known before running.
    pub path: Option<String>,
    /// How it is touched.
    pub access: SubjectAccess,
}

/// One simple command, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unit {
    /// Source text of the command.
    pub text: String,
    /// Texts matched against bash patterns: the words as written, then each normalised form
    /// (quotes removed, program basename, global options removed, every peeled wrapper).
    /// The strictest verdict over all forms wins.
    pub forms: Vec<String>,
    /// Basenames of every program in the wrapper chain (`sudo`, `rm`).
    pub programs: Vec<String>,
    /// Why the command name cannot be known before running, if it cannot.
    pub dynamic: Option<String>,
    /// Assignments to dangerous variables (`LD_PRELOAD`, `PATH`, …).
    pub dangerous_env: Vec<String>,
    /// Redirect targets, `<` sources and path-like arguments.
    pub subjects: Vec<FileSubject>,
}

impl Unit {
    /// The most normalised form (what the user would call "the command").
    pub fn normalised(&self) -> &str {
        self.forms.last().map_or("", String::as_str)
    }
}

/// The units of one command line, and anything that made the analysis uncertain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Analysis {
    /// Every simple command, in source order (nested ones after their parent).
    pub units: Vec<Unit>,
    /// Parse errors, missing nodes, excessive nesting: each forces at least `ask`.
    pub problems: Vec<String>,
}
