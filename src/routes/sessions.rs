//! GET /v1/sessions and DELETE /v1/sessions/{id}

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::common::device::device_info;
use super::common::token_response::{no_store, rfc3339};
use crate::audit::record;
use crate::auth::Authenticated;
use crate::db::events;
use crate::db::models::Session;
use crate::db::models::now;
use crate::db::sessions::{self, RevokeReason};
use crate::error::ApiError;
use crate::rotation::idle_cutoff;
use crate::state::AppState;

/// A session as its owner sees it.
#[derive(Serialize)]
struct SessionView {
    id: String,
    created_at: String,
    last_used_at: String,
    user_agent: Option<String>,
    ip: Option<String>,
    /// The session of the token making this request.
    current: bool,
}

impl SessionView {
    fn new(session: Session, current_sid: &str) -> Self {
        Self {
            current: session.id == current_sid,
            created_at: rfc3339(session.created_at),
            last_used_at: rfc3339(session.last_used_at),
            id: session.id,
            user_agent: session.user_agent,
            ip: session.ip,
        }
    }
}

/// The caller's live sessions, newest first.
pub async fn list(
    caller: Authenticated,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    let at = now();
    let cutoff = idle_cutoff(at, &state.sessions);
    let live = state
        .db
        .run(move |conn| sessions::list_live(conn, &user_id, at, cutoff))
        .await?;
    let views: Vec<SessionView> = live
        .into_iter()
        .map(|s| SessionView::new(s, &caller.0.sid))
        .collect();
    Ok(no_store(HttpResponse::Ok()).json(views))
}

/// Ends one of the caller's sessions. Someone else's session, or no session at all, is 404 alike.
pub async fn delete(
    req: HttpRequest,
    caller: Authenticated,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let session_id = path.into_inner();
    let user_id = caller.0.sub.clone();
    let at = now();
    let sid = session_id.clone();
    let device = device_info(&req, &state.trusted_proxies);
    let ended = state
        .db
        .run_in_transaction(move |conn| match sessions::find(conn, &sid)? {
            Some(session) if session.user_id == user_id => {
                let ended = sessions::revoke(conn, &sid, RevokeReason::Deleted, at)?;
                if ended {
                    let ids = [sid.clone()];
                    let reason = RevokeReason::Deleted;
                    events::insert(conn, &record::revoked(&user_id, &ids, reason, &device, at))?;
                }
                Ok(Some(ended))
            }
            _ => Ok(None),
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    if ended {
        state.revocations.insert([session_id.clone()], at);
        tracing::info!(%session_id, "session ended by its owner");
    }
    Ok(HttpResponse::NoContent().finish())
}
