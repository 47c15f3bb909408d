//! Transport sizes: the element type of an item address, and the encoding of a data item.
//!
//! An item address names the element type (`TS` in `12 0A 10 TS ...`); a data item
//! (`RC TS LEN data`) names how its `LEN` counts:
//!
//! ```text
//! address TS  element         bytes   data TS  LEN counts
//! 01 BIT      one bit           1     03       bytes (one byte, 00 or 01)
//! 02 BYTE     byte              1     04       bits
//! 03 CHAR     character         1     09       bytes (octet string)
//! 04 WORD     word              2     04       bits
//! 05 INT      integer           2     05       bits
//! 06 DWORD    double word       4     04       bits
//! 07 DINT     double integer    4     05       bits
//! 08 REAL     IEEE float        4     07       bytes
//! 1C COUNTER  counter           2     09       bytes
//! 1D TIMER    timer             2     09       bytes
//! ```
//!
//! Data TS `06` (double integer, LEN in bytes) is also decoded, and `00` marks an item
//! without data (error items). Wireshark counts LEN of TS `03` in bits; for the only length
//! a CPU accepts (one bit) both readings give one byte.

use crate::Error;

/// The element type of an item address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportSize {
    /// `01`: one bit (count must be 1).
    Bit,
    /// `02`: byte.
    Byte,
    /// `03`: character.
    Char,
    /// `04`: word (16 bits).
    Word,
    /// `05`: integer (16 bits).
    Int,
    /// `06`: double word (32 bits).
    DWord,
    /// `07`: double integer (32 bits).
    DInt,
    /// `08`: real (32-bit IEEE float).
    Real,
    /// `1C`: counter (16 bits, addressed by index).
    Counter,
    /// `1D`: timer (16 bits, addressed by index).
    Timer,
    /// Anything else (S7-200 timers/counters `1E`/`1F`, date and time types, ...).
    Other(u8),
}

impl TransportSize {
    /// The wire value.
    #[inline]
    pub fn to_u8(self) -> u8 {
        match self {
            Self::Bit => 0x01,
            Self::Byte => 0x02,
            Self::Char => 0x03,
            Self::Word => 0x04,
            Self::Int => 0x05,
            Self::DWord => 0x06,
            Self::DInt => 0x07,
            Self::Real => 0x08,
            Self::Counter => 0x1C,
            Self::Timer => 0x1D,
            Self::Other(v) => v,
        }
    }

    /// Decodes a transport size byte; unknown values become [`TransportSize::Other`].
    #[inline]
    pub fn from_u8(value: u8) -> Self {
        match value {
            0x01 => Self::Bit,
            0x02 => Self::Byte,
            0x03 => Self::Char,
            0x04 => Self::Word,
            0x05 => Self::Int,
            0x06 => Self::DWord,
            0x07 => Self::DInt,
            0x08 => Self::Real,
            0x1C => Self::Counter,
            0x1D => Self::Timer,
            other => Self::Other(other),
        }
    }

    /// Bytes per element on the wire, or `None` for types the mock does not serve.
    pub fn element_len(self) -> Option<usize> {
        match self {
            Self::Bit | Self::Byte | Self::Char => Some(1),
            Self::Word | Self::Int | Self::Counter | Self::Timer => Some(2),
            Self::DWord | Self::DInt | Self::Real => Some(4),
            Self::Other(_) => None,
        }
    }

    /// The data transport size a CPU answers a read of this type with.
    pub fn data_transport_size(self) -> Option<DataTransportSize> {
        match self {
            Self::Bit => Some(DataTransportSize::Bit),
            Self::Byte | Self::Word | Self::DWord => Some(DataTransportSize::Byte),
            Self::Int | Self::DInt => Some(DataTransportSize::Int),
            Self::Real => Some(DataTransportSize::Real),
            Self::Char | Self::Counter | Self::Timer => Some(DataTransportSize::OctetString),
            Self::Other(_) => None,
        }
    }
}

/// The transport size of a data item: how its `LEN` field counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataTransportSize {
    /// `00`: no data (error items, userdata requests without data).
    Null,
    /// `03`: bit access; LEN in bytes.
    Bit,
    /// `04`: byte/word/dword access; LEN in bits.
    Byte,
    /// `05`: integer access; LEN in bits.
    Int,
    /// `06`: double integer access; LEN in bytes.
    DInt,
    /// `07`: real access; LEN in bytes.
    Real,
    /// `09`: octet string (char, timers, counters, userdata payloads); LEN in bytes.
    OctetString,
    /// Anything else; LEN taken as bytes.
    Other(u8),
}

impl DataTransportSize {
    /// The wire value.
    #[inline]
    pub fn to_u8(self) -> u8 {
        match self {
            Self::Null => 0x00,
            Self::Bit => 0x03,
            Self::Byte => 0x04,
            Self::Int => 0x05,
            Self::DInt => 0x06,
            Self::Real => 0x07,
            Self::OctetString => 0x09,
            Self::Other(v) => v,
        }
    }

    /// Decodes a data transport size byte; unknown values become
    /// [`DataTransportSize::Other`].
    #[inline]
    pub fn from_u8(value: u8) -> Self {
        match value {
            0x00 => Self::Null,
            0x03 => Self::Bit,
            0x04 => Self::Byte,
            0x05 => Self::Int,
            0x06 => Self::DInt,
            0x07 => Self::Real,
            0x09 => Self::OctetString,
            other => Self::Other(other),
        }
    }

    /// Whether `LEN` counts bits (TS `04` and `05`) rather than bytes.
    #[inline]
    pub fn counts_bits(self) -> bool {
        matches!(self, Self::Byte | Self::Int)
    }

    /// Number of data bytes a wire `LEN` stands for (bit counts round up to whole bytes).
    #[inline]
    pub fn byte_len(self, wire_len: u16) -> usize {
        let len = usize::from(wire_len);
        if self.counts_bits() {
            len.div_ceil(8)
        } else {
            len
        }
    }

    /// The wire `LEN` for `bytes` data bytes.
    pub fn wire_len(self, bytes: usize) -> Result<u16, Error> {
        let len = if self.counts_bits() {
            bytes.checked_mul(8).ok_or_else(|| Error::TooLarge {
                what: "data item length",
                value: bytes,
                max: usize::from(u16::MAX) / 8,
            })?
        } else {
            bytes
        };
        super::cursor::wire_u16(len, "data item length")
    }
}
