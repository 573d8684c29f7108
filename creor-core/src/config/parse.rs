//! One file's text → a validated [`RawConfig`]: JSONC syntax (with duplicate keys refused),
//! typed deserialization, semantic checks, then the schema. Each stage names file, line and key.

use std::path::{Path, PathBuf};

use super::check::{self, Problem};
use super::de;
use super::error::ConfigError;
use super::jsonc::{self, render_path, Node};
use super::raw::RawConfig;
use super::schema;

/// A file that passed every check, with its tree kept as the line index for later messages
/// (an unknown profile in `profileSelect`, a path a repository may not grant).
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// Where it came from (`<cli>` for the CLI fragment).
    pub file: PathBuf,
    /// The typed content.
    pub raw: RawConfig,
    /// The parsed tree.
    pub tree: Node,
}

impl ParsedFile {
    /// The line of the key at `path` (0 when unknown, as for the CLI fragment).
    pub fn line_of(&self, path: &[jsonc::Seg]) -> usize {
        self.tree.line_of(path)
    }

    /// An error at `path` in this file.
    pub fn error_at(&self, path: &[jsonc::Seg], message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.clone(),
            line: self.line_of(path),
            key: render_path(path),
            message: message.into(),
        }
    }
}

/// Parses and validates creor.json text. `file` only labels errors. The entry point for
/// `creor config validate FILE` and the fuzzer; it never panics on any input.
pub fn parse_str(text: &str, file: &Path) -> Result<RawConfig, ConfigError> {
    parse_text(text, file).map(|p| p.raw)
}

/// Like [`parse_str`], keeping the tree.
pub fn parse_text(text: &str, file: &Path) -> Result<ParsedFile, ConfigError> {
    let tree = jsonc::parse(text).map_err(|e| ConfigError {
        file: file.to_path_buf(),
        line: e.line,
        key: e.path,
        message: e.message,
    })?;
    from_tree(tree, file)
}

/// Validates a JSON value (the CLI fragment) as a creor.json layer.
pub fn parse_value(value: &serde_json::Value, file: &Path) -> Result<ParsedFile, ConfigError> {
    from_tree(Node::from_json(value), file)
}

/// Reads and parses a file.
pub fn parse_file(path: &Path) -> Result<ParsedFile, ConfigError> {
    let bytes =
        std::fs::read(path).map_err(|e| ConfigError::file(path, format!("cannot read: {e}")))?;
    parse_bytes(bytes, path)
}

/// Reads and parses a file without following a symlink in its last component, so a link
/// swapped in after the caller's check is refused (ELOOP) rather than read.
pub fn parse_file_nofollow(path: &Path) -> Result<ParsedFile, ConfigError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut bytes = Vec::new();
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| ConfigError::file(path, format!("cannot read: {e}")))?;
    parse_bytes(bytes, path)
}

fn parse_bytes(bytes: Vec<u8>, path: &Path) -> Result<ParsedFile, ConfigError> {
    let text =
        String::from_utf8(bytes).map_err(|e| ConfigError::file(path, format!("not UTF-8: {e}")))?;
    parse_text(&text, path)
}

fn from_tree(tree: Node, file: &Path) -> Result<ParsedFile, ConfigError> {
    if !matches!(tree.value, jsonc::Value::Object(_)) {
        return Err(ConfigError {
            file: file.to_path_buf(),
            line: tree.line,
            key: String::new(),
            message: "the top level must be a JSON object".into(),
        });
    }
    let raw: RawConfig = de::from_node(&tree).map_err(|e| {
        let (line, key) = e.at.clone().unwrap_or((0, String::new()));
        ConfigError {
            file: file.to_path_buf(),
            line,
            key,
            message: e.message,
        }
    })?;
    let parsed = ParsedFile {
        file: file.to_path_buf(),
        raw,
        tree,
    };
    let problem = |p: Problem| parsed.error_at(&p.path, p.message);
    check::check(&parsed.raw).map_err(problem)?;
    schema::validate(&parsed.tree).map_err(problem)?;
    Ok(parsed)
}
