//! Normalisation of one simple command (POLICY.md "Bash units"): quote removal (done by
//! [`super::words`]), program basenames, `VAR=` prefixes, wrappers peeled recursively,
//! `bash -c`/`eval` strings parsed again, and well-known global options removed. Every step
//! adds a form; the engine judges all forms and keeps the strictest.

use super::parse::analyse_into;
use super::subjects;
use super::units::{Analysis, FileSubject, Unit, Word};

/// Most wrappers peeled from one unit.
const MAX_PEEL: usize = 32;

/// A simple command before normalisation.
#[derive(Debug, Clone)]
pub struct RawUnit {
    /// Source text.
    pub text: String,
    /// Words after the leading assignments.
    pub words: Vec<Word>,
    /// Names assigned by leading `VAR=val` prefixes.
    pub assignments: Vec<String>,
    /// Redirect subjects (own and inherited from an enclosing redirected statement).
    pub subjects: Vec<FileSubject>,
}

/// Whether assigning `name` can change which code later runs (at least `ask`).
pub fn dangerous_env(name: &str) -> bool {
    const EXACT: [&str; 12] = [
        "PATH",
        "BASH_ENV",
        "ENV",
        "IFS",
        "SHELLOPTS",
        "BASHOPTS",
        "PS4",
        "PROMPT_COMMAND",
        "NODE_OPTIONS",
        "RUBYOPT",
        "RUBYLIB",
        "CDPATH",
    ];
    const PREFIX: [&str; 7] = [
        "LD_",
        "GIT_",
        "PYTHON",
        "DYLD_",
        "BASH_FUNC_",
        "PERL5",
        "PERLLIB",
    ];
    EXACT.contains(&name) || PREFIX.iter().any(|p| name.starts_with(p))
}

/// Shells whose `-c STRING` is parsed again.
const SHELLS: [&str; 7] = ["bash", "sh", "zsh", "dash", "ksh", "mksh", "ash"];

/// Interpreters that run code given on the command line; their code is opaque.
pub const INTERPRETERS: [&str; 18] = [
    "bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "fish", "python", "python2", "python3",
    "node", "nodejs", "perl", "ruby", "php", "lua", "deno",
];

/// A wrapper: the options that take a value, how many positionals precede the command, and
/// whether `NAME=value` words may appear before it.
struct Wrapper {
    name: &'static str,
    short_with_arg: &'static [&'static str],
    long_with_arg: &'static [&'static str],
    positionals: usize,
    env: bool,
}

const WRAPPERS: &[Wrapper] = &[
    Wrapper {
        name: "sudo",
        short_with_arg: &[
            "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R",
        ],
        long_with_arg: &[
            "--user",
            "--group",
            "--close-from",
            "--chdir",
            "--host",
            "--prompt",
            "--role",
            "--type",
            "--other-user",
            "--command-timeout",
            "--chroot",
        ],
        positionals: 0,
        env: true,
    },
    Wrapper {
        name: "doas",
        short_with_arg: &["-u", "-C"],
        long_with_arg: &[],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "env",
        short_with_arg: &["-u", "-C", "-S"],
        long_with_arg: &["--unset", "--chdir", "--split-string"],
        positionals: 0,
        env: true,
    },
    Wrapper {
        name: "command",
        short_with_arg: &[],
        long_with_arg: &[],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "builtin",
        short_with_arg: &[],
        long_with_arg: &[],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "exec",
        short_with_arg: &["-a"],
        long_with_arg: &[],
        positionals: 0,
        env: false,
    },
    Wrapper {
        // A multi-call binary: `busybox rm x` is `rm x`.
        name: "busybox",
        short_with_arg: &[],
        long_with_arg: &[],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "nohup",
        short_with_arg: &[],
        long_with_arg: &[],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "nice",
        short_with_arg: &["-n"],
        long_with_arg: &["--adjustment"],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "ionice",
        short_with_arg: &["-c", "-n", "-p", "-P", "-u"],
        long_with_arg: &["--class", "--classdata", "--pid", "--pgid", "--uid"],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "timeout",
        short_with_arg: &["-s", "-k"],
        long_with_arg: &["--signal", "--kill-after"],
        positionals: 1,
        env: false,
    },
    Wrapper {
        name: "time",
        short_with_arg: &["-f", "-o"],
        long_with_arg: &["--format", "--output"],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "stdbuf",
        short_with_arg: &["-i", "-o", "-e"],
        long_with_arg: &["--input", "--output", "--error"],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "setsid",
        short_with_arg: &[],
        long_with_arg: &[],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "taskset",
        short_with_arg: &[],
        long_with_arg: &[],
        positionals: 1,
        env: false,
    },
    Wrapper {
        name: "xargs",
        short_with_arg: &["-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s"],
        long_with_arg: &[
            "--arg-file",
            "--delimiter",
            "--eof",
            "--replace",
            "--max-lines",
            "--max-args",
            "--max-procs",
            "--max-chars",
            "--process-slot-var",
        ],
        positionals: 0,
        env: false,
    },
    Wrapper {
        name: "watch",
        short_with_arg: &["-n", "-q"],
        long_with_arg: &["--interval"],
        positionals: 0,
        env: false,
    },
];

