//! An established ISO-on-TCP connection, the same type on the client and the server side.

use std::net::{Shutdown, SocketAddr};
use std::time::Duration;

use bytes::{Buf, Bytes};
use cotp::{DisconnectReason, RejectCause, TpduSize, Tsap};
use socket2::Socket;

use crate::framing::{self, FrameReader, FrameWriter, ReadFailure, WriteFailure};
use crate::liveness::{self, LivenessProbe};
use crate::socket_config;
use crate::Error;

/// Which end opened the connection; only used in logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Client,
    Server,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
        }
    }
}

/// What the handshake hands over to build a [`Connection`].
pub(crate) struct Established {
    pub(crate) socket: Socket,
    pub(crate) peer_addr: SocketAddr,
    pub(crate) role: Role,
    pub(crate) local_tsap: Tsap,
    pub(crate) remote_tsap: Tsap,
    pub(crate) local_reference: u16,
    pub(crate) remote_reference: u16,
    pub(crate) tpdu_size: TpduSize,
    /// The endpoint's own largest TPDU size: what it asked for (client) or grants (server).
    pub(crate) own_tpdu_size: TpduSize,
    pub(crate) reader: FrameReader,
    pub(crate) writer: FrameWriter,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) write_timeout: Option<Duration>,
    pub(crate) max_tsdu_len: usize,
    pub(crate) max_frame_len: usize,
}

/// An established ISO-on-TCP transport connection: TSDUs (whole messages) in and out.
///
/// Returned by [`ClientOptions::connect`](crate::ClientOptions::connect) and by the
/// [`Listener`](crate::Listener)'s accept calls; after the handshake both ends behave the same.
///
/// # Sending and receiving
///
/// [`send`](Self::send) cuts a TSDU into DT TPDUs of the negotiated size and writes all of their
/// frames with one write call from a buffer that is reused, so steady traffic allocates
/// nothing. [`recv`](Self::recv) returns one whole TSDU: it reassembles segments, skips empty
/// "fast acknowledge" DTs, and stops with [`Error::Cotp`]
/// ([`cotp::Error::ReassemblyOverflow`]) before a TSDU grows past the configured cap. It reads
/// into a buffer sized for whole frames, so one read usually brings a whole request, and frames
/// already buffered are returned without a system call.
///
/// Incoming frames may be larger than the negotiated TPDU size, since real devices overstep
/// it: snap7's and python-snap7's servers answer a TPDU-128 connection with single DTs of
/// about 490 bytes. They are taken up to the configured maximum frame length
/// ([`ClientOptions::max_frame_len`](crate::ClientOptions::max_frame_len), default 65,535),
/// bounded by what the reassembly cap can hold in one DT, and never below the larger of the
/// endpoint's own and the negotiated TPDU size plus the 4 TPKT header bytes (and 259 bytes,
/// so that a DR with a long parameter still reads as a DR). Anything longer is a framing
/// error, checked from the TPKT header before the frame is read. What this end sends always
/// stays within the negotiated size.
///
/// # Errors, timeouts and the broken state
///
/// The peer's disconnect request ([`Error::PeerDisconnected`]), error TPDU
/// ([`Error::PeerError`]), any TPDU other than DT ([`Error::UnexpectedTpdu`]), bad framing
/// ([`Error::Tpkt`]), a TPDU that does not parse ([`Error::Cotp`]), end of stream
/// ([`Error::Closed`], [`Error::EofMidFrame`], [`Error::EofMidTsdu`]) and socket errors each
/// have their own error. After any of them the connection is *broken*: every later call
/// returns [`Error::Broken`] naming the first error, so a stream that lost its frame
/// boundaries is never read again.
///
/// A read timeout ([`Error::Timeout`]) breaks the connection only when part of a frame had
/// arrived. When it strikes between frames nothing is lost and the connection stays usable
/// ([`is_broken`](Self::is_broken) tells which); a TSDU whose first segments had arrived is
/// continued by the next `recv`. A write timeout likewise breaks the connection only if part of
/// the frames had been sent. The timeouts bound each system call, not a whole `recv`.
///
/// # Closing
///
/// [`close`](Self::close) sends a DR (reason normal) and shuts the socket down; dropping the
/// connection does the same, best effort and without blocking.
///
/// # Threads
///
/// A connection is `Send` and `Sync`: it can be moved to a thread of its own. To watch the peer
/// from another thread while that one is blocked in `recv`, use a
/// [`liveness_probe`](Self::liveness_probe).
#[derive(Debug)]
pub struct Connection {
    socket: Socket,
    peer_addr: SocketAddr,
    role: Role,
    local_tsap: Tsap,
    remote_tsap: Tsap,
    local_reference: u16,
    remote_reference: u16,
    tpdu_size: TpduSize,
    reader: FrameReader,
    writer: FrameWriter,
    reassembler: cotp::Reassembler,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// The first fatal error or the local disconnect; `Some` makes every call fail.
    failure: Option<String>,
    /// Whether a DR may still be sent: not after one was sent or received, not after part of a
    /// frame went out, not after a shutdown.
    may_disconnect: bool,
}

