//! GET /admin/v1/users and GET /admin/v1/users/{id}: reading accounts.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::caller::AdminCaller;
use super::views::{AdminSession, AdminUser};
use crate::db::mfa::{recovery_codes, totp};
use crate::db::models::now;
use crate::db::{accounts, events, sessions, social, users};
use crate::error::ApiError;
use crate::rotation::idle_cutoff;
use crate::routes::common::token_response::no_store;
use crate::routes::common::views::{EventView, IdentityView};
use crate::state::AppState;

/// Page size when the query names none, and the largest one allowed.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;
/// Audit events shown with an account, newest first.
const RECENT_EVENTS: i64 = 20;

/// `?q=&cursor=&limit=`.
#[derive(Debug, Deserialize)]
pub struct Search {
    /// Part of the email (case-insensitive).
    q: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    limit: Option<i64>,
}

/// Accounts in creation order, filtered by `q`, a page at a time.
pub async fn list(
    _caller: AdminCaller,
    query: web::Query<Search>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Search { q, cursor, limit } = query.into_inner();
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidRequest(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    if cursor
        .as_deref()
        .is_some_and(|c| uuid::Uuid::parse_str(c).is_err())
    {
        return Err(ApiError::InvalidRequest(
            "cursor is not one this API gave".into(),
        ));
    }
    let q = q.filter(|q| !q.trim().is_empty());
    let found = state
        .db
        .run(move |conn| accounts::search(conn, q.as_deref(), cursor.as_deref(), limit + 1))
        .await?;
    let more = found.len() as i64 > limit;
    let page: Vec<AdminUser> = found
        .iter()
        .take(limit as usize)
        .map(AdminUser::from)
        .collect();
    let next_cursor = more.then(|| page.last().map(|u| u.id.clone())).flatten();
    Ok(no_store(HttpResponse::Ok()).json(json!({"users": page, "next_cursor": next_cursor})))
}

/// One account with its live sessions, identities, MFA state and its 20 most recent audit events.
pub async fn show(
    _caller: AdminCaller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let at = now();
    let cutoff = idle_cutoff(at, &state.sessions);
    let found = state
        .db
        .run(move |conn| {
            let Some(user) = users::find_by_id(conn, &id)? else {
                return Ok(None);
            };
            let live = sessions::list_live(conn, &user.id, at, cutoff)?;
            let recent = events::page_for_user(conn, &user.id, None, RECENT_EVENTS)?;
            let factor = totp::find(conn, &user.id)?;
            let mfa = json!({
                "enabled": factor.as_ref().is_some_and(|f| f.active()),
                "pending": factor.as_ref().is_some_and(|f| !f.active()),
                "recovery_codes_left": recovery_codes::count_unused(conn, &user.id)?,
            });
            let linked = social::identities_of(conn, &user.id)?;
            Ok(Some((user, live, recent, mfa, linked)))
        })
        .await?;
    let (user, live, recent, mfa, linked) = found.ok_or(ApiError::NotFound)?;
    let identities: Vec<IdentityView> = linked.into_iter().map(IdentityView::from).collect();
    let sessions: Vec<AdminSession> = live.into_iter().map(AdminSession::from).collect();
    let events: Vec<EventView> = recent.into_iter().map(EventView::from).collect();
    Ok(no_store(HttpResponse::Ok()).json(json!({
        "user": AdminUser::from(&user),
        "sessions": sessions,
        "identities": identities,
        "mfa": mfa,
        "events": events,
    })))
}
