//! GET /v1/me

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};
use quick_cache::sync::Cache;

use super::token_response::{UserView, no_store};
use crate::auth::Authenticated;
use crate::db::{Db, users};
use crate::error::{ApiError, TokenRejection};

/// The caller's account.
pub async fn me(
    caller: Authenticated,
    db: web::Data<Db>,
    recent: web::Data<RecentUsers>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.0.sub.clone();
    if let Some(view) = recent.get(&user_id) {
        return Ok(no_store(HttpResponse::Ok()).json(&*view));
    }
    let lookup = user_id.clone();
    let user = db
        .run(move |conn| Ok(users::find_by_id(conn, &lookup)?))
        .await?;
    // A valid token for an account that no longer exists: its sessions are gone with it.
    let user = user.ok_or(ApiError::InvalidToken(TokenRejection::SessionRevoked))?;
    let view = Arc::new(UserView::from(&user));
    recent.insert(user_id, Arc::clone(&view));
    Ok(no_store(HttpResponse::Ok()).json(&*view))
}

/// Accounts shown by `/v1/me` in the last few seconds, so a client polling it costs no database round trip.
/// Bounded in size and age: nothing in the view changes today, and an account that is deleted has its sessions
/// revoked, which the bearer middleware checks before this cache is consulted.
pub struct RecentUsers {
    entries: Cache<String, (Instant, Arc<UserView>)>,
}

impl RecentUsers {
    const CAPACITY: usize = 10_000;
    const MAX_AGE: Duration = Duration::from_secs(30);

    pub fn new() -> Self {
        Self {
            entries: Cache::new(Self::CAPACITY),
        }
    }

    fn get(&self, user_id: &str) -> Option<Arc<UserView>> {
        self.entries
            .get(user_id)
            .filter(|(at, _)| at.elapsed() < Self::MAX_AGE)
            .map(|(_, view)| view)
    }

    fn insert(&self, user_id: String, view: Arc<UserView>) {
        self.entries.insert(user_id, (Instant::now(), view));
    }
}

impl Default for RecentUsers {
    fn default() -> Self {
        Self::new()
    }
}
