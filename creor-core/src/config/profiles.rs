//! Profiles: the bundled ones, the ones files define, and choosing one, once, at load.

use std::path::{Path, PathBuf};

use super::check::{self, Problem};
use super::de;
use super::env::Env;
use super::error::ConfigError;
use super::git::{self, Head};
use super::jsonc::{self, render_path, Node, Seg};
use super::parse::ParsedFile;
use super::raw::RawProfile;
use super::schema;
use super::sources::PROFILE_ENV;
use super::types::Layer;

/// The bundled profiles, embedded in the binary: (name, file text).
pub const BUNDLED: &[(&str, &str)] = &[
    ("default", include_str!("../../../profiles/default.json")),
    ("strict", include_str!("../../../profiles/strict.json")),
    ("ci", include_str!("../../../profiles/ci.json")),
    ("readonly", include_str!("../../../profiles/readonly.json")),
];

/// A profile definition and where it was written.
#[derive(Debug, Clone)]
pub struct ProfileDef {
    /// Its name.
    pub name: String,
    /// Its content.
    pub profile: RawProfile,
    /// The file that defined it (`bundled:profiles/<name>.json` for bundled ones).
    pub file: PathBuf,
    /// The profile object's tree (line index).
    pub tree: Node,
    /// Path of the profile object inside its file (`profiles.<name>`, empty for bundled).
    pub prefix: Vec<Seg>,
    /// The layer of the defining file (Builtin for bundled profiles).
    pub defined_in: Layer,
}

impl ProfileDef {
    /// Whether the definition comes from a file the user or administrator controls (bundled,
    /// global, managed, CLI) rather than from the repository.
    pub fn trusted(&self) -> bool {
        !matches!(self.defined_in, Layer::Project | Layer::Local)
    }
}

/// Label used as the file of a bundled profile.
pub fn bundled_label(name: &str) -> PathBuf {
    PathBuf::from(format!("bundled:profiles/{name}.json"))
}

/// Parses one profile file's text and validates it against the schema too (tests, the
/// fuzzer, `creor config validate`).
pub fn parse_profile(text: &str, file: &Path) -> Result<(RawProfile, Node), ConfigError> {
    let (profile, tree) = parse_profile_unchecked(text, file)?;
    let err = |line: usize, key: String, message: String| ConfigError {
        file: file.to_path_buf(),
        line,
        key,
        message,
    };
    // The schema describes profiles inside a creor.json: validate the profile there.
    let wrapped = Node {
        line: tree.line,
        value: jsonc::Value::Object(vec![jsonc::Member {
            key: "profiles".into(),
            line: tree.line,
            node: Node {
                line: tree.line,
                value: jsonc::Value::Object(vec![jsonc::Member {
                    key: "bundled-check".into(),
                    line: tree.line,
                    node: tree.clone(),
                }]),
            },
        }]),
    };
    schema::validate(&wrapped).map_err(|p| {
        let inner: Vec<Seg> = p.path.iter().skip(2).cloned().collect();
        err(tree.line_of(&inner), render_path(&inner), p.message)
    })?;
    Ok((profile, tree))
}

/// [`parse_profile`] without the schema pass: for the bundled profiles at run time. They are
/// constants checked against the schema by the tests, and building the schema validator costs
/// milliseconds that every `creor exec` would otherwise pay.
fn parse_profile_unchecked(text: &str, file: &Path) -> Result<(RawProfile, Node), ConfigError> {
    let err = |line: usize, key: String, message: String| ConfigError {
        file: file.to_path_buf(),
        line,
        key,
        message,
    };
    let tree = jsonc::parse(text).map_err(|e| err(e.line, e.path, e.message))?;
    let profile: RawProfile = de::from_node(&tree).map_err(|e| {
        let (line, key) = e.at.clone().unwrap_or((0, String::new()));
        err(line, key, e.message)
    })?;
    let problem = |p: Problem| err(tree.line_of(&p.path), render_path(&p.path), p.message);
    check::check_profile(&profile, &[]).map_err(problem)?;
    Ok((profile, tree))
}

/// The profiles the files define. A name defined twice is an error naming both places (no
/// file may shadow another's profile; bundled names are refused by the file check). Bundled
/// profiles are not parsed here: a load parses only the one it selects ([`definition`]).
pub fn collect(files: &[(Layer, &ParsedFile)]) -> Result<Vec<ProfileDef>, ConfigError> {
    let mut defs: Vec<ProfileDef> = Vec::new();
    for (layer, parsed) in files {
        for (name, profile) in parsed.raw.profiles.iter().flatten() {
            let prefix = vec![Seg::Key("profiles".into()), Seg::Key(name.clone())];
            if let Some(first) = defs.iter().find(|d| &d.name == name) {
                return Err(parsed.error_at(
                    &prefix,
                    format!(
                        "profile `{name}` is already defined in {}:{}",
                        first.file.display(),
                        first.tree.line
                    ),
                ));
            }
            let tree = parsed.tree.get(&prefix).cloned().unwrap_or(Node {
                line: 0,
                value: jsonc::Value::Null,
            });
            defs.push(ProfileDef {
                name: name.clone(),
                profile: profile.clone(),
                file: parsed.file.clone(),
                tree,
                prefix,
                defined_in: *layer,
            });
        }
    }
    Ok(defs)
}

