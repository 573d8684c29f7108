//! Checks serde cannot express: name and host shapes, ranges, regexes and globs that must
//! compile, `profileSelect` conditions with exactly one test. Every refusal names the JSON path;
//! the caller maps it to a line.
//!
//! The regex constants here are the same strings as the `pattern`s in `creor.schema.json`; a
//! test keeps the two in step.

use std::sync::OnceLock;

use regex::Regex;

use super::jsonc::Seg;
use super::raw::{RawConfig, RawPermissions, RawProfile, RawSandbox, BUNDLED_PROFILES};

/// Profile names: a word that is safe in messages and file names.
pub const PROFILE_NAME: &str = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
/// Environment variable names (`profileSelect.when.env`, `provider.apiKeyEnv`).
pub const ENV_NAME: &str = "^[A-Za-z_][A-Za-z0-9_]*$";
/// Host patterns: `name`, `*.name`, optional `:port`, or a bracketed IPv6 literal.
pub const HOST: &str = r"^((\*\.)?[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$";
/// Sandbox paths: absolute, project-relative, `~` or `~/…` (no `~user`).
pub const SANDBOX_PATH: &str = "^(~|~/.*|[^~].*)$";
/// Provider base URLs.
pub const BASE_URL: &str = "^https?://[^\\s]+$";
/// Secret rule ids.
pub const RULE_ID: &str = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
/// Largest MiB value whose byte count fits in 64 bits.
pub const MAX_MB: u64 = u64::MAX / (1024 * 1024);
/// Highest meaningful Shannon entropy per character (bits, for byte alphabets).
pub const MAX_ENTROPY: f64 = 8.0;

/// A refusal: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path of the offending key or value.
    pub path: Vec<Seg>,
    /// What is wrong.
    pub message: String,
}

type Checked = Result<(), Problem>;

fn problem(path: &[Seg], message: impl Into<String>) -> Problem {
    Problem {
        path: path.to_vec(),
        message: message.into(),
    }
}

fn key(path: &[Seg], k: &str) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::Key(k.to_string()));
    p
}

fn index(path: &[Seg], i: usize) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::Index(i));
    p
}

fn re(pattern: &'static str, cell: &'static OnceLock<Option<Regex>>) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

fn matches(pattern: &'static str, cell: &'static OnceLock<Option<Regex>>, s: &str) -> bool {
    // A constant that fails to compile would be a creor bug; refuse rather than accept.
    re(pattern, cell).is_some_and(|r| r.is_match(s))
}

macro_rules! shape {
    ($name:ident, $pat:expr) => {
        fn $name(s: &str) -> bool {
            static CELL: OnceLock<Option<Regex>> = OnceLock::new();
            matches($pat, &CELL, s)
        }
    };
}

shape!(is_profile_name, PROFILE_NAME);
shape!(is_env_name, ENV_NAME);
shape!(is_host, HOST);
shape!(is_sandbox_path, SANDBOX_PATH);
shape!(is_base_url, BASE_URL);
shape!(is_rule_id, RULE_ID);

