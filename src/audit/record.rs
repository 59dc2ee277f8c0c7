//! Events that record a change, built here and inserted by the caller in the transaction that makes the change,
//! so the trail and the data never disagree: both commit or neither does.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::AnyConnection;
use crate::db::events::{self, EventKind, Outcome};
use crate::db::models::{AuthEvent, DeviceInfo, Session};
use crate::db::sessions::{self, RevokeReason};
use crate::rotation::RefreshOutcome;

/// Longest user agent kept; the header is client-controlled.
const MAX_USER_AGENT_CHARS: usize = 256;

/// An event with no user or session yet; callers fill those in with struct-update syntax.
pub fn event(
    kind: EventKind,
    outcome: Outcome,
    device: &DeviceInfo,
    at: NaiveDateTime,
) -> AuthEvent {
    AuthEvent {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: None,
        session_id: None,
        kind: kind.as_str().to_owned(),
        outcome: outcome.as_str().to_owned(),
        ip: device.ip.clone(),
        user_agent: device.user_agent.as_deref().map(clean_user_agent),
        detail: None,
        created_at: at,
    }
}

/// `{"<key>": "<value>"}`: the detail column's small JSON object. Values come from fixed sets of names.
pub fn detail(key: &str, value: &str) -> Option<String> {
    Some(serde_json::json!({ key: value }).to_string())
}

/// An event about `session` (of its user), from `device`.
pub fn session_event(
    kind: EventKind,
    outcome: Outcome,
    session: &Session,
    device: &DeviceInfo,
    at: NaiveDateTime,
) -> AuthEvent {
    AuthEvent {
        user_id: Some(session.user_id.clone()),
        session_id: Some(session.id.clone()),
        ..event(kind, outcome, device, at)
    }
}

/// Stores a new session and the `signup` or `login` event that opened it.
pub fn session_opened(
    conn: &mut AnyConnection,
    kind: EventKind,
    session: &Session,
) -> QueryResult<()> {
    sessions::insert(conn, session)?;
    let device = DeviceInfo {
        user_agent: session.user_agent.clone(),
        ip: session.ip.clone(),
    };
    let opened = session_event(kind, Outcome::Success, session, &device, session.created_at);
    events::insert(conn, &[opened]).map(drop)
}

/// An operator's change to `user_id` through the admin API, naming the action and the admin key's name.
pub fn admin_action(
    user_id: &str,
    action: &str,
    key_name: &str,
    device: &DeviceInfo,
    at: NaiveDateTime,
) -> AuthEvent {
    AuthEvent {
        user_id: Some(user_id.to_owned()),
        detail: Some(serde_json::json!({"action": action, "admin_key": key_name}).to_string()),
        ..event(EventKind::AdminAction, Outcome::Success, device, at)
    }
}

/// One `session_revoked` event per ended session of `user_id`, saying why.
pub fn revoked(
    user_id: &str,
    session_ids: &[String],
    reason: RevokeReason,
    device: &DeviceInfo,
    at: NaiveDateTime,
) -> Vec<AuthEvent> {
    let why = match reason {
        RevokeReason::Logout => "logout",
        RevokeReason::LogoutAll => "logout_all",
        RevokeReason::Deleted => "session_delete",
        RevokeReason::PasswordChange => "password_change",
        RevokeReason::ReuseDetected => "reuse",
        RevokeReason::AccountDisabled => "account_disabled",
        RevokeReason::AdminLogout => "admin_logout",
        RevokeReason::AccountDeleted => "account_deleted",
        RevokeReason::PasswordReset => "password_reset",
    };
    let detail = detail("reason", why);
    session_ids
        .iter()
        .map(|id| AuthEvent {
            user_id: Some(user_id.to_owned()),
            session_id: Some(id.clone()),
            detail: detail.clone(),
            ..event(EventKind::SessionRevoked, Outcome::Success, device, at)
        })
        .collect()
}

/// The events of a refresh: a rotation (or an allowed replay, which hands out tokens again), or a reuse and the
/// revocation it caused. A refusal changes nothing and records nothing.
pub fn refreshed(
    outcome: &RefreshOutcome,
    device: &DeviceInfo,
    at: NaiveDateTime,
) -> Vec<AuthEvent> {
    match outcome {
        RefreshOutcome::Rotated(session, _) => {
            vec![session_event(
                EventKind::Refresh,
                Outcome::Success,
                session,
                device,
                at,
            )]
        }
        RefreshOutcome::Replayed(session, _) => vec![AuthEvent {
            detail: detail("replay", "within_reuse_interval"),
            ..session_event(EventKind::Refresh, Outcome::Success, session, device, at)
        }],
        RefreshOutcome::ReuseDetected(session) => {
            let reuse = session_event(
                EventKind::ReuseDetected,
                Outcome::Denied,
                session,
                device,
                at,
            );
            let ended = [session.id.clone()];
            let mut all = vec![reuse];
            all.extend(revoked(
                &session.user_id,
                &ended,
                RevokeReason::ReuseDetected,
                device,
                at,
            ));
            all
        }
        RefreshOutcome::Refused(_) => vec![],
    }
}

/// A device token signed someone in; for the device-token flow to insert in its own transaction.
pub fn device_token_used(session: &Session, device: &DeviceInfo, at: NaiveDateTime) -> AuthEvent {
    session_event(
        EventKind::DeviceTokenUsed,
        Outcome::Success,
        session,
        device,
        at,
    )
}

/// The header without control characters, cut to a sane length.
pub fn clean_user_agent(user_agent: &str) -> String {
    user_agent
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_USER_AGENT_CHARS)
        .collect()
}
