//! The success bodies that carry tokens or describe a user (RFC 6749 §5.1 names).

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, PRAGMA};
use actix_web::{HttpResponse, HttpResponseBuilder};
use chrono::{NaiveDateTime, SecondsFormat};
use serde::{Deserialize, Serialize};

use crate::db::models::{Session, User};
use crate::error::ApiError;
use crate::tokens::{SessionGeneration, Tokens};

/// A user as the API shows it: never the hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub created_at: String,
    /// The address was proven by a mailed link.
    #[serde(default)]
    pub email_verified: bool,
    /// `GET /v1/me` only: whether logins need a second factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_enabled: Option<bool>,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            created_at: rfc3339(user.created_at),
            email_verified: user.email_verified_at.is_some(),
            mfa_enabled: None,
        }
    }
}

/// What signup, login and refresh return.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_in: i64,
    pub user: UserView,
    /// Login only: the client's device token (in cookie mode, the `authd_device` cookie instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
    /// Seconds the device token lives (its cookie's `Max-Age`).
    #[serde(skip)]
    pub device_expires_in: i64,
    /// `POST /v1/auth/mfa` with a recovery code: how many unused ones the account has left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_codes_left: Option<i64>,
}

impl TokenResponse {
    /// Mints the session's access token and current refresh token.
    pub fn for_session(tokens: &Tokens, user: &User, session: &Session) -> Result<Self, ApiError> {
        let roles = user.roles();
        let generation = SessionGeneration {
            session_id: &session.id,
            subject: &session.user_id,
            generation: session.generation,
            issued_at: session.last_used_at.and_utc().timestamp(),
            session_ends_at: session.expires_at.and_utc().timestamp(),
            roles: &roles,
            amr: session.amr.as_deref(),
            email_verified: user.email_verified_at.is_some(),
            authenticated_at: session.created_at.and_utc().timestamp(),
        };
        let access = tokens.mint_access(&generation)?;
        let refresh = tokens.mint_refresh(&generation)?;
        Ok(Self {
            access_token: access.token,
            token_type: "Bearer".into(),
            expires_in: access.expires_in,
            refresh_token: refresh.token,
            refresh_expires_in: refresh.expires_in,
            user: user.into(),
            device_token: None,
            device_expires_in: 0,
            recovery_codes_left: None,
        })
    }

    /// The response, marked uncacheable as RFC 6749 §5.1 requires.
    pub fn respond(&self, status: StatusCode) -> HttpResponse {
        no_store(HttpResponse::build(status)).json(self)
    }
}

/// Adds the headers that keep token-bearing responses out of every cache.
pub fn no_store(mut builder: HttpResponseBuilder) -> HttpResponseBuilder {
    builder
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((PRAGMA, "no-cache"));
    builder
}

/// A stored UTC time in RFC 3339 form.
pub fn rfc3339(time: NaiveDateTime) -> String {
    time.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}
