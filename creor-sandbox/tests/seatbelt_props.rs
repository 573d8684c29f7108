//! Property tests: hostile path names never change the rule structure of a profile.
//!
//! For any path component (quotes, backslashes, parentheses, `;`, `#`, spaces, any Unicode),
//! the generated profile parses to the same tree of forms as a profile for a benign name, with
//! every string atom replaced by a placeholder; and the hostile path appears as one string atom,
//! unchanged. Names with control characters (newline, NUL, …) are refused, naming the path.

#![allow(clippy::unwrap_used)]

mod seatbelt_support;

use std::path::PathBuf;

use creor_sandbox::seatbelt::sbpl::{self, Sexp};
use creor_sandbox::seatbelt::{self, wellformed};
use creor_sandbox::SandboxError;
use proptest::prelude::*;
use seatbelt_support::{default_policy, options};

/// The tree with every string replaced by `""`: what a profile *does*, not which paths.
fn shape(form: &Sexp) -> Sexp {
    match form {
        Sexp::Str(_) => Sexp::Str(String::new()),
        Sexp::Sym(s) => Sexp::Sym(s.clone()),
        Sexp::List(items) => Sexp::List(items.iter().map(shape).collect()),
    }
}

fn strings(form: &Sexp, out: &mut Vec<String>) {
    match form {
        Sexp::Str(s) => out.push(s.clone()),
        Sexp::Sym(_) => {}
        Sexp::List(items) => items.iter().for_each(|i| strings(i, out)),
    }
}

fn policy_with(
    project_leaf: &str,
    rw_leaf: &str,
    hidden_leaf: &str,
) -> creor_sandbox::SandboxPolicy {
    let mut policy = default_policy();
    policy.project = PathBuf::from("/Users/alice/src").join(project_leaf);
    policy.cwd = policy.project.clone();
    policy.read_write = vec![PathBuf::from("/Volumes/data").join(rw_leaf)];
    policy
        .hidden
        .push(PathBuf::from("/Users/alice/private").join(hidden_leaf));
    policy
}

/// One path component: hostile ASCII or arbitrary Unicode, never `/`, `.` or `..`.
fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\"\\\\()\\[\\];#'` a-z*?{}|<>=]{1,16}",
        "\\PC{1,12}",
        any::<String>(),
    ]
    .prop_map(|s| {
        s.replace('/', "_")
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
    })
    .prop_filter("a usable name", |s| !s.is_empty() && s != "." && s != "..")
}

fn benign_forms() -> Vec<Sexp> {
    let text = seatbelt::generate(&policy_with("app", "cache", "secret"), &options()).unwrap();
    sbpl::parse(&text).unwrap()
}

/// Arbitrary s-expression trees of the shapes the renderer emits: symbols from a fixed
/// vocabulary (symbols never come from input), strings of any content without control
/// characters, nested lists headed by a symbol.
fn sexp() -> impl Strategy<Value = Sexp> {
    let sym = prop::sample::select(vec![
        "allow",
        "deny",
        "file-read*",
        "subpath",
        "1",
        "AF_UNIX",
    ])
    .prop_map(Sexp::sym);
    let string =
        any::<String>().prop_map(|s| Sexp::Str(s.chars().filter(|c| !c.is_control()).collect()));
    let leaf = prop_oneof![sym.clone(), string];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        (sym.clone(), prop::collection::vec(inner, 0..6)).prop_map(|(head, rest)| {
            let mut items = vec![head];
            items.extend(rest);
            Sexp::List(items)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn render_then_parse_is_the_identity(form in sexp().prop_filter("a list", |f| matches!(f, Sexp::List(_)))) {
        let text = sbpl::render(&form).unwrap();
        prop_assert_eq!(sbpl::parse(&text).unwrap(), vec![form]);
    }

    #[test]
    fn the_reader_and_checker_never_panic(text in any::<String>()) {
        let _ = sbpl::parse(&text);
        let _ = wellformed::check(&text);
    }

    #[test]
    fn hostile_names_keep_the_rule_structure(
        project in component(),
        rw in component(),
        hidden in component(),
    ) {
        let policy = policy_with(&project, &rw, &hidden);
        let text = seatbelt::generate(&policy, &options()).unwrap();
        wellformed::check(&text).unwrap();
        let forms = sbpl::parse(&text).unwrap();
        let want: Vec<Sexp> = benign_forms().iter().map(shape).collect();
        let got: Vec<Sexp> = forms.iter().map(shape).collect();
        prop_assert_eq!(got, want);

        let mut atoms = Vec::new();
        forms.iter().for_each(|f| strings(f, &mut atoms));
        let project_path = format!("/Users/alice/src/{project}");
        let rw_path = format!("/Volumes/data/{rw}");
        let hidden_path = format!("/Users/alice/private/{hidden}");
        for path in [&project_path, &rw_path, &hidden_path] {
            prop_assert!(atoms.iter().any(|a| a == path), "{path:?} is not a string atom");
        }
        // Mapping each hostile root back to its benign name gives exactly the benign profile's
        // strings: nothing was split, merged, dropped or invented.
        let map = |atom: &str| -> String {
            for (hostile, benign) in [
                (&project_path, "/Users/alice/src/app"),
                (&rw_path, "/Volumes/data/cache"),
                (&hidden_path, "/Users/alice/private/secret"),
            ] {
                if let Some(rest) = atom.strip_prefix(hostile.as_str()) {
                    if rest.is_empty() || rest.starts_with('/') {
                        return format!("{benign}{rest}");
                    }
                }
            }
            atom.to_owned()
        };
        let mut mapped: Vec<String> = atoms.iter().map(|a| map(a)).collect();
        let mut benign = Vec::new();
        benign_forms().iter().for_each(|f| strings(f, &mut benign));
        mapped.sort();
        benign.sort();
        prop_assert_eq!(mapped, benign);
    }

    #[test]
    fn control_characters_are_refused_naming_the_path(
        before in "[a-z]{0,4}",
        bad in prop::sample::select(vec!['\n', '\r', '\0', '\t', '\u{7f}', '\u{85}', '\u{1b}']),
        after in "[a-z]{0,4}",
        slot in 0..3usize,
    ) {
        let name = format!("{before}{bad}{after}");
        let mut names = ["app".to_owned(), "cache".to_owned(), "secret".to_owned()];
        names[slot] = name.clone();
        let policy = policy_with(&names[0], &names[1], &names[2]);
        match seatbelt::generate(&policy, &options()) {
            Err(SandboxError::Path { path, reason }) => {
                prop_assert!(path.to_string_lossy().contains(&name), "{path:?}");
                prop_assert!(reason.contains("control character"), "{reason}");
            }
            other => prop_assert!(false, "expected a path error, got {other:?}"),
        }
    }

    #[test]
    fn any_renderable_string_round_trips_as_one_atom(value in any::<String>()) {
        let form = Sexp::list("allow", [Sexp::sym("file-read*"), Sexp::filter("subpath", &value)]);
        match sbpl::render(&form) {
            Ok(text) => prop_assert_eq!(sbpl::parse(&text).unwrap(), vec![form]),
            Err(_) => prop_assert!(value.chars().any(char::is_control)),
        }
    }
}
