//! The subset of SBPL (Seatbelt's Scheme dialect) creor writes: an s-expression tree, its
//! renderer, and a strict reader for checking what was rendered.
//!
//! Strings are the only place outside data enters a profile, so they get the care: the renderer
//! escapes `\` and `"` and nothing else, and refuses control characters (a path with a newline
//! would render as two visual lines and depends on escape sequences Apple does not document).
//! The reader accepts exactly what the renderer can produce — `\\` and `\"` escapes, no raw
//! `#"…"` strings — so a parse of the output shows the tree the kernel's reader will see.

use std::fmt::{self, Write as _};

/// One s-expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Sexp {
    /// A bare word: an operation (`file-read*`), filter name (`subpath`) or number (`1`).
    Sym(String),
    /// A string literal; held unescaped.
    Str(String),
    /// A parenthesised list.
    List(Vec<Sexp>),
}

impl Sexp {
    /// A symbol. Symbols come from creor's own code, never from input.
    pub fn sym(s: &str) -> Sexp {
        Sexp::Sym(s.to_owned())
    }

    /// A string literal (escaped when rendered).
    pub fn str(s: &str) -> Sexp {
        Sexp::Str(s.to_owned())
    }

    /// `(head args…)`.
    pub fn list(head: &str, args: impl IntoIterator<Item = Sexp>) -> Sexp {
        let mut items = vec![Sexp::sym(head)];
        items.extend(args);
        Sexp::List(items)
    }

    /// `(filter "value")`, the common shape of path and name filters.
    pub fn filter(name: &str, value: &str) -> Sexp {
        Sexp::list(name, [Sexp::str(value)])
    }

    /// The head symbol of a list, if any.
    pub fn head(&self) -> Option<&str> {
        match self {
            Sexp::List(items) => match items.first() {
                Some(Sexp::Sym(s)) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// The items after the head of a list (empty for atoms).
    pub fn args(&self) -> &[Sexp] {
        match self {
            Sexp::List(items) if !items.is_empty() => &items[1..],
            _ => &[],
        }
    }
}

/// Why a string cannot be written into a profile, or why profile text does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SbplError {
    /// A string holds a character creor refuses to put in a profile.
    #[error("string {value:?} contains control character U+{code:04X}")]
    ControlChar {
        /// The offending string.
        value: String,
        /// The character's code point.
        code: u32,
    },
    /// The text is not a well-formed s-expression.
    #[error("profile offset {offset}: {message}")]
    Syntax {
        /// Byte offset into the text.
        offset: usize,
        /// What is wrong there.
        message: String,
    },
}

/// Checks that `value` can be rendered as an SBPL string: no control characters (NUL, newline,
/// tab, DEL, C1 controls). Everything else, including quotes, backslashes, parentheses and any
/// Unicode, is representable.
pub fn check_string(value: &str) -> Result<(), SbplError> {
    match value.chars().find(|c| c.is_control()) {
        Some(c) => Err(SbplError::ControlChar {
            value: value.to_owned(),
            code: u32::from(c),
        }),
        None => Ok(()),
    }
}

/// Renders `value` as an SBPL string literal: `"` + value with `\` → `\\`, `"` → `\"` + `"`.
pub fn quote(value: &str) -> Result<String, SbplError> {
    check_string(value)?;
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '\\' || c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

/// Renders one form. Lists whose arguments are all atoms stay on one line; otherwise each
/// argument after the leading atoms goes on its own line, indented, so a rule reads as
/// "operation, then one filter per line".
pub fn render(form: &Sexp) -> Result<String, SbplError> {
    let mut out = String::new();
    render_into(form, 0, &mut out)?;
    Ok(out)
}

fn render_into(form: &Sexp, indent: usize, out: &mut String) -> Result<(), SbplError> {
    match form {
        Sexp::Sym(s) => out.push_str(s),
        Sexp::Str(s) => out.push_str(&quote(s)?),
        Sexp::List(items) => {
            let flat = items.iter().all(|i| !matches!(i, Sexp::List(_)))
                || (items.len() <= 3 && items.iter().all(is_shallow));
            out.push('(');
            let mut broke = false;
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    if !flat && (broke || matches!(item, Sexp::List(_))) {
                        broke = true;
                        out.push('\n');
                        push_indent(out, indent + 1);
                    } else {
                        out.push(' ');
                    }
                }
                render_into(item, indent + 1, out)?;
            }
            out.push(')');
        }
    }
    Ok(())
}

fn is_shallow(s: &Sexp) -> bool {
    match s {
        Sexp::List(items) => items.iter().all(|i| !matches!(i, Sexp::List(_))),
        _ => true,
    }
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// Parses profile text into its top-level forms, skipping `;` comments. Strict: only `\\` and
/// `\"` escapes, no control characters inside strings, no `#` syntax, no stray `)`.
pub fn parse(text: &str) -> Result<Vec<Sexp>, SbplError> {
    let mut reader = Reader { text, pos: 0 };
    let mut forms = Vec::new();
    loop {
        reader.skip_space();
        if reader.pos >= text.len() {
            return Ok(forms);
        }
        forms.push(reader.form()?);
    }
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn err(&self, offset: usize, message: impl fmt::Display) -> SbplError {
        let mut m = String::new();
        let _ = write!(m, "{message}");
        SbplError::Syntax { offset, message: m }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c == ';' {
                while let Some(c) = self.bump() {
                    if c == '\n' {
                        break;
                    }
                }
            } else if c.is_ascii_whitespace() {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn form(&mut self) -> Result<Sexp, SbplError> {
        self.skip_space();
        let start = self.pos;
        match self.peek() {
            None => Err(self.err(start, "unexpected end of text")),
            Some('(') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek() {
                        None => return Err(self.err(start, "unbalanced '(': no closing ')'")),
                        Some(')') => {
                            self.pos += 1;
                            return Ok(Sexp::List(items));
                        }
                        Some(_) => items.push(self.form()?),
                    }
                }
            }
            Some(')') => Err(self.err(start, "unbalanced ')'")),
            Some('"') => self.string(),
            Some('#') => Err(self.err(start, "'#' syntax (raw strings, regexes) is not used")),
            Some(c) if is_symbol_char(c) => {
                while self.peek().is_some_and(is_symbol_char) {
                    self.pos += 1;
                }
                Ok(Sexp::Sym(self.text[start..self.pos].to_owned()))
            }
            Some(c) => Err(self.err(start, format_args!("unexpected character {c:?}"))),
        }
    }

    fn string(&mut self) -> Result<Sexp, SbplError> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            let at = self.pos;
            match self.bump() {
                None => return Err(self.err(start, "unterminated string")),
                Some('"') => return Ok(Sexp::Str(value)),
                Some('\\') => match self.bump() {
                    Some(c @ ('\\' | '"')) => value.push(c),
                    Some(c) => return Err(self.err(at, format_args!("invalid escape \\{c}"))),
                    None => return Err(self.err(start, "unterminated string")),
                },
                Some(c) if c.is_control() => {
                    return Err(self.err(at, format_args!("control character {c:?} in string")))
                }
                Some(c) => value.push(c),
            }
        }
    }
}

