//! An established ISO-on-TCP connection, the same type on the client and the server side.

use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cotp::{DisconnectReason, RejectCause, TpduSize, Tsap};
use socket2::Socket;

use crate::framing;
use crate::liveness::{self, LivenessProbe};
use crate::proto::{Core, Negotiated};
use crate::receive_clocks::ReceiveClocks;
use crate::socket_config;
use crate::{Error, ShutdownHandle};

/// What the handshake hands over to build a [`Connection`].
pub(crate) struct Established {
    pub(crate) socket: Socket,
    pub(crate) peer_addr: SocketAddr,
    pub(crate) core: Core,
    pub(crate) negotiated: Negotiated,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) write_timeout: Option<Duration>,
    pub(crate) receive_deadline: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
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
    /// Shared with the [`ShutdownHandle`]s handed out.
    socket: Arc<Socket>,
    peer_addr: SocketAddr,
    core: Core,
    negotiated: Negotiated,
    write_timeout: Option<Duration>,
    clocks: ReceiveClocks,
    /// The read timeout the socket holds, which the deadlines may have shortened.
    socket_read_timeout: Option<Duration>,
}

impl Connection {
    pub(crate) fn new(parts: Established) -> Self {
        let Established {
            socket,
            peer_addr,
            core,
            negotiated,
            read_timeout,
            write_timeout,
            receive_deadline,
            idle_timeout,
        } = parts;
        let mut connection = Connection {
            socket: Arc::new(socket),
            peer_addr,
            core,
            negotiated,
            write_timeout,
            clocks: ReceiveClocks::new(read_timeout, receive_deadline, idle_timeout),
            socket_read_timeout: read_timeout,
        };
        // Bytes that came right behind the CR or CC may already be part of a frame.
        connection.clocks.progress(&connection.core);
        connection
    }

