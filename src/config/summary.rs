//! What runs, in words short enough for one start-up line and `authd config check`: never a password.

use url::Url;

use super::{DatabaseUrl, MailTransport, ProviderKind, Settings};

impl Settings {
    /// `sqlite:<path>` or `postgres:<host>[:port]/<db>` (no user, no password).
    pub fn store_summary(&self) -> String {
        match &self.database.url {
            DatabaseUrl::Sqlite(path) => format!("sqlite:{}", path.display()),
            DatabaseUrl::Postgres(raw) => match Url::parse(raw) {
                Ok(url) => format!(
                    "postgres:{}{}{}",
                    url.host_str().unwrap_or("(socket)"),
                    url.port().map(|p| format!(":{p}")).unwrap_or_default(),
                    url.path()
                ),
                Err(_) => "postgres".to_owned(),
            },
        }
    }

    /// `smtp://host:port` or `outbox <dir>`.
    pub fn mail_summary(&self) -> String {
        match &self.mail.transport {
            MailTransport::Smtp(raw) => match Url::parse(raw) {
                Ok(url) => format!(
                    "{}://{}{}",
                    url.scheme(),
                    url.host_str().unwrap_or_default(),
                    url.port().map(|p| format!(":{p}")).unwrap_or_default()
                ),
                Err(_) => "smtp".to_owned(),
            },
            MailTransport::Outbox(dir) => format!("outbox {}", dir.display()),
        }
    }

    /// `on (<host>)` or `off`.
    pub fn redis_summary(&self) -> String {
        match &self.rate_limits.redis {
            Some(redis) => {
                let url = Url::parse(redis.url.expose()).ok();
                let host = url.as_ref().and_then(Url::host_str).unwrap_or("?");
                format!("on ({host})")
            }
            None => "off".to_owned(),
        }
    }

    /// The social-login providers by name (`google (oidc), github`), or `none`.
    pub fn providers_summary(&self) -> String {
        let names: Vec<String> = self
            .social
            .providers
            .iter()
            .map(|p| match p.kind {
                ProviderKind::Oidc { .. } => format!("{} (oidc)", p.name),
                ProviderKind::Github { .. } => p.name.clone(),
            })
            .collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::vars::fake;
    use super::*;

    #[test]
    fn summaries_show_where_but_not_the_password() {
        let s = Settings::from_lookup(fake(&[
            (
                "AUTHD_DATABASE_URL",
                "postgres://authd:hunter2@db.internal:5433/authd",
            ),
            ("AUTHD_SMTP_URL", "smtp://u:hunter2@mail.example.com:587"),
            ("AUTHD_REDIS_URL", "redis://:hunter2@cache:6379"),
        ]))
        .unwrap();
        assert_eq!(s.store_summary(), "postgres:db.internal:5433/authd");
        assert_eq!(s.mail_summary(), "smtp://mail.example.com:587");
        assert_eq!(s.redis_summary(), "on (cache)");
        assert_eq!(s.providers_summary(), "none");
        let d = Settings::from_lookup(fake(&[])).unwrap();
        assert_eq!(d.store_summary(), "sqlite:./data/authd.db");
        assert_eq!(d.redis_summary(), "off");
    }
}
