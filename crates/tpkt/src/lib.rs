//! RFC 1006 TPKT framing: the 4-byte header that carries ISO transport (COTP) TPDUs over TCP,
//! as spoken by Siemens S7 PLCs on port 102 ("ISO-on-TCP").
//!
//! ```text
//!   0          1          2          3          4                    length-1
//!  +----------+----------+----------+----------+---------  ...  ---------+
//!  | version  | reserved |    length (u16,     |  payload: one COTP TPDU |
//!  |   = 3    |  = 0     |  big-endian, counts |  (length - 4 bytes,     |
//!  |          |          |    these 4 bytes)   |   3..=65531 of them)    |
//!  +----------+----------+----------+----------+---------  ...  ---------+
//! ```
//!
//! The crate does no I/O and keeps no clock: it takes bytes and gives values, or takes values
//! and gives bytes. It builds without `std` (disable the default `std` feature; `alloc` is
//! still needed for [`bytes`]).
//!
//! - [`encode`] / [`encode_header`] frame a payload, refusing payloads that would make a frame
//!   shorter than [`MIN_FRAME_LEN`] or longer than [`MAX_FRAME_LEN`] bytes.
//! - [`decode_frame`] and the zero-copy view [`Packet`] read one frame from a slice that holds
//!   exactly that frame.
//! - [`peek_frame_len`] reads a header at the front of a buffer of any length.
//! - [`FrameDecoder`] cuts frames out of a TCP byte stream held in a [`bytes::BytesMut`], with
//!   tokio-util's decoder contract and an optional cap on the frame length.
//! - With the `tokio-util` feature, [`codec::TpktCodec`] implements tokio-util's `Decoder` and
//!   `Encoder` over [`FrameDecoder`] and [`encode`], for `Framed` transports.
//!
//! No decoder in this crate panics, reads out of bounds or overflows on any input; all of
//! them return [`Result`]. The declared length is validated before anything is computed from
//! it.
//!
//! # Example
//!
//! ```
//! use bytes::BytesMut;
//! use tpkt::{decode_frame, encode, FrameDecoder, Packet};
//!
//! // A COTP data TPDU header (02 f0 80) followed by an S7comm byte.
//! let tpdu = [0x02, 0xf0, 0x80, 0x32];
//!
//! let mut wire = BytesMut::new();
//! encode(&tpdu, &mut wire)?;
//! assert_eq!(&wire[..], &[0x03, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80, 0x32]);
//!
//! // One frame in a slice.
//! assert_eq!(decode_frame(&wire)?, &tpdu);
//! let packet = Packet::new_checked(&wire[..])?;
//! assert_eq!(packet.frame_len(), 8);
//!
//! // The same bytes arriving over a stream, in two reads.
//! let mut decoder = FrameDecoder::new();
//! let mut src = BytesMut::new();
//! src.extend_from_slice(&wire[..5]);
//! assert_eq!(decoder.decode(&mut src)?, None);
//! src.extend_from_slice(&wire[5..]);
//! assert_eq!(decoder.decode(&mut src)?.as_deref(), Some(&tpdu[..]));
//! # Ok::<(), tpkt::Error>(())
//! ```

#![cfg_attr(not(feature = "std"), no_std)]
#![warn(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

extern crate alloc;

#[cfg(feature = "tokio-util")]
pub mod codec;
mod decoder;
mod encode;
mod error;
mod header;
mod packet;

pub use decoder::FrameDecoder;
pub use encode::{encode, encode_header, encoded_len};
pub use error::Error;
pub use header::peek_frame_len;
pub use packet::{decode_frame, Packet};

/// The only TPKT version, written in the first header byte.
pub const VERSION: u8 = 3;

/// Length of the TPKT header: version, reserved, and two length bytes.
pub const HEADER_LEN: usize = 4;

/// The shortest legal frame: the header plus the smallest COTP TPDU (a 3-byte data header).
pub const MIN_FRAME_LEN: usize = 7;

/// The longest frame the 16-bit length field can declare.
pub const MAX_FRAME_LEN: usize = 65_535;

/// The shortest payload [`encode`] accepts (`MIN_FRAME_LEN - HEADER_LEN`).
pub const MIN_PAYLOAD_LEN: usize = 3;

/// The longest payload [`encode`] accepts (`MAX_FRAME_LEN - HEADER_LEN`).
pub const MAX_PAYLOAD_LEN: usize = 65_531;

/// Keeps the README's example compiling and correct.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    #![allow(clippy::arithmetic_side_effects)]

    use super::*;

    #[test]
    fn constants_agree() {
        assert_eq!(MIN_PAYLOAD_LEN, MIN_FRAME_LEN - HEADER_LEN);
        assert_eq!(MAX_PAYLOAD_LEN, MAX_FRAME_LEN - HEADER_LEN);
        assert_eq!(MAX_FRAME_LEN, usize::from(u16::MAX));
    }
}
