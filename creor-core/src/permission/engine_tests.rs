#![allow(clippy::unwrap_used)]
//! Engine tests: every row of POLICY.md's examples table (`table_*`), then cases of our own
//! per tool and per normalisation rule. Properties live in `engine_props.rs`.

use std::path::PathBuf;

use super::*;
use crate::config::{Layer, Level, NetworkMode, OnAsk, ResolvedConfig, Rule};
use crate::permission::{Cause, Mode, SessionScope};

use Level::{Allow, Ask, Deny};

/// A project, a home and a session tmp, each a fresh directory.
pub(super) struct Fx {
    pub project: tempfile::TempDir,
    pub home: tempfile::TempDir,
    pub tmp: tempfile::TempDir,
}

impl Fx {
    pub fn new() -> Fx {
        let fx = Fx {
            project: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
            tmp: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(fx.project.path().join("src")).unwrap();
        std::fs::write(fx.project.path().join("src/main.rs"), "fn main() {}").unwrap();
        std::fs::create_dir_all(fx.home.path().join(".ssh")).unwrap();
        std::fs::create_dir_all(fx.home.path().join("other")).unwrap();
        fx
    }

    pub fn project(&self) -> PathBuf {
        self.project.path().canonicalize().unwrap()
    }

    pub fn home(&self) -> PathBuf {
        self.home.path().canonicalize().unwrap()
    }

    pub fn config(&self, rules: Vec<Rule>) -> ResolvedConfig {
        ResolvedConfig {
            project: self.project(),
            rules,
            ..ResolvedConfig::default()
        }
    }

    pub fn ctx(&self, headless: bool) -> Context {
        Context {
            project: self.project(),
            home: self.home(),
            session_tmp: Some(self.tmp.path().canonicalize().unwrap()),
            headless,
        }
    }

    pub fn engine(&self, rules: Vec<Rule>) -> Engine {
        Engine::new(self.config(rules), self.ctx(false))
    }

    pub fn headless(&self, rules: Vec<Rule>) -> Engine {
        Engine::new(self.config(rules), self.ctx(true))
    }
}

pub(super) fn rule(tool: &str, pattern: &str, level: Level) -> Rule {
    layered(tool, pattern, level, Layer::Project)
}

pub(super) fn layered(tool: &str, pattern: &str, level: Level, layer: Layer) -> Rule {
    Rule {
        tool: tool.into(),
        pattern: pattern.into(),
        level,
        layer,
        source: Some(PathBuf::from("/p/creor.json")),
    }
}

/// G = `bash: {"*":"ask","git *":"allow"}`
pub(super) fn g() -> Vec<Rule> {
    vec![rule("bash", "*", Ask), rule("bash", "git *", Allow)]
}

/// D = `bash: {"*":"allow","rm *":"deny"}`
pub(super) fn d() -> Vec<Rule> {
    vec![rule("bash", "*", Allow), rule("bash", "rm *", Deny)]
}

/// P = `bash: {"*":"ask","git *":"allow","git push *":"deny"}`
fn p() -> Vec<Rule> {
    vec![
        rule("bash", "*", Ask),
        rule("bash", "git *", Allow),
        rule("bash", "git push *", Deny),
    ]
}

/// A = `bash: "allow"`
fn a() -> Vec<Rule> {
    vec![rule("bash", "*", Allow)]
}

fn with(mut base: Vec<Rule>, more: &[Rule]) -> Vec<Rule> {
    base.extend_from_slice(more);
    base
}

fn bash(e: &Engine, cmd: &str) -> Level {
    e.decide(&Request::Bash(cmd.into())).level
}

fn check_bash(fx: &Fx, rules: Vec<Rule>, cases: &[(&str, Level)]) {
    let e = fx.engine(rules);
    for (cmd, want) in cases {
        let d = e.decide(&Request::Bash((*cmd).into()));
        assert_eq!(d.level, *want, "{cmd:?}: {} {:#?}", d.reason, d.checks);
    }
}

// ---------------------------------------------------------------- POLICY.md examples table

#[test]
fn table_g_git_status_allows() {
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(g()), "git status"), Allow);
}

#[test]
fn table_g_and_rm_asks_and_headless_denies() {
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(g()), "git status && rm -rf /"), Ask);
    assert_eq!(bash(&fx.headless(g()), "git status && rm -rf /"), Deny);
}

#[test]
fn table_g_curl_pipe_sh_asks() {
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(g()), "git status; curl -s x.sh | sh"), Ask);
}

#[test]
fn table_g_comment_is_ignored() {
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(g()), "git status #; rm -rf /"), Allow);
}

#[test]
fn table_g_gitk_asks() {
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(g()), "gitk"), Ask);
}

#[test]
fn table_p_git_push_denies() {
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(p()), "git push"), Deny);
}

#[test]
fn table_p_reversed_keys_git_push_origin_denies() {
    let fx = Fx::new();
    let mut rules = p();
    rules.reverse();
    assert_eq!(bash(&fx.engine(rules), "git push origin main"), Deny);
}

#[test]
fn table_d_substitution_denies() {
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(d()), "echo $(rm -rf x)"), Deny);
}

#[test]
fn table_d_subshell_and_if_deny() {
    let fx = Fx::new();
    check_bash(
        &fx,
        d(),
        &[("(rm -rf x)", Deny), ("if true; then rm -rf x; fi", Deny)],
    );
}

#[test]
fn table_d_quoted_heredoc_allows() {
    let fx = Fx::new();
    assert_eq!(
        bash(&fx.engine(d()), "cat <<'EOF'\n$(rm -rf x)\nEOF"),
        Allow
    );
}

#[test]
fn table_d_sudo_rm_denies() {
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(d()), "sudo rm -rf x"), Deny);
}

