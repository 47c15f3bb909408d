//! The server side: listen, TCP accept, read the connection request, answer CC or DR.
//!
//! ```text
//!  client                                   server
//!    | ---- TCP connect -----------------------> |  accept_tcp()
//!    | ---- CR: C1 calling, C2 called, C0 size --> |  handshake(): read within the deadline
//!    |                                           |  decide(&ConnectionRequestInfo)
//!    | <--- CC: C0 chosen, C1 + C2 echoed ------- |  Accept
//!    | <--- DR: reason ------------------------- |  Refuse(reason)
//! ```
//!
//! The chosen TPDU size is the smaller of the one requested (128 when the CR has none, as
//! ISO 8073 says; the preferred maximum F0 is used when only it is present) and the server's
//! own maximum. The CC echoes both TSAPs exactly as received and carries the chosen size, its
//! destination reference is the client's source reference and its source reference is the
//! server's own (a per-listener counter). A CR proposing a class other than 0 is answered in
//! class 0, the only one RFC 1006 runs; a CR without TSAPs gets a CC without them.
//!
//! Bytes the client sends right behind its CR are kept for the connection's first `recv`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::Arc;
use std::time::Instant;

use cotp::{ConnectionRequest, DisconnectReason, TpduSize, Tsap};
use socket2::{Domain, Protocol, Socket, Type};

use crate::client::next_event_before;
use crate::connection::{socket_addr, Established};
use crate::framing;
use crate::proto::{Core, Event, Request, ServerConfig};
use crate::socket_config::{self, Origin};
use crate::{Connection, Error, ServerOptions};

/// What a server learns from a connection request, handed to the decision of
/// [`Listener::accept_with`] and [`PendingConnection::handshake`].
#[derive(Debug, Clone)]
pub struct ConnectionRequestInfo {
    /// The client's socket address.
    pub peer_addr: SocketAddr,
    /// The client's own TSAP (C1), if it sent one.
    pub calling_tsap: Option<Tsap>,
    /// The TSAP the client wants to reach (C2), if it sent one; for S7 it names rack and slot.
    pub called_tsap: Option<Tsap>,
    /// The TPDU size the client asked for (C0), if it did.
    pub requested_tpdu_size: Option<TpduSize>,
    /// The TPDU size the server will confirm if it accepts.
    pub chosen_tpdu_size: TpduSize,
    /// The whole request as received.
    pub request: ConnectionRequest,
}

/// A server's answer to a connection request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptDecision {
    /// Answer with a CC.
    Accept,
    /// Answer with a DR carrying this reason, then close.
    Refuse(DisconnectReason),
}

/// A listening socket that accepts ISO-on-TCP connections.
///
/// ```no_run
/// use iso_tcp::{Listener, ServerOptions};
///
/// let listener = Listener::bind("127.0.0.1:0".parse()?, ServerOptions::new())?;
/// println!("listening on {}", listener.local_addr()?);
/// loop {
///     // Run each handshake on its own thread, so a silent client holds up nobody.
///     let pending = listener.accept_tcp()?;
///     std::thread::spawn(move || -> Result<(), iso_tcp::Error> {
///         let mut connection = pending.handshake(|_| iso_tcp::AcceptDecision::Accept)?;
///         loop {
///             let request = connection.recv()?;
///             connection.send(&request)?;
///         }
///     });
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Listener {
    socket: Socket,
    local_addr: SocketAddr,
    options: ServerOptions,
    next_reference: Arc<AtomicU16>,
    /// Whether accepted sockets start with the stream options, inherited from the listening
    /// socket that was given them at bind; cleared for good once [`socket`](Self::socket)
    /// lets the application change the listener's options (shared by clones).
    options_inherited: Arc<AtomicBool>,
}

