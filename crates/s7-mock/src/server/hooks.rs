//! Hooks for Rust test suites: a write observer, a read hook that may supply values itself
//! (snap7's "resourceless" mode), and connection events; installed with
//! [`ServerBuilder::on_write`](super::ServerBuilder::on_write),
//! [`on_read`](super::ServerBuilder::on_read) and
//! [`on_connection_event`](super::ServerBuilder::on_connection_event).
//!
//! # When they are called
//!
//! Every hook runs on the worker serving the connection, **with no lock of the server
//! held**: no memory lock, no request log, fault or connection registry lock. A hook may
//! therefore call back into the [`Server`](super::Server), its [`Plc`](crate::plc::Plc) or
//! the memory (read it, write it) without deadlocking. Hooks of different connections may run
//! at the same time, hence `Send + Sync`. While a hook runs, its connection waits: a hook
//! that blocks stalls that client (and only that one).
//!
//! - The write observer: once per successfully written item of a write var request, in item
//!   order, after all items of the request were applied and the memory lock was released,
//!   before the answer is sent (so when the client's write returns, its observer calls have
//!   returned). Items that failed (return code other than `FF`, an injected
//!   [`Fault::ItemReturnCode`](super::Fault::ItemReturnCode) included) are not reported.
//!   On one connection the calls come in request order; across connections, the order of
//!   the calls need not be the order the memory lock was taken in.
//! - The read hook: per item of a read var request, before the item is read, with the bytes
//!   it must supply ([`ReadEvent::len`]). `Some(bytes)` of that length answers the item
//!   (memory is not read, nor changed); a wrong length fails the item with
//!   [`READ_HOOK_LENGTH_MISMATCH`](crate::plc::READ_HOOK_LENGTH_MISMATCH) (`07`); `None`
//!   reads the item from memory. It is not asked for an item whose address makes no sense
//!   (those fail as usual) or that an injected fault fails; it is asked for areas and data
//!   blocks memory does not have. With a read hook installed a multi-item read takes the
//!   memory lock item by item, so it is no longer one atomic snapshot.
//! - Connection events: [`ConnectionEvent::Accepted`] once the COTP handshake completed,
//!   before the first request is read; [`ConnectionEvent::Refused`] after the DR was sent
//!   (or the handshake failed, or the connection was closed because too many handshakes were
//!   pending, [`RefuseReason::TooManyPendingHandshakes`]); handshakes run on the accept
//!   thread (on Unix), which accepts nothing while the hook runs, so keep it short;
//!   [`ConnectionEvent::Closed`] once the connection ended: its
//!   socket is closed and [`Server::connections`] no longer lists it, but it still counts in
//!   [`Server::open_connections`] until the hook returns (so
//!   [`Server::wait_for_open_connections`] returning means the event was delivered). Every TCP connection the server accepts gets either
//!   `Accepted` then `Closed`, or `Refused`.
//!
//! A hook that panics ends the connection it was called for; the panic is not caught.
//!
//! # Cost when none is installed
//!
//! A branch on an `Option` per request; nothing is allocated (the allocation tests check it).
//!
//! [`Server::wait_for_open_connections`]: super::Server::wait_for_open_connections
//! [`Server::connections`]: super::Server::connections
//! [`Server::open_connections`]: super::Server::open_connections

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use iso_tcp::DisconnectReason;
use s7comm::{Area, Header, ItemAddress, ReturnCode, TransportSize, WriteVarRequestView};

use crate::plc::{FailItem, Hooks, ItemOperation};

use super::builder::ServerBuilder;

/// One item a client wrote, as the write observer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteEvent<'a> {
    /// The connection's number (as in the request log and [`ConnectionEvent`]).
    pub connection: u64,
    /// The client's address.
    pub peer: SocketAddr,
    /// The item's place in its request (from 0).
    pub index: usize,
    /// The area written.
    pub area: Area,
    /// The data block for [`Area::DataBlock`]; 0 for other areas.
    pub db: u16,
    /// The first byte written (the first element for timers and counters).
    pub start: u32,
    /// The bit (0..=7) of a bit write; `None` otherwise.
    pub bit: Option<u8>,
    /// The bytes written, exactly as memory now holds them (for a bit write the one data
    /// byte the client sent, of which bit 0 was written; for timers and counters two
    /// big-endian bytes per element).
    pub data: &'a [u8],
    /// The item's address as the client sent it (transport size, count).
    pub item: ItemAddress,
}

/// One item a client reads, as the read hook sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadEvent {
    /// The connection's number.
    pub connection: u64,
    /// The client's address.
    pub peer: SocketAddr,
    /// The item's place in its request (from 0).
    pub index: usize,
    /// The area read.
    pub area: Area,
    /// The data block for [`Area::DataBlock`]; 0 for other areas.
    pub db: u16,
    /// The first byte read (the first element for timers and counters).
    pub start: u32,
    /// The bit (0..=7) of a bit read; `None` otherwise.
    pub bit: Option<u8>,
    /// How many bytes a supplied value must have: 1 for a bit, two per timer or counter,
    /// element size times count otherwise.
    pub len: usize,
    /// The item's address as the client sent it (transport size, count).
    pub item: ItemAddress,
}

