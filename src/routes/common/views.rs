//! The views a user's records are shown in, shared by the user's own routes and the admin API.

use serde::Serialize;
use serde_json::Value;

use super::token_response::rfc3339;
use crate::db::models::AuthEvent;
use crate::db::social::Identity;

/// An event as its user sees it.
#[derive(Serialize)]
pub struct EventView {
    id: String,
    kind: String,
    outcome: String,
    session_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    detail: Option<Value>,
    created_at: String,
}

impl From<AuthEvent> for EventView {
    fn from(event: AuthEvent) -> Self {
        Self {
            detail: event.detail.and_then(|d| serde_json::from_str(&d).ok()),
            created_at: rfc3339(event.created_at),
            id: event.id,
            kind: event.kind,
            outcome: event.outcome,
            session_id: event.session_id,
            ip: event.ip,
            user_agent: event.user_agent,
        }
    }
}

/// A linked provider account as its owner sees it.
#[derive(Serialize)]
pub struct IdentityView {
    id: String,
    provider: String,
    email: Option<String>,
    created_at: String,
    last_login_at: Option<String>,
}

impl From<Identity> for IdentityView {
    fn from(i: Identity) -> Self {
        Self {
            id: i.id,
            provider: i.provider,
            email: i.email,
            created_at: rfc3339(i.created_at),
            last_login_at: i.last_login_at.map(rfc3339),
        }
    }
}