/// The definition of profile `name`: a file's, else the bundled one, parsed now. `None` for
/// a name neither defines ([`select`] has already refused those).
pub fn definition(defs: &[ProfileDef], name: &str) -> Result<Option<ProfileDef>, ConfigError> {
    if let Some(def) = defs.iter().find(|d| d.name == name) {
        return Ok(Some(def.clone()));
    }
    let Some((_, text)) = BUNDLED.iter().find(|(n, _)| *n == name) else {
        return Ok(None);
    };
    let file = bundled_label(name);
    let (profile, tree) = parse_profile_unchecked(text, &file)?;
    Ok(Some(ProfileDef {
        name: name.to_string(),
        profile,
        file,
        tree,
        prefix: Vec::new(),
        defined_in: Layer::Builtin,
    }))
}

/// The selected profile and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Profile name.
    pub name: String,
    /// Human reason (`--profile`, `CREOR_PROFILE=ci`, `profileSelect[0] in …`).
    pub reason: String,
}

/// Chooses the profile: `--profile` > `CREOR_PROFILE` > the first matching `profileSelect`
/// entry (trusted files first, then the highest layer). Every name referenced anywhere must exist, even
/// when its entry does not match, so a typo fails at once rather than on the release branch.
pub fn select(
    flag: Option<&str>,
    env: &dyn Env,
    files: &[(Layer, &ParsedFile)],
    defs: &[ProfileDef],
    project: &Path,
) -> Result<Option<Selection>, ConfigError> {
    let known = |n: &str| BUNDLED.iter().any(|(b, _)| *b == n) || defs.iter().any(|d| d.name == n);
    let names = || {
        let mut v: Vec<&str> = BUNDLED.iter().map(|(b, _)| *b).collect();
        v.extend(defs.iter().map(|d| d.name.as_str()));
        v.sort_unstable();
        v.join(", ")
    };
    // Trusted files first (a repository must not pre-empt the user's own selection), then by
    // layer, highest first: CLI, managed, global, creor.local.json, creor.json.
    let mut ordered: Vec<&(Layer, &ParsedFile)> = files.iter().collect();
    ordered.sort_by_key(|(layer, _)| {
        let repository = matches!(layer, Layer::Project | Layer::Local);
        (repository, std::cmp::Reverse(*layer))
    });
    for (_, parsed) in &ordered {
        for (i, entry) in parsed.raw.profile_select.iter().flatten().enumerate() {
            if !known(&entry.profile) {
                let path = [
                    Seg::Key("profileSelect".into()),
                    Seg::Index(i),
                    Seg::Key("profile".into()),
                ];
                return Err(parsed.error_at(
                    &path,
                    format!("unknown profile `{}` (known: {})", entry.profile, names()),
                ));
            }
        }
    }
    if let Some(name) = flag {
        if !known(name) {
            return Err(ConfigError {
                file: PathBuf::from("<cli>"),
                line: 0,
                key: "--profile".into(),
                message: format!("unknown profile `{name}` (known: {})", names()),
            });
        }
        return Ok(Some(Selection {
            name: name.to_string(),
            reason: "--profile flag".into(),
        }));
    }
    if let Some(name) = env.var(PROFILE_ENV).filter(|v| !v.is_empty()) {
        if !known(&name) {
            return Err(ConfigError {
                file: PathBuf::from(format!("<env {PROFILE_ENV}>")),
                line: 0,
                key: PROFILE_ENV.into(),
                message: format!("unknown profile `{name}` (known: {})", names()),
            });
        }
        return Ok(Some(Selection {
            reason: format!("{PROFILE_ENV}={name}"),
            name,
        }));
    }
    let mut head: Option<Head> = None;
    for (_, parsed) in &ordered {
        for (i, entry) in parsed.raw.profile_select.iter().flatten().enumerate() {
            let path = [Seg::Key("profileSelect".into()), Seg::Index(i)];
            let at = format!(
                "{} in {}:{}",
                render_path(&path),
                parsed.file.display(),
                parsed.line_of(&path)
            );
            let why = if let Some(var) = &entry.when.env {
                match (env.var(var), &entry.when.equals) {
                    (Some(v), Some(want)) if &v == want => Some(format!("env {var} = {want:?}")),
                    (Some(v), None) if !v.is_empty() => Some(format!("env {var} is set")),
                    _ => None,
                }
            } else if let Some(glob) = &entry.when.branch {
                let h = head.get_or_insert_with(|| git::head(project));
                match (h, git::branch_glob(glob)) {
                    (Head::Branch(b), Ok(m)) if m.is_match(b.as_str()) => {
                        Some(format!("branch `{b}` matches `{glob}`"))
                    }
                    (_, Err(e)) => {
                        return Err(parsed.error_at(
                            &[
                                Seg::Key("profileSelect".into()),
                                Seg::Index(i),
                                Seg::Key("when".into()),
                                Seg::Key("branch".into()),
                            ],
                            format!("invalid glob: {e}"),
                        ))
                    }
                    _ => None,
                }
            } else {
                None
            };
            if let Some(why) = why {
                return Ok(Some(Selection {
                    name: entry.profile.clone(),
                    reason: format!("{at}: {why}"),
                }));
            }
        }
    }
    Ok(None)
}