impl Connection {
    pub(crate) fn new(parts: Established) -> Self {
        let Established {
            socket,
            peer_addr,
            role,
            local_tsap,
            remote_tsap,
            local_reference,
            remote_reference,
            tpdu_size,
            own_tpdu_size,
            mut reader,
            writer,
            read_timeout,
            write_timeout,
            max_tsdu_len,
            max_frame_len,
        } = parts;
        let expected = own_tpdu_size
            .max(tpdu_size)
            .bytes()
            .saturating_add(tpkt::HEADER_LEN)
            .max(framing::HANDSHAKE_FRAME_LEN);
        // One DT never needs to be longer than the reassembly cap plus its headers.
        let reassembly_bound = max_tsdu_len
            .saturating_add(tpkt::HEADER_LEN)
            .saturating_add(cotp::DATA_HEADER_LEN);
        let limit = max_frame_len.min(reassembly_bound).max(expected);
        reader.set_frame_limit(limit, expected);
        Connection {
            socket,
            peer_addr,
            role,
            local_tsap,
            remote_tsap,
            local_reference,
            remote_reference,
            tpdu_size,
            reader,
            writer,
            reassembler: cotp::Reassembler::new(max_tsdu_len),
            read_timeout,
            write_timeout,
            failure: None,
            may_disconnect: true,
        }
    }

    /// Sends one TSDU, segmented into DTs of the negotiated TPDU size, all frames in one write
    /// call. An empty TSDU is sent as one empty DT with EOT.
    ///
    /// # Errors
    /// [`Error::Broken`] on a broken connection; [`Error::Timeout`] or [`Error::Io`] when the
    /// write fails (fatal unless nothing had been written).
    pub fn send(&mut self, tsdu: &[u8]) -> Result<(), Error> {
        self.check_usable()?;
        self.writer.encode_tsdu(tsdu, self.tpdu_size.bytes())?;
        self.flush()
    }

    /// Receives one whole TSDU.
    ///
    /// # Errors
    /// See the type's documentation: each way the peer or the stream can fail has its own
    /// error, and every fatal one leaves the connection broken.
    pub fn recv(&mut self) -> Result<Bytes, Error> {
        self.check_usable()?;
        loop {
            let tpdu = match self.reader.next_frame(&self.socket) {
                Ok(tpdu) => tpdu,
                Err(failure) => return Err(self.read_failed(failure)),
            };
            match self.on_tpdu(tpdu) {
                Ok(Some(tsdu)) => return Ok(tsdu),
                Ok(None) => {}
                Err(error) => return Err(self.fail(error)),
            }
        }
    }

