//! The server: the [`Plc`](crate::plc::Plc) on ISO-on-TCP, in-process, with a request log and
//! fault injection.
//!
//! ```text
//!  accept thread (one poller)         workers (one per open connection, 128 KiB stacks,
//!  --------------------------         parked between connections and reused)
//!  TCP accept                         ---------------------------------------------------
//!  wait for the CR (no thread each;   loop: recv TSDU -> fault rules -> Plc::handle into
//!   oldest closed beyond the cap)           a reused buffer -> request log -> send (one
//!  COTP handshake (CR -> fault? TSAP        write) or the fault
//!   filter? limit? -> CC / DR) ------>
//! ```
//!
//! - [`Server::builder`] → [`ServerBuilder`] → [`ServerBuilder::start`] → [`Server`].
//! - Memory: [`Server::memory`], [`Server::memory_mut`] and typed helpers
//!   ([`Server::read_bytes`], [`Server::write_bit`], [`Server::set_timer`], ...), usable while
//!   clients are connected.
//! - Request log: [`Server::requests`], [`Server::wait_for_requests`],
//!   [`Server::wait_for_request`] ([`LoggedRequest`]: connection number, client address,
//!   function, decoded request, the fault that fired).
//! - Faults: [`Server::inject`] with a [`Fault`], placed by [`FaultBuilder`] (function,
//!   connection, client address, n-th request), once, n times or persistent.
//! - Hooks: a write observer, a read hook that may supply values, connection events
//!   ([`ServerBuilder::on_write`], [`ServerBuilder::on_read`],
//!   [`ServerBuilder::on_connection_event`]; see [`WriteEvent`]).
//! - Named tags: [`Server::read_tag`], [`Server::write_tag`], [`Server::tags`] by name or
//!   address, with live values ([`tags`](crate::tags)).
//! - Dropping the [`Server`] stops it and joins every thread.
//!
//! # Logging
//!
//! Through [`tracing`]: connections accepted, refused and closed at `info` (with the client
//! address and the connection number), failed handshakes at `debug`, each request at
//! `trace`.

mod accept_loop;
mod builder;
mod connection;
mod connection_gauge;
mod connection_sockets;
mod context;
mod fault;
mod fault_rules;
mod function;
mod handle;
pub mod hooks;
mod inspect;
mod request_log;
mod stop_signal;
mod tags;
mod tsap_filter;
mod worker_pool;

pub use builder::{
    ServerBuilder, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING_HANDSHAKES,
    DEFAULT_RECEIVE_DEADLINE, DEFAULT_STACK_SIZE,
};
pub use connection::{REFUSED_TSAP_REASON, TOO_MANY_CONNECTIONS_REASON};
pub use connection_sockets::ConnectionInfo;
pub use fault::Fault;
pub use fault_rules::{FaultBuilder, FaultId, InstalledFault};
pub use function::Function;
pub use handle::Server;
pub use hooks::{CloseReason, ConnectionEvent, ReadEvent, RefuseReason, WriteEvent};
pub use request_log::{LoggedRequest, RequestPage, DEFAULT_REQUEST_LOG_CAPACITY};
pub use tsap_filter::{ConnectionType, TsapFilter};

/// The crate's README, compiled and run as a doctest.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
