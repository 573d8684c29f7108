#![allow(clippy::unwrap_used)]
use super::*;

fn forms(cmd: &str) -> Vec<Vec<String>> {
    analyse(cmd).units.into_iter().map(|u| u.forms).collect()
}

fn normalised(cmd: &str) -> Vec<String> {
    analyse(cmd)
        .units
        .iter()
        .map(|u| u.normalised().to_string())
        .collect()
}

#[test]
fn lists_pipelines_and_comments() {
    assert_eq!(normalised("git status #; rm -rf /"), ["git status"]);
    assert_eq!(
        normalised("a && b || c; d | e & f"),
        ["a", "b", "c", "d", "e", "f"]
    );
    assert_eq!(normalised("a\nb"), ["a", "b"]);
}

#[test]
fn compound_statements() {
    assert_eq!(normalised("(rm -rf x)"), ["rm -rf x"]);
    assert_eq!(normalised("{ a; b; }"), ["a", "b"]);
    assert_eq!(
        normalised("if true; then rm -rf x; fi"),
        ["true", "rm -rf x"]
    );
    assert_eq!(normalised("for i in 1 2; do rm $i; done"), ["rm $i"]);
    assert_eq!(normalised("while a; do b; done"), ["a", "b"]);
    assert_eq!(normalised("case $x in a) rm y;; esac"), ["rm y"]);
    assert_eq!(normalised("f() { rm x; }; f"), ["rm x", "f"]);
}

#[test]
fn substitutions_everywhere() {
    assert_eq!(
        normalised("echo $(rm -rf x)"),
        ["echo $(rm -rf x)", "rm -rf x"]
    );
    assert_eq!(normalised("echo `rm x`"), ["echo `rm x`", "rm x"]);
    assert_eq!(normalised("diff <(a) >(b)"), ["diff <(a) >(b)", "a", "b"]);
    assert_eq!(normalised("ls > $(mktemp)"), ["ls", "mktemp"]);
    assert_eq!(normalised("echo \"x $(id) y\""), ["echo x $(id) y", "id"]);
    assert_eq!(normalised("cat <<< \"$(c)\""), ["cat", "c"]);
    assert_eq!(normalised("X=$(a) b"), ["b", "a"]);
}

#[test]
fn nested_backticks_are_parsed() {
    let n = normalised("echo `echo \\`rm -rf x\\``");
    assert!(n.contains(&"rm -rf x".to_string()), "{n:?}");
}

#[test]
fn heredocs() {
    assert_eq!(normalised("cat <<'EOF'\n$(rm -rf x)\nEOF"), ["cat"]);
    assert_eq!(normalised("cat <<\"EOF\"\n$(rm -rf x)\nEOF"), ["cat"]);
    assert_eq!(
        normalised("cat <<EOF\n$(rm -rf x)\nEOF"),
        ["cat", "rm -rf x"]
    );
    assert_eq!(normalised("cat <<EOF | sh\nx\nEOF"), ["cat", "sh"]);
}

#[test]
fn quote_and_backslash_removal() {
    assert_eq!(forms("\\rm x"), [vec!["\\rm x".to_string(), "rm x".into()]]);
    assert_eq!(normalised("'r'\"m\" x"), ["rm x"]);
    assert_eq!(normalised("$'\\x72m' x"), ["rm x"]);
    assert_eq!(normalised("git commit -m 'a b'"), ["git commit -m a b"]);
}

#[test]
fn program_basename() {
    assert_eq!(
        forms("/bin/rm x"),
        [vec!["/bin/rm x".to_string(), "rm x".into()]]
    );
}

#[test]
fn assignments_are_stripped_and_dangerous_ones_flagged() {
    let a = analyse("FOO=1 LD_PRELOAD=/x.so git status");
    assert_eq!(a.units[0].forms, ["git status"]);
    assert_eq!(a.units[0].dangerous_env, ["LD_PRELOAD"]);
    for name in [
        "PATH",
        "BASH_ENV",
        "GIT_DIR",
        "IFS",
        "PYTHONPATH",
        "LD_LIBRARY_PATH",
    ] {
        let a = analyse(&format!("{name}=x ls"));
        assert_eq!(a.units[0].dangerous_env, [name], "{name}");
    }
    assert!(analyse("CC=gcc make").units[0].dangerous_env.is_empty());
    assert_eq!(analyse("PATH=/x").units[0].dangerous_env, ["PATH"]);
    assert_eq!(analyse("export PATH=/x").units[0].dangerous_env, ["PATH"]);
}

#[test]
fn wrappers_are_peeled() {
    let cases = [
        ("sudo rm -rf x", "rm -rf x"),
        ("sudo -u root -E rm x", "rm x"),
        ("doas -u root rm x", "rm x"),
        ("env -i A=1 rm x", "rm x"),
        ("command rm x", "rm x"),
        ("builtin echo x", "echo x"),
        ("exec -a foo rm x", "rm x"),
        ("nohup rm x", "rm x"),
        ("nice -n 10 rm x", "rm x"),
        ("nice -10 rm x", "rm x"),
        ("ionice -c 3 rm x", "rm x"),
        ("timeout 10 rm x", "rm x"),
        ("timeout -s KILL 10s rm x", "rm x"),
        ("time rm x", "rm x"),
        ("stdbuf -o L rm x", "rm x"),
        ("setsid -f rm x", "rm x"),
        ("taskset -c 0-3 rm x", "rm x"),
        ("xargs -0 -n 1 rm", "rm"),
        ("watch -x rm x", "rm x"),
        ("sudo env nice -n 5 timeout 3 /bin/rm x", "rm x"),
        ("busybox rm x", "rm x"),
    ];
    for (cmd, want) in cases {
        let a = analyse(cmd);
        assert_eq!(
            a.units[0].normalised(),
            want,
            "{cmd}: {:?}",
            a.units[0].forms
        );
        assert!(a.units[0].forms.len() >= 2, "{cmd}");
    }
    assert_eq!(normalised("xargs"), ["echo"]);
}

