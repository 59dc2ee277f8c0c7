//! Queries on `email_tokens`. A token is valid while `used_at` is NULL and `expires_at` is ahead; using one is a
//! single compare-and-set, so two requests racing with one link cannot both succeed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AnyConnection;
use super::models::EmailToken;
use super::schema::email_tokens;

/// What a mailed token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    PasswordReset,
    ChangeEmail,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
            Self::ChangeEmail => "change_email",
        }
    }

    /// The purpose of a stored row.
    pub fn of(token: &EmailToken) -> Option<Self> {
        [Self::VerifyEmail, Self::PasswordReset, Self::ChangeEmail]
            .into_iter()
            .find(|p| p.as_str() == token.purpose)
    }
}

/// Stores `token` after retiring the user's unused tokens of the same purpose: only the newest link works.
pub fn issue(conn: &mut AnyConnection, token: &EmailToken) -> QueryResult<()> {
    let older = email_tokens::table
        .filter(email_tokens::user_id.eq(&token.user_id))
        .filter(email_tokens::purpose.eq(&token.purpose))
        .filter(email_tokens::used_at.is_null());
    diesel::update(older)
        .set(email_tokens::used_at.eq(token.created_at))
        .execute(conn)?;
    diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::id.eq(&token.id),
            email_tokens::user_id.eq(&token.user_id),
            email_tokens::purpose.eq(&token.purpose),
            email_tokens::token_hash.eq(&token.token_hash),
            email_tokens::email.eq(&token.email),
            email_tokens::created_at.eq(token.created_at),
            email_tokens::expires_at.eq(token.expires_at),
            email_tokens::used_at.eq(token.used_at),
        ))
        .execute(conn)
        .map(drop)
}

/// The valid token with this hash for one of `purposes`, without using it.
pub fn find_valid(
    conn: &mut AnyConnection,
    token_hash: &str,
    purposes: &[Purpose],
    now: NaiveDateTime,
) -> QueryResult<Option<EmailToken>> {
    email_tokens::table
        .filter(email_tokens::token_hash.eq(token_hash))
        .filter(email_tokens::purpose.eq_any(names(purposes)))
        .filter(email_tokens::used_at.is_null())
        .filter(email_tokens::expires_at.gt(now))
        .select(EmailToken::as_select())
        .first(conn)
        .optional()
}

/// Uses the valid token with this hash for one of `purposes`: `None` when it is unknown, used, expired or for
/// another purpose. Call it in the transaction that applies its effect.
pub fn consume(
    conn: &mut AnyConnection,
    token_hash: &str,
    purposes: &[Purpose],
    now: NaiveDateTime,
) -> QueryResult<Option<EmailToken>> {
    let valid = email_tokens::table
        .filter(email_tokens::token_hash.eq(token_hash))
        .filter(email_tokens::purpose.eq_any(names(purposes)))
        .filter(email_tokens::used_at.is_null())
        .filter(email_tokens::expires_at.gt(now));
    diesel::update(valid)
        .set(email_tokens::used_at.eq(now))
        .returning(email_tokens::all_columns)
        .get_result(conn)
        .optional()
}

/// Retires every unused token of the user (after a password reset: a pending email change must not survive it).
pub fn retire_all_for_user(
    conn: &mut AnyConnection,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let open = email_tokens::table
        .filter(email_tokens::user_id.eq(user_id))
        .filter(email_tokens::used_at.is_null());
    diesel::update(open)
        .set(email_tokens::used_at.eq(now))
        .execute(conn)
}

/// Deletes up to `limit` tokens that expired before `before` (used or not); returns how many.
pub fn delete_expired(
    conn: &mut AnyConnection,
    before: NaiveDateTime,
    limit: i64,
) -> QueryResult<usize> {
    let ids: Vec<String> = email_tokens::table
        .filter(email_tokens::expires_at.lt(before))
        .select(email_tokens::id)
        .limit(limit)
        .load(conn)?;
    diesel::delete(email_tokens::table.filter(email_tokens::id.eq_any(&ids))).execute(conn)
}

fn names(purposes: &[Purpose]) -> Vec<&'static str> {
    purposes.iter().map(|p| p.as_str()).collect()
}
