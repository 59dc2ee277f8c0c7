//! POST /v1/auth/login

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::common::body::JsonObject;
use super::common::delivery::TokenDelivery;
use super::common::device::device_info;
use super::common::sign_in;
use crate::client_ip::client_ip;
use crate::cookies::DEVICE_COOKIE;
use crate::db::models::{DeviceInfo, User, now};
use crate::db::{Db, users};
use crate::domain::{Email, Password};
use crate::error::ApiError;
use crate::metrics::{self, Login};
use crate::mfa;
use crate::passwords::{Passwords, Verified};
use crate::rate_limits::{Ceiling, Counter};
use crate::state::AppState;
use crate::tokens::amr;

/// Email and password, where the refresh token should go, and the device token of an earlier login.
#[derive(Deserialize)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
    /// Absent or null: JSON.
    pub token_delivery: Option<TokenDelivery>,
    /// From an earlier successful login on this client; in cookie mode the `authd_device` cookie instead.
    pub device_token: Option<String>,
}

/// Checks the credentials and opens a new session; 200 with tokens (or, for an account with MFA, 200 with an
/// `mfa_token` for `POST /v1/auth/mfa`). An unknown email and a wrong password get the same answer after the same
/// amount of work.
pub async fn login(
    req: HttpRequest,
    body: JsonObject<LoginBody>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Read before the request is consumed, for the audit trail.
    let (client, email) = (
        device_info(&req, &state.trusted_proxies),
        body.0.email.clone(),
    );
    let result = log_in(req, body.0, &state).await;
    metrics::login(match &result {
        Ok(_) => Login::Success,
        Err(ApiError::InvalidCredentials) => Login::InvalidCredentials,
        Err(_) => Login::Error,
    });
    audit_refusal(&state, &result, &email, &client);
    result
}

/// A wrong password (or unknown email) and a rate-limit refusal change nothing, so they go to the audit trail's
/// lossy queue rather than into a transaction; a successful login is recorded with its session.
fn audit_refusal(
    state: &AppState,
    result: &Result<HttpResponse, ApiError>,
    email: &str,
    client: &DeviceInfo,
) {
    match result {
        Err(ApiError::InvalidCredentials) => {
            if let Ok(email) = Email::parse(email) {
                state.audit.login_failed(email.as_str(), client);
            }
        }
        Err(ApiError::RateLimited(limited)) => {
            let ip = client.ip.as_deref().and_then(|ip| ip.parse().ok());
            if let Some(ip) = ip {
                state
                    .audit
                    .rate_limited(limited.policy, ip, client.user_agent.as_deref());
            }
        }
        _ => {}
    }
}

async fn log_in(
    req: HttpRequest,
    body: LoginBody,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    let password = Password::new(&body.password);
    // Neither can belong to any account, so refusing early reveals nothing about who has one.
    let Ok(email) = Email::parse(&body.email) else {
        return Err(ApiError::InvalidCredentials);
    };
    if !password.within_length_limit() {
        return Err(ApiError::InvalidCredentials);
    }
    let ip = client_ip(&req, &state.trusted_proxies);
    let user = find_user(&state.db, &email).await?;
    let device = device_of(state, &req, body.device_token, user.as_ref());
    // Beyond the account's cap on device tokens, one is ignored: collected tokens bring no budgets of their own.
    let device = match device {
        Some(jti) if state.rate_limits.honour_device(email.as_str(), &jti).await => Some(jti),
        _ => None,
    };
    let ceiling = match &device {
        Some(jti) => Ceiling::Device(jti),
        None => Ceiling::Account(email.as_str()),
    };
    // Reserved before any hashing, the same whether or not the account exists; dropped unsettled, a failure.
    let counters = [Counter::Pair(ip, email.as_str()), Counter::Ceiling(ceiling)];
    let attempt = state.rate_limits.attempt(&counters).await?;
    let (user, rehash) = verify(state, user, password.clone()).await?;
    attempt.succeeded().await;
    // Only now: a guesser without the password learns nothing from these.
    if user.disabled_at.is_some() {
        return Err(ApiError::AccountDisabled);
    }
    ensure_verified(state, &user)?;
    if rehash {
        upgrade_hash(&state.db, &state.passwords, &user.id, password).await;
    }
    if mfa::is_enabled(state.factors(), &user.id).await? {
        return sign_in::mfa_challenge(state, &user, amr::PASSWORD).await;
    }
    let delivery = body.token_delivery.unwrap_or_default();
    let opening = sign_in::Opening {
        with_device: device.is_some(),
        ..Default::default()
    };
    sign_in::open_session(state, &req, &user, opening, delivery).await
}

/// With `AUTHD_REQUIRE_VERIFIED_EMAIL`, `403 email_not_verified` for an unverified address. Called only after the
/// password matched, so the answer tells a guesser nothing.
fn ensure_verified(state: &AppState, user: &User) -> Result<(), ApiError> {
    if state.email.require_verified && user.email_verified_at.is_none() {
        return Err(ApiError::EmailNotVerified);
    }
    Ok(())
}

async fn find_user(db: &Db, email: &Email) -> Result<Option<User>, ApiError> {
    let lookup = email.as_str().to_owned();
    Ok(db
        .run(move |conn| users::find_by_email(conn, &lookup))
        .await?)
}

/// The id (`jti`) of the client's device token when it is valid and belongs to `user` under its current credential
/// epoch. Anything else (absent, forged, expired, another account's, minted before the last credential change, or
/// no such account) is no device token: the login goes on under the account's ceiling, and a stale cookie never
/// breaks it.
fn device_of(
    state: &AppState,
    req: &HttpRequest,
    from_body: Option<String>,
    user: Option<&User>,
) -> Option<String> {
    let token = from_body.or_else(|| req.cookie(DEVICE_COOKIE).map(|c| c.value().to_owned()))?;
    let claims = state.tokens.verify_device(&token).ok()?;
    let user = user?;
    (user.id == claims.sub && user.credential_epoch == claims.epoch).then_some(claims.jti)
}

/// The account and whether its hash needs upgrading, or `InvalidCredentials` after the same work for an unknown
/// email as for a wrong password.
async fn verify(
    state: &AppState,
    user: Option<User>,
    password: Password,
) -> Result<(User, bool), ApiError> {
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let rehash = match state.passwords.verify(password, stored).await? {
        Verified::Yes { rehash } => rehash,
        Verified::No => return Err(ApiError::InvalidCredentials),
    };
    let user = user.ok_or(ApiError::InvalidCredentials)?;
    Ok((user, rehash))
}

/// Re-hashes with the current parameters after they were raised. A failure only postpones the upgrade.
async fn upgrade_hash(db: &Db, passwords: &Passwords, user_id: &str, password: Password) {
    let result = async {
        let hash = passwords.rehash(password).await?;
        let id = user_id.to_owned();
        db.run(move |conn| users::set_password_hash(conn, &id, &hash, now()))
            .await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    };
    match result.await {
        Ok(()) => tracing::info!(%user_id, "password hash upgraded to the current parameters"),
        Err(error) => tracing::warn!(%user_id, %error, "password hash upgrade failed"),
    }
}
