//! POST /v1/auth/signup

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::body::JsonObject;
use super::delivery::{self, TokenDelivery};
use super::device::device_info;
use super::token_response::TokenResponse;
use crate::db::models::{Session, User, now};
use crate::db::{sessions, users};
use crate::domain::{Email, Password};
use crate::error::ApiError;
use crate::state::AppState;

/// Email and password, as signup and login take them, and where the refresh token should go.
#[derive(Deserialize)]
pub struct Credentials {
    pub email: String,
    pub password: String,
    /// Absent or null: JSON.
    pub token_delivery: Option<TokenDelivery>,
}

/// Creates the account and its first session; 201 with tokens.
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
    let created = now();
    let user = User {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.as_str().to_owned(),
        password_hash,
        created_at: created,
        updated_at: created,
        email_verified_at: None,
    };
    let session = Session::start(
        &user.id,
        device_info(&req, &state.trusted_proxies),
        created,
        state.sessions.max_age,
    );
    let (user, session) = state
        .db
        .run_tx(move |conn| -> Result<_, ApiError> {
            // The UNIQUE index decides races between concurrent signups of one email.
            users::insert(conn, &user)?;
            sessions::insert(conn, &session)?;
            Ok((user, session))
        })
        .await?;
    tracing::info!(user_id = %user.id, session_id = %session.id, "account created");
    let response = TokenResponse::for_session(&state.tokens, &user, &session)?;
    Ok(delivery::respond(
        &state.cookies,
        &response,
        token_delivery.unwrap_or_default(),
        StatusCode::CREATED,
    ))
}
