//! A downstream Rust service's check of an authd access token, with jsonwebtoken and authd's JWKS only.
//!
//! ```sh
//! cargo run --example verify_downstream -- <jwks: https:// or http:// URL, or a file> <issuer> <audience> <token>
//! # e.g. ... http://127.0.0.1:8080/.well-known/jwks.json http://127.0.0.1:8080 authd "$TOKEN"
//! ```
//! Prints the claims and exits 0 for a valid token; prints why and exits 1 otherwise. A real service would keep
//! the key set in memory, refetch it at most every few minutes, and refetch at once (rate-limited) when a token
//! names a kid it does not have: that is what makes authd's key rotation invisible to it.

use std::process::ExitCode;

use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [jwks_source, issuer, audience, token] = args.as_slice() else {
        eprintln!(
            "usage: verify_downstream <jwks https:// URL or file> <issuer> <audience> <token>"
        );
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
    let body = if source.starts_with("https://") || source.starts_with("http://") {
        fetch(source)?
    } else {
        std::fs::read_to_string(source).map_err(|e| format!("{source}: {e}"))?
    };
    serde_json::from_str(&body).map_err(|e| format!("not a JWK set: {e}"))
}

/// GET with the crate's own HTTP client (reqwest; https verified against the system's trust store, which
/// `SSL_CERT_FILE` can replace). Bounded, no redirects: a key set is fetched from exactly where it was configured.
fn fetch(url: &str) -> Result<String, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let response = client
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| format!("{url}: {}", causes(&e)))?;
        if !response.status().is_success() {
            return Err(format!("{url}: unexpected answer {}", response.status()));
        }
        response
            .text()
            .await
            .map_err(|e| format!("{url}: {}", causes(&e)))
    })
}

/// The error and its causes, so a TLS failure says why (an unknown issuer, a name mismatch) and not only that
/// sending failed.
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}
