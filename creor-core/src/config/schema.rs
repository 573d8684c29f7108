//! `creor.schema.json`, embedded, and validation of a parsed file against it. The typed
//! deserializer runs first (its messages are clearer); the schema runs second so a file the
//! editor would flag is never accepted.

use std::sync::OnceLock;

use super::check::Problem;
use super::jsonc::{Node, Seg, Value};
use super::schema_cache;

/// The JSON Schema (2020-12) of creor.json, as shipped at the repository root.
pub const SCHEMA_TEXT: &str = include_str!("../../../creor.schema.json");

fn validator() -> Result<&'static jsonschema::Validator, String> {
    static CELL: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    CELL.get_or_init(|| {
        let schema: serde_json::Value =
            serde_json::from_str(SCHEMA_TEXT).map_err(|e| format!("embedded schema: {e}"))?;
        jsonschema::draft202012::new(&schema).map_err(|e| format!("embedded schema: {e}"))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Validates a whole creor.json tree against the schema.
pub fn validate(tree: &Node) -> Result<(), Problem> {
    let instance = tree.to_json();
    let memo = schema_cache::key(SCHEMA_TEXT, &instance);
    if schema_cache::passed(&memo) {
        return Ok(());
    }
    let v = validator().map_err(|message| Problem {
        path: Vec::new(),
        message,
    })?;
    let Err(err) = v.validate(&instance) else {
        schema_cache::record(&memo);
        return Ok(());
    };
    let path = pointer_to_path(tree, err.instance_path().as_str());
    Err(Problem {
        path,
        message: format!("schema: {}", err.masked()),
    })
}

/// Turns a JSON pointer into path segments, using the tree to tell array indices from keys
/// that happen to be digits.
fn pointer_to_path(tree: &Node, pointer: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut node = Some(tree);
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        let seg = match node.map(|n| &n.value) {
            Some(Value::Array(_)) => match token.parse::<usize>() {
                Ok(i) => Seg::Index(i),
                Err(_) => Seg::Key(token),
            },
            _ => Seg::Key(token),
        };
        node = node.and_then(|n| n.get(std::slice::from_ref(&seg)));
        out.push(seg);
    }
    out
}

/// Whether the embedded schema compiles (tests and `creor doctor`).
pub fn schema_compiles() -> Result<(), String> {
    validator().map(|_| ())
}
