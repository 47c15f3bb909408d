//! A blocking Siemens S7 client over ISO-on-TCP (RFC 1006), built on the `iso-tcp` transport
//! and the sans-IO `s7comm` codec.
//!
//! - **Connect** by rack, slot and connection type (PG, OP, S7 basic) or by explicit TSAPs
//!   with [`Client::builder`], or with ready [`iso_tcp::ClientOptions`] through
//!   [`Client::connect`]. The negotiated PDU size and parallel jobs are
//!   [`Client::pdu_size`], [`Client::max_amq_calling`] and [`Client::max_amq_called`].
//! - **Parallel jobs**: a call that takes several PDUs keeps as many requests in flight as
//!   the CPU granted (the smaller of AmQ calling and called, at most
//!   [`MAX_JOBS_IN_FLIGHT`]; ask with [`ClientBuilder::parallel_jobs`]), matching answers by
//!   PDU reference, so answers may come in any order. With one job granted it sends one
//!   request at a time. On an error answer it still receives every answer in flight before
//!   it reports, so the connection stays in step (see [`client::pipeline`]).
//! - **Read and write** any area (inputs, outputs, flags, data blocks, timers, counters) of
//!   any length: [`Client::read_area`], [`Client::read_into`] (no allocation),
//!   [`Client::write_area`], bits with [`Client::read_bit`] / [`Client::write_bit`]. Lengths
//!   beyond one PDU are split over as many requests as needed.
//! - **Many items at once**: [`Client::read_many`] / [`Client::write_many`] pack
//!   [`ReadRequest`]s / [`WriteRequest`]s first-fit decreasing into PDUs of the negotiated
//!   size (at most [`MAX_ITEMS`] per request, request and answer both within the PDU; not
//!   always the fewest PDUs possible, see the README), split items too large for one PDU,
//!   and give each item its own result, in the caller's order — one missing data block does
//!   not fail the others.
//! - **The CPU**: [`Client::cpu_state`], [`Client::order_code`], [`Client::cpu_info`], any
//!   SZL with [`Client::read_szl`] (multi-part answers followed to the end), the clock
//!   ([`Client::read_clock`], [`Client::set_clock`]), [`Client::plc_stop`],
//!   [`Client::plc_hot_start`], [`Client::plc_cold_start`].
//! - **The connection**: [`Client::is_alive`] (no request sent), [`Client::close`].
//!
//! Errors are one enum, [`Error`], with lowercase messages that carry their context
//! (`"item 0 failed: object does not exist (0x0a)"`). What real servers send is tolerated:
//! an item with an error return code carries no data whatever its length field says
//! (snap7's server answers a missing data block with the requested length and no bytes).
//!
//! # Example
//!
//! Against the in-process mock PLC of the `s7-mock` crate:
//!
//! ```
//! use s7_client::{Client, ConnectionType, CpuState, ReadRequest};
//! use s7comm::{Area, ReturnCode};
//!
//! let server = s7_mock::Server::builder()
//!     .data_block(1, 1024)
//!     .flags(256)
//!     .pdu_size(480)
//!     .start()?;
//!
//! let mut client = Client::builder(server.local_addr())
//!     .rack_slot(0, 2)
//!     .connection_type(ConnectionType::Pg)
//!     .connect()?;
//! assert_eq!(client.pdu_size(), 480);
//!
//! client.write_area(Area::DataBlock, 1, 0, &[1, 2, 3, 4])?;
//! assert_eq!(client.read_area(Area::DataBlock, 1, 0, 4)?, [1, 2, 3, 4]);
//!
//! // Three items in one request; DB9 does not exist.
//! let results = client.read_many(&[
//!     ReadRequest::db(1, 0, 2),
//!     ReadRequest::db(9, 0, 2),
//!     ReadRequest::bytes(Area::Flags, 0, 0, 8),
//! ])?;
//! assert_eq!(results[0], Ok(vec![1, 2]));
//! assert_eq!(results[1], Err(ReturnCode::ObjectDoesNotExist));
//! assert_eq!(results[2], Ok(vec![0; 8]));
//!
//! assert_eq!(client.cpu_state()?, CpuState::Run);
//! client.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builder;
pub mod client;
pub mod error;
mod info;
mod items;
mod services;
mod tags;

pub use builder::ClientBuilder;
pub use client::pipeline::MAX_JOBS_IN_FLIGHT;
pub use client::{Client, ReadResult, WriteResult, DEFAULT_REQUESTED_PDU};
pub use cotp::S7ConnectionType as ConnectionType;
pub use error::{return_code_name, Error};
pub use info::{CpuInfo, CpuState, OrderCode};
pub use items::{ReadRequest, WriteRequest, MAX_ITEMS};
pub use services::{DiagnosticEntry, Protection};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
