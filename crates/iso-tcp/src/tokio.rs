//! The tokio front-end (feature `tokio`): the same connections, asynchronously.
//!
//! A second driver over the same [sans-IO core](crate::proto) as the blocking
//! [`Connection`](crate::Connection): the handshake, negotiation, segmentation, reassembly,
//! frame limits and the broken state are the core's, so both front-ends behave the same and
//! return the same [`Error`]s. The options are the blocking ones ([`ClientOptions`],
//! [`ServerOptions`]); timeouts become `tokio::time` timers around each read
//! or write.
//!
//! - Client: [`connect`] → [`Connection`].
//! - Server: [`Listener::bind`] → [`Listener::accept`] / [`Listener::accept_with`] /
//!   [`Listener::accept_tcp`] + [`PendingConnection::handshake`] → [`Connection`].
//! - Both: [`Connection::send`], [`Connection::recv`], [`Connection::is_alive`],
//!   [`Connection::close`].
//!
//! Socket options (`TCP_NODELAY`, keepalive with idle time, interval and probe count) are set
//! through socket2 before tokio owns the socket: on a client socket before it is handed to
//! tokio; on Linux, on the listening socket at bind, which every accepted socket inherits them
//! from as the kernel creates it. Elsewhere, and once [`Listener::listener`] has handed the
//! listening socket out (its options may have changed), they are set on each accepted socket
//! right after accept, before anything is read: tokio's `accept` registers the new socket with
//! its reactor as it returns it, so there is no earlier moment, and nothing has been sent or
//! received on it yet. [`Connection::is_alive`] peeks with `MSG_PEEK | MSG_DONTWAIT`, as the
//! blocking one does: it consumes nothing and never waits.
//!
//! # Cancel safety
//!
//! [`Connection::recv`] is cancel-safe: dropping its future (a `tokio::time::timeout` that
//! expires, a `tokio::select!` whose other branch wins) loses no bytes and leaves the
//! connection consistent. Every byte read is in the connection's buffer before the future can
//! be dropped again (`read_buf` reads nothing when cancelled), and a TSDU is handed out in the
//! same poll in which it is decoded, so the next `recv` simply goes on where the dropped one
//! stopped, inside a frame or between segments. The clocks of the receive deadline and of the
//! idle timeout belong to the connection, not to the future, so they go on across cancelled
//! calls.
//!
//! [`Connection::send`] is not: dropping it after part of a TSDU's frames went out leaves the
//! peer with a partial frame. The next call notices and reports the connection broken;
//! dropping it before anything was written loses nothing but that TSDU.
//!
//! # Example
//!
//! ```
//! use iso_tcp::{ClientOptions, ServerOptions};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), iso_tcp::Error> {
//! let listener = iso_tcp::tokio::Listener::bind("127.0.0.1:0".parse().unwrap(), ServerOptions::new()).await?;
//! let addr = listener.local_addr();
//! let server = tokio::spawn(async move {
//!     let mut connection = listener.accept().await?;
//!     let request = connection.recv().await?;
//!     connection.send(&request).await?;
//!     Ok::<_, iso_tcp::Error>(())
//! });
//!
//! let mut client = iso_tcp::tokio::connect(ClientOptions::new(addr)).await?;
//! client.send(b"hello").await?;
//! assert_eq!(&client.recv().await?[..], b"hello");
//! client.close().await?;
//! server.await.expect("server task")?;
//! # Ok(())
//! # }
//! ```

