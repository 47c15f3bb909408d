//! [`ControlServer`]: the HTTP control API of a running [`Server`], on tiny_http.

use std::net::{Shutdown, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::error::Error;
use crate::server::Server;

use super::exchange::Exchange;
use super::router;

/// Threads serving control requests: as many requests are served at once (a long poll on
/// `/requests` holds one for its wait); more wait their turn.
pub const CONTROL_THREADS: usize = 8;

/// Where and how the control API listens.
///
/// ```
/// use s7_mock::control::ControlOptions;
///
/// let local = ControlOptions::new("127.0.0.1:0".parse()?);
/// let remote = ControlOptions::new("0.0.0.0:8080".parse()?).token("s3cret");
/// assert!(local.token.is_none() && remote.token.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlOptions {
    /// Address to listen on; port 0 picks a free port. Without a token it must be a loopback
    /// address.
    pub addr: SocketAddr,
    /// When set, every request needs `Authorization: Bearer TOKEN`, and any address may be
    /// used. An empty token counts as none.
    pub token: Option<String>,
    /// The name of the CPU preset the server was built from, reported by `GET /status`
    /// (`null` when `None`).
    pub preset: Option<String>,
}

impl ControlOptions {
    /// Listens on `addr`, without a token and without a preset name.
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            token: None,
            preset: None,
        }
    }

    /// Requires `Authorization: Bearer TOKEN` on every request.
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The preset name `GET /status` reports.
    #[must_use]
    pub fn preset(mut self, name: impl Into<String>) -> Self {
        self.preset = Some(name.into());
        self
    }
}

/// What every control thread shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) server: Arc<Server>,
    pub(crate) token: Option<String>,
    pub(crate) preset: Option<String>,
    /// Set when the control server stops: long polls end, threads leave.
    pub(crate) stopping: AtomicBool,
}

/// The HTTP control API of a running [`Server`]: memory, CPU state, faults, the request
/// log, connections and reset as JSON below `/api/v1` (see `docs/control-api.md`).
///
/// It holds the server (an `Arc`) for as long as it runs; dropping it stops it and joins its
/// threads (a long poll in progress is cut short), after which the server is dropped when its
/// last `Arc` is.
///
/// ```
/// use std::io::{Read, Write};
/// use std::sync::Arc;
/// use s7_mock::control::{ControlOptions, ControlServer};
/// use s7_mock::server::Server;
///
/// let server = Arc::new(Server::builder().data_block(1, 16).start()?);
/// let control = ControlServer::start(Arc::clone(&server), ControlOptions::new("127.0.0.1:0".parse()?))?;
///
/// let mut http = std::net::TcpStream::connect(control.local_addr())?;
/// http.write_all(b"GET /api/v1/memory/db?db=1&start=0&len=2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
/// let mut answer = String::new();
/// http.read_to_string(&mut answer)?;
/// assert!(answer.starts_with("HTTP/1.1 200"));
/// assert!(answer.ends_with(r#"{"hex":"0000"}"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ControlServer {
    shared: Arc<Shared>,
    http: Arc<tiny_http::Server>,
    /// A second handle on tiny_http's listening socket: shut down on drop so the port is
    /// closed once the drop returns (tiny_http's own accept thread ends later).
    listener: TcpListener,
    local_addr: SocketAddr,
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for ControlServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlServer")
            .field("local_addr", &self.local_addr)
            .field("server", &self.shared.server.local_addr())
            .finish_non_exhaustive()
    }
}

impl ControlServer {
    /// Starts serving the control API of `server` on `options.addr`.
    ///
    /// # Errors
    /// [`Error::ControlNotLoopback`] for an address other than loopback without a token,
    /// [`Error::ControlBind`] when the address cannot be bound, [`Error::Spawn`] when no
    /// thread can be started.
    pub fn start(server: Arc<Server>, options: ControlOptions) -> Result<Self, Error> {
        let token = options.token.filter(|token| !token.is_empty());
        if token.is_none() && !options.addr.ip().is_loopback() {
            return Err(Error::ControlNotLoopback(options.addr));
        }
        let bind_error = |cause: String| Error::ControlBind {
            addr: options.addr,
            cause,
        };
        let listener = TcpListener::bind(options.addr).map_err(|e| bind_error(e.to_string()))?;
        let local_addr = listener
            .local_addr()
            .map_err(|e| bind_error(e.to_string()))?;
        let own = listener
            .try_clone()
            .map_err(|e| bind_error(e.to_string()))?;
        let http = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| bind_error(e.to_string()))?;
        let http = Arc::new(http);
        let shared = Arc::new(Shared {
            server,
            token,
            preset: options.preset,
            stopping: AtomicBool::new(false),
        });
        let mut control = Self {
            shared,
            http,
            listener: own,
            local_addr,
            threads: Vec::with_capacity(CONTROL_THREADS),
        };
        for _ in 0..CONTROL_THREADS {
            let shared = Arc::clone(&control.shared);
            let http = Arc::clone(&control.http);
            let thread = std::thread::Builder::new()
                .name("s7-mock-control".into())
                .spawn(move || run(&shared, &http))
                .map_err(|error| Error::Spawn {
                    what: "control",
                    cause: error.to_string(),
                })?;
            control.threads.push(thread);
        }
        tracing::debug!(addr = %local_addr, "control api started");
        Ok(control)
    }

    /// The address the API listens on, with the actual port.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://ADDR`, the base of every route (`/api/v1/...`).
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// The server it controls.
    pub fn server(&self) -> &Arc<Server> {
        &self.shared.server
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        // New clients are refused from here on (Linux); tiny_http's accept fails and ends.
        let _ = socket2::SockRef::from(&self.listener).shutdown(Shutdown::Read);
        self.shared.server.interrupt_request_waits();
        for _ in 0..self.threads.len() {
            self.http.unblock();
        }
        for thread in self.threads.drain(..) {
            // A handler that panicked has nothing left to clean up.
            let _ = thread.join();
        }
        tracing::debug!(addr = %self.local_addr, "control api stopped");
    }
}

/// One control thread: takes requests until the server stops.
fn run(shared: &Shared, http: &tiny_http::Server) {
    while !shared.stopping.load(Ordering::Acquire) {
        let request = match http.recv() {
            Ok(request) => request,
            // Unblocked to stop, or the listener failed (then nothing more arrives).
            Err(error) => {
                if !shared.stopping.load(Ordering::Acquire) {
                    tracing::warn!(%error, "control api: cannot receive");
                }
                break;
            }
        };
        let mut exchange = Exchange::new(request);
        let result = router::serve(shared, &mut exchange);
        if let Err(error) = &result {
            tracing::debug!(status = error.status, message = %error.message, "control api refused a request");
        }
        exchange.respond(result);
    }
}
