//! Sending mail without making a request wait for it: a handler renders the message and puts it on a bounded
//! queue (`Mailer::send`, never blocking, never failing the request); `MailWorker` delivers it in the background
//! over SMTP or into the outbox directory. A full queue drops the message (logged and counted), as a bounded
//! queue must.

mod cooldown;
mod templates;
mod transport;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use crate::config::MailSettings;
use crate::metrics;
pub use cooldown::{Cooldown, MailKind};
pub use templates::{Rendered, Template, Templates};
pub use transport::Transport;
pub use worker::{MailWorker, Queued};

/// Messages that may wait for the worker; beyond that new ones are dropped.
pub const QUEUE_CAPACITY: usize = 1_000;

/// A message to send, with what its template needs.
#[derive(Debug, Clone, Copy)]
pub enum Mail<'a> {
    /// A link that verifies the address it is sent to (signup, resend).
    VerifyEmail {
        token: &'a str,
        ttl: Duration,
    },
    /// To the new address of an email change: the link moves the account `current_email` there.
    ConfirmEmailChange {
        token: &'a str,
        ttl: Duration,
        current_email: &'a str,
    },
    PasswordReset {
        token: &'a str,
        ttl: Duration,
    },
    /// After a reset: the password changed and every session ended.
    PasswordChanged,
    /// To the old address when a change to `new_email` is asked for.
    EmailChangeNotice {
        new_email: &'a str,
    },
    /// A recovery code signed someone in or confirmed a change; `left` remain.
    RecoveryCodeUsed {
        left: i64,
    },
    /// To the owner of an address someone tried to sign up with (when signup does not tell them apart).
    SignupAttempt,
    /// A way in or a second factor was added or removed, or the password or address changed: `change` says
    /// which, as a clause ("two-factor authentication was turned on").
    AccountChanged {
        change: &'a str,
    },
}

/// The sending side, shared by every worker through `AppState`.
pub struct Mailer {
    queue: mpsc::Sender<Queued>,
    templates: Templates,
    from: Mailbox,
    app_url: String,
    app_name: String,
    cooldown: Cooldown,
    /// Slots for the account look-ups that run after the answer (`job_slot`).
    jobs: Arc<Semaphore>,
}

/// Look-ups and link issuing that may run after their request was answered, at once; beyond it they are dropped.
pub const MAX_BACKGROUND_JOBS: usize = 64;

impl Mailer {
    /// Reads the templates and builds the transport; the returned worker must be run for mail to leave.
    pub fn start(settings: &MailSettings) -> Result<(Self, MailWorker), String> {
        let templates = Templates::load(settings.templates_dir.as_deref())?;
        let transport = Transport::build(settings)?;
        tracing::info!(transport = ?settings.transport, "mail");
        let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let mailer = Self {
            queue: sender,
            templates,
            from: settings.from.clone(),
            app_url: settings.app_url.clone(),
            app_name: settings.app_name.clone(),
            cooldown: Cooldown::new(settings.cooldown),
            jobs: Arc::new(Semaphore::new(MAX_BACKGROUND_JOBS)),
        };
        let worker = MailWorker {
            queue: receiver,
            transport,
            timeout: settings.send_timeout,
        };
        Ok((mailer, worker))
    }

    /// True when `address` may get a `kind` link mail now (and starts that cooldown): see `Cooldown`.
    pub fn claim(&self, kind: MailKind, address: &str) -> bool {
        self.cooldown.claim(kind, address)
    }

    /// A slot for work that runs after the request was answered (so that its timing, which depends on whether an
    /// account exists, never shows in the answer's); `None` when every slot is taken (logged and counted).
    pub fn job_slot(&self) -> Option<OwnedSemaphorePermit> {
        let slot = Arc::clone(&self.jobs).try_acquire_owned().ok();
        if slot.is_none() {
            tracing::error!("mail look-up dropped: every background slot is taken");
            metrics::mail("dropped");
        }
        slot
    }

    /// Renders `mail` for `to` and queues it. Never waits and never fails the caller: a message that cannot be
    /// built or queued is logged and counted.
    pub fn send(&self, to: &str, mail: Mail<'_>) {
        let (template, rendered) = self.render(to, mail);
        let message = match self.compose(to, rendered) {
            Ok(message) => message,
            Err(error) => {
                tracing::error!(template = template.name(), %error, "mail not built");
                metrics::mail("failed");
                return;
            }
        };
        let queued = Queued {
            template: template.name(),
            message,
        };
        if let Err(error) = self.queue.try_send(queued) {
            let reason = match error {
                mpsc::error::TrySendError::Full(_) => "the mail queue is full",
                mpsc::error::TrySendError::Closed(_) => "the mail worker has stopped",
            };
            tracing::error!(template = template.name(), reason, "mail dropped");
            metrics::mail("dropped");
        }
    }

    fn render(&self, to: &str, mail: Mail<'_>) -> (Template, Rendered) {
        let app = self.app_name.as_str();
        let link = |page: &str, token: &str| format!("{}/{page}#token={token}", self.app_url);
        let (template, values) = match mail {
            Mail::VerifyEmail { token, ttl } => (
                Template::VerifyEmail,
                vec![
                    ("link", link("verify-email", token)),
                    ("code", token.to_owned()),
                    ("expires_in", human(ttl)),
                ],
            ),
            Mail::ConfirmEmailChange {
                token,
                ttl,
                current_email,
            } => (
                Template::ConfirmEmailChange,
                vec![
                    ("link", link("verify-email", token)),
                    ("code", token.to_owned()),
                    ("expires_in", human(ttl)),
                    ("current_email", current_email.to_owned()),
                ],
            ),
            Mail::SignupAttempt => (
                Template::SignupAttempt,
                vec![("app_url", self.app_url.clone())],
            ),
            Mail::PasswordReset { token, ttl } => (
                Template::PasswordReset,
                vec![
                    ("link", link("reset-password", token)),
                    ("code", token.to_owned()),
                    ("expires_in", human(ttl)),
                ],
            ),
            Mail::PasswordChanged => (Template::PasswordChanged, vec![]),
            Mail::EmailChangeNotice { new_email } => (
                Template::EmailChangeNotice,
                vec![("new_email", new_email.to_owned())],
            ),
            Mail::RecoveryCodeUsed { left } => {
                (Template::RecoveryCodeUsed, vec![("left", left.to_string())])
            }
            Mail::AccountChanged { change } => (
                Template::AccountChanged,
                vec![("change", change.to_owned())],
            ),
        };
        let mut all: Vec<(&str, &str)> = vec![("email", to), ("app_name", app)];
        all.extend(values.iter().map(|(k, v)| (*k, v.as_str())));
        (template, self.templates.render(template, &all))
    }

    fn compose(&self, to: &str, rendered: Rendered) -> Result<Message, String> {
        let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| e.to_string())
    }
}

/// "30 minutes", "24 hours", "45 seconds": for "the link expires in ...".
fn human(ttl: Duration) -> String {
    let secs = ttl.as_secs();
    let (n, unit) = match secs {
        s if s >= 7200 && s % 3600 == 0 => (s / 3600, "hour"),
        s if s >= 120 => (s / 60, "minute"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_as_words() {
        assert_eq!(human(Duration::from_secs(1800)), "30 minutes");
        assert_eq!(human(Duration::from_secs(86_400)), "24 hours");
        assert_eq!(human(Duration::from_secs(1)), "1 second");
    }
}