/// Why a connection request was refused (or its handshake never completed).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefuseReason {
    /// [`max_connections`](super::ServerBuilder::max_connections) were open already; the DR
    /// carried [`TOO_MANY_CONNECTIONS_REASON`](super::TOO_MANY_CONNECTIONS_REASON).
    MaxConnections,
    /// The [`TsapFilter`](super::TsapFilter) refused the called TSAP; the DR carried
    /// [`REFUSED_TSAP_REASON`](super::REFUSED_TSAP_REASON).
    TsapFilter,
    /// An injected [`Fault::Refuse`](super::Fault::Refuse) with this reason.
    Fault(DisconnectReason),
    /// The handshake did not complete: the client closed, sent no or a malformed connection
    /// request within the handshake timeout, ... (the error's text).
    Handshake(String),
    /// The server was stopping.
    ServerStopping,
    /// [`max_pending_handshakes`](super::ServerBuilder::max_pending_handshakes) connections
    /// were waiting for their connection request and a newer one came: the accept thread
    /// closed this one, the one that had waited longest, without a DR (on platforms other
    /// than Unix the newer one is closed instead).
    TooManyPendingHandshakes,
}

/// Why an open connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The client closed TCP without a disconnect request, between two requests.
    PeerClosed,
    /// The client sent a disconnect request (DR) with this reason (what
    /// `s7_client::Client::close` and dropping a client do).
    PeerDisconnected(DisconnectReason),
    /// The receive deadline or the idle timeout expired.
    Deadline,
    /// [`Server::disconnect`](super::Server::disconnect) (or the control API's `DELETE
    /// /connections/{n}`) dropped it.
    Disconnected,
    /// The server stopped.
    ServerStopped,
    /// An injected fault ended it (`Close`, `HalfFrame`, `Disconnect`): what it did.
    Fault(&'static str),
    /// Anything else: a transport error, or bytes that are not S7comm (the error's text).
    Error(String),
}

/// A connection accepted, refused or closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionEvent {
    /// The COTP handshake completed; the connection is open.
    Accepted {
        /// The connection's number (from 1, in TCP accept order, refused ones counted).
        number: u64,
        /// The client's address.
        peer: SocketAddr,
    },
    /// The connection request was refused (a DR was sent) or the handshake failed.
    Refused {
        /// The connection's number.
        number: u64,
        /// The client's address.
        peer: SocketAddr,
        /// Why.
        reason: RefuseReason,
    },
    /// An open connection ended.
    Closed {
        /// The connection's number.
        number: u64,
        /// The client's address.
        peer: SocketAddr,
        /// Why.
        reason: CloseReason,
        /// Requests received on it.
        requests: u64,
    },
}

impl ConnectionEvent {
    /// The connection's number.
    pub fn number(&self) -> u64 {
        match self {
            Self::Accepted { number, .. }
            | Self::Refused { number, .. }
            | Self::Closed { number, .. } => *number,
        }
    }
}

type WriteHook = dyn Fn(&WriteEvent<'_>) + Send + Sync;
type ReadHook = dyn Fn(&ReadEvent) -> Option<Vec<u8>> + Send + Sync;
type ConnectionHook = dyn Fn(&ConnectionEvent) + Send + Sync;

/// The hooks a server was built with.
#[derive(Clone, Default)]
pub(crate) struct ServerHooks {
    pub(crate) write: Option<Arc<WriteHook>>,
    pub(crate) read: Option<Arc<ReadHook>>,
    pub(crate) connection: Option<Arc<ConnectionHook>>,
}

impl fmt::Debug for ServerHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHooks")
            .field("write", &self.write.is_some())
            .field("read", &self.read.is_some())
            .field("connection", &self.connection.is_some())
            .finish()
    }
}

impl ServerHooks {
    /// Reports a connection event, if a hook wants it; `event` is only built then.
    pub(crate) fn connection_event(&self, event: impl FnOnce() -> ConnectionEvent) {
        if let Some(hook) = &self.connection {
            hook(&event());
        }
    }

    /// Reports the items a write var request wrote: `request` is the whole PDU, `answer` the
    /// answer to it (whose return codes tell which items were written).
    pub(crate) fn observe_writes(
        &self,
        connection: u64,
        peer: SocketAddr,
        request: &[u8],
        answer: &[u8],
    ) {
        let Some(hook) = &self.write else {
            return;
        };
        let Ok((_, params, data)) = Header::split(request) else {
            return;
        };
        let Ok(view) = WriteVarRequestView::new(params, data) else {
            return;
        };
        // Answer: header, function code and item count, then one return code per item.
        let codes = answer
            .get(Header::LONG_LEN.saturating_add(2)..)
            .unwrap_or_default();
        for ((index, (item, item_data)), code) in view.items().enumerate().zip(codes) {
            if !ReturnCode::from_u8(*code).is_success() {
                continue;
            }
            let (area, db, start, bit) = place(&item);
            hook(&WriteEvent {
                connection,
                peer,
                index,
                area,
                db,
                start,
                bit,
                data: item_data.data,
                item,
            });
        }
    }
}

