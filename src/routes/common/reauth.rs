//! Re-authentication of a signed-in caller before a change that a stolen access token alone must not make: a
//! password change, an email change, adding or removing a second factor, new recovery codes, linking or
//! unlinking a provider identity. The password is checked
//! through the account's failure counters like a login's (a wrong one counts against the `login-account` ceiling
//! and the (address, account) delay, and is audited); a password-less account instead needs a recent login.

use actix_web::HttpRequest;

use super::device::device_info;
use crate::auth::Authenticated;
use crate::client_ip::client_ip;
use crate::db::models::User;
use crate::domain::Password;
use crate::error::ApiError;
use crate::passwords::Verified;
use crate::rate_limits::{Ceiling, Counter};
use crate::state::AppState;

/// What the re-authentication is for: the audit event's `detail.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PasswordChange,
    EmailChange,
    TotpEnrol,
    TotpDisable,
    RecoveryCodes,
    IdentityLink,
    IdentityUnlink,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::PasswordChange => "password_change",
            Self::EmailChange => "email_change",
            Self::TotpEnrol => "totp_enrol",
            Self::TotpDisable => "totp_disable",
            Self::RecoveryCodes => "recovery_codes",
            Self::IdentityLink => "identity_link",
            Self::IdentityUnlink => "identity_unlink",
        }
    }
}

/// Checks that `password` is `user`'s, reserving the attempt in the account's failure counters first (the same
/// ones a login spends, so guesses here and at login share one budget). Wrong: `403 invalid_credentials`, counted
/// and audited; counters spent: `429`.
pub async fn check_password(
    state: &AppState,
    req: &HttpRequest,
    user: &User,
    password: &str,
    action: Action,
) -> Result<(), ApiError> {
    let password = Password::new(password);
    let ip = client_ip(req, &state.trusted_proxies);
    let counters = [
        Counter::Pair(ip, &user.email),
        Counter::Ceiling(Ceiling::Account(&user.email)),
    ];
    let attempt = state.rate_limits.attempt(&counters).await?;
    let right = password.within_length_limit()
        && state
            .passwords
            .verify(password, Some(user.password_hash.clone()))
            .await?
            != Verified::No;
    if !right {
        attempt.failed();
        let device = device_info(req, &state.trusted_proxies);
        state
            .audit
            .reauthentication_failed(&user.id, action.as_str(), &device);
        return Err(ApiError::WrongCurrentPassword);
    }
    attempt.succeeded().await;
    Ok(())
}

/// The rule for adding or removing a way in: an account with a password must send it (`None`: `403
/// reauthentication_required`); a password-less one must have signed in at most `AUTHD_REAUTH_MAX_AGE` ago
/// (the access token's `auth_time`).
pub async fn require(
    state: &AppState,
    req: &HttpRequest,
    caller: &Authenticated,
    user: &User,
    password: Option<&str>,
    action: Action,
) -> Result<(), ApiError> {
    if user.password_hash.is_empty() {
        let max_age = i64::try_from(state.sessions.reauth_max_age.as_secs()).unwrap_or(i64::MAX);
        let now = chrono::Utc::now().timestamp();
        return match caller.0.auth_time {
            Some(at) if now.saturating_sub(at) <= max_age => Ok(()),
            _ => Err(ApiError::ReauthenticationRequired),
        };
    }
    match password {
        Some(password) => check_password(state, req, user, password, action).await,
        None => Err(ApiError::ReauthenticationRequired),
    }
}
