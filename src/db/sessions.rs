//! Queries on `sessions`.

use diesel::prelude::*;

use super::AnyConnection;
use super::models::Session;
use super::schema::sessions;

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
            sessions::user_agent.eq(&session.user_agent),
            sessions::ip.eq(&session.ip),
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