    /// Handles one incoming TPDU: data goes to the reassembler, anything else ends the
    /// connection with its own error.
    fn on_tpdu(&mut self, tpdu: Bytes) -> Result<Option<Bytes>, Error> {
        let code = tpdu.get(1).copied().unwrap_or(0);
        if code & 0xF0 == cotp::tpdu_code::DATA {
            let eot = cotp::parse_data_header(&tpdu)?;
            // Advancing the owned frame, unlike slicing it, touches no reference count.
            let mut payload = tpdu;
            payload.advance(cotp::DATA_HEADER_LEN.min(payload.len()));
            tracing::trace!(eot, len = payload.len(), "data tpdu");
            // A whole TSDU in one DT, the usual case, comes back from the reassembler as it is.
            return Ok(self.reassembler.push(eot, payload)?);
        }
        match cotp::Tpdu::parse(&tpdu)? {
            cotp::Tpdu::DisconnectRequest(request) => {
                self.may_disconnect = false;
                tracing::debug!(
                    role = self.role.as_str(),
                    peer = %self.peer_addr,
                    reason = ?request.reason,
                    "peer sent a disconnect request"
                );
                Err(Error::PeerDisconnected {
                    reason: request.reason,
                })
            }
            cotp::Tpdu::Error(error) => {
                tracing::debug!(
                    role = self.role.as_str(),
                    peer = %self.peer_addr,
                    cause = ?error.cause,
                    "peer sent an error tpdu"
                );
                Err(Error::PeerError { cause: error.cause })
            }
            other => Err(Error::UnexpectedTpdu {
                code: other.code(),
                context: "a data tpdu",
            }),
        }
    }

    /// Turns a read failure into the caller's error, breaking the connection unless a timeout
    /// struck between frames.
    fn read_failed(&mut self, failure: ReadFailure) -> Error {
        let buffered = self.reader.buffered();
        match failure {
            ReadFailure::Framing(error) => self.fail(Error::Tpkt(error)),
            ReadFailure::Eof => {
                self.may_disconnect = false;
                let error = if buffered > 0 {
                    Error::EofMidFrame {
                        received: buffered,
                        expected: self.reader.pending_frame_len().unwrap_or(tpkt::HEADER_LEN),
                    }
                } else if !self.reassembler.is_idle() {
                    Error::EofMidTsdu {
                        received: self.reassembler.buffered_len(),
                    }
                } else {
                    Error::Closed
                };
                self.fail(error)
            }
            ReadFailure::TimedOut => {
                let error = Error::Timeout {
                    op: "read",
                    timeout: self.read_timeout.unwrap_or_default(),
                };
                if buffered > 0 {
                    self.fail(error)
                } else {
                    tracing::trace!("read timed out between frames");
                    error
                }
            }
            ReadFailure::Io(source) => self.fail(Error::io("read", source)),
        }
    }

    /// Writes what the writer holds, breaking the connection if the peer got part of it.
    fn flush(&mut self) -> Result<(), Error> {
        match self.writer.flush(&self.socket) {
            Ok(()) => Ok(()),
            Err(WriteFailure { written, error }) => {
                let timed_out = framing::is_timeout(&error);
                let error = if timed_out {
                    Error::Timeout {
                        op: "write",
                        timeout: self.write_timeout.unwrap_or_default(),
                    }
                } else {
                    Error::io("write", error)
                };
                if written > 0 {
                    self.may_disconnect = false;
                }
                if written > 0 || !timed_out {
                    Err(self.fail(error))
                } else {
                    Err(error)
                }
            }
        }
    }

    /// Records the first fatal error so that every later call reports it.
    fn fail(&mut self, error: Error) -> Error {
        if self.failure.is_none() {
            tracing::debug!(
                role = self.role.as_str(),
                peer = %self.peer_addr,
                %error,
                "connection broken"
            );
            self.failure = Some(error.to_string());
        }
        error
    }

    fn check_usable(&self) -> Result<(), Error> {
        match &self.failure {
            None => Ok(()),
            Some(cause) => Err(Error::Broken {
                cause: cause.clone(),
            }),
        }
    }

    /// Whether the peer is still there: `false` after the peer closed (FIN) or reset (RST) the
    /// connection, or when this connection is broken or closed; `true` while it is idle or data
    /// is waiting (in the socket or already in this connection's buffer).
    ///
    /// Consumes nothing, blocks never and changes no socket mode or timeout (see
    /// [`liveness`](crate::liveness)).
    pub fn is_alive(&self) -> bool {
        if self.failure.is_some() {
            return false;
        }
        if self.reader.buffered() > 0 {
            return true;
        }
        liveness::peer_alive(&self.socket)
    }

