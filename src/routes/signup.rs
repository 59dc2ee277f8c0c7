//! POST /v1/auth/signup

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::common::body::JsonObject;
use super::common::delivery::{self, TokenDelivery};
use super::common::device::device_info;
use super::common::token_response::{TokenResponse, no_store};
use crate::audit::record;
use crate::db::email_tokens::Purpose;
use crate::db::events::{self, EventKind, Outcome};
use crate::db::models::AuthEvent;
use crate::db::models::{Session, User, now};
use crate::db::users;
use crate::domain::{Email, Password};
use crate::error::ApiError;
use crate::mail::{Mail, MailKind};
use crate::mail_links::MailedToken;
use crate::state::AppState;

/// Email and password, as signup and login take them, and where the refresh token should go.
#[derive(Deserialize)]
pub struct Credentials {
    pub email: String,
    pub password: String,
    /// Absent or null: JSON.
    pub token_delivery: Option<TokenDelivery>,
}

/// Creates the account and mails a verification link. 201 with tokens and a first session; with
/// `AUTHD_REQUIRE_VERIFIED_EMAIL`, 202 with no session (login waits for the link), and the same 202 for an
/// address that already has an account, whose owner is mailed instead: signup then tells no one who has one.
pub async fn signup(
    req: HttpRequest,
    body: JsonObject<Credentials>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Credentials {
        email,
        password,
        token_delivery,
    } = body.0;
    let email = Email::parse(&email)?;
    let password_hash = state
        .passwords
        .hash_new(Password::new(&password), email.as_str().to_owned())
        .await?;
    // The password was hashed either way, so a taken address costs the same work as a new one.
    let (user, session, token) = match create(&state, &req, email.clone(), password_hash).await {
        Err(ApiError::EmailTaken) if state.email.require_verified => {
            signup_attempted(&state, &email);
            return Ok(pending());
        }
        other => other?,
    };
    let session_id = session.as_ref().map_or("-", |s| s.id.as_str());
    tracing::info!(user_id = %user.id, session_id, "account created");
    state.mailer.claim(MailKind::Verification, &user.email);
    state.mailer.send(
        &user.email,
        Mail::VerifyEmail {
            token: &token,
            ttl: state.email.verify_ttl,
        },
    );
    let Some(session) = session else {
        return Ok(pending());
    };
    let response = TokenResponse::for_session(&state.tokens, &user, &session)?;
    Ok(delivery::respond(
        &state.cookies,
        &response,
        token_delivery.unwrap_or_default(),
        StatusCode::CREATED,
    ))
}

/// The answer to a signup that waits for its address to be proven; the same whether the address was new or
/// taken, so it carries nothing about the account.
fn pending() -> HttpResponse {
    no_store(HttpResponse::Accepted()).json(json!({"status": "verification_required"}))
}

/// Someone signed up with an address that has an account: its owner hears of it (once per mail cooldown), and
/// nothing about the account changes. It takes the verification slot, the one a new address would have used.
fn signup_attempted(state: &AppState, email: &Email) {
    tracing::info!("signup with an address that already has an account; its owner is told");
    if state.mailer.claim(MailKind::Verification, email.as_str()) {
        state.mailer.send(email.as_str(), Mail::SignupAttempt);
    }
}

/// Stores the account, its first session (unless the address must be proven first), its `signup` event and its
/// verification link, in one transaction; returns them and the link's token.
async fn create(
    state: &AppState,
    req: &HttpRequest,
    email: Email,
    password_hash: String,
) -> Result<(User, Option<Session>, String), ApiError> {
    let created = now();
    let user = User {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.as_str().to_owned(),
        password_hash,
        created_at: created,
        updated_at: created,
        disabled_at: None,
        deleted_at: None,
        roles: String::new(),
        email_verified_at: None,
        credential_epoch: 0,
    };
    let device = device_info(req, &state.trusted_proxies);
    let client = device.clone();
    let session = (!state.email.require_verified)
        .then(|| Session::start(&user.id, device, created, state.sessions.max_age));
    let ttl = state.email.verify_ttl;
    let link = MailedToken::new(&user.id, Purpose::VerifyEmail, &user.email, created, ttl);
    state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            // The UNIQUE index decides races between concurrent signups of one email.
            users::insert(conn, &user)?;
            match &session {
                Some(session) => record::session_opened(conn, EventKind::Signup, session)?,
                // No session until the address is proven; the account's creation is recorded all the same.
                None => {
                    let event = AuthEvent {
                        user_id: Some(user.id.clone()),
                        ..record::event(EventKind::Signup, Outcome::Success, &client, created)
                    };
                    events::insert(conn, &[event])?;
                }
            }
            let token = link.issue(conn)?;
            Ok((user, session, token))
        })
        .await
}