use std::io;
use std::net::{Shutdown, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ::tokio::io::{AsyncReadExt, AsyncWriteExt};
use ::tokio::net::{TcpListener, TcpSocket, TcpStream};
use ::tokio::time::{timeout, timeout_at, Instant};
use bytes::{BufMut, Bytes};
use cotp::{DisconnectReason, RejectCause, TpduSize, Tsap};
use socket2::{Domain, Protocol, SockRef, Socket, Type};

use crate::listener::{allocate_reference, core_config as server_config, ConnectionRequestInfo};
use crate::liveness;
use crate::options::StreamOptions;
use crate::proto::{Core, Event, Negotiated};
use crate::receive_clocks::ReceiveClocks;
use crate::socket_config::{self, Origin};
use crate::{AcceptDecision, ClientOptions, Error, RemoteAddr, ServerOptions};

/// Opens a client connection: resolves the remote, connects to the first address that accepts
/// (each within the connect timeout), then runs the CR/CC handshake (within the connect
/// timeout again). As [`ClientOptions::connect`], asynchronously.
///
/// # Errors
/// Resolution, connect and handshake errors; see [`Error`].
pub async fn connect(options: ClientOptions) -> Result<Connection, Error> {
    let addrs = resolve(&options.remote).await?;
    let mut last_error = None;
    for addr in addrs {
        match tcp_connect(addr, &options).await {
            Ok(stream) => return client_handshake(stream, addr, &options).await,
            Err(error) => {
                tracing::debug!(%addr, %error, "tcp connect failed");
                last_error = Some(error);
            }
        }
    }
    Err(last_error.unwrap_or_else(|| Error::NoAddress {
        addr: options.remote.to_string(),
    }))
}

async fn resolve(remote: &RemoteAddr) -> Result<Vec<SocketAddr>, Error> {
    match remote {
        RemoteAddr::Socket(addr) => Ok(vec![*addr]),
        RemoteAddr::Host { host, port } => {
            let addrs: Vec<SocketAddr> = ::tokio::net::lookup_host((host.as_str(), *port))
                .await
                .map_err(|source| Error::Resolve {
                    addr: remote.to_string(),
                    source,
                })?
                .collect();
            if addrs.is_empty() {
                return Err(Error::NoAddress {
                    addr: remote.to_string(),
                });
            }
            Ok(addrs)
        }
    }
}

/// The stream options that apply to a non-blocking socket: the write timeout is a timer here,
/// not a socket option.
fn socket_options(stream: &StreamOptions) -> StreamOptions {
    StreamOptions {
        write_timeout: None,
        ..stream.clone()
    }
}

async fn tcp_connect(addr: SocketAddr, options: &ClientOptions) -> Result<TcpStream, Error> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(|e| Error::io("socket", e))?;
    // Keepalive and TCP_NODELAY through socket2, before tokio owns the socket.
    socket_config::configure_stream(&socket, &socket_options(&options.stream), Origin::Created)?;
    socket
        .set_nonblocking(true)
        .map_err(|e| Error::io("set non-blocking", e))?;
    let socket = TcpSocket::from_std_stream(std::net::TcpStream::from(socket));
    let limit = options.connect_timeout.max(Duration::from_millis(1));
    match timeout(limit, socket.connect(addr)).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(e)) => Err(Error::io("connect", e)),
        Err(_) => Err(Error::ConnectTimeout {
            addr,
            timeout: limit,
        }),
    }
}

async fn client_handshake(
    mut stream: TcpStream,
    addr: SocketAddr,
    options: &ClientOptions,
) -> Result<Connection, Error> {
    let mut core = Core::client(crate::client::core_config(options))?;
    write_pending(&mut stream, &mut core, Some(options.connect_timeout))
        .await
        .map_err(|error| Error::io("write connection request", error))?;
    tracing::debug!(peer = %addr, tpdu_size = options.tpdu_size.bytes(), "connection request sent");
    let deadline = Instant::now() + options.connect_timeout;
    let limit = options.connect_timeout;
    let event = next_event_before(
        &mut stream,
        &mut core,
        deadline,
        "read connection confirm",
        || Error::Timeout {
            op: "read connection confirm",
            timeout: limit,
        },
    )
    .await?;
    let Event::Connected(negotiated) = event else {
        return Err(Error::UnexpectedTpdu {
            code: cotp::tpdu_code::CONNECTION_REQUEST,
            context: "a connection confirm",
        });
    };
    tracing::info!(
        peer = %addr,
        tpdu_size = negotiated.tpdu_size.bytes(),
        remote_reference = negotiated.remote_reference,
        "iso-on-tcp connection established"
    );
    Ok(Connection::new(
        stream,
        addr,
        core,
        negotiated,
        &options.stream,
    ))
}

