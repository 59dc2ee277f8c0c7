//! Queries on `admin_keys`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AnyConnection;
use super::models::AdminKey;
use super::schema::admin_keys;

/// Stores a new key; false when the name is taken.
pub fn insert(conn: &mut AnyConnection, key: &AdminKey) -> QueryResult<bool> {
    let taken = admin_keys::table
        .filter(admin_keys::name.eq(&key.name))
        .count()
        .get_result::<i64>(conn)?;
    if taken > 0 {
        return Ok(false);
    }
    diesel::insert_into(admin_keys::table)
        .values((
            admin_keys::id.eq(&key.id),
            admin_keys::name.eq(&key.name),
            admin_keys::key_hash.eq(&key.key_hash),
            admin_keys::can_write.eq(key.can_write),
            admin_keys::created_at.eq(key.created_at),
        ))
        .execute(conn)
        .map(|_| true)
}

/// The unrevoked key with this hash.
pub fn find_live(conn: &mut AnyConnection, key_hash: &str) -> QueryResult<Option<AdminKey>> {
    admin_keys::table
        .filter(admin_keys::key_hash.eq(key_hash))
        .filter(admin_keys::revoked_at.is_null())
        .select(AdminKey::as_select())
        .first(conn)
        .optional()
}

/// Every key, revoked ones too, oldest first.
pub fn list(conn: &mut AnyConnection) -> QueryResult<Vec<AdminKey>> {
    admin_keys::table
        .order(admin_keys::created_at.asc())
        .select(AdminKey::as_select())
        .load(conn)
}

/// Revokes the named key; false when there is no such unrevoked key.
pub fn revoke(conn: &mut AnyConnection, name: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let live = admin_keys::table
        .filter(admin_keys::name.eq(name))
        .filter(admin_keys::revoked_at.is_null());
    let updated = diesel::update(live)
        .set(admin_keys::revoked_at.eq(now))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Records a use (at most once a minute per key, so a busy key does not write on every request).
pub fn touch(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    let stale = now - chrono::Duration::seconds(60);
    let key = admin_keys::table.find(id).filter(
        admin_keys::last_used_at
            .is_null()
            .or(admin_keys::last_used_at.lt(stale)),
    );
    diesel::update(key)
        .set(admin_keys::last_used_at.eq(now))
        .execute(conn)
        .map(drop)
}
