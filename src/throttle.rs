//! The rate-limit guard on the routes that take a password or a refresh token: it spends one request of the
//! client address's budget before anything else runs (no body parsing, no database, no hashing), and answers
//! `429 rate_limited` when the budget is spent.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::USER_AGENT;
use actix_web::middleware::Next;
use actix_web::web;

use crate::client_ip::client_ip;
use crate::error::ApiError;
use crate::rate_limits::Limit;
use crate::state::AppState;

/// One middleware function per limited route (`middleware::from_fn` takes functions, not values).
macro_rules! guards {
    ($($name:ident => $limit:ident;)*) => {$(
        #[doc = concat!("Spends the client's `", stringify!($limit), "` budget.")]
        pub async fn $name(
            state: web::Data<AppState>,
            req: ServiceRequest,
            next: Next<impl MessageBody>,
        ) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
            guard(Limit::$limit, &state, req, next).await
        }
    )*};
}

guards! {
    limit_signup => Signup;
    limit_login => Login;
    limit_refresh => Refresh;
    limit_logout => Logout;
    limit_password => Password;
    limit_mfa => Mfa;
    limit_mfa_manage => MfaManage;
    limit_mail => Mail;
    limit_email_token => EmailToken;
    limit_oauth => Oauth;
}

async fn guard<B: MessageBody>(
    limit: Limit,
    state: &AppState,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let ip = client_ip(req.request(), &state.trusted_proxies);
    match state.rate_limits.check(limit, ip).await {
        Ok(()) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        Err(limited) => {
            tracing::debug!(policy = limited.policy, %ip, "rate limited");
            let user_agent = req.headers().get(USER_AGENT).and_then(|v| v.to_str().ok());
            state.audit.rate_limited(limited.policy, ip, user_agent);
            Ok(req
                .error_response(ApiError::RateLimited(limited))
                .map_into_right_body())
        }
    }
}
