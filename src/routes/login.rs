//! POST /v1/auth/login

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::body::JsonObject;
use super::delivery;
use super::device::device_info;
use super::signup::Credentials;
use super::token_response::TokenResponse;
use crate::client_ip::client_ip;
use crate::db::models::{Session, User, now};
use crate::db::{Db, sessions, users};
use crate::domain::{Email, Password};
use crate::error::ApiError;
use crate::metrics::{self, Login};
use crate::passwords::{Passwords, Verified};
use crate::state::AppState;

/// Checks the credentials and opens a new session; 200 with tokens. An unknown email and a wrong password
/// get the same answer after the same amount of work.
pub async fn login(
    req: HttpRequest,
    body: JsonObject<Credentials>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let result = log_in(req, body, &state).await;
    metrics::login(match &result {
        Ok(_) => Login::Success,
        Err(ApiError::InvalidCredentials) => Login::InvalidCredentials,
        Err(_) => Login::Error,
    });
    result
}

async fn log_in(
    req: HttpRequest,
    body: JsonObject<Credentials>,
    state: &AppState,
) -> Result<HttpResponse, ApiError> {
    let AppState { db, passwords, .. } = state;
    let Credentials {
        email,
        password,
        token_delivery,
    } = body.0;
    let password = Password::new(&password);
    // Neither can belong to any account, so refusing early reveals nothing about who has one.
    let Ok(email) = Email::parse(&email) else {
        return Err(ApiError::InvalidCredentials);
    };
    if !password.within_length_limit() {
        return Err(ApiError::InvalidCredentials);
    }
    let ip = client_ip(&req, &state.trusted_proxies);
    // Before any hashing; the same answer whether or not the account exists.
    state.rate_limits.check_login(ip, email.as_str())?;
    let (user, rehash) = match verify(state, &email, password.clone()).await {
        Err(ApiError::InvalidCredentials) => {
            state.rate_limits.login_failed(ip, email.as_str());
            return Err(ApiError::InvalidCredentials);
        }
        other => other?,
    };
    state.rate_limits.login_succeeded(ip, email.as_str());
    // Only now, after the password matched: the answer tells a guesser nothing.
    if state.email.require_verified && user.email_verified_at.is_none() {
        return Err(ApiError::EmailNotVerified);
    }
    if rehash {
        upgrade_hash(db, passwords, &user.id, password).await;
    }
    let session = Session::start(
        &user.id,
        device_info(&req, &state.trusted_proxies),
        now(),
        state.sessions.max_age,
    );
    let row = session.clone();
    db.run(move |conn| sessions::insert(conn, &row)).await?;
    tracing::info!(user_id = %user.id, session_id = %session.id, "logged in");
    let response = TokenResponse::for_session(&state.tokens, &user, &session)?;
    Ok(delivery::respond(
        &state.cookies,
        &response,
        token_delivery.unwrap_or_default(),
        StatusCode::OK,
    ))
}

/// The account and whether its hash needs upgrading, or `InvalidCredentials` after the same work for an unknown
/// email as for a wrong password.
async fn verify(
    state: &AppState,
    email: &Email,
    password: Password,
) -> Result<(User, bool), ApiError> {
    let lookup = email.as_str().to_owned();
    let user = state
        .db
        .run(move |conn| users::find_by_email(conn, &lookup))
        .await?;
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
