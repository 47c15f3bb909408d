//! Connection settings: [`ClientOptions`], [`ServerOptions`] and [`Keepalive`].

use std::time::Duration;

use cotp::{TpduSize, Tsap};

use crate::{Connection, Error, RemoteAddr};

/// Default calling TSAP of a client: `0x0100` (S7 "PG" connection, rack 0, slot 0 side).
pub const DEFAULT_LOCAL_TSAP: u16 = 0x0100;
/// Default called TSAP of a client: `0x0102` (S7 "PG" connection to rack 0, slot 2).
pub const DEFAULT_REMOTE_TSAP: u16 = 0x0102;
/// Default cap on one reassembled TSDU: 64 KiB.
pub const DEFAULT_MAX_TSDU_LEN: usize = 64 * 1024;
/// Default listen backlog.
pub const DEFAULT_BACKLOG: u32 = 1024;
/// Smallest listen backlog accepted: a tiny backlog drops concurrent connects.
pub const MIN_BACKLOG: u32 = 128;

/// TCP keepalive tuning. Keepalive is on by default on both sides, so a peer that vanished
/// (power loss, cable pulled) is noticed even when no request is outstanding.
///
/// Not every platform lets every value be tuned; a value the platform refuses is logged with
/// `tracing::warn!` and the connection goes on with the system default for it.
///
/// ```
/// use std::time::Duration;
/// use iso_tcp::Keepalive;
/// let fast = Keepalive { idle: Duration::from_secs(5), ..Keepalive::default() };
/// assert_eq!(fast.retries, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    /// Idle time before the first probe (`TCP_KEEPIDLE`); whole seconds on most platforms.
    pub idle: Duration,
    /// Time between probes (`TCP_KEEPINTVL`).
    pub interval: Duration,
    /// Unanswered probes before the connection is dropped (`TCP_KEEPCNT`).
    pub retries: u32,
}

impl Default for Keepalive {
    /// 30 s idle, 5 s between probes, 3 probes: a dead peer is noticed within about 45 s.
    fn default() -> Self {
        Keepalive {
            idle: Duration::from_secs(30),
            interval: Duration::from_secs(5),
            retries: 3,
        }
    }
}

/// The socket settings both sides share once a connection exists.
#[derive(Debug, Clone)]
pub(crate) struct StreamOptions {
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) write_timeout: Option<Duration>,
    pub(crate) keepalive: Option<Keepalive>,
    pub(crate) nodelay: bool,
    pub(crate) max_tsdu_len: usize,
    pub(crate) max_frame_len: usize,
    pub(crate) receive_deadline: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
}

/// Settings of a client connection, built step by step and consumed by
/// [`connect`](ClientOptions::connect).
///
/// | setting | default |
/// |---|---|
/// | calling (local) TSAP | `0x0100` |
/// | called (remote) TSAP | `0x0102` |
/// | requested TPDU size | 1024 |
/// | connect timeout (TCP connect, then again for the CR/CC exchange) | 5 s |
/// | read timeout | 10 s |
/// | write timeout | 10 s |
/// | TCP keepalive | on, [`Keepalive::default`] |
/// | `TCP_NODELAY` | on |
/// | largest reassembled TSDU | 64 KiB |
/// | largest incoming frame once connected | 65,535 bytes |
/// | receive deadline (rest of a frame or segmented TSDU once begun) | off |
/// | idle timeout | off |
/// | source reference of the CR | `0x0001` |
///
/// ```no_run
/// use std::time::Duration;
/// use iso_tcp::ClientOptions;
/// use cotp::{S7ConnectionType, TpduSize, Tsap};
///
/// let mut connection = ClientOptions::new("192.168.0.10")
///     .remote_tsap(Tsap::s7(S7ConnectionType::Pg, 0, 1)?)
///     .tpdu_size(TpduSize::S1024)
///     .read_timeout(Some(Duration::from_secs(2)))
///     .connect()?;
/// connection.send(b"request")?;
/// let answer = connection.recv()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub(crate) remote: RemoteAddr,
    pub(crate) local_tsap: Tsap,
    pub(crate) remote_tsap: Tsap,
    pub(crate) tpdu_size: TpduSize,
    pub(crate) connect_timeout: Duration,
    pub(crate) source_reference: u16,
    pub(crate) stream: StreamOptions,
}

