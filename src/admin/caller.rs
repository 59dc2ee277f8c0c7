//! The admin key guard: every admin route needs `Authorization: Bearer <admin key>` of an unrevoked key; writes
//! need a key with write rights.

use std::future::{Ready, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::keys;
use crate::auth::bearer_token;
use crate::db::admin_keys;
use crate::db::models::now;
use crate::error::ApiError;
use crate::state::AppState;

/// The key a request came with: its name goes into the audit trail.
#[derive(Debug, Clone)]
pub struct AdminCaller {
    pub key_name: String,
    pub can_write: bool,
}

impl AdminCaller {
    /// Refuses a read-only key.
    pub fn require_write(&self) -> Result<(), ApiError> {
        if self.can_write {
            Ok(())
        } else {
            Err(ApiError::InsufficientRights)
        }
    }
}

/// Looks the presented key up (by its hash) and stores the caller for the handler; 401 otherwise.
pub async fn require_admin_key(
    state: web::Data<AppState>,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match caller(&state, &req).await {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Err(error) => Ok(req.error_response(error).map_into_right_body()),
    }
}

async fn caller(state: &AppState, req: &ServiceRequest) -> Result<AdminCaller, ApiError> {
    let presented = bearer_token(req.headers())
        .map_err(|_| ApiError::AdminKeyRejected("an admin API key is required"))?;
    if !presented.starts_with(keys::PREFIX) {
        return Err(ApiError::AdminKeyRejected("this is not an admin API key"));
    }
    let hash = keys::hash(presented);
    let found = state
        .db
        .run(move |conn| {
            let key = admin_keys::find_live(conn, &hash)?;
            if let Some(key) = &key {
                admin_keys::touch(conn, &key.id, now())?;
            }
            Ok(key)
        })
        .await?;
    let key = found.ok_or(ApiError::AdminKeyRejected(
        "unknown or revoked admin API key",
    ))?;
    Ok(AdminCaller {
        key_name: key.name,
        can_write: key.can_write,
    })
}

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<AdminCaller>()
                .cloned()
                .ok_or(ApiError::AdminKeyRejected("an admin API key is required")),
        )
    }
}
