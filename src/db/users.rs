//! Queries on `users`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::AnyConnection;
use super::models::User;
use super::schema::users;

/// Why an insert did not happen.
#[derive(Debug)]
pub enum InsertUserError {
    EmailTaken,
    Query(Error),
}

/// Inserts a user; a duplicate email (even under a concurrent insert) is `EmailTaken`, decided by the UNIQUE index.
pub fn insert(conn: &mut AnyConnection, user: &User) -> Result<(), InsertUserError> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&user.id),
            users::email.eq(&user.email),
            users::password_hash.eq(&user.password_hash),
            users::created_at.eq(user.created_at),
            users::updated_at.eq(user.updated_at),
        ))
        .execute(conn)
        .map(drop)
        .map_err(|e| match e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                InsertUserError::EmailTaken
            }
            other => InsertUserError::Query(other),
        })
}

/// The account with this email; a deleted account is no account.
pub fn find_by_email(conn: &mut AnyConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .filter(users::deleted_at.is_null())
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// The account with this id; a deleted account is no account.
pub fn find_by_id(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .filter(users::deleted_at.is_null())
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Replaces the stored hash (a parameter upgrade or a password change).
pub fn set_password_hash(
    conn: &mut AnyConnection,
    id: &str,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}
