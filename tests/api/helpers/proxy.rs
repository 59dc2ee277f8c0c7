//! A TCP proxy of the test's own, to cut a server (PostgreSQL, Redis) away from authd and bring it back, without ever
//! stopping the shared server.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// Forwards `127.0.0.1:port` to a target until cut.
pub struct TcpProxy {
    pub port: u16,
    shared: Arc<Shared>,
    accept: AbortHandle,
}

#[derive(Default)]
struct Shared {
    cut: AtomicBool,
    links: Mutex<Vec<AbortHandle>>,
}

impl TcpProxy {
    /// Starts forwarding to `target`, on a thread of its own: the server's start-up connects synchronously on
    /// the test's thread, which must not be the one that has to accept that connection.
    pub async fn start(target: SocketAddr) -> Self {
        let shared = Arc::new(Shared::default());
        let (started, on_start) = std::sync::mpsc::channel();
        let for_thread = Arc::clone(&shared);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let port = listener.local_addr().unwrap().port();
                let accept = tokio::spawn(accept_loop(listener, target, for_thread));
                started.send((port, accept.abort_handle())).unwrap();
                let _ = accept.await;
            });
        });
        let (port, accept) = on_start.recv().unwrap();
        Self {
            port,
            shared,
            accept,
        }
    }

    /// Starts forwarding to the host and port of a `postgres://` URL.
    pub async fn for_url(url: &str) -> Self {
        let (_, _, host_port) = split_url(url);
        let host_port = match host_port.rsplit_once(':') {
            Some(_) => host_port.to_owned(),
            None => format!("{host_port}:5432"),
        };
        let target = tokio::net::lookup_host(host_port)
            .await
            .unwrap()
            .next()
            .unwrap();
        Self::start(target).await
    }

    /// The same URL (same user, database and options) pointed at this proxy.
    pub fn route(&self, url: &str) -> String {
        let (scheme_user, rest, _) = split_url(url);
        format!("{scheme_user}127.0.0.1:{}{rest}", self.port)
    }

    /// Drops every forwarded connection and closes new ones at once, as a server that went away.
    pub fn cut(&self) {
        self.shared.cut.store(true, Ordering::SeqCst);
        for link in self.shared.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    /// Forwards again.
    pub fn restore(&self) {
        self.shared.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

async fn accept_loop(listener: TcpListener, target: SocketAddr, shared: Arc<Shared>) {
    while let Ok((mut inbound, _)) = listener.accept().await {
        if shared.cut.load(Ordering::SeqCst) {
            drop(inbound);
            continue;
        }
        let link = tokio::spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect(target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
        shared.links.lock().unwrap().push(link.abort_handle());
    }
}

/// `postgres://user@host:port/db?q` (or `redis://...`) → (`postgres://user@`, `/db?q`, `host:port`).
fn split_url(url: &str) -> (&str, &str, &str) {
    let start = url.find("://").expect("a URL") + 3;
    let end = url[start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| start + i);
    let host_start = url[start..end].rfind('@').map_or(start, |i| start + i + 1);
    (&url[..host_start], &url[end..], &url[host_start..end])
}
