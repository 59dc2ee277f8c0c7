//! The signals that stop the server: SIGTERM and Ctrl-C, both graceful.

use std::time::Duration;

/// Resolves on SIGTERM or Ctrl-C (SIGINT), which both stop the server gracefully: accepting ends, in-flight
/// requests get up to `grace` to finish. (actix's own handling would make Ctrl-C a forced stop.)
pub async fn stop_signal(grace: Duration) {
    #[cfg(unix)]
    let name = {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                Ok(()) = tokio::signal::ctrl_c() => "SIGINT",
            },
            Err(_) => ctrl_c().await,
        }
    };
    #[cfg(not(unix))]
    let name = ctrl_c().await;
    tracing::info!(
        signal = name,
        grace_seconds = grace.as_secs(),
        "stopping: no new connections; waiting for in-flight requests"
    );
}

/// Resolves on Ctrl-C; never, when the handler cannot be installed (the server then runs until killed).
async fn ctrl_c() -> &'static str {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
    "SIGINT"
}