impl Listener {
    /// Binds to `addr` (port 0 picks a free port) with `SO_REUSEADDR` (not on Windows) and
    /// listens with the configured backlog (at least 128, 1024 by default).
    ///
    /// On Linux the stream options (`TCP_NODELAY`, keepalive, the write timeout) are set on
    /// the listening socket, which every accepted socket inherits them from (until
    /// [`socket`](Self::socket) is called); elsewhere they are set on each accepted socket.
    /// A read timeout is set on each connection after its handshake.
    ///
    /// # Errors
    /// [`Error::Io`] when the socket cannot be created, bound or put in listening state.
    pub fn bind(addr: SocketAddr, options: ServerOptions) -> Result<Self, Error> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
            .map_err(|e| Error::io("socket", e))?;
        // Lets a restarted server bind while old connections linger in TIME_WAIT. Windows gives
        // SO_REUSEADDR another meaning (sharing a port with a live listener), so not there.
        #[cfg(not(windows))]
        socket
            .set_reuse_address(true)
            .map_err(|e| Error::io("set SO_REUSEADDR", e))?;
        socket
            .bind(&addr.into())
            .map_err(|e| Error::io("bind", e))?;
        if socket_config::ACCEPT_INHERITS_OPTIONS {
            // Set once here, inherited by every accepted socket. Not the read timeout: on a
            // listening socket it would bound a blocking accept.
            socket_config::configure_stream(&socket, &options.stream, Origin::Created)?;
        }
        let backlog = i32::try_from(options.backlog).unwrap_or(i32::MAX);
        socket.listen(backlog).map_err(|e| Error::io("listen", e))?;
        let local_addr = socket_addr(&socket)?;
        tracing::info!(addr = %local_addr, backlog, "listening");
        Ok(Listener {
            socket,
            local_addr,
            options,
            next_reference: Arc::new(AtomicU16::new(1)),
            options_inherited: Arc::new(AtomicBool::new(socket_config::ACCEPT_INHERITS_OPTIONS)),
        })
    }

    /// The address the listener is bound to (with the actual port when bound to port 0).
    ///
    /// # Errors
    /// Never fails at present; kept fallible for platforms that look it up.
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        Ok(self.local_addr)
    }

    /// The options accepted connections get.
    pub fn options(&self) -> &ServerOptions {
        &self.options
    }

    /// Accepts one connection and completes the handshake, accepting every request.
    ///
    /// The handshake runs on the calling thread, bounded by the handshake timeout; servers that
    /// must not be held up by a slow client use [`accept_tcp`](Self::accept_tcp) and run
    /// [`PendingConnection::handshake`] elsewhere.
    ///
    /// # Errors
    /// Accept and handshake errors; a failed handshake concerns only that client, so an
    /// accept loop goes on.
    pub fn accept(&self) -> Result<Connection, Error> {
        self.accept_with(|_| AcceptDecision::Accept)
    }

    /// Accepts one connection and lets `decide` accept or refuse its request; a refused client
    /// gets a DR and this returns [`Error::RefusedLocally`].
    ///
    /// # Errors
    /// As [`accept`](Self::accept), plus [`Error::RefusedLocally`].
    pub fn accept_with<F>(&self, decide: F) -> Result<Connection, Error>
    where
        F: FnOnce(&ConnectionRequestInfo) -> AcceptDecision,
    {
        self.accept_tcp()?.handshake(decide)
    }

    /// Accepts one TCP connection and applies the socket options, without reading anything.
    ///
    /// The read timeout is the exception: [`PendingConnection::handshake`] bounds its reads by
    /// the handshake timeout and sets the read timeout afterwards.
    ///
    /// # Errors
    /// [`Error::Io`] when accept fails (with `WouldBlock` on a non-blocking listener that has
    /// no client waiting).
    pub fn accept_tcp(&self) -> Result<PendingConnection, Error> {
        let (socket, addr) = loop {
            match self.socket.accept() {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other.map_err(|e| Error::io("accept", e))?,
            }
        };
        // Some platforms hand the listener's non-blocking mode down to accepted sockets; Linux
        // never does (accept4 starts the new socket blocking unless asked otherwise).
        #[cfg(not(any(target_os = "android", target_os = "linux")))]
        socket
            .set_nonblocking(false)
            .map_err(|e| Error::io("set blocking", e))?;
        let peer_addr = addr.as_socket().ok_or_else(|| {
            Error::io(
                "accept",
                std::io::Error::new(std::io::ErrorKind::InvalidData, "not an internet address"),
            )
        })?;
        let options_inherited = self.options_inherited.load(Ordering::Relaxed);
        if !options_inherited {
            socket_config::configure_stream(&socket, &self.options.stream, Origin::Accepted)?;
        }
        let local_reference = allocate_reference(&self.next_reference);
        tracing::debug!(peer = %peer_addr, local_reference, "tcp connection accepted");
        Ok(PendingConnection {
            socket,
            peer_addr,
            options: self.options.clone(),
            local_reference,
            core: None,
            first_event: None,
            options_inherited,
        })
    }

    /// Switches the listening socket between blocking and non-blocking accepts (for an accept
    /// loop that polls a shutdown flag).
    ///
    /// # Errors
    /// [`Error::Io`] if the socket refuses.
    pub fn set_nonblocking(&self, nonblocking: bool) -> Result<(), Error> {
        self.socket
            .set_nonblocking(nonblocking)
            .map_err(|e| Error::io("set non-blocking", e))
    }

    /// A second handle on the same listening socket (for example to accept from several
    /// threads); both share the reference counter.
    ///
    /// # Errors
    /// [`Error::Io`] if the socket cannot be duplicated.
    pub fn try_clone(&self) -> Result<Self, Error> {
        let socket = self
            .socket
            .try_clone()
            .map_err(|e| Error::io("duplicate socket", e))?;
        Ok(Listener {
            socket,
            local_addr: self.local_addr,
            options: self.options.clone(),
            next_reference: Arc::clone(&self.next_reference),
            options_inherited: Arc::clone(&self.options_inherited),
        })
    }

    /// The listening socket. Whatever options are set on it, accepted connections get the
    /// [`ServerOptions`]: once this has been called they are set on every accepted socket,
    /// which costs a few system calls per connection that inheriting them spares (Linux).
    pub fn socket(&self) -> &Socket {
        self.options_inherited.store(false, Ordering::Relaxed);
        &self.socket
    }
}

