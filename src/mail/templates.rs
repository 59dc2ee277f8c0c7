//! The messages' words: built-in templates (plain text and HTML per message), each replaceable by a file of the
//! same name in `AUTHD_MAIL_TEMPLATES`, and `{{name}}` substitution (HTML-escaped in the HTML body). No template
//! engine: the messages are a few fixed placeholders, and a smaller surface is easier to keep safe.

use std::path::Path;

/// The messages authd sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    VerifyEmail,
    /// To the new address of an email change: names the account that asks to move there.
    ConfirmEmailChange,
    PasswordReset,
    PasswordChanged,
    EmailChangeNotice,
    RecoveryCodeUsed,
    /// To an account's owner when someone tried to sign up with its address.
    SignupAttempt,
    AccountChanged,
}

/// The built-in plain text and HTML of a template, by file stem.
macro_rules! builtin {
    ($name:literal) => {
        (
            include_str!(concat!("templates/", $name, ".txt")),
            include_str!(concat!("templates/", $name, ".html")),
        )
    };
}

impl Template {
    const ALL: [Self; 8] = [
        Self::VerifyEmail,
        Self::ConfirmEmailChange,
        Self::PasswordReset,
        Self::PasswordChanged,
        Self::EmailChangeNotice,
        Self::RecoveryCodeUsed,
        Self::SignupAttempt,
        Self::AccountChanged,
    ];

    /// The file stem: `<name>.txt` and `<name>.html`.
    pub fn name(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ConfirmEmailChange => "confirm_email_change",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::EmailChangeNotice => "email_change_notice",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::SignupAttempt => "signup_attempt",
            Self::AccountChanged => "account_changed",
        }
    }

    fn builtin(self) -> (&'static str, &'static str) {
        match self {
            Self::VerifyEmail => builtin!("verify_email"),
            Self::ConfirmEmailChange => builtin!("confirm_email_change"),
            Self::PasswordReset => builtin!("password_reset"),
            Self::PasswordChanged => builtin!("password_changed"),
            Self::EmailChangeNotice => builtin!("email_change_notice"),
            Self::RecoveryCodeUsed => builtin!("recovery_code_used"),
            Self::SignupAttempt => builtin!("signup_attempt"),
            Self::AccountChanged => builtin!("account_changed"),
        }
    }
}

/// One message's parts before substitution.
#[derive(Debug, Clone)]
struct Parts {
    subject: String,
    text: String,
    html: String,
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Every template, read once at start-up.
#[derive(Debug)]
pub struct Templates {
    parts: Vec<(Template, Parts)>,
}

impl Templates {
    /// The built-in templates, with the files of `overrides` in their place; a bad file fails start-up.
    pub fn load(overrides: Option<&Path>) -> Result<Self, String> {
        let mut parts = Vec::new();
        for template in Template::ALL {
            let (text, html) = template.builtin();
            let read = |ext: &str, builtin: &str| match overrides {
                Some(dir) => {
                    read_override(&dir.join(format!("{}.{ext}", template.name())), builtin)
                }
                None => Ok(builtin.to_owned()),
            };
            let (text, html) = (read("txt", text)?, read("html", html)?);
            let (subject, text) = split_subject(&text).ok_or_else(|| {
                format!("{}.txt must begin with a `Subject:` line", template.name())
            })?;
            parts.push((
                template,
                Parts {
                    subject,
                    text,
                    html,
                },
            ));
        }
        Ok(Self { parts })
    }

    /// `template` with each `{{name}}` of `values` filled in; unknown placeholders stay as they are.
    pub fn render(&self, template: Template, values: &[(&str, &str)]) -> Rendered {
        let parts = self
            .parts
            .iter()
            .find(|(t, _)| *t == template)
            .map(|(_, p)| p)
            .expect("every template is loaded");
        // A value never spans lines in a header.
        let one_line = |v: &str| v.replace(['\r', '\n'], " ");
        Rendered {
            subject: substitute(&parts.subject, values, one_line),
            text: substitute(&parts.text, values, str::to_owned),
            html: substitute(&parts.html, values, escape_html),
        }
    }
}

fn read_override(path: &Path, builtin: &str) -> Result<String, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(builtin.to_owned()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// `Subject: ...` on the first line, then the body (a blank line after the subject is dropped).
fn split_subject(text: &str) -> Option<(String, String)> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let subject = first.strip_prefix("Subject:")?.trim().to_owned();
    let body = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'));
    Some((subject, body.unwrap_or(rest).to_owned()))
}

fn substitute(template: &str, values: &[(&str, &str)], encode: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = after[..end].trim();
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => out.push_str(&encode(value)),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_filled_in_and_escaped_in_html() {
        let templates = Templates::load(None).unwrap();
        let values = [
            ("email", "a<b>@example.com"),
            ("app_name", "Acme"),
            ("link", "https://x/#token=1&2"),
        ];
        let mail = templates.render(Template::VerifyEmail, &values);
        assert_eq!(mail.subject, "Confirm your email address for Acme");
        assert!(
            mail.text.contains("a<b>@example.com") && mail.text.contains("https://x/#token=1&2")
        );
        assert!(
            mail.html.contains("a&lt;b&gt;@example.com"),
            "{}",
            mail.html
        );
        assert!(mail.html.contains(r#"href="https://x/#token=1&amp;2""#));
        assert_eq!(
            substitute(
                "{{x}} {{ y }} {{z",
                &[("x", "1"), ("y", "2")],
                str::to_owned
            ),
            "1 2 {{z"
        );
    }

    #[test]
    fn a_file_in_the_override_directory_replaces_the_builtin() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("password_reset.txt"),
            "Subject: Hi {{app_name}}\n\nGo: {{link}}\n",
        )
        .unwrap();
        let templates = Templates::load(Some(dir.path())).unwrap();
        let mail = templates.render(Template::PasswordReset, &[("app_name", "A"), ("link", "L")]);
        assert_eq!(
            (mail.subject.as_str(), mail.text.as_str()),
            ("Hi A", "Go: L\n")
        );
        assert!(mail.html.contains("Choose a new password"));
        std::fs::write(dir.path().join("verify_email.txt"), "no subject").unwrap();
        assert!(
            Templates::load(Some(dir.path()))
                .unwrap_err()
                .contains("verify_email.txt")
        );
    }
}
