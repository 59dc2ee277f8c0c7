//! The `authd` binary: `authd` / `authd serve` runs the server; `authd config check`, `authd keys ...` and
//! `authd admin-keys ...` are one-shot commands. A setting or start-up failure exits 2, naming the variable.

use std::process::ExitCode;

use authd::cli::{Cli, Command, ConfigCommand};
use authd::config::Settings;
use authd::startup::Application;
use clap::Parser;

/// The exit code of a bad setting or a failed start-up: the operator has to change something.
const SETTINGS_FAILURE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("authd: invalid setting {error}");
            return ExitCode::from(SETTINGS_FAILURE);
        }
    };
    let out = &mut std::io::stdout();
    match cli.command {
        None | Some(Command::Serve) => serve(settings),
        Some(Command::Config(ConfigCommand::Check { strict })) => {
            let warnings = warnings(&settings);
            match authd::cli::run_config_check(&settings, &warnings, strict, out) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(error) => failed("authd config check", error),
            }
        }
        Some(Command::Keys(command)) => {
            match authd::cli::run_keys(command, &settings.tokens, out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => failed("authd keys", error),
            }
        }
        Some(Command::AdminKeys(command)) => {
            match authd::cli::run_admin_keys(command, &settings.database, out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => failed("authd admin-keys", error),
            }
        }
    }
}

fn failed(command: &str, error: impl std::fmt::Display) -> ExitCode {
    eprintln!("{command}: {error}");
    ExitCode::FAILURE
}

/// The warnings about the settings and the `AUTHD_*` variables of this process.
fn warnings(settings: &Settings) -> Vec<String> {
    let names: Vec<String> = std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .collect();
    settings.warnings(names.iter().map(String::as_str))
}

fn serve(settings: Settings) -> ExitCode {
    actix_web::rt::System::new().block_on(run(settings))
}

async fn run(settings: Settings) -> ExitCode {
    let _log_writer = authd::telemetry::init(&settings.log);
    for warning in warnings(&settings) {
        tracing::warn!("{warning}");
    }
    let app = match Application::build(settings) {
        Ok(app) => app,
        Err(error) => {
            // A plain line, not a log event: it must show whatever AUTHD_LOG filters or AUTHD_LOG_FORMAT says.
            eprintln!("authd: cannot start: {error}");
            return ExitCode::from(SETTINGS_FAILURE);
        }
    };
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "authd stopped with an error");
            ExitCode::FAILURE
        }
    }
}