/// Reads until the core has an event, all reads together ending at `deadline`.
async fn next_event_before(
    stream: &mut TcpStream,
    core: &mut Core,
    deadline: Instant,
    op: &'static str,
    timed_out: impl Fn() -> Error,
) -> Result<Event, Error> {
    loop {
        if let Some(event) = core.poll_event()? {
            return Ok(event);
        }
        match timeout_at(deadline, fill(stream, core)).await {
            Err(_) => return Err(timed_out()),
            Ok(Ok(0)) => return Err(core.eof()),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(Error::io(op, e)),
        }
    }
}

/// One read into the core's receive buffer, sized by the core. Cancel-safe: a dropped read
/// has read nothing.
async fn fill(stream: &mut TcpStream, core: &mut Core) -> io::Result<usize> {
    let window = core.read_window();
    let mut buf = core.rx_buffer().limit(window);
    let read = stream.read_buf(&mut buf).await?;
    core.received(read);
    Ok(read)
}

/// Writes what the core holds, recording each write in the core (so a dropped future leaves
/// an exact account of what went out).
async fn write_all(stream: &mut TcpStream, core: &mut Core) -> io::Result<()> {
    while core.has_transmit() {
        let written = stream.write(core.transmit()).await?;
        if written == 0 {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "socket accepted no bytes",
            ));
        }
        core.advance_transmit(written);
    }
    Ok(())
}

async fn write_pending(
    stream: &mut TcpStream,
    core: &mut Core,
    limit: Option<Duration>,
) -> io::Result<()> {
    match limit {
        Some(limit) => timeout(limit, write_all(stream, core))
            .await
            .unwrap_or_else(|_| Err(io::Error::from(io::ErrorKind::TimedOut))),
        None => write_all(stream, core).await,
    }
}

/// A listening socket that accepts ISO-on-TCP connections on a tokio runtime.
#[derive(Debug)]
pub struct Listener {
    listener: TcpListener,
    local_addr: SocketAddr,
    options: ServerOptions,
    next_reference: Arc<AtomicU16>,
    /// Whether accepted sockets start with the stream options, inherited from the listening
    /// socket that was given them at bind; cleared for good once [`listener`](Self::listener)
    /// lets the application change the listening socket's options.
    options_inherited: AtomicBool,
}

