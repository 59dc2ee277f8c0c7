//! Queries on `sessions`. A row is live while `revoked_at` is NULL, `expires_at` is ahead and it was refreshed
//! within the idle timeout.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AnyConnection;
use super::models::Session;
use super::schema::sessions;

/// Why a session was ended; stored in `revoked_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeReason {
    Logout,
    LogoutAll,
    Deleted,
    PasswordChange,
    PasswordReset,
    ReuseDetected,
    /// An operator disabled the account.
    AccountDisabled,
    /// An operator ended every session of the account.
    AdminLogout,
    /// An operator deleted the account.
    AccountDeleted,
}

impl RevokeReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::LogoutAll => "logout_all",
            Self::Deleted => "deleted",
            Self::PasswordChange => "password_change",
            Self::PasswordReset => "password_reset",
            Self::ReuseDetected => "reuse_detected",
            Self::AccountDisabled => "account_disabled",
            Self::AdminLogout => "admin_logout",
            Self::AccountDeleted => "account_deleted",
        }
    }
}

/// Stores a new session row.
pub fn insert(conn: &mut AnyConnection, session: &Session) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&session.id),
            sessions::user_id.eq(&session.user_id),
            sessions::generation.eq(session.generation),
            sessions::created_at.eq(session.created_at),
            sessions::last_used_at.eq(session.last_used_at),
            sessions::expires_at.eq(session.expires_at),
            sessions::revoked_at.eq(session.revoked_at),
            sessions::revoked_reason.eq(&session.revoked_reason),
            sessions::user_agent.eq(&session.user_agent),
            sessions::ip.eq(&session.ip),
            sessions::amr.eq(&session.amr),
        ))
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<Session>> {
    sessions::table
        .find(id)
        .select(Session::as_select())
        .first(conn)
        .optional()
}

/// The rotation compare-and-set: moves a live session from `generation` to `generation + 1` and returns the row
/// as that same statement wrote it (`UPDATE ... RETURNING`). Of concurrent callers presenting the same refresh
/// token exactly one gets `Some`, and what it gets cannot include a later write, such as a revocation that lands
/// just after the rotation (`None`: not rotated).
pub fn rotate(
    conn: &mut AnyConnection,
    id: &str,
    generation: i64,
    now: NaiveDateTime,
    idle_cutoff: NaiveDateTime,
) -> QueryResult<Option<Session>> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::generation.eq(generation))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .filter(sessions::last_used_at.gt(idle_cutoff)),
    )
    .set((
        sessions::generation.eq(generation + 1),
        sessions::last_used_at.eq(now),
    ))
    .returning(sessions::all_columns)
    .get_result(conn)
    .optional()
}

/// Ends one session; `false` when it was already ended (or does not exist).
pub fn revoke(
    conn: &mut AnyConnection,
    id: &str,
    reason: RevokeReason,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(now),
        sessions::revoked_reason.eq(reason.as_str()),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Ends every open session of the user except `keep`; returns the ids it ended.
pub fn revoke_all_for_user(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: Option<&str>,
    reason: RevokeReason,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    let open = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null());
    // An id that is never a UUID keeps the query one shape whether or not a session is spared.
    diesel::update(open.filter(sessions::id.ne(keep.unwrap_or("-"))))
        .set((
            sessions::revoked_at.eq(now),
            sessions::revoked_reason.eq(reason.as_str()),
        ))
        .returning(sessions::id)
        .get_results(conn)
}

/// The user's live sessions, newest first.
pub fn list_live(
    conn: &mut AnyConnection,
    user_id: &str,
    now: NaiveDateTime,
    idle_cutoff: NaiveDateTime,
) -> QueryResult<Vec<Session>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::last_used_at.gt(idle_cutoff))
        .order(sessions::created_at.desc())
        .select(Session::as_select())
        .load(conn)
}

/// Sessions revoked at or after `since`, oldest first: what every instance must refuse access tokens for.
pub fn revoked_since(
    conn: &mut AnyConnection,
    since: NaiveDateTime,
) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    sessions::table
        .filter(sessions::revoked_at.ge(since))
        .order(sessions::revoked_at.asc())
        .select((sessions::id, sessions::revoked_at.assume_not_null()))
        .load(conn)
}

/// Up to `limit` ids of sessions that ended before `before`: revoked, past their absolute end, or idle since
/// `idle_before`. Selected first and deleted by id, so each batch is one short statement on both backends.
pub fn ended_before(
    conn: &mut AnyConnection,
    before: NaiveDateTime,
    idle_before: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<String>> {
    sessions::table
        .filter(
            sessions::revoked_at
                .lt(before)
                .or(sessions::expires_at.lt(before))
                .or(sessions::last_used_at.lt(idle_before)),
        )
        .select(sessions::id)
        .limit(limit)
        .load(conn)
}

/// Deletes the sessions with these ids; returns how many went.
pub fn delete(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::id.eq_any(ids))).execute(conn)
}
