//! `authd keys ...`: one file per subcommand, each writing what it did to `out` (never key material).

mod common;
mod generate;
mod list;
mod retire;
mod rotate;

use std::io::Write;

use super::args::KeysCommand;
use crate::config::TokenSettings;
use crate::keys::KeyError;
use common::Report;

/// Runs a `keys` command against `settings.key_dir`, writing what it did to `out` (never key material).
pub fn run_keys(
    command: KeysCommand,
    settings: &TokenSettings,
    out: &mut dyn Write,
) -> Result<(), KeyError> {
    let mut report = Report::new(out, &settings.key_dir);
    match command {
        KeysCommand::List => list::run(settings, &mut report),
        KeysCommand::Generate { kind, alg } => {
            generate::run(kind.into(), alg, settings, &mut report)
        }
        KeysCommand::Rotate { kind } => rotate::run(kind.into(), settings, &mut report),
        KeysCommand::Retire { kid, force } => retire::run(&kid, force, settings, &mut report),
    }
}
