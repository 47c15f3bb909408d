//! Sans-IO S7comm: the protocol Siemens S7 PLCs speak over ISO-on-TCP (RFC 1006), as a
//! codec that encodes and decodes requests and answers in both directions.
//!
//! The crate does no I/O, keeps no clock and builds without `std` (disable the default `std`
//! feature; `alloc` is needed). Below it, the `iso-tcp` crate carries each PDU as one TSDU.
//!
//! An S7comm PDU (one ISO-on-TCP TSDU) is a [header] followed by a parameter
//! section and a data section:
//!
//! ```text
//! +------------------------+---------------------------+----------------------+
//! | header (10 or 12)      | parameters (param len)    | data (data len)      |
//! | 32 ROSCTR 0000 PDUREF  | function code, items, ... | data items, payloads |
//! | PARLEN DATALEN [class  |                           |                      |
//! | code]                  |                           |                      |
//! +------------------------+---------------------------+----------------------+
//! ```
//!
//! | module | what |
//! | --- | --- |
//! | [`header`] | the header, [`MessageType`] (ROSCTR) and [`ErrorCode`] |
//! | [`setup`] | setup communication (`F0`): PDU size and parallel jobs |
//! | [`item_address`] | the 12-byte S7-ANY item address |
//! | [`area`], [`transport_size`], [`return_code`] | the enumerations inside items |
//! | [`data_item`] | `RC TS LEN data` items and their padding |
//! | [`read_var`], [`write_var`] | read var (`04`) and write var (`05`) with many items |
//! | [`control`] | PLC stop (`29`) and PLC control (`28`, PI services) |
//! | [`userdata`] | userdata (ROSCTR `07`): SZL reads with multi-part answers, clock |
//! | [`security`] | userdata group 5: set / clear the session password, protection error codes |
//! | [`szl`] | SZL payloads (partial list header and records) |
//! | [`clock`] | the BCD clock value |
//! | [`block`] | block directory, upload, download, `_DELE`/`_INSE` and the MC7 block format |
//! | [`data_type`], [`value`] | S7 data types and typed values in their memory encodings |
//! | [`pdu`] | whole request and answer PDUs |
//! | [`tag`] | tag addresses ([`Tag`]) in the STEP7, PLC4X and nodeS7 notations |
//!
//! Every type is an owned `Repr` with `parse` (bytes in, value out; never panics, never
//! allocates from a length read off the wire beyond the bytes actually present) and
//! `emit`/`buffer_len` (value in, bytes appended to a `Vec<u8>`). Round trips are exact:
//! whatever [`RequestPdu::parse`] or [`ResponsePdu::parse`] accepts, `to_bytes` gives back
//! byte for byte, because the owned types keep what a peer may send differently from how
//! this crate encodes (reserved bytes, fill bytes, data item lengths, a read request without
//! item count; see [`pdu`]), with defaults that encode the canonical form. Read and write requests
//! also have borrowed views ([`ReadVarRequestView`], [`WriteVarRequestView`]) that validate
//! once and then iterate items in place, which is what the PLC's hot path uses.
//!
//! # Example: act as a client
//!
//! ```
//! use s7comm::{
//!     Area, ItemAddress, ReadVarRequest, Request, RequestPdu, ResponsePdu, Response,
//! };
//!
//! // DB1.DBB0, 4 bytes, exactly as python-snap7 builds it.
//! let request = RequestPdu::new(
//!     2,
//!     Request::ReadVar(ReadVarRequest::new(vec![ItemAddress::bytes(
//!         Area::DataBlock,
//!         1,
//!         0,
//!         4,
//!     )])),
//! );
//! let bytes = request.to_bytes()?;
//! assert_eq!(
//!     bytes,
//!     [0x32, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x0E, 0x00, 0x00, 0x04, 0x01, 0x12, 0x0A,
//!      0x10, 0x02, 0x00, 0x04, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00]
//! );
//! assert_eq!(RequestPdu::parse(&bytes)?, request);
//!
//! // The answer of a CPU whose DB1 does not exist.
//! let answer = ResponsePdu::parse(&[
//!     0x32, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x04, 0x01,
//!     0x0A, 0x00, 0x00, 0x00,
//! ])?;
//! let Response::ReadVar(read) = answer.response else { panic!("not a read answer") };
//! assert_eq!(read.items[0].return_code, s7comm::ReturnCode::ObjectDoesNotExist);
//! # Ok::<(), s7comm::Error>(())
//! ```
#![no_std]
#![warn(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod area;
pub mod block;
pub mod clock;
pub mod control;
pub(crate) mod cursor;
pub mod data_item;
pub mod data_type;
pub mod error;
pub mod header;
pub mod item_address;
pub mod pdu;
pub mod read_var;
pub mod return_code;
pub mod security;
pub mod setup;
pub mod szl;
pub mod tag;
pub mod transport_size;
pub mod userdata;
pub mod value;
pub mod write_var;

pub use area::Area;
pub use clock::S7DateTime;
pub use control::{ControlResponse, PlcControlRequest, PlcStopRequest};
pub use data_item::{DataItem, DataItemIter, DataItemView};
pub use data_type::DataType;
pub use error::Error;
pub use header::{ErrorCode, Header, MessageType};
pub use item_address::{ItemAddress, ItemIter};
pub use pdu::{Request, RequestPdu, Response, ResponsePdu};
pub use read_var::{ReadVarRequest, ReadVarRequestView, ReadVarResponse};
pub use return_code::ReturnCode;
pub use setup::SetupCommunication;
pub use szl::{SzlHeader, SzlList};
pub use tag::Tag;
pub use transport_size::{DataTransportSize, TransportSize};
pub use userdata::{Continuation, UserData, UserDataItem, UserDataParams, UserDataService};
pub use value::Value;
pub use write_var::{WriteItem, WriteVarRequest, WriteVarRequestView, WriteVarResponse};

/// The crate README, compiled and run as a doctest so its example stays true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
