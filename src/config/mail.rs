//! How mail leaves authd: over SMTP (`AUTHD_SMTP_URL`) or, by default, as `.eml` files in an outbox directory;
//! what the messages say (sender, templates, the URL their links point at); and the rules of the mailed links
//! (whether login needs a verified address, how long each kind of link lives).

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;

use super::vars::{ConfigError, Vars, in_range};

/// Where messages go.
#[derive(Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// An `smtp://` (STARTTLS unless `?tls=none`) or `smtps://` (implicit TLS) URL, in the form lettre reads.
    Smtp(String),
    /// One `.eml` file per message in this directory (created on start).
    Outbox(PathBuf),
}

// The SMTP URL may hold a password: settings are printed with `{:?}` in places, the password never is.
impl std::fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(url) => match url::Url::parse(url) {
                Ok(url) => write!(
                    f,
                    "Smtp({}://{})",
                    url.scheme(),
                    url.host_str().unwrap_or("")
                ),
                Err(_) => f.write_str("Smtp(<unreadable>)"),
            },
            Self::Outbox(dir) => write!(f, "Outbox({})", dir.display()),
        }
    }
}

/// The mailer's settings.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub transport: MailTransport,
    /// `AUTHD_MAIL_FROM`: the `From:` of every message.
    pub from: Mailbox,
    /// `AUTHD_MAIL_TEMPLATES`: a directory whose files replace the built-in templates of the same name.
    pub templates_dir: Option<PathBuf>,
    /// `AUTHD_APP_URL`: where the front end lives; mailed links are `<app_url>/verify-email#token=...`.
    pub app_url: String,
    /// `AUTHD_APP_NAME`: the `{{app_name}}` of the templates.
    pub app_name: String,
    /// Bound on one whole delivery attempt (connect, TLS, SMTP dialogue), not only the connect.
    pub send_timeout: Duration,
    /// `AUTHD_MAIL_COOLDOWN`: at most one link mail per address per this long (0 = no cooldown).
    pub cooldown: Duration,
}

impl MailSettings {
    /// `issuer` is the fallback for the app URL; the outbox defaults to `<data_dir>/outbox`.
    pub(super) fn read(
        vars: &Vars<'_>,
        issuer: &str,
        data_dir: &Path,
    ) -> Result<Self, ConfigError> {
        let transport = match vars.raw("AUTHD_SMTP_URL") {
            Some(raw) => MailTransport::Smtp(smtp_url(raw.trim())?),
            None => MailTransport::Outbox(PathBuf::from(vars.string(
                "AUTHD_MAIL_OUTBOX",
                &data_dir.join("outbox").display().to_string(),
            ))),
        };
        let from = vars.string("AUTHD_MAIL_FROM", "authd <no-reply@localhost>");
        let from = from.parse::<Mailbox>().map_err(|e| {
            ConfigError::new("AUTHD_MAIL_FROM", format!("not a mailbox ({e}): {from:?}"))
        })?;
        let settings = Self {
            transport,
            from,
            templates_dir: vars.raw("AUTHD_MAIL_TEMPLATES").map(PathBuf::from),
            app_url: app_url(vars, issuer)?,
            app_name: vars.string("AUTHD_APP_NAME", "authd"),
            send_timeout: vars.duration("AUTHD_MAIL_SEND_TIMEOUT", Duration::from_secs(30))?,
            cooldown: vars.duration("AUTHD_MAIL_COOLDOWN", Duration::from_secs(60))?,
        };
        let (second, hour) = (Duration::from_secs(1), Duration::from_secs(3600));
        in_range(
            "AUTHD_MAIL_SEND_TIMEOUT",
            settings.send_timeout,
            second,
            Duration::from_secs(300),
            "between 1 second and 5 minutes",
        )?;
        in_range(
            "AUTHD_MAIL_COOLDOWN",
            settings.cooldown,
            Duration::ZERO,
            hour,
            "at most 1 hour",
        )?;
        Ok(settings)
    }
}

