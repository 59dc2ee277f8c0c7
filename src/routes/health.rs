//! GET /healthz and GET /readyz

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// The process is serving.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers and the revoked-session list is fresh; otherwise 503, naming what failed, so a load
/// balancer stops sending traffic here.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut failing = Vec::new();
    if !state.db.ping().await {
        failing.push("database");
    }
    if state.revocations.is_stale() {
        failing.push("revocation_poll");
    }
    if failing.is_empty() {
        Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
    } else {
        Err(ApiError::NotReady(failing))
    }
}