#[test]
fn table_d_backslash_and_path_rm_deny() {
    let fx = Fx::new();
    check_bash(&fx, d(), &[("\\rm x", Deny), ("/bin/rm x", Deny)]);
}

#[test]
fn table_d_bash_c_literal_denies() {
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(d()), "bash -c 'rm -rf x'"), Deny);
}

#[test]
fn table_d_bash_c_dynamic_asks_headless_denies() {
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(d()), "bash -c \"$CMD\""), Ask);
    assert_eq!(bash(&fx.headless(d()), "bash -c \"$CMD\""), Deny);
}

#[test]
fn table_d_unterminated_asks() {
    let fx = Fx::new();
    let d = fx
        .engine(d())
        .decide(&Request::Bash("echo \"unterminated".into()));
    assert_eq!(d.level, Ask);
    assert!(d.reason.starts_with("unparsable command"), "{}", d.reason);
}

#[test]
fn table_edit_docs_allow_else_deny() {
    let fx = Fx::new();
    let e = fx.engine(vec![
        rule("edit", "*", Deny),
        rule("edit", "docs/**", Allow),
    ]);
    assert_eq!(e.decide(&Request::Edit("docs/a/b.md".into())).level, Allow);
    assert_eq!(e.decide(&Request::Edit("src/x.rs".into())).level, Deny);
}

#[test]
fn table_edit_env_beats_config_dir() {
    let fx = Fx::new();
    let e = fx.engine(vec![
        rule("edit", "*.env", Deny),
        rule("edit", "config/*", Allow),
    ]);
    assert_eq!(e.decide(&Request::Edit("config/.env".into())).level, Deny);
}

#[test]
fn table_narrower_rm_allow() {
    let fx = Fx::new();
    let rules = vec![
        rule("bash", "*", Allow),
        rule("bash", "rm *", Deny),
        rule("bash", "rm -rf build/*", Allow),
    ];
    check_bash(
        &fx,
        rules,
        &[("rm -rf build/x", Allow), ("rm -rf src", Deny)],
    );
}

#[test]
fn table_a_append_to_ssh_is_floor() {
    let fx = Fx::new();
    let d = fx
        .engine(a())
        .decide(&Request::Bash("echo key >> ~/.ssh/authorized_keys".into()));
    assert_eq!(d.level, Deny);
    assert_eq!(d.reason, "floor ~/.ssh");
}

#[test]
fn table_a_edit_creor_json_asks_headless_denies() {
    let fx = Fx::new();
    let rules = with(a(), &[rule("edit", "*", Allow)]);
    assert_eq!(
        fx.engine(rules.clone())
            .decide(&Request::Edit("creor.json".into()))
            .level,
        Ask
    );
    let d = fx
        .headless(rules)
        .decide(&Request::Edit("creor.json".into()));
    assert_eq!(d.level, Deny);
    assert_eq!(d.reason, "needs-approval-headless");
}

#[test]
fn table_a_tmp_home_and_aws() {
    let fx = Fx::new();
    check_bash(
        &fx,
        a(),
        &[
            ("echo x > /tmp/out", Allow),
            ("tee ~/notes.txt < y", Ask),
            ("cat $HOME/.aws/credentials", Deny),
        ],
    );
}

#[test]
fn table_read_allow_inside_system_and_home() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("*", "*", Ask), rule("read", "*", Allow)]);
    assert_eq!(e.decide(&Request::Read("src/main.rs".into())).level, Allow);
    assert_eq!(
        e.decide(&Request::Read("/usr/include/stdio.h".into()))
            .level,
        Allow
    );
    assert_eq!(e.decide(&Request::Read("~/other/x".into())).level, Ask);
}

#[test]
fn table_grep_runs_and_env_files_are_filtered() {
    let fx = Fx::new();
    std::fs::write(fx.project.path().join(".env"), "K=v").unwrap();
    let e = fx.engine(vec![rule("read", ".env*", Deny), rule("grep", "*", Allow)]);
    assert_eq!(e.decide(&Request::Grep(fx.project())).level, Allow);
    assert!(!e.visible_in_results(&fx.project().join(".env")));
    assert!(!e.visible_in_results(&fx.project().join("sub/.env.local")));
    assert!(e.visible_in_results(&fx.project().join("src/main.rs")));
}

fn webfetch_rules() -> Vec<Rule> {
    vec![
        rule("webfetch", "*", Ask),
        rule("webfetch", "domain:docs.rs", Allow),
        rule("webfetch", "domain:*.github.com", Allow),
    ]
}

fn open_network(fx: &Fx, rules: Vec<Rule>) -> Engine {
    let mut c = fx.config(rules);
    c.sandbox.network.policy = NetworkMode::AllowAll;
    Engine::new(c, fx.ctx(false))
}

#[test]
fn table_webfetch_domains() {
    let fx = Fx::new();
    let e = open_network(&fx, webfetch_rules());
    for (url, want) in [
        ("https://docs.rs/x", Allow),
        ("https://docs.rs.evil.com/", Ask),
        ("http://docs.rs@evil.com/", Ask),
        ("https://github.com/", Ask),
    ] {
        assert_eq!(
            e.decide(&Request::WebFetch(url.into())).level,
            want,
            "{url}"
        );
    }
}

#[test]
fn table_g_session_approval_does_not_grant_rm() {
    let fx = Fx::new();
    let e = fx.engine(g());
    let first = e.decide(&Request::Bash("git status && rm -rf /tmp/x".into()));
    assert_eq!(first.level, Ask);
    // rm is never approved for the session: the card cannot offer it.
    assert!(e.approve_for_session(&first).is_err());
    assert!(e.session_suggestions(&first).is_empty());
    assert_eq!(bash(&e, "rm -rf src"), Ask);
    assert_eq!(bash(&e, "git status && rm -rf /tmp/x"), Ask);
}

