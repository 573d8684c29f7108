//! A strict JSON parser that also accepts `//` and `/* */` comments (JSONC, as POLICY.md's
//! grammar shows) and keeps the 1-based line of every value and key.
//!
//! Why not `serde_json` directly: creor must name the line and key of a duplicate key at any
//! depth, and serde_json neither reports duplicates nor exposes positions to visitors. The tree
//! built here feeds the typed deserializer ([`super::de`]) and the schema check, and it is the
//! line index every later error is mapped through. Everything else stays strict JSON: no
//! trailing commas, no single quotes, no bare keys, a nesting limit instead of a stack overflow.

use std::fmt;

/// How deep arrays/objects may nest before the file is refused (a config never needs more; a
/// fuzzer or an attacker would otherwise overflow the stack).
pub const MAX_DEPTH: usize = 64;

/// A parsed JSON value with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line of the value's first character.
    pub line: usize,
    /// The value.
    pub value: Value,
}

/// One member of an object: the key, the key's line, the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, unescaped.
    pub key: String,
    /// 1-based line of the key.
    pub line: usize,
    /// The value.
    pub node: Node,
}

/// A JSON value whose children carry lines.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, validated by serde_json's number grammar.
    Number(serde_json::Number),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, members in file order (duplicates already refused).
    Object(Vec<Member>),
}

/// A syntax error: the line, the JSON path of the enclosing key, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// JSON path of the key being parsed (empty at the top).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.path, self.message)
    }
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Renders a path as `a.b["odd key"][2]`: dotted where the key is an identifier-like word
/// (tool names with `-` included), bracketed and quoted otherwise.
pub fn render_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                let plain = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'));
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                } else {
                    out.push('[');
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(']');
                }
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

impl Node {
    /// The line of the key (or element) at `path`, or of the deepest existing ancestor.
    pub fn line_of(&self, path: &[Seg]) -> usize {
        let mut node = self;
        let mut line = self.line;
        for seg in path {
            let next = match (&node.value, seg) {
                (Value::Object(members), Seg::Key(k)) => members
                    .iter()
                    .find(|m| &m.key == k)
                    .map(|m| (m.line, &m.node)),
                (Value::Array(items), Seg::Index(i)) => items.get(*i).map(|n| (n.line, n)),
                _ => None,
            };
            match next {
                Some((l, n)) => {
                    line = l;
                    node = n;
                }
                None => break,
            }
        }
        line
    }

    /// The node at `path`, if present.
    pub fn get(&self, path: &[Seg]) -> Option<&Node> {
        let mut node = self;
        for seg in path {
            node = match (&node.value, seg) {
                (Value::Object(members), Seg::Key(k)) => {
                    &members.iter().find(|m| &m.key == k)?.node
                }
                (Value::Array(items), Seg::Index(i)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Converts to a plain `serde_json::Value` (for the schema validator).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|m| (m.key.clone(), m.node.to_json()))
                    .collect(),
            ),
        }
    }

    /// Builds a tree from a `serde_json::Value` (the CLI fragment); every line is 0 (unknown).
    pub fn from_json(value: &serde_json::Value) -> Node {
        let value = match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.clone()),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::Array(items.iter().map(Node::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Member {
                        key: k.clone(),
                        line: 0,
                        node: Node::from_json(v),
                    })
                    .collect(),
            ),
        };
        Node { line: 0, value }
    }
}

