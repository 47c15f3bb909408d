//! [`ClientBuilder`]: connect by rack, slot and connection type, or by explicit TSAPs.

use std::time::Duration;

use cotp::S7ConnectionType;
use iso_tcp::{ClientOptions, RemoteAddr, TpduSize, Tsap};

use crate::client::DEFAULT_REQUESTED_PDU;
use crate::{Client, Error};

/// Settings of a client connection, consumed by [`ClientBuilder::connect`].
///
/// | setting | default |
/// |---|---|
/// | port | 102 (give `host:port` to change it) |
/// | rack, slot | 0, 2 (S7-300; S7-1200/1500 CPUs sit in slot 1) |
/// | connection type | PG (1); OP is 2, S7 basic 3 |
/// | called (remote) TSAP | `(type << 8) \| (rack << 5) \| slot`, unless set with [`remote_tsap`](Self::remote_tsap) |
/// | calling (local) TSAP | `0x0100` |
/// | requested PDU size | 960 (the CPU grants at most its own, often 240 or 480) |
/// | requested parallel jobs | 8 ([`MAX_JOBS_IN_FLIGHT`](crate::MAX_JOBS_IN_FLIGHT)); the CPU grants at most its own |
/// | TPDU size | 1024 |
/// | connect timeout | 5 s |
/// | read and write timeouts | 10 s |
///
/// Anything else of [`iso_tcp::ClientOptions`] (keepalive, `TCP_NODELAY`, the largest TSDU)
/// is reachable with [`transport`](Self::transport).
///
/// ```no_run
/// use std::time::Duration;
/// use s7_client::{Client, ConnectionType};
///
/// let mut client = Client::builder("192.168.0.10")
///     .rack_slot(0, 1)
///     .connection_type(ConnectionType::Op)
///     .pdu_size(480)
///     .read_timeout(Some(Duration::from_secs(2)))
///     .connect()?;
/// println!("pdu {} bytes, {} parallel jobs", client.pdu_size(), client.max_amq_called());
/// # Ok::<(), s7_client::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    options: ClientOptions,
    rack: u8,
    slot: u8,
    connection_type: S7ConnectionType,
    remote_tsap: Option<Tsap>,
    pdu_size: u16,
    parallel_jobs: u16,
}

impl ClientBuilder {
    /// A builder for `remote` (`"host"`, `"host:port"`, a socket address, ...) with the
    /// defaults above.
    pub fn new(remote: impl Into<RemoteAddr>) -> Self {
        Self::from_options(ClientOptions::new(remote))
    }

    /// A builder starting from existing transport options; their called TSAP is replaced by
    /// the one of rack and slot unless [`remote_tsap`](Self::remote_tsap) is set.
    pub fn from_options(options: ClientOptions) -> Self {
        Self {
            options,
            rack: 0,
            slot: 2,
            connection_type: S7ConnectionType::Pg,
            remote_tsap: None,
            pdu_size: DEFAULT_REQUESTED_PDU,
            parallel_jobs: crate::MAX_JOBS_IN_FLIGHT,
        }
    }

    /// The rack (0..=7) of the CPU.
    #[must_use]
    pub fn rack(mut self, rack: u8) -> Self {
        self.rack = rack;
        self
    }

    /// The slot (0..=31) of the CPU.
    #[must_use]
    pub fn slot(mut self, slot: u8) -> Self {
        self.slot = slot;
        self
    }

    /// Rack and slot at once.
    #[must_use]
    pub fn rack_slot(self, rack: u8, slot: u8) -> Self {
        self.rack(rack).slot(slot)
    }

    /// The connection type: PG (programming device), OP (operator panel) or S7 basic.
    #[must_use]
    pub fn connection_type(mut self, kind: S7ConnectionType) -> Self {
        self.connection_type = kind;
        self
    }

    /// An explicit called TSAP (e.g. `0x0301`, or `SIMATIC-ROOT-HMI`); rack, slot and
    /// connection type are then ignored.
    #[must_use]
    pub fn remote_tsap(mut self, tsap: impl Into<Tsap>) -> Self {
        self.remote_tsap = Some(tsap.into());
        self
    }

    /// The calling TSAP (default `0x0100`).
    #[must_use]
    pub fn local_tsap(mut self, tsap: impl Into<Tsap>) -> Self {
        self.options = self.options.local_tsap(tsap.into());
        self
    }

    /// The PDU size to ask for in setup communication; the CPU grants at most this.
    #[must_use]
    pub fn pdu_size(mut self, size: u16) -> Self {
        self.pdu_size = size;
        self
    }

    /// The parallel jobs (AmQ calling and called) to ask for in setup communication. The CPU
    /// grants at most its own; calls that take several PDUs then keep up to the smaller of the
    /// two granted values (at most [`MAX_JOBS_IN_FLIGHT`](crate::MAX_JOBS_IN_FLIGHT)) requests
    /// in flight ([`Client::jobs_in_flight`]). `1` keeps every call strictly one request,
    /// one answer.
    #[must_use]
    pub fn parallel_jobs(mut self, jobs: u16) -> Self {
        self.parallel_jobs = jobs.max(1);
        self
    }

    /// The TPDU size to ask for in the COTP connection request.
    #[must_use]
    pub fn tpdu_size(mut self, size: TpduSize) -> Self {
        self.options = self.options.tpdu_size(size);
        self
    }

    /// Bound on the TCP connect, and separately on the COTP handshake.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.options = self.options.connect_timeout(timeout);
        self
    }

    /// Bound on each read of an answer; `None` waits forever.
    #[must_use]
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.options = self.options.read_timeout(timeout);
        self
    }

    /// Bound on each write of a request; `None` waits forever.
    #[must_use]
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.options = self.options.write_timeout(timeout);
        self
    }

    /// Any other transport setting, e.g. `.transport(|o| o.keepalive(None))`.
    #[must_use]
    pub fn transport(mut self, change: impl FnOnce(ClientOptions) -> ClientOptions) -> Self {
        self.options = change(self.options);
        self
    }

    /// The called TSAP this builder connects to.
    ///
    /// # Errors
    /// [`Error::Tsap`] when rack or slot are out of range.
    pub fn called_tsap(&self) -> Result<Tsap, Error> {
        match &self.remote_tsap {
            Some(tsap) => Ok(tsap.clone()),
            None => Ok(Tsap::s7(self.connection_type, self.rack, self.slot)?),
        }
    }

    /// The transport options this builder connects with.
    ///
    /// # Errors
    /// [`Error::Tsap`] when rack or slot are out of range.
    pub fn options(&self) -> Result<ClientOptions, Error> {
        Ok(self.options.clone().remote_tsap(self.called_tsap()?))
    }

    /// Connects: TCP, the COTP handshake, then setup communication.
    ///
    /// # Errors
    /// [`Error::Tsap`] for a rack or slot out of range; transport errors (refused, timeout,
    /// a DR from a CPU that has no such rack and slot); an error answer to setup
    /// communication.
    pub fn connect(self) -> Result<Client, Error> {
        let connection = self.options()?.connect()?;
        Client::negotiate(connection, self.pdu_size, self.parallel_jobs)
    }
}
