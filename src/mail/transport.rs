//! The two ways out: SMTP (lettre over rustls with the webpki roots, so no system certificate store is needed)
//! or `.eml` files in the outbox directory.

use std::time::Duration;

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailSettings, MailTransport};

/// Where the worker hands messages.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

impl Transport {
    /// Builds the transport; nothing connects yet (an SMTP server that is down at start-up only delays mail).
    pub fn build(settings: &MailSettings) -> Result<Self, String> {
        match &settings.transport {
            MailTransport::Smtp(url) => {
                if url.starts_with("smtp://") && !url.contains("tls=required") {
                    tracing::warn!(
                        "AUTHD_SMTP_URL has ?tls=none: mail and any SMTP password cross the network unencrypted"
                    );
                }
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("AUTHD_SMTP_URL: {e}"))?;
                // lettre's own timeout bounds each network read and write; the worker bounds the whole send.
                let timeout = settings.send_timeout.min(Duration::from_secs(30));
                Ok(Self::Smtp(builder.timeout(Some(timeout)).build()))
            }
            MailTransport::Outbox(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("mail outbox {}: {e}", dir.display()))?;
                Ok(Self::Outbox(AsyncFileTransport::new(dir)))
            }
        }
    }

    /// A short name for the log.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Smtp(_) => "smtp",
            Self::Outbox(_) => "outbox",
        }
    }

    /// Hands one message over (file writes run on tokio's blocking threads).
    pub async fn send(&self, message: Message) -> Result<(), String> {
        match self {
            Self::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Self::Outbox(outbox) => outbox
                .send(message)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(transport: MailTransport) -> MailSettings {
        MailSettings {
            transport,
            from: "a <a@example.com>".parse().unwrap(),
            templates_dir: None,
            app_url: "http://127.0.0.1".into(),
            app_name: "authd".into(),
            send_timeout: Duration::from_secs(5),
            cooldown: Duration::ZERO,
        }
    }

    #[test]
    fn tls_transports_build_without_a_process_wide_crypto_provider() {
        for url in [
            "smtp://user:pass@mail.example.com:587?tls=required",
            "smtps://user:pass@mail.example.com",
            "smtp://127.0.0.1:2525",
        ] {
            let transport = Transport::build(&settings(MailTransport::Smtp(url.into())));
            assert_eq!(transport.map(|t| t.kind()).unwrap(), "smtp", "{url}");
        }
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("outbox");
        let transport = Transport::build(&settings(MailTransport::Outbox(outbox.clone())));
        assert_eq!(transport.map(|t| t.kind()).unwrap(), "outbox");
        assert!(outbox.is_dir());
    }
}
