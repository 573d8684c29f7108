//! `creor config validate|show`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use creor_core::config::{self, ConfigError, LoadOptions, ProcessEnv};

use super::Exit;

/// `creor config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a config file (default: every layer of the current project).
    Validate {
        /// The file to validate.
        file: Option<PathBuf>,
    },
    /// Show the merged configuration.
    Show {
        /// Annotate each value with the layer it came from.
        #[arg(long)]
        effective: bool,
        /// Project directory (default: current directory).
        #[arg(long)]
        project: Option<PathBuf>,
        /// Profile to select.
        #[arg(long)]
        profile: Option<String>,
    },
}

/// Runs `creor config`.
pub fn run(cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCommand::Validate { file: Some(file) } => {
            config::parse_file(&file).map_err(config_exit)?;
            println!("ok: {}", file.display());
        }
        ConfigCommand::Validate { file: None } => {
            let project = std::env::current_dir().context("current directory")?;
            let project = project.canonicalize().unwrap_or(project);
            // Every layer file on its own first, so each broken file is named even when the
            // full load would stop at an earlier one.
            let files = config::read_layers(&project, &ProcessEnv).map_err(config_exit)?;
            let resolved = config::load(&LoadOptions {
                project,
                ..LoadOptions::default()
            })
            .map_err(config_exit)?;
            if files.is_empty() {
                println!("ok: no config files (built-in defaults)");
            }
            for (_, parsed) in &files {
                println!("ok: {}", parsed.file.display());
            }
            if let (Some(name), Some(why)) = (&resolved.profile, &resolved.profile_reason) {
                println!("profile: {name} ({why})");
            }
            print_notes(&resolved.notes);
        }
        ConfigCommand::Show {
            effective,
            project,
            profile,
        } => {
            let project = match project {
                Some(p) => p,
                None => std::env::current_dir().context("current directory")?,
            };
            let resolved = config::load(&LoadOptions {
                project,
                profile,
                cli: None,
            })
            .map_err(config_exit)?;
            let out = config::render_config(&resolved, effective);
            println!("{}", serde_json::to_string_pretty(&out)?);
            print_notes(&resolved.notes);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn config_exit(e: ConfigError) -> anyhow::Error {
    Exit::config(e.to_string())
}

fn print_notes(notes: &[String]) {
    for n in notes {
        eprintln!("creor: note: {n}");
    }
}