impl Listener {
    /// Binds to `addr` (port 0 picks a free port) with `SO_REUSEADDR` (not on Windows) and
    /// listens with the configured backlog, as [`crate::Listener::bind`]. On Linux the stream
    /// options are set on the listening socket, which accepted sockets inherit them from.
    ///
    /// # Errors
    /// [`Error::Io`] when the socket cannot be created, bound or put in listening state.
    pub async fn bind(addr: SocketAddr, options: ServerOptions) -> Result<Self, Error> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
            .map_err(|e| Error::io("socket", e))?;
        #[cfg(not(windows))]
        socket
            .set_reuse_address(true)
            .map_err(|e| Error::io("set SO_REUSEADDR", e))?;
        socket
            .bind(&addr.into())
            .map_err(|e| Error::io("bind", e))?;
        if socket_config::ACCEPT_INHERITS_OPTIONS {
            // Set once here, before tokio owns the socket, and inherited by every accepted
            // one: keepalive is in place before tokio ever sees a connection.
            socket_config::configure_stream(
                &socket,
                &socket_options(&options.stream),
                Origin::Created,
            )?;
        }
        let backlog = i32::try_from(options.backlog).unwrap_or(i32::MAX);
        socket.listen(backlog).map_err(|e| Error::io("listen", e))?;
        socket
            .set_nonblocking(true)
            .map_err(|e| Error::io("set non-blocking", e))?;
        let local_addr = crate::connection::socket_addr(&socket)?;
        let listener = TcpListener::from_std(std::net::TcpListener::from(socket))
            .map_err(|e| Error::io("register listener", e))?;
        tracing::info!(addr = %local_addr, backlog, "listening (tokio)");
        Ok(Listener {
            listener,
            local_addr,
            options,
            next_reference: Arc::new(AtomicU16::new(1)),
            options_inherited: AtomicBool::new(socket_config::ACCEPT_INHERITS_OPTIONS),
        })
    }

    /// The address the listener is bound to (with the actual port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The options accepted connections get.
    pub fn options(&self) -> &ServerOptions {
        &self.options
    }

    /// Accepts one connection and completes the handshake, accepting every request. The
    /// handshake runs in this call, bounded by the handshake timeout; use
    /// [`accept_tcp`](Self::accept_tcp) and run [`PendingConnection::handshake`] in a task
    /// of its own so that a slow client holds up no other.
    ///
    /// # Errors
    /// Accept and handshake errors, as [`crate::Listener::accept`].
    pub async fn accept(&self) -> Result<Connection, Error> {
        self.accept_with(|_| AcceptDecision::Accept).await
    }

    /// Accepts one connection and lets `decide` accept or refuse its request; a refused client
    /// gets a DR and this returns [`Error::RefusedLocally`].
    ///
    /// # Errors
    /// As [`accept`](Self::accept), plus [`Error::RefusedLocally`].
    pub async fn accept_with<F>(&self, decide: F) -> Result<Connection, Error>
    where
        F: FnOnce(&ConnectionRequestInfo) -> AcceptDecision,
    {
        self.accept_tcp().await?.handshake(decide).await
    }

    /// Accepts one TCP connection with the socket options in place (inherited from the
    /// listening socket on Linux, set right after accept elsewhere), without reading anything.
    ///
    /// # Errors
    /// [`Error::Io`] when accept fails.
    pub async fn accept_tcp(&self) -> Result<PendingConnection, Error> {
        let (stream, peer_addr) = self
            .listener
            .accept()
            .await
            .map_err(|e| Error::io("accept", e))?;
        if !self.options_inherited.load(Ordering::Relaxed) {
            socket_config::configure_stream(
                &SockRef::from(&stream),
                &socket_options(&self.options.stream),
                Origin::Accepted,
            )?;
        }
        let local_reference = allocate_reference(&self.next_reference);
        tracing::debug!(peer = %peer_addr, local_reference, "tcp connection accepted");
        Ok(PendingConnection {
            stream,
            peer_addr,
            options: self.options.clone(),
            local_reference,
        })
    }

    /// The listening socket. Whatever options are set on it, accepted connections get the
    /// [`ServerOptions`]: once this has been called they are set on every accepted socket,
    /// which costs a few system calls per connection that inheriting them spares (Linux).
    pub fn listener(&self) -> &TcpListener {
        self.options_inherited.store(false, Ordering::Relaxed);
        &self.listener
    }
}

/// A TCP connection accepted by [`Listener::accept_tcp`] whose COTP handshake has not run yet.
#[derive(Debug)]
pub struct PendingConnection {
    stream: TcpStream,
    peer_addr: SocketAddr,
    options: ServerOptions,
    local_reference: u16,
}