#[test]
fn table_g_headless_cargo_build_denies_at_once() {
    let fx = Fx::new();
    let d = fx
        .headless(g())
        .decide(&Request::Bash("cargo build".into()));
    assert_eq!(d.level, Deny);
    assert_eq!(d.reason, "needs-approval-headless");
    assert_eq!(d.mode, Mode::Headless);
    assert_eq!(d.interactive_level, Ask);
}

#[test]
fn table_permissions_allow_still_floors_gnupg() {
    let fx = Fx::new();
    let d = fx
        .engine(vec![rule("*", "*", Allow)])
        .decide(&Request::Read("~/.gnupg/x".into()));
    assert_eq!(d.level, Deny);
    assert_eq!(d.reason, "floor ~/.gnupg");
}

// ---------------------------------------------------------------- normalisation, one rule each

#[test]
fn assignments_stripped_but_dangerous_ones_ask() {
    let fx = Fx::new();
    check_bash(
        &fx,
        g(),
        &[
            ("FOO=1 git status", Allow),
            ("LD_PRELOAD=/x.so git status", Ask),
            ("PATH=/tmp/evil:$PATH git status", Ask),
            ("GIT_DIR=/x git status", Ask),
            ("BASH_ENV=/x git status", Ask),
            ("IFS=, git status", Ask),
            ("PYTHONPATH=/x git status", Ask),
            ("PATH=/x; git status", Ask),
            ("export LD_PRELOAD=/x.so; git status", Ask),
        ],
    );
    assert_eq!(bash(&fx.engine(a()), "LD_PRELOAD=/x.so ls"), Ask);
}

#[test]
fn quote_removal_finds_rm() {
    let fx = Fx::new();
    check_bash(
        &fx,
        d(),
        &[
            ("\"rm\" x", Deny),
            ("r''m x", Deny),
            ("'r'm -rf x", Deny),
            ("$'\\x72m' x", Deny),
            ("r\\m x", Deny),
        ],
    );
}

#[test]
fn quoted_program_name_is_stricter_not_looser() {
    // The form as written ("git") only matches "*": the strictest form wins.
    let fx = Fx::new();
    assert_eq!(bash(&fx.engine(g()), "\"git\" status"), Ask);
}

#[test]
fn program_paths_match_basename() {
    let fx = Fx::new();
    check_bash(
        &fx,
        d(),
        &[
            ("/usr/bin/rm x", Deny),
            ("./rm x", Deny),
            ("../../bin/rm x", Deny),
        ],
    );
}

#[test]
fn every_wrapper_is_peeled() {
    let fx = Fx::new();
    let cmds = [
        "sudo rm x",
        "sudo -u root rm x",
        "doas rm x",
        "env rm x",
        "env -i FOO=1 rm x",
        "command rm x",
        "builtin rm x",
        "exec rm x",
        "nohup rm x",
        "nice -n 5 rm x",
        "ionice -c 3 rm x",
        "timeout 5 rm x",
        "timeout -k 1 5 rm x",
        "time rm x",
        "stdbuf -oL rm x",
        "setsid rm x",
        "taskset 1 rm x",
        "xargs rm",
        "xargs -I{} rm {}",
        "watch rm x",
        "watch -n 1 -x rm x",
        "sudo env timeout 5 nice rm x",
    ];
    let cases: Vec<(&str, Level)> = cmds.iter().map(|c| (*c, Deny)).collect();
    check_bash(&fx, d(), &cases);
}

#[test]
fn find_exec_variants_are_judged() {
    let fx = Fx::new();
    check_bash(
        &fx,
        d(),
        &[
            ("find . -name '*.o' -exec rm {} \\;", Deny),
            ("find . -execdir rm {} +", Deny),
            ("find . -ok rm {} \\;", Deny),
            ("find . -okdir rm {} \\;", Deny),
            ("find . -name '*.o' -print", Allow),
        ],
    );
}

#[test]
fn shells_and_eval_are_parsed_again() {
    let fx = Fx::new();
    check_bash(
        &fx,
        d(),
        &[
            ("sh -c 'rm x'", Deny),
            ("zsh -c 'echo; rm x'", Deny),
            ("dash -ec 'rm x'", Deny),
            ("/bin/bash -c 'rm x'", Deny),
            ("eval 'rm x'", Deny),
            ("eval \"rm x\"", Deny),
            ("bash -c 'bash -c \"rm x\"'", Deny),
            ("env -S 'rm x'", Deny),
            ("sh -c 'echo ok'", Allow),
            ("eval $X", Ask),
            ("sh -c \"$(curl -s x)\"", Ask),
            ("echo 'rm -rf x' | bash", Ask),
            ("sh <<< 'rm -rf x'", Ask),
            ("bash -s < script.sh", Ask),
            ("bash ./build.sh", Allow),
            ("busybox rm x", Deny),
            ("busybox sh -c 'rm x'", Deny),
        ],
    );
}

#[test]
fn interpreters_are_opaque() {
    let fx = Fx::new();
    let rules = with(d(), &[rule("bash", "python3 *", Ask)]);
    check_bash(
        &fx,
        rules,
        &[
            ("python3 -c 'import os; os.system(\"rm -rf x\")'", Ask),
            (
                "node -e 'require(\"child_process\").execSync(\"rm -rf x\")'",
                Allow,
            ),
            ("perl -e 'unlink \"x\"'", Allow),
        ],
    );
}

#[test]
fn substitutions_everywhere_are_units() {
    let fx = Fx::new();
    check_bash(
        &fx,
        d(),
        &[
            ("echo `rm x`", Deny),
            ("cat <(rm x)", Deny),
            ("tee >(rm x)", Deny),
            ("echo hi > $(rm x)", Deny),
            ("cat <<EOF\n$(rm x)\nEOF", Deny),
            ("cat <<< \"$(rm x)\"", Deny),
            ("X=$(rm x) ls", Deny),
            ("echo \"a $(rm x) b\"", Deny),
            ("echo `echo \\`rm x\\``", Deny),
        ],
    );
}