    /// A handle for checking the peer's liveness from another thread.
    ///
    /// # Errors
    /// [`Error::Io`] if the socket cannot be duplicated.
    pub fn liveness_probe(&self) -> Result<LivenessProbe, Error> {
        LivenessProbe::new(&self.socket)
    }

    /// Closes the connection: a DR with reason normal (unless one was already exchanged or the
    /// connection is broken), then a TCP shutdown both ways.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Timeout`] if the DR cannot be written; the socket is shut down
    /// and closed all the same.
    pub fn close(mut self) -> Result<(), Error> {
        let result = if self.may_disconnect && self.failure.is_none() {
            self.write_disconnect(DisconnectReason::Normal)
        } else {
            Ok(())
        };
        self.may_disconnect = false;
        self.mark_closed("connection closed locally");
        // ENOTCONN after a reset is of no interest to someone closing.
        let _ = self.socket.shutdown(Shutdown::Both);
        tracing::info!(
            role = self.role.as_str(),
            peer = %self.peer_addr,
            "connection closed"
        );
        result
    }

    fn write_disconnect(&mut self, reason: DisconnectReason) -> Result<(), Error> {
        let request = cotp::DisconnectRequest {
            dst_ref: self.remote_reference,
            src_ref: self.local_reference,
            reason,
            parameters: Vec::new(),
        };
        self.writer
            .encode_tpdu(&cotp::Tpdu::DisconnectRequest(request))?;
        self.flush()
    }

    fn mark_closed(&mut self, cause: &str) {
        if self.failure.is_none() {
            self.failure = Some(cause.to_owned());
        }
    }

    /// The negotiated TPDU size in bytes (128..=8192): the largest TPDU sent.
    pub fn tpdu_size(&self) -> usize {
        self.tpdu_size.bytes()
    }

    /// The negotiated TPDU size as its code.
    pub fn negotiated_tpdu_size(&self) -> TpduSize {
        self.tpdu_size
    }

    /// The cap on one reassembled TSDU.
    pub fn max_tsdu_len(&self) -> usize {
        self.reassembler.max_tsdu_len()
    }

    /// This end's TSAP: the calling TSAP on a client, the called TSAP (as the client sent it)
    /// on a server. A server connection whose CR named no called TSAP reports `0x0000`.
    pub fn local_tsap(&self) -> &Tsap {
        &self.local_tsap
    }

    /// The peer's TSAP: the called TSAP on a client (as configured), the calling TSAP (as the
    /// client sent it) on a server. A server connection whose CR named no calling TSAP reports
    /// `0x0000`.
    pub fn remote_tsap(&self) -> &Tsap {
        &self.remote_tsap
    }

    /// This end's connection reference (the source reference of its CR or CC).
    pub fn local_reference(&self) -> u16 {
        self.local_reference
    }

    /// The peer's connection reference.
    pub fn remote_reference(&self) -> u16 {
        self.remote_reference
    }

