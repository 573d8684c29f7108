//! Filters a candidate secret passes before it is reported: placeholders, stopwords, rule
//! checks, and the path allowlist (lockfiles, vendored trees, binaries).

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;

use super::config::SecretAllowlist;
use super::error::{Result, SecretsError};
use super::rule::{compile_regex, Check};

/// Substrings (lower case) that mark a value as a placeholder or documentation example.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "example",
    "placeholder",
    "your_",
    "your-",
    "yourtoken",
    "yourkey",
    "yoursecret",
    "yourpassword",
    "dummy",
    "redacted",
    "xxxx",
    "****",
    "....",
    "<your",
    "insert_",
    "replace_me",
    "replaceme",
    "notasecret",
    "not_a_secret",
    "sample",
];

/// Whether `s` is a placeholder: a template or env reference (`${VAR}`, `{{ x }}`, `<token>`,
/// `$VAR`, `%VAR%`, `%(x)s`), a stock word (`changeme`, `…EXAMPLE`), a run of `x`/`*`, or a
/// value with almost no distinct characters.
pub(crate) fn is_placeholder(s: &[u8]) -> bool {
    let lower = s.to_ascii_lowercase();
    let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    if has(b"${") || has(b"{{") || has(b"}}") || has(b"%(") || has(b"[redacted") {
        return true;
    }
    if s.first() == Some(&b'<') && s.last() == Some(&b'>') {
        return true;
    }
    if s.first() == Some(&b'$')
        && s.get(1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'(' || *b == b'{')
    {
        return true;
    }
    if s.len() > 2 && s.first() == Some(&b'%') && s.last() == Some(&b'%') {
        return true;
    }
    if PLACEHOLDER_WORDS.iter().any(|w| has(w.as_bytes())) {
        return true;
    }
    let mut seen = [false; 256];
    let distinct = s
        .iter()
        .filter(|&&b| !std::mem::replace(&mut seen[usize::from(b)], true))
        .count();
    distinct <= 3
}

/// Values a generic `name = value` rule never reports even at high entropy.
fn generic_value_is_code(v: &[u8], quoted: bool) -> bool {
    let lower = v.to_ascii_lowercase();
    if matches!(
        lower.as_slice(),
        b"true" | b"false" | b"null" | b"none" | b"undefined" | b"nil"
    ) {
        return true;
    }
    // Paths and URLs (URLs with credentials have their own rule).
    if v.starts_with(b"/")
        || v.starts_with(b"./")
        || v.starts_with(b"../")
        || v.starts_with(b"~/")
        || lower.starts_with(b"http://")
        || lower.starts_with(b"https://")
        || lower.starts_with(b"file:")
    {
        return true;
    }
    // Random keys contain a digit or a symbol; words, identifiers and labels rarely do.
    let has_digit = v.iter().any(u8::is_ascii_digit);
    let has_symbol = v.iter().any(|b| b"!@#$%^&*+=~?|".contains(b));
    if !has_digit && !has_symbol {
        return true;
    }
    if v.iter().all(u8::is_ascii_digit) || is_uuid(v) || looks_like_words(v) {
        return true;
    }
    // Unquoted `token = make_token_v2` or `key = self.cfg.key1`: a code reference.
    if !quoted {
        let ident = v
            .first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && v.iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.');
        if ident && (v.contains(&b'_') || v.contains(&b'.')) {
            return true;
        }
    }
    false
}

/// Whether a value reads as words (`prod-db-credentials-2`, `UserProfileCache2`) rather than
/// random characters: split into runs (`[A-Z]?[a-z]+`, `[A-Z]+`, `[0-9]+`), words have long
/// runs while random keys change case or class every one or two characters.
fn looks_like_words(v: &[u8]) -> bool {
    let (mut runs, mut chars) = (0usize, 0usize);
    let mut prev: Option<u8> = None;
    for &b in v {
        if !b.is_ascii_alphanumeric() {
            prev = None;
            continue;
        }
        chars += 1;
        let new_run = match prev {
            None => true,
            Some(p) => {
                (p.is_ascii_digit() != b.is_ascii_digit())
                    || (p.is_ascii_lowercase() && b.is_ascii_uppercase())
            }
        };
        if new_run {
            runs += 1;
        }
        prev = Some(b);
    }
    runs > 0 && chars >= 3 * runs
}