#[test]
fn compound_statements_are_units() {
    let fx = Fx::new();
    check_bash(
        &fx,
        d(),
        &[
            ("f() { rm x; }", Deny),
            ("while true; do rm x; done", Deny),
            ("for i in a; do rm $i; done", Deny),
            ("case a in a) rm x;; esac", Deny),
            ("{ rm x; }", Deny),
            ("! rm x", Deny),
            ("ls | rm x", Deny),
            ("ls &\nrm x", Deny),
            ("true || rm x", Deny),
        ],
    );
}

#[test]
fn global_options_are_removed_for_matching() {
    let fx = Fx::new();
    check_bash(
        &fx,
        p(),
        &[
            ("git -C . push", Deny),
            ("git -c a=b --no-pager push", Deny),
        ],
    );
    let rules = vec![
        rule("bash", "*", Ask),
        rule("bash", "npm publish *", Deny),
        rule("bash", "cargo publish *", Deny),
        rule("bash", "git *", Allow),
    ];
    check_bash(
        &fx,
        rules,
        &[
            ("npm --prefix web publish", Deny),
            ("npm --prefix=web publish", Deny),
            ("cargo +nightly publish", Deny),
            ("git --no-pager log", Allow),
        ],
    );
}

#[test]
fn dynamic_command_names_never_match_a_specific_allow() {
    let fx = Fx::new();
    let rules = vec![rule("bash", "*", Allow), rule("bash", "$X *", Allow)];
    check_bash(
        &fx,
        rules,
        &[("$X foo", Ask), ("$(echo git) status", Ask), ("ls", Allow)],
    );
    check_bash(&fx, g(), &[("$(echo git) status", Ask)]);
    let d = fx.engine(a()).decide(&Request::Bash("$X foo".into()));
    assert!(d.reason.contains("dynamic command name"), "{}", d.reason);
}

#[test]
fn word_boundary_and_zero_args() {
    let fx = Fx::new();
    let rules = vec![rule("bash", "*", Ask), rule("bash", "ls *", Allow)];
    check_bash(
        &fx,
        rules,
        &[("ls", Allow), ("ls -la", Allow), ("lsof", Ask)],
    );
}

#[test]
fn empty_and_comment_only_commands_ask() {
    let fx = Fx::new();
    check_bash(
        &fx,
        a(),
        &[("", Ask), ("   ", Ask), ("# just a comment", Ask)],
    );
}

// ---------------------------------------------------------------- bash file subjects

#[test]
fn redirect_targets_are_judged_by_edit_rules() {
    let fx = Fx::new();
    let rules = with(a(), &[rule("edit", ".env*", Deny)]);
    check_bash(
        &fx,
        rules,
        &[
            ("echo x > .env", Deny),
            ("echo x >> src/.env.local", Deny),
            ("echo x > out", Allow),
        ],
    );
}

#[test]
fn read_sources_and_arguments_are_judged_by_read_rules() {
    let fx = Fx::new();
    let rules = with(a(), &[rule("read", "secrets/**", Deny)]);
    let abs = format!("cat {}/secrets/k", fx.project().display());
    check_bash(
        &fx,
        rules,
        &[("cat < secrets/k", Deny), (abs.as_str(), Deny)],
    );
}

#[test]
fn home_ground_follows_the_command_rule() {
    let fx = Fx::new();
    check_bash(
        &fx,
        a(),
        &[
            ("make > build.log", Allow),
            ("cat /etc/hostname", Allow),
            ("ls /", Allow),
            ("echo x 2>/dev/null", Allow),
            ("ls 2>&1 >&2", Allow),
            ("echo x > /etc/foo", Ask),
            ("cat ../../srv/sibling/x", Ask),
            ("cat ~/other/x", Ask),
            ("git -C /srv/other status", Ask),
        ],
    );
}

#[test]
fn floor_applies_to_every_subject() {
    let fx = Fx::new();
    check_bash(
        &fx,
        a(),
        &[
            ("cat < ~/.ssh/id_rsa", Deny),
            ("cp ~/.aws/credentials /tmp/c", Deny),
            ("cat \"$HOME\"/.gnupg/x", Deny),
            ("cat ${HOME}/.ssh/config", Deny),
            ("ls ~/.ssh", Deny),
        ],
    );
}

#[test]
fn protected_redirect_targets_ask() {
    let fx = Fx::new();
    let rules = with(a(), &[rule("edit", "*", Allow)]);
    check_bash(
        &fx,
        rules.clone(),
        &[
            ("echo {} > creor.json", Ask),
            ("echo x > .git/hooks/pre-commit", Ask),
            ("echo x >> .git/config", Ask),
            ("echo x > .creor/state", Ask),
        ],
    );
    assert_eq!(bash(&fx.headless(rules), "echo {} > creor.json"), Deny);
}

#[test]
fn unknown_redirect_targets_ask() {
    let fx = Fx::new();
    check_bash(
        &fx,
        a(),
        &[("echo x > \"$OUT\"", Ask), ("echo x > $(mktemp)", Ask)],
    );
}

#[test]
fn external_directory_grant_covers_bash_subjects() {
    let fx = Fx::new();
    std::fs::create_dir_all(fx.home.path().join("src/shared")).unwrap();
    let rules = with(a(), &[rule("external-directory", "~/src/shared/**", Allow)]);
    check_bash(
        &fx,
        rules,
        &[
            ("cat ~/src/shared/a.txt", Allow),
            ("cat ~/src/other/a", Ask),
        ],
    );
}

// ---------------------------------------------------------------- path tools

