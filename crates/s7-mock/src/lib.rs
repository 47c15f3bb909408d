//! A mock Siemens S7 PLC: the S7comm protocol core.
//!
//! - [`codec`]: a symmetric S7comm codec (requests and answers, encode and decode), so a
//!   test can act as a client as easily as the mock acts as a PLC.
//! - [`memory`]: the PLC's memory: inputs, outputs, flags, data blocks, timers, counters.
//! - [`plc`]: [`Plc`] (shared state) and [`Session`] (one per connection) with
//!   [`Plc::handle`], a pure function from request bytes to answer bytes. No I/O happens in
//!   this crate's library; the transport (ISO-on-TCP) delivers whole TSDUs to it.
//!
//! ```
//! use s7_mock::codec::{Area, ItemAddress, ReadVarRequest, Request, RequestPdu};
//! use s7_mock::plc::{NoHooks, Plc};
//!
//! let plc = Plc::builder().data_block(1, 16).build()?;
//! plc.memory_mut().write_bytes(s7_mock::memory::Region::DataBlock(1), 0, &[1, 2, 3, 4])?;
//!
//! let mut session = plc.session();
//! let request = RequestPdu {
//!     pdu_ref: 7,
//!     request: Request::ReadVar(ReadVarRequest {
//!         items: vec![ItemAddress::bytes(Area::DataBlock, 1, 0, 4)],
//!     }),
//! }
//! .to_bytes()?;
//! let mut answer = Vec::with_capacity(usize::from(session.pdu_size()));
//! plc.handle(&mut session, &request, &mut answer, &mut NoHooks)?;
//! assert_eq!(&answer[answer.len() - 4..], &[1, 2, 3, 4]);
//! # Ok::<(), s7_mock::Error>(())
//! ```

pub mod cli;
pub mod client;
pub mod codec;
pub mod error;
pub mod memory;
pub mod plc;
pub mod server;

pub use error::Error;
pub use plc::{Plc, Session};
pub use server::{Fault, Server, ServerBuilder};