/// `8-4-4-4-12` hex: request ids and object ids, not keys.
fn is_uuid(v: &[u8]) -> bool {
    v.len() == 36
        && v.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// Database URL passwords that are stock examples, not secrets.
const DB_PLACEHOLDERS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "test",
    "admin",
    "root",
    "user",
    "username",
    "postgres",
    "mysql",
    "redis",
    "guest",
    "mongo",
    "mongodb",
    "mariadb",
    "rabbitmq",
    "db",
    "dbpass",
    "dbpassword",
    "pw",
    "p",
    "x",
];

/// Words of a name that say its value is not secret (`public_key`, `key_id`, `tokenUrl`).
const NOT_SECRET_WORDS: &[&str] = &[
    "public",
    "publishable",
    "pub",
    "pubkey",
    "id",
    "keyid",
    "url",
    "uri",
    "endpoint",
    "path",
    "file",
    "keyfile",
    "name",
    "type",
    "hint",
    "label",
    "format",
    "length",
    "size",
    "count",
    "version",
];

/// Whether a generic rule's name says the value is not a secret. The name is split into words
/// at `_`, `-`, `.` and lower-to-upper case changes, so `securityToken` is not a `uri`.
fn generic_name_is_public(name: &[u8]) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for &b in name {
        let boundary = matches!(b, b'_' | b'-' | b'.') || (prev_lower && b.is_ascii_uppercase());
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        if !matches!(b, b'_' | b'-' | b'.') {
            cur.push(char::from(b.to_ascii_lowercase()));
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.iter().any(|w| NOT_SECRET_WORDS.contains(&w.as_str()))
}

/// Runs a rule's extra check on the candidate. `quoted` says whether the value sat in quotes;
/// `name` is what it was assigned to, for rules that capture it.
pub(crate) fn passes_check(check: Check, secret: &[u8], quoted: bool, name: &[u8]) -> bool {
    match check {
        Check::None => true,
        Check::GenericValue => {
            !generic_name_is_public(name)
                && !secret.starts_with(b"pk_live_")
                && !secret.starts_with(b"pk_test_")
                && !generic_value_is_code(secret, quoted)
        }
        Check::DbPassword => {
            let lower = secret.to_ascii_lowercase();
            !DB_PLACEHOLDERS
                .iter()
                .any(|p| p.as_bytes() == lower.as_slice())
        }
    }
}

/// Paths never scanned by default: lockfiles (integrity hashes), vendored trees, binaries.
const DEFAULT_SKIP_PATHS: &[&str] = &[
    "**/package-lock.json",
    "**/npm-shrinkwrap.json",
    "**/yarn.lock",
    "**/pnpm-lock.yaml",
    "**/bun.lock",
    "**/bun.lockb",
    "**/Cargo.lock",
    "**/poetry.lock",
    "**/Pipfile.lock",
    "**/uv.lock",
    "**/Gemfile.lock",
    "**/composer.lock",
    "**/go.sum",
    "**/flake.lock",
    "**/packages.lock.json",
    "**/node_modules/**",
    "**/vendor/**",
    "**/bower_components/**",
    "**/.git/**",
    "**/.creor/secrets-baseline.json",
    "**/*.{png,jpg,jpeg,gif,bmp,ico,webp,tif,tiff,pdf,zip,gz,tgz,bz2,xz,zst,7z,rar,jar,war,class,so,dylib,dll,exe,o,a,lib,pyc,wasm,woff,woff2,ttf,otf,eot,mp3,mp4,mov,avi,webm,ogg,flac,wav,psd,sqlite,db}",
];

/// Directory names the walker does not descend into (the same vendored trees as above).
pub(crate) const SKIP_DIRS: &[&str] = &[".git", "node_modules", "vendor", "bower_components"];

/// The compiled allowlist: built-in path skips plus creor.json `secrets.allowlist`.
#[derive(Debug, Clone)]
pub(crate) struct Allowlist {
    paths: GlobSet,
    regexes: Vec<Regex>,
    stopwords: Vec<Vec<u8>>,
}

impl Allowlist {
    /// Compiles the built-in skips and the user's allowlist.
    pub(crate) fn new(user: &SecretAllowlist) -> Result<Allowlist> {
        let mut b = GlobSetBuilder::new();
        for p in DEFAULT_SKIP_PATHS {
            b.add(Glob::new(p).map_err(|e| SecretsError::Allowlist {
                field: "paths",
                value: (*p).into(),
                message: e.to_string(),
            })?);
        }
        for p in &user.paths {
            b.add(Glob::new(p).map_err(|e| SecretsError::Allowlist {
                field: "paths",
                value: p.clone(),
                message: e.to_string(),
            })?);
        }
        let paths = b.build().map_err(|e| SecretsError::Allowlist {
            field: "paths",
            value: String::new(),
            message: e.to_string(),
        })?;
        let regexes = user
            .regexes
            .iter()
            .map(|r| {
                compile_regex("allowlist", r).map_err(|e| SecretsError::Allowlist {
                    field: "regexes",
                    value: r.clone(),
                    message: e.to_string(),
                })
            })
            .collect::<Result<_>>()?;
        let stopwords = user
            .stopwords
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_ascii_lowercase().into_bytes())
            .collect();
        Ok(Allowlist {
            paths,
            regexes,
            stopwords,
        })
    }

    /// Whether a file at `path` is skipped.
    pub(crate) fn skips_path(&self, path: &str) -> bool {
        let p = path.strip_prefix("./").unwrap_or(path);
        self.paths.is_match(p)
    }

    /// Whether the user's allowlist accepts this candidate secret.
    pub(crate) fn allows_secret(&self, secret: &[u8]) -> bool {
        if self.regexes.iter().any(|r| r.is_match(secret)) {
            return true;
        }
        if self.stopwords.is_empty() {
            return false;
        }
        let lower = secret.to_ascii_lowercase();
        self.stopwords
            .iter()
            .any(|w| lower.windows(w.len()).any(|x| x == w.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "${GITHUB_TOKEN}",
            "{{ secret_key }}",
            "<your-token>",
            "changeme123",
            "xxxxxxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "$API_KEY",
            "%API_KEY%",
            "%(password)s",
            "************",
            "[REDACTED:jwt]",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for s in ["ghp_9aZ3kQ0pLmN4bV7cX2", "S3cr3t!Pa55#w0rd"] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn generic_values() {
        let code = |v: &str, q| !passes_check(Check::GenericValue, v.as_bytes(), q, b"api_key");
        assert!(code("make_token_v2", false));
        assert!(code("self.config.key1", false));
        assert!(code("UserProfileCache", true));
        assert!(code("UserProfileCache2", true));
        assert!(code("prod-db-credentials-2", true));
        assert!(!code("Tr0ub4dor&3xyzQ", true));
        assert!(code("/home/me/.ssh/id_rsa", true));
        assert!(code("550e8400-e29b-41d4-a716-446655440000", true));
        assert!(!code("a8f5f167f44f4964e6c998dee827110c", false));
        assert!(!code("P@ss!w0rd#Zq9", true));
        let named = |n: &str| {
            passes_check(
                Check::GenericValue,
                b"a8f5f167f44f4964e6c9",
                true,
                n.as_bytes(),
            )
        };
        assert!(named("SECRET_KEY"));
        assert!(!named("publicKey"));
        assert!(!named("signing_key_id"));
        assert!(!named("token_url"));
        assert!(!named("STRIPE_PUBLISHABLE_KEY"));
        assert!(named("AWS_SECURITY_TOKEN"));
        assert!(named("securityKey"));
    }

    #[test]
    fn path_skips() {
        let a = Allowlist::new(&SecretAllowlist {
            paths: vec!["fixtures/**".into()],
            regexes: vec!["^test_".into()],
            stopwords: vec!["NotReal".into()],
        })
        .expect("compiles");
        for p in [
            "package-lock.json",
            "./web/yarn.lock",
            "node_modules/x/index.js",
            "a/vendor/b.go",
            "img/logo.png",
            "fixtures/keys.txt",
        ] {
            assert!(a.skips_path(p), "{p}");
        }
        assert!(!a.skips_path("src/main.rs"));
        assert!(!a.skips_path(".env"));
        assert!(a.allows_secret(b"test_abc"));
        assert!(a.allows_secret(b"xx-notreal-yy"));
        assert!(!a.allows_secret(b"live_abc"));
    }
}