#[test]
fn write_falls_back_to_edit_then_star() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("*", "*", Ask), rule("edit", "docs/**", Allow)]);
    assert_eq!(e.decide(&Request::Write("docs/x.md".into())).level, Allow);
    assert_eq!(e.decide(&Request::Write("src/x.rs".into())).level, Ask);
    let e = fx.engine(vec![rule("write", "*", Deny), rule("edit", "*", Allow)]);
    assert_eq!(e.decide(&Request::Write("x".into())).level, Deny);
    assert_eq!(e.decide(&Request::Edit("x".into())).level, Allow);
    let e = fx.engine(vec![rule("write", "*", Allow), rule("edit", ".env", Deny)]);
    assert_eq!(e.decide(&Request::Write(".env".into())).level, Deny);
    assert_eq!(e.decide(&Request::Write("ok.txt".into())).level, Allow);
}

#[test]
fn star_tool_is_broader_than_a_specific_tool() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("*", "*", Allow), rule("read", "*", Deny)]);
    assert_eq!(e.decide(&Request::Read("src/main.rs".into())).level, Deny);
    let e = fx.engine(vec![rule("*", "*", Deny), rule("read", "*", Allow)]);
    assert_eq!(e.decide(&Request::Read("src/main.rs".into())).level, Allow);
    assert_eq!(e.decide(&Request::Ls("src".into())).level, Deny);
}

#[test]
fn no_rule_asks() {
    let fx = Fx::new();
    let d = fx
        .engine(vec![])
        .decide(&Request::Read("src/main.rs".into()));
    assert_eq!(d.level, Ask);
    assert_eq!(d.checks[0].cause, Cause::NoRule);
}

#[test]
fn basename_patterns_match_at_any_depth_and_star_stays_in_segment() {
    let fx = Fx::new();
    let e = fx.engine(vec![
        rule("read", "*", Allow),
        rule("read", "*.pem", Deny),
        rule("read", "src/*.rs", Ask),
    ]);
    assert_eq!(e.decide(&Request::Read("a/b/c/key.pem".into())).level, Deny);
    assert_eq!(e.decide(&Request::Read("src/main.rs".into())).level, Ask);
    assert_eq!(
        e.decide(&Request::Read("src/deep/x.rs".into())).level,
        Allow
    );
}

#[test]
fn absolute_and_home_patterns() {
    let fx = Fx::new();
    let e = fx.engine(vec![
        rule("read", "*", Allow),
        rule("read", "/usr/share/**", Deny),
        rule("external-directory", "~/other/**", Allow),
    ]);
    assert_eq!(e.decide(&Request::Read("/usr/share/x".into())).level, Deny);
    assert_eq!(e.decide(&Request::Read("~/other/x".into())).level, Allow);
    assert_eq!(e.decide(&Request::Read("~/else/x".into())).level, Ask);
}

#[test]
fn symlinks_are_resolved_before_matching() {
    let fx = Fx::new();
    let proj = fx.project();
    std::os::unix::fs::symlink(fx.home().join(".ssh"), proj.join("keys")).unwrap();
    std::os::unix::fs::symlink(fx.home().join("other"), proj.join("out")).unwrap();
    let e = fx.engine(vec![
        rule("*", "*", Allow),
        rule("external-directory", "*", Ask),
    ]);
    let d = e.decide(&Request::Read("keys/id_rsa".into()));
    assert_eq!((d.level, d.reason.as_str()), (Deny, "floor ~/.ssh"));
    assert_eq!(e.decide(&Request::Write("out/new.txt".into())).level, Ask);
    assert_eq!(bash(&e, "echo x > out/new.txt"), Ask);
    assert_eq!(e.decide(&Request::Write("src/new.txt".into())).level, Allow);
}

#[test]
fn protected_files_ask_for_edit_and_write_only() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("*", "*", Allow)]);
    for p in [
        "creor.json",
        "creor.local.json",
        ".creor/x",
        ".git/hooks/pre-push",
        ".git/config",
        "sub/creor.json",
    ] {
        assert_eq!(e.decide(&Request::Edit(p.into())).level, Ask, "edit {p}");
        assert_eq!(e.decide(&Request::Write(p.into())).level, Ask, "write {p}");
    }
    assert_eq!(e.decide(&Request::Read("creor.json".into())).level, Allow);
    assert_eq!(e.decide(&Request::Edit(".git/HEAD".into())).level, Allow);
}

#[test]
fn home_ground_for_path_tools() {
    let fx = Fx::new();
    let e = fx.engine(vec![
        rule("*", "*", Allow),
        rule("external-directory", "*", Ask),
    ]);
    assert_eq!(
        e.decide(&Request::Write("/tmp/scratch".into())).level,
        Allow
    );
    assert_eq!(e.decide(&Request::Write("/usr/local/x".into())).level, Ask);
    assert_eq!(e.decide(&Request::Glob("/usr".into())).level, Allow);
    assert_eq!(e.decide(&Request::Ls("/".into())).level, Allow);
    assert_eq!(e.decide(&Request::Grep("/".into())).level, Ask);
    assert_eq!(e.decide(&Request::Read("/var/log/x".into())).level, Ask);
}

#[test]
fn external_directory_names_the_holding_directory() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("read", "*", Allow)]);
    let d = e.decide(&Request::Read("~/other/x".into()));
    let ext = d
        .checks
        .iter()
        .find(|c| c.tool == Tool::ExternalDirectory)
        .unwrap();
    assert_eq!(PathBuf::from(&ext.subject), fx.home().join("other"));
}

#[test]
fn external_directory_requests() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("external-directory", "~/other/**", Allow)]);
    assert_eq!(
        e.decide(&Request::ExternalDirectory("~/other".into()))
            .level,
        Allow
    );
    assert_eq!(
        e.decide(&Request::ExternalDirectory("~/other/deeper".into()))
            .level,
        Allow
    );
    assert_eq!(e.decide(&Request::ExternalDirectory("~".into())).level, Ask);
    assert_eq!(
        e.decide(&Request::ExternalDirectory("~/.ssh".into())).level,
        Deny
    );
}

