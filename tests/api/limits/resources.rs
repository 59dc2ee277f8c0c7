//! Bounded resources at the HTTP layer: slow clients are cut off, oversized heads are refused, connections are
//! capped per worker. Raw TCP on blocking threads, so the server's runtime never waits on the test.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::helpers::{Backend, PASSWORD, TestApp, assert_error, spawn_app_with};

/// actix-http's fixed limit on an unparsed request head (`MAX_BUFFER_SIZE`); not configurable.
const ACTIX_MAX_HEAD: usize = 131_072;

fn host_port(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

/// Reads what the server sends until it closes the connection, for at most `within`; `None` if still open.
fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let (started, mut answer, mut buf) = (Instant::now(), Vec::new(), [0u8; 4096]);
    while started.elapsed() < within {
        match stream.read(&mut buf) {
            Ok(0) => return Some(answer),
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(answer),
        }
    }
    None
}

#[actix_web::test]
async fn a_slowloris_client_is_cut_off_within_the_request_timeout() {
    let app = spawn_app_with(Backend::Sqlite, &[("AUTHD_REQUEST_TIMEOUT", "1s")]).await;
    let address = host_port(&app);
    let (elapsed, answer) = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
            .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let started = Instant::now();
        // One byte of a header value that never ends, every 100 ms, until the server hangs up (or 10 s pass).
        let mut buf = [0u8; 1024];
        let mut answer = Vec::new();
        while started.elapsed() < Duration::from_secs(10) {
            if stream.write_all(b"a").is_err() {
                break;
            }
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => break,
            }
        }
        (
            started.elapsed(),
            String::from_utf8_lossy(&answer).into_owned(),
        )
    })
    .await
    .unwrap();
    assert!(
        elapsed < Duration::from_secs(4),
        "still open after {elapsed:?}"
    );
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    // The server itself is fine.
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}

#[actix_web::test]
async fn an_oversized_request_head_gets_431_not_a_hang() {
    let app = spawn_app_with(Backend::Sqlite, &[]).await;
    let address = host_port(&app);
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        // Exactly the limit, with no end of head: the server reads all of it (nothing left unread to reset the
        // connection) and must answer.
        let mut head = b"GET /healthz HTTP/1.1\r\nHost: authd\r\nX-Big: ".to_vec();
        head.resize(ACTIX_MAX_HEAD, b'a');
        let _ = stream.write_all(&head);
        read_until_closed(&mut stream, Duration::from_secs(5))
    })
    .await
    .unwrap()
    .expect("the server answers and closes within 5 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    // More headers than actix parses (96) is refused the same way, through an ordinary client.
    let mut request = app.client.get(app.url("/healthz"));
    for n in 0..120 {
        request = request.header(format!("x-h{n}"), "v");
    }
    let status = request.send().await.unwrap().status();
    assert!(status.is_client_error(), "{status}");
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}

#[actix_web::test]
async fn connections_beyond_the_limit_wait_until_one_closes() {
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            ("AUTHD_MAX_CONNECTIONS", "2"),
            ("AUTHD_REQUEST_TIMEOUT", "10s"),
        ],
    )
    .await;
    let address = host_port(&app);
    let idle: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fresh = reqwest::Client::new();
    let waiting = fresh
        .get(app.url("/healthz"))
        .timeout(Duration::from_millis(700))
        .send()
        .await;
    assert!(
        waiting.is_err(),
        "a third connection was served: {waiting:?}"
    );
    drop(idle);
    let served = reqwest::Client::new()
        .get(app.url("/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
}

#[actix_web::test]
async fn a_request_past_the_handler_deadline_gets_503_with_retry_after() {
    // One hashing thread at a real cost: forty logins queue for well over the one-second deadline.
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            ("AUTHD_HANDLER_TIMEOUT", "1s"),
            ("AUTHD_ARGON2_MEMORY_KIB", "19456"),
            ("AUTHD_ARGON2_ITERATIONS", "12"),
            ("AUTHD_MAX_CONCURRENT_HASHES", "1"),
            // Every login waits in the queue (a full queue would also be a 503, for another reason).
            ("AUTHD_MAX_QUEUED_HASHES", "64"),
            ("AUTHD_RATE_LIMITS", "off"),
        ],
    )
    .await;
    // An unknown email costs one full hash too (the stand-in), and needs no signup that could itself miss the
    // deadline on a busy machine.
    let started = Instant::now();
    let logins = (0..40).map(|_| app.login("late@example.com", PASSWORD));
    let answers = futures::future::join_all(logins).await;
    let elapsed = started.elapsed();
    let mut late = 0;
    for answer in answers {
        match answer.status().as_u16() {
            401 => {}
            503 => {
                late += 1;
                assert_eq!(answer.headers()["retry-after"], "1");
                assert_error(answer, 503, "unavailable").await;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(late > 0, "every login beat the deadline in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert_eq!(app.get("/healthz", None).await.status(), 200);
}
