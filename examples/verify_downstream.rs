//! A downstream Rust service's check of an authd access token, with jsonwebtoken and authd's JWKS only.
//!
//! ```sh
//! cargo run --example verify_downstream -- <jwks: http:// URL or file> <issuer> <audience> <token>
//! # e.g. ... http://127.0.0.1:8080/.well-known/jwks.json http://127.0.0.1:8080 authd "$TOKEN"
//! ```
//! Prints the claims and exits 0 for a valid token; prints why and exits 1 otherwise. A real service would keep
//! the key set in memory, refetch it at most every few minutes, and refetch at once (rate-limited) when a token
//! names a kid it does not have: that is what makes authd's key rotation invisible to it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;

use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [jwks_source, issuer, audience, token] = args.as_slice() else {
        eprintln!("usage: verify_downstream <jwks URL or file> <issuer> <audience> <token>");
        return ExitCode::from(2);
    };
    let jwks = match load_jwks(jwks_source) {
        Ok(jwks) => jwks,
        Err(error) => {
            eprintln!("cannot load the JWKS: {error}");
            return ExitCode::from(2);
        }
    };
    match verify(&jwks, issuer, audience, token) {
        Ok(claims) => {
            println!("{claims}");
            ExitCode::SUCCESS
        }
        Err(reason) => {
            println!("refused: {reason}");
            ExitCode::FAILURE
        }
    }
}

/// The key comes from the set by `kid`; the algorithm comes from that key, never from the token's header.
fn verify(jwks: &JwkSet, issuer: &str, audience: &str, token: &str) -> Result<Value, String> {
    let header = decode_header(token).map_err(|e| format!("malformed: {e}"))?;
    let kid = header.kid.as_deref().ok_or("no kid")?;
    let jwk = jwks.find(kid).ok_or("unknown kid")?;
    let alg = pinned_algorithm(jwk).ok_or("the key's algorithm is not EdDSA or ES256")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable key: {e}"))?;
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = 30;
    let data = decode::<Value>(token, &key, &validation).map_err(|e| e.to_string())?;
    // jsonwebtoken does not check `typ`: without this a refresh token would pass.
    if data.header.typ.as_deref() != Some("at+jwt") {
        return Err("not an access token (typ must be at+jwt)".into());
    }
    Ok(data.claims)
}

/// Only the asymmetric algorithms authd uses, and only with a key of the matching type.
fn pinned_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    use jsonwebtoken::jwk::AlgorithmParameters::{EllipticCurve, OctetKeyPair};
    match (jwk.common.key_algorithm?, &jwk.algorithm) {
        (KeyAlgorithm::EdDSA, OctetKeyPair(_)) => Some(Algorithm::EdDSA),
        (KeyAlgorithm::ES256, EllipticCurve(_)) => Some(Algorithm::ES256),
        _ => None,
    }
}

fn load_jwks(source: &str) -> Result<JwkSet, String> {
    let body = match source.strip_prefix("http://") {
        Some(rest) => http_get(rest)?,
        None => std::fs::read_to_string(source).map_err(|e| e.to_string())?,
    };
    serde_json::from_str(&body).map_err(|e| format!("not a JWK set: {e}"))
}

/// A minimal HTTP/1.0 GET for a loopback or private-network authd; use a real client (with TLS) in production.
fn http_get(host_and_path: &str) -> Result<String, String> {
    let (host, path) = host_and_path
        .split_once('/')
        .map_or((host_and_path, "/".to_owned()), |(h, p)| {
            (h, format!("/{p}"))
        });
    let address = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:80")
    };
    let mut stream = TcpStream::connect(&address).map_err(|e| format!("{address}: {e}"))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nAccept: application/json\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or("no HTTP body")?;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        return Err(format!(
            "unexpected answer: {}",
            head.lines().next().unwrap_or("")
        ));
    }
    Ok(body.to_owned())
}