fn is_symbol_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-*_.:!?+/<>=".contains(c)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn quote_escapes_backslash_and_quote_only() {
        assert_eq!(quote(r#"/a"b\c(d)é"#).unwrap(), r#""/a\"b\\c(d)é""#);
    }

    #[test]
    fn quote_refuses_control_characters() {
        for bad in ["a\nb", "a\0b", "a\rb", "a\tb", "a\u{7f}b", "a\u{85}b"] {
            let err = quote(bad).unwrap_err();
            assert!(matches!(err, SbplError::ControlChar { .. }), "{bad:?}");
        }
    }

    #[test]
    fn render_then_parse_round_trips() {
        let form = Sexp::list(
            "allow",
            [
                Sexp::sym("file-read*"),
                Sexp::filter("subpath", "/x\"y\\z"),
                Sexp::list(
                    "require-all",
                    [
                        Sexp::filter("subpath", "/p"),
                        Sexp::list("require-not", [Sexp::filter("literal", "/p/)")]),
                    ],
                ),
            ],
        );
        let text = render(&form).unwrap();
        assert_eq!(parse(&text).unwrap(), vec![form]);
    }

    #[test]
    fn parse_rejects_malformed_text() {
        for (bad, what) in [
            ("(allow", "no closing"),
            ("(allow))", "unbalanced ')'"),
            ("(a \"x)", "unterminated"),
            ("(a \"x\\n\")", "invalid escape"),
            ("(a #\"x\")", "'#' syntax"),
            ("(a \"x\ny\")", "control character"),
            ("(a {)", "unexpected character"),
        ] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.contains(what), "{bad:?}: {err}");
        }
    }

    #[test]
    fn parse_skips_comments_but_not_inside_strings() {
        let forms = parse("; hi (\n(a \"; not a comment\") ; tail\n").unwrap();
        assert_eq!(forms, vec![Sexp::list("a", [Sexp::str("; not a comment")])]);
    }
}
