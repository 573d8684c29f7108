//! The redaction seam: every tool result passes through a [`Redactor`] before the model, the
//! event stream or the audit log sees it.

/// Text with secrets replaced, and which rules fired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redaction {
    /// The redacted text.
    pub text: String,
    /// Ids of the rules that matched (never the secrets).
    pub findings: Vec<String>,
}

/// Removes secrets from text.
pub trait Redactor: Send + Sync {
    /// Returns `text` with every secret replaced.
    fn redact(&self, text: &str) -> Redaction;
}

/// A redactor over the secret scanner's `redact` function.
#[derive(Debug, Clone, Copy, Default)]
pub struct FnRedactor<F>(pub F);

impl<F> Redactor for FnRedactor<F>
where
    F: Fn(&str) -> Redaction + Send + Sync,
{
    fn redact(&self, text: &str) -> Redaction {
        (self.0)(text)
    }
}

/// The secret scanner is the production redactor.
impl Redactor for crate::secrets::Scanner {
    fn redact(&self, text: &str) -> Redaction {
        let (text, found) = crate::secrets::Scanner::redact(self, text);
        Redaction {
            text,
            findings: found.into_iter().map(|f| f.rule).collect(),
        }
    }
}
