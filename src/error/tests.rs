use super::*;
use crate::db::StoreError;
use crate::db::users::InsertUserError;
use crate::domain::{EmailError, PasswordError};
use crate::passwords::HashError;

#[test]
fn errors_from_below_the_http_layer_keep_their_statuses() {
    let status = |e: ApiError| e.error_response().status().as_u16();
    let overloaded = ApiError::from(HashError::Overloaded(std::time::Duration::from_secs(2)));
    let response = overloaded.error_response();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "2");
    assert_eq!(overloaded.code(), "unavailable");
    assert_eq!(status(PasswordError("weak".into()).into()), 422);
    assert_eq!(
        status(HashError::Rejected(PasswordError("weak".into())).into()),
        422
    );
    assert_eq!(status(EmailError("bad").into()), 422);
    assert_eq!(status(StoreError::Unavailable.into()), 503);
    assert_eq!(status(InsertUserError::EmailTaken.into()), 409);
    let query = StoreError::Query(diesel::result::Error::NotFound);
    assert_eq!(status(query.into()), 500);
}

#[test]
fn rate_limited_answers_say_when_to_come_back() {
    let limited = ApiError::RateLimited(Limited {
        policy: "login-ip",
        quota: 20,
        window: std::time::Duration::from_secs(60),
        retry_after: std::time::Duration::from_millis(2_100),
    });
    assert_eq!(limited.code(), "rate_limited");
    let response = limited.error_response();
    assert_eq!(response.status(), 429);
    let header = |name: &str| response.headers().get(name).unwrap().to_str().unwrap();
    assert_eq!(header("retry-after"), "3");
    assert_eq!(header("ratelimit-policy"), r#""login-ip";q=20;w=60"#);
    assert_eq!(header("ratelimit"), r#""login-ip";r=0;t=3"#);
}