/// Area, data block (0 outside data blocks), first byte or element, bit of a bit address.
fn place(item: &ItemAddress) -> (Area, u16, u32, Option<u8>) {
    let db = if item.area == Area::DataBlock {
        item.db_number
    } else {
        0
    };
    match item.transport_size {
        TransportSize::Timer | TransportSize::Counter => (item.area, db, item.address, None),
        TransportSize::Bit => (item.area, db, item.byte_offset(), Some(item.bit_offset())),
        _ => (item.area, db, item.byte_offset(), None),
    }
}

/// The [`Hooks`] of one request on a server with a read hook or an injected item fault.
pub(crate) struct RequestHooks<'a> {
    pub(crate) fail: Option<FailItem>,
    pub(crate) read: Option<&'a ReadHook>,
    pub(crate) connection: u64,
    pub(crate) peer: SocketAddr,
}

impl Hooks for RequestHooks<'_> {
    fn item_return_code(
        &mut self,
        operation: ItemOperation,
        index: usize,
        item: &ItemAddress,
    ) -> Option<ReturnCode> {
        self.fail
            .as_mut()
            .and_then(|fail| fail.item_return_code(operation, index, item))
    }

    fn supplies_reads(&self) -> bool {
        self.read.is_some()
    }

    fn read_value(&mut self, index: usize, item: &ItemAddress, len: usize) -> Option<Vec<u8>> {
        let hook = self.read?;
        let (area, db, start, bit) = place(item);
        hook(&ReadEvent {
            connection: self.connection,
            peer: self.peer,
            index,
            area,
            db,
            start,
            bit,
            len,
            item: *item,
        })
    }
}

impl ServerBuilder {
    /// Calls `observer` after every item a client wrote (see [when](crate::server::hooks#when-they-are-called)),
    /// replacing an earlier observer. None by default.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use s7_mock::s7comm::Area;
    /// use s7_mock::server::Server;
    ///
    /// let writes = Arc::new(Mutex::new(Vec::new()));
    /// let seen = Arc::clone(&writes);
    /// let server = Server::builder()
    ///     .data_block(1, 16)
    ///     .on_write(move |w| seen.lock().unwrap().push((w.area, w.db, w.start, w.data.to_vec())))
    ///     .start()?;
    /// let mut client = s7_client::Client::connect(iso_tcp::ClientOptions::new(server.local_addr()))?;
    /// client.write_area(Area::DataBlock, 1, 2, &[7, 8])?;
    /// // The observer returned before the answer was sent.
    /// assert_eq!(*writes.lock().unwrap(), [(Area::DataBlock, 1, 2, vec![7, 8])]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn on_write(mut self, observer: impl Fn(&WriteEvent<'_>) + Send + Sync + 'static) -> Self {
        self.hooks.write = Some(Arc::new(observer));
        self
    }

    /// Asks `hook` for the value of every item a client reads, before memory is read (see
    /// [when](crate::server::hooks#when-they-are-called)): `Some(bytes)` of [`ReadEvent::len`] bytes answers
    /// the item, `None` leaves it to memory. Replaces an earlier read hook; none by default.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU16, Ordering};
    /// use s7_mock::s7comm::Area;
    /// use s7_mock::server::Server;
    ///
    /// let reads = AtomicU16::new(0);
    /// let server = Server::builder()
    ///     .on_read(move |r| {
    ///         // DB7 exists nowhere: every read of it counts up.
    ///         (r.area == Area::DataBlock && r.db == 7 && r.len == 2)
    ///             .then(|| (reads.fetch_add(1, Ordering::Relaxed) + 1).to_be_bytes().to_vec())
    ///     })
    ///     .start()?;
    /// let mut client = s7_client::Client::connect(iso_tcp::ClientOptions::new(server.local_addr()))?;
    /// assert_eq!(client.read_area(Area::DataBlock, 7, 0, 2)?, [0, 1]);
    /// assert_eq!(client.read_area(Area::DataBlock, 7, 0, 2)?, [0, 2]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn on_read(
        mut self,
        hook: impl Fn(&ReadEvent) -> Option<Vec<u8>> + Send + Sync + 'static,
    ) -> Self {
        self.hooks.read = Some(Arc::new(hook));
        self
    }

    /// Calls `hook` when a connection is accepted, refused or closed (see
    /// [`ConnectionEvent`] and [when](crate::server::hooks#when-they-are-called)), replacing an earlier one.
    /// None by default.
    #[must_use]
    pub fn on_connection_event(
        mut self,
        hook: impl Fn(&ConnectionEvent) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.connection = Some(Arc::new(hook));
        self
    }
}