/// Normalises `raw` into a unit (and any units nested in it) appended to `out`.
pub fn normalise(raw: RawUnit, depth: usize, out: &mut Analysis) {
    let mut unit = Unit {
        text: raw.text,
        dangerous_env: raw
            .assignments
            .iter()
            .filter(|n| dangerous_env(n))
            .cloned()
            .collect(),
        subjects: raw.subjects,
        ..Unit::default()
    };
    let words = raw.words;
    push_form(
        &mut unit,
        words
            .iter()
            .map(|w| w.raw.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    for w in words.iter().skip(1) {
        if let Some(s) = subjects::of_argument(w) {
            unit.subjects.push(s);
        }
    }
    let mut nested: Vec<String> = Vec::new();
    let mut nested_dynamic: Option<String> = None;
    let mut execs: Vec<Vec<Word>> = Vec::new();
    let mut cur: Vec<Word> = words;
    for _ in 0..MAX_PEEL {
        let Some(head) = cur.first() else { break };
        if head.dynamic || head.glob {
            unit.dynamic = Some(format!("dynamic command name {}", head.raw));
            push_form(&mut unit, texts(&cur).join(" "));
            break;
        }
        let mut argv = texts(&cur);
        push_form(&mut unit, argv.join(" "));
        let base = basename(&argv[0]).to_string();
        if base != argv[0] {
            argv[0] = base.clone();
            push_form(&mut unit, argv.join(" "));
        }
        unit.programs.push(base.clone());
        if let Some(stripped) = strip_global_options(&argv) {
            push_form(&mut unit, stripped.join(" "));
        }
        if SHELLS.contains(&base.as_str()) {
            match shell_run(&cur) {
                ShellRun::Literal(s) => nested.push(s),
                ShellRun::Dynamic(raw) => {
                    nested_dynamic = Some(format!("{base} -c with a non-literal string {raw}"))
                }
                ShellRun::Stdin => {
                    nested_dynamic = Some(format!("{base} runs commands read from its input"))
                }
                ShellRun::Script => {}
            }
            break;
        }
        if base == "eval" {
            let args = &cur[1..];
            if args.iter().any(|w| w.dynamic) {
                nested_dynamic = Some("eval of a non-literal string".into());
            } else {
                nested.push(texts(args).join(" "));
            }
            break;
        }
        if base == "find" {
            execs.extend(find_execs(&cur));
            break;
        }
        let Some(wrapper) = WRAPPERS.iter().find(|w| w.name == base) else {
            break;
        };
        let Some(peeled) = peel(wrapper, &cur) else {
            if wrapper.name == "xargs" {
                // xargs with no command runs echo.
                cur = vec![echo_word()];
                continue;
            }
            break;
        };
        for name in &peeled.env {
            if dangerous_env(name) {
                unit.dangerous_env.push(name.clone());
            }
        }
        if let Some(split) = peeled.split_string {
            match split {
                Ok(s) => nested.push(s),
                Err(raw) => {
                    nested_dynamic = Some(format!("env -S with a non-literal string {raw}"))
                }
            }
        }
        let mut rest: Vec<Word> = cur[peeled.start..].to_vec();
        if wrapper.name == "xargs" && rest.is_empty() {
            rest = vec![echo_word()];
        }
        if wrapper.name == "watch" && !peeled.exec && !rest.is_empty() {
            // watch runs its arguments through `sh -c`.
            if rest.iter().any(|w| w.dynamic) {
                nested_dynamic = Some("watch of a non-literal command".into());
            } else {
                nested.push(texts(&rest).join(" "));
            }
            break;
        }
        cur = rest;
    }
    if unit.dynamic.is_none() {
        unit.dynamic = nested_dynamic;
    }
    out.units.push(unit);
    for s in nested {
        analyse_into(&s, depth + 1, out);
    }
    for argv in execs {
        let raw = RawUnit {
            text: argv
                .iter()
                .map(|w| w.raw.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            words: argv,
            assignments: vec![],
            subjects: vec![],
        };
        if depth < super::parse::MAX_REPARSE {
            normalise(raw, depth + 1, out);
        } else {
            out.problems.push("command nested too deeply".into());
        }
    }
}

fn echo_word() -> Word {
    Word {
        raw: "echo".into(),
        text: "echo".into(),
        path: Some("echo".into()),
        ..Word::default()
    }
}

fn push_form(unit: &mut Unit, form: String) {
    if !unit.forms.contains(&form) {
        unit.forms.push(form);
    }
}

fn texts(words: &[Word]) -> Vec<String> {
    words.iter().map(|w| w.text.clone()).collect()
}

/// `/bin/rm` → `rm`.
pub fn basename(program: &str) -> &str {
    match program.rsplit_once('/') {
        Some((_, b)) if !b.is_empty() => b,
        _ => program,
    }
}

struct Peeled {
    start: usize,
    env: Vec<String>,
    split_string: Option<Result<String, String>>,
    exec: bool,
}

fn is_assignment(t: &str) -> Option<&str> {
    let (name, _) = t.split_once('=')?;
    let ok = !name.is_empty()
        && name
            .bytes()
            .enumerate()
            .all(|(i, b)| b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit()));
    ok.then_some(name)
}

/// Skips a wrapper's options (and positionals); `None` when nothing is left to run.
fn peel(wrapper: &Wrapper, words: &[Word]) -> Option<Peeled> {
    let mut i = 1;
    let mut env = Vec::new();
    let mut split_string = None;
    let mut exec = false;
    while i < words.len() {
        let t = words[i].text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        if wrapper.env {
            if let Some(name) = is_assignment(t) {
                env.push(name.to_string());
                i += 1;
                continue;
            }
        }
        if wrapper.name == "env" && (t == "-S" || t.starts_with("--split-string")) {
            let value = if let Some(v) = t.strip_prefix("--split-string=") {
                Some((v.to_string(), words[i].dynamic))
            } else {
                words.get(i + 1).map(|w| (w.text.clone(), w.dynamic))
            };
            split_string = value.map(|(v, dynamic)| if dynamic { Err(v) } else { Ok(v) });
            return Some(Peeled {
                start: words.len(),
                env,
                split_string,
                exec,
            });
        }
        if let Some(long) = t.strip_prefix("--") {
            if long == "exec" {
                exec = true;
            }
            if !t.contains('=') && wrapper.long_with_arg.contains(&t) {
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        if t.len() > 1 && t.starts_with('-') {
            if wrapper.name == "watch" && t.contains('x') && !t.starts_with("-n") {
                exec = true;
            }
            if wrapper.short_with_arg.contains(&t) {
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        break;
    }
    i += wrapper.positionals;
    (i < words.len()).then_some(Peeled {
        start: i,
        env,
        split_string,
        exec,
    })
}

/// What a shell invocation runs.
enum ShellRun {
    /// `-c` with a literal string.
    Literal(String),
    /// `-c` with a string known only at run time.
    Dynamic(String),
    /// A script file.
    Script,
    /// Commands read from stdin (`curl … | sh`, `sh -s`, `bash <<< …`): unknowable here.
    Stdin,
}

fn shell_run(words: &[Word]) -> ShellRun {
    let mut saw_c = false;
    let mut saw_s = false;
    let mut i = 1;
    while i < words.len() {
        let w = &words[i];
        let t = w.text.as_str();
        i += 1;
        if t == "--" || t == "-" {
            break;
        }
        let option = (t.starts_with('-') || t.starts_with('+')) && t.len() > 1;
        if option {
            if !t.starts_with("--") {
                saw_c |= t.contains('c');
                saw_s |= t.contains('s');
                // `-o opt` / `+O opt` take a value.
                if t.ends_with('o') || t.ends_with('O') {
                    i += 1;
                }
            }
            continue;
        }
        if saw_c {
            return if w.dynamic {
                ShellRun::Dynamic(w.raw.clone())
            } else {
                ShellRun::Literal(w.text.clone())
            };
        }
        return if saw_s {
            ShellRun::Stdin
        } else {
            ShellRun::Script
        };
    }
    match words.get(i) {
        Some(w) if saw_c && w.dynamic => ShellRun::Dynamic(w.raw.clone()),
        Some(w) if saw_c => ShellRun::Literal(w.text.clone()),
        Some(_) if !saw_s => ShellRun::Script,
        _ => ShellRun::Stdin,
    }
}

/// The commands of `find … -exec/-execdir/-ok/-okdir CMD … ;|+`.
fn find_execs(words: &[Word]) -> Vec<Vec<Word>> {
    let mut out = Vec::new();
    let mut i = 1;
    while i < words.len() {
        if matches!(
            words[i].text.as_str(),
            "-exec" | "-execdir" | "-ok" | "-okdir"
        ) {
            let start = i + 1;
            let mut end = start;
            while end < words.len() && !matches!(words[end].text.as_str(), ";" | "+") {
                end += 1;
            }
            if end > start {
                out.push(words[start..end].to_vec());
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Removes git/npm/cargo global options before the subcommand; `None` when nothing changed.
fn strip_global_options(argv: &[String]) -> Option<Vec<String>> {
    let (with_arg, flags, prefix): (&[&str], &[&str], &[&str]) = match argv[0].as_str() {
        "git" => (
            &[
                "-C",
                "-c",
                "--git-dir",
                "--work-tree",
                "--namespace",
                "--config-env",
            ],
            &[
                "--no-pager",
                "--paginate",
                "-p",
                "-P",
                "--bare",
                "--no-replace-objects",
                "--literal-pathspecs",
                "--glob-pathspecs",
                "--noglob-pathspecs",
                "--icase-pathspecs",
                "--no-optional-locks",
            ],
            &[
                "--git-dir=",
                "--work-tree=",
                "--namespace=",
                "--config-env=",
                "--exec-path=",
            ],
        ),
        "npm" => (
            &["--prefix", "--loglevel"],
            &["--silent", "-s", "-q", "--quiet"],
            &["--prefix=", "--loglevel="],
        ),
        "cargo" => (
            &["--color", "-Z", "--config"],
            &[
                "-q",
                "--quiet",
                "-v",
                "-vv",
                "--verbose",
                "--locked",
                "--offline",
                "--frozen",
            ],
            &["--color=", "--config="],
        ),
        _ => return None,
    };
    let mut i = 1;
    while i < argv.len() {
        let t = argv[i].as_str();
        if argv[0] == "cargo" && i == 1 && t.starts_with('+') {
            i += 1;
        } else if with_arg.contains(&t) {
            i += 2;
        } else if flags.contains(&t) || prefix.iter().any(|p| t.starts_with(p)) {
            i += 1;
        } else {
            break;
        }
    }
    if i == 1 {
        return None;
    }
    let mut out = vec![argv[0].clone()];
    out.extend(argv.iter().skip(i).cloned());
    Some(out)
}