/// The URL in lettre's form: `smtp://` means STARTTLS (required, never opportunistic, which a network attacker
/// can strip) unless the operator writes `?tls=none` for a relay on the same host; `smtps://` is implicit TLS.
fn smtp_url(raw: &str) -> Result<String, ConfigError> {
    let var = "AUTHD_SMTP_URL";
    // `host:587` parses as a URL whose scheme is the host: say what is missing instead of "has no host".
    if !raw.contains("://") {
        return Err(ConfigError::new(
            var,
            "has no scheme: write smtp://host[:port] (STARTTLS) or smtps://host[:port] (implicit TLS)",
        ));
    }
    let mut url =
        url::Url::parse(raw).map_err(|e| ConfigError::new(var, format!("not a URL: {e}")))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigError::new(var, "has no host"));
    }
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let pairs = match (url.scheme(), tls.as_deref()) {
        ("smtp", None | Some("required")) => Some("tls=required"),
        ("smtp", Some("none")) => None,
        ("smtps", None) => None,
        _ => {
            return Err(ConfigError::new(
                var,
                "expected smtp://[user:pass@]host[:port] (STARTTLS; ?tls=none for a local relay) or smtps://",
            ));
        }
    };
    url.set_query(pairs);
    Ok(url.into())
}

fn app_url(vars: &Vars<'_>, issuer: &str) -> Result<String, ConfigError> {
    let raw = vars.string("AUTHD_APP_URL", issuer);
    match url::Url::parse(&raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.fragment().is_none() => {
            Ok(raw.trim_end_matches('/').to_owned())
        }
        _ => Err(ConfigError::new(
            "AUTHD_APP_URL",
            format!("expected an http(s) URL without a fragment, got {raw:?}"),
        )),
    }
}

// The rules of mailed tokens: whether login needs a verified address, and how long each kind of link lives.
/// Email verification and password reset.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// `AUTHD_REQUIRE_VERIFIED_EMAIL`: login answers `403 email_not_verified` until the address is verified.
    pub require_verified: bool,
    /// `AUTHD_VERIFY_EMAIL_TTL`: lifetime of a verification (or email change) link.
    pub verify_ttl: Duration,
    /// `AUTHD_PASSWORD_RESET_TTL`: lifetime of a reset link, at most 30 minutes.
    pub reset_ttl: Duration,
}

impl EmailSettings {
    pub(super) fn read(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let settings = Self {
            require_verified: vars.flag("AUTHD_REQUIRE_VERIFIED_EMAIL", false)?,
            verify_ttl: vars.duration("AUTHD_VERIFY_EMAIL_TTL", Duration::from_secs(24 * 3600))?,
            reset_ttl: vars.duration("AUTHD_PASSWORD_RESET_TTL", Duration::from_secs(30 * 60))?,
        };
        let second = Duration::from_secs(1);
        in_range(
            "AUTHD_VERIFY_EMAIL_TTL",
            settings.verify_ttl,
            second,
            Duration::from_secs(7 * 24 * 3600),
            "between 1 second and 7 days",
        )?;
        in_range(
            "AUTHD_PASSWORD_RESET_TTL",
            settings.reset_ttl,
            second,
            Duration::from_secs(30 * 60),
            "between 1 second and 30 minutes",
        )?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::vars::fake;

    fn read(pairs: &[(&str, &str)]) -> Result<MailSettings, ConfigError> {
        MailSettings::read(
            &Vars(&fake(pairs)),
            "http://127.0.0.1:8080",
            Path::new("./data"),
        )
    }

    #[test]
    fn the_outbox_is_the_default_and_smtp_requires_starttls() {
        let s = read(&[]).unwrap();
        assert_eq!(s.transport, MailTransport::Outbox("./data/outbox".into()));
        assert_eq!(s.app_url, "http://127.0.0.1:8080");
        let smtp = |url: &str| read(&[("AUTHD_SMTP_URL", url)]).map(|s| s.transport);
        let expect = |url: &str| MailTransport::Smtp(url.to_owned());
        assert_eq!(
            smtp("smtp://u:p@mail.example.com:587").unwrap(),
            expect("smtp://u:p@mail.example.com:587?tls=required")
        );
        assert_eq!(
            smtp("smtp://127.0.0.1:2525?tls=none").unwrap(),
            expect("smtp://127.0.0.1:2525")
        );
        for bad in [
            "smtp://h?tls=opportunistic",
            "http://h",
            "smtps://h?tls=none",
            "x",
        ] {
            assert_eq!(smtp(bad).unwrap_err().var, "AUTHD_SMTP_URL", "{bad}");
        }
        let debug = format!("{:?}", smtp("smtps://user:secret@h").unwrap());
        assert!(!debug.contains("secret"), "{debug}");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("AUTHD_MAIL_FROM", "not a mailbox"),
            ("AUTHD_APP_URL", "ftp://x"),
            ("AUTHD_APP_URL", "https://app.example.com/#x"),
            ("AUTHD_MAIL_SEND_TIMEOUT", "0"),
            ("AUTHD_MAIL_COOLDOWN", "2h"),
        ] {
            assert_eq!(read(&[(var, value)]).unwrap_err().var, var, "{value}");
        }
    }
}
