//! Queries on `mfa_challenges`: one row per `mfa_token`, so each is single use and burns after too many wrong
//! codes, whichever instance sees the attempts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::mfa_challenges;

/// Records a new challenge, and deletes the ones that expired before `now` (the table stays as small as the
/// logins of the last few minutes).
pub fn insert(
    conn: &mut AnyConnection,
    jti: &str,
    user_id: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(mfa_challenges::table.filter(mfa_challenges::expires_at.lt(now)))
        .execute(conn)?;
    diesel::insert_into(mfa_challenges::table)
        .values((
            mfa_challenges::jti.eq(jti),
            mfa_challenges::user_id.eq(user_id),
            mfa_challenges::attempts.eq(0_i64),
            mfa_challenges::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// Reserves one code attempt of the challenge of `user_id` (compare-and-set, before the code is checked): `false`
/// when it can no longer be answered (used, expired, or its `max_attempts` are spent or in flight). A reservation
/// counts as a wrong code until `refund` gives it back, so parallel codes on one challenge cannot exceed the limit.
pub fn reserve(
    conn: &mut AnyConnection,
    jti: &str,
    user_id: &str,
    now: NaiveDateTime,
    max_attempts: i64,
) -> QueryResult<bool> {
    let updated = diesel::update(open(jti, user_id, now, max_attempts))
        .set(mfa_challenges::attempts.eq(mfa_challenges::attempts + 1))
        .execute(conn)?;
    Ok(updated == 1)
}

/// Gives back a reservation whose code was right.
pub fn refund(conn: &mut AnyConnection, jti: &str) -> QueryResult<()> {
    diesel::update(
        mfa_challenges::table
            .find(jti)
            .filter(mfa_challenges::attempts.gt(0_i64)),
    )
    .set(mfa_challenges::attempts.eq(mfa_challenges::attempts - 1))
    .execute(conn)
    .map(drop)
}

/// Uses the challenge up (compare-and-set); `false` when it was no longer open.
pub fn consume(
    conn: &mut AnyConnection,
    jti: &str,
    user_id: &str,
    now: NaiveDateTime,
    max_attempts: i64,
) -> QueryResult<bool> {
    let updated = diesel::update(open(jti, user_id, now, max_attempts))
        .set(mfa_challenges::used_at.eq(now))
        .execute(conn)?;
    Ok(updated == 1)
}

type Open<'a> = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Filter<
            diesel::dsl::Filter<
                diesel::dsl::Filter<
                    mfa_challenges::table,
                    diesel::dsl::Eq<mfa_challenges::jti, &'a str>,
                >,
                diesel::dsl::Eq<mfa_challenges::user_id, &'a str>,
            >,
            diesel::dsl::IsNull<mfa_challenges::used_at>,
        >,
        diesel::dsl::Gt<mfa_challenges::expires_at, NaiveDateTime>,
    >,
    diesel::dsl::Lt<mfa_challenges::attempts, i64>,
>;

fn open<'a>(jti: &'a str, user_id: &'a str, now: NaiveDateTime, max_attempts: i64) -> Open<'a> {
    mfa_challenges::table
        .filter(mfa_challenges::jti.eq(jti))
        .filter(mfa_challenges::user_id.eq(user_id))
        .filter(mfa_challenges::used_at.is_null())
        .filter(mfa_challenges::expires_at.gt(now))
        .filter(mfa_challenges::attempts.lt(max_attempts))
}
