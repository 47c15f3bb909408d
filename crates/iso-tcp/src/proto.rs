//! The sans-IO connection core: one ISO-on-TCP transport connection as a state machine with no
//! socket, no clock and no thread.
//!
//! The caller (a *driver*) moves bytes between a [`Core`] and a byte stream:
//!
//! ```text
//!                 +------------------------------- Core -------------------------------+
//!  bytes read --> | rx buffer -> tpkt::FrameDecoder -> TPDU -> handshake / reassembly  | --> Event
//!                 |                                                                    |     or Error
//!  send(tsdu) --> | segmentation -> tpkt + DT headers -> tx buffer                      | --> bytes to write
//!                 +--------------------------------------------------------------------+
//! ```
//!
//! - Received bytes go in with [`Core::feed`], or straight into [`Core::rx_buffer`] after
//!   [`Core::read_window`] made room (the way both drivers of this crate read without a copy).
//! - [`Core::poll_event`] hands out what they make: [`Event::Connected`] (a client's handshake
//!   is complete), [`Event::ConnectionRequest`] (a server must [`accept`](Core::accept) or
//!   [`refuse`](Core::refuse)), [`Event::Tsdu`] (one whole message), or `Ok(None)` when more
//!   bytes are needed. The peer's DR or ER and every protocol error come out as the crate's
//!   typed [`Error`] ([`Error::PeerDisconnected`], [`Error::PeerError`], [`Error::Tpkt`],
//!   [`Error::Cotp`], [`Error::UnexpectedTpdu`], ...), after which the core is *broken*:
//!   every later call answers [`Error::Broken`].
//! - Bytes to write wait in [`Core::transmit`]; the driver writes them and reports progress
//!   with [`Core::advance_transmit`], or gives up with [`Core::abandon_transmit`].
//! - The driver reports the end of the stream with [`Core::eof`] and a timeout with
//!   [`Core::read_timed_out`]; the core tells which error that is (mid-frame, mid-TSDU, between
//!   messages) and whether it breaks the connection. Clocks, deadlines and sockets stay with
//!   the driver.
//!
//! The core owns negotiation (both roles, TSAP echo, CC validation), segmentation, capped
//! reassembly, fast-acknowledge skipping, the frame limits and the broken state. The blocking
//! [`Connection`](crate::Connection) and the tokio front-end are thin drivers around it.
//!
//! # Example: two cores talking to each other in memory
//!
//! ```
//! use iso_tcp::proto::{ClientConfig, Core, Event, ServerConfig};
//! use iso_tcp::TpduSize;
//!
//! let mut client = Core::client(ClientConfig::new().tpdu_size(TpduSize::S128))?;
//! let mut server = Core::server(ServerConfig::new());
//!
//! // CR: client -> server.
//! server.feed(client.transmit());
//! client.advance_transmit(client.transmit().len());
//! let Some(Event::ConnectionRequest(request)) = server.poll_event()? else { panic!() };
//! assert_eq!(request.chosen_tpdu_size, TpduSize::S128);
//! server.accept()?;
//!
//! // CC: server -> client.
//! client.feed(server.transmit());
//! server.advance_transmit(server.transmit().len());
//! let Some(Event::Connected(negotiated)) = client.poll_event()? else { panic!() };
//! assert_eq!(negotiated.tpdu_size, TpduSize::S128);
//!
//! // 1000 bytes travel as 8 DTs of at most 128 bytes and come out whole.
//! client.send(&[0x32; 1000])?;
//! server.feed(client.transmit());
//! client.advance_transmit(client.transmit().len());
//! let Some(Event::Tsdu(tsdu)) = server.poll_event()? else { panic!() };
//! assert_eq!(tsdu.len(), 1000);
//! # Ok::<(), iso_tcp::Error>(())
//! ```

use bytes::{Buf, Bytes, BytesMut};
use cotp::{
    ConnectionConfirm, ConnectionRequest, DisconnectReason, DisconnectRequest, Parameter,
    RejectCause, Tpdu, TpduSize, Tsap,
};

use crate::options::{DEFAULT_LOCAL_TSAP, DEFAULT_MAX_TSDU_LEN, DEFAULT_REMOTE_TSAP};
use crate::Error;

/// A CR, CC or DR header can be up to 255 bytes (length indicator 254 plus itself), so while
/// connecting frames up to this length are accepted whatever the TPDU size.
pub(crate) const HANDSHAKE_FRAME_LEN: usize = tpkt::HEADER_LEN + 255;

/// Smallest read: large enough that a burst of small frames arrives in one read, small enough
/// that an idle connection holds little memory.
const MIN_READ_CHUNK: usize = 4096;

/// The write buffer's first size: a CR, CC, DR or small answer. It grows to the largest frame
/// sent and keeps that size, so the steady state allocates nothing, while an idle connection
/// (most of a server's, often) holds no more than it has used.
const INITIAL_TX_CAPACITY: usize = 64;

/// Largest read, reached only while reads keep filling the buffer (a long segmented TSDU).
const MAX_READ_CHUNK: usize = 64 * 1024;

/// TPKT header and DT header of a frame carrying a TSDU in one DT.
const SINGLE_DT_HEADER_LEN: usize = tpkt::HEADER_LEN + cotp::DATA_HEADER_LEN;

/// Which end of the connection a core is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Sent the CR.
    Client,
    /// Answered it.
    Server,
}

impl Role {
    /// "client" or "server", for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
        }
    }
}

/// What a client core asks for.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The calling TSAP sent in the CR (C1).
    pub local_tsap: Tsap,
    /// The called TSAP sent in the CR (C2).
    pub remote_tsap: Tsap,
    /// The TPDU size asked for (C0).
    pub tpdu_size: TpduSize,
    /// The source reference of the CR.
    pub source_reference: u16,
    /// Cap on one reassembled TSDU.
    pub max_tsdu_len: usize,
    /// Largest incoming frame once connected (see [`ClientOptions::max_frame_len`](crate::ClientOptions::max_frame_len)).
    pub max_frame_len: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig::new()
    }
}

