//! The tools' arguments as the model must write them: exact names, unknown keys refused, values
//! range-checked. Parsing is validation: a call that does not parse never reaches the engine.

use serde::Deserialize;

use super::ToolError;

/// `read {path, offset?, limit?}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadArgs {
    /// File to read.
    pub path: String,
    /// First line to return, 1-based.
    pub offset: Option<u64>,
    /// How many lines to return.
    pub limit: Option<u64>,
}

/// `write {path, content}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteArgs {
    /// File to create or overwrite.
    pub path: String,
    /// Its complete new content.
    pub content: String,
}

/// `edit {path, old_string, new_string, replace_all?}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditArgs {
    /// File to edit.
    pub path: String,
    /// Exact text to replace.
    pub old_string: String,
    /// Replacement text.
    pub new_string: String,
    /// Replace every occurrence instead of requiring exactly one.
    #[serde(default)]
    pub replace_all: bool,
}

/// `glob {pattern, path?}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobArgs {
    /// Glob pattern (`**/*.rs`).
    pub pattern: String,
    /// Directory to search (default: the project).
    pub path: Option<String>,
}

/// `grep {pattern, path?, glob?}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrepArgs {
    /// Regular expression (Rust `regex` syntax).
    pub pattern: String,
    /// Directory or file to search (default: the project).
    pub path: Option<String>,
    /// Only files matching this glob.
    pub glob: Option<String>,
}

/// `ls {path?}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LsArgs {
    /// Directory to list (default: the project).
    pub path: Option<String>,
}

/// `bash {command, timeout?}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BashArgs {
    /// The shell command.
    pub command: String,
    /// Timeout in seconds (1–600, default 120).
    pub timeout: Option<u64>,
}

/// `webfetch {url}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebFetchArgs {
    /// `http` or `https` URL.
    pub url: String,
}

/// `websearch {query}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSearchArgs {
    /// Search terms.
    pub query: String,
}

/// `external-directory {path}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalDirectoryArgs {
    /// Directory outside the project to open.
    pub path: String,
}

/// One parsed, validated tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolArgs {
    /// `read`.
    Read(ReadArgs),
    /// `write`.
    Write(WriteArgs),
    /// `edit`.
    Edit(EditArgs),
    /// `glob`.
    Glob(GlobArgs),
    /// `grep`.
    Grep(GrepArgs),
    /// `ls`.
    Ls(LsArgs),
    /// `bash`.
    Bash(BashArgs),
    /// `webfetch`.
    WebFetch(WebFetchArgs),
    /// `websearch`.
    WebSearch(WebSearchArgs),
    /// `external-directory`.
    ExternalDirectory(ExternalDirectoryArgs),
}

/// Longest bash timeout the model may ask for, seconds.
pub const MAX_TIMEOUT_SECS: u64 = 600;

impl ToolArgs {
    /// Parses the model's JSON arguments for tool `name`.
    pub fn parse(name: &str, json: &str) -> Result<ToolArgs, ToolError> {
        let json = if json.trim().is_empty() { "{}" } else { json };
        let bad = |reason: String| ToolError::InvalidArgs {
            tool: name.to_owned(),
            reason,
        };
        fn de<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, String> {
            serde_json::from_str(json).map_err(|e| e.to_string())
        }
        let args = match name {
            "read" => ToolArgs::Read(de(json).map_err(bad)?),
            "write" => ToolArgs::Write(de(json).map_err(bad)?),
            "edit" => ToolArgs::Edit(de(json).map_err(bad)?),
            "glob" => ToolArgs::Glob(de(json).map_err(bad)?),
            "grep" => ToolArgs::Grep(de(json).map_err(bad)?),
            "ls" => ToolArgs::Ls(de(json).map_err(bad)?),
            "bash" => ToolArgs::Bash(de(json).map_err(bad)?),
            "webfetch" => ToolArgs::WebFetch(de(json).map_err(bad)?),
            "websearch" => ToolArgs::WebSearch(de(json).map_err(bad)?),
            "external-directory" => ToolArgs::ExternalDirectory(de(json).map_err(bad)?),
            other => return Err(ToolError::UnknownTool(other.to_owned())),
        };
        args.validate().map_err(bad)?;
        Ok(args)
    }