    fn role(&self) -> &'static str {
        self.core.role().as_str()
    }

    /// Sends one TSDU, segmented into DTs of the negotiated TPDU size, all frames in one write
    /// call. An empty TSDU is sent as one empty DT with EOT.
    ///
    /// # Errors
    /// [`Error::Broken`] on a broken connection; [`Error::Timeout`] or [`Error::Io`] when the
    /// write fails (fatal unless nothing had been written).
    pub fn send(&mut self, tsdu: &[u8]) -> Result<(), Error> {
        self.core.check_usable()?;
        // Nothing can be left over: every flush either empties the buffer or abandons it.
        self.core.abandon_transmit();
        self.core.queue_tsdu(tsdu)?;
        self.flush()
    }

    /// Receives one whole TSDU.
    ///
    /// # Errors
    /// See the type's documentation: each way the peer or the stream can fail has its own
    /// error, and every fatal one leaves the connection broken.
    pub fn recv(&mut self) -> Result<Bytes, Error> {
        self.receive(Core::poll_tsdu)
    }

    /// Receives one whole TSDU into `tsdu`, replacing its contents: [`recv`](Self::recv) for
    /// a caller that keeps one buffer for every message.
    ///
    /// A TSDU that came in one DT, as almost every S7 message does, is copied straight out of
    /// the receive buffer into `tsdu`; nothing is allocated once `tsdu` has grown to the
    /// largest message, and no reference-counted [`Bytes`] is made and dropped per message.
    /// On an error `tsdu` may hold anything.
    ///
    /// # Errors
    /// As [`recv`](Self::recv).
    pub fn recv_into(&mut self, tsdu: &mut Vec<u8>) -> Result<(), Error> {
        self.receive(|core| Ok(core.poll_tsdu_into(tsdu)?.then_some(())))
    }

    /// The receive loop of [`recv`](Self::recv) and [`recv_into`](Self::recv_into), around
    /// `poll`, which hands out the next whole TSDU from the core's buffered frames.
    #[inline]
    fn receive<T>(
        &mut self,
        mut poll: impl FnMut(&mut Core) -> Result<Option<T>, Error>,
    ) -> Result<T, Error> {
        self.core.check_usable()?;
        let mut read = false;
        loop {
            // Frames left over from an earlier call or just read; an empty buffer holds none.
            if self.core.buffered_len() > 0 {
                if let Some(tsdu) = poll(&mut self.core)? {
                    self.clocks.delivered(&self.core);
                    return Ok(tsdu);
                }
            }
            // The clocks are looked at once new bytes have been decoded: when they finish a
            // TSDU and leave nothing behind, as they usually do, the receive deadline has
            // nothing to time and needs no clock read.
            if read {
                self.clocks.progress(&self.core);
            }
            let wait = self.clocks.next_wait(&mut self.core)?;
            if wait != self.socket_read_timeout
                && socket_config::socket_timeout(wait)
                    != socket_config::socket_timeout(self.socket_read_timeout)
            {
                socket_config::set_read_timeout(&self.socket, wait)
                    .map_err(|e| self.core.fail(e))?;
                self.socket_read_timeout = wait;
            }
            match framing::fill(&self.socket, &mut self.core) {
                Ok(0) => return Err(self.core.eof()),
                Ok(_) => read = true,
                Err(e) if framing::is_timeout(&e) => {
                    return Err(self.clocks.timed_out(&mut self.core))
                }
                Err(e) => return Err(self.core.fail(Error::io("read", e))),
            }
        }
    }

    /// Writes what the core holds, breaking the connection if the peer got part of it.
    // Always inlined: see `framing::flush`.
    #[inline(always)]
    fn flush(&mut self) -> Result<(), Error> {
        match framing::flush(&self.socket, &mut self.core) {
            Ok(()) => Ok(()),
            Err(error) => Err(self.write_failed(error)),
        }
    }

    /// A write failed: the error to return, which breaks the connection if the peer got part
    /// of the frames or the socket failed for another reason than a timeout.
    #[cold]
    #[inline(never)]
    fn write_failed(&mut self, error: std::io::Error) -> Error {
        let partial = self.core.abandon_transmit();
        let timed_out = framing::is_timeout(&error);
        let error = if timed_out {
            Error::Timeout {
                op: "write",
                timeout: self.write_timeout.unwrap_or_default(),
            }
        } else {
            Error::io("write", error)
        };
        if partial || !timed_out {
            self.core.fail(error)
        } else {
            error
        }
    }

    /// Whether the peer is still there: `false` after the peer closed (FIN) or reset (RST) the
    /// connection, or when this connection is broken or closed; `true` while it is idle or data
    /// is waiting (in the socket or already in this connection's buffer).
    ///
    /// Consumes nothing, blocks never and changes no socket mode or timeout (see
    /// [`liveness`](crate::liveness)).
    pub fn is_alive(&self) -> bool {
        if self.core.is_broken() {
            return false;
        }
        if self.core.buffered_len() > 0 {
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

    /// A handle that shuts this connection's socket down from another thread (to wake a
    /// `recv` blocked on it), sharing the socket: no system call.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle::new(Arc::clone(&self.socket))
    }

    /// Closes the connection: a DR with reason normal (unless one was already exchanged or the
    /// connection is broken), then a TCP shutdown both ways.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Timeout`] if the DR cannot be written; the socket is shut down
    /// and closed all the same.
    pub fn close(mut self) -> Result<(), Error> {
        let result = if self.core.close() {
            self.flush()
        } else {
            Ok(())
        };
        // ENOTCONN after a reset is of no interest to someone closing.
        let _ = self.socket.shutdown(Shutdown::Both);
        tracing::info!(role = self.role(), peer = %self.peer_addr, "connection closed");
        result
    }

    /// The negotiated TPDU size in bytes (128..=8192): the largest TPDU sent.
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

    /// This end's TSAP: the calling TSAP on a client, the called TSAP (as the client sent it)
    /// on a server. A server connection whose CR named no called TSAP reports `0x0000`.
    pub fn local_tsap(&self) -> &Tsap {
        &self.negotiated.local_tsap
    }

    /// The peer's TSAP: the called TSAP on a client (as configured), the calling TSAP (as the
    /// client sent it) on a server. A server connection whose CR named no calling TSAP reports
    /// `0x0000`.
    pub fn remote_tsap(&self) -> &Tsap {
        &self.negotiated.remote_tsap
    }

    /// This end's connection reference (the source reference of its CR or CC).
    pub fn local_reference(&self) -> u16 {
        self.negotiated.local_reference
    }

    /// The peer's connection reference.
    pub fn remote_reference(&self) -> u16 {
        self.negotiated.remote_reference
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
        self.clocks.read_timeout()
    }

    /// The write timeout in force (each write system call).
    pub fn write_timeout(&self) -> Option<Duration> {
        self.write_timeout
    }

    /// The receive deadline in force: how long the rest of a frame or of a segmented TSDU may
    /// take once its first byte arrived; `None` when off.
    pub fn receive_deadline(&self) -> Option<Duration> {
        self.clocks.receive_deadline()
    }

    /// Changes the receive deadline; `None` turns it off. A frame already part-way received
    /// keeps the start of its clock.
    pub fn set_receive_deadline(&mut self, deadline: Option<Duration>) {
        self.clocks.set_receive_deadline(deadline, &self.core);
    }

    /// The idle timeout in force: how long the peer may send nothing at all while no frame is
    /// part-way received; `None` when off.
    pub fn idle_timeout(&self) -> Option<Duration> {
        self.clocks.idle_timeout()
    }

    /// Changes the idle timeout; `None` turns it off. The idle clock restarts now.
    pub fn set_idle_timeout(&mut self, timeout: Option<Duration>) {
        self.clocks.set_idle_timeout(timeout, &self.core);
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
            != socket_config::socket_timeout(self.socket_read_timeout)
        {
            socket_config::set_read_timeout(&self.socket, timeout)?;
        }
        self.clocks.set_read_timeout(timeout);
        self.socket_read_timeout = timeout;
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
        self.core.is_broken()
    }

    /// Writes `bytes` exactly as given, in one write call, whatever the connection's state.
    ///
    /// A fault-injection hatch (malformed frames, partial frames, garbage): nothing checks that
    /// the bytes make sense, and the peer's view of the stream is whatever they make of it.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Io`] when the write fails.
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.core.abandon_transmit();
        self.core.send_raw(bytes);
        self.flush()
    }

    /// Sends a DR with `reason` and marks the connection closed (later calls return
    /// [`Error::Broken`]); the socket stays open until [`shutdown`](Self::shutdown), `close` or
    /// drop. A fault-injection and orderly-refusal hatch.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Io`] when the write fails.
    pub fn send_disconnect(&mut self, reason: DisconnectReason) -> Result<(), Error> {
        self.core.abandon_transmit();
        self.core.send_disconnect(reason)?;
        self.flush()
    }

    /// Sends an ER TPDU with `cause`; the connection stays usable. A fault-injection hatch.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Io`] when the write fails.
    pub fn send_error_tpdu(&mut self, cause: RejectCause) -> Result<(), Error> {
        self.core.abandon_transmit();
        self.core.send_error_tpdu(cause)?;
        self.flush()
    }

    /// Shuts the TCP connection down both ways without a DR (an abrupt close as the peer sees
    /// it); later calls return [`Error::Broken`].
    ///
    /// # Errors
    /// [`Error::Io`] if the socket refuses (for example when the peer already reset it).
    pub fn shutdown(&mut self) -> Result<(), Error> {
        self.core.abort("connection shut down locally");
        self.socket
            .shutdown(Shutdown::Both)
            .map_err(|e| Error::io("shutdown", e))
    }

    /// The underlying socket, for reading options back (keepalive, buffer sizes) or setting
    /// ones this crate does not cover. Reading from or writing to it directly desynchronises
    /// the connection. Timeouts belong to [`set_read_timeout`](Self::set_read_timeout) and
    /// [`set_write_timeout`](Self::set_write_timeout): the connection remembers what it set
    /// and skips setting an unchanged value, so one set on the socket behind its back may
    /// stay in force. With a receive deadline or an idle timeout, the socket's read timeout
    /// may show the shortened bound of the last read.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if !self.core.may_disconnect() {
            return;
        }
        // Best effort and never blocking: a peer that is not reading must not stall a drop.
        if self.core.close() {
            let _ = framing::flush_nonblocking(&self.socket, &mut self.core);
        }
        let _ = self.socket.shutdown(Shutdown::Both);
        tracing::debug!(role = self.role(), peer = %self.peer_addr, "connection dropped");
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