/// Checks one parsed file.
pub fn check(raw: &RawConfig) -> Checked {
    let root: Vec<Seg> = Vec::new();
    if let Some(p) = &raw.permissions {
        check_permissions(p, &key(&root, "permissions"))?;
    }
    if let Some(s) = &raw.sandbox {
        check_sandbox(s, &key(&root, "sandbox"))?;
    }
    if let Some(provider) = &raw.provider {
        let at = key(&root, "provider");
        if let Some(url) = &provider.base_url {
            if !is_base_url(url) {
                return Err(problem(
                    &key(&at, "baseUrl"),
                    format!("`{url}` is not an http(s) URL"),
                ));
            }
        }
        if let Some(model) = &provider.model {
            if model.is_empty() {
                return Err(problem(&key(&at, "model"), "empty model name"));
            }
        }
        if let Some(env) = &provider.api_key_env {
            if !is_env_name(env) {
                return Err(problem(
                    &key(&at, "apiKeyEnv"),
                    format!("`{env}` is not an environment variable name"),
                ));
            }
        }
    }
    if let Some(secrets) = &raw.secrets {
        let at = key(&root, "secrets");
        for (i, rule) in secrets.rules.iter().enumerate() {
            let r = index(&key(&at, "rules"), i);
            if !is_rule_id(&rule.id) {
                return Err(problem(
                    &key(&r, "id"),
                    format!(
                        "`{}` is not a rule id (letters, digits, `.`, `_`, `-`)",
                        rule.id
                    ),
                ));
            }
            if let Err(e) = Regex::new(&rule.regex) {
                return Err(problem(&key(&r, "regex"), format!("invalid regex: {e}")));
            }
            if let Some(entropy) = rule.entropy {
                if !(0.0..=MAX_ENTROPY).contains(&entropy) {
                    return Err(problem(
                        &key(&r, "entropy"),
                        format!("{entropy} is outside 0..={MAX_ENTROPY}"),
                    ));
                }
            }
            for (j, k) in rule.keywords.iter().enumerate() {
                if k.is_empty() {
                    return Err(problem(&index(&key(&r, "keywords"), j), "empty keyword"));
                }
            }
            check_globs(&rule.paths, &key(&r, "paths"))?;
        }
        let allow = key(&at, "allowlist");
        check_globs(&secrets.allowlist.paths, &key(&allow, "paths"))?;
        for (i, rx) in secrets.allowlist.regexes.iter().enumerate() {
            if let Err(e) = Regex::new(rx) {
                return Err(problem(
                    &index(&key(&allow, "regexes"), i),
                    format!("invalid regex: {e}"),
                ));
            }
        }
        for (i, w) in secrets.allowlist.stopwords.iter().enumerate() {
            if w.is_empty() {
                return Err(problem(
                    &index(&key(&allow, "stopwords"), i),
                    "empty stopword (it would match every secret)",
                ));
            }
        }
    }
    if let Some(profiles) = &raw.profiles {
        let at = key(&root, "profiles");
        for (name, profile) in profiles {
            let p = key(&at, name);
            if !is_profile_name(name) {
                return Err(problem(
                    &p,
                    format!("`{name}` is not a profile name (letters, digits, `.`, `_`, `-`)"),
                ));
            }
            if BUNDLED_PROFILES.contains(&name.as_str()) {
                return Err(problem(
                    &p,
                    format!(
                        "`{name}` is a bundled profile and cannot be redefined; pick another name"
                    ),
                ));
            }
            check_profile(profile, &p)?;
        }
    }
    if let Some(select) = &raw.profile_select {
        for (i, entry) in select.iter().enumerate() {
            let e = index(&key(&root, "profileSelect"), i);
            if !is_profile_name(&entry.profile) {
                return Err(problem(
                    &key(&e, "profile"),
                    format!("`{}` is not a profile name", entry.profile),
                ));
            }
            let w = key(&e, "when");
            let when = &entry.when;
            match (&when.env, &when.branch) {
                (Some(env), None) => {
                    if !is_env_name(env) {
                        return Err(problem(
                            &key(&w, "env"),
                            format!("`{env}` is not an environment variable name"),
                        ));
                    }
                }
                (None, Some(branch)) => {
                    if when.equals.is_some() {
                        return Err(problem(&key(&w, "equals"), "`equals` goes with `env`"));
                    }
                    if branch.is_empty() {
                        return Err(problem(&key(&w, "branch"), "empty branch glob"));
                    }
                    if let Err(e) = super::git::branch_glob(branch) {
                        return Err(problem(&key(&w, "branch"), format!("invalid glob: {e}")));
                    }
                }
                (Some(_), Some(_)) => {
                    return Err(problem(&w, "give either `env` or `branch`, not both"));
                }
                (None, None) => {
                    return Err(problem(&w, "needs `env` or `branch`"));
                }
            }
        }
    }
    Ok(())
}

/// Checks the part of a file a profile may also contain.
pub fn check_profile(profile: &RawProfile, at: &[Seg]) -> Checked {
    if let Some(p) = &profile.permissions {
        check_permissions(p, &key(at, "permissions"))?;
    }
    if let Some(s) = &profile.sandbox {
        check_sandbox(s, &key(at, "sandbox"))?;
    }
    Ok(())
}

fn check_permissions(_p: &RawPermissions, _at: &[Seg]) -> Checked {
    // Tool names, patterns and levels are closed by the deserializer; pattern syntax belongs to
    // the permission engine, which treats every pattern as literal text plus wildcards.
    Ok(())
}

fn check_globs(globs: &[String], at: &[Seg]) -> Checked {
    for (i, g) in globs.iter().enumerate() {
        if g.is_empty() {
            return Err(problem(&index(at, i), "empty glob"));
        }
        if let Err(e) = globset::Glob::new(g) {
            return Err(problem(&index(at, i), format!("invalid glob: {e}")));
        }
    }
    Ok(())
}

fn check_sandbox(s: &RawSandbox, at: &[Seg]) -> Checked {
    if let Some(net) = &s.network {
        let n = key(at, "network");
        for (field, hosts) in [
            ("allowedHosts", &net.allowed_hosts),
            ("deniedHosts", &net.denied_hosts),
        ] {
            for (i, h) in hosts.iter().flatten().enumerate() {
                if !is_host(h) {
                    return Err(problem(
                        &index(&key(&n, field), i),
                        format!("`{h}` is not a host pattern (`host`, `*.host`, optional `:port`)"),
                    ));
                }
            }
        }
    }
    if let Some(fs) = &s.filesystem {
        let f = key(at, "filesystem");
        for (field, paths) in [("readOnly", &fs.read_only), ("readWrite", &fs.read_write)] {
            for (i, p) in paths.iter().flatten().enumerate() {
                if !is_sandbox_path(p) {
                    return Err(problem(
                        &index(&key(&f, field), i),
                        format!("`{p}` is not a path (`~user` is not supported; use `~/…` or an absolute path)"),
                    ));
                }
            }
        }
    }
    if let Some(l) = &s.limits {
        let at = key(at, "limits");
        for (field, value, max) in [
            ("timeoutSecs", l.timeout_secs, u64::MAX),
            ("maxProcesses", l.max_processes, u64::MAX),
            ("maxMemoryMb", l.max_memory_mb, MAX_MB),
            ("maxFileSizeMb", l.max_file_size_mb, MAX_MB),
            ("tmpSizeMb", l.tmp_size_mb, MAX_MB),
        ] {
            if let Some(v) = value {
                if v == 0 || v > max {
                    return Err(problem(
                        &key(&at, field),
                        format!("{v} is outside 1..={max}"),
                    ));
                }
            }
        }
    }
    Ok(())
}
