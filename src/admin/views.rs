//! What the admin API shows of accounts and sessions (never a hash).

use serde::Serialize;

use crate::db::models::{Session, User};
use crate::routes::common::token_response::rfc3339;

/// An account as an operator sees it.
#[derive(Debug, Serialize)]
pub struct AdminUser {
    pub id: String,
    pub email: String,
    pub created_at: String,
    pub updated_at: String,
    pub disabled: bool,
    pub disabled_at: Option<String>,
    pub roles: Vec<String>,
}

impl From<&User> for AdminUser {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            created_at: rfc3339(user.created_at),
            updated_at: rfc3339(user.updated_at),
            disabled: user.disabled_at.is_some(),
            disabled_at: user.disabled_at.map(rfc3339),
            roles: user.roles(),
        }
    }
}

/// A live session of the account.
#[derive(Debug, Serialize)]
pub struct AdminSession {
    pub id: String,
    pub created_at: String,
    pub last_used_at: String,
    pub expires_at: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

impl From<Session> for AdminSession {
    fn from(session: Session) -> Self {
        Self {
            created_at: rfc3339(session.created_at),
            last_used_at: rfc3339(session.last_used_at),
            expires_at: rfc3339(session.expires_at),
            id: session.id,
            user_agent: session.user_agent,
            ip: session.ip,
        }
    }
}