impl PendingConnection {
    /// The client's socket address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer_addr
    }

    /// Reads the connection request (bounded by the handshake timeout, counted from this
    /// call), lets `decide` judge it, and answers with a CC or a DR; as
    /// [`crate::PendingConnection::handshake`].
    ///
    /// # Errors
    /// As [`crate::PendingConnection::handshake`].
    pub async fn handshake<F>(self, decide: F) -> Result<Connection, Error>
    where
        F: FnOnce(&ConnectionRequestInfo) -> AcceptDecision,
    {
        let PendingConnection {
            mut stream,
            peer_addr,
            options,
            local_reference,
        } = self;
        let limit = options.handshake_timeout;
        let mut core = Core::server(server_config(&options, local_reference));
        let deadline = Instant::now() + limit;
        let event = next_event_before(
            &mut stream,
            &mut core,
            deadline,
            "read connection request",
            || Error::HandshakeTimeout { timeout: limit },
        )
        .await
        .inspect_err(|error| tracing::debug!(peer = %peer_addr, %error, "handshake failed"))?;
        let Event::ConnectionRequest(request) = event else {
            return Err(Error::UnexpectedTpdu {
                code: cotp::tpdu_code::CONNECTION_CONFIRM,
                context: "a connection request",
            });
        };
        let info = ConnectionRequestInfo::new(peer_addr, *request);
        let write_timeout = options.stream.write_timeout;
        if let AcceptDecision::Refuse(reason) = decide(&info) {
            core.refuse(reason)?;
            let written = write_pending(&mut stream, &mut core, write_timeout).await;
            let _ = SockRef::from(&stream).shutdown(Shutdown::Both);
            tracing::info!(peer = %peer_addr, ?reason, "connection request refused");
            written.map_err(|error| Error::io("write disconnect request", error))?;
            return Err(Error::RefusedLocally { reason });
        }
        let negotiated = core.accept()?;
        write_pending(&mut stream, &mut core, write_timeout)
            .await
            .map_err(|error| Error::io("write connection confirm", error))?;
        tracing::info!(
            peer = %peer_addr,
            tpdu_size = negotiated.tpdu_size.bytes(),
            local_reference,
            "iso-on-tcp connection accepted"
        );
        Ok(Connection::new(
            stream,
            peer_addr,
            core,
            negotiated,
            &options.stream,
        ))
    }
}

/// An established ISO-on-TCP connection on a tokio runtime: the same semantics and errors as
/// the blocking [`crate::Connection`] (see its documentation for the broken state, the frame
/// limits and the timeouts), with `async` calls. See the [module documentation](self) for
/// cancel safety.
///
/// The read timeout bounds each read (a timer here), the write timeout each send; the
/// receive deadline and the idle timeout work as on the blocking connection.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    peer_addr: SocketAddr,
    core: Core,
    negotiated: Negotiated,
    write_timeout: Option<Duration>,
    clocks: ReceiveClocks,
}

impl Connection {
    fn new(
        stream: TcpStream,
        peer_addr: SocketAddr,
        core: Core,
        negotiated: Negotiated,
        options: &StreamOptions,
    ) -> Self {
        let mut connection = Connection {
            stream,
            peer_addr,
            core,
            negotiated,
            write_timeout: options.write_timeout,
            clocks: ReceiveClocks::new(
                options.read_timeout,
                options.receive_deadline,
                options.idle_timeout,
            ),
        };
        connection.clocks.progress(&connection.core);
        connection
    }

    /// Sends one TSDU, segmented into DTs of the negotiated TPDU size, all frames in one
    /// buffer written as one (usually a single write call).
    ///
    /// # Errors
    /// [`Error::Broken`] on a broken connection; [`Error::Timeout`] or [`Error::Io`] when the
    /// write fails (fatal unless nothing had been written).
    pub async fn send(&mut self, tsdu: &[u8]) -> Result<(), Error> {
        self.core.check_usable()?;
        self.recover_cancelled_send()?;
        self.core.send(tsdu)?;
        self.flush().await
    }