impl ClientOptions {
    /// Options for connecting to `remote`, with every other setting at its default.
    pub fn new(remote: impl Into<RemoteAddr>) -> Self {
        ClientOptions {
            remote: remote.into(),
            local_tsap: Tsap::from_u16(DEFAULT_LOCAL_TSAP),
            remote_tsap: Tsap::from_u16(DEFAULT_REMOTE_TSAP),
            tpdu_size: TpduSize::S1024,
            connect_timeout: Duration::from_secs(5),
            source_reference: 0x0001,
            stream: StreamOptions {
                read_timeout: Some(Duration::from_secs(10)),
                write_timeout: Some(Duration::from_secs(10)),
                keepalive: Some(Keepalive::default()),
                nodelay: true,
                max_tsdu_len: DEFAULT_MAX_TSDU_LEN,
                max_frame_len: tpkt::MAX_FRAME_LEN,
                receive_deadline: None,
                idle_timeout: None,
            },
        }
    }

    /// The calling TSAP sent in the CR (parameter C1).
    #[must_use]
    pub fn local_tsap(mut self, tsap: Tsap) -> Self {
        self.local_tsap = tsap;
        self
    }

    /// The called TSAP sent in the CR (parameter C2); for S7 it selects rack and slot.
    #[must_use]
    pub fn remote_tsap(mut self, tsap: Tsap) -> Self {
        self.remote_tsap = tsap;
        self
    }

    /// The TPDU size to ask for; the server may confirm a smaller one.
    #[must_use]
    pub fn tpdu_size(mut self, size: TpduSize) -> Self {
        self.tpdu_size = size;
        self
    }

    /// Bound on the TCP connect to each resolved address, and, separately, on the wait for
    /// the connection confirm.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Bound on each read system call of an established connection; `None` waits forever.
    #[must_use]
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.stream.read_timeout = timeout;
        self
    }

    /// Bound on each write system call of an established connection; `None` waits forever.
    #[must_use]
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.stream.write_timeout = timeout;
        self
    }

    /// TCP keepalive settings; `None` leaves keepalive off.
    #[must_use]
    pub fn keepalive(mut self, keepalive: Option<Keepalive>) -> Self {
        self.stream.keepalive = keepalive;
        self
    }

    /// Whether to set `TCP_NODELAY` (on by default: requests are small and latency-bound).
    #[must_use]
    pub fn nodelay(mut self, nodelay: bool) -> Self {
        self.stream.nodelay = nodelay;
        self
    }

    /// Cap on one reassembled TSDU; a peer sending more is an error before anything past the
    /// cap is allocated.
    #[must_use]
    pub fn max_tsdu_len(mut self, len: usize) -> Self {
        self.stream.max_tsdu_len = len;
        self
    }

    /// Largest incoming TPKT frame accepted once connected (default 65,535, the largest TPKT
    /// frame). Real servers ignore the negotiated TPDU size in their answers (snap7's server
    /// sends 490-byte DTs on a TPDU-128 connection), so frames larger than the negotiated size
    /// are taken up to this length. It never goes below what the negotiated size needs, and
    /// never above what the [`max_tsdu_len`](Self::max_tsdu_len) cap can hold in one DT.
    /// What this end sends always stays within the negotiated size.
    #[must_use]
    pub fn max_frame_len(mut self, len: usize) -> Self {
        self.stream.max_frame_len = len;
        self
    }

    /// Receive deadline (default: off): once the first byte of a frame, or the first segment
    /// of a segmented TSDU, has arrived, the whole TSDU must be in within this time, or
    /// [`Connection::recv`] fails with [`Error::ReceiveDeadline`] and the connection is broken.
    /// Bytes that keep arriving buy no extra time: a peer trickling a frame byte by byte, or
    /// sending empty "fast acknowledge" DTs in the middle of a TSDU, is cut all the same.
    /// A peer idle between messages is left alone. `None` turns it off.
    #[must_use]
    pub fn receive_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.stream.receive_deadline = deadline;
        self
    }

    /// Idle timeout (default: off): a peer that sends nothing at all for this long while no
    /// frame is part-way received makes [`Connection::recv`] fail with
    /// [`Error::IdleTimeout`]; the connection is broken, though closing it still sends a DR.
    /// Counted from the last byte received (or the handshake), across calls. `None` turns it
    /// off.
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.stream.idle_timeout = timeout;
        self
    }

    /// The source reference put in the CR (default `0x0001`, as S7 clients send). The server
    /// must echo it as the destination reference of its CC.
    #[must_use]
    pub fn source_reference(mut self, reference: u16) -> Self {
        self.source_reference = reference;
        self
    }

    /// Replaces the remote address, keeping every other setting (to reuse one set of options
    /// for several devices).
    #[must_use]
    pub fn remote(mut self, remote: impl Into<RemoteAddr>) -> Self {
        self.remote = remote.into();
        self
    }

    /// The remote address as configured.
    pub fn remote_addr(&self) -> &RemoteAddr {
        &self.remote
    }

    /// Opens the connection: TCP connect, CR, CC. See [`crate::client`] for the details.
    ///
    /// # Errors
    /// Resolution, connect and handshake errors; see [`Error`].
    pub fn connect(self) -> Result<Connection, Error> {
        crate::client::connect(self)
    }
}