impl ClientConfig {
    /// TSAPs `0x0100` / `0x0102`, TPDU size 1024, source reference 1, 64 KiB TSDUs, frames up
    /// to 65,535 bytes: the defaults of [`ClientOptions`](crate::ClientOptions).
    pub fn new() -> Self {
        ClientConfig {
            local_tsap: Tsap::from_u16(DEFAULT_LOCAL_TSAP),
            remote_tsap: Tsap::from_u16(DEFAULT_REMOTE_TSAP),
            tpdu_size: TpduSize::S1024,
            source_reference: 0x0001,
            max_tsdu_len: DEFAULT_MAX_TSDU_LEN,
            max_frame_len: tpkt::MAX_FRAME_LEN,
        }
    }

    /// Sets the TPDU size asked for.
    #[must_use]
    pub fn tpdu_size(mut self, size: TpduSize) -> Self {
        self.tpdu_size = size;
        self
    }

    /// Sets the reassembly cap.
    #[must_use]
    pub fn max_tsdu_len(mut self, len: usize) -> Self {
        self.max_tsdu_len = len;
        self
    }

    /// Sets the largest incoming frame once connected.
    #[must_use]
    pub fn max_frame_len(mut self, len: usize) -> Self {
        self.max_frame_len = len;
        self
    }
}

/// What a server core grants.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The largest TPDU size granted.
    pub max_tpdu_size: TpduSize,
    /// The source reference of the CC (and of a refusing DR).
    pub local_reference: u16,
    /// Cap on one reassembled TSDU.
    pub max_tsdu_len: usize,
    /// Largest incoming frame once connected.
    pub max_frame_len: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig::new()
    }
}

impl ServerConfig {
    /// TPDU sizes up to 1024, local reference 1, 64 KiB TSDUs, frames up to 65,535 bytes.
    pub fn new() -> Self {
        ServerConfig {
            max_tpdu_size: TpduSize::S1024,
            local_reference: 1,
            max_tsdu_len: DEFAULT_MAX_TSDU_LEN,
            max_frame_len: tpkt::MAX_FRAME_LEN,
        }
    }

    /// Sets the largest TPDU size granted.
    #[must_use]
    pub fn max_tpdu_size(mut self, size: TpduSize) -> Self {
        self.max_tpdu_size = size;
        self
    }

    /// Sets the reassembly cap.
    #[must_use]
    pub fn max_tsdu_len(mut self, len: usize) -> Self {
        self.max_tsdu_len = len;
        self
    }

    /// Sets the largest incoming frame once connected.
    #[must_use]
    pub fn max_frame_len(mut self, len: usize) -> Self {
        self.max_frame_len = len;
        self
    }
}

/// The outcome of a completed handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The TPDU size both ends use: the largest TPDU sent.
    pub tpdu_size: TpduSize,
    /// This end's TSAP: the calling TSAP on a client, the called TSAP (as received) on a
    /// server, `0x0000` when the CR named none.
    pub local_tsap: Tsap,
    /// The peer's TSAP: the called TSAP on a client, the calling TSAP (as received) on a
    /// server, `0x0000` when the CR named none.
    pub remote_tsap: Tsap,
    /// This end's connection reference.
    pub local_reference: u16,
    /// The peer's connection reference.
    pub remote_reference: u16,
}

/// A connection request, as a server core hands it to its driver for a decision.
#[derive(Debug, Clone)]
pub struct Request {
    /// The client's own TSAP (C1), if it sent one.
    pub calling_tsap: Option<Tsap>,
    /// The TSAP the client wants to reach (C2), if it sent one.
    pub called_tsap: Option<Tsap>,
    /// The TPDU size the client asked for (C0), if it did.
    pub requested_tpdu_size: Option<TpduSize>,
    /// The TPDU size the server confirms if it accepts.
    pub chosen_tpdu_size: TpduSize,
    /// The whole request as received.
    pub request: ConnectionRequest,
}

/// What [`Core::poll_event`] hands out.
#[derive(Debug, Clone)]
pub enum Event {
    /// A client's handshake is complete: the CC arrived and was valid.
    Connected(Negotiated),
    /// A server received a CR: call [`Core::accept`] or [`Core::refuse`].
    ConnectionRequest(Box<Request>),
    /// One whole TSDU, reassembled.
    Tsdu(Bytes),
}

#[derive(Debug)]
enum State {
    /// Client: CR queued, waiting for the CC.
    AwaitConfirm,
    /// Server: waiting for the CR.
    AwaitRequest,
    /// Server: the CR was handed out, the decision is pending.
    Deciding(Box<Request>),
    /// Connected.
    Open,
    /// Server: refused; nothing more happens.
    Refused,
}

/// One ISO-on-TCP connection without I/O; see the [module documentation](self).
#[derive(Debug)]
pub struct Core {
    role: Role,
    state: State,
    config_local_tsap: Tsap,
    config_remote_tsap: Tsap,
    /// The client's requested size, or the server's largest granted size.
    own_tpdu_size: TpduSize,
    local_reference: u16,
    max_tsdu_len: usize,
    max_frame_len: usize,
    negotiated: Option<Negotiated>,
    // Receiving.
    rx: BytesMut,
    decoder: tpkt::FrameDecoder,
    chunk: usize,
    window: usize,
    expected_frame: usize,
    /// The size of a read while reads are not growing: `expected_frame`, at least
    /// `MIN_READ_CHUNK`. Kept, not computed, because every read looks at it.
    base_chunk: usize,
    reassembler: cotp::Reassembler,
    // Sending.
    tx: Vec<u8>,
    tx_sent: usize,
    /// The first fatal error or the local disconnect; `Some` makes every call fail.
    failure: Option<String>,
    /// Whether a DR may still be sent: not after one was sent or received, not after part of
    /// a frame went out, not after the stream ended.
    may_disconnect: bool,
    /// Whether the stream is still in step although the connection is broken (an idle timeout):
    /// then closing still sends a DR.
    in_step: bool,
}

