//! GET /healthz and GET /readyz

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::db::Db;
use crate::error::ApiError;

/// The process is serving.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers; otherwise 503 so a load balancer stops sending traffic here.
pub async fn readyz(db: web::Data<Db>) -> Result<HttpResponse, ApiError> {
    if db.ping().await {
        Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
    } else {
        Err(ApiError::Unavailable)
    }
}