#[test]
fn floor_covers_every_path_tool() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("*", "*", Allow)]);
    for req in [
        Request::Read("~/.ssh/id_rsa".into()),
        Request::Write("~/.aws/credentials".into()),
        Request::Edit("~/.gnupg/gpg.conf".into()),
        Request::Ls("~/.ssh".into()),
        Request::Glob("~/.aws".into()),
        Request::Grep("~/.gnupg".into()),
    ] {
        assert_eq!(e.decide(&req).level, Deny, "{req:?}");
    }
}

// ---------------------------------------------------------------- sticky denies and layers

#[test]
fn sticky_denies_hold_against_narrower_project_allows() {
    let fx = Fx::new();
    for layer in [Layer::Global, Layer::Profile, Layer::Managed, Layer::Cli] {
        let rules = vec![
            layered("bash", "*", Allow, Layer::Project),
            layered("bash", "rm *", Deny, layer),
            layered("bash", "rm -rf build/*", Allow, Layer::Project),
            layered("bash", "rm -rf dist/*", Allow, Layer::Local),
        ];
        let e = fx.engine(rules);
        let d = e.decide(&Request::Bash("rm -rf build/x".into()));
        assert_eq!(d.level, Deny, "{layer:?}");
        assert!(d.reason.contains("sticky"), "{}", d.reason);
        assert_eq!(bash(&e, "rm -rf dist/x"), Deny, "{layer:?}");
    }
}

#[test]
fn project_and_builtin_denies_are_not_sticky() {
    let fx = Fx::new();
    for layer in [Layer::Builtin, Layer::Project, Layer::Local] {
        let rules = vec![
            layered("bash", "rm *", Deny, layer),
            layered("bash", "rm -rf build/*", Allow, Layer::Project),
        ];
        assert_eq!(
            bash(&fx.engine(rules), "rm -rf build/x"),
            Allow,
            "{layer:?}"
        );
    }
}

#[test]
fn sticky_deny_yields_to_a_narrower_rule_of_its_own_or_a_higher_layer() {
    let fx = Fx::new();
    let rules = vec![
        layered("bash", "rm *", Deny, Layer::Global),
        layered("bash", "rm -rf build/*", Allow, Layer::Global),
    ];
    assert_eq!(bash(&fx.engine(rules), "rm -rf build/x"), Allow);
    let rules = vec![
        layered("bash", "rm *", Deny, Layer::Managed),
        layered("bash", "rm -rf build/*", Allow, Layer::Profile),
    ];
    assert_eq!(bash(&fx.engine(rules), "rm -rf build/x"), Deny);
}

#[test]
fn a_project_may_loosen_a_global_ask() {
    let fx = Fx::new();
    let rules = vec![
        layered("bash", "*", Ask, Layer::Global),
        layered("bash", "cargo *", Allow, Layer::Project),
    ];
    assert_eq!(bash(&fx.engine(rules), "cargo test"), Allow);
}

// ---------------------------------------------------------------- headless and onAsk

#[test]
fn on_ask_deny_is_headless_and_fail_aborts() {
    let fx = Fx::new();
    let mut c = fx.config(g());
    c.on_ask = OnAsk::Deny;
    let e = Engine::new(c.clone(), fx.ctx(false));
    assert_eq!(e.mode(), Mode::Headless);
    let d = e.decide(&Request::Bash("make".into()));
    assert_eq!((d.level, d.abort), (Deny, false));
    c.on_ask = OnAsk::Fail;
    let d = Engine::new(c, fx.ctx(false)).decide(&Request::Bash("make".into()));
    assert_eq!((d.level, d.abort), (Deny, true));
    assert_eq!(d.reason, "needs-approval-headless");
    let d = fx.headless(g()).decide(&Request::Bash("git log".into()));
    assert_eq!((d.level, d.abort), (Allow, false));
}

// ---------------------------------------------------------------- webfetch and websearch

#[test]
fn network_policy_binds_webfetch() {
    let fx = Fx::new();
    let rules = vec![rule("webfetch", "*", Allow)];
    let d = fx
        .engine(rules.clone())
        .decide(&Request::WebFetch("https://docs.rs/".into()));
    assert_eq!(d.level, Deny);
    assert!(d.reason.contains("block_all"), "{}", d.reason);
    let mut c = fx.config(rules);
    c.sandbox.network.policy = NetworkMode::AllowSpecific;
    c.sandbox.network.allowed_hosts = vec!["docs.rs".into(), "*.crates.io".into()];
    c.sandbox.network.denied_hosts = vec!["bad.crates.io".into()];
    let e = Engine::new(c, fx.ctx(false));
    for (url, want) in [
        ("https://docs.rs/x", Allow),
        ("https://static.crates.io/x", Allow),
        ("https://crates.io/", Deny),
        ("https://bad.crates.io/", Deny),
        ("https://example.com/", Deny),
    ] {
        assert_eq!(
            e.decide(&Request::WebFetch(url.into())).level,
            want,
            "{url}"
        );
    }
}

#[test]
fn webfetch_host_normalisation() {
    let fx = Fx::new();
    let e = open_network(&fx, webfetch_rules());
    for (url, want) in [
        ("https://DOCS.RS/x", Allow),
        ("https://docs.rs./x", Allow),
        ("https://docs.rs:8443/x", Allow),
        ("https://user:pw@docs.rs/x", Allow),
        ("https://api.github.com/repos", Allow),
        ("https://a.b.github.com/", Allow),
        ("https://evilgithub.com/", Ask),
        ("file:///etc/passwd", Deny),
        ("not a url", Deny),
    ] {
        assert_eq!(
            e.decide(&Request::WebFetch(url.into())).level,
            want,
            "{url}"
        );
    }
}

