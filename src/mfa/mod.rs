//! Two-factor authentication with TOTP (RFC 6238) and recovery codes: the rules, over the database and the
//! hashing threads. The routes in `routes/mfa/` and `routes/login.rs` call these; so do other routes that need a
//! step-up (`require_step_up`) or a factor on password reset (`check_reset_factor`).
//!
//! A code is good once: the factor stores the last accepted time step and a code is accepted only for a later
//! one, by compare-and-set, so two concurrent uses of one code cannot both pass. Wrong codes count against the
//! account's `mfa-account` ceiling, whichever route they came through.

pub mod codes;
pub mod enrolment;
mod error;
mod recovery;
pub mod totp;

pub use error::{CheckError, MfaError};
pub use recovery::{LoginFactor, check_login_factor, recovery_code_used};

use crate::db::mfa::totp as factors;
use crate::db::models::now;
use crate::db::{Db, StoreError};
use crate::keys::SecretBox;
use crate::mail::Mailer;
use crate::passwords::Passwords;
use crate::rate_limits::{Attempt, Ceiling, Counter, Limited, RateLimits};
use crate::tokens::amr;

/// What the rules use, borrowed from the shared state at the edge (`AppState::factors`): the rules know nothing
/// of the web.
#[derive(Clone, Copy)]
pub struct Factors<'a> {
    pub db: &'a Db,
    /// The `mfa-account` ceiling.
    pub rate_limits: &'a RateLimits,
    /// Opens the TOTP secrets.
    pub secret_box: &'a SecretBox,
    /// Checks recovery codes on the hashing threads.
    pub passwords: &'a Passwords,
    /// Mails the recovery-code notice.
    pub mailer: &'a Mailer,
}

/// Wrong codes one mfa_token takes; the next attempt finds it burned.
pub const MAX_ATTEMPTS: i64 = 5;

/// The second factor a request proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proved {
    /// A TOTP code.
    Otp,
    /// A recovery code; this many are left.
    RecoveryCode { left: i64 },
}

impl Proved {
    /// The RFC 8176 `amr` value.
    pub fn amr(self) -> &'static str {
        match self {
            Self::Otp => amr::OTP,
            Self::RecoveryCode { .. } => amr::RECOVERY_CODE,
        }
    }
}

/// Whether the user has an active (confirmed) factor.
pub async fn is_enabled(f: Factors<'_>, user_id: &str) -> Result<bool, StoreError> {
    let id = user_id.to_owned();
    let factor = f.db.run(move |conn| factors::find(conn, &id)).await?;
    Ok(factor.is_some_and(|f| f.active()))
}

/// Checks a TOTP code against the user's factor and uses its time step up. With `confirm`, the factor must be
/// pending and is activated; otherwise it must be active. Wrong, replayed and unknown are all `invalid_code`.
pub async fn check_code(
    f: Factors<'_>,
    user_id: &str,
    code: &str,
    confirm: bool,
) -> Result<(), CheckError> {
    let attempt = reserve(f, user_id).await?;
    let id = user_id.to_owned();
    let factor = f.db.run(move |conn| factors::find(conn, &id)).await?;
    let step = factor
        .filter(|row| row.active() != confirm)
        .and_then(|row| {
            let Some(secret) = f.secret_box.open(user_id, &row.secret_sealed) else {
                // Sealed under another `mfa.key`, or an altered row: no code can match; the operator must know.
                tracing::error!(%user_id, "a TOTP secret does not open with mfa.key");
                return None;
            };
            totp::matching_step(&secret, code, chrono::Utc::now().timestamp(), row.last_step)
        });
    let used = match step {
        Some(step) => {
            let (id, at) = (user_id.to_owned(), confirm.then(now));
            f.db.run(move |conn| factors::use_step(conn, &id, step, at))
                .await?
        }
        None => false,
    };
    if !used {
        attempt.failed();
        return Err(MfaError::InvalidCode.into());
    }
    attempt.succeeded().await;
    Ok(())
}

/// Reserves a code attempt against the account's `mfa-account` ceiling, before the code is checked.
async fn reserve<'a>(f: Factors<'a>, user_id: &'a str) -> Result<Attempt<'a>, Limited> {
    let counters = [Counter::Ceiling(Ceiling::Mfa(user_id))];
    f.rate_limits.attempt(&counters).await
}

/// The step-up rule for sensitive changes (disabling MFA, new recovery codes, password or email change): an
/// account with active MFA needs an aal2 session (`acr` of the caller's access token) or a current code in the
/// request; otherwise `403 mfa_required`. Accounts without MFA pass.
pub async fn require_step_up(
    f: Factors<'_>,
    user_id: &str,
    acr: Option<&str>,
    code: Option<&str>,
) -> Result<(), CheckError> {
    if acr == Some(amr::AAL2) || !is_enabled(f, user_id).await? {
        return Ok(());
    }
    match code {
        Some(code) => check_code(f, user_id, code, false).await,
        None => Err(MfaError::Required.into()),
    }
}

/// The rule for password reset (which proves only the mailbox): an account with active MFA must also send a
/// current code or a recovery code; without either, `403 mfa_required`. Accounts without MFA pass (`None`). A
/// recovery code is found, not spent: the reset spends it in the transaction that spends the link, so a reset
/// that fails afterwards (a weak password, a link used meanwhile) leaves the code usable.
pub async fn check_reset_factor(
    f: Factors<'_>,
    user_id: &str,
    code: Option<&str>,
    recovery_code: Option<&str>,
) -> Result<Option<LoginFactor>, CheckError> {
    if !is_enabled(f, user_id).await? {
        return Ok(None);
    }
    if code.is_none() && recovery_code.is_none() {
        return Err(MfaError::Required.into());
    }
    check_login_factor(f, user_id, code, recovery_code)
        .await
        .map(Some)
}
