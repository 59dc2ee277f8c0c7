//! Queries on `totp_factors`: one row per user, pending until `confirmed_at` is set.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use crate::db::AnyConnection;
use crate::db::schema::totp_factors;

/// A stored factor: the sealed secret, the last accepted time step and whether it is active.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = totp_factors)]
pub struct TotpFactor {
    pub user_id: String,
    pub secret_sealed: String,
    pub last_step: i64,
    pub created_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
}

impl TotpFactor {
    /// Whether logins need a code (a pending factor changes nothing yet).
    pub fn active(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

pub fn find(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Option<TotpFactor>> {
    totp_factors::table
        .find(user_id)
        .select(TotpFactor::as_select())
        .first(conn)
        .optional()
}

/// Stores a new pending factor in place of a pending one; `false` (nothing written) when an active factor exists.
/// Two enrolments at once: the loser's insert meets the winner's row and goes again, replacing it (the last one
/// started is the one to confirm), rather than failing.
pub fn replace_pending(
    conn: &mut AnyConnection,
    user_id: &str,
    secret_sealed: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match try_replace_pending(conn, user_id, secret_sealed, now) {
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) if attempts < 5 => {}
            other => return other,
        }
    }
}

fn try_replace_pending(
    conn: &mut AnyConnection,
    user_id: &str,
    secret_sealed: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let pending = totp_factors::table
            .filter(totp_factors::user_id.eq(user_id))
            .filter(totp_factors::confirmed_at.is_null());
        diesel::delete(pending).execute(conn)?;
        // Only an active factor stops an enrolment; a pending row seen here was inserted by a concurrent
        // enrolment just now, and the insert below meets it as a unique violation.
        if find(conn, user_id)?.is_some_and(|f| f.active()) {
            return Ok(false);
        }
        diesel::insert_into(totp_factors::table)
            .values((
                totp_factors::user_id.eq(user_id),
                totp_factors::secret_sealed.eq(secret_sealed),
                totp_factors::last_step.eq(0_i64),
                totp_factors::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(true)
    })
}

/// Records `step` as used, only if it is later than the last used one (compare-and-set: of two requests with the
/// same code exactly one wins). With `confirm`, also activates a pending factor. `false`: refused.
pub fn use_step(
    conn: &mut AnyConnection,
    user_id: &str,
    step: i64,
    confirm: Option<NaiveDateTime>,
) -> QueryResult<bool> {
    let target = totp_factors::table
        .filter(totp_factors::user_id.eq(user_id))
        .filter(totp_factors::last_step.lt(step));
    let updated = match confirm {
        Some(at) => diesel::update(target.filter(totp_factors::confirmed_at.is_null()))
            .set((
                totp_factors::last_step.eq(step),
                totp_factors::confirmed_at.eq(at),
            ))
            .execute(conn)?,
        None => diesel::update(target.filter(totp_factors::confirmed_at.is_not_null()))
            .set(totp_factors::last_step.eq(step))
            .execute(conn)?,
    };
    Ok(updated == 1)
}

/// Removes the user's factor, pending or active, and their recovery codes; `true` when there was a factor.
pub fn delete(conn: &mut AnyConnection, user_id: &str) -> QueryResult<bool> {
    conn.transaction(|conn| {
        super::recovery_codes::delete_all(conn, user_id)?;
        let gone = diesel::delete(totp_factors::table.find(user_id)).execute(conn)?;
        Ok(gone == 1)
    })
}
