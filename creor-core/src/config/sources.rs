//! Where each layer's file lives.

use std::path::{Path, PathBuf};

use super::env::Env;

/// The managed file administrators install.
pub const MANAGED_PATH: &str = "/etc/creor/creor.json";
/// Env var naming another managed file (tests, per-machine images).
pub const MANAGED_ENV: &str = "CREOR_MANAGED_CONFIG";
/// Env var selecting a profile (below `--profile`, above `profileSelect`).
pub const PROFILE_ENV: &str = "CREOR_PROFILE";

/// The global file: `$XDG_CONFIG_HOME/creor/creor.json`, or `~/.config/creor/creor.json` when
/// XDG_CONFIG_HOME is unset, empty or relative (the XDG spec says to ignore relative values).
pub fn global_path(env: &dyn Env) -> Option<PathBuf> {
    if let Some(x) = env
        .var("XDG_CONFIG_HOME")
        .filter(|x| Path::new(x).is_absolute())
    {
        return Some(Path::new(&x).join("creor/creor.json"));
    }
    home(env).map(|h| h.join(".config/creor/creor.json"))
}

/// `$HOME`, when set to an absolute path.
pub fn home(env: &dyn Env) -> Option<PathBuf> {
    env.var("HOME")
        .filter(|h| Path::new(h).is_absolute())
        .map(PathBuf::from)
}

/// The managed files, low → high. `CREOR_MANAGED_CONFIG` adds a file, but the environment can
/// never switch off an installed `/etc/creor/creor.json`: when both exist, both load (the env
/// file above it). With the variable set and no file in /etc, only the env file counts.
pub fn managed_paths(env: &dyn Env) -> Vec<PathBuf> {
    let etc = PathBuf::from(MANAGED_PATH);
    match env.var(MANAGED_ENV).filter(|v| !v.is_empty()) {
        Some(p) => {
            let p = PathBuf::from(p);
            if p != etc && etc.exists() {
                vec![etc, p]
            } else {
                vec![p]
            }
        }
        None => vec![etc],
    }
}

/// The project's two files.
pub fn project_paths(project: &Path) -> (PathBuf, PathBuf) {
    (project.join("creor.json"), project.join("creor.local.json"))
}
