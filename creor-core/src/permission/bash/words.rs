//! Quote removal: turning a tree-sitter word node into its value, noting what is unknown
//! until run time (expansions, substitutions) and what bash would still expand (globs).

use tree_sitter::Node;

use super::units::Word;

enum Part {
    Lit { text: String, quoted: bool },
    Home,
    Dynamic(String),
}

/// Evaluates a word-like node (`word`, `string`, `raw_string`, `concatenation`, …).
pub fn word(node: Node<'_>, src: &[u8]) -> Word {
    let raw = text(node, src).to_string();
    let mut parts = Vec::new();
    collect(node, src, &mut parts);
    let mut out = Word {
        raw,
        ..Word::default()
    };
    let mut path = Some(String::new());
    let mut unquoted_text = String::new();
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Lit { text, quoted } => {
                out.text.push_str(text);
                if *quoted {
                    // Quoted characters never expand; keep the positions apart.
                    unquoted_text.push(' ');
                } else {
                    unquoted_text.push_str(text);
                }
                if let Some(p) = path.as_mut() {
                    if i == 0 && text.starts_with('~') {
                        let rest = &text[1..];
                        if rest.is_empty() || rest.starts_with('/') {
                            p.push('~');
                            p.push_str(rest);
                        } else {
                            // `~user`: another user's home, unknown here.
                            path = None;
                        }
                    } else {
                        p.push_str(text);
                    }
                }
            }
            Part::Home => {
                out.text.push_str("$HOME");
                match path.as_mut() {
                    Some(p) if i == 0 => p.push('~'),
                    _ => path = None,
                }
            }
            Part::Dynamic(raw) => {
                // Unknown parts stay visible, as written, in the normalised text.
                out.text.push_str(raw);
                out.dynamic = true;
                path = None;
            }
        }
    }
    out.glob = has_glob(&unquoted_text);
    out.path = path;
    out
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '[']) || (s.contains('{') && s.contains('}'))
}

fn text<'a>(node: Node<'_>, src: &'a [u8]) -> &'a str {
    node.utf8_text(src).unwrap_or("")
}

fn collect(node: Node<'_>, src: &[u8], parts: &mut Vec<Part>) {
    match node.kind() {
        "command_name" => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                collect(child, src, parts);
            }
        }
        "word" | "number" | "file_descriptor" => unquoted(text(node, src), parts),
        "raw_string" => {
            let t = text(node, src);
            let inner = t
                .strip_prefix('\'')
                .and_then(|t| t.strip_suffix('\''))
                .unwrap_or(t);
            parts.push(Part::Lit {
                text: inner.to_string(),
                quoted: true,
            });
        }
        "ansi_c_string" => match ansi_c(text(node, src)) {
            Some(s) => parts.push(Part::Lit {
                text: s,
                quoted: true,
            }),
            None => parts.push(Part::Dynamic(text(node, src).to_string())),
        },
        "string" => double_quoted(node, src, parts),
        "translated_string" => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                collect(child, src, parts);
            }
        }
        "concatenation" => {
            let mut pos = node.start_byte();
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                if child.start_byte() > pos {
                    unquoted(
                        std::str::from_utf8(&src[pos..child.start_byte()]).unwrap_or(""),
                        parts,
                    );
                }
                collect(child, src, parts);
                pos = child.end_byte();
            }
            if node.end_byte() > pos {
                unquoted(
                    std::str::from_utf8(&src[pos..node.end_byte()]).unwrap_or(""),
                    parts,
                );
            }
        }
        "simple_expansion" | "expansion" => {
            let t = text(node, src);
            if t == "$HOME" || t == "${HOME}" {
                parts.push(Part::Home);
            } else {
                parts.push(Part::Dynamic(t.to_string()));
            }
        }
        "brace_expression" => parts.push(Part::Lit {
            text: text(node, src).to_string(),
            quoted: false,
        }),
        _ => parts.push(Part::Dynamic(text(node, src).to_string())),
    }
}

/// An unquoted run: backslash escapes removed (an escaped character is quoted).
fn unquoted(t: &str, parts: &mut Vec<Part>) {
    let mut plain = String::new();
    let mut chars = t.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') | None => {}
                Some(e) => {
                    if !plain.is_empty() {
                        parts.push(Part::Lit {
                            text: std::mem::take(&mut plain),
                            quoted: false,
                        });
                    }
                    parts.push(Part::Lit {
                        text: e.to_string(),
                        quoted: true,
                    });
                }
            }
        } else {
            plain.push(c);
        }
    }
    if !plain.is_empty() {
        parts.push(Part::Lit {
            text: plain,
            quoted: false,
        });
    }
}

fn double_quoted(node: Node<'_>, src: &[u8], parts: &mut Vec<Part>) {
    let start = node.start_byte();
    let end = node.end_byte();
    let body_start = (start + 1).min(end);
    let body_end = if end > body_start && src.get(end - 1) == Some(&b'"') {
        end - 1
    } else {
        end
    };
    let mut pos = body_start;
    let mut lit = String::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if child.start_byte() > pos {
            lit.push_str(&unescape_dq(
                std::str::from_utf8(&src[pos..child.start_byte().min(body_end)]).unwrap_or(""),
            ));
        }
        match child.kind() {
            "string_content" => lit.push_str(&unescape_dq(text(child, src))),
            "simple_expansion" | "expansion" => {
                let t = text(child, src);
                if !lit.is_empty() {
                    parts.push(Part::Lit {
                        text: std::mem::take(&mut lit),
                        quoted: true,
                    });
                }
                if t == "$HOME" || t == "${HOME}" {
                    parts.push(Part::Home);
                } else {
                    parts.push(Part::Dynamic(t.to_string()));
                }
            }
            _ => {
                if !lit.is_empty() {
                    parts.push(Part::Lit {
                        text: std::mem::take(&mut lit),
                        quoted: true,
                    });
                }
                parts.push(Part::Dynamic(text(child, src).to_string()));
            }
        }
        pos = child.end_byte();
    }
    if body_end > pos {
        lit.push_str(&unescape_dq(
            std::str::from_utf8(&src[pos..body_end]).unwrap_or(""),
        ));
    }
    // An empty string is still a (quoted, empty) word.
    parts.push(Part::Lit {
        text: lit,
        quoted: true,
    });
}

/// Inside double quotes only `\$`, `` \` ``, `\"`, `\\` and backslash-newline are escapes.
fn unescape_dq(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('$' | '`' | '"' | '\\') => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                Some('\n') => {
                    chars.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes `$'…'`; `None` for escapes it does not know (the word is then dynamic).
fn ansi_c(t: &str) -> Option<String> {
    let inner = t.strip_prefix("$'")?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            '\\' | '\'' | '"' | '?' => out.push(e),
            'x' => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 {
                    match chars.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            chars.next();
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 {
                    return None;
                }
                out.push(char::from_u32(v)?);
            }
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v)?);
            }
            _ => return None,
        }
    }
    Some(out)
}