#[test]
fn find_exec_is_a_unit() {
    assert_eq!(
        normalised("find . -name '*.o' -exec rm {} \\;"),
        ["find . -name *.o -exec rm {} ;", "rm {}"]
    );
    assert_eq!(
        normalised("find . -execdir sh -c 'rm x' \\; -ok cat {} +"),
        [
            "find . -execdir sh -c rm x ; -ok cat {} +",
            "sh -c rm x",
            "rm x",
            "cat {}"
        ]
    );
}

#[test]
fn shell_strings_are_parsed_again() {
    assert_eq!(
        normalised("bash -c 'rm -rf x'"),
        ["bash -c rm -rf x", "rm -rf x"]
    );
    assert_eq!(normalised("sh -ec 'a; b'"), ["sh -ec a; b", "a", "b"]);
    assert_eq!(normalised("eval 'rm x'"), ["eval rm x", "rm x"]);
    assert_eq!(normalised("watch 'rm x'"), ["watch rm x", "rm x"]);
    assert_eq!(normalised("env -S 'rm x'"), ["env -S rm x", "rm x"]);
    assert_eq!(normalised("sudo bash -c 'rm x'"), ["bash -c rm x", "rm x"]);
}

#[test]
fn non_literal_shell_strings_are_dynamic() {
    for cmd in ["bash -c \"$CMD\"", "eval $X", "sh -c \"$(curl x)\""] {
        assert!(analyse(cmd).units[0].dynamic.is_some(), "{cmd}");
    }
    assert!(analyse("bash script.sh").units[0].dynamic.is_none());
    assert!(analyse("bash -x script.sh arg").units[0].dynamic.is_none());
    for cmd in [
        "sh",
        "bash -s",
        "bash -s -- a",
        "sh <<< 'rm x'",
        "bash -o posix",
    ] {
        let a = analyse(cmd);
        assert!(a.units[0].dynamic.is_some(), "{cmd}");
    }
    assert!(analyse("curl -s x | sh").units[1].dynamic.is_some());
}

#[test]
fn interpreters_are_opaque() {
    assert_eq!(
        normalised("python3 -c 'import os; os.system(\"rm -rf /\")'"),
        ["python3 -c import os; os.system(\"rm -rf /\")"]
    );
}

#[test]
fn dynamic_command_names() {
    for cmd in [
        "$X arg",
        "$(which rm) x",
        "`echo rm` x",
        "/bin/r? x",
        "r{m,} x",
        "${X:-rm} x",
    ] {
        let a = analyse(cmd);
        assert!(a.units[0].dynamic.is_some(), "{cmd}");
    }
    // Brace expansion in command position does not even parse as a command.
    let a = analyse("{rm,-rf,x}");
    assert!(!a.problems.is_empty() || a.units.iter().any(|u| u.dynamic.is_some()));
}

#[test]
fn global_options_are_removed() {
    assert_eq!(normalised("git -C /x --no-pager -c a=b push"), ["git push"]);
    assert_eq!(normalised("npm --prefix web test"), ["npm test"]);
    assert_eq!(normalised("cargo +nightly -q build"), ["cargo build"]);
}

#[test]
fn redirect_subjects() {
    let a = analyse("cat < in > out 2>&1 >> log &> all 2>/dev/null >&2");
    let s: Vec<(String, SubjectAccess)> = a.units[0]
        .subjects
        .iter()
        .map(|s| (s.path.clone().unwrap(), s.access))
        .collect();
    assert_eq!(
        s,
        [
            ("in".to_string(), SubjectAccess::Read),
            ("out".into(), SubjectAccess::Write),
            ("log".into(), SubjectAccess::Write),
            ("all".into(), SubjectAccess::Write),
        ]
    );
    let a = analyse("{ a; b; } > f");
    assert!(a.units.iter().all(|u| u.subjects.len() == 1));
    let a = analyse("> f");
    assert_eq!(a.units.len(), 1);
    assert_eq!(a.units[0].subjects[0].access, SubjectAccess::Write);
    let a = analyse("echo x > \"$OUT\"");
    assert_eq!(a.units[0].subjects[0].path, None);
}

#[test]
fn argument_subjects_expand_home() {
    let a = analyse("cat $HOME/.aws/credentials ~/x \"${HOME}\"/y ../z src/ok /dev/null");
    let s: Vec<String> = a.units[0]
        .subjects
        .iter()
        .map(|s| s.path.clone().unwrap())
        .collect();
    assert_eq!(s, ["~/.aws/credentials", "~/x", "~/y", "../z"]);
}

#[test]
fn parse_errors_are_problems() {
    assert!(!analyse("echo \"unterminated").problems.is_empty());
    assert!(!analyse("if true; then").problems.is_empty());
    assert!(!analyse("(((((").problems.is_empty());
    assert!(analyse("git status").problems.is_empty());
}

#[test]
fn deep_nesting_does_not_overflow() {
    let deep = "(".repeat(5000) + "x" + &")".repeat(5000);
    let a = analyse(&deep);
    assert!(!a.problems.is_empty());
    let subs = "$(".repeat(2000) + "x" + &")".repeat(2000);
    let _ = analyse(&subs);
}
