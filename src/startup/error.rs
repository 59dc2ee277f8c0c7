//! Why start-up failed: each failure names the setting to look at (`main` exits 2 with it) and the cause.

use crate::config::Settings;
use crate::keys;

/// A start-up failure: each names the setting to look at (`main` exits 2 with it) and the cause.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// `var` is AUTHD_KEY_DIR, or AUTHD_DATA_DIR when the key directory is its default.
    #[error("{var}: signing keys: {source}")]
    Keys {
        var: &'static str,
        source: keys::KeyError,
    },
    // The URL is not repeated: it may hold a password. An SQLite cause names the file.
    #[error("{var}: {problem}")]
    Database { var: &'static str, problem: String },
    #[error("AUTHD_ARGON2_* / AUTHD_MAX_CONCURRENT_HASHES: {0}")]
    Passwords(String),
    #[error("AUTHD_METRICS_BIND: {0}")]
    Metrics(String),
    #[error("{var}: {problem}")]
    Mail { var: &'static str, problem: String },
    #[error("{var}={bind}: cannot listen there: {source}")]
    Bind {
        var: &'static str,
        bind: String,
        source: std::io::Error,
    },
}

impl StartupError {
    pub(super) fn keys(settings: &Settings) -> impl FnOnce(keys::KeyError) -> Self {
        let var = settings.paths_from.key_dir;
        move |source| Self::Keys { var, source }
    }

    pub(super) fn database(settings: &Settings, problem: &dyn std::fmt::Display) -> Self {
        Self::Database {
            var: settings.paths_from.database,
            problem: problem.to_string(),
        }
    }

    /// The mailer's error names its cause (a template file, the outbox directory, the SMTP URL) but not the
    /// variable behind it; pick that from the settings in play.
    pub(super) fn mail(settings: &Settings, problem: String) -> Self {
        let var = if let Some(rest) = problem.strip_prefix("AUTHD_SMTP_URL: ") {
            return Self::Mail {
                var: "AUTHD_SMTP_URL",
                problem: rest.to_owned(),
            };
        } else if problem.starts_with("mail outbox") {
            settings.paths_from.mail_outbox
        } else if settings.mail.templates_dir.is_some() {
            "AUTHD_MAIL_TEMPLATES"
        } else {
            "AUTHD_SMTP_URL"
        };
        Self::Mail { var, problem }
    }
}