impl Core {
    fn new(role: Role, state: State, own_tpdu_size: TpduSize, max_tsdu_len: usize) -> Self {
        let handshake_limit = own_tpdu_size
            .bytes()
            .saturating_add(tpkt::HEADER_LEN)
            .max(HANDSHAKE_FRAME_LEN);
        let mut core = Core {
            role,
            state,
            config_local_tsap: Tsap::from_u16(0),
            config_remote_tsap: Tsap::from_u16(0),
            own_tpdu_size,
            local_reference: 0,
            max_tsdu_len,
            max_frame_len: tpkt::MAX_FRAME_LEN,
            negotiated: None,
            rx: BytesMut::new(),
            decoder: tpkt::FrameDecoder::new(),
            chunk: MIN_READ_CHUNK,
            window: 0,
            expected_frame: handshake_limit,
            base_chunk: MIN_READ_CHUNK,
            reassembler: cotp::Reassembler::new(max_tsdu_len),
            tx: Vec::with_capacity(INITIAL_TX_CAPACITY),
            tx_sent: 0,
            failure: None,
            may_disconnect: true,
            in_step: false,
        };
        core.set_frame_limit(handshake_limit, handshake_limit);
        core.rx.reserve(core.base_chunk());
        core
    }

    /// A client core with its CR already queued in [`transmit`](Self::transmit).
    ///
    /// # Errors
    /// [`Error::Cotp`] if the CR cannot be encoded (a TSAP too long for one header).
    pub fn client(config: ClientConfig) -> Result<Self, Error> {
        let mut core = Core::new(
            Role::Client,
            State::AwaitConfirm,
            config.tpdu_size,
            config.max_tsdu_len,
        );
        core.local_reference = config.source_reference;
        core.max_frame_len = config.max_frame_len;
        // C1, C2, C0: the order S7 clients use, which some devices expect.
        let request = ConnectionRequest {
            dst_ref: 0,
            src_ref: config.source_reference,
            class_option: 0,
            parameters: vec![
                Parameter::CallingTsap(config.local_tsap.clone()),
                Parameter::CalledTsap(config.remote_tsap.clone()),
                Parameter::TpduSize(config.tpdu_size),
            ],
        };
        core.queue_tpdu(&Tpdu::ConnectionRequest(request))?;
        core.config_local_tsap = config.local_tsap;
        core.config_remote_tsap = config.remote_tsap;
        Ok(core)
    }

    /// A server core waiting for a CR.
    pub fn server(config: ServerConfig) -> Self {
        let mut core = Core::new(
            Role::Server,
            State::AwaitRequest,
            config.max_tpdu_size,
            config.max_tsdu_len,
        );
        core.local_reference = config.local_reference;
        core.max_frame_len = config.max_frame_len;
        core
    }

