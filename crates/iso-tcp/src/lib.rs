//! ISO-on-TCP (RFC 1006) transport connections over [`socket2`] sockets, client and server.
//!
//! This crate is the I/O layer of the workspace: it opens and accepts TCP connections, runs the
//! COTP class 0 handshake (CR / CC, TSAPs and TPDU size negotiation), then carries TSDUs (whole
//! messages such as S7comm PDUs) in TPKT-framed DT TPDUs, segmenting and reassembling them.
//! Framing and TPDU codecs come from the sans-IO crates [`tpkt`] and [`cotp`].
//!
//! ```text
//!  +---------------------+--------------------------+-------------------------+
//!  | TPKT 03 00 len(2)   | COTP DT 02 F0 EOT|nr      | TSDU bytes (a segment)  |
//!  +---------------------+--------------------------+-------------------------+
//!   4 bytes               3 bytes                    <= tpdu size - 3 bytes
//! ```
//!
//! - Client: [`ClientOptions`] → [`ClientOptions::connect`] → [`Connection`].
//! - Server: [`Listener::bind`] → [`Listener::accept`] / [`Listener::accept_with`] /
//!   [`Listener::accept_tcp`] + [`PendingConnection::handshake`] → [`Connection`].
//! - Both: [`Connection::send`] / [`Connection::recv`] one TSDU at a time,
//!   [`Connection::is_alive`] to check the peer without reading, [`Connection::close`].
//! - The connection state machine itself is the sans-IO [`proto::Core`] (no socket, clock or
//!   thread); the blocking types above and, with the `tokio` feature, the async ones in
//!   `iso_tcp::tokio` are two drivers over it, with the same options, semantics and errors.
//! - Deadlines: [`ClientOptions::receive_deadline`] / [`ServerOptions::receive_deadline`] cut a
//!   peer that stops mid-frame or mid-TSDU ([`Error::ReceiveDeadline`]);
//!   [`ClientOptions::idle_timeout`] / [`ServerOptions::idle_timeout`] a silent one
//!   ([`Error::IdleTimeout`]).
//!
//! What it does beyond a minimal RFC 1006 stack: TSAPs of any length, IPv6, TPDU size
//! negotiation validated on both sides, segmentation and reassembly with a size cap, one
//! write call per TSDU and (usually) one read per request, distinct errors for each failure,
//! a connection that refuses further use once its stream is out of step, TCP keepalive and a
//! liveness check that consumes nothing.
//!
//! # Example
//!
//! A server thread echoing one message, and a client talking to it:
//!
//! ```
//! use iso_tcp::{ClientOptions, Listener, ServerOptions};
//!
//! let listener = Listener::bind("127.0.0.1:0".parse()?, ServerOptions::new())?;
//! let addr = listener.local_addr()?;
//! let server = std::thread::spawn(move || -> Result<(), iso_tcp::Error> {
//!     let mut connection = listener.accept()?;
//!     let request = connection.recv()?;
//!     connection.send(&request)?;
//!     Ok(())
//! });
//!
//! let mut client = ClientOptions::new(addr).connect()?;
//! assert_eq!(client.tpdu_size(), 1024);
//! client.send(b"hello")?;
//! assert_eq!(&client.recv()?[..], b"hello");
//! client.close()?;
//! server.join().expect("server thread")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Logging
//!
//! Events go to [`tracing`]: connections established, accepted, refused and closed at `info`,
//! failures and handshake details at `debug`, each frame read or written at `trace`.

mod address;
pub mod client;
mod connection;
mod error;
mod framing;
pub mod listener;
pub mod liveness;
mod options;
pub mod proto;
mod receive_clocks;
mod shutdown_handle;
mod socket_config;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use address::{RemoteAddr, DEFAULT_PORT};
pub use connection::Connection;
pub use error::Error;
pub use listener::{AcceptDecision, ConnectionRequestInfo, Listener, PendingConnection};
pub use liveness::LivenessProbe;
pub use options::{
    ClientOptions, Keepalive, ServerOptions, DEFAULT_BACKLOG, DEFAULT_LOCAL_TSAP,
    DEFAULT_MAX_TSDU_LEN, DEFAULT_REMOTE_TSAP, MIN_BACKLOG,
};
pub use shutdown_handle::ShutdownHandle;

/// Re-exported so that users name the same types the connection hands out.
pub use bytes::Bytes;
pub use cotp::{DisconnectReason, RejectCause, TpduSize, Tsap};

/// Opens a client connection to `remote` with default options (see [`ClientOptions`]).
///
/// # Errors
/// As [`ClientOptions::connect`].
pub fn connect(remote: impl Into<RemoteAddr>) -> Result<Connection, Error> {
    ClientOptions::new(remote).connect()
}
