//! The `authd` binary: `authd` / `authd serve` runs the server, `authd keys ...` manages the key ring.

use std::process::ExitCode;

use authd::cli::{Cli, Command};
use authd::config::Settings;
use authd::startup::Application;
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("authd: invalid setting {error}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        None | Some(Command::Serve) => serve(settings),
        Some(Command::Keys(command)) => {
            match authd::cli::run_keys(command, &settings.tokens, &mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("authd keys: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::AdminKeys(command)) => {
            let out = &mut std::io::stdout();
            match authd::cli::run_admin_keys(command, &settings.database, out) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("authd admin-keys: {error}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn serve(settings: Settings) -> ExitCode {
    actix_web::rt::System::new().block_on(run(settings))
}

async fn run(settings: Settings) -> ExitCode {
    let _log_writer = authd::telemetry::init(&settings.log);
    let app = match Application::build(settings) {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "authd could not start");
            return ExitCode::FAILURE;
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
