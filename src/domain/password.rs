//! Passwords as typed by a person: normalised, never printed, and checked against NIST SP 800-63B.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use zxcvbn::Score;

/// Fewest characters a new password may have.
pub const MIN_CHARS: usize = 8;
/// Most bytes a password may have (also bounds the work of the strength estimator).
pub const MAX_BYTES: usize = 256;

/// A password in NFKC form (SP 800-63B §5.1.1.2), so the same characters typed on two keyboards match.
/// `Debug` hides it.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    /// Normalises `raw` to NFKC.
    pub fn new(raw: &str) -> Self {
        Self(raw.nfkc().collect())
    }

    /// The normalised password, for hashing.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The cheap checks a login can also apply: an over-long input is refused before any hashing.
    pub fn within_length_limit(&self) -> bool {
        self.0.len() <= MAX_BYTES
    }

    /// The policy for a new password: length limits, printable characters, and a zxcvbn score of at least 3
    /// with the account's email counted as a guess. CPU-bound: call it off the async workers.
    pub fn check_policy(&self, email: &str) -> Result<(), PasswordError> {
        let weak = |why: &str| Err(PasswordError(why.to_owned()));
        if self.0.chars().count() < MIN_CHARS {
            return weak("password must be at least 8 characters long");
        }
        if self.0.len() > MAX_BYTES {
            return weak("password must be at most 256 bytes long");
        }
        if self.0.chars().any(char::is_control) {
            return weak("password must not contain control characters");
        }
        let local_part = email.split('@').next().unwrap_or(email);
        let estimate = zxcvbn::zxcvbn(&self.0, &[email, local_part]);
        if estimate.score() < Score::Three {
            let mut reason = String::from("password is too easy to guess");
            if let Some(feedback) = estimate.feedback() {
                if let Some(warning) = feedback.warning() {
                    reason.push_str(&format!(": {warning}"));
                }
                if let Some(suggestion) = feedback.suggestions().first() {
                    reason.push_str(&format!(" ({suggestion})"));
                }
            }
            return Err(PasswordError(reason));
        }
        Ok(())
    }
}

/// Why a new password was refused, as the client is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PasswordError(pub String);

#[cfg(test)]
mod tests {
    use super::Password;

    fn check(pw: &str) -> Result<(), String> {
        Password::new(pw)
            .check_policy("ada@example.com")
            .map_err(|e| e.to_string())
    }

    #[test]
    fn accepts_a_long_passphrase() {
        check("correct horse battery staple orbit").unwrap();
    }

    #[test]
    fn rejects_short_long_guessable_and_control_characters() {
        assert!(check("Ab1!x").unwrap_err().contains("at least 8"));
        assert!(check(&"x".repeat(257)).unwrap_err().contains("at most 256"));
        assert!(check("password123").unwrap_err().contains("too easy"));
        assert!(check("ada@example.com").unwrap_err().contains("too easy"));
        assert!(
            check("tr0ub4dor&3 horse\0staple")
                .unwrap_err()
                .contains("control")
        );
    }

    #[test]
    fn counts_characters_not_bytes_for_the_minimum() {
        // Seven characters of two bytes each are still too short.
        assert!(check("ééééééé").unwrap_err().contains("at least 8"));
    }

    #[test]
    fn compatibility_forms_are_the_same_password() {
        assert_eq!(
            Password::new("ﬁle-cabinet").as_bytes(),
            Password::new("file-cabinet").as_bytes()
        );
    }

    #[test]
    fn debug_does_not_reveal_it() {
        assert_eq!(
            format!("{:?}", Password::new("hunter2hunter2")),
            "Password(<redacted>)"
        );
    }
}
