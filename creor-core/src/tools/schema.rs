//! The tool definitions sent to the model: name, description and JSON Schema of the arguments.
//! The schemas mirror [`super::args`] exactly (`additionalProperties: false`).

use serde_json::{json, Value};

use crate::provider::ToolSpec;

fn spec(name: &str, description: &str, properties: Value, required: &[&str]) -> ToolSpec {
    ToolSpec {
        name: name.to_owned(),
        description: description.to_owned(),
        parameters: json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        }),
    }
}

/// Every tool creor offers, in a stable order.
pub fn tool_specs() -> Vec<ToolSpec> {
    let path = |d: &str| json!({"type": "string", "description": d});
    vec![
        spec(
            "read",
            "Read a text file. Returns numbered lines. Paths are relative to the project unless absolute.",
            json!({
                "path": path("File to read"),
                "offset": {"type": "integer", "minimum": 1, "description": "First line (1-based)"},
                "limit": {"type": "integer", "minimum": 1, "description": "Number of lines"},
            }),
            &["path"],
        ),
        spec(
            "write",
            "Create or overwrite a file with the given content.",
            json!({"path": path("File to write"), "content": {"type": "string"}}),
            &["path", "content"],
        ),
        spec(
            "edit",
            "Replace exact text in a file. old_string must occur exactly once unless replace_all is true.",
            json!({
                "path": path("File to edit"),
                "old_string": {"type": "string"},
                "new_string": {"type": "string"},
                "replace_all": {"type": "boolean", "default": false},
            }),
            &["path", "old_string", "new_string"],
        ),
        spec(
            "glob",
            "Find files by glob pattern (e.g. **/*.rs). Honours .gitignore.",
            json!({"pattern": {"type": "string"}, "path": path("Directory to search (default: project)")}),
            &["pattern"],
        ),
        spec(
            "grep",
            "Search file contents with a regular expression. Returns path:line:text.",
            json!({
                "pattern": {"type": "string", "description": "Regular expression"},
                "path": path("File or directory (default: project)"),
                "glob": {"type": "string", "description": "Only files matching this glob"},
            }),
            &["pattern"],
        ),
        spec(
            "ls",
            "List a directory.",
            json!({"path": path("Directory (default: project)")}),
            &[],
        ),
        spec(
            "bash",
            "Run a shell command in the project inside creor's sandbox (network and files outside the project are restricted).",
            json!({
                "command": {"type": "string"},
                "timeout": {"type": "integer", "minimum": 1, "maximum": super::args::MAX_TIMEOUT_SECS, "description": "Seconds (default 120)"},
            }),
            &["command"],
        ),
        spec(
            "webfetch",
            "Fetch a web page over http(s) and return it as text.",
            json!({"url": {"type": "string", "format": "uri"}}),
            &["url"],
        ),
        spec(
            "websearch",
            "Search the web through the configured search endpoint.",
            json!({"query": {"type": "string"}}),
            &["query"],
        ),
        spec(
            "external-directory",
            "Ask for access to a directory outside the project (the user decides).",
            json!({"path": path("Directory to open")}),
            &["path"],
        ),
    ]
}
