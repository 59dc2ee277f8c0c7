//! Reading `Authorization: Bearer <token>` (RFC 6750 §2.1).

use actix_web::http::header::{AUTHORIZATION, HeaderMap};

use crate::error::TokenRejection;

/// RFC 6750 §2.1 b64token characters: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" / "=".
const B64TOKEN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=');
        b += 1;
    }
    table
};

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
    // Checked on bytes: a b64token is ASCII, so anything else is malformed before any UTF-8 question arises.
    let value = value.as_bytes();
    let (scheme, token) = match value.iter().position(|&b| b == b' ') {
        Some(at) => (&value[..at], &value[at + 1..]),
        None => (value, &value[value.len()..]),
    };
    if !scheme.iter().all(|&b| b == b'\t' || (32..127).contains(&b)) {
        return Err(TokenRejection::Malformed);
    }
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return Err(TokenRejection::Missing);
    }
    let start = token.iter().position(|&b| b != b' ').unwrap_or(token.len());
    let end = token
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |last| last + 1);
    let token = &token[start..end];
    if token.is_empty() || !token.iter().all(|&b| B64TOKEN[usize::from(b)]) {
        return Err(TokenRejection::Malformed);
    }
    let token = std::str::from_utf8(token).map_err(|_| TokenRejection::Malformed)?;
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
