//! ISO 8073 / X.224 class 0 transport protocol data units (TPDUs), as RFC 1006
//! (ISO-on-TCP) carries them inside TPKT frames: the COTP layer of S7 and other ISO-on-TCP
//! stacks.
//!
//! The crate is sans-IO and `no_std` (with `alloc`): it turns bytes into typed values and back,
//! and never touches a socket, a clock or a thread. Every parser returns a [`Result`]; no input
//! can make it panic, overflow or allocate beyond the header it reads.
//!
//! ```text
//!  TCP stream:  | TPKT 03 00 len | TPDU ................................. | TPKT ...
//!                                 |
//!  TPDU:        | LI | code | fixed part | parameters | user data (DT) |
//!                |<---- LI bytes ---------------->|
//! ```
//!
//! | TPDU | code | type                                      |
//! |------|------|-------------------------------------------|
//! | CR   | `E0` | [`ConnectionRequest`]                     |
//! | CC   | `D0` | [`ConnectionConfirm`]                     |
//! | DR   | `80` | [`DisconnectRequest`] + [`DisconnectReason`] |
//! | DC   | `C0` | [`DisconnectConfirm`]                     |
//! | DT   | `F0` | [`Data`] (zero-copy)                      |
//! | ER   | `70` | [`ErrorTpdu`] + [`RejectCause`]           |
//!
//! [`Tpdu::parse`] dispatches on the code; each type also has its own `parse`. Emitting checks
//! that the result is a valid TPDU (LI at most 254, parameters that read back as themselves)
//! and writes nothing otherwise. Parameters keep their wire order, so parse then emit
//! reproduces the bytes.
//!
//! Large messages (TSDUs) travel as several DTs: [`segments`] cuts them to the negotiated TPDU
//! size and a [`Reassembler`] joins them back under a size cap.
//!
//! # Reading of ISO 8073 where it leaves room
//!
//! - Bytes after the header of a CR, CC, DR, DC or ER are user data, which class 0 never sends.
//!   Parsers ignore them rather than refuse the TPDU; [`user_data`] returns them.
//! - The low nibble of the CR and CC code (the credit, 0 in class 0) is ignored on parse;
//!   emit writes 0.
//! - Unknown parameters are kept as [`Parameter::Other`]; a DR's parameters are all kept that
//!   way, since `C0`..`C2` mean nothing in a DR.
//!
//! # Example
//!
//! A client's CR, the server's CC and one S7 request as DT:
//!
//! ```
//! use cotp::{ConnectionConfirm, ConnectionRequest, Reassembler, S7ConnectionType, Tpdu,
//!            TpduSize, Tsap};
//!
//! // The 18-byte CR S7 clients send (the TPKT header 03 00 00 16 comes on top).
//! let cr = ConnectionRequest::new(0x0001)
//!     .with_calling_tsap(Tsap::from_u16(0x0100))
//!     .with_called_tsap(Tsap::s7(S7ConnectionType::Pg, 0, 2)?)
//!     .with_tpdu_size(TpduSize::S1024);
//! let wire = cr.to_vec()?;
//! assert_eq!(wire, [0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00,
//!                   0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01, 0x02, 0xC0, 0x01, 0x0A]);
//!
//! // The server reads it and accepts, offering at most 512 bytes.
//! let Tpdu::ConnectionRequest(request) = Tpdu::parse(&wire)? else {
//!     return Err("expected a CR".into());
//! };
//! let cc = ConnectionConfirm::answering(&request, 0x0042, TpduSize::S512);
//! let negotiated = cc.tpdu_size().unwrap_or(TpduSize::S128);
//! assert_eq!(negotiated, TpduSize::S512);
//!
//! // A 1200-byte message becomes 3 DTs of at most 512 bytes each, then one message again.
//! let message = vec![0x32; 1200];
//! let mut reassembler = Reassembler::new(64 * 1024);
//! let mut received = None;
//! for dt in cotp::segments(&message, negotiated.bytes())? {
//!     let mut frame = Vec::new();
//!     dt.emit(&mut frame);
//!     let parsed = cotp::Data::parse(&frame)?;
//!     received = reassembler.push_slice(parsed.eot, parsed.payload)?;
//! }
//! assert_eq!(received.as_deref(), Some(&message[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

extern crate alloc;

mod connection;
mod connection_confirm;
mod connection_request;
mod data;
mod disconnect_confirm;
mod disconnect_request;
mod error;
mod error_tpdu;
mod header;
mod parameter;
mod reassembly;
mod segment;
mod tpdu;
pub mod tpdu_code;
mod tpdu_size;
mod tsap;

pub use connection_confirm::ConnectionConfirm;
pub use connection_request::ConnectionRequest;
pub use data::{parse_data_header, Data, DATA_HEADER_LEN};
pub use disconnect_confirm::DisconnectConfirm;
pub use disconnect_request::{DisconnectReason, DisconnectRequest};
pub use error::Error;
pub use error_tpdu::{ErrorTpdu, RejectCause};
pub use parameter::{parameter_code, parse_parameters, Parameter, RawParameters};
pub use reassembly::Reassembler;
pub use segment::{segment_count, segments, Segments};
pub use tpdu::{user_data, Tpdu};
pub use tpdu_size::TpduSize;
pub use tsap::{S7ConnectionType, Tsap};

/// Keeps the README's example compiling and passing.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
