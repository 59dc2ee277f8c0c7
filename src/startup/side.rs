//! The wrapper both side listeners (admin API, `/metrics`) share: one worker, no signal handling of their own
//! (the public server owns the stop signals), and a guard that stops the listener when dropped.

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, Error, HttpServer};

/// A bound side listener, not yet running.
pub struct SideServer {
    server: Server,
    port: u16,
}

/// Stops the side listener when dropped.
#[must_use = "the listener stops when this is dropped"]
pub struct Running(ServerHandle);

impl SideServer {
    /// Serves the app that `factory` builds on `listener` with one worker, waiting up to `shutdown_timeout`
    /// seconds for in-flight requests when stopped; it runs as long as the guard that `spawn` returns.
    pub fn new<F, T, B>(
        listener: TcpListener,
        shutdown_timeout: u64,
        factory: F,
    ) -> std::io::Result<Self>
    where
        F: Fn() -> App<T> + Send + Clone + 'static,
        T: ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<B>,
                Error = Error,
                InitError = (),
            > + 'static,
        B: MessageBody + 'static,
    {
        let port = listener.local_addr()?.port();
        let server = HttpServer::new(factory)
            .workers(1)
            .disable_signals()
            .shutdown_timeout(shutdown_timeout)
            .listen(listener)?
            .run();
        Ok(Self { server, port })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs the listener on the current runtime until the returned guard is dropped.
    pub fn spawn(self) -> Running {
        let handle = self.server.handle();
        actix_web::rt::spawn(self.server);
        Running(handle)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // The command is sent now; the spawned server finishes on its own.
        drop(self.0.stop(true));
    }
}