    /// The local socket address.
    ///
    /// # Errors
    /// [`Error::Io`] if the socket cannot tell.
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        socket_addr(&self.socket)
    }

    /// The peer's socket address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer_addr
    }

    /// The read timeout in force (each read system call).
    pub fn read_timeout(&self) -> Option<Duration> {
        self.read_timeout
    }

    /// The write timeout in force (each write system call).
    pub fn write_timeout(&self) -> Option<Duration> {
        self.write_timeout
    }

    /// Changes the read timeout; `None` waits forever. A zero duration is raised to 1 µs, since
    /// the socket layer would read zero as "no timeout". Setting the value already in force
    /// makes no system call.
    ///
    /// # Errors
    /// [`Error::Io`] if the socket refuses it.
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> Result<(), Error> {
        // The connection knows what the socket holds, so an unchanged value costs no call.
        if socket_config::socket_timeout(timeout)
            != socket_config::socket_timeout(self.read_timeout)
        {
            socket_config::set_read_timeout(&self.socket, timeout)?;
        }
        self.read_timeout = timeout;
        Ok(())
    }

    /// Changes the write timeout; `None` waits forever. Setting the value already in force
    /// makes no system call.
    ///
    /// # Errors
    /// [`Error::Io`] if the socket refuses it.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) -> Result<(), Error> {
        // As for the read timeout: no call for an unchanged value.
        if socket_config::socket_timeout(timeout)
            != socket_config::socket_timeout(self.write_timeout)
        {
            socket_config::set_write_timeout(&self.socket, timeout)?;
        }
        self.write_timeout = timeout;
        Ok(())
    }

    /// Whether an earlier error or a disconnect left the connection unusable.
    pub fn is_broken(&self) -> bool {
        self.failure.is_some()
    }

    /// Writes `bytes` exactly as given, in one write call, whatever the connection's state.
    ///
    /// A fault-injection hatch (malformed frames, partial frames, garbage): nothing checks that
    /// the bytes make sense, and the peer's view of the stream is whatever they make of it.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Io`] when the write fails.
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.writer.set_raw(bytes);
        self.flush()
    }

    /// Sends a DR with `reason` and marks the connection closed (later calls return
    /// [`Error::Broken`]); the socket stays open until [`shutdown`](Self::shutdown), `close` or
    /// drop. A fault-injection and orderly-refusal hatch.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Io`] when the write fails.
    pub fn send_disconnect(&mut self, reason: DisconnectReason) -> Result<(), Error> {
        let result = self.write_disconnect(reason);
        self.may_disconnect = false;
        self.mark_closed("disconnect request sent");
        result
    }

    /// Sends an ER TPDU with `cause`; the connection stays usable. A fault-injection hatch.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Io`] when the write fails.
    pub fn send_error_tpdu(&mut self, cause: RejectCause) -> Result<(), Error> {
        let error = cotp::ErrorTpdu {
            dst_ref: self.remote_reference,
            cause,
            invalid_tpdu: None,
        };
        self.writer.encode_tpdu(&cotp::Tpdu::Error(error))?;
        self.flush()
    }

    /// Shuts the TCP connection down both ways without a DR (an abrupt close as the peer sees
    /// it); later calls return [`Error::Broken`].
    ///
    /// # Errors
    /// [`Error::Io`] if the socket refuses (for example when the peer already reset it).
    pub fn shutdown(&mut self) -> Result<(), Error> {
        self.may_disconnect = false;
        self.mark_closed("connection shut down locally");
        self.socket
            .shutdown(Shutdown::Both)
            .map_err(|e| Error::io("shutdown", e))
    }

    /// The underlying socket, for reading options back (keepalive, buffer sizes) or setting
    /// ones this crate does not cover. Reading from or writing to it directly desynchronises
    /// the connection. Timeouts belong to [`set_read_timeout`](Self::set_read_timeout) and
    /// [`set_write_timeout`](Self::set_write_timeout): the connection remembers what it set
    /// and skips setting an unchanged value, so one set on the socket behind its back may
    /// stay in force.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if !self.may_disconnect {
            return;
        }
        if self.failure.is_none() {
            let request = cotp::DisconnectRequest {
                dst_ref: self.remote_reference,
                src_ref: self.local_reference,
                reason: DisconnectReason::Normal,
                parameters: Vec::new(),
            };
            // Best effort and never blocking: a peer that is not reading must not stall a drop.
            if self
                .writer
                .encode_tpdu(&cotp::Tpdu::DisconnectRequest(request))
                .is_ok()
            {
                let _ = self.writer.flush_nonblocking(&self.socket);
            }
        }
        let _ = self.socket.shutdown(Shutdown::Both);
        tracing::debug!(
            role = self.role.as_str(),
            peer = %self.peer_addr,
            "connection dropped"
        );
    }
}

/// The socket's local address as a `SocketAddr`.
pub(crate) fn socket_addr(socket: &Socket) -> Result<SocketAddr, Error> {
    let addr = socket
        .local_addr()
        .map_err(|e| Error::io("local address", e))?;
    addr.as_socket().ok_or_else(|| {
        Error::io(
            "local address",
            std::io::Error::new(std::io::ErrorKind::InvalidData, "not an internet address"),
        )
    })
}
