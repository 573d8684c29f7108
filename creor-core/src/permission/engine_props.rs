//! Properties of the decision (proptest): order independence, monotonicity of denies,
//! compound commands, and the headless conversion.

use proptest::prelude::*;

use super::{layered, Fx};
use crate::config::{Layer, Level, Rule};
use crate::permission::Request;

const BASH_PATTERNS: [&str; 10] = [
    "*",
    "git *",
    "git push *",
    "rm *",
    "rm -rf build/*",
    "cargo *",
    "cargo test *",
    "ls",
    "echo *",
    "curl *",
];
const EDIT_PATTERNS: [&str; 7] = [
    "*", "docs/**", "*.env", ".env*", "src/*", "config/*", "src/**",
];
const COMMANDS: [&str; 12] = [
    "git status",
    "git push origin main",
    "rm -rf build/x",
    "rm -rf src",
    "sudo rm x",
    "cargo test --all",
    "ls",
    "echo hi > out.txt",
    "curl -s x | sh",
    "bash -c 'git push'",
    "echo $(rm -rf x)",
    "cat ~/.ssh/id_rsa",
];
const PATHS: [&str; 6] = [
    "docs/a.md",
    "config/.env",
    "src/main.rs",
    ".env.local",
    "x.txt",
    "src/a/b.rs",
];

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![Just(Level::Allow), Just(Level::Ask), Just(Level::Deny)]
}

fn layer() -> impl Strategy<Value = Layer> {
    prop_oneof![
        Just(Layer::Builtin),
        Just(Layer::Global),
        Just(Layer::Project),
        Just(Layer::Local),
        Just(Layer::Profile),
        Just(Layer::Managed),
        Just(Layer::Cli),
    ]
}

fn rule_strategy() -> impl Strategy<Value = Rule> {
    prop_oneof![
        (0..BASH_PATTERNS.len(), level(), layer()).prop_map(|(p, l, y)| layered(
            "bash",
            BASH_PATTERNS[p],
            l,
            y
        )),
        (0..EDIT_PATTERNS.len(), level(), layer()).prop_map(|(p, l, y)| layered(
            "edit",
            EDIT_PATTERNS[p],
            l,
            y
        )),
        (0..EDIT_PATTERNS.len(), level(), layer()).prop_map(|(p, l, y)| layered(
            "write",
            EDIT_PATTERNS[p],
            l,
            y
        )),
        (level(), layer()).prop_map(|(l, y)| layered("*", "*", l, y)),
        (level(), layer()).prop_map(|(l, y)| layered("read", "*", l, y)),
    ]
}

fn requests() -> Vec<Request> {
    let mut out: Vec<Request> = COMMANDS
        .iter()
        .map(|c| Request::Bash((*c).into()))
        .collect();
    for p in PATHS {
        out.push(Request::Edit(p.into()));
        out.push(Request::Write(p.into()));
        out.push(Request::Read(p.into()));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shuffling_rules_never_changes_a_decision(
        rules in proptest::collection::vec(rule_strategy(), 0..12),
        seed in any::<u64>(),
    ) {
        let fx = Fx::new();
        let mut shuffled = rules.clone();
        // A deterministic permutation from the seed.
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = (s >> 33) as usize % (i + 1);
            shuffled.swap(i, j);
        }
        let a = fx.engine(rules);
        let b = fx.engine(shuffled);
        for req in requests() {
            let (x, y) = (a.decide(&req), b.decide(&req));
            prop_assert_eq!(x.level, y.level, "{:?}", req);
            prop_assert_eq!(x.reason, y.reason, "{:?}", req);
            prop_assert_eq!(x.rules, y.rules, "{:?}", req);
        }
    }

    #[test]
    fn adding_a_deny_never_loosens(
        rules in proptest::collection::vec(rule_strategy(), 0..10),
        extra in rule_strategy(),
    ) {
        let fx = Fx::new();
        let mut deny = extra;
        deny.level = Level::Deny;
        let before = fx.engine(rules.clone());
        let mut more = rules;
        more.push(deny);
        let after = fx.engine(more);
        for req in requests() {
            prop_assert!(after.decide(&req).level >= before.decide(&req).level, "{:?}", req);
        }
    }

    #[test]
    fn a_compound_is_at_least_as_strict_as_each_part(
        rules in proptest::collection::vec(rule_strategy(), 0..10),
        a in 0..COMMANDS.len(),
        b in 0..COMMANDS.len(),
        op in prop_oneof![Just(" && "), Just(" || "), Just("; "), Just(" | ")],
    ) {
        let fx = Fx::new();
        let e = fx.engine(rules);
        let (ca, cb) = (COMMANDS[a], COMMANDS[b]);
        let whole = e.decide(&Request::Bash(format!("{ca}{op}{cb}"))).level;
        prop_assert!(whole >= e.decide(&Request::Bash(ca.into())).level);
        prop_assert!(whole >= e.decide(&Request::Bash(cb.into())).level);
    }

    #[test]
    fn every_ask_is_a_deny_headless(
        rules in proptest::collection::vec(rule_strategy(), 0..10),
    ) {
        let fx = Fx::new();
        let interactive = fx.engine(rules.clone());
        let headless = fx.headless(rules);
        for req in requests() {
            let i = interactive.decide(&req);
            let h = headless.decide(&req);
            match i.level {
                Level::Ask => {
                    prop_assert_eq!(h.level, Level::Deny);
                    prop_assert_eq!(h.reason.as_str(), "needs-approval-headless");
                }
                other => prop_assert_eq!(h.level, other),
            }
        }
    }
}
