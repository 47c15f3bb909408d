//! The 12-byte S7-ANY address of one read or write item.
//!
//! ```text
//!   0      1      2      3     4     5     6     7     8      9     10    11
//! +------+------+------+----+-----+-----+-----+-----+------+-----+-----+-----+
//! | 0x12 | 0x0A | 0x10 | TS |   count   | DB number | area |    address      |
//! +------+------+------+----+-----+-----+-----+-----+------+-----+-----+-----+
//!  spec   length syntax                                      24 bits, big-endian:
//!  type   of rest S7ANY                                      byte * 8 + bit, or the
//!                                                            timer/counter index
//! ```

use super::area::Area;
use super::cursor::{put_u16, Reader};
use super::transport_size::TransportSize;
use alloc::vec::Vec;

use crate::Error;

/// Variable specification type byte.
const SPEC_TYPE: u8 = 0x12;
/// Length of the address after the length byte.
const SPEC_LEN: u8 = 0x0A;
/// Syntax id S7ANY.
const SYNTAX_S7ANY: u8 = 0x10;
/// Largest value of the 24-bit address field.
pub const MAX_ADDRESS: u32 = 0x00FF_FFFF;

/// One item address (owned, `Copy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ItemAddress {
    /// Element type.
    pub transport_size: TransportSize,
    /// Number of elements.
    pub count: u16,
    /// Data block number (meaningful for [`Area::DataBlock`]; clients send 0 otherwise).
    pub db_number: u16,
    /// Memory area.
    pub area: Area,
    /// 24-bit address: `byte * 8 + bit`, or the index for timers and counters.
    pub address: u32,
}

impl ItemAddress {
    /// Encoded length.
    pub const LEN: usize = 12;

    /// The three fixed bytes every encoded item address starts with (`12 0A 10`: variable
    /// specification, address length, syntax id S7ANY), for a receiver that reads the wire
    /// bytes itself.
    pub const SPEC: [u8; 3] = [SPEC_TYPE, SPEC_LEN, SYNTAX_S7ANY];

    /// `count` elements of `transport_size` starting at byte `start` of `area`.
    ///
    /// For timers and counters `start` is the index. The address is not range-checked
    /// here; [`ItemAddress::emit`] refuses one that does not fit 24 bits.
    pub fn new(
        area: Area,
        db_number: u16,
        start: u32,
        transport_size: TransportSize,
        count: u16,
    ) -> Self {
        let address = match transport_size {
            TransportSize::Timer | TransportSize::Counter => start,
            _ => start.saturating_mul(8),
        };
        Self {
            transport_size,
            count,
            db_number,
            area,
            address,
        }
    }

    /// `len` bytes at byte `start` (transport size BYTE).
    pub fn bytes(area: Area, db_number: u16, start: u32, len: u16) -> Self {
        Self::new(area, db_number, start, TransportSize::Byte, len)
    }

    /// One bit: bit `bit` (0..=7, masked) of byte `byte`.
    pub fn bit(area: Area, db_number: u16, byte: u32, bit: u8) -> Self {
        Self {
            transport_size: TransportSize::Bit,
            count: 1,
            db_number,
            area,
            address: byte.saturating_mul(8) | u32::from(bit & 7),
        }
    }

    /// `count` timers from index `start`.
    pub fn timers(start: u32, count: u16) -> Self {
        Self::new(Area::Timers, 0, start, TransportSize::Timer, count)
    }

    /// `count` counters from index `start`.
    pub fn counters(start: u32, count: u16) -> Self {
        Self::new(Area::Counters, 0, start, TransportSize::Counter, count)
    }

    /// The byte part of the address (`address / 8`).
    pub fn byte_offset(&self) -> u32 {
        self.address / 8
    }

    /// The bit part of the address (`address % 8`).
    pub fn bit_offset(&self) -> u8 {
        self.address.to_be_bytes()[3] & 7
    }