/// A TCP connection accepted by [`Listener::accept_tcp`] whose COTP handshake has not run yet.
#[derive(Debug)]
pub struct PendingConnection {
    socket: Socket,
    peer_addr: SocketAddr,
    options: ServerOptions,
    local_reference: u16,
    /// The handshake's core, once [`poll_request`](Self::poll_request) started reading.
    core: Option<Core>,
    /// The first event [`poll_request`](Self::poll_request) got out of the core, kept for
    /// [`handshake`](Self::handshake).
    first_event: Option<Event>,
    /// Whether the socket inherited the stream options from a listener that had them as
    /// configured (so its read timeout is the listener's: none).
    options_inherited: bool,
}

impl PendingConnection {
    /// The client's socket address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer_addr
    }

    /// The accepted socket.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// Reads whatever part of the connection request has arrived, without waiting, and says
    /// whether [`handshake`](Self::handshake) would now go ahead without reading more: `true`
    /// once the whole request is in, `false` while (part of) it is still to come.
    ///
    /// This is for servers that watch many pending connections from one thread (with epoll,
    /// kqueue or mio) and start the handshake only when the request is there, so a client
    /// that connects and says nothing, or sends half a request, costs no thread. Bytes read
    /// here are kept for `handshake`.
    ///
    /// ```no_run
    /// # fn demo(mut pending: iso_tcp::PendingConnection) -> Result<(), iso_tcp::Error> {
    /// // ... after the poller reported the socket readable:
    /// if pending.poll_request()? {
    ///     let connection = pending.handshake(|_| iso_tcp::AcceptDecision::Accept)?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Closed`] / [`Error::EofMidFrame`] when the client hung up;
    /// [`Error::Tpkt`] / [`Error::Cotp`] for garbage; [`Error::UnexpectedTpdu`] for a first
    /// TPDU that is not a CR; [`Error::Io`] when the read fails.
    pub fn poll_request(&mut self) -> Result<bool, Error> {
        if self.first_event.is_some() {
            return Ok(true);
        }
        let core = match &mut self.core {
            Some(core) => core,
            empty => empty.insert(Core::server(core_config(
                &self.options,
                self.local_reference,
            ))),
        };
        loop {
            if let Some(event) = core.poll_event()? {
                self.first_event = Some(event);
                return Ok(true);
            }
            match framing::fill_nonblocking(&self.socket, core) {
                Ok(0) => return Err(core.eof()),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(Error::io("read connection request", e)),
            }
        }
    }

    /// Reads the connection request (all reads together bounded by the handshake timeout,
    /// counted from this call), lets `decide` judge it, and answers with a CC or a DR.
    ///
    /// # Errors
    /// [`Error::HandshakeTimeout`] for a client that does not send a whole CR in time;
    /// [`Error::Tpkt`] / [`Error::Cotp`] for one that sends garbage;
    /// [`Error::UnexpectedTpdu`] for a first TPDU that is not a CR;
    /// [`Error::PeerDisconnected`] for a DR; [`Error::Closed`] / [`Error::EofMidFrame`] for a
    /// client that hangs up; [`Error::RefusedLocally`] when `decide` refuses.
    pub fn handshake<F>(self, decide: F) -> Result<Connection, Error>
    where
        F: FnOnce(&ConnectionRequestInfo) -> AcceptDecision,
    {
        let PendingConnection {
            socket,
            peer_addr,
            options,
            local_reference,
            core,
            first_event,
            options_inherited,
        } = self;
        let timeout = options.handshake_timeout;
        let mut core = core.unwrap_or_else(|| Core::server(core_config(&options, local_reference)));
        // Reading with the handshake's deadline changes the socket's read timeout.
        let (event, read_timeout_changed) = match first_event {
            Some(event) => (event, false),
            None => {
                let deadline = Instant::now() + timeout;
                let event = next_event_before(
                    &socket,
                    &mut core,
                    deadline,
                    "read connection request",
                    || Error::HandshakeTimeout { timeout },
                )
                .inspect_err(|error| {
                    tracing::debug!(peer = %peer_addr, %error, "handshake failed");
                })?;
                (event, true)
            }
        };
        // An inherited read timeout is the listener's, none, which is the default.
        if read_timeout_changed || !options_inherited || options.stream.read_timeout.is_some() {
            socket_config::set_read_timeout(&socket, options.stream.read_timeout)?;
        }
        let Event::ConnectionRequest(request) = event else {
            return Err(Error::UnexpectedTpdu {
                code: cotp::tpdu_code::CONNECTION_CONFIRM,
                context: "a connection request",
            });
        };
        let info = ConnectionRequestInfo::new(peer_addr, *request);

        if let AcceptDecision::Refuse(reason) = decide(&info) {
            core.refuse(reason)?;
            let written = framing::flush(&socket, &mut core);
            let _ = socket.shutdown(std::net::Shutdown::Both);
            tracing::info!(
                peer = %peer_addr,
                ?reason,
                calling_tsap = ?info.calling_tsap,
                called_tsap = ?info.called_tsap,
                "connection request refused"
            );
            written.map_err(|error| Error::io("write disconnect request", error))?;
            return Err(Error::RefusedLocally { reason });
        }

        let negotiated = core.accept()?;
        framing::flush(&socket, &mut core)
            .map_err(|error| Error::io("write connection confirm", error))?;
        tracing::info!(
            peer = %peer_addr,
            tpdu_size = negotiated.tpdu_size.bytes(),
            requested_tpdu_size = ?info.requested_tpdu_size.map(TpduSize::bytes),
            calling_tsap = ?info.calling_tsap,
            called_tsap = ?info.called_tsap,
            local_reference,
            "iso-on-tcp connection accepted"
        );
        Ok(Connection::new(Established {
            socket,
            peer_addr,
            core,
            negotiated,
            read_timeout: options.stream.read_timeout,
            write_timeout: options.stream.write_timeout,
            receive_deadline: options.stream.receive_deadline,
            idle_timeout: options.stream.idle_timeout,
        }))
    }
}

