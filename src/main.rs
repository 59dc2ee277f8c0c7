//! The `authd` binary: settings from the environment, then serve.

use std::process::ExitCode;

use authd::config::Settings;
use authd::startup::Application;

#[actix_web::main]
async fn main() -> ExitCode {
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("authd: invalid setting {error}");
            return ExitCode::from(2);
        }
    };
    authd::telemetry::init(&settings.log);
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