    /// Decodes the 12 bytes at the start of `bytes`.
    #[inline]
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, "item address");
        let raw = r.array::<{ Self::LEN }>()?;
        Self::check_spec(&raw)?;
        Ok(Self::from_raw(&raw))
    }

    /// Checks the three fixed bytes (`12 0A 10`).
    #[inline]
    pub(crate) fn check_spec(raw: &[u8; Self::LEN]) -> Result<(), Error> {
        let [spec, len, syntax, ..] = *raw;
        if spec != SPEC_TYPE {
            return Err(Error::InvalidValue {
                what: "item specification type",
                value: u32::from(spec),
            });
        }
        if len != SPEC_LEN {
            return Err(Error::InvalidValue {
                what: "item address length",
                value: u32::from(len),
            });
        }
        if syntax != SYNTAX_S7ANY {
            return Err(Error::InvalidValue {
                what: "item syntax id",
                value: u32::from(syntax),
            });
        }
        Ok(())
    }

    /// Decodes the fields of 12 bytes whose fixed part ([`SPEC`](Self::SPEC)) was already
    /// checked; the fixed part itself is not looked at.
    #[inline]
    pub fn from_raw(raw: &[u8; Self::LEN]) -> Self {
        let [_, _, _, ts, c0, c1, d0, d1, area, a0, a1, a2] = *raw;
        Self {
            transport_size: TransportSize::from_u8(ts),
            count: u16::from_be_bytes([c0, c1]),
            db_number: u16::from_be_bytes([d0, d1]),
            area: Area::from_u8(area),
            address: u32::from_be_bytes([0, a0, a1, a2]),
        }
    }

    /// Encoded length (always 12).
    pub fn buffer_len(&self) -> usize {
        Self::LEN
    }

    /// Appends the 12 bytes; fails if the address does not fit 24 bits.
    #[inline]
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        if self.address > MAX_ADDRESS {
            return Err(Error::TooLarge {
                what: "item address",
                value: usize::try_from(self.address).unwrap_or(usize::MAX),
                max: 0x00FF_FFFF,
            });
        }
        out.extend_from_slice(&[
            SPEC_TYPE,
            SPEC_LEN,
            SYNTAX_S7ANY,
            self.transport_size.to_u8(),
        ]);
        put_u16(out, self.count);
        put_u16(out, self.db_number);
        out.push(self.area.to_u8());
        let [_, a0, a1, a2] = self.address.to_be_bytes();
        out.extend_from_slice(&[a0, a1, a2]);
        Ok(())
    }
}

/// Iterator over validated item addresses in a parameter section (no allocation).
#[derive(Debug, Clone)]
pub struct ItemIter<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl<'a> ItemIter<'a> {
    /// Iterates the 12-byte addresses in `items`, the item list of a read or write var
    /// parameter section after its function code and count. A trailing part shorter than 12
    /// bytes is ignored, and fields are taken as they are: validate the section first with
    /// [`ReadVarRequestView::new`](crate::ReadVarRequestView::new) or
    /// [`WriteVarRequestView::new`](crate::WriteVarRequestView::new).
    #[inline]
    pub fn new(items: &'a [u8]) -> Self {
        Self {
            chunks: items.chunks_exact(ItemAddress::LEN),
        }
    }

    /// An iterator that yields nothing.
    pub fn empty() -> Self {
        Self::new(&[])
    }
}

impl Iterator for ItemIter<'_> {
    type Item = ItemAddress;

    #[inline]
    fn next(&mut self) -> Option<ItemAddress> {
        let chunk = self.chunks.next()?;
        // chunks_exact only yields 12-byte chunks, so the conversion cannot fail.
        let raw = <&[u8; ItemAddress::LEN]>::try_from(chunk).ok()?;
        Some(ItemAddress::from_raw(raw))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for ItemIter<'_> {}

/// Checks an item list: `count` addresses of 12 bytes filling `items` exactly.
#[inline]
pub(crate) fn check_items(items: &[u8], count: u8, what: &'static str) -> Result<(), Error> {
    let needed = usize::from(count).saturating_mul(ItemAddress::LEN);
    if items.len() < needed {
        return Err(Error::Truncated {
            what,
            needed,
            available: items.len(),
        });
    }
    if items.len() > needed {
        return Err(Error::TrailingBytes {
            what,
            trailing: items.len().saturating_sub(needed),
        });
    }
    for chunk in items.chunks_exact(ItemAddress::LEN) {
        let raw = <&[u8; ItemAddress::LEN]>::try_from(chunk).map_err(|_| Error::Truncated {
            what,
            needed: ItemAddress::LEN,
            available: chunk.len(),
        })?;
        ItemAddress::check_spec(raw)?;
    }
    Ok(())
}
