//! What a credential change retires. A password change or reset, logout-all, an operator's disable and an
//! operator's logout all call `changed` in the transaction that makes the change, so none of them can forget a
//! way back in that someone who briefly held the account (or its session) left open: the sessions, the device
//! tokens (through the epoch), the mailed links (email change, reset, verification), the pending second-factor
//! challenges (`mfa_token`s) and the social-login codes and link flows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AnyConnection;
use super::email_tokens;
use super::schema::{mfa_challenges, oauth_login_codes, oauth_states, users};
use super::sessions::{self, RevokeReason};

/// Retires everything above for `user_id`, except the session `keep` (the caller's own, after a password
/// change). Returns the ids of the sessions it ended, for the in-memory revocation set.
pub fn changed(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: Option<&str>,
    reason: RevokeReason,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    diesel::update(users::table.find(user_id))
        .set(users::credential_epoch.eq(users::credential_epoch + 1))
        .execute(conn)?;
    email_tokens::retire_all_for_user(conn, user_id, now)?;
    let challenges = mfa_challenges::table
        .filter(mfa_challenges::user_id.eq(user_id))
        .filter(mfa_challenges::used_at.is_null());
    diesel::update(challenges)
        .set(mfa_challenges::used_at.eq(now))
        .execute(conn)?;
    // Login codes and link codes alike: a code minted before the change must not open a session or link a
    // provider account afterwards.
    let codes = oauth_login_codes::table
        .filter(oauth_login_codes::user_id.eq(user_id))
        .filter(oauth_login_codes::used_at.is_null());
    diesel::update(codes)
        .set(oauth_login_codes::used_at.eq(now))
        .execute(conn)?;
    // A link flow still at the provider would otherwise come back with a fresh link code.
    diesel::delete(oauth_states::table.filter(oauth_states::link_user_id.eq(user_id)))
        .execute(conn)?;
    sessions::revoke_all_for_user(conn, user_id, keep, reason, now)
}
