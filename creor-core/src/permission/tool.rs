//! The tools the engine knows, and which rules speak for each.

use std::fmt;

/// A tool name from creor.json's `permissions` map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tool {
    /// Read a file.
    Read,
    /// Create or overwrite a file.
    Write,
    /// Edit a file in place.
    Edit,
    /// Find files by name under a root.
    Glob,
    /// Search file contents under a root.
    Grep,
    /// List a directory.
    Ls,
    /// Run a shell command.
    Bash,
    /// Fetch a URL.
    WebFetch,
    /// Search the web.
    WebSearch,
    /// Open a directory outside the home ground.
    ExternalDirectory,
}

/// How a tool's subjects are matched against patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// gitignore-like path patterns.
    Path,
    /// Bash patterns over the normalised argv.
    Bash,
    /// URLs, with `domain:` patterns.
    Url,
    /// Free text (`websearch` queries).
    Text,
}

/// Whether a path tool reads or writes its subject (the home ground differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading or listing.
    Read,
    /// Creating or changing.
    Write,
}

impl Tool {
    /// Every tool, for building per-tool rule sets.
    pub const ALL: [Tool; 10] = [
        Tool::Read,
        Tool::Write,
        Tool::Edit,
        Tool::Glob,
        Tool::Grep,
        Tool::Ls,
        Tool::Bash,
        Tool::WebFetch,
        Tool::WebSearch,
        Tool::ExternalDirectory,
    ];

    /// The name used in creor.json.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Read => "read",
            Tool::Write => "write",
            Tool::Edit => "edit",
            Tool::Glob => "glob",
            Tool::Grep => "grep",
            Tool::Ls => "ls",
            Tool::Bash => "bash",
            Tool::WebFetch => "webfetch",
            Tool::WebSearch => "websearch",
            Tool::ExternalDirectory => "external-directory",
        }
    }

    /// Parses a creor.json tool name; `None` for anything unknown.
    pub fn from_name(name: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.name() == name)
    }

    /// How the tool's subjects are matched.
    pub fn kind(self) -> SubjectKind {
        match self {
            Tool::Bash => SubjectKind::Bash,
            Tool::WebFetch => SubjectKind::Url,
            Tool::WebSearch => SubjectKind::Text,
            _ => SubjectKind::Path,
        }
    }

    /// Tool names whose rules speak for this tool, narrowest scope first (rank = index).
    /// `write` falls back to `edit`, then every tool falls back to `*`.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Tool::Write => &["write", "edit", "*"],
            Tool::Read => &["read", "*"],
            Tool::Edit => &["edit", "*"],
            Tool::Glob => &["glob", "*"],
            Tool::Grep => &["grep", "*"],
            Tool::Ls => &["ls", "*"],
            Tool::Bash => &["bash", "*"],
            Tool::WebFetch => &["webfetch", "*"],
            Tool::WebSearch => &["websearch", "*"],
            Tool::ExternalDirectory => &["external-directory", "*"],
        }
    }

    /// For path tools: whether the subject is read or written.
    pub fn access(self) -> Access {
        match self {
            Tool::Write | Tool::Edit => Access::Write,
            _ => Access::Read,
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Tool {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}
