//! Recovery codes at login and reset. Finding which code matches (argon2, on the hashing threads) is apart from
//! spending it, so the login can spend the code and its `mfa_token` in one transaction: of many valid codes sent
//! at once on one `mfa_token`, one is spent and one notice mailed.

use super::{CheckError, Factors, MfaError, Proved, check_code, codes, reserve};
use crate::db::mfa::recovery_codes;
use crate::mail::{Mail, Mailer};

/// The second factor of a login, checked; a recovery code is not spent yet (`id` is its row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginFactor {
    Otp,
    RecoveryCode { id: String },
}

impl LoginFactor {
    /// What the login proved once the code is spent, with `left` recovery codes.
    pub fn proved(&self, left: Option<i64>) -> Proved {
        match self {
            Self::Otp => Proved::Otp,
            Self::RecoveryCode { .. } => Proved::RecoveryCode {
                left: left.unwrap_or(0),
            },
        }
    }
}

/// A TOTP code (used up at once: its time step is compare-and-set) or a recovery code (found, not spent),
/// whichever was sent (exactly one must be).
pub async fn check_login_factor(
    f: Factors<'_>,
    user_id: &str,
    code: Option<&str>,
    recovery_code: Option<&str>,
) -> Result<LoginFactor, CheckError> {
    match (code, recovery_code) {
        (Some(code), None) => check_code(f, user_id, code, false)
            .await
            .map(|()| LoginFactor::Otp),
        (None, Some(typed)) => find_recovery_code(f, user_id, typed)
            .await
            .map(|id| LoginFactor::RecoveryCode { id }),
        _ => Err(CheckError::EitherCode),
    }
}

/// The id of the user's unused recovery code that `typed` is, without spending it; `invalid_code` otherwise.
/// The attempt is reserved against the `mfa-account` ceiling before any hashing, and given back only for a
/// code that matches.
async fn find_recovery_code(
    f: Factors<'_>,
    user_id: &str,
    typed: &str,
) -> Result<String, CheckError> {
    // Dropping the attempt keeps it counted as a failure.
    let attempt = reserve(f, user_id).await?;
    let Some(code) = codes::normalize_recovery_code(typed) else {
        return Err(MfaError::InvalidCode.into());
    };
    let id = user_id.to_owned();
    let unused =
        f.db.run(move |conn| recovery_codes::unused(conn, &id))
            .await?;
    let hashes = unused.iter().map(|(_, hash)| hash.clone()).collect();
    let Some(index) = f.passwords.find_code(code, hashes).await? else {
        return Err(MfaError::InvalidCode.into());
    };
    attempt.succeeded().await;
    Ok(unused[index].0.clone())
}

/// Nobody but the owner should ever use a recovery code: the owner hears of each one at once. Call it after the
/// spending transaction committed.
pub fn recovery_code_used(mailer: &Mailer, user_id: &str, email: &str, left: i64) {
    tracing::warn!(%user_id, recovery_codes_left = left, "recovery code used");
    mailer.send(email, Mail::RecoveryCodeUsed { left });
}