#[test]
fn narrower_domain_beats_wildcard_domain() {
    let fx = Fx::new();
    let e = open_network(
        &fx,
        vec![
            rule("webfetch", "domain:*.example.com", Deny),
            rule("webfetch", "domain:ok.example.com", Allow),
        ],
    );
    assert_eq!(
        e.decide(&Request::WebFetch("https://ok.example.com/".into()))
            .level,
        Allow
    );
    assert_eq!(
        e.decide(&Request::WebFetch("https://no.example.com/".into()))
            .level,
        Deny
    );
}

#[test]
fn websearch_rules() {
    let fx = Fx::new();
    let e = fx.engine(vec![
        rule("websearch", "*", Allow),
        rule("websearch", "*password*", Deny),
    ]);
    assert_eq!(
        e.decide(&Request::WebSearch("rust globset".into())).level,
        Allow
    );
    assert_eq!(
        e.decide(&Request::WebSearch("admin password dump".into()))
            .level,
        Deny
    );
    assert_eq!(
        fx.engine(vec![])
            .decide(&Request::WebSearch("x".into()))
            .level,
        Ask
    );
}

// ---------------------------------------------------------------- session approvals

#[test]
fn session_read_approval_is_the_tool_inside_the_project() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("*", "*", Ask)]);
    let d = e.decide(&Request::Read("src/main.rs".into()));
    assert_eq!(d.level, Ask);
    assert_eq!(
        e.approve_for_session(&d).unwrap(),
        [SessionScope::Tool { tool: Tool::Read }]
    );
    assert_eq!(e.decide(&Request::Read("src/other.rs".into())).level, Allow);
    assert_eq!(e.decide(&Request::Read("~/other/x".into())).level, Ask);
    assert_eq!(e.decide(&Request::Edit("src/main.rs".into())).level, Ask);
}

#[test]
fn session_edit_approval_skips_protected_files() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("*", "*", Ask)]);
    let d = e.decide(&Request::Edit("src/main.rs".into()));
    e.approve_for_session(&d).unwrap();
    assert_eq!(e.decide(&Request::Edit("src/lib.rs".into())).level, Allow);
    assert_eq!(e.decide(&Request::Edit("creor.json".into())).level, Ask);
    assert_eq!(e.decide(&Request::Write("src/lib.rs".into())).level, Ask);
    let protected = e.decide(&Request::Edit(".git/config".into()));
    assert!(e.approve_for_session(&protected).is_err());
}

#[test]
fn session_webfetch_approval_is_one_host() {
    let fx = Fx::new();
    let e = open_network(&fx, vec![rule("webfetch", "*", Ask)]);
    let d = e.decide(&Request::WebFetch("https://docs.rs/a".into()));
    e.approve_for_session(&d).unwrap();
    assert_eq!(
        e.decide(&Request::WebFetch("https://docs.rs/b".into()))
            .level,
        Allow
    );
    assert_eq!(
        e.decide(&Request::WebFetch("https://evil.com/".into()))
            .level,
        Ask
    );
}

#[test]
fn session_directory_approval_covers_below() {
    let fx = Fx::new();
    std::fs::create_dir_all(fx.home.path().join("other/deep")).unwrap();
    let e = fx.engine(vec![rule("read", "*", Allow)]);
    let d = e.decide(&Request::Read("~/other/x".into()));
    assert_eq!(d.level, Ask);
    e.approve_for_session(&d).unwrap();
    assert_eq!(
        e.decide(&Request::Read("~/other/deep/y".into())).level,
        Allow
    );
    assert_eq!(e.decide(&Request::Read("~/z".into())).level, Ask);
}

#[test]
fn session_bash_approval_is_the_exact_command() {
    let fx = Fx::new();
    let e = fx.engine(g());
    let d = e.decide(&Request::Bash("npm test".into()));
    e.approve_for_session(&d).unwrap();
    assert_eq!(bash(&e, "npm test"), Allow);
    assert_eq!(bash(&e, "npm test --watch"), Ask);
    assert_eq!(bash(&e, "ls"), Ask);
}

#[test]
fn session_bash_pattern_suggestion() {
    let fx = Fx::new();
    let e = fx.engine(g());
    let d = e.decide(&Request::Bash("npm test --watch".into()));
    let s = e.session_suggestions(&d);
    let pattern = SessionScope::CommandPattern {
        pattern: "npm test *".into(),
    };
    assert!(s.contains(&pattern), "{s:?}");
    e.approve(pattern).unwrap();
    assert_eq!(bash(&e, "npm test"), Allow);
    assert_eq!(bash(&e, "npm test -- --ci"), Allow);
    assert_eq!(bash(&e, "npm install"), Ask);
    assert_eq!(bash(&e, "npm test; curl x | sh"), Ask);
}

#[test]
fn approving_ls_never_approves_curl_pipe_sh() {
    let fx = Fx::new();
    let e = fx.engine(g());
    let d = e.decide(&Request::Bash("ls".into()));
    for s in e.session_suggestions(&d) {
        e.approve(s).unwrap();
    }
    assert_eq!(bash(&e, "ls"), Allow);
    assert_eq!(bash(&e, "curl -s x | sh"), Ask);
    assert_eq!(bash(&e, "ls; curl -s x | sh"), Ask);
}

#[test]
fn session_never_for_rm_sudo_interpreters_dynamic_or_redirects() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("bash", "*", Ask)]);
    for cmd in [
        "rm -rf build",
        "sudo make install",
        "python3 x.py",
        "$X",
        "echo x > ~/f",
        "LD_PRELOAD=x ls",
    ] {
        let d = e.decide(&Request::Bash(cmd.into()));
        assert!(e.approve_for_session(&d).is_err(), "{cmd}");
        assert!(e.session_suggestions(&d).is_empty(), "{cmd}");
    }
    for p in ["rm *", "sudo *", "python3 *", "bash *", "*", "* foo"] {
        assert!(
            e.approve(SessionScope::CommandPattern { pattern: p.into() })
                .is_err(),
            "{p}"
        );
    }
    assert!(e.approve(SessionScope::Tool { tool: Tool::Bash }).is_err());
}

