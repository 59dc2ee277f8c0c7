//! Rows as the code reads them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{admin_keys, auth_events, email_tokens, sessions, users};

/// A stored account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Set while an operator has disabled the account.
    pub disabled_at: Option<NaiveDateTime>,
    /// Set when an operator deleted the account (the row waits for pruning, emptied).
    pub deleted_at: Option<NaiveDateTime>,
    /// Space-separated role names (see `roles()`).
    pub roles: String,
    /// When the current address was proven; `None` until then.
    pub email_verified_at: Option<NaiveDateTime>,
    /// Bumped by every credential change (`db::credentials::changed`); device tokens of an older one are ignored.
    pub credential_epoch: i64,
}

impl User {
    /// The user's roles, in the order they were set.
    pub fn roles(&self) -> Vec<String> {
        self.roles.split_whitespace().map(str::to_owned).collect()
    }
}

/// An operator's admin API key (its hash only).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = admin_keys)]
pub struct AdminKey {
    pub id: String,
    pub name: String,
    pub key_hash: String,
    pub can_write: bool,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A stored session (one refresh-token family).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub generation: i64,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// How the session was authenticated (RFC 8176 `amr` values, space-separated); `None` is password only.
    pub amr: Option<String>,
}

/// One audit event as stored (`events.rs` names its kinds and outcomes).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = auth_events)]
pub struct AuthEvent {
    pub id: String,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub kind: String,
    pub outcome: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A token sent by mail, as stored: its hash, never the token.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_tokens)]
pub struct EmailToken {
    pub id: String,
    pub user_id: String,
    /// `verify_email`, `password_reset` or `change_email` (`db::email_tokens::Purpose`).
    pub purpose: String,
    pub token_hash: String,
    /// The address it was mailed to.
    pub email: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// What a new session records about the device that opened it.
#[derive(Debug, Clone, Default)]
pub struct DeviceInfo {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// The current UTC time at whole seconds: both backends store it exactly, so values derived from a row (such as
/// a refresh token's `iat`) come out the same after a round trip.
pub fn now() -> NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(0)
}

impl Session {
    /// A new session for `user_id`, generation 0, ending `lifetime` after `now` whatever its rotations.
    pub fn start(
        user_id: &str,
        device: DeviceInfo,
        now: NaiveDateTime,
        lifetime: std::time::Duration,
    ) -> Self {
        let lifetime = chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::MAX);
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: user_id.to_owned(),
            generation: 0,
            created_at: now,
            last_used_at: now,
            expires_at: now
                .checked_add_signed(lifetime)
                .unwrap_or(NaiveDateTime::MAX),
            revoked_at: None,
            revoked_reason: None,
            user_agent: device.user_agent,
            ip: device.ip,
            amr: None,
        }
    }
}