/// Parses `text` (JSON plus comments) into a [`Node`] tree, refusing duplicate keys.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser {
        src: text.as_bytes(),
        pos: 0,
        line: 1,
        path: Vec::new(),
    };
    // A UTF-8 byte order mark is what some editors write; it is not content.
    if p.src.starts_with(&[0xEF, 0xBB, 0xBF]) {
        p.pos = 3;
    }
    p.skip_ws()?;
    if p.pos >= p.src.len() {
        return Err(p.err("empty file: expected a JSON object"));
    }
    let node = p.value(0)?;
    p.skip_ws()?;
    if p.pos < p.src.len() {
        return Err(p.err("unexpected content after the top-level value"));
    }
    Ok(node)
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    path: Vec<Seg>,
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line: self.line,
            path: render_path(&self.path),
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    /// Skips whitespace and comments, counting lines.
    fn skip_ws(&mut self) -> Result<(), SyntaxError> {
        while let Some(c) = self.peek() {
            match c {
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'/' => match self.src.get(self.pos + 1) {
                    Some(b'/') => {
                        while let Some(c) = self.peek() {
                            if c == b'\n' {
                                break;
                            }
                            self.pos += 1;
                        }
                    }
                    Some(b'*') => {
                        let start = self.line;
                        self.pos += 2;
                        loop {
                            match self.peek() {
                                None => {
                                    return Err(SyntaxError {
                                        line: start,
                                        path: render_path(&self.path),
                                        message: "unterminated /* comment".into(),
                                    })
                                }
                                Some(b'*') if self.src.get(self.pos + 1) == Some(&b'/') => {
                                    self.pos += 2;
                                    break;
                                }
                                Some(b'\n') => {
                                    self.line += 1;
                                    self.pos += 1;
                                }
                                Some(_) => self.pos += 1,
                            }
                        }
                    }
                    _ => return Err(self.err("unexpected `/` (comments are `//` or `/* */`)")),
                },
                _ => break,
            }
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.err(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        let line = self.line;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(c) if c == b'-' || c.is_ascii_digit() => self.number()?,
            Some(c) => return Err(self.err(format!("unexpected {}", describe(c)))),
            None => return Err(self.err("unexpected end of file")),
        };
        Ok(Node { line, value })
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, SyntaxError> {
        if self.src[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.err("invalid literal (expected true, false or null)"))
        }
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let text = std::str::from_utf8(&self.src[start..self.pos])
            .map_err(|_| self.err("invalid number"))?;
        // serde_json owns the number grammar (no leading zeros, no `+`, range checks).
        serde_json::from_str::<serde_json::Number>(text)
            .map(Value::Number)
            .map_err(|_| self.err(format!("invalid number `{text}`")))
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        self.pos += 1; // opening quote
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => self.pos += 2,
                Some(b'\n') => return Err(self.err("newline inside a string")),
                Some(c) if c < 0x20 => {
                    return Err(self.err("control character inside a string"));
                }
                Some(_) => self.pos += 1,
            }
        }
        let raw = self.src.get(start..self.pos).unwrap_or_default();
        // serde_json owns escapes (\uXXXX, surrogate pairs) and UTF-8 validity.
        serde_json::from_slice::<String>(raw).map_err(|e| {
            let what = e.to_string();
            let what = what.split(" at line").next().unwrap_or("invalid string");
            self.err(format!("invalid string: {what}"))
        })
    }

    fn array(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.path.push(Seg::Index(items.len()));
            self.skip_ws()?;
            let item = self.value(depth + 1)?;
            self.path.pop();
            items.push(item);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws()?;
                    if self.peek() == Some(b']') {
                        return Err(self.err("trailing comma before `]`"));
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                Some(c) => {
                    return Err(self.err(format!("expected `,` or `]`, found {}", describe(c))))
                }
                None => return Err(self.err("unexpected end of file inside an array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.pos += 1;
        let mut members: Vec<Member> = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws()?;
            let line = self.line;
            match self.peek() {
                Some(b'"') => {}
                Some(c) => {
                    return Err(self.err(format!(
                        "expected a key in double quotes, found {}",
                        describe(c)
                    )))
                }
                None => return Err(self.err("unexpected end of file inside an object")),
            }
            let key = self.string()?;
            self.path.push(Seg::Key(key.clone()));
            if let Some(first) = members.iter().find(|m| m.key == key) {
                return Err(self.err(format!(
                    "duplicate key (first defined on line {})",
                    first.line
                )));
            }
            self.skip_ws()?;
            if self.peek() != Some(b':') {
                return Err(self.err("expected `:` after the key"));
            }
            self.pos += 1;
            self.skip_ws()?;
            let node = self.value(depth + 1)?;
            self.path.pop();
            members.push(Member { key, line, node });
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws()?;
                    if self.peek() == Some(b'}') {
                        return Err(self.err("trailing comma before `}`"));
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                Some(c) => {
                    return Err(self.err(format!("expected `,` or `}}`, found {}", describe(c))))
                }
                None => return Err(self.err("unexpected end of file inside an object")),
            }
        }
    }
}

fn describe(c: u8) -> String {
    if c.is_ascii_graphic() {
        format!("`{}`", c as char)
    } else {
        format!("byte 0x{c:02x}")
    }
}

#[cfg(test)]
#[path = "jsonc_tests.rs"]
mod tests;
