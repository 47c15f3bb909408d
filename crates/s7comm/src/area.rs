//! The memory area byte of an item address.
//!
//! ```text
//! 81 PE  process inputs      82 PA  process outputs    83 MK  flags (merkers)
//! 84 DB  data blocks         1C CT  counters           1D TM  timers
//! ```

/// Which memory an item addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    /// `81` PE: process inputs (I).
    Inputs,
    /// `82` PA: process outputs (Q).
    Outputs,
    /// `83` MK: flags / merkers (M).
    Flags,
    /// `84` DB: a data block; the item's DB number selects which.
    DataBlock,
    /// `1C` CT: counters, addressed by index.
    Counters,
    /// `1D` TM: timers, addressed by index.
    Timers,
    /// Any other area code (e.g. `1E`/`1F` of S7-200 or `80` peripheral I/O).
    Other(u8),
}

impl Area {
    /// The wire value.
    #[inline]
    pub fn to_u8(self) -> u8 {
        match self {
            Self::Inputs => 0x81,
            Self::Outputs => 0x82,
            Self::Flags => 0x83,
            Self::DataBlock => 0x84,
            Self::Counters => 0x1C,
            Self::Timers => 0x1D,
            Self::Other(v) => v,
        }
    }

    /// Decodes an area byte; unknown values become [`Area::Other`].
    #[inline]
    pub fn from_u8(value: u8) -> Self {
        match value {
            0x81 => Self::Inputs,
            0x82 => Self::Outputs,
            0x83 => Self::Flags,
            0x84 => Self::DataBlock,
            0x1C => Self::Counters,
            0x1D => Self::Timers,
            other => Self::Other(other),
        }
    }
}
