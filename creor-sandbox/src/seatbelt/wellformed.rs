//! A checker for the profiles creor generates: parse them back and refuse anything that is not
//! well-formed, uses vocabulary creor does not write, or whose meaning could depend on rule
//! order.
//!
//! Checks, in order:
//! 1. syntax: balanced forms, terminated strings, only `\\` and `\"` escapes ([`super::sbpl`]);
//! 2. shape: `(version 1)` first, `(deny default)` second and once, never `(allow default)`;
//!    every other form is `(allow|deny OP… FILTER…)` with known operations and filters, and
//!    path filters hold clean absolute paths;
//! 3. no duplicate rule and no contradictory pair (the same operation and filter both allowed
//!    and denied);
//! 4. order independence: no allow may match inside a denied path unless it carves that path out
//!    with `require-not`. Seatbelt's precedence between overlapping allow and deny rules is
//!    then irrelevant: the deny is the only rule that can match there.

use std::collections::HashMap;

use super::paths;
use super::sbpl::{self, SbplError, Sexp};

/// Operations creor writes. Anything else is a typo `sandbox-exec` would reject at run time.
pub const KNOWN_OPERATIONS: &[&str] = &[
    "file-read*",
    "file-read-data",
    "file-read-metadata",
    "file-read-xattr",
    "file-write*",
    "file-write-data",
    "file-write-create",
    "file-write-unlink",
    "file-link",
    "file-clone",
    "file-ioctl",
    "file-map-executable",
    "process-exec",
    "process-fork",
    "process-info*",
    "signal",
    "mach-lookup",
    "mach-host*",
    "system-socket",
    "sysctl-read",
    "ipc-posix-shm-read-data",
    "ipc-posix-sem",
    "network-outbound",
    "network-inbound",
    "network-bind",
    "network*",
];

/// Why a profile is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WellformedError {
    /// Not parseable.
    #[error("syntax: {0}")]
    Syntax(#[from] SbplError),
    /// Parseable but not a profile creor would write.
    #[error("form {index}: {message}: {form}")]
    Shape {
        /// 0-based index of the top-level form.
        index: usize,
        /// What is wrong.
        message: String,
        /// The form, re-rendered.
        form: String,
    },
    /// The same rule appears twice.
    #[error("duplicate rule: ({action} {operation} {filter})")]
    Duplicate {
        /// `allow` or `deny`.
        action: String,
        /// The operation.
        operation: String,
        /// The filter, rendered (`*` when unfiltered).
        filter: String,
    },
    /// The same operation and filter are both allowed and denied.
    #[error("contradictory rules: {operation} {filter} is both allowed and denied")]
    Contradiction {
        /// The operation.
        operation: String,
        /// The filter, rendered.
        filter: String,
    },
    /// An allow could match inside a denied path, so the outcome would depend on rule order.
    #[error("allow {operation} {filter} can match inside denied {denied} without require-not")]
    Reopens {
        /// The allow's operation.
        operation: String,
        /// The allow's filter, rendered.
        filter: String,
        /// The denied path filter, rendered.
        denied: String,
    },
}

/// What a successful check saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Top-level allow/deny forms (excluding `(deny default)`).
    pub rules: usize,
    /// (action, operation, filter) triples after expanding each rule.
    pub atoms: usize,
}

/// One expanded rule: an action on one operation under one top-level filter (or none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Atom<'a> {
    allow: bool,
    op: &'a str,
    filter: Option<&'a Sexp>,
}

fn show(form: &Sexp) -> String {
    sbpl::render(form).unwrap_or_else(|_| format!("{form:?}"))
}

fn show_filter(filter: Option<&Sexp>) -> String {
    filter.map_or_else(|| "*".to_owned(), |f| show(f).replace('\n', " "))
}

