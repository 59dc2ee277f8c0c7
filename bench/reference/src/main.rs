//! `authd-bench-reference`                 serve GET /healthz on $REF_BIND with $REF_WORKERS workers
//! `authd-bench-reference argon2 [N]`      time N argon2id hashes with argon2 0.6's defaults (m=19456, t=2, p=1),
//!                                          the parameters authd uses by default; prints `hash_ms median=.. min=.. max=..`

use std::time::Instant;

use actix_web::{App, HttpResponse, HttpServer, get, http::header::ContentType};

#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(r#"{"status":"ok"}"#)
}

fn time_argon2(n: usize) {
    use argon2::Argon2;
    let argon = Argon2::default();
    let salt = *b"bench-reference-salt";
    let mut out = [0u8; 32];
    let mut ms: Vec<f64> = Vec::with_capacity(n);
    // One warm-up hash: first-touch page faults of the 19 MiB block are part of every real hash in authd
    // (it allocates per hash), so the timed hashes also allocate per hash, as `hash_password` does.
    argon.hash_password_into(b"warm up", &salt, &mut out).expect("argon2");
    for i in 0..n {
        let pw = format!("correct horse battery staple {i}");
        let t = Instant::now();
        argon
            .hash_password_into(pw.as_bytes(), &salt, &mut out)
            .expect("argon2");
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "hash_ms median={:.2} min={:.2} max={:.2} n={n}",
        ms[n / 2],
        ms[0],
        ms[n - 1]
    );
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("argon2") {
        let n = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(15).max(1);
        time_argon2(n);
        return Ok(());
    }
    let bind = std::env::var("REF_BIND").unwrap_or_else(|_| "127.0.0.1:8081".into());
    let workers = std::env::var("REF_WORKERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
    actix_web::rt::System::new().block_on(
        HttpServer::new(|| App::new().service(healthz))
            .workers(workers)
            .bind(bind)?
            .run(),
    )
}
