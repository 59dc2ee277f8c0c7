//! GET /v1/me/events: the caller's audit trail, newest first, a page at a time.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::common::token_response::no_store;
use super::common::views::EventView;
use crate::auth::Authenticated;
use crate::db::events;
use crate::error::ApiError;
use crate::state::AppState;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 100;

/// The query: both fields are checked by hand, so a bad value is a `400 invalid_request` that says which.
#[derive(Deserialize)]
pub struct PageQuery {
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Serialize)]
struct EventPage {
    events: Vec<EventView>,
    next_cursor: Option<String>,
}

/// A page of the caller's events; `next_cursor` is null on the last page.
pub async fn list(
    caller: Authenticated,
    query: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let PageQuery { limit, cursor } = query.into_inner();
    let limit = parse_limit(limit.as_deref())?;
    let cursor = cursor.as_deref().map(parse_cursor).transpose()?;
    let user_id = caller.0.sub.clone();
    // One row past the page says whether another page follows.
    let mut rows = state
        .db
        .run(move |conn| events::page_for_user(conn, &user_id, cursor.as_deref(), limit + 1))
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more.then(|| rows.last().map(|e| e.id.clone())).flatten();
    let events = rows.into_iter().map(EventView::from).collect();
    Ok(no_store(HttpResponse::Ok()).json(EventPage {
        events,
        next_cursor,
    }))
}

fn parse_limit(raw: Option<&str>) -> Result<i64, ApiError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_LIMIT);
    };
    raw.parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| ApiError::InvalidRequest(format!("limit must be 1 to {MAX_LIMIT}")))
}

/// A cursor is an event id: any UUID, taken in the canonical lowercase form the ids are stored in (one this
/// server never returned just pages from where it would sort).
fn parse_cursor(raw: &str) -> Result<String, ApiError> {
    uuid::Uuid::try_parse(raw)
        .map(|id| id.to_string())
        .map_err(|_| ApiError::InvalidRequest("cursor must be an event id (a UUID)".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors_are_checked() {
        assert_eq!(parse_limit(None).unwrap(), 50);
        assert_eq!(parse_limit(Some("100")).unwrap(), 100);
        for bad in ["0", "101", "-1", "ten", "", "1e2"] {
            assert!(parse_limit(Some(bad)).is_err(), "{bad}");
        }
        let id = uuid::Uuid::now_v7().to_string();
        assert_eq!(parse_cursor(&id).unwrap(), id);
        assert_eq!(parse_cursor(&id.to_uppercase()).unwrap(), id);
        for bad in ["x", "' OR 1=1 --", "", &id[1..]] {
            assert!(parse_cursor(bad).is_err(), "{bad}");
        }
    }
}