    /// Receives one whole TSDU. Cancel-safe: see the [module documentation](self).
    ///
    /// # Errors
    /// As [`crate::Connection::recv`].
    pub async fn recv(&mut self) -> Result<Bytes, Error> {
        self.core.check_usable()?;
        // Frames left over from an earlier read; an empty buffer holds none.
        if self.core.buffered_len() > 0 {
            if let Some(tsdu) = self.core.poll_tsdu()? {
                self.clocks.delivered(&self.core);
                return Ok(tsdu);
            }
        }
        loop {
            let wait = self.clocks.next_wait(&mut self.core)?;
            let read = fill(&mut self.stream, &mut self.core);
            let result = match wait {
                Some(wait) => match timeout(wait, read).await {
                    Ok(result) => result,
                    Err(_) => return Err(self.clocks.timed_out(&mut self.core)),
                },
                None => read.await,
            };
            match result {
                Ok(0) => return Err(self.core.eof()),
                Ok(_) => {}
                Err(e) => return Err(self.core.fail(Error::io("read", e))),
            }
            // As in the blocking driver: the clocks are looked at once the new bytes are
            // decoded, with no await in between, so a cancelled call loses no progress.
            if let Some(tsdu) = self.core.poll_tsdu()? {
                self.clocks.delivered(&self.core);
                return Ok(tsdu);
            }
            self.clocks.progress(&self.core);
        }
    }

    /// A send whose future was dropped may have left bytes behind: if part of them went out,
    /// the peer holds a partial frame and the connection is broken; otherwise they are dropped.
    fn recover_cancelled_send(&mut self) -> Result<(), Error> {
        if self.core.has_transmit() && self.core.abandon_transmit() {
            let error = Error::io(
                "write",
                io::Error::other("an earlier send was cancelled after part of its frames went out"),
            );
            return Err(self.core.fail(error));
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), Error> {
        match write_pending(&mut self.stream, &mut self.core, self.write_timeout).await {
            Ok(()) => Ok(()),
            Err(error) => {
                let partial = self.core.abandon_transmit();
                let timed_out = crate::framing::is_timeout(&error);
                let error = if timed_out {
                    Error::Timeout {
                        op: "write",
                        timeout: self.write_timeout.unwrap_or_default(),
                    }
                } else {
                    Error::io("write", error)
                };
                if partial || !timed_out {
                    Err(self.core.fail(error))
                } else {
                    Err(error)
                }
            }
        }
    }

    /// Whether the peer is still there: `false` after its FIN or RST, or when this connection
    /// is broken or closed; `true` while idle or while data waits. Consumes nothing and never
    /// waits (a non-blocking `MSG_PEEK` through socket2).
    pub fn is_alive(&self) -> bool {
        if self.core.is_broken() {
            return false;
        }
        if self.core.buffered_len() > 0 {
            return true;
        }
        liveness::peer_alive(&SockRef::from(&self.stream))
    }

    /// Closes the connection: a DR with reason normal (unless one was already exchanged or the
    /// connection is broken), then a TCP shutdown both ways.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Timeout`] if the DR cannot be written; the socket is shut down
    /// all the same.
    pub async fn close(mut self) -> Result<(), Error> {
        let result = if self.core.close() {
            self.flush().await
        } else {
            Ok(())
        };
        let _ = SockRef::from(&self.stream).shutdown(Shutdown::Both);
        tracing::info!(role = self.core.role().as_str(), peer = %self.peer_addr, "connection closed");
        result
    }

    /// Sends `bytes` exactly as given, whatever the connection's state: a fault-injection
    /// hatch.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Io`] when the write fails.
    pub async fn send_raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.core.abandon_transmit();
        self.core.send_raw(bytes);
        self.flush().await
    }

    /// Sends a DR with `reason` and marks the connection closed.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Io`] when the write fails.
    pub async fn send_disconnect(&mut self, reason: DisconnectReason) -> Result<(), Error> {
        self.recover_cancelled_send()?;
        self.core.send_disconnect(reason)?;
        self.flush().await
    }

