//! Setup communication (function `F0`): negotiation of parallel jobs and PDU size.
//!
//! ```text
//!   0      1      2      3      4      5      6      7
//! +------+------+------+------+------+------+------+------+
//! | 0xF0 | 0x00 | AMQ calling | AMQ called  |  PDU length |
//! +------+------+------+------+------+------+------+------+
//! ```
//!
//! The same 8 bytes are the parameters of the request (job) and of the answer (ack-data);
//! the answer carries what the PLC grants: at most what was asked for.

use super::cursor::{put_u16, Reader};
use alloc::vec::Vec;

use crate::Error;

/// Function code of setup communication.
pub const FUNCTION: u8 = 0xF0;

/// Setup communication parameters (request and answer).
///
/// The default has every field zero; build one with `..Default::default()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SetupCommunication {
    /// Parallel jobs the calling side may have outstanding.
    pub max_amq_calling: u16,
    /// Parallel jobs the called side may have outstanding.
    pub max_amq_called: u16,
    /// PDU size in bytes.
    pub pdu_length: u16,
    /// The reserved byte after the function code, `00` from every known peer. Kept as
    /// received so the parameters encode back to their bytes; nothing reads it.
    pub reserved: u8,
}

impl SetupCommunication {
    /// Encoded length.
    pub const LEN: usize = 8;

    /// Decodes the parameter section.
    pub fn parse(params: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(params, "setup communication parameters");
        r.expect_u8(FUNCTION, "setup communication function")?;
        let reserved = r.u8()?;
        let max_amq_calling = r.u16()?;
        let max_amq_called = r.u16()?;
        let pdu_length = r.u16()?;
        r.finish()?;
        Ok(Self {
            max_amq_calling,
            max_amq_called,
            pdu_length,
            reserved,
        })
    }

    /// Encoded length (always 8).
    pub fn buffer_len(&self) -> usize {
        Self::LEN
    }

    /// Appends the parameter section.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[FUNCTION, self.reserved]);
        put_u16(out, self.max_amq_calling);
        put_u16(out, self.max_amq_called);
        put_u16(out, self.pdu_length);
    }
}
