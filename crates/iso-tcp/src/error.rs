//! The crate's single error type.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// Everything that can go wrong while connecting, accepting, sending or receiving.
///
/// Errors fall into three groups:
///
/// - **Setup**: [`Resolve`](Error::Resolve), [`NoAddress`](Error::NoAddress),
///   [`ConnectTimeout`](Error::ConnectTimeout), [`Refused`](Error::Refused),
///   [`Rejected`](Error::Rejected), [`InvalidConfirm`](Error::InvalidConfirm),
///   [`HandshakeTimeout`](Error::HandshakeTimeout), [`RefusedLocally`](Error::RefusedLocally).
/// - **Recoverable on an open connection**: a [`Timeout`](Error::Timeout) that struck while no
///   partial frame was buffered (nothing was lost; the connection stays usable).
/// - **Fatal to the connection**: everything else. The connection remembers the first such
///   error and answers every later call with [`Broken`](Error::Broken), so a stream that lost
///   its frame boundaries is never read again.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A socket call failed.
    #[error("{op} failed: {source}")]
    Io {
        /// The operation: "connect", "read", "write", "bind", "listen", "accept", ...
        op: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },

    /// The TCP connection to `addr` was not established within `timeout`.
    #[error("tcp connect to {addr} timed out after {timeout:?}")]
    ConnectTimeout {
        /// The address tried last.
        addr: SocketAddr,
        /// The connect timeout in force.
        timeout: Duration,
    },

    /// A read or write did not complete within the configured timeout.
    ///
    /// When this is returned by [`Connection::recv`](crate::Connection::recv) and
    /// [`Connection::is_broken`](crate::Connection::is_broken) is `false`, no byte of a frame
    /// had arrived: the connection is still usable.
    #[error("{op} timed out after {timeout:?}")]
    Timeout {
        /// "read" or "write".
        op: &'static str,
        /// The timeout in force.
        timeout: Duration,
    },

    /// The host name could not be resolved.
    #[error("cannot resolve {addr:?}: {source}")]
    Resolve {
        /// The address as given.
        addr: String,
        /// The resolver's error.
        #[source]
        source: io::Error,
    },

    /// The host name resolved to no address at all.
    #[error("{addr:?} resolved to no address")]
    NoAddress {
        /// The address as given.
        addr: String,
    },

    /// The peer's bytes are not valid TPKT framing; the stream is out of step.
    #[error("tpkt framing error: {0}")]
    Tpkt(#[from] tpkt::Error),

    /// The peer sent a TPDU that does not parse.
    #[error("cotp error: {0}")]
    Cotp(#[from] cotp::Error),

    /// The peer answered the connection request with a disconnect request.
    #[error("connection refused by the peer: {reason:?}")]
    Refused {
        /// The reason the peer gave.
        reason: cotp::DisconnectReason,
    },

    /// The peer answered the connection request with an error TPDU.
    #[error("connection request rejected by the peer: {cause:?}")]
    Rejected {
        /// The reject cause the peer gave.
        cause: cotp::RejectCause,
    },

    /// The peer disconnected an established connection with a disconnect request.
    #[error("peer disconnected: {reason:?}")]
    PeerDisconnected {
        /// The reason the peer gave.
        reason: cotp::DisconnectReason,
    },

    /// The peer sent an error TPDU on an established connection.
    #[error("peer reported a protocol error: {cause:?}")]
    PeerError {
        /// The reject cause the peer gave.
        cause: cotp::RejectCause,
    },

    /// A well-formed TPDU of a type that has no place at this point.
    #[error("unexpected tpdu 0x{code:02X} while waiting for {context}")]
    UnexpectedTpdu {
        /// The TPDU code as read.
        code: u8,
        /// What was expected instead.
        context: &'static str,
    },

    /// The connection confirm does not match the connection request.
    #[error("invalid connection confirm: {reason}")]
    InvalidConfirm {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The peer closed the TCP connection cleanly, between two TSDUs.
    #[error("connection closed by the peer")]
    Closed,

    /// The peer closed the TCP connection in the middle of a TPKT frame.
    #[error("connection closed by the peer after {received} of {expected} bytes of a frame")]
    EofMidFrame {
        /// Bytes of the frame that had arrived.
        received: usize,
        /// Bytes the frame needed: its declared length, or the 4 header bytes when not even
        /// the header was complete.
        expected: usize,
    },

    /// The peer closed the TCP connection between two segments of one TSDU.
    #[error("connection closed by the peer after {received} bytes of a segmented tsdu")]
    EofMidTsdu {
        /// Bytes of the TSDU that had been reassembled.
        received: usize,
    },

    /// A call on a connection that an earlier error, or a disconnect, left unusable.
    #[error("connection is broken: {cause}")]
    Broken {
        /// The first error, or event, that left the connection unusable.
        cause: String,
    },

    /// The client did not complete its connection request within the handshake timeout.
    #[error("connection request not received within {timeout:?}")]
    HandshakeTimeout {
        /// The handshake timeout in force.
        timeout: Duration,
    },

    /// The peer stopped (or slowed to a trickle) in the middle of a frame or of a segmented
    /// TSDU, and the whole TSDU was not in within the receive deadline
    /// ([`ClientOptions::receive_deadline`](crate::ClientOptions::receive_deadline)). The
    /// stream is out of step: the connection is broken.
    #[error("receive deadline of {deadline:?} expired with {received} bytes of a frame and {tsdu_received} bytes of a tsdu received")]
    ReceiveDeadline {
        /// The deadline in force, counted from the first byte of the unfinished frame or TSDU.
        deadline: Duration,
        /// Bytes of the unfinished frame that had arrived (0 between two segments).
        received: usize,
        /// Bytes of the unfinished TSDU already reassembled.
        tsdu_received: usize,
    },

    /// The peer sent nothing at all for the idle timeout
    /// ([`ClientOptions::idle_timeout`](crate::ClientOptions::idle_timeout)) while no frame
    /// was part-way received. The connection is broken, but its stream is in step: closing it
    /// still sends a DR.
    #[error("peer idle for {timeout:?}")]
    IdleTimeout {
        /// The idle timeout in force.
        timeout: Duration,
    },

    /// The server's own decision refused the connection request; the client was sent a
    /// disconnect request carrying `reason`.
    #[error("connection request refused locally: {reason:?}")]
    RefusedLocally {
        /// The reason sent to the client.
        reason: cotp::DisconnectReason,
    },
}

impl Error {
    /// Wraps an I/O error, naming the operation.
    pub(crate) fn io(op: &'static str, source: io::Error) -> Self {
        Error::Io { op, source }
    }

    /// Whether the error is a timeout of any kind (read, write, connect, handshake, receive
    /// deadline or idle timeout).
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            Error::Timeout { .. }
                | Error::ConnectTimeout { .. }
                | Error::HandshakeTimeout { .. }
                | Error::ReceiveDeadline { .. }
                | Error::IdleTimeout { .. }
        )
    }
}