    /// The tool's name.
    pub fn name(&self) -> &'static str {
        match self {
            ToolArgs::Read(_) => "read",
            ToolArgs::Write(_) => "write",
            ToolArgs::Edit(_) => "edit",
            ToolArgs::Glob(_) => "glob",
            ToolArgs::Grep(_) => "grep",
            ToolArgs::Ls(_) => "ls",
            ToolArgs::Bash(_) => "bash",
            ToolArgs::WebFetch(_) => "webfetch",
            ToolArgs::WebSearch(_) => "websearch",
            ToolArgs::ExternalDirectory(_) => "external-directory",
        }
    }

    fn validate(&self) -> Result<(), String> {
        fn path(p: &str) -> Result<(), String> {
            if p.is_empty() {
                return Err("path must not be empty".into());
            }
            if p.contains('\0') {
                return Err("path must not contain NUL".into());
            }
            Ok(())
        }
        fn opt_path(p: &Option<String>) -> Result<(), String> {
            p.as_deref().map_or(Ok(()), path)
        }
        match self {
            ToolArgs::Read(a) => {
                path(&a.path)?;
                if a.offset == Some(0) {
                    return Err("offset is 1-based; 0 is not a line".into());
                }
                if a.limit == Some(0) {
                    return Err("limit must be at least 1".into());
                }
            }
            ToolArgs::Write(a) => path(&a.path)?,
            ToolArgs::Edit(a) => {
                path(&a.path)?;
                if a.old_string.is_empty() {
                    return Err("old_string must not be empty (use write to create a file)".into());
                }
                if a.old_string == a.new_string {
                    return Err("old_string and new_string are identical".into());
                }
            }
            ToolArgs::Glob(a) => {
                opt_path(&a.path)?;
                globset::Glob::new(&a.pattern).map_err(|e| format!("pattern: {e}"))?;
            }
            ToolArgs::Grep(a) => {
                opt_path(&a.path)?;
                if a.pattern.is_empty() {
                    return Err("pattern must not be empty".into());
                }
                regex::RegexBuilder::new(&a.pattern)
                    .size_limit(1 << 22)
                    .build()
                    .map_err(|e| format!("pattern: {e}"))?;
                if let Some(g) = &a.glob {
                    globset::Glob::new(g).map_err(|e| format!("glob: {e}"))?;
                }
            }
            ToolArgs::Ls(a) => opt_path(&a.path)?,
            ToolArgs::Bash(a) => {
                if a.command.trim().is_empty() {
                    return Err("command must not be empty".into());
                }
                if a.command.contains('\0') {
                    return Err("command must not contain NUL".into());
                }
                if let Some(t) = a.timeout {
                    if t == 0 || t > MAX_TIMEOUT_SECS {
                        return Err(format!("timeout must be 1..={MAX_TIMEOUT_SECS} seconds"));
                    }
                }
            }
            ToolArgs::WebFetch(a) => {
                let u = reqwest::Url::parse(&a.url).map_err(|e| format!("url: {e}"))?;
                if !matches!(u.scheme(), "http" | "https") {
                    return Err(format!("url scheme {:?} is not http or https", u.scheme()));
                }
                if u.host_str().is_none() {
                    return Err("url has no host".into());
                }
            }
            ToolArgs::WebSearch(a) => {
                if a.query.trim().is_empty() {
                    return Err("query must not be empty".into());
                }
            }
            ToolArgs::ExternalDirectory(a) => path(&a.path)?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(name: &str, json: &str) -> String {
        match ToolArgs::parse(name, json) {
            Err(e) => e.to_string(),
            Ok(a) => panic!("{name} {json} parsed as {a:?}"),
        }
    }

    #[test]
    fn exact_argument_names_parse() {
        let cases = [
            ("read", r#"{"path":"a","offset":2,"limit":5}"#),
            ("write", r#"{"path":"a","content":""}"#),
            (
                "edit",
                r#"{"path":"a","old_string":"x","new_string":"y","replace_all":true}"#,
            ),
            ("glob", r#"{"pattern":"**/*.rs","path":"src"}"#),
            ("grep", r#"{"pattern":"fn \\w+","path":".","glob":"*.rs"}"#),
            ("ls", r#"{}"#),
            ("bash", r#"{"command":"ls","timeout":5}"#),
            ("webfetch", r#"{"url":"https://docs.rs/x"}"#),
            ("websearch", r#"{"query":"rust"}"#),
            ("external-directory", r#"{"path":"/srv/x"}"#),
        ];
        for (name, json) in cases {
            let a = ToolArgs::parse(name, json).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(a.name(), name);
        }
    }

    #[test]
    fn wrong_names_and_values_are_refused() {
        assert!(err("read", r#"{"file_path":"a"}"#).contains("unknown field"));
        assert!(err("read", r#"{"path":"a","offset":0}"#).contains("1-based"));
        assert!(err("read", r#"{"path":""}"#).contains("empty"));
        assert!(err("read", r#"{"path":"a","limit":-1}"#).contains("invalid"));
        assert!(
            err("edit", r#"{"path":"a","old_string":"x","new_string":"x"}"#).contains("identical")
        );
        assert!(err("edit", r#"{"path":"a","old_string":"","new_string":"x"}"#).contains("empty"));
        assert!(err("bash", r#"{"command":"ls","timeout":100000}"#).contains("timeout"));
        assert!(err("bash", r#"{"cmd":"ls"}"#).contains("unknown field"));
        assert!(err("bash", r#"{"command":"  "}"#).contains("empty"));
        assert!(err("grep", r#"{"pattern":"("}"#).contains("pattern"));
        assert!(err("glob", r#"{"pattern":"a[" }"#).contains("pattern"));
        assert!(err("webfetch", r#"{"url":"file:///etc/passwd"}"#).contains("scheme"));
        assert!(err("nope", "{}").contains("unknown tool"));
        assert!(err("read", "[1]").contains("invalid"));
    }
}