    /// Sends an ER TPDU with `cause`; the connection stays usable. A fault-injection hatch.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Io`] when the write fails.
    pub async fn send_error_tpdu(&mut self, cause: RejectCause) -> Result<(), Error> {
        self.recover_cancelled_send()?;
        self.core.send_error_tpdu(cause)?;
        self.flush().await
    }

    /// Shuts the TCP connection down both ways without a DR; later calls return
    /// [`Error::Broken`].
    ///
    /// # Errors
    /// [`Error::Io`] if the socket refuses.
    pub fn shutdown(&mut self) -> Result<(), Error> {
        self.core.abort("connection shut down locally");
        SockRef::from(&self.stream)
            .shutdown(Shutdown::Both)
            .map_err(|e| Error::io("shutdown", e))
    }

    /// Whether an earlier error or a disconnect left the connection unusable.
    pub fn is_broken(&self) -> bool {
        self.core.is_broken()
    }

    /// The negotiated TPDU size in bytes.
    pub fn tpdu_size(&self) -> usize {
        self.negotiated.tpdu_size.bytes()
    }

    /// The negotiated TPDU size as its code.
    pub fn negotiated_tpdu_size(&self) -> TpduSize {
        self.negotiated.tpdu_size
    }

    /// The cap on one reassembled TSDU.
    pub fn max_tsdu_len(&self) -> usize {
        self.core.max_tsdu_len()
    }

    /// This end's TSAP (see [`crate::Connection::local_tsap`]).
    pub fn local_tsap(&self) -> &Tsap {
        &self.negotiated.local_tsap
    }

    /// The peer's TSAP (see [`crate::Connection::remote_tsap`]).
    pub fn remote_tsap(&self) -> &Tsap {
        &self.negotiated.remote_tsap
    }

    /// This end's connection reference.
    pub fn local_reference(&self) -> u16 {
        self.negotiated.local_reference
    }

    /// The peer's connection reference.
    pub fn remote_reference(&self) -> u16 {
        self.negotiated.remote_reference
    }

    /// The peer's socket address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer_addr
    }

    /// The local socket address.
    ///
    /// # Errors
    /// [`Error::Io`] if the socket cannot tell.
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        self.stream
            .local_addr()
            .map_err(|e| Error::io("local address", e))
    }

    /// The read timeout in force (each read).
    pub fn read_timeout(&self) -> Option<Duration> {
        self.clocks.read_timeout()
    }

    /// Changes the read timeout; `None` waits forever.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.clocks.set_read_timeout(timeout);
    }

    /// The write timeout in force (each send).
    pub fn write_timeout(&self) -> Option<Duration> {
        self.write_timeout
    }

    /// Changes the write timeout; `None` waits forever.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) {
        self.write_timeout = timeout;
    }

    /// The receive deadline in force.
    pub fn receive_deadline(&self) -> Option<Duration> {
        self.clocks.receive_deadline()
    }

    /// Changes the receive deadline; `None` turns it off.
    pub fn set_receive_deadline(&mut self, deadline: Option<Duration>) {
        self.clocks.set_receive_deadline(deadline, &self.core);
    }

    /// The idle timeout in force.
    pub fn idle_timeout(&self) -> Option<Duration> {
        self.clocks.idle_timeout()
    }

    /// Changes the idle timeout; `None` turns it off. The idle clock restarts now.
    pub fn set_idle_timeout(&mut self, timeout: Option<Duration>) {
        self.clocks.set_idle_timeout(timeout, &self.core);
    }

    /// The underlying stream, for reading socket options back (through
    /// [`socket2::SockRef`]). Reading from or writing to it directly desynchronises the
    /// connection.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if !self.core.may_disconnect() {
            return;
        }
        // Best effort and never waiting: one non-blocking write of the DR.
        if self.core.close() {
            let _ = self.stream.try_write(self.core.transmit());
        }
        let _ = SockRef::from(&self.stream).shutdown(Shutdown::Both);
        tracing::debug!(role = self.core.role().as_str(), peer = %self.peer_addr, "connection dropped");
    }
}