/// The next source reference from a listener's counter (shared by the blocking and the tokio
/// listener): references count up from 1, skipping 0 on wrap-around.
pub(crate) fn allocate_reference(next_reference: &AtomicU16) -> u16 {
    loop {
        let reference = next_reference.fetch_add(1, Ordering::Relaxed);
        if reference != 0 {
            return reference;
        }
    }
}

/// The listening socket's descriptor, for registering it with a poller (epoll, kqueue, mio's
/// `SourceFd`). Unlike [`Listener::socket`] it gives no safe way to change the socket's
/// options, so accepted sockets go on inheriting them.
#[cfg(unix)]
impl std::os::fd::AsRawFd for Listener {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.socket.as_raw_fd()
    }
}

impl ConnectionRequestInfo {
    /// The core's view of a request, with the client's address.
    pub(crate) fn new(peer_addr: SocketAddr, request: Request) -> Self {
        ConnectionRequestInfo {
            peer_addr,
            calling_tsap: request.calling_tsap,
            called_tsap: request.called_tsap,
            requested_tpdu_size: request.requested_tpdu_size,
            chosen_tpdu_size: request.chosen_tpdu_size,
            request: request.request,
        }
    }
}

/// The core configuration of a connection accepted with `options`.
pub(crate) fn core_config(options: &ServerOptions, local_reference: u16) -> ServerConfig {
    ServerConfig {
        max_tpdu_size: options.max_tpdu_size,
        local_reference,
        max_tsdu_len: options.stream.max_tsdu_len,
        max_frame_len: options.stream.max_frame_len,
    }
}
