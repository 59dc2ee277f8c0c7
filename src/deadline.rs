//! The deadline of a whole request: a handler that has not answered within `AUTHD_HANDLER_TIMEOUT` is dropped
//! and the client gets `503 unavailable` with `Retry-After`.
//!
//! Every wait inside a handler already has its own bound (a full hash queue answers 503 at once, a pool checkout
//! gives up after 5 s, SQLite's busy timeout is 5 s), so this is a backstop for what has none, such as a
//! PostgreSQL server that stops answering without closing the connection. Dropping the handler does not undo
//! database work already handed to a blocking thread: a refresh cut off here may still have rotated.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::error::ApiError;

/// What a client is told to wait before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Runs the rest of the chain for at most `limit`. The 503 travels as an error (the request itself went with
/// the dropped handler), which the outer middlewares and actix turn into the JSON answer.
pub async fn within<B: MessageBody>(
    limit: Duration,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    // Kept for the warning only: a `Uri` clone shares the request's bytes, where `path().to_owned()` would
    // allocate on every request.
    let uri = req.uri().clone();
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(answer) => answer,
        Err(_) => {
            tracing::warn!(
                path = uri.path(),
                limit_ms = limit.as_millis(),
                "request deadline passed; answered 503"
            );
            Err(ApiError::Overloaded(RETRY_AFTER).into())
        }
    }
}
