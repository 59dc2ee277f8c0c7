//! Reading `Authorization: Bearer <token>` (RFC 6750 §2.1).

use actix_web::http::header::{AUTHORIZATION, HeaderMap};

use crate::error::TokenRejection;

/// The bearer token of the request. No `Authorization` header, or one for another scheme, is `Missing`;
/// a Bearer header whose value is not a single b64token is `Malformed`.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, TokenRejection> {
    let mut values = headers.get_all(AUTHORIZATION);
    let Some(value) = values.next() else {
        return Err(TokenRejection::Missing);
    };
    if values.next().is_some() {
        return Err(TokenRejection::Malformed);
    }
    let value = value.to_str().map_err(|_| TokenRejection::Malformed)?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(TokenRejection::Missing);
    }
    let token = token.trim_matches(' ');
    let b64token = |b: u8| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
    };
    if token.is_empty() || !token.bytes().all(b64token) {
        return Err(TokenRejection::Malformed);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{AUTHORIZATION, HeaderMap, HeaderValue};

    use super::*;

    fn parse(value: &str) -> Result<String, TokenRejection> {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        bearer_token(&headers).map(str::to_owned)
    }

    #[test]
    fn reads_the_token_case_insensitively() {
        assert_eq!(parse("Bearer abc.def.ghi").unwrap(), "abc.def.ghi");
        assert_eq!(parse("bearer abc.def.ghi").unwrap(), "abc.def.ghi");
    }

    #[test]
    fn other_schemes_count_as_missing_and_junk_as_malformed() {
        assert_eq!(
            bearer_token(&HeaderMap::new()),
            Err(TokenRejection::Missing)
        );
        assert_eq!(parse("Basic dXNlcjpwYXNz"), Err(TokenRejection::Missing));
        assert_eq!(parse("Bearer"), Err(TokenRejection::Malformed));
        assert_eq!(parse("Bearer a b"), Err(TokenRejection::Malformed));
        assert_eq!(parse("Bearer a\"b"), Err(TokenRejection::Malformed));
    }
}
