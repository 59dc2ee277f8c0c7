//! The refresh-token state machine. A session row holds the current generation; a refresh token carries the
//! generation it was issued for. Presenting the current one rotates (compare-and-set); presenting an older one is
//! theft until proven otherwise and revokes the whole session, except for the immediately previous token inside
//! the reuse interval, which gets the current pair again.

use chrono::NaiveDateTime;

use crate::config::SessionSettings;
use crate::db::models::{Session, User};
use crate::db::sessions::{self, RevokeReason};
use crate::db::{AnyConnection, users};
use crate::error::TokenRejection;
use crate::tokens::RefreshClaims;

/// What a refresh request comes to.
#[derive(Debug)]
pub enum RefreshOutcome {
    /// The token was current: the session moved to the next generation.
    Rotated(Session, User),
    /// The immediately previous token within the reuse interval: the current generation, unchanged.
    Replayed(Session, User),
    /// An already-rotated token: the session has just been revoked.
    ReuseDetected(Session),
    Refused(TokenRejection),
}

/// Decides and applies the outcome for a verified refresh token. Call it inside one blocking database job.
pub fn refresh(
    conn: &mut AnyConnection,
    claims: &RefreshClaims,
    now: NaiveDateTime,
    policy: &SessionSettings,
) -> diesel::QueryResult<RefreshOutcome> {
    let idle_cutoff = idle_cutoff(now, policy);
    // Rotating and reading are one statement: the pair is minted from the row the compare-and-set wrote, never
    // from a later state of it (a reuse-revoke landing in between would otherwise get a 200 for a dead session).
    if let Some(session) = sessions::rotate(conn, &claims.sid, claims.generation, now, idle_cutoff)?
    {
        return with_live_user(conn, session, RefreshOutcome::Rotated);
    }
    let Some(session) = sessions::find(conn, &claims.sid)? else {
        return Ok(RefreshOutcome::Refused(TokenRejection::SessionRevoked));
    };
    if session.revoked_at.is_some() {
        return Ok(RefreshOutcome::Refused(TokenRejection::SessionRevoked));
    }
    if session.expires_at <= now || session.last_used_at <= idle_cutoff {
        return Ok(RefreshOutcome::Refused(TokenRejection::Expired));
    }
    if session.generation <= claims.generation {
        // A generation the row never reached: not a token we issued for this session.
        return Ok(RefreshOutcome::Refused(TokenRejection::Malformed));
    }
    let previous = session.generation == claims.generation + 1;
    let within_interval = now - session.last_used_at <= to_chrono(policy.reuse_interval);
    if previous && !policy.reuse_interval.is_zero() && within_interval {
        return with_live_user(conn, session, RefreshOutcome::Replayed);
    }
    sessions::revoke(conn, &session.id, RevokeReason::ReuseDetected, now)?;
    Ok(RefreshOutcome::ReuseDetected(session))
}

/// `outcome` with the session's user, or refused when the account is gone.
fn with_live_user(
    conn: &mut AnyConnection,
    session: Session,
    outcome: fn(Session, User) -> RefreshOutcome,
) -> diesel::QueryResult<RefreshOutcome> {
    Ok(match users::find_by_id(conn, &session.user_id)? {
        Some(user) => outcome(session, user),
        None => RefreshOutcome::Refused(TokenRejection::SessionRevoked),
    })
}

/// The idle cut-off for `now`: sessions last refreshed at or before it have ended.
pub fn idle_cutoff(now: NaiveDateTime, policy: &SessionSettings) -> NaiveDateTime {
    now.checked_sub_signed(to_chrono(policy.idle_timeout))
        .unwrap_or(NaiveDateTime::MIN)
}

fn to_chrono(duration: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}
