//! What operators do to accounts (the admin API): search, disable, roles, delete. Each change that ends
//! sessions revokes them in the same transaction and returns their ids, for the in-memory revocation set.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AnyConnection;
use super::models::User;
use super::schema::users;
use super::sessions::RevokeReason;

/// Up to `limit` live accounts after `cursor` (an id; ids are UUID v7, so this is creation order), whose email
/// contains `query` (case-insensitively: emails are stored lowercased).
pub fn search(
    conn: &mut AnyConnection,
    query: Option<&str>,
    cursor: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<User>> {
    let mut select = users::table
        .filter(users::deleted_at.is_null())
        .order(users::id.asc())
        .limit(limit)
        .select(User::as_select())
        .into_boxed();
    if let Some(query) = query {
        select = select.filter(users::email.like(like_pattern(query)).escape('\\'));
    }
    if let Some(cursor) = cursor {
        select = select.filter(users::id.gt(cursor.to_owned()));
    }
    select.load(conn)
}

/// `%query%` with the LIKE wildcards of `query` escaped, so `_` and `%` match themselves.
fn like_pattern(query: &str) -> String {
    let mut pattern = String::with_capacity(query.len() + 2);
    pattern.push('%');
    for c in query.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Disables (`Some(now)`) or enables (`None`) a live account; disabling is a credential change
/// (`credentials::changed`: every session, device token, mailed link and pending code retired).
/// `None` when there is no such account; else the ids of the sessions it ended.
pub fn set_disabled(
    conn: &mut AnyConnection,
    id: &str,
    disabled_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<Option<Vec<String>>> {
    let updated = diesel::update(users::table.find(id).filter(users::deleted_at.is_null()))
        .set((
            users::disabled_at.eq(disabled_at),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    if disabled_at.is_none() {
        return Ok(Some(vec![]));
    }
    let reason = RevokeReason::AccountDisabled;
    super::credentials::changed(conn, id, None, reason, now).map(Some)
}

/// Replaces the roles of a live account; false when there is none.
pub fn set_roles(
    conn: &mut AnyConnection,
    id: &str,
    roles: &[String],
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(users::table.find(id).filter(users::deleted_at.is_null()))
        .set((users::roles.eq(roles.join(" ")), users::updated_at.eq(now)))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Deletes a live account: its email, hash and roles are wiped at once (the address is free again) and every
/// session is revoked; the emptied row stays until pruning, so every instance sees the revocations first.
/// `None` when there is no such account.
pub fn delete(
    conn: &mut AnyConnection,
    id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Vec<String>>> {
    let updated = diesel::update(users::table.find(id).filter(users::deleted_at.is_null()))
        .set((
            users::email.eq(format!("{id}@deleted.invalid")),
            users::password_hash.eq(""),
            users::roles.eq(""),
            users::deleted_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    // Nothing pending (links, challenges, codes) outlives the account, whatever its routes check later.
    let reason = RevokeReason::AccountDeleted;
    super::credentials::changed(conn, id, None, reason, now).map(Some)
}

/// Removes accounts deleted before `before` (their sessions go with them); returns how many.
pub fn purge_deleted(conn: &mut AnyConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(users::table.filter(users::deleted_at.lt(before))).execute(conn)
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_match_themselves() {
        assert_eq!(super::like_pattern("A_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
