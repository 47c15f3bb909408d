//! The client side: TCP connect, connection request, connection confirm.
//!
//! ```text
//!  client                                   server
//!    | ---- TCP connect (each address in turn) --> |
//!    | ---- CR: C1 calling, C2 called, C0 size --> |
//!    | <--- CC: dst-ref = our src-ref, C0 size --- |   or DR (Refused) / ER (Rejected)
//! ```
//!
//! The confirm is checked before the connection is handed out:
//!
//! - it must be a CC whose destination reference echoes the CR's source reference, in class 0;
//! - its TPDU size (C0) must not exceed the one asked for. A CC without C0 means 128 bytes, the
//!   ISO 8073 default; a CC with only the preferred maximum TPDU size (F0) is read as the largest
//!   standard size within it, capped at the one asked for;
//! - its TSAPs are *not* required: many devices and stacks confirm without echoing them, and they
//!   carry nothing the client needs. A CC whose TSAPs differ from the request's is accepted too
//!   (and logged at debug level).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};

use crate::connection::Established;
use crate::framing;
use crate::proto::{ClientConfig, Core, Event};
use crate::socket_config::{self, Origin};
use crate::{ClientOptions, Connection, Error};

/// Connects to the first resolved address that accepts a TCP connection, then runs the COTP
/// handshake on it. A failed handshake is final: the next address would be the same peer.
pub(crate) fn connect(options: ClientOptions) -> Result<Connection, Error> {
    let addrs = options.remote.resolve()?;
    let mut last_error = None;
    for addr in addrs {
        match tcp_connect(addr, options.connect_timeout) {
            Ok(socket) => return handshake(socket, addr, &options),
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

/// A TCP connection to `addr` within `timeout`. On Linux the socket's write timeout bounds a
/// blocking connect (which then fails with `EINPROGRESS`), so the connect takes two calls
/// (`setsockopt`, `connect`) instead of five (a non-blocking connect, `poll`, `SO_ERROR`, two
/// mode changes); the caller sets the write timeout it wants afterwards.
#[cfg(any(target_os = "android", target_os = "linux"))]
fn tcp_connect(addr: SocketAddr, timeout: Duration) -> Result<Socket, Error> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(|e| Error::io("socket", e))?;
    let timeout = timeout.max(Duration::from_millis(1));
    socket_config::set_write_timeout(&socket, Some(timeout))?;
    loop {
        match socket.connect(&addr.into()) {
            Ok(()) => return Ok(socket),
            // The attempt goes on; connecting again waits for it (with the timeout anew).
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // The timeout passed: EINPROGRESS, or EALREADY for a connect called again.
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINPROGRESS | libc::EALREADY)) => {
                return Err(Error::ConnectTimeout { addr, timeout })
            }
            Err(e) => return Err(Error::io("connect", e)),
        }
    }
}

/// A TCP connection to `addr` within `timeout` (a non-blocking connect and a wait for it).
#[cfg(not(any(target_os = "android", target_os = "linux")))]
fn tcp_connect(addr: SocketAddr, timeout: Duration) -> Result<Socket, Error> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(|e| Error::io("socket", e))?;
    let timeout = timeout.max(Duration::from_millis(1));
    match socket.connect_timeout(&addr.into(), timeout) {
        Ok(()) => Ok(socket),
        Err(e) if crate::framing::is_timeout(&e) => Err(Error::ConnectTimeout { addr, timeout }),
        Err(e) => Err(Error::io("connect", e)),
    }
}

/// Whether [`tcp_connect`] leaves the write timeout set (to the connect timeout).
const CONNECT_SETS_WRITE_TIMEOUT: bool = cfg!(any(target_os = "android", target_os = "linux"));

/// The core configuration these options describe.
pub(crate) fn core_config(options: &ClientOptions) -> ClientConfig {
    ClientConfig {
        local_tsap: options.local_tsap.clone(),
        remote_tsap: options.remote_tsap.clone(),
        tpdu_size: options.tpdu_size,
        source_reference: options.source_reference,
        max_tsdu_len: options.stream.max_tsdu_len,
        max_frame_len: options.stream.max_frame_len,
    }
}

fn handshake(
    socket: Socket,
    addr: SocketAddr,
    options: &ClientOptions,
) -> Result<Connection, Error> {
    socket_config::configure_stream(&socket, &options.stream, Origin::Created)?;
    if CONNECT_SETS_WRITE_TIMEOUT && options.stream.write_timeout.is_none() {
        socket_config::set_write_timeout(&socket, None)?;
    }
    let mut core = Core::client(core_config(options))?;
    framing::flush(&socket, &mut core)
        .map_err(|error| Error::io("write connection request", error))?;
    tracing::debug!(
        peer = %addr,
        local_tsap = ?options.local_tsap,
        remote_tsap = ?options.remote_tsap,
        tpdu_size = options.tpdu_size.bytes(),
        "connection request sent"
    );

    let deadline = Instant::now() + options.connect_timeout;
    let timeout = options.connect_timeout;
    let event = next_event_before(
        &socket,
        &mut core,
        deadline,
        "read connection confirm",
        || Error::Timeout {
            op: "read connection confirm",
            timeout,
        },
    )?;
    let Event::Connected(negotiated) = event else {
        return Err(Error::UnexpectedTpdu {
            code: cotp::tpdu_code::CONNECTION_REQUEST,
            context: "a connection confirm",
        });
    };
    socket_config::set_read_timeout(&socket, options.stream.read_timeout)?;

    tracing::info!(
        peer = %addr,
        tpdu_size = negotiated.tpdu_size.bytes(),
        local_tsap = ?options.local_tsap,
        remote_tsap = ?options.remote_tsap,
        remote_reference = negotiated.remote_reference,
        "iso-on-tcp connection established"
    );
    Ok(Connection::new(Established {
        socket,
        peer_addr: addr,
        core,
        negotiated,
        read_timeout: options.stream.read_timeout,
        write_timeout: options.stream.write_timeout,
        receive_deadline: options.stream.receive_deadline,
        idle_timeout: options.stream.idle_timeout,
    }))
}

/// Reads until the core has an event, all reads together ending at `deadline` (the socket's
/// read timeout is set to the time left before each read; the caller sets the connection's
/// own read timeout afterwards).
pub(crate) fn next_event_before(
    socket: &Socket,
    core: &mut Core,
    deadline: Instant,
    op: &'static str,
    timed_out: impl Fn() -> Error,
) -> Result<Event, Error> {
    loop {
        if let Some(event) = core.poll_event()? {
            return Ok(event);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        socket_config::set_read_timeout(socket, Some(left))?;
        match framing::fill(socket, core) {
            Ok(0) => return Err(core.eof()),
            Ok(_) => {}
            Err(e) if framing::is_timeout(&e) => return Err(timed_out()),
            Err(e) => return Err(Error::io(op, e)),
        }
    }
}
