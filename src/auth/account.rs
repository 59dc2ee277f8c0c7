//! The caller's account row, for handlers that need more than the token's claims.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::Authenticated;
use crate::db::models::User;
use crate::db::users;
use crate::error::{ApiError, TokenRejection};
use crate::state::AppState;
use crate::tokens::AccessClaims;

/// The verified claims of the caller and its account row. A valid token whose account no longer exists (deleted
/// while the token lived) is `401 session_revoked`: its sessions went with it.
#[derive(Debug, Clone)]
pub struct CallerAccount {
    pub claims: Arc<AccessClaims>,
    pub user: User,
}

impl CallerAccount {
    /// The caller's claims alone, for helpers that take `Authenticated`.
    pub fn authenticated(&self) -> Authenticated {
        Authenticated(Arc::clone(&self.claims))
    }

    /// Reads the row of `caller`; for a handler that needs it only sometimes (`/v1/me` answers from a cache).
    pub async fn load(caller: Authenticated, state: &AppState) -> Result<Self, ApiError> {
        let lookup = caller.0.sub.clone();
        let user = state
            .db
            .run(move |conn| users::find_by_id(conn, &lookup))
            .await?;
        let user = user.ok_or(ApiError::InvalidToken(TokenRejection::SessionRevoked))?;
        Ok(Self {
            claims: caller.0,
            user,
        })
    }
}

impl FromRequest for CallerAccount {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Authenticated::from_request(req, payload).into_inner();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::internal("the app state is not registered"))?;
            Self::load(caller?, &state).await
        })
    }
}