/// Checks a profile. See the module doc for what is checked.
pub fn check(text: &str) -> Result<Summary, WellformedError> {
    let forms = sbpl::parse(text)?;
    let shape = |index: usize, message: &str| WellformedError::Shape {
        index,
        message: message.to_owned(),
        form: forms.get(index).map(show).unwrap_or_default(),
    };
    let version = Sexp::list("version", [Sexp::sym("1")]);
    let deny_default = Sexp::list("deny", [Sexp::sym("default")]);
    if forms.first() != Some(&version) {
        return Err(shape(0, "a profile starts with (version 1)"));
    }
    if forms.get(1) != Some(&deny_default) {
        return Err(shape(1, "the second form must be (deny default)"));
    }

    let mut atoms: Vec<Atom<'_>> = Vec::new();
    for (index, form) in forms.iter().enumerate().skip(2) {
        let allow = match form.head() {
            Some("allow") => true,
            Some("deny") => false,
            _ => return Err(shape(index, "only allow and deny rules may follow")),
        };
        let args = form.args();
        let ops: Vec<&str> = args
            .iter()
            .map_while(|a| match a {
                Sexp::Sym(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        if ops.is_empty() {
            return Err(shape(index, "a rule names at least one operation"));
        }
        for op in &ops {
            if *op == "default" {
                return Err(shape(index, "default may only be denied, once, at the top"));
            }
            if !KNOWN_OPERATIONS.contains(op) {
                return Err(shape(index, &format!("unknown operation {op}")));
            }
        }
        let filters = &args[ops.len()..];
        for f in filters {
            check_filter(f).map_err(|m| shape(index, &m))?;
        }
        for op in ops {
            if filters.is_empty() {
                atoms.push(Atom {
                    allow,
                    op,
                    filter: None,
                });
            }
            for f in filters {
                atoms.push(Atom {
                    allow,
                    op,
                    filter: Some(f),
                });
            }
        }
    }

    let mut seen: HashMap<(&str, Option<&Sexp>), bool> = HashMap::new();
    for atom in &atoms {
        match seen.insert((atom.op, atom.filter), atom.allow) {
            Some(prev) if prev == atom.allow => {
                return Err(WellformedError::Duplicate {
                    action: if atom.allow { "allow" } else { "deny" }.to_owned(),
                    operation: atom.op.to_owned(),
                    filter: show_filter(atom.filter),
                })
            }
            Some(_) => {
                return Err(WellformedError::Contradiction {
                    operation: atom.op.to_owned(),
                    filter: show_filter(atom.filter),
                })
            }
            None => {}
        }
    }

    for deny in atoms.iter().filter(|a| !a.allow) {
        let Some(denied) = deny.filter.and_then(path_filter) else {
            continue;
        };
        for allow in atoms
            .iter()
            .filter(|a| a.allow && ops_overlap(a.op, deny.op))
        {
            let reopens = match allow.filter {
                None => true,
                Some(f) => may_match_inside(f, &denied),
            };
            if reopens {
                return Err(WellformedError::Reopens {
                    operation: allow.op.to_owned(),
                    filter: show_filter(allow.filter),
                    denied: show_filter(deny.filter),
                });
            }
        }
    }

    Ok(Summary {
        rules: forms.len() - 2,
        atoms: atoms.len(),
    })
}

/// Whether two operations can apply to the same access (`file-read*` covers
/// `file-read-metadata`).
pub fn ops_overlap(a: &str, b: &str) -> bool {
    fn covers(wide: &str, narrow: &str) -> bool {
        wide == narrow
            || wide
                .strip_suffix('*')
                .is_some_and(|prefix| narrow.starts_with(prefix))
    }
    covers(a, b) || covers(b, a)
}

fn check_filter(f: &Sexp) -> Result<(), String> {
    let args = f.args();
    let one_string = || match args {
        [Sexp::Str(s)] => Ok(s.as_str()),
        _ => Err(format!("{} takes one string", f.head().unwrap_or("filter"))),
    };
    match f.head() {
        Some("literal" | "subpath") => {
            let p = one_string()?;
            match paths::validate(std::path::Path::new(p)) {
                Ok(clean) if clean == p => Ok(()),
                _ => Err(format!("path {p:?} is not clean and absolute")),
            }
        }
        Some("global-name" | "sysctl-name" | "sysctl-name-prefix" | "ipc-posix-name") => {
            one_string().map(|_| ())
        }
        Some("target") => match args {
            [Sexp::Sym(s)] if s == "same-sandbox" || s == "self" => Ok(()),
            _ => Err("target takes same-sandbox or self".into()),
        },
        Some("remote" | "local") => match args {
            [Sexp::Sym(kind), Sexp::Str(addr)]
                if matches!(kind.as_str(), "ip" | "tcp" | "udp") && valid_address(addr) =>
            {
                Ok(())
            }
            _ => Err("network filter takes ip|tcp|udp and \"localhost|*:port|*\"".into()),
        },
        Some("socket-domain") => match args {
            [Sexp::Sym(s)] if matches!(s.as_str(), "AF_UNIX" | "AF_INET" | "AF_INET6") => Ok(()),
            _ => Err("socket-domain takes AF_UNIX, AF_INET or AF_INET6".into()),
        },
        Some("socket-type") => match args {
            [Sexp::Sym(s)] if matches!(s.as_str(), "SOCK_STREAM" | "SOCK_DGRAM") => Ok(()),
            _ => Err("socket-type takes SOCK_STREAM or SOCK_DGRAM".into()),
        },
        Some("require-all" | "require-any") if !args.is_empty() => {
            args.iter().try_for_each(check_filter)
        }
        Some("require-not") => match args {
            [inner] => check_filter(inner),
            _ => Err("require-not takes one filter".into()),
        },
        _ => Err(format!("unknown filter {}", show(f))),
    }
}

fn valid_address(addr: &str) -> bool {
    let Some((host, port)) = addr.rsplit_once(':') else {
        return false;
    };
    matches!(host, "localhost" | "*") && (port == "*" || port.parse::<u16>().is_ok())
}

/// A path filter as (is_subpath, path).
fn path_filter(f: &Sexp) -> Option<(bool, String)> {
    match (f.head(), f.args()) {
        (Some("subpath"), [Sexp::Str(p)]) => Some((true, p.clone())),
        (Some("literal"), [Sexp::Str(p)]) => Some((false, p.clone())),
        _ => None,
    }
}

/// Whether an allow filter can match some path inside the denied region. Conservative: filters
/// it does not understand are assumed to match.
fn may_match_inside(f: &Sexp, denied: &(bool, String)) -> bool {
    let (deny_subpath, d) = denied;
    if let Some((subpath, p)) = path_filter(f) {
        return match (subpath, deny_subpath) {
            (false, false) => p == *d,
            (false, true) => paths::is_within(&p, d),
            (true, false) => paths::is_within(d, &p),
            (true, true) => paths::is_within(d, &p) || paths::is_within(&p, d),
        };
    }
    match f.head() {
        Some("require-any") => f.args().iter().any(|a| may_match_inside(a, denied)),
        Some("require-all") => {
            let excluded = f.args().iter().any(|a| {
                a.head() == Some("require-not")
                    && a.args()
                        .first()
                        .and_then(path_filter)
                        .is_some_and(|(subpath, q)| match (subpath, deny_subpath) {
                            (true, _) => paths::is_within(d, &q),
                            (false, false) => q == *d,
                            (false, true) => false,
                        })
            });
            !excluded
                && f.args()
                    .iter()
                    .filter(|a| a.head() != Some("require-not"))
                    .all(|a| may_match_inside(a, denied))
        }
        // Network, name and process filters never name a file path.
        Some(
            "global-name" | "sysctl-name" | "sysctl-name-prefix" | "ipc-posix-name" | "target"
            | "remote" | "local" | "socket-domain" | "socket-type",
        ) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const HEAD: &str = "(version 1)\n(deny default)\n";

    fn check_body(body: &str) -> Result<Summary, WellformedError> {
        check(&format!("{HEAD}{body}"))
    }

    #[test]
    fn accepts_guarded_allow_with_restated_deny() {
        let s = check_body(
            r#"(allow file-write* (require-all (subpath "/p") (require-not (subpath "/p/.git/hooks")) (require-not (literal "/p/.git"))))
(deny file-write* (subpath "/p/.git/hooks") (literal "/p/.git"))"#,
        )
        .unwrap();
        assert_eq!(s, Summary { rules: 2, atoms: 3 });
    }

    #[test]
    fn base_profile_is_wellformed() {
        check(super::super::BASE_PROFILE).unwrap();
    }

    #[test]
    fn refuses_bad_heads() {
        assert!(matches!(
            check("(deny default)\n(version 1)").unwrap_err(),
            WellformedError::Shape { index: 0, .. }
        ));
        assert!(matches!(
            check("(version 1)\n(allow default)").unwrap_err(),
            WellformedError::Shape { index: 1, .. }
        ));
        for body in [
            "(deny default)",
            "(allow default)",
            "(import \"system.sb\")",
            "(define x 1)",
            "(allow file-reed* (subpath \"/x\"))",
            "(allow (subpath \"/x\"))",
            "(allow file-read* (subpath \"x\"))",
            "(allow file-read* (subpath \"/x/\"))",
            "(allow file-read* (subpath \"/x/../y\"))",
            "(allow file-read* (regex \"/x\"))",
            "(allow file-read* (subpath \"/x\" \"/y\"))",
            "(allow network-outbound (remote tcp \"example.com:443\"))",
            "(allow signal (target others))",
            "(allow file-read* (require-not (subpath \"/a\") (subpath \"/b\")))",
        ] {
            let err = check_body(body).unwrap_err();
            assert!(
                matches!(err, WellformedError::Shape { .. }),
                "{body}: {err}"
            );
        }
    }

    #[test]
    fn refuses_duplicates_and_contradictions() {
        let dup =
            check_body("(allow file-read* (subpath \"/a\"))\n(allow file-read* (subpath \"/a\"))");
        assert!(matches!(
            dup.unwrap_err(),
            WellformedError::Duplicate { .. }
        ));
        let dup_in_one = check_body("(allow mach-lookup (global-name \"x\") (global-name \"x\"))");
        assert!(matches!(
            dup_in_one.unwrap_err(),
            WellformedError::Duplicate { .. }
        ));
        let contra =
            check_body("(allow file-read* (subpath \"/a\"))\n(deny file-read* (subpath \"/a\"))");
        assert!(matches!(
            contra.unwrap_err(),
            WellformedError::Contradiction { .. }
        ));
    }

    #[test]
    fn refuses_allows_that_reopen_denied_paths() {
        for body in [
            // A writable root containing a denied path without carving it out.
            "(allow file-write* (subpath \"/p\"))\n(deny file-write* (subpath \"/p/.git/hooks\"))",
            // Carving out the wrong path.
            "(allow file-write* (require-all (subpath \"/p\") (require-not (subpath \"/p/x\"))))\n(deny file-write* (subpath \"/p/.git/hooks\"))",
            // A literal deny of the root node, carved out by nothing.
            "(allow file-write* (subpath \"/p\"))\n(deny file-write* (literal \"/p\"))",
            // A narrower op still overlaps the wildcard.
            "(allow file-read-metadata (literal \"/h/.ssh/id\"))\n(deny file-read* (subpath \"/h/.ssh\"))",
            // An unfiltered allow.
            "(allow file-read*)\n(deny file-read* (subpath \"/h/.ssh\"))",
            // A grant inside the denied tree, carve-outs do not help.
            "(allow file-read* (subpath \"/h/.ssh/x\"))\n(deny file-read* (subpath \"/h/.ssh\"))",
        ] {
            let err = check_body(body).unwrap_err();
            assert!(matches!(err, WellformedError::Reopens { .. }), "{body}: {err}");
        }
        // Unrelated operations do not conflict.
        check_body("(allow network-outbound (literal \"/h/.ssh/agent\"))\n(deny file-read* (subpath \"/h/.ssh\"))")
            .unwrap();
    }

    #[test]
    fn ops_overlap_by_wildcard() {
        assert!(ops_overlap("file-read*", "file-read-metadata"));
        assert!(ops_overlap("file-write-data", "file-write*"));
        assert!(!ops_overlap("file-read*", "file-write*"));
        assert!(!ops_overlap("file-map-executable", "file-read*"));
    }
}
