//! Inline suppression markers: a line saying `creor:allow` (or `gitleaks:allow`, or
//! `pragma: allowlist secret`) is not reported; `creor:allow-next-line` covers the line below.

use memchr::memmem;

const ALLOW: &[u8] = b"creor:allow";
const NEXT_LINE: &[u8] = b"-next-line";
const OTHERS: &[&[u8]] = &[b"gitleaks:allow", b"pragma: allowlist secret"];

/// Whether `line` suppresses findings on itself.
pub(crate) fn allows_this_line(line: &[u8]) -> bool {
    if OTHERS.iter().any(|m| memmem::find(line, m).is_some()) {
        return true;
    }
    memmem::find_iter(line, ALLOW).any(|i| !line[i + ALLOW.len()..].starts_with(NEXT_LINE))
}

/// Whether `line` suppresses findings on the line after it.
pub(crate) fn allows_next_line(line: &[u8]) -> bool {
    memmem::find_iter(line, ALLOW).any(|i| line[i + ALLOW.len()..].starts_with(NEXT_LINE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert!(allows_this_line(b"key = 'x' # creor:allow"));
        assert!(allows_this_line(b"key = 'x' // gitleaks:allow"));
        assert!(allows_this_line(b"key = 'x'  # pragma: allowlist secret"));
        assert!(!allows_this_line(b"# creor:allow-next-line"));
        assert!(allows_next_line(b"# creor:allow-next-line"));
        assert!(!allows_next_line(b"key = 'x' # creor:allow"));
        assert!(!allows_this_line(b"key = 'x'"));
    }
}
