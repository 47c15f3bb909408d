//! A mock Siemens S7 PLC over ISO-on-TCP (RFC 1006): start it in-process from a test suite,
//! or run the `s7-mock` binary from the command line.
//!
//! - [`server`]: [`Server`] — the mock itself: a builder for the memory layout and limits, a
//!   reused worker thread per open connection, typed memory access while clients are connected, a request log and
//!   fault injection.
//! - [`memory`]: the PLC's memory: inputs, outputs, flags, data blocks, timers, counters.
//! - [`plc`]: [`Plc`] (shared state) and [`Session`] (one per connection) with
//!   [`Plc::handle`], a pure function from request bytes to answer bytes: the server wraps it,
//!   and it can be driven without sockets, as below.
//! - [`profile`]: profile files (TOML) and CPU presets, applied with
//!   [`ServerBuilder::profile`].
//! - [`tags`]: named tags (typed values at S7 addresses) and their live values, read and
//!   written with [`Server::read_tag`] and [`Server::write_tag`].
//! - [`cli`]: the command line of the `s7-mock` binary.
//! - `control` (feature `control`, part of `cli`): the HTTP control API, `ControlServer`.
//!
//! ```
//! use s7comm::{Area, ItemAddress, ReadVarRequest, Request, RequestPdu};
//! use s7_mock::plc::{NoHooks, Plc};
//!
//! let plc = Plc::builder().data_block(1, 16).build()?;
//! plc.memory_mut().write_bytes(s7_mock::memory::Region::DataBlock(1), 0, &[1, 2, 3, 4])?;
//!
//! let mut session = plc.session();
//! let request = RequestPdu::new(
//!     7,
//!     Request::ReadVar(ReadVarRequest::new(vec![ItemAddress::bytes(
//!         Area::DataBlock,
//!         1,
//!         0,
//!         4,
//!     )])),
//! )
//! .to_bytes()?;
//! let mut answer = Vec::with_capacity(usize::from(session.pdu_size()));
//! plc.handle(&mut session, &request, &mut answer, &mut NoHooks)?;
//! assert_eq!(&answer[answer.len() - 4..], &[1, 2, 3, 4]);
//! # Ok::<(), s7_mock::Error>(())
//! ```

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "control")]
pub mod control;
pub mod error;
pub mod memory;
pub mod plc;
pub mod profile;
pub mod server;
pub mod tags;

pub use error::Error;
pub use plc::{Plc, Session};
/// The S7comm codec the mock speaks, re-exported so that a test suite uses the same version.
pub use s7comm;
pub use server::{Fault, Server, ServerBuilder};

/// The workspace README, compiled and run as a doctest so its example stays true.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct WorkspaceReadmeDoctests;
