//! Queries on `recovery_codes`: argon2id hashes of single-use codes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::recovery_codes;

/// The user's unused codes as (id, hash).
pub fn unused(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Vec<(String, String)>> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .select((recovery_codes::id, recovery_codes::code_hash))
        .load(conn)
}

/// How many unused codes the user has.
pub fn count_unused(conn: &mut AnyConnection, user_id: &str) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}

/// Replaces every code of the user with `hashes`.
pub fn replace(
    conn: &mut AnyConnection,
    user_id: &str,
    hashes: &[String],
    now: NaiveDateTime,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        delete_all(conn, user_id)?;
        // One statement per code: MultiConnection has no batch insert.
        for hash in hashes {
            diesel::insert_into(recovery_codes::table)
                .values((
                    recovery_codes::id.eq(uuid::Uuid::now_v7().to_string()),
                    recovery_codes::user_id.eq(user_id),
                    recovery_codes::code_hash.eq(hash),
                    recovery_codes::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Marks one code used; `false` when it already was (a concurrent use won).
pub fn mark_used(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::id.eq(id))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn delete_all(conn: &mut AnyConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id))).execute(conn)
}
