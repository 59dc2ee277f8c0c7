//! Queries on `auth_events`, and the stable names of event kinds and outcomes (clients and operators filter on
//! them, so a name never changes once shipped).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AnyConnection;
use super::models::AuthEvent;
use super::schema::auth_events;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Signup,
    Login,
    Refresh,
    ReuseDetected,
    SessionRevoked,
    PasswordChange,
    RateLimited,
    DeviceTokenUsed,
    AdminAction,
    /// A wrong password where a signed-in request re-checks it (`detail.action` says which).
    Reauthentication,
    /// A way in or a factor added or removed, or the address changed (`detail.change` says which).
    AccountChange,
}

impl EventKind {
    pub const ALL: [Self; 11] = [
        Self::Signup,
        Self::Login,
        Self::Refresh,
        Self::ReuseDetected,
        Self::SessionRevoked,
        Self::PasswordChange,
        Self::RateLimited,
        Self::DeviceTokenUsed,
        Self::AdminAction,
        Self::Reauthentication,
        Self::AccountChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signup => "signup",
            Self::Login => "login",
            Self::Refresh => "refresh",
            Self::ReuseDetected => "reuse_detected",
            Self::SessionRevoked => "session_revoked",
            Self::PasswordChange => "password_change",
            Self::RateLimited => "rate_limited",
            Self::DeviceTokenUsed => "device_token_used",
            Self::AdminAction => "admin_action",
            Self::Reauthentication => "reauthentication",
            Self::AccountChange => "account_change",
        }
    }
}

/// How it ended: `Failure` is a refused credential, `Denied` a refusal by policy (reuse, a rate limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub const ALL: [Self; 3] = [Self::Success, Self::Failure, Self::Denied];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }
}

/// Stores events; inside a caller's transaction, they commit or roll back with the change they record.
pub fn insert(conn: &mut AnyConnection, events: &[AuthEvent]) -> QueryResult<usize> {
    // One statement per row: the multi-row VALUES form is not offered over both backends at once.
    let mut inserted = 0;
    for event in events {
        inserted += diesel::insert_into(auth_events::table)
            .values(event)
            .execute(conn)?;
    }
    Ok(inserted)
}

/// Up to `limit` events of `user_id`, newest first, older than the event `before` when given (ids are UUID v7,
/// so their order is their time order).
pub fn page_for_user(
    conn: &mut AnyConnection,
    user_id: &str,
    before: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AuthEvent>> {
    let mut query = auth_events::table
        .filter(auth_events::user_id.eq(user_id))
        .order(auth_events::id.desc())
        .limit(limit)
        .select(AuthEvent::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(auth_events::id.lt(before.to_owned()));
    }
    query.load(conn)
}

/// Forgets where a deleted account's events came from (address, user agent): the trail keeps only ids.
pub fn scrub_user(conn: &mut AnyConnection, user_id: &str) -> QueryResult<usize> {
    diesel::update(auth_events::table.filter(auth_events::user_id.eq(user_id)))
        .set((
            auth_events::ip.eq(None::<String>),
            auth_events::user_agent.eq(None::<String>),
        ))
        .execute(conn)
}

/// Deletes up to `limit` events created before `before`; returns how many went. The ids are selected first, so
/// each batch is one short statement on both backends (neither offers `DELETE ... LIMIT` portably).
pub fn prune_before(
    conn: &mut AnyConnection,
    before: NaiveDateTime,
    limit: i64,
) -> QueryResult<usize> {
    let ids: Vec<String> = auth_events::table
        .filter(auth_events::created_at.lt(before))
        .select(auth_events::id)
        .limit(limit)
        .load(conn)?;
    diesel::delete(auth_events::table.filter(auth_events::id.eq_any(&ids))).execute(conn)
}
