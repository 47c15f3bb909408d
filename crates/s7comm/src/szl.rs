//! SZL (system status list) payloads: a partial list header followed by fixed-size records.
//!
//! ```text
//! +-------------+-------------+----------------+----------------+-----
//! | LENTHDR (2) |  N_DR (2)   | record 1       | record 2       | ...
//! | record len  | record count| (LENTHDR bytes)| (LENTHDR bytes)|
//! +-------------+-------------+----------------+----------------+-----
//! ```
//!
//! The SZL id says what the list holds: `0x0000` the ids the CPU supports (2-byte records),
//! `0x0011` module identification (28-byte records: index, 20-character order number,
//! module type, two version words), `0x001C` component identification (34-byte records:
//! index and 32 bytes of text), `0x0424` the CPU state (one 20-byte record whose fourth byte
//! is the mode, `08` RUN, `04` STOP). An id with `0x0F00` set (`0x0F11`, ...) asks for the
//! header only; one with `0x0100` set (`0x0111`, `0x011C`) for the single record whose index
//! equals the request's index.

use super::cursor::{put_u16, Reader};
use alloc::vec::Vec;

use crate::Error;

/// SZL id of the list of supported SZL ids.
pub const SZL_LIST: u16 = 0x0000;
/// SZL id of module identification.
pub const MODULE_IDENTIFICATION: u16 = 0x0011;
/// SZL id of component identification.
pub const COMPONENT_IDENTIFICATION: u16 = 0x001C;
/// SZL id of the CPU state record.
pub const CPU_STATE: u16 = 0x0424;
/// Record length of module identification.
pub const MODULE_IDENTIFICATION_RECORD_LEN: u16 = 28;
/// Record length of component identification.
pub const COMPONENT_IDENTIFICATION_RECORD_LEN: u16 = 34;
/// Record length of the CPU state.
pub const CPU_STATE_RECORD_LEN: u16 = 20;
/// Mode byte of a running CPU in the CPU state record.
pub const MODE_RUN: u8 = 0x08;
/// Mode byte of a stopped CPU in the CPU state record.
pub const MODE_STOP: u8 = 0x04;

/// The partial list header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SzlHeader {
    /// Length of one record.
    pub record_len: u16,
    /// Number of records.
    pub record_count: u16,
}

impl SzlHeader {
    /// Encoded length.
    pub const LEN: usize = 4;

    /// Appends the header.
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_u16(out, self.record_len);
        put_u16(out, self.record_count);
    }
}

/// A decoded SZL payload: the header and its records, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SzlList<'a> {
    /// The header.
    pub header: SzlHeader,
    records: &'a [u8],
}

impl<'a> SzlList<'a> {
    /// Decodes a complete SZL payload (all parts of a multi-part answer joined); fails
    /// unless it holds exactly `N_DR` records of `LENTHDR` bytes.
    pub fn parse(payload: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(payload, "szl payload");
        let header = SzlHeader {
            record_len: r.u16()?,
            record_count: r.u16()?,
        };
        let len = usize::from(header.record_len).saturating_mul(usize::from(header.record_count));
        let records = r.bytes(len)?;
        r.finish()?;
        Ok(Self { header, records })
    }

    /// The records.
    pub fn records(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let len = usize::from(self.header.record_len).max(1);
        self.records.chunks(len)
    }
}