    /// Which end this core is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The handshake's outcome, once it is complete.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.negotiated.as_ref()
    }

    /// Whether the handshake is complete (and the connection not refused).
    pub fn is_open(&self) -> bool {
        matches!(self.state, State::Open)
    }

    /// The cap on one reassembled TSDU.
    pub fn max_tsdu_len(&self) -> usize {
        self.max_tsdu_len
    }

    /// The longest incoming frame accepted at present.
    pub fn frame_limit(&self) -> usize {
        self.decoder.max_frame_len()
    }

    // -----------------------------------------------------------------------------------------
    // Receiving.

    /// Appends received bytes (a copy; drivers that own a read call use
    /// [`read_window`](Self::read_window) and [`rx_buffer`](Self::rx_buffer) instead).
    pub fn feed(&mut self, bytes: &[u8]) {
        self.rx.extend_from_slice(bytes);
    }

    /// Makes room for the next read and returns how many bytes it should ask for at most.
    ///
    /// Reads are sized for whole frames of the negotiated size (at least 4 KiB), and grow up
    /// to 64 KiB while they keep coming back full (a long segmented TSDU streaming in).
    #[inline(always)]
    pub fn read_window(&mut self) -> usize {
        let chunk = self.chunk;
        // Each frame handed out moves the buffer's start forward, so its spare capacity shrinks
        // a little with every request. Reserving (which reclaims or reallocates) only once
        // fewer bytes are left than the largest frame keeps that work off almost every read;
        // while reads are growing, the grown size is what must fit.
        let floor = if chunk > self.base_chunk() {
            chunk
        } else {
            self.expected_frame
        };
        if self.rx.capacity().saturating_sub(self.rx.len()) < floor {
            self.rx.reserve(chunk);
        }
        self.window = chunk.min(self.rx.capacity().saturating_sub(self.rx.len()));
        self.window
    }

    /// The receive buffer: a driver appends what it reads (at most
    /// [`read_window`](Self::read_window) bytes), then calls [`received`](Self::received).
    #[inline]
    pub fn rx_buffer(&mut self) -> &mut BytesMut {
        &mut self.rx
    }

    /// Records that a read into [`rx_buffer`](Self::rx_buffer) brought `read` bytes, which
    /// sizes the next read.
    #[inline(always)]
    pub fn received(&mut self, read: usize) {
        self.chunk = if read >= self.window && read > 0 {
            self.chunk
                .saturating_mul(2)
                .min(MAX_READ_CHUNK)
                .max(self.base_chunk())
        } else {
            self.base_chunk()
        };
        if read > 0 {
            tracing::trace!(bytes = read, buffered = self.rx.len(), "read");
        }
    }

    /// Bytes received but not yet handed out: non-zero means the stream is in the middle of
    /// a frame (or holds frames not yet asked for).
    #[inline]
    pub fn buffered_len(&self) -> usize {
        self.rx.len()
    }

    /// Whether a frame or a segmented TSDU is part-way received: what a receive deadline
    /// watches.
    #[inline]
    pub fn in_progress(&self) -> bool {
        !self.rx.is_empty() || !self.reassembler.is_idle()
    }

    /// Whether part of a frame is buffered: a timeout now leaves the stream out of step.
    #[inline]
    pub fn mid_frame(&self) -> bool {
        !self.rx.is_empty()
    }

    /// Bytes of the TSDU being reassembled.
    pub fn tsdu_progress(&self) -> usize {
        self.reassembler.buffered_len()
    }

    /// The next event the buffered bytes make, or `Ok(None)` when more bytes are needed.
    ///
    /// # Errors
    /// [`Error::Broken`] on a broken core; otherwise the peer's DR or ER and every protocol
    /// error as its own variant, which breaks the core.
    pub fn poll_event(&mut self) -> Result<Option<Event>, Error> {
        self.check_usable()?;
        match self.state {
            State::Open => return Ok(self.poll_tsdu()?.map(Event::Tsdu)),
            State::Deciding(_) | State::Refused => return Ok(None),
            State::AwaitConfirm | State::AwaitRequest => {}
        }
        let frame = match self.decoder.decode(&mut self.rx) {
            Ok(Some(frame)) => frame,
            Ok(None) => return Ok(None),
            Err(error) => return Err(self.fail(Error::Tpkt(error))),
        };
        let result = match self.state {
            State::AwaitConfirm => self.on_confirm(&frame).map(|n| Some(Event::Connected(n))),
            State::AwaitRequest => self.on_request(&frame),
            State::Open | State::Deciding(_) | State::Refused => Ok(None),
        };
        result.map_err(|error| self.fail(error))
    }

    /// The open connection's part of [`poll_event`](Self::poll_event): the next whole TSDU,
    /// or `Ok(None)` when more bytes are needed. The drivers' receive loop, which checked that
    /// the core is usable and open once per call, comes here directly: no broken-state check,
    /// no state dispatch and no [`Event`] around the TSDU on every frame.
    #[inline]
    pub(crate) fn poll_tsdu(&mut self) -> Result<Option<Bytes>, Error> {
        debug_assert!(matches!(self.state, State::Open));
        loop {
            let frame = match self.decoder.decode(&mut self.rx) {
                Ok(Some(frame)) => frame,
                Ok(None) => return Ok(None),
                Err(error) => return Err(self.fail(Error::Tpkt(error))),
            };
            match self.on_tpdu(frame) {
                Ok(Some(tsdu)) => return Ok(Some(tsdu)),
                Ok(None) => {}
                Err(error) => return Err(self.fail(error)),
            }
        }
    }

    /// [`poll_tsdu`](Self::poll_tsdu) for [`Connection::recv_into`](crate::Connection::recv_into):
    /// the next whole TSDU copied into `tsdu` (its contents replaced), `Ok(false)` when more
    /// bytes are needed.
    ///
    /// A whole TSDU in one whole DT at the front of the buffer, the usual case, is copied
    /// straight out of the receive buffer, which then stays one plain vector: no frame is
    /// split off it, so no reference count is taken or dropped and its start never moves. Any
    /// other frame takes the way of [`poll_tsdu`](Self::poll_tsdu), errors included.
    #[inline]
    pub(crate) fn poll_tsdu_into(&mut self, tsdu: &mut Vec<u8>) -> Result<bool, Error> {
        debug_assert!(matches!(self.state, State::Open));
        if let Some(frame_len) = self.whole_single_dt() {
            let payload = self
                .rx
                .get(SINGLE_DT_HEADER_LEN..frame_len)
                .unwrap_or_default();
            tsdu.clear();
            tsdu.extend_from_slice(payload);
            tracing::trace!(eot = true, len = payload.len(), "data tpdu");
            if frame_len == self.rx.len() {
                self.rx.clear();
            } else {
                self.rx.advance(frame_len);
            }
            return Ok(true);
        }
        match self.poll_tsdu()? {
            Some(whole) => {
                tsdu.clear();
                tsdu.extend_from_slice(&whole);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The length of the frame at the front of the receive buffer if it is whole and a valid
    /// DT with EOT whose payload, a whole TSDU within the cap, [`poll_tsdu`](Self::poll_tsdu)
    /// would hand out as it is (nothing being reassembled); `None` for anything else, which
    /// that way then judges.
    #[inline]
    fn whole_single_dt(&self) -> Option<usize> {
        let &[version, _, len_hi, len_lo, li, code, flags] =
            self.rx.first_chunk::<SINGLE_DT_HEADER_LEN>()?;
        let frame_len = usize::from(u16::from_be_bytes([len_hi, len_lo]));
        let payload_len = frame_len.checked_sub(SINGLE_DT_HEADER_LEN)?;
        let whole = version == tpkt::VERSION
            && [li, code, flags] == cotp::Data::header(true)
            && frame_len <= self.rx.len()
            && frame_len <= self.decoder.max_frame_len()
            && payload_len <= self.max_tsdu_len
            && self.reassembler.is_idle();
        whole.then_some(frame_len)
    }

    /// Handles one TPDU of an open connection: data goes to the reassembler, anything else
    /// ends the connection with its own error.
    #[inline]
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
        Err(self.on_other_tpdu(&tpdu))
    }

    /// Any TPDU but DT on an open connection: the error it ends the connection with.
    #[cold]
    #[inline(never)]
    fn on_other_tpdu(&mut self, tpdu: &[u8]) -> Error {
        let result = match Tpdu::parse(tpdu) {
            Ok(tpdu) => tpdu,
            Err(error) => return error.into(),
        };
        match result {
            Tpdu::DisconnectRequest(request) => {
                self.may_disconnect = false;
                tracing::debug!(role = self.role.as_str(), reason = ?request.reason, "peer sent a disconnect request");
                Error::PeerDisconnected {
                    reason: request.reason,
                }
            }
            Tpdu::Error(error) => {
                tracing::debug!(role = self.role.as_str(), cause = ?error.cause, "peer sent an error tpdu");
                Error::PeerError { cause: error.cause }
            }
            other => Error::UnexpectedTpdu {
                code: other.code(),
                context: "a data tpdu",
            },
        }
    }

    fn on_confirm(&mut self, frame: &[u8]) -> Result<Negotiated, Error> {
        let confirm = match Tpdu::parse(frame)? {
            Tpdu::ConnectionConfirm(confirm) => confirm,
            Tpdu::DisconnectRequest(request) => {
                self.may_disconnect = false;
                tracing::info!(reason = ?request.reason, "connection refused by the peer");
                return Err(Error::Refused {
                    reason: request.reason,
                });
            }
            Tpdu::Error(error) => {
                tracing::info!(cause = ?error.cause, "connection request rejected by the peer");
                return Err(Error::Rejected { cause: error.cause });
            }
            other => {
                return Err(Error::UnexpectedTpdu {
                    code: other.code(),
                    context: "a connection confirm",
                })
            }
        };
        let tpdu_size = self.check_confirm(&confirm)?;
        if confirm
            .calling_tsap()
            .is_some_and(|t| *t != self.config_local_tsap)
            || confirm
                .called_tsap()
                .is_some_and(|t| *t != self.config_remote_tsap)
        {
            tracing::debug!(
                calling = ?confirm.calling_tsap(),
                called = ?confirm.called_tsap(),
                "connection confirm names other tsaps than the request; accepted"
            );
        }
        let negotiated = Negotiated {
            tpdu_size,
            local_tsap: self.config_local_tsap.clone(),
            remote_tsap: self.config_remote_tsap.clone(),
            local_reference: self.local_reference,
            remote_reference: confirm.src_ref,
        };
        self.open(negotiated.clone());
        Ok(negotiated)
    }

    /// Validates the CC against the CR and returns the TPDU size to use.
    fn check_confirm(&self, confirm: &ConnectionConfirm) -> Result<TpduSize, Error> {
        if confirm.dst_ref != self.local_reference {
            return Err(Error::InvalidConfirm {
                reason: "destination reference does not echo the request's source reference",
            });
        }
        if confirm.class_option >> 4 != 0 {
            return Err(Error::InvalidConfirm {
                reason: "protocol class is not 0",
            });
        }
        let size = confirmed_tpdu_size(confirm, self.own_tpdu_size)?;
        if size > self.own_tpdu_size {
            return Err(Error::InvalidConfirm {
                reason: "tpdu size is larger than requested",
            });
        }
        Ok(size)
    }

    fn on_request(&mut self, frame: &[u8]) -> Result<Option<Event>, Error> {
        let request = match Tpdu::parse(frame)? {
            Tpdu::ConnectionRequest(request) => request,
            Tpdu::DisconnectRequest(request) => {
                self.may_disconnect = false;
                return Err(Error::PeerDisconnected {
                    reason: request.reason,
                });
            }
            other => {
                return Err(Error::UnexpectedTpdu {
                    code: other.code(),
                    context: "a connection request",
                })
            }
        };
        let chosen = requested_tpdu_size(&request)
            .unwrap_or(TpduSize::S128)
            .min(self.own_tpdu_size);
        let request = Box::new(Request {
            calling_tsap: request.calling_tsap().cloned(),
            called_tsap: request.called_tsap().cloned(),
            requested_tpdu_size: request.tpdu_size(),
            chosen_tpdu_size: chosen,
            request,
        });
        self.state = State::Deciding(request.clone());
        Ok(Some(Event::ConnectionRequest(request)))
    }

    /// Server: accepts the pending connection request, queues the CC (chosen TPDU size, both
    /// TSAPs echoed as received) and opens the connection.
    ///
    /// # Errors
    /// [`Error::Broken`] on a broken core, [`Error::UnexpectedTpdu`] (context "a decision")
    /// when no request is pending, [`Error::Cotp`] if the CC cannot be encoded.
    pub fn accept(&mut self) -> Result<Negotiated, Error> {
        self.check_usable()?;
        let State::Deciding(request) = &self.state else {
            return Err(no_pending_request());
        };
        let request = request.clone();
        let mut parameters = vec![Parameter::TpduSize(request.chosen_tpdu_size)];
        if let Some(calling) = &request.calling_tsap {
            parameters.push(Parameter::CallingTsap(calling.clone()));
        }
        if let Some(called) = &request.called_tsap {
            parameters.push(Parameter::CalledTsap(called.clone()));
        }
        let confirm = ConnectionConfirm {
            dst_ref: request.request.src_ref,
            src_ref: self.local_reference,
            class_option: 0,
            parameters,
        };
        self.queue_tpdu(&Tpdu::ConnectionConfirm(confirm))?;
        let unnamed = || Tsap::from_u16(0);
        let negotiated = Negotiated {
            tpdu_size: request.chosen_tpdu_size,
            local_tsap: request.called_tsap.clone().unwrap_or_else(unnamed),
            remote_tsap: request.calling_tsap.clone().unwrap_or_else(unnamed),
            local_reference: self.local_reference,
            remote_reference: request.request.src_ref,
        };
        self.open(negotiated.clone());
        Ok(negotiated)
    }

    /// Server: refuses the pending connection request with a DR carrying `reason`; the core is
    /// closed afterwards.
    ///
    /// # Errors
    /// As [`accept`](Self::accept).
    pub fn refuse(&mut self, reason: DisconnectReason) -> Result<(), Error> {
        self.check_usable()?;
        let State::Deciding(request) = &self.state else {
            return Err(no_pending_request());
        };
        let refusal = DisconnectRequest {
            dst_ref: request.request.src_ref,
            src_ref: self.local_reference,
            reason,
            parameters: Vec::new(),
        };
        self.queue_tpdu(&Tpdu::DisconnectRequest(refusal))?;
        self.state = State::Refused;
        self.may_disconnect = false;
        self.mark_closed("connection request refused locally");
        Ok(())
    }

    fn open(&mut self, negotiated: Negotiated) {
        let expected = self
            .own_tpdu_size
            .max(negotiated.tpdu_size)
            .bytes()
            .saturating_add(tpkt::HEADER_LEN)
            .max(HANDSHAKE_FRAME_LEN);
        // One DT never needs to be longer than the reassembly cap plus its headers.
        let reassembly_bound = self
            .max_tsdu_len
            .saturating_add(tpkt::HEADER_LEN)
            .saturating_add(cotp::DATA_HEADER_LEN);
        let limit = self.max_frame_len.min(reassembly_bound).max(expected);
        self.set_frame_limit(limit, expected);
        self.state = State::Open;
        self.negotiated = Some(negotiated);
    }

    /// Changes the largest frame accepted and the frame length reads are sized for.
    fn set_frame_limit(&mut self, frame_limit: usize, expected_frame: usize) {
        let limit = frame_limit.clamp(tpkt::MIN_FRAME_LEN, tpkt::MAX_FRAME_LEN);
        self.expected_frame = expected_frame.clamp(tpkt::MIN_FRAME_LEN, limit);
        self.base_chunk = self.expected_frame.max(MIN_READ_CHUNK);
        // The limit is clamped to the range the decoder accepts, so this cannot fail; if a
        // future decoder rejects it anyway, the previous limit stays, which is still safe.
        if let Err(error) = self.decoder.set_max_frame_len(limit) {
            tracing::warn!(%error, limit, "frame limit not applied");
        }
        self.chunk = self.base_chunk();
    }

    #[inline]
    fn base_chunk(&self) -> usize {
        self.base_chunk
    }

    /// The stream ended: returns the error that says where (between TSDUs:
    /// [`Error::Closed`]; inside a frame: [`Error::EofMidFrame`]; between segments:
    /// [`Error::EofMidTsdu`]) and breaks the core.
    pub fn eof(&mut self) -> Error {
        self.may_disconnect = false;
        if let Some(cause) = &self.failure {
            return Error::Broken {
                cause: cause.clone(),
            };
        }
        let buffered = self.rx.len();
        let error = if buffered > 0 {
            Error::EofMidFrame {
                received: buffered,
                expected: tpkt::peek_frame_len(&self.rx)
                    .ok()
                    .flatten()
                    .unwrap_or(tpkt::HEADER_LEN),
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

    /// A read timed out: `error` breaks the core if part of a frame is buffered (the stream is
    /// out of step), and is only returned otherwise (nothing was lost).
    pub fn read_timed_out(&mut self, error: Error) -> Error {
        if self.mid_frame() {
            self.fail(error)
        } else {
            tracing::trace!("read timed out between frames");
            error
        }
    }

    /// The peer was idle for too long: `error` breaks the core, but the stream is still in
    /// step, so [`close`](Self::close) still sends a DR.
    pub fn idle_expired(&mut self, error: Error) -> Error {
        if self.failure.is_none() && !self.mid_frame() {
            self.in_step = true;
        }
        self.fail(error)
    }

    // -----------------------------------------------------------------------------------------
    // Sending.

    /// Queues one TSDU, cut into DTs of the negotiated TPDU size (EOT on the last; an empty
    /// TSDU is one empty DT with EOT), behind whatever [`transmit`](Self::transmit) holds.
    ///
    /// # Errors
    /// [`Error::Broken`] on a broken core; [`Error::UnexpectedTpdu`] before the handshake is
    /// complete (context "an open connection").
    pub fn send(&mut self, tsdu: &[u8]) -> Result<(), Error> {
        self.check_usable()?;
        self.queue_tsdu(tsdu)
    }

    /// [`send`](Self::send) on a core known to be usable (the blocking driver has just
    /// checked): the usual TSDU, which fits one DT, inline; anything else out of line.
    #[inline]
    pub(crate) fn queue_tsdu(&mut self, tsdu: &[u8]) -> Result<(), Error> {
        if self.queue_single_dt(tsdu)? {
            return Ok(());
        }
        self.queue_segments(tsdu)
    }

    /// Queues `tsdu` as one DT with EOT if the connection is open and it fits one TPDU of the
    /// negotiated size; returns whether it did.
    #[inline]
    fn queue_single_dt(&mut self, tsdu: &[u8]) -> Result<bool, Error> {
        let Some(negotiated) = &self.negotiated else {
            return Ok(false);
        };
        let tpdu_size = negotiated.tpdu_size.bytes();
        let tpdu_len = tsdu.len().saturating_add(cotp::DATA_HEADER_LEN);
        // A TPDU size that leaves no room for data goes the segment iterator's way, for its
        // error.
        if tpdu_len > tpdu_size || tpdu_size <= cotp::DATA_HEADER_LEN {
            return Ok(false);
        }
        let [version, reserved, len_hi, len_lo] = tpkt::encode_header(tpdu_len)?;
        let [li, code, flags] = cotp::Data::header(true);
        self.tx.reserve(tpdu_len.saturating_add(tpkt::HEADER_LEN));
        self.tx
            .extend_from_slice(&[version, reserved, len_hi, len_lo, li, code, flags]);
        self.tx.extend_from_slice(tsdu);
        tracing::trace!(
            tsdu_len = tsdu.len(),
            frames = 1,
            pending = self.tx.len(),
            "encoded tsdu"
        );
        Ok(true)
    }

    /// The rest of [`queue_tsdu`](Self::queue_tsdu): a TSDU cut into several DTs, or the error
    /// of a connection that is not open (or of a TPDU size with no room for data).
    #[inline(never)]
    fn queue_segments(&mut self, tsdu: &[u8]) -> Result<(), Error> {
        let Some(negotiated) = &self.negotiated else {
            return Err(Error::UnexpectedTpdu {
                code: cotp::tpdu_code::DATA,
                context: "an open connection",
            });
        };
        let tpdu_size = negotiated.tpdu_size.bytes();
        let segments = cotp::segments(tsdu, tpdu_size)?;
        let frames = segments.len();
        self.tx.reserve(
            frames
                .saturating_mul(tpkt::HEADER_LEN + cotp::DATA_HEADER_LEN)
                .saturating_add(tsdu.len()),
        );
        for segment in segments {
            let header = tpkt::encode_header(segment.buffer_len())?;
            self.tx.extend_from_slice(&header);
            segment.emit(&mut self.tx);
        }
        tracing::trace!(
            tsdu_len = tsdu.len(),
            frames,
            pending = self.tx.len(),
            "encoded tsdu"
        );
        Ok(())
    }

    /// Queues `bytes` exactly as given, whatever the state: a fault-injection hatch.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.tx.extend_from_slice(bytes);
    }

    /// Queues an ER TPDU with `cause`; the connection stays usable. A fault-injection hatch.
    ///
    /// # Errors
    /// [`Error::Cotp`] if it cannot be encoded.
    pub fn send_error_tpdu(&mut self, cause: RejectCause) -> Result<(), Error> {
        let remote = self.remote_reference();
        let error = cotp::ErrorTpdu {
            dst_ref: remote,
            cause,
            invalid_tpdu: None,
        };
        self.queue_tpdu(&Tpdu::Error(error))
    }

    /// Queues a DR with `reason` and marks the core closed (every later call answers
    /// [`Error::Broken`]).
    ///
    /// # Errors
    /// [`Error::Cotp`] if it cannot be encoded.
    pub fn send_disconnect(&mut self, reason: DisconnectReason) -> Result<(), Error> {
        let result = self.queue_disconnect(reason);
        self.may_disconnect = false;
        self.mark_closed("disconnect request sent");
        result
    }

    /// Closes the connection: queues a DR with reason normal when one may still be sent (not
    /// after a DR either way, not once the stream is out of step or ended), drops unsent bytes
    /// of earlier calls first unless part of them already went out, and marks the core closed.
    /// Returns whether a DR was queued.
    pub fn close(&mut self) -> bool {
        if !self.may_disconnect {
            self.mark_closed("connection closed locally");
            return false;
        }
        let partial = self.abandon_transmit();
        let queue = !partial
            && self.may_disconnect
            && (self.failure.is_none() || self.in_step)
            && self.negotiated.is_some();
        let queued = queue && self.queue_disconnect(DisconnectReason::Normal).is_ok();
        self.may_disconnect = false;
        self.mark_closed("connection closed locally");
        queued
    }

    /// Marks the core closed without a DR (the driver shuts the stream down).
    pub fn abort(&mut self, cause: &str) {
        self.may_disconnect = false;
        self.mark_closed(cause);
    }

    fn queue_disconnect(&mut self, reason: DisconnectReason) -> Result<(), Error> {
        let request = DisconnectRequest {
            dst_ref: self.remote_reference(),
            src_ref: self.local_reference,
            reason,
            parameters: Vec::new(),
        };
        self.queue_tpdu(&Tpdu::DisconnectRequest(request))
    }

    fn remote_reference(&self) -> u16 {
        self.negotiated
            .as_ref()
            .map_or(0, |negotiated| negotiated.remote_reference)
    }

    fn queue_tpdu(&mut self, tpdu: &Tpdu<'_>) -> Result<(), Error> {
        let header = tpkt::encode_header(tpdu.buffer_len())?;
        let start = self.tx.len();
        self.tx.extend_from_slice(&header);
        if let Err(error) = tpdu.emit(&mut self.tx) {
            self.tx.truncate(start);
            return Err(error.into());
        }
        Ok(())
    }

    /// The bytes waiting to be written.
    #[inline]
    pub fn transmit(&self) -> &[u8] {
        self.tx.get(self.tx_sent..).unwrap_or_default()
    }

    /// Whether bytes wait to be written.
    #[inline]
    pub fn has_transmit(&self) -> bool {
        self.tx_sent < self.tx.len()
    }

    /// Records that the first `written` bytes of [`transmit`](Self::transmit) were written;
    /// the buffer is reused once all of it was.
    #[inline]
    pub fn advance_transmit(&mut self, written: usize) {
        self.tx_sent = self.tx_sent.saturating_add(written).min(self.tx.len());
        if self.tx_sent == self.tx.len() {
            self.tx.clear();
            self.tx_sent = 0;
        }
    }

    /// Drops the bytes still waiting to be written (a write that failed or was given up).
    /// Returns whether part of them had already been written, in which case the peer holds a
    /// partial frame: no DR may follow, and the driver breaks the connection.
    #[inline]
    pub fn abandon_transmit(&mut self) -> bool {
        let partial = self.tx_sent > 0;
        self.tx.clear();
        self.tx_sent = 0;
        if partial {
            self.may_disconnect = false;
        }
        partial
    }

    // -----------------------------------------------------------------------------------------
    // The broken state.

    /// Records the first fatal error so that every later call reports it; returns `error`.
    pub fn fail(&mut self, error: Error) -> Error {
        if self.failure.is_none() {
            tracing::debug!(role = self.role.as_str(), %error, "connection broken");
            self.failure = Some(error.to_string());
        }
        error
    }

    fn mark_closed(&mut self, cause: &str) {
        if self.failure.is_none() {
            self.failure = Some(cause.to_owned());
        }
    }

    /// `Ok` unless the core is broken or closed; then [`Error::Broken`] naming the cause.
    ///
    /// # Errors
    /// [`Error::Broken`].
    #[inline]
    pub fn check_usable(&self) -> Result<(), Error> {
        match &self.failure {
            None => Ok(()),
            Some(cause) => Err(broken(cause)),
        }
    }

    /// Whether an error, a disconnect or a local close left the core unusable.
    #[inline]
    pub fn is_broken(&self) -> bool {
        self.failure.is_some()
    }

    /// Whether a DR may still be sent.
    pub fn may_disconnect(&self) -> bool {
        self.may_disconnect
    }
}

/// [`Error::Broken`] naming `cause`; out of line, so that the check before every call stays
/// small.
#[cold]
fn broken(cause: &str) -> Error {
    Error::Broken {
        cause: cause.to_owned(),
    }
}

fn no_pending_request() -> Error {
    Error::UnexpectedTpdu {
        code: cotp::tpdu_code::CONNECTION_REQUEST,
        context: "a decision on a pending connection request",
    }
}

/// The TPDU size a CC confirms: C0 if present, else the largest standard size within F0 (capped
/// at the requested one, F0 being only a preference), else the ISO 8073 default of 128.
fn confirmed_tpdu_size(
    confirm: &ConnectionConfirm,
    requested: TpduSize,
) -> Result<TpduSize, Error> {
    if let Some(size) = confirm.tpdu_size() {
        return Ok(size);
    }
    match confirm.preferred_max_tpdu_size() {
        Some(units) => {
            let bytes = usize::try_from(units)
                .unwrap_or(usize::MAX)
                .saturating_mul(128);
            TpduSize::fitting(bytes)
                .map(|size| size.min(requested))
                .ok_or(Error::InvalidConfirm {
                    reason: "preferred maximum tpdu size is below 128",
                })
        }
        None => Ok(TpduSize::S128),
    }
}

/// The TPDU size a CR asks for: C0, else the largest standard size within the preferred
/// maximum (F0), else none.
fn requested_tpdu_size(request: &ConnectionRequest) -> Option<TpduSize> {
    request.tpdu_size().or_else(|| {
        request.preferred_max_tpdu_size().and_then(|units| {
            TpduSize::fitting(
                usize::try_from(units)
                    .unwrap_or(usize::MAX)
                    .saturating_mul(128),
            )
        })
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    /// A server core with its handshake done, TPDU size 128, TSDUs capped at `max_tsdu_len`.
    fn open_server(max_tsdu_len: usize) -> Core {
        let client = Core::client(ClientConfig::new().tpdu_size(TpduSize::S128)).unwrap();
        let mut server = Core::server(ServerConfig::new().max_tsdu_len(max_tsdu_len));
        server.feed(client.transmit());
        let Some(Event::ConnectionRequest(_)) = server.poll_event().unwrap() else {
            panic!("no connection request");
        };
        server.accept().unwrap();
        server.advance_transmit(server.transmit().len());
        server
    }

    /// One frame: TPKT header, DT header with `flags`, `payload`.
    fn dt(flags: u8, payload: &[u8]) -> Vec<u8> {
        let [hi, lo] = u16::try_from(payload.len() + 7).unwrap().to_be_bytes();
        let mut frame = vec![3, 0, hi, lo, 2, 0xF0, flags];
        frame.extend_from_slice(payload);
        frame
    }

    /// Feeds `bytes` to two cores alike and polls them until they need more bytes or fail:
    /// one with `poll_tsdu`, one with `poll_tsdu_into` into a buffer holding stale bytes.
    /// Both must hand out the same TSDUs and end the same way, with as much left buffered.
    fn same_either_way(bytes: &[u8], max_tsdu_len: usize) -> (Vec<Vec<u8>>, Option<String>) {
        let mut by_bytes = open_server(max_tsdu_len);
        let mut by_copy = open_server(max_tsdu_len);
        by_bytes.feed(bytes);
        by_copy.feed(bytes);
        let mut got = Vec::new();
        let mut buffer = vec![0xEE; 5];
        let end = loop {
            let expected = by_bytes.poll_tsdu();
            let copied = by_copy.poll_tsdu_into(&mut buffer);
            match (expected, copied) {
                (Ok(Some(tsdu)), Ok(true)) => {
                    assert_eq!(buffer, &tsdu[..]);
                    got.push(buffer.clone());
                }
                (Ok(None), Ok(false)) => break None,
                (Err(expected), Err(copied)) => {
                    assert_eq!(expected.to_string(), copied.to_string());
                    break Some(copied.to_string());
                }
                (expected, copied) => panic!("{expected:?} but {copied:?}"),
            }
        };
        assert_eq!(by_bytes.buffered_len(), by_copy.buffered_len());
        assert_eq!(by_bytes.tsdu_progress(), by_copy.tsdu_progress());
        (got, end)
    }

    #[test]
    fn recv_into_hands_out_what_recv_does() {
        let mut stream = dt(0x80, b"one");
        stream.extend(dt(0x80, b""));
        stream.extend(dt(0x00, b"")); // fast acknowledge
        stream.extend(dt(0x00, b"seg"));
        stream.extend(dt(0x80, b"mented"));
        stream.extend(dt(0x80, b"two"));
        stream.extend(&dt(0x80, b"cut short")[..8]);
        let (got, end) = same_either_way(&stream, 1024);
        assert_eq!(
            got,
            [&b"one"[..], b"", b"segmented", b"two"].map(<[u8]>::to_vec)
        );
        assert_eq!(end, None);
    }

    #[test]
    fn recv_into_fails_as_recv_does() {
        for (stream, max_tsdu_len) in [
            (dt(0x80, &[0x32; 9]), 8),                              // over the cap
            (dt(0x81, b"numbered"), 1024),                          // TPDU number
            ([&[4, 0, 0, 8, 2, 0xF0, 0x80, 1][..]].concat(), 1024), // TPKT version
            ([&[3, 0, 0, 8, 3, 0xF0, 0x80, 1][..]].concat(), 1024), // DT length indicator
            ([&[3, 0, 0, 8, 2, 0x80, 0x80, 1][..]].concat(), 1024), // disconnect request
            ([&[3, 0, 0x10, 0, 2, 0xF0, 0x80][..]].concat(), 1024), // over the frame limit
        ] {
            let (got, end) = same_either_way(&stream, max_tsdu_len);
            assert!(got.is_empty());
            assert!(end.is_some(), "{stream:02X?}");
        }
    }
}