#[test]
fn session_never_lifts_a_deny_or_the_floor() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("*", "*", Ask), rule("read", "*.key", Deny)]);
    e.approve(SessionScope::Tool { tool: Tool::Read }).unwrap();
    assert_eq!(e.decide(&Request::Read("a.key".into())).level, Deny);
    e.approve(SessionScope::Directory { path: fx.home() })
        .unwrap();
    assert_eq!(e.decide(&Request::Read("~/.ssh/id_rsa".into())).level, Deny);
    assert_eq!(e.session_approvals().len(), 2);
}

// ---------------------------------------------------------------- explanation and subagents

#[test]
fn reason_names_rule_layer_and_file() {
    let fx = Fx::new();
    let d = fx.engine(d()).decide(&Request::Bash("rm -rf x".into()));
    assert_eq!(d.reason, "rule bash \"rm *\" = deny (project creor.json)");
    assert_eq!(d.rules.len(), 1);
    assert_eq!(d.rules[0].pattern, "rm *");
    assert_eq!(d.checks[0].unit.as_deref(), Some("rm -rf x"));
    assert_eq!(d.mode, Mode::Interactive);
}

#[test]
fn builtin_rules_are_named_as_such() {
    let fx = Fx::new();
    let mut r = layered("read", "*", Allow, Layer::Builtin);
    r.source = None;
    let d = fx
        .engine(vec![r])
        .decide(&Request::Read("src/main.rs".into()));
    assert_eq!(d.reason, "rule read \"*\" = allow (built-in)");
}

#[test]
fn every_unit_is_explained() {
    let fx = Fx::new();
    let d = fx
        .engine(g())
        .decide(&Request::Bash("git status && make > out.log".into()));
    let units: Vec<&str> = d.checks.iter().filter_map(|c| c.unit.as_deref()).collect();
    assert!(
        units.contains(&"git status") && units.contains(&"make"),
        "{units:?}"
    );
    assert_eq!(d.level, Ask);
    assert!(d.reason.contains("\"*\" = ask"), "{}", d.reason);
}

#[test]
fn subagent_gets_the_stricter_decision() {
    let fx = Fx::new();
    let parent = fx.engine(d()).decide(&Request::Bash("ls".into()));
    let child = fx.engine(g()).decide(&Request::Bash("ls".into()));
    assert_eq!(parent.clone().stricter(child.clone()).level, Ask);
    assert_eq!(child.stricter(parent).level, Ask);
}

#[test]
fn broken_patterns_fail_closed() {
    let fx = Fx::new();
    let rules = vec![rule("*", "*", Allow), rule("read", "a[", Allow)];
    assert!(Engine::try_new(fx.config(rules.clone()), fx.ctx(false)).is_err());
    let d = fx
        .engine(rules)
        .decide(&Request::Read("src/main.rs".into()));
    assert_eq!(d.level, Deny);
    assert!(d.reason.contains("a["), "{}", d.reason);
}

#[test]
fn unknown_tool_names_are_refused() {
    assert!(Request::from_tool("rm", "x").is_err());
    assert_eq!(
        Request::from_tool("external-directory", "/x").unwrap(),
        Request::ExternalDirectory("/x".into())
    );
}

#[test]
fn project_under_tmp_keeps_its_own_paths() {
    let fx = Fx::new();
    // The fixture project lives under /tmp; its paths must not be remapped to the session tmp.
    assert!(fx.project().starts_with("/tmp"));
    let e = fx.engine(vec![rule("edit", "src/**", Allow)]);
    let abs = fx.project().join("src/main.rs");
    assert_eq!(e.decide(&Request::Edit(abs)).level, Allow);
}

#[test]
fn engine_is_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    let fx = Fx::new();
    let e = std::sync::Arc::new(fx.engine(g()));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let e = e.clone();
            std::thread::spawn(move || e.decide(&Request::Bash("git status | wc -l".into())).level)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Ask);
    }
}

#[test]
fn decisions_serialise_with_their_explanation() {
    let fx = Fx::new();
    let d = fx.engine(d()).decide(&Request::Bash("ls && rm x".into()));
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["level"], "deny");
    assert_eq!(v["mode"], "interactive");
    assert_eq!(v["checks"][1]["unit"], "rm x");
    assert_eq!(v["checks"][1]["cause"]["kind"], "rule");
    assert_eq!(v["rules"][0]["layer"], "project");
}

#[test]
fn suggestions_state_the_scope_before_approval() {
    let fx = Fx::new();
    let e = fx.engine(vec![rule("*", "*", Ask)]);
    let read = e.decide(&Request::Read("src/main.rs".into()));
    assert_eq!(
        e.session_suggestions(&read),
        [SessionScope::Tool { tool: Tool::Read }]
    );
    let write = e.decide(&Request::Write("src/new.rs".into()));
    assert_eq!(
        e.session_suggestions(&write),
        [SessionScope::ProjectFiles { tool: Tool::Write }]
    );
    let search = e.decide(&Request::WebSearch("q".into()));
    assert_eq!(
        e.session_suggestions(&search),
        [SessionScope::Tool {
            tool: Tool::WebSearch
        }]
    );
    // Nothing was approved by asking for suggestions.
    assert!(e.session_approvals().is_empty());
    assert_eq!(e.decide(&Request::Read("src/main.rs".into())).level, Ask);
}

#[path = "engine_props.rs"]
mod props;