/// Settings of a [`Listener`](crate::Listener) and of the connections it accepts.
///
/// | setting | default |
/// |---|---|
/// | largest TPDU size granted | 1024 (as S7 CPUs) |
/// | handshake timeout (start of the handshake to CR received) | 5 s |
/// | read timeout | none: a client may idle for as long as it likes; keepalive finds dead ones |
/// | write timeout | 10 s |
/// | TCP keepalive | on, [`Keepalive::default`] |
/// | `TCP_NODELAY` | on |
/// | largest reassembled TSDU | 64 KiB |
/// | largest incoming frame once connected | 65,535 bytes |
/// | receive deadline (rest of a frame or segmented TSDU once begun) | off |
/// | idle timeout | off |
/// | listen backlog | 1024 (at least 128) |
///
/// ```
/// use std::time::Duration;
/// use iso_tcp::ServerOptions;
/// use cotp::TpduSize;
/// let options = ServerOptions::new()
///     .max_tpdu_size(TpduSize::S8192)
///     .handshake_timeout(Duration::from_secs(2));
/// ```
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub(crate) max_tpdu_size: TpduSize,
    pub(crate) handshake_timeout: Duration,
    pub(crate) backlog: u32,
    pub(crate) stream: StreamOptions,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions::new()
    }
}

impl ServerOptions {
    /// The defaults listed above.
    pub fn new() -> Self {
        ServerOptions {
            max_tpdu_size: TpduSize::S1024,
            handshake_timeout: Duration::from_secs(5),
            backlog: DEFAULT_BACKLOG,
            stream: StreamOptions {
                read_timeout: None,
                write_timeout: Some(Duration::from_secs(10)),
                keepalive: Some(Keepalive::default()),
                nodelay: true,
                max_tsdu_len: DEFAULT_MAX_TSDU_LEN,
                max_frame_len: tpkt::MAX_FRAME_LEN,
                receive_deadline: None,
                idle_timeout: None,
            },
        }
    }

    /// The largest TPDU size granted; a client asking for more gets this one.
    #[must_use]
    pub fn max_tpdu_size(mut self, size: TpduSize) -> Self {
        self.max_tpdu_size = size;
        self
    }

    /// Deadline from the start of the handshake (right after TCP accept, unless the handshake
    /// runs later on a worker) to a complete CR: a client that stays silent cannot hold the
    /// handshake longer than this.
    #[must_use]
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Listen backlog; values below [`MIN_BACKLOG`] are raised to it.
    #[must_use]
    pub fn backlog(mut self, backlog: u32) -> Self {
        self.backlog = backlog.max(MIN_BACKLOG);
        self
    }

    /// Bound on each read system call of an accepted connection; `None` waits forever.
    #[must_use]
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.stream.read_timeout = timeout;
        self
    }

    /// Bound on each write system call of an accepted connection; `None` waits forever.
    #[must_use]
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.stream.write_timeout = timeout;
        self
    }

    /// TCP keepalive settings; `None` leaves keepalive off.
    #[must_use]
    pub fn keepalive(mut self, keepalive: Option<Keepalive>) -> Self {
        self.stream.keepalive = keepalive;
        self
    }

    /// Whether to set `TCP_NODELAY` on accepted connections.
    #[must_use]
    pub fn nodelay(mut self, nodelay: bool) -> Self {
        self.stream.nodelay = nodelay;
        self
    }

    /// Cap on one reassembled TSDU.
    #[must_use]
    pub fn max_tsdu_len(mut self, len: usize) -> Self {
        self.stream.max_tsdu_len = len;
        self
    }

    /// Largest incoming TPKT frame accepted on an established connection (default 65,535):
    /// as [`ClientOptions::max_frame_len`], frames larger than the negotiated TPDU size are
    /// taken up to this length, bounded by the reassembly cap.
    #[must_use]
    pub fn max_frame_len(mut self, len: usize) -> Self {
        self.stream.max_frame_len = len;
        self
    }

    /// Receive deadline of accepted connections (default: off): as
    /// [`ClientOptions::receive_deadline`], a client that stops (or trickles) in the middle of
    /// a frame or of a segmented TSDU is cut with [`Error::ReceiveDeadline`] when it expires,
    /// while a client idle between requests is left alone. `None` turns it off.
    #[must_use]
    pub fn receive_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.stream.receive_deadline = deadline;
        self
    }

    /// Idle timeout of accepted connections (default: off): as
    /// [`ClientOptions::idle_timeout`], a client that sends nothing for this long between
    /// requests is cut with [`Error::IdleTimeout`]. `None` turns it off.
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.stream.idle_timeout = timeout;
        self
    }

    /// The listen backlog in force.
    pub fn backlog_len(&self) -> u32 {
        self.backlog
    }
}
